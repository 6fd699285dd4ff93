r"""SCA precoder block for RSMA/SDMA downlink sum rate (docs/theory/comp_rsma.rst: SCA precoder block).

Quadratic-over-linear minorant |x|^2/y >= 2 Re(x0* x)/y0 - |x0|^2/y0^2 y (equality at (x0, y0)).
At the iterate P^(t) (stacked, NI x (K+1)) with a_{k,s} = h_k^H p_s, y^p_k = I^p_k, y^c_k = I^c_k
the SINRs are minorised by the concave

    Gamma^p_k(P) = 2 Re(u^p_k^H p_k) - sum_{j != k} |v^p_k^H p_j|^2 - beta^p_k,
    Gamma^c_k(P) = 2 Re(u^c_k^H p_0) - sum_{j >= 1} |v^c_k^H p_j|^2 - beta^c_k,

u = (a/y) h_k, v = (|a|/y) h_k, beta = |a|^2/y^2 (noise normalised to 1), all CVXPY Parameters, so
the compiled problem is re-solved (DPP) at every iteration, by Clarabel straight from CVXPY's cached
parameter map (``matoolbox.core.cvx_fast.solve_read``; the same iterates as ``problem.solve``).
Subproblem (RSMA):

    max sum c + sum r^p - M sum s   s.t.  r^p_k <= log2(1 + Gamma^p_k),  t_c <= log2(1 + Gamma^c_k),
        sum c <= t_c,  c >= 0,  c_k + r^p_k + s_k >= R_th,  s >= 0,  ||P_n||_F^2 <= P_M^n.

SDMA drops p_0, c and t_c. Interference models (``problem.interference``):
"noncoherent" uses per-BS power sums, so u_k stacks (A_n[k,s]/y) h_{n,k} over n and each v
becomes N rows sqrt(beta) h_{n,k} (one per BS block); "paper" keeps the coherent u and bounds the
printed denominators with auxiliary t_j >= sum_n |h_{n,j}^H p_{j,n}|^2 (parameter ``Wb``, the
block rows h_{n,j}, scaled by 1/sqrt(D) with D the iterate's common denominator so that t is
O(1); measured: without it Clarabel returned "optimal_inaccurate" on ~40 % of the solves):
Gamma^p_k = 2 Re(u^p_k^H p_k) - beta^p_k (1 + D sum_{j!=k} t_j), Gamma^c_k likewise with all j. The slack s (weight M) keeps QoS-infeasible starts solvable. The true
LP-polished value V (reduced form) is non-decreasing: a new P is accepted only if it does not lower
V by more than 1e-9 (or, while QoS-infeasible, lowers the QoS infeasibility).

The solver talks to the problem through: ``N, I, K, rsma, rth, pmax`` (W, (N,)),
``channel_rows(positions) -> (K, NI)`` (noise-normalised h_k^H), ``polish(x)`` (power/region repair
+ optimal split), ``objective``, ``violation`` and ``as_reduced()``.
"""
from __future__ import annotations

import dataclasses
import math
import time
import warnings

import numpy as np

from ..core.cvx import cached_model, default_solver_order, set_parameter
from ..core.cvx_fast import solve_read
from ..core.errors import InvalidProblemError
from ..core.options import Options, resolve_options
from ..core.solution import Solution

__all__ = ["sca_precoders", "ScaPrecoderOptions", "ScaOptions", "build_sca_subproblem", "ScaSubproblem", "sca_parameters"]

_LN2 = math.log(2.0)


@dataclasses.dataclass(frozen=True)
class ScaPrecoderOptions(Options):
    """Options of :func:`sca_precoders`.

    max_iter: SCA iterations (30). tol: stop at relative improvement of V below tol (1e-4).
    slack_weight: M of the QoS slack (100). solvers: convex solver order (None: MOSEK if licensed,
    CLARABEL, SCS). scs_eps: SCS accuracy of the fallback (1e-7). accept_tol: a new iterate may
    lower V by at most this (1e-9). feas_tol: QoS feasibility tolerance (1e-6).
    """

    max_iter: int = 30
    tol: float = 1e-4
    slack_weight: float = 100.0
    solvers: tuple | None = None
    scs_eps: float = 1e-7
    accept_tol: float = 1e-9
    feas_tol: float = 1e-6

    def __post_init__(self):
        if not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise InvalidProblemError(f"ScaPrecoderOptions.max_iter = {self.max_iter!r}: must be an integer >= 1")
        if not self.tol >= 0:
            raise InvalidProblemError(f"ScaPrecoderOptions.tol = {self.tol!r}: must be >= 0")
        if not self.slack_weight > 0:
            raise InvalidProblemError(f"ScaPrecoderOptions.slack_weight = {self.slack_weight!r}: must be positive")


