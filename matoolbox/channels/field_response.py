r"""Field-response channel model for 2-D movable-antenna regions.

Convention (one sign everywhere, see docs/theory/comp_rsma.rst: Field-response channel): a path with unit direction
(projected wave vector) ``w`` in the MA plane has field response ``exp(+j*kappa*w^T r)`` at
position ``r`` (metres), ``kappa = 2*pi/wavelength``.  The channel row of a link is

    h^H = f(r)^H  Sigma  G(t),    f(r) = [exp(j*kappa*w^r_q^T r)]_q,   G(t) = [g(t_1), ..., g(t_I)]

Shapes: direction vectors ``W`` (L, 2); positions (..., 2); ``frv`` returns (..., L).

The hot path is :func:`steer_sum`, a batched sum of plane waves with coefficient vectors

    out[b, p, m] = sum_l C[p, l, m] * exp(sign * j * kappa * W[p, l] . pos[b, p])     (B, P, M)

and its position gradient ``d out[b,p,m] / d pos[b,p]`` of shape (B, P, M, 2).  With
``sign=-1`` and ``C[k] = (Sigma G)`` stacked over BSs it is the CoMP-RSMA channel row h_k^H(r_k)
of every user for a whole PSO swarm; with ``sign=+1`` it is a field-response DL channel.
Each kernel has a numba version (``cache=True``) and a NumPy twin (``*_numpy``) that tests compare.
"""
from __future__ import annotations

import numpy as np

from ..core.rng import as_generator
from ..core.validate import require_finite, require_positive
from . import _kernels

__all__ = [
    "wavenumber", "directions", "frv", "frv_grad", "field_response_matrix", "channel_matrix",
    "random_angles", "random_prm", "steer_sum", "steer_sum_numpy", "steer_sum_grad",
    "steer_sum_grad_numpy", "region_grid", "ula_positions",
]


def wavenumber(wavelength: float) -> float:
    """kappa = 2 pi / wavelength; a non-positive or non-finite wavelength is rejected."""
    require_positive("field_response", "wavelength", wavelength)
    return 2.0 * np.pi / float(wavelength)


def directions(theta, phi, convention: str = "comp") -> np.ndarray:
    """Unit projected wave vectors from elevation ``theta`` and azimuth ``phi`` (same shape S).

    ``"comp"`` (CoMP-RSMA convention): w = [cos(theta) sin(phi), sin(theta)], angles in [-pi/2, pi/2].
    ``"fd"`` (full-duplex convention): w = [sin(theta) cos(phi), cos(theta)], angles in [0, pi].
    Returns shape S + (2,).
    """
    theta = np.asarray(theta, float)
    phi = np.asarray(phi, float)
    if convention == "comp":
        return np.stack([np.cos(theta) * np.sin(phi), np.sin(theta)], axis=-1)
    if convention == "fd":
        return np.stack([np.sin(theta) * np.cos(phi), np.cos(theta)], axis=-1)
    raise ValueError(f"convention = {convention!r}: must be 'comp' or 'fd'")


def frv(W, pos, wavelength, sign: int = +1) -> np.ndarray:
    """Field-response vector(s) exp(sign*j*kappa*W pos): W (L, 2), pos (..., 2) -> (..., L)."""
    W = np.asarray(W, float)
    pos = np.asarray(pos, float)
    return np.exp(sign * 1j * wavenumber(wavelength) * (pos @ W.T))


def frv_grad(W, pos, wavelength, sign: int = +1) -> np.ndarray:
    """d frv / d pos: (..., L, 2)."""
    kappa = wavenumber(wavelength)
    e = frv(W, pos, wavelength, sign)
    return (sign * 1j * kappa) * e[..., :, None] * np.asarray(W, float)


def field_response_matrix(W, positions, wavelength, sign: int = +1) -> np.ndarray:
    """Stack of FRVs for N antenna positions (N, 2): returns (L, N) (the G or F of the model)."""
    return frv(W, positions, wavelength, sign).T


def channel_matrix(F, Sigma, G) -> np.ndarray:
    """MIMO channel H = F^H Sigma G: F (Lr, Nr), Sigma (Lr, Lt), G (Lt, Nt) -> (Nr, Nt)."""
    return F.conj().T @ Sigma @ G


def random_angles(rng, shape, low=-np.pi / 2, high=np.pi / 2):
    """(theta, phi), each i.i.d. uniform on [low, high] with the given shape (theta drawn first)."""
    rng = as_generator(rng)
    theta = rng.uniform(low, high, size=shape)
    phi = rng.uniform(low, high, size=shape)
    return theta, phi


