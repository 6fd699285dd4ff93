"""Fig. 7 of Fu-Zhu-Zhang (XL-MA): 2-D MA region, 3-D users, three hotspot distributions.

Scenario C (60 x 30 m MA region, 2 m cells, N0 = 450; 4 x 4 UPA subarrays; 12 x 3 x 12 user
cells; obstacles; specs/xlma.md §10.4). For hotspot types 1 (along x), 2 (along z), 3 (x–z
plane): the proposed placement (LP + successive replacement) against the FPA baselines (sparse
4 x 2, horizontal sparse, vertical sparse, dense 128 x 1 ULA, dense 16 x 8 UPA), closed form of
Theorem 1; with R > 0 also MC MRC / MMSE of the proposed placement (a trial is one MC batch).

    python examples/xlma/fig7_user_distributions.py --quick
"""
from __future__ import annotations

import matoolbox as ma
from matoolbox.problems import XlmaPlacementProblem
from matoolbox.plots import save_xlma_maps
from matoolbox.sweep import run_example, run_sweep, save_sweep

FPA = ("sparse", "horizontal_sparse", "vertical_sparse", "dense_ula", "dense_upa")
KEYS = ["proposed", *FPA]


_CACHE = {}  # per-process design cache (a plain dict so that trials pickle for workers)


def _design(kind):
    key = (kind,)
    if key not in _CACHE:
        prob = XlmaPlacementProblem.user_distribution(kind)
        sol = ma.ao_solve(prob)
        layouts = prob.fpa_layouts()
        rates = {name: prob.layout_rate(layouts[name]) for name in FPA}
        _CACHE[key] = prob, sol, rates
    return _CACHE[key]


def trial(params, rng):
    """Closed form of every layout for one hotspot type; MC of the proposed one if R > 0."""
    prob, sol, rates = _design(int(params["type"]))
    out = {"proposed": sol.fval, **rates, "exitflag": sol.exitflag if sol.exitflag < 0 else 1}
    if int(params["R"]) > 0:
        mc = prob.simulate(sol.x["selection"], int(params["R"]), rng)
        out["proposed_mrc"], out["proposed_mmse"] = mc["mrc"], mc["mmse"]
    return out


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None):
    """Sweep the hotspot type; writes fig7_user_distributions.png / .csv and the maps of the
    proposed placement (x–z plane) into ``out``; returns the SweepResult."""
    grid = {"type": [1, 2, 3], "R": [0 if quick else 200]}
    res = run_sweep(trial, grid, trials if trials is not None else 1, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "fig7_user_distributions", x="type", keys=KEYS, xlabel="hotspot type",
               ylabel="weighted sum rate (bit/s/Hz)", title="XL-MA Fig. 7: user distributions (N0 = 450)")
    if not quick:
        for kind in (1, 2, 3):
            prob, sol, _ = _design(kind)
            save_xlma_maps(prob, sol.x["selection"], out, f"fig7_type{kind}", resolution=100)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result.summary(keys=KEYS))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}; "
          f"wrote {a.out}/fig7_user_distributions.png")
