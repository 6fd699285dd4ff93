"""MA MIMO capacity (Ma, Zhu, Zhang 2024): capacity vs region side A for MA, TMA, RMA and FPA.

N = M = 4 MAs per side, Lt = Lr = 10 paths (Ma-Zhu-Zhang statistics: sin(theta)/(2 pi) angle
density, a LoS-like first path with kappa = 1), SNR 15 dB, minimum spacing lambda/2, square
regions [-A/2, A/2]^2. A trial is one channel draw shared by every A and scheme (common random
numbers); every scheme runs the default ``ao_solve``: a screened start (the FPA point and 256
random feasible layouts scored with water-filling, the best 2 given one AO iteration), then
water-filling + per-antenna grid search and gradient polish of the movable side(s) on the value
function max_Q C. FPA is water-filling at the centred 2 x 2 UPA with spacing lambda/2 (it does not
depend on A). ``gain_*`` are the per-trial differences to FPA.

    python examples/mimo_capacity/capacity_vs_region.py --quick
"""
from __future__ import annotations

import matoolbox as ma
from matoolbox.problems import MimoCapacityProblem
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

SCHEMES = ("MA", "TMA", "RMA", "FPA")
KEYS = ["cap_ma", "cap_tma", "cap_rma", "cap_fpa"]
LABELS = {"cap_ma": "MA (Tx + Rx)", "cap_tma": "TMA (Tx MAs only)", "cap_rma": "RMA (Rx MAs only)",
          "cap_fpa": "FPA (UPA, spacing λ/2)"}


def trial(params, rng):
    """Capacity of every scheme on one channel draw at region side A (bit/s/Hz)."""
    seed = int(rng.integers(2**31))
    prob = MimoCapacityProblem.random(seed=seed, L=int(params["L"]), A=float(params["A"]),
                                      snr_db=float(params["snr_db"]))
    out = {"exitflag": 1}
    for s in SCHEMES:
        sol = ma.ao_solve(prob.variant(s), rng=rng)
        out[f"cap_{s.lower()}"] = sol.fval
        out["exitflag"] = min(out["exitflag"], sol.exitflag)
    for s in SCHEMES[:3]:
        out[f"gain_{s.lower()}"] = out[f"cap_{s.lower()}"] - out["cap_fpa"]
    return out


def run(quick=False, trials=None, workers=1, seed=0, out="out/mimo_capacity", progress=False, checkpoint=None,
        grid=None):
    """Sweep A; saves capacity_vs_region.png / .csv into ``out``; returns the SweepResult."""
    grid = {"A": [1.0, 2.0, 3.0, 4.0], "L": [10], "snr_db": [15.0], **(grid or {})}
    trials = trials if trials is not None else (4 if quick else 50)
    res = run_sweep(trial, grid, trials, seed, workers=workers, progress=progress, checkpoint=checkpoint)
    save_sweep(res, out, "capacity_vs_region", x="A", keys=KEYS, labels=LABELS,
               xlabel="region side A / wavelength", ylabel="capacity (bit/s/Hz)",
               title="MIMO capacity vs region size (N = M = 4, L = 10, 15 dB)")
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/mimo_capacity")
    print(result.summary(keys=KEYS + ["gain_ma", "gain_tma", "gain_rma"]))
    print(f"wrote {a.out}/capacity_vs_region.png and .csv")
