"""Particle swarm optimization of a position block: an adapter around ``pyswarms``.

``pyswarms`` has no seed argument (it draws from NumPy's global state), wraps particles around
the bounds by default, and configures the root logger (plus a ``report.log`` file in the current
directory) when it is imported and whenever an optimizer is built. This adapter

* seeds pyswarms' global draws from our ``rng`` and restores NumPy's global state afterwards;
* handles bounds by clipping (``bh_strategy="nearest"``) and repairs every particle with
  ``problem.project(block, value)`` (Lamarckian: the repaired position replaces the particle),
  or the whole swarm with ``problem.project_batch(block, values (n, *shape))`` where the problem
  has it (it must return what ``project`` returns for each particle);
* puts the current positions ``x0[block]`` in particle 0 and ``init_points`` (e.g. the FPA
  layout) in the next particles, so the result is never worse than any of them;
* decays the inertia linearly from ``w`` (0.9) to ``w_end`` (0.4) over the iterations and clamps
  every velocity component to ``velocity_clamp`` times the widest bound interval (0.2);
* suppresses pyswarms' logging configuration, so no handler or file is created.

Fitness (maximised): ``objective(x) - penalty * violation(x)``; a problem may provide
``objective_batch(block, values (n, *shape), x) -> (n,)`` (and ``violation_batch``) to evaluate a
whole swarm at once.

**Inner blocks** (``PsoOptions.inner``): the fitness of a layout ``v`` is the value after
re-optimising other variables at that layout::

    fitness(v) = objective(x_v) - penalty * violation(x_v),   x_v = B_m(...B_1({**x, block: v}))

where ``B_i`` are AO blocks (``matoolbox.core.problem.Block`` or ``(name, solver)`` pairs, each
``solver(problem, x, options=..., rng=...) -> Solution``). When the problem offers the vectorised
value function ``objective_batch(block, values, x, inner=True)`` (and
``violation_batch(..., inner=True)``; e.g. full-duplex, whose inner beamformers have closed
forms) the swarm is scored by it; otherwise the blocks run per particle. The returned ``x`` holds
the inner blocks' variables for the winning layout, and is replaced by ``x0`` when it is worse.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import logging.config
import threading
import time
import types

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.options import Options, resolve_options
from ..core.problem import Block
from ..core.rng import as_generator
from ..core.solution import Solution
from ..core.validate import fail
from ._common import not_worse, score

__all__ = ["pso_positions", "PsoOptions"]

_LOCK = threading.Lock()


@dataclasses.dataclass(frozen=True)
class PsoOptions(Options):
    """block: variable to optimize; n_particles, iters; inertia w at the first iteration, decaying
    linearly to w_end at the last (w_end=None: constant w); accelerations c1 (cognitive), c2
    (social); velocity_clamp: |v_i| <= velocity_clamp * max(hi - lo) (None: no clamp); penalty on
    violation in the fitness; init_spread: random particles drawn uniformly in the bounds (1.0)
    or around x0 (fraction of the box); init_points: extra initial particles (each of the block's
    shape, e.g. the FPA layout), placed after x0 and repaired; inner: AO blocks (``Block`` or
    ``(name, solver)`` / ``(name, solver, options)``) re-run at every particle's layout inside
    the fitness (module docstring)."""

    block: str = "positions"
    n_particles: int = 50
    iters: int = 100
    w: float = 0.9
    w_end: float | None = 0.4
    c1: float = 1.5
    c2: float = 1.5
    velocity_clamp: float | None = 0.2
    penalty: float = 1e3
    init_spread: float = 1.0
    feas_tol: float = 1e-6
    init_points: tuple = ()
    inner: tuple = ()

    def __post_init__(self):
        if not isinstance(self.inner, (tuple, list)):
            fail("PsoOptions", "inner", self.inner, "must be a tuple of Block or (name, solver) pairs")
        blocks = []
        for i, b in enumerate(self.inner):
            if not isinstance(b, Block):
                if not (isinstance(b, (tuple, list)) and len(b) in (2, 3) and isinstance(b[0], str)):
                    fail("PsoOptions", f"inner[{i}]", b, "must be a Block or a (name, solver) pair")
                b = Block(*b)
            if not callable(b.solver):
                fail("PsoOptions", f"inner[{i}]", b, "the solver must be callable")
            blocks.append(b)
        object.__setattr__(self, "inner", tuple(blocks))


@contextlib.contextmanager
def _quiet_pyswarms(seed: int):
    """Serialize pyswarms use, silence its logging set-up, seed and restore NumPy's global RNG."""
    with _LOCK:
        real = logging.config.dictConfig
        logging.config.dictConfig = lambda *a, **k: None
        state = np.random.get_state()
        try:
            np.random.seed(seed)
            import pyswarms  # noqa: F401  (its import configures logging: done here, silenced)

            yield
        finally:
            np.random.set_state(state)
            logging.config.dictConfig = real


