"""Input checks shared by the metrics (shapes, finiteness, positive noise)."""
from __future__ import annotations

import numpy as np

from ..core.validate import fail

LN2 = float(np.log(2.0))


def complex_array(owner, field, value, min_ndim=2):
    """``value`` as complex128 with at least ``min_ndim`` axes (finite)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc" or arr.dtype.kind == "b":
        fail(owner, field, f"<array of dtype {arr.dtype}>", "must be a numeric (complex) array")
    arr = arr.astype(complex, copy=False)
    if arr.ndim < min_ndim:
        fail(owner, field, f"<array of shape {arr.shape}>", f"must have at least {min_ndim} axes")
    if not np.all(np.isfinite(arr)):
        fail(owner, field, f"<array of shape {arr.shape} with NaN/inf>", "must be finite")
    return arr


def noise_array(owner, noise):
    """Noise power: a positive scalar or a positive array over the batch axes (...,)."""
    arr = np.asarray(noise)
    if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)) or not np.all(arr > 0):
        fail(owner, "noise", noise if arr.size <= 6 else f"<array of shape {arr.shape}>",
             "must be a positive finite real (one per batch entry)")
    return arr.astype(float)


def ct(a):
    """Conjugate transpose of the last two axes."""
    return np.conj(np.swapaxes(a, -1, -2))
