r"""Antennas on a line segment with a minimum spacing: :class:`LineSegment` and its projection.

The feasible set of ``n`` positions in index order on ``[lo, hi]`` with spacing ``D``:

.. math::  F = \{x \in \mathbb R^n : x_1 \ge lo,\; x_{m+1} - x_m \ge D\ (m < n),\; x_n \le hi\},
           \qquad F \ne \emptyset \iff (n-1) D \le hi - lo.

``method="exact"`` (default) is the Euclidean projection :math:`\arg\min_{x\in F}\|x-z\|_2` in
O(n): shift :math:`w_m = z_m - (m-1)D`, isotonic regression of ``w`` (pool adjacent violators,
unit weights), clip to :math:`[lo,\ hi-(n-1)D]`, shift back. ``method="sequential"`` is the
paper-style "nearest distance" rule (feasible and idempotent, not the Euclidean projection)

.. math::  x_1 = \min(\max(z_1, lo), hi-(n-1)D),\quad
           x_m = \min(\max(z_m, x_{m-1} + D),\ hi - (n-m) D),

computed for a batch at once as a forward running max of :math:`\mathrm{clip}(z)_m - (m-1)D`
and a backward running min. ``lo`` may be ``-inf`` and ``hi`` ``+inf`` (an unbounded line).
:func:`project_min_spacing` / :func:`spacing_violation` are the same for ``lo = 0``, ``hi = span``.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.rng import as_generator
from ..core.validate import fail
from .base import Region

__all__ = ["LineSegment", "project_min_spacing", "isotonic_increasing", "spacing_violation"]

_METHODS = ("exact", "sequential")


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


def _project(z, lo: float, hi: float, d: float, method: str) -> np.ndarray:
    """Project ``z`` (..., n) onto F(lo, hi, d) along the last axis (F assumed non-empty)."""
    n = z.shape[-1]
    offs = d * np.arange(n)
    if method == "exact":
        top = max(hi - (n - 1) * d, lo)
        flat = z.reshape(-1, n)
        out = np.empty_like(flat)
        for i, row in enumerate(flat):
            out[i] = np.clip(isotonic_increasing(row - offs), lo, top) + offs
        return out.reshape(z.shape)
    if method == "sequential":
        x = np.clip(z, lo, hi)
        fwd = np.maximum.accumulate(x - offs, axis=-1) + offs        # x_m >= x_{m-1} + d, x_1 >= lo
        c = offs[::-1]                                               # (n - m) d
        q = np.minimum(fwd + c, hi)
        q = np.flip(np.minimum.accumulate(np.flip(q, axis=-1), axis=-1), axis=-1)
        return q - c
    raise InvalidProblemError(f"LineSegment.method = {method!r}: must be one of {list(_METHODS)}")


def _violations(x, lo: float, hi: float, d: float) -> np.ndarray:
    """max(0, lo - x_1, x_n - hi, max_m d - (x_{m+1} - x_m)) per layout of x (..., n) -> (...)."""
    v = np.maximum(lo - x[..., 0], x[..., -1] - hi)
    if x.shape[-1] > 1:
        v = np.maximum(v, np.max(d - np.diff(x, axis=-1), axis=-1))
    v = np.maximum(v, 0.0)
    return np.where(np.all(np.isfinite(x), axis=-1), v, np.inf)


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
    """Project ``x`` (..., M) onto ``{0 <= x_1, x_{m+1} - x_m >= d, x_M <= D}`` (see module docstring).

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
    d, D = float(d), float(D)
    _check(z.shape[-1], d, D)
    if method not in _METHODS:
        raise InvalidProblemError(
            f"project_min_spacing.method = {method!r}: must be one of ['exact', 'sequential']")
    return _project(z, 0.0, D, d, method)


def spacing_violation(x, d: float, D: float) -> float:
    """Max violation of ``{0 <= x_1, x_{m+1} - x_m >= d, x_M <= D}`` over ``x`` (..., M) (0 when feasible)."""
    x = np.asarray(x, float)
    parts = [-x[..., 0], x[..., -1] - D]
    if x.shape[-1] > 1:
        parts.append(np.max(d - np.diff(x, axis=-1), axis=-1))
    return float(max(0.0, *(float(np.max(p)) for p in parts)))


