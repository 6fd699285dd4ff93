r"""A channel that does not depend on the antenna positions (fixed antennas, a measured matrix).

``FixedChannel(matrix)`` returns the given matrix for any positions and a zero position gradient:
it is what ``from_channel(H, ...)`` of a problem built on
:class:`~matoolbox.optim.maproblem.MaProblem` stores, so that every solver runs unchanged on a
fixed-antenna instance (the position blocks then have nothing to gain).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..core.validate import fail

__all__ = ["FixedChannel"]


@dataclasses.dataclass(frozen=True, eq=False)
class FixedChannel:
    """Position-independent channel: ``H(*positions) = matrix`` (any shape), ``vjp`` = zeros."""

    matrix: np.ndarray

    def __post_init__(self):
        try:
            H = np.asarray(self.matrix, complex)
        except (TypeError, ValueError):
            fail("FixedChannel", "matrix", self.matrix, "must be a numeric (complex) array")
        if H.ndim != 2 or H.size == 0:
            fail("FixedChannel", "matrix", f"<array of shape {H.shape}>", "must be a non-empty 2-D array")
        if not np.all(np.isfinite(H)):
            fail("FixedChannel", "matrix", f"<array of shape {H.shape} with NaN/inf>", "must be finite")
        object.__setattr__(self, "matrix", H)

    def H(self, *positions) -> np.ndarray:
        """The stored matrix (a copy), whatever the positions."""
        return self.matrix.copy()

    def H_batch(self, *positions) -> np.ndarray:
        """``(B, *matrix.shape)``: the matrix repeated for a batch of B layouts (first argument's axis 0)."""
        B = np.asarray(positions[0]).shape[0]
        return np.repeat(self.matrix[None], B, axis=0)

    def vjp(self, *args):
        """Zero gradients, one per position argument (``args`` = positions..., dH)."""
        grads = tuple(np.zeros_like(np.asarray(p, float)) for p in args[:-1])
        return grads if len(grads) > 1 else grads[0]
