r"""Path parameters of multipath links (user channels, ray tracers, MATLAB codes).

:class:`Paths` holds, per link, complex path gains ``gains`` (..., L), departure angles
``theta_t, phi_t`` and arrival angles ``theta_r, phi_r`` (..., L) in radians, and optional delays
``tau`` (..., L) in seconds. The leading axes index the links (e.g. (N, K): BS n -> user k).

**Stored convention (this toolbox's).** Elevation ``theta`` and azimuth ``phi`` in
[-pi/2, pi/2]; a path's projected direction on the antenna plane (local x, y) is

    w = [cos(theta) sin(phi), sin(theta)]                                       (..., L, 2)

and the channel between a transmit antenna at t and a receive antenna at r (row form, y = h^H x) is

    h^H(r, t) = sum_l gains_l exp(-j kappa w_r,l . r) exp(+j kappa w_t,l . t),   kappa = 2 pi / lambda,

i.e. ``f(r)^H Sigma g(t)`` with field-response vectors exp(+j kappa w . p) and Sigma = diag(gains).

Converters (:meth:`Paths.from_arrays` with ``convention`` / ``phase_sign``, :meth:`Paths.from_sionna`):

* ``"mzz"`` (Ma-Zhu-Zhang; also the full-duplex family): rho = x sin(theta) cos(phi) + y cos(theta),
  theta, phi in [0, pi]; the same w after theta -> pi/2 - theta, phi -> pi/2 - phi.
* ``phase_sign=-1`` (MATLAB codes with field responses exp(-j 2 pi/lambda rho) in the same
  F^H Sigma G form): the same channel with every direction negated (theta -> -theta, phi -> -phi).
* ``"sionna"`` (Sionna RT layout): zenith theta in [0, pi], azimuth phi in [-pi, pi], unit vector
  k = [sin(theta) cos(phi), sin(theta) sin(phi), cos(theta)], channel a exp(j kappa (k_r . r + k_t . t));
  hence w_t = P k_t and w_r = -P k_r with P the projection on the chosen antenna plane axes.
"""
from __future__ import annotations

import dataclasses
import json
import math
import numbers
from pathlib import Path

import numpy as np

from ..core.io import read_mapping, to_jsonable, writable_path
from ..core.rng import as_generator
from ..core.validate import fail, require_count, require_real
from .field_response import wavenumber

__all__ = ["Paths", "CONVENTIONS", "load_paths", "draw_angles", "ANGLE_LAWS"]

_OWNER = "Paths"
_TOL = 1e-9
#: angle ranges (theta, phi) of each input convention
CONVENTIONS = {"toolbox": ((-math.pi / 2, math.pi / 2), (-math.pi / 2, math.pi / 2)),
               "mzz": ((0.0, math.pi), (0.0, math.pi)),
               "sionna": ((0.0, math.pi), (-math.pi, math.pi))}
_ANGLES = ("theta_t", "phi_t", "theta_r", "phi_r")
_AXES = {"x": 0, "y": 1, "z": 2}


def _real(owner, field, value):
    if isinstance(value, (str, bytes)) or value is None:
        fail(owner, field, value, "must be a real array (radians)" if value is not None else "is missing")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        fail(owner, field, value, "must be a numeric array")
    if arr.dtype.kind not in "biuf" or arr.dtype.kind == "b":
        if arr.dtype.kind == "c":
            fail(owner, field, f"<complex array of shape {arr.shape}>", "must be real (angles in radians)")
        fail(owner, field, value, "must be a real numeric array")
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        fail(owner, field, f"<array of shape {arr.shape} with {int(np.sum(~np.isfinite(arr)))} NaN/inf>",
             "must be finite")
    return arr


def _complex(owner, field, value):
    if isinstance(value, (str, bytes)) or value is None:
        fail(owner, field, value, "must be a complex array" if value is not None else "is missing")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        fail(owner, field, value, "must be a numeric array")
    if arr.dtype.kind not in "iufc" or arr.dtype == object:
        fail(owner, field, value, "must be a numeric (complex) array")
    arr = arr.astype(complex)
    if not np.all(np.isfinite(arr)):
        fail(owner, field, f"<array of shape {arr.shape} with {int(np.sum(~np.isfinite(arr)))} NaN/inf>",
             "must be finite")
    return arr


