r"""Fractional programming (FP) beamforming and UL power control (docs/theory/full_duplex.rst: Fractional programming).

Weighted sum rate ``sum_i a_i log2(1 + gamma_i)`` of a full-duplex system (K_D DL users, K_U UL
users, noise-normalised channels). Each step applies the Lagrangian dual transform (auxiliary
SINRs gamma_bar) and the quadratic transform (auxiliaries y), then maximises the concave
surrogate over one block; this is a minorise-maximise step, so the true objective never decreases.

Transmit step (W = W_t (Nt, K_D), combiners and powers fixed)::

    y_k  = sqrt(a_k (1 + g_k)) h_k^H w_k / T_k,      T_k = sum_i |h_k^H w_i|^2 + c_k
    b_j  = a_j (1 + g_j) A_j / T_j^2,                A_j = p_j |w_rj^H h_j|^2
    M    = sum_k |y_k|^2 h_k h_k^H + sum_j b_j H^H w_rj w_rj^H H
    w_k  = sqrt(a_k (1 + g_k)) y_k (M + mu I)^{-1} h_k,   mu >= 0 s.t. ||W||_F^2 <= P

solved with the eigendecomposition of M and a bisection on mu (closed form), or as the CVXPY
QCQP of §4.6e when extra convex constraints are needed (the SI cap ``||H_SI W||_F^2 <= p_th``).
Power step: ``p_m = min(p_max, (y_m sqrt(a_m (1 + g_m) s_mm) / d_m)^2)``.

Arrays follow :meth:`FullDuplexProblem.fd_arrays`: hDc (K_D, Nt) rows h_k^H, hU (Nr, K_U),
H (Nr, Nt), E (K_D, K_U) IUI gains, Wt (Nt, K_D), Wr (Nr, K_U), p (K_U,).
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
from scipy.optimize import brentq

from ..core.cvx import set_parameter, solve_cvx
from ..core.errors import InvalidProblemError
from ..core.options import Options, resolve_options
from ..core.solution import Solution
from .common import FEAS_VTOL, phase1_accept, sinrs

__all__ = ["FpOptions", "fp_beamforming", "fp_power", "fp_tx_update", "fp_tx_update_cvx",
           "fp_power_update", "fd_sinrs", "weighted_rate", "FpTxCvx"]


@dataclasses.dataclass(frozen=True)
class FpOptions(Options):
    """steps: cap on the FP steps per call (default 200); tol: stop when the relative
    improvement of a step, (f_new - f) / max(1, |f|), is at most tol (default 1e-6); method:
    "closed" (eigendecomposition + bisection) or "cvx" (CVXPY QCQP, also used automatically when
    an SI cap is present); solvers: CVXPY order. ``exitflag`` 1: tolerance met, 0: step cap hit."""

    steps: int = 200
    method: str = "closed"
    tol: float = 1e-6
    solvers: tuple | None = None


def fd_sinrs(a, Wt=None, Wr=None, p=None):
    """SINRs (gamma_D (K_D,), gamma_U (K_U,)) from an ``fd_arrays`` dict (optionally overriding
    Wt, Wr, p)."""
    Wt = a["Wt"] if Wt is None else Wt
    Wr = a["Wr"] if Wr is None else Wr
    p = a["p"] if p is None else p
    return sinrs(a["hDc"], a["hU"], a["H"], a["E"], Wt, Wr, p)


def weighted_rate(gD, gU, weights) -> float:
    return float(np.concatenate([np.log2(1 + gD), np.log2(1 + gU)]) @ weights)


def _aux(a, weights, Wt, sinr=None):
    """FP auxiliaries at Wt: (B (Nt, K_D) columns sqrt(a_k(1+g_k)) y_k h_k, Rows (K_D+K_U, Nt)
    with Rows^H Rows = M). ``sinr``: the SINRs (gamma_D, gamma_U) at Wt if already known."""
    hDc, hU, H, E, Wr, p = a["hDc"], a["hU"], a["H"], a["E"], a["Wr"], a["p"]
    KD = hDc.shape[0]
    gD, gU = fd_sinrs(a, Wt=Wt) if sinr is None else sinr
    wD, wU = weights[:KD], weights[KD:]
    Z = hDc @ Wt
    T = np.sum(np.abs(Z) ** 2, axis=1) + E @ p + 1.0
    cD = np.sqrt(wD * (1 + gD))
    y = cD * np.diagonal(Z) / T
    B = (cD * y)[None, :] * hDc.conj().T
    S = Wr.conj().T @ hU
    A = p * np.abs(np.diagonal(S)) ** 2
    G = Wr.conj().T @ H                                        # (K_U, Nt) rows g_j^H
    TU = np.sum(p * np.abs(S) ** 2, axis=1) + np.sum(np.abs(G @ Wt) ** 2, axis=1) + np.sum(np.abs(Wr) ** 2, 0)
    beta = wU * (1 + gU) * A / TU**2
    rows = np.vstack([np.abs(y)[:, None] * hDc, np.sqrt(beta)[:, None] * G])
    return B, rows


def fp_tx_update(a, weights, Wt=None, sinr=None):
    """One closed-form FP transmit step: returns the new W_t (Nt, K_D) with ||W_t||_F^2 <= P.

    mu = 0 (pseudo-inverse) when that meets the budget; otherwise mu > 0 is found by a
    bisection (Brent) on ||W(mu)||_F^2 = P to relative 1e-12, from mu_hi = lambda_max(M).
    ``sinr``: ``fd_sinrs(a, Wt=Wt)`` if the caller has it (not recomputed)."""
    Wt = a["Wt"] if Wt is None else Wt
    B, rows = _aux(a, weights, Wt, sinr)
    M = rows.conj().T @ rows
    lam, U = np.linalg.eigh(0.5 * (M + M.conj().T))
    lam = np.maximum(lam, 0.0)
    C = U.conj().T @ B                                          # (Nt, K_D)
    c2 = np.sum(np.abs(C) ** 2, axis=1)
    P = a["P"]
    scale = max(float(lam.max()), 1e-300)
    null = lam <= 1e-12 * scale

    def power(mu):
        return float(np.sum(c2 / (lam + mu) ** 2))

    if not np.any(null & (c2 > 1e-30 * max(c2.max(), 1e-300))):
        inv = np.where(null, 0.0, 1.0 / np.where(null, 1.0, lam))
        if float(np.sum(c2 * inv**2)) <= P:
            return U @ (inv[:, None] * C)
    if c2.max() <= 0:
        return np.zeros_like(Wt)
    hi = scale
    while power(hi) > P:
        hi *= 2.0
    lo = hi
    while lo > 1e-300 and power(lo) <= P:
        lo *= 0.5
    if power(lo) <= P:
        mu = lo
    else:
        mu = brentq(lambda m: power(m) - P, lo, hi, xtol=1e-300, rtol=1e-12, maxiter=500)
    Wn = U @ (C / (lam + mu)[:, None])
    nrm = float(np.sum(np.abs(Wn) ** 2))
    if nrm > P:
        Wn *= math.sqrt(P / nrm)
    return Wn


class FpTxCvx:
    """The FP surrogate (§4.6e) as a DPP CVXPY problem, compiled once and re-solved:

    max sum_k Re{b_k^T w_k} - ||Rows W||_F^2   s.t.  ||W||_F^2 <= P  [, ||H W||_F^2 <= p_th]
    """

    def __init__(self, Nt, KD, Nr=None, si_cap=False):
        import cvxpy as cp

        self.W = cp.Variable((Nt, KD), complex=True)
        self.b = cp.Parameter((KD, Nt), complex=True)
        self.R = None
        self.nrows = None
        self.P = cp.Parameter(nonneg=True)
        self._cp = cp
        self.si_cap = si_cap
        self.Nr = Nr
        self.KD = KD
        self.Nt = Nt
        self.problem = None

    def _build(self, nrows):
        cp = self._cp
        self.R = cp.Parameter((nrows, self.Nt), complex=True)
        obj = sum(cp.real(self.b[k] @ self.W[:, k]) for k in range(self.KD)) - cp.sum_squares(self.R @ self.W)
        cons = [cp.sum_squares(self.W) <= self.P]
        if self.si_cap:
            self.H = cp.Parameter((self.Nr, self.Nt), complex=True)
            self.pth = cp.Parameter(nonneg=True)
            cons.append(cp.sum_squares(self.H @ self.W) <= self.pth)
        self.problem = cp.Problem(cp.Maximize(obj), cons)
        self.nrows = nrows

    def solve(self, B, rows, P, H=None, p_th=None, solvers=None):
        if self.problem is None or rows.shape[0] != self.nrows:
            self._build(rows.shape[0])
        set_parameter(self.b, 2 * B.conj().T)        # Re{2 (c_k y_k h_k)^H w_k}
        set_parameter(self.R, rows)
        set_parameter(self.P, P)
        if self.si_cap:
            set_parameter(self.H, H)
            set_parameter(self.pth, p_th)
        res = solve_cvx(self.problem, solvers)
        return (np.asarray(self.W.value) if res.usable and self.W.value is not None else None), res


def fp_tx_update_cvx(a, weights, Wt=None, *, si_cap=False, solvers=None, model=None):
    """One FP transmit step through CVXPY (optionally with the SI cap ||H W||_F^2 <= p_th).
    Returns (W_t or None, CvxResult)."""
    Wt = a["Wt"] if Wt is None else Wt
    B, rows = _aux(a, weights, Wt)
    Nt, KD = Wt.shape
    model = model or FpTxCvx(Nt, KD, a["H"].shape[0], si_cap)
    W, res = model.solve(B, rows, a["P"], a["H"], a["p_th"] if si_cap else None, solvers)
    return W, res


def fp_power_update(a, weights, p=None):
    """One closed-form FP UL-power step: returns p (K_U,) in [0, p_max_ul]."""
    hDc, hU, E, Wt, Wr = a["hDc"], a["hU"], a["E"], a["Wt"], a["Wr"]
    p = a["p"] if p is None else p
    KD = hDc.shape[0]
    gD, gU = fd_sinrs(a, p=p)
    wD, wU = weights[:KD], weights[KD:]
    Z = np.abs(hDc @ Wt) ** 2
    S_k = np.diagonal(Z)
    T_k = Z.sum(1) + E @ p + 1.0
    yD = np.sqrt(wD * (1 + gD) * S_k) / T_k
    s = np.abs(Wr.conj().T @ hU) ** 2                             # s[j, m]
    Q = np.sum(np.abs(Wr.conj().T @ a["H"] @ Wt) ** 2, axis=1)
    T_j = s @ p + Q + np.sum(np.abs(Wr) ** 2, 0)
    sjj = np.diagonal(s)
    yU = np.sqrt(wU * (1 + gU) * p * sjj) / T_j
    d = yU**2 @ s + yD**2 @ E
    num = yU * np.sqrt(wU * (1 + gU) * sjj)
    with np.errstate(divide="ignore", invalid="ignore"):
        pn = np.where(d > 0, (num / np.where(d > 0, d, 1.0)) ** 2, a["p_max_ul"])
    return np.clip(pn, 0.0, a["p_max_ul"])


def _weights_for(a):
    if a["kind"] == "dl_si_cap":
        KD = a["hDc"].shape[0]
        KU = a["hU"].shape[1]
        return np.r_[np.ones(KD), np.zeros(KU)]
    return np.asarray(a["weights"], float)


def fp_beamforming(problem, x0, *, options=None, rng=None) -> Solution:
    """AO block "tx_bf" by FP (``options.steps`` minorise-maximise steps on W_t; combiners,
    powers and positions fixed).

    Objectives "weighted" (P1, MU) and "dl_si_cap" (P3, CVXPY form with the SI cap). Each accepted
    step does not decrease the objective; a step that would (solver inaccuracy) is rejected and
    the incumbent kept (full-duplex theory page, docs/theory/full_duplex.rst).

    Parameters
    ----------
    problem : FullDuplexProblem or FullDuplexMultiUserProblem
        Objective "weighted" or "dl_si_cap".
    x0 : dict
        Full variable dict (positions, ``w_t``/``W_t``, ``w_r``/``W_r``, ``p_u``).
    options : FpOptions or dict, optional
        ``steps`` (default 3), ``method`` ("closed" or "cvx"), ``tol``, ``solvers``.
    rng : optional
        Unused; accepted for the solver contract.

    Returns
    -------
    Solution
        ``x`` with the transmit beamformer updated, ``history`` the objective per step,
        ``output["cvx_attempts"]`` for the CVXPY form.

    Raises
    ------
    InvalidProblemError
        For a max-min problem (use ``socp_beamforming`` or ``sdr_beamforming``) or an unknown
        ``method``.

    Examples
    --------
    >>> from matoolbox.problems import FullDuplexProblem
    >>> from matoolbox.solvers import fp_beamforming
    >>> prob = FullDuplexProblem.random(seed=0)          # P1: weighted DL + UL rate
    >>> x0 = prob.initial_point(0)
    >>> sol = fp_beamforming(prob, x0)
    >>> sol.fval >= prob.objective(x0), sol.violation <= 1e-6
    (True, True)
    """
    t0 = time.perf_counter()
    opts = resolve_options(FpOptions, options)
    a = problem.fd_arrays(x0)
    if a["kind"] == "maxmin":
        raise InvalidProblemError("fp_beamforming.problem = <maxmin>: FP handles weighted sums; "
                                  "use socp_beamforming or sdr_beamforming for P2")
    if opts.method not in ("closed", "cvx"):
        raise InvalidProblemError(f"FpOptions.method = {opts.method!r}: must be 'closed' or 'cvx'")
    weights = _weights_for(a)
    si_cap = math.isfinite(a["p_th"])
    use_cvx = opts.method == "cvx" or si_cap
    Wt = a["Wt"]
    x = x0
    f = float(problem.objective(x))
    v = float(problem.violation(x))
    fast = hasattr(problem, "tx_score") and hasattr(problem, "_position_violation")
    v_pos = problem._position_violation(x) if fast else None
    sinr = None                         # SINRs at the current W_t once a step computed them
    history = [f]
    attempts = []
    model = None
    exitflag, message = 0, f"step cap of {opts.steps} FP steps reached before tol={opts.tol:g}"
    for _ in range(int(opts.steps)):
        if use_cvx:
            if model is None:
                model = FpTxCvx(Wt.shape[0], Wt.shape[1], a["H"].shape[0], si_cap)
            Wn, res = fp_tx_update_cvx(a, weights, Wt, si_cap=si_cap, solvers=opts.solvers, model=model)
            attempts += res.attempts
            if Wn is None:
                exitflag, message = -3, f"CVXPY FP step failed ({res.status})"
                break
            Wn = _polish(Wn, a, si_cap)
        else:
            Wn = fp_tx_update(a, weights, Wt, sinr=sinr)
        xn = problem.fd_pack(x, Wt=Wn)
        if v_pos is not None:           # the same numbers, channels not recomputed
            new_sinr = fd_sinrs(a, Wt=np.asarray(Wn, complex).reshape(a["Wt"].shape))
            fn, vn = problem.tx_score(a, Wn, v_pos, sinr=new_sinr)
        else:
            fn, vn = float(problem.objective(xn)), float(problem.violation(xn))
        if phase1_accept(fn, vn, f, v):
            # a phase-1 step (violation reduced from an infeasible incumbent) never ends the loop
            rel = math.inf if (not v <= FEAS_VTOL and vn < v) else (fn - f) / max(1.0, abs(f))
            x, f, Wt, v = xn, fn, Wn, vn
            a = {**a, "Wt": Wt}
            sinr = new_sinr if v_pos is not None else None
            history.append(f)
            if rel <= opts.tol:
                exitflag, message = 1, f"relative improvement below tol={opts.tol:g}"
                break
        else:
            history.append(f)
            exitflag, message = 1, "no further improvement (incumbent kept)"
            break
    return Solution(x=x, fval=f, exitflag=exitflag, message=message, nit=len(history) - 1,
                    history=history, violation=float(problem.violation(x)),
                    elapsed=time.perf_counter() - t0, solver="fp_beamforming",
                    output={"cvx_attempts": attempts} if attempts else {})


def _polish(W, a, si_cap):
    """Scale W into ||W||_F^2 <= P and (with the cap) ||H W||_F^2 <= p_th (feasibility polish)."""
    s = 1.0
    nrm = float(np.sum(np.abs(W) ** 2))
    if nrm > a["P"]:
        s = math.sqrt(a["P"] / nrm)
    if si_cap:
        phi = float(np.sum(np.abs(a["H"] @ W) ** 2))
        if phi > 0:
            s = min(s, math.sqrt(a["p_th"] / phi))
    return W * s


def fp_power(problem, x0, *, options=None, rng=None) -> Solution:
    """AO block "ul_power" (multi-user): ``options.steps`` closed-form FP power steps.

    Parameters
    ----------
    problem : FullDuplexMultiUserProblem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : FpOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Unused; accepted for the solver contract.

    Returns
    -------
    Solution
        The full ``x`` with ``p_u`` updated; ``history`` the objective per step.

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(FpOptions, options)
    a = problem.fd_arrays(x0)
    x, f = x0, float(problem.objective(x0))
    history = [f]
    if not a["update_power"]:
        return Solution(x=x, fval=f, exitflag=1, message="UL power is fixed in this problem",
                        history=history, violation=float(problem.violation(x)),
                        elapsed=time.perf_counter() - t0, solver="fp_power")
    weights = _weights_for(a)
    p = a["p"]
    for _ in range(int(opts.steps)):
        pn = fp_power_update(a, weights, p)
        xn = problem.fd_pack(x, p=pn)
        fn = float(problem.objective(xn))
        if fn < f:
            break
        rel = (fn - f) / max(1.0, abs(f))
        x, f, p = xn, fn, pn
        a = {**a, "p": p}
        history.append(f)
        if rel <= opts.tol:
            break
    return Solution(x=x, fval=f, exitflag=1, message="FP power steps", nit=len(history) - 1,
                    history=history, violation=float(problem.violation(x)),
                    elapsed=time.perf_counter() - t0, solver="fp_power")
