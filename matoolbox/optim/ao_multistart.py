r"""Multistart over alternating-optimisation runs: screen many starts cheaply, finish the best.

AO converges to a stationary point that depends on the start. :func:`ao_multistart` runs
:func:`~matoolbox.optim.ao.ao_solve` from several start candidates

* ``"fpa"``: ``problem.fpa_point()`` (fixed-position layouts and their default other blocks),
  when ``fpa`` is set and the problem has it;
* ``"random"``: ``n_random`` draws of ``problem.initial_point(rng)`` (random feasible points),
  drawn in this order from ``rng`` before anything else;
* ``"user"``: the given ``x0s``,

screens every candidate with ``screen_iters`` AO iterations, finishes the ``keep`` best screened
candidates (feasible first, then by objective) with a full ``ao_solve`` continued from the
screened point, and returns the best feasible result. All random draws -- the random starts,
then one seed per candidate for its screening run and one for its finishing run -- are made in
the caller before the work is spread over ``workers`` (joblib), so serial and parallel runs give
the same numbers.
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from ..core.options import Options, resolve_options
from ..core.rng import as_generator
from ..core.solution import Solution
from ..core.validate import fail, require_count, require_real
from .ao import ao_solve

__all__ = ["ao_multistart", "AoMultistartOptions"]


@dataclasses.dataclass(frozen=True)
class AoMultistartOptions(Options):
    """Options of :func:`ao_multistart`.

    ``n_random``
        random feasible starts ``problem.initial_point(rng)`` (8).
    ``fpa``
        also start from ``problem.fpa_point()`` when the problem has it (True).
    ``screen_iters``
        AO iterations of the screening run of every candidate (2; 0: rank the starts
        by their own objective).
    ``keep``
        screened candidates finished with a full ``ao_solve`` (3).
    ``max_iter``
        outer iterations of a finishing run (None: the problem's ``ao_defaults``).
    ``tol``
        relative-improvement tolerance of the AO runs (None: the problem's).
    ``workers``
        joblib processes (1 = serial; the numbers do not depend on it).
    ``blocks``
        AO blocks (None: ``problem.ao_blocks()``).
    ``feas_tol``
        a run is feasible when its violation is <= feas_tol (1e-6).
    """

    n_random: int = 8
    fpa: bool = True
    screen_iters: int = 2
    keep: int = 3
    max_iter: int | None = None
    tol: float | None = None
    workers: int = 1
    blocks: tuple | None = None
    feas_tol: float = 1e-6

    def __post_init__(self):
        own = "AoMultistartOptions"
        require_count(own, "n_random", self.n_random, minimum=0)
        if not isinstance(self.fpa, (bool, np.bool_)):
            fail(own, "fpa", self.fpa, "must be True or False")
        require_count(own, "screen_iters", self.screen_iters, minimum=0)
        require_count(own, "keep", self.keep)
        if self.max_iter is not None:
            require_count(own, "max_iter", self.max_iter)
        if self.tol is not None:
            require_real(own, "tol", self.tol, lo=0.0)
        require_count(own, "workers", self.workers)
        if self.blocks is not None and not isinstance(self.blocks, (tuple, list)):
            fail(own, "blocks", self.blocks, "must be None or a tuple of Block / (name, solver) pairs")
        require_real(own, "feas_tol", self.feas_tol, lo=0.0)


def _screen(problem, x0, iters, opts, seed):
    """Screening run (or the start itself when ``iters == 0``)."""
    if iters == 0:
        f, v = float(problem.objective(x0)), float(problem.violation(x0))
        return Solution(x=dict(x0), fval=f if math.isfinite(f) else -math.inf, exitflag=0, nit=0,
                        violation=v, solver="start")
    return ao_solve(problem, x0, blocks=opts.blocks, max_iter=iters, tol=opts.tol, rng=seed,
                    feas_tol=opts.feas_tol)


def _finish(problem, x0, opts, seed):
    return ao_solve(problem, x0, blocks=opts.blocks, max_iter=opts.max_iter, tol=opts.tol, rng=seed,
                    feas_tol=opts.feas_tol)


def _map(fn, args, workers):
    """[fn(*a) for a in args], over ``workers`` joblib processes when > 1 (order kept)."""
    if workers > 1 and len(args) > 1:
        from joblib import Parallel, delayed

        return Parallel(n_jobs=min(workers, len(args)), backend="loky")(delayed(fn)(*a) for a in args)
    return [fn(*a) for a in args]


def _rank_key(sol, feas_tol):
    feasible = sol.violation <= feas_tol and math.isfinite(sol.fval)
    return (1, sol.fval) if feasible else (0, -sol.violation)


def ao_multistart(problem, *, options=None, rng=None, x0s=()) -> Solution:
    r"""Best of several ``ao_solve`` runs from FPA, random and user starts (module docstring).

    Parameters
    ----------
    problem : Problem
        A problem ``ao_solve`` can run (``objective``, ``violation``, ``initial_point(rng)``,
        ``ao_blocks()`` unless ``options.blocks``); ``fpa_point()`` is used when present.
    options : AoMultistartOptions or dict, optional
        Numbers of starts, screening length, how many are finished, AO settings, workers.
    rng : int or numpy.random.Generator, optional
        Seed of the random starts and of every run's block randomness.
    x0s : sequence of dict, optional
        User start points (e.g. previous ``Solution.x``), screened like the others.

    Returns
    -------
    Solution
        The best feasible run (else the least violating, exitflag -2); its ``x``, ``fval``,
        ``exitflag``, ``violation``. ``nit``: candidates run; ``history``: best objective after
        each candidate's final result; ``output["local"]``: one dict per candidate, in the order
        fpa, random, user -- ``start`` (kind), ``x0``, ``fval``, ``exitflag``, ``violation``,
        ``nit`` (screening plus finishing iterations), ``screen_fval`` and ``finished``;
        ``output["best_start"]``: the index of the winner in that list.

    Raises
    ------
    InvalidProblemError
        If an option is invalid or there is no start candidate at all.

    Examples
    --------
    >>> from matoolbox.problems import CompRsmaProblem
    >>> prob = CompRsmaProblem.random(seed=0, K=2, access="sdma", movable=False)
    >>> sol = ao_multistart(prob, options={"n_random": 2, "keep": 1}, rng=0)
    >>> [loc["start"] for loc in sol.output["local"]]
    ['random', 'random']
    >>> sol.fval == max(loc["fval"] for loc in sol.output["local"])
    True
    """
    t0 = time.perf_counter()
    opts = resolve_options(AoMultistartOptions, options)
    rng = as_generator(rng)
    starts = []
    if opts.fpa and hasattr(problem, "fpa_point"):
        starts.append(("fpa", dict(problem.fpa_point())))
    starts += [("random", dict(problem.initial_point(rng))) for _ in range(int(opts.n_random))]
    starts += [("user", dict(x)) for x in (x0s or ())]
    if not starts:
        fail("ao_multistart", "options.n_random", opts.n_random,
             "no start candidate (no fpa_point, n_random = 0 and no x0s)")
    seeds = rng.integers(0, 2**63 - 1, size=(len(starts), 2))
    workers = int(opts.workers)
    screened = _map(_screen, [(problem, x, int(opts.screen_iters), opts, int(s[0]))
                              for (_, x), s in zip(starts, seeds)], workers)
    order = sorted(range(len(starts)), key=lambda i: _rank_key(screened[i], opts.feas_tol), reverse=True)
    chosen = [i for i in order[: int(opts.keep)]
              if not (screened[i].exitflag == 1 and screened[i].solver == "ao_solve")]
    finished = dict(zip(chosen, _map(_finish, [(problem, screened[i].x, opts, int(seeds[i][1])) for i in chosen],
                                     workers)))
    local, finals, history, best = [], [], [], None
    for i, ((kind, x0), scr) in enumerate(zip(starts, screened)):
        fin = finished.get(i)
        sol = scr
        if fin is not None and _rank_key(fin, opts.feas_tol) >= _rank_key(scr, opts.feas_tol):
            sol = fin
        finals.append(sol)
        local.append({"start": kind, "x0": x0, "fval": sol.fval, "exitflag": sol.exitflag,
                      "violation": sol.violation, "nit": scr.nit + (fin.nit if fin is not None else 0),
                      "screen_fval": scr.fval, "finished": fin is not None or i in order[: int(opts.keep)]})
        if best is None or _rank_key(sol, opts.feas_tol) > _rank_key(finals[best], opts.feas_tol):
            best = i
        history.append(finals[best].fval)
    win = finals[best]
    feasible = win.violation <= opts.feas_tol and math.isfinite(win.fval)
    exitflag = win.exitflag if feasible else -2
    message = (f"best of {len(starts)} AO runs ({len(chosen)} finished; start {best}: {starts[best][0]})"
               if feasible else f"no feasible point in {len(starts)} AO runs")
    return Solution(x=win.x, fval=win.fval, exitflag=exitflag, message=message, nit=len(starts),
                    history=history, violation=win.violation, elapsed=time.perf_counter() - t0,
                    solver="ao_multistart",
                    output={"local": local, "best_start": best, "best_output": win.output,
                            "n_finished": len(chosen), "workers": workers})
