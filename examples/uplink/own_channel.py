"""Use your own channel (two-timescale uplink): a movable array from LoS angles + Rician factors
(or a path file), a fixed array from a LoS matrix.

    python examples/uplink/own_channel.py [ANGLES_FILE] [LOS_FILE] [--out DIR]

ANGLES_FILE (.mat/.npz/.json): ``theta`` (K,) LoS angles of arrival in [0, pi] (array on the x
axis) with ``rician`` (K,) and optional ``beta`` (K,), or path arrays (``gains``, ``theta_t``, ...
with links (K,): strongest path = LoS). LOS_FILE: ``los`` (M, K) at x_m = (m-1) lambda/2.
Without files, small example inputs are written first. Unit noise (SNR form).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import matoolbox as ma
from matoolbox.problems import UplinkTwoTimescaleProblem


def write_example_inputs(folder, seed=0, M=6):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    theta = np.sort(rng.uniform(0.3, np.pi - 0.3, 3))
    np.savez(folder / "my_users.npz", theta=theta, rician=np.array([10.0, 5.0, 2.0]))
    x = 0.5 * np.arange(M)                                    # fixed layout, spacing lambda/2 (lambda = 1)
    los = np.exp(1j * 2 * np.pi * np.outer(x, np.cos(theta + rng.normal(0, 0.05, 3))))
    np.savez(folder / "my_los.npz", los=los)
    return folder / "my_users.npz", folder / "my_los.npz"


def main(angles_file=None, los_file=None, out="out/uplink/own_channel", snr_db=10.0, M=6):
    out = Path(out)
    if angles_file is None or los_file is None:
        ex_a, ex_l = write_example_inputs(out / "inputs", M=M)
        angles_file, los_file = angles_file or ex_a, los_file or ex_l
    data = dict(np.load(los_file, allow_pickle=False)) if str(los_file).endswith(".npz") else None
    ma_prob = UplinkTwoTimescaleProblem.from_paths(angles_file, snr_db=snr_db, M=M, n_saa=50)
    rician = ma_prob.rician
    fpa_prob = UplinkTwoTimescaleProblem.from_channel(los_file if data is None else data["los"], rician=rician,
                                                      snr_db=snr_db)
    results = {}
    for name, prob in (("ma_from_angles", ma_prob), ("fpa_from_los_matrix", fpa_prob)):
        sol = ma.ao_solve(prob, rng=0)
        prob.to_json(out / f"{name}_instance.json")
        sol.to_mat(out / f"{name}.mat", problem=prob)
        results[name] = {"fval": sol.fval, "exitflag": sol.exitflag, "positions": sol.x["positions"]}
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("angles_file", nargs="?")
    ap.add_argument("los_file", nargs="?")
    ap.add_argument("--out", default="out/uplink/own_channel")
    a = ap.parse_args()
    for k, v in main(a.angles_file, a.los_file, a.out).items():
        print(f"{k:22s} surrogate {v['fval']:.3f} bit/s/Hz  exitflag {v['exitflag']}  x = {np.round(v['positions'], 3)}")
