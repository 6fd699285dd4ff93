r"""Bring your own channel: :class:`~matoolbox.comp_rsma.CompRsmaProblem` from user path
parameters (movable antennas) or from a given channel matrix (fixed antennas).

* :meth:`CompRsmaIoMixin.from_paths`: ``Paths`` with links (N, K) (BS n -> user k) and L paths
  each; Sigma_{n,k} = diag(gains) (Q = L), AoDs at the BS ULA, AoAs at the user's movable antenna.
  The channel follows the positions: h_{n,k}^H(r) = f(r)^H Sigma G.
* :meth:`CompRsmaIoMixin.from_channel`: rows h_k^H of the given matrix, used as is (FPA at the
  region centre). It is stored exactly in the field-response fields with L = I transmit paths on
  the DFT angles of the half-wavelength ULA (G G^H = I * Id, so Sigma = h^H G^H / I) and one
  receive path of direction 0 (f = 1): the rows are reproduced to rounding, the instance saves
  and reloads like any other. A movable request is refused (a matrix does not say how the
  channel changes with the position).

Power: ``pmax_dbm`` / ``noise_dbm`` or the SNR form ``snr_db`` (unit noise, 30 dBm, and
P = snr_db + 30 dBm per BS); channels are in W^(1/2) like Sigma.
"""
from __future__ import annotations

import numpy as np

from ..channels import field_response as fr
from ..channels.paths import Paths
from ..core.io import read_mapping, snr_power
from ..core.validate import fail

__all__ = ["CompRsmaIoMixin", "dft_transmit_angles"]

_OWNER = "CompRsmaProblem"


def dft_transmit_angles(I: int):
    """(theta, phi) of I transmit paths whose half-wavelength-ULA responses form a scaled DFT
    basis: w_l = sin(phi_l) = (2l + 1)/I - 1, theta = 0; G G^H = I * identity."""
    u = (2.0 * np.arange(I) + 1.0) / I - 1.0
    return np.zeros(I), np.arcsin(u)


def _as_paths(paths, owner) -> Paths:
    if isinstance(paths, Paths):
        return paths
    if isinstance(paths, (list, tuple)) and paths and all(isinstance(p, Paths) for p in paths):
        try:
            return Paths(*(np.stack([getattr(p, f) for p in paths]) for f in
                           ("gains", "theta_t", "phi_t", "theta_r", "phi_r")))
        except ValueError:
            fail(owner, "paths", f"<{len(paths)} Paths>", "one Paths per BS must have the same (K, L) shape")
    return Paths.load(paths)


def _stack_channel(H, owner):
    """(N, K, I) complex from (K, N*I) stacked rows with ``I`` given later, (N, K, I) or a list of N (K, I)."""
    if isinstance(H, (str, bytes)) or hasattr(H, "__fspath__"):
        data = read_mapping(H, owner)
        keys = [k for k in ("H", "h", "channel") if k in data]
        if not keys:
            fail(owner, "H", str(H), f"the file must hold an array 'H' (it holds {sorted(data)})")
        H = data[keys[0]]
    if isinstance(H, (list, tuple)) and H and all(np.ndim(h) == 2 for h in H):
        mats = [np.asarray(h) for h in H]
        if len({m.shape for m in mats}) != 1:
            fail(owner, "H", f"<{len(mats)} matrices of shapes {[m.shape for m in mats]}>",
                 "one matrix per BS must all have shape (K, I)")
        H = np.stack(mats)
    try:
        arr = np.asarray(H)
    except (TypeError, ValueError):
        fail(owner, "H", H, "must be a numeric array")
    if arr.dtype.kind not in "iufc":
        fail(owner, "H", H, "must be a numeric (complex) array")
    arr = arr.astype(complex)
    if not np.all(np.isfinite(arr)):
        fail(owner, "H", f"<array of shape {arr.shape} with NaN/inf>", "must be finite")
    return arr[None] if arr.ndim == 1 else arr                     # one user (K = 1)


