"""Starting points and AO hooks of :class:`~matoolbox.comp_rsma.CompRsmaProblem` (a mixin): MRT,
random and warm starts, the AO start candidates, the default blocks (closed-form FP precoders
under the coherent model, SCA otherwise; then grid + PGA positions on the reduced problem) and the
final polish."""
from __future__ import annotations

import functools
import math

import numpy as np

from ..core.problem import Block
from ..core.rng import as_generator
from ..core.solution import Solution
from ..channels import field_response as fr
from ..core.validate import require_choice
from ..optim.blocks import GridSearchOptions, chain_blocks, grid_search_positions, reduced_block
from ..optim.ao import ao_solve
from ..optim.multistart import multistart
from ..optim.pga import PgaOptions, pga as pga_solver
from ..optim.pso import PsoOptions, pso_positions
from ..optim.mmse_positions import mmse_position_search
from .fp_precoders import FpPrecoderOptions, fp_precoders
from .sca import ScaPrecoderOptions, sca_precoders

_OWNER = "CompRsmaProblem"
_POLISH_MAX_VARS = 200
_START_STEP = FpPrecoderOptions(max_iter=3, qos_retries=0, fallback="none")   # the cheap step that ranks starts
_START_FINISH = 3                     # the best starts after it get a full FP block; the best of those wins
_START_FULL = FpPrecoderOptions(max_iter=30, fallback="none", qos_step="multipliers")   # that block
_AO_PATIENCE = 3                      # FP iterations without gain that end the AO's precoder block
_LOOKAHEAD = 2                        # AO iterations that screen the starts (ao_initial_point)
_POSITION_DRAWS = 6                   # random position sets screened besides the grid-gain start
_PROXY_DRAWS = 12                     # uniform draws refined by proxy_positions; the best 6 are screened
_SCA_DRAWS = 3                        # ... the best 3 where the precoder block is SCA
_PROXY_GRID = 41                      # grid points per axis of the MMSE-proxy search (proxy_positions)
_PROXY_SWEEPS = 3                     # its passes over the users
_CHEAP_CANDIDATES = ("mrt", "sdma")   # the start candidates tried at those positions
_POLISH_ALT = "zf"                    # the start candidate the final polish also runs from (RSMA-FPA)
_POLISH_ALT_SHARE = 0.05              # ... when the AO's common stream has less of the power


