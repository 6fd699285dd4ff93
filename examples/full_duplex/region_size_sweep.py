"""P1 weighted sum rate versus the side A of the square movable regions (1 to 8 wavelengths).

Schemes (spec §6/§7.1): FD-MA with PSO positions and FD-MA with the monotone gradient/MM position
step (both warm-started from the FPA solution), FD-FPA, and the best of several random feasible
layouts (beamformers optimised). Expected: the MA gain grows with A and levels off around 3-4 lambda;
PSO beats the local MM step. Defaults as in P1 with Nr = 1.

    python examples/full_duplex/region_size_sweep.py --quick
"""
from __future__ import annotations

import matoolbox as ma
from matoolbox.problems import FullDuplexProblem
from matoolbox.full_duplex import fd_blocks
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

KEYS = ["ma_pso", "ma_mm", "random_best", "fpa"]
LABELS = {"ma_pso": "FD-MA (PSO, inner-beamformer fitness)", "ma_mm": "FD-MA (gradient/MM)", "random_best": "best random layout",
          "fpa": "FD-FPA"}


def trial(params, rng):
    prob = FullDuplexProblem.random(rng, Nr=1, region_lambda=float(params["A_lambda"]))
    it = int(params["ao_iter"])
    s_fpa = ma.ao_solve(prob.with_(movable_tx=False, movable_rx=False), rng=rng, max_iter=10)
    pso = {"n_particles": int(params["particles"]), "iters": int(params["iters"])}
    s_pso = ma.ao_solve(prob, x0=s_fpa.x, blocks=fd_blocks(prob, position_options=pso), max_iter=it, rng=rng)
    s_mm = ma.ao_solve(prob, x0=s_fpa.x, blocks=fd_blocks(prob, positions="mm",
                                                          position_options={"max_steps": 5}),
                       max_iter=it, rng=rng)
    best = -float("inf")
    for _ in range(int(params["n_random"])):
        x = {**s_fpa.x, **prob.random_layout(rng)}
        best = max(best, ma.ao_solve(prob, x0=x, blocks=fd_blocks(prob, positions=None), max_iter=10, rng=rng).fval)
    flag = min(s_fpa.exitflag, s_pso.exitflag, s_mm.exitflag)
    return {"ma_pso": s_pso.fval, "ma_mm": s_mm.fval, "random_best": best, "fpa": s_fpa.fval,
            "violation": max(s_pso.violation, s_mm.violation), "exitflag": flag if flag < 0 else 1}


def run(quick=False, trials=None, workers=1, seed=0, out="out/full_duplex", progress=False, checkpoint=None,
        grid=None):
    """Sweep A; saves region_size_sweep.png / .csv (+ _mean.csv) into ``out``; returns the SweepResult."""
    sizes = [1.0, 2.0, 4.0, 8.0] if quick else [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0]
    fixed = {"particles": 12 if quick else 40, "iters": 12 if quick else 100, "ao_iter": 2 if quick else 30,
             "n_random": 3 if quick else 20}
    points = {"A_lambda": sizes, **{k: [v] for k, v in fixed.items()}}
    if grid is not None:  # tiny mode for tests: override grid entries, e.g. {"Nt": [2, 4]}
        points = {**points, **grid}
    trials = trials if trials is not None else (4 if quick else 200)
    res = run_sweep(trial, points, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "region_size_sweep", x="A_lambda", keys=KEYS,
               xlabel="region side A (wavelengths)", ylabel="a1 R_D + a2 R_U (bit/s/Hz)",
               title="P1: rate vs region size", labels=LABELS)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/full_duplex")
    print(result.summary(keys=KEYS))
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}")
    print(f"wrote {a.out}/region_size_sweep.png and .csv")
