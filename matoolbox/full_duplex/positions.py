r"""Position blocks of the full-duplex AO (docs/theory/full_duplex.rst: Position blocks).

:func:`fd_positions` is the AO block for ``positions_tx`` / ``positions_rx``:

* ``method="pso"``: :func:`~matoolbox.solvers.pso_positions` (seeded pyswarms, particle 0 = the
  current layout). Fitness ``"fixed_bf"`` scores particles with the current beamformers;
  ``"inner_bf"`` re-optimises the cheap block-optimal beamformers per particle (MMSE combiners;
  P3: the closed-form SI-capped ``w_t``) through ``PsoOptions.inner`` (the problem's vectorised
  ``objective_batch(..., inner=True)`` scores the swarm) and writes them back with the winning
  layout.
* ``method="mm"``: :func:`mm_positions`, the monotone gradient / MM step of §4.7(ii).
* ``method="pga"``: generic :func:`~matoolbox.optim.pga`.

Every variant compares the result with the incumbent and keeps the better feasible point, so the
AO objective never decreases.

**MM step** (:func:`mm_positions`). At the feasible layout ``X̄`` (N, 2) with rate components
``f_i`` (one for weighted sums, two for P2's min) and gradients ``∇f_i``, solve the QCQP

    max tau  s.t.  f_i(X̄) + <∇f_i, Δ> - L/2 ||Δ||_F^2 >= tau,   0 <= X̄ + Δ <= A,
                   u_ij^T (x̄_i + Δ_i - x̄_j - Δ_j) >= D_min   (tangent inner approximation)
                   [P3: phi(X̄) + <∇phi, Δ> + L/2 ||Δ||^2 <= p_th]

(with one component it is the projection of ``X̄ + ∇f/L`` onto the box and the tangent
half-spaces, §4.6h), accept ``X̄ + Δ`` when ``min_i f_i(X̄ + Δ) >= tau`` (the minorant holds) and
the true constraints hold, else double ``L``. ``L_0`` makes the first step move at most
``0.05 lambda``. The QCQP is a DPP CVXPY problem compiled once per call.
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from ..core.cvx import cached_model
from ..core.cvx_fast import solve_read
from ..core.errors import InvalidProblemError
from ..core.options import Options, resolve_options
from ..core.problem import Block
from ..core.solution import Solution
from ..optim.pga import PgaOptions, pga
from ..optim.pso import PsoOptions, pso_positions
from .combiner import mmse_combiner
from .common import phase1_accept
from .socp import p3_closed_form

__all__ = ["FdPositionOptions", "fd_positions", "MmOptions", "mm_positions"]


@dataclasses.dataclass(frozen=True)
class FdPositionOptions(Options):
    """block: "positions_tx" | "positions_rx"; method: "pso" | "mm" | "pga"; fitness (PSO):
    "fixed_bf" | "inner_bf"; solver_options: options of the underlying solver (PsoOptions
    fields, MmOptions fields or PgaOptions fields; PSO defaults 40 particles x 100 iterations)."""

    block: str = "positions_tx"
    method: str = "pso"
    fitness: str = "inner_bf"
    solver_options: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class MmOptions(Options):
    """block; max_steps: MM steps (default 20); xtol_lambda: stop when ||Δ||_F is below
    xtol_lambda * wavelength; max_doublings: backtracking limit per step; solvers: CVXPY order;
    inner: ascend the value function with the beamformer re-optimised inside (P3: the
    closed-form SI-capped w_t at every trial layout, gradient by central differences), so the
    cap never freezes the layout; None: True for P3, False otherwise."""

    block: str = "positions_tx"
    max_steps: int = 20
    xtol_lambda: float = 1e-4
    max_doublings: int = 30
    solvers: tuple | None = None
    inner: bool | None = None


def _inner_beamformers(problem, x):
    """Write the block-optimal cheap beamformers for x's layout into x."""
    a = problem.fd_arrays(x)
    if a["kind"] == "dl_si_cap":
        w = p3_closed_form(a["hDc"][0], a["H"], a["P"], a["p_th"])
        x = problem.fd_pack(x, Wt=w[:, None])
        a = problem.fd_arrays(x)
    Wr, _ = mmse_combiner(a["hU"], a["p"], a["H"] @ a["Wt"])
    return problem.fd_pack(x, Wr=Wr)


def _inner_bf_block(problem, x0, *, options=None, rng=None) -> Solution:
    """Inner block of the ``"inner_bf"`` PSO fitness: the cheap block-optimal beamformers
    (:func:`_inner_beamformers`) at ``x0``'s layout. The swarm itself is scored by the vectorised
    ``objective_batch(block, values, x, inner=True)``; this block writes the beamformers of the
    winning layout."""
    x = _inner_beamformers(problem, dict(x0))
    return Solution(x=x, fval=float(problem.objective(x)), exitflag=1, solver="fd_inner_bf")


