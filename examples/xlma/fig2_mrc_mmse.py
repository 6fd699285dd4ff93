"""Fig. 2(a) of Fu-Zhu-Zhang (XL-MA): MRC vs MMSE sum rate against subarray size M_H.

Scenario A (full LoS, L = 61 m, N = 8 ULA subarrays of M_H x 1 elements, specs/xlma.md §10.2).
For each M_H the placement is designed with the MRC closed form (statistical CSI) and then
evaluated by Monte Carlo with MRC and MMSE combining, next to the closed form ("approx") and the
interference-free upper bound; the FPA baselines (horizontal sparse, dense N*M_H-element ULA) are
evaluated the same way. A trial is one batch of R realizations.

    python examples/xlma/fig2_mrc_mmse.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

from matoolbox.sweep import run_example, run_sweep, save_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _xlma_common as C  # noqa: E402

SCHEMES = ("proposed", "horizontal_sparse", "dense_ula")
KEYS = ["proposed_approx", "proposed_mrc", "proposed_mmse", "proposed_ub", "horizontal_sparse_mrc",
        "horizontal_sparse_mmse", "dense_ula_mrc", "dense_ula_mmse"]


def trial(params, rng):
    """Closed form, MC MRC and MC MMSE of every layout at one M_H (R realizations)."""
    prob, sol, layouts = C.design("default", MH=int(params["MH"]))
    out = {"exitflag": sol.exitflag if sol.exitflag < 0 else 1}
    out.update(C.evaluate_schemes(prob, layouts, SCHEMES, params["R"], rng))
    out["proposed_ub"] = prob.upper_bound(layouts["proposed"])
    return out


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None):
    """Sweep M_H; writes fig2_mrc_mmse.png / .csv into ``out``; returns the SweepResult."""
    grid = {"MH": [2, 4, 8, 12, 16], "R": [100 if quick else 400]}
    trials = trials if trials is not None else (2 if quick else 5)
    res = run_sweep(trial, grid, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "fig2_mrc_mmse", x="MH", keys=KEYS, xlabel="elements per subarray M_H",
               ylabel="weighted sum rate (bit/s/Hz)", title="XL-MA Fig. 2(a): MRC vs MMSE (L = 61 m)")
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result.summary(keys=["proposed_approx", "proposed_mrc", "proposed_mmse", "proposed_ub"]))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}; wrote {a.out}/fig2_mrc_mmse.png")
