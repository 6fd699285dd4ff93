"""Input checks of :class:`~matoolbox.uplink.UplinkTwoTimescaleProblem`: field checks after unit
conversion, the ``random()`` seed and the starting point ``x0`` of ``ao_solve``.

Every failure raises :class:`~matoolbox.core.errors.InvalidProblemError` naming the field the
user typed (``p_db``, ``seed``, ``x0['positions']``) and its value.
"""
from __future__ import annotations

import numpy as np

from ..core import validate as V

__all__ = ["UplinkChecksMixin", "check_fields", "random_seed"]

_OWNER = "UplinkTwoTimescaleProblem"


def _user_values(owner, field, value):
    """Scalar or 1-D real values (text refused); returns a float array."""
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        return np.array(V.require_real(owner, field, value))
    arr = V.as_array(owner, field, value)
    V.require_finite(owner, field, arr)
    return arr


def _check_linear(owner, field, arr, value):
    """Positive linear values within +-DB_LIMIT dB of 1 (1e-30 .. 1e30)."""
    with np.errstate(divide="ignore"):
        if np.any(np.abs(10 * np.log10(arr)) > V.DB_LIMIT):
            V.fail(owner, field, value, f"must lie within +-{V.DB_LIMIT:g} dB of 1 (1e-30 .. 1e30)")


def check_fields(p) -> None:
    """Checks run first in ``UplinkTwoTimescaleProblem.validate``: ``p_db`` within +-300 dB (so
    the linear power is finite and positive), linear ``power`` / ``beta`` finite and > 0,
    ``rician`` finite >= 0, scalars real (numeric strings refused)."""
    o = _OWNER
    V.require_count(o, "M", p.M)
    V.require_count(o, "K", p.K)
    V.require_real(o, "wavelength", p.wavelength, 0.0, V.LENGTH_MAX, lo_open=True)
    if p.d is not None:
        V.require_real(o, "d", p.d, 0.0, V.LENGTH_MAX)
    if p.D is not None:
        V.require_real(o, "D", p.D, 0.0, V.LENGTH_MAX, lo_open=True)
    _check_linear(o, "noise", np.array(V.require_real(o, "noise", p.noise, 0.0, lo_open=True)), p.noise)
    if p.power is not None:
        pw = _user_values(o, "power", p.power)
        if np.any(pw <= 0):
            V.fail(o, "power", p.power, "must be positive (linear power)")
        _check_linear(o, "power", pw, p.power)
    else:
        pdb = _user_values(o, "p_db", p.p_db)
        if np.any(np.abs(pdb) > V.DB_LIMIT):
            V.fail(o, "p_db", p.p_db, f"must lie in [-{V.DB_LIMIT:g}, {V.DB_LIMIT:g}] dB (so that "
                   "the linear power is finite and positive)")
    beta = _user_values(o, "beta", p.beta)
    if np.any(beta <= 0):
        V.fail(o, "beta", p.beta, "must be positive")
    _check_linear(o, "beta", beta, p.beta)
    ric = _user_values(o, "rician", p.rician)
    if np.any(ric < 0):
        V.fail(o, "rician", p.rician, "must be >= 0 (linear Rician factor)")
    if np.any(ric > 10 ** (V.DB_LIMIT / 10)):
        V.fail(o, "rician", p.rician, f"must be <= 1e30 ({V.DB_LIMIT:g} dB)")
    if isinstance(p.theta, str) or V._has_text(p.theta):
        V.fail(o, "theta", p.theta, "must be numeric angles in [0, pi], not text")
    V.require_array(o, "theta", np.atleast_1d(p.theta) if np.ndim(p.theta) == 0 else p.theta, (None,))
    V.require_seed(o, "seed", p.seed, allow_none=False)
    if not isinstance(p.seed, (int, np.integer)):
        V.fail(o, "seed", p.seed, "must be an int >= 0 (the field; random() also takes a Generator "
               "or SeedSequence)")


def random_seed(seed) -> int:
    """The int field ``seed`` for ``random(seed)``: an int >= 0 as is, a SeedSequence / Generator
    reduced to an int (a Generator's stream advances), None fresh entropy."""
    V.require_seed(_OWNER, "seed", seed)
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint32)[0])
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.generate_state(1, np.uint32)[0])
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**32))
    return int(seed)


def _check_rest(obj, cls, x, known, field):
    """The inherited ``check_x`` (finite numeric values) on the keys not checked here."""
    base = getattr(super(cls, obj), "check_x", None)
    rest = {k: v for k, v in x.items() if k not in known}
    if base is not None and rest:
        base(rest, field)


class UplinkChecksMixin:
    """``check_x``: validation of a starting point ``x0`` given to ``ao_solve``."""

    def check_x(self, x, field: str = "x0") -> dict:
        """Check ``x`` = {"positions": (M,) real, finite}. Returns a converted copy."""
        o = type(self).__name__
        V.require_keys(o, field, x, ["positions"])
        out = dict(x)
        out["positions"] = V.require_array(o, f"{field}['positions']", x["positions"], (self.M,))
        _check_rest(self, UplinkChecksMixin, x, ("positions",), field)
        return out
