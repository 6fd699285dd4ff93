"""P1: weighted sum rate a1 R_D + a2 R_U of a full-duplex MA base station versus the residual SI factor rho.

Schemes (spec §6/§7.3): FD-MA (AO with PSO positions, warm-started from the converged FPA
solution, so FD-MA >= FD-FPA), FD-FPA (same beamforming blocks, positions frozen at the 2x2 UPA),
and half duplex at the FPA layout (no SI, no IUI, half of the time each). Defaults: Nt = 4, Nr = 1
(the [CL24]-like SI-limited setting; Nr = 4 in the full run too), A = 4 lambda, P = 30 dBm,
p_U = 20 dBm, noise -80 dBm, near-field SI.

    python examples/full_duplex/p1_rate_vs_si.py --quick
"""
from __future__ import annotations

import matoolbox as ma
from matoolbox.problems import FullDuplexProblem
from matoolbox.full_duplex import fd_blocks
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

KEYS = ["fd_ma", "fd_fpa", "hd_fpa"]
LABELS = {"fd_ma": "FD-MA (PSO, inner-beamformer fitness)", "fd_fpa": "FD-FPA", "hd_fpa": "HD-FPA"}


def trial(params, rng):
    """One channel draw per trial (common random numbers along rho)."""
    prob = FullDuplexProblem.random(rng, objective="weighted", Nr=int(params["Nr"]),
                                    rho_db=float(params["rho_db"]))
    fpa = prob.with_(movable_tx=False, movable_rx=False)
    s_fpa = ma.ao_solve(fpa, rng=rng, max_iter=int(params["ao_iter"]))
    pso = {"n_particles": int(params["particles"]), "iters": int(params["iters"])}
    s_ma = ma.ao_solve(prob, x0=s_fpa.x, blocks=fd_blocks(prob, position_options=pso),
                       max_iter=int(params["ao_iter"]), rng=rng)
    flag = min(s_fpa.exitflag, s_ma.exitflag)
    return {"fd_ma": s_ma.fval, "fd_fpa": s_fpa.fval, "hd_fpa": prob.half_duplex(prob.fpa),
            "violation": max(s_ma.violation, s_fpa.violation), "exitflag": flag if flag < 0 else 1}


def run(quick=False, trials=None, workers=1, seed=0, out="out/full_duplex", progress=False, checkpoint=None,
        grid=None):
    """Sweep rho; saves p1_rate_vs_si.png / .csv (+ _mean.csv) into ``out``; returns the SweepResult."""
    rhos = [-90.0, -70.0, -50.0, -30.0] if quick else [-90.0, -80.0, -70.0, -60.0, -50.0, -40.0, -30.0]
    fixed = {"particles": 20 if quick else 40, "iters": 20 if quick else 100, "ao_iter": 3 if quick else 30}
    points = {"rho_db": rhos, "Nr": [1] if quick else [1, 4], **{k: [v] for k, v in fixed.items()}}
    if grid is not None:  # tiny mode for tests: override grid entries, e.g. {"Nt": [2, 4]}
        points = {**points, **grid}
    trials = trials if trials is not None else (8 if quick else 200)
    res = run_sweep(trial, points, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "p1_rate_vs_si", x="rho_db", keys=KEYS,
               xlabel="residual SI factor rho (dB)", ylabel="a1 R_D + a2 R_U (bit/s/Hz)",
               title="P1: FD weighted sum rate vs SI", labels=LABELS)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/full_duplex")
    print(result.summary(keys=KEYS))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}")
    print(f"wrote {a.out}/p1_rate_vs_si.png and .csv")
