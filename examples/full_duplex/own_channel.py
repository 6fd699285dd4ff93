"""Use your own channel (full duplex, P1): movable Tx/Rx antennas from DL/UL/SI path files, fixed
antennas from the FPA channel matrices.

    python examples/full_duplex/own_channel.py [PATHS_FILE] [MATRICES_FILE] [--out DIR]

PATHS_FILE (.npz): per link ``dl_*``, ``ul_*``, ``si_*`` arrays (gains, theta_t, phi_t, theta_r,
phi_r; L paths each) in the Ma-Zhu-Zhang convention (angles in [0, pi]). MATRICES_FILE
(.mat/.npz/.json): ``h_dl`` (Nt,) row h_D^H, ``h_ul`` (Nr,), ``H_si`` (Nr, Nt) at the FPA layout.
Channels in units of the noise amplitude (SNR form). Without files, small inputs are written first.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.io import savemat

import matoolbox as ma
from matoolbox.channels.paths import Paths
from matoolbox.problems import FullDuplexProblem

_KEYS = ("gains", "theta_t", "phi_t", "theta_r", "phi_r")


def write_example_inputs(folder, seed=0, L=4, Nt=4, Nr=4):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    arrays = {}
    for link, scale in (("dl", 1.0), ("ul", 1.0), ("si", 0.03)):
        arrays[f"{link}_gains"] = scale * (rng.standard_normal(L) + 1j * rng.standard_normal(L)) / np.sqrt(2 * L)
        for k in _KEYS[1:]:
            arrays[f"{link}_{k}"] = rng.uniform(0, np.pi, L)
    np.savez(folder / "my_paths.npz", **arrays)
    c = lambda *s: (rng.standard_normal(s) + 1j * rng.standard_normal(s)) / np.sqrt(2)  # noqa: E731
    savemat(folder / "my_fpa_channels.mat", {"h_dl": c(Nt), "h_ul": c(Nr), "H_si": 0.03 * c(Nr, Nt)})
    return folder / "my_paths.npz", folder / "my_fpa_channels.mat"


def main(paths_file=None, matrices_file=None, out="out/full_duplex/own_channel", snr_db=10.0, max_iter=5):
    out = Path(out)
    if paths_file is None or matrices_file is None:
        ex_p, ex_m = write_example_inputs(out / "inputs")
        paths_file, matrices_file = paths_file or ex_p, matrices_file or ex_m
    with np.load(paths_file, allow_pickle=False) as z:
        links = {link: Paths.from_arrays(*(z[f"{link}_{k}"] for k in _KEYS), convention="mzz")
                 for link in ("dl", "ul", "si")}
    ma_prob = FullDuplexProblem.from_paths(links["dl"], links["ul"], links["si"], snr_db=snr_db)
    fpa_prob = FullDuplexProblem.from_channel(matrices_file, None, None, snr_db=snr_db)
    results = {}
    for name, prob in (("ma_from_paths", ma_prob), ("fpa_from_matrices", fpa_prob)):
        sol = ma.ao_solve(prob, rng=0, max_iter=max_iter)
        prob.to_json(out / f"{name}_instance.json")
        sol.to_mat(out / f"{name}.mat", problem=prob)
        results[name] = {"fval": sol.fval, "exitflag": sol.exitflag, "positions_tx": sol.x["positions_tx"]}
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths_file", nargs="?")
    ap.add_argument("matrices_file", nargs="?")
    ap.add_argument("--out", default="out/full_duplex/own_channel")
    a = ap.parse_args()
    for k, v in main(a.paths_file, a.matrices_file, a.out).items():
        print(f"{k:18s} weighted rate {v['fval']:.3f} bit/s/Hz  exitflag {v['exitflag']}")
