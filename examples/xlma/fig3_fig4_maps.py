"""Figs. 3-4 of Fu-Zhu-Zhang (XL-MA): channel power gain and normalized correlation maps.

Scenario A (full LoS, L = 61 m; settings on the XL-MA theory page). For the proposed placement
(LP + successive replacement; the paper's 6 + 2 split near the two hotspot classes) and for the
horizontal sparse array and the dense 64-element ULA: the channel power gain
10 log10(M sum_n (Omega beta^L + beta^N)) and the normalized correlation with a reference user at
the centre of a high-density hotspot grid, over the user plane, subarray positions marked. The
three power maps share one colour scale (the correlation maps share [0, 1]). A trial is one
Monte Carlo batch (R realizations) of the three layouts, so the sweep's CSV also holds the
closed-form and MC rates; the maps themselves are deterministic.

    python examples/xlma/fig3_fig4_maps.py --quick
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
P0 = (-22.5, 14.5, 1.5)          # centre of a high-density (K_1) grid


def trial(params, rng):
    """Closed form and MC (R realizations) of the three layouts of the maps."""
    prob, sol, layouts = C.design("default")
    ev = prob.evaluate_layout(layouts[params["scheme"]], R=int(params["R"]), rng=rng)
    return {"approx": ev["approx"], "mrc": ev["mrc"], "mmse": ev["mmse"], "layout_upper_bound": ev["layout_upper_bound"]}


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None, grid=None):
    """Write fig3_fig4_<scheme>_power.png / _correlation.png (+ CSV), fig3_fig4_rates.csv and
    fig3_fig4_positions.csv into ``out``; returns {"sweep": SweepResult, "maps": {scheme: result of
    save_xlma_maps}, "grid": per-layout power / correlation / LoS counts at the grid centres}.
    ``grid`` may set ``{"R": [...], "resolution": n}``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    grid = dict(grid or {})
    resolution = int(grid.pop("resolution", 60 if quick else 150))
    prob, sol, layouts = C.design("default")
    g = {"scheme": list(SCHEMES), "R": [100 if quick else 500], **grid}
    res = run_sweep(trial, g, trials if trials is not None else (1 if quick else 2), seed, workers=workers,
                    progress=progress, checkpoint=checkpoint)
    res.to_csv(out / "fig3_fig4_rates.csv")
    maps = C.save_maps_shared_scale(prob, layouts, SCHEMES, out, "fig3_fig4", P0, resolution)
    sel = sol.x["selection"]
    np.savetxt(out / "fig3_fig4_positions.csv", prob.candidates[sel], delimiter=",", header="x,y,z (m)", comments="")
    return {"sweep": res, "maps": maps, "grid": C.grid_data(prob, layouts, SCHEMES, P0),
            "coverage_centre": np.array([np.mean(prob.user_x), np.mean(prob.user_y), prob.user_z[0]]),
            "centre_power": {n: float(prob.power_map(layouts[n], np.array([[np.mean(prob.user_x), np.mean(prob.user_y),
                                                                             prob.user_z[0]]]))[0]) for n in SCHEMES}}


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result["sweep"].summary(keys=["approx", "mrc", "mmse", "layout_upper_bound"]))
    prob, sol, _ = C.design("default")
    print("proposed subarray x positions (m):", prob.candidates[sol.x["selection"], 0].tolist())
    print(f"infeasible trials: {result['sweep'].infeasible()}; wrote maps to {a.out}/fig3_fig4_*.png")
