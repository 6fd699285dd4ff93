r"""Antennas on a finite set of candidate ports with a minimum spacing: :class:`CandidateSet`.

Feasible layouts of ``n`` antennas: ``n`` *distinct* candidates :math:`c_{k_1},\dots,c_{k_n}`
(points ``(C,)`` on a line or ``(C, 2)`` in a plane) with :math:`\|c_{k_i} - c_{k_j}\| \ge D`.
The set is discrete, so every method is combinatorial (greedy), and there are no smooth
constraint rows.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..core.rng import as_generator
from ..core.validate import fail
from .base import Region, min_distance

__all__ = ["CandidateSet"]


@dataclasses.dataclass(frozen=True, eq=False)
class CandidateSet(Region):
    r"""Discrete ports ``points`` (C,) or (C, 2); layouts are distinct ports >= ``min_spacing`` apart.

    Parameters
    ----------
    points : array_like
        Distinct finite candidate positions, (C,) (``dim == 1``) or (C, 2) (``dim == 2``).
    min_spacing : float, default 0.0
        D >= 0 between the chosen ports.

    Notes
    -----
    ``violation`` of a layout P is :math:`\max(\max_i \mathrm{dist}(p_i, \text{ports}),\
    D_{\rm eff} - \min_{i<j}\|p_i - p_j\|)^+` with :math:`D_{\rm eff} = \max(D, \delta)`,
    :math:`\delta` the smallest distance between two ports (so two antennas on one port violate).

    Examples
    --------
    >>> from matoolbox.regions import CandidateSet
    >>> ports = CandidateSet([0.0, 0.5, 1.0, 1.5, 2.0], min_spacing=1.0)
    >>> ports.project([0.4, 0.6]).tolist()       # nearest free ports keeping the spacing
    [0.5, 1.5]
    >>> ports.fpa(2).tolist()                   # closest to the centroid, in port order
    [0.0, 1.0]
    """

    points: np.ndarray
    min_spacing: float = 0.0

    def __post_init__(self):
        own = "CandidateSet"
        try:
            pts = np.array(self.points, dtype=float)
        except (TypeError, ValueError):
            fail(own, "points", self.points, "must be a numeric array (C,) or (C, 2)")
        if not (pts.ndim == 1 or (pts.ndim == 2 and pts.shape[1] == 2)) or pts.shape[0] < 1:
            fail(own, "points", f"<array of shape {pts.shape}>", "must have shape (C,) or (C, 2), C >= 1")
        if not np.all(np.isfinite(pts)):
            fail(own, "points", self.points, "must be finite")
        xy = pts[:, None] if pts.ndim == 1 else pts
        sep = float(min_distance(xy))
        if sep == 0.0:
            fail(own, "points", self.points, "candidates must be distinct")
        d = self.min_spacing
        if isinstance(d, bool) or not isinstance(d, (int, float, np.integer, np.floating)) \
                or not np.isfinite(d) or d < 0:
            fail(own, "min_spacing", d, "must be finite and >= 0")
        pts.setflags(write=False)
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "min_spacing", float(d))
        object.__setattr__(self, "_xy", xy)
        object.__setattr__(self, "_sep", sep)

    @property
    def dim(self) -> int:
        return 1 if self.points.ndim == 1 else 2

    @property
    def size(self) -> int:
        """Number of candidates C."""
        return int(self.points.shape[0])

    def _as_xy(self, P):
        return P[..., None] if self.dim == 1 else P

    def _d_eff(self) -> float:
        return max(self.min_spacing, self._sep) if np.isfinite(self._sep) else self.min_spacing

    def nearest(self, P) -> np.ndarray:
        """Index of the nearest candidate of each position of ``P`` (..., n[, 2]): int (..., n)."""
        xy = self._as_xy(self._positions(P))
        return np.argmin(np.linalg.norm(xy[..., :, None, :] - self._xy, axis=-1), axis=-1)

    def violations(self, P) -> np.ndarray:
        """Per layout: max(off-port distance, D_eff - min pairwise distance, 0) (see Notes): (...)."""
        xy = self._as_xy(self._positions(P))
        off = np.min(np.linalg.norm(xy[..., :, None, :] - self._xy, axis=-1), axis=-1).max(axis=-1)
        v = off
        if xy.shape[-2] > 1:
            v = np.maximum(v, self._d_eff() - min_distance(xy))
        v = np.maximum(v, 0.0)
        return np.where(np.all(np.isfinite(xy), axis=(-1, -2)), v, np.inf)

    def _greedy(self, order_per_antenna, n, spacing):
        """Pick for antenna i the first candidate of ``order_per_antenna(i)`` that is unused and
        ``spacing`` away from the ports already picked; None when one antenna finds none."""
        used = []
        for i in range(n):
            for k in order_per_antenna(i):
                if k in used:
                    continue
                if used and np.min(np.linalg.norm(self._xy[used] - self._xy[k], axis=-1)) < spacing:
                    continue
                used.append(int(k))
                break
            else:
                return None
        return used

    def project(self, P) -> np.ndarray:
        """Greedy repair of each layout of ``P``: antenna i (index order) takes the nearest
        candidate that is unused and D away from those already taken; a feasible layout is
        returned unchanged. Falls back to :meth:`fpa` when the greedy pass gets stuck."""
        P = self._positions(P)
        n = P.shape[-1] if self.dim == 1 else P.shape[-2]
        self.check_fits(n, "CandidateSet", "project")
        flat = P.reshape((-1,) + P.shape[P.ndim - (1 if self.dim == 1 else 2):])
        out = flat.copy()
        for b in np.flatnonzero(self.violations(flat) > 0):
            xy = self._as_xy(flat[b])
            dist = np.linalg.norm(xy[:, None, :] - self._xy, axis=-1)          # (n, C)
            used = self._greedy(lambda i: np.argsort(dist[i], kind="stable"), n, self.min_spacing)
            out[b] = self.fpa(n) if used is None else self.points[used]
        return out.reshape(P.shape)

    def random_feasible(self, n: int, rng=None, tries: int = 100) -> np.ndarray:
        """A random subset: candidates in random order, kept greedily while they keep the spacing,
        until n (up to ``tries`` orders); returned in candidate order. Raises when none is found."""
        n = self._count(n)
        rng = as_generator(rng)
        for _ in range(tries):
            perm = rng.permutation(self.size)
            used = self._greedy(lambda i: perm, n, self.min_spacing)
            if used is not None:
                return self.points[np.sort(used)].copy()
        fail("CandidateSet", "n", n, f"no feasible subset found: {self._size_text(n)}")

    def fpa(self, n: int, spacing: float | None = None, layout: str = "auto") -> np.ndarray:
        """The ``n`` candidates closest to the centroid of the ports that keep ``spacing`` (default
        ``min_spacing``; 0 allowed: distinct ports), chosen greedily by distance to the centroid and
        returned in candidate order. ``layout`` must be "auto". Raises when the greedy pass fails."""
        n = self._count(n)
        if layout != "auto":
            fail("CandidateSet", "layout", layout, "must be 'auto' for a candidate set")
        sp = self.min_spacing if spacing is None else float(spacing)
        order = np.argsort(np.linalg.norm(self._xy - self._xy.mean(axis=0), axis=-1), kind="stable")
        used = self._greedy(lambda i: order, n, sp)
        if used is None:
            fail("CandidateSet", "n", n, f"no FPA subset: {self._size_text(n)} (greedy from the centroid)")
        return self.points[np.sort(used)].copy()

    def bounds(self, n: int):
        """The bounding box of the ports broadcast to the positions' shape: (lo, hi)."""
        n = self._count(n)
        lo, hi = self.points.min(axis=0), self.points.max(axis=0)
        shape = (n,) if self.dim == 1 else (n, 2)
        return np.broadcast_to(lo, shape).copy(), np.broadcast_to(hi, shape).copy()

    def constraints(self, P):
        """Not available: a discrete set has no smooth constraint rows (raises InvalidProblemError)."""
        fail("CandidateSet", "constraints", "<discrete set>",
             "not smooth: use project / violation (or a Rectangle / LineSegment relaxation) for SLSQP")

    def _size_text(self, n):
        return f"{self.size} candidate ports cannot hold n = {n} antennas at spacing D = {self.min_spacing:g}"

    def check_fits(self, n: int, owner: str = "CandidateSet", field: str = "n", value=None) -> None:
        """Raise InvalidProblemError (naming C, D and n) when n > C or both the greedy FPA pass
        and random subsets (seed 0) fail to place n antennas."""
        n = self._count(n)
        shown = self.size if value is None else value
        if n > self.size:
            fail(owner, field, shown, self._size_text(n))
        order = np.argsort(np.linalg.norm(self._xy - self._xy.mean(axis=0), axis=-1), kind="stable")
        if self._greedy(lambda i: order, n, self.min_spacing) is not None:
            return
        rng = np.random.default_rng(0)
        for _ in range(100):
            perm = rng.permutation(self.size)
            if self._greedy(lambda i: perm, n, self.min_spacing) is not None:
                return
        fail(owner, field, shown, self._size_text(n) + " (greedy and random subsets failed)")