def _in_range(owner, field, arr, lo, hi, convention):
    bad = (arr < lo - _TOL) | (arr > hi + _TOL)
    if np.any(bad):
        v = float(arr[bad].ravel()[0])
        fail(owner, field, f"<array with {int(bad.sum())} value(s) out of range, e.g. {v:.6g}>",
             f"must lie in [{lo:.6g}, {hi:.6g}] rad in the {convention!r} convention"
             + (" (degrees given? convert with numpy.deg2rad)" if abs(v) > 2 * math.pi else ""))


#: angle laws of :func:`draw_angles` (MZZ convention, theta and phi in [0, pi])
ANGLE_LAWS = ("mzz", "uniform")


def draw_angles(rng, shape, law: str = "mzz", owner: str = _OWNER):
    r"""Random path angles (theta, phi) in the Ma-Zhu-Zhang convention, each of ``shape``.

    ``law="mzz"``: the density :math:`f(\theta, \phi) = \sin\theta / (2\pi)` on
    :math:`[0, \pi] \times [0, \pi]`, i.e. theta and phi independent, the marginal of theta
    :math:`\sin\theta / 2` (CDF :math:`(1 - \cos\theta)/2`, drawn by inversion as
    :math:`\theta = \arccos(1 - 2u)`, u ~ U[0, 1)) and phi ~ U[0, pi].
    ``law="uniform"``: theta, phi i.i.d. U[0, pi] (public reproductions of the MZZ paper).
    theta is drawn before phi.

    Parameters
    ----------
    rng : int, SeedSequence or numpy.random.Generator
        Source of randomness.
    shape : int or tuple of int
        Shape S of each returned array.
    law : {"mzz", "uniform"}
        Angle distribution.
    owner : str
        Name used in error messages.

    Returns
    -------
    theta, phi : numpy.ndarray
        Arrays of shape S (radians, in [0, pi]); projected directions
        ``field_response.directions(theta, phi, "fd")`` = [sin theta cos phi, cos theta].
    """
    rng = as_generator(rng)
    if law == "mzz":
        theta = np.arccos(1.0 - 2.0 * rng.random(shape))
    elif law == "uniform":
        theta = rng.uniform(0.0, math.pi, shape)
    else:
        fail(owner, "angles", law, f"must be one of {list(ANGLE_LAWS)!r}")
    phi = rng.uniform(0.0, math.pi, shape)
    return theta, phi


def _angles_of(w):
    """Toolbox angles (theta, phi) of projected directions w (..., 2) with |w| <= 1."""
    wy = np.clip(w[..., 1], -1.0, 1.0)
    theta = np.arcsin(wy)
    c = np.cos(theta)
    ratio = np.divide(w[..., 0], c, out=np.zeros_like(c), where=c > 1e-15)
    return theta, np.arcsin(np.clip(ratio, -1.0, 1.0))


