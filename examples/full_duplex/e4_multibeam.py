"""E4: multi-beam forming with a linear MA array ([Ma-MB]-style): max-min beam gain vs array span.

N = 8 antennas in [0, A] (spacing >= lambda/2) form K = 3 beams with gain G(theta_k) >= delta and
keep G(phi_l) <= xi = -20 dB toward L = 2 interference directions, ||w|| <= 1. Schemes: MA (AO of
the SDR + Gaussian-randomisation weights and the SCA QCQP positions; the better of a run
warm-started from the FPA solution and one from the layout spanning [0, A], so MA >= FPA) and FPA
(ULA at lambda/2 centred in [0, A], SDR weights), with the FPA SDR upper bound for reference.
Directions are drawn uniformly in [0, pi].

    python examples/full_duplex/e4_multibeam.py --quick
"""
from __future__ import annotations

import numpy as np

import matoolbox as ma
from matoolbox.problems import MultiBeamProblem
from matoolbox.solvers import multibeam_awv
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

KEYS = ["ma_db", "fpa_db", "fpa_sdr_bound_db"]
LABELS = {"ma_db": "MA (SDR + SCA)", "fpa_db": "FPA (SDR)", "fpa_sdr_bound_db": "SDR bound, weights at FPA"}


def _db(v):
    return float(10 * np.log10(max(v, 1e-30)))


def trial(params, rng):
    """One draw of beam / interference directions (shared along A); max-min gains in dB."""
    prob = MultiBeamProblem.random(rng, region=float(params["A"]), xi_db=float(params["xi_db"]))
    awv = multibeam_awv(prob, prob.initial_point(), rng=rng)
    fpa = ma.ao_solve(prob, awv.x, blocks=[("precoders", multibeam_awv)], max_iter=1, rng=rng)
    warm = ma.ao_solve(prob, fpa.x, max_iter=int(params["ao_iter"]), rng=rng)
    spread = ma.ao_solve(prob, max_iter=int(params["ao_iter"]), rng=rng)   # default start: spread layout
    sol = max((warm, spread), key=lambda s: s.fval if s.violation <= 1e-9 else -np.inf)
    flag = min(sol.exitflag, fpa.exitflag)
    return {"ma_db": _db(sol.fval), "fpa_db": _db(fpa.fval),
            "fpa_sdr_bound_db": _db(awv.output.get("block_sdr_bound", float("nan"))),
            "gain_db": _db(sol.fval) - _db(fpa.fval), "violation": sol.violation,
            "ma_from_fpa_db": _db(warm.fval), "ma_from_spread_db": _db(spread.fval),
            "max_null_db": _db(float(prob.null_gains(sol.x).max())),
            "exitflag": flag if flag < 0 else 1}


def run(quick=False, trials=None, workers=1, seed=0, out="out/full_duplex", progress=False, checkpoint=None,
        grid=None):
    """Sweep the span A (wavelengths); saves e4_multibeam.png / .csv into ``out``; returns the SweepResult."""
    fixed = {"xi_db": -20.0, "ao_iter": 8 if quick else 30}
    points = {"A": [4.0, 7.0, 10.0] if quick else [4.0, 5.0, 6.0, 8.0, 10.0], **{k: [v] for k, v in fixed.items()}}
    if grid is not None:  # tiny mode for tests: override grid entries, e.g. {"Nt": [2, 4]}
        points = {**points, **grid}
    trials = trials if trials is not None else (5 if quick else 100)
    res = run_sweep(trial, points, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "e4_multibeam", x="A", keys=KEYS, xlabel="array span A (wavelengths)",
               ylabel="max-min beam gain (dB)", title="E4: 3 beams, 2 nulls at -20 dB, N = 8",
               labels=LABELS)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/full_duplex")
    print(result.summary(keys=KEYS + ["gain_db"]))
    print(f"MA gain over FPA at A = 10: {result.mean('gain_db', A=10.0):.2f} dB; "
          f"infeasible trials: {result.infeasible()}, failed: {result.failed()}")
    print(f"wrote {a.out}/e4_multibeam.png and .csv")
