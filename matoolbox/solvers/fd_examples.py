r"""Block solvers of the full-duplex example problems E1, E2 and E4 (spec full_duplex.md §3.3, §4, §5).

* :func:`apo_positions` (E1 baseline, "alternating position optimisation"): one antenna at a time,
  exhaustive search of its region on a grid of step ``grid_step * wavelength``, rounds until no
  antenna improves. Needs ``objective_batch`` and planar positions (R, 2) whose only constraint
  is the box ``problem.bounds``.
* :func:`spectrum_sharing_beamformer` (E2 ``w``-step): the exact SOCP
  ``max Re{h_0^H w}`` s.t. ``|h_k^H w| <= sqrt(Gamma)``, ``||w|| <= sqrt(P)`` (noise-normalised),
  or the paper's SCA on ``|h_0^H w|^2`` (``method="sca"``); then a feasibility polish.
* :func:`spectrum_sharing_enumeration` (E2 positions): one antenna at a time over a grid, skipping
  points that break the spacing or the interference caps under the current ``w``.
* :func:`multibeam_awv` (E4 weights): SDR ``max d`` s.t. ``W >= 0``, ``tr W <= 1``,
  ``tr(A_k W) >= d``, ``tr(B_l W) <= xi`` + Gaussian randomisation, compared with the incumbent.
* :func:`multibeam_apv` (E4 positions): SCA QCQP with the quadratic bounds
  ``G(x) >= G(x0) + g^T d - L/2 ||d||^2`` (beams) and ``G(x) <= G(x0) + g^T d + L/2 ||d||^2``
  (interference), ``L = 2 beta^2 (||w||_2^2 + ||w||_1 ||w||_inf)``, ``beta = k0 cos theta``.

Every block returns the full ``x`` dict and never returns a point worse than (or less feasible
than) its start. Convex solves go through :func:`matoolbox.core.cvx.solve_cvx` and are listed in
``output["cvx_attempts"]``.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import time
import warnings

import numpy as np

from ..core.cvx import solve_cvx
from ..core.options import Options, resolve_options
from ..core.rng import as_generator
from ..core.solution import Solution

__all__ = [
    "apo_positions", "ApoOptions",
    "spectrum_sharing_beamformer", "SpectrumSharingBfOptions",
    "spectrum_sharing_enumeration", "EnumerationOptions",
    "multibeam_awv", "MultibeamAwvOptions", "multibeam_apv", "MultibeamApvOptions",
]


def _solve(prob, solvers):
    """solve_cvx with CVXPY's 'may be inaccurate' warning silenced (the status is recorded)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return solve_cvx(prob, solvers)


def _copy_x(x):
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in x.items()}


# ----------------------------------------------------------------------------------------------
# E1 baseline: alternating position optimisation on a grid
# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ApoOptions(Options):
    """block: planar position block (R, 2); grid_step: grid step in wavelengths; max_rounds:
    sweeps over all antennas; tol: relative improvement that counts as progress."""

    block: str = "positions"
    grid_step: float = 0.05
    max_rounds: int = 20
    tol: float = 1e-9


def apo_positions(problem, x0=None, *, options=None, rng=None) -> Solution:
    """Alternating (one antenna at a time) exhaustive grid search of planar positions.

    Antenna r moves to ``argmax_{p in grid} f(x with row r = p)`` if that beats the current value
    by more than ``tol`` (relative); rounds over r = 1..R repeat until no antenna moves
    (exitflag 1) or ``max_rounds`` (exitflag 0). ``history``: objective after every round.
    """
    t0 = time.perf_counter()
    opts = resolve_options(ApoOptions, options)
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    block = opts.block
    lo, hi = (np.asarray(b, float) for b in problem.bounds(block))
    step = opts.grid_step * float(getattr(problem, "wavelength", 1.0))
    cur = np.asarray(x[block], float)
    f = float(problem.objective(x))
    history, moved, rnd = [f], True, 0
    while moved and rnd < opts.max_rounds:
        rnd += 1
        moved = False
        for r in range(cur.shape[0]):
            gx = np.arange(lo[r, 0], hi[r, 0] + step / 2, step)
            gy = np.arange(lo[r, 1], hi[r, 1] + step / 2, step)
            grid = np.stack(np.meshgrid(np.minimum(gx, hi[r, 0]), np.minimum(gy, hi[r, 1])), -1).reshape(-1, 2)
            cand = np.repeat(cur[None], len(grid), axis=0)
            cand[:, r] = grid
            vals = np.asarray(problem.objective_batch(block, cand, x), float)
            i = int(np.argmax(vals))
            if vals[i] > f + opts.tol * max(1.0, abs(f)):
                cur = cand[i]
                f = float(vals[i])
                moved = True
        history.append(f)
    x[block] = cur
    f = float(problem.objective(x))
    return Solution(x=x, fval=f, exitflag=0 if moved else 1,
                    message="round limit reached" if moved else "no antenna improves on the grid",
                    nit=rnd, history=history, violation=float(problem.violation(x)),
                    elapsed=time.perf_counter() - t0, solver="apo_positions",
                    output={"grid_step": step, "rounds": rnd})


