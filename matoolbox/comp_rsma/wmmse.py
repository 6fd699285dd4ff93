r"""WMMSE steps of the closed-form precoder block (theory page docs/theory/comp_rsma.rst:
Closed-form precoder block): the per-BS quadratic solve, the plain WMMSE step and the
QoS-constrained step. With the MMSE receivers g and weights w = 1/e fixed at the current precoders, each MSE
e^c_k(P), e^p_k(P) is a convex quadratic in P and upper-bounds its MMSE value, so::

    min_P  sum_k u^c_k e^c_k(P) + u^p_k e^p_k(P)
    s.t.   e^p_k(P) <= 2^{-r_k}   (private floors r_k),   e^c_k(P) <= 2^{-r_c}   (common floor r_c),
           ||P_n||_F^2 <= P_M^n,

(u^c = wc w^c, u^p = wp w^p) is a convex QCQP whose solution meets R_{p,k} >= r_k and
R_{c,k} >= r_c at the next iterate: an inner approximation, as in SCA, so a feasible iterate stays
feasible. Its Lagrangian is the plain WMMSE objective with weights u^p_k + nu_k, u^c_k + alpha_k;
(nu, alpha) >= 0 and the per-BS multipliers mu maximise the concave dual d(nu, alpha, mu), whose
gradient is the constraint residual (e^p_k(P*) - 2^{-r_k}, e^c_k(P*) - 2^{-r_c}, p_n(P*) - P_M^n)
and whose Hessian is exact and cheap (every constraint's dL/dP^* is rank one or a BS block of P).
It is maximised jointly by projected Newton, warm-started (2-3 evaluations per step measured at
K = 16; L-BFGS-B took 14.5, 7 ms per step), with L-BFGS-B as the fallback where Newton does not reach
a KKT point, and the primal is recovered at the dual found with the exact per-BS power of
:func:`solve_per_bs`.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from ._per_bs import per_bs_kernel

__all__ = ["solve_per_bs", "wmmse_step", "qos_wmmse_step"]

# lower bound of the per-BS multipliers, relative to the mean eigenvalue of Q. Q = H^H diag(b) H
# has rank <= K < N I in many instances; at mu = 1e-12 x scale the solve amplified rounding in
# Q's null space by 1e12, the Newton iteration settled on the floor with the power over budget and
# the scaled-down step lowered the sum rate (measured: 10.63 -> 9.42 bit/s/Hz on the library's
# default_s1_sdma_ma after one AO iteration; with 1e-9 the step gives 10.82, mu = (0.73, 0.54))
_MU_FLOOR = 1e-9


# --------------------------------------------------------------------------------------------
# the quadratic step under per-BS power
# --------------------------------------------------------------------------------------------
def solve_per_bs(Qs, Bs, pmax, I, mu0=None, max_newton=30, rtol=1e-9):
    r"""Minimise sum_s tr(P_s^H Q_s P_s) - 2 Re tr(B_s^H P_s) s.t. sum_s ||[P_s]_n||_F^2 <= pmax_n.

    Qs: list of Hermitian PSD (M, M) matrices, M = N*I; Bs: list of (M, m_s) right-hand sides;
    pmax (N,). KKT: P_s = (Q_s + D(mu))^{-1} B_s, D(mu) = blockdiag(mu_n I_I), mu >= 0 with
    mu_n (p_n(mu) - pmax_n) = 0, p_n the power of BS n. mu is found by a projected Newton method on
    pmax_n^{-1/2} - p_n(mu)^{-1/2} = 0 over the BSs whose constraint is active (nearly linear in mu;
    exact derivatives from X_s^{-1}), damped until the residual decreases, warm-started from
    ``mu0``. Returns (Ps, mu); each BS block is finally scaled down to its budget if needed, so the
    constraint holds exactly.
    """
    pmax = np.asarray(pmax, float)
    N = len(pmax)
    M = Qs[0].shape[0]
    Qst = np.ascontiguousarray(np.stack(Qs), dtype=complex)
    widths = [int(B.shape[1]) for B in Bs]
    Bst = np.ascontiguousarray(np.concatenate(Bs, axis=1), dtype=complex)
    if (M != N * int(I) or Qst.shape != (len(Qs), M, M) or Bst.shape[0] != M or len(Bs) != len(Qs)
            or (mu0 is not None and np.shape(mu0) != (N,))):   # the kernel does not check its indices
        raise ValueError(f"solve_per_bs: Qs {Qst.shape}, Bs with {Bst.shape[0]} rows, pmax ({N},), I = {I} and "
                         f"mu0 {None if mu0 is None else np.shape(mu0)} do not fit M = N I")
    col_s = np.repeat(np.arange(len(Bs)), widths)
    scale = max(float(np.max(np.real(np.trace(Qst, axis1=1, axis2=2)))) / M, 1e-300)
    floor = _MU_FLOOR * scale
    if mu0 is None:
        bn = np.bincount(np.repeat(np.arange(N), I), weights=np.sum(np.abs(Bst) ** 2, axis=1), minlength=N)
        mu = np.sqrt(bn / pmax) + floor
    else:
        mu = np.maximum(np.asarray(mu0, float), floor)
    P, mu, ok = per_bs_kernel(Qst, Bst, col_s, pmax, int(I), np.array(mu, float), floor, int(max_newton),
                              float(rtol))
    if not ok:
        raise np.linalg.LinAlgError("per-BS quadratic step: singular or non-finite system")
    return np.split(P, np.cumsum(widths)[:-1], axis=1), mu


def _receivers(hH, Pst, wc, wp, rsma):
    """MMSE receivers and MSE weights at the stacked precoders Pst (NI, K+1): (gc, gp, uc, up) with
    u^c = wc T/I^c (0 for SDMA) and u^p = wp I^c/I^p. Raises LinAlgError if not finite."""
    K = hH.shape[0]
    idx = np.arange(K)
    with np.errstate(all="ignore"):        # overflow at extreme SNR is caught just below
        A = hH @ Pst
        S = np.abs(A) ** 2
        Sp = S[:, 1:].copy()
        Sp[idx, idx] = 0.0
        Ip = Sp.sum(axis=1) + 1.0                  # no cancellation at high SNR
        Ic = Ip + S[idx, idx + 1]
        T = Ic + S[:, 0]
        gp = A[idx, idx + 1].conj() / Ic
        gc = A[:, 0].conj() / T
        up = np.asarray(wp, float) * (Ic / Ip)
        uc = np.asarray(wc, float) * (T / Ic) if rsma else np.zeros(K)
    if not all(np.all(np.isfinite(v)) for v in (gp, gc, up, uc)):
        raise np.linalg.LinAlgError("WMMSE step: non-finite receivers or weights (extreme SNR)")
    return gc, gp, uc, up


def _quadratic(hH, gc, gp, uc, up, rsma):
    """The step's quadratic forms for :func:`solve_per_bs`: Qs, Bs (common first if ``rsma``)."""
    HH = hH.conj().T                                                      # (NI, K): columns h_k
    bp = up * np.abs(gp) ** 2                                             # beta^p
    bc = uc * np.abs(gc) ** 2                                             # beta^c
    Qs = [(HH * (bc + bp)) @ hH]
    Bs = [HH * (up * gp.conj())]                                          # (NI, K)
    if rsma:
        Qs.insert(0, (HH * bc) @ hH)
        Bs.insert(0, (HH @ (uc * gc.conj()))[:, None])
    return Qs, Bs


