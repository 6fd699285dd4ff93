r"""Log-det capacity of a MIMO link and its gradients.

.. math::

    C(H, Q) = \log_2 \det\big(I_M + H Q H^H / \sigma^2\big)   \quad\text{(bit/s/Hz)}

with H (M, N) (rows: receive antennas), Q (N, N) the transmit covariance (Hermitian PSD,
tr Q <= P for a power budget) and noise sigma^2 > 0.
"""
from __future__ import annotations

import numpy as np

from ..core.validate import fail
from ._common import LN2, complex_array, ct, noise_array

__all__ = ["capacity"]


def capacity(H, Q, noise, *, grad: bool = False):
    r"""MIMO capacity log2 det(I + H Q H^H / noise), batch-first.

    Computed as Re log det A with A = I + H Q H^H / noise by ``numpy.linalg.slogdet`` (LU with
    log-magnitudes, no determinant overflow); for Hermitian PSD Q every eigenvalue of A is >= 1,
    so the solves below are well conditioned (no explicit inverse is formed).

    Gradients (convention of :mod:`matoolbox.core.gradcheck`, ``2 dC/dZ*``), valid for any Q:

    .. math::

        dH = \frac{A^{-1} H Q + A^{-H} H Q^H}{\sigma^2 \ln 2}
             \;(= 2 A^{-1} H Q / (\sigma^2 \ln 2) \text{ for Hermitian } Q),\qquad
        dQ = \frac{H^H A^{-H} H}{\sigma^2 \ln 2}.

    Parameters
    ----------
    H : array_like, shape (..., M, N), complex
        Channel (row m: receive antenna m).
    Q : array_like, shape (..., N, N), complex
        Transmit covariance (batch axes broadcast against those of H).
    noise : float or array_like, shape (...)
        Noise power sigma^2 > 0.
    grad : bool, default False
        Also return the gradients.

    Returns
    -------
    value : float or numpy.ndarray, shape (...)
        Capacity in bit/s/Hz.
    dH : numpy.ndarray, shape (..., M, N)
        Only with ``grad=True``.
    dQ : numpy.ndarray, shape (..., N, N)
        Only with ``grad=True``.
    """
    o = "capacity"
    H = complex_array(o, "H", H)
    Q = complex_array(o, "Q", Q)
    N = H.shape[-1]
    if Q.shape[-2:] != (N, N):
        fail(o, "Q", f"<array of shape {Q.shape}>", f"must have shape (..., {N}, {N}) for H of shape {H.shape}")
    s2 = noise_array(o, noise)[..., None, None]
    HQ = H @ Q
    A = np.eye(H.shape[-2]) + HQ @ ct(H) / s2
    _, logdet = np.linalg.slogdet(A)
    value = logdet / LN2
    value = float(value) if np.ndim(value) == 0 else value
    if not grad:
        return value
    Y = np.linalg.solve(A, H)                              # A^{-1} H        (..., M, N)
    Z = np.linalg.solve(ct(A), H)                          # A^{-H} H
    scale = 1.0 / (s2 * LN2)
    dH = (Y @ Q + Z @ ct(Q)) * scale
    dQ = (ct(H) @ Z) * scale
    return value, dH, dQ
