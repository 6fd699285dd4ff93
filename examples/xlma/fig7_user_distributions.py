"""Fig. 7 of Fu-Zhu-Zhang (XL-MA): 2-D MA region, 3-D users, three hotspot distributions.

Scenario C (60 x 30 m MA region, 2 m cells, N0 = 450; 4 x 4 UPA subarrays; 12 x 3 x 12 user
cells; obstacles; settings on the XL-MA theory page). For hotspot types 1 (along x), 2 (along z),
3 (x–z plane): the proposed placement (LP + successive replacement) against the FPA baselines
(sparse 4 x 2, horizontal sparse, vertical sparse, dense 128 x 1 ULA, dense 16 x 8 UPA), by the
closed form of Theorem 1 ("Analytical") and by Monte Carlo with MRC ("Simul."; a trial is one MC
batch of R realizations per layout).

    python examples/xlma/fig7_user_distributions.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

import matoolbox as ma
from matoolbox.problems import XlmaPlacementProblem
from matoolbox.plots import save_xlma_maps
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _xlma_common as C  # noqa: E402

FPA = ("sparse", "horizontal_sparse", "vertical_sparse", "dense_ula", "dense_upa")
SCHEMES = ("proposed", *FPA)
KEYS = [f"{s}_approx" for s in SCHEMES] + [f"{s}_mrc" for s in SCHEMES]
LABELS = C.labels(KEYS)
_CACHE = {}  # per-process design cache (a plain dict so that trials pickle for workers)


def _design(kind):
    key = (kind,)
    if key not in _CACHE:
        prob = XlmaPlacementProblem.user_distribution(kind)
        sol = ma.ao_solve(prob)
        layouts = {"proposed": prob.layout(sol.x["selection"], "proposed"), **prob.fpa_layouts()}
        _CACHE[key] = prob, sol, layouts
    return _CACHE[key]


def trial(params, rng):
    """Closed form and MC MRC (R realizations) of every layout for one hotspot type."""
    prob, sol, layouts = _design(int(params["type"]))
    out = {"exitflag": sol.exitflag if sol.exitflag < 0 else 1}
    for name in SCHEMES:
        ev = prob.evaluate_layout(layouts[name], R=int(params["R"]), rng=rng, receivers=("mrc",))
        out[f"{name}_approx"], out[f"{name}_mrc"], out[f"{name}_mrc_se"] = ev["approx"], ev["mrc"], ev["mrc_stderr"]
    return out


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None, grid=None):
    """Sweep the hotspot type (``grid`` overrides the values); writes fig7_user_distributions.png /
    .csv and, in full mode, the maps of the proposed placement (x–z plane) into ``out``; returns
    the SweepResult."""
    g = {"type": [1, 2, 3], "R": [50 if quick else 200], **(grid or {})}
    res = run_sweep(trial, g, trials if trials is not None else (1 if quick else 3), seed, workers=workers,
                    progress=progress, checkpoint=checkpoint)
    save_sweep(res, out, "fig7_user_distributions", x="type", keys=KEYS, labels=LABELS,
               xlabel="hotspot type (1: along x, 2: along z, 3: x-z plane)",
               ylabel="expected weighted sum rate (bit/s/Hz)",
               title="XL-MA Fig. 7: rate for three user distributions (2-D region, N0 = 450)")
    if not quick:
        for kind in (1, 2, 3):
            prob, sol, _ = _design(kind)
            save_xlma_maps(prob, prob.layout(sol.x["selection"], "proposed"), out, f"fig7_type{kind}",
                           resolution=100)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result.summary(keys=[f"{s}_approx" for s in SCHEMES]))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}; "
          f"wrote {a.out}/fig7_user_distributions.png")
