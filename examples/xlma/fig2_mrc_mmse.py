"""Fig. 2(a) of Fu-Zhu-Zhang (XL-MA): weighted sum rate against subarray size M_H.

Scenario A (full LoS, L = 61 m, N = 8 ULA subarrays of M_H x 1 elements; settings on the XL-MA
theory page). For each M_H the placement is designed with the MRC closed form (statistical CSI)
and evaluated, like the FPA baselines (horizontal sparse, dense N*M_H-element ULA), by the closed
form of Theorem 1 ("Analytical") and by Monte Carlo with MRC ("Simul.") as in the paper; the
proposed placement also with MMSE combining and its interference-free upper bound. A trial is
one batch of R realizations.

    python examples/xlma/fig2_mrc_mmse.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _xlma_common as C  # noqa: E402

SCHEMES = ("proposed", "horizontal_sparse", "dense_ula")
KEYS = [f"{s}_{m}" for s in SCHEMES for m in ("approx", "mrc")] + ["proposed_mmse", "proposed_ub"]
LABELS = C.labels(KEYS)
MH_VALUES = [2, 4, 8, 12, 16]


def trial(params, rng):
    """Closed form, MC MRC and MC MMSE of every layout at one M_H (R realizations)."""
    prob, sol, layouts = C.design("default", MH=int(params["MH"]))
    out = {"exitflag": sol.exitflag if sol.exitflag < 0 else 1}
    out.update(C.evaluate_schemes(prob, layouts, SCHEMES, params["R"], rng))
    out["proposed_ub"] = prob.upper_bound(layouts["proposed"])
    return out


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None, grid=None):
    """Sweep M_H (``grid`` overrides the values, e.g. ``{"MH": [2, 8], "R": [20]}``); writes
    fig2_mrc_mmse.png / .csv into ``out``; returns the SweepResult."""
    g = {"MH": MH_VALUES, "R": [100 if quick else 400], **(grid or {})}
    trials = trials if trials is not None else (2 if quick else 5)
    res = run_sweep(trial, g, trials, seed, workers=workers, progress=progress, checkpoint=checkpoint)
    save_sweep(res, out, "fig2_mrc_mmse", x="MH", keys=KEYS, labels=LABELS, xlabel="elements per subarray M_H",
               ylabel="expected weighted sum rate (bit/s/Hz)",
               title="XL-MA Fig. 2(a): rate vs subarray size (L = 61 m, full LoS)")
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result.summary(keys=["proposed_approx", "proposed_mrc", "proposed_mmse", "proposed_ub"]))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}; wrote {a.out}/fig2_mrc_mmse.png")
