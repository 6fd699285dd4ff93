"""Sweep harness: speed-up of 2 loky workers over 1 on a CPU-bound sweep, and per-trial overhead.

CPU-bound trial: projected gradient ascent of a movable-antenna channel gain
|sum_l g_l exp(j 2 pi x_m cos(theta_l) / lambda)|^2 over M=4 positions (small NumPy arrays, one
thread). Overhead: a trivial trial through ``run_sweep`` (serial, serial + checkpoint with fsync,
2 workers) against a plain loop calling the same trial with the same generators. On a shared
machine the 2-worker speed-up is bounded by the free cores, so the same trials are also timed in a
plain loop and in 2 bare ``concurrent.futures`` processes (the machine's ceiling right now).
Usage: python benchmarks/bench_sweep.py [--quick]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from matoolbox.sweep import run_sweep


def pga_trial(params, rng):
    """Gradient ascent on sum_m |h(x_m)|^2 with h(x) = sum_l g_l exp(j k x cos theta_l)."""
    L, M, lam = 8, 4, 1.0
    k = 2 * np.pi / lam
    g = (rng.standard_normal(L) + 1j * rng.standard_normal(L)) / np.sqrt(2 * L)
    c = np.cos(rng.uniform(0, np.pi, L))
    x = rng.uniform(0, params["A"], M)
    for _ in range(params["iters"]):
        e = g[None, :] * np.exp(1j * k * x[:, None] * c[None, :])        # (M, L)
        h = e.sum(axis=1)
        grad = 2 * np.real(np.conj(h) * (1j * k * (e * c[None, :]).sum(axis=1)))
        x = np.clip(x + 0.01 * grad, 0.0, params["A"])
    gain = float(np.sum(np.abs((g[None, :] * np.exp(1j * k * x[:, None] * c[None, :])).sum(1)) ** 2))
    return {"gain": gain}


def trivial_trial(params, rng):
    return {"x": float(rng.random())}


def _seeded_pga(args):
    params, seedseq = args
    return pga_trial(params, np.random.default_rng(seedseq))


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run(quick=False):
    n_cpu_trials = 24 if quick else 40
    repeats = 3 if quick else 7
    n_tiny = 200 if quick else 1000
    grid = {"A": [2.0, 4.0], "iters": [6000]}
    per_point = n_cpu_trials // 2
    run_sweep(trivial_trial, {"p": [0]}, 4, seed=0, workers=2, progress=False)   # start the pool

    # machine ceiling: the same trials without the harness, in a loop and in 2 bare processes
    jobs = [({"A": a, "iters": grid["iters"][0]}, s) for a in grid["A"]
            for s in np.random.SeedSequence(0).spawn(per_point)]
    t1 = t2 = b1 = b2 = np.inf
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_seeded_pga, jobs[:2]))
        for _ in range(repeats):              # interleaved, best of `repeats` (shared machine)
            dt, r1 = _timed(lambda: run_sweep(pga_trial, grid, per_point, seed=0, workers=1, progress=False))
            t1 = min(t1, dt)
            dt, r2 = _timed(lambda: run_sweep(pga_trial, grid, per_point, seed=0, workers=2, progress=False))
            t2 = min(t2, dt)
            dt, base = _timed(lambda: [_seeded_pga(j) for j in jobs])
            b1 = min(b1, dt)
            dt, _ = _timed(lambda: list(pool.map(_seeded_pga, jobs, chunksize=1)))
            b2 = min(b2, dt)
    same = [r["gain"] for r in r1.rows] == [r["gain"] for r in r2.rows] == [o["gain"] for o in base]
    work = float(np.mean([r["elapsed"] for r in r1.rows]))

    tiny = {"p": [0, 1]}
    children = np.random.SeedSequence(0).spawn(n_tiny // 2)
    t_loop, _ = _timed(lambda: [trivial_trial({"p": p}, np.random.default_rng(s))
                                for p in tiny["p"] for s in children])
    t_ser, _ = _timed(lambda: run_sweep(trivial_trial, tiny, n_tiny // 2, seed=0, progress=False))
    with tempfile.TemporaryDirectory() as d:
        ck = Path(d) / "ck.jsonl"
        t_ck, _ = _timed(lambda: run_sweep(trivial_trial, tiny, n_tiny // 2, seed=0, checkpoint=ck,
                                           progress=False))
        t_res, res = _timed(lambda: run_sweep(trivial_trial, tiny, n_tiny // 2, seed=0, checkpoint=ck,
                                              progress=False))
    t_par, _ = _timed(lambda: run_sweep(trivial_trial, tiny, n_tiny // 2, seed=0, workers=2, progress=False))

    rows = [
        ("CPU-bound, plain loop (no harness)", n_cpu_trials, b1, b1 / n_cpu_trials * 1e3, 1.0),
        ("CPU-bound, 2 bare processes (ceiling)", n_cpu_trials, b2, b2 / n_cpu_trials * 1e3, b1 / b2),
        ("CPU-bound sweep, 1 worker", n_cpu_trials, t1, t1 / n_cpu_trials * 1e3, 1.0),
        ("CPU-bound sweep, 2 workers (loky)", n_cpu_trials, t2, t2 / n_cpu_trials * 1e3, t1 / t2),
        ("trivial trial, plain loop", n_tiny, t_loop, t_loop / n_tiny * 1e3, None),
        ("trivial trial, run_sweep serial", n_tiny, t_ser, t_ser / n_tiny * 1e3, None),
        ("trivial trial, serial + checkpoint", n_tiny, t_ck, t_ck / n_tiny * 1e3, None),
        ("trivial trial, resume from checkpoint", n_tiny, t_res, t_res / n_tiny * 1e3, None),
        ("trivial trial, 2 workers (loky)", n_tiny, t_par, t_par / n_tiny * 1e3, None),
    ]
    print(f"CPU-bound trial: {work * 1e3:.1f} ms each, best of {repeats} interleaved runs; loop, serial "
          f"and 2-worker results identical: {same}; 1-min load average: {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores")
    print(f"{'configuration':<40}{'trials':>7}{'wall s':>9}{'ms/trial':>10}{'speed-up':>10}")
    for name, n, t, per, sp in rows:
        print(f"{name:<40}{n:>7}{t:>9.3f}{per:>10.3f}{'' if sp is None else f'{sp:.2f}x':>10}")
    print(f"2-worker speed-up of run_sweep {t1 / t2:.2f}x vs {b1 / b2:.2f}x for bare processes on this "
          f"machine now ({(t1 / t2) / (b1 / b2):.0%} of the ceiling)")
    print(f"harness overhead per trial: serial {(t_ser - t_loop) / n_tiny * 1e6:.0f} us, "
          f"with checkpoint (fsync) {(t_ck - t_loop) / n_tiny * 1e6:.0f} us "
          f"(resumed {res.n_resumed} of {n_tiny} trials)")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    run(ap.parse_args().quick)
