"""Validation helpers for ``__post_init__``, ``random()`` and ``check_x``: each raises
InvalidProblemError('Owner.field = value: why') naming the field the user typed.

Ranges used across the families: values in dB / dBm / dBi within +-``DB_LIMIT`` = 300 dB (so the
linear value is finite and positive, 1e-30 .. 1e30 relative to 1 W / 1 mW / 1); lengths (m, or in
wavelengths) finite, > 0 and <= ``LENGTH_MAX`` = 1e9; path-loss exponents in (0, 10]; counts
positive ints (bool and float refused); seeds an int >= 0, a SeedSequence or a Generator; text,
also numeric text such as '33', is refused, never coerced.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .errors import InvalidProblemError

__all__ = [
    "fail", "require_finite", "require_positive", "require_nonnegative", "require_int",
    "require_shape", "require_choice", "require_range", "as_array",
    "require_real", "require_count", "require_seed", "require_db", "db_to_linear",
    "require_order", "require_keys", "require_array", "DB_LIMIT", "LENGTH_MAX",
]

#: Largest magnitude accepted for a value in dB / dBm / dBi (1e-30 .. 1e30 in linear terms).
DB_LIMIT = 300.0

#: Largest length (m) or length ratio accepted for a distance, wavelength or region size.
LENGTH_MAX = 1e9


def _show(value):
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        return value                      # a description such as "<array of shape (3,)>"
    try:
        arr = np.asarray(value) if not isinstance(value, (str, dict)) else None
    except (TypeError, ValueError):       # ragged nested sequences
        text = repr(value)
        return text if len(text) <= 80 else text[:77] + "..."
    if arr is not None and arr.ndim > 0:
        if arr.size > 6:
            return f"array(shape={arr.shape}, dtype={arr.dtype})"
        return repr(arr.tolist())
    return repr(value)


def fail(owner: str, field: str, value, why: str):
    """Raise InvalidProblemError('owner.field = value: why')."""
    raise InvalidProblemError(f"{owner}.{field} = {_show(value)}: {why}")


def _has_text(value) -> bool:
    """True when ``value`` is, or holds, a str/bytes (numeric strings are refused, never coerced)."""
    if isinstance(value, (str, bytes)):
        return True
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        return False
    if arr.dtype.kind in "USa":
        return True
    if arr.dtype == object:
        return any(isinstance(v, (str, bytes)) for v in arr.ravel().tolist())
    return False


def as_array(owner, field, value, dtype=float):
    """``np.asarray(value, dtype)``; strings (also numeric ones such as '33') are refused."""
    if _has_text(value):
        fail(owner, field, value, f"must be numeric, not text (a {np.dtype(dtype).name} array)")
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
    if type(value) is float and 0.0 < value < math.inf:     # the common case, without the array checks
        return value
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
    try:
        ok = value in choices
    except TypeError:                     # unhashable (a list for a set of choices)
        ok = False
    if not ok:
        fail(owner, field, value, f"must be one of {sorted(choices)!r}")
    return value


# -- scalars ------------------------------------------------------------------------------------
def require_real(owner, field, value, lo=None, hi=None, *, lo_open=False, hi_open=False):
    """A finite real scalar within ``[lo, hi]`` (``lo_open``/``hi_open`` make a bound strict).

    Refuses str (also numeric strings such as ``'33'``), bool, complex, None, arrays and NaN/inf.
    Returns it as ``float``.
    """
    if isinstance(value, (str, bytes)):
        fail(owner, field, value, "must be a real number, not text")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
            value = value.item()
        else:
            fail(owner, field, value, "must be a real number")
    v = float(value)
    if not np.isfinite(v):
        fail(owner, field, value, "must be finite (no NaN or inf)")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        fail(owner, field, value, f"must be {'>' if lo_open else '>='} {lo:g}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        fail(owner, field, value, f"must be {'<' if hi_open else '<='} {hi:g}")
    return v


def require_count(owner, field, value, minimum=1, maximum=None):
    """A positive integer count (bool and float refused); returns ``int``."""
    v = require_int(owner, field, value, minimum)
    if maximum is not None and v > maximum:
        fail(owner, field, value, f"must be <= {maximum}")
    return v


def require_seed(owner, field, value, allow_none=True):
    """A seed: int >= 0, a ``numpy.random.SeedSequence``, a ``numpy.random.Generator`` (or None)."""
    if value is None and allow_none:
        return value
    if isinstance(value, (np.random.Generator, np.random.SeedSequence)):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        if value < 0:
            fail(owner, field, value, "must be an int >= 0, a SeedSequence or a Generator")
        return int(value)
    fail(owner, field, value, "must be an int >= 0, a numpy.random.SeedSequence or a numpy.random.Generator"
         + (" (or None)" if allow_none else ""))


def require_db(owner, field, value, lo=-DB_LIMIT, hi=DB_LIMIT):
    """A finite real value in dB (dBm, dBi) within ``[lo, hi]`` (default +-300 dB); returns ``float``.

    The range keeps the linear value finite and positive (1e-30 .. 1e30 for +-300 dB).
    """
    v = require_real(owner, field, value)
    if v < lo or v > hi:
        fail(owner, field, value, f"must lie in [{lo:g}, {hi:g}] dB (so that its linear value "
             "is finite and positive)")
    return v


def db_to_linear(owner, field, value, offset=0.0, lo=-DB_LIMIT, hi=DB_LIMIT):
    """Validate a dB value and return ``10**((value + offset)/10)``, checked finite and > 0.

    ``offset=-30`` converts dBm to W. The dB value must lie in ``[lo, hi]`` (default +-300 dB).
    """
    v = require_db(owner, field, value, lo, hi)
    with np.errstate(over="ignore", under="ignore"):
        lin = 10.0 ** ((v + offset) / 10.0)
    if not (np.isfinite(lin) and lin > 0):
        fail(owner, field, value, f"gives a linear value {lin!r} that is not finite and positive")
    return float(lin)


def require_order(owner, field_lo, value_lo, field_hi, value_hi, strict=False):
    """``value_lo <= value_hi`` (``<`` when ``strict``), message names both fields."""
    bad = value_lo >= value_hi if strict else value_lo > value_hi
    if bad:
        rel = "<" if strict else "<="
        raise InvalidProblemError(
            f"{owner}.{field_lo} = {value_lo!r}, {owner}.{field_hi} = {value_hi!r}: "
            f"need {field_lo} {rel} {field_hi}")


# -- variable dicts (x0) --------------------------------------------------------------------------
def require_keys(owner, field, x, keys):
    """``x`` is a dict holding every key of ``keys``; a missing key raises naming ``field['key']``."""
    if not isinstance(x, dict):
        fail(owner, field, x, f"must be a dict with keys {list(keys)!r}")
    missing = [k for k in keys if k not in x]
    if missing:
        raise InvalidProblemError(
            f"{owner}.{field} lacks the key(s) {missing!r}: expected a dict with keys {list(keys)!r}")
    return x


def require_array(owner, field, value, shape=None, dtype=float, finite=True):
    """An array of ``shape`` (``None`` axes free) convertible to ``dtype``, finite by default.

    Text is refused; a complex array where ``dtype`` is real is refused (imaginary part would be
    dropped). Returns the converted array.
    """
    if value is None:
        fail(owner, field, value, f"must be a {np.dtype(dtype).name} array"
             + (f" of shape {_shape_str(shape)}" if shape is not None else ""))
    if _has_text(value):
        fail(owner, field, value, "must be numeric, not text")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        fail(owner, field, "<ragged>", f"must be a {np.dtype(dtype).name} array")
    if raw.dtype == object:
        try:
            raw = np.asarray(value, dtype=complex)
        except (TypeError, ValueError):
            fail(owner, field, value, f"must be a numeric ({np.dtype(dtype).name}) array")
    if raw.dtype.kind not in "biufc" or raw.dtype.kind == "b":
        fail(owner, field, value, f"must be a numeric ({np.dtype(dtype).name}) array")
    if raw.dtype.kind == "c" and not np.issubdtype(np.dtype(dtype), np.complexfloating):
        fail(owner, field, value, f"must be real ({np.dtype(dtype).name}), got a complex array")
    if shape is not None:
        ok = raw.ndim == len(shape) and all(s is None or s == a for s, a in zip(shape, raw.shape))
        if not ok:
            fail(owner, field, f"<array of shape {raw.shape}>", f"must have shape {_shape_str(shape)}")
    arr = raw.astype(dtype)
    if finite and not np.all(np.isfinite(arr)):
        fail(owner, field, value, "must be finite (no NaN or inf)")
    return arr


def _shape_str(shape):
    return "(" + ", ".join("*" if s is None else str(s) for s in shape) + (",)" if len(shape) == 1 else ")")
