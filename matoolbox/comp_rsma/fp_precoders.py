r"""Closed-form (WMMSE / fractional-programming) precoder block for CoMP-RSMA and SDMA, no CVXPY
(theory page docs/theory/comp_rsma.rst: Closed-form precoder block).

Weighted sum rate F_w = sum_k (wc_k R_{c,k} + wp_k R_{p,k}) (coherent model, noise normalised) and
the MMSE identity -log e = max_w (log w - w e + 1): with the MMSE receivers at the iterate

    g^c_k = a_{k,0}^* / T_k,  e^c_k = I^c_k / T_k,   g^p_k = a_{k,k}^* / I^c_k,  e^p_k = I^p_k / I^c_k,

and w = 1/e, the precoder step minimises sum_k wc_k w^c_k e^c_k(P) + wp_k w^p_k e^p_k(P), a convex
quadratic in P under the per-BS power constraints ||P_n||_F^2 <= P_M^n. Its solution is

    p_0 = (H^H diag(beta^c) H + D(mu))^{-1} H^H (wc w^c conj(g^c)),
    p_j = (H^H diag(beta^c + beta^p) H + D(mu))^{-1} wp_j w^p_j conj(g^p_j) h_j,

beta^c_k = wc_k w^c_k |g^c_k|^2, beta^p_k = wp_k w^p_k |g^p_k|^2, D(mu) = blockdiag(mu_n I_I) with
the per-BS multipliers mu >= 0 found by a projected Newton method (warm-started), then
each BS block scaled down to its budget if needed, so the power constraint holds exactly. With
fixed weights the step never lowers F_w (WMMSE is block-coordinate descent).

Weights (from the Lagrangian of max sum_k c_k + sum_k R_{p,k} s.t. c_k + R_{p,k} >= R_th,
sum_k c_k <= R_{c,k}): wc = lambda, multipliers of min_k R_{c,k}, taken as the softmin weights
softmax(-(R_c - min R_c)/tau) at the iterate (tau widened x4 after a rejected step, back to its
default after accepted ones). QoS: at a feasible iterate whose private rates all meet R_th
(``qos_step="constrained"``, default) the step is the QoS-constrained WMMSE QCQP of
:mod:`matoolbox.comp_rsma.wmmse` (private floors R_th; feasible iterates stay feasible); else
wp_k = 1 + nu_k with one QoS multiplier per user (raised to
2 nu_k + eta_up after a trial step that leaves user k below R_th with too little common rate to
cover it, halved after a feasible trial step that lowers V, lowered to eta_down nu_k while user k
has a comfortable margin). SDMA: wc = 0. A step is accepted only if the true LP-polished value V
does not decrease (or, while infeasible, the QoS infeasibility decreases); otherwise half and
quarter steps are tried, then (RSMA) the step with wc = 0 (common stream off; with the
constrained step tried first after it was the one accepted). If the full step
violated QoS it is recomputed at once with the raised multipliers (up to ``qos_retries`` times),
else the next iteration runs with the updated weights. The common stream is not used to carry
QoS by these weights; the AO's "drop user k" starts explore that.
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from ..core.options import Options, resolve_options
from ..core.solution import Solution
from ..core.validate import fail
from .rates import rates_from_gains
from .sca import ScaPrecoderOptions, sca_precoders
from .wmmse import qos_wmmse_step, solve_per_bs, wmmse_step

__all__ = ["FpPrecoderOptions", "fp_precoders", "wmmse_step", "solve_per_bs"]

_OWNER = "FpPrecoderOptions"


@dataclasses.dataclass(frozen=True)
class FpPrecoderOptions(Options):
    """Options of :func:`fp_precoders`.

    max_iter: WMMSE iterations (200). tol: stop when ``patience`` accepted steps gain less than tol
    (relative) each (1e-6, 10), or after ``max_rejects`` rejected steps in a row (10). tau: softmin temperature of the min weights in bit/s/Hz
    (0.02). eta_up / eta_down: a QoS multiplier nu becomes 2 nu + eta_up after a QoS-violating
    trial step (0.5) and eta_down nu after an accepted step with a margin above ``qos_margin``
    (0.7, 0.05 bit/s/Hz); after a QoS-violating trial the step is recomputed at once with the
    raised multipliers, up to ``qos_retries`` (4) times per iteration. qos_step: "constrained"
    (default: at a QoS-feasible iterate whose private rates all meet R_th the step is the
    QoS-constrained WMMSE QCQP of :func:`~matoolbox.comp_rsma.wmmse.qos_wmmse_step`, binding
    users end on R_th; the multiplier rule above is used while infeasible or while the common
    stream carries a user's QoS) or "multipliers" (always the multiplier rule).
    feas_tol: QoS feasibility tolerance (1e-6). fallback: "sca" (run the SCA block
    when the FP result is QoS infeasible or the problem's interference model is not coherent) or
    "none". sca_options: options of that SCA run.
    """

    max_iter: int = 200
    tol: float = 1e-6
    patience: int = 10
    max_rejects: int = 10
    tau: float = 0.02
    eta_up: float = 0.5
    eta_down: float = 0.7
    qos_margin: float = 0.05
    qos_retries: int = 4
    feas_tol: float = 1e-6
    fallback: str = "sca"
    qos_step: str = "constrained"
    sca_options: ScaPrecoderOptions | None = None

    def __post_init__(self):
        if not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            fail(_OWNER, "max_iter", self.max_iter, "must be an integer >= 1")
        if not isinstance(self.qos_retries, (int, np.integer)) or self.qos_retries < 0:
            fail(_OWNER, "qos_retries", self.qos_retries, "must be an integer >= 0")
        for name in ("patience", "max_rejects"):
            if not isinstance(getattr(self, name), (int, np.integer)) or getattr(self, name) < 1:
                fail(_OWNER, name, getattr(self, name), "must be an integer >= 1")
        for name in ("tol", "qos_margin"):
            if not getattr(self, name) >= 0:
                fail(_OWNER, name, getattr(self, name), "must be >= 0")
        for name in ("tau", "eta_up", "feas_tol"):
            if not getattr(self, name) > 0:
                fail(_OWNER, name, getattr(self, name), "must be positive")
        if not 0 < self.eta_down <= 1:
            fail(_OWNER, "eta_down", self.eta_down, "must be in (0, 1]")
        if self.qos_step not in ("constrained", "multipliers"):
            fail(_OWNER, "qos_step", self.qos_step, "must be 'constrained' or 'multipliers'")
        if self.fallback not in ("sca", "none"):
            fail(_OWNER, "fallback", self.fallback, "must be 'sca' or 'none'")


# --------------------------------------------------------------------------------------------
# the block
# --------------------------------------------------------------------------------------------
def _merit(problem, x, feas_tol):
    red = problem.as_reduced()
    v = float(red.violation(x))
    return (v <= feas_tol, float(red.objective(x)) if v <= feas_tol else -v)


def _merit_fast(hH, Pst, rth, rsma, feas_tol):
    """The same merit from the stacked precoders (coherent model, power and region feasible by
    construction): (feasible, V or -QoS infeasibility)."""
    Rc, Rp = rates_from_gains(hH @ Pst)
    if rsma:
        v = max(0.0, float(np.maximum(0.0, rth - Rp).sum()) - float(Rc.min()))
        val = float(Rc.min() + Rp.sum())
    else:
        v = max(0.0, float(np.max(rth - Rp)))
        val = float(Rp.sum())
    return (v <= feas_tol, val if v <= feas_tol else -v), Rc, Rp


def _better(new, old):
    if new[0]:
        return (not old[0]) or new[1] >= old[1]
    return (not old[0]) and new[1] > old[1]


class _Multipliers:
    """Weights of the WMMSE step: lambda (multipliers of min_k R_{c,k}: softmin of the current
    common rates at temperature tau, widened after a rejected step) and one QoS multiplier nu_k per
    user, raised when a trial step leaves user k below R_th without enough common rate to cover
    it, halved after a feasible but rejected trial and relaxed while the slack is comfortable."""

    def __init__(self, K, rsma, opts):
        self.rsma, self.opts = rsma, opts
        self.lam = np.full(K, 1.0 / K)
        self.tau = float(opts.tau)
        self.q = np.zeros(K)

    def weights(self, Rc, Rp, rth):
        K = Rp.size
        if not self.rsma:
            return np.zeros(K), 1.0 + self.q
        lam = np.exp(-(Rc - Rc.min()) / self.tau)
        self.lam = lam / lam.sum()
        return self.lam, 1.0 + self.q

    def temper(self, accepted):
        """Softmin temperature: back towards its default after an accepted step, x4 after a rejected one."""
        self.tau = max(self.tau / 2, self.opts.tau) if accepted else min(4 * self.tau, 1.0)

    def update(self, Rc, Rp, rth, accepted):
        """After a trial step with rates Rc, Rp."""
        up, down = self.opts.eta_up, self.opts.eta_down
        self.temper(accepted)
        short = Rp < rth
        infeasible = (float(Rc.min()) < float(np.maximum(0.0, rth - Rp).sum())) if self.rsma else short.any()
        if infeasible:
            self.q = np.where(short, 2.0 * self.q + up, self.q)
        elif not accepted:
            self.q = 0.5 * self.q
        else:
            self.q = np.where(Rp > rth + self.opts.qos_margin, down * self.q, self.q)
        return bool(infeasible)


def fp_precoders(problem, x0, *, options=None, rng=None) -> Solution:
    """Closed-form WMMSE precoder block (positions fixed): returns the full x dict with
    ``precoders`` and ``common`` (the optimal LP split) updated.

    ``history`` is the true LP-polished value V per accepted iterate (non-decreasing once
    feasible). ``output``: ``accepted``/``rejected`` step counts, ``mu`` (last per-BS multipliers),
    ``fallback`` (None, or why the SCA block was run instead of / after the FP iterations).
    exitflag: 1 converged, 0 iteration limit, -2 QoS infeasible at the end (after the fallback),
    -3 the quadratic step failed numerically before any step was accepted (input polished,
    returned); a later failure ends the block with exitflag 1 and the message says so.
    """
    t0 = time.perf_counter()
    opts = resolve_options(FpPrecoderOptions, options)
    model = getattr(problem, "interference", "coherent")
    if model != "coherent":
        if opts.fallback == "none":
            fail(_OWNER, "fallback", "none", f"the FP block supports interference='coherent' only, not {model!r}")
        sol = sca_precoders(problem, x0, options=opts.sca_options, rng=rng)
        sol.output["fallback"] = f"interference={model!r}: SCA block used"
        return sol
    N, I, K = problem.N, problem.I, problem.K
    rsma = bool(problem.rsma)
    x = problem.polish(dict(x0))       # p_0 = 0 stays 0 (a stationary point): see warm_start
    # a common stream with no power stays off (its WMMSE update is 0 up to rounding): SDMA-size steps
    common_on = rsma and float(np.sum(np.abs(x["precoders"][:, :, 0]) ** 2)) > 1e-12 * float(np.max(problem.pmax))
    hH = problem.channel_rows(x["positions"])
    pmax = np.asarray(problem.pmax, float)
    rth = float(problem.rth)
    merit = _merit(problem, x, opts.feas_tol)
    history = [merit[1]]
    mu = dual = None
    last_private = False
    mult = _Multipliers(K, rsma, opts)
    accepted = rejected = small = streak = 0
    failed = None
    exitflag, message, it = 0, "iteration limit reached", 0
    Pst = x["precoders"].reshape(N * I, K + 1)
    for it in range(1, opts.max_iter + 1):
        Rc, Rp = rates_from_gains(hH @ Pst)
        took = None
        # feasible iterate with every QoS met by the private rates: the QoS-constrained step keeps
        # it feasible (floors R_th). While the common stream carries some user's QoS the multiplier
        # rule is used: fixed floors (that user's private rate, the common rate carrying it) freeze
        # the split between the two and the AO stalled (measured: RSMA-MA 0.956 of SDMA-MA on one of
        # 16 draws with them, >= 1.000 on all 16 without)
        floors = np.minimum(rth, Rp)
        constrained = (opts.qos_step == "constrained" and merit[0] and rth > 0
                       and not (common_on and np.any(Rp < rth - opts.feas_tol)))

        def step(wc, wp, on):
            """(P, mu, dual) of one step; the warm starts are kept only from an accepted step."""
            if constrained:
                return qos_wmmse_step(hH, Pst, wc, np.ones(K), pmax, I, on, floors, 0.0, dual, mu)
            return (*wmmse_step(hH, Pst, wc, wp, pmax, I, on, mu), dual)

        for _attempt in range(opts.qos_retries + 1):
            wc, wp = mult.weights(Rc, Rp, rth)
            try:
                main = step(wc, wp, common_on)
            except np.linalg.LinAlgError as exc:
                failed = f"{exc}; previous iterate kept"
                break
            trials = [(main, 1.0), (main, 0.5), (main, 0.25)]
            if common_on:          # then the step with wc = 0 (common stream off)
                trials.insert(0 if (constrained and last_private) else 3, (None, 1.0))
            qos_bad = False
            for st, alpha in trials:
                if st is None:
                    try:
                        st = step(np.zeros(K), wp, rsma)
                    except np.linalg.LinAlgError:
                        continue
                Pc = Pst + alpha * (st[0] - Pst)
                m_new, Rc_t, Rp_t = _merit_fast(hH, Pc, rth, rsma, opts.feas_tol)
                if st is main and alpha == 1.0 and not constrained:
                    qos_bad = mult.update(Rc_t, Rp_t, rth, _better(m_new, merit))
                if _better(m_new, merit):
                    took = (Pc, m_new)
                    _, mu, dual = st
                    last_private = st is not main
                    break
            if constrained:        # the softmin temperature follows the iteration's outcome
                mult.temper(took is not None)
            if took is not None or not qos_bad:
                break              # accepted, or rejected for a reason other than QoS
        if failed is not None:
            exitflag, message = (-3 if accepted == 0 else 1), failed
            break
        if took is None:
            rejected += 1
            streak += 1
        else:
            streak = 0
            Pst, m_new = took
            gain = m_new[1] - merit[1] if m_new[0] == merit[0] else math.inf
            merit = m_new
            accepted += 1
            history.append(merit[1])
            small = small + 1 if (merit[0] and gain <= opts.tol * max(1.0, abs(merit[1]))) else 0
        if small >= opts.patience:
            exitflag, message = 1, f"no improvement above tol={opts.tol:g} in {opts.patience} accepted steps"
            break
        if streak >= opts.max_rejects:
            exitflag, message = 1, f"{opts.max_rejects} steps in a row rejected"
            break
    if accepted:
        x = problem.polish({**x, "precoders": Pst.reshape(N, I, K + 1)})
    out = {"accepted": accepted, "rejected": rejected, "mu": mu, "fallback": None}
    viol = float(problem.violation(x))
    fval = float(problem.objective(x))
    nit = it
    if viol > opts.feas_tol and opts.fallback == "sca":
        sca = sca_precoders(problem, x, options=opts.sca_options, rng=rng)
        out["fallback"] = f"FP point QoS infeasible (violation {viol:.3g}): SCA block run from it"
        out["sca"] = {"exitflag": sca.exitflag, "fval": sca.fval, "violation": sca.violation}
        if sca.exitflag != -3 and sca.violation < viol:
            x, viol, fval = sca.x, float(sca.violation), float(sca.fval)
            history.append(-viol if viol > opts.feas_tol else float(problem.as_reduced().objective(x)))
    if viol > opts.feas_tol:
        exitflag, message = -2, f"QoS infeasible (violation {viol:.3g}): " + message
    return Solution(x=x, fval=fval, exitflag=exitflag, message=message, nit=nit, history=history,
                    violation=viol, elapsed=time.perf_counter() - t0, solver="fp_precoders", output=out)