ScaOptions = ScaPrecoderOptions   # the name; ``matoolbox.solvers.ScaOptions`` is the FD family's


@dataclasses.dataclass
class ScaSubproblem:
    """The compiled DPP subproblem: ``problem`` (cvxpy.Problem), ``params`` (dict of Parameters:
    Up, Vp, bp [, Uc, Vc, bc], pmax, rth), ``P`` (Variable NI x S) with S = K+1 (RSMA) or K (SDMA),
    ``c`` (split Variable, RSMA), ``gamma_p`` / ``gamma_c`` the (K,) minorant expressions."""

    problem: object
    params: dict
    P: object
    c: object
    rsma: bool
    N: int
    I: int
    K: int
    gamma_p: object = None
    gamma_c: object = None


def build_sca_subproblem(N: int, I: int, K: int, rsma: bool = True, slack_weight: float = 100.0,
                         model: str = "coherent") -> ScaSubproblem:
    """Build the DPP subproblem once (dimensions and interference ``model`` only; the instance
    enters through Parameters). Vp/Vc have K rows ("coherent") or K*N rows ("noncoherent", user k's
    rows k*N..k*N+N-1); "paper" has no Vp/Vc but Wb (K*N, NI) and the auxiliary t (K,)."""
    import cvxpy as cp

    NI = N * I
    S = K + 1 if rsma else K
    off = 1 if rsma else 0                       # column of private stream k is k + off
    P = cp.Variable((NI, S), complex=True, name="P")
    R = N if model == "noncoherent" else 1          # rows of v per user
    paper = model == "paper"
    Up = cp.Parameter((K, NI), complex=True, name="Up")
    bp = cp.Parameter(K, nonneg=True, name="bp")
    pmax = cp.Parameter(N, pos=True, name="pmax")
    rth = cp.Parameter(nonneg=True, name="rth")
    params = {"Up": Up, "bp": bp, "pmax": pmax, "rth": rth}
    cons = []
    if paper:
        Wb = cp.Parameter((K * N, NI), complex=True, name="Wb")
        bpt = cp.Parameter(K, nonneg=True, name="bpt")
        t = cp.Variable(K, nonneg=True, name="t")
        params.update(Wb=Wb, bpt=bpt)
        cons += [cp.sum_squares(cp.conj(Wb[j * N:(j + 1) * N]) @ P[:, j + off]) <= t[j] for j in range(K)]
    else:
        Vp = cp.Parameter((K * R, NI), complex=True, name="Vp")
        params["Vp"] = Vp
    rp = cp.Variable(K, name="rp")
    s = cp.Variable(K, nonneg=True, name="s")
    gam = []
    for k in range(K):
        g = 2 * cp.real(cp.conj(Up[k]) @ P[:, k + off]) - bp[k]
        others = [j + off for j in range(K) if j != k]
        if paper and K > 1:
            g = g - bpt[k] * (cp.sum(t) - t[k])
        elif others:
            g = g - cp.sum_squares(cp.conj(Vp[k * R:(k + 1) * R]) @ P[:, others])
        gam.append(g)
    gamma_p = cp.hstack(gam)
    gamma_c = None
    cons += [rp <= cp.log(1 + gamma_p) / _LN2]
    cons += [cp.sum_squares(P[n * I:(n + 1) * I, :]) <= pmax[n] for n in range(N)]
    c = None
    if rsma:
        Uc = cp.Parameter((K, NI), complex=True, name="Uc")
        bc = cp.Parameter(K, nonneg=True, name="bc")
        params.update(Uc=Uc, bc=bc)
        c = cp.Variable(K, nonneg=True, name="c")
        tc = cp.Variable(name="tc")
        if paper:
            bct = cp.Parameter(K, nonneg=True, name="bct")
            params["bct"] = bct
            interf = [bct[k] * cp.sum(t) for k in range(K)]
        else:
            Vc = cp.Parameter((K * R, NI), complex=True, name="Vc")
            params["Vc"] = Vc
            interf = [cp.sum_squares(cp.conj(Vc[k * R:(k + 1) * R]) @ P[:, 1:]) for k in range(K)]
        gamma_c = cp.hstack([2 * cp.real(cp.conj(Uc[k]) @ P[:, 0]) - interf[k] - bc[k] for k in range(K)])
        cons += [tc <= cp.log(1 + gamma_c) / _LN2, cp.sum(c) <= tc, c + rp + s >= rth]
        obj = cp.sum(c) + cp.sum(rp) - slack_weight * cp.sum(s)
    else:
        cons += [rp + s >= rth]
        obj = cp.sum(rp) - slack_weight * cp.sum(s)
    prob = cp.Problem(cp.Maximize(obj), cons)
    return ScaSubproblem(prob, params, P, c, rsma, N, I, K, gamma_p, gamma_c)


