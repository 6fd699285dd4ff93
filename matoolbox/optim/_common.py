"""Helpers shared by the generic blocks of :mod:`matoolbox.optim` (private).

``score(problem, x)``: (objective, violation) with NaN/inf mapped to (-inf, inf).
``keep_better(problem, x0, x, feas_tol)``: the incumbent rule every AO block follows -- the new
point ``x`` replaces ``x0`` only when its objective is not lower and its violation stays within
``max(violation(x0), feas_tol)``.
"""
from __future__ import annotations

import math

__all__ = ["score", "keep_better", "not_worse"]


def score(problem, x) -> tuple[float, float]:
    """(objective, violation) of ``x``; a non-finite objective reads -inf, a NaN violation inf."""
    f = float(problem.objective(x))
    v = float(problem.violation(x))
    return (f if math.isfinite(f) else -math.inf), (v if not math.isnan(v) else math.inf)


def keep_better(problem, x0, x, feas_tol=1e-9, f0=None, v0=None):
    """Return ``(x_out, f, v, kept)``: ``x`` if ``f(x) >= f(x0)`` and ``v(x) <= max(v(x0), feas_tol)``,
    else ``x0`` (``kept`` True). ``f0``/``v0`` may be passed when already known."""
    if f0 is None or v0 is None:
        f0, v0 = score(problem, x0)
    f, v = score(problem, x)
    if f >= f0 and v <= max(v0, feas_tol):
        return x, f, v, False
    return x0, f0, v0, True


def not_worse(f, v, f0, v0, feas_tol=1e-9) -> bool:
    """Whether a point (objective ``f``, violation ``v``) may replace the incumbent ``(f0, v0)``:
    for a feasible incumbent (``v0 <= feas_tol``) it must be feasible and ``f >= f0``; for an
    infeasible one it must violate less, or as much with ``f >= f0``."""
    if v0 <= feas_tol:
        return v <= feas_tol and f >= f0
    return v < v0 or (v <= v0 and f >= f0)
