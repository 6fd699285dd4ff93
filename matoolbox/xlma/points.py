"""XL-MA placement over user-given points (built by ``XlmaPlacementProblem.from_paths`` /
``from_channel``): users and candidates are explicit arrays instead of grids."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..core.validate import fail
from .io import POINTS_CLASS, points_array
from .problem import XlmaPlacementProblem

__all__ = ["XlmaPointsProblem"]

_OWNER = "XlmaPlacementProblem"


@dataclass(frozen=True, eq=False)
class XlmaPointsProblem(XlmaPlacementProblem):
    """XL-MA placement with ``user_points`` (K, 3) (y > 0) and ``candidate_points`` (N0, 3) on the
    array plane y = 0 (subarrays must not overlap). The grid fields (Kx, ..., Nx, Nz) are 1 and the
    ranges hold the bounding boxes; the LoS test uses the exact points unless ``los_half_size``."""

    user_points: np.ndarray = None
    candidate_points: np.ndarray = None

    def __post_init__(self):
        object.__setattr__(self, "user_points", points_array("user_points", self.user_points))
        object.__setattr__(self, "candidate_points", points_array("candidate_points", self.candidate_points))
        super().__post_init__()

    def validate(self) -> None:
        U, C = self.user_points, self.candidate_points
        if np.any(U[:, 1] <= 0):
            fail(_OWNER, "users", f"<{int(np.sum(U[:, 1] <= 0))} point(s) with y <= 0>",
                 "users must lie in front of the array (y > 0)")
        if np.any(np.abs(C[:, 1]) > 1e-12):
            fail(_OWNER, "candidates", "<point(s) with y != 0>", "candidates must lie on the array plane y = 0")
        super().validate()
        w, h = self.d_h * (self.MH - 1), self.d_v * (self.MV - 1)
        if C.shape[0] <= 4000:
            dx = np.abs(C[:, None, 0] - C[None, :, 0])
            dz = np.abs(C[:, None, 2] - C[None, :, 2])
            clash = (dx <= w) & (dz <= h)
            np.fill_diagonal(clash, False)
            if np.any(clash):
                i, j = np.argwhere(clash)[0]
                fail(_OWNER, "candidates", f"<points {i} and {j}>",
                     f"subarrays of {w:g} m x {h:g} m at these centres overlap")

    @property
    def K(self) -> int:
        return int(self.user_points.shape[0])

    @property
    def N0(self) -> int:
        return int(self.candidate_points.shape[0])

    @functools.cached_property
    def candidates(self) -> np.ndarray:
        return np.array(self.candidate_points, float)

    @functools.cached_property
    def grid_centres(self) -> np.ndarray:
        return np.array(self.user_points, float)

    @property
    def cell_half_size(self) -> np.ndarray:
        return np.zeros(3)

    def fpa_layouts(self) -> dict:
        """No grid FPA baselines for user-given candidates (use ``from_channel`` for a fixed array)."""
        return {}


POINTS_CLASS.append(XlmaPointsProblem)