def sca_parameters(hH, Pst, rsma: bool = True, model: str = "coherent", N: int = 1) -> dict:
    """Parameter values at the iterate: hH (K, NI) noise-normalised rows, Pst (NI, K+1) stacked,
    N BSs (needed by the non-coherent models). Returns Up, Vp, bp (and Uc, Vc, bc for RSMA) as in
    the module docstring; "paper": Up, bp, Wb (and Uc, bc)."""
    if model != "coherent":
        return _model_parameters(hH, Pst, rsma, model, N)
    A = hH @ Pst                                                  # (K, K+1)
    S2 = np.abs(A) ** 2
    K = hH.shape[0]
    idx = np.arange(K)
    own = S2[idx, idx + 1]
    Ic = S2[:, 1:].sum(axis=1) + 1.0
    Ip = np.maximum(Ic - own, 1.0)          # >= noise (1); guards cancellation at huge SNR
    h = hH.conj()
    ap = A[idx, idx + 1]
    out = {"Up": (ap / Ip)[:, None] * h, "Vp": (np.abs(ap) / Ip)[:, None] * h, "bp": own / Ip ** 2}
    if rsma:
        ac = A[:, 0]
        out.update(Uc=(ac / Ic)[:, None] * h, Vc=(np.abs(ac) / Ic)[:, None] * h, bc=S2[:, 0] / Ic ** 2)
    return out


def _model_parameters(hH, Pst, rsma, model, N):
    """:func:`sca_parameters` for the "noncoherent" and "paper" models."""
    K, NI = hH.shape
    I = NI // N
    S = Pst.shape[1]
    Ab = np.einsum("kni,nis->nks", hH.reshape(K, N, I), Pst.reshape(N, I, S))   # A_n[k, s]
    Hb = np.zeros((K, N, NI), complex)                                          # block rows h_{n,k}
    for n in range(N):
        Hb[:, n, n * I:(n + 1) * I] = hH[:, n * I:(n + 1) * I].conj()
    idx = np.arange(K)
    streams = [("p", idx + 1)] + ([("c", np.zeros(K, int))] if rsma else [])
    out = {}
    if model == "noncoherent":
        S2 = np.sum(np.abs(Ab) ** 2, axis=0)                                      # (K, S)
        Ic = S2[:, 1:].sum(axis=1) + 1.0
        for tag, col in streams:
            a = Ab[:, idx, col]                                                   # (N, K)
            X = S2[idx, col]
            y = Ic - X if tag == "p" else Ic
            out["U" + tag] = np.einsum("nk,knm->km", a / y, Hb)
            out["b" + tag] = X / y ** 2
            out["V" + tag] = (np.sqrt(X) / y)[:, None, None] * Hb
            out["V" + tag] = out["V" + tag].reshape(K * N, NI)
        return out
    A = Ab.sum(axis=0)
    d = np.sum(np.abs(Ab[:, idx, idx + 1]) ** 2, axis=0)                         # (K,)
    D = d.sum() + 1.0
    h = hH.conj()
    for tag, col in streams:
        a = A[idx, col]
        y = D - d if tag == "p" else np.full(K, D)
        out["U" + tag] = (a / y)[:, None] * h
        out["b" + tag] = np.abs(a) ** 2 / y ** 2
    out["Wb"] = Hb.reshape(K * N, NI) / math.sqrt(D)        # t_j = d_j / D at the iterate: O(1) scale
    out["bpt"] = out["bp"] * D
    if rsma:
        out["bct"] = out["bc"] * D
    return out


def _subproblem(N, I, K, rsma, M, model="coherent"):
    """One compiled subproblem per (dims, access, M, model), process and thread
    (:func:`~matoolbox.core.cvx.cached_model`); re-used across calls and AO iterations."""
    key = (int(N), int(I), int(K), bool(rsma), float(M), model)
    return cached_model(("comp_rsma_sca",) + key, lambda: build_sca_subproblem(*key))


def _stack(P):
    N, I, S = P.shape
    return P.reshape(N * I, S)


def _merit(problem, x, feas_tol):
    """(feasible, V or -QoS infeasibility) of a polished point, for acceptance."""
    red = problem.as_reduced()
    v = float(red.violation(x))
    return (v <= feas_tol, float(red.objective(x)) if v <= feas_tol else -v)


