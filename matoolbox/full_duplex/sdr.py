r"""Semidefinite relaxation (SDR) transmit beamforming with Gaussian randomisation
(docs/theory/full_duplex.rst: SDR and SCA).

Lift ``W_k = w_k w_k^H ⪰ 0`` and drop rank one; ``|h^H w|^2 = tr(R W)`` with ``R = h h^H``.

* "maxmin" (P2, one solve, §4.6c): min u s.t. tr(R_D W)/c_D >= 1/u, tr(R_G W) + b <= A u,
  tr W <= P (u scaled by an upper bound tau0 for conditioning).
* "dl_si_cap" (P3, one solve): max tr(R_D W) s.t. tr(H^H H W) <= p_th, tr W <= P.
* "weighted" (P1 and MU, Ding-style SCA+SDR, §4.6d): repeat
  max sum_k a_k [ln(tr(R_k sum_i W_i) + c_k) - lin_k(W)] + sum_j a_j [ln(T_j(W)) - lin_j(W)]
  where lin is the first-order (upper) expansion of the concave interference log at W̄.

Extraction (:func:`matoolbox.optim.principal_or_random`): if lambda_2/lambda_1 < 1e-6 the principal
eigenvector sqrt(lambda_1) u_1, otherwise Gaussian randomisation (xi = U Lambda^{1/2} z,
z ~ CN(0, I), ``eigh`` not Cholesky; scaled to feasibility; best true objective of
``randomizations`` draws). ``output`` reports

* ``block_upper_bound``: a **certified** upper bound of the transmit-beamformer *block* only:
  of the objective over every feasible w_t with the positions, the receive combiner and the uplink
  power fixed at ``x0`` (from the dual of the relaxation evaluated at a dual-feasible point,
  :mod:`~matoolbox.full_duplex.sdr_bounds`; P1, P2, P3; NaN for the multi-user problem). It is
  **not** a bound on the whole problem (positions free): other layouts can exceed it;
* ``feasible_value``: the objective at the extracted rank-one point (before the comparison with
  the incumbent), and ``block_bound_gap = block_upper_bound - fval`` (the same block scope);
* ``sdr_value``: the relaxation's primal value as returned by the conic solver (P2/P3; it can
  fall slightly *below* the exact block optimum at solver tolerance, so it is not a bound);
  "weighted": NaN, with ``lifted_value`` the objective at the final lifted SDP point;
* ``rank_ratio`` lambda_2/lambda_1 (max over users) and whether randomisation was used.
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from ..core.cvx import set_parameter, solve_cvx
from ..core.errors import InvalidProblemError
from ..core.options import Options, resolve_options
from ..core.rng import as_generator
from ..core.solution import Solution
from ..optim.sdr import gaussian_randomization, principal_or_random
from .common import FEAS_VTOL, phase1_accept
from .sdr_bounds import p1_upper_bound, p2_upper_bound, p3_upper_bound

# gaussian_randomization / principal_or_random live in matoolbox.optim.sdr (re-exported here)
__all__ = ["SdrOptions", "sdr_beamforming", "gaussian_randomization", "principal_or_random"]


@dataclasses.dataclass(frozen=True)
class SdrOptions(Options):
    """randomizations: Gaussian draws M (default 200); rank_tol: eigenvalue ratio below which
    the principal eigenvector is used; steps: SCA+SDR steps for "weighted"; tol: relative
    improvement stopping rule of those steps; solvers: CVXPY order."""

    randomizations: int = 200
    rank_tol: float = 1e-6
    steps: int = 10
    tol: float = 1e-7
    solvers: tuple | None = None


def _scaler(a, si_cap):
    P = a["P"]

    def scale(X):
        nrm = float(np.sum(np.abs(X) ** 2))
        s = min(1.0, math.sqrt(P / nrm)) if nrm > 0 else 1.0
        if si_cap:
            phi = float(np.sum(np.abs(a["H"] @ X) ** 2))
            if phi > 0:
                s = min(s, math.sqrt(a["p_th"] / phi))
        return X * s
    return scale


def _single_user(a):
    hc = a["hDc"][0]
    c_D = float(a["E"][0] @ a["p"] + 1.0)
    wr = a["Wr"][:, 0]
    g = a["H"].conj().T @ wr
    A = float(a["p"][0] * abs(wr.conj() @ a["hU"][:, 0]) ** 2)
    b = float(np.sum(np.abs(wr) ** 2))
    return hc, c_D, g, A, b


def _sdr_maxmin(a, solvers):
    import cvxpy as cp

    hc, c_D, g, A, b = _single_user(a)
    Nt = len(hc)
    P = a["P"]
    tau0 = max(min(P * float(np.sum(np.abs(hc) ** 2)) / c_D, A / b), 1e-300)
    W = cp.Variable((Nt, Nt), hermitian=True)       # W / P (unit trace budget)
    u = cp.Variable(pos=True)
    RD = P * np.outer(hc.conj(), hc) / (c_D * tau0)
    RG = P * np.outer(g, g.conj()) / b
    cons = [W >> 0, cp.real(cp.trace(W)) <= 1,
            cp.real(cp.trace(RD @ W)) >= cp.inv_pos(u),
            cp.real(cp.trace(RG @ W)) + 1 <= (A / (b * tau0)) * u]
    prob = cp.Problem(cp.Minimize(u), cons)
    res = solve_cvx(prob, solvers)
    if not res.usable or W.value is None:
        return None, math.nan, res
    return [P * np.asarray(W.value)], math.log2(1 + tau0 / float(u.value)), res


def _sdr_si_cap(a, solvers):
    import cvxpy as cp

    hc = a["hDc"][0]
    c_D = float(a["E"][0] @ a["p"] + 1.0)
    Nt = len(hc)
    scale = float(np.sum(np.abs(hc) ** 2))
    P, pth = a["P"], a["p_th"]
    W = cp.Variable((Nt, Nt), hermitian=True)       # W / P
    RD = np.outer(hc.conj(), hc) / scale
    HH = (P / pth) * (a["H"].conj().T @ a["H"])
    cons = [W >> 0, cp.real(cp.trace(W)) <= 1, cp.real(cp.trace(HH @ W)) <= 1]
    prob = cp.Problem(cp.Maximize(cp.real(cp.trace(RD @ W))), cons)
    res = solve_cvx(prob, solvers)
    if not res.usable or W.value is None:
        return None, math.nan, res
    return [P * np.asarray(W.value)], math.log2(1 + P * float(prob.value) * scale / c_D), res


class _ScaSdrModel:
    """DPP model of one SCA+SDR step (weighted sum rate, K_D lifted W_k)."""

    def __init__(self, Nt, KD, KU, weights):
        import cvxpy as cp

        self.Ws = [cp.Variable((Nt, Nt), hermitian=True) for _ in range(KD)]
        self.R = [cp.Parameter((Nt, Nt), hermitian=True) for _ in range(KD)]    # R_k / s_k
        self.Rl = [cp.Parameter((Nt, Nt), hermitian=True) for _ in range(KD)]   # R_k / (Ī_k + c_k)
        self.c = cp.Parameter(KD, nonneg=True)                                  # c_k / s_k
        self.G = [cp.Parameter((Nt, Nt), hermitian=True) for _ in range(KU)]    # G_j / s_j
        self.Gl = [cp.Parameter((Nt, Nt), hermitian=True) for _ in range(KU)]   # G_j / (Ī_j + b_j)
        self.d = cp.Parameter(KU, nonneg=True)                                  # (A_j + b_j) / s_j
        self.P = cp.Parameter(nonneg=True)
        w = np.asarray(weights, float)
        total = sum(self.Ws)
        obj = 0
        for k in range(KD):
            interf = sum(self.Ws[i] for i in range(KD) if i != k)
            lin = cp.real(cp.trace(self.Rl[k] @ interf)) if KD > 1 else 0
            obj += w[k] * (cp.log(cp.real(cp.trace(self.R[k] @ total)) + self.c[k]) - lin)
        for j in range(KU):
            lin = cp.real(cp.trace(self.Gl[j] @ total))
            obj += w[KD + j] * (cp.log(cp.real(cp.trace(self.G[j] @ total)) + self.d[j]) - lin)
        cons = [Wk >> 0 for Wk in self.Ws] + [sum(cp.real(cp.trace(Wk)) for Wk in self.Ws) <= self.P]
        self.problem = cp.Problem(cp.Maximize(obj), cons)
        self.KD, self.KU = KD, KU

    def set(self, a, Wbars):
        hDc, hU, H, E, Wr, p = a["hDc"], a["hU"], a["H"], a["E"], a["Wr"], a["p"]
        KD, KU = self.KD, self.KU
        Rk = [np.outer(hDc[k].conj(), hDc[k]) for k in range(KD)]
        ck = E @ p + 1.0
        for k in range(KD):
            Ib = sum(float(np.real(np.trace(Rk[k] @ Wbars[i]))) for i in range(KD) if i != k)
            s = max(float(np.real(np.trace(Rk[k] @ sum(Wbars)))) + ck[k], 1e-300)
            set_parameter(self.R[k], Rk[k] / s)
            set_parameter(self.Rl[k], Rk[k] / (Ib + ck[k]))
            ck_s = ck[k] / s
            cvals = self.c.value if self.c.value is not None else np.zeros(KD)
            cvals = np.array(cvals, float)
            cvals[k] = ck_s
            set_parameter(self.c, cvals)
        S = Wr.conj().T @ hU
        A = p * np.abs(np.diagonal(S)) ** 2
        bU = np.sum(p * np.abs(S) ** 2, axis=1) - A + np.sum(np.abs(Wr) ** 2, 0)
        dvals = np.zeros(KU)
        for j in range(KU):
            g = H.conj().T @ Wr[:, j]
            Gj = np.outer(g, g.conj())
            Ib = float(np.real(np.trace(Gj @ sum(Wbars))))
            s = Ib + A[j] + bU[j]
            set_parameter(self.G[j], Gj / s)
            set_parameter(self.Gl[j], Gj / (Ib + bU[j]))
            dvals[j] = (A[j] + bU[j]) / s
        set_parameter(self.d, dvals)
        set_parameter(self.P, a["P"])


def sdr_beamforming(problem, x0, *, options=None, rng=None) -> Solution:
    """AO block "tx_bf" by SDR (module docstring); the extracted rank-one point replaces the
    incumbent only if it is better. ``output``: ``block_upper_bound`` (certified bound of this
    block at the fixed positions, combiner and uplink power, not of the whole problem; NaN for
    multi-user), ``block_bound_gap``, ``feasible_value``, ``sdr_value`` (solver's relaxation value,
    not a bound), ``lifted_value``, ``rank_ratio``, ``randomized``, ``cvx_attempts``.

    Parameters
    ----------
    problem : FullDuplexProblem or FullDuplexMultiUserProblem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : SdrOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Generator of the Gaussian randomisation.

    Returns
    -------
    Solution
        The full ``x`` with the transmit beamformer updated; ``output`` as above.

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(SdrOptions, options)
    rng = as_generator(rng)
    a = problem.fd_arrays(x0)
    kind = a["kind"]
    f0 = float(problem.objective(x0))
    v0 = float(problem.violation(x0))
    si_cap = kind == "dl_si_cap"
    scale = _scaler(a, si_cap)

    def score(X):
        return problem.objective(problem.fd_pack(x0, Wt=X))

    attempts, history = [], [f0]
    bound, lifted, ratio, randomized, extracted = math.nan, math.nan, math.nan, False, math.nan
    best_x, best_f, best_v = x0, f0, v0
    if kind in ("maxmin", "dl_si_cap"):
        if a["hDc"].shape[0] != 1 or a["hU"].shape[1] != 1:
            raise InvalidProblemError("sdr_beamforming.problem = <multi-user>: maxmin/dl_si_cap need K_D = K_U = 1")
        Ws, bound, res = (_sdr_maxmin if kind == "maxmin" else _sdr_si_cap)(a, opts.solvers)
        attempts += res.attempts
        if Ws is not None:
            X, s, ratio, randomized = principal_or_random(Ws, score, scale, rng, opts.randomizations, opts.rank_tol)
            extracted = s
            xn = problem.fd_pack(x0, Wt=X)
            if phase1_accept(s, problem.violation(xn), best_f, best_v):
                best_x, best_f, best_v = xn, s, float(problem.violation(xn))
        history.append(best_f)
        exitflag = 1 if Ws is not None else -3
    else:
        KD = a["Wt"].shape[1]
        model = _ScaSdrModel(a["Wt"].shape[0], KD, a["hU"].shape[1], a["weights"])
        Wbars = [np.outer(a["Wt"][:, k], a["Wt"][:, k].conj()) for k in range(KD)]
        exitflag = 0
        for _ in range(int(opts.steps)):
            model.set(a, Wbars)
            res = solve_cvx(model.problem, opts.solvers)
            attempts += res.attempts
            if not res.usable or any(W.value is None for W in model.Ws):
                exitflag = -3 if len(history) == 1 else 0
                break
            Wbars = [np.asarray(W.value) for W in model.Ws]
            lifted = _lifted_objective(a, Wbars)
            X, s, ratio, randomized = principal_or_random(Wbars, score, scale, rng, opts.randomizations,
                                                          opts.rank_tol)
            extracted = s
            xn = problem.fd_pack(x0, Wt=X)
            vn = float(problem.violation(xn))
            improved = s - best_f
            if phase1_accept(s, vn, best_f, best_v):
                if not best_v <= FEAS_VTOL and vn < best_v:
                    improved = math.inf          # a phase-1 step never ends the loop
                best_x, best_f, best_v = xn, s, vn
            history.append(best_f)
            if improved <= opts.tol * max(1.0, abs(best_f)):
                exitflag = 1
                break
    ub = _certified_bound(a)
    return Solution(x=best_x, fval=best_f, exitflag=exitflag,
                    message="SDR" + (" + Gaussian randomisation" if randomized else ""),
                    nit=len(history) - 1, history=history, violation=float(problem.violation(best_x)),
                    elapsed=time.perf_counter() - t0, solver="sdr_beamforming",
                    output={"block_upper_bound": ub, "feasible_value": extracted,
                            "block_bound_gap": ub - best_f, "sdr_value": bound, "lifted_value": lifted,
                            "rank_ratio": ratio,
                            "randomized": randomized, "cvx_attempts": attempts})


