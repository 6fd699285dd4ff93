r"""``MaProblem``: a movable-antenna problem from declared variables, a channel and a metric.

A new problem subclasses :class:`MaProblem` as a frozen dataclass holding its data, and defines

``variables() -> {name: domain}``
    the optimisation variables (:mod:`matoolbox.optim.variables`: ``Positions(region, n)``,
    ``Covariance(n, P)``, ``Precoders(n, k, P)``);
``channel_args`` (class attribute) and a field ``channel``
    the position variables the channel object takes, in order: ``H = channel.H(*x[args])``
    (e.g. :class:`~matoolbox.channels.mimo.MimoChannel` with ``("positions_tx", "positions_rx")``);
    override :meth:`channel_matrix` / :meth:`MaProblem.channel_vjp` for anything else;
``metric(H, x, grad=False)``
    the objective from the channel matrix (e.g. :func:`matoolbox.metrics.capacity`); with
    ``grad=True`` it returns ``(value, dH, {name: d value / d x[name]})`` in the convention of
    :mod:`matoolbox.core.gradcheck` (dF/dRe + 1j dF/dIm);
``ao_blocks()``
    the AO blocks (e.g. water-filling, then a position block per position variable).

Everything the generic solvers call is then derived:

* ``objective(x) = metric(H(x), x)``; ``gradient(block, x)``: for a position block the chain rule
  ``channel.vjp(positions, dH)``, for any other block the metric's own gradient;
* ``project``, ``bounds``, ``violation``, ``random_feasible``, ``initial_point`` (random feasible),
  ``ao_initial_point`` / ``fpa_point`` (FPA layouts, Q = P/n I, MRT precoders);
* ``objective_batch`` (PSO, coordinate search) and the SLSQP hooks ``nlp_*`` of
  :func:`~matoolbox.optim.multistart.multistart` (packing of :mod:`~matoolbox.optim.variables`);
* ``surrogate(x, name)`` / ``surrogate_gradient(block, x, name)`` for ``pga``'s smooth surrogate
  when the problem defines ``surrogate_metric(H, x, name, grad=False)``.

Variables with a closed-form optimum given the channel (``best_responses()``, e.g. water-filling)
can be eliminated: :class:`ValueFunction` is the view whose objective is the value function
max over those variables (its gradient, by the envelope theorem, the gradient at the optimum), and
:func:`value_function_block` runs any position block on that view and then sets the eliminated
variables to their optimum -- so a per-antenna search sees the true landscape, not the one at a
stale covariance.

Variables listed by ``fixed()`` stay at their ``start`` value (e.g. an FPA baseline): ``project``
returns that value, the NLP packing leaves them out and the default blocks skip them.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import ClassVar

import numpy as np

from ..core.errors import MatoolboxError
from ..core.problem import Problem
from ..core.options import Options, resolve_options
from ..core.rng import as_generator
from ..core.validate import fail
from ..core.solution import Solution
from .ao import ao_solve
from .multistart import MultistartOptions, multistart

__all__ = ["MaProblem", "ValueFunction", "value_function_block", "nlp_block", "NlpBlockOptions"]


@dataclasses.dataclass(frozen=True, eq=False)
class MaProblem(Problem):
    """Base of problems written from the generic pieces (see the module docstring)."""

    channel_args: ClassVar[tuple] = ()
    #: True when ``metric`` accepts a batch of channel matrices (leading axis) and returns (B,)
    batch_metric: ClassVar[bool] = False
    #: ``ao_initial_point`` screening: random feasible layouts scored (with best responses) besides
    #: the FPA start, how many of the best get ``screen_iters`` AO iterations (0: plain FPA start)
    screen_starts: ClassVar[int] = 0
    screen_keep: ClassVar[int] = 3
    screen_iters: ClassVar[int] = 2

    def __post_init__(self):
        super().__post_init__()
        owner = type(self).__name__
        for name, var in self._variables.items():     # every region must hold its antennas
            region = getattr(var, "region", None)
            if region is not None and hasattr(region, "check_fits"):
                region.check_fits(var.n, owner, name)
                start = var.start()
                if var.violation(start) > 1e-9:
                    fail(owner, name, f"<FPA layout of {var.n} antennas at spacing {var.spacing or region.min_spacing:g}>",
                         f"does not fit the region (violation {var.violation(start):.3g}): enlarge the region")

    # -- to be provided ---------------------------------------------------------------------
    def variables(self) -> dict:
        """``{name: domain}`` of the optimisation variables (:mod:`matoolbox.optim.variables`)."""
        raise MatoolboxError(f"{type(self).__name__} defines no variables()")

    def metric(self, H, x, grad=False):
        """The objective from the channel matrix ``H`` and the variables ``x``.

        ``grad=False``: the value (a float; with ``batch_metric``, (B,) for a batch of H).
        ``grad=True``: ``(value, dH, {name: dvar})``, derivatives in the convention of
        :mod:`matoolbox.core.gradcheck` (dF/dRe + 1j dF/dIm, i.e. 2 dF/dZ*) for every variable the
        metric reads directly (not the positions: they come by ``channel_vjp``). For a non-smooth
        objective (a min, a [.]^+) return a subgradient (e.g. that of the active user) and give
        gradient solvers a smooth ``surrogate_metric``.
        """
        raise MatoolboxError(f"{type(self).__name__} defines no metric(H, x, grad)")

    def ao_blocks(self) -> list:
        """The default AO blocks (:class:`~matoolbox.core.problem.Block`), one per variable update."""
        raise MatoolboxError(f"{type(self).__name__} has no default AO blocks: pass blocks= to ao_solve")

    def check_x(self, x, field: str = "x0") -> dict:
        """The base checks (a dict of finite numbers) plus every declared variable's shape."""
        x = super().check_x(x, field)
        for name, var in self._variables.items():
            if name in x and np.shape(x[name]) != tuple(var.shape):
                fail(type(self).__name__, f"{field}[{name!r}]", f"<array of shape {np.shape(x[name])}>",
                     f"must have shape {tuple(var.shape)}")
        return x

    def fixed(self) -> tuple:
        """Names of variables held at their ``start`` value (default: none)."""
        return ()

    def best_responses(self) -> dict:
        """``{name: fn(H) -> value}``: variables with a closed-form optimum given the channel
        matrix (batched over leading axes of H), e.g. water-filling for a covariance. Used by
        :class:`ValueFunction` (default: none)."""
        return {}

    # -- channel ------------------------------------------------------------------------------
    def channel_matrix(self, x):
        """The matrix the metric sees: ``self.channel.H(*(x[a] for a in channel_args))``."""
        return self.channel.H(*(np.asarray(x[a], float) for a in self.channel_args))

    def channel_vjp(self, x, dH) -> dict:
        """``{position block: real gradient}`` of F given ``dH`` = dF/dRe H + 1j dF/dIm H."""
        g = self.channel.vjp(*(np.asarray(x[a], float) for a in self.channel_args), dH)
        g = g if isinstance(g, tuple) else (g,)
        return dict(zip(self.channel_args, g))

    # -- derived contract -----------------------------------------------------------------------
    @functools.cached_property
    def _variables(self) -> dict:
        """``variables()`` built once per instance (the instance is frozen)."""
        return self.variables()

    @functools.cached_property
    def _fpa(self) -> dict:
        return self.fpa_point()

    def _var(self, block):
        vs = self._variables
        if block not in vs:
            raise MatoolboxError(f"{type(self).__name__}: no variable {block!r} (has {sorted(vs)})")
        return vs[block]

    def objective(self, x) -> float:
        return float(self.metric(self.channel_matrix(x), x))

    def gradient(self, block, x):
        """d objective / d x[block] (positions: real; complex blocks: dF/dRe + 1j dF/dIm)."""
        H = self.channel_matrix(x)
        _, dH, dv = self.metric(H, x, grad=True)
        if block in self.channel_args:
            return self.channel_vjp(x, dH)[block]
        return dv[block]

    def surrogate(self, x, name):
        return float(self.surrogate_metric(self.channel_matrix(x), x, name))

    def surrogate_gradient(self, block, x, name):
        H = self.channel_matrix(x)
        _, dH, dv = self.surrogate_metric(H, x, name, grad=True)
        if block in self.channel_args:
            return self.channel_vjp(x, dH)[block]
        return dv[block]

    def surrogate_metric(self, H, x, name, grad=False):
        """A smooth surrogate of the metric, selected by ``name`` (the string given as
        ``PgaOptions(surrogate=name)``), with the same return convention as :meth:`metric`
        (e.g. ``"softmin"``: -(1/t) log sum_k exp(-t R_k) for a max-min)."""
        raise MatoolboxError(f"{type(self).__name__} defines no surrogate_metric (asked for {name!r})")

    def project(self, block, value):
        var = self._var(block)
        if block in self.fixed():
            return np.array(self._fpa[block], copy=True)
        return var.project(value)

    def bounds(self, block):
        return self._var(block).bounds()

    def region(self, block):
        """The region of a position variable (for grid / coordinate searches)."""
        return self._var(block).region

    def random_feasible(self, block, rng):
        if block in self.fixed():
            return np.array(self._fpa[block], copy=True)
        return self._var(block).random(as_generator(rng))

    def violation(self, x) -> float:
        return max([0.0] + [var.violation(x[name]) for name, var in self._variables.items() if name in x])

    def fpa_point(self) -> dict:
        """Every variable at its ``start``: FPA layouts, then Q = P/n I and MRT precoders for them."""
        vs = self.variables()
        x = {n: v.start() for n, v in vs.items() if n in self.channel_args}
        H = self.channel_matrix(x) if len(x) == len(self.channel_args) else None
        x.update({n: v.start(H) for n, v in vs.items() if n not in self.channel_args})
        return x

    def initial_point(self, rng=None) -> dict:
        """Random feasible movable blocks (fixed ones at their start), random Q / W."""
        rng = as_generator(rng)
        x = {k: np.array(v, copy=True) for k, v in self._fpa.items()}
        for name in self._variables:
            if name not in self.fixed():
                x[name] = self.random_feasible(name, rng)
        return x

    def ao_initial_point(self, rng=None) -> dict:
        """The FPA point; with ``screen_starts`` > 0 the best of a cheap screening instead:

        the FPA point and ``screen_starts`` random feasible layouts are scored in one batch (with
        ``best_responses`` filled in), the ``screen_keep`` best run ``screen_iters`` iterations of
        ``ao_solve`` with the default blocks, and the best result is the start. ``rng`` draws the
        layouts, so different seeds explore different starts."""
        fpa = {k: np.array(v, copy=True) for k, v in self._fpa.items()}
        if self.screen_starts <= 0:
            return fpa
        rng = as_generator(rng)
        cands = [fpa] + [self.initial_point(rng) for _ in range(int(self.screen_starts))]
        f = self.score_points(cands)
        top = [cands[i] for i in np.argsort(-f, kind="stable")[: int(self.screen_keep)]]
        runs = [ao_solve(self, c, max_iter=int(self.screen_iters), rng=rng) for c in top]
        best = max(runs, key=lambda r: (r.violation <= 1e-6, r.fval))
        return best.x

    def score_points(self, xs, responses=None) -> np.ndarray:
        """Objective of each point in ``xs`` (list of dicts) with ``best_responses`` (or
        ``responses``, ``{name: fn(H)}``) filled in; one batched channel / metric call when
        ``batch_metric``."""
        responses = self.best_responses() if responses is None else dict(responses)
        if self.batch_metric:
            args = [np.stack([np.asarray(x[a], float) for x in xs]) for a in self.channel_args]
            H = self.channel.H(*args)
            xb = {**{k: np.stack([np.asarray(x[k]) for x in xs]) for k in xs[0]},
                  **{n: fn(H) for n, fn in responses.items()}}
            f = np.asarray(self.metric(H, xb), float)
        else:
            view = ValueFunction(self, responses)
            f = np.array([self.objective(view.fill(x)) for x in xs], float)
        return np.where(np.isfinite(f), f, -np.inf)

    def objective_batch(self, block, values, x):
        """Objective at each value of ``block`` (values of shape ``(B, *shape)``) with the rest of ``x`` fixed.

        One batched channel and metric call when ``batch_metric`` is set and ``block`` is a
        channel argument (the channel's ``H`` broadcasts over a leading batch axis); else a loop."""
        values = np.asarray(values)
        if self.batch_metric and block in self.channel_args and block not in self.fixed():
            args = [values if a == block else np.asarray(x[a], float) for a in self.channel_args]
            f = np.asarray(self.metric(self.channel.H(*args), x), float)
            return np.where(np.isfinite(f), f, -np.inf)
        return np.array([self.objective({**x, block: v}) for v in np.asarray(values)], float)

    def violation_batch(self, block, values, x):
        """Violation at each value of ``block`` (values of shape ``(B, *shape)``): the other variables' violation
        once, the block's per value (batched when its region has ``violations``)."""
        values = np.asarray(values)
        rest = max([0.0] + [v.violation(x[n]) for n, v in self._variables.items() if n in x and n != block])
        var = self._var(block)
        region = getattr(var, "region", None)
        if region is not None and hasattr(region, "violations"):
            own = np.asarray(region.violations(values), float).reshape(len(values))
        else:
            own = np.array([var.violation(v) for v in values], float)
        return np.maximum(own, rest)

    # -- SLSQP multistart hooks (over the movable variables; ``nlp_block``: over chosen ones) -----
    def _movable(self):
        return [n for n in self._variables if n not in self.fixed()]

    def _slices(self, names=None):
        vs, out, i = self._variables, {}, 0
        for n in (self._movable() if names is None else names):
            out[n] = slice(i, i + vs[n].size)
            i += vs[n].size
        return out

    def nlp_pack(self, x, names=None):
        vs = self._variables
        return np.concatenate([vs[n].pack(x[n]) for n in self._slices(names)])

    def nlp_unpack(self, z, names=None, base=None):
        vs = self._variables
        x = dict(self._fpa if base is None else base)
        for n, s in self._slices(names).items():
            x[n] = vs[n].unpack(np.asarray(z)[s])
        return x

    def nlp_fun(self, z, names=None, base=None):
        """(-objective, -gradient) at the packed point z (SLSQP minimises)."""
        x = self.nlp_unpack(z, names, base)
        H = self.channel_matrix(x)
        f, dH, dv = self.metric(H, x, grad=True)
        slices = self._slices(names)
        gpos = self.channel_vjp(x, dH) if any(n in self.channel_args for n in slices) else {}
        vs, g = self._variables, np.zeros(len(z))
        for n, s in slices.items():
            gb = gpos[n] if n in self.channel_args else dv[n]
            kw = {"z": np.asarray(z)[s]} if vs[n].is_complex else {}
            g[s] = vs[n].pack_grad(x[n], gb, **kw)
        return -float(f), -g

    def nlp_value(self, z, names=None, base=None):
        """-objective at z without the gradient, for SLSQP's line-search points: the number
        ``nlp_fun(z)[0]`` gives where ``metric`` returns the same value with and without ``grad``
        (the in-repo metrics do; otherwise SLSQP's path may differ in the last bits). A subclass
        that overrides ``nlp_fun`` gets ``nlp_fun(z)[0]`` here (its own objective)."""
        if type(self).nlp_fun is not MaProblem.nlp_fun:
            return self.nlp_fun(z, names, base)[0]
        x = self.nlp_unpack(z, names, base)
        return -float(self.metric(self.channel_matrix(x), x))

    def nlp_constraints(self, z, names=None, base=None):
        vs, rows, jacs = self._variables, [], []
        x = self.nlp_unpack(z, names, base)
        for n, s in self._slices(names).items():
            kw = {"z": np.asarray(z)[s]} if vs[n].is_complex else {}
            c, J = vs[n].constraints(x[n], **kw)
            full = np.zeros((len(c), len(z)))
            full[:, s] = J
            rows.append(np.asarray(c, float))
            jacs.append(full)
        return np.concatenate(rows), np.vstack(jacs)

    def nlp_bounds(self, names=None):
        vs = self._variables
        lo, hi = zip(*(vs[n].nlp_bounds() for n in self._slices(names)))
        return np.concatenate(lo), np.concatenate(hi)

    def nlp_random_start(self, rng):
        return self.initial_point(rng)

    def nlp_polish(self, x, names=None):
        return {**x, **{n: self.project(n, x[n]) for n in self._slices(names)}}


