r"""Downlink CoMP with rate splitting (RSMA) and one movable antenna per user (theory page docs/theory/comp_rsma.rst).

N BSs with I fixed antennas each jointly serve K single-MA users (coherent joint transmission).
Stream s = 0 is the common stream, s = k (1..K) the private stream of user k. With the stacked,
noise-normalised channel row h_k^H(r_k) in C^{NI} and stacked precoders p_s = P[:, :, s].reshape(NI),

    a_{k,s} = h_k^H p_s,   I^p_k = sum_{j>=1, j!=k} |a_{k,j}|^2 + 1,   I^c_k = I^p_k + |a_{k,k}|^2,
    T_k = I^c_k + |a_{k,0}|^2,   R_{c,k} = log2(T_k / I^c_k),   R_{p,k} = log2(I^c_k / I^p_k).

Problem (15):  max_{P, c, r} sum_k (c_k + R_{p,k})  s.t.  ||P_n||_F^2 <= P_M^n,  c_k + R_{p,k} >= R_th,
c >= 0,  sum_k c_k <= min_k R_{c,k},  r_k in [-A/2, A/2]^2.  SDMA: p_0 = 0, c = 0.  FPA: r = 0.

For fixed (P, r) the optimal split is the LP of the reduced form (closed form :func:`lp_split`); the
"reduced" problem (``problem.as_reduced()``) scores V(P, r) = min_k R_{c,k} + sum_k R_{p,k} with the
split eliminated; its violation is the LP infeasibility sum_k max(0, R_th - R_{p,k}) - min_k R_{c,k}.

Variables (``x`` dict): ``precoders`` (N, I, K+1) complex [W^(1/2)], ``common`` (K,) [bit/s/Hz],
``positions`` (K, 2) [m]. Gradients use the convention grad = dF/dRe + 1j dF/dIm (Analytic gradients).
Channel model: ``h_{n,k}^H = f_{n,k}(r_k)^H Sigma_{n,k} G_{n,k}`` (Field-response channel).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["RateGrad", "rates_from_gains", "rate_coefficients", "lp_split", "project_split", "project_power"]

LN2 = math.log(2.0)


# --------------------------------------------------------------------------------------------
# array-level building blocks (batch-friendly: leading axes are broadcast)
# --------------------------------------------------------------------------------------------
def _interference(A):
    """From gains A (..., K, K+1) return |A|^2, I^p, I^c, T (each (..., K))."""
    S = np.abs(A) ** 2
    priv = S[..., 1:]                                   # (..., K, K): [k, j] = |a_{k,j+1}|^2
    own = np.diagonal(priv, axis1=-2, axis2=-1)         # |a_{k,k}|^2
    Ic = priv.sum(axis=-1) + 1.0
    Ip = np.maximum(Ic - own, 1.0)                      # >= noise (1); guards cancellation at huge SNR
    T = Ic + S[..., 0]
    return S, Ip, Ic, T


def rates_from_gains(A):
    """Common and private rates (bit/s/Hz) from stream gains A (..., K, K+1): returns (Rc, Rp)."""
    _, Ip, Ic, T = _interference(np.asarray(A))
    return np.log2(T / Ic), np.log2(Ic / Ip)


def rates_of_rows(A, rows):
    """Rates of the users ``rows`` (m,) from their gain rows A (..., m, K+1): (Rc, Rp) (..., m).
    User k's rates depend on its own row a_k only, so a batch that moves some users needs theirs."""
    S = np.abs(np.asarray(A)) ** 2
    rows = np.asarray(rows)
    Ic = S[..., 1:].sum(axis=-1) + 1.0
    Ip = np.maximum(Ic - S[..., np.arange(rows.size), rows + 1], 1.0)
    return np.log2((Ic + S[..., 0]) / Ic), np.log2(Ic / Ip)