def random_prm(rng, L: int, Q: int | None = None, power: float = 1.0) -> np.ndarray:
    """Path-response matrix Sigma (Q, L). Q == L: diagonal with CN(0, power/L) entries (real
    parts drawn before imaginary parts); Q != L: i.i.d. CN(0, power/(L*Q)) entries."""
    rng = as_generator(rng)
    Q = L if Q is None else Q
    if Q == L:
        re = rng.standard_normal(L)
        im = rng.standard_normal(L)
        return np.diag(np.sqrt(power / (2 * L)) * (re + 1j * im))
    re = rng.standard_normal((Q, L))
    im = rng.standard_normal((Q, L))
    return np.sqrt(power / (2 * L * Q)) * (re + 1j * im)


def region_grid(size: float, n: int, centered: bool = True) -> np.ndarray:
    """n x n grid of points over a square region of side ``size``: returns (n*n, 2) (x fastest)."""
    lo = -size / 2 if centered else 0.0
    ticks = np.linspace(lo, lo + size, n)
    X, Y = np.meshgrid(ticks, ticks)
    return np.stack([X.ravel(), Y.ravel()], axis=-1)


def ula_positions(n: int, spacing: float, centered: bool = True) -> np.ndarray:
    """Positions of an n-element ULA along x: (n, 2)."""
    x = (np.arange(n) - (n - 1) / 2 if centered else np.arange(n)) * spacing
    return np.stack([x, np.zeros(n)], axis=-1)


def _prep(W, C, pos):
    W = np.ascontiguousarray(W, dtype=np.float64)
    C = np.ascontiguousarray(C, dtype=np.complex128)
    pos = np.ascontiguousarray(pos, dtype=np.float64)
    if W.ndim != 3 or W.shape[2] != 2:
        raise ValueError(f"W: expected shape (P, L, 2), got {W.shape}")
    if C.ndim != 3 or C.shape[:2] != W.shape[:2]:
        raise ValueError(f"C: expected shape (P, L, M) with (P, L) = {W.shape[:2]}, got {C.shape}")
    squeeze = pos.ndim == 2
    if squeeze:
        pos = pos[None]
    if pos.ndim != 3 or pos.shape[1:] != (W.shape[0], 2):
        raise ValueError(f"pos: expected shape (B, P, 2) with P = {W.shape[0]}, got {pos.shape}")
    if not np.all(np.isfinite(pos)):
        require_finite("field_response", "pos", pos)
    return W, C, pos, squeeze


def steer_sum_numpy(W, C, pos, wavelength, sign: int = -1):
    """NumPy twin of :func:`steer_sum`: W (P, L, 2), C (P, L, M), pos (B, P, 2) -> (B, P, M)."""
    W, C, pos, squeeze = _prep(W, C, pos)
    E = np.exp(sign * 1j * wavenumber(wavelength) * np.einsum("pld,bpd->bpl", W, pos))
    out = np.einsum("bpl,plm->bpm", E, C)
    return out[0] if squeeze else out


def steer_sum_grad_numpy(W, C, pos, wavelength, sign: int = -1):
    """NumPy twin of :func:`steer_sum_grad`: returns (value (B,P,M), gradient (B,P,M,2))."""
    W, C, pos, squeeze = _prep(W, C, pos)
    kappa = wavenumber(wavelength)
    E = np.exp(sign * 1j * kappa * np.einsum("pld,bpd->bpl", W, pos))
    out = np.einsum("bpl,plm->bpm", E, C)
    grad = (sign * 1j * kappa) * np.einsum("bpl,pld,plm->bpmd", E, W, C)
    return (out[0], grad[0]) if squeeze else (out, grad)


def steer_sum(W, C, pos, wavelength, sign: int = -1):
    """Batched plane-wave sum (numba): W (P, L, 2), C (P, L, M), pos (B, P, 2) or (P, 2)."""
    W, C, pos, squeeze = _prep(W, C, pos)
    out = _kernels.steer_sum_nb(W, C, pos, wavenumber(wavelength), float(sign))
    return out[0] if squeeze else out


def steer_sum_grad(W, C, pos, wavelength, sign: int = -1):
    """Value and position gradient (numba): returns ((B,P,M), (B,P,M,2))."""
    W, C, pos, squeeze = _prep(W, C, pos)
    out, grad = _kernels.steer_sum_grad_nb(W, C, pos, wavenumber(wavelength), float(sign))
    return (out[0], grad[0]) if squeeze else (out, grad)
