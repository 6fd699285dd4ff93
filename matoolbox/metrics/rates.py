r"""SINR-based figures of merit of a multi-user MISO downlink and their gradients.

Channel rows h_k^H stacked in H (K, N), linear precoders W = [w_1, ..., w_K] (N, K), noise
sigma^2 at every receiver. With S = H W (S_ki = h_k^H w_i):

.. math::

    \mathrm{SINR}_k = \frac{|S_{kk}|^2}{\sigma^2 + \sum_{i \ne k} |S_{ki}|^2},\qquad
    R_k = \log_2(1 + \mathrm{SINR}_k) = \log_2 T_k - \log_2 U_k,

:math:`T_k = \sigma^2 + \sum_i |S_{ki}|^2`, :math:`U_k = \sigma^2 + \sum_{i\ne k} |S_{ki}|^2`.
For a real F = sum_k a_k R_k the gradient w.r.t. S (convention 2 dF/dS*) is

.. math::

    dS_{ki} = \frac{2 a_k}{\ln 2}\, S_{ki} \Big(\frac{1}{T_k} - \frac{[i \ne k]}{U_k}\Big),\qquad
    dH = dS\, W^H,\quad dW = H^H dS.

Every function accepts leading batch axes (H (..., K, N), W (..., N, K), noise scalar or (...)).
"""
from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from ..core.validate import fail
from ._common import LN2, complex_array, ct, noise_array

__all__ = ["sinr", "rates", "sum_rate", "min_rate", "softmin_rate", "secrecy_terms", "secrecy_sum_rate"]


def _scalar(v):
    return float(v) if np.ndim(v) == 0 else v


def _parts(o, H, W, noise):
    """Checked H, W, S = H W, T_k, U_k (see the module docstring)."""
    H = complex_array(o, "H", H)
    W = complex_array(o, "W", W)
    K, N = H.shape[-2:]
    if W.shape[-2:] != (N, K):
        fail(o, "W", f"<array of shape {W.shape}>", f"must have shape (..., {N}, {K}) (N, K) for H of shape {H.shape}")
    s2 = noise_array(o, noise)[..., None]
    S = H @ W
    P = np.abs(S) ** 2
    idx = np.arange(K)
    sig = P[..., idx, idx]
    P[..., idx, idx] = 0.0
    U = s2 + P.sum(axis=-1)                  # noise + interference, summed without the signal term
    return H, W, S, U + sig, U, sig


def _weights(o, weights, K):
    if weights is None:
        return np.ones(K)
    a = np.asarray(weights)
    if a.dtype.kind not in "iuf" or not np.all(np.isfinite(a)) or a.shape[-1:] != (K,):
        fail(o, "weights", weights if a.size <= 6 else f"<array of shape {a.shape}>",
             f"must be a finite real array of shape (..., {K})")
    return a.astype(float)


def _grads(H, W, S, T, U, a):
    """dH (..., K, N) and dW (..., N, K) of sum_k a_k R_k."""
    K = S.shape[-1]
    off = 1.0 - np.eye(K)
    dS = (2.0 / LN2) * np.asarray(a)[..., :, None] * S * (1.0 / T[..., :, None] - off / U[..., :, None])
    return dS @ ct(W), ct(H) @ dS


def sinr(H, W, noise):
    """Per-user SINR_k = |h_k^H w_k|^2 / (noise + sum_{i != k} |h_k^H w_i|^2).

    Parameters
    ----------
    H : array_like, shape (..., K, N), complex
        Rows h_k^H.
    W : array_like, shape (..., N, K), complex
        Precoders, column k for user k.
    noise : float or array_like, shape (...)

    Returns
    -------
    numpy.ndarray, shape (..., K)
    """
    *_, U, sig = _parts("sinr", H, W, noise)
    return sig / U


def rates(H, W, noise):
    """Per-user rates R_k = log2(1 + SINR_k) (bit/s/Hz): H (..., K, N), W (..., N, K) -> (..., K)."""
    *_, U, sig = _parts("rates", H, W, noise)
    return np.log1p(sig / U) / LN2


def sum_rate(H, W, noise, weights=None, *, grad: bool = False):
    """Weighted sum rate sum_k a_k log2(1 + SINR_k).

    Parameters
    ----------
    H : array_like, shape (..., K, N), complex
    W : array_like, shape (..., N, K), complex
    noise : float or array_like, shape (...)
    weights : array_like, shape (K,) or (..., K), optional
        a_k (default all 1).
    grad : bool, default False

    Returns
    -------
    value : float or numpy.ndarray, shape (...)
    dH : numpy.ndarray, shape (..., K, N)
        Only with ``grad=True`` (2 dF/dH*).
    dW : numpy.ndarray, shape (..., N, K)
        Only with ``grad=True``.
    """
    o = "sum_rate"
    H, W, S, T, U, sig = _parts(o, H, W, noise)
    a = _weights(o, weights, H.shape[-2])
    value = _scalar(np.sum(a * np.log1p(sig / U), axis=-1) / LN2)
    if not grad:
        return value
    return (value, *_grads(H, W, S, T, U, a))