def _assemble(Ps, NI, rsma):
    p0 = Ps[0] if rsma else np.zeros((NI, 1), complex)
    return np.concatenate([p0, Ps[-1]], axis=1)


def wmmse_step(hH, Pst, wc, wp, pmax, I, rsma=True, mu0=None):
    """One WMMSE update of the stacked precoders Pst (NI, K+1) for weights wc, wp (K,) at the
    noise-normalised channel rows hH (K, NI). Returns (P_new (NI, K+1), mu)."""
    gc, gp, uc, up = _receivers(hH, Pst, wc, wp, rsma)
    Qs, Bs = _quadratic(hH, gc, gp, uc, up, rsma)
    if not all(np.all(np.isfinite(M)) for M in Qs + Bs):
        raise np.linalg.LinAlgError("WMMSE step: non-finite receivers or weights (extreme SNR)")
    Ps, mu = solve_per_bs(Qs, Bs, np.asarray(pmax, float), I, mu0)
    return _assemble(Ps, hH.shape[1], rsma), mu


def _mse(hH, P, gc, gp):
    """MSEs of the common and private streams at precoders P (NI, K+1) with fixed receivers."""
    A = hH @ P
    S = np.abs(A) ** 2
    K = hH.shape[0]
    idx = np.arange(K)
    Ic = S[:, 1:].sum(axis=1) + 1.0
    ec = np.abs(1.0 - gc * A[:, 0]) ** 2 + np.abs(gc) ** 2 * Ic
    own = A[idx, idx + 1]
    ep = np.abs(1.0 - gp * own) ** 2 + np.abs(gp) ** 2 * (Ic - S[idx, idx + 1])
    return ec, ep


