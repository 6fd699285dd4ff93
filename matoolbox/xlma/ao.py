"""AO hooks of :class:`~matoolbox.xlma.XlmaPlacementProblem` (a mixin): LP initialization as the start,
successive replacement as the only block, and the result's extras."""
from __future__ import annotations

import numpy as np

from ..core.problem import Block
from .lp_init import lp_init
from .replacement import successive_replacement
from .io import XlmaIoMixin


class XlmaAoMixin(XlmaIoMixin):  # XlmaIoMixin: from_paths / from_channel (kept off problem.py's line budget)
    """``initial_point``, ``ao_initial_point``, ``ao_blocks``, ``ao_defaults``, ``ao_finalize``."""

    # ------------------------------------------------------------------ AO hooks
    def initial_point(self, rng=None) -> dict:
        """Top-N positions of the linear surrogate c = sum_k rho_k r_k (LP without coverage)."""
        c = self.lp_surrogate()["c"]
        order = np.lexsort((np.arange(self.N0), -c))
        return {"selection": np.sort(order[: self.N])}

    def ao_initial_point(self, rng=None) -> dict:
        """LP initialization (:func:`~matoolbox.xlma.lp_init`); its exitflag, message, fallback and
        ``cvx_attempts`` are kept for :meth:`ao_finalize` (reported in ``output["lp_init"]``)."""
        init = lp_init(self, rng=rng)
        object.__setattr__(self, "_lp_init_record", {
            "exitflag": init.exitflag, "message": init.message, "fval": init.fval,
            "fallback": init.output.get("fallback"), "cvx_attempts": init.output.get("cvx_attempts", []),
            "selection": np.array(init.x["selection"], copy=True)})
        return dict(init.x)

    def ao_blocks(self) -> list:
        return [Block("selection", successive_replacement)]

    def ao_defaults(self) -> dict:
        return {"max_iter": 1, "tol": 1e-12}

    def ao_finalize(self, solution):
        """Algorithm 1 is one LP initialization plus successive replacement passes (each pass
        stops by itself), so reaching ``max_iter`` passes means it finished: exitflag 1.

        ``output["lp_init"]`` records the LP initialization (None when ``x0`` was given) and
        ``output["cvx_attempts"]`` its solver attempts. When every convex solver failed in the LP
        the run started from the fallback placement named in ``output["lp_init"]["fallback"]``
        and is reported with exitflag 0 (finished, not converged) and a message saying so."""
        rec = self.__dict__.pop("_lp_init_record", None)
        solution.output["lp_init"] = rec
        if rec is not None:
            solution.output["cvx_attempts"] = rec["cvx_attempts"]
        if solution.exitflag == 0 and solution.message == "iteration limit reached":
            solution.exitflag = 1
            solution.message = f"LP initialization + {solution.nit} successive-replacement pass(es) finished"
        if rec is not None and rec["exitflag"] == -3 and solution.exitflag == 1:
            solution.exitflag = 0
            solution.message = (f"LP initialization failed, started from the fallback placement "
                                f"({rec['fallback']}); {solution.nit} successive-replacement pass(es) finished")
        sel = np.asarray(solution.x["selection"], int)
        solution.output["positions"] = self.candidates[sel]
        solution.output["layout_upper_bound"] = self.upper_bound(sel)
        return solution
