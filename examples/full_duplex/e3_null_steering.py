"""E3: full array gain with null steering on a linear MA array ([Zhu-NS]-style).

Beam gain toward theta_0 = 90 deg with exact nulls toward K = 2 or 3 random directions
(|cos theta_k - cos theta_0| >= 0.1), against the number of antennas N. Schemes: the closed-form
MA layout (unbounded line; gain exactly N), the finite-region variant in [0, 16 lambda] (closed
form when it fits, else PSO on the zero-forcing gain from the FPA ULA), FPA-ZF (ULA at lambda/2
with zero-forcing weights), and the bound N. Also reports the closed-form aperture.

    python examples/full_duplex/e3_null_steering.py --quick
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from matoolbox.problems import NullSteeringProblem
from matoolbox.solvers import null_steering_finite, null_steering_layout
from matoolbox.cli import run_example
from matoolbox.sweep import plot_sweep, run_sweep

KEYS = ["ma_gain_db", "finite_gain_db", "fpa_zf_gain_db", "bound_db"]
LABELS = {"ma_gain_db": "MA closed form (unbounded)", "finite_gain_db": "MA in [0, 16 lambda]",
          "fpa_zf_gain_db": "FPA-ZF (ULA lambda/2)", "bound_db": "full array gain N"}


def _db(v):
    return float(10 * np.log10(max(v, 1e-30)))


def trial(params, rng):
    """One draw of null directions (the first K draws are shared along N); gains in dB."""
    n, k = int(params["N"]), int(params["K"])
    prob = NullSteeringProblem.random(rng, n_antennas=n, n_nulls=k)
    sol = null_steering_layout(prob)
    fin = prob.with_(region=float(params["region"]))
    fsol = null_steering_finite(fin, options={"n_particles": int(params["particles"]),
                                              "iters": int(params["iters"])}, rng=rng)
    g = prob.gains(sol.x)
    return {"ma_gain_db": _db(sol.fval), "finite_gain_db": _db(fsol.fval),
            "fpa_zf_gain_db": _db(prob.zf_gain(prob.fpa_positions())), "bound_db": _db(n),
            "max_null_gain": float(g[1:].max()), "aperture": sol.output["aperture"],
            "finite_closed_form": float(fsol.output["method"] == "closed_form"),
            "violation": max(sol.violation, fsol.violation),
            "exitflag": 1 if min(sol.exitflag, fsol.exitflag) >= 0 else -3}


def run(quick=False, trials=None, workers=1, seed=0, out="out/full_duplex", progress=False, checkpoint=None,
        grid=None):
    """Sweep N for K = 2 and K = 3 nulls; saves e3_null_steering.png (K = 2), e3_null_steering_k3.png
    and e3_null_steering.csv (+ _mean.csv) into ``out``; returns the SweepResult."""
    fixed = {"region": 16.0, "particles": 20 if quick else 40, "iters": 30 if quick else 100}
    points = [{"N": n, "K": k, **fixed} for k, ns in ((2, (4, 6, 8, 12, 16)), (3, (8, 12, 16))) for n in ns]
    if grid is not None:  # tiny mode for tests: a list of grid points
        points = [{**fixed, **pt} for pt in grid]
    trials = trials if trials is not None else (20 if quick else 100)
    res = run_sweep(trial, points, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    res.to_csv(out / "e3_null_steering.csv")
    res.to_csv(out / "e3_null_steering_mean.csv", aggregate=True)
    for k, stem in ((2, "e3_null_steering"), (3, "e3_null_steering_k3")):
        plot_sweep(res, x="N", keys=KEYS, path=out / f"{stem}.png", xlabel="number of antennas N",
                   ylabel="gain toward theta_0 (dB)", title=f"E3: full array gain with K = {k} nulls",
                   labels=LABELS, K=k)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/full_duplex")
    print(result.summary(keys=KEYS + ["aperture", "max_null_gain"]))
    print(f"N = 8, K = 3: MA {result.mean('ma_gain_db', N=8, K=3):.2f} dB vs FPA-ZF "
          f"{result.mean('fpa_zf_gain_db', N=8, K=3):.2f} dB; "
          f"infeasible trials: {result.infeasible()}, failed: {result.failed()}")
    print(f"wrote {a.out}/e3_null_steering.png, e3_null_steering_k3.png and .csv")
