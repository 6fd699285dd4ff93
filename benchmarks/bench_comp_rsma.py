"""CoMP-RSMA solvers at scale: AO with the closed-form FP precoder block against AO with the SCA
block, GML and the multistart SLSQP reference, and the RSMA-MA vs SDMA-MA AO time.

Part 1 (scaling): RSMA-MA, N = 2 BSs, K in {4, 8, 12, 16} users with I = 4, 4, 6, 8 antennas per
BS, ``--instances`` seeded draws per K (default 3; quick: 1). Per method: mean wall time, mean
``time.process_time()``, exitflags and the quality ratio V / V_best (V_best = the best value any
method found on that instance). Methods: AO-FP (``ma.ao_solve(problem)``, the default blocks), AO-SCA
(``problem.ao_blocks(precoders="sca")``), GML (``gml_solve``, default options) and multistart-20
(``multistart(problem, n_starts=20)``, random starts; quick: 3). Target: AO-FP converges (exitflag
1) in <= 3 s at K = 16 on 2 cores, with V_AO-FP >= V_AO-SCA.

Part 2 (K = 32, I = 16): what each method reaches within a wall-time budget (60 s; quick: 10 s):
AO-FP stopped by its callback, GML stopped by its callback, multistart run one start at a time
until the budget is spent (a start that began before the deadline runs to its end). AO-SCA is not run there: its CVXPY subproblem at K = 32 (NI = 32,
33 streams) takes longer than the budget to compile and solve once (measured at K = 16: 5-12 s
per SCA block on the shared 2-core machine, and ~10 GB resident memory after K = 16).

Part 3: RSMA-MA vs SDMA-MA AO wall time on the default instance (seed 0) and mean over seeds 0-4.
Target: RSMA-MA <= 2x SDMA-MA.

Part 4 (issue 24): K = 16, I = 8, N = 2 (``CompRsmaProblem.random(seed=s, K=16, I=8)``, s = 1..5):
the default ``ao_solve`` against the default ``gml_solve`` on the same instance, one after the
other in one run: wall-time ratio AO/GML, value ratio, exitflags. Target: AO time <= GML time at
a value >= GML's, exitflag 1, on every seed.

Part 5 (issue 24): the reference's start count. The figure scripts' "RSMA-MA ref" uses 20 random
starts (plus warm starts); the paper's fmincon used 100. On fig. 3-like draws (default instance,
R_th = 0.6, P_M in {25, 31, 37} dBm, coherent and paper models, ``--instances`` draws per point,
default 3; quick: 1 draw at 31 dBm) one 100-start ``multistart`` run, warm-started from the
default AO's RSMA-MA solution, gives both counts (its start set is nested: the best after the warm
start and the first 20 random starts is the 20-start reference's value): V20, V100, the relative
gap V100 / V20 - 1, and the same for the random starts alone (no warm start: the paper's setting).

    python benchmarks/bench_comp_rsma.py [--quick] [--instances N] [--part 1,2,3,4,5]
"""
from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

import matoolbox as ma
from matoolbox.gml import GmlOptions, gml_solve
from matoolbox.optim.multistart import multistart
from matoolbox.problems import CompRsmaProblem

SIZES = ((4, 4), (8, 4), (12, 6), (16, 8))
METHODS = ("AO-FP", "AO-SCA", "GML", "MS-20")


def _timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def _deadline(budget):
    t_end = time.perf_counter() + budget
    return lambda *args: time.perf_counter() >= t_end


def solve(method, prob, seed, n_starts=20, budget=None):
    """Run one method; returns (value, exitflag)."""
    stop = _deadline(budget) if budget is not None else None
    if method == "AO-FP":
        s = ma.ao_solve(prob, rng=seed, callback=stop, max_iter=200 if budget else None)
    elif method == "AO-SCA":
        s = ma.ao_solve(prob, blocks=prob.ao_blocks(precoders="sca"), rng=seed, callback=stop,
                        max_iter=200 if budget else None)
    elif method == "GML":
        s = gml_solve(prob, GmlOptions(), rng=seed, callback=stop)
    elif budget is None:
        s = multistart(prob, n_starts=n_starts, rng=seed)
    else:
        best, flag, rng, t_end = -np.inf, -2, np.random.default_rng(seed), time.perf_counter() + budget
        while time.perf_counter() < t_end:
            one = multistart(prob, x0=prob.random_point(rng), n_starts=0, rng=rng)
            if one.exitflag == 1 and one.fval > best:
                best, flag = one.fval, 1
        return best, flag
    return (s.fval if s.exitflag != -2 else -np.inf), s.exitflag


