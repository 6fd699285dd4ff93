"""Validation helpers for ``__post_init__``: each raises InvalidProblemError naming the field and value."""
from __future__ import annotations

import numbers

import numpy as np

from .errors import InvalidProblemError

__all__ = [
    "fail", "require_finite", "require_positive", "require_nonnegative", "require_int",
    "require_shape", "require_choice", "require_range", "as_array",
]


def _show(value):
    arr = np.asarray(value) if not isinstance(value, (str, dict)) else None
    if arr is not None and arr.ndim > 0:
        if arr.size > 6:
            return f"array(shape={arr.shape}, dtype={arr.dtype})"
        return repr(arr.tolist())
    return repr(value)


def fail(owner: str, field: str, value, why: str):
    """Raise InvalidProblemError('owner.field = value: why')."""
    raise InvalidProblemError(f"{owner}.{field} = {_show(value)}: {why}")


def as_array(owner, field, value, dtype=float):
    try:
        return np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        fail(owner, field, value, f"cannot be converted to a {np.dtype(dtype).name} array")


def require_finite(owner, field, value):
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        fail(owner, field, value, "must be numeric")
    if not np.all(np.isfinite(arr)):
        fail(owner, field, value, "must be finite (no NaN or inf)")
    return arr


def require_positive(owner, field, value):
    arr = require_finite(owner, field, value)
    if np.iscomplexobj(arr) or not np.all(arr > 0):
        fail(owner, field, value, "must be positive")
    return value


def require_nonnegative(owner, field, value):
    arr = require_finite(owner, field, value)
    if np.iscomplexobj(arr) or not np.all(arr >= 0):
        fail(owner, field, value, "must be non-negative")
    return value


def require_range(owner, field, value, lo=-np.inf, hi=np.inf):
    arr = require_finite(owner, field, value)
    if np.iscomplexobj(arr) or not np.all((arr >= lo) & (arr <= hi)):
        fail(owner, field, value, f"must lie in [{lo}, {hi}]")
    return value


def require_int(owner, field, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        fail(owner, field, value, "must be an integer")
    if value < minimum:
        fail(owner, field, value, f"must be >= {minimum}")
    return int(value)


def require_shape(owner, field, value, shape):
    """``shape`` may contain ``None`` for a free axis."""
    arr = np.asarray(value)
    ok = arr.ndim == len(shape) and all(s is None or s == a for s, a in zip(shape, arr.shape))
    if not ok:
        want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        fail(owner, field, f"<array of shape {arr.shape}>", f"must have shape {want}")
    return arr


def require_choice(owner, field, value, choices):
    if value not in choices:
        fail(owner, field, value, f"must be one of {sorted(choices)!r}")
    return value
