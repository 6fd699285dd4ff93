"""Single-BS RSMA sum rate: the default ``ao_solve`` against a 50-start SLSQP multistart.

The public RSMA beamforming optimizers' demo setting: one BS (N = 1) with I = 4 antennas,
K = 3 single-antenna users, channel entries i.i.d. CN(0, 1), unit noise, SNR 10 and 20 dB,
R_th = 0 (no QoS), ``CompRsmaProblem.from_channel`` (fixed antennas), 20 channels per SNR
(``numpy.random.default_rng(seed)``, seeds 0-19). Per SNR: the ratio AO / multistart (min,
mean) and the number of channels below 0.98, and the time ratio, in one run. Target (issue 22):
AO >= 0.98 x the multistart on every channel.

    python benchmarks/bench_rsma_single_bs.py [--quick]
    matoolbox bench rsma_single_bs [--quick]
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

import matoolbox as ma
from matoolbox.optim import multistart
from matoolbox.problems import CompRsmaProblem


def channel(seed, I=4, K=3):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((K, I)) + 1j * rng.standard_normal((K, I))) / np.sqrt(2)


def run(quick=False, n_channels=None, n_starts=None):
    n_channels = n_channels or (3 if quick else 20)
    n_starts = n_starts or (10 if quick else 50)
    print(f"{'SNR':>4} {'seed':>4} {'MS':>8} {'AO':>8} {'AO/MS':>7} {'t_MS s':>7} {'t_AO s':>7} flag")
    summary = []
    for snr in (10.0, 20.0):
        ratios, t_ao, t_ms = [], 0.0, 0.0
        for seed in range(n_channels):
            p = CompRsmaProblem.from_channel(channel(seed), snr_db=snr, rth=0.0)
            t0 = time.perf_counter()
            ao = ma.ao_solve(p, rng=seed)
            t1 = time.perf_counter()
            ms = multistart(p, n_starts=n_starts, rng=seed)
            t2 = time.perf_counter()
            t_ao, t_ms = t_ao + t1 - t0, t_ms + t2 - t1
            r = ao.fval / ms.fval
            ratios.append(r)
            print(f"{snr:4.0f} {seed:4d} {ms.fval:8.4f} {ao.fval:8.4f} {r:7.4f} {t2 - t1:7.2f} {t1 - t0:7.2f} "
                  f"{ao.exitflag:4d}", flush=True)
        ratios = np.array(ratios)
        summary.append((snr, ratios.min(), ratios.mean(), int(np.sum(ratios < 0.98)), t_ao / t_ms))
    print(f"\n{'SNR':>4} {'min AO/MS':>9} {'mean':>7} {'< 0.98':>6} {'t_AO/t_MS':>9}   "
          f"({n_channels} channels, MS = {n_starts} starts)")
    for snr, mn, me, nb, tr in summary:
        print(f"{snr:4.0f} {mn:9.4f} {me:7.4f} {nb:6d} {tr:9.3f}")
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    run(quick=args.quick)


if __name__ == "__main__":
    main()
