"""Input checks of :class:`~matoolbox.comp_rsma.CompRsmaProblem`: field checks after unit
conversion, the arguments of ``random()`` and the starting point ``x0`` of ``ao_solve``.

Every failure raises :class:`~matoolbox.core.errors.InvalidProblemError` naming the field the
user typed (``pmax_dbm``, ``alpha``, ``x0['precoders']``) and its value.
"""
from __future__ import annotations

import numpy as np

from ..core import validate as V

__all__ = ["CompRsmaChecksMixin", "check_fields", "check_random_args", "ALPHA_RANGE"]

_OWNER = "CompRsmaProblem"

#: accepted path-loss exponents (0, 10]
ALPHA_RANGE = (0.0, 10.0)


def _check_db_field(owner, field, value, shape_n=None):
    """A dB / dBm value (scalar or, with ``shape_n``, shape (shape_n,)) within +-DB_LIMIT."""
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        return V.require_db(owner, field, value)
    arr = V.as_array(owner, field, value)
    V.require_finite(owner, field, arr)
    if arr.ndim == 0:
        return V.require_db(owner, field, float(arr))
    if np.any(np.abs(arr) > V.DB_LIMIT):
        V.fail(owner, field, value, f"must lie in [-{V.DB_LIMIT:g}, {V.DB_LIMIT:g}] dB (so that its "
               "linear value is finite and positive)")
    return arr


def _check_gain(owner, field, value):
    """A linear gain: finite, > 0 and within +-DB_LIMIT dB of 1."""
    v = V.require_real(owner, field, value, 0.0, lo_open=True)
    if abs(10 * np.log10(v)) > V.DB_LIMIT:
        V.fail(owner, field, value, f"must lie within +-{V.DB_LIMIT:g} dB of 1 (1e-30 .. 1e30)")
    return v


def check_fields(p) -> None:
    """Checks run first in ``CompRsmaProblem.validate``: powers in dB(m) within +-300 dB,
    scalars real (text refused), ``alpha`` / ``g0`` in range."""
    o = _OWNER
    V.require_db(o, "noise_dbm", p.noise_dbm)
    _check_db_field(o, "pmax_dbm", p.pmax_dbm)
    V.require_real(o, "wavelength", p.wavelength, 0.0, V.LENGTH_MAX, lo_open=True)
    V.require_real(o, "region", p.region, 0.0, V.LENGTH_MAX)
    V.require_real(o, "rth", p.rth, 0.0)
    V.require_real(o, "alpha", p.alpha, *ALPHA_RANGE, lo_open=True)
    if p.g0 is not None:
        _check_gain(o, "g0", p.g0)
    if p.bs_spacing is not None:
        V.require_real(o, "bs_spacing", p.bs_spacing, 0.0, V.LENGTH_MAX, lo_open=True)


def check_random_args(seed, *, N, I, K, L, Q, wavelength, region, alpha, g0, pmax_dbm, pmax_w,
                      noise_dbm, rth, bs_radius, user_radius, shared_rx_angles) -> None:
    """Arguments of :meth:`CompRsmaProblem.random`, checked before anything is drawn."""
    o = _OWNER
    V.require_seed(o, "seed", seed)
    for f, v in (("N", N), ("I", I), ("K", K), ("L", L)):
        V.require_count(o, f, v)
    if Q is not None:
        V.require_count(o, "Q", Q)
    V.require_real(o, "wavelength", wavelength, 0.0, V.LENGTH_MAX, lo_open=True)
    if region is not None:
        V.require_real(o, "region", region, 0.0, V.LENGTH_MAX)
    V.require_real(o, "alpha", alpha, *ALPHA_RANGE, lo_open=True)
    if g0 is not None:
        _check_gain(o, "g0", g0)
    if pmax_w is not None:
        arr = V.as_array(o, "pmax_w", pmax_w)
        V.require_positive(o, "pmax_w", arr)
        if np.any(np.abs(10 * np.log10(arr) + 30) > V.DB_LIMIT):
            V.fail(o, "pmax_w", pmax_w, f"must lie within +-{V.DB_LIMIT:g} dBm")
    else:
        _check_db_field(o, "pmax_dbm", pmax_dbm)
    V.require_db(o, "noise_dbm", noise_dbm)
    V.require_real(o, "rth", rth, 0.0)
    V.require_real(o, "bs_radius", bs_radius, 0.0, V.LENGTH_MAX, lo_open=True)
    V.require_real(o, "user_radius", user_radius, 0.0, V.LENGTH_MAX)
    if not isinstance(shared_rx_angles, (bool, np.bool_)):
        V.fail(o, "shared_rx_angles", shared_rx_angles, "must be True or False")


def _check_rest(obj, cls, x, known, field):
    """The inherited ``check_x`` (finite numeric values) on the keys not checked here."""
    base = getattr(super(cls, obj), "check_x", None)
    rest = {k: v for k, v in x.items() if k not in known}
    if base is not None and rest:
        base(rest, field)


class CompRsmaChecksMixin:
    """``check_x``: validation of a starting point ``x0`` given to ``ao_solve``."""

    def check_x(self, x, field: str = "x0") -> dict:
        """Check ``x`` = {"precoders" (N, I, K+1) complex, "positions" (K, 2) (optional),
        "common" (K,) (optional)}: keys, shapes, finiteness. Returns a converted copy."""
        o = type(self).__name__
        V.require_keys(o, field, x, ["precoders"])
        N, I, K = self.N, self.I, self.K
        out = dict(x)
        out["precoders"] = V.require_array(o, f"{field}['precoders']", x["precoders"], (N, I, K + 1), complex)
        if "positions" in x:
            out["positions"] = V.require_array(o, f"{field}['positions']", x["positions"], (K, 2))
        if "common" in x:
            out["common"] = V.require_array(o, f"{field}['common']", x["common"], (K,))
        _check_rest(self, CompRsmaChecksMixin, x, ("precoders", "positions", "common"), field)
        return out
