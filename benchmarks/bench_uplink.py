"""Two-timescale MA uplink: PGA solve times, closed-form ZF surrogate vs Monte Carlo, MA-vs-FPA gap.

1. Time per PGA solve (single start from FPA, and the multi-start AO block: FPA + spread + 3
   random starts) for each receiver, at the defaults (M=8, K=4, D=6) and at M=32, K=8 (D=24,
   theta = 55..125 deg).
2. Time of one closed-form ZF surrogate (9) vs one Monte Carlo estimate of the ergodic ZF rate
   (S = 10^4 samples), with both values.
3. Ergodic rates (MC, 2*10^4 fresh samples) of MA (designed for each receiver) vs FPA at the defaults.

Usage: python benchmarks/bench_uplink.py [--quick]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import matoolbox as ma
from matoolbox.problems import UplinkTwoTimescaleProblem
from matoolbox.solvers import pga

RECEIVERS = ("zf", "mmse", "mmse_sic")


def _median_time(fn, repeats):
    ts, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), out


def _settings():
    return {"M=8,K=4": {},
            "M=32,K=8": {"M": 32, "K": 8, "D": 24.0,
                         "theta": tuple(np.deg2rad(np.linspace(55.0, 125.0, 8)).tolist())}}


def run(quick=False):
    repeats = 3 if quick else 7
    rows = []
    print("1) PGA solve time per receiver (median of %d runs, 2-core sandbox)" % repeats)
    print(f"{'setting':<10}{'receiver':<10}{'single ms':>10}{'iters':>7}{'multi ms':>10}"
          f"{'f(FPA)':>9}{'f(MA)':>9}{'bound':>9}")
    for name, kw in _settings().items():
        for r in RECEIVERS:
            n_saa = 200
            prob = UplinkTwoTimescaleProblem(receiver=r, n_saa=n_saa, **kw)
            prob.objective(prob.initial_point())          # draw the SAA samples outside the timing
            opts = prob.pga_options(starts=())
            t1, s1 = _median_time(lambda: pga(prob, prob.initial_point(), options=opts), repeats)
            blk = prob.ao_blocks()[0]
            tm, sm = _median_time(lambda: blk.solver(prob, prob.initial_point(), options=blk.options,
                                                     rng=np.random.default_rng(0)), repeats)
            f0 = prob.objective(prob.initial_point())
            bound = prob.surrogate_upper_bound()
            rows.append({"part": "pga", "setting": name, "receiver": r, "single_ms": 1e3 * t1,
                         "iterations": s1.nit, "multi_ms": 1e3 * tm, "f_fpa": f0, "f_ma": sm.fval,
                         "bound": bound, "n_saa": n_saa})
            print(f"{name:<10}{r:<10}{1e3 * t1:>10.1f}{s1.nit:>7d}{1e3 * tm:>10.1f}{f0:>9.3f}"
                  f"{sm.fval:>9.3f}{bound:>9.3f}")

    print("\n2) closed-form ZF surrogate vs Monte Carlo ergodic ZF rate (defaults, FPA and MA layout)")
    prob = UplinkTwoTimescaleProblem()
    ma_pos = pga(prob, prob.initial_point(), options=prob.pga_options(starts=())).x["positions"]
    S = 10_000
    print(f"{'layout':<8}{'closed-form us':>15}{'MC ms (S=%d)' % S:>18}{'ratio':>9}{'surrogate':>11}{'MC':>9}")
    for lname, pos in (("FPA", prob.fpa_positions()), ("MA", ma_pos)):
        x = {"positions": pos}
        tc, fc = _median_time(lambda: prob.objective(x), 50 if quick else 200)
        tmc, mc = _median_time(lambda: prob.ergodic_rates(pos, n_samples=S, rng=1, receivers=("zf",)), repeats)
        rows.append({"part": "zf_closed_form_vs_mc", "layout": lname, "closed_form_us": 1e6 * tc,
                     "mc_ms": 1e3 * tmc, "ratio": tmc / tc, "surrogate": fc, "mc": mc["zf"],
                     "mc_stderr": mc["zf_stderr"]})
        print(f"{lname:<8}{1e6 * tc:>15.1f}{1e3 * tmc:>18.2f}{tmc / tc:>8.0f}x{fc:>11.3f}{mc['zf']:>9.3f}")

    n_eval = 5_000 if quick else 20_000
    print(f"\n3) ergodic sum rate, MA (designed per receiver, ao_solve) vs FPA, defaults, S_eval = {n_eval}")
    print(f"{'receiver':<10}{'MA':>9}{'FPA':>9}{'gap':>8}{'stderr':>8}")
    for r in RECEIVERS:
        p = UplinkTwoTimescaleProblem(receiver=r, n_eval=n_eval)
        sol = ma.ao_solve(p, rng=0)
        m, f = sol.output["ergodic"][r], sol.output["ergodic_fpa"][r]
        rows.append({"part": "gap", "receiver": r, "ma": m, "fpa": f, "gap": m - f,
                     "stderr": sol.output["ergodic"][r + "_stderr"]})
        print(f"{r:<10}{m:>9.3f}{f:>9.3f}{m - f:>8.3f}{sol.output['ergodic'][r + '_stderr']:>8.3f}")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    run(quick=ap.parse_args().quick)
