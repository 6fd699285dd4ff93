"""Starting points and AO hooks of :class:`~matoolbox.comp_rsma.CompRsmaProblem` (a mixin): MRT,
random and warm starts, the AO start, the default
blocks (SCA precoders, then grid + PGA positions on the reduced problem) and the final polish."""
from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from ..core.problem import Block
from ..core.rng import as_generator
from ..core.solution import Solution
from ..core.validate import require_choice
from ..optim.ao import ao_solve
from ..optim.blocks import GridSearchOptions, chain_blocks, grid_search_positions, reduced_block
from ..optim.multistart import multistart
from ..optim.pga import PgaOptions, pga as pga_solver
from ..optim.pso import PsoOptions, pso_positions
from .sca import ScaPrecoderOptions, sca_precoders

_OWNER = "CompRsmaProblem"


class CompRsmaAoMixin:
    """Starting points and AO hooks: ``mrt_precoders``, ``initial_point``, ``random_point``,
    ``warm_start``, ``ao_initial_point``, ``ao_defaults``, ``ao_blocks``, ``ao_finalize``."""

    # ---------------------------------------------------------------- starting points ------
    def mrt_precoders(self, positions=None, common_share: float | None = None) -> np.ndarray:
        """Spec §7.1 init: private columns ∝ h_k (MRT), common ∝ sum_k h_k (SDMA: 0), each BS block
        scaled to full power. ``common_share``: fraction of the power on the common column
        (default 1/(K+1), i.e. unit-norm columns). Returns (N, I, K+1)."""
        r = self.grid_positions() if positions is None else np.asarray(positions, float)
        h = self.channel_rows(r).conj()                                    # (K, NI)
        cols = [h.sum(axis=0)] + list(h)
        Pst = np.stack([v / max(np.linalg.norm(v), 1e-300) for v in cols], axis=-1)
        if not self.rsma:
            Pst[:, 0] = 0.0
        elif common_share is not None:
            share = float(common_share)
            Pst[:, 0] *= math.sqrt(share * self.K / max(1.0 - share, 1e-300))
        P = Pst.reshape(self.N, self.I, self.K + 1)
        pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
        return P * np.sqrt(self.pmax / np.maximum(pw, 1e-300))[:, None, None]

    def initial_point(self, rng=None) -> dict:
        """Deterministic default start: grid-gain positions (FPA: 0), MRT precoders, LP split."""
        r = self.grid_positions()
        x = {"precoders": self.mrt_precoders(r), "positions": r}
        x["common"] = self.lp_split(x)
        return x

    def random_point(self, rng=None) -> dict:
        """Random start (docs/theory/comp_rsma.rst: Multistart reference): P ~ CN(0, 1) scaled per BS to full power (SDMA p_0 = 0),
        c = 0, positions uniform in the region (FPA: 0)."""
        rng = as_generator(rng)
        N, I, K = self.N, self.I, self.K
        P = (rng.standard_normal((N, I, K + 1)) + 1j * rng.standard_normal((N, I, K + 1))) / np.sqrt(2)
        if not self.rsma:
            P[:, :, 0] = 0.0
        pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
        P *= np.sqrt(self.pmax / pw)[:, None, None]
        lo, hi = self.bounds("positions")
        r = rng.uniform(lo, hi) if self.movable else np.zeros((K, 2))
        return {"precoders": P, "common": np.zeros(K), "positions": r}

    def warm_start(self, x) -> dict:
        """Adapt a solution of another scheme to this one: SDMA -> RSMA gets a small non-zero p_0
        along sum_k h_k (a zero common precoder is a stationary point), taking a share 1e-3 (else 1e-5, 1e-7) of each BS's power from
        the private columns, the largest share that keeps a feasible point feasible; RSMA -> SDMA
        drops p_0 and c; MA -> FPA sets r = 0. Then :meth:`polish`."""
        P, _, r = self._unpack(x)
        r = self.project("positions", r)
        base = self.polish({"precoders": P, "positions": r})
        if not self.rsma or np.sum(np.abs(base["precoders"][:, :, 0]) ** 2) >= 1e-12 * float(np.max(self.pmax)):
            return base
        P = base["precoders"]
        v = self.channel_rows(r).conj().sum(axis=0).reshape(self.N, self.I)
        v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-300)
        pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
        feasible = self.violation(base) <= 1e-6
        y = base
        for share in (1e-3, 1e-5, 1e-7):
            Q = P * math.sqrt(1.0 - share)
            Q[:, :, 0] = v * np.sqrt(share * np.maximum(pw, 1e-300))[:, None]
            y = self.polish({"precoders": Q, "positions": r})
            if not feasible or self.violation(y) <= 1e-6:
                return y
        return y

    # ---------------------------------------------------------------- AO hooks -------------
    def ao_initial_point(self, rng=None) -> dict:
        """AO start (docs/theory/comp_rsma.rst: AO driver): grid-gain positions and MRT precoders (``ao_init="mrt"``, and always
        for SDMA). RSMA with ``ao_init="sdma"``: the SDMA variant's AO solution plus a small common
        stream (:meth:`warm_start`); ``"best"`` (default): the better of that and the AO solution from
        the MRT start; ``"auto"``: "sdma" for MA, "best" for FPA. Reason (measured): from MRT the
        AO can settle where a weak user's QoS is carried by the common stream with its private
        stream off and end below SDMA, while from the SDMA solution it can miss a
        genuinely better common-stream mode (seen for RSMA-FPA, N = 1; for MA, 10 default draws gave
        the same values from "sdma" as from "best" at a third of the time). "best" and "sdma"
        guarantee RSMA >= SDMA for the AO."""
        x = self.initial_point(rng)
        mode = self.ao_init if self.ao_init != "auto" else ("sdma" if self.movable else "best")
        if not self.rsma or mode == "mrt":
            return x
        base = dataclasses.replace(self, ao_init="mrt", reduced=False)
        sdma = base.variant(f"SDMA-{'MA' if self.movable else 'FPA'}")
        cands = [x]
        sol = ao_solve(sdma, sdma.initial_point(rng), rng=rng)
        if sol.exitflag != -3:
            cands += [self.polish(sol.x), self.warm_start(sol.x)]
        if mode == "best":
            sol = ao_solve(base, x, rng=rng)
            if sol.exitflag != -3:
                cands.append(sol.x)
        feas = [c for c in cands if self.violation(c) <= 1e-6]
        pool = feas if feas else cands
        key = (lambda c: self.objective(c)) if feas else (lambda c: -self.violation(c))
        return max(pool[::-1], key=key)

    def ao_defaults(self) -> dict:
        return {"max_iter": 20, "tol": 1e-4}

    def ao_blocks(self, positions: str = "grid+pga", sca_options=None, position_options=None) -> list:
        """Default AO (docs/theory/comp_rsma.rst: AO driver): SCA precoders + split, then (MA only) the position block on the
        reduced problem followed by the LP split. ``positions``: "grid+pga" (default: a per-user
        coordinate grid search, then projected gradient ascent), "pga" (Position block) or "pso"."""
        blocks = [Block("precoders", sca_precoders,
                        sca_options if sca_options is not None else ScaPrecoderOptions())]
        if not self.movable:
            return blocks
        require_choice(_OWNER, "ao_blocks.positions", positions, {"grid+pga", "pga", "pso"})
        lam = float(self.wavelength)
        if positions == "pso":
            opts = position_options if position_options is not None else PsoOptions(
                block="positions", n_particles=40, iters=100, w=0.7, c1=1.5, c2=1.5)
            inner = pso_positions
        else:
            pga_opts = PgaOptions(block="positions", max_iter=20, max_move=0.1 * lam,
                                  min_step=1e-3 * lam, tol=1e-5)
            if positions == "pga":
                opts = position_options if position_options is not None else pga_opts
                inner = pga_solver
            else:
                opts = position_options if position_options is not None else (GridSearchOptions(n=15), pga_opts)
                inner = functools.partial(chain_blocks, solvers=(grid_search_positions, pga_solver))
        blocks.append(Block("positions", functools.partial(reduced_block, inner=inner), opts))
        return blocks

    def ao_finalize(self, sol: Solution) -> Solution:
        """Joint polish (``ao_polish="slsqp"``, default): one SLSQP run on the NLP form of the multistart reference
        from the AO solution, over (P, c, r) together, kept if feasible and better (the AO stops at
        a block-wise stationary point; measured: +0.3 % mean, up to +3 %, for about 0.04 s).
        Then adds per-user rates and the scheme to ``output``."""
        if self.ao_polish == "slsqp" and sol.exitflag != -2 and sol.x and "precoders" in sol.x:
            ref = multistart(self, sol.x, n_starts=0, options={"keep_x": False, "score_starts": False})
            sol.output["polish"] = {"fval": ref.fval, "exitflag": ref.exitflag, "elapsed": ref.elapsed,
                                    "accepted": False}
            if ref.exitflag == 1 and ref.violation <= 1e-6 and ref.fval > sol.fval:
                sol.x, sol.fval, sol.violation = ref.x, float(ref.fval), float(ref.violation)
                sol.history = list(sol.history) + [sol.fval]
                sol.output["polish"]["accepted"] = True
            sol.elapsed += ref.elapsed
        if sol.x and "precoders" in sol.x:
            ev = self.evaluate(sol.x)
            sol.output.update({"scheme": self.scheme, "Rc": ev["Rc"], "Rp": ev["Rp"],
                               "rates": ev["rates"]})
        if sol.exitflag == -2:
            sol.message = "QoS infeasible: " + sol.message
        return sol
