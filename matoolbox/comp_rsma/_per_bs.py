"""numba kernel of :func:`matoolbox.comp_rsma.wmmse.solve_per_bs` (the per-BS quadratic step).

The projected Newton iteration on the per-BS multipliers that ``solve_per_bs`` documents, in
one compiled call: the quadratic step runs thousands of times per AO (every FP iteration of every
start screened), and as a Python loop of many tiny NumPy calls it was the largest single cost of
a CoMP-RSMA AO under the coherent model (measured: 603 -> 105 us per call at N = I = 3, K = 2).
Its former NumPy version and this one compute the same iteration up to LAPACK rounding (getrf /
getri here, gesv there): 2e-7 relative on 300 random systems; a review found 2 of 600 rank-one
systems started from mu0 = 0 where the old loop stopped short of a KKT point and the two end 17-20 %
apart in P (the new one at a KKT point in one of them). The AO, GML and reference values checked
on CoMP-RSMA draws and the instance library were unchanged to 1e-8.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _solve(Qst, Bst, col_s, mu, blk, N):
    """P (M, C) = per stream s: (Q_s + D(mu))^{-1} B_s, its per-BS power pw (N,), the inverses
    Ys (S, M, M) and ok (False on a singular or non-finite system)."""
    S, M, _ = Qst.shape
    C = Bst.shape[1]
    Ys = np.empty((S, M, M), np.complex128)
    P = np.empty((M, C), np.complex128)
    pw = np.zeros(N)
    for s in range(S):
        A = Qst[s].copy()
        for i in range(M):
            A[i, i] += mu[blk[i]]
        try:
            Ys[s] = np.linalg.inv(A)
        except Exception:  # noqa: BLE001 (numba: LinAlgError on a singular matrix)
            return P, pw, Ys, False
    for c in range(C):
        Y = Ys[col_s[c]]
        for i in range(M):
            acc = 0j
            for j in range(M):
                acc += Y[i, j] * Bst[j, c]
            P[i, c] = acc
            pw[blk[i]] += acc.real * acc.real + acc.imag * acc.imag
    for n in range(N):
        if not math.isfinite(pw[n]):
            return P, pw, Ys, False
    return P, pw, Ys, True


@nb.njit(cache=True)
def _resid_norm(pw, pmax, free):
    acc = 0.0
    for n in range(pw.shape[0]):
        if free[n]:
            r = 1.0 / math.sqrt(pmax[n]) - 1.0 / math.sqrt(max(pw[n], 1e-300))
            acc += r * r
    return math.sqrt(acc)


@nb.njit(cache=True)
def per_bs_kernel(Qst, Bst, col_s, pmax, I, mu, floor, max_newton, rtol):
    """Returns (P (M, C) scaled to the budgets, mu, ok); mu is the start (already floored)."""
    N = pmax.shape[0]
    M = Qst.shape[1]
    C = Bst.shape[1]
    blk = np.empty(M, np.int64)
    for i in range(M):
        blk[i] = i // I
    P, pw, Ys, ok = _solve(Qst, Bst, col_s, mu, blk, N)
    tries = 0
    while not ok and tries < 40:
        mu = mu * 10 + floor     # numerically singular: raise the floor
        P, pw, Ys, ok = _solve(Qst, Bst, col_s, mu, blk, N)
        tries += 1
    if not ok:
        return P, mu, False
    for _ in range(max_newton):
        free = np.empty(N, np.bool_)
        nfree = 0
        done = True
        for n in range(N):
            free[n] = (mu[n] > floor * 1.0001) or (pw[n] > pmax[n])
            if free[n]:
                nfree += 1
                if abs(pw[n] - pmax[n]) > rtol * pmax[n]:
                    done = False
            if pw[n] > pmax[n] * (1 + rtol):
                done = False
        if done:
            break
        # dp_n / dmu_m = -2 Re sum_s <[P_s]_n, [Y_s]_{nm} [P_s]_m>
        H = np.zeros((N, N))
        for c in range(C):
            Y = Ys[col_s[c]]
            for a in range(M):
                pa = P[a, c].conjugate()
                for b in range(M):
                    H[blk[a], blk[b]] += -2.0 * (pa * Y[a, b] * P[b, c]).real
        idx = np.empty(nfree, np.int64)
        k = 0
        for n in range(N):
            if free[n]:
                idx[k] = n
                k += 1
        J = np.empty((nfree, nfree))
        F = np.empty(nfree)
        for i in range(nfree):
            F[i] = 1.0 / math.sqrt(pmax[idx[i]]) - 1.0 / math.sqrt(max(pw[idx[i]], 1e-300))
            for j in range(nfree):
                J[i, j] = 0.5 * max(pw[idx[i]], 1e-300) ** -1.5 * H[idx[i], idx[j]]
        try:
            d = np.linalg.solve(J, -F)
        except Exception:  # noqa: BLE001
            break
        step = np.zeros(N)
        for i in range(nfree):
            step[idx[i]] = d[i]
        t, moved = 1.0, False
        f0 = 0.0
        for i in range(nfree):
            f0 += F[i] * F[i]
        f0 = math.sqrt(f0)
        for _ls in range(20):
            trial = np.maximum(mu + t * step, floor)
            P2, pw2, Ys2, ok2 = _solve(Qst, Bst, col_s, trial, blk, N)
            if ok2 and _resid_norm(pw2, pmax, free) < f0:
                mu, P, pw, Ys, moved = trial, P2, pw2, Ys2, True
                break
            t *= 0.5
        if not moved:
            break
    for i in range(M):
        n = blk[i]
        over = math.sqrt(min(1.0, pmax[n] / max(pw[n], 1e-300)))
        for c in range(C):
            P[i, c] *= over
    return P, mu, True
