r"""Coordinate (per-antenna) grid search over a position region.

For a position block ``P = x[block]`` of ``n`` antennas (``(n,)`` on a line, ``(n, 2)`` in a
plane) and the other variables fixed, one sweep visits the antennas in turn; antenna ``i`` is
tried at every point ``g`` of a grid ``G`` of the region,

    P^(i, g) = P with row i replaced by g,   g in G,  min_{j != i} ||g - p_j|| >= D,

and moves to the best point when it raises the objective and keeps the violation within
``max(violation(x0), feas_tol)``. The grid (``points`` per axis) covers the region's box
``region.bounds(n)[.][i]``: ``points`` values on a line, ``points x points`` in a plane (row-major,
``x`` fastest); for a region with discrete ``points`` (a :class:`~matoolbox.regions.CandidateSet`)
the grid is the set of ports. Points closer than the region's ``min_spacing`` ``D`` to another
antenna (and, for ports, the ports already taken) are skipped. Each antenna's candidates are
scored in one call: ``problem.score_batch(block, values, x) -> (f, v)`` if the problem has it,
else ``objective_batch(block, values, x)`` and ``violation_batch`` (else one ``objective`` /
``violation`` call per candidate). For per-row boxes (``grid_search_positions``) a problem may also
have ``score_rows(block, x, cands) -> (f, v)`` ((n, G) each: row k alone at ``cands[k, g]``, the
others at x), used for a sweep's rows until its first move (exact: nothing else has changed), then
one ``score_batch`` call per row. The objective never decreases; each move is the best grid
point *among those that keep the layout feasible*, the other antennas fixed. In a plane that is the
whole grid minus the spacing discs; on a line whose feasibility depends on the antennas' order
(``LineSegment``), a move past a neighbour is infeasible, so an antenna only moves between its
neighbours (a sorted problem, or a wider search, is needed to reorder antennas).
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np

from ..core.options import Options, resolve_options
from ..core.solution import Solution
from ..core.validate import fail, require_count, require_real

__all__ = ["coordinate_search", "CoordinateSearchOptions"]


@dataclasses.dataclass(frozen=True)
class CoordinateSearchOptions(Options):
    """Options of :func:`coordinate_search`.

    block:    the position variable searched ("positions").
    points:   grid points per axis (41): ``points`` on a line, ``points**2`` in a plane.
    sweeps:   passes over the antennas (1).
    feas_tol: a move must keep the violation <= max(violation(x0), feas_tol).
    """

    block: str = "positions"
    points: int = 41
    sweeps: int = 1
    feas_tol: float = 1e-9

    def __post_init__(self):
        if not isinstance(self.block, str) or not self.block:
            fail("CoordinateSearchOptions", "block", self.block, "must be a non-empty variable name")
        require_count("CoordinateSearchOptions", "points", self.points, minimum=2)
        require_count("CoordinateSearchOptions", "sweeps", self.sweeps)
        require_real("CoordinateSearchOptions", "feas_tol", self.feas_tol, lo=0.0)


def _scorer(problem, block, x):
    """values (B, *shape) -> (objective (B,), violation (B,)) with the rest of x fixed."""
    both = getattr(problem, "score_batch", None)
    obj = getattr(problem, "objective_batch", None)
    vio = getattr(problem, "violation_batch", None)

    def run(values):
        if both is not None:
            f, v = both(block, values, x)
            return np.asarray(f, float), np.asarray(v, float)
        f = (np.asarray(obj(block, values, x), float) if obj is not None
             else np.array([problem.objective({**x, block: p}) for p in values], float))
        v = (np.asarray(vio(block, values, x), float) if vio is not None
             else np.array([problem.violation({**x, block: p}) for p in values], float))
        return f, v
    return run


def _unit_grid(points, dim):
    t = np.linspace(0.0, 1.0, int(points))
    if dim == 1:
        return t
    return np.stack(np.meshgrid(t, t), axis=-1).reshape(-1, 2)


def _search(problem, x0, block, points, sweeps, feas_tol, region, solver):
    """Shared loop of :func:`coordinate_search` and ``grid_search_positions`` (``region=None``:
    per-row boxes from ``problem.bounds(block)``, no spacing filter)."""
    t0 = time.perf_counter()
    x = dict(x0)
    r = np.array(x[block], float)
    n = r.shape[0]
    if region is None:
        lo, hi = (np.broadcast_to(np.asarray(b, float), r.shape) for b in problem.bounds(block))
        ports, D = None, 0.0
    else:
        lo, hi = region.bounds(n)
        ports = getattr(region, "points", None)
        ports = None if ports is None else np.asarray(ports, float)
        D = float(region.min_spacing)
    unit = _unit_grid(points, 1 if r.ndim == 1 else 2)
    score = _scorer(problem, block, x)
    f0 = float(problem.objective(x))
    lim = max(float(problem.violation(x)), feas_tol)
    history, moves, evaluated = [f0], 0, 0
    rows = getattr(problem, "score_rows", None) if (region is None and n > 1) else None
    for _ in range(int(sweeps)):
        # every row's candidates scored at once from the sweep's start point (problem.score_rows);
        # exact for each row until the first move of the sweep, then one score call per row
        pre = rows(block, x | {block: r}, lo[:, None] + unit[None] * (hi - lo)[:, None]) if rows else None
        moved = False
        for k in range(n):
            pts = ports if ports is not None else lo[k] + unit * (hi[k] - lo[k])
            if region is not None and n > 1:
                others = np.delete(r, k, axis=0)
                diff = pts[:, None] - others[None] if r.ndim == 1 else pts[:, None, :] - others[None]
                dist = np.abs(diff) if r.ndim == 1 else np.linalg.norm(diff, axis=-1)
                dmin = dist.min(axis=1)
                keep = dmin >= D - 1e-12 * max(1.0, D)
                if ports is not None:
                    keep &= dmin > 0.0
                pts = pts[keep]
            if len(pts) == 0:
                history.append(f0)
                continue
            cand = np.repeat(r[None], len(pts), axis=0)
            cand[:, k] = pts
            f, v = (pre[0][k], pre[1][k]) if (pre is not None and not moved) else score(cand)
            evaluated += len(pts)
            f = np.where((v <= lim) & np.isfinite(f), f, -np.inf)
            i = int(np.argmax(f))
            if f[i] > f0:
                r, f0, moved = cand[i], float(f[i]), True
                moves += 1
            history.append(f0)
    x[block] = r
    return Solution(x=x, fval=f0, exitflag=1, message=f"{moves} coordinate moves", nit=int(sweeps),
                    history=history, violation=float(problem.violation(x)),
                    elapsed=time.perf_counter() - t0, solver=solver,
                    output={"moves": moves, "evaluations": evaluated})


def coordinate_search(problem, x0, *, options=None, rng=None) -> Solution:
    r"""Per-antenna grid search over ``problem.region(block)`` (module docstring).

    Parameters
    ----------
    problem : Problem
        Exposes ``objective(x)``, ``violation(x)`` and ``region(block)`` -- a region with
        ``bounds(n) -> (lo, hi)`` (positions' shape), ``min_spacing`` and optionally discrete
        ``points`` (:mod:`matoolbox.regions`); a problem without ``region`` is searched on the
        per-row boxes ``problem.bounds(block)`` with no spacing filter. Optional batch hooks:
        ``score_batch`` or ``objective_batch`` / ``violation_batch``.
    x0 : dict
        Full variable dict; only ``x0[options.block]`` moves.
    options : CoordinateSearchOptions or dict, optional
        Block, grid points per axis, sweeps, feasibility tolerance.
    rng : ignored
        Accepted for the AO block signature (the search is deterministic).

    Returns
    -------
    Solution
        The full ``x``; ``fval`` (never below the objective of ``x0``); ``history`` the objective
        after each antenna visit; ``output``: ``moves`` (accepted moves), ``evaluations``.

    Raises
    ------
    InvalidProblemError
        If an option is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> from matoolbox.regions import LineSegment
    >>> class Spread:                              # maximise the spread of 3 antennas on [0, 1]
    ...     def region(self, block): return LineSegment(0.0, 1.0, min_spacing=0.2)
    ...     def objective(self, x): return float(np.ptp(x["positions"]))
    ...     def violation(self, x): return self.region("positions").violation(np.sort(x["positions"]))
    >>> sol = coordinate_search(Spread(), {"positions": np.array([0.4, 0.5, 0.6])}, options={"points": 11})
    >>> sol.x["positions"].round(2).tolist(), sol.fval
    ([0.0, 0.8, 1.0], 1.0)
    """
    opts = resolve_options(CoordinateSearchOptions, options)
    if opts.block not in x0:
        fail("coordinate_search", "x0", f"<dict with keys {sorted(x0)}>", f"has no block {opts.block!r}")
    region_of = getattr(problem, "region", None)
    region = region_of(opts.block) if region_of is not None else None
    return _search(problem, x0, opts.block, opts.points, opts.sweeps, opts.feas_tol, region,
                   "coordinate_search")