def min_rate(H, W, noise, *, grad: bool = False):
    r"""Max-min objective min_k log2(1 + SINR_k), with a subgradient.

    The minimum is not differentiable where two users tie. With ``grad=True`` the returned
    gradient is that of the rate of the worst user k* = argmin_k R_k (ties: the lowest index),
    i.e. the :func:`sum_rate` gradient with one-hot weights e_{k*}:

    .. math::

        dH = dS\, W^H,\quad dW = H^H dS,\quad
        dS_{ki} = \frac{2 [k = k^*]}{\ln 2}\, S_{ki} \Big(\frac{1}{T_k} - \frac{[i \ne k]}{U_k}\Big).

    It is the gradient where the minimum is unique, and one element of the (Clarke)
    subdifferential where it is not: a subgradient, not a descent-safe gradient, so an ascent on
    it can zig-zag between users (climb :func:`softmin_rate` instead and score on this).

    Parameters
    ----------
    H : array_like, shape (..., K, N), complex
    W : array_like, shape (..., N, K), complex
    noise : float or array_like, shape (...)
    grad : bool, default False

    Returns
    -------
    value : float or numpy.ndarray, shape (...)
    dH : numpy.ndarray, shape (..., K, N)
        Only with ``grad=True`` (2 dR_{k*}/dH*, the convention of :mod:`matoolbox.core.gradcheck`).
    dW : numpy.ndarray, shape (..., N, K)
        Only with ``grad=True``.
    """
    o = "min_rate"
    H, W, S, T, U, sig = _parts(o, H, W, noise)
    R = np.log1p(sig / U) / LN2
    value = _scalar(np.min(R, axis=-1))
    if not grad:
        return value
    onehot = (np.arange(R.shape[-1]) == np.argmin(R, axis=-1)[..., None]).astype(float)
    return (value, *_grads(H, W, S, T, U, onehot))


def softmin_rate(H, W, noise, t, *, grad: bool = False):
    r"""Smooth lower surrogate of the minimum rate, -(1/t) log sum_k exp(-t R_k).

    min_k R_k - log(K)/t <= value <= min_k R_k; computed with ``scipy.special.logsumexp``.
    Its gradient is that of the weighted sum rate with weights p = softmax(-t R).

    Parameters
    ----------
    H : array_like, shape (..., K, N), complex
    W : array_like, shape (..., N, K), complex
    noise : float or array_like, shape (...)
    t : float
        Temperature > 0 (larger: closer to the minimum).
    grad : bool, default False

    Returns
    -------
    value : float or numpy.ndarray, shape (...)
    dH : numpy.ndarray, shape (..., K, N)
        Only with ``grad=True``.
    dW : numpy.ndarray, shape (..., N, K)
        Only with ``grad=True``.
    """
    o = "softmin_rate"
    if isinstance(t, bool) or not np.isscalar(t) or not np.isfinite(t) or not t > 0:
        fail(o, "t", t, "must be a positive finite real")
    H, W, S, T, U, sig = _parts(o, H, W, noise)
    R = np.log1p(sig / U) / LN2
    lse = logsumexp(-t * R, axis=-1)
    value = _scalar(-lse / t)
    if not grad:
        return value
    p = np.exp(-t * R - np.asarray(lse)[..., None])
    return (value, *_grads(H, W, S, T, U, p))


def _eve(o, G, W, noise, N, K):
    G = complex_array(o, "G", G)
    if G.shape[-1] != N:
        fail(o, "G", f"<array of shape {G.shape}>", f"must have shape (..., J, {N})")
    E = G @ W                                                   # (..., J, K): g_j^H w_k
    s2 = noise_array(o, noise)[..., None]
    return G, E, s2 + np.sum(np.abs(E) ** 2, axis=-2)           # noise + sum_j |g_j^H w_k|^2


