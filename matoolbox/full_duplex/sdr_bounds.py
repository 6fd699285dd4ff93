r"""Certified upper bounds of the single-user transmit-beamforming blocks, from the dual of their
semidefinite relaxation (docs/theory/full_duplex.rst: SDR and SCA).

Scope: each bound is over the transmit beamformer ``w`` only, with the antenna positions, the
receive combiner ``w_r`` and the uplink power fixed (the data passed in). None of them bounds the
whole P1/P2/P3 problem with the positions free; another layout can exceed it.

For ``R = h h^H`` and ``G`` Hermitian PSD, the SDR of ``max |h^H w|^2 s.t. ||w||^2 <= P,
w^H G w <= c`` is ``max tr(R W) s.t. tr W <= P, tr(G W) <= c, W ⪰ 0``; its dual is
``min P y_1 + c y_2 s.t. y_1 I + y_2 G ⪰ R, y >= 0``. With the best ``y_1`` for a given ``y_2``,

    U(c) = min_{y >= 0}  P max(lambda_max(R - y G), 0) + y c,

and **every** ``y >= 0`` gives a valid bound (weak duality), so the value returned is certified
whatever the accuracy of the 1-D minimisation (a log grid, then bounded Brent); only tightness
depends on it. Blocks (noise-normalised, ``w_r`` fixed where it appears):

* P3 (``dl_si_cap``): ``G = H^H H``, ``c = p_th``: ``R_D <= log2(1 + U(p_th) / c_D)``.
* P2 (``maxmin``): ``G = g g^H`` with ``g = H^H w_r``; a target ``tau`` is certified infeasible
  when ``U(A / tau - b) < tau c_D`` (then every larger ``tau`` is too); bisection on ``tau``
  returns the smallest certified-infeasible target, ``min(R_D, R_U) <= log2(1 + tau_hi)``.
* P1 (``weighted``): with ``eps = |g^H w|^2`` on a grid ``0 = e_0 < ... < e_K = P ||g||^2``,
  ``f <= max_i a_1 log2(1 + U(e_{i+1}) / c_D) + a_2 log2(1 + A / (e_i + b))``.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar

__all__ = ["dual_bound", "p1_upper_bound", "p2_upper_bound", "p3_upper_bound"]


def _lmax(R, G, y):
    """lambda_max(R - y G) for an array of y (n,) -> (n,)."""
    y = np.atleast_1d(np.asarray(y, float))
    M = R[None] - y[:, None, None] * G[None]
    return np.linalg.eigvalsh(0.5 * (M + np.swapaxes(M, -1, -2).conj()))[:, -1]


def dual_bound(R, G, P, cap, n_grid=60):
    """Certified U(cap) >= max tr(R W) s.t. tr W <= P, tr(G W) <= cap, W ⪰ 0 (module docstring).
    Returns (bound, y) with the dual point y >= 0 that attains it; cap < 0 gives -inf."""
    if cap < 0:
        return -math.inf, math.nan
    R = np.asarray(R, complex)
    G = np.asarray(G, complex)
    l0 = float(_lmax(R, G, 0.0)[0])
    best, ybest = P * max(l0, 0.0), 0.0
    gmax = float(np.linalg.eigvalsh(0.5 * (G + G.conj().T))[-1])
    if gmax <= 0 or best <= 0:
        return best, ybest
    # the optimum y lies in [0, y_hi]: for y >= y_hi, y * cap >= U(0) (or lambda_max <= 0 there)
    y_hi = best / cap if cap > 0 else max(l0, 1e-300) * 1e16
    y_hi = min(y_hi, max(l0, 1e-300) / max(gmax, 1e-300) * 1e16)
    ys = y_hi * np.logspace(-16, 0, n_grid)
    vals = P * np.maximum(_lmax(R, G, ys), 0.0) + ys * cap
    i = int(np.argmin(vals))
    if vals[i] < best:
        best, ybest = float(vals[i]), float(ys[i])
    lo = ys[i - 1] if i > 0 else 0.0
    hi = ys[i + 1] if i + 1 < len(ys) else y_hi

    def g(y):
        return P * max(float(_lmax(R, G, y)[0]), 0.0) + y * cap

    res = minimize_scalar(g, bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-14 * max(hi, 1e-300), "maxiter": 200})
    yr = float(min(max(res.x, 0.0), y_hi))
    vr = g(yr)   # re-evaluated: the bound is the dual objective at a dual-feasible point
    if vr < best:
        best, ybest = vr, yr
    return best, ybest


def p3_upper_bound(hc, H, P, p_th, c_D):
    """Certified upper bound of max R_D s.t. ||w||^2 <= P, ||H w||^2 <= p_th (noise-normalised);
    returns (rate bound, dual point y)."""
    R = np.outer(hc.conj(), hc)
    U, y = dual_bound(R, H.conj().T @ H, P, p_th)
    return math.log2(1 + max(U, 0.0) / c_D), y


def p2_upper_bound(hc, g, P, A, b, c_D, iters=80):
    """Certified upper bound of max min(log2(1 + |h^H w|^2 / c_D), log2(1 + A / (|g^H w|^2 + b)))
    over ||w||^2 <= P (``w_r`` fixed: ``g = H^H w_r``, ``A = p |w_r^H h_U|^2``, ``b = ||w_r||^2``)."""
    R = np.outer(hc.conj(), hc)
    G = np.outer(g, g.conj())
    hi = min(P * float(np.sum(np.abs(hc) ** 2)) / c_D, A / b)   # trivially certified
    if hi <= 0:
        return math.log2(1 + max(hi, 0.0))
    lo = 0.0
    for _ in range(int(iters)):
        mid = 0.5 * (lo + hi)
        U, _ = dual_bound(R, G, P, A / mid - b)
        if U < mid * c_D:
            hi = mid           # certified infeasible target
        else:
            lo = mid
        if hi - lo <= 1e-12 * hi:
            break
    return math.log2(1 + hi)


def p1_upper_bound(hc, g, P, A, b, c_D, weights, n_grid=40, refine=150):
    """Certified upper bound of a_1 log2(1 + |h^H w|^2 / c_D) + a_2 log2(1 + A / (|g^H w|^2 + b))
    over ||w||^2 <= P, by the epsilon grid of the module docstring (``n_grid`` log-spaced points,
    then ``refine`` splits of the interval with the largest bound)."""
    a1, a2 = float(weights[0]), float(weights[1])
    R = np.outer(hc.conj(), hc)
    G = np.outer(g, g.conj())
    emax = P * float(np.sum(np.abs(g) ** 2))
    if emax <= 0:
        U, _ = dual_bound(R, G, P, 0.0)
        return a1 * math.log2(1 + max(U, 0.0) / c_D) + a2 * math.log2(1 + A / b)
    eps = list(np.concatenate([[0.0], emax * np.logspace(-14, 0, n_grid)]))
    U = [dual_bound(R, G, P, float(e))[0] for e in eps]

    def piece(i):
        return a1 * math.log2(1 + max(U[i + 1], 0.0) / c_D) + a2 * math.log2(1 + A / (eps[i] + b))

    for _ in range(int(refine)):
        vals = [piece(i) for i in range(len(eps) - 1)]
        i = int(np.argmax(vals))
        lo, hi = eps[i], eps[i + 1]
        if hi - lo <= 1e-9 * hi:
            break
        mid = math.sqrt(lo * hi) if lo > 0 else hi * 1e-3
        eps.insert(i + 1, mid)
        U.insert(i + 1, dual_bound(R, G, P, mid)[0])
    return float(max(piece(i) for i in range(len(eps) - 1)))
