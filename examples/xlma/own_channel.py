"""Use your own geometry (XL-MA): placement over your candidate positions for your user points,
and a fixed array at your subarray positions.

    python examples/xlma/own_channel.py [SCENE_FILE] [--out DIR]

SCENE_FILE (.mat/.npz/.json): ``users`` (K, 3) points (y > 0), ``rho`` (K,) activation
probabilities, ``candidates`` (N0, 3) subarray centres on the plane y = 0, optional ``obstacles``
(O, 6) boxes [cx, cy, cz, sx, sy, sz], ``omega`` (K, N0) LoS visibility, ``positions`` (N, 3) of a
fixed array. Without a file a small scene is written first.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import matoolbox as ma
from matoolbox.problems import XlmaPlacementProblem


def write_example_inputs(folder, seed=0):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    users = np.stack([rng.uniform(-15, 15, 12), rng.uniform(5, 25, 12), np.full(12, 1.5)], axis=1)
    cand = np.stack([np.linspace(-9.5, 9.5, 20), np.zeros(20), np.full(20, 4.0)], axis=1)
    scene = {"users": users.tolist(), "rho": rng.uniform(0.2, 0.8, 12).tolist(), "candidates": cand.tolist(),
             "obstacles": [[0.0, 10.0, 2.0, 4.0, 1.0, 4.0]],
             "positions": cand[[8, 9, 10, 11]].tolist()}
    (folder / "my_scene.json").write_text(json.dumps(scene))
    return folder / "my_scene.json"


def main(scene_file=None, out="out/xlma/own_channel", N=4, MH=4, snr_db=80.0):
    out = Path(out)
    scene_file = scene_file or write_example_inputs(out / "inputs")
    ma_prob = XlmaPlacementProblem.from_paths(scene_file, N=N, MH=MH, snr_db=snr_db)
    data = json.loads(Path(scene_file).read_text()) if str(scene_file).endswith(".json") else None
    fixed = np.asarray(data["positions"]) if data else ma_prob.candidates[: N]
    fpa_prob = XlmaPlacementProblem.from_channel(fixed, users=ma_prob.grid_centres, rho=ma_prob.rho,
                                                 obstacles=ma_prob.obstacles, MH=MH, snr_db=snr_db)
    results = {}
    for name, prob in (("ma_placement", ma_prob), ("fixed_array", fpa_prob)):
        sol = ma.ao_solve(prob, rng=0)
        prob.to_json(out / f"{name}_instance.json")
        sol.to_mat(out / f"{name}.mat", problem=prob)
        results[name] = {"fval": sol.fval, "exitflag": sol.exitflag,
                         "positions": prob.candidates[np.asarray(sol.x["selection"], int)]}
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scene_file", nargs="?")
    ap.add_argument("--out", default="out/xlma/own_channel")
    a = ap.parse_args()
    for k, v in main(a.scene_file, a.out).items():
        print(f"{k:14s} expected weighted sum rate {v['fval']:.3f} bit/s/Hz  exitflag {v['exitflag']}")
