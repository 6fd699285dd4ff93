"""P3: DL rate under the SI-power cap ||H_SI w_t||^2 <= p_th at the Rx front end, versus p_th.

Schemes (spec §6/§7.4): FD-MA (AO: exact closed-form w_t, then "inner_bf" PSO positions, warm-started
from the FPA solution), FD-FPA (closed-form w_t at the 2x2 UPA), and the unconstrained-MRT rate at the
FPA layout (upper bound of FD-FPA, reached once the cap stops binding). Defaults: Nt = Nr = 4,
A = 4 lambda, P = 30 dBm, rho = 0 dB (cap at the LNA input), noise -80 dBm.

    python examples/full_duplex/p3_rate_vs_cap.py --quick
"""
from __future__ import annotations

import math

import numpy as np

import matoolbox as ma
from matoolbox.problems import FullDuplexProblem
from matoolbox.full_duplex import fd_blocks
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

KEYS = ["fd_ma", "fd_fpa", "mrt_fpa"]
LABELS = {"fd_ma": "FD-MA (PSO, inner-beamformer fitness)", "fd_fpa": "FD-FPA", "mrt_fpa": "FPA, unconstrained MRT"}


def trial(params, rng):
    prob = FullDuplexProblem.random(rng, objective="dl_si_cap", p_th_dbm=float(params["p_th_dbm"]))
    fpa = prob.with_(movable_tx=False, movable_rx=False)
    s_fpa = ma.ao_solve(fpa, rng=rng, max_iter=2)
    pso = {"n_particles": int(params["particles"]), "iters": int(params["iters"])}
    s_ma = ma.ao_solve(prob, x0=s_fpa.x, blocks=fd_blocks(prob, position_options=pso),
                       max_iter=int(params["ao_iter"]), rng=rng)
    hDc, _, _ = prob.channels(prob.fpa)
    c_D = 1.0 + prob.iui_gain * prob.p_ul / prob.noise_dl
    mrt = math.log2(1 + prob.p_max * float(np.sum(np.abs(hDc) ** 2)) / c_D)
    flag = min(s_fpa.exitflag, s_ma.exitflag)
    return {"fd_ma": s_ma.fval, "fd_fpa": s_fpa.fval, "mrt_fpa": mrt,
            "violation": max(s_ma.violation, s_fpa.violation), "exitflag": flag if flag < 0 else 1}


def run(quick=False, trials=None, workers=1, seed=0, out="out/full_duplex", progress=False, checkpoint=None,
        grid=None):
    """Sweep p_th; saves p3_rate_vs_cap.png / .csv (+ _mean.csv) into ``out``; returns the SweepResult."""
    caps = [-90.0, -70.0, -50.0, -30.0, -10.0] if quick else [-100.0, -90.0, -80.0, -70.0, -60.0, -50.0,
                                                             -40.0, -30.0, -20.0, -10.0]
    fixed = {"particles": 12 if quick else 40, "iters": 12 if quick else 100, "ao_iter": 2 if quick else 30}
    points = {"p_th_dbm": caps, **{k: [v] for k, v in fixed.items()}}
    if grid is not None:  # tiny mode for tests: override grid entries, e.g. {"Nt": [2, 4]}
        points = {**points, **grid}
    trials = trials if trials is not None else (5 if quick else 200)
    res = run_sweep(trial, points, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "p3_rate_vs_cap", x="p_th_dbm", keys=KEYS,
               xlabel="SI cap p_th (dBm)", ylabel="R_D (bit/s/Hz)",
               title="P3: DL rate vs SI cap", labels=LABELS)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/full_duplex")
    print(result.summary(keys=KEYS))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}")
    print(f"wrote {a.out}/p3_rate_vs_cap.png and .csv")
