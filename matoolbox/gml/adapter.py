"""GML for any problem exposing the shared solver contract (as ``pga`` / ``pso_positions`` use it).

``ContractProblem(problem, blocks=("positions",))`` wraps a problem that has ``objective(x)``,
``gradient(block, x)`` (ascent direction, same shape as ``x[block]``), ``project(block, value)``,
``violation(x)`` and ``initial_point(rng)`` (the uplink and full-duplex families do) into the
block interface of :mod:`matoolbox.gml.interface`:

* GML variable of block b: z_b = x_b / s_b (``scales``; default the problem's ``wavelength`` for
  position-like blocks, else 1), so that net outputs of order one are sensible moves;
* inner gradient: -s_b grad_b objective at the projected point Pi(x);
* meta-loss: L(z) = -objective(Pi(x)) + rho sum_b ||z_b - Pi_b(z_b)||^2, with the straight-through
  gradient -s_b grad_b objective(Pi(x)) + 2 rho (z_b - Pi_b(z_b)) (the projection's Jacobian is
  treated as the identity; the quadratic pulls raw values back onto the feasible set);
* feasible iff ``violation(Pi(x)) <= feas_tol``; the other variables stay at ``initial_point``.

    sol = gml_solve(ContractProblem(uplink_problem), GmlOptions(n_outer=300), rng=0)
"""
from __future__ import annotations

import numpy as np

__all__ = ["ContractProblem"]

_POSITION_BLOCKS = ("positions", "positions_tx", "positions_rx")


class ContractProblem:
    """GML view of ``problem`` over ``blocks`` (see the module docstring)."""

    def __init__(self, problem, blocks=("positions",), *, scales=None, layouts=None, hidden=200,
                 lr=1e-3, rho=1.0, feas_tol=1e-6):
        self.problem = problem
        self.blocks = tuple(blocks)
        wl = float(getattr(problem, "wavelength", 1.0) or 1.0)
        self.scales = {b: (wl if b in _POSITION_BLOCKS else 1.0) for b in self.blocks}
        self.scales.update(scales or {})
        self.layouts = {b: "vector" for b in self.blocks}
        self.layouts.update(layouts or {})
        self.hidden, self.lr, self.rho, self.feas_tol = int(hidden), float(lr), float(rho), float(feas_tol)
        self._base = None

    # delegation used by the driver to score the returned point
    def objective(self, x) -> float:
        return float(self.problem.objective(x))

    def violation(self, x) -> float:
        return float(self.problem.violation(x))

    def _full(self, z) -> dict:
        x = dict(self._base)
        for b in self.blocks:
            x[b] = self.problem.project(b, np.asarray(z[b]) * self.scales[b])
        return x

    # GML hooks
    def gml_blocks(self, options):
        return [{"name": b, "layout": self.layouts[b], "hidden": self.hidden, "lr": self.lr} for b in self.blocks]

    def gml_init(self, rng, options):
        self._base = dict(self.problem.initial_point(rng))
        return {b: np.array(self._base[b], copy=True) / self.scales[b] for b in self.blocks}

    def gml_from_x(self, x):
        return {b: np.asarray(x[b]) / self.scales[b] for b in self.blocks if b in x}

    def gml_project(self, name, value, options):
        return self.problem.project(name, np.asarray(value) * self.scales[name]) / self.scales[name]

    def gml_gradient(self, name, z, options):
        return -self.scales[name] * np.asarray(self.problem.gradient(name, self._full(z)))

    def gml_meta_loss(self, z, options):
        x = self._full(z)
        f = float(self.problem.objective(x))
        loss, grads = -f, {}
        for b in self.blocks:
            d = np.asarray(z[b]) - x[b] / self.scales[b]
            loss += self.rho * float(np.real(np.vdot(d, d)))
            grads[b] = -self.scales[b] * np.asarray(self.problem.gradient(b, x)) + 2.0 * self.rho * d
        return {"loss": loss, "grads": grads, "value": f,
                "feasible": bool(self.problem.violation(x) <= self.feas_tol)}

    def gml_finalize(self, z, options):
        return self._full(z)