# ----------------------------------------------------------------------------------------------
# E2: spectrum sharing
# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class SpectrumSharingBfOptions(Options):
    """method: "socp" (exact, one solve) or "sca" (the paper's SCA on |h_0^H w|^2, from the
    incumbent or scaled MRT); max_iter / tol: SCA iterations and relative stopping tolerance;
    solvers: CVXPY solver order (None: MOSEK if licensed, CLARABEL, SCS)."""

    method: str = "socp"
    max_iter: int = 50
    tol: float = 1e-10
    solvers: tuple | None = None


@functools.lru_cache(maxsize=16)
def _ss_socp(n: int, k: int):
    """DPP problem: max Re{g w} s.t. |Hc w| <= sqrt(Gamma), ||w|| <= sqrt(P) (g, Hc rows of h^H)."""
    import cvxpy as cp

    w = cp.Variable(n, complex=True)
    g = cp.Parameter(n, complex=True)
    sqrt_p = cp.Parameter(nonneg=True)
    cons = [cp.norm(w, 2) <= sqrt_p]
    par = {"g": g, "sqrt_p": sqrt_p}
    if k:
        H = cp.Parameter((k, n), complex=True)
        sqrt_g = cp.Parameter(nonneg=True)
        cons.append(cp.abs(H @ w) <= sqrt_g)
        par.update(H=H, sqrt_g=sqrt_g)
    return cp.Problem(cp.Maximize(cp.real(g @ w)), cons), w, par


def _ss_polish(w, H, gamma, power):
    """Feasibility polish: min-norm correction of the caps |H w|^2 <= gamma, then power scaling."""
    w = np.asarray(w, complex)
    if H.shape[0]:
        e = H @ w
        mag = np.abs(e)
        cap = math.sqrt(gamma)
        over = mag > cap
        if np.any(over):
            target = np.where(over, e * (cap / np.maximum(mag, 1e-300)), e)
            w = w + np.linalg.lstsq(H, target - e, rcond=None)[0]
    nw = np.linalg.norm(w)
    if nw > math.sqrt(power):
        w = w * (math.sqrt(power) / nw)
    if H.shape[0]:
        mag = np.abs(H @ w).max()
        if mag ** 2 > gamma * (1 + 1e-12) + 1e-12:   # only if the correction failed (rank-deficient H)
            w = w * (math.sqrt(gamma) / mag)
    return w


