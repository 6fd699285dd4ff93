"""Alternating optimization driver.

``ao_solve(problem)`` alternates the problem family's default blocks (``problem.ao_blocks()``),
each a solver ``solver(problem, x0, options=..., rng=...) -> Solution`` that returns the full
variable dict with its own block updated. The driver keeps the best feasible iterate, records the
best and the current objective after each outer iteration (``history``,
``output["history_current"]``) and stops when the relative improvement falls below ``tol``. A
block that raises or returns exitflag -3 ends the run with exitflag -3 and a message naming it
(``on_block_error="skip"`` goes on instead; see :func:`ao_solve`).

Hooks a family may define (all optional):
  ``ao_initial_point(rng) -> x``   starting point (default: ``initial_point(rng)``)
  ``ao_initial_from_starts(starts, rng) -> x or None``  start from the extra starts (None: own)
  ``ao_starts(rng, max_iter, tol)`` / ``ao_explore(...)`` -> list  default ``starts`` / ``explore``
  ``ao_defaults() -> dict``        defaults for ``max_iter`` / ``tol``
  ``ao_finalize(solution) -> Solution``  add family outputs (e.g. ergodic rates) to the result
"""
from __future__ import annotations

import math
import time
from collections.abc import Mapping

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.validate import fail, require_choice, require_count, require_real
from ..core.problem import Block
from ..core.rng import as_generator
from ..core.solution import Solution

__all__ = ["ao_solve"]

_STALL = 5      # iterations without a feasible iterate or a lower violation that end a run


def _finite_x(x: dict) -> bool:
    for v in x.values():
        a = np.asarray(v)
        if a.dtype != object and np.issubdtype(a.dtype, np.number) and not np.all(np.isfinite(a)):
            return False
    return True


def _copy(x):
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in x.items()}