class _LinearInertia:
    """pyswarms options handler: w(i) = w_end + (w0 - w_end) (itermax - i) / itermax."""

    def __init__(self, w0, w_end):
        self.w0, self.w_end = w0, w_end

    def __call__(self, start_opts, iternow=0, itermax=1, **kw):
        frac = (itermax - iternow) / max(itermax, 1)
        return {**start_opts, "w": self.w_end + (self.w0 - self.w_end) * frac}


def _accepts_inner(fn) -> bool:
    """Whether a batch hook takes the keyword ``inner`` (the vectorised inner-block path)."""
    if fn is None:
        return False
    # a bound method is a new object at every attribute access: key the answer by its function
    # (plain functions only: a partial, a callable instance or a closure is inspected each time)
    f = getattr(fn, "__func__", fn)
    plain = isinstance(f, types.FunctionType) and f.__closure__ is None
    return _accepts_inner_fn(f) if plain else _accepts_inner_fn.__wrapped__(fn)


@functools.lru_cache(maxsize=256)
def _accepts_inner_fn(fn) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "inner" or p.kind is p.VAR_KEYWORD for p in params)


def _run_inner(problem, x, blocks, rng):
    """``x`` after running the inner blocks in turn (each merges its ``Solution.x``)."""
    for blk in blocks:
        sol = blk.solver(problem, x, options=blk.options, rng=rng)
        if sol.exitflag != -3 and sol.x:
            x = {**x, **sol.x}
    return x


def _fitness(problem, block, x, values, penalty, inner=(), rng=None):
    """Penalised objective of every particle: values (n, *shape) -> (n,), and violations."""
    batch = getattr(problem, "objective_batch", None)
    vbatch = getattr(problem, "violation_batch", None)
    if inner and not _accepts_inner(batch):
        pts = [_run_inner(problem, {**x, block: v}, inner, rng) for v in values]
        sc = np.array([score(problem, p) for p in pts], float).reshape(-1, 2)
        obj, vio = sc[:, 0], sc[:, 1]
        return obj - penalty * vio, obj, vio
    kw = {"inner": True} if inner else {}
    if batch is not None:
        obj = np.asarray(batch(block, values, x, **kw), float)
    else:
        obj = np.array([problem.objective({**x, block: v}) for v in values], float)
    if vbatch is not None:
        vio = np.asarray(vbatch(block, values, x, **(kw if _accepts_inner(vbatch) else {})), float)
    else:
        vio = np.array([problem.violation({**x, block: v}) for v in values], float)
    obj = np.where(np.isfinite(obj), obj, -np.inf)
    return obj - penalty * vio, obj, vio


