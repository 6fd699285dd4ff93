r"""Exact single-user transmit steps via the phase trick (docs/theory/full_duplex.rst: Exact SOCP steps).

With the combiner fixed, the phase of ``w`` is free, so ``|h^H w|^2 >= .`` becomes the affine
``Re{h^H w} >= .`` and the P2/P3 transmit subproblems are convex SOCPs, solved globally.
Channels are noise-normalised; ``hc`` is the row ``h^H`` (so ``hc @ w = h^H w``).

* P3: ``max Re{hc w}  s.t.  ||H w||^2 <= p_th, ||w||^2 <= P`` -- closed form
  (:func:`p3_closed_form`: MRT if it meets the cap, else ``w(nu) ∝ (I + nu H^H H)^{-1} h`` with
  ``nu`` bisected to ``||H w||^2 = p_th`` at full power, else ``(H^H H)^+ h`` scaled to the cap)
  and the CVXPY SOCP (:func:`p3_socp`).
* P2: ``max min(gamma_D, gamma_U)`` with ``gamma_D = |hc w|^2 / c_D`` and
  ``gamma_U = A / (|g^H w|^2 + b)``: one SOCP in ``u = 1/tau`` (:func:`p2_socp`) or a bisection on
  tau with the P3 closed form as the feasibility oracle (:func:`p2_bisection`).
* P1 (w_r fixed): the 1-D ``epsilon = |g^H w|^2`` sweep (:func:`p1_oracle`), global.
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from ..core.cvx import solve_cvx
from ..core.errors import InvalidProblemError
from ..core.jit import compiled
from ..core.options import Options, resolve_options
from ..core.solution import Solution
from .common import FEAS_VTOL, phase1_accept

__all__ = ["p3_closed_form", "p3_closed_form_batch", "p3_socp", "p2_socp", "p2_bisection", "p1_oracle",
           "socp_beamforming", "SocpOptions", "polish_power_cap"]


def polish_power_cap(w, P, H=None, p_th=None):
    """Feasibility polish: w * min{1, sqrt(P/||w||^2), sqrt(p_th/||H w||^2)}."""
    w = np.asarray(w, complex)
    s = 1.0
    nrm = float(np.sum(np.abs(w) ** 2))
    if nrm > P:
        s = math.sqrt(P / nrm)
    if H is not None and p_th is not None and math.isfinite(p_th):
        phi = float(np.sum(np.abs(H @ w) ** 2))
        if phi > p_th and phi > 0:
            s = min(s, math.sqrt(max(p_th, 0.0) / phi))
    return w * s


def p3_closed_form(hc, H, P, p_th, rtol=1e-12):
    """Global solution w (Nt,) of max Re{hc w} s.t. ||H w||^2 <= p_th, ||w||^2 <= P.
    hc (Nt,), H (Nr, Nt) (a single row (Nt,) is accepted).

    Parameters
    ----------
    hc : numpy.ndarray
        Conjugated DL channel (Nt,), so that ``hc @ w = h^H w``.
    H : numpy.ndarray
        SI channel (Nr, Nt), or a single row (Nt,).
    P : float
        Power budget.
    p_th : float
        SI power cap (> 0).
    rtol : float, default 1e-12
        Relative tolerance of the bisection.

    Returns
    -------
    numpy.ndarray
        The optimal w (Nt,).
    """
    hc = np.asarray(hc, complex)
    H = np.atleast_2d(np.asarray(H, complex))
    h = hc.conj()
    nh = np.linalg.norm(h)
    if nh == 0:
        return np.zeros_like(h)
    w = math.sqrt(P) * h / nh
    if float(np.sum(np.abs(H @ w) ** 2)) <= p_th:
        return w
    G = H.conj().T @ H
    s, U = np.linalg.eigh(0.5 * (G + G.conj().T))
    s = np.maximum(s, 0.0)
    b2 = np.abs(U.conj().T @ h) ** 2
    smax = float(s.max())
    if p_th <= 0:
        null = s <= 1e-12 * smax
        d = U[:, null] @ (U[:, null].conj().T @ h)
        nd = np.linalg.norm(d)
        return math.sqrt(P) * d / nd if nd > 1e-300 else np.zeros_like(h)

    def phi(lognu):
        q = b2 / (1 + math.exp(lognu) * s) ** 2
        return P * float(np.sum(s * q)) / float(np.sum(q))

    lo = math.log(1e-6 / smax)
    hi = lo
    reach = False
    for _ in range(80):
        hi += math.log(10.0)
        if phi(hi) <= p_th:
            reach = True
            break
    if reach:
        while phi(lo) <= p_th:
            lo -= math.log(10.0)
        ln = brentq(lambda t: math.log(phi(t)) - math.log(p_th), lo, hi, xtol=1e-14, rtol=rtol, maxiter=500)
        d = U @ ((U.conj().T @ h) / (1 + math.exp(ln) * s))
        w = math.sqrt(P) * d / np.linalg.norm(d)
    else:  # the cap binds before the power budget: w ∝ (H^H H)^+ h scaled to the cap
        inv = np.where(s > 1e-14 * smax, 1.0 / np.where(s > 0, s, 1.0), 0.0)
        d = U @ (inv * (U.conj().T @ h))
        w = d * math.sqrt(p_th / float(np.sum(np.abs(H @ d) ** 2)))
    return polish_power_cap(w, P, H, p_th)


def _p3_bisect_numpy(s, b2, smax, P, p_th, iters, early_stop):
    """The bisection of :func:`p3_closed_form_batch` on log(nu), row by row: s, b2 (B, n),
    smax (B,) -> (hi (B,), reach (B,)). phi(log nu) = P sum_i s_i q_i / sum_i q_i with
    q_i = b2_i / (1 + nu s_i)^2; both sums use NumPy's association for a contiguous row
    reduction (NumPy's pairwise summation for rows of at most 128 terms: sequential below 8, else
    8 partial sums; longer rows go to :func:`_p3_bisect_vectorised`), so the result matches the
    vectorised loop bit for bit where ``math.exp`` equals ``np.exp`` (checked by the tests on the
    host they run on; a NumPy build with its own SIMD exp may differ in the last bit). Each
    row stops at its own fixed point (a halving that changes neither end), where the batch loop
    leaves it too. Plain Python reference; :func:`p3_closed_form_batch` runs it compiled."""
    B, n = s.shape
    hi_out = np.empty(B)
    reach = np.empty(B, np.bool_)
    step = math.log(1e3)
    width = 80 * math.log(10.0)
    sq = np.empty(n)
    q = np.empty(n)

    def rsum(x):                         # rows of at most 128 terms (the caller checks)
        m = x.shape[0]
        if m < 8:
            res = 0.0
            for i in range(m):
                res += x[i]
            return res
        r = x[:8].copy()
        i = 8
        while i < m - m % 8:
            for j in range(8):
                r[j] += x[i + j]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < m:
            res += x[i]
            i += 1
        return res

    def phi(lognu, k):
        e = math.exp(lognu)
        for i in range(n):
            q[i] = b2[k, i] / (1 + e * s[k, i]) ** 2
            sq[i] = s[k, i] * q[i]
        return P * rsum(sq) / rsum(q)

    for k in range(B):
        lo = math.log(1e-6 / smax[k])
        while phi(lo, k) <= p_th:
            lo = lo - step
        hi = lo + width
        reach[k] = phi(hi, k) <= p_th
        for _ in range(iters):
            mid = 0.5 * (lo + hi)
            above = phi(mid, k) > p_th
            if early_stop and ((above and mid == lo) or (not above and mid == hi)):
                break
            if above:
                lo = mid
            else:
                hi = mid
        hi_out[k] = hi
    return hi_out, reach


def _p3_bisect_vectorised(s, b2, smax, P, p_th, iters, early_stop):
    """The same bisection with NumPy over the batch (the loop the kernel replaced; used for rows
    of more than 128 terms, whose NumPy sums the kernel does not reproduce)."""
    def phi(lognu):
        q = b2 / (1 + np.exp(lognu)[:, None] * s) ** 2
        return P * np.sum(s * q, axis=1) / np.sum(q, axis=1)

    lo = np.log(1e-6 / smax)
    while np.any(m := phi(lo) <= p_th):
        lo = np.where(m, lo - math.log(1e3), lo)
    hi = lo + 80 * math.log(10.0)
    reach = phi(hi) <= p_th
    for _ in range(int(iters)):
        mid = 0.5 * (lo + hi)
        above = phi(mid) > p_th
        if early_stop and not np.any(np.where(above, mid != lo, mid != hi)):
            break       # a fixed point (the brackets are adjacent floats): later halvings change nothing
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return hi, reach


def p3_closed_form_batch(hc, H, P, p_th, iters=100, early_stop=True):
    """Vectorised :func:`p3_closed_form` for a batch (PSO fitness): hc (B, Nt), H (B, Nr, Nt)
    -> w (B, Nt). The bisection runs on log(nu) for ``iters`` halvings of a bracket of width
    ~80 (relative precision of nu ~ 1e-12 after 100 halvings), stopping early once a halving
    leaves every bracket unchanged (adjacent floats, typically after ~60: the result is the same
    as with all ``iters``, which ``early_stop=False`` runs); p_th > 0."""
    hc = np.asarray(hc, complex)
    H = np.asarray(H, complex)
    h = hc.conj()
    nh = np.linalg.norm(h, axis=1)
    nh = np.where(nh > 0, nh, 1.0)
    w = math.sqrt(P) * h / nh[:, None]
    phi_mrt = np.sum(np.abs(np.einsum("brn,bn->br", H, w)) ** 2, axis=1)
    todo = phi_mrt > p_th
    if not np.any(todo):
        return w
    G = np.einsum("brm,brn->bmn", H[todo].conj(), H[todo])
    s, U = np.linalg.eigh(0.5 * (G + np.swapaxes(G, -1, -2).conj()))
    s = np.maximum(s, 0.0)
    b = np.einsum("bnm,bn->bm", U.conj(), h[todo])              # U^H h
    b2 = np.abs(b) ** 2
    smax = np.maximum(s.max(axis=1), 1e-300)

    bisect = compiled(_p3_bisect_numpy) if s.shape[1] <= 128 else _p3_bisect_vectorised
    hi, reach = bisect(np.ascontiguousarray(s), np.ascontiguousarray(b2), smax, float(P), float(p_th), int(iters),
                       bool(early_stop))
    nu = np.exp(hi)[:, None]
    d = np.einsum("bnm,bm->bn", U, b / (1 + nu * s))
    wt = math.sqrt(P) * d / np.linalg.norm(d, axis=1, keepdims=True)
    if not np.all(reach):
        inv = np.where(s > 1e-14 * smax[:, None], 1.0 / np.where(s > 0, s, 1.0), 0.0)
        dp = np.einsum("bnm,bm->bn", U, inv * b)
        phi_p = np.sum(np.abs(np.einsum("brn,bn->br", H[todo], dp)) ** 2, axis=1)
        wp = dp * np.sqrt(p_th / np.where(phi_p > 0, phi_p, 1.0))[:, None]
        wt = np.where(reach[:, None], wt, wp)
    # feasibility polish (power and cap)
    nrm = np.sum(np.abs(wt) ** 2, axis=1)
    phi_t = np.sum(np.abs(np.einsum("brn,bn->br", H[todo], wt)) ** 2, axis=1)
    sc = np.minimum(1.0, np.sqrt(P / np.maximum(nrm, 1e-300)))
    sc = np.minimum(sc, np.sqrt(p_th / np.maximum(phi_t, 1e-300)))
    w[todo] = wt * sc[:, None]
    return w


def p3_socp(hc, H, P, p_th, solvers=None):
    """CVXPY SOCP (§4.6a): returns (w (Nt,) or None, CvxResult)."""
    import cvxpy as cp

    hc = np.asarray(hc, complex)
    H = np.atleast_2d(np.asarray(H, complex))
    w = cp.Variable(hc.shape[0], complex=True)
    hcp = cp.Parameter(hc.shape[0], complex=True, value=hc)
    Gp = cp.Parameter(H.shape, complex=True, value=H)
    Pp = cp.Parameter(nonneg=True, value=P)
    tp = cp.Parameter(nonneg=True, value=p_th)
    prob = cp.Problem(cp.Maximize(cp.real(hcp @ w)), [cp.sum_squares(Gp @ w) <= tp, cp.sum_squares(w) <= Pp])
    res = solve_cvx(prob, solvers)
    if not res.usable or w.value is None:
        return None, res
    return polish_power_cap(np.asarray(w.value), P, H, p_th), res


def p2_socp(hc, c_D, g, A, b, P, solvers=None):
    """P2 transmit step in one SOCP (§4.6b): min u s.t. Re{hc w}/sqrt(c_D) >= u^{-1/2},
    |g^H w|^2 + b <= A u, ||w||^2 <= P, with ``g`` (Nt,) such that g^H w is the SI amplitude
    (g = H^H w_r), A = p_U |w_r^H h_U|^2, b = UL interference + noise. Returns
    (w or None, min SINR 1/u*, CvxResult)."""
    import cvxpy as cp

    Nt = len(hc)
    hc = np.asarray(hc, complex)
    # u is scaled by tau0 (an upper bound of tau) so that u* = O(1) for the conic solver
    tau0 = max(min(P * float(np.sum(np.abs(hc) ** 2)) / c_D, A / b), 1e-300)
    w = cp.Variable(Nt, complex=True)
    u = cp.Variable(pos=True)
    hcp = cp.Parameter(Nt, complex=True, value=hc / math.sqrt(c_D * tau0))
    gcp = cp.Parameter(Nt, complex=True, value=np.asarray(g, complex).conj() / math.sqrt(b))
    ap = cp.Parameter(nonneg=True, value=A / (b * tau0))
    Pp = cp.Parameter(nonneg=True, value=P)
    cons = [cp.real(hcp @ w) >= cp.power(u, -0.5),
            cp.square(cp.abs(gcp @ w)) + 1 <= ap * u,
            cp.sum_squares(w) <= Pp]
    prob = cp.Problem(cp.Minimize(u), cons)
    res = solve_cvx(prob, solvers)
    if not res.usable or w.value is None or u.value is None:
        return None, float("nan"), res
    return polish_power_cap(np.asarray(w.value), P), tau0 / float(u.value), res


def p2_bisection(hc, c_D, g, A, b, P, rtol=1e-10):
    """P2 transmit step by bisection on tau = min SINR: tau is feasible iff
    V(eps)^2 / c_D >= tau with eps = A/tau - b, V the P3 closed-form value for the single-row
    cap |g^H w|^2 <= eps. Returns (w, tau*)."""
    hc = np.asarray(hc, complex)
    grow = np.asarray(g, complex).conj()[None, :]

    def solve(tau):
        eps = A / tau - b
        if eps < 0:
            return None, -math.inf
        w = p3_closed_form(hc, grow, P, eps)
        return w, float(abs(hc @ w) ** 2 / c_D)

    hi = min(P * float(np.sum(np.abs(hc) ** 2)) / c_D, A / b)
    lo = 0.0
    w_best = p3_closed_form(hc, grow, P, max(A / max(hi, 1e-300) - b, 0.0)) if hi > 0 else np.zeros_like(hc)
    w_lo = None
    for _ in range(200):
        if hi - lo <= rtol * max(hi, 1e-300):
            break
        mid = 0.5 * (lo + hi)
        w, val = solve(mid)
        if w is not None and val >= mid:
            lo, w_lo = mid, w
        else:
            hi = mid
    if w_lo is None:
        w_lo = w_best
    return w_lo, lo


def p1_oracle(hc, c_D, g, A, b, P, weights, n_grid=400):
    """Global P1 transmit step with w_r fixed (§4.3): maximise over eps in [0, P||g||^2]
    a1 log2(1 + V(eps)^2/c_D) + a2 log2(1 + A/(eps + b)); log grid + bounded golden/Brent
    refinement. Returns (w, value)."""
    hc = np.asarray(hc, complex)
    grow = np.asarray(g, complex).conj()[None, :]
    a1, a2 = float(weights[0]), float(weights[1])
    emax = P * float(np.sum(np.abs(g) ** 2))

    def wv(eps):
        w = p3_closed_form(hc, grow, P, max(eps, 0.0))
        e = float(abs(grow @ w)[0] ** 2)
        val = a1 * math.log2(1 + abs(hc @ w) ** 2 / c_D) + a2 * math.log2(1 + A / (e + b))
        return w, val

    if emax <= 0:
        return wv(0.0)
    grid = np.concatenate([[0.0], np.geomspace(emax * 1e-12, emax, n_grid)])
    vals = [wv(e)[1] for e in grid]
    i = int(np.argmax(vals))
    lo = grid[max(i - 1, 0)]
    hi = grid[min(i + 1, len(grid) - 1)]
    best = (grid[i], vals[i])
    if hi > lo:
        r = minimize_scalar(lambda e: -wv(e)[1], bounds=(lo, hi), method="bounded",
                            options={"xatol": 1e-12 * max(hi, 1e-300), "maxiter": 500})
        if -r.fun > best[1]:
            best = (float(r.x), -float(r.fun))
    return wv(best[0])


@dataclasses.dataclass(frozen=True)
class SocpOptions(Options):
    """method: "auto" (P3 closed form, P2 SOCP, P1 1-D oracle), "closed" (closed form /
    bisection / oracle) or "cvx" (CVXPY SOCPs for P2/P3); solvers: CVXPY order."""

    method: str = "auto"
    solvers: tuple | None = None


def _single_user_terms(a):
    hc = a["hDc"][0]
    c_D = float(a["E"][0] @ a["p"] + 1.0)
    wr = a["Wr"][:, 0]
    g = a["H"].conj().T @ wr                         # g^H w = w_r^H H w
    A = float(a["p"][0] * abs(wr.conj() @ a["hU"][:, 0]) ** 2)
    b = float(np.sum(np.abs(wr) ** 2))
    return hc, c_D, g, A, b


def socp_beamforming(problem, x0, *, options=None, rng=None) -> Solution:
    """AO block "tx_bf" solved exactly for single-user problems: P3 (SI-capped DL rate), P2
    (max-min SINR) and P1 (1-D oracle). Keeps the incumbent if the new point is not better; from an
    infeasible start (e.g. a beamformer that breaks the SI cap at a moved layout) the step is taken
    when it restores feasibility or reduces the violation, even at a lower objective (phase 1).

    Parameters
    ----------
    problem : FullDuplexProblem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : SocpOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Unused; accepted for the solver contract.

    Returns
    -------
    Solution
        The full ``x`` with ``w_t`` updated (never worse than a feasible ``x0``; never more
        violating than an infeasible one).

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(SocpOptions, options)
    if opts.method not in ("auto", "closed", "cvx"):
        raise InvalidProblemError(f"SocpOptions.method = {opts.method!r}: must be auto, closed or cvx")
    a = problem.fd_arrays(x0)
    if a["hDc"].shape[0] != 1 or a["hU"].shape[1] != 1:
        raise InvalidProblemError("socp_beamforming.problem = <multi-user>: needs K_D = K_U = 1")
    kind = a["kind"]
    hc, c_D, g, A, b = _single_user_terms(a)
    P = a["P"]
    attempts, output = [], {}
    w = None
    if kind == "dl_si_cap":
        if opts.method == "cvx":
            w, res = p3_socp(hc, a["H"], P, a["p_th"], opts.solvers)
            attempts = res.attempts
        else:
            w = p3_closed_form(hc, a["H"], P, a["p_th"])
    elif kind == "maxmin":
        if opts.method == "closed":
            w, tau = p2_bisection(hc, c_D, g, A, b, P)
        else:
            w, tau, res = p2_socp(hc, c_D, g, A, b, P, opts.solvers)
            attempts = res.attempts
        output["min_sinr"] = tau
    else:
        w, val = p1_oracle(hc, c_D, g, A, b, P, a["weights"])
        output["oracle_value"] = val
    f0 = float(problem.objective(x0))
    v0 = float(problem.violation(x0))
    exitflag, message = 1, "exact step"
    x = x0
    if w is None:
        exitflag, message = -3, "convex solver failed; incumbent kept"
    else:
        xn = problem.fd_pack(x0, Wt=w[:, None])
        fn = float(problem.objective(xn))
        # phase 1: from an infeasible start a step that restores feasibility (or reduces the
        # violation) is taken even at a lower objective; among feasible points the objective decides
        if phase1_accept(fn, problem.violation(xn), f0, v0, ftol=1e-12 * max(1.0, abs(f0))):
            x = xn if (fn >= f0 or not v0 <= FEAS_VTOL) else x0
        else:
            message = "exact step not better than the incumbent (kept)"
    if attempts:
        output["cvx_attempts"] = attempts
    f = float(problem.objective(x))
    return Solution(x=x, fval=f, exitflag=exitflag, message=message, nit=1, history=[f0, f],
                    violation=float(problem.violation(x)), elapsed=time.perf_counter() - t0,
                    solver="socp_beamforming", output=output)