def secrecy_terms(H, G, W, noise):
    r"""Per-user secrecy terms log2(1 + SINR_k) - log2(1 + sum_j |g_j^H w_k|^2 / noise), without [.]^+.

    The eavesdroppers collude (MRC) and cancel the other users' streams.

    Parameters
    ----------
    H : array_like, shape (..., K, N), complex
        Legitimate users' rows h_k^H.
    G : array_like, shape (..., J, N), complex
        Eavesdroppers' rows g_j^H (J may be 0).
    W : array_like, shape (..., N, K), complex
    noise : float or array_like, shape (...)

    Returns
    -------
    numpy.ndarray, shape (..., K)
    """
    o = "secrecy_terms"
    H, W, S, T, U, sig = _parts(o, H, W, noise)
    K, N = H.shape[-2:]
    _, _, V = _eve(o, G, W, noise, N, K)
    s2 = noise_array(o, noise)[..., None]
    return (np.log1p(sig / U) - np.log(V / s2)) / LN2


def secrecy_sum_rate(H, G, W, noise, active=None, *, grad: bool = False):
    r"""Secrecy sum rate sum_k [log2(1 + SINR_k) - log2(1 + ESNR_k)]^+, ESNR_k = sum_j |g_j^H w_k|^2 / noise.

    The value always applies [.]^+. The gradient is that of the sum of the terms in the mask
    ``active`` (default: the terms that are > 0), i.e. of a smooth function on the region where
    that set of positive terms does not change. With E = G W and V_k = noise + sum_j |E_jk|^2:

    .. math::

        dE_{jk} = -\frac{2 m_k}{\ln 2} \frac{E_{jk}}{V_k},\quad dG = dE\, W^H,\quad
        dW = H^H dS + G^H dE,

    dS being the sum-rate gradient with weights m (the mask).

    Parameters
    ----------
    H : array_like, shape (..., K, N), complex
    G : array_like, shape (..., J, N), complex
    W : array_like, shape (..., N, K), complex
    noise : float or array_like, shape (...)
    active : array_like of bool, shape (K,) or (..., K), optional
        Terms whose gradient is taken (default: the positive ones).
    grad : bool, default False

    Returns
    -------
    value : float or numpy.ndarray, shape (...)
    dHG : numpy.ndarray, shape (..., K + J, N)
        Only with ``grad=True``: the gradient w.r.t. the stacked rows [H; G] (Bobs first, then
        Eves: what ``MultiLinkChannel.stack`` builds, ready for its ``vjp``).
    dW : numpy.ndarray, shape (..., N, K)
        Only with ``grad=True``.
    """
    o = "secrecy_sum_rate"
    H, W, S, T, U, sig = _parts(o, H, W, noise)
    K, N = H.shape[-2:]
    G, E, V = _eve(o, G, W, noise, N, K)
    s2 = noise_array(o, noise)[..., None]
    terms = (np.log1p(sig / U) - np.log(V / s2)) / LN2
    value = _scalar(np.sum(np.maximum(terms, 0.0), axis=-1))
    if not grad:
        return value
    if active is None:
        m = (terms > 0).astype(float)
    else:
        m = np.asarray(active)
        if m.dtype.kind != "b" or m.shape[-1:] != (K,):
            fail(o, "active", active if m.size <= 6 else f"<array of shape {m.shape}>",
                 f"must be a boolean mask of shape (..., {K})")
        m = m.astype(float)
    dH, dW = _grads(H, W, S, T, U, m)
    dE = -(2.0 / LN2) * m[..., None, :] * E / V[..., None, :]
    dG = dE @ ct(W)
    dW = dW + ct(G) @ dE
    batch = np.broadcast_shapes(dH.shape[:-2], dG.shape[:-2])
    dHG = np.concatenate([np.broadcast_to(dH, batch + dH.shape[-2:]),
                          np.broadcast_to(dG, batch + dG.shape[-2:])], axis=-2)
    return value, dHG, dW


def softmin(values, t):
    r"""Smooth minimum of the last axis and its weights, for any per-user values.

    s = -(1/t) log sum_k exp(-t v_k) (min_k v_k - log(K)/t <= s <= min_k v_k) and
    ds/dv_k = p_k = softmax(-t v)_k, so that the surrogate's gradient is sum_k p_k dv_k (use it
    for a max-min metric of your own, e.g. multicast SNRs, with ``surrogate_metric``).

    Parameters
    ----------
    values : array_like, shape (..., K)
    t : float
        Temperature > 0 (larger: closer to the minimum).

    Returns
    -------
    value : float or numpy.ndarray, shape (...)
    weights : numpy.ndarray, shape (..., K)
        p = softmax(-t v), non-negative, summing to 1.
    """
    if isinstance(t, bool) or not np.isscalar(t) or not np.isfinite(t) or not t > 0:
        fail("softmin", "t", t, "must be a positive finite real")
    v = np.asarray(values, float)
    lse = logsumexp(-t * v, axis=-1)
    return _scalar(-lse / t), np.exp(-t * v - np.asarray(lse)[..., None])