class _BlockNlp:
    """SLSQP view of an :class:`MaProblem` over ``names`` only, the rest held at ``base``."""

    def __init__(self, problem, base, names):
        self.problem, self.base, self.names = problem, dict(base), tuple(names)

    def objective(self, x):
        return self.problem.objective(x)

    def violation(self, x):
        return self.problem.violation(x)

    def nlp_pack(self, x):
        return self.problem.nlp_pack(x, self.names)

    def nlp_unpack(self, z):
        return self.problem.nlp_unpack(z, self.names, self.base)

    def nlp_fun(self, z):
        return self.problem.nlp_fun(z, self.names, self.base)

    def nlp_value(self, z):
        return self.problem.nlp_value(z, self.names, self.base)

    def nlp_constraints(self, z):
        return self.problem.nlp_constraints(z, self.names, self.base)

    def nlp_bounds(self):
        return self.problem.nlp_bounds(self.names)

    def nlp_polish(self, x):
        return self.problem.nlp_polish(x, self.names)


@dataclasses.dataclass(frozen=True)
class NlpBlockOptions(Options):
    """Options of :func:`nlp_block`: ``blocks`` the variables SLSQP moves (the others stay),
    ``maxiter`` and ``ftol`` of SLSQP."""

    blocks: tuple = ("precoders",)
    maxiter: int = 200
    ftol: float = 1e-9


