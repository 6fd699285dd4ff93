r"""Multi-link MISO field-response channel: K single-antenna links to one moving array.

.. math::

    H_{kn} = \sum_l \beta_{kl}\, e^{s j\kappa\, d_{kl} \cdot t_n},\quad s = \pm 1,\quad \kappa = 2\pi/\lambda,

row k being h_k^H, the row that multiplies the precoder (y_k = h_k^H W s). ``vjp`` maps
``dH = dF/dRe H + 1j dF/dIm H`` (the convention of :mod:`matoolbox.core.gradcheck` and
:mod:`matoolbox.metrics`) to the position gradient dF/dt_n = Re sum_k conj(dH_kn) dH_kn/dt_n.
Positions may carry leading batch axes (batch-first, for PSO swarms) or be 1-D (N,) for an array
on a line, read as (x, 0); ``vjp`` then returns the x-derivative (N,). :func:`plane_wave_rows`
and :func:`plane_wave_rows_grad` are the unvalidated kernels (also used by the full-duplex family).
"""
from __future__ import annotations

import dataclasses
import numbers

import numpy as np

from ..core.rng import as_generator
from ..core.validate import fail, require_array, require_choice, require_count, require_real
from . import _kernels
from ._geometry import _cn, _positions, _wavelength
from .field_response import directions
from .paths import ANGLE_LAWS, Paths, draw_angles

__all__ = ["MultiLinkChannel", "plane_wave_rows", "plane_wave_rows_grad"]


def plane_wave_rows(dirs, gains, pos, kappa, sign=1):
    r"""Plane-wave rows :math:`H_{kn} = \sum_l \beta_{kl}\, e^{s j\kappa\, d_{kl} \cdot t_n}` (..., K, N) complex.

    dirs d (K, L, 2), gains beta (K, L) complex, pos t (..., N, 2) (any batch axes), kappa = 2 pi /
    wavelength, sign s = +1 or -1. The kernel of :meth:`MultiLinkChannel.H` and of the full-duplex
    channels: it validates nothing. Compiled (numba) for real positions with at least one
    position axis; ``plane_wave_rows_numpy`` is its NumPy twin (equal to about 1e-15)."""
    pos, dirs, gains = np.asarray(pos), np.asarray(dirs), np.asarray(gains)
    if (pos.ndim < 2 or pos.shape[-1] != 2 or 0 in pos.shape or pos.dtype.kind not in "iuf"
            or dirs.ndim != 3 or dirs.shape[-1] != 2 or dirs.dtype.kind not in "iuf" or gains.shape != dirs.shape[:2]
            or 0 in dirs.shape or np.iscomplexobj(kappa) or np.iscomplexobj(sign) or np.ndim(kappa) or np.ndim(sign)):
        return plane_wave_rows_numpy(dirs, gains, pos, kappa, sign)   # shapes the kernel does not take
    batch = pos.shape[:-2]
    P = np.ascontiguousarray(pos, dtype=np.float64).reshape((-1,) + pos.shape[-2:])
    out = _kernels.plane_wave_rows_nb(np.ascontiguousarray(dirs, dtype=np.float64),
                                      np.ascontiguousarray(gains, dtype=np.complex128), P,
                                      float(kappa), float(sign))
    return out.reshape(batch + out.shape[1:])


def plane_wave_rows_numpy(dirs, gains, pos, kappa, sign=1):
    """NumPy twin of :func:`plane_wave_rows` (the tests' reference)."""
    ph = np.einsum("kld,...nd->...knl", dirs, pos)
    return np.einsum("...knl,kl->...kn", np.exp(sign * 1j * kappa * ph), gains)


def plane_wave_rows_grad(dirs, gains, pos, kappa, sign=1):
    r"""Value (..., K, N) and position gradient (..., K, N, 2) of :func:`plane_wave_rows` (no validation):
    :math:`\partial H_{kn} / \partial t_n = s j\kappa \sum_l \beta_{kl}\, e^{s j\kappa\, d_{kl} \cdot t_n}\, d_{kl}`."""
    E = np.exp(sign * 1j * kappa * np.einsum("kld,...nd->...knl", dirs, pos))
    val = np.einsum("...knl,kl->...kn", E, gains)
    return val, (E * (gains * (sign * 1j * kappa))[:, None, :]) @ dirs


