"""GML driver: online (pre-training-free) gradient-based meta-learning, GMML loop (docs/theory/comp_rsma.rst: GML).

One net per block maps the block's inner gradient to an update. Per outer iteration j, for each
block b in phase order (the other blocks at their latest values)::

    v = x_b^(0);  for i = 1..N_i:  g_i = gml_gradient(b, x with x_b = v);  v = v + net_b(g_i)
                                   (v = gml_project(b, v) between inner steps when N_i > 1)
    x_b = v

then the meta-loss L(x) and dL/dx_b come from ``gml_meta_loss``; first-order meta-gradient
(inner gradients detached): dL/dtheta_b = sum_i J_net_b(g_i)^T dL/dx_b. Adam descends it after
every ``n_outer_per_update`` outer iterations (gradients summed in between). The raw x with the
best feasible value (the anchor point included) is kept and returned via ``gml_finalize``.
The problem is reached only through the interface of :mod:`matoolbox.gml.interface`.
"""
from __future__ import annotations

import math
import time

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.options import resolve_options
from ..core.rng import as_generator
from ..core.solution import Solution
from .adam import Adam
from .interface import GmlBlock, check_interface, from_features, to_features
from .mlp import MLP
from .options import GmlOptions

__all__ = ["gml_solve"]


def _copy(x: dict) -> dict:
    return {k: np.array(v, copy=True) for k, v in x.items()}


def _override(blk: GmlBlock, opts: GmlOptions) -> GmlBlock:
    ch = {}
    for field, cast in (("hidden", int), ("lr", float), ("update_every", int)):
        table = getattr(opts, field)
        if table is not None and blk.name in table:
            ch[field] = cast(table[blk.name])
    return GmlBlock.from_spec({**blk.__dict__, **ch})