def spectrum_sharing_beamformer(problem, x0=None, *, options=None, rng=None) -> Solution:
    r"""E2 ``w``-step for fixed positions (noise-normalised rows ``r_k = h_k^H / sigma``).

    ``"socp"``: ``max Re{r_0 w}`` s.t. ``|r_k w| <= sqrt(Gamma)``, ``||w|| <= sqrt(P)``; the phase
    of w is free, so this is the exact optimum of ``max |r_0 w|^2`` (SNR = value^2).
    ``"sca"``: iterate ``max Re{(r_0 w_bar)^* r_0 w}`` (the affine minorant of ``|r_0 w|^2``) over
    the same set from the incumbent (or scaled MRT). Both are followed by the feasibility polish
    and compared with the feasible incumbent, so the block never decreases the objective.
    """
    t0 = time.perf_counter()
    opts = resolve_options(SpectrumSharingBfOptions, options)
    if opts.method not in ("socp", "sca"):
        from ..core.errors import InvalidProblemError

        raise InvalidProblemError(f"SpectrumSharingBfOptions.method = {opts.method!r}: must be 'socp' or 'sca'")
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    rows = problem.channel_rows(x["positions"])
    r0, H = rows[0], rows[1:]
    n, k = r0.size, H.shape[0]
    gamma, power = problem.gamma, problem.power
    prob, wv, par = _ss_socp(n, k)
    par["sqrt_p"].value = math.sqrt(power)
    if k:
        par["H"].value = H
        par["sqrt_g"].value = math.sqrt(gamma)
    attempts, history = [], []

    def solve(g):
        par["g"].value = g
        res = _solve(prob, opts.solvers)
        attempts.extend(res.attempts)
        if not res.usable or wv.value is None:
            return None
        return _ss_polish(wv.value, H, gamma, power)

    incumbent = np.asarray(x.get("precoders", np.zeros(n)), complex)
    inc_ok = problem.violation({**x, "precoders": incumbent}) <= 1e-9
    inc_val = abs(r0 @ incumbent) ** 2 if inc_ok else -math.inf
    nit = 0
    if opts.method == "socp":
        w = solve(r0)
        nit = 1
        if w is not None:
            history.append(abs(r0 @ w) ** 2)
    else:
        w = incumbent if (inc_ok and abs(r0 @ incumbent) > 0) else _ss_polish(
            math.sqrt(power) * r0.conj() / max(np.linalg.norm(r0), 1e-300), H, gamma, power)
        val = abs(r0 @ w) ** 2
        history.append(val)
        for nit in range(1, opts.max_iter + 1):
            c = r0 @ w
            if abs(c) == 0:
                c = 1.0
            w_new = solve(np.conj(c) * r0)
            if w_new is None:
                w = None
                break
            new = abs(r0 @ w_new) ** 2
            history.append(new)
            done = abs(new - val) <= opts.tol * max(1.0, abs(val))
            if new >= val:
                w, val = w_new, new
            if done:
                break
    if w is None:
        ok = inc_ok
        w = incumbent if inc_ok else np.zeros(n, complex)
        exitflag, msg = -3, "convex solver failed; incumbent kept"
    else:
        exitflag, msg = 1, f"{opts.method} solved"
        if abs(r0 @ w) ** 2 < inc_val:
            w = incumbent
    x["precoders"] = w
    return Solution(x=x, fval=problem.objective(x), exitflag=exitflag, message=msg, nit=nit,
                    history=history, violation=problem.violation(x), elapsed=time.perf_counter() - t0,
                    solver="spectrum_sharing_beamformer", output={"cvx_attempts": attempts, "method": opts.method})


@dataclasses.dataclass(frozen=True)
class EnumerationOptions(Options):
    """grid_step: grid step in wavelengths (spec: 1/20); sweeps: passes over all antennas."""

    grid_step: float = 0.05
    sweeps: int = 1


def spectrum_sharing_enumeration(problem, x0=None, *, options=None, rng=None) -> Solution:
    r"""E2 positions: one antenna at a time, exhaustive search of a grid over the region.

    Antenna n at grid point p changes column n of the rows to ``u_k(p)``. Each point (closer than
    ``d_min`` to no other antenna) is scored by the better of two *feasible* beamformers:
    the current w scaled by ``alpha = min(1, min_k sqrt(Gamma)/|h_k^H w|)`` (caps kept), and the
    zero-forcing MRT ``sqrt(P) P_perp h_0 / ||P_perp h_0||`` (zero interference, K < N). The
    antenna moves to the best point if its score beats the current SNR; x["precoders"] is set to
    the matching beamformer, so the block is monotone and feasible (the next w-step re-optimises).
    """
    t0 = time.perf_counter()
    opts = resolve_options(EnumerationOptions, options)
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    step = opts.grid_step * problem.wavelength
    ticks = np.minimum(np.arange(0.0, problem.region + step / 2, step), problem.region)
    grid = np.stack(np.meshgrid(ticks, ticks), -1).reshape(-1, 2)
    U = problem.grid_response(grid)                                   # (K+1, G)
    P = np.array(x["positions"], float)
    w = np.asarray(x["precoders"], complex)
    gamma, power = problem.gamma, problem.power
    K1, G = U.shape
    f = problem.objective(x)
    v0 = max(problem.violation(x), 1e-9)
    history, moves = [f], 0
    for _ in range(opts.sweeps):
        for n in range(P.shape[0]):
            rows = problem.channel_rows(P)                            # (K+1, N)
            rest = rows @ w - rows[:, n] * w[n]
            val = rest[:, None] + U * w[n]                             # (K+1, G)
            alpha2 = np.ones(G)
            if K1 > 1:
                peak = np.max(np.abs(val[1:]) ** 2, axis=0)
                alpha2 = np.minimum(1.0, gamma / np.maximum(peak, 1e-300))
                alpha2 = np.where(peak <= gamma, 1.0, alpha2)
            score_s = alpha2 * np.abs(val[0]) ** 2
            score_z = np.zeros(G)
            if 1 < K1 <= P.shape[0]:
                R = np.repeat(rows[None], G, axis=0)
                R[:, :, n] = U.T
                Q, _ = np.linalg.qr(np.conj(np.swapaxes(R[:, 1:, :], 1, 2)))   # (G, N, K)
                r0c = np.conj(R[:, 0, :])
                pz = r0c - np.einsum("gnk,gk->gn", Q, np.einsum("gnk,gn->gk", Q.conj(), r0c))
                score_z = power * np.sum(np.abs(pz) ** 2, axis=1)
            elif K1 == 1:
                score_z = power * (np.sum(np.abs(rows[0]) ** 2) - np.abs(rows[0, n]) ** 2 + np.abs(U[0]) ** 2)
            score = np.maximum(score_s, score_z)
            others = np.delete(P, n, axis=0)
            if len(others) and problem.d_min > 0:
                dist = np.linalg.norm(grid[:, None, :] - others[None], axis=-1).min(axis=1)
                score = np.where(dist >= problem.d_min, score, -np.inf)
            i = int(np.argmax(score))
            if not score[i] > f * (1 + 1e-9):
                continue
            cand = P.copy()
            cand[n] = grid[i]
            if score_s[i] >= score_z[i]:
                wc = w * math.sqrt(alpha2[i])
            else:
                rc = problem.channel_rows(cand)
                wc = _zf_mrt(rc[0], rc[1:], power)
            xc = {**x, "positions": cand, "precoders": wc}
            fc, vc = problem.objective(xc), problem.violation(xc)
            if fc > f and vc <= v0:
                P, w, f = cand, wc, fc
                moves += 1
        history.append(f)
    x["positions"], x["precoders"] = P, w
    return Solution(x=x, fval=problem.objective(x), exitflag=1, message=f"{moves} antenna moves",
                    nit=opts.sweeps, history=history, violation=problem.violation(x),
                    elapsed=time.perf_counter() - t0, solver="spectrum_sharing_enumeration",
                    output={"moves": moves, "grid_points": G})