def ao_solve(problem, x0=None, *, blocks=None, max_iter=None, tol=None, rng=None,
             callback=None, feas_tol=1e-6, on_block_error="stop", starts=None, explore=None,
             _finalize=True) -> Solution:
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
        Seed or generator for every random choice (None: fresh entropy; e.g. CoMP-RSMA MA schemes
        draw random-position starts from it, so pass a seed to reproduce a run).
    callback : callable, optional
        ``callback(it, x, fval)`` after each outer iteration; returning True stops the run.
    feas_tol : float, default 1e-6
        An iterate is feasible when ``problem.violation(x) <= feas_tol``.
    on_block_error : {"stop", "skip"}, default "stop"
        What a block failure does. A block *fails* when it raises (any exception other than
        ``InvalidProblemError``, which propagates), returns exitflag -3, or returns an empty or
        non-finite variable dict; the failure is recorded in ``output["attempts"]`` and the
        iterate before it is kept. ``"stop"`` ends the run: exitflag -3 and a message naming the
        block, the iteration and the exception (``x`` is still the best feasible iterate so far).
        ``"skip"`` goes on with the next block; a block that failed in every iteration makes the
        exitflag at most 0 and the message says so; every block failing in one iteration ends
        the run with -3.
    starts : list of dict or Solution, optional
        Extra start candidates, e.g. another scheme's solution of the same instance (SDMA for
        RSMA). Default: the family's ``ao_starts(rng)`` when ``x0`` is not given (CoMP-RSMA under
        RSMA: the AO solution of its SDMA twin, solved with the same ``max_iter`` and ``tol``), else none. The run starts from the family's own
        start; the best feasible candidate is the first incumbent, so the result is never below
        it (``fval >= max`` over feasible candidates, e.g. RSMA >= SDMA given the SDMA solution),
        and when it beats the run's own result the AO runs once more from it (adapted by the
        family's ``warm_start`` when it has one) and the better result is returned
        (``output["continued_from_start"]``).
    explore : list of dict or Solution, optional
        Start points the AO is also run from to the end (adapted by the family's ``warm_start``),
        unlike ``starts`` whatever their value: a worse-looking start can lead to a better basin
        (e.g. the FPA solution for an MA scheme). The best feasible result of all runs is returned
        and each run is recorded in ``output["explored"]``. Default: the family's
        ``ao_explore(rng)`` when ``x0`` is not given (CoMP-RSMA MA schemes with the SCA precoder
        block, up to 200 NLP variables: the AO solution of the FPA twin), else none.

    Returns
    -------
    Solution
        The best feasible iterate (exitflag 1 converged, 0 iteration limit or stopped by the
        callback, -2 no feasible iterate (``x`` is then the least violating one; a run with no
        feasible iterate stops once its violation has not decreased, relative to ``tol``, in 5
        iterations), -3 block failure). ``history``: the best feasible objective so far after each outer iteration
        (non-decreasing by construction); ``output["history_current"]``: the objective of the
        *current* iterate after each outer iteration (what a correct AO makes non-decreasing);
        ``output["history_violation"]``: its violation; ``output["blocks"]``: the per-block
        exitflags; ``output["attempts"]``: the failures. ``fval`` and ``x`` never hold NaN.

    Raises
    ------
    InvalidProblemError
        If ``max_iter`` is not an int >= 1, ``tol`` / ``feas_tol`` not finite and >= 0,
        ``on_block_error`` not "stop"/"skip", or ``x0`` fails ``problem.check_x`` (the message
        names the entry, e.g. ``x0['positions']``).

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
    owner = "ao_solve"
    require_choice(owner, "on_block_error", on_block_error, ("stop", "skip"))
    defaults = problem.ao_defaults() if hasattr(problem, "ao_defaults") else {}
    max_iter = require_count(owner, "max_iter", max_iter if max_iter is not None else defaults.get("max_iter", 20))
    tol = require_real(owner, "tol", tol if tol is not None else defaults.get("tol", 1e-4), lo=0.0)
    feas_tol = require_real(owner, "feas_tol", feas_tol, lo=0.0)
    rng = as_generator(rng)
    blocks = list(blocks) if blocks is not None else list(problem.ao_blocks())
    blocks = [b if isinstance(b, Block) else Block(*b) for b in blocks]
    check = getattr(problem, "check_x", None)

    def checked(xx, field):
        xx = getattr(xx, "x", xx)          # a Solution or a variable dict
        return _copy(dict(check(xx, field=field) if check is not None else _check_x(xx)))

    def score(xx):
        f = float(problem.objective(xx))
        v = float(problem.violation(xx))
        return (f if math.isfinite(f) else -math.inf), (v if not math.isnan(v) else math.inf)

    if starts is None:
        hook = getattr(problem, "ao_starts", None)
        starts = list(hook(rng, max_iter=max_iter, tol=tol)) if (hook is not None and x0 is None) else []
    extra = [checked(s, f"starts[{i}]") for i, s in enumerate(starts)]
    if explore is None:
        hook = getattr(problem, "ao_explore", None)
        explore = list(hook(rng, max_iter=max_iter, tol=tol)) if (hook is not None and x0 is None) else []
    explore = [checked(s, f"explore[{i}]") for i, s in enumerate(explore)]
    if x0 is None:
        init = getattr(problem, "ao_initial_point", None) or problem.initial_point
        from_starts = getattr(problem, "ao_initial_from_starts", None)
        x = from_starts(extra, rng) if (from_starts is not None and extra) else None
        x = _copy(dict(x if x is not None else init(rng)))
    else:
        x = checked(x0, "x0")

    history, current, violations, block_log, failures = [], [], [], [], []
    try:
        f, v = score(x)
    except InvalidProblemError:
        raise
    except Exception as exc:  # noqa: BLE001 - an unscorable start point; the blocks may still recover
        failures.append({"iteration": 0, "block": "start point", "error": f"{type(exc).__name__}: {exc}"})
        f, v = -math.inf, math.inf
    best = (_copy(x), f, v) if (v <= feas_tol and math.isfinite(f)) else None
    least_violating = (_copy(x), f, v)
    own = f if best is not None else -math.inf     # best feasible value of this run's own iterates
    for xx in extra:                     # a feasible candidate is an incumbent: the result is never below it
        fx, vx = score(xx)
        if vx <= feas_tol and math.isfinite(fx) and (best is None or fx > best[1]):
            best = (_copy(xx), fx, vx)
        if vx < least_violating[2]:
            least_violating = (_copy(xx), fx, vx)
    failed_in = {blk.name: 0 for blk in blocks}
    exitflag, message, it = 0, "iteration limit reached", 0
    stop_error = None
    prev = own
    least_own, stalled = v, 0             # least violation of this run's own iterates
    for it in range(1, max_iter + 1):
        any_ok = False
        for blk in blocks:
            why = None
            try:
                sol = blk.solver(problem, x, options=blk.options, rng=rng)
            except InvalidProblemError:
                raise
            except Exception as exc:  # noqa: BLE001 - recorded; "stop" ends the run with -3
                why = f"raised {type(exc).__name__}: {exc}"
                failures.append({"iteration": it, "block": blk.name, "error": f"{type(exc).__name__}: {exc}"})
            else:
                block_log.append({"iteration": it, "block": blk.name, "exitflag": sol.exitflag,
                                  "fval": sol.fval, "elapsed": sol.elapsed})
                if sol.exitflag == -3 or not sol.x or not _finite_x(sol.x):
                    why = (f"returned exitflag -3 ({sol.message})" if sol.exitflag == -3
                           else "returned no variables" if not sol.x else "returned non-finite variables")
                    out = sol.output if isinstance(sol.output, dict) else {}
                    failures.append({"iteration": it, "block": blk.name, "exitflag": sol.exitflag,
                                     "message": sol.message,
                                     **({"attempts": out["cvx_attempts"]} if "cvx_attempts" in out else {})})
            if why is not None:
                failed_in[blk.name] += 1
                if on_block_error == "stop":
                    stop_error = f"block {blk.name!r} {why} in iteration {it}"
                    break
                continue
            any_ok = True
            x = {**x, **sol.x}
        try:
            f, v = score(x)
        except InvalidProblemError:
            raise
        except Exception as exc:  # noqa: BLE001 - the model cannot evaluate the iterate
            stop_error = f"objective/violation raised {type(exc).__name__}: {exc} in iteration {it}"
            f, v = -math.inf, math.inf
        if v <= feas_tol and math.isfinite(f):
            own = max(own, f)
            if best is None or f >= best[1]:
                best = (_copy(x), f, v)
        if v < least_violating[2]:
            least_violating = (_copy(x), f, v)
        history.append(best[1] if best is not None else f)
        current.append(f)
        violations.append(v)
        if stop_error is not None:
            exitflag, message = -3, stop_error
            break
        if callback is not None and callback(it, x, f):
            exitflag, message = 0, "stopped by callback"
            break
        if not any_ok:
            exitflag, message = -3, f"every block failed in iteration {it}"
            break
        cur = own                        # convergence of the run itself, not of an incumbent start
        if math.isfinite(cur) and math.isfinite(prev) and abs(cur - prev) <= tol * max(1.0, abs(prev)):
            exitflag, message = 1, f"relative improvement below tol={tol:g}"
            break
        prev = cur
        if not math.isfinite(own):       # no feasible iterate yet: stop once the violation stalls
            stalled = 0 if v < least_own - tol * max(least_own, 1e-9) else stalled + 1
            least_own = min(least_own, v)
            if stalled >= _STALL:
                message = f"violation not reduced in {_STALL} iterations"
                break
    if exitflag != -3:
        always = [name for name, n in failed_in.items() if n >= it]
        sometimes = [f"{name!r} ({n} of {it})" for name, n in failed_in.items() if 0 < n < it]
        if always:
            exitflag = min(exitflag, 0)
            message += f"; block(s) {', '.join(map(repr, always))} failed in every iteration (skipped)"
        if sometimes:
            message += f"; block(s) {', '.join(sometimes)} failed in some iterations (skipped)"
    if best is None:
        x_out, f_out, v_out = least_violating
        if exitflag != -3:
            exitflag, message = -2, f"no feasible iterate found ({message})"
        else:
            message += "; no feasible iterate found (least violating iterate returned)"
    else:
        x_out, f_out, v_out = best
    sol = Solution(x=x_out, fval=f_out, exitflag=exitflag, message=message, nit=it,
                   history=history, violation=v_out, elapsed=time.perf_counter() - t0,
                   solver="ao_solve", output={"blocks": block_log, "attempts": failures,
                                              "history_current": current, "history_violation": violations})
    if (_finalize and extra and best is not None and best[1] > own + tol * max(1.0, abs(own))
            and exitflag != -3):                 # (once: the continuation itself never continues)
        # a given start beats this run: run the AO once more from it (adapted by the family's
        # warm_start, e.g. SDMA -> RSMA adds a small common stream) and keep the better
        adapt = getattr(problem, "warm_start", None)
        again = ao_solve(problem, adapt(best[0]) if adapt is not None else best[0], blocks=blocks,
                         max_iter=max_iter, tol=tol, rng=rng, feas_tol=feas_tol,
                         on_block_error=on_block_error, starts=[best[0]], _finalize=False)
        sol.output["continued_from_start"] = {"fval_own": own, "fval_start": best[1], "fval": again.fval,
                                              "nit": again.nit, "exitflag": again.exitflag}
        if again.exitflag != -3 and again.violation <= feas_tol and again.fval >= sol.fval:
            sol.x, sol.fval, sol.violation = again.x, again.fval, again.violation
            sol.exitflag, sol.message = again.exitflag, again.message + " (continued from a given start)"
        sol.nit += again.nit
        sol.history = list(sol.history) + list(again.history)
        sol.elapsed = time.perf_counter() - t0
    if _finalize and explore and sol.exitflag != -3:
        _explore(problem, sol, explore, dict(blocks=blocks, max_iter=max_iter, tol=tol, rng=rng,
                                             feas_tol=feas_tol, on_block_error=on_block_error))
        sol.elapsed = time.perf_counter() - t0
    finalize = getattr(problem, "ao_finalize", None)
    return finalize(sol) if (finalize is not None and _finalize) else sol


def _explore(problem, sol, starts, kwargs):
    """Run the AO from each explore start to the end; keep the best feasible result in ``sol``."""
    adapt = getattr(problem, "warm_start", None)
    sol.output["explored"] = []
    for xs in starts:
        run = ao_solve(problem, adapt(xs) if adapt is not None else xs, starts=[], explore=[],
                       _finalize=False, **kwargs)
        feasible = run.exitflag != -3 and run.violation <= kwargs["feas_tol"] and math.isfinite(run.fval)
        better = feasible and (sol.exitflag == -2 or run.fval > sol.fval)
        sol.output["explored"].append({"fval": run.fval, "nit": run.nit, "exitflag": run.exitflag,
                                       "violation": run.violation, "accepted": better})
        if better:
            sol.x, sol.fval, sol.violation = run.x, run.fval, run.violation
            sol.exitflag, sol.message = run.exitflag, run.message + " (from an explore start)"
            sol.history = list(sol.history) + [sol.fval]
        sol.nit += run.nit


def _check_x(x0) -> dict:
    """x0 check for a problem object without ``check_x`` (not derived from ``Problem``)."""
    if not isinstance(x0, Mapping):
        fail("ao_solve", "x0", x0, "must be a dict of named variables (e.g. a previous Solution.x)")
    for k, v in x0.items():
        if not _finite_x({k: v}):
            fail("ao_solve", f"x0[{k!r}]", v, "must be finite (no NaN/inf)")
    return dict(x0)
