"""numba kernel of the XL-MA hot path (the NumPy twin is ``nearfield.correlation_c_numpy``).

LoS correlation part of Theorem 1 (docs/theory/xlma.rst), for every grid k and position n:

    out[k, n] = ell[k, n] * sum_{k' != k} w[k'] ell[k', n] D_MH(sH (ux[k',n]-ux[k,n])) D_MV(sV (uz[k',n]-uz[k,n]))

with the Dirichlet kernel D_M(psi) = sin^2(M psi/2) / sin^2(psi/2) (= M^2 when |sin(psi/2)| < 1e-12).
No transcendental function in the O(K^2 N0) loop: with a = s ux / 2 per (k, n),
sin(psi/2) = sin(a') cos(a) - cos(a') sin(a) and sin(M psi/2) = sin(M a') cos(M a) - cos(M a') sin(M a).
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, inline="always")
def _dir(s1, c1, sm1, cm1, s0, c0, sm0, cm0, M):
    s = s1 * c0 - c1 * s0
    if abs(s) < 1e-12:
        return float(M * M)
    t = sm1 * cm0 - cm1 * sm0
    return (t * t) / (s * s)


@nb.njit(cache=True, parallel=True, fastmath=False)
def correlation_c_nb(ux, uz, ell, w, MH, MV, sH, sV):
    K, N0 = ell.shape
    # transposed (N0, K) copies: the inner loop over k' then reads contiguous memory
    aH = np.ascontiguousarray((0.5 * sH * ux).T)
    aV = np.ascontiguousarray((0.5 * sV * uz).T)
    sh, ch, smh, cmh = np.sin(aH), np.cos(aH), np.sin(MH * aH), np.cos(MH * aH)
    sv, cv, smv, cmv = np.sin(aV), np.cos(aV), np.sin(MV * aV), np.cos(MV * aV)
    lT = np.ascontiguousarray(ell.T)
    wl = np.empty_like(lT)
    for n in range(N0):
        for kp in range(K):
            wl[n, kp] = lT[n, kp] * w[kp]
    out = np.zeros((K, N0))
    for k in nb.prange(K):
        for n in range(N0):
            lk = lT[n, k]
            if lk == 0.0:
                continue
            s0, c0, sm0, cm0 = sh[n, k], ch[n, k], smh[n, k], cmh[n, k]
            v0, d0, vm0, dm0 = sv[n, k], cv[n, k], smv[n, k], cmv[n, k]
            acc = 0.0
            for kp in range(K):
                lw = wl[n, kp]
                if kp == k or lw == 0.0:
                    continue
                q = _dir(sh[n, kp], ch[n, kp], smh[n, kp], cmh[n, kp], s0, c0, sm0, cm0, MH)
                if MV > 1:
                    q *= _dir(sv[n, kp], cv[n, kp], smv[n, kp], cmv[n, kp], v0, d0, vm0, dm0, MV)
                acc += lw * q
            out[k, n] = lk * acc
    return out


@nb.njit(cache=True, parallel=True, fastmath=False)
def subset_rates_nb(BT, GT, ET, rho, gamma, M, S):
    """Closed-form F of every subset: S (B, n) candidate indices, BT/GT/ET (N0, K) transposed
    Theorem-1 matrices, rho (K,).  F = sum_k rho_k log2(1 + gamma (M^2 sb^2 + sg) / (se + M sb))
    with s_x = sum_{n in subset} X[k, n] (grids with sb = 0 contribute 0).  Returns (B,)."""
    nB, n = S.shape
    K = BT.shape[1]
    out = np.zeros(nB)
    inv_ln2 = 1.0 / math.log(2.0)
    for b in nb.prange(nB):
        sb = np.zeros(K)
        sg = np.zeros(K)
        se = np.zeros(K)
        for i in range(n):
            c = S[b, i]
            for k in range(K):
                sb[k] += BT[c, k]
                sg[k] += GT[c, k]
                se[k] += ET[c, k]
        acc = 0.0
        for k in range(K):
            if sb[k] > 0.0:
                acc += rho[k] * math.log1p(gamma * (M * M * sb[k] * sb[k] + sg[k]) / (se[k] + M * sb[k]))
        out[b] = acc * inv_ln2
    return out