def qos_wmmse_step(hH, Pst, wc, wp, pmax, I, rsma, rp_min, rc_min=0.0, dual0=None, mu0=None,
                   maxiter=100, gtol=1e-9):
    """One QoS-constrained WMMSE update (the QCQP above).

    hH (K, NI) noise-normalised channel rows, Pst (NI, K+1) current precoders, wc, wp (K,)
    objective weights, pmax (N,), I antennas per BS, ``rsma`` (update p_0; else p_0 = 0),
    rp_min (K,) private-rate floors in bit/s/Hz (a floor <= 0 is no constraint), rc_min the common
    floor (<= 0: none). ``dual0``, ``mu0``: warm starts. Returns (P_new (NI, K+1), mu, dual);
    mu and dual are None when the dual ran off (floors out of reach), so they are not reused.
    Raises ``np.linalg.LinAlgError`` when the step is not finite.
    """
    K = hH.shape[0]
    idx = np.arange(K)
    pmax = np.asarray(pmax, float)
    gc, gp, base_c, base_p = _receivers(hH, Pst, wc, wp, rsma)
    rp_min = np.asarray(rp_min, float)
    qp = np.nonzero(rp_min > 0)[0]
    tp = 2.0 ** (-rp_min[qp])
    qc = idx if (rsma and rc_min > 0) else idx[:0]
    tc = 2.0 ** (-float(rc_min))
    N = pmax.size
    NI = hH.shape[1]
    blk = np.repeat(np.arange(N), I)
    m = qp.size + qc.size

    def parts(z):
        up = base_p.copy()
        up[qp] += z[:qp.size]
        uc = base_c.copy()
        uc[qc] += z[qp.size:m]
        return (up, uc, *_quadratic(hH, gc, gp, uc, up, rsma))

    def assemble(Ps):
        return _assemble(Ps, NI, rsma)

    cls = [0, 1] if rsma else [1]                 # column classes of the Lagrangian: common, private

    def evaluate(z, hess=False):
        """Dual value d(z), its gradient (the constraint residuals) and, with ``hess``, its Hessian
        -2 Re sum_c G_i[:, c]^H (Q_c + D)^{-1} G_j[:, c], G_i = dL/dP^* of constraint i (rank one
        h_k w_i^T for a QoS floor, E_n P for BS n's power). None where the solve fails."""
        up, uc, Qs, Bs = parts(z)
        D = np.diag(z[m:][blk])
        try:
            Ys = [np.linalg.inv(Q + D) for Q in Qs]
        except np.linalg.LinAlgError:
            return None
        P = assemble([Y @ B for Y, B in zip(Ys, Bs)])
        ec, ep = _mse(hH, P, gc, gp)
        pw = np.bincount(blk, weights=np.sum(np.abs(P) ** 2, axis=1), minlength=N)
        d = float(uc @ ec + up @ ep - z[:qp.size] @ tp - z[qp.size:m].sum() * tc + z[m:] @ (pw - pmax))
        g = np.concatenate([ep[qp] - tp, ec[qc] - tc, pw - pmax])
        if not (np.isfinite(d) and np.all(np.isfinite(g))):
            return None
        if not hess:
            return d, g, None
        A = hH @ P
        W = np.zeros((m, K + 1), complex)
        W[:qp.size, 1:] = (np.abs(gp[qp]) ** 2)[:, None] * A[qp, 1:]
        W[np.arange(qp.size), qp + 1] -= gp[qp].conj()
        W[qp.size:] = (np.abs(gc[qc]) ** 2)[:, None] * A[qc]
        W[qp.size:, 0] -= gc[qc].conj()
        G = np.concatenate([hH[np.r_[qp, qc]].conj()[:, :, None] * W[:, None, :],
                            (blk[None, :] == np.arange(N)[:, None])[:, :, None] * P[None]])
        Hs = np.zeros((m + N, m + N))
        for Y, c in zip(Ys, cls):
            Gc = G[:, :, :1] if c == 0 else G[:, :, 1:]
            Hs -= 2.0 * np.real(Gc.conj().reshape(m + N, -1) @ np.matmul(Y, Gc).reshape(m + N, -1).T)
        return d, g, 0.5 * (Hs + Hs.T)

    # per-BS multipliers first (the plain step at the warm-started dual), then all jointly; with a
    # non-zero warm start (nu0, mu0) the joint search starts from it directly
    nu0 = np.zeros(m) if dual0 is None or np.size(dual0) != m else np.maximum(np.asarray(dual0, float), 0.0)
    _, _, Qs, Bs = parts(nu0)
    if m and np.any(nu0 > 0) and mu0 is not None and np.size(mu0) == N:
        mu = np.asarray(mu0, float)
    else:
        Ps, mu = solve_per_bs(Qs, Bs, pmax, I, mu0)
    if m == 0:
        return assemble(Ps), mu, nu0
    # zero QoS multipliers (the warm start, when the last step's were zero) with the exact per-BS
    # mu: if that step already meets every floor it satisfies the KKT conditions of the convex QCQP
    # (complementary slackness with nu = alpha = 0), so it is the step's exact solution and the
    # dual search is skipped. With a non-zero warm start the check would cost one more per-BS
    # solve per step, a net loss where floors bind (measured +10-15 % AO time at K = 16)
    if not np.any(nu0 > 0):
        Pz = assemble(Ps)
        ec, ep = _mse(hH, Pz, gc, gp)
        if np.all(ep[qp] <= tp) and np.all(ec[qc] <= tc) and np.all(np.isfinite(Pz)):
            return Pz, mu, nu0
    floor = _MU_FLOOR * max(max(float(np.real(np.trace(Q))) for Q in Qs) / NI, 1e-300)   # as solve_per_bs
    z0 = np.concatenate([nu0, np.maximum(mu, floor)])
    lb = np.concatenate([np.zeros(m), np.full(N, floor)])
    z = _maximise_dual(evaluate, z0, lb, np.concatenate([tp, np.full(qc.size, tc), pmax]), maxiter, gtol)
    z = np.maximum(z, 0.0)
    _, _, Qs, Bs = parts(z)
    Ps, mu = solve_per_bs(Qs, Bs, pmax, I, z[m:])       # exact per-BS power at the dual found
    P = assemble(Ps)
    z = z[:m]
    if not np.all(np.isfinite(z)) or float(np.max(z, initial=0.0)) > 1e12 * (1.0 + float(np.max(base_p))):
        z, mu = None, None          # floors out of reach (dual unbounded): no warm start from it
    if not np.all(np.isfinite(P)):
        raise np.linalg.LinAlgError("QoS WMMSE step: non-finite precoders")
    return P, mu, z