def fd_positions(problem, x0, *, options=None, rng=None) -> Solution:
    """AO block for one position block (see module docstring); never returns a worse point.

    Parameters
    ----------
    problem : FullDuplexProblem or FullDuplexMultiUserProblem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : FdPositionOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.

    Returns
    -------
    Solution
        The full ``x`` with the position block updated; never worse than ``x0``.

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(FdPositionOptions, options)
    if opts.method not in ("pso", "mm", "pga"):
        raise InvalidProblemError(f"FdPositionOptions.method = {opts.method!r}: must be pso, mm or pga")
    if opts.fitness not in ("fixed_bf", "inner_bf"):
        raise InvalidProblemError(f"FdPositionOptions.fitness = {opts.fitness!r}: must be fixed_bf or inner_bf")
    block = opts.block
    f0 = float(problem.objective(x0))
    v0 = float(problem.violation(x0))
    if opts.method == "pso":
        fpa = problem.fpa[block]
        so = {"n_particles": 40, "iters": 100, "init_points": (fpa,), **opts.solver_options, "block": block}
        if opts.fitness == "inner_bf":
            so["inner"] = (Block("inner_bf", _inner_bf_block),)
        sol = pso_positions(problem, x0, options=PsoOptions(**so), rng=rng)
        x = {**x0, **sol.x}
    elif opts.method == "mm":
        sol = mm_positions(problem, x0, options={**opts.solver_options, "block": block}, rng=rng)
        x = sol.x
    else:
        so = {"max_iter": 50, "max_move": 0.05 * problem.wavelength, **opts.solver_options, "block": block}
        sol = pga(problem, x0, options=PgaOptions(**so), rng=rng)
        x = sol.x
    f = float(problem.objective(x))
    v = float(problem.violation(x))
    kept = not (math.isfinite(f) and phase1_accept(f, v, f0, v0))   # phase 1 from an infeasible x0
    if kept:
        x, f, v = x0, f0, v0
    out = {"method": opts.method, "fitness": opts.fitness, "incumbent_kept": kept,
           "inner": {k: sol.output[k] for k in ("cvx_attempts",) if k in sol.output}}
    return Solution(x=x, fval=f, exitflag=1 if sol.exitflag != -3 else -3,
                    message=f"{opts.method} position step" + (" (incumbent kept)" if kept else ""),
                    nit=sol.nit, history=[f0, f], violation=v, elapsed=time.perf_counter() - t0,
                    solver=f"fd_positions[{opts.method}]", output=out)


# -- MM -------------------------------------------------------------------------------------------
def _components(problem, x, block):
    """(values (C,), gradients (C, N, 2)) whose minimum is the objective (up to constants)."""
    R, dt, dr = problem.rate_gradients(x)
    g = dt if block == "positions_tx" else dr
    kind = problem.kind
    KD = problem.fd_arrays(x)["hDc"].shape[0]
    if kind == "maxmin":
        return R, g
    if kind == "dl_si_cap":
        return np.array([R[:KD].sum()]), g[:KD].sum(0)[None]
    w = np.asarray(problem.fd_arrays(x)["weights"], float)
    return np.array([w @ R]), np.tensordot(w, g, axes=1)[None]


def _inner_value(problem, x, block, V):
    """Value function (B,) at the layouts V (B, N, 2) of ``block``, beamformers re-optimised."""
    return np.asarray(problem.objective_batch(block, V, x, inner=True), float)


def _inner_components(problem, x, block, rel_step=1e-6):
    """(value (1,), gradient (1, N, 2)) of the value function, by central differences of the
    batched closed-form fitness (2 * 2N layouts per call)."""
    X = np.asarray(x[block], float)
    h = rel_step * problem.wavelength
    n = X.size
    E = np.eye(n).reshape(n, *X.shape) * h
    V = np.concatenate([X[None], X[None] + E, X[None] - E])
    f = _inner_value(problem, x, block, V)
    g = ((f[1:n + 1] - f[n + 1:]) / (2 * h)).reshape(X.shape)
    return f[:1], g[None]


def _mm_model(N, C, A, d_min, si_cap):
    """The compiled MM step model for these sizes and constants (:func:`cached_model`: compiling
    it was most of a short MM call); each call's first solve starts a fresh solver (``begin``)."""
    key = (int(N), int(C), float(A), float(d_min), bool(si_cap))
    model = cached_model(("fd_mm",) + key, lambda: _MmModel(*key))
    model.begin()
    return model


