r"""Start candidates from a proxy of the value function over the positions.

With the non-position variables set by cheap functions of the channel, ``responses`` =
``{name: r(H)}`` (the problem's closed-form ``best_responses()`` by default, or heuristics such
as MRT, regularised ZF or null-space beams, which make the proxy a lower bound on the value
function v(P) = max_W f(P, W)), the proxy

    v~(P) = f(P, r(H(P)))

is maximised over the layout P in two steps: the FPA layout and ``n_random`` random feasible
layouts (``problem.initial_point``, drawn from ``rng``) are scored in one batched call, and the
``keep`` best are refined by a per-antenna coordinate grid search on v~
(:func:`~matoolbox.optim.grid_search.coordinate_search`, one per entry of ``options``, e.g. one
per movable position block). The refined points are
returned best first, responses filled in. A caller finishes some of them (e.g. one joint local
solve each) and keeps the best by the true objective: the proxy ranks layouts, it does not decide.
Unlike a position block inside the AO, the search never sees the current precoders, so it is not
drawn to layouts that merely suit them.
"""
from __future__ import annotations

import numpy as np

from ..core.rng import as_generator
from ..core.validate import require_count
from .grid_search import CoordinateSearchOptions, coordinate_search
from .maproblem import ValueFunction

__all__ = ["value_function_starts"]


def value_function_starts(problem, responses=None, *, n_random: int = 64, keep: int = 6,
                          options: CoordinateSearchOptions | None = None, rng=None) -> list[dict]:
    """Layouts that maximise the value-function proxy, best first.

    Parameters
    ----------
    problem : MaProblem
        With ``fpa_point``, ``initial_point(rng)`` and ``score_points``.
    responses : dict, optional
        ``{name: fn(H)}``, ``fn`` mapping a channel (batch-first, ``(..., rows, M)``) to the
        variable; default ``problem.best_responses()``.
    n_random : int
        Random layouts scored besides the FPA one.
    keep : int
        How many of the best are refined by the coordinate search (and returned).
    options : CoordinateSearchOptions or sequence of them, optional
        The search (its ``block`` is the position variable; a sequence runs one search per
        entry in turn, e.g. the transmit and then the receive layout); default 25 points per
        axis, 3 sweeps over ``"positions"``.
    rng : int or numpy.random.Generator, optional
        Draws the random layouts.

    Returns
    -------
    list of dict
        ``min(keep, n_random + 1)`` full points (positions refined, responses filled in), by
        proxy value, best first.
    """
    n_random = require_count("value_function_starts", "n_random", n_random, 0)
    keep = require_count("value_function_starts", "keep", keep)
    opts = options if options is not None else CoordinateSearchOptions(points=25, sweeps=3)
    opts = (opts,) if isinstance(opts, CoordinateSearchOptions) else tuple(opts)
    rng = as_generator(rng)
    view = ValueFunction(problem, responses)
    cands = [problem.fpa_point()] + [problem.initial_point(rng) for _ in range(n_random)]
    f = problem.score_points(cands, view.responses)
    out = []
    for i in np.argsort(-f, kind="stable")[:keep]:
        x = view.fill(cands[i])
        for o in opts:
            x = view.fill(coordinate_search(view, x, options=o).x)
        val = float(problem.objective(x))
        out.append((val if np.isfinite(val) else -np.inf, len(out), x))
    return [x for _, _, x in sorted(out, key=lambda t: (-t[0], t[1]))]
