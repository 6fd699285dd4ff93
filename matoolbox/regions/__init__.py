"""Position regions of movable antennas: line segment, rectangle and candidate ports with a
minimum spacing (layer 1: imports ``matoolbox.core`` only).

Every region (:class:`Region`) gives, for the positions of ``n`` antennas (``(n,)`` on a line,
``(n, 2)`` in a plane, batches ``(..., n[, 2])`` where noted): ``project`` (exact Euclidean
projection on a line, a documented repair in a rectangle, a greedy choice of ports),
``violation`` / ``violations``, ``random_feasible(n, rng)``, ``fpa(n)`` (centred ULA / UPA),
``bounds(n)``, ``constraints(P)`` (smooth spacing rows ``g >= 0`` with their Jacobian, for SLSQP)
and ``check_fits(n, owner, field)``.
"""
from .base import Region, min_distance
from .candidates import CandidateSet
from .line import LineSegment, isotonic_increasing, project_min_spacing, spacing_violation
from .rectangle import Rectangle

__all__ = [
    "Region", "LineSegment", "Rectangle", "CandidateSet", "min_distance",
    "project_min_spacing", "isotonic_increasing", "spacing_violation",
]