def _length(owner, field, value, allow_inf=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        fail(owner, field, value, "must be a real number")
    value = float(value)
    if np.isnan(value) or (not allow_inf and not np.isfinite(value)):
        fail(owner, field, value, "must be finite" if not allow_inf else "must not be NaN")
    return value


@dataclasses.dataclass(frozen=True, eq=False)
class LineSegment(Region):
    r"""``n`` antennas on ``[lo, hi]`` in index order with adjacent spacing >= ``min_spacing``.

    Parameters
    ----------
    lo, hi : float
        End points, ``lo < hi``; ``lo = -inf`` / ``hi = inf`` give a half-line or the whole line
        (``random_feasible`` then needs finite ends).
    min_spacing : float, default 0.0
        D >= 0, between index neighbours: :math:`x_{m+1} - x_m \ge D`.

    Examples
    --------
    >>> from matoolbox.regions import LineSegment
    >>> seg = LineSegment(0.0, 6.0, 0.5)
    >>> seg.project([1.0, 1.1, 5.9]).round(3).tolist()      # exact Euclidean projection
    [0.8, 1.3, 5.9]
    >>> seg.fpa(3).tolist()                                  # centred ULA at spacing D
    [2.5, 3.0, 3.5]
    """

    lo: float
    hi: float
    min_spacing: float = 0.0

    def __post_init__(self):
        own = "LineSegment"
        lo = _length(own, "lo", self.lo, allow_inf=True)
        hi = _length(own, "hi", self.hi, allow_inf=True)
        if not lo < hi or lo == np.inf or hi == -np.inf:
            fail(own, "hi", self.hi, f"must be > lo = {self.lo!r}")
        d = _length(own, "min_spacing", self.min_spacing)
        if d < 0:
            fail(own, "min_spacing", self.min_spacing, "must be >= 0")
        for name, v in (("lo", lo), ("hi", hi), ("min_spacing", d)):
            object.__setattr__(self, name, v)

    @property
    def dim(self) -> int:
        return 1

    @property
    def length(self) -> float:
        """hi - lo (may be inf)."""
        return self.hi - self.lo

    def project(self, P, method: str = "exact") -> np.ndarray:
        r"""Project positions ``P`` (..., n) onto F along the last axis.

        Parameters
        ----------
        P : array_like
            Positions (..., n) in index order.
        method : {"exact", "sequential"}, default "exact"
            Euclidean projection (PAV, O(n)) or the sequential nearest-distance rule (both
            feasible, idempotent on feasible input).

        Returns
        -------
        numpy.ndarray
            Feasible positions, same shape (a copy of ``P`` when already feasible for "exact").

        Raises
        ------
        InvalidProblemError
            If ``n`` antennas do not fit or ``method`` is unknown.
        """
        z = self._positions(P)
        self.check_fits(z.shape[-1], "LineSegment", "project")
        if method not in _METHODS:
            fail("LineSegment", "method", method, f"must be one of {list(_METHODS)}")
        return _project(z, self.lo, self.hi, self.min_spacing, method)

    def violations(self, P) -> np.ndarray:
        r"""Per-layout :math:`\max(0, lo - x_1, x_n - hi, \max_m D - (x_{m+1} - x_m))`: (...)."""
        return _violations(self._positions(P), self.lo, self.hi, self.min_spacing)

    def random_feasible(self, n: int, rng=None) -> np.ndarray:
        r"""A layout drawn uniformly over F: :math:`lo + u_{(m)} + (m-1) D` with :math:`u_{(m)}` the
        sorted draws of ``n`` i.i.d. :math:`U[0, L]`, :math:`L = hi - lo - (n-1) D` (the map is a
        translation of the ordered simplex onto F, so the law is uniform on F): (n,)."""
        n = self._count(n)
        if not (np.isfinite(self.lo) and np.isfinite(self.hi)):
            fail("LineSegment", "hi" if np.isfinite(self.lo) else "lo", self.hi if np.isfinite(self.lo) else self.lo,
                 "random_feasible needs a finite segment")
        self.check_fits(n, "LineSegment", "random_feasible")
        L = (self.hi - self.lo) - (n - 1) * self.min_spacing
        u = np.sort(as_generator(rng).uniform(0.0, max(L, 0.0), n))
        return u + self.min_spacing * np.arange(n) + self.lo

    def fpa(self, n: int, spacing: float | None = None, layout: str = "auto") -> np.ndarray:
        """ULA :math:`x_m = c + (m - (n-1)/2) s` centred at ``c = (lo + hi) / 2`` with spacing ``s``
        (default ``min_spacing``; a half-line starts or ends at its finite end, the whole line starts
        at 0): (n,). ``layout`` must be "auto" or "ula". The fit is not checked (see ``check_fits``)."""
        n = self._count(n)
        if layout not in ("auto", "ula"):
            fail("LineSegment", "layout", layout, "must be 'auto' or 'ula' on a line")
        x = np.arange(n) * self._spacing(spacing)
        lo_f, hi_f = np.isfinite(self.lo), np.isfinite(self.hi)
        if lo_f and hi_f:
            return x + (self.lo + self.hi - x[-1]) / 2
        if lo_f:
            return x + self.lo
        if hi_f:
            return x + (self.hi - x[-1])
        return x

    def bounds(self, n: int):
        r"""Per-antenna ranges implied by F: :math:`lo + (m-1) D \le x_m \le hi - (n-m) D`, each (n,)."""
        offs = self.min_spacing * np.arange(self._count(n))
        return offs + self.lo, self.hi - offs[::-1]

    def constraints(self, P):
        r"""Spacing rows :math:`g_m = x_{m+1} - x_m - D \ge 0` (n-1,) and their Jacobian (n-1, n)."""
        x = self._positions(P)
        if x.ndim != 1:
            fail("LineSegment", "P", f"<array of shape {x.shape}>", "constraints needs one layout (n,)")
        n = x.size
        J = np.zeros((max(n - 1, 0), n))
        r = np.arange(n - 1)
        J[r, r] = -1.0
        J[r, r + 1] = 1.0
        return np.diff(x) - self.min_spacing, J

    def check_fits(self, n: int, owner: str = "LineSegment", field: str = "n", value=None) -> None:
        """Raise InvalidProblemError (``owner.field = value``) when (n-1) D > hi - lo."""
        n = self._count(n)
        need = (n - 1) * self.min_spacing
        if need > self.length * (1 + 1e-12) + 1e-300:
            fail(owner, field, self.length if value is None else value,
                 f"the segment [{self.lo:g}, {self.hi:g}] of length {self.length:g} cannot hold n = {n} "
                 f"antennas at spacing D = {self.min_spacing:g} (needs (n-1) D = {need:g})")
