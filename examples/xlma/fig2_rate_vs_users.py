"""Fig. 2(c) of Fu-Zhu-Zhang (XL-MA): weighted sum rate vs expected number of users Kbar.

Scenario A (full LoS, L = 61 m, N = 8 ULA subarrays of 8 elements; settings on the XL-MA theory
page). Curves: the proposed placement (LP init + successive replacement) and the FPA baselines
(horizontal sparse, dense 64-element ULA), each by the closed form of Theorem 1 ("Analytical")
and by Monte Carlo with MRC and MMSE ("Simul."); plus the interference-free upper bound of the
proposed placement. A trial is one batch of R Monte Carlo realizations (the placement itself uses
statistical CSI only and is the same in every trial); the plotted MC value is the mean over trials.

    python examples/xlma/fig2_rate_vs_users.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _xlma_common as C  # noqa: E402

SCHEMES = ("proposed", "horizontal_sparse", "dense_ula")
KEYS = [f"{s}_{m}" for s in SCHEMES for m in ("approx", "mrc", "mmse")] + ["proposed_ub"]
LABELS = C.labels(KEYS)
KBAR_VALUES = [2.0, 3.0, 4.0, 5.0, 6.0]


def trial(params, rng):
    """Closed form + MC (R realizations) of the proposed and FPA layouts at one Kbar."""
    prob, sol, layouts = C.design("default", Kbar=float(params["Kbar"]))
    out = {"exitflag": sol.exitflag if sol.exitflag < 0 else 1}
    out.update(C.evaluate_schemes(prob, layouts, SCHEMES, params["R"], rng))
    out["proposed_ub"] = prob.upper_bound(layouts["proposed"])
    return out


def run(quick=False, trials=None, workers=1, seed=0, out="out/xlma", progress=False, checkpoint=None, grid=None):
    """Sweep Kbar (``grid`` overrides the values); writes fig2_rate_vs_users.png / .csv / _mean.csv
    into ``out``; returns the SweepResult."""
    g = {"Kbar": KBAR_VALUES, "R": [200 if quick else 400], **(grid or {})}
    trials = trials if trials is not None else (2 if quick else 5)
    res = run_sweep(trial, g, trials, seed, workers=workers, progress=progress, checkpoint=checkpoint)
    save_sweep(res, out, "fig2_rate_vs_users", x="Kbar", keys=KEYS, labels=LABELS, xlabel="expected number of users Kbar",
               ylabel="expected weighted sum rate (bit/s/Hz)",
               title="XL-MA Fig. 2(c): rate vs expected number of users (L = 61 m)")
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/xlma")
    print(result.summary(keys=["proposed_approx", "proposed_mrc", "proposed_mmse", "horizontal_sparse_approx",
                               "dense_ula_approx"]))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}; wrote {a.out}/fig2_rate_vs_users.png")