def _zf_mrt(r0, H, power):
    """sqrt(P) P_perp r0^H / ||.|| with P_perp the projector onto the null space of the rows H."""
    r0c = np.conj(r0)
    if H.shape[0]:
        Q, _ = np.linalg.qr(np.conj(H.T))
        r0c = r0c - Q @ (Q.conj().T @ r0c)
    nrm = np.linalg.norm(r0c)
    return np.zeros_like(r0c) if nrm == 0 else math.sqrt(power) * r0c / nrm


# ----------------------------------------------------------------------------------------------
# E4: multi-beam max-min
# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class MultibeamAwvOptions(Options):
    """n_random: Gaussian randomisation draws; rank_tol: lambda_2/lambda_1 below which the
    principal eigenvector is used directly; solvers: CVXPY solver order."""

    n_random: int = 200
    rank_tol: float = 1e-6
    solvers: tuple | None = None


@functools.lru_cache(maxsize=16)
def _mb_sdr(n: int, k: int, l: int):
    """DPP SDR: max d s.t. W >= 0, tr W <= 1, tr(A_k W) >= d, tr(B_l W) <= xi."""
    import cvxpy as cp

    W = cp.Variable((n, n), hermitian=True)
    d = cp.Variable()
    A = [cp.Parameter((n, n), hermitian=True) for _ in range(k)]
    B = [cp.Parameter((n, n), hermitian=True) for _ in range(l)]
    xi = cp.Parameter(nonneg=True)
    cons = [W >> 0, cp.real(cp.trace(W)) <= 1]
    cons += [cp.real(cp.trace(a @ W)) >= d for a in A]
    cons += [cp.real(cp.trace(b @ W)) <= xi for b in B]
    return cp.Problem(cp.Maximize(d), cons), W, {"A": A, "B": B, "xi": xi}


def _mb_scale(V, Bv, xi):
    """Largest feasible scaling of candidate weights V (m, N): ||w|| <= 1, |w^H b_l|^2 <= xi."""
    alpha = 1.0 / np.maximum(np.linalg.norm(V, axis=1), 1e-300)
    if Bv.shape[1]:
        mag = np.abs(V.conj() @ Bv).max(axis=1)
        alpha = np.minimum(alpha, np.sqrt(xi) / np.maximum(mag, 1e-300))
    return V * alpha[:, None]


