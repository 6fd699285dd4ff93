r"""``MaProblem``: a movable-antenna problem from declared variables, a channel and a metric.

A new problem subclasses :class:`MaProblem` as a frozen dataclass holding its data, and defines

``variables() -> {name: domain}``
    the optimisation variables (:mod:`matoolbox.optim.variables`: ``Positions(region, n)``,
    ``Covariance(n, P)``, ``Precoders(n, k, P)``);
``channel_args`` (class attribute) and a field ``channel``
    the position variables the channel object takes, in order: ``H = channel.H(*x[args])``
    (e.g. :class:`~matoolbox.channels.mimo.MimoChannel` with ``("positions_tx", "positions_rx")``);
    override :meth:`channel_matrix` / :meth:`channel_vjp` for anything else;
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
from ..core.rng import as_generator

__all__ = ["MaProblem"]


@dataclasses.dataclass(frozen=True, eq=False)
class MaProblem(Problem):
    """Base of problems written from the generic pieces (see the module docstring)."""

    channel_args: ClassVar[tuple] = ()

    # -- to be provided ---------------------------------------------------------------------
    def variables(self) -> dict:
        raise MatoolboxError(f"{type(self).__name__} defines no variables()")

    def metric(self, H, x, grad=False):
        raise MatoolboxError(f"{type(self).__name__} defines no metric(H, x, grad)")

    def fixed(self) -> tuple:
        """Names of variables held at their ``start`` value (default: none)."""
        return ()

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
        return {k: np.array(v, copy=True) for k, v in self._fpa.items()}

    def objective_batch(self, block, values, x):
        """Objective at each value of ``block`` (values (B, *shape)) with the rest of ``x`` fixed."""
        return np.array([self.objective({**x, block: v}) for v in np.asarray(values)], float)

    def violation_batch(self, block, values, x):
        return np.array([self.violation({**x, block: v}) for v in np.asarray(values)], float)

    # -- SLSQP multistart hooks -------------------------------------------------------------------
    def _movable(self):
        return [n for n in self._variables if n not in self.fixed()]

    def _slices(self):
        vs, out, i = self._variables, {}, 0
        for n in self._movable():
            out[n] = slice(i, i + vs[n].size)
            i += vs[n].size
        return out

    def nlp_pack(self, x):
        vs = self._variables
        return np.concatenate([vs[n].pack(x[n]) for n in self._movable()])

    def nlp_unpack(self, z):
        vs, x = self._variables, dict(self._fpa)
        for n, s in self._slices().items():
            x[n] = vs[n].unpack(np.asarray(z)[s])
        return x

    def nlp_fun(self, z):
        """(-objective, -gradient) at the packed point z (SLSQP minimises)."""
        x = self.nlp_unpack(z)
        H = self.channel_matrix(x)
        f, dH, dv = self.metric(H, x, grad=True)
        gpos = self.channel_vjp(x, dH)
        vs, g = self._variables, np.zeros(len(z))
        for n, s in self._slices().items():
            gb = gpos[n] if n in self.channel_args else dv[n]
            kw = {"z": np.asarray(z)[s]} if vs[n].is_complex else {}
            g[s] = vs[n].pack_grad(x[n], gb, **kw)
        return -float(f), -g

    def nlp_constraints(self, z):
        vs, rows, jacs = self._variables, [], []
        x = self.nlp_unpack(z)
        for n, s in self._slices().items():
            kw = {"z": np.asarray(z)[s]} if vs[n].is_complex else {}
            c, J = vs[n].constraints(x[n], **kw)
            full = np.zeros((len(c), len(z)))
            full[:, s] = J
            rows.append(np.asarray(c, float))
            jacs.append(full)
        return np.concatenate(rows), np.vstack(jacs)

    def nlp_bounds(self):
        vs = self._variables
        lo, hi = zip(*(vs[n].nlp_bounds() for n in self._movable()))
        return np.concatenate(lo), np.concatenate(hi)

    def nlp_random_start(self, rng):
        return self.initial_point(rng)

    def nlp_polish(self, x):
        return {**x, **{n: self.project(n, x[n]) for n in self._movable()}}
