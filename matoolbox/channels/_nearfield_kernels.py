"""numba kernel of the XL-MA hot path (the NumPy twin is ``nearfield.correlation_c_numpy``).

LoS correlation part of Theorem 1 (specs/xlma.md §5), for every grid k and position n:

    out[k, n] = ell[k, n] * sum_{k' != k} w[k'] ell[k', n] D_MH(sH (ux[k',n]-ux[k,n])) D_MV(sV (uz[k',n]-uz[k,n]))

with the Dirichlet kernel D_M(psi) = sin^2(M psi/2) / sin^2(psi/2) (= M^2 when sin(psi/2) ~ 0).
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, inline="always")
def _dirichlet(M, psi):
    s = math.sin(0.5 * psi)
    if abs(s) < 1e-12:
        return float(M * M)
    t = math.sin(0.5 * M * psi)
    return (t * t) / (s * s)


@nb.njit(cache=True, parallel=True, fastmath=False)
def correlation_c_nb(ux, uz, ell, w, MH, MV, sH, sV):
    K, N0 = ell.shape
    out = np.zeros((K, N0))
    for k in nb.prange(K):
        for n in range(N0):
            lk = ell[k, n]
            if lk == 0.0:
                continue
            acc = 0.0
            for kp in range(K):
                if kp == k:
                    continue
                lw = w[kp] * ell[kp, n]
                if lw == 0.0:
                    continue
                q = _dirichlet(MH, sH * (ux[kp, n] - ux[k, n]))
                if MV > 1:
                    q *= _dirichlet(MV, sV * (uz[kp, n] - uz[k, n]))
                acc += lw * q
            out[k, n] = lk * acc
    return out