def multibeam_awv(problem, x0=None, *, options=None, rng=None) -> Solution:
    r"""E4 weights for fixed positions: SDR + Gaussian randomisation, keeping the best of the
    eigenvector / randomised candidates (scaled to feasibility) and the feasible incumbent.
    ``output``: ``sdr_bound`` (the SDR optimum, an upper bound on min_k G), ``eig_ratio``
    (lambda_2 / lambda_1), ``cvx_attempts``."""
    from ..problems.full_duplex_examples import steering_matrix

    t0 = time.perf_counter()
    opts = resolve_options(MultibeamAwvOptions, options)
    rng = as_generator(rng)
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    pos = np.asarray(x["positions"], float)
    Av = steering_matrix(pos, problem.beam_angles, problem.wavelength)      # (N, K)
    Bv = steering_matrix(pos, problem.null_angles, problem.wavelength)      # (N, L)
    n, k, l = Av.shape[0], Av.shape[1], Bv.shape[1]
    prob, W, par = _mb_sdr(n, k, l)
    for j, a in enumerate(par["A"]):
        a.value = np.outer(Av[:, j], Av[:, j].conj())
    for j, b in enumerate(par["B"]):
        b.value = np.outer(Bv[:, j], Bv[:, j].conj())
    par["xi"].value = problem.xi
    res = _solve(prob, opts.solvers)
    incumbent = np.asarray(x.get("precoders", np.zeros(n)), complex)
    inc_ok = problem.violation({**x, "precoders": incumbent}) <= 1e-9
    out = {"cvx_attempts": res.attempts}
    if not res.usable or W.value is None:
        x["precoders"] = incumbent if inc_ok else np.zeros(n, complex)
        return Solution(x=x, fval=problem.objective(x), exitflag=-3, message="SDR solve failed; incumbent kept",
                        nit=1, history=[problem.objective(x)], violation=problem.violation(x),
                        elapsed=time.perf_counter() - t0, solver="multibeam_awv", output=out)
    lam, U = np.linalg.eigh(W.value)
    lam = np.clip(lam[::-1], 0.0, None)
    U = U[:, ::-1]
    ratio = float(lam[1] / lam[0]) if n > 1 and lam[0] > 0 else 0.0
    cands = [math.sqrt(lam[0]) * U[:, 0]]
    if ratio >= opts.rank_tol:
        z = (rng.standard_normal((opts.n_random, n)) + 1j * rng.standard_normal((opts.n_random, n))) / math.sqrt(2)
        cands.extend((z * np.sqrt(lam)) @ U.T)
    V = _mb_scale(np.array(cands), Bv, problem.xi)
    vals = (np.abs(V.conj() @ Av) ** 2).min(axis=1)
    i = int(np.argmax(vals))
    w = V[i]
    if inc_ok and problem.objective({**x, "precoders": incumbent}) >= vals[i]:
        w = incumbent
    x["precoders"] = w
    out.update(sdr_bound=float(res.value), eig_ratio=ratio, best_random=float(vals.max()),
               n_candidates=len(V))
    return Solution(x=x, fval=problem.objective(x), exitflag=1, message="SDR + randomisation", nit=1,
                    history=[problem.objective(x)], violation=problem.violation(x),
                    elapsed=time.perf_counter() - t0, solver="multibeam_awv", output=out)


@dataclasses.dataclass(frozen=True)
class MultibeamApvOptions(Options):
    """max_iter: SCA steps per call; tol: relative improvement to continue; curvature_scale:
    initial fraction s of the global curvature bound (a step with s < 1 is accepted only if the
    true min gain does not drop and the nulls stay below xi; otherwise s <- min(1, 4 s) and the
    step is re-solved; s = 1 is the safe global bound); solvers: CVXPY order."""

    max_iter: int = 10
    tol: float = 1e-6
    curvature_scale: float = 0.1
    solvers: tuple | None = None


