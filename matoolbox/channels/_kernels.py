"""numba kernels of the field-response hot paths (NumPy twins live in field_response.py).

Two variants: a parallel one (``prange`` over the batch) for large batches, and a serial one for
small batches, where thread start-up and contention with other busy cores cost more than they save.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _steer_row(W, C, pos, kappa, sign, out, grad, b, with_grad):
    """Accumulate batch row ``b`` of the plane-wave sum (and its position gradient)."""
    P = pos.shape[1]
    L = W.shape[1]
    M = C.shape[2]
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
                out[b, p, m] += e * C[p, l, m]
                if with_grad:
                    dt = de * C[p, l, m]
                    grad[b, p, m, 0] += dt * wx
                    grad[b, p, m, 1] += dt * wy


@nb.njit(cache=True)
def _steer_serial(W, C, pos, kappa, sign, with_grad):
    B, P, _ = pos.shape
    out = np.zeros((B, P, C.shape[2]), dtype=np.complex128)
    grad = np.zeros((B if with_grad else 0, P, C.shape[2], 2), dtype=np.complex128)
    for b in range(B):
        _steer_row(W, C, pos, kappa, sign, out, grad, b, with_grad)
    return out, grad


@nb.njit(cache=True, parallel=True)
def _steer_parallel(W, C, pos, kappa, sign, with_grad):
    B, P, _ = pos.shape
    out = np.zeros((B, P, C.shape[2]), dtype=np.complex128)
    grad = np.zeros((B if with_grad else 0, P, C.shape[2], 2), dtype=np.complex128)
    for b in nb.prange(B):
        _steer_row(W, C, pos, kappa, sign, out, grad, b, with_grad)
    return out, grad


PARALLEL_MIN_WORK = 200_000  # B*P*L*M from which the parallel kernel is used


def _parallel(W, C, pos):
    return pos.shape[0] * pos.shape[1] * W.shape[1] * C.shape[2] >= PARALLEL_MIN_WORK


def steer_sum_nb(W, C, pos, kappa, sign):
    kernel = _steer_parallel if _parallel(W, C, pos) else _steer_serial
    return kernel(W, C, pos, kappa, sign, False)[0]


def steer_sum_grad_nb(W, C, pos, kappa, sign):
    kernel = _steer_parallel if _parallel(W, C, pos) else _steer_serial
    return kernel(W, C, pos, kappa, sign, True)


@nb.njit(cache=True)
def plane_wave_rows_nb(dirs, gains, pos, kappa, sign):
    """H[b, k, n] = sum_l gains[k, l] exp(j sign kappa dirs[k, l] . pos[b, n]): dirs (K, L, 2),
    gains (K, L), pos (B, N, 2) -> (B, K, N) (the twin of multilink.plane_wave_rows)."""
    B, N, _ = pos.shape
    K, L, _ = dirs.shape
    out = np.zeros((B, K, N), dtype=np.complex128)
    sk = sign * kappa
    for b in range(B):
        for k in range(K):
            for n in range(N):
                x = pos[b, n, 0]
                y = pos[b, n, 1]
                acc = 0j
                for l in range(L):
                    ph = sk * (dirs[k, l, 0] * x + dirs[k, l, 1] * y)
                    acc += complex(math.cos(ph), math.sin(ph)) * gains[k, l]
                out[b, k, n] = acc
    return out


@nb.njit(cache=True, error_model="numpy")
def nearfield_si_nb(t, r, off, wavelength, amp):
    """amp lam / (4 pi d) exp(-j k0 d), d = |(r_m + off_xy, off_z) - (t_n, 0)|: t (B, Nt, 2),
    r (B, Nr, 2), off (3,) -> (B, Nr, Nt) (the twin of self_interference.nearfield_si)."""
    B, Nt, _ = t.shape
    Nr = r.shape[1]
    k0 = 2.0 * math.pi / wavelength
    out = np.empty((B, Nr, Nt), dtype=np.complex128)
    for b in range(B):
        for m in range(Nr):
            rx = r[b, m, 0] + off[0]
            ry = r[b, m, 1] + off[1]
            for n in range(Nt):
                dx = rx - t[b, n, 0]
                dy = ry - t[b, n, 1]
                d = math.sqrt(dx * dx + dy * dy + off[2] * off[2])
                out[b, m, n] = (amp * wavelength / (4.0 * math.pi * d)) * complex(math.cos(k0 * d), -math.sin(k0 * d))
    return out
