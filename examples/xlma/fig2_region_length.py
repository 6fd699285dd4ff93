"""Fig. 2(b) of Fu-Zhu-Zhang (XL-MA): weighted sum rate vs length L of the MA segment.

Scenario A (full LoS, N = 8 ULA subarrays, 1 m candidate cells; settings on the XL-MA theory
page). Curves by the closed form of Theorem 1 ("Analytical"): proposed (LP + successive
replacement), LP initialization alone, horizontal sparse array (spread end to end, hence overly
sparse at large L), dense 64-element ULA, and the exhaustive-search optimum where C(L, 8) is
small enough (only there, as in the paper). With ``R > 0`` the proposed placement and the two FPA
layouts are also evaluated by Monte Carlo with MRC ("Simul."). The run times of Algorithm 1 and
of the exhaustive search are recorded (``time_proposed``, ``time_optimal``, seconds).

    python examples/xlma/fig2_region_length.py --quick
"""
from __future__ import annotations

import functools
import math
import sys
import time
from pathlib import Path

import numpy as np

import matoolbox as ma
from matoolbox.problems import XlmaPlacementProblem
from matoolbox.solvers import ExhaustiveOptions, exhaustive_placement, lp_init
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _xlma_common as C  # noqa: E402

KEYS = ["proposed", "lp_init", "optimal", "horizontal_sparse", "dense_ula"]
MC_KEYS = ["proposed_mrc", "horizontal_sparse_mrc", "dense_ula_mrc"]
LABELS = {**C.labels(KEYS), **{k: C.label(k) for k in MC_KEYS},
          **{k: C.label(k) + " (Analytical)" for k in KEYS}}
L_VALUES = [21, 41, 61, 81, 101, 121]


@functools.lru_cache(maxsize=None)
def _design(L, max_combinations):
    """Deterministic part of a trial at one L (cached per process, so repeated trials only redo
    the Monte Carlo): Algorithm 1, LP initialization, FPA layouts, exhaustive optimum if small
    enough, and the run times (measured after a warm-up of the LP solver and the subset kernel)."""
    prob = XlmaPlacementProblem.default(L=L)
    lp = lp_init(prob)                                    # warm-up + the "LP initialization" curve
    prob.rates_batch(np.arange(prob.N)[None])             # compiles the subset-rate kernel once
    t0 = time.perf_counter()
    sol = ma.ao_solve(prob)
    t_prop = time.perf_counter() - t0
    lay = prob.fpa_layouts()
    out = {"proposed": sol.fval, "lp_init": lp.fval,
           "horizontal_sparse": prob.layout_rate(lay["horizontal_sparse"]),
           "dense_ula": prob.layout_rate(lay["dense_ula"]), "optimal": math.nan,
           "time_proposed": t_prop, "time_optimal": math.nan,
           "exitflag": sol.exitflag if sol.exitflag < 0 else 1}
    if math.comb(prob.N0, prob.N) <= max_combinations:
        t0 = time.perf_counter()
        out["optimal"] = exhaustive_placement(prob, options=ExhaustiveOptions(max_combinations=max_combinations)).fval
        out["time_optimal"] = time.perf_counter() - t0
    layouts = {"proposed": prob.layout(sol.x["selection"], "proposed"), **lay}
    return prob, layouts, out


def trial(params, rng):
    """Design at one L (cached); MC (MRC) of the proposed and FPA layouts with R realizations if R > 0."""
    prob, layouts, det = _design(int(params["L"]), int(params["max_combinations"]))
    out = dict(det)
    if int(params["R"]) > 0:
        for name in ("proposed", "horizontal_sparse", "dense_ula"):
            mc = prob.simulate(layouts[name], int(params["R"]), rng, receivers=("mrc",))
            out[f"{name}_mrc"], out[f"{name}_mrc_se"] = mc["mrc"], mc["mrc_stderr"]
    return out


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None, grid=None):
    """Sweep L (``grid`` overrides the values); writes fig2_region_length.png / .csv into ``out``;
    returns the SweepResult."""
    g = {"L": L_VALUES if quick else [21, 31, 41, 61, 81, 101, 121], "R": [60 if quick else 300],
         "max_combinations": [300_000 if quick else 10_000_000], **(grid or {})}
    res = run_sweep(trial, g, trials if trials is not None else 1, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    keys = KEYS + (MC_KEYS if any(int(r) > 0 for r in C.grid_rows(g["R"])) else [])
    save_sweep(res, out, "fig2_region_length", x="L", keys=keys, labels=LABELS, xlabel="MA segment length L (m)",
               ylabel="expected weighted sum rate (bit/s/Hz)",
               title="XL-MA Fig. 2(b): rate vs length of the moving region (N = 8)",
               missing_label="optimum not computed (C(N0, 8) too large)")
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result.summary(keys=KEYS))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}; wrote {a.out}/fig2_region_length.png")