def gml_solve(problem, options=None, rng=None, *, x0=None, callback=None) -> Solution:
    """Solve ``problem`` with GML (nets re-initialised for this problem instance, no pre-training).

    Each outer iteration runs one learned inner step per block, evaluates the problem's
    differentiable meta-loss, back-propagates it through the nets (first order) and takes one Adam
    step per net (the loop is described on the CoMP-RSMA theory page, docs/theory/comp_rsma.rst).

    Parameters
    ----------
    problem : Problem
        A problem implementing the GML block interface (:mod:`matoolbox.gml.interface`; CoMP-RSMA
        does), or wrapped in :class:`ContractProblem`.
    options : GmlOptions, dict or str, optional
        A :class:`GmlOptions`, a dict of its fields, or a preset name (``"default"``, ``"spec"``,
        ``"paper"``).
    rng : int or numpy.random.Generator, optional
        Seed or generator (default ``options.seed``).
    x0 : dict, optional
        Block entries that replace the family's anchors (and are scored as a candidate).
    callback : callable, optional
        ``callback(j, x_raw, value, feasible)`` after each outer iteration; True stops the run.

    Returns
    -------
    Solution
        ``x`` the best feasible iterate (finalised by the problem), ``fval``/``violation`` from
        ``problem.objective``/``problem.violation``, ``history`` the value of the current iterate
        per outer iteration (``n_outer`` entries), exitflag 1 (all outer iterations done), 0 (time
        limit or callback), -2 (no feasible iterate). ``output``: ``history_best`` (best feasible
        so far, -inf before the first), ``history_feasible``, ``history_loss`` (meta-loss),
        ``start_value``, ``best_iteration`` (0 = anchor point), ``options``.

    Raises
    ------
    InvalidProblemError
        If the problem lacks the block interface, an option names an unknown block, or the
        meta-loss is not finite.

    Examples
    --------
    >>> from matoolbox.problems import CompRsmaProblem
    >>> from matoolbox.gml import gml_solve
    >>> prob = CompRsmaProblem.random(seed=0, K=2)
    >>> sol = gml_solve(prob, {"n_outer": 100}, rng=0)
    >>> sol.exitflag, len(sol.history)
    (1, 100)
    >>> sol.violation <= 1e-6
    True
    """
    t0 = time.perf_counter()
    check_interface(problem)
    if isinstance(options, str):
        opts = GmlOptions.preset(options)
    else:
        opts = resolve_options(GmlOptions, options)
    gen = as_generator(rng if rng is not None else opts.seed)
    init_rng, net_rng = gen.spawn(2)

    blocks = [_override(GmlBlock.from_spec(b), opts) for b in problem.gml_blocks(opts)]
    if not blocks:
        raise InvalidProblemError(f"gml_solve.problem = {type(problem).__name__}: gml_blocks() is empty")
    names = {b.name for b in blocks}
    for field in ("hidden", "lr", "update_every"):
        table = set(getattr(opts, field) or {})
        unknown = sorted(table - names)
        if table and unknown == sorted(table):     # entries for absent blocks (SDMA, FPA) are ignored
            raise InvalidProblemError(f"GmlOptions.{field} = {getattr(opts, field)!r}: unknown block(s) "
                                      f"{unknown} (this problem's blocks: {sorted(names)})")
    anchors = {k: np.array(v, copy=True) for k, v in problem.gml_init(init_rng, opts).items()}
    if x0 is not None:
        x0 = problem.gml_from_x(x0) if callable(getattr(problem, "gml_from_x", None)) else x0
        for blk in blocks:
            if blk.name in x0:
                anchors[blk.name] = np.array(x0[blk.name], dtype=anchors[blk.name].dtype, copy=True)
    for blk in blocks:
        if blk.name not in anchors:
            raise InvalidProblemError(f"gml_init() = {sorted(anchors)}: lacks block {blk.name!r}")

    nets, adams, acc = {}, {}, {}
    for blk in blocks:
        a = anchors[blk.name]
        width = to_features(a, blk.layout).shape[1]
        nets[blk.name] = MLP(width, blk.hidden, width, net_rng)
        if opts.output_init_scale != 1.0:
            nets[blk.name].params["W2"][...] *= opts.output_init_scale
            nets[blk.name].params["b2"][...] *= opts.output_init_scale
        adams[blk.name] = Adam({"theta": nets[blk.name].theta}, lr=blk.lr, betas=opts.betas, eps=opts.eps)
        acc[blk.name] = np.zeros_like(a)

    x = _copy(anchors)
    start = problem.gml_meta_loss(x, opts)
    start_value, start_feasible = float(start["value"]), bool(start["feasible"])
    best_x = _copy(x) if start_feasible else None
    best_value, best_it = (start_value, 0) if start_feasible else (-math.inf, -1)

    meta_grads = {b.name: np.zeros_like(nets[b.name].theta) for b in blocks}
    n_updates = 0
    history, hist_best, hist_feas, hist_loss = [], [], [], []
    exitflag, message = 1, f"completed {opts.n_outer} outer iterations"
    last_x = x
    for j in range(1, opts.n_outer + 1):
        caches = {}
        for blk in blocks:
            name, a = blk.name, anchors[blk.name]
            v = a.copy()
            caches[name] = []
            for i in range(opts.n_inner):
                g = problem.gml_gradient(name, {**x, name: v}, opts)
                if opts.grad_input == "accumulated":
                    acc[name] = acc[name] + g
                    g = acc[name]
                y, cache = nets[name].forward(to_features(g, blk.layout))
                caches[name].append(cache)
                v = v + from_features(y, a.shape, np.iscomplexobj(a))
                if opts.n_inner > 1 and i < opts.n_inner - 1:
                    v = problem.gml_project(name, v, opts)
            x[name] = v
        res = problem.gml_meta_loss(x, opts)
        loss, value, feasible = float(res["loss"]), float(res["value"]), bool(res["feasible"])
        grads = res["grads"]
        for blk in blocks:
            name = blk.name
            delta = to_features(grads[name], blk.layout)
            if opts.grad_input == "accumulated":
                acc[name] = acc[name] + 2.0 * grads[name]
            for cache in caches[name]:
                nets[name].backward(delta, cache, out=meta_grads[name])
        if j % opts.n_outer_per_update == 0:
            n_updates += 1
            if opts.lr_schedule == "cosine":
                f = 0.5 * (1.0 + math.cos(math.pi * (j - 1) / opts.n_outer))
                for blk in blocks:
                    adams[blk.name].lr = blk.lr * f
            for blk in blocks:
                if n_updates % blk.update_every == 0:
                    adams[blk.name].step({"theta": meta_grads[blk.name]})
                meta_grads[blk.name][...] = 0.0
        if not math.isfinite(value):
            raise InvalidProblemError(f"gml_meta_loss().value = {value!r}: must be finite")
        history.append(value)
        hist_feas.append(feasible)
        hist_loss.append(loss)
        if feasible and value > best_value:
            best_value, best_x, best_it = value, _copy(x), j
        hist_best.append(best_value)
        last_x = x
        if callback is not None and callback(j, x, value, feasible):
            exitflag, message = 0, "stopped by callback"
            break
        if opts.max_time is not None and time.perf_counter() - t0 > opts.max_time:
            exitflag, message = 0, f"time limit {opts.max_time:g} s reached"
            break
    if best_x is None:
        exitflag, message = -2, "no feasible iterate found"
        x_out = problem.gml_finalize(last_x, opts)
    else:
        x_out = problem.gml_finalize(best_x, opts)
    fval = float(problem.objective(x_out))
    return Solution(
        x=x_out, fval=fval if math.isfinite(fval) else -math.inf, exitflag=exitflag, message=message,
        nit=len(history), history=history, violation=float(problem.violation(x_out)),
        elapsed=time.perf_counter() - t0, solver="gml_solve",
        output={"history_best": hist_best, "history_feasible": hist_feas, "history_loss": hist_loss,
                "start_value": start_value, "start_feasible": start_feasible,
                "best_iteration": best_it, "best_value": best_value, "options": opts.__dict__.copy()},
    )
