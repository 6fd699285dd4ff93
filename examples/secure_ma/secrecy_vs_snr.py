"""Secure MA downlink (Cheng, Zhao, Ouyang, Zhang 2026): secrecy sum rate vs SNR, MA vs FPA.

M = 6 MAs in a 3 lambda x 3 lambda square (spacing lambda/2), K = 3 users, J = 3 colluding
eavesdroppers, LoS + 3 NLoS paths per link (CN(0, 1) and CN(0, 0.01), angles U[0, pi]), unit
noise, SNR = P from -10 to 20 dB. A trial is one channel draw shared by every SNR and scheme. MA:
the default ``ao_solve`` (precoders by gradient ascent that first climbs the unclipped sum of the
secrecy terms, then the secrecy sum rate; positions by per-antenna grid search and gradient
polish; then a joint SLSQP step) from the best of 13 joint SLSQP solves (the centred ULA and 12
random layouts); FPA: the same precoder step at the centred ULA (one start); MRT at the ULA: the
paper's start. ``gain_ma`` is the per-trial MA - FPA difference.

    python examples/secure_ma/secrecy_vs_snr.py --quick
"""
from __future__ import annotations

import matoolbox as ma
from matoolbox.problems import SecureMaProblem
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

KEYS = ["rs_ma", "rs_fpa", "rs_mrt"]
LABELS = {"rs_ma": "MA (precoders + positions)", "rs_fpa": "FPA (centred ULA, precoders optimised)",
          "rs_mrt": "MRT at the FPA"}


def trial(params, rng):
    """Secrecy sum rate of MA, FPA and MRT on one draw at one SNR (bit/s/Hz)."""
    seed = int(rng.integers(2**31))
    prob = SecureMaProblem.random(seed=seed, M=int(params["M"]), K=int(params["K"]), J=int(params["J"]),
                                  snr_db=float(params["snr_db"]))
    ma_sol = ma.ao_solve(prob, rng=rng)
    fpa_sol = ma.ao_solve(prob.variant("FPA"), rng=rng)
    start = prob.fpa_point()
    return {"rs_ma": ma_sol.fval, "rs_fpa": fpa_sol.fval, "rs_mrt": prob.objective(start),
            "gain_ma": ma_sol.fval - fpa_sol.fval, "exitflag": min(ma_sol.exitflag, fpa_sol.exitflag)}


def run(quick=False, trials=None, workers=1, seed=0, out="out/secure_ma", progress=False, checkpoint=None,
        grid=None):
    """Sweep the SNR; saves secrecy_vs_snr.png / .csv into ``out``; returns the SweepResult."""
    snrs = [-10.0, 0.0, 10.0, 20.0] if quick else [-10.0, -5.0, 0.0, 5.0, 10.0, 15.0, 20.0]
    grid = {"snr_db": snrs, "M": [6], "K": [3], "J": [3], **(grid or {})}
    trials = trials if trials is not None else (4 if quick else 50)
    res = run_sweep(trial, grid, trials, seed, workers=workers, progress=progress, checkpoint=checkpoint)
    save_sweep(res, out, "secrecy_vs_snr", x="snr_db", keys=KEYS, labels=LABELS, xlabel="SNR P / noise (dB)",
               ylabel="secrecy sum rate (bit/s/Hz)", title="Secrecy sum rate vs SNR (M = 6, K = J = 3, A = 3λ)")
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/secure_ma")
    print(result.summary(keys=KEYS + ["gain_ma"]))
    print(f"wrote {a.out}/secrecy_vs_snr.png and .csv")