def nlp_block(problem, x0, *, options=None, rng=None) -> Solution:
    """AO block: one local SLSQP solve over ``options.blocks`` from ``x0`` (the other variables
    fixed), with the analytic gradients and constraint Jacobians of :class:`MaProblem`; the start
    is scored too, so the result is never worse than ``x0``.

    Parameters
    ----------
    problem : MaProblem
    x0 : dict
        Full variable dict.
    options : matoolbox.optim.maproblem.NlpBlockOptions or dict, optional
    rng : int or numpy.random.Generator, optional
        Unused (deterministic), accepted for the block signature.

    Returns
    -------
    Solution
        The :func:`~matoolbox.optim.multistart.multistart` result with one warm start.
    """
    opts = resolve_options(NlpBlockOptions, options)
    view = _BlockNlp(problem, x0, opts.blocks)
    sol = multistart(view, x0=x0, options=MultistartOptions(n_starts=0, maxiter=opts.maxiter, ftol=opts.ftol,
                                                             keep_x=False), rng=rng)
    sol.solver = "nlp_block"
    return sol


class ValueFunction:
    """View of an :class:`MaProblem` with ``problem.best_responses()`` variables at their optimum.

    ``objective(x) = problem.objective(fill(x))`` with ``fill`` writing every eliminated variable's
    best response to the channel of ``x`` (``responses``, ``{name: fn(H)}``, replaces
    ``problem.best_responses()``, e.g. by closed-form heuristics: the view is then a proxy of the
    value function, a lower bound on it); ``gradient(block, x)`` is the gradient at ``fill(x)``
    with the filled-in variables held fixed (by the envelope theorem the value function's
    gradient where the best response is unique; with heuristic ``responses`` only the partial
    gradient of the proxy); ``objective_batch`` evaluates a
    batch of layouts in one channel / best-response / metric call when ``problem.batch_metric``.
    Everything else (``project``, ``bounds``, ``violation``, ...) is the problem's own, except a
    problem's ``score_batch`` / ``score_rows`` (they would score with the variables of ``x``, not
    the responses), which the view hides so that searches use its ``objective_batch``.
    """

    _HIDDEN = ("score_batch", "score_rows")

    def __init__(self, problem, responses=None):
        self.problem = problem
        self.responses = dict(problem.best_responses() if responses is None else responses)

    def __getattr__(self, name):
        if name in self._HIDDEN:
            raise AttributeError(name)
        return getattr(self.problem, name)

    def fill(self, x):
        H = self.problem.channel_matrix(x)
        return {**x, **{n: fn(H) for n, fn in self.responses.items()}}

    def objective(self, x):
        return self.problem.objective(self.fill(x))

    def gradient(self, block, x):
        return self.problem.gradient(block, self.fill(x))

    def objective_batch(self, block, values, x):
        p = self.problem
        values = np.asarray(values)
        if p.batch_metric and block in p.channel_args and block not in p.fixed():
            H = p.channel.H(*[values if a == block else np.asarray(x[a], float) for a in p.channel_args])
            f = np.asarray(p.metric(H, {**x, **{n: fn(H) for n, fn in self.responses.items()}}), float)
            return np.where(np.isfinite(f), f, -np.inf)
        return np.array([self.objective({**x, block: v}) for v in values], float)


def value_function_block(problem, x0, *, options=None, rng=None, inner=None):
    """AO block: ``inner`` (e.g. a coordinate search, ``pga``, PSO) on :class:`ValueFunction`
    of ``problem``, then the eliminated variables set to their best response; never worse than x0.

    Parameters
    ----------
    problem : MaProblem
    x0 : dict
        Full variable dict.
    options : Options of ``inner``, optional
    rng : int or numpy.random.Generator, optional
    inner : callable
        Block solver ``inner(view, x, options=..., rng=...) -> Solution``.

    Returns
    -------
    Solution
        ``inner``'s Solution with ``x`` completed by the best responses and ``fval`` the objective.
    """
    view = ValueFunction(problem)
    x_start = view.fill(x0)
    sol = inner(view, x_start, options=options, rng=rng)
    x = view.fill({**x_start, **sol.x})
    f0, f = float(problem.objective(x0)), float(problem.objective(x))
    v0, v = float(problem.violation(x0)), float(problem.violation(x))
    if not (np.isfinite(f) and f >= f0 and v <= max(v0, 1e-9)):
        x, f, v = dict(x0), f0, v0
    sol.x, sol.fval, sol.violation = x, f, v
    return sol
