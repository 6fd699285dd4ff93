"""Alternating optimization driver.

``ao_solve(problem)`` alternates the problem family's default blocks (``problem.ao_blocks()``),
each a solver ``solver(problem, x0, options=..., rng=...) -> Solution`` that returns the full
variable dict with its own block updated. The driver keeps the best feasible iterate, records the
objective after each outer iteration and stops when the relative improvement falls below ``tol``.

Hooks a family may define (all optional):
  ``ao_initial_point(rng) -> x``   starting point (default: ``initial_point(rng)``)
  ``ao_defaults() -> dict``        defaults for ``max_iter`` / ``tol``
  ``ao_finalize(solution) -> Solution``  add family outputs (e.g. ergodic rates) to the result
"""
from __future__ import annotations

import math
import time

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.problem import Block
from ..core.rng import as_generator
from ..core.solution import Solution

__all__ = ["ao_solve"]


def _finite_x(x: dict) -> bool:
    for v in x.values():
        a = np.asarray(v)
        if a.dtype != object and np.issubdtype(a.dtype, np.number) and not np.all(np.isfinite(a)):
            return False
    return True


def _copy(x):
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in x.items()}


def ao_solve(problem, x0=None, *, blocks=None, max_iter=None, tol=None, rng=None,
             callback=None, feas_tol=1e-6) -> Solution:
    """Alternating optimization over ``blocks`` (default ``problem.ao_blocks()``).

    Each outer iteration runs every block solver in turn on the full variable dict; the best
    feasible iterate is kept and the run stops when the relative improvement falls below ``tol``.
    The default blocks of each family are described on its theory page (docs/theory/).

    Parameters
    ----------
    problem : Problem
        A problem object (``objective``, ``violation``, ``initial_point`` and, unless ``blocks``
        is given, ``ao_blocks``).
    x0 : dict, optional
        Start point, a variable dict such as a previous ``Solution.x``. Default: the family's
        ``ao_initial_point(rng)`` (or ``initial_point(rng)``).
    blocks : list of Block or (name, solver) pairs, optional
        Block solvers ``solver(problem, x, options=..., rng=...) -> Solution`` (default
        ``problem.ao_blocks()``).
    max_iter : int, optional
        Outer iterations (default: the family's ``ao_defaults()``, else 20).
    tol : float, optional
        Relative-improvement tolerance (default: the family's, else 1e-4).
    rng : int or numpy.random.Generator, optional
        Seed or generator for every random choice.
    callback : callable, optional
        ``callback(it, x, fval)`` after each outer iteration; returning True stops the run.
    feas_tol : float, default 1e-6
        An iterate is feasible when ``problem.violation(x) <= feas_tol``.

    Returns
    -------
    Solution
        The best feasible iterate (exitflag 1 converged, 0 iteration limit, -2 no feasible
        iterate, -3 block failure), ``history`` the objective per outer iteration,
        ``output["blocks"]`` the per-block exitflags and ``output["attempts"]`` the failures.

    Raises
    ------
    InvalidProblemError
        If ``max_iter < 1``.

    Examples
    --------
    >>> import matoolbox as ma
    >>> from matoolbox.problems import CompRsmaProblem
    >>> prob = CompRsmaProblem.random(seed=0, K=2, access="sdma", movable=False)
    >>> sol = ma.ao_solve(prob)
    >>> sol.exitflag, sol.violation <= 1e-6
    (1, True)
    >>> sol.fval == max(sol.history)
    True
    >>> sorted(sol.x)
    ['common', 'positions', 'precoders']
    """
    t0 = time.perf_counter()
    rng = as_generator(rng)
    defaults = problem.ao_defaults() if hasattr(problem, "ao_defaults") else {}
    max_iter = int(max_iter if max_iter is not None else defaults.get("max_iter", 20))
    tol = float(tol if tol is not None else defaults.get("tol", 1e-4))
    if max_iter < 1:
        raise InvalidProblemError(f"ao_solve.max_iter = {max_iter!r}: must be >= 1")
    blocks = list(blocks) if blocks is not None else list(problem.ao_blocks())
    blocks = [b if isinstance(b, Block) else Block(*b) for b in blocks]
    if x0 is None:
        init = getattr(problem, "ao_initial_point", None) or problem.initial_point
        x = init(rng)
    else:
        x = _copy(dict(x0))

    def score(xx):
        f = float(problem.objective(xx))
        v = float(problem.violation(xx))
        return f, v

    f, v = score(x)
    best = (_copy(x), f, v) if (v <= feas_tol and math.isfinite(f)) else None
    least_violating = (_copy(x), f, v)
    history, block_log, failures = [], [], []
    exitflag, message, it = 0, "iteration limit reached", 0
    prev = f if best is not None else -math.inf
    for it in range(1, max_iter + 1):
        any_ok = False
        for blk in blocks:
            try:
                sol = blk.solver(problem, x, options=blk.options, rng=rng)
            except InvalidProblemError:
                raise
            except Exception as exc:  # a block crash is recorded, the previous iterate kept
                failures.append({"iteration": it, "block": blk.name, "error": f"{type(exc).__name__}: {exc}"})
                continue
            block_log.append({"iteration": it, "block": blk.name, "exitflag": sol.exitflag,
                              "fval": sol.fval, "elapsed": sol.elapsed})
            if sol.exitflag == -3 or not sol.x or not _finite_x(sol.x):
                failures.append({"iteration": it, "block": blk.name, "exitflag": sol.exitflag,
                                 "message": sol.message, **({"attempts": sol.output.get("cvx_attempts")}
                                                            if isinstance(sol.output, dict) and "cvx_attempts" in sol.output else {})})
                continue
            any_ok = True
            x = {**x, **sol.x}
        f, v = score(x)
        if not math.isfinite(f):
            f = -math.inf
        if v <= feas_tol and (best is None or f >= best[1]):
            best = (_copy(x), f, v)
        if v < least_violating[2]:
            least_violating = (_copy(x), f, v)
        history.append(best[1] if best is not None else f)
        if callback is not None and callback(it, x, f):
            exitflag, message = 0, "stopped by callback"
            break
        if not any_ok:
            exitflag, message = -3, "every block failed in this iteration"
            break
        cur = best[1] if best is not None else -math.inf
        if best is not None and math.isfinite(prev) and abs(cur - prev) <= tol * max(1.0, abs(prev)):
            exitflag, message = 1, f"relative improvement below tol={tol:g}"
            break
        prev = cur
    if best is None:
        x_out, f_out, v_out = least_violating
        exitflag, message = -2, "no feasible iterate found"
    else:
        x_out, f_out, v_out = best
    sol = Solution(x=x_out, fval=f_out if math.isfinite(f_out) else -math.inf,
                   exitflag=exitflag, message=message, nit=it,
                   history=history, violation=v_out, elapsed=time.perf_counter() - t0,
                   solver="ao_solve", output={"blocks": block_log, "attempts": failures})
    finalize = getattr(problem, "ao_finalize", None)
    return finalize(sol) if finalize is not None else sol
