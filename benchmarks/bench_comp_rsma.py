"""CoMP-RSMA solvers: ``ao_solve`` against the multistart SLSQP reference, and SCA re-solve vs rebuild.

Part 1: for each scheme (RSMA-MA, RSMA-FPA, SDMA-MA, SDMA-FPA) and 10 seeded default instances
(quick: 3), ``ma.ao_solve(problem)`` and ``multistart(problem, n_starts=100)`` (quick: 20; random
starts only, serial) are run back to back; the table gives per scheme the mean and minimum of
V_AO / V_MS, the number of instances with V_AO >= 0.98 V_MS, and the median of t_AO / t_MS.
Targets: V_AO >= 0.98 V_MS at t_AO <= t_MS / 20.

Part 2: the SCA subproblem (spec §7.1) re-solved with new Parameter values (the compiled DPP
problem is reused) against rebuilding and solving it from scratch; medians over the SCA iterates
of one default instance. Targets: re-solve <= 2 ms median and >= 10x faster than a rebuild.

    python benchmarks/bench_comp_rsma.py [--quick]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import matoolbox as ma
from matoolbox.core.cvx import default_solver_order
from matoolbox.problems import CompRsmaProblem
from matoolbox.optim.multistart import multistart
from matoolbox.comp_rsma.sca import build_sca_subproblem, sca_parameters

SCHEMES = ("RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA")


def compare(n_instances=10, n_starts=100, seed0=0):
    """AO vs multistart per scheme and instance: list of dicts."""
    rows = []
    warm = CompRsmaProblem.random(seed=10_000)
    ma.ao_solve(warm)                                   # compile numba / CVXPY once, outside the timings
    multistart(warm, n_starts=1, rng=0)
    for scheme in SCHEMES:
        for i in range(n_instances):
            prob = CompRsmaProblem.random(seed=seed0 + i).variant(scheme)
            t0 = time.perf_counter()
            ao = ma.ao_solve(prob, rng=i)
            t_ao = time.perf_counter() - t0
            t0 = time.perf_counter()
            ms = multistart(prob, n_starts=n_starts, rng=i)
            t_ms = time.perf_counter() - t0
            rows.append({"scheme": scheme, "instance": seed0 + i, "V_ao": ao.fval, "V_ms": ms.fval,
                         "t_ao": t_ao, "t_ms": t_ms, "ao_flag": ao.exitflag, "ms_flag": ms.exitflag,
                         "ms_feasible_starts": ms.output["n_feasible"]})
    return rows


def sca_resolve(n_iter=15, n_rebuild=5, seed=0):
    """Median re-solve and rebuild times (ms) of the SCA subproblem, RSMA and SDMA."""
    solver = default_solver_order()[0]
    out = []
    for access in ("rsma", "sdma"):
        prob = CompRsmaProblem.random(seed=seed, access=access)
        x = prob.initial_point()
        hH = prob.channel_rows(x["positions"])
        rsma = access == "rsma"
        sub = build_sca_subproblem(prob.N, prob.I, prob.K, rsma)
        sub.params["pmax"].value = prob.pmax
        sub.params["rth"].value = prob.rth
        P = x["precoders"].reshape(prob.N * prob.I, prob.K + 1)
        resolve, iterates = [], []
        for it in range(n_iter):
            for name, val in sca_parameters(hH, P, rsma).items():
                sub.params[name].value = val
            t0 = time.perf_counter()
            sub.problem.solve(solver=solver)
            dt = time.perf_counter() - t0
            if it > 0:                                   # the first solve compiles
                resolve.append(dt)
            iterates.append(P)
            P = sub.P.value if rsma else np.concatenate([np.zeros((P.shape[0], 1)), sub.P.value], axis=1)
        rebuild = []
        for P in iterates[:n_rebuild]:
            t0 = time.perf_counter()
            s2 = build_sca_subproblem(prob.N, prob.I, prob.K, rsma)
            s2.params["pmax"].value = prob.pmax
            s2.params["rth"].value = prob.rth
            for name, val in sca_parameters(hH, P, rsma).items():
                s2.params[name].value = val
            s2.problem.solve(solver=solver)
            rebuild.append(time.perf_counter() - t0)
        out.append({"access": access, "solver": solver, "resolve_ms": 1e3 * float(np.median(resolve)),
                    "rebuild_ms": 1e3 * float(np.median(rebuild)),
                    "speedup": float(np.median(rebuild) / np.median(resolve))})
    return out


def run(quick=False):
    """Print both tables; return {"compare": rows, "summary": per-scheme rows, "sca": rows}."""
    n_inst, n_starts = (3, 20) if quick else (10, 100)
    rows = compare(n_inst, n_starts)
    summary = []
    print(f"ao_solve vs multistart SLSQP ({n_starts} random starts, serial); {n_inst} instances per scheme")
    print(f"{'scheme':<10}{'mean V_AO':>10}{'mean V_MS':>10}{'mean ratio':>11}{'min ratio':>10}"
          f"{'>=0.98':>8}{'t_AO (s)':>10}{'t_MS (s)':>10}{'t_AO/t_MS':>11}")
    for scheme in SCHEMES:
        sel = [r for r in rows if r["scheme"] == scheme and r["ms_flag"] == 1 and r["ao_flag"] != -2]
        ratio = np.array([r["V_ao"] / r["V_ms"] for r in sel])
        tr = np.array([r["t_ao"] / r["t_ms"] for r in sel])
        s = {"scheme": scheme, "n": len(sel), "mean_V_ao": float(np.mean([r["V_ao"] for r in sel])),
             "mean_V_ms": float(np.mean([r["V_ms"] for r in sel])), "mean_ratio": float(ratio.mean()),
             "min_ratio": float(ratio.min()), "n_ge_098": int(np.sum(ratio >= 0.98)),
             "median_t_ao": float(np.median([r["t_ao"] for r in sel])),
             "median_t_ms": float(np.median([r["t_ms"] for r in sel])), "median_time_ratio": float(np.median(tr))}
        summary.append(s)
        print(f"{scheme:<10}{s['mean_V_ao']:>10.3f}{s['mean_V_ms']:>10.3f}{s['mean_ratio']:>11.3f}"
              f"{s['min_ratio']:>10.3f}{s['n_ge_098']:>5d}/{s['n']:<2d}{s['median_t_ao']:>10.2f}"
              f"{s['median_t_ms']:>10.2f}{s['median_time_ratio']:>11.3f}")
    print("target: ratio >= 0.98 at t_AO/t_MS <= 0.05")
    sca = sca_resolve()
    print("\nSCA subproblem (N=2, I=4, K=4): re-solve (compiled DPP problem, new Parameter values) vs rebuild")
    print(f"{'access':<8}{'solver':<10}{'re-solve ms':>12}{'rebuild ms':>12}{'speedup':>9}")
    for r in sca:
        print(f"{r['access']:<8}{r['solver']:<10}{r['resolve_ms']:>12.2f}{r['rebuild_ms']:>12.1f}{r['speedup']:>9.1f}")
    print("target: re-solve <= 2 ms median, >= 10x faster than a rebuild")
    return {"compare": rows, "summary": summary, "sca": sca}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 instances, 20 starts")
    run(quick=ap.parse_args().quick)
