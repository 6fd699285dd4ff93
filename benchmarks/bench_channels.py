"""Batched field-response channel + position gradient: numba kernel vs its NumPy twin.

PSO-sized batch: 1,000 position sets, K=4 users, N=2 BSs x I=4 antennas, L=Q=6 paths.
Prints a table (median of repeated runs) and the ratio. Usage: python benchmarks/bench_channels.py [--quick]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from matoolbox.channels import field_response as fr


def _median_time(fn, repeats):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def setup(B=1000, K=4, N=2, I=4, L=6, lam=0.01, seed=0):
    rng = np.random.default_rng(seed)
    W = np.zeros((K, N * L, 2))
    C = np.zeros((K, N * L, N * I), complex)
    for k in range(K):
        for n in range(N):
            Wt = fr.directions(*fr.random_angles(rng, L))
            Wr = fr.directions(*fr.random_angles(rng, L))
            G = fr.field_response_matrix(Wt, fr.ula_positions(I, lam / 2), lam)
            W[k, n * L:(n + 1) * L] = Wr
            C[k, n * L:(n + 1) * L, n * I:(n + 1) * I] = fr.random_prm(rng, L) @ G
    pos = rng.uniform(-lam, lam, (B, K, 2))
    return W, C, pos, lam


def run(quick=False):
    W, C, pos, lam = setup()
    repeats = 7 if quick else 31
    fr.steer_sum_grad(W, C, pos, lam)  # compile / load cache
    fr.steer_sum(W, C, pos, lam)
    rows = []
    for name, nb_fn, np_fn in [("channel", fr.steer_sum, fr.steer_sum_numpy),
                               ("channel+gradient", fr.steer_sum_grad, fr.steer_sum_grad_numpy)]:
        t_nb = _median_time(lambda: nb_fn(W, C, pos, lam), repeats)
        t_np = _median_time(lambda: np_fn(W, C, pos, lam), repeats)
        a, b = nb_fn(W, C, pos, lam), np_fn(W, C, pos, lam)
        a, b = (a, b) if name == "channel" else (a[1], b[1])
        err = float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
        rows.append((name, t_np * 1e3, t_nb * 1e3, t_np / t_nb, err))
    print(f"batch B={pos.shape[0]}, K={pos.shape[1]}, N*I={C.shape[2]}, N*L={W.shape[1]}; "
          f"median of {repeats} runs")
    print(f"{'kernel':<18}{'numpy ms':>10}{'numba ms':>10}{'speed-up':>10}{'max rel err':>13}")
    for r in rows:
        print(f"{r[0]:<18}{r[1]:>10.3f}{r[2]:>10.3f}{r[3]:>9.1f}x{r[4]:>13.1e}")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    run(ap.parse_args().quick)
