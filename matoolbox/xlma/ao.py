"""AO hooks of :class:`~matoolbox.xlma.XlmaPlacementProblem` (a mixin): LP initialization as the start,
successive replacement as the only block, and the result's extras."""
from __future__ import annotations

import numpy as np

from ..core.problem import Block
from .lp_init import lp_init
from .replacement import successive_replacement


class XlmaAoMixin:
    """``initial_point``, ``ao_initial_point``, ``ao_blocks``, ``ao_defaults``, ``ao_finalize``."""

    # ------------------------------------------------------------------ AO hooks
    def initial_point(self, rng=None) -> dict:
        """Top-N positions of the linear surrogate c = sum_k rho_k r_k (LP without coverage)."""
        c = self.lp_surrogate()["c"]
        order = np.lexsort((np.arange(self.N0), -c))
        return {"selection": np.sort(order[: self.N])}

    def ao_initial_point(self, rng=None) -> dict:
        return dict(lp_init(self, rng=rng).x)

    def ao_blocks(self) -> list:
        return [Block("selection", successive_replacement)]

    def ao_defaults(self) -> dict:
        return {"max_iter": 1, "tol": 1e-12}

    def ao_finalize(self, solution):
        """Algorithm 1 is one LP initialization plus successive replacement passes (each pass
        stops by itself), so reaching ``max_iter`` passes means it finished: exitflag 1."""
        if solution.exitflag == 0 and solution.message == "iteration limit reached":
            solution.exitflag = 1
            solution.message = f"LP initialization + {solution.nit} successive-replacement pass(es) finished"
        sel = np.asarray(solution.x["selection"], int)
        solution.output["positions"] = self.candidates[sel]
        solution.output["upper_bound"] = self.upper_bound(sel)
        return solution
