"""Use your own channel (CoMP-RSMA): movable antennas from a path file, fixed antennas from a matrix.

    python examples/comp_rsma/own_channel.py [PATHS_FILE] [CHANNEL_FILE] [--out DIR]

PATHS_FILE (.mat/.npz/.json): ``gains`` (N, K, L) complex, ``theta_t, phi_t, theta_r, phi_r``
(N, K, L) radians, optional ``convention`` ("toolbox", "mzz", "sionna") and ``phase_sign`` (-1 for
exp(-j...) codes). CHANNEL_FILE: ``H`` (K, N*I), row k = h_k^H (BS-major), unit noise (SNR form).
Without files, small example inputs are written first (a MATLAB-style MZZ / exp(-j) path file and
a channel matrix). The instances and solutions are saved (JSON + one .mat struct each).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.io import savemat

import matoolbox as ma
from matoolbox.channels.paths import Paths
from matoolbox.problems import CompRsmaProblem


def write_example_inputs(folder, seed=0):
    """A path file as a MATLAB code would save it (MZZ angles in [0, pi], exp(-j) phases) and a
    unit-variance channel matrix; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    N, K, L, I = 2, 3, 4, 4
    ang = {k: rng.uniform(0, np.pi, (N, K, L)) for k in ("theta_t", "phi_t", "theta_r", "phi_r")}
    gains = (rng.standard_normal((N, K, L)) + 1j * rng.standard_normal((N, K, L))) / np.sqrt(2 * L)
    savemat(folder / "my_paths.mat", {"gains": gains, **ang, "convention": "mzz", "phase_sign": -1.0})
    H = (rng.standard_normal((K, N * I)) + 1j * rng.standard_normal((K, N * I))) / np.sqrt(2)
    savemat(folder / "my_channel.mat", {"H": H})
    return folder / "my_paths.mat", folder / "my_channel.mat"


def main(paths_file=None, channel_file=None, out="out/comp_rsma/own_channel", snr_db=20.0, I=4, max_iter=3):
    """Solve RSMA-MA from the paths and RSMA-FPA from the matrix; returns a dict of results."""
    out = Path(out)
    if paths_file is None or channel_file is None:
        ex_paths, ex_channel = write_example_inputs(out / "inputs")
        paths_file = paths_file or ex_paths
        channel_file = channel_file or ex_channel
    paths = Paths.load(paths_file)
    ma_prob = CompRsmaProblem.from_paths(paths, I=I, snr_db=snr_db)           # channel follows positions
    fpa_prob = CompRsmaProblem.from_channel(channel_file, I=I, snr_db=snr_db)  # the matrix as given
    results = {}
    for name, prob in (("rsma_ma_from_paths", ma_prob), ("rsma_fpa_from_matrix", fpa_prob)):
        sol = ma.ao_solve(prob, rng=0, max_iter=max_iter)
        prob.to_json(out / f"{name}_instance.json")
        sol.to_mat(out / f"{name}.mat", problem=prob)
        results[name] = {"fval": sol.fval, "exitflag": sol.exitflag, "positions": sol.x["positions"]}
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths_file", nargs="?")
    ap.add_argument("channel_file", nargs="?")
    ap.add_argument("--out", default="out/comp_rsma/own_channel")
    ap.add_argument("--snr-db", type=float, default=20.0)
    a = ap.parse_args()
    for k, v in main(a.paths_file, a.channel_file, a.out, a.snr_db).items():
        print(f"{k:24s} sum rate {v['fval']:.3f} bit/s/Hz  exitflag {v['exitflag']}")