def pso_positions(problem, x0, *, options=None, rng=None, callback=None) -> Solution:
    """Maximise the problem's objective over ``x0[options.block]`` by global-best PSO.

    Shapes: the block may have any shape S; particles are flattened to (n_particles, prod(S)).
    Returns a Solution with the full ``x`` dict, ``fval`` the objective, ``history`` the best
    penalised fitness found so far per iteration, exitflag 0 (iteration budget used) or -2 (no feasible point).

    Parameters
    ----------
    problem : Problem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : PsoOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.
    callback : callable, optional
        ``callback(iteration, positions, fitness)`` after each swarm iteration.

    Returns
    -------
    Solution
        The full ``x`` dict (with ``options.inner`` also the inner blocks' variables at the
        winning layout), ``fval`` its objective, ``history`` the best penalised fitness per
        iteration; ``output``: ``fitness`` of the winner, ``from_x0``, ``incumbent_kept`` (inner
        blocks only: the winner was worse than ``x0``), ``inner`` (block names).

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(PsoOptions, options)
    rng = as_generator(rng)
    block = opts.block
    x = dict(x0)
    cur = np.asarray(x[block], float)
    shape = cur.shape
    lo, hi = (np.broadcast_to(np.asarray(b, float), shape).ravel() for b in problem.bounds(block))
    n = int(opts.n_particles)
    dim = cur.size
    init = lo + (hi - lo) * rng.random((n, dim))
    if opts.init_spread < 1.0:
        c = np.clip(cur.ravel(), lo, hi)
        init = np.clip(c + opts.init_spread * (init - (lo + hi) / 2), lo, hi)
    init[0] = np.clip(cur.ravel(), lo, hi)
    extra = [np.asarray(q, float) for q in opts.init_points]
    for i, q in enumerate(extra[: max(n - 1, 0)]):
        if q.size != dim:
            raise InvalidProblemError(f"PsoOptions.init_points[{i}] has shape {q.shape}: must have the "
                                      f"shape {shape} of block {block!r}")
        init[1 + i] = np.clip(q.ravel(), lo, hi)
    project = getattr(problem, "project", None)
    project_batch = getattr(problem, "project_batch", None)

    def repair(flat):
        if project_batch is not None:       # the swarm in one call (same layouts as one by one)
            return np.asarray(project_batch(block, flat.reshape((-1,) + shape)), float).reshape(flat.shape)
        if project is None:
            return flat
        return np.stack([np.asarray(project(block, p.reshape(shape)), float).ravel() for p in flat])

    init = repair(init)
    init[0] = cur.ravel() if np.all((cur.ravel() >= lo) & (cur.ravel() <= hi)) else init[0]
    history = []

    def cost(pos):
        pos[:] = repair(pos)  # Lamarckian repair: pyswarms keeps the repaired particles
        fit, _, _ = _fitness(problem, block, x, pos.reshape((-1,) + shape), opts.penalty, opts.inner, rng)
        best_now = float(np.max(fit))
        history.append(max(best_now, history[-1]) if history else best_now)
        if callback is not None:
            callback(len(history), pos, fit)
        return -fit

    seed = int(rng.integers(0, 2**31 - 1))
    with _quiet_pyswarms(seed):
        from pyswarms.single import GlobalBestPSO

        clamp = None
        if opts.velocity_clamp is not None:
            vmax = float(opts.velocity_clamp) * float(np.max(hi - lo))
            clamp = (-vmax, vmax)
        opt = GlobalBestPSO(n_particles=n, dimensions=dim,
                            options={"c1": opts.c1, "c2": opts.c2, "w": opts.w},
                            bounds=(lo, hi), bh_strategy="nearest", velocity_clamp=clamp,
                            init_pos=init.copy())
        if opts.w_end is not None:
            opt.oh = _LinearInertia(float(opts.w), float(opts.w_end))
        opt.optimize(cost, iters=int(opts.iters), verbose=False)
        best_pos = np.asarray(opt.swarm.pbest_pos, float)
        best_cost = np.asarray(opt.swarm.pbest_cost, float)
    # candidates: every personal best and x0; pick feasible max objective, else least violation
    cands = np.vstack([best_pos, cur.ravel()[None]])
    fit, obj, vio = _fitness(problem, block, x, cands.reshape((-1,) + shape), opts.penalty, opts.inner, rng)
    feas = vio <= opts.feas_tol
    if np.any(feas & np.isfinite(obj)):
        i = int(np.argmax(np.where(feas, obj, -np.inf)))
        exitflag, message = 0, f"iteration budget of {opts.iters} used"
    else:
        i = int(np.argmin(vio))
        exitflag, message = -2, "no feasible particle found"
    x[block] = cands[i].reshape(shape)
    fval, viol, kept = (float(obj[i]) if np.isfinite(obj[i]) else -np.inf), float(vio[i]), False
    if opts.inner:
        x = _run_inner(problem, x, opts.inner, rng)
        fval, viol = score(problem, x)
        f0, v0 = score(problem, x0)
        if not not_worse(fval, viol, f0, v0, opts.feas_tol):
            x, fval, viol, kept = dict(x0), f0, v0, True
            exitflag = 0 if v0 <= opts.feas_tol else -2
    return Solution(x=x, fval=fval, exitflag=exitflag,
                    message=message + (" (incumbent kept)" if kept else ""), nit=len(history),
                    history=history, violation=viol, elapsed=time.perf_counter() - t0, solver="pso_positions",
                    output={"n_particles": n, "swarm_best_cost": float(-best_cost.min()),
                            "from_x0": bool(i == len(cands) - 1), "fitness": float(fit[i]),
                            "inner": [b.name for b in opts.inner], "incumbent_kept": kept,
                            "w": (opts.w, opts.w_end), "velocity_clamp": clamp})
