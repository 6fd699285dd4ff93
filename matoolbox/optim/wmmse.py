r"""Closed-form WMMSE for the weighted sum rate of a multi-user MISO downlink.

Row convention: ``H`` (K, N), row ``k`` is ``h_k^H`` (what multiplies the precoder), precoders
``W = [w_1, ..., w_K]`` (N, K), noise power ``sigma^2`` at every receiver:

    SINR_k = |h_k^H w_k|^2 / (sigma^2 + sum_{i != k} |h_k^H w_i|^2),
    max_W  sum_k a_k log2(1 + SINR_k)   s.t.  ||W_g||_F^2 <= P_g  for every power group g

(one group = all rows of W: a sum-power constraint ``||W||_F^2 <= P``; several groups = disjoint
sets of antennas (rows of W), e.g. one per base station, each with its own budget).

WMMSE (Shi, Razaviyayn, Luo, Hua 2011) alternates three closed forms, each minimising the
weighted MSE ``sum_k a_k (w_k e_k - log w_k)`` in one variable:

    u_k = h_k^H w_k / (sigma^2 + sum_i |h_k^H w_i|^2)          (MMSE receiver)
    e_k = 1 - conj(u_k) h_k^H w_k = 1 / (1 + SINR_k),   w_k = 1 / e_k   (MSE weight)
    W   = (A + D(mu))^{-1} B,   A = sum_k a_k w_k |u_k|^2 h_k h_k^H,   B[:, k] = a_k w_k u_k h_k

with ``D(mu)`` diagonal, ``mu_g`` on the rows of group g, the multipliers of the power budgets.
One group: ``mu >= 0`` by bisection on ``||W(mu)||^2 = P`` (``mu = 0`` if ``W(0)`` fits), on the
eigendecomposition of ``A``. Several groups: the concave dual of the W-step is maximised by
cyclic coordinate root finding (Brent) on ``mu_g`` (``d/dmu_g = ||W_g||^2 - P_g``), exact in one sweep
when ``A`` is block-diagonal in the groups. The weighted sum rate is non-decreasing over the
iterations; after each W-step ``W`` is scaled by ``c = min_g sqrt(P_g/||W_g||^2)`` when ``c > 1``
(raises every SINR), so the power is met with equality; a W-step that would lower the rate (only
possible at the round-off level of the dual solve) ends the iterations. Converged points are
stationary points of the weighted sum rate under the power constraints.
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from ..core.options import Options, resolve_options
from ..core.solution import Solution
from ..core.validate import as_array, fail, require_count, require_real
from ._common import keep_better, score

__all__ = ["wmmse_precoders", "weighted_sum_rate", "wmmse_block", "WmmseOptions"]

_OWNER = "wmmse_precoders"


def weighted_sum_rate(H, W, noise, weights=None) -> float:
    r"""``sum_k a_k log2(1 + SINR_k)`` for ``H`` (K, N) (rows ``h_k^H``) and ``W`` (N, K)."""
    G = np.abs(np.asarray(H) @ np.asarray(W)) ** 2                       # G[k, i] = |h_k^H w_i|^2
    sig = np.diagonal(G)
    sinr = sig / (noise + G.sum(1) - sig)
    a = np.ones(len(sig)) if weights is None else np.asarray(weights, float)
    return float(a @ np.log2(1.0 + sinr))


def _check(H, power, noise, weights, W0, groups):
    H = np.asarray(H, complex)
    if H.ndim != 2 or not np.all(np.isfinite(H)):
        fail(_OWNER, "H", H, "must be a finite (K, N) matrix (row k = h_k^H)")
    K, N = H.shape
    noise = require_real(_OWNER, "noise", noise, lo=0.0, lo_open=True)
    a = np.ones(K) if weights is None else np.asarray(weights, float)
    if a.shape != (K,) or not np.all(np.isfinite(a)) or np.any(a < 0):
        fail(_OWNER, "weights", weights, f"must be {K} finite non-negative weights")
    if groups is None:
        rows = [np.arange(N)]
        P = np.array([require_real(_OWNER, "power", power, lo=0.0, lo_open=True)])
    else:
        rows = [np.asarray(g, int).ravel() for g in groups]
        cat = np.sort(np.concatenate(rows)) if rows else np.array([], int)
        if cat.shape != (N,) or not np.array_equal(cat, np.arange(N)):
            fail(_OWNER, "groups", groups, f"must partition the rows 0..{N - 1} of W")
        P = as_array(_OWNER, "power", power, float)
        P = np.full(len(rows), float(P)) if P.ndim == 0 else P
        if P.shape != (len(rows),) or not np.all(np.isfinite(P)) or np.any(P <= 0):
            fail(_OWNER, "power", power, f"must be a positive power or {len(rows)} positive group powers")
    if W0 is None:
        W = H.conj().T.copy()
        if not np.any(W):
            W = np.ones((N, K), complex)
    else:
        W = np.array(W0, complex)
        if W.shape != (N, K) or not np.all(np.isfinite(W)):
            fail(_OWNER, "W0", W0, f"must be a finite ({N}, {K}) complex matrix")
    for r, p in zip(rows, P):                      # start at full power in every group
        nrm = float(np.sum(np.abs(W[r]) ** 2))
        W[r] = W[r] * math.sqrt(p / nrm) if nrm > 0 else math.sqrt(p / (len(r) * K))
    return H, noise, a, rows, P, W


def _solve_one_group(A, B, P):
    """W = (A + mu I)^{-1} B with the smallest mu >= 0 such that ||W||^2 <= P (eigen + bisection)."""
    lam, U = np.linalg.eigh(A)
    lam = np.maximum(lam, 0.0)
    C = np.sum(np.abs(U.conj().T @ B) ** 2, axis=1)                     # (N,) energy per mode
    tiny = 1e-12 * max(float(lam[-1]), 1e-300)
    live = lam > tiny

    def pw(mu):
        return float(np.sum(C[live] / (lam[live] + mu) ** 2)) + (float(np.sum(C[~live])) / mu**2 if mu > 0 else 0.0)

    mu = 0.0
    if pw(0.0) > P:
        lo, hi = 0.0, math.sqrt(float(C.sum()) / P)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if pw(mid) > P:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-15 * hi:
                break
        mu = hi
    d = np.where(live | (mu > 0), 1.0 / np.maximum(lam + mu, 1e-300), 0.0)
    return (U * d) @ (U.conj().T @ B), np.array([mu])


def _solve_groups(A, B, rows, P, mu0, sweeps=200):
    """Cyclic coordinate ascent on the group multipliers of the W-step dual: each ``mu_g`` is the
    root of ``||W_g(mu)||^2 = P_g`` (Brent's method), or 0 when ``W_g`` fits at ``mu_g = 0``."""
    from scipy.optimize import brentq

    N = A.shape[0]
    mu = np.array(mu0, float)
    lam_max = max(float(np.linalg.eigvalsh(A)[-1]), 1e-300)

    def W_of(m):
        d = np.zeros(N)
        for r, mg in zip(rows, m):
            d[r] = mg
        M = A + np.diag(d)
        try:
            return np.linalg.solve(M, B)
        except np.linalg.LinAlgError:
            return np.linalg.pinv(M) @ B

    def excess(val, g):
        m = mu.copy()
        m[g] = val
        return float(np.sum(np.abs(W_of(m)[rows[g]]) ** 2)) - P[g]

    for _ in range(sweeps):
        for g in range(len(rows)):
            if excess(0.0, g) <= 0.0:
                mu[g] = 0.0
                continue
            hi = max(2.0 * mu[g], 1e-12 * lam_max)
            while excess(hi, g) > 0.0:
                hi *= 4.0
            mu[g] = brentq(excess, 0.0, hi, args=(g,), xtol=1e-15 * hi, rtol=1e-13)
        W = W_of(mu)
        pw = np.array([float(np.sum(np.abs(W[r]) ** 2)) for r in rows])
        if np.all((pw <= P * (1 + 1e-13)) & ((mu == 0) | (pw >= P * (1 - 1e-13)))):
            break
    return W_of(mu), mu


def wmmse_precoders(H, power, noise, weights=None, W0=None, groups=None, max_iter=100, tol=1e-6,
                    full_output=False):
    r"""Weighted-sum-rate precoders by closed-form WMMSE (module docstring).

    Parameters
    ----------
    H : array_like, shape (K, N)
        Channel, row ``k`` = ``h_k^H``.
    power : float or array_like of shape (G,)
        Sum power P (``groups=None``), or one budget per group (a scalar: the same for each).
    noise : float
        Noise power sigma^2 > 0 at every receiver.
    weights : array_like, shape (K,), optional
        Rate weights a_k >= 0 (default ones).
    W0 : array_like, shape (N, K), optional
        Start (scaled to full power per group); default MRT ``H^H``.
    groups : sequence of index arrays, optional
        A partition of the rows 0..N-1 of W into power groups (e.g. per base station).
    max_iter : int, default 100
        WMMSE iterations.
    tol : float, default 1e-6
        Stop when the weighted sum rate improves by less than ``tol * max(1, |R|)``.
    full_output : bool, default False
        Also return a dict ``{"history": weighted sum rate of the start and after every
        iteration (non-decreasing), "nit", "converged", "mu": the group multipliers}``.

    Returns
    -------
    W : numpy.ndarray, shape (N, K)
        The precoders (the best iterate; every group at its full budget).
    info : dict
        Only with ``full_output=True``.

    Raises
    ------
    InvalidProblemError
        Naming the argument: ``H`` not a finite matrix, ``power``/``noise`` not positive,
        ``weights`` of the wrong length or negative, ``groups`` not a partition of the rows,
        ``W0`` of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> H = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    >>> W, info = wmmse_precoders(H, power=10.0, noise=1.0, full_output=True)
    >>> round(float(np.sum(np.abs(W) ** 2)), 9), bool(np.all(np.diff(info["history"]) >= -1e-12))
    (10.0, True)
    """
    max_iter = require_count(_OWNER, "max_iter", max_iter)
    tol = require_real(_OWNER, "tol", tol, lo=0.0)
    H, noise, a, rows, P, W = _check(H, power, noise, weights, W0, groups)
    K, N = H.shape
    hc = H.conj()                                     # row k = h_k (column vector as a row)
    f = weighted_sum_rate(H, W, noise, a)
    history, best = [f], (f, W)
    mu = np.zeros(len(rows))
    converged, it = False, 0
    for it in range(1, max_iter + 1):
        T = H @ W                                     # T[k, i] = h_k^H w_i
        tot = noise + np.sum(np.abs(T) ** 2, axis=1)
        d = np.diagonal(T)
        u = d / tot
        e = np.maximum(1.0 - np.real(np.conj(u) * d), 1e-300)
        c = a / e                                     # a_k w_k
        A = (hc.T * (c * np.abs(u) ** 2)) @ H         # sum_k c_k |u_k|^2 h_k h_k^H
        A = 0.5 * (A + A.conj().T)
        B = hc.T * (c * u)                            # (N, K): columns c_k u_k h_k
        if len(rows) == 1:
            Wn, mu = _solve_one_group(A, B, P[0])
        else:
            Wn, mu = _solve_groups(A, B, rows, P, mu)
        pw = np.array([float(np.sum(np.abs(Wn[r]) ** 2)) for r in rows])
        s = float(np.min(np.sqrt(P / np.maximum(pw, 1e-300))))
        if s > 1.0 and np.all(pw > 0):
            Wn = Wn * s
        if not np.all(np.isfinite(Wn)):
            break
        fn = weighted_sum_rate(H, Wn, noise, a)
        if fn < f:                                    # inexact W-step at round-off level: stop
            converged = True
            break
        W = Wn
        history.append(fn)
        if fn > best[0]:
            best = (fn, Wn)
        if abs(fn - f) <= tol * max(1.0, abs(f)):
            converged = True
            break
        f = fn
    W = best[1]
    if full_output:
        return W, {"history": history, "nit": it, "converged": converged, "mu": mu}
    return W


@dataclasses.dataclass(frozen=True)
class WmmseOptions(Options):
    """Options of :func:`wmmse_block`.

    block:      the precoder variable written ("precoders").
    max_iter:   WMMSE iterations (100).
    tol:        relative weighted-sum-rate improvement that stops the iterations (1e-6).
    warm_start: start from ``x0[block]`` when present (else MRT).
    feas_tol:   the new point is kept only if its violation is <= max(violation(x0), feas_tol).
    """

    block: str = "precoders"
    max_iter: int = 100
    tol: float = 1e-6
    warm_start: bool = True
    feas_tol: float = 1e-9

    def __post_init__(self):
        if not isinstance(self.block, str) or not self.block:
            fail("WmmseOptions", "block", self.block, "must be a non-empty variable name")
        require_count("WmmseOptions", "max_iter", self.max_iter)
        require_real("WmmseOptions", "tol", self.tol, lo=0.0)
        require_real("WmmseOptions", "feas_tol", self.feas_tol, lo=0.0)


def wmmse_block(problem, x0, *, options=None, rng=None) -> Solution:
    r"""AO block: WMMSE precoders for ``problem.channel_matrix(x0)`` (K, N) written to ``x[block]``.

    Reads ``problem.power`` (sum power, or one budget per group), ``problem.noise``, and when
    present ``problem.weights`` (K,) and ``problem.power_groups`` (row groups of W). The new
    precoders replace the incumbent only if ``problem.objective`` does not decrease (the block
    maximises the weighted sum rate, which may differ from the problem's objective).

    Parameters
    ----------
    problem : Problem
        Exposes ``channel_matrix(x)``, ``power``, ``noise``, ``objective(x)``, ``violation(x)``.
    x0 : dict
        Full variable dict; only ``x0[options.block]`` changes.
    options : WmmseOptions or dict, optional
        Block name, iterations, tolerance, warm start.
    rng : ignored
        Accepted for the AO block signature.

    Returns
    -------
    Solution
        The full ``x``; ``history`` the weighted sum rate per WMMSE iteration; ``output``:
        ``incumbent_kept``, ``wsr`` (final weighted sum rate), ``converged``.

    Raises
    ------
    InvalidProblemError
        If an option or the problem's data is invalid (see :func:`wmmse_precoders`).
    """
    t0 = time.perf_counter()
    opts = resolve_options(WmmseOptions, options)
    x0 = dict(x0)
    W0 = x0.get(opts.block) if opts.warm_start else None
    W0 = None if W0 is None or not np.any(np.asarray(W0)) else W0
    H = problem.channel_matrix(x0)
    W, info = wmmse_precoders(H, problem.power, problem.noise, weights=getattr(problem, "weights", None),
                              W0=W0, groups=getattr(problem, "power_groups", None),
                              max_iter=opts.max_iter, tol=opts.tol, full_output=True)
    f0, v0 = score(problem, x0) if opts.block in x0 else (-math.inf, math.inf)
    x, f, v, kept = keep_better(problem, x0, {**x0, opts.block: W}, opts.feas_tol, f0, v0)
    return Solution(x=x, fval=f, exitflag=1 if info["converged"] else 0,
                    message="WMMSE" + (" (incumbent kept)" if kept else ""), nit=info["nit"],
                    history=info["history"], violation=v, elapsed=time.perf_counter() - t0,
                    solver="wmmse_block", output={"incumbent_kept": kept, "wsr": info["history"][-1],
                                                  "converged": info["converged"]})
