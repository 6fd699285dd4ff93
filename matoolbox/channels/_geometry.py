"""Private helpers shared by :mod:`matoolbox.channels.mimo` and :mod:`matoolbox.channels.multilink`:
validation of wavelengths and positions (planar (..., n, 2) or line (n,)), CN(0, var) draws."""
from __future__ import annotations

import numpy as np

from ..core.validate import fail, require_real


def _wavelength(owner, value):
    return require_real(owner, "wavelength", value, lo=0.0, lo_open=True)


def _positions(owner, field, pos, line_ok=False):
    """Positions as float (..., n, 2); a 1-D (n,) array is a line (x, 0) when ``line_ok``."""
    arr = np.asarray(pos)
    if arr.dtype.kind not in "iuf":
        fail(owner, field, pos if arr.size <= 6 else f"<array of shape {arr.shape}>",
             "must be a real array of positions")
    arr = arr.astype(float)
    line = line_ok and arr.ndim == 1
    if line:
        arr = np.stack([arr, np.zeros_like(arr)], axis=-1)
    if arr.ndim < 2 or arr.shape[-1] != 2:
        fail(owner, field, f"<array of shape {arr.shape}>",
             "must have shape (..., n, 2)" + (" or (n,) for a line array" if line_ok else ""))
    if not np.all(np.isfinite(arr)):
        fail(owner, field, f"<array of shape {arr.shape} with NaN/inf>", "must be finite")
    return arr, line


def _line_batch(owner, field, pos):
    """A 2-D (B, n) array is a batch of line arrays: (B, n, 2) with y = 0; any other shape as given."""
    arr = np.asarray(pos)
    if arr.ndim == 2:
        if arr.dtype.kind not in "iuf":
            fail(owner, field, f"<array of shape {arr.shape}>", "must be a real array of positions")
        arr = np.stack([arr.astype(float), np.zeros(arr.shape)], axis=-1)
    return arr


def _cn(rng, shape, var):
    """CN(0, var) entries of ``shape`` (real parts drawn before imaginary parts)."""
    re = rng.standard_normal(shape)
    im = rng.standard_normal(shape)
    return np.sqrt(np.asarray(var, float) / 2.0) * (re + 1j * im)


def _ct(a):
    """Conjugate transpose of the last two axes."""
    return np.conj(np.swapaxes(a, -1, -2))