def _projected_newton(fun, z, lb, scale, max_iter=30, rtol=1e-10):
    """Maximise a smooth concave d over z >= lb by projected Newton ascent: ``fun(z, True)`` gives
    (d, gradient, Hessian) or None. The variables at their bound whose gradient points below it
    stay fixed, Newton's step on the others, Armijo backtracking along the projected path. Returns
    z once every free gradient entry is within ``rtol * scale``, else None."""
    cur = fun(z, True)
    for _ in range(max_iter):
        if cur is None:
            return None
        d, g, H = cur
        fixed = (z <= lb) & (g <= 0.0)
        if np.all(np.abs(np.where(fixed, 0.0, g)) <= rtol * scale):
            return z
        free = ~fixed
        Hf = -H[np.ix_(free, free)]
        step = np.zeros_like(z)
        try:
            step[free] = np.linalg.solve(Hf + 1e-14 * np.trace(Hf) * np.eye(Hf.shape[0]), g[free])
        except np.linalg.LinAlgError:
            return None
        t = 1.0
        for _ls in range(30):
            zt = np.maximum(z + t * step, lb)
            new = fun(zt, True)
            if new is not None and new[0] >= d + 1e-4 * float(g @ (zt - z)) - 1e-13 * abs(d):
                z, cur = zt, new
                break
            t *= 0.5
        else:
            return None
    return None


def _maximise_dual(fun, z0, lb, scale, maxiter, gtol):
    """The dual search of :func:`qos_wmmse_step`: projected Newton (2-3 evaluations from a warm
    start); where it does not reach a KKT point (floors out of reach: the dual is unbounded),
    L-BFGS-B from z0 with at most ``maxiter`` iterations."""
    z = _projected_newton(fun, z0, lb, scale)
    if z is not None:
        return z

    def negdual(z):
        out = fun(z)
        return (np.inf, np.zeros_like(z)) if out is None else (-out[0], -out[1])

    with np.errstate(all="ignore"):
        return minimize(negdual, z0, jac=True, method="L-BFGS-B", bounds=list(zip(lb, [None] * lb.size)),
                        options={"maxiter": maxiter, "gtol": gtol, "ftol": 1e-15}).x
