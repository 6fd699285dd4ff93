"""Fig. 5 of Fu-Zhu-Zhang (XL-MA): maps with two obstacles (partial LoS).

Scenario B (Scenario A plus two 10 x 2 x 10 m boxes; settings on the XL-MA theory page). The
proposed placement (the paper's 5 + 3 split) avoids the shadowed positions; the channel power
gain and normalized correlation maps are drawn with the subarrays and the obstacles for the
proposed placement, the horizontal sparse array and the dense ULA, the power maps on one shared
colour scale. A trial is one Monte Carlo batch (R realizations) of the layouts (rates in the CSV).

    python examples/xlma/fig5_obstacles.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _xlma_common as C  # noqa: E402

SCHEMES = ("proposed", "horizontal_sparse", "dense_ula")
P0 = (-22.5, 14.5, 1.5)


def trial(params, rng):
    """Closed form and MC (R realizations) of one layout."""
    prob, sol, layouts = C.design("partial_los")
    ev = prob.evaluate_layout(layouts[params["scheme"]], R=int(params["R"]), rng=rng)
    return {"approx": ev["approx"], "mrc": ev["mrc"], "mmse": ev["mmse"], "layout_upper_bound": ev["layout_upper_bound"]}


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None, grid=None):
    """Write fig5_<scheme>_power.png / _correlation.png (+ CSV), fig5_rates.csv, fig5_positions.csv;
    returns {"sweep": SweepResult, "maps": {...}, "los_fraction": float, "grid": per-layout power /
    correlation / LoS counts at the grid centres}. ``grid`` may set ``{"R": [...], "resolution": n}``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    grid = dict(grid or {})
    resolution = int(grid.pop("resolution", 60 if quick else 150))
    prob, sol, layouts = C.design("partial_los")
    g = {"scheme": list(SCHEMES), "R": [100 if quick else 500], **grid}
    res = run_sweep(trial, g, trials if trials is not None else (1 if quick else 2), seed, workers=workers,
                    progress=progress, checkpoint=checkpoint)
    res.to_csv(out / "fig5_rates.csv")
    maps = C.save_maps_shared_scale(prob, layouts, SCHEMES, out, "fig5", P0, resolution)
    np.savetxt(out / "fig5_positions.csv", prob.candidates[sol.x["selection"]], delimiter=",",
               header="x,y,z (m)", comments="")
    return {"sweep": res, "maps": maps, "los_fraction": float(prob.Omega.mean()),
            "grid": C.grid_data(prob, layouts, SCHEMES, P0)}


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result["sweep"].summary(keys=["approx", "mrc", "mmse", "layout_upper_bound"]))
    prob, sol, _ = C.design("partial_los")
    xs = prob.candidates[sol.x["selection"], 0].tolist()
    print(f"LoS fraction {result['los_fraction']:.2f}; proposed x (m): {xs}")
    print(f"infeasible trials: {result['sweep'].infeasible()}; wrote {a.out}/fig5_*.png")
