"""E1: two-terminal co-frequency co-time full duplex (CCFD) with movable antennas ([CL24]-style).

Max-min rate min(R_A, R_B) of two FD terminals, each with one transmit and one receive MA in a
3-lambda square, against the residual self-interference factor rho. Schemes: FPA (all antennas at
the region centres), best of 20 random layouts, APO (one antenna at a time, exhaustive grid of step
lambda/20, from FPA), PPSO (projected PSO through ``ao_solve``, from FPA), and half duplex (each
direction half of the time, no SI) with FPA and with PSO-placed antennas. Defaults (spec §6):
P_t = 20 dBm, noise -80 dBm, 50 m link, 5 paths per link, 5x5 field-response SI.

    python examples/full_duplex/e1_ccfd_maxmin.py --quick
"""
from __future__ import annotations

import matoolbox as ma
from matoolbox.problems import CcfdMaxMinProblem
from matoolbox.solvers import PsoOptions, apo_positions, pso_positions
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

KEYS = ["ppso", "apo", "random20", "fpa", "hd_ma", "hd_fpa"]
LABELS = {"ppso": "FD-MA, PPSO", "apo": "FD-MA, APO", "random20": "FD, best of 20 random",
          "fpa": "FD-FPA", "hd_ma": "HD-MA (PSO)", "hd_fpa": "HD-FPA"}
NO_SI_DB = -300.0   # half duplex: no self-interference


def trial(params, rng):
    """One channel draw (the same at every rho: common random numbers); max-min rates in bit/s/Hz."""
    prob = CcfdMaxMinProblem.random(rng, si_db=float(params["si_db"]))
    pso = PsoOptions(n_particles=int(params["particles"]), iters=int(params["iters"]))
    blocks = [("positions", pso_positions, pso)]
    x_fpa = prob.initial_point()
    out = {"fpa": prob.objective(x_fpa)}
    out["random20"] = max(prob.objective(prob.random_point(rng)) for _ in range(20))
    apo = apo_positions(prob, x_fpa, options={"grid_step": float(params["grid_step"])})
    out["apo"] = apo.fval
    sol = ma.ao_solve(prob, x_fpa, blocks=blocks, max_iter=2, rng=rng)
    out["ppso"] = sol.fval
    hd = prob.with_(si_db=NO_SI_DB)
    out["hd_fpa"] = 0.5 * hd.objective(x_fpa)
    out["hd_ma"] = 0.5 * ma.ao_solve(hd, x_fpa, blocks=blocks, max_iter=2, rng=rng).fval
    out["exitflag"] = min(sol.exitflag, apo.exitflag) if min(sol.exitflag, apo.exitflag) < 0 else 1
    out["violation"] = max(sol.violation, apo.violation)
    return out


def run(quick=False, trials=None, workers=1, seed=0, out="out/full_duplex", progress=False, checkpoint=None,
        grid=None):
    """Sweep rho; saves e1_ccfd_maxmin.png / .csv (+ _mean.csv) into ``out``; returns the SweepResult."""
    rhos = [-90.0, -75.0, -60.0, -45.0] if quick else [-90.0, -80.0, -70.0, -60.0, -50.0, -40.0]
    fixed = {"particles": 20 if quick else 40, "iters": 30 if quick else 100,
             "grid_step": 0.1 if quick else 0.05}
    points = {"si_db": rhos, **{k: [v] for k, v in fixed.items()}}
    if grid is not None:  # tiny mode for tests: override grid entries, e.g. {"Nt": [2, 4]}
        points = {**points, **grid}
    trials = trials if trials is not None else (10 if quick else 100)
    res = run_sweep(trial, points, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "e1_ccfd_maxmin", x="si_db", keys=KEYS,
               xlabel="residual SI factor rho (dB)", ylabel="max-min rate (bit/s/Hz)",
               title="E1: two-terminal CCFD, max-min rate", labels=LABELS)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/full_duplex")
    print(result.summary(keys=KEYS))
    rho = result.points[len(result.points) // 2]["si_db"]
    print(f"at rho = {rho} dB: PPSO - FPA = {result.mean('ppso', si_db=rho) - result.mean('fpa', si_db=rho):.2f}, "
          f"PPSO - APO = {result.mean('ppso', si_db=rho) - result.mean('apo', si_db=rho):.2f} bit/s/Hz; "
          f"infeasible trials: {result.infeasible()}, failed: {result.failed()}")
    print(f"wrote {a.out}/e1_ccfd_maxmin.png and .csv")
