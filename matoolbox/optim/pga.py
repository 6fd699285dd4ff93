r"""Projected gradient ascent (PGA) with Armijo backtracking, generic over the problem.

Maximises ``problem.objective(x)`` over one block ``x[block]`` (any array shape: ``(M,)`` antenna
positions on a line, ``(K, 2)`` user positions, ...) with the other variables fixed:

    x_{t+1} = Pi(x_t + tau_t g_t),     g_t = problem.gradient(block, x_t)   (ascent direction)

where ``Pi = problem.project(block, .)`` maps any value to a feasible one and ``tau_t`` is found by
backtracking ``tau <- shrink * tau`` from ``step0`` (or ``min(2 tau_{t-1}, step0)`` with
``warm_start``) until the projected-arc Armijo test

    f(x_hat) >= f(x_t) + armijo * Re<g_t, x_hat - x_t>    and    f(x_hat) > f(x_t)

holds and ``problem.violation`` stays below ``max(violation(x0), 1e-9)``. The objective history
is therefore non-decreasing. Stops when the relative improvement falls below ``tol``, when the
projected step is shorter than ``xtol`` (a stationary point of the projected map), when no step
length above ``min_step`` improves (converged, exitflag 1), or at ``max_iter`` / ``max_time``
(exitflag 0). ``restarts`` random starts (``problem.random_feasible(block, rng)`` when the problem
has it, else uniform in ``problem.bounds(block)``; then projected) and explicit ``starts`` are run
after ``x0``; the best final objective wins, ties go to the earlier start, so the result is never
worse than the run from ``x0``.

**Smooth surrogate** (``surrogate="name"``). For a non-smooth objective (e.g. a max-min
``f = min_k f_k``) the direction and the Armijo test use a smooth surrogate ``s`` (e.g. the
log-sum-exp softmin ``-(1/t) log sum_k exp(-t f_k)``) from ``problem.surrogate(x, name)`` and
``problem.surrogate_gradient(block, x, name)``:

    g_t = surrogate_gradient(block, x_t),   accept x_hat when
    s(x_hat) >= s(x_t) + armijo * Re<g_t, x_hat - x_t>,  s(x_hat) > s(x_t)  and  f(x_hat) >= f(x_t),

so the TRUE objective ``f`` never decreases (a step the surrogate likes but ``f`` does not is
shortened). ``tol`` applies to the surrogate's improvement; ``history`` holds ``f`` and the best
true iterate is returned.
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.options import Options, resolve_options
from ..core.rng import as_generator
from ..core.solution import Solution

__all__ = ["pga", "PgaOptions"]


@dataclasses.dataclass(frozen=True)
class PgaOptions(Options):
    """Options of :func:`pga`.

    ``block``
        name of the variable in ``x`` that is optimised ("positions").
    ``max_iter``
        iterations per start (T_max).
    ``step0``
        initial trial step tau_0 (in units of the block per unit gradient).
    ``max_move``
        if set, tau_0 = max_move / ||g||_inf instead (first trial moves no entry by more).
    ``armijo``
        Armijo sufficient-increase constant c_1.
    ``shrink``
        backtracking factor rho in (0, 1).
    ``warm_start``
        start each line search at min(2 tau_prev, tau_0) instead of tau_0.
    ``tol``
        stop when |f_new - f| <= tol * max(|f|, 1e-12)  (relative improvement).
    ``xtol``
        stop when ||x_new - x|| <= xtol (absolute, block units).
    ``min_step``
        give up the line search when tau * ||g||_inf < min_step.
    ``max_time``
        wall-clock limit in seconds for the whole call (exitflag 0 when hit).
    ``restarts``
        extra random starts: ``problem.random_feasible(block, rng)`` when the problem has
        it, else uniform in ``problem.bounds(block)``; projected.
    ``starts``
        extra explicit start values of the block (tried after x0, before random ones).
    ``feas_tol``
        a final violation above this gives exitflag -2.
    ``surrogate``
        None (ascend the objective), or the name passed to ``problem.surrogate(x, name)``
        and ``problem.surrogate_gradient(block, x, name)``: ascend that smooth surrogate,
        accepting only steps that do not lower the true objective (module docstring).
    """

    block: str = "positions"
    max_iter: int = 500
    step0: float = 1.0
    max_move: float | None = None
    armijo: float = 1e-4
    shrink: float = 0.5
    warm_start: bool = True
    tol: float = 1e-6
    xtol: float = 1e-10
    min_step: float = 1e-12
    max_time: float = math.inf
    restarts: int = 0
    starts: tuple = ()
    feas_tol: float = 1e-6
    surrogate: str | None = None

    def __post_init__(self):
        def bad(field, why):
            raise InvalidProblemError(f"PgaOptions.{field} = {getattr(self, field)!r}: {why}")

        if not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            bad("max_iter", "must be an integer >= 1")
        if not (self.step0 > 0 and math.isfinite(self.step0)):
            bad("step0", "must be positive and finite")
        if self.max_move is not None and not (self.max_move > 0 and math.isfinite(self.max_move)):
            bad("max_move", "must be positive and finite or None")
        if not 0 <= self.armijo < 1:
            bad("armijo", "must lie in [0, 1)")
        if not 0 < self.shrink < 1:
            bad("shrink", "must lie in (0, 1)")
        if not self.tol >= 0:
            bad("tol", "must be >= 0")
        if not isinstance(self.restarts, (int, np.integer)) or self.restarts < 0:
            bad("restarts", "must be an integer >= 0")
        if not self.max_time > 0:
            bad("max_time", "must be positive")
        if self.surrogate is not None and (not isinstance(self.surrogate, str) or not self.surrogate):
            bad("surrogate", "must be None or the name of a surrogate of the problem")


def _inner(g, d) -> float:
    return float(np.real(np.vdot(g, d)))


def _objective(problem, x, block, value):
    return float(problem.objective({**x, block: value}))


def _violation(problem, x, block, value):
    return float(problem.violation({**x, block: value}))


class _Target:
    """What one PGA run ascends: the objective, or a named smooth surrogate with the true
    objective as an acceptance guard. ``value`` returns (ascended value, true objective)."""

    def __init__(self, problem, x, block, surrogate):
        self.problem, self.x, self.block, self.name = problem, x, block, surrogate

    def value(self, v):
        xv = {**self.x, self.block: v}
        f = float(self.problem.objective(xv))
        if self.name is None:
            return f, f
        return float(self.problem.surrogate(xv, self.name)), f

    def gradient(self, v):
        xv = {**self.x, self.block: v}
        if self.name is None:
            return np.asarray(self.problem.gradient(self.block, xv))
        return np.asarray(self.problem.surrogate_gradient(self.block, xv, self.name))


def _line_search(problem, x, block, v, f, g, gmax, tau, opts, viol_lim, counters, target, ftrue):
    """Backtrack from ``tau``; returns ((value, s, f) or None, stationary, tau). ``f`` is the
    ascended value (objective or surrogate), ``ftrue`` the true objective at ``v``."""
    while tau * gmax >= opts.min_step:
        cand = np.asarray(problem.project(block, v + tau * g))
        step = cand - v
        if float(np.linalg.norm(step)) <= opts.xtol:
            return None, True, tau
        fc, tc = target.value(cand)
        counters["nfev"] += 1
        if (math.isfinite(fc) and fc > f and fc >= f + opts.armijo * _inner(g, step)
                and (target.name is None or (math.isfinite(tc) and tc >= ftrue))
                and _violation(problem, x, block, cand) <= viol_lim):
            return (cand, fc, tc), False, tau
        tau *= opts.shrink
    return None, False, tau


def _run(problem, x, block, start, opts, viol_lim, deadline, counters):
    """One PGA run from ``start``; returns (value, f, history, nit, exitflag, message, tau) with
    ``f`` and ``history`` the TRUE objective (the ascended surrogate only steers the steps)."""
    target = _Target(problem, x, block, opts.surrogate)
    v = np.array(start, copy=True)
    f, ftrue = target.value(v)
    counters["nfev"] += 1
    history = [ftrue]
    if not (math.isfinite(f) and math.isfinite(ftrue)):
        return v, ftrue, history, 0, -3, "objective is not finite at the start", 0.0
    tau_prev = None
    exitflag, message, it = 0, "iteration limit reached", 0
    for it in range(1, opts.max_iter + 1):
        if time.perf_counter() > deadline:
            exitflag, message = 0, "time limit reached"
            it -= 1
            break
        g = target.gradient(v)
        counters["ngev"] += 1
        gmax = float(np.max(np.abs(g))) if g.size else 0.0
        if not math.isfinite(gmax):
            exitflag, message = -3, "gradient is not finite"
            it -= 1
            break
        if gmax == 0.0:
            exitflag, message = 1, "zero gradient"
            it -= 1
            break
        tau0 = opts.step0 if opts.max_move is None else opts.max_move / gmax
        tau_first = min(2.0 * tau_prev, tau0) if (opts.warm_start and tau_prev is not None) else tau0
        args = (problem, x, block, v, f, g, gmax)
        accepted, stationary, tau = _line_search(*args, tau_first, opts, viol_lim, counters, target, ftrue)
        if accepted is None and tau_first < tau0:
            accepted, stationary, tau = _line_search(*args, tau0, opts, viol_lim, counters, target, ftrue)
        if accepted is None:
            exitflag = 1
            message = ("projected gradient step is zero (stationary point)" if stationary
                       else "no step length increases the objective")
            it -= 1
            break
        cand, fc, tc = accepted
        moved = float(np.linalg.norm(cand - v))
        improvement = fc - f
        v, f, ftrue, tau_prev = cand, fc, tc, tau
        history.append(ftrue)
        if improvement <= opts.tol * max(abs(f), 1e-12):
            exitflag, message = 1, f"relative improvement below tol={opts.tol:g}"
            break
        if moved <= opts.xtol:
            exitflag, message = 1, f"step below xtol={opts.xtol:g}"
            break
    return v, ftrue, history, max(it, 0), exitflag, message, (tau_prev or 0.0)


def pga(problem, x0, *, options=None, rng=None) -> Solution:
    """Projected gradient ascent on ``x0[options.block]`` with the other variables of ``x0`` fixed.

    Iterates ``x <- project(x + tau * gradient)`` with Armijo backtracking along the projected
    arc and a "did not decrease" guard (uplink theory page, docs/theory/uplink.rst).

    Parameters
    ----------
    problem : Problem
        Exposes ``objective(x)``, ``gradient(block, x)`` (same shape as ``x[block]``),
        ``project(block, value)`` and ``violation(x)``; for ``options.restarts > 0``
        ``random_feasible(block, rng)`` or else ``bounds(block)``; for ``options.surrogate``
        ``surrogate(x, name)`` and ``surrogate_gradient(block, x, name)``.
    x0 : dict
        Full variable dict; only ``x0[options.block]`` moves.
    options : PgaOptions or dict, optional
        Block name, step rule, tolerances, restarts, time limit.
    rng : int or numpy.random.Generator, optional
        Generator of the random restarts.

    Returns
    -------
    Solution
        ``x`` the full dict with the block updated; ``history`` the objective per accepted
        iteration of the winning start (non-decreasing); ``output`` holds ``nfev``, ``ngev``,
        ``step`` (last accepted tau), ``start_fvals`` (final objective of every start),
        ``best_start`` (its index; 0 is x0) and ``surrogate`` (the option).

    Raises
    ------
    InvalidProblemError
        If ``x0`` has no entry ``options.block`` or an option is invalid.

    Examples
    --------
    >>> from matoolbox.problems import UplinkTwoTimescaleProblem
    >>> from matoolbox.solvers import pga
    >>> prob = UplinkTwoTimescaleProblem.random(seed=0)          # M=8, K=4, ZF surrogate
    >>> x0 = {"positions": prob.fpa_positions()}
    >>> sol = pga(prob, x0)
    >>> sol.exitflag, sol.fval > prob.objective(x0)
    (1, True)
    >>> bool(prob.violation(sol.x) == 0)
    True
    """
    t0 = time.perf_counter()
    opts = resolve_options(PgaOptions, options)
    rng = as_generator(rng)
    block = opts.block
    x = dict(x0)
    if block not in x:
        raise InvalidProblemError(f"pga.x0 = <dict with keys {sorted(x)}>: has no block {block!r}")
    deadline = t0 + opts.max_time
    raw = np.asarray(x[block])
    viol_lim = max(float(problem.violation(x)), 1e-9)
    counters = {"nfev": 0, "ngev": 0}

    def start_value(value):
        value = np.asarray(value)
        proj = np.asarray(problem.project(block, value))
        if _violation(problem, x, block, proj) <= viol_lim:
            return proj
        return value

    starts = [start_value(raw)] + [start_value(s) for s in opts.starts]
    if opts.restarts:
        draw = getattr(problem, "random_feasible", None)
        if draw is not None:
            starts += [start_value(np.asarray(draw(block, rng))) for _ in range(opts.restarts)]
        else:
            lo, hi = (np.broadcast_to(np.asarray(b, float), raw.shape) for b in problem.bounds(block))
            starts += [start_value(rng.uniform(lo, hi)) for _ in range(opts.restarts)]

    best = None
    start_fvals = []
    for i, s in enumerate(starts):
        if i > 0 and time.perf_counter() > deadline:
            break
        res = _run(problem, x, block, s, opts, viol_lim, deadline, counters)
        start_fvals.append(res[1])
        ok = res[4] != -3 and math.isfinite(res[1])
        if best is None or (ok and (best[1][4] == -3 or res[1] > best[1][1])):
            best = (i, res)
    i_best, (v, f, history, nit, exitflag, message, tau) = best
    x_out = {**x, block: v}
    violation = float(problem.violation(x_out))
    if exitflag != -3 and violation > opts.feas_tol:
        exitflag, message = -2, f"final violation {violation:.3g} above feas_tol={opts.feas_tol:g}"
    if not math.isfinite(f):
        x_out, f, exitflag = {**x, block: np.asarray(starts[0])}, -math.inf, -3
        message = "objective is not finite"
    return Solution(x=x_out, fval=f, exitflag=exitflag, message=message, nit=nit,
                    history=history, violation=violation, elapsed=time.perf_counter() - t0,
                    solver="pga",
                    output={"block": block, "nfev": counters["nfev"], "ngev": counters["ngev"],
                            "step": tau, "start_fvals": start_fvals, "best_start": i_best,
                            "surrogate": opts.surrogate})