class CompRsmaAoMixin:
    """Starting points and AO hooks: ``mrt_precoders``, ``initial_point``, ``random_point``,
    ``warm_start``, ``start_candidates``, ``ao_initial_point``, ``ao_defaults``, ``ao_blocks``,
    ``ao_finalize``."""

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
    def start_candidates(self, positions=None) -> dict:
        """Precoder starts for the AO (docs/theory/comp_rsma.rst: AO start candidates), each
        (N, I, K+1) at full per-BS power, keyed by name: "mrt" (:meth:`mrt_precoders`), "zf"
        (regularised ZF privates, common = principal eigenvector of sum_k h_k h_k^H with 20 % of
        the power), "sdma" (RZF privates, common share 1e-3), "common" (MRT privates, common share
        1/2) and, RSMA only, "drop{k}" for each user k: RZF over the other users, user k's private
        column off, common stream (principal eigenvector, 30 %) carrying user k."""
        r = self.grid_positions() if positions is None else np.asarray(positions, float)
        hH = self.channel_rows(r)                                          # (K, NI)
        K, NI = self.K, hH.shape[1]
        G = hH @ hH.conj().T
        reg = K / max(float(np.real(np.trace(G))) / K, 1e-300)             # RZF: K / mean gain

        def rzf(users):
            W = np.zeros((NI, K), complex)
            Hs = hH[users]
            W[:, users] = Hs.conj().T @ np.linalg.inv(Hs @ Hs.conj().T + reg * np.eye(len(users)))
            return W / np.maximum(np.linalg.norm(W, axis=0, keepdims=True), 1e-300)

        ev = np.linalg.eigh(hH.conj().T @ hH)[1][:, -1]

        def build(priv, common, share):
            Pst = np.concatenate([common[:, None] / max(np.linalg.norm(common), 1e-300), priv], axis=1)
            pw_priv = np.maximum(np.sum(np.abs(priv) ** 2), 1e-300)
            Pst[:, 0] *= math.sqrt(share / max(1.0 - share, 1e-300) * pw_priv) if self.rsma else 0.0
            P = Pst.reshape(self.N, self.I, K + 1)
            pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
            return P * np.sqrt(self.pmax / np.maximum(pw, 1e-300))[:, None, None]

        allu = list(range(K))
        mrt = hH.conj().T / np.maximum(np.linalg.norm(hH, axis=1), 1e-300)
        out = {"mrt": self.mrt_precoders(r), "zf": build(rzf(allu), ev, 0.2),
               "sdma": build(rzf(allu), ev, 1e-3)}
        if self.rsma:
            out["common"] = build(mrt, ev, 0.5)
            if K > 1:
                for k in allu:
                    out[f"drop{k}"] = build(rzf([j for j in allu if j != k]), ev, 0.3)
        return out

    def ao_starts(self, rng=None, max_iter=None, tol=None) -> list:
        """Default extra AO start candidates (:func:`~matoolbox.optim.ao_solve` ``starts``): under RSMA
        with ``ao_init`` "auto"/"best", the AO solution of the SDMA twin (same movability), so that
        RSMA >= SDMA on every instance and RSMA is feasible wherever the SDMA AO is (SDMA is RSMA
        with the common stream off; where it beats the RSMA AO from its own start, the AO is run
        again from it with a small common stream, :meth:`warm_start`). Costs one SDMA AO run; pass
        ``starts=[sdma_solution]`` to reuse one already computed. Other schemes: none."""
        if not self.rsma or self.ao_init not in ("auto", "best"):
            return []
        twin = self.variant("SDMA-MA" if self.movable else "SDMA-FPA")
        sol = ao_solve(twin, rng=rng, max_iter=max_iter, tol=tol)
        return [sol.x] if sol.x and "precoders" in sol.x else []

    def explore_twin(self) -> str | None:
        """The scheme whose AO solution :meth:`ao_explore` uses ("RSMA-FPA" / "SDMA-FPA"), or None
        where the default AO does not explore (see there)."""
        n_vars = self._nlp_vars()
        if (not self.movable or self.ao_init not in ("auto", "best") or n_vars > _POLISH_MAX_VARS
                or self._auto_precoders() != "sca"):
            return None
        return ("RSMA" if self.rsma else "SDMA") + "-FPA"

    def ao_explore(self, rng=None, max_iter=None, tol=None) -> list:
        """Default explore starts (:func:`~matoolbox.optim.ao_solve` ``explore``): for an MA scheme
        whose default precoder block is SCA (interference model not coherent, or N I < K), with
        ``ao_init`` "auto"/"best" and at most 200 NLP variables 2NI(K+1) + 3K, the AO
        solution of its FPA twin (same access, no extra starts) when it is feasible; the AO then also runs from it
        (positions r = 0) to the end and the better result is returned. Measured on the instance
        library: overloaded I = 1 RSMA-MA 0.827 -> 0.982 of best-known, noncoherent RSMA-MA
        0.951 -> 0.983 (the AO from its own start stops in a worse basin); with the FP block it
        changed no library value or K = 4 draw measured and cost 1.5-3.5x the time, so it is off
        there. Costs one FPA AO run and one more MA run; pass ``explore=[fpa_solution]`` to reuse
        one already computed, or ``explore=[]`` to skip. Other schemes, larger problems: none."""
        name = self.explore_twin()
        if name is None:
            return []
        twin = self.variant(name)
        sol = ao_solve(twin, rng=rng, max_iter=max_iter, tol=tol, starts=[])    # its own start only
        return [sol.x] if sol.exitflag != -2 and sol.x and "precoders" in sol.x else []

    def ao_initial_from_starts(self, starts, rng=None):
        """RSMA above 200 NLP variables 2NI(K+1) + 3K: the AO starts from the best feasible extra
        start (the SDMA twin's solution, :meth:`ao_starts`) with a small common stream
        (:meth:`warm_start`) instead of :meth:`ao_initial_point`. Measured at K = 16, I = 8, seeds
        1-5: the RSMA AO from its own start ended with the common stream off on every seed, at or
        below the SDMA twin (30.081 vs 30.082 ... 29.973 vs 30.253), in as much time as the twin
        (2.2-4.2 s); from the twin's solution it adds 0.002 in 1 iteration. Smaller problems, or
        no feasible start: None (the own start; at K = 4 the RSMA start candidates matter)."""
        n_vars = self._nlp_vars()
        if not self.rsma or n_vars <= _POLISH_MAX_VARS or self.ao_init not in ("auto", "best"):
            return None
        ok = [x for x in starts if "precoders" in x and self.violation(x) <= 1e-6]
        return self.warm_start(max(ok, key=self.objective)) if ok else None

    def grid_positions(self, n: int = 41) -> np.ndarray:
        """Default position init (docs/theory/comp_rsma.rst: AO driver): per user, the point of an n x n grid on the region
        maximising sum_n ||h_{n,k}(r)||^2. FPA: zeros. Returns (K, 2)."""
        if not self.movable:
            return np.zeros((self.K, 2))
        key = f"_grid_{n}"
        cached = self.__dict__.get(key)
        if cached is None:
            grid, rows = self.grid_rows(n)
            gain = np.sum(np.abs(rows) ** 2, axis=-1)                              # (n*n, K)
            cached = grid[np.argmax(gain, axis=0)]
            object.__setattr__(self, key, cached)
        return np.array(cached, copy=True)

    def grid_rows(self, n: int = 41):
        """(grid (n*n, 2), rows (n*n, K, NI)): every user's channel row h_k^H(r) at every point of
        the region's n x n grid (row k with r_k = grid[g]). Computed once per instance (shared
        by its scheme variants, not pickled); read-only."""
        key = f"_grid_rows_{int(n)}"
        cached = self.__dict__.get(key)
        if cached is None:
            grid = fr.region_grid(float(self.region), int(n))                     # (n*n, 2)
            pos = np.ascontiguousarray(np.broadcast_to(grid[:, None, :], (grid.shape[0], self.K, 2)))
            rows = self.channel_rows(pos)
            grid.setflags(write=False)
            rows.setflags(write=False)
            cached = (grid, rows)
            object.__setattr__(self, key, cached)
        return cached

    def ao_initial_point(self, rng=None) -> dict:
        """AO start (docs/theory/comp_rsma.rst: AO start candidates): the start at the grid-gain
        positions (``_start_at``); MA schemes with ``ao_init`` "auto"/"best" also build the start
        at those positions refined by the MMSE-proxy search (:meth:`proxy_positions`) and keep
        the better by ``_start_key`` (measured: K = 16 library pair 0.992 -> 1.032 of the
        stop-30 best-known values, noncoherent SDMA-MA 0.941 -> 0.962, overloaded SDMA-MA 0.998
        -> 1.030). MA schemes with at most 200 NLP variables 2NI(K+1) + 3K also draw
        ``_PROXY_DRAWS`` uniform position sets from ``rng`` (so ``ao_solve(..., rng=s)``
        explores), refine each by the proxy search and keep the distinct ones with the best proxy
        scores: ``_POSITION_DRAWS`` (6) under the FP precoder block (coherent model, N I >= K),
        each with the better of the "mrt" and "sdma" candidates after the cheap precoder step,
        screened by the FP block without its SCA fallback; ``_SCA_DRAWS`` (3) under the SCA block,
        each with every start candidate, screened by the default blocks. Every start, the grid one
        included, gets ``_LOOKAHEAD`` AO iterations and the best point after them (feasible
        first, by V) is the start (its cost is in ``elapsed``; the iterations are not counted in
        ``nit``). Measured on the instance library at rng 0 (stop-33 records): minimum ratio
        0.837 -> 0.991, every feasible instance >= 0.99 (before: 0.28), mean time 2.86 -> 2.49 s;
        unrefined random draws reached 0.84-0.92 on the coherent I = 2, R_th = 1.4, 29 dBm
        instances. The SCA draws cost 1.7-2.1x the time on the SCA-block library instances
        (noncoherent seed 2 0.962 -> 0.996; 8 noncoherent K = 4 draws: mean ratio to the best of
        four variants 0.982 -> 0.996, 1.6x the time). Not under the paper's interference model
        (``interference="paper"``): there proxy start and draws gave +0.3 % mean on 8 draws at
        2.4x the AO's time, and the proxy start alone lost 1.7 % on one; its start is the grid
        one, as before."""
        grid = self.grid_positions()
        best = self._start_at(grid)
        # the paper's interference model: the proxy start and the draws cost 2.4x its AO time for
        # +0.3 % mean on 8 draws, and the proxy start alone lost 1.7 % on one (measured): off
        if not (self.movable and self.ao_init in ("auto", "best")
                and getattr(self, "interference", "coherent") != "paper"):
            return best
        refined = self.proxy_positions(grid)
        if not np.array_equal(refined, grid):
            best = max([best, self._start_at(refined)], key=self._start_key)
        if self._nlp_vars() > _POLISH_MAX_VARS:
            return best
        fp = self._auto_precoders() == "fp"
        rng = as_generator(rng)
        lo, hi = self.bounds()
        # _PROXY_DRAWS uniform layouts, each refined by the MMSE-proxy search; the distinct ones
        # (also from the grid and refined-grid layouts, already started from) with the best proxy
        # scores (stable sort: ties keep the draw order) are screened
        scored = [self.proxy_positions(rng.uniform(lo, hi), score=True) for _ in range(_PROXY_DRAWS)]
        draws, known = [], [grid, refined]
        for i in sorted(range(len(scored)), key=lambda i: -scored[i][1]):
            if not any(np.array_equal(scored[i][0], r) for r in known):
                draws.append(scored[i][0])
                known.append(scored[i][0])
        if fp:
            starts = [best] + [self._start_at(r, cheap=True) for r in draws[:_POSITION_DRAWS]]
            # screening blocks: no SCA fallback in the FP block (random-position starts are often QoS
            # infeasible; the CVXPY fallback made the demo 4x slower)
            blocks = self.ao_blocks(fp_options=FpPrecoderOptions(patience=_AO_PATIENCE, fallback="none"))
        else:
            starts = [best] + [self._start_at(r) for r in draws[:_SCA_DRAWS]]
            blocks = self.ao_blocks()
        return max((self._look_ahead(x, blocks) for x in starts), key=self._start_key)

    def proxy_positions(self, r0, score: bool = False):
        """Positions (K, 2) from r0 (K, 2) by
        :func:`~matoolbox.optim.mmse_positions.mmse_position_search`: per-user moves on a 41 x 41
        grid of the region that raise the equal-power linear-MMSE sum rate of the stacked rows
        h_k^H(r_k) at total SNR sum_n P_M^n (layouts whose proxy rates all reach R_th first), up
        to 3 sweeps. A precoder-free guess of good positions (docs/theory/comp_rsma.rst: AO start
        candidates). Every user's row at every grid point is computed once per instance and
        shared by its searches. With ``score``: (positions, proxy score)."""
        grid, rows = self.grid_rows(_PROXY_GRID)       # computed once per instance
        r, value = mmse_position_search(self.channel_rows, grid, r0, float(np.sum(self.pmax)),
                                        float(self.rth), sweeps=_PROXY_SWEEPS, grid_rows=rows)
        return (r, value) if score else r

    def _start_key(self, x):
        """Ranking of starts: (1, V) if QoS feasible (reduced problem), else (0, -violation)."""
        red = self.as_reduced()
        v = float(red.violation(x))
        return (1, float(red.objective(x))) if v <= 1e-6 else (0, -v)

    def _start_at(self, r, cheap=False) -> dict:
        """Start at positions r: the best of :meth:`start_candidates` after a cheap precoder step
        (3 FP iterations without QoS retries under the coherent model; other models: scored as
        they are), ranked by ``_start_key``; unless ``cheap``, the best three then get an FP
        block of at most 30 iterations with the multiplier QoS rule (positions fixed) and the best
        result is the start. RSMA-MA (not ``cheap``): if that start leaves a user's QoS to the
        common stream, two AO iterations of the default blocks are run from it and from a start
        whose private rates meet every QoS (the "sdma" candidate if it does after its FP block,
        else the first of three others that does), and the better point after them is the start.
        ``ao_init="mrt"``: the MRT start only; ``"sdma"``: the "sdma" candidate only;
        "auto"/"best": all candidates. No other solver runs."""
        cands = self.start_candidates(r)
        if cheap:
            cands = {k: cands[k] for k in _CHEAP_CANDIDATES}
        if self.ao_init == "mrt":
            cands = {"mrt": cands["mrt"]}
        elif self.ao_init == "sdma":
            cands = {"sdma": cands["sdma"]}
        coherent = getattr(self, "interference", "coherent") == "coherent"
        key = self._start_key
        scored = []
        for name, P in cands.items():
            x = self.polish({"precoders": P, "positions": r})
            if coherent and len(cands) > 1:
                x = fp_precoders(self, x, options=_START_STEP).x
            scored.append((key(x), name, x))
        scored.sort(key=lambda t: t[0], reverse=True)
        short = scored
        if cheap:
            return scored[0][2]

        def finish(x):
            return fp_precoders(self, x, options=_START_FULL).x if coherent else x

        if coherent and len(scored) > 1:          # finish the best few with the FP block
            scored = [(key(y), name, y) for _, name, x in scored[:_START_FINISH] for y in [finish(x)]]
        scored.sort(key=lambda t: t[0], reverse=True)
        best = scored[0][2]
        if not (self.rsma and self.movable and len(cands) > 1 and scored[0][0][0] and self._carries(best)):
            return best
        # the best start leaves some user's QoS to the common stream: such starts can win at the grid
        # positions and then trap the AO (measured: 10.43 against 12.67 for the AO from the
        # SDMA-like start, fig3 draw 17). Look ahead _LOOKAHEAD AO iterations from it and from a
        # start whose private rates meet every QoS (the "sdma" candidate, else the best of the
        # first three others, after the FP block); keep the better.
        alt = None
        for _, _, x in [t for t in short if t[1] == "sdma"] + [t for t in short if t[1] != "sdma"][:3]:
            y = finish(x)
            if key(y)[0] and not self._carries(y):
                alt = y
                break
        if alt is None:
            return best
        ahead = [self._look_ahead(x) for x in (best, alt)]
        return max(ahead, key=key)

    def _carries(self, x) -> bool:
        """True if some user's private rate is below R_th (its QoS relies on the common stream)."""
        _, Rp = self.rates(x)
        return bool(np.any(Rp < self.rth - 1e-6))

    def _look_ahead(self, x, blocks=None) -> dict:
        """``_LOOKAHEAD`` iterations of ``blocks`` (default: the AO's) from x (a failed block keeps x)."""
        blocks = self.ao_blocks() if blocks is None else blocks
        for _ in range(_LOOKAHEAD):
            for blk in blocks:
                try:
                    sol = blk.solver(self, x, options=blk.options, rng=None)
                except Exception:  # noqa: BLE001 - the look-ahead is advisory; the AO reports failures
                    continue
                if sol.exitflag != -3 and sol.x and all(np.all(np.isfinite(v)) for v in sol.x.values()):
                    x = sol.x
        return x

    def ao_defaults(self) -> dict:
        return {"max_iter": 100, "tol": 1e-4}

    def _nlp_vars(self) -> int:
        """Real variables of the NLP form (P, c, r): 2NI(K+1) + 3K; above _POLISH_MAX_VARS the
        joint polish and the FPA explore are skipped and large RSMA starts from its SDMA twin."""
        return 2 * self.N * self.I * (self.K + 1) + 3 * self.K

    def _auto_precoders(self) -> str:
        """The default precoder block: "fp" under the coherent model when N I >= K, else "sca"."""
        coherent = getattr(self, "interference", "coherent") == "coherent"
        return "fp" if (coherent and self.N * self.I >= self.K) else "sca"

    def ao_blocks(self, positions: str = "grid+pga", sca_options=None, position_options=None,
                  precoders: str = "auto", fp_options=None) -> list:
        """Default AO (docs/theory/comp_rsma.rst: AO driver): precoder block + split, then (MA only) the
        position block on the reduced problem followed by the LP split. ``precoders``: "auto"
        (default: "fp" under the coherent interference model when N I >= K, "sca" otherwise; measured
        at N I < K, N = 2, I = 1, K = 4: AO-FP 5.74 against AO-SCA 6.11 mean over 3 draws with the
        multiplier QoS rule; with the constrained step both end equal on 4 draws), "fp" (closed-form
        WMMSE block :func:`~matoolbox.comp_rsma.fp_precoders.fp_precoders`, no CVXPY) or "sca"
        (CVXPY SCA block). ``positions``: "grid+pga" (default: a per-user coordinate grid search,
        then projected gradient ascent), "pga" (Position block) or "pso"."""
        require_choice(_OWNER, "ao_blocks.precoders", precoders, {"auto", "fp", "sca"})
        if precoders == "auto":
            precoders = self._auto_precoders()
        if precoders == "fp":
            blocks = [Block("precoders", fp_precoders,
                            fp_options if fp_options is not None else FpPrecoderOptions(sca_options=sca_options,
                                                                                       patience=_AO_PATIENCE))]
        else:
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

    @staticmethod
    def _common_share(x) -> float:
        """Share of the total transmit power on the common stream p_0."""
        P = np.asarray(x["precoders"])
        return float(np.sum(np.abs(P[:, :, 0]) ** 2)) / max(float(np.sum(np.abs(P) ** 2)), 1e-300)

    def ao_finalize(self, sol: Solution) -> Solution:
        """Joint polish (``ao_polish="slsqp"``, default): SLSQP on the NLP form of the multistart reference
        over (P, c, r) together, from the AO solution and (RSMA-FPA whose common stream has less
        than 5 % of the power) from the "zf" start candidate at its positions, each kept if
        feasible and better (the AO stops at a block-wise stationary point;
        measured: +0.3 % mean, up to +3 %, for about 0.04 s; the second start lifted the worst of
        40 single-BS channels from 0.948 to 1.000 of a 50-start multistart). ``output["polish"]``:
        the best polish value, its exitflag, time, whether it was accepted and ``"from"`` ("ao" or
        "zf"). Skipped
        (recorded in ``output["polish"]``) above 200 NLP variables 2NI(K+1) + 3K: SLSQP's dense
        QP costs grow as the cube (measured 4-4.5 s at K = 16, I = 8, N = 2, i.e. 592 variables).
        Then adds per-user rates and the scheme to ``output``."""
        n_vars = self._nlp_vars()
        if self.ao_polish == "slsqp" and n_vars > _POLISH_MAX_VARS:
            sol.output["polish"] = {"skipped": f"{n_vars} NLP variables > {_POLISH_MAX_VARS}", "accepted": False,
                                    "from": None}
        elif self.ao_polish == "slsqp" and sol.exitflag != -2 and sol.x and "precoders" in sol.x:
            # from the AO's point, then (RSMA-FPA, common stream below _POLISH_ALT_SHARE of the power)
            # from the "zf" start candidate at its positions (a strong common stream, regularised-ZF
            # privates): the AO's FP block can end where the common stream is nearly off, a point
            # the first polish cannot leave (single-BS, 20 dB, seed 18: 14.007 from it, 14.773 =
            # the 50-start multistart's value from "zf")
            origins = [("ao", sol.x)]
            if self.rsma and not self.movable and self._common_share(sol.x) < _POLISH_ALT_SHARE:
                origins.append((_POLISH_ALT, self.polish({
                    "precoders": self.start_candidates(sol.x["positions"])[_POLISH_ALT],
                    "positions": sol.x["positions"]})))
            sol.output["polish"] = {"fval": -math.inf, "exitflag": None, "elapsed": 0.0, "accepted": False,
                                    "from": None}
            for origin, x in origins:
                ref = multistart(self, x, n_starts=0, options={"keep_x": False, "score_starts": False})
                sol.elapsed += ref.elapsed
                rec = sol.output["polish"]
                rec["elapsed"] += ref.elapsed
                if rec["exitflag"] != 1 or (ref.exitflag == 1 and ref.fval > rec["fval"]):
                    rec.update(fval=ref.fval, exitflag=ref.exitflag)
                if ref.exitflag == 1 and ref.violation <= 1e-6 and ref.fval > sol.fval:
                    sol.x, sol.fval, sol.violation = ref.x, float(ref.fval), float(ref.violation)
                    sol.history = list(sol.history) + [sol.fval]
                    rec.update(accepted=True, **{"from": origin})
        if sol.x and "precoders" in sol.x:
            ev = self.evaluate(sol.x)
            sol.output.update({"scheme": self.scheme, "Rc": ev["Rc"], "Rp": ev["Rp"],
                               "rates": ev["rates"]})
        if sol.exitflag == -2:
            sol.message = "QoS infeasible: " + sol.message
        return sol