def rate_coefficients(A, wc, wp):
    r"""C_{k,s} = dF/d|a_{k,s}|^2 for F = sum_k (wc_k R_{c,k} + wp_k R_{p,k}) (Analytic gradients): (..., K, K+1)."""
    _, Ip, Ic, T = _interference(np.asarray(A))
    wc = np.asarray(wc, float)
    wp = np.asarray(wp, float)
    base = wc * (1.0 / T - 1.0 / Ic)                     # (..., K)
    K = Ip.shape[-1]
    C = np.empty(Ip.shape + (K + 1,))
    C[..., 0] = wc / T
    C[..., 1:] = (base + wp * (1.0 / Ic - 1.0 / Ip))[..., None]
    idx = np.arange(K)
    C[..., idx, idx + 1] = base + wp / Ic
    return C / LN2


def lp_split(Rc, Rp, rth):
    r"""Optimal common split (LP split) for rates Rc, Rp (K,): returns (c, feasible).

    LP: max sum c  s.t. c >= l := max(0, R_th - Rp), sum c <= min Rc. Feasible iff sum l <= min Rc;
    then c = l + (min Rc - sum l)/K (equal share of the slack, sum c = min Rc). Infeasible: c = l
    scaled down to sum c = max(min Rc, 0) (c >= 0 kept, QoS violated).
    """
    Rc = np.asarray(Rc, float)
    Rp = np.asarray(Rp, float)
    ell = np.maximum(0.0, rth - Rp)
    total = float(np.min(Rc))
    slack = total - float(ell.sum())
    if slack >= 0.0:
        return ell + slack / ell.size, True
    s = float(ell.sum())
    return ell * (max(total, 0.0) / s), False


def project_split(v, total, lower=None):
    r"""Euclidean projection of v (K,) onto {c >= lower, sum c <= total} (sort-based capped-simplex rule).

    ``lower`` defaults to 0. Returns (c, feasible); when sum(lower) > total the set is empty and
    (lower, False) is returned.
    """
    v = np.asarray(v, float)
    ell = np.zeros_like(v) if lower is None else np.broadcast_to(np.asarray(lower, float), v.shape)
    b = float(total) - float(ell.sum())
    if b < 0:
        return np.array(ell, copy=True), False
    w = v - ell
    pos = np.maximum(w, 0.0)
    if pos.sum() <= b:
        return ell + pos, True
    u = np.sort(w)[::-1]
    cs = np.cumsum(u) - b
    m = np.arange(1, u.size + 1)
    rho = int(np.nonzero(u - cs / m > 0)[0][-1]) + 1
    tau = cs[rho - 1] / rho
    return ell + np.maximum(w - tau, 0.0), True


def project_power(P, pmax):
    """Per-BS power projection: P_n <- P_n min(1, sqrt(pmax_n)/||P_n||_F); P (N, I, S), pmax (N,)."""
    P = np.asarray(P, complex)
    pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
    scale = np.ones_like(pw)
    over = pw > pmax
    scale[over] = np.sqrt(pmax[over] / pw[over])
    return P * scale[:, None, None]


_PARALLEL_MIN_BATCH = 4096


def _numba_call(f, W, C, pos, wavelength, sign):
    """Call a batched numba kernel; batches below ``_PARALLEL_MIN_BATCH`` run on one numba thread
    (measured on a busy 2-core box: 1.3 ms on one thread against 31 ms on two for B = 441)."""
    if pos.shape[0] >= _PARALLEL_MIN_BATCH:
        return f(W, C, pos, wavelength, sign=sign)
    import numba

    prev = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return f(W, C, pos, wavelength, sign=sign)
    finally:
        numba.set_num_threads(prev)


class RateGrad(NamedTuple):
    """Output of :meth:`CompRsmaProblem.weighted_rates`: value F, grad_P (N, I, K+1) complex,
    grad_r (K, 2) [1/m], rates Rc, Rp (K,), gains A (K, K+1)."""

    value: float
    grad_precoders: np.ndarray
    grad_positions: np.ndarray
    Rc: np.ndarray
    Rp: np.ndarray
    A: np.ndarray
