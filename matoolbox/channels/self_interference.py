r"""Self-interference (SI) channel of a full-duplex BS with movable Tx and Rx antennas.

``H_SI(t, r)`` is (Nr, Nt): entry (m, n) couples transmit antenna n at local position
``t_n`` (region C_t = [0, A]^2) to receive antenna m at ``r_m`` (region C_r, local frame).
Global 3-D positions: ``p_t = [t; 0]`` and ``p_r = rx_offset + [r; 0]``.

Models (docs/theory/full_duplex.rst: Self-interference models), all scaled by the residual-cancellation factor sqrt(rho):

* ``"nearfield_los"`` (default): spherical wave
  ``H[m, n] = sqrt(rho) * lam / (4 pi d_mn) * exp(-j k0 d_mn)``,  ``d_mn = ||p_r(r_m) - p_t(t_n)||``.
* ``"field_response"``: ``H = sqrt(rho) F_SI(r)^H Sigma_SI G_SI(t)`` with
  ``G_SI[l, n] = exp(j k0 w^t_l . t_n)`` (Lt, Nt) and ``F_SI[q, m] = exp(j k0 w^r_q . r_m)`` (Lr, Nr).
* ``"rician"``: ``sqrt(K/(K+1)) H_nearfield + sqrt(1/(K+1)) H_field_response``.

Every model evaluates batched positions ``t`` (..., Nt, 2), ``r`` (..., Nr, 2) -> (..., Nr, Nt)
and has exact position derivatives (:meth:`SelfInterference.grad`): ``dH_dt[m, n, :]`` is
``d H[m, n] / d t_n`` and ``dH_dr[m, n, :]`` is ``d H[m, n] / d r_m`` (each entry depends only
on its own antennas), both (Nr, Nt, 2) complex.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..core.rng import as_generator
from ..core.validate import fail, require_choice, require_finite, require_positive, require_shape
from . import _kernels
from .field_response import directions, wavenumber

__all__ = ["SelfInterference", "SI_MODELS", "nearfield_si", "nearfield_si_grad"]

SI_MODELS = ("nearfield_los", "field_response", "rician")


def _diff3(t, r, rx_offset):
    """p_r(r_m) - p_t(t_n): (..., Nr, Nt, 3)."""
    t = np.asarray(t, float)
    r = np.asarray(r, float)
    o = np.asarray(rx_offset, float)
    dxy = (r[..., :, None, :] + o[:2]) - t[..., None, :, :]
    dz = np.broadcast_to(o[2], dxy.shape[:-1])[..., None]
    return np.concatenate([dxy, dz], axis=-1)


def nearfield_si(t, r, wavelength, rho=1.0, rx_offset=(0.0, 0.0, 0.0)) -> np.ndarray:
    """Spherical-wave SI matrix sqrt(rho) lam/(4 pi d) exp(-j k0 d): t (..., Nt, 2), r (..., Nr, 2)
    -> (..., Nr, Nt). Compiled (numba) for real positions; ``nearfield_si_numpy`` is its
    NumPy twin (equal to about 1e-15)."""
    t = np.asarray(t)
    r = np.asarray(r)
    if (t.ndim < 2 or r.ndim < 2 or t.shape[-1] != 2 or r.shape[-1] != 2 or 0 in t.shape or 0 in r.shape
            or t.dtype.kind not in "iuf" or r.dtype.kind not in "iuf" or np.ndim(rho) or np.iscomplexobj(rho)
            or np.size(rx_offset) != 3 or np.iscomplexobj(rx_offset)):
        return nearfield_si_numpy(t, r, wavelength, rho, rx_offset)   # shapes the kernel does not take
    wavenumber(wavelength)                       # validates the wavelength as the twin does
    batch = np.broadcast_shapes(t.shape[:-2], r.shape[:-2])
    tb = np.ascontiguousarray(np.broadcast_to(t, batch + t.shape[-2:]), dtype=np.float64).reshape((-1,) + t.shape[-2:])
    rb = np.ascontiguousarray(np.broadcast_to(r, batch + r.shape[-2:]), dtype=np.float64).reshape((-1,) + r.shape[-2:])
    out = _kernels.nearfield_si_nb(tb, rb, np.asarray(rx_offset, dtype=np.float64).reshape(3),
                                   float(wavelength), float(np.sqrt(rho)))
    return out.reshape(batch + out.shape[1:])


def nearfield_si_numpy(t, r, wavelength, rho=1.0, rx_offset=(0.0, 0.0, 0.0)) -> np.ndarray:
    """NumPy twin of :func:`nearfield_si` (the tests' reference)."""
    d = np.linalg.norm(_diff3(t, r, rx_offset), axis=-1)
    k0 = wavenumber(wavelength)
    return np.sqrt(rho) * wavelength / (4 * np.pi * d) * np.exp(-1j * k0 * d)


def nearfield_si_grad(t, r, wavelength, rho=1.0, rx_offset=(0.0, 0.0, 0.0)):
    """(H, dH_dt, dH_dr) for unbatched t (Nt, 2), r (Nr, 2); derivatives (Nr, Nt, 2).

    dH/dd = sqrt(rho) lam/(4 pi) e^{-j k0 d} (-j k0/d - 1/d^2); grad_t d = -(p_r - p_t)_{1:2}/d,
    grad_r d = +(p_r - p_t)_{1:2}/d.
    """
    diff = _diff3(t, r, rx_offset)
    d = np.linalg.norm(diff, axis=-1)
    k0 = wavenumber(wavelength)
    e = np.exp(-1j * k0 * d)
    H = np.sqrt(rho) * wavelength / (4 * np.pi * d) * e
    dHdd = np.sqrt(rho) * wavelength / (4 * np.pi) * e * (-1j * k0 / d - 1.0 / d**2)
    unit = diff[..., :2] / d[..., None]
    dH_dr = dHdd[..., None] * unit
    return H, -dH_dr, dH_dr


@dataclasses.dataclass(frozen=True, eq=False)
class SelfInterference:
    """SI channel model (see module docstring).

    model:      "nearfield_los" | "field_response" | "rician".
    wavelength: lambda in metres.
    rho:        residual-cancellation power factor (linear).
    rx_offset:  (3,) global origin of the Rx region (Tx region at the origin).
    W_t, W_r:   (Lt, 2), (Lr, 2) projected unit wave vectors of the SI paths (field-response part).
    Sigma:      (Lr, Lt) SI path-response matrix (field-response part).
    k_factor:   Rician K of the "rician" model.
    """

    model: str = "nearfield_los"
    wavelength: float = 0.1
    rho: float = 1e-7
    rx_offset: tuple = (0.5, 0.0, 0.0)
    W_t: np.ndarray | None = None
    W_r: np.ndarray | None = None
    Sigma: np.ndarray | None = None
    k_factor: float = 10.0

    def __post_init__(self):
        own = "SelfInterference"
        require_choice(own, "model", self.model, SI_MODELS)
        require_positive(own, "wavelength", self.wavelength)
        require_positive(own, "rho", self.rho)
        off = require_finite(own, "rx_offset", np.asarray(self.rx_offset, float))
        require_shape(own, "rx_offset", off, (3,))
        object.__setattr__(self, "rx_offset", tuple(float(v) for v in off))
        if self.model != "nearfield_los":
            for f in ("W_t", "W_r", "Sigma"):
                if getattr(self, f) is None:
                    fail(own, f, None, f"required by model {self.model!r}")
            W_t = require_shape(own, "W_t", np.asarray(self.W_t, float), (None, 2))
            W_r = require_shape(own, "W_r", np.asarray(self.W_r, float), (None, 2))
            S = require_shape(own, "Sigma", np.asarray(self.Sigma, complex), (W_r.shape[0], W_t.shape[0]))
            require_finite(own, "Sigma", S)
            object.__setattr__(self, "W_t", W_t)
            object.__setattr__(self, "W_r", W_r)
            object.__setattr__(self, "Sigma", S)
            require_positive(own, "k_factor", self.k_factor)

    @classmethod
    def random(cls, rng=None, *, model="nearfield_los", wavelength=0.1, rho=1e-7,
               rx_offset=(0.5, 0.0, 0.0), region_size=0.4, L_t=5, L_r=5, k_factor=10.0):
        """Draw the field-response part (when the model needs it): angles U[0, pi] ("fd"
        convention), Sigma i.i.d. CN(0, beta_SI/(Lt Lr)) with beta_SI = (lam/(4 pi d_c))^2 and
        d_c the distance between the region centres (same mean power as the near-field model)."""
        if model == "nearfield_los":
            return cls(model=model, wavelength=wavelength, rho=rho, rx_offset=rx_offset)
        rng = as_generator(rng)
        o = np.asarray(rx_offset, float)
        d_c = float(np.linalg.norm(o))
        if d_c <= 0:
            fail("SelfInterference", "rx_offset", rx_offset, "region centres coincide")
        beta = (wavelength / (4 * np.pi * d_c)) ** 2
        W_t = directions(*rng.uniform(0, np.pi, (2, L_t)), "fd")
        W_r = directions(*rng.uniform(0, np.pi, (2, L_r)), "fd")
        Sigma = np.sqrt(beta / (2 * L_t * L_r)) * (rng.standard_normal((L_r, L_t))
                                                   + 1j * rng.standard_normal((L_r, L_t)))
        return cls(model=model, wavelength=wavelength, rho=rho, rx_offset=rx_offset,
                   W_t=W_t, W_r=W_r, Sigma=Sigma, k_factor=k_factor)

    # -- evaluation -----------------------------------------------------------------------
    def _fr(self, t, r):
        k0 = wavenumber(self.wavelength)
        G = np.exp(1j * k0 * (np.asarray(t, float) @ self.W_t.T))      # (..., Nt, Lt)
        F = np.exp(1j * k0 * (np.asarray(r, float) @ self.W_r.T))      # (..., Nr, Lr)
        return F, G

    def _field_response(self, t, r):
        F, G = self._fr(t, r)
        return np.sqrt(self.rho) * (F.conj() @ self.Sigma @ np.swapaxes(G, -1, -2))

    def _weights(self):
        if self.model == "nearfield_los":
            return 1.0, 0.0
        if self.model == "field_response":
            return 0.0, 1.0
        k = self.k_factor
        return np.sqrt(k / (k + 1)), np.sqrt(1 / (k + 1))

    def matrix(self, t, r) -> np.ndarray:
        """H_SI for t (..., Nt, 2), r (..., Nr, 2) in metres (local frames): (..., Nr, Nt)."""
        a, b = self._weights()
        H = 0.0
        if a:
            H = a * nearfield_si(t, r, self.wavelength, self.rho, self.rx_offset)
        if b:
            H = H + b * self._field_response(t, r)
        return H

    def grad(self, t, r):
        """(H (Nr, Nt), dH_dt (Nr, Nt, 2), dH_dr (Nr, Nt, 2)) for unbatched t, r."""
        a, b = self._weights()
        t = np.asarray(t, float)
        r = np.asarray(r, float)
        Nt, Nr = t.shape[0], r.shape[0]
        H = np.zeros((Nr, Nt), complex)
        dt = np.zeros((Nr, Nt, 2), complex)
        dr = np.zeros((Nr, Nt, 2), complex)
        if a:
            H0, dt0, dr0 = nearfield_si_grad(t, r, self.wavelength, self.rho, self.rx_offset)
            H, dt, dr = H + a * H0, dt + a * dt0, dr + a * dr0
        if b:
            k0 = wavenumber(self.wavelength)
            F, G = self._fr(t, r)                       # (Nr, Lr), (Nt, Lt)
            s = b * np.sqrt(self.rho)
            FS = F.conj() @ self.Sigma                  # (Nr, Lt)
            H = H + s * FS @ G.T
            # d/dt_n: sum_l FS[m, l] * (j k0 W_t[l]) G[n, l]
            dt = dt + s * np.einsum("ml,nl,ld->mnd", FS, G, 1j * k0 * self.W_t)
            SG = self.Sigma @ G.T                       # (Lr, Nt)
            # d/dr_m: sum_q conj(F[m, q]) * (-j k0 W_r[q]) SG[q, n]
            dr = dr + s * np.einsum("mq,qn,qd->mnd", F.conj(), SG, -1j * k0 * self.W_r)
        return H, dt, dr