def scaling(n_instances=3, n_starts=20, sizes=SIZES):
    """Part 1 rows: one dict per (K, instance, method)."""
    rows = []
    for K, I in sizes:
        for i in range(n_instances):
            prob = CompRsmaProblem.random(seed=100 * K + i, K=K, I=I)
            for m in METHODS:
                (v, flag), wall, cpu = _timed(lambda: solve(m, prob, i, n_starts))
                rows.append({"K": K, "I": I, "instance": i, "method": m, "value": v, "exitflag": flag,
                             "wall": wall, "cpu": cpu})
    return rows


def big(budget=60.0, K=32, I=16, seed=0):
    """Part 2 rows: value reached within ``budget`` seconds, one dict per method."""
    prob = CompRsmaProblem.random(seed=seed, K=K, I=I)
    rows = []
    for m in METHODS:
        if m == "AO-SCA":          # one CVXPY SCA block alone overruns the budget at this size
            rows.append({"method": m, "value": np.nan, "exitflag": None, "wall": np.nan, "cpu": np.nan})
            continue
        (v, flag), wall, cpu = _timed(lambda: solve(m, prob, seed, budget=budget))
        rows.append({"method": m, "value": v, "exitflag": flag, "wall": wall, "cpu": cpu})
    return rows


def rsma_vs_sdma(seeds=range(5)):
    """Part 3 rows: AO wall/CPU time of RSMA-MA and SDMA-MA per seed."""
    rows = []
    for s in seeds:
        for scheme in ("RSMA-MA", "SDMA-MA"):
            prob = CompRsmaProblem.random(seed=s).variant(scheme)
            sol, wall, cpu = _timed(lambda: ma.ao_solve(prob, rng=s))
            rows.append({"seed": s, "scheme": scheme, "value": sol.fval, "wall": wall, "cpu": cpu,
                         "exitflag": sol.exitflag})
    return rows


def k16_ao_vs_gml(seeds=range(1, 6)):
    """Part 4 rows: default AO and GML at K = 16, I = 8 per seed (value, wall, exitflag)."""
    rows = []
    for s in seeds:
        prob = CompRsmaProblem.random(seed=s, K=16, I=8)
        ao, ao_wall, _ = _timed(lambda: ma.ao_solve(prob, rng=s))
        gml, gml_wall, _ = _timed(lambda: gml_solve(prob, rng=s))
        rows.append({"seed": s, "ao": ao.fval, "gml": gml.fval, "ao_wall": ao_wall, "gml_wall": gml_wall,
                     "ao_flag": ao.exitflag, "gml_flag": gml.exitflag, "ao_nit": ao.nit})
    print("\nK=16, I=8, N=2: default ao_solve vs default gml_solve (same instance, one run)")
    print(f"{'seed':>4}{'AO V':>9}{'GML V':>9}{'AO/GML V':>10}{'AO s':>8}{'GML s':>8}{'AO/GML t':>10}{'AO nit':>8}  flags")
    for r in rows:
        print(f"{r['seed']:>4}{r['ao']:>9.3f}{r['gml']:>9.3f}{r['ao'] / r['gml']:>10.4f}{r['ao_wall']:>8.2f}"
              f"{r['gml_wall']:>8.2f}{r['ao_wall'] / r['gml_wall']:>10.2f}{r['ao_nit']:>8d}  AO {r['ao_flag']} GML {r['gml_flag']}")
    ok = all(r["ao_wall"] <= r["gml_wall"] and r["ao"] >= r["gml"] and r["ao_flag"] == 1 for r in rows)
    print(f"target (AO time <= GML time, AO V >= GML V, AO exitflag 1 on every seed): {'met' if ok else 'NOT met'}")
    return rows


def _best(local, upto):
    """Best feasible value (polished local optimum or, when scored, its start) among local[:upto]."""
    vals = [e["fval"] for e in local[:upto] if e["feasible"] and math.isfinite(e["fval"])]
    vals += [e["start_fval"] for e in local[:upto]
             if "start_fval" in e and e["start_violation"] <= 1e-6 and math.isfinite(e["start_fval"])]
    return max(vals) if vals else -math.inf