@dataclasses.dataclass(frozen=True, eq=False)
class MultiLinkChannel:
    r"""K single-antenna links to one moving array: H[k, n] = sum_l gains[k,l] exp(s j kappa dirs[k,l] . t_n).

    Row k is h_k^H (what multiplies the precoder). Positions may be (..., N, 2), or 1-D (N,) for a
    line array (treated as (x, 0); gradients are then returned with shape (N,)).

    Parameters
    ----------
    dirs : array_like, shape (K, L, 2)
        Projected path directions of every link (finite).
    gains : array_like, shape (K, L), complex
        Path gains (zero gains pad links with fewer paths).
    wavelength : float, default 1.0
    sign : {+1, -1}, default +1
        Phase sign s.
    """

    dirs: np.ndarray
    gains: np.ndarray
    wavelength: float = 1.0
    sign: int = 1

    def __post_init__(self):
        o = "MultiLinkChannel"
        object.__setattr__(self, "wavelength", _wavelength(o, self.wavelength))
        if isinstance(self.sign, bool) or not isinstance(self.sign, numbers.Real) or self.sign not in (1, -1):
            fail(o, "sign", self.sign, "must be +1 or -1")
        object.__setattr__(self, "sign", int(self.sign))
        d = require_array(o, "dirs", self.dirs, (None, None, 2))
        g = require_array(o, "gains", self.gains, d.shape[:2], complex)
        if d.shape[1] < 1:
            fail(o, "dirs", f"<array of shape {d.shape}>", "needs at least one path per link")
        for f, v in (("dirs", d), ("gains", g)):
            v.setflags(write=False)
            object.__setattr__(self, f, v)

    @property
    def K(self) -> int:
        """Number of links (rows of H)."""
        return int(self.gains.shape[0])

    @property
    def L(self) -> int:
        """Paths per link (padded)."""
        return int(self.gains.shape[1])

    @property
    def kappa(self) -> float:
        """Wavenumber 2 pi / wavelength."""
        return 2.0 * np.pi / self.wavelength            # validated in __post_init__

    def H(self, pos) -> np.ndarray:
        """Channel rows (:func:`plane_wave_rows`): pos (..., N, 2) or (N,) -> (..., K, N) complex."""
        t, _ = _positions("MultiLinkChannel", "pos", pos, line_ok=True)
        return plane_wave_rows(self.dirs, self.gains, t, self.kappa, self.sign)

    def H_batch(self, pos) -> np.ndarray:
        """Batch-first :meth:`H`: pos (B, N, 2), or (B, N) for line arrays -> (B, K, N)."""
        arr = np.asarray(pos)
        if arr.ndim == 2:
            arr = np.stack([arr, np.zeros_like(arr)], axis=-1)
        if arr.ndim != 3:
            fail("MultiLinkChannel", "pos", f"<array of shape {arr.shape}>", "must have shape (B, N, 2) or (B, N)")
        return self.H(arr)

    def vjp(self, pos, dH) -> np.ndarray:
        r"""Position gradient of a real F(H) given ``dH = dF/dRe H + 1j dF/dIm H``:
        :math:`\partial F / \partial t_n = \mathrm{Re} \sum_k \overline{dH_{kn}}\, \partial H_{kn} / \partial t_n`
        (:func:`plane_wave_rows_grad`).

        Parameters
        ----------
        pos : array_like, shape (..., N, 2) or (N,)
        dH : array_like, shape (..., K, N), complex

        Returns
        -------
        numpy.ndarray, shape (..., N, 2) (or (N,) for 1-D positions: the x-derivative)
        """
        t, line = _positions("MultiLinkChannel", "pos", pos, line_ok=True)
        _, dHdt = plane_wave_rows_grad(self.dirs, self.gains, t, self.kappa, self.sign)   # (..., K, N, 2)
        dHc = np.conj(np.asarray(dH, complex))
        g = np.real(np.einsum("...kn,...knd->...nd", dHc, dHdt))
        return g[..., 0] if line else g

    def stack(self, other: "MultiLinkChannel") -> "MultiLinkChannel":
        """Rows of ``self`` then of ``other`` (K1 + K2 links; the shorter path axis padded with zero gains)."""
        o = "MultiLinkChannel.stack"
        if not isinstance(other, MultiLinkChannel):
            fail(o, "other", type(other).__name__, "must be a MultiLinkChannel")
        if other.wavelength != self.wavelength or other.sign != self.sign:
            fail(o, "other", f"<wavelength {other.wavelength}, sign {other.sign}>",
                 f"must have this channel's wavelength {self.wavelength} and sign {self.sign}")
        L = max(self.L, other.L)

        def pad(c):
            return (np.pad(c.dirs, ((0, 0), (0, L - c.L), (0, 0))), np.pad(c.gains, ((0, 0), (0, L - c.L))))

        (d1, g1), (d2, g2) = pad(self), pad(other)
        return MultiLinkChannel(np.concatenate([d1, d2]), np.concatenate([g1, g2]), self.wavelength, self.sign)

    @classmethod
    def from_paths(cls, paths: Paths, *, wavelength: float = 1.0) -> "MultiLinkChannel":
        """Links (K,) of :class:`~matoolbox.channels.paths.Paths` seen from the moving transmit array.

        dirs = ``paths.w_t``, gains = ``paths.gains``, sign +1: row k equals
        ``paths[k].channel(r=0, t, wavelength)`` (the single receive antenna at the origin).
        """
        o = "MultiLinkChannel.from_paths"
        if not isinstance(paths, Paths):
            fail(o, "paths", type(paths).__name__, "must be a Paths")
        if len(paths.links) != 1:
            fail(o, "paths", f"<Paths with links {paths.links}>", "must have links (K,)")
        return cls(paths.w_t, paths.gains, _wavelength(o, wavelength), 1)

    @classmethod
    def random(cls, K: int, L: int, rng=None, *, los: bool = True, nlos_power: float = 0.01,
               angles: str = "uniform", wavelength: float = 1.0) -> "MultiLinkChannel":
        r"""The secure-MA statistics: h_k[m] = sum_l beta_kl exp(-j 2 pi u_kl . t_m / lambda).

        With ``los``, path 0 is LoS with beta ~ CN(0, 1) and paths 1..L are NLoS with
        beta ~ CN(0, nlos_power) (L + 1 paths); without, L NLoS paths. Directions
        u = [sin theta cos phi, cos theta] (MZZ convention) with angles from
        :func:`~matoolbox.channels.paths.draw_angles` (``"uniform"``: i.i.d. U[0, pi]). Drawn in the
        order theta, phi (K, L'), Re beta, Im beta (K, L'). The stored rows are h_k^H, i.e.
        gains = conj(beta) and sign = +1 (beta = ``gains.conj()``).

        Parameters
        ----------
        K : int
            Links (users).
        L : int
            NLoS paths per link (>= 0 with ``los``, >= 1 without).
        rng : int, SeedSequence or numpy.random.Generator, optional
        los : bool, default True
        nlos_power : float, default 0.01
            Variance of each NLoS gain (>= 0).
        angles : {"uniform", "mzz"}
        wavelength : float, default 1.0

        Returns
        -------
        MultiLinkChannel
            dirs (K, L', 2), gains (K, L'), L' = L + 1 with ``los`` else L.
        """
        o = "MultiLinkChannel.random"
        K = require_count(o, "K", K)
        L = require_count(o, "L", L, 0 if los else 1)
        nlos_power = require_real(o, "nlos_power", nlos_power, lo=0.0)
        require_choice(o, "angles", angles, ANGLE_LAWS)
        wavelength = _wavelength(o, wavelength)
        rng = as_generator(rng)
        Lp = L + 1 if los else L
        theta, phi = draw_angles(rng, (K, Lp), angles, o)
        var = np.full(Lp, nlos_power)
        if los:
            var[0] = 1.0
        beta = _cn(rng, (K, Lp), var)
        return cls(directions(theta, phi, "fd"), np.conj(beta), wavelength, 1)