def _certified_bound(a):
    """Certified upper bound of the single-user transmit block at the fixed positions, combiner and
    uplink power of ``a`` (module docstring; not a whole-problem bound); NaN for multi-user."""
    if a["hDc"].shape[0] != 1 or a["hU"].shape[1] != 1:
        return math.nan
    hc, c_D, g, A, b = _single_user(a)
    if a["kind"] == "dl_si_cap":
        return p3_upper_bound(hc, a["H"], a["P"], a["p_th"], c_D)[0]
    if a["kind"] == "maxmin":
        return p2_upper_bound(hc, g, a["P"], A, b, c_D)
    return p1_upper_bound(hc, g, a["P"], A, b, c_D, a["weights"])


def _lifted_objective(a, Ws):
    """Weighted sum rate evaluated with lifted W_k (tr(R W) in place of |h^H w|^2)."""
    hDc, hU, H, E, Wr, p = a["hDc"], a["hU"], a["H"], a["E"], a["Wr"], a["p"]
    KD = len(Ws)
    T = np.array([[float(np.real(hDc[k] @ Ws[i] @ hDc[k].conj())) for i in range(KD)] for k in range(KD)])
    cst = E @ p + 1.0
    gD = np.diagonal(T) / (T.sum(1) - np.diagonal(T) + cst)
    S = np.abs(Wr.conj().T @ hU) ** 2 * p
    G = Wr.conj().T @ H
    Q = np.array([sum(float(np.real(G[j] @ Wk @ G[j].conj())) for Wk in Ws) for j in range(G.shape[0])])
    gU = np.diagonal(S) / (S.sum(1) - np.diagonal(S) + Q + np.sum(np.abs(Wr) ** 2, 0))
    R = np.concatenate([np.log2(1 + gD), np.log2(1 + gU)])
    return float(R @ np.asarray(a["weights"], float))
