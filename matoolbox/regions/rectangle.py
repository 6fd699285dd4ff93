r"""Antennas in an axis-aligned rectangle with a minimum pairwise spacing: :class:`Rectangle`.

Feasible set of ``n`` positions :math:`P \in \mathbb R^{n\times 2}`:

.. math::  x_{\min} \le P_{i,1} \le x_{\max},\quad y_{\min} \le P_{i,2} \le y_{\max},\quad
           \|p_i - p_j\|_2 \ge D \ (i < j).

The spacing set is not convex, so :meth:`Rectangle.project` is a documented *repair* (feasible,
idempotent on feasible input), not a Euclidean projection:

1. a feasible layout is returned unchanged (a copy);
2. clip to the box, then Gauss-Seidel sweeps (at most ``sweeps``) over the pairs ``i < j``: a pair
   closer than :math:`D(1+10^{-10})` moves apart symmetrically along :math:`p_i - p_j` to distance
   :math:`D(1+10^{-9})` (plus :math:`10^{-12}`), each coordinate clipped to the box after the move
   (coincident points use the direction :math:`(\cos(i+j), \sin(i+j))`);
3. if pairs are still too close: greedy grid -- antennas in index order keep their place when
   they are :math:`D(1+10^{-9})` away from the ones already placed, else move to the nearest
   free node of the :math:`m_x \times m_y` grid of the box with step :math:`\le D/2`;
4. if no node is free: the ``fallback`` layout (default: the FPA grid at spacing D when it fits;
   otherwise the result of step 2 is returned and stays infeasible).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..core.jit import compiled
from ..core.rng import as_generator
from ..core.validate import fail
from .base import Region, min_distance

__all__ = ["Rectangle"]


def _push_apart_numpy(P, x_min, x_max, y_min, y_max, D, target, sweeps):
    """Gauss-Seidel pairwise pushes on one layout P (n, 2), in place (step 2 of the repair).

    Pairs closer than ``D`` move apart symmetrically to ``target`` along their difference, then
    each coordinate is clipped to the box; returns True when a sweep finds every pair >= D.
    Plain Python/NumPy reference; :func:`_push_apart` is the same source compiled by numba."""
    n = P.shape[0]
    for _ in range(sweeps):
        ok = True
        for i in range(n):
            for j in range(i + 1, n):
                vx = P[i, 0] - P[j, 0]
                vy = P[i, 1] - P[j, 1]
                dist = math.sqrt(vx * vx + vy * vy)
                if dist < D:
                    ok = False
                    if dist > 1e-15:
                        ux, uy = vx / dist, vy / dist
                    else:
                        ux, uy = math.cos(i + j), math.sin(i + j)
                    shift = 0.5 * (target - dist) + 1e-12
                    P[i, 0] = min(max(P[i, 0] + shift * ux, x_min), x_max)
                    P[j, 0] = min(max(P[j, 0] - shift * ux, x_min), x_max)
                    P[i, 1] = min(max(P[i, 1] + shift * uy, y_min), y_max)
                    P[j, 1] = min(max(P[j, 1] - shift * uy, y_min), y_max)
        if ok:
            return True
    return False


def _feasible_numpy(P, x_min, x_max, y_min, y_max, D):
    """True when one layout P (n, 2) is inside the box and every pair is >= D apart (NaN: False).
    Plain Python reference; :func:`_feasible` is the same source compiled by numba."""
    n = P.shape[0]
    for i in range(n):
        if not (x_min <= P[i, 0] <= x_max and y_min <= P[i, 1] <= y_max):
            return False
    for i in range(n):
        for j in range(i + 1, n):
            vx = P[i, 0] - P[j, 0]
            vy = P[i, 1] - P[j, 1]
            if not math.sqrt(vx * vx + vy * vy) >= D:
                return False
    return True


def _feasible_batch_numpy(P, x_min, x_max, y_min, y_max, D):
    """:func:`_feasible_numpy` of every layout of a batch P (B, n, 2): bool (B,) (the same tests,
    written out: numba compiles this source on its own)."""
    B, n = P.shape[0], P.shape[1]
    out = np.ones(B, np.bool_)
    for b in range(B):
        for i in range(n):
            if not (x_min <= P[b, i, 0] <= x_max and y_min <= P[b, i, 1] <= y_max):
                out[b] = False
                break
        if not out[b]:
            continue
        for i in range(n):
            for j in range(i + 1, n):
                vx = P[b, i, 0] - P[b, j, 0]
                vy = P[b, i, 1] - P[b, j, 1]
                if not math.sqrt(vx * vx + vy * vy) >= D:
                    out[b] = False
                    break
            if not out[b]:
                break
    return out


def _clip_push_batch_numpy(P, idx, x_min, x_max, y_min, y_max, D, target, sweeps):
    """Steps 1-2 of the repair for the layouts P[idx] (P (B, n, 2), in place): clip to the box,
    then :func:`_push_apart_numpy`'s sweeps (the same arithmetic, written out so that numba
    compiles this source on its own). Returns bool (len(idx),): True where a layout came out
    feasible; a layout with a non-finite entry is left untouched (False), like one whose sweeps
    failed, so that the caller repairs those from their original values."""
    done = np.zeros(idx.shape[0], np.bool_)
    n = P.shape[1]
    for t in range(idx.shape[0]):
        b = idx[t]
        finite = True
        for i in range(n):
            if not (math.isfinite(P[b, i, 0]) and math.isfinite(P[b, i, 1])):
                finite = False
        if not finite:
            continue
        for i in range(n):               # np.clip's order (max(a, lo) keeps lo on a tie: +0.0, not -0.0)
            v = P[b, i, 0] if P[b, i, 0] > x_min else x_min
            P[b, i, 0] = v if v < x_max else x_max
            v = P[b, i, 1] if P[b, i, 1] > y_min else y_min
            P[b, i, 1] = v if v < y_max else y_max
        if n < 2 or not D > 0:
            done[t] = True
            continue
        for _ in range(sweeps):
            ok = True
            for i in range(n):
                for j in range(i + 1, n):
                    vx = P[b, i, 0] - P[b, j, 0]
                    vy = P[b, i, 1] - P[b, j, 1]
                    dist = math.sqrt(vx * vx + vy * vy)
                    if dist < D:
                        ok = False
                        if dist > 1e-15:
                            ux, uy = vx / dist, vy / dist
                        else:
                            ux, uy = math.cos(i + j), math.sin(i + j)
                        shift = 0.5 * (target - dist) + 1e-12
                        P[b, i, 0] = min(max(P[b, i, 0] + shift * ux, x_min), x_max)
                        P[b, j, 0] = min(max(P[b, j, 0] - shift * ux, x_min), x_max)
                        P[b, i, 1] = min(max(P[b, i, 1] + shift * uy, y_min), y_max)
                        P[b, j, 1] = min(max(P[b, j, 1] - shift * uy, y_min), y_max)
            if ok:
                done[t] = True
                break
    return done


_compiled = compiled      # numba on first use (matoolbox.core.jit); the name the tests import


def _push_apart(P, x_min, x_max, y_min, y_max, D, target, sweeps):
    """:func:`_push_apart_numpy` compiled by numba (same arguments, same arithmetic)."""
    return _compiled(_push_apart_numpy)(P, float(x_min), float(x_max), float(y_min), float(y_max),
                                        float(D), float(target), int(sweeps))


def _feasible(P, x_min, x_max, y_min, y_max, D):
    """:func:`_feasible_numpy` of one layout P (n, 2) by the compiled batch kernel."""
    return bool(_compiled(_feasible_batch_numpy)(np.ascontiguousarray(P, float)[None], float(x_min), float(x_max),
                                                 float(y_min), float(y_max), float(D))[0])


def _upa(n, spacing, cx, cy):
    """ceil(sqrt n) columns x ceil(n / cols) rows centred at (cx, cy), row-major, first n: (n, 2)."""
    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    gx = (np.arange(cols) - (cols - 1) / 2) * spacing + cx
    gy = (np.arange(rows) - (rows - 1) / 2) * spacing + cy
    X, Y = np.meshgrid(gx, gy)
    return np.stack([X.ravel(), Y.ravel()], axis=-1)[:n].copy()


@dataclasses.dataclass(frozen=True, eq=False)
class Rectangle(Region):
    r"""``n`` antennas in :math:`[x_{\min}, x_{\max}] \times [y_{\min}, y_{\max}]`, pairwise
    distance >= ``min_spacing`` (see the module docstring for the repair).

    Parameters
    ----------
    x_min, x_max, y_min, y_max : float
        Finite box, ``x_min < x_max`` and ``y_min < y_max``.
    min_spacing : float, default 0.0
        D >= 0.

    Examples
    --------
    >>> from matoolbox.regions import Rectangle
    >>> box = Rectangle.square(4.0, min_spacing=0.5)          # [-2, 2]^2, wavelengths
    >>> box.fpa(4).tolist()                                   # 2 x 2 UPA at spacing D
    [[-0.25, -0.25], [0.25, -0.25], [-0.25, 0.25], [0.25, 0.25]]
    >>> float(box.violation(box.project([[0.0, 0.0], [0.1, 0.0]])))
    0.0
    """

    x_min: float
    x_max: float
    y_min: float
    y_max: float
    min_spacing: float = 0.0

    def __post_init__(self):
        own = "Rectangle"
        vals = {}
        for f in ("x_min", "x_max", "y_min", "y_max", "min_spacing"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) \
                    or not np.isfinite(v):
                fail(own, f, v, "must be a finite real number")
            vals[f] = float(v)
        if not vals["x_min"] < vals["x_max"]:
            fail(own, "x_max", self.x_max, f"must be > x_min = {self.x_min!r}")
        if not vals["y_min"] < vals["y_max"]:
            fail(own, "y_max", self.y_max, f"must be > y_min = {self.y_min!r}")
        if vals["min_spacing"] < 0:
            fail(own, "min_spacing", self.min_spacing, "must be >= 0")
        for f, v in vals.items():
            object.__setattr__(self, f, v)
        lo, hi = np.array([vals["x_min"], vals["y_min"]]), np.array([vals["x_max"], vals["y_max"]])
        lo.setflags(write=False)
        hi.setflags(write=False)
        object.__setattr__(self, "_lo", lo)
        object.__setattr__(self, "_hi", hi)

    @classmethod
    def square(cls, side: float, min_spacing: float = 0.0, center=(0.0, 0.0)) -> "Rectangle":
        r"""The square :math:`[c_x - s/2, c_x + s/2] \times [c_y - s/2, c_y + s/2]` of side ``s``."""
        if isinstance(side, bool) or not isinstance(side, (int, float, np.integer, np.floating)) \
                or not np.isfinite(side) or side <= 0:
            fail("Rectangle", "side", side, "must be finite and > 0")
        cx, cy = (float(c) for c in center)
        h = float(side) / 2
        return cls(cx - h, cx + h, cy - h, cy + h, min_spacing)

    @property
    def dim(self) -> int:
        return 2

    @property
    def width(self) -> float:
        return self.x_max - self.x_min

    @property
    def height(self) -> float:
        return self.y_max - self.y_min

    @property
    def center(self) -> np.ndarray:
        return np.array([(self.x_min + self.x_max) / 2, (self.y_min + self.y_max) / 2])

    # -- feasibility -----------------------------------------------------------------------
    def violations(self, P) -> np.ndarray:
        r"""Per layout :math:`\max(0,\ \text{box excess},\ D - \min_{i<j}\|p_i - p_j\|)`: (...)."""
        P = self._positions(P)
        v = np.max(np.maximum(self._lo - P, P - self._hi), axis=(-1, -2))
        if P.shape[-2] > 1:
            v = np.maximum(v, self.min_spacing - min_distance(P))
        v = np.maximum(v, 0.0)
        return np.where(np.all(np.isfinite(P), axis=(-1, -2)), v, np.inf)

    def project(self, P, fallback=None, sweeps: int = 100) -> np.ndarray:
        """Repair each layout of ``P`` (..., n, 2) (steps 1-4 of the module docstring).

        Parameters
        ----------
        P : array_like
            Positions (..., n, 2).
        fallback : array_like, optional
            A known feasible layout (n, 2) used when the greedy grid finds no free node
            (default: the FPA grid at spacing D when it fits).
        sweeps : int, default 100
            Maximum Gauss-Seidel sweeps of step 2.

        Returns
        -------
        numpy.ndarray
            Same shape as ``P``; feasible unless steps 2-4 all fail (then ``violation > 0``).
        """
        P = self._positions(P)
        n = P.shape[-2]
        fb = None if fallback is None else np.asarray(fallback, float)
        out = np.ascontiguousarray(P.reshape(-1, n, 2))          # P is already a copy (_positions)
        ok = _compiled(_feasible_batch_numpy)(out, float(self.x_min), float(self.x_max), float(self.y_min),
                                              float(self.y_max), float(self.min_spacing))
        bad = np.nonzero(~ok)[0]
        if bad.size:                    # steps 1-2 for all of them in one compiled call
            orig = out[bad].copy()
            D = float(self.min_spacing)
            done = _compiled(_clip_push_batch_numpy)(out, bad, float(self.x_min), float(self.x_max),
                                                     float(self.y_min), float(self.y_max), D * (1 + 1e-10),
                                                     D * (1 + 1e-9), int(sweeps))
            for t in np.nonzero(~done)[0]:        # steps 3-4 (or non-finite input): from the original
                out[bad[t]] = self._repair(orig[t], fb, sweeps)
        return out.reshape(P.shape)

    def _repair(self, P, fallback, sweeps):
        """Steps 2-4 for one layout (n, 2)."""
        P = np.clip(P, self._lo, self._hi)
        n, D = len(P), self.min_spacing
        if n < 2 or D <= 0:
            return P
        target = D * (1 + 1e-9)
        if _compiled(_push_apart_numpy)(P, self.x_min, self.x_max, self.y_min, self.y_max, D * (1 + 1e-10),
                                        target, int(sweeps)):
            return P
        grid = self._grid()
        placed = []
        for i in range(n):
            cand = P[i]
            if placed and np.min(np.linalg.norm(np.array(placed) - cand, axis=-1)) < target:
                free = np.all(np.linalg.norm(grid[:, None] - np.array(placed)[None], axis=-1) >= target, axis=1)
                if not free.any():
                    return self._fallback(n, fallback, P)
                nodes = grid[free]
                cand = nodes[np.argmin(np.linalg.norm(nodes - P[i], axis=-1))]
            placed.append(cand)
        return np.array(placed)

    def _grid(self):
        """Nodes of the greedy grid: m_x x m_y, m = max(2, floor(size / (D/2)) + 1): (m_x m_y, 2)."""
        h = self.min_spacing / 2
        gx = np.linspace(self.x_min, self.x_max, max(2, int(math.floor(self.width / h)) + 1))
        gy = np.linspace(self.y_min, self.y_max, max(2, int(math.floor(self.height / h)) + 1))
        return np.stack(np.meshgrid(gx, gy), -1).reshape(-1, 2)

    def _fallback(self, n, fallback, P):
        if fallback is not None:
            return fallback.copy()
        if self._upa_fits(n, self.min_spacing):
            return self.fpa(n)
        return P

    def random_feasible(self, n: int, rng=None, tries: int = 1000) -> np.ndarray:
        """A random feasible layout (n, 2).

        Rejection sampling (up to ``tries`` i.i.d. uniform layouts in the box; an accepted one is
        uniform on the feasible set), else random sequential addition (each antenna uniform
        among the box points D away from those placed, ``tries`` draws each), else the repair of
        the last uniform draw. Raises InvalidProblemError when all three fail.
        """
        n = self._count(n)
        P = self._draw(n, as_generator(rng), tries)
        if P is None:
            fail("Rectangle", "n", n, f"no feasible layout found: {self._size_text(n)}")
        return P

    def _draw(self, n, rng, tries):
        lo, hi = self._lo, self._hi
        D = self.min_spacing
        P = None
        for _ in range(tries):
            P = rng.uniform(lo, hi, size=(n, 2))
            if n < 2 or min_distance(P) >= D:
                return P
        placed = []
        for _ in range(n):
            for _ in range(tries):
                p = rng.uniform(lo, hi)
                if not placed or np.min(np.linalg.norm(np.array(placed) - p, axis=-1)) >= D:
                    placed.append(p)
                    break
            else:
                break
        if len(placed) == n:
            return np.array(placed)
        Q = self.project(P)
        return Q if self.violations(Q) == 0 else None

    # -- layouts ---------------------------------------------------------------------------
    def fpa(self, n: int, spacing: float | None = None, layout: str = "auto") -> np.ndarray:
        """Fixed layout (n, 2) centred in the box with ``spacing`` (default ``min_spacing``).

        ``layout="auto"``: UPA of ceil(sqrt n) columns x ceil(n / cols) rows, row-major (x runs
        fastest), first n points; ``"ula"``: n points along x through the centre. The fit is not
        checked here (see ``check_fits``)."""
        n = self._count(n)
        sp = self._spacing(spacing)
        cx, cy = (self.x_min + self.x_max) / 2, (self.y_min + self.y_max) / 2
        if layout == "auto":
            return _upa(n, sp, cx, cy)
        if layout == "ula":
            x = (np.arange(n) - (n - 1) / 2) * sp + cx
            return np.stack([x, np.full(n, cy)], axis=-1)
        fail("Rectangle", "layout", layout, "must be 'auto' (UPA) or 'ula'")

    def _upa_fits(self, n, spacing) -> bool:
        cols = int(math.ceil(math.sqrt(n)))
        rows = int(math.ceil(n / cols))
        return ((cols - 1) * spacing <= self.width * (1 + 1e-12)
                and (rows - 1) * spacing <= self.height * (1 + 1e-12))

    def bounds(self, n: int):
        """The box as element-wise bounds: lo = [x_min, y_min], hi = [x_max, y_max] per row, (n, 2) each."""
        n = self._count(n)
        return (np.tile([self.x_min, self.y_min], (n, 1)), np.tile([self.x_max, self.y_max], (n, 1)))

    def constraints(self, P):
        r"""Rows :math:`g_{ij} = \|p_i - p_j\|^2 - D^2 \ge 0` for ``i < j`` (``np.triu_indices``
        order), shape (n(n-1)/2,), and the Jacobian (n(n-1)/2, 2n) w.r.t. ``P.ravel()``:
        :math:`\partial g_{ij}/\partial p_i = 2(p_i - p_j) = -\partial g_{ij}/\partial p_j`."""
        P = self._positions(P)
        if P.ndim != 2:
            fail("Rectangle", "P", f"<array of shape {P.shape}>", "constraints needs one layout (n, 2)")
        n = P.shape[0]
        i, j = np.triu_indices(n, 1)
        d = P[i] - P[j]
        g = np.sum(d * d, axis=-1) - self.min_spacing ** 2
        J = np.zeros((len(i), n, 2))
        r = np.arange(len(i))
        J[r, i] = 2 * d
        J[r, j] = -2 * d
        return g, J.reshape(len(i), 2 * n)

    def _size_text(self, n):
        return (f"the {self.width:g} x {self.height:g} rectangle cannot hold n = {n} antennas at "
                f"spacing D = {self.min_spacing:g}")

    def check_fits(self, n: int, owner: str = "Rectangle", field: str = "n", value=None) -> None:
        """Raise InvalidProblemError (``owner.field = value``, naming the size, D and n) when the
        UPA at spacing D does not fit and ``random_feasible`` (fixed seed 0) finds no layout."""
        n = self._count(n)
        if self.min_spacing == 0 or self._upa_fits(n, self.min_spacing):
            return
        if self._draw(n, np.random.default_rng(0), 200) is None:
            fail(owner, field, (self.width, self.height) if value is None else value,
                 self._size_text(n) + " (the UPA grid does not fit and random placement failed)")
