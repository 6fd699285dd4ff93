r"""Successive replacement for XL-MA placement (problems P2.2 / P2.3; docs/theory/xlma.rst: Successive replacement).

Starting from a placement pi^(0) (default: :func:`matoolbox.xlma.lp_init`), repeat while some
subarray has not been updated:

1. (P2.3) pick the not-yet-updated subarray whose removal costs least,
   n_t = argmax_n F(S minus {pi(n)});
2. (P2.2) its best new position among the unselected ones, n* = argmax F(S - pi(n_t) + n);
3. accept if F_new > F(S) (1 + rtol) (strict), else stop (``continue_on_fail=False``, the paper's
   rule) or mark n_t done and go on (``continue_on_fail=True``).

Each subarray moves at most once (<= N accepted moves); accepted values increase strictly.  Needs
``problem.rate_state(selection)`` (incremental evaluator with ``value``, ``removal_values()``,
``swap_values(i)``, ``swap(i, new)``); each step scores all candidates at once, O(K N0).
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.options import Options, resolve_options
from ..core.solution import Solution
from .lp_init import lp_init

__all__ = ["successive_replacement", "ReplacementOptions"]


@dataclasses.dataclass(frozen=True)
class ReplacementOptions(Options):
    """Options of :func:`successive_replacement`.

    continue_on_fail: after a rejected move, skip that subarray instead of stopping (extension).
    rtol:             relative tolerance of the strict-improvement test.
    """

    continue_on_fail: bool = False
    rtol: float = 1e-12


def successive_replacement(problem, x0=None, *, options=None, rng=None) -> Solution:
    """Greedy least-loss successive replacement from ``x0["selection"]`` (None: LP initialization).

    Moves, one at a time, the subarray whose removal costs least to the best free candidate, while
    the closed-form rate F strictly increases; each subarray moves at most once (XL-MA theory
    page, docs/theory/xlma.rst).

    Parameters
    ----------
    problem : XlmaPlacementProblem
        Any problem with ``rate_state()``.
    x0 : dict, optional
        Start ``{"selection": ...}``, optionally with ``"placement"`` (subarray order pi;
        otherwise the selection order is used). Default: :func:`lp_init`.
    options : ReplacementOptions or dict, optional
        E.g. ``continue_on_fail`` (default False: stop at the first rejected move, as the paper).
    rng : optional
        Passed to :func:`lp_init` when ``x0`` is None.

    Returns
    -------
    Solution
        ``x = {"selection": sorted (N,)}``, ``fval`` = F, ``history`` (F after the start and each
        accepted move), ``nit`` accepted moves, ``output``: ``start_value``, ``placement``,
        ``moves`` [(subarray n_t, old, new, F)], ``rejected`` (the stopping trial or None).

    Raises
    ------
    InvalidProblemError
        If the problem has no ``rate_state()`` or ``x0`` is not a valid selection.

    Examples
    --------
    >>> from matoolbox.problems import XlmaPlacementProblem
    >>> from matoolbox.solvers import lp_init, successive_replacement
    >>> prob = XlmaPlacementProblem.random_small(seed=0)
    >>> sol = successive_replacement(prob)
    >>> sol.exitflag, sol.fval >= lp_init(prob).fval
    (1, True)
    """
    t0 = time.perf_counter()
    opts = resolve_options(ReplacementOptions, options)
    if not hasattr(problem, "rate_state"):
        raise InvalidProblemError(f"successive_replacement.problem = {type(problem).__name__}: needs rate_state()")
    extra = {}
    if x0 is None:
        init = lp_init(problem, rng=rng)
        start = np.asarray(init.output["placement"], int)
        extra["cvx_attempts"] = init.output["cvx_attempts"]
        extra["lp_init"] = {"exitflag": init.exitflag, "message": init.message,
                            "fallback": init.output.get("fallback")}
    else:
        start = np.asarray(x0.get("placement", x0["selection"]), int)
    state = problem.rate_state(start)
    f = state.value
    f0 = f
    history = [f]
    moves = []
    updated = np.zeros(start.size, bool)
    rejected = None
    while not updated.all():
        rem = state.removal_values()
        rem = np.where(updated, -np.inf, rem)
        i = int(np.argmax(rem))
        cand, vals = state.swap_values(i)
        if cand.size == 0:
            break
        j = int(np.argmax(vals))
        f_new = float(vals[j])
        if f_new > f + opts.rtol * max(abs(f), 1e-300):
            old = int(state.selection[i])
            state.swap(i, int(cand[j]))
            f = state.value
            moves.append((i, old, int(cand[j]), f))
            history.append(f)
            updated[i] = True
        else:
            rejected = (i, int(state.selection[i]), int(cand[j]), f_new)
            if not opts.continue_on_fail:
                break
            updated[i] = True
    sel = np.sort(state.selection)
    fval = float(problem.objective({"selection": sel}))
    init_failed = extra.get("lp_init", {}).get("exitflag") == -3
    message = f"{len(moves)} replacements accepted"
    if init_failed:
        message += f" (LP initialization failed; started from the fallback {extra['lp_init']['fallback']})"
    return Solution(x={"selection": sel}, fval=fval, exitflag=0 if init_failed else 1,
                    message=message, nit=len(moves), history=history,
                    violation=float(problem.violation({"selection": sel})),
                    elapsed=time.perf_counter() - t0, solver="successive_replacement",
                    output={"start_value": f0, "placement": state.selection.copy(), "moves": moves,
                            "rejected": rejected, **extra})
