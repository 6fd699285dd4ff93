"""numba kernels of the field-response hot paths (NumPy twins live in field_response.py)."""
from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True, parallel=True, fastmath=False)
def steer_sum_nb(W, C, pos, kappa, sign):
    B, P, _ = pos.shape
    L = W.shape[1]
    M = C.shape[2]
    out = np.zeros((B, P, M), dtype=np.complex128)
    for b in nb.prange(B):
        for p in range(P):
            x = pos[b, p, 0]
            y = pos[b, p, 1]
            for l in range(L):
                ph = sign * kappa * (W[p, l, 0] * x + W[p, l, 1] * y)
                e = complex(math.cos(ph), math.sin(ph))
                for m in range(M):
                    out[b, p, m] += e * C[p, l, m]
    return out


@nb.njit(cache=True, parallel=True, fastmath=False)
def steer_sum_grad_nb(W, C, pos, kappa, sign):
    B, P, _ = pos.shape
    L = W.shape[1]
    M = C.shape[2]
    out = np.zeros((B, P, M), dtype=np.complex128)
    grad = np.zeros((B, P, M, 2), dtype=np.complex128)
    for b in nb.prange(B):
        for p in range(P):
            x = pos[b, p, 0]
            y = pos[b, p, 1]
            for l in range(L):
                wx = W[p, l, 0]
                wy = W[p, l, 1]
                ph = sign * kappa * (wx * x + wy * y)
                e = complex(math.cos(ph), math.sin(ph))
                de = complex(0.0, sign * kappa) * e
                for m in range(M):
                    t = e * C[p, l, m]
                    out[b, p, m] += t
                    dt = de * C[p, l, m]
                    grad[b, p, m, 0] += dt * wx
                    grad[b, p, m, 1] += dt * wy
    return out, grad
