"""Input checks of the full-duplex problems (:class:`FullDuplexProblem`,
:class:`FullDuplexMultiUserProblem` and the E1-E4 scenario classes): the arguments of
``random()`` (checked by name before anything is drawn), power fields in dB(m) and the starting
point ``x0`` of ``ao_solve`` (``check_x`` mixins).

Every failure raises :class:`~matoolbox.core.errors.InvalidProblemError` naming the field the
user typed (``p_max_dbm``, ``alpha``, ``x0['w_t']``) and its value.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..core import validate as V

__all__ = ["check_args", "check_db_fields", "check_separation", "ALPHA_RANGE", "FdSingleChecksMixin", "FdMultiChecksMixin",
           "CcfdChecksMixin", "LineArrayChecksMixin", "PlanarArrayChecksMixin"]

#: accepted path-loss exponents (0, 10]
ALPHA_RANGE = (0.0, 10.0)

_COUNTS = {"Nt", "Nr", "L", "L_si", "K_D", "K_U", "n_paths", "n_beams"}
_COUNTS0 = {"n_primary", "n_nulls"}
_POSITIVE = {"wavelength", "region_lambda", "d_min_lambda", "distance", "r_min", "r_max", "region"}
_REAL = {"theta0"}
_NONNEG = {"k_factor", "min_separation"}
_BOOLS = {"movable": False, "movable_tx": True, "movable_rx": True}   # name -> None allowed


def check_args(own, *, optional=(), pairs=(), **kw) -> None:
    """Check ``random()`` arguments by name: ``seed`` (int >= 0, SeedSequence, Generator, None);
    counts (``Nt``, ``L``, ``n_paths``, ...) positive ints (``n_primary``/``n_nulls`` >= 0);
    lengths (``wavelength``, ``region_lambda``, ``distance``, ``r_min``, ...) finite, > 0 and
    <= LENGTH_MAX; names in ``pairs`` (E2's ``distance``) a pair (lo, hi) with 0 < lo <= hi;
    ``k_factor`` >= 0; ``alpha`` in (0, 10]; every ``*_db`` / ``*_dbm`` value within +-300 dB;
    ``weights`` non-negative finite reals; ``movable*`` booleans; ``r_min <= r_max``. A None is
    refused unless the name is in ``optional``. Other names are left to the problem's ``validate``."""
    for name, value in kw.items():
        if value is None and (name in optional or (name in _BOOLS and _BOOLS[name])):
            continue
        if name == "seed":
            V.require_seed(own, "seed", value)
        elif name in _COUNTS:
            V.require_count(own, name, value)
        elif name in _COUNTS0:
            V.require_count(own, name, value, minimum=0)
        elif name in pairs:
            arr = V.as_array(own, name, value)
            if arr.shape != (2,):
                V.fail(own, name, value, "must be a pair (lo, hi) of distances > 0")
            lo = V.require_real(own, name, float(arr[0]), 0.0, V.LENGTH_MAX, lo_open=True)
            hi = V.require_real(own, name, float(arr[1]), 0.0, V.LENGTH_MAX, lo_open=True)
            V.require_order(own, f"{name}[0]", lo, f"{name}[1]", hi)
        elif name in _POSITIVE:
            V.require_real(own, name, value, 0.0, V.LENGTH_MAX, lo_open=True)
        elif name in _REAL:
            V.require_real(own, name, value)
        elif name in _NONNEG:
            V.require_real(own, name, value, 0.0, V.LENGTH_MAX)
        elif name == "alpha":
            V.require_real(own, "alpha", value, *ALPHA_RANGE, lo_open=True)
        elif name.endswith("_db") or name.endswith("_dbm"):
            V.require_db(own, name, value)
        elif name == "weights":
            w = V.as_array(own, "weights", value)
            if w.ndim != 1 or w.size == 0:
                V.fail(own, "weights", value, "must be a 1-D sequence of non-negative weights")
            V.require_nonnegative(own, "weights", w)
        elif name in _BOOLS:
            if not isinstance(value, (bool, np.bool_)):
                V.fail(own, name, value, "must be True or False")
    if kw.get("r_min") is not None and kw.get("r_max") is not None:
        V.require_order(own, "r_min", kw["r_min"], "r_max", kw["r_max"])


def check_separation(own, n_angles, min_separation, capacity) -> None:
    """Rejection sampling of ``n_angles`` directions with cosines ``min_separation`` apart must
    terminate quickly: ``n_angles * min_separation <= capacity`` (half the packing limit)."""
    if n_angles * float(min_separation) > capacity:
        V.fail(own, "min_separation", min_separation,
               f"too large for {n_angles} directions: need {n_angles} * min_separation <= {capacity:g}")


def check_db_fields(p, *names, allow_neg_inf=()) -> None:
    """Fields in dB(m) of a problem: real and within +-300 dB (``allow_neg_inf``: -inf allowed);
    also its length fields (``wavelength``, ``region``, ``d_min`` where present): real scalars,
    > 0 (``d_min`` >= 0, ``region`` None allowed where the class default is None), <= LENGTH_MAX."""
    own = type(p).__name__
    for f in ("wavelength", "region", "d_min"):
        if not hasattr(p, f) or (getattr(p, f) is None and f == "region"):
            continue
        V.require_real(own, f, getattr(p, f), 0.0, V.LENGTH_MAX, lo_open=(f != "d_min"))
    for f in names:
        v = getattr(p, f)
        if f in allow_neg_inf and isinstance(v, numbers.Real) and not isinstance(v, bool) and v == -np.inf:
            continue
        V.require_db(own, f, v)


def _check(p, x, field, spec, base=None):
    """Common body of the check_x mixins: ``spec`` = [(key, shape, dtype)]; ``base`` (the
    inherited ``check_x``) checks the remaining keys."""
    own = type(p).__name__
    V.require_keys(own, field, x, [k for k, _, _ in spec])
    out = dict(x)
    for key, shape, dtype in spec:
        out[key] = V.require_array(own, f"{field}[{key!r}]", x[key], shape, dtype)
    keys = {k for k, _, _ in spec}
    rest = {k: v for k, v in x.items() if k not in keys}
    if base is not None and rest:
        base(rest, field)
    return out


def _base(obj, cls):
    return getattr(super(cls, obj), "check_x", None)


class FdSingleChecksMixin:
    """``check_x`` of :class:`FullDuplexProblem`."""

    def check_x(self, x, field: str = "x0") -> dict:
        """``x`` = {positions_tx (Nt, 2), positions_rx (Nr, 2), w_t (Nt,) complex, w_r (Nr,) complex}."""
        return _check(self, x, field, [("positions_tx", (self.Nt, 2), float), ("positions_rx", (self.Nr, 2), float),
                                       ("w_t", (self.Nt,), complex), ("w_r", (self.Nr,), complex)], _base(self, FdSingleChecksMixin))


class FdMultiChecksMixin:
    """``check_x`` of :class:`FullDuplexMultiUserProblem`."""

    def check_x(self, x, field: str = "x0") -> dict:
        """``x`` = {positions_tx (Nt, 2), positions_rx (Nr, 2), W_t (Nt, K_D) complex,
        W_r (Nr, K_U) complex, p_u (K_U,) real}."""
        KD, KU = self._KD, self._KU
        return _check(self, x, field, [("positions_tx", (self.Nt, 2), float), ("positions_rx", (self.Nr, 2), float),
                                       ("W_t", (self.Nt, KD), complex), ("W_r", (self.Nr, KU), complex),
                                       ("p_u", (KU,), float)], _base(self, FdMultiChecksMixin))


class CcfdChecksMixin:
    """``check_x`` of :class:`CcfdMaxMinProblem` (E1)."""

    def check_x(self, x, field: str = "x0") -> dict:
        """``x`` = {positions (4, 2)} (rows t_A, r_A, t_B, r_B)."""
        return _check(self, x, field, [("positions", (4, 2), float)], _base(self, CcfdChecksMixin))


class LineArrayChecksMixin:
    """``check_x`` of the linear-array scenarios E3 / E4 (:class:`NullSteeringProblem`, :class:`MultiBeamProblem`)."""

    def check_x(self, x, field: str = "x0") -> dict:
        """``x`` = {positions (N,), precoders (N,) complex}."""
        n = self.n_antennas
        return _check(self, x, field, [("positions", (n,), float), ("precoders", (n,), complex)], _base(self, LineArrayChecksMixin))


class PlanarArrayChecksMixin:
    """``check_x`` of :class:`SpectrumSharingProblem` (E2)."""

    def check_x(self, x, field: str = "x0") -> dict:
        """``x`` = {positions (N, 2), precoders (N,) complex}."""
        n = self.n_antennas
        return _check(self, x, field, [("positions", (n, 2), float), ("precoders", (n,), complex)], _base(self, PlanarArrayChecksMixin))