@functools.lru_cache(maxsize=16)
def _mb_qcqp(n: int, k: int, l: int):
    """DPP QCQP in the step delta = x - x0 (§4.6g) with t >= ||delta||^2."""
    import cvxpy as cp

    delta = cp.Variable(n)
    d = cp.Variable()
    t = cp.Variable(nonneg=True)
    x0 = cp.Parameter(n)
    g0, gr, cg = cp.Parameter(k), cp.Parameter((k, n)), cp.Parameter(k, nonneg=True)
    region, dmin = cp.Parameter(nonneg=True), cp.Parameter(nonneg=True)
    cons = [cp.sum_squares(delta) <= t, g0 + gr @ delta - cg * t >= d,
            x0[0] + delta[0] >= 0, x0[n - 1] + delta[n - 1] <= region]
    if n > 1:
        cons.append(cp.diff(x0 + delta) >= dmin)
    par = {"x0": x0, "g0": g0, "gr": gr, "cg": cg, "region": region, "dmin": dmin}
    if l:
        h0, hr, ch = cp.Parameter(l), cp.Parameter((l, n)), cp.Parameter(l, nonneg=True)
        xi = cp.Parameter(nonneg=True)
        cons.append(h0 + hr @ delta + ch * t <= xi)
        par.update(h0=h0, hr=hr, ch=ch, xi=xi)
    return cp.Problem(cp.Maximize(d), cons), delta, par


def multibeam_apv(problem, x0=None, *, options=None, rng=None) -> Solution:
    r"""E4 positions for fixed weights: SCA QCQP (§4.6g) with quadratic bounds of curvature
    ``s L``, ``L = 2 beta^2 (||w||^2 + ||w||_1 ||w||_inf)`` (global for s = 1). A step is accepted
    only if the true ``min_k G(theta_k)`` does not drop and the nulls stay below xi; else s grows
    (x4) up to the safe s = 1 and the step is re-solved; after an accepted step s halves. So the
    block is monotone and feasible. Positions stay sorted with spacing d_min in [0, A]."""
    from ..problems.full_duplex_examples import array_gain, array_gain_grad, project_line

    t0 = time.perf_counter()
    opts = resolve_options(MultibeamApvOptions, options)
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    w = np.asarray(x["precoders"], complex)
    lam = problem.wavelength
    n, k, l = problem.n_antennas, problem.beam_angles.size, problem.null_angles.size
    curv = 2.0 * (np.vdot(w, w).real + np.abs(w).sum() * np.abs(w).max())
    beta_b = (2 * np.pi / lam * np.cos(problem.beam_angles)) ** 2
    beta_n = (2 * np.pi / lam * np.cos(problem.null_angles)) ** 2
    prob, delta, par = _mb_qcqp(n, k, l)
    par["region"].value = float(problem.region)
    par["dmin"].value = float(problem.d_min)
    if l:
        par["xi"].value = problem.xi
    f = problem.objective(x)
    v0 = max(problem.violation(x), 1e-9)
    history, attempts, nit, exitflag, msg = [f], [], 0, 1, "no further improvement"
    if not np.any(w):
        return Solution(x=x, fval=f, exitflag=1, message="zero weights: positions irrelevant", nit=0,
                        history=history, violation=problem.violation(x), elapsed=time.perf_counter() - t0,
                        solver="multibeam_apv", output={"cvx_attempts": attempts})
    scale = float(min(max(opts.curvature_scale, 1e-6), 1.0))
    stop = False
    for nit in range(1, opts.max_iter + 1):
        pos = np.asarray(x["positions"], float)
        par["x0"].value = pos
        par["g0"].value = array_gain(w, pos, problem.beam_angles, lam)
        par["gr"].value = array_gain_grad(w, pos, problem.beam_angles, lam)
        if l:
            par["h0"].value = array_gain(w, pos, problem.null_angles, lam)
            par["hr"].value = array_gain_grad(w, pos, problem.null_angles, lam)
        while True:
            par["cg"].value = scale * curv * beta_b / 2
            if l:
                par["ch"].value = scale * curv * beta_n / 2
            res = _solve(prob, opts.solvers)
            attempts.extend(res.attempts)
            if not res.usable or delta.value is None:
                if nit == 1:
                    exitflag, msg = -3, "QCQP solve failed; positions kept"
                stop = True
                break
            new = project_line(pos + delta.value, 0.0, problem.region, problem.d_min)
            xn = {**x, "positions": new}
            fn, vn = problem.objective(xn), problem.violation(xn)
            if fn >= f and vn <= v0:
                improved = fn - f > opts.tol * max(1.0, abs(f))
                x, f = xn, fn
                history.append(f)
                scale = max(scale / 2, 1e-6)
                stop = not improved
                break
            if scale >= 1.0:
                stop = True
                break
            scale = min(1.0, 4 * scale)
        if stop:
            break
    else:
        exitflag, msg = 0, "iteration limit"
    return Solution(x=x, fval=f, exitflag=exitflag, message=msg, nit=nit, history=history,
                    violation=problem.violation(x), elapsed=time.perf_counter() - t0,
                    solver="multibeam_apv", output={"cvx_attempts": attempts, "curvature": float(curv)})
