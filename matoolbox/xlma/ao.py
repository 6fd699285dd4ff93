"""AO hooks of :class:`~matoolbox.xlma.XlmaPlacementProblem` (a mixin): LP initialization as the start,
successive replacement as the only block, and the result's extras; the FPA baselines and the
"MA" / "FPA" schemes (``variant``)."""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..core.problem import Block
from ..core.solution import Solution
from ..core.validate import fail
from .layout import _OWNER, Layout, fpa_indices
from .lp_init import lp_init
from .replacement import successive_replacement
from .io import XlmaIoMixin


class XlmaAoMixin(XlmaIoMixin):  # XlmaIoMixin: from_paths / from_channel (kept off problem.py's line budget)
    """``initial_point``, ``ao_initial_point``, ``ao_blocks``, ``ao_defaults``, ``ao_finalize``;
    ``fpa_layouts``, ``fpa_selection`` and ``variant``."""

    # ------------------------------------------------------------------ FPA baselines and schemes
    def fpa_layouts(self) -> dict:
        """FPA baselines (docs/theory/xlma.rst: FPA baselines) that fit the geometry: name -> :class:`Layout`.

        sparse (4 x 2, 2-D regions with N = 8), horizontal_sparse, vertical_sparse (Nz >= N),
        dense_ula (one NM x 1 array) and dense_upa (one 4MH x 2MV array, 2-D regions, N = 8), the
        dense arrays centred at candidate n_c = (ceil(Nz/2)-1) Nx + ceil(Nx/2) - 1."""
        out = {}
        kinds = ["horizontal_sparse"]
        if self.Nz >= 2 and self.N == 8 and self.Nx >= 4:
            kinds.insert(0, "sparse")
        if self.Nz >= self.N:
            kinds.append("vertical_sparse")
        for kind in kinds:
            if kind == "horizontal_sparse" and self.Nx < self.N:
                continue
            out[kind] = self.layout(fpa_indices(kind, self.N, self.Nx, self.Nz), kind)
        nc = (math.ceil(self.Nz / 2) - 1) * self.Nx + math.ceil(self.Nx / 2) - 1
        centre = self.candidates[nc][None]
        out["dense_ula"] = Layout("dense_ula", centre, self.N * self.M, 1)
        if self.Nz >= 2 and self.N == 8:
            out["dense_upa"] = Layout("dense_upa", centre, 4 * self.MH, 2 * self.MV)
        return out

    def fpa_selection(self) -> tuple:
        """``(name, selection)`` of the FPA scheme: the first sparse FPA layout on the candidate grid
        ("sparse", else "horizontal_sparse", else "vertical_sparse"; the dense arrays have another
        subarray size and are baselines only, :meth:`fpa_layouts`). Raises InvalidProblemError if
        none fits."""
        for name, lay in self.fpa_layouts().items():
            if lay.selection is not None and (lay.MH, lay.MV) == (self.MH, self.MV):
                return name, np.sort(np.asarray(lay.selection, int))
        fail(_OWNER, "scheme", "FPA", f"no sparse FPA layout of N={self.N} subarrays fits the candidates "
             f"(grid {self.Nx} x {self.Nz}, or user-given points)")

    def variant(self, scheme: str):
        """The same instance under another scheme: "MA" (placement optimised) or "FPA" (selection
        fixed at :meth:`fpa_selection`; ``ao_solve`` returns it)."""
        key = str(scheme).upper()
        if key not in ("MA", "FPA"):
            fail(_OWNER, "variant.scheme", scheme, "must be one of ['FPA', 'MA']")
        return self if key == self.scheme else dataclasses.replace(self, scheme=key)


    # ------------------------------------------------------------------ AO hooks
    def initial_point(self, rng=None) -> dict:
        """Top-N positions of the linear surrogate c = sum_k rho_k r_k (LP without coverage); FPA: the fixed selection."""
        if self.scheme == "FPA":
            return {"selection": self.fpa_selection()[1]}
        c = self.lp_surrogate()["c"]
        order = np.lexsort((np.arange(self.N0), -c))
        return {"selection": np.sort(order[: self.N])}

    def ao_initial_point(self, rng=None) -> dict:
        """LP initialization (:func:`~matoolbox.xlma.lp_init`); its exitflag, message, fallback and
        ``cvx_attempts`` are kept for :meth:`ao_finalize` (reported in ``output["lp_init"]``).
        FPA: the fixed selection (no LP)."""
        if self.scheme == "FPA":
            return self.initial_point(rng)
        init = lp_init(self, rng=rng)
        object.__setattr__(self, "_lp_init_record", {
            "exitflag": init.exitflag, "message": init.message, "fval": init.fval,
            "fallback": init.output.get("fallback"), "cvx_attempts": init.output.get("cvx_attempts", []),
            "selection": np.array(init.x["selection"], copy=True)})
        return dict(init.x)

    def ao_blocks(self) -> list:
        """Successive replacement on the selection; FPA: a block that sets the fixed selection."""
        if self.scheme == "FPA":
            return [Block("selection", _fpa_block)]
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
        if self.scheme == "FPA" and solution.exitflag >= 0:
            solution.exitflag = 1
            solution.message = f"FPA layout {self.fpa_selection()[0]!r} (selection fixed, nothing to optimise)"
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


def _fpa_block(problem, x, options=None, rng=None) -> Solution:
    """The FPA scheme's only "block": the fixed selection."""
    sel = {"selection": problem.fpa_selection()[1]}
    return Solution(x=sel, fval=problem.objective(sel), exitflag=1, message="FPA: selection fixed",
                    violation=problem.violation(sel), solver="fpa_selection")
