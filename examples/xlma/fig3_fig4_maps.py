"""Figs. 3-4 of Fu-Zhu-Zhang (XL-MA): channel power gain and normalized correlation maps.

Scenario A (full LoS, L = 61 m, specs/xlma.md §10.2). For the proposed placement (LP +
successive replacement; the paper's 6 + 2 split near the two hotspot classes) and for the
horizontal sparse array and the dense 64-element ULA: the channel power gain
10 log10(M sum_n (Omega beta^L + beta^N)) and the normalized correlation with a reference user at
the centre of a high-density hotspot grid, over the user plane, subarray positions marked.
A trial is one Monte Carlo batch (R realizations) of the three layouts, so the sweep's CSV also
holds the closed-form and MC rates; the maps themselves are deterministic.

    python examples/xlma/fig3_fig4_maps.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from matoolbox.plots import save_xlma_maps
from matoolbox.sweep import run_example, run_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _xlma_common as C  # noqa: E402

SCHEMES = ("proposed", "horizontal_sparse", "dense_ula")
P0 = (-22.5, 14.5, 1.5)          # centre of a high-density (K_1) grid


def trial(params, rng):
    """Closed form and MC (R realizations) of the three layouts of the maps."""
    prob, sol, layouts = C.design("default")
    ev = prob.evaluate_layout(layouts[params["scheme"]], R=int(params["R"]), rng=rng)
    return {"approx": ev["approx"], "mrc": ev["mrc"], "mmse": ev["mmse"], "upper_bound": ev["upper_bound"]}


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None):
    """Write fig3_fig4_<scheme>_power.png / _correlation.png (+ CSV), fig3_fig4_rates.csv and
    fig3_fig4_positions.csv into ``out``; returns {"sweep": SweepResult, "maps": {scheme: result of save_maps}}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    prob, sol, layouts = C.design("default")
    res = run_sweep(trial, {"scheme": list(SCHEMES), "R": [100 if quick else 500]},
                    trials if trials is not None else (1 if quick else 2), seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    res.to_csv(out / "fig3_fig4_rates.csv")
    maps = {name: save_xlma_maps(prob, layouts[name], out, f"fig3_fig4_{name}", p0=P0, resolution=60 if quick else 150)
            for name in SCHEMES}
    sel = sol.x["selection"]
    np.savetxt(out / "fig3_fig4_positions.csv", prob.candidates[sel], delimiter=",", header="x,y,z (m)", comments="")
    return {"sweep": res, "maps": maps}


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result["sweep"].summary(keys=["approx", "mrc", "mmse", "upper_bound"]))
    prob, sol, _ = C.design("default")
    print("proposed subarray x positions (m):", prob.candidates[sol.x["selection"], 0].tolist())
    print(f"infeasible trials: {result['sweep'].infeasible()}; wrote maps to {a.out}/fig3_fig4_*.png")
