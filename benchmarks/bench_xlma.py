"""XL-MA placement: Algorithm 1 (LP init + successive replacement) vs exhaustive search, scaling
with the candidate count, closed-form vs Monte Carlo evaluation time, numba vs NumPy correlation.

Tables:
1. 20 seeded small instances (N = 4 of N0 = 18 candidates, random rho / Omega): quality ratio
   F_SR / F_opt (and LP init alone), time ratio t_exhaustive / t_SR.
2. N = 8 subarrays, growing N0 (Scenario A geometry with L = N0 metres, and Scenario C, N0 = 450):
   precomputation, LP, replacement times; exhaustive time where it is feasible.
3. One placement of Scenario A: closed form F, one incremental P2.2 sweep over all candidates,
   and Monte Carlo MRC + MMSE with R = 1000 realizations.
4. The Theorem-1 correlation hot path: numba kernel vs NumPy twin (Scenario C, K = 432, N0 = 450,
   4 x 4 UPA; Scenario A with --quick).
Usage: python benchmarks/bench_xlma.py [--quick]
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

from matoolbox.channels import nearfield as nf
from matoolbox.problems import XlmaPlacementProblem
from matoolbox.solvers import exhaustive_placement, lp_init, successive_replacement


def _timed(fn, *a, **k):
    t0 = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t0


def _median(fn, repeats):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def small_instances(n=20):
    rows = []
    for seed in range(n):
        p = XlmaPlacementProblem.random_small(seed, N=4, Nx=6, Nz=3)
        p._stats  # precompute outside the timings
        init, t_lp = _timed(lp_init, p)
        sr, t_sr = _timed(successive_replacement, p,
                          {"selection": init.x["selection"], "placement": init.output["placement"]})
        opt, t_ex = _timed(exhaustive_placement, p)
        rows.append({"seed": seed, "opt": opt.fval, "sr": sr.fval, "lp": init.fval,
                     "t_alg1": t_lp + t_sr, "t_sr": t_sr, "t_ex": t_ex})
    q = np.array([r["sr"] / r["opt"] for r in rows])
    ql = np.array([r["lp"] / r["opt"] for r in rows])
    t1 = np.array([r["t_alg1"] for r in rows])
    tsr = np.array([r["t_sr"] for r in rows])
    tex = np.array([r["t_ex"] for r in rows])
    print(f"1) {n} random small instances (N = 4, N0 = 18, C(18,4) = {math.comb(18, 4)} subsets)")
    print(f"   SR / optimum: mean {q.mean():.4f}, min {q.min():.4f}, exactly optimal {np.sum(q > 1 - 1e-9)}/{n}")
    print(f"   LP init / optimum: mean {ql.mean():.4f}, min {ql.min():.4f}")
    print(f"   time: exhaustive {np.median(tex) * 1e3:.1f} ms, LP+SR {np.median(t1) * 1e3:.1f} ms "
          f"(SR alone {np.median(tsr) * 1e3:.2f} ms); exhaustive / (LP+SR) = {np.median(tex / t1):.1f}x, "
          f"exhaustive / SR = {np.median(tex / tsr):.0f}x (medians)")
    return rows


def scaling(quick=False):
    Ls = [21, 41, 61, 121] if quick else [21, 31, 61, 121, 241]
    cases = [("A", L) for L in Ls] + ([] if quick else [("C", 450)])
    rows = []
    print("2) N = 8 subarrays, growing candidate count (seconds)")
    print(f"   {'scenario':<9}{'N0':>5}{'K':>5}{'precomp':>9}{'LP':>8}{'SR':>8}{'F':>8}"
          f"{'C(N0,8)':>12}{'exhaust.':>10}{'F_opt':>8}")
    for scen, L in cases:
        if scen == "A":
            p, t_build = _timed(XlmaPlacementProblem.default, L=L)
        else:
            p, t_build = _timed(XlmaPlacementProblem.user_distribution, 3)
        _, t_pre = _timed(lambda: p._stats)
        init, t_lp = _timed(lp_init, p)
        sr, t_sr = _timed(successive_replacement, p,
                          {"selection": init.x["selection"], "placement": init.output["placement"]})
        combos = math.comb(p.N0, p.N)
        t_ex, f_opt = float("nan"), float("nan")
        if combos <= (3e5 if quick else 8e6):
            ex, t_ex = _timed(exhaustive_placement, p)
            f_opt = ex.fval
        row = {"scenario": scen, "N0": p.N0, "K": p.K, "t_precompute": t_build + t_pre, "t_lp": t_lp,
               "t_sr": t_sr, "F": sr.fval, "combinations": combos, "t_exhaustive": t_ex, "F_opt": f_opt}
        rows.append(row)
        print(f"   {scen:<9}{p.N0:>5}{p.K:>5}{row['t_precompute']:>9.3f}{t_lp:>8.3f}{t_sr:>8.4f}{sr.fval:>8.3f}"
              f"{combos:>12.3g}{t_ex:>10.2f}{f_opt:>8.3f}")
    return rows


def evaluation(quick=False):
    p = XlmaPlacementProblem.default()
    sel = np.array([7, 8, 9, 10, 11, 12, 54, 55])
    p.rate(sel)
    t_cf = _median(lambda: p.rate(sel), 200)
    st = p.rate_state(sel)
    t_inc = _median(lambda: st.swap_values(0), 200)
    R = 300 if quick else 1000
    mc, t_mc = _timed(p.simulate, sel, R, 0)
    print(f"3) evaluation of one placement (Scenario A, K = {p.K}, N0 = {p.N0}, N = {p.N}, M = {p.M})")
    print(f"   closed form F: {t_cf * 1e6:.0f} us  (F = {p.rate(sel):.3f})")
    print(f"   incremental P2.2 sweep over {p.N0 - p.N} candidates: {t_inc * 1e6:.0f} us")
    print(f"   Monte Carlo MRC+MMSE, R = {R}: {t_mc:.2f} s  (MRC {mc['mrc']:.3f} +- {mc['mrc_stderr']:.3f}, "
          f"MMSE {mc['mmse']:.3f})")
    print(f"   MC / closed form time ratio: {t_mc / t_cf:.2e}")
    return {"t_closed_form": t_cf, "t_incremental_sweep": t_inc, "t_mc": t_mc, "R": R,
            "F": p.rate(sel), "mrc": mc["mrc"], "mmse": mc["mmse"]}


def kernel(quick=False):
    p = XlmaPlacementProblem.default() if quick else XlmaPlacementProblem.user_distribution(3)
    st = p._stats
    u, ell = st["u"], st["ell"]
    w = p.rho[p.active] * p.gamma
    args = (u[..., 0], u[..., 2], ell, w, p.MH, p.MV, np.pi, np.pi)
    nf.correlation_c(*args)
    reps = 3 if quick else 7
    t_nb = _median(lambda: nf.correlation_c(*args), reps)
    t_np = _median(lambda: nf.correlation_c_numpy(*args), reps)
    a, b = nf.correlation_c(*args), nf.correlation_c_numpy(*args)
    err = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))
    print(f"4) correlation hot path K = {p.active.size}, N0 = {p.N0}, M = {p.MH}x{p.MV}: "
          f"NumPy {t_np * 1e3:.1f} ms, numba {t_nb * 1e3:.1f} ms, speed-up {t_np / t_nb:.1f}x, max rel err {err:.1e}")
    return {"t_numpy": t_np, "t_numba": t_nb, "rel_err": err}


def run(quick=False):
    rows = {"small": small_instances(), "scaling": scaling(quick), "evaluation": evaluation(quick),
            "kernel": kernel(quick)}
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    run(ap.parse_args().quick)
