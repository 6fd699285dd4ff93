r"""SCA transmit beamforming with first-order Taylor SINR bounds (docs/theory/full_duplex.rst: SDR and SCA).

Every SINR of the FD system has the form ``gamma = |x(W)|^2 / y(W)`` with ``x`` affine and ``y``
a convex quadratic in ``W = W_t`` (combiners, powers and positions fixed; DL: x = h_k^H w_k,
y = sum_{i!=k} |h_k^H w_i|^2 + c_k; UL: x = sqrt(A_j) constant, y = ||w_rj^H H W||^2 + b_j).
Since |x|^2/y is jointly convex, its tangent at (x̄, ȳ) is a global minorant::

    gamma(W) >= 2 Re{x̄^* x(W)} / ȳ - |x̄|^2 y(W) / ȳ^2  =: gamma_tilde(W)   (concave, tight at W̄)

Each SCA step maximises the objective with gamma replaced by gamma_tilde (DCP; written DPP with
``cp.Parameter`` objects and compiled once per call), which is a minorise-maximise step:

* "weighted": max sum_i a_i log2(1 + gamma_tilde_i)          s.t. ||W||_F^2 <= P
* "maxmin":   max tau s.t. gamma_tilde_i >= tau               s.t. ||W||_F^2 <= P
* "dl_si_cap": max sum_k gamma_tilde_k (DL)  s.t. ||H W||_F^2 <= p_th, ||W||_F^2 <= P
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from ..core.cvx import set_parameter, solve_cvx
from ..core.options import Options, resolve_options
from ..core.solution import Solution
from .common import FEAS_VTOL, phase1_accept

__all__ = ["ScaOptions", "sca_beamforming", "ScaModel"]


@dataclasses.dataclass(frozen=True)
class ScaOptions(Options):
    """steps: SCA steps per call; tol: stop when the relative improvement of a step is below
    tol; solvers: CVXPY order."""

    steps: int = 10
    tol: float = 1e-7
    solvers: tuple | None = None


class ScaModel:
    """DPP CVXPY model of one SCA step for K_D DL and K_U UL users (see module docstring)."""

    def __init__(self, Nt, KD, KU, Nr, kind, weights):
        import cvxpy as cp

        self.KD, self.KU, self.kind = KD, KU, kind
        W = cp.Variable((Nt, KD), complex=True)
        self.W = W
        self.b = cp.Parameter((KD, Nt), complex=True)          # conj(x̄_k)/ȳ_k h_k^H
        self.hs = cp.Parameter((KD, Nt), complex=True)         # |x̄_k|/ȳ_k h_k^H
        self.cD = cp.Parameter(KD)                             # -|x̄_k|^2 c_k / ȳ_k^2
        self.gs = cp.Parameter((KU, Nt), complex=True)         # sqrt(A_j)/ȳ_j g_j^H
        self.cU = cp.Parameter(KU)                             # 2A/ȳ - A b/ȳ^2
        self.P = cp.Parameter(nonneg=True)
        gam = []
        for k in range(KD):
            mask = np.ones(KD)
            mask[k] = 0.0
            gam.append(cp.sum(2 * cp.real(self.b[k] @ W[:, k])
                              - cp.sum_squares(cp.multiply(mask, self.hs[k] @ W)) + self.cD[k]))
        for j in range(KU):
            gam.append(cp.sum(self.cU[j] - cp.sum_squares(self.gs[j] @ W)))
        cons = [cp.sum_squares(W) <= self.P]
        if kind == "weighted":
            w = np.asarray(weights, float)
            obj = cp.Maximize(sum(w[i] * cp.log(1 + gam[i]) for i in range(KD + KU) if w[i] > 0) / math.log(2))
        elif kind == "maxmin":
            tau = cp.Variable()
            cons += [g >= tau for g in gam]
            obj = cp.Maximize(tau)
        else:
            self.H = cp.Parameter((Nr, Nt), complex=True)
            self.pth = cp.Parameter(nonneg=True)
            cons.append(cp.sum_squares(self.H @ W) <= self.pth)
            obj = cp.Maximize(sum(gam[:KD]))
        self.problem = cp.Problem(obj, cons)

    def set(self, a, Wbar):
        hDc, hU, H, E, Wr, p = a["hDc"], a["hU"], a["H"], a["E"], a["Wr"], a["p"]
        Z = hDc @ Wbar
        xb = np.diagonal(Z)
        cst = E @ p + 1.0
        yb = np.sum(np.abs(Z) ** 2, axis=1) - np.abs(xb) ** 2 + cst
        set_parameter(self.b, (xb.conj() / yb)[:, None] * hDc)
        set_parameter(self.hs, (np.abs(xb) / yb)[:, None] * hDc)
        set_parameter(self.cD, -np.abs(xb) ** 2 * cst / yb**2)
        S = Wr.conj().T @ hU
        A = p * np.abs(np.diagonal(S)) ** 2
        bU = np.sum(p * np.abs(S) ** 2, axis=1) - A + np.sum(np.abs(Wr) ** 2, 0)
        G = Wr.conj().T @ H
        yU = np.sum(np.abs(G @ Wbar) ** 2, axis=1) + bU
        set_parameter(self.gs, (np.sqrt(A) / yU)[:, None] * G)
        set_parameter(self.cU, 2 * A / yU - A * bU / yU**2)
        set_parameter(self.P, a["P"])
        if self.kind == "dl_si_cap":
            set_parameter(self.H, H)
            set_parameter(self.pth, a["p_th"])


def sca_beamforming(problem, x0, *, options=None, rng=None) -> Solution:
    """AO block "tx_bf" by SCA (module docstring) for every FD objective. Steps that do not
    improve the true objective (solver inaccuracy) are rejected; the incumbent is kept.
    ``history``: true objective per step; ``output["cvx_attempts"]``.

    Parameters
    ----------
    problem : FullDuplexProblem or FullDuplexMultiUserProblem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : ScaOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.

    Returns
    -------
    Solution
        The full ``x`` with the transmit beamformer updated.

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(ScaOptions, options)
    a = problem.fd_arrays(x0)
    Nt, KD = a["Wt"].shape
    KU = a["hU"].shape[1]
    model = ScaModel(Nt, KD, KU, a["H"].shape[0], a["kind"], a["weights"])
    x = x0
    f = float(problem.objective(x))
    v = float(problem.violation(x))
    history, attempts = [f], []
    Wt = a["Wt"]
    exitflag, message = 0, f"{opts.steps} SCA steps"
    for _ in range(int(opts.steps)):
        model.set(a, Wt)
        res = solve_cvx(model.problem, opts.solvers)
        attempts += res.attempts
        if not res.usable or model.W.value is None:
            exitflag, message = (-3 if len(history) == 1 else 0), f"SCA step failed ({res.status}); incumbent kept"
            break
        Wn = np.asarray(model.W.value)
        nrm = float(np.sum(np.abs(Wn) ** 2))
        s = min(1.0, math.sqrt(a["P"] / nrm)) if nrm > 0 else 1.0
        if a["kind"] == "dl_si_cap":
            phi = float(np.sum(np.abs(a["H"] @ Wn) ** 2))
            if phi > 0:
                s = min(s, math.sqrt(a["p_th"] / phi))
        Wn = Wn * s
        xn = problem.fd_pack(x, Wt=Wn)
        fn = float(problem.objective(xn))
        vn = float(problem.violation(xn))
        if not phase1_accept(fn, vn, f, v):
            exitflag, message = 1, "no further improvement (incumbent kept)"
            history.append(f)
            break
        # a phase-1 step (violation reduced from an infeasible incumbent) never ends the loop
        rel = math.inf if (not v <= FEAS_VTOL and vn < v) else (fn - f) / max(1.0, abs(f))
        x, f, Wt, v = xn, fn, Wn, vn
        a = {**a, "Wt": Wt}
        history.append(f)
        if rel <= opts.tol:
            exitflag, message = 1, f"relative improvement below tol={opts.tol:g}"
            break
    return Solution(x=x, fval=f, exitflag=exitflag, message=message, nit=len(history) - 1,
                    history=history, violation=float(problem.violation(x)),
                    elapsed=time.perf_counter() - t0, solver="sca_beamforming",
                    output={"cvx_attempts": attempts})