def reference_starts(draws, powers=(25, 31, 37), models=("coherent", "paper"), n_small=20, n_big=100):
    """Part 5 rows: per draw the 100-start reference's best after 20 and after 100 random starts,
    with the AO warm start and without it, and the time of each count."""
    rows = []
    for model in models:
        for pm in powers:
            for d in draws:
                prob = CompRsmaProblem.random(seed=np.random.default_rng([d, pm]), pmax_dbm=pm, rth=0.6,
                                              interference=model).variant("RSMA-MA")
                ao = ma.ao_solve(prob, rng=d)
                ref = multistart(prob, n_starts=n_big, rng=d, warm_starts=[ao.x] if ao.x else [])
                loc = ref.output["local"]
                nw = sum(e["kind"] == "warm" for e in loc)
                rnd = loc[nw:]
                rows.append({"model": model, "pmax": pm, "draw": d,
                             "v20": _best(loc, nw + n_small), "v100": _best(loc, nw + n_big),
                             "r20": _best(rnd, n_small), "r100": _best(rnd, n_big),
                             "t20": sum(e["elapsed"] for e in loc[:nw + n_small]),
                             "t100": sum(e["elapsed"] for e in loc)})
    return rows


def _gap(a, b):
    return b / a - 1.0 if (math.isfinite(a) and math.isfinite(b) and a > 0) else math.nan


