"""Use your own channel (CoMP-RSMA): movable antennas from a path file, fixed antennas from a matrix.

    python examples/comp_rsma/own_channel.py [PATHS_FILE] [CHANNEL_FILE] [--out DIR]

PATHS_FILE (.mat/.npz/.json): ``gains`` (N, K, L) complex, ``theta_t, phi_t, theta_r, phi_r``
(N, K, L) radians, optional ``convention`` ("toolbox", "mzz", "sionna") and ``phase_sign`` (-1 for
exp(-j...) codes). CHANNEL_FILE: ``H`` (K, N*I), row k = h_k^H (BS-major), unit noise (SNR form).
Without files, small example inputs are written first (a MATLAB-style MZZ / exp(-j) path file and
a channel matrix). The instances and solutions are saved (JSON + one .mat struct each).

MA and FPA are compared on the same channel: the path file gives RSMA-MA and, through
``variant("RSMA-FPA")``, the same channel with every user antenna frozen at its region's centre.
A channel matrix fixes the channel at one antenna position, so it can only give an FPA problem;
it is a different channel and is solved on its own (not compared with the path-file results).

exitflag: 1 converged (relative improvement below tol), 0 iteration limit reached (``--max-iter``;
the result is feasible but may still improve), -2 no point meets the rate threshold R_th (the
printed rate is that of an infeasible point), -3 a block solver failed.
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


EXITFLAGS = {1: "converged", 0: "iteration limit reached (raise --max-iter)",
             -2: "INFEASIBLE: no point meets the rate threshold", -3: "a block solver failed"}


def main(paths_file=None, channel_file=None, out="out/comp_rsma/own_channel", snr_db=20.0, I=4, max_iter=3):
    """RSMA-MA and RSMA-FPA on the path file's channel (the same channel: ``variant``), and RSMA-FPA
    on the matrix's (another channel). Returns ``{name: {"fval", "exitflag", "status", "message",
    "positions"}}`` with names ``rsma_ma_from_paths``, ``rsma_fpa_from_paths``, ``rsma_fpa_from_matrix``."""
    out = Path(out)
    if paths_file is None or channel_file is None:
        ex_paths, ex_channel = write_example_inputs(out / "inputs")
        paths_file = paths_file or ex_paths
        channel_file = channel_file or ex_channel
    paths = Paths.load(paths_file)
    ma_prob = CompRsmaProblem.from_paths(paths, I=I, snr_db=snr_db)           # channel follows positions
    problems = {
        "rsma_ma_from_paths": ma_prob,
        "rsma_fpa_from_paths": ma_prob.variant("RSMA-FPA"),                     # same channel, antennas fixed
        "rsma_fpa_from_matrix": CompRsmaProblem.from_channel(channel_file, I=I, snr_db=snr_db),  # the matrix as given
    }
    results = {}
    for name, prob in problems.items():
        sol = ma.ao_solve(prob, rng=0, max_iter=max_iter)
        prob.to_json(out / f"{name}_instance.json")
        sol.to_mat(out / f"{name}.mat", problem=prob)
        results[name] = {"fval": sol.fval, "exitflag": sol.exitflag, "positions": sol.x["positions"],
                         "status": EXITFLAGS.get(sol.exitflag, "see message"), "message": sol.message}
    return results


def report(results) -> str:
    """The printout: one line per problem, the MA / FPA gain on the path file's channel, exitflags explained."""
    lines = []
    for k, v in results.items():
        lines.append(f"{k:22s} sum rate {v['fval']:7.3f} bit/s/Hz  exitflag {v['exitflag']:2d} ({v['status']})")
    a, b = results["rsma_ma_from_paths"], results["rsma_fpa_from_paths"]
    if a["exitflag"] != -2 and b["exitflag"] != -2 and b["fval"] > 0:
        lines.append(f"MA / FPA on the path file's channel: {a['fval'] / b['fval']:.2f}x "
                     f"({a['fval'] - b['fval']:+.3f} bit/s/Hz)")
    else:
        lines.append("MA / FPA on the path file's channel: not compared (an infeasible result)")
    lines.append("rsma_fpa_from_matrix is the channel matrix's own problem (another channel): not compared with the above.")
    lines.append("exitflag: 1 converged, 0 iteration limit (feasible, may improve with more iterations), "
                 "-2 infeasible, -3 block failure")
    return "\n".join(lines)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths_file", nargs="?")
    ap.add_argument("channel_file", nargs="?")
    ap.add_argument("--out", default="out/comp_rsma/own_channel")
    ap.add_argument("--snr-db", type=float, default=20.0)
    ap.add_argument("--max-iter", type=int, default=3, help="AO outer iterations (default 3)")
    a = ap.parse_args()
    print(report(main(a.paths_file, a.channel_file, a.out, a.snr_db, max_iter=a.max_iter)))
