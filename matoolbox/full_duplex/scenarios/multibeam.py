"""E4: multi-beam forming with null constraints on a linear movable array (:class:`MultiBeamProblem`),
its SDR weights step :func:`multibeam_awv` and SCA-QCQP positions step :func:`multibeam_apv`."""
from __future__ import annotations

import dataclasses
import math
import time
import warnings

import numpy as np

from ...core.cvx import cached_model, solve_cached
from ...core.options import Options, resolve_options
from ...core.problem import Block, Problem
from ...core.rng import as_generator
from ...core.solution import Solution
from ...core.validate import (
    fail, require_finite, require_int, require_positive,
)
from ..checks import LineArrayChecksMixin, check_args, check_db_fields, check_separation
from ...regions import LineSegment
from .geometry import (FpaSchemeMixin, _copy_x, _db, _set, _solve, array_gain, array_gain_grad, steering_matrix)

__all__ = ["MultiBeamProblem", "multibeam_awv", "MultibeamAwvOptions", "multibeam_apv", "MultibeamApvOptions"]


@dataclasses.dataclass(frozen=True, eq=False)
class MultiBeamProblem(FpaSchemeMixin, LineArrayChecksMixin, Problem):
    r"""E4: multi-beam forming with a linear MA array ([Ma-MB], review (11)-(12)).

    ``max_{x, w} min_k G(theta_k)`` s.t. ``G(phi_l) <= xi`` (l = 1..L), ``||w||^2 <= 1``,
    ``x in [0, A]^N`` sorted with ``x_{n+1} - x_n >= d_min`` (units of ``wavelength``);
    ``G(theta) = |w^H a(x, theta)|^2``, ``xi = 10^(xi_db/10)`` (absolute gain, max possible is N).
    ``x = {"positions": (N,), "precoders": (N,) complex}``. ``movable=False`` (``variant("FPA")``):
    the positions stay at the FPA ULA and ``ao_solve`` runs the weight block only.
    """

    beam_angles: np.ndarray
    null_angles: np.ndarray
    n_antennas: int = 8
    xi_db: float = -20.0
    wavelength: float = 1.0
    d_min: float = 0.5
    region: float = 10.0
    movable: bool = True

    def validate(self):
        own = type(self).__name__
        self._check_movable()
        n = require_int(own, "n_antennas", self.n_antennas, minimum=1)
        check_db_fields(self, "xi_db")
        require_positive(own, "wavelength", self.wavelength)
        require_positive(own, "d_min", self.d_min)
        require_positive(own, "region", self.region)
        if (n - 1) * self.d_min > self.region:
            fail(own, "region", self.region, f"cannot hold {n} antennas at spacing d_min = {self.d_min}")
        b = np.atleast_1d(np.asarray(require_finite(own, "beam_angles", self.beam_angles), float))
        z = np.atleast_1d(np.asarray(require_finite(own, "null_angles", self.null_angles), float))
        if b.ndim != 1 or b.size < 1:
            fail(own, "beam_angles", self.beam_angles, "must be a non-empty 1-D array of angles")
        if z.ndim != 1:
            fail(own, "null_angles", self.null_angles, "must be a 1-D array of angles")
        for t in z:
            if np.any(np.abs(np.cos(b) - np.cos(t)) < 1e-9):
                fail(own, "null_angles", z, "an interference direction coincides with a beam")
        _set(self, "beam_angles", b)
        _set(self, "null_angles", z)
        _set(self, "n_antennas", n)

    @classmethod
    def random(cls, seed=None, *, n_beams=3, n_nulls=2, min_separation=0.1, **fields):
        """Beam and interference directions ~ U[0, pi], |cos| pairwise separated by ``min_separation``.

        Examples
        --------
        >>> from matoolbox.problems import MultiBeamProblem
        >>> prob = MultiBeamProblem.random(seed=0)            # E4: 8 MAs, 3 beams, 2 nulls
        >>> x = prob.initial_point(0)
        >>> x["positions"].shape, x["precoders"].shape
        ((8,), (8,))
        >>> sorted(prob.evaluate(x))
        ['max_null_gain', 'min_gain', 'min_gain_db']
        """
        check_args(cls.__name__, seed=seed, n_beams=n_beams, n_nulls=n_nulls, min_separation=min_separation)
        check_separation(cls.__name__, n_beams + n_nulls, min_separation, 1.0)
        rng = as_generator(seed)
        require_int(cls.__name__, "n_beams", n_beams)
        require_int(cls.__name__, "n_nulls", n_nulls, minimum=0)
        out = []
        while len(out) < n_beams + n_nulls:
            t = rng.uniform(0.0, np.pi)
            if all(abs(np.cos(t) - np.cos(s)) >= min_separation for s in out):
                out.append(t)
        out = np.array(out)
        return cls(beam_angles=out[:n_beams], null_angles=out[n_beams:], **fields)

    @property
    def xi(self) -> float:
        return float(_db(self.xi_db))

    def beam_gains(self, x) -> np.ndarray:
        return array_gain(x["precoders"], x["positions"], self.beam_angles, self.wavelength)

    def null_gains(self, x) -> np.ndarray:
        return array_gain(x["precoders"], x["positions"], self.null_angles, self.wavelength)

    def objective(self, x) -> float:
        return float(self.beam_gains(x).min())

    def objective_batch(self, block, values, x):
        """min_k G(theta_k) for a swarm of positions (n, N) with x["precoders"] fixed."""
        self._check_block(block)
        return array_gain(x["precoders"], values, self.beam_angles, self.wavelength).min(axis=-1)

    def violation(self, x) -> float:
        """max(||w||^2 - 1, (G(phi_l) - xi)/xi, spacing/box shortfall in wavelengths), >= 0."""
        w = np.asarray(x["precoders"], complex)
        pos = np.asarray(x["positions"], float)
        if pos.shape != (self.n_antennas,) or w.shape != (self.n_antennas,):
            return math.inf
        v = self.position_region.violation(np.sort(pos)) / self.wavelength
        v = max(v, float(np.vdot(w, w).real) - 1.0)
        if self.null_angles.size:
            v = max(v, float((self.null_gains(x).max() - self.xi) / self.xi))
        return max(v, 0.0)

    def gradient(self, block, x):
        """A supergradient of min_k G(theta_k) w.r.t. the positions: gradient of the smallest beam gain."""
        self._check_block(block)
        k = int(np.argmin(self.beam_gains(x)))
        return array_gain_grad(x["precoders"], x["positions"], self.beam_angles[k:k + 1], self.wavelength)[0]

    def bounds(self, block):
        self._check_block(block)
        n = self.n_antennas
        return np.zeros(n), np.full(n, float(self.region))

    @property
    def position_region(self) -> LineSegment:
        """The positions' region ``LineSegment(0, A, d_min)`` (units of ``wavelength``)."""
        seg = self.__dict__.get("_segment")
        if seg is None:
            seg = LineSegment(0.0, float(self.region), float(self.d_min))
            _set(self, "_segment", seg)
        return seg

    def project(self, block, value):
        """Sort (..., N) and apply the sequential nearest-distance rule of ``position_region``
        (feasible, unchanged when already feasible and sorted)."""
        self._check_block(block)
        return self.position_region.project(np.sort(np.asarray(value, float), axis=-1), method="sequential")

    def fpa_positions(self) -> np.ndarray:
        """ULA with spacing lambda/2 (or d_min if larger), centred in [0, A]."""
        return self.position_region.fpa(self.n_antennas, max(self.d_min, self.wavelength / 2))

    def initial_point(self, rng=None):
        """FPA layout, w = 0 (feasible, objective 0)."""
        return {"positions": self.fpa_positions(), "precoders": np.zeros(self.n_antennas, complex)}

    def spread_positions(self) -> np.ndarray:
        """Equally spaced positions spanning the whole region [0, A]: (N,)."""
        return np.linspace(0.0, self.region, self.n_antennas)

    def ao_initial_point(self, rng=None):
        """AO start: the spread layout and w = 0. (The FPA ULA at spacing d_min has every spacing
        constraint active, which typically leaves the SCA position step no ascent direction.) FPA: the FPA layout."""
        if not self.movable:
            return self.initial_point(rng)
        return {"positions": self.spread_positions(), "precoders": np.zeros(self.n_antennas, complex)}

    def evaluate(self, x) -> dict:
        g = self.beam_gains(x)
        out = {"min_gain": float(g.min()), "min_gain_db": float(10 * np.log10(max(g.min(), 1e-300)))}
        if self.null_angles.size:
            out["max_null_gain"] = float(self.null_gains(x).max())
        return out

    def ao_blocks(self):
        """SDR weights, then SCA positions (FPA: the weights only)."""
        return self._scheme_blocks([Block("precoders", multibeam_awv), Block("positions", multibeam_apv)])

    def ao_defaults(self):
        return {"max_iter": 30, "tol": 1e-4}

    def _check_block(self, block):
        if block != "positions":
            fail(type(self).__name__, "block", block, "must be 'positions'")


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
    ``output``: ``block_sdr_bound`` (the SDR optimum as returned by the conic solver: an upper
    bound, up to solver tolerance, on min_k G over the weights at these fixed positions only, not
    a bound on the problem with the positions free), ``eig_ratio``
    (lambda_2 / lambda_1), ``cvx_attempts``.

    Parameters
    ----------
    problem : MultiBeamProblem
        The problem the block runs on.
    x0 : dict, optional
        Full variable dict (default: the problem's initial point).
    options : MultibeamAwvOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.

    Returns
    -------
    Solution
        The full ``x`` with ``precoders`` updated; ``output`` as above.

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(MultibeamAwvOptions, options)
    rng = as_generator(rng)
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    pos = np.asarray(x["positions"], float)
    Av = steering_matrix(pos, problem.beam_angles, problem.wavelength)      # (N, K)
    Bv = steering_matrix(pos, problem.null_angles, problem.wavelength)      # (N, L)
    n, k, l = Av.shape[0], Av.shape[1], Bv.shape[1]

    def set_values(model):
        _, _, par = model
        for j, a in enumerate(par["A"]):
            a.value = np.outer(Av[:, j], Av[:, j].conj())
        for j, b in enumerate(par["B"]):
            b.value = np.outer(Bv[:, j], Bv[:, j].conj())
        par["xi"].value = problem.xi

    # one compiled copy per solver: Clarabel is often inaccurate on this SDR and SCS then solves
    # it; on one shared problem each switch recompiled it (most of an e4 trial's time)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model, res = solve_cached(("_mb_sdr", n, k, l), lambda: _mb_sdr(n, k, l), set_values, opts.solvers)
    W = model[1] if model is not None else None
    incumbent = np.asarray(x.get("precoders", np.zeros(n)), complex)
    inc_ok = problem.violation({**x, "precoders": incumbent}) <= 1e-9
    out = {"cvx_attempts": res.attempts}
    if not res.usable or W is None or W.value is None:
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
    out.update(block_sdr_bound=float(res.value), eig_ratio=ratio, best_random=float(vals.max()),
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
    block is monotone and feasible. Positions stay sorted with spacing d_min in [0, A].

    Parameters
    ----------
    problem : MultiBeamProblem
        The problem the block runs on.
    x0 : dict, optional
        Full variable dict (default: the problem's initial point).
    options : MultibeamApvOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.

    Returns
    -------
    Solution
        The full ``x`` with ``positions`` updated (monotone, feasible).

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(MultibeamApvOptions, options)
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    w = np.asarray(x["precoders"], complex)
    lam = problem.wavelength
    n, k, l = problem.n_antennas, problem.beam_angles.size, problem.null_angles.size
    curv = 2.0 * (np.vdot(w, w).real + np.abs(w).sum() * np.abs(w).max())
    beta_b = (2 * np.pi / lam * np.cos(problem.beam_angles)) ** 2
    beta_n = (2 * np.pi / lam * np.cos(problem.null_angles)) ** 2
    prob, delta, par = cached_model(("_mb_qcqp", n, k, l), lambda: _mb_qcqp(n, k, l))
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
            res = _solve(prob, opts.solvers, warm_start=bool(attempts))
            attempts.extend(res.attempts)
            if not res.usable or delta.value is None:
                if nit == 1:
                    exitflag, msg = -3, "QCQP solve failed; positions kept"
                stop = True
                break
            new = problem.project("positions", pos + delta.value)
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
