"""MU problem (30): weighted sum rate of K_D = 2 DL and K_U = 2 UL users versus the number of transmit MAs N_t.

Schemes (spec §6/§7.6): FD-MA (AO with ao_solve's default blocks: MMSE combiners -> FP transmit
step -> FP UL powers -> PSO positions with the inner-beamformer fitness, warm-started from the FPA
solution; quick mode uses a smaller swarm), FD-FPA (same blocks, positions frozen), and MA-Tx-only
(only the transmit antennas move). Defaults: Nr = 6, A = 4 lambda, P = 30 dBm, p_U,max = 20 dBm,
noise -80 dBm, rho = -70 dB, users uniform in the 20-100 m annulus, a_i = 1/4.

    python examples/full_duplex/mu_wsr_vs_nt.py --quick
"""
from __future__ import annotations

import matoolbox as ma
from matoolbox.problems import FullDuplexMultiUserProblem
from matoolbox.full_duplex import fd_blocks
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

KEYS = ["fd_ma", "ma_tx_only", "fd_fpa"]
LABELS = {"fd_ma": "FD-MA (PSO, inner-beamformer fitness)", "ma_tx_only": "MA-Tx only", "fd_fpa": "FD-FPA"}


def trial(params, rng):
    prob = FullDuplexMultiUserProblem.random(rng, Nt=int(params["Nt"]))
    it = int(params["ao_iter"])
    s_fpa = ma.ao_solve(prob.with_(movable_tx=False, movable_rx=False), rng=rng, max_iter=it)
    pso = {"n_particles": int(params["particles"]), "iters": int(params["iters"])}
    s_ma = ma.ao_solve(prob, x0=s_fpa.x, blocks=fd_blocks(prob, position_options=pso), max_iter=it, rng=rng)
    tx = prob.with_(movable_rx=False)
    s_tx = ma.ao_solve(tx, x0=s_fpa.x, blocks=fd_blocks(tx, position_options=pso), max_iter=it, rng=rng)
    flag = min(s_fpa.exitflag, s_ma.exitflag, s_tx.exitflag)
    return {"fd_ma": s_ma.fval, "ma_tx_only": s_tx.fval, "fd_fpa": s_fpa.fval,
            "violation": max(s_ma.violation, s_fpa.violation, s_tx.violation),
            "exitflag": flag if flag < 0 else 1}


def run(quick=False, trials=None, workers=1, seed=0, out="out/full_duplex", progress=False, checkpoint=None,
        grid=None):
    """Sweep N_t; saves mu_wsr_vs_nt.png / .csv (+ _mean.csv) into ``out``; returns the SweepResult."""
    nts = [2, 4, 6] if quick else [2, 4, 6, 8, 10]
    fixed = {"particles": 20 if quick else 40, "iters": 20 if quick else 100, "ao_iter": 5 if quick else 30}
    points = {"Nt": nts, **{k: [v] for k, v in fixed.items()}}
    if grid is not None:  # tiny mode for tests: override grid entries, e.g. {"Nt": [2, 4]}
        points = {**points, **grid}
    trials = trials if trials is not None else (6 if quick else 200)
    res = run_sweep(trial, points, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "mu_wsr_vs_nt", x="Nt", keys=KEYS, xlabel="transmit MAs N_t",
               ylabel="weighted sum rate (bit/s/Hz)", title="MU FD: WSR vs N_t", labels=LABELS)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/full_duplex")
    print(result.summary(keys=KEYS))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}")
    print(f"wrote {a.out}/mu_wsr_vs_nt.png and .csv")
