"""Fig. 2(b) of Fu-Zhu-Zhang (XL-MA): weighted sum rate vs length L of the MA segment.

Scenario A (full LoS, N = 8 ULA subarrays, 1 m candidate cells, specs/xlma.md §10.2). Curves
(closed form of Theorem 1, deterministic): proposed (LP + successive replacement), LP
initialization alone, horizontal sparse array (spread end to end, hence overly sparse at large L),
dense 64-element ULA, and the exhaustive-search optimum where C(L, 8) is small enough (NaN
elsewhere). With ``R > 0`` the proposed placement is also evaluated by Monte Carlo (MRC / MMSE).

    python examples/xlma/fig2_region_length.py --quick
"""
from __future__ import annotations

import math
from pathlib import Path

import matoolbox as ma
from matoolbox.problems import XlmaPlacementProblem
from matoolbox.solvers import ExhaustiveOptions, exhaustive_placement, lp_init
from matoolbox.sweep import plot_sweep, run_example, run_sweep

KEYS = ["proposed", "lp_init", "optimal", "horizontal_sparse", "dense_ula"]


def trial(params, rng):
    """Design at one L; optional MC of the proposed placement with R realizations."""
    L = int(params["L"])
    prob = XlmaPlacementProblem.default(L=L)
    sol = ma.ao_solve(prob)
    lay = prob.fpa_layouts()
    out = {"proposed": sol.fval, "lp_init": lp_init(prob).fval,
           "horizontal_sparse": prob.layout_rate(lay["horizontal_sparse"]),
           "dense_ula": prob.layout_rate(lay["dense_ula"]), "optimal": math.nan,
           "exitflag": sol.exitflag if sol.exitflag < 0 else 1}
    if math.comb(prob.N0, prob.N) <= int(params["max_combinations"]):
        out["optimal"] = exhaustive_placement(
            prob, options=ExhaustiveOptions(max_combinations=int(params["max_combinations"]))).fval
    if int(params["R"]) > 0:
        mc = prob.simulate(sol.x["selection"], int(params["R"]), rng)
        out["proposed_mrc"], out["proposed_mmse"] = mc["mrc"], mc["mmse"]
    return out


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None):
    """Sweep L; writes fig2_region_length.png / .csv into ``out``; returns the SweepResult."""
    Ls = [21, 41, 61, 81, 101, 121] if quick else [21, 31, 41, 61, 81, 101, 121]
    grid = {"L": Ls, "R": [0 if quick else 300], "max_combinations": [300_000 if quick else 10_000_000]}
    res = run_sweep(trial, grid, trials if trials is not None else 1, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res.to_csv(out / "fig2_region_length.csv")
    res.to_csv(out / "fig2_region_length_mean.csv", aggregate=True)
    keys = KEYS + ([] if quick else ["proposed_mrc", "proposed_mmse"])
    plot_sweep(res, x="L", keys=keys, path=out / "fig2_region_length.png", xlabel="MA segment length L (m)",
               ylabel="weighted sum rate (bit/s/Hz)", title="XL-MA Fig. 2(b): rate vs region length (N = 8)")
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result.summary(keys=KEYS))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}; wrote {a.out}/fig2_region_length.png")
