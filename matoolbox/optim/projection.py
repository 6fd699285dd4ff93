r"""Projection onto the minimum-spacing set of antennas on a line segment ``[0, D]``.

    F = { x in R^M : x_1 >= 0,  x_{m+1} - x_m >= d (m = 1..M-1),  x_M <= D },   F != {} iff (M-1) d <= D.

The algorithm lives in :mod:`matoolbox.regions.line` (:class:`matoolbox.regions.LineSegment`
is the general segment ``[lo, hi]``); this module re-exports it for the optimisers' callers:
``method="exact"`` is the Euclidean projection (pool adjacent violators on
``z_m - (m-1) d``, clip to ``[0, D - (M-1) d]``, shift back), ``method="sequential"`` the
paper-style nearest-distance rule. Both accept a batch ``z`` of shape (..., M).
"""
from __future__ import annotations

from ..regions.line import isotonic_increasing, project_min_spacing, spacing_violation

__all__ = ["project_min_spacing", "isotonic_increasing", "spacing_violation"]
