"""Fig. 2(c) of Fu-Zhu-Zhang (XL-MA): weighted sum rate vs expected number of users Kbar.

Scenario A (full LoS, L = 61 m, N = 8 ULA subarrays of 8 elements, specs/xlma.md §10.2). Curves:
the proposed placement (LP init + successive replacement) and the FPA baselines (horizontal sparse,
dense 64-element ULA), each by the closed form of Theorem 1 ("approx") and by Monte Carlo with
MRC and MMSE; plus the interference-free upper bound of the proposed placement. A trial is one
batch of R Monte Carlo realizations (the placement itself uses statistical CSI only and is the
same in every trial); the plotted MC value is the mean over trials.

    python examples/xlma/fig2_rate_vs_users.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

from matoolbox.sweep import run_example, run_sweep, save_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _xlma_common as C  # noqa: E402

SCHEMES = ("proposed", "horizontal_sparse", "dense_ula")
KEYS = [f"{s}_{m}" for s in SCHEMES for m in ("approx", "mrc", "mmse")] + ["proposed_ub"]


def trial(params, rng):
    """Closed form + MC (R realizations) of the proposed and FPA layouts at one Kbar."""
    prob, sol, layouts = C.design("default", Kbar=float(params["Kbar"]))
    out = {"exitflag": sol.exitflag if sol.exitflag < 0 else 1}
    for name in SCHEMES:
        ev = prob.evaluate_layout(layouts[name], R=int(params["R"]), rng=rng)
        out[f"{name}_approx"] = ev["approx"]
        out[f"{name}_mrc"] = ev["mrc"]
        out[f"{name}_mmse"] = ev["mmse"]
    out["proposed_ub"] = prob.upper_bound(layouts["proposed"])
    return out


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None):
    """Sweep Kbar; writes fig2_rate_vs_users.png / .csv / _mean.csv into ``out``; returns the SweepResult."""
    R = 200 if quick else 400
    grid = {"Kbar": [2.0, 3.0, 4.0, 5.0, 6.0], "R": [R]}
    trials = trials if trials is not None else (2 if quick else 5)
    res = run_sweep(trial, grid, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "fig2_rate_vs_users", x="Kbar", keys=KEYS, xlabel="expected users Kbar",
               ylabel="weighted sum rate (bit/s/Hz)", title="XL-MA Fig. 2(c): rate vs Kbar (L = 61 m)")
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result.summary(keys=["proposed_approx", "proposed_mrc", "proposed_mmse", "horizontal_sparse_approx",
                               "dense_ula_approx"]))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}; wrote {a.out}/fig2_rate_vs_users.png")