class CompRsmaIoMixin:
    """``from_paths`` / ``from_channel`` / ``channel_matrix`` of :class:`CompRsmaProblem`."""

    @classmethod
    def from_paths(cls, paths, *, I: int = 4, wavelength: float = 0.01, region=None, snr_db=None,
                   pmax_dbm=None, noise_dbm=None, movable: bool = True, **fields):
        """Problem from user path parameters (movable antennas by default).

        ``paths``: a :class:`~matoolbox.channels.paths.Paths` with links (N, K) and L paths, a
        list of N ``Paths`` with links (K,), or a file / dict read by ``Paths.load``. ``region``
        defaults to 2 wavelengths; other keywords are problem fields (``access``, ``rth``, ...).

        Examples
        --------
        >>> import numpy as np
        >>> from matoolbox.channels.paths import Paths
        >>> from matoolbox.problems import CompRsmaProblem
        >>> z = np.zeros((2, 3, 4))                                  # N=2 BSs, K=3 users, L=4 paths
        >>> p = Paths(np.full(z.shape, 1e-6 + 0j), z + 0.1, z - 0.2, z + 0.3, z + 0.4)
        >>> prob = CompRsmaProblem.from_paths(p, snr_db=20)
        >>> prob.N, prob.K, prob.L
        (2, 3, 4)
        """
        p = _as_paths(paths, _OWNER)
        if len(p.links) != 2:
            fail(_OWNER, "paths", f"<Paths with links {p.links}>", "must have links (N, K): BS n -> user k")
        pm, nz = snr_power(_OWNER, snr_db, pmax_dbm, noise_dbm, pmax_default=33.0, noise_default=-100.0)
        Sigma = np.zeros(p.gains.shape + (p.L,), complex)
        idx = np.arange(p.L)
        Sigma[..., idx, idx] = p.gains
        region = 2 * wavelength if region is None else region
        return cls(theta_t=p.theta_t, phi_t=p.phi_t, theta_r=p.theta_r, phi_r=p.phi_r, Sigma=Sigma, I=I,
                   wavelength=wavelength, region=region, pmax_dbm=pm, noise_dbm=nz, movable=movable, **fields)

    @classmethod
    def from_channel(cls, H, *, I: int | None = None, snr_db=None, pmax_dbm=None, noise_dbm=None,
                     wavelength: float = 0.01, movable: bool = False, **fields):
        """Fixed-antenna problem whose channel rows are exactly ``H``.

        ``H``: the stacked rows (K, N*I) (row k = h_k^H = [h_{1,k}^H, ..., h_{N,k}^H], BS-major; give
        ``I``, or N = 1 is assumed), one matrix per BS (a list of N arrays (K, I)), an array
        (N, K, I), or a ``.mat`` / ``.npz`` / ``.json`` file holding ``H``. ``y_k = h_k^H x``.
        """
        if movable:
            fail(_OWNER, "movable", movable, "a channel matrix fixes the channel at one antenna position and "
                 "cannot say how it changes when the antennas move: use from_paths(paths) for movable antennas")
        if "bs_spacing" in fields:
            fail(_OWNER, "bs_spacing", fields["bs_spacing"], "is fixed (half wavelength) by from_channel")
        arr = _stack_channel(H, _OWNER)
        if arr.ndim == 2:
            K, NI = arr.shape
            I = NI if I is None else I
            if I < 1 or NI % I:
                fail(_OWNER, "I", I, f"must divide the {NI} columns of H (K, N*I)")
            arr = np.transpose(arr.reshape(K, NI // I, I), (1, 0, 2))
        elif arr.ndim != 3:
            fail(_OWNER, "H", f"<array of shape {arr.shape}>", "must be (K, N*I), (N, K, I) or a list of N (K, I)")
        elif I is not None and arr.shape[2] != I:
            fail(_OWNER, "I", I, f"H has {arr.shape[2]} antennas per BS")
        N, K, I = arr.shape
        pm, nz = snr_power(_OWNER, snr_db, pmax_dbm, noise_dbm, pmax_default=33.0, noise_default=-100.0)
        th, ph = dft_transmit_angles(I)
        t = fr.ula_positions(I, wavelength / 2)
        G = np.exp(1j * fr.wavenumber(wavelength) * np.outer(np.cos(th) * np.sin(ph), t[:, 0]))   # (L=I, I)
        Sigma = (arr @ G.conj().T / I)[:, :, None, :]                                            # (N, K, 1, I)
        zr = np.zeros((N, K, 1))
        fields.setdefault("region", 2 * wavelength)
        return cls(theta_t=np.broadcast_to(th, (N, K, I)).copy(), phi_t=np.broadcast_to(ph, (N, K, I)).copy(),
                   theta_r=zr, phi_r=zr.copy(), Sigma=Sigma, I=I, wavelength=wavelength, pmax_dbm=pm,
                   noise_dbm=nz, movable=False, **fields)

    def channel_matrix(self, positions=None) -> np.ndarray:
        """Stacked channel rows h_k^H (K, N*I) in W^(1/2) (noise not removed) at ``positions``
        (K, 2) (default: the region centre, the FPA point)."""
        pos = np.zeros((self.K, 2)) if positions is None else np.asarray(positions, float)
        sigma = np.sqrt(10 ** ((float(self.noise_dbm) - 30) / 10))
        return self.channel_rows(pos) * sigma
