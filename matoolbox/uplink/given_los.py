"""Fixed-array uplink with a given LoS matrix (built by ``UplinkTwoTimescaleProblem.from_channel``)."""
from __future__ import annotations

import dataclasses

import numpy as np

from ..core.validate import fail
from .io import GIVEN_LOS, los_array
from .problem import UplinkTwoTimescaleProblem

__all__ = ["UplinkGivenLosProblem"]

_OWNER = "UplinkTwoTimescaleProblem"


@dataclasses.dataclass(frozen=True, eq=False)
class UplinkGivenLosProblem(UplinkTwoTimescaleProblem):
    """Fixed-array uplink whose LoS matrix is ``los`` (M, K) (``theta`` is not used). The layout
    stays at x_m = (m-1) d: ``project`` returns it, the position gradient is 0."""

    los: np.ndarray = None

    def validate(self) -> None:
        super().validate()
        A = los_array(self.los)
        if A.shape != (self.M, self.K):
            fail(_OWNER, "los", f"<array of shape {A.shape}>", f"must have shape (M, K) = {(self.M, self.K)}")
        object.__setattr__(self, "los", A)
        object.__setattr__(self, "_los_given", A)

    def project(self, block, value):
        self._check_block(block)
        return np.broadcast_to(self.fpa_positions(), np.shape(value)).copy()

    def bounds(self, block):
        self._check_block(block)
        return self.fpa_positions(), self.fpa_positions()

    def gradient(self, block, x):
        self._check_block(block)
        return np.zeros(self.M)

    def channel_matrix(self, positions=None) -> np.ndarray:
        """The LoS matrix (M, K) (positions are fixed)."""
        return np.array(self.los, copy=True)


GIVEN_LOS.append(UplinkGivenLosProblem)
