r"""Rician channels of a 1-D (linear) movable-antenna array (theory page docs/theory/uplink.rst: System model).

Antenna positions ``x`` (..., M) on a line (same length unit as ``wavelength``), user angles of
arrival ``theta`` (K,) in [0, pi], ``kappa = 2 pi / wavelength``:

    a(x, theta_k)_m = exp(+j kappa x_m cos(theta_k))                 steering matrix A (..., M, K)
    G(x) = A^H A,   G_ij = sum_m exp(j kappa x_m (c_j - c_i))        LoS Gram (..., K, K)
    h_k = sqrt(beta_k) (omega_k a(x, theta_k) + nu_k g_k),  g_k ~ CN(0, I_M) i.i.d.
    omega_k = sqrt(K_k / (K_k + 1)),  nu_k = sqrt(1 / (K_k + 1))      (Rician factor K_k)

Stacked: H = (A diag(omega) + W diag(nu)) diag(sqrt(beta)), W (S, M, K) with CN(0, 1) entries.
The NLoS part does not depend on the positions (no spatial correlation), so common random numbers
``W`` may be drawn once and reused for any layout.
"""
from __future__ import annotations

import numpy as np

from ..core.rng import as_generator

__all__ = [
    "rician_weights", "steering_matrix", "steering_matrix_grad", "los_gram", "nlos_samples",
    "rician_channels", "gram_gradient",
]


def rician_weights(rician) -> tuple[np.ndarray, np.ndarray]:
    """LoS / NLoS amplitude weights (omega, nu) = (sqrt(K/(K+1)), sqrt(1/(K+1))), shape of ``rician``."""
    k = np.asarray(rician, float)
    return np.sqrt(k / (k + 1.0)), np.sqrt(1.0 / (k + 1.0))


def steering_matrix(x, theta, wavelength: float = 1.0) -> np.ndarray:
    """A[..., m, k] = exp(j kappa x[..., m] cos theta_k): x (..., M), theta (K,) -> (..., M, K)."""
    x = np.asarray(x, float)
    c = np.cos(np.asarray(theta, float))
    return np.exp(1j * (2.0 * np.pi / float(wavelength)) * x[..., :, None] * c)


def steering_matrix_grad(x, theta, wavelength: float = 1.0) -> np.ndarray:
    """dA[..., m, k] / dx_m = j kappa cos(theta_k) A[..., m, k] (the only non-zero derivative), (..., M, K)."""
    kappa = 2.0 * np.pi / float(wavelength)
    c = np.cos(np.asarray(theta, float))
    return 1j * kappa * c * steering_matrix(x, theta, wavelength)


def los_gram(x, theta, wavelength: float = 1.0) -> np.ndarray:
    """G = A^H A (..., K, K); G_kk = M."""
    A = steering_matrix(x, theta, wavelength)
    return np.conj(np.swapaxes(A, -1, -2)) @ A


def gram_gradient(A, c, Y, wavelength: float = 1.0) -> np.ndarray:
    r"""Gradient w.r.t. x of a real function f(G(x)) whose differential is df = Re tr(Y dG).

    With [dG/dx_m]_ij = j kappa (c_j - c_i) conj(A_mi) A_mj and Hermitian ``Y`` (K, K):

        df/dx_m = -kappa Im( sum_i conj(A_mi) [ (A C Y)_mi - c_i (A Y)_mi ] ),   C = diag(c).

    ``A`` (M, K), ``c`` = cos(theta) (K,); returns (M,). The entries sum to zero (shift invariance).
    """
    kappa = 2.0 * np.pi / float(wavelength)
    AY = A @ Y
    ACY = (A * c) @ Y
    return -kappa * np.imag(np.sum(np.conj(A) * (ACY - AY * c), axis=-1))


def nlos_samples(rng, n_samples: int, M: int, K: int) -> np.ndarray:
    """W (S, M, K) with i.i.d. CN(0, 1) entries (real and imaginary parts N(0, 1/2)).

    Sample s uses the stream's values s*2MK .. (s+1)*2MK - 1, so drawing in chunks gives the same
    samples as one draw (a shorter draw is a prefix of a longer one).
    """
    rng = as_generator(rng)
    z = rng.standard_normal((int(n_samples), int(M), int(K), 2))
    return (z[..., 0] + 1j * z[..., 1]) * np.sqrt(0.5)


def rician_channels(x, theta, rician, beta=1.0, wavelength: float = 1.0, *, n_samples=None,
                    rng=None, W=None) -> np.ndarray:
    """Channel draws H (S, M, K) = (A diag(omega) + W diag(nu)) diag(sqrt(beta)) for layout x (M,).

    Either pass ``W`` (S, M, K) (common random numbers) or ``n_samples`` and ``rng``.
    ``rician`` and ``beta`` are scalars or (K,) arrays.
    """
    x = np.asarray(x, float)
    theta = np.asarray(theta, float)
    K = theta.shape[-1]
    if W is None:
        if n_samples is None:
            raise ValueError("rician_channels: pass W or n_samples")
        W = nlos_samples(rng, n_samples, x.shape[-1], K)
    omega, nu = rician_weights(np.broadcast_to(np.asarray(rician, float), (K,)))
    sb = np.sqrt(np.broadcast_to(np.asarray(beta, float), (K,)))
    A = steering_matrix(x, theta, wavelength)
    return (A * omega + W * nu) * sb