@dataclasses.dataclass(frozen=True, eq=False)
class Paths:
    """Multipath parameters per link in the toolbox convention (see module docstring).

    gains (..., L) complex; theta_t, phi_t, theta_r, phi_r (..., L) radians in [-pi/2, pi/2];
    tau (..., L) seconds >= 0 or None. Build from other conventions with :meth:`from_arrays`,
    :meth:`from_sionna` or :meth:`load`.
    """

    gains: np.ndarray
    theta_t: np.ndarray
    phi_t: np.ndarray
    theta_r: np.ndarray
    phi_r: np.ndarray
    tau: np.ndarray | None = None

    def __post_init__(self):
        self._check(_OWNER, {})

    def _check(self, owner, names):
        g = _complex(owner, names.get("gains", "gains"), self.gains)
        if g.ndim < 1 or g.shape[-1] < 1:
            fail(owner, names.get("gains", "gains"), f"<array of shape {g.shape}>",
                 "must have shape (..., L) with L >= 1 paths")
        object.__setattr__(self, "gains", g)
        (tlo, thi), (plo, phi_) = CONVENTIONS["toolbox"]
        for f in _ANGLES:
            a = _real(owner, names.get(f, f), getattr(self, f))
            if a.shape != g.shape:
                fail(owner, names.get(f, f), f"<array of shape {a.shape}>",
                     f"must have the shape of {names.get('gains', 'gains')} {g.shape} (links..., paths)")
            lo, hi = (tlo, thi) if f.startswith("theta") else (plo, phi_)
            _in_range(owner, names.get(f, f), a, lo, hi, "toolbox")
            object.__setattr__(self, f, np.clip(a, lo, hi))
        if self.tau is not None:
            t = _real(owner, names.get("tau", "tau"), self.tau)
            if t.shape != g.shape:
                fail(owner, names.get("tau", "tau"), f"<array of shape {t.shape}>", f"must have shape {g.shape}")
            if np.any(t < 0):
                fail(owner, names.get("tau", "tau"), f"<min {float(t.min()):.3g}>", "delays must be >= 0 s")
            object.__setattr__(self, "tau", t)

    # ------------------------------------------------------------------ shapes and directions
    @property
    def links(self) -> tuple:
        """Shape of the link axes (all but the last)."""
        return self.gains.shape[:-1]

    @property
    def L(self) -> int:
        return int(self.gains.shape[-1])

    @property
    def w_t(self) -> np.ndarray:
        """Projected departure directions (..., L, 2)."""
        return np.stack([np.cos(self.theta_t) * np.sin(self.phi_t), np.sin(self.theta_t)], axis=-1)

    @property
    def w_r(self) -> np.ndarray:
        """Projected arrival directions (..., L, 2) (toolbox convention: phase exp(-j kappa w_r . r) in h^H)."""
        return np.stack([np.cos(self.theta_r) * np.sin(self.phi_r), np.sin(self.theta_r)], axis=-1)

    def angles(self, convention: str = "toolbox") -> dict:
        """The four angle arrays in ``"toolbox"`` or ``"mzz"`` convention (radians)."""
        if convention == "toolbox":
            return {f: getattr(self, f).copy() for f in _ANGLES}
        if convention == "mzz":
            return {f: math.pi / 2 - getattr(self, f) for f in _ANGLES}
        fail(_OWNER, "convention", convention, "must be 'toolbox' or 'mzz'")

    def to_arrays(self, convention: str = "toolbox", phase_sign: int = +1) -> dict:
        """Gains and angles for a code in ``convention`` ("toolbox" or "mzz") with ``phase_sign``
        (+1, or -1 for exp(-j ...) field responses): the inverse of :meth:`from_arrays`."""
        if phase_sign not in (1, -1):
            fail(_OWNER, "phase_sign", phase_sign, "must be +1 or -1")
        ang = {f: phase_sign * getattr(self, f) for f in _ANGLES}
        if convention == "mzz":
            ang = {f: math.pi / 2 - v for f, v in ang.items()}
        elif convention != "toolbox":
            fail(_OWNER, "convention", convention, "must be 'toolbox' or 'mzz'")
        out = {"gains": self.gains.copy(), **ang}
        if self.tau is not None:
            out["tau"] = self.tau.copy()
        return out

    def channel(self, r, t, wavelength) -> np.ndarray:
        """h^H(r, t) of every link: r (Nr, 2), t (Nt, 2) in metres -> (..., Nr, Nt)."""
        kap = wavenumber(wavelength)
        F = np.exp(-1j * kap * np.einsum("...ld,md->...ml", self.w_r, np.asarray(r, float)))
        G = np.exp(1j * kap * np.einsum("...ld,nd->...ln", self.w_t, np.asarray(t, float)))
        return np.einsum("...ml,...l,...ln->...mn", F, self.gains, G)

    def __getitem__(self, index) -> "Paths":
        """Paths of a subset of links (indexing the link axes only)."""
        if not isinstance(index, tuple):
            index = (index,)
        idx = index + (slice(None),)
        return Paths(self.gains[idx], self.theta_t[idx], self.phi_t[idx], self.theta_r[idx],
                     self.phi_r[idx], None if self.tau is None else self.tau[idx])

    def transpose_links(self) -> "Paths":
        """Swap the first two link axes (e.g. Sionna's (rx, tx) <-> (tx, rx))."""
        def sw(a):
            return None if a is None else np.swapaxes(a, 0, 1)
        return Paths(sw(self.gains), sw(self.theta_t), sw(self.phi_t), sw(self.theta_r), sw(self.phi_r), sw(self.tau))

    # ------------------------------------------------------------------ converters
    @classmethod
    def random(cls, shape=(), L: int = 1, rng=None, *, angles: str = "mzz", power: float = 1.0) -> "Paths":
        r"""Random paths of ``L`` paths per link (links of ``shape``), stored in the toolbox convention.

        Draws, in this order, theta_t, phi_t, theta_r, phi_r (each of shape ``shape + (L,)``), then
        the real and the imaginary parts of the gains:

        * ``angles="mzz"``: MZZ-convention angles with density sin(theta)/(2 pi) on [0, pi]^2
          (:func:`draw_angles`), converted as ``from_arrays(..., convention="mzz")`` does
          (theta -> pi/2 - theta, phi -> pi/2 - phi; in the toolbox convention theta has density
          cos(theta)/2 on [-pi/2, pi/2]).
        * ``angles="uniform"``: MZZ-convention angles i.i.d. U[0, pi], converted likewise.
        * ``angles="toolbox"``: toolbox angles i.i.d. U[-pi/2, pi/2] drawn directly (the same law as
          ``"uniform"``, other numbers for the same seed).
        * gains i.i.d. CN(0, power / L), so that E sum_l |gains_l|^2 = power per link.

        Parameters
        ----------
        shape : int or tuple of int, default ()
            Link axes (``()`` for one link).
        L : int, default 1
            Paths per link.
        rng : int, SeedSequence or numpy.random.Generator, optional
            Source of randomness (a seed reproduces the draw).
        angles : {"mzz", "uniform", "toolbox"}
            Angle law (see above).
        power : float, default 1.0
            Expected total path power per link (> 0).

        Returns
        -------
        Paths
            gains and angles of shape ``shape + (L,)``, tau None.
        """
        owner = "Paths.random"
        if isinstance(shape, numbers.Integral):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)):
            fail(owner, "shape", shape, "must be an int or a tuple of ints >= 0")
        shape = tuple(require_count(owner, "shape", v, 0) for v in shape)
        L = require_count(owner, "L", L)
        power = require_real(owner, "power", power, lo=0.0, lo_open=True)
        rng = as_generator(rng)
        sh = shape + (L,)
        if angles == "toolbox":
            ang = [rng.uniform(-math.pi / 2, math.pi / 2, sh) for _ in range(4)]
        elif angles in ANGLE_LAWS:
            ang = [*draw_angles(rng, sh, angles, owner), *draw_angles(rng, sh, angles, owner)]
        else:
            fail(owner, "angles", angles, "must be 'mzz', 'uniform' or 'toolbox'")
        re = rng.standard_normal(sh)
        im = rng.standard_normal(sh)
        gains = math.sqrt(power / (2 * L)) * (re + 1j * im)
        if angles == "toolbox":
            return cls(gains, *ang)
        return cls.from_arrays(gains, *ang, convention="mzz", owner=owner)

    @classmethod
    def from_arrays(cls, gains, theta_t, phi_t, theta_r, phi_r, tau=None, *, convention="toolbox",
                    phase_sign=+1, degrees=False, owner=_OWNER, names=None) -> "Paths":
        """Paths from angle arrays given in ``convention`` ("toolbox" or "mzz") and
        ``phase_sign`` (+1, or -1 for exp(-j ...) codes); ``degrees=True`` if in degrees."""
        names = names or {}
        if convention not in ("toolbox", "mzz"):
            fail(owner, "convention", convention, "must be 'toolbox', 'mzz' (or use Paths.from_sionna)")
        if phase_sign not in (1, -1):
            fail(owner, "phase_sign", phase_sign, "must be +1 or -1")
        (tlo, thi), (plo, phi_) = CONVENTIONS[convention]
        ang = {}
        for f, v in zip(_ANGLES, (theta_t, phi_t, theta_r, phi_r)):
            a = _real(owner, names.get(f, f), v)
            a = np.deg2rad(a) if degrees else a
            lo, hi = (tlo, thi) if f.startswith("theta") else (plo, phi_)
            _in_range(owner, names.get(f, f), a, lo, hi, convention)
            a = math.pi / 2 - a if convention == "mzz" else a
            ang[f] = phase_sign * a
        g = _complex(owner, names.get("gains", "gains"), gains)
        obj = cls.__new__(cls)
        for f, v in (("gains", g), *ang.items(), ("tau", tau)):
            object.__setattr__(obj, f, v)
        obj._check(owner, names)
        return obj

    @classmethod
    def from_sionna(cls, a, theta_t, phi_t, theta_r, phi_r, tau=None, *, batch=0, rx_ant=0, tx_ant=0,
                    time=0, tx_plane=("x", "y"), rx_plane=("x", "y"), owner=_OWNER) -> "Paths":
        """Paths from Sionna-RT-like arrays: ``a`` [batch, num_rx, num_rx_ant, num_tx, num_tx_ant,
        num_paths, num_time_steps] (complex), angles and ``tau`` [batch, num_rx, num_tx, num_paths]
        (or with the antenna axes [batch, num_rx, num_rx_ant, num_tx, num_tx_ant, num_paths]).
        One antenna pair and time step is taken, and one batch entry (``batch=None`` keeps the
        batch axis); the result has links (num_tx, num_rx) (BS -> user for a downlink scene), or
        (batch, num_tx, num_rx). ``tx_plane``/``rx_plane``: the global axes spanning the
        movable-antenna plane at each end (local x, y of the toolbox)."""
        A = _complex(owner, "a", a)
        if A.ndim == 6:
            A = A[..., None]
        if A.ndim != 7:
            fail(owner, "a", f"<array of shape {A.shape}>",
                 "must have shape [batch, num_rx, num_rx_ant, num_tx, num_tx_ant, num_paths, num_time_steps]")
        b = slice(None) if batch is None else batch
        A = A[b, :, rx_ant, :, tx_ant, :, time]                              # ([B,] num_rx, num_tx, L)

        def pick(name, v):
            arr = _real(owner, name, v)
            if arr.ndim == 6:
                arr = arr[b, :, rx_ant, :, tx_ant, :]
            elif arr.ndim == 4:
                arr = arr[b]
            else:
                fail(owner, name, f"<array of shape {arr.shape}>", "must have shape [batch, num_rx, num_tx, num_paths]")
            if arr.shape != A.shape:
                fail(owner, name, f"<array of shape {arr.shape}>", f"must match a's (num_rx, num_tx, paths) = {A.shape}")
            return arr

        ang = {f: pick(f, v) for f, v in zip(_ANGLES, (theta_t, phi_t, theta_r, phi_r))}
        (tlo, thi), (plo, phi_) = CONVENTIONS["sionna"]
        for f, v in ang.items():
            _in_range(owner, f, v, *((tlo, thi) if f.startswith("theta") else (plo, phi_)), "sionna")
        out = {}
        for end, plane, sign in (("t", tx_plane, 1.0), ("r", rx_plane, -1.0)):
            if len(plane) != 2 or any(p not in _AXES for p in plane) or plane[0] == plane[1]:
                fail(owner, f"{end}x_plane", plane, "must be two different axes of 'x', 'y', 'z'")
            th, ph = ang[f"theta_{end}"], ang[f"phi_{end}"]
            k = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=-1)
            w = sign * k[..., [_AXES[plane[0]], _AXES[plane[1]]]]
            out[f"theta_{end}"], out[f"phi_{end}"] = _angles_of(w)
        T = None if tau is None else pick("tau", tau)
        sw = (lambda v: None if v is None else np.swapaxes(v, -3, -2))
        return cls(sw(A), sw(out["theta_t"]), sw(out["phi_t"]), sw(out["theta_r"]), sw(out["phi_r"]), sw(T))

    @classmethod
    def load(cls, source, *, convention=None, phase_sign=None, degrees=None, L=None, **sionna) -> "Paths":
        """Paths from a ``.mat`` / ``.npz`` / ``.json`` file or a dict with ``gains`` (or ``a``),
        ``theta_t``, ``phi_t``, ``theta_r``, ``phi_r`` and optional ``tau``; the file may carry
        ``convention`` ("toolbox", "mzz", "sionna"), ``phase_sign`` and ``degrees`` (arguments win).
        Errors name the key of the file, e.g. ``Paths.theta_r``. ``.mat`` arrays keep MATLAB's shapes
        (a leading singleton link axis stays); MATLAB drops a trailing singleton axis, so for
        L = 1 path pass ``L=1`` (or store a variable ``L``) to restore it."""
        data = read_mapping(source, _OWNER, squeeze=False) if not isinstance(source, Paths) else None
        if data is None:
            return source
        conv = convention if convention is not None else _scalar(data.get("convention", "toolbox"), str)
        sign = phase_sign if phase_sign is not None else _scalar(data.get("phase_sign", 1), int)
        deg = degrees if degrees is not None else bool(_scalar(data.get("degrees", False), int))
        gkey = "gains" if "gains" in data else "a"
        for key in (gkey,) + _ANGLES:
            if key not in data:
                fail(_OWNER, key, None, f"missing from the file (it holds {sorted(data)}); "
                     "need gains (or a), theta_t, phi_t, theta_r, phi_r")
        L = L if L is not None else (_scalar(data["L"], int) if "L" in data else None)
        args = [data[gkey]] + [data[k] for k in _ANGLES]
        tau = data.get("tau")
        if L == 1 and conv != "sionna":
            args = [a if np.shape(a)[-1:] == (1,) else np.asarray(a)[..., None] for a in args]
            tau = None if tau is None else np.asarray(tau)[..., None]
        if conv == "sionna":
            return cls.from_sionna(*args, tau=tau, **sionna)
        names = {"gains": gkey}
        return cls.from_arrays(*args, tau=tau, convention=conv, phase_sign=sign, degrees=deg, names=names)

    # ------------------------------------------------------------------ saving
    def to_dict(self) -> dict:
        d = {f: getattr(self, f) for f in ("gains",) + _ANGLES}
        if self.tau is not None:
            d["tau"] = self.tau
        d["convention"] = "toolbox"
        return d

    def save(self, path) -> Path:
        """Write ``.npz``, ``.mat`` or ``.json`` (toolbox convention; :meth:`load` reads it back);
        a folder that does not exist raises ``FileNotFoundError`` naming the path."""
        path = writable_path(path)
        d = self.to_dict()
        if path.suffix == ".npz":
            np.savez(path, **{k: np.asarray(v) for k, v in d.items()})
        elif path.suffix == ".mat":
            from scipy.io import savemat

            savemat(path, d, oned_as="row")
        elif path.suffix == ".json":
            path.write_text(json.dumps({k: to_jsonable(v) for k, v in d.items()}))
        else:
            fail(_OWNER, "path", str(path), "must end in .npz, .mat or .json")
        return path


def _scalar(v, typ):
    arr = np.asarray(v)
    if arr.size == 1:
        v = arr.ravel()[0]
    return typ(v)


def load_paths(source, **kw) -> Paths:
    """:meth:`Paths.load` (a :class:`Paths` is returned as is)."""
    return Paths.load(source, **kw)
