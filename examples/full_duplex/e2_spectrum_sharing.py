"""E2: movable-antenna spectrum sharing ([Wei]-style): secondary SNR vs the primary interference cap.

A secondary transmitter with N = 4 MAs in a 4-lambda square serves its receiver under caps
|h_k^H w|^2 <= Gamma at K primary receivers. Schemes: MA (AO of the exact SOCP beamformer and
one-antenna-at-a-time grid enumeration, warm-started from the FPA solution, so MA >= FPA) and
FPA (2x2 UPA at lambda/2, SOCP beamformer), for K = 1 and K = 3 primaries. Defaults (spec §6):
P = 30 dBm, noise -80 dBm, receivers 50-100 m away, 5 paths per link, Gamma swept as INR cap.

    python examples/full_duplex/e2_spectrum_sharing.py --quick
"""
from __future__ import annotations

import numpy as np

import matoolbox as ma
from matoolbox.problems import SpectrumSharingProblem
from matoolbox.solvers import spectrum_sharing_beamformer, spectrum_sharing_enumeration
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

KEYS = ["ma_snr_db", "fpa_snr_db"]
LABELS = {"ma_snr_db": "MA (SOCP + enumeration)", "fpa_snr_db": "FPA (SOCP)"}


def _db(v):
    return float(10 * np.log10(max(v, 1e-30)))


def trial(params, rng):
    """One channel draw (shared along the Gamma axis); secondary SNR in dB for MA and FPA."""
    prob = SpectrumSharingProblem.random(rng, n_primary=int(params["K"]),
                                         inr_cap_db=float(params["inr_cap_db"]))
    fpa = ma.ao_solve(prob, blocks=[("precoders", spectrum_sharing_beamformer)], max_iter=1)
    blocks = [("precoders", spectrum_sharing_beamformer),
              ("positions", spectrum_sharing_enumeration, {"grid_step": float(params["grid_step"])})]
    sol = ma.ao_solve(prob, fpa.x, blocks=blocks, max_iter=int(params["ao_iter"]), rng=rng)
    flag = min(sol.exitflag, fpa.exitflag)
    return {"ma_snr_db": _db(sol.fval), "fpa_snr_db": _db(fpa.fval), "gain_db": _db(sol.fval) - _db(fpa.fval),
            "max_inr_db": prob.evaluate(sol.x).get("max_inr_db", float("nan")),
            "violation": sol.violation, "exitflag": flag if flag < 0 else 1}


def run(quick=False, trials=None, workers=1, seed=0, out="out/full_duplex", progress=False, checkpoint=None,
        grid=None):
    """Sweep the INR cap for K = 1, 3; saves e2_spectrum_sharing.png / .csv into ``out``."""
    caps = [-10.0, -5.0, 0.0, 5.0, 10.0]
    fixed = {"grid_step": 0.1 if quick else 0.05, "ao_iter": 10 if quick else 30}
    points = {"inr_cap_db": caps, "K": [1, 3], **{k: [v] for k, v in fixed.items()}}
    if grid is not None:  # tiny mode for tests: override grid entries, e.g. {"Nt": [2, 4]}
        points = {**points, **grid}
    trials = trials if trials is not None else (20 if quick else 200)
    res = run_sweep(trial, points, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "e2_spectrum_sharing", x="inr_cap_db", keys=KEYS,
               xlabel="interference cap Gamma / noise (dB)", ylabel="secondary SNR (dB)",
               title="E2: spectrum sharing, N = 4", labels=LABELS)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/full_duplex")
    print(result.summary(keys=KEYS + ["gain_db"]))
    for K in (1, 3):
        print(f"K = {K}: MA gain over FPA {result.mean('gain_db', K=K, inr_cap_db=-10.0):.2f} dB at -10 dB cap, "
              f"{result.mean('gain_db', K=K, inr_cap_db=10.0):.2f} dB at +10 dB cap")
    print(f"infeasible trials: {result.infeasible()}, failed: {result.failed()}")
    print(f"wrote {a.out}/e2_spectrum_sharing.png and .csv")