def sca_precoders(problem, x0, *, options=None, rng=None) -> Solution:
    """SCA on the precoders (and split) with positions fixed; returns the full x dict with
    ``precoders`` and ``common`` (the optimal LP split) updated.

    ``history`` is the true LP-polished value V per accepted iterate (non-decreasing once feasible);
    ``output``: ``cvx_attempts`` (every solver call), ``subproblem_values``, ``solver``.
    exitflag: 1 converged, 0 iteration limit, -2 QoS infeasible at the end, -3 solver failure at the
    first iteration (x0 polished is returned).

    Parameters
    ----------
    problem : CompRsmaProblem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : ScaPrecoderOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Unused; accepted for the solver contract.

    Returns
    -------
    Solution
        The full ``x`` with ``precoders`` and ``common`` updated (exitflag as above).

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(ScaPrecoderOptions, options)
    N, I, K = problem.N, problem.I, problem.K
    rsma = bool(problem.rsma)
    x = problem.polish(dict(x0))
    if rsma and np.sum(np.abs(x["precoders"][:, :, 0]) ** 2) < 1e-12 * float(np.max(problem.pmax)):
        x = problem.warm_start(x)        # never start with p_0 = 0 (a stationary point)
    hH = problem.channel_rows(x["positions"])
    model = getattr(problem, "interference", "coherent")
    sub = _subproblem(N, I, K, rsma, opts.slack_weight, model)
    set_parameter(sub.params["pmax"], np.asarray(problem.pmax, float))
    set_parameter(sub.params["rth"], float(problem.rth))
    order = tuple(opts.solvers) if opts.solvers is not None else default_solver_order()
    solver_options = {"SCS": {"eps_abs": opts.scs_eps, "eps_rel": opts.scs_eps, "max_iters": 20000}}
    merit = _merit(problem, x, opts.feas_tol)
    history = [merit[1]]
    attempts, sub_values = [], []
    exitflag, message, it = 0, "iteration limit reached", 0
    for it in range(1, opts.max_iter + 1):
        Pst = _stack(x["precoders"])
        for name, val in sca_parameters(hH, Pst, rsma, model, N).items():
            set_parameter(sub.params[name], val)
        with warnings.catch_warnings():      # cvxpy's "may be inaccurate": the status is recorded
            warnings.simplefilter("ignore", UserWarning)
            # the first solver's "optimal_inaccurate" answer is used (the acceptance test below
            # checks the true objective); the next solvers only when it has no usable answer
            # (measured: falling back to SCS on inaccurate answers recompiled the problem at
            # every AO iteration, 60-100 s per infeasible paper-model draw)
            # the compiled subproblem is shared across calls: the first solve of this call
            # starts a fresh solver, so the block's numbers do not depend on earlier calls
            res, vals = solve_read(sub.problem, [sub.P], order[:1], solver_options=solver_options,
                                   warm_start=it > 1)
            if not res.usable and len(order) > 1:
                first = res.attempts
                res, vals = solve_read(sub.problem, [sub.P], order[1:], solver_options=solver_options,
                                       warm_start=it > 1)
                res.attempts[:0] = first
        attempts.extend({**a, "iteration": it} for a in res.attempts)
        if not res.usable or vals is None:
            exitflag = -3 if it == 1 else 0
            message = f"convex subproblem failed ({res.status}); previous iterate kept"
            it -= 1
            break
        if res.solver is not None and res.solver != order[0]:
            order = order[order.index(res.solver):]       # keep the solver that worked
        sub_values.append(res.value)
        Pnew = np.asarray(vals[0]).reshape(N, I, -1)
        if not rsma:
            Pnew = np.concatenate([np.zeros((N, I, 1)), Pnew], axis=2)
        cand = problem.polish({**x, "precoders": Pnew})
        m_new = _merit(problem, cand, opts.feas_tol)
        better = (m_new[0] and (not merit[0] or m_new[1] >= merit[1] - opts.accept_tol)) or \
                 (not m_new[0] and not merit[0] and m_new[1] > merit[1])
        if not better:
            exitflag, message = 1, "no improvement of the true objective; previous iterate kept"
            it -= 1
            break
        improvement = m_new[1] - merit[1] if merit[0] == m_new[0] else math.inf
        x, merit = cand, m_new
        history.append(merit[1])
        if improvement <= opts.tol * max(1.0, abs(merit[1])):
            exitflag, message = 1, (f"relative improvement below tol={opts.tol:g}" if m_new[0] else
                                    f"QoS infeasibility decrease below tol={opts.tol:g}")
            break
    viol = float(problem.violation(x))
    if exitflag != -3 and viol > opts.feas_tol:
        exitflag, message = -2, f"QoS infeasible (violation {viol:.3g}): " + message
    return Solution(x=x, fval=float(problem.objective(x)), exitflag=exitflag, message=message,
                    nit=max(it, 0), history=history, violation=viol, elapsed=time.perf_counter() - t0,
                    solver="sca_precoders",
                    output={"cvx_attempts": attempts, "subproblem_values": sub_values,
                            "solver": order[0] if order else None})
