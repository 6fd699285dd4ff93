r"""Projection onto the minimum-spacing set of antennas on a line segment.

    F = { x in R^M : x_1 >= 0,  x_{m+1} - x_m >= d (m = 1..M-1),  x_M <= D },   F != {} iff (M-1) d <= D.

``method="exact"`` (default) is the Euclidean projection argmin_{x in F} ||x - z||_2 in O(M):
shift w_m = z_m - (m-1) d, isotonic regression (pool adjacent violators, unit weights), clip to
[0, L] with L = D - (M-1) d, un-shift. ``method="sequential"`` is the paper-style "nearest
distance" rule (feasible and idempotent, not the Euclidean projection):

    x_1 = min(max(z_1, 0), L),   x_m = min(max(z_m, x_{m-1} + d), D - (M-m) d).

Both accept a batch ``z`` of shape (..., M) and project along the last axis.
"""
from __future__ import annotations

import numpy as np

from ..core.errors import InvalidProblemError

__all__ = ["project_min_spacing", "isotonic_increasing", "spacing_violation"]


def isotonic_increasing(w) -> np.ndarray:
    """Least-squares non-decreasing fit of ``w`` (M,) with unit weights (pool adjacent violators)."""
    w = np.asarray(w, float)
    vals, cnts = [], []
    for value in w:
        vals.append(float(value))
        cnts.append(1)
        while len(vals) > 1 and vals[-2] > vals[-1]:
            c = cnts[-2] + cnts[-1]
            vals[-2] = (vals[-2] * cnts[-2] + vals[-1] * cnts[-1]) / c
            cnts[-2] = c
            vals.pop()
            cnts.pop()
    return np.repeat(np.asarray(vals), cnts)


def _check(M, d, D):
    if not (np.isfinite(d) and d >= 0):
        raise InvalidProblemError(f"project_min_spacing.d = {d!r}: must be finite and >= 0")
    if not np.isfinite(D):
        raise InvalidProblemError(f"project_min_spacing.D = {D!r}: must be finite")
    if (M - 1) * d > D * (1 + 1e-12) + 1e-12:
        raise InvalidProblemError(
            f"project_min_spacing.D = {D!r}: the span must be >= (M-1)*d = {(M - 1) * d!r} "
            f"(M = {M}, d = {d!r}); the feasible set is empty")


def project_min_spacing(x, d: float, D: float, method: str = "exact") -> np.ndarray:
    """Project ``x`` (..., M) onto F (see module docstring); returns an array of the same shape.

    Raises :class:`InvalidProblemError` when (M-1) d > D (empty feasible set) or ``method`` is
    unknown.

    Parameters
    ----------
    x : numpy.ndarray
        Positions (..., M), in index order.
    d : float
        Minimum spacing between adjacent entries.
    D : float
        Span: the feasible set is 0 <= x_1, x_{m+1} - x_m >= d, x_M <= D.
    method : {"exact", "sequential"}, default "exact"
        Euclidean projection (PAV) or the sequential clip rule.

    Returns
    -------
    numpy.ndarray
        The projected positions, same shape as ``x``.

    Raises
    ------
    InvalidProblemError
        If (M-1) d > D (empty feasible set) or ``method`` is unknown.
    """
    z = np.asarray(x, float)
    if z.ndim == 0:
        raise InvalidProblemError(f"project_min_spacing.x = {x!r}: must be an array of positions")
    M = z.shape[-1]
    d, D = float(d), float(D)
    _check(M, d, D)
    L = max(D - (M - 1) * d, 0.0)
    offs = d * np.arange(M)
    flat = z.reshape(-1, M)
    out = np.empty_like(flat)
    if method == "exact":
        for i, row in enumerate(flat):
            out[i] = np.clip(isotonic_increasing(row - offs), 0.0, L) + offs
    elif method == "sequential":
        upper = D - (M - 1 - np.arange(M)) * d
        for i, row in enumerate(flat):
            prev = -np.inf
            for m in range(M):
                lo = 0.0 if m == 0 else prev + d
                prev = min(max(row[m], lo), upper[m])
                out[i, m] = prev
    else:
        raise InvalidProblemError(
            f"project_min_spacing.method = {method!r}: must be one of ['exact', 'sequential']")
    return out.reshape(z.shape)


def spacing_violation(x, d: float, D: float) -> float:
    """Max violation of F's constraints (0 when feasible): -x_1, d - (x_{m+1} - x_m), x_M - D."""
    x = np.asarray(x, float)
    parts = [-x[..., 0], x[..., -1] - D]
    if x.shape[-1] > 1:
        parts.append(np.max(d - np.diff(x, axis=-1), axis=-1))
    return float(max(0.0, *(float(np.max(p)) for p in parts)))
