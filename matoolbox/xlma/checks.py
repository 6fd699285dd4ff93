"""Input checks of :class:`~matoolbox.xlma.XlmaPlacementProblem`: field checks after unit
conversion, the arguments of the named constructors (``default``, ``partial_los``,
``user_distribution``, ``random_small``, ``random``) and the starting point ``x0`` of ``ao_solve``.

Every failure raises :class:`~matoolbox.core.errors.InvalidProblemError` naming the field the
user typed (``p_dbm``, ``Kbar``, ``x0['selection']``) and its value.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..core import validate as V

__all__ = ["XlmaChecksMixin", "check_fields", "check_scenario_args", "check_hotspot_rho",
           "check_random_small_args"]

_OWNER = "XlmaPlacementProblem"


def check_fields(p) -> None:
    """Checks run first in ``XlmaPlacementProblem.validate``: ``p_dbm``, ``noise_dbm`` and
    ``kappa_db`` within +-300 dB (finite, positive linear values; also gamma = p / sigma^2),
    real scalars (numeric strings refused), counts positive ints."""
    o = _OWNER
    for f in ("N", "MH", "MV", "Nx", "Nz", "Kx", "Ky", "Kz", "los_points"):
        V.require_count(o, f, getattr(p, f))
    V.require_real(o, "fc", p.fc, 0.0, lo_open=True)
    for f in ("dH", "dV"):
        if getattr(p, f) is not None:
            V.require_real(o, f, getattr(p, f), 0.0, lo_open=True)
    for f in ("p_dbm", "noise_dbm", "kappa_db"):
        V.require_db(o, f, getattr(p, f))
    if not isinstance(p.los_seed, numbers.Integral) or isinstance(p.los_seed, bool):
        V.fail(o, "los_seed", p.los_seed, "must be an int >= 0")
    V.require_seed(o, "los_seed", p.los_seed, allow_none=False)
    V.require_choice(o, "scheme", p.scheme, {"MA", "FPA"})
    if not isinstance(p.path_loss, str):
        pl = V.as_array(o, "path_loss", p.path_loss)
        if pl.shape == (2,) and np.all(np.isfinite(pl)) and not (0 < pl[1] <= 10):
            V.fail(o, "path_loss", p.path_loss, "the exponent alpha of (beta0, alpha) must lie in (0, 10]")


_UNSET = object()


def check_scenario_args(*, L=_UNSET, MH=_UNSET, Kbar=_UNSET, eta=_UNSET, mu=_UNSET, kind=_UNSET) -> None:
    """Arguments of ``default`` / ``partial_los`` / ``user_distribution`` (those passed are
    checked; None is not a value): ``L`` (region length in m = number of 1 m cells) and ``MH``
    positive ints, ``Kbar`` > 0, ``eta`` in [0, 1], ``mu`` in (0, 1e6], ``kind`` in {1, 2, 3}."""
    o = _OWNER
    if L is not _UNSET:
        V.require_count(o, "L", L)
    if MH is not _UNSET:
        V.require_count(o, "MH", MH)
    if Kbar is not _UNSET:
        V.require_real(o, "Kbar", Kbar, 0.0, lo_open=True)
    if eta is not _UNSET:
        V.require_real(o, "eta", eta, 0.0, 1.0)
    if mu is not _UNSET:
        V.require_real(o, "mu", mu, 0.0, 1e6, lo_open=True)
    if kind is not _UNSET:
        if isinstance(kind, bool) or not isinstance(kind, numbers.Integral) or kind not in (1, 2, 3):
            V.fail(o, "user_distribution.kind", kind, "must be 1, 2 or 3")


def check_hotspot_rho(rho, Kbar, eta=None, mu=None):
    """The hotspot draw gives probabilities <= 1 (else ``Kbar`` is too large for the grid,
    given ``eta`` and ``mu``); returns ``rho``."""
    if np.max(rho) > 1.0 + 1e-12:
        given = ", ".join(f"{n} = {v!r}" for n, v in (("eta", eta), ("mu", mu)) if v is not None)
        V.fail(_OWNER, "Kbar", Kbar, f"too large{' with ' + given if given else ''}: a hotspot "
               f"activation probability would be {float(np.max(rho)):.3g} > 1")
    return rho


def check_random_small_args(seed, *, N, Nx, Nz, random_omega) -> None:
    """Arguments of ``random_small`` / ``random``: seed int >= 0, SeedSequence or Generator;
    ``N``, ``Nx``, ``Nz`` positive ints; ``random_omega`` None or a bool."""
    o = _OWNER
    V.require_seed(o, "seed", seed)
    for f, v in (("N", N), ("Nx", Nx), ("Nz", Nz)):
        V.require_count(o, f, v)
    if random_omega is not None and not isinstance(random_omega, (bool, np.bool_)):
        V.fail(o, "random_omega", random_omega, "must be None, True or False")


def _check_rest(obj, cls, x, known, field):
    """The inherited ``check_x`` (finite numeric values) on the keys not checked here."""
    base = getattr(super(cls, obj), "check_x", None)
    rest = {k: v for k, v in x.items() if k not in known}
    if base is not None and rest:
        base(rest, field)


class XlmaChecksMixin:
    """``check_x``: validation of a starting point ``x0`` given to ``ao_solve``."""

    def check_x(self, x, field: str = "x0") -> dict:
        """Check ``x`` = {"selection": N distinct integer candidate indices in [0, N0)}.
        Returns a copy with the selection as a sorted int array."""
        o = type(self).__name__
        V.require_keys(o, field, x, ["selection"])
        f = f"{field}['selection']"
        sel = x["selection"]
        if V._has_text(sel):
            V.fail(o, f, sel, "must be integer candidate indices, not text")
        try:
            arr = np.asarray(sel)
        except (TypeError, ValueError):
            V.fail(o, f, sel, f"must be {self.N} distinct integer candidate indices in [0, {self.N0})")
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        if arr.dtype.kind not in "iu":
            V.fail(o, f, sel, f"must be {self.N} distinct integer candidate indices in [0, {self.N0})")
        if arr.shape != (self.N,):
            V.fail(o, f, sel, f"must hold N = {self.N} indices (shape ({self.N},)), got shape {arr.shape}")
        if arr.min() < 0 or arr.max() >= self.N0:
            V.fail(o, f, sel, f"indices must lie in [0, N0) = [0, {self.N0})")
        if np.unique(arr).size != arr.size:
            V.fail(o, f, sel, "indices must be distinct")
        _check_rest(self, XlmaChecksMixin, x, ("selection",), field)
        return {**x, "selection": np.sort(arr.astype(int))}