class _MmModel:
    def __init__(self, N, C, A, d_min, si_cap):
        import cvxpy as cp

        self.D = cp.Variable((N, 2))
        self.tau = cp.Variable()
        self.Xbar = cp.Parameter((N, 2))
        self.G = [cp.Parameter((N, 2)) for _ in range(C)]
        self.f = cp.Parameter(C)
        self.Lh = cp.Parameter(nonneg=True)
        I, J = np.triu_indices(N, 1)
        self.I, self.J = I, J
        quad = self.Lh * cp.sum_squares(self.D)
        cons = [self.Xbar + self.D >= 0, self.Xbar + self.D <= A]
        cons += [self.f[c] + cp.sum(cp.multiply(self.G[c], self.D)) - quad >= self.tau for c in range(C)]
        if len(I):
            self.U = cp.Parameter((len(I), 2))
            self.rhs = cp.Parameter(len(I))
            cons.append(cp.sum(cp.multiply(self.U, self.D[I] - self.D[J]), axis=1) >= self.rhs)
        self.si_cap = si_cap
        if si_cap:
            self.Gphi = cp.Parameter((N, 2))
            self.slack = cp.Parameter()
            cons.append(cp.sum(cp.multiply(self.Gphi, self.D)) + quad <= self.slack)
        self.problem = cp.Problem(cp.Maximize(self.tau), cons)
        self.d_min = d_min
        self.solves = 0

    def begin(self):
        """Start of a call: its first solve gets a fresh solver (no state from earlier calls)."""
        self.solves = 0

    def solve(self, Xbar, f, G, L, solvers, gphi=None, slack=None):
        self.Xbar.value = Xbar
        self.f.value = f
        for c, Gc in enumerate(G):
            self.G[c].value = Gc
        self.Lh.value = L / 2
        if len(self.I):
            diff = Xbar[self.I] - Xbar[self.J]
            U = diff / np.linalg.norm(diff, axis=1, keepdims=True)
            self.U.value = U
            self.rhs.value = self.d_min - np.sum(U * diff, axis=1)
        if self.si_cap:
            self.Gphi.value = gphi
            self.slack.value = slack
        res, vals = solve_read(self.problem, [self.D, self.tau], solvers, warm_start=self.solves > 0)
        self.solves += 1
        D = vals[0] if res.usable and vals is not None else None
        return D, (float(vals[1]) if D is not None else -math.inf), res


def mm_positions(problem, x0, *, options=None, rng=None) -> Solution:
    """Monotone MM ascent of the objective over ``x0[block]`` (module docstring); beamformers
    fixed. ``history``: objective after every accepted step (non-decreasing).

    Parameters
    ----------
    problem : FullDuplexProblem or FullDuplexMultiUserProblem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : MmOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.

    Returns
    -------
    Solution
        The full ``x`` with the position block updated; ``history`` non-decreasing.

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(MmOptions, options)
    block = opts.block
    if block not in ("positions_tx", "positions_rx"):
        raise InvalidProblemError(f"MmOptions.block = {block!r}: must be positions_tx or positions_rx")
    x = dict(x0)
    X = np.asarray(x[block], float)
    lam = problem.wavelength
    kind = problem.kind
    inner = opts.inner if opts.inner is not None else kind == "dl_si_cap"
    if inner:
        x = _inner_beamformers(problem, x)
    v = float(problem.violation(x))
    si_cap = kind == "dl_si_cap" and not inner
    comps = _inner_components if inner else _components
    vals, grads = comps(problem, x, block)
    model = _mm_model(X.shape[0], len(vals), problem.region_size, problem.d_min * (1 + 1e-9), si_cap)
    f = float(problem.objective(x))
    history = [f]
    attempts = []
    gmax = float(np.max(np.abs(grads)))
    L = gmax / (0.05 * lam) if gmax > 0 else 1.0
    exitflag, message, nit = 0, "step limit reached", 0
    for _ in range(int(opts.max_steps)):
        vals, grads = comps(problem, x, block)
        kw = {}
        if si_cap:
            phi, gt, gr = problem.si_power_gradient(x)
            kw = {"gphi": gt if block == "positions_tx" else gr,
                  "slack": problem.fd_arrays(x)["p_th"] - phi}
            if kw["slack"] < 0:
                kw["slack"] = 0.0
        accepted = False
        for _ in range(int(opts.max_doublings)):
            D, tau, res = model.solve(X, vals, list(grads), L, opts.solvers, **kw)
            attempts += res.attempts
            if D is None:
                break
            Xn = X + D
            xn = {**x, block: Xn}
            if inner:
                xn = _inner_beamformers(problem, xn)
                vn = _inner_value(problem, xn, block, Xn[None])
            else:
                vn, _ = _components(problem, xn, block)
            fn = float(problem.objective(xn))
            viol_n = float(problem.violation(xn))
            if (float(np.min(vn)) >= tau - 1e-12 * max(1.0, abs(tau))
                    and phase1_accept(fn, viol_n, f, v)):   # phase 1 from an infeasible start
                accepted = True
                break
            L *= 2.0
        if not accepted:
            exitflag, message = 1, "no accepted MM step (stationary within the tangent set)"
            break
        step = float(np.linalg.norm(Xn - X))
        X, x, f, v = Xn, xn, fn, viol_n
        history.append(f)
        nit += 1
        L = max(L / 2.0, 1e-12)
        if step < opts.xtol_lambda * lam:
            exitflag, message = 1, "step below xtol"
            break
    return Solution(x=x, fval=f, exitflag=exitflag, message=message, nit=nit, history=history,
                    violation=float(problem.violation(x)), elapsed=time.perf_counter() - t0,
                    solver="mm_positions", output={"cvx_attempts": attempts, "L": L})