def run(quick=False, instances=None, parts=(1, 2, 3, 4)):
    """Print the tables of ``parts``; return {"scaling", "big", "rsma_vs_sdma", "k16", "starts"} rows."""
    out = {}
    if 5 in parts:
        n = instances if instances is not None else (1 if quick else 3)
        rows = reference_starts(range(n), powers=(31,) if quick else (25, 31, 37))
        out["starts"] = rows
        print("reference start count (RSMA-MA, default instance, R_th = 0.6): one 100-start multistart per "
              "draw, warm-started from the AO solution; V20 = its best after the warm start and 20 random "
              "starts; 'random' columns: the random starts alone")
        print(f"{'model':<10}{'P_M':>4}{'draw':>5}{'V20':>9}{'V100':>9}{'gap %':>8}{'rand20':>9}{'rand100':>9}"
              f"{'gap %':>8}{'t20 s':>7}{'t100 s':>8}")
        for r in rows:
            print(f"{r['model']:<10}{r['pmax']:>4}{r['draw']:>5}{r['v20']:>9.4f}{r['v100']:>9.4f}"
                  f"{100 * _gap(r['v20'], r['v100']):>8.3f}{r['r20']:>9.4f}{r['r100']:>9.4f}"
                  f"{100 * _gap(r['r20'], r['r100']):>8.3f}{r['t20']:>7.1f}{r['t100']:>8.1f}")
        for model in sorted({r["model"] for r in rows}):
            sel = [r for r in rows if r["model"] == model]
            g = np.array([_gap(r["v20"], r["v100"]) for r in sel])
            gr = np.array([_gap(r["r20"], r["r100"]) for r in sel])
            ok = np.isfinite(g)
            print(f"{model}: {int(ok.sum())} of {len(sel)} draws with a feasible reference; with the warm start, "
                  f"V100/V20 - 1 mean {100 * np.nanmean(g):.3f} %, max "
                  f"{100 * np.nanmax(g):.3f} %, {int(np.sum(g[ok] > 1e-9))} of {int(ok.sum())} draws improved; random "
                  f"starts alone mean {100 * np.nanmean(gr):.3f} %, max {100 * np.nanmax(gr):.3f} %; time "
                  f"100/20 starts {sum(r['t100'] for r in sel) / sum(r['t20'] for r in sel):.1f}x")
    if 4 in parts:
        warm = CompRsmaProblem.random(seed=10_000)
        ma.ao_solve(warm)                                # numba compile outside the timings
        out["k16"] = k16_ao_vs_gml(range(1, 3) if quick else range(1, 6))
    if not set(parts) & {1, 2, 3}:
        return out
    n_inst = instances if instances is not None else (1 if quick else 3)
    n_starts = 3 if quick else 20
    warm = CompRsmaProblem.random(seed=10_000)
    ma.ao_solve(warm)                                    # numba / CVXPY compile outside the timings
    ma.ao_solve(warm, blocks=warm.ao_blocks(precoders="sca"))
    rows = scaling(n_inst, n_starts)
    print(f"RSMA-MA, N=2; {n_inst} instance(s) per K; ratio = V / best V of the four methods on the instance; "
          f"MS = multistart SLSQP with {n_starts} random starts")
    print(f"{'K':>3}{'I':>3}  {'method':<8}{'mean V':>9}{'ratio':>8}{'min ratio':>10}{'wall s':>9}{'cpu s':>8}  exitflags")
    for K, I in SIZES:
        sel = [r for r in rows if r["K"] == K]
        best = {i: max(r["value"] for r in sel if r["instance"] == i) for i in range(n_inst)}
        for m in METHODS:
            rr = [r for r in sel if r["method"] == m]
            ok = [r for r in rr if np.isfinite(r["value"])]      # infeasible runs: value -inf
            ratio = np.array([r["value"] / best[r["instance"]] for r in ok]) if ok else np.array([np.nan])
            mean_v = np.mean([r["value"] for r in ok]) if ok else np.nan
            print(f"{K:>3}{I:>3}  {m:<8}{mean_v:>9.3f}{ratio.mean():>8.4f}"
                  f"{ratio.min():>10.4f}{np.mean([r['wall'] for r in rr]):>9.2f}"
                  f"{np.mean([r['cpu'] for r in rr]):>8.2f}  {[r['exitflag'] for r in rr]}"
                  + (f"  ({len(rr) - len(ok)} infeasible, left out of V and ratio)" if len(ok) < len(rr) else ""))
    k16 = [r for r in rows if r["K"] == 16]
    fp = {r["instance"]: r for r in k16 if r["method"] == "AO-FP"}
    sca = {r["instance"]: r for r in k16 if r["method"] == "AO-SCA"}
    ok = all(fp[i]["exitflag"] == 1 and fp[i]["wall"] <= 3.0 and fp[i]["value"] >= sca[i]["value"] - 1e-9
             for i in fp)
    print(f"target K=16: AO-FP exitflag 1 in <= 3 s and V >= AO-SCA on every instance: {'met' if ok else 'NOT met'}")
    budget = 10.0 if quick else 60.0
    brows = big(budget)
    print(f"\nK=32, I=16, N=2 (seed 0): value reached within {budget:.0f} s wall")
    print(f"{'method':<8}{'V':>9}{'wall s':>9}{'cpu s':>8}  exitflag")
    for r in brows:
        print(f"{r['method']:<8}{r['value']:>9.3f}{r['wall']:>9.1f}{r['cpu']:>8.1f}  {r['exitflag']}")
    srows = rsma_vs_sdma(range(2) if quick else range(5))
    print("\nAO on the default instance (N=2, I=4, K=4): RSMA-MA vs SDMA-MA")
    print(f"{'seed':>4}{'RSMA V':>9}{'SDMA V':>9}{'RSMA s':>9}{'SDMA s':>9}{'ratio':>7}{'RSMA cpu':>10}{'SDMA cpu':>10}")
    for s in sorted({r["seed"] for r in srows}):
        a = next(r for r in srows if r["seed"] == s and r["scheme"] == "RSMA-MA")
        b = next(r for r in srows if r["seed"] == s and r["scheme"] == "SDMA-MA")
        print(f"{s:>4}{a['value']:>9.3f}{b['value']:>9.3f}{a['wall']:>9.2f}{b['wall']:>9.2f}"
              f"{a['wall'] / b['wall']:>7.2f}{a['cpu']:>10.2f}{b['cpu']:>10.2f}")
    tr = sum(r["wall"] for r in srows if r["scheme"] == "RSMA-MA")
    ts = sum(r["wall"] for r in srows if r["scheme"] == "SDMA-MA")
    print(f"total RSMA / SDMA wall time: {tr / ts:.2f} (target <= 2)")
    return {**out, "scaling": rows, "big": brows, "rsma_vs_sdma": srows}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 instance per K, 3 starts, 10 s budget at K=32")
    ap.add_argument("--instances", type=int, default=None,
                    help="instances per K (default 3; quick 1); part 5: draws per point")
    ap.add_argument("--part", default="1,2,3,4", help="comma-separated parts to run (default 1-4; 5: the "
                    "reference's 20 vs 100 starts)")
    args = ap.parse_args()
    run(quick=args.quick, instances=args.instances, parts=tuple(int(p) for p in args.part.split(",")))
