"""Full-duplex MA: position methods, beamformer blocks and AO time per instance.

1. Positions: gain over FPA (bit/s/Hz, mean and min over seeds) of every position method (PSO with
   the inner-beamformer fitness = the default, PSO with the fixed-beamformer fitness, the monotone
   gradient/MM step, generic PGA) inside the AO of P1 (Nr = 4 and Nr = 1), P2, P3 and MU, each
   from ao_solve's default start; wall and process time per AO run.
2. Transmit-beamformer blocks, one call each with the other blocks fixed (quality and time per call):
   P1 w_t-block (gap to the global 1-D oracle): FP closed form (3 steps = the AO setting, and to
   convergence), FP in CVXPY (3 steps), SCA (to convergence), SCA+SDR (to convergence);
   P2: exact SOCP (u = 1/tau), tau-bisection, SDR; P3: closed form, SOCP, SDR, SCA;
   MU (K_D = K_U = 2): FP, SCA, SCA+SDR (gap to the best of the three).
3. AO time per instance at the defaults (``ao_solve(problem)``: PSO 40 x 100, 30 outer iterations).

Usage: python benchmarks/bench_full_duplex.py [--quick]
"""
from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np

import matoolbox as ma
from matoolbox.problems import FullDuplexMultiUserProblem, FullDuplexProblem
from matoolbox.full_duplex import fd_blocks
from matoolbox.full_duplex.fp import fp_beamforming
from matoolbox.full_duplex.sca_beamforming import sca_beamforming
from matoolbox.full_duplex.sdr import sdr_beamforming
from matoolbox.full_duplex.socp import p1_oracle, socp_beamforming


def _timed(fn, warm=False):
    """(result, seconds); ``warm=True`` runs fn once untimed first (imports, JIT, CVXPY compile)."""
    if warm:
        fn()
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


POS_METHODS = (("pso", "inner_bf"), ("pso", "fixed_bf"), ("mm", None), ("pga", None))


def _positions(seeds, quick):
    """Gain over FPA of every position method per problem: ao_solve from its default start (the
    FPA layout with MRT / MMSE), FPA = the same AO with the positions frozen."""
    rows = []
    pso = {"n_particles": 20, "iters": 30} if quick else {"n_particles": 40, "iters": 100}
    it = 5 if quick else 30
    cases = [("P1 Nr=4", lambda s: FullDuplexProblem.random(seed=s)),
             ("P1 Nr=1", lambda s: FullDuplexProblem.random(seed=s, Nr=1)),
             ("P2", lambda s: FullDuplexProblem.random(seed=s, objective="maxmin")),
             ("P3", lambda s: FullDuplexProblem.random(seed=s, objective="dl_si_cap")),
             ("MU", lambda s: FullDuplexMultiUserProblem.random(seed=s))]
    for name, make in cases:
        acc = {m: ([], [], []) for m in POS_METHODS}
        for seed in seeds:
            prob = make(seed)
            s_fpa = ma.ao_solve(prob.with_(movable_tx=False, movable_rx=False), rng=seed, max_iter=it)
            for m, fit in acc:
                opts = pso if m == "pso" else ({"max_steps": 20} if m == "mm" else {"max_iter": 50})
                c0 = time.process_time()
                s, t = _timed(lambda: ma.ao_solve(prob, max_iter=it, rng=seed, blocks=fd_blocks(
                    prob, positions=m, fitness=fit, position_options=opts)))
                acc[(m, fit)][0].append(s.fval - s_fpa.fval)
                acc[(m, fit)][1].append(t)
                acc[(m, fit)][2].append(time.process_time() - c0)
        t_ref = np.mean(acc[("pso", "inner_bf")][1])
        for (m, fit), (g, t, c) in acc.items():
            rows.append({"part": "positions", "problem": name, "method": m + (f" {fit}" if fit else ""),
                         "quality": float(np.mean(g)), "ms": 1e3 * float(np.mean(t)),
                         "cpu_ms": 1e3 * float(np.mean(c)), "ratio": float(np.mean(t)) / t_ref,
                         "min": float(np.min(g))})
    return rows


def _bf_p1(seeds):
    calls = {
        "FP closed (3 steps)": lambda p, x: fp_beamforming(p, x),
        "FP closed (to conv.)": lambda p, x: fp_beamforming(p, x, options={"steps": 300, "tol": 1e-12}),
        "FP CVXPY (3 steps)": lambda p, x: fp_beamforming(p, x, options={"method": "cvx"}),
        "SCA (to conv.)": lambda p, x: sca_beamforming(p, x, options={"steps": 50}),
        "SCA+SDR (to conv.)": lambda p, x: sdr_beamforming(p, x, options={"steps": 20}, rng=0),
        "1-D oracle": lambda p, x: socp_beamforming(p, x),
    }
    acc = {k: ([], []) for k in calls}
    for seed in seeds:
        prob = FullDuplexProblem.random(seed=seed)
        x = prob.ao_initial_point(np.random.default_rng(seed))
        a = prob.fd_arrays(x)
        wr = a["Wr"][:, 0]
        g = a["H"].conj().T @ wr
        A = float(a["p"][0] * abs(wr.conj() @ a["hU"][:, 0]) ** 2)
        _, oracle = p1_oracle(a["hDc"][0], float(a["E"][0] @ a["p"] + 1), g, A, 1.0, a["P"], a["weights"])
        for k, fn in calls.items():
            s, t = _timed(lambda: fn(prob, x), warm=seed == seeds[0])
            acc[k][0].append(oracle - s.fval)
            acc[k][1].append(t)
    return _bf_rows("P1 w_t (gap to oracle)", acc, "FP closed (3 steps)")


def _bf_rows(problem, acc, ref):
    t_ref = np.mean(acc[ref][1])
    return [{"part": "beamformer", "problem": problem, "method": k, "quality": float(np.max(g)),
             "ms": 1e3 * float(np.mean(t)), "ratio": float(np.mean(t)) / t_ref} for k, (g, t) in acc.items()]


def _bf_exact(seeds, kind):
    if kind == "maxmin":
        calls = {"SOCP u=1/tau": lambda p, x: socp_beamforming(p, x, options={"method": "cvx"}),
                 "tau-bisection": lambda p, x: socp_beamforming(p, x, options={"method": "closed"}),
                 "SDR": lambda p, x: sdr_beamforming(p, x, rng=0)}
        ref = "tau-bisection"
    else:
        calls = {"closed form": lambda p, x: socp_beamforming(p, x),
                 "SOCP": lambda p, x: socp_beamforming(p, x, options={"method": "cvx"}),
                 "SDR": lambda p, x: sdr_beamforming(p, x, rng=0),
                 "SCA (to conv.)": lambda p, x: sca_beamforming(p, x, options={"steps": 50})}
        ref = "closed form"
    acc = {k: ([], []) for k in calls}
    for seed in seeds:
        prob = FullDuplexProblem.random(seed=seed, objective=kind)
        x = prob.ao_initial_point(np.random.default_rng(seed))
        vals = {}
        for k, fn in calls.items():
            s, t = _timed(lambda: fn(prob, x), warm=seed == seeds[0])
            vals[k] = s.fval
            acc[k][1].append(t)
        for k in calls:
            acc[k][0].append(vals[ref] - vals[k])
    name = "P2 w_t (gap to bisection)" if kind == "maxmin" else "P3 w_t (gap to closed form)"
    return _bf_rows(name, acc, ref)


def _bf_mu(seeds):
    calls = {"FP closed (3 steps)": lambda p, x: fp_beamforming(p, x),
             "FP closed (to conv.)": lambda p, x: fp_beamforming(p, x, options={"steps": 300, "tol": 1e-12}),
             "SCA (to conv.)": lambda p, x: sca_beamforming(p, x, options={"steps": 50}),
             "SCA+SDR (to conv.)": lambda p, x: sdr_beamforming(p, x, options={"steps": 20}, rng=0)}
    acc = {k: ([], []) for k in calls}
    for seed in seeds:
        prob = FullDuplexMultiUserProblem.random(seed=seed)
        x = prob.ao_initial_point(np.random.default_rng(seed))
        vals = {}
        for k, fn in calls.items():
            s, t = _timed(lambda: fn(prob, x), warm=seed == seeds[0])
            vals[k] = s.fval
            acc[k][1].append(t)
        best = max(vals.values())
        for k in calls:
            acc[k][0].append(best - vals[k])
    return _bf_rows("MU W_t (gap to best)", acc, "FP closed (3 steps)")


def _ao(seeds):
    rows = []
    cases = [("P1", lambda s: FullDuplexProblem.random(seed=s)),
             ("P2", lambda s: FullDuplexProblem.random(seed=s, objective="maxmin")),
             ("P3", lambda s: FullDuplexProblem.random(seed=s, objective="dl_si_cap")),
             ("MU", lambda s: FullDuplexMultiUserProblem.random(seed=s))]
    t_p1 = None
    for name, make in cases:
        g, t, n = [], [], []
        for seed in seeds:
            prob = make(seed)
            s, dt = _timed(lambda: ma.ao_solve(prob, rng=seed))
            g.append(s.fval - s.history[0] if s.history else math.nan)
            t.append(dt)
            n.append(s.nit)
        t_p1 = t_p1 or float(np.mean(t))
        rows.append({"part": "ao", "problem": name, "method": f"defaults (mean nit {np.mean(n):.0f})",
                     "quality": float(np.mean(g)), "ms": 1e3 * float(np.mean(t)),
                     "ratio": float(np.mean(t)) / t_p1})
    return rows


def run(quick=False):
    """Print the three tables (2-core sandbox timings) and return the rows."""
    warnings.simplefilter("ignore", UserWarning)   # CVXPY's "solution may be inaccurate" notes
    seeds = [0, 1] if quick else [0, 1, 2, 3, 4]
    rows = []
    rows += _positions(seeds if quick else seeds[:4], quick)
    rows += _bf_p1(seeds)
    rows += _bf_exact(seeds, "maxmin")
    rows += _bf_exact(seeds, "dl_si_cap")
    rows += _bf_mu(seeds)
    rows += _ao(seeds[:1] if quick else seeds[:3])
    heads = {"positions": "1) position methods in the AO of each problem: quality = mean gain over FPA "
                          "(bit/s/Hz; min over seeds in brackets), wall / CPU time per AO run, ratio = time / "
                          "inner-bf PSO time",
             "beamformer": "2) transmit-beamformer blocks, one call: quality = worst gap (bit/s/Hz), time per "
                           "call, ratio = time / reference (first row of the group)",
             "ao": "3) ao_solve at the defaults: quality = gain over the AO start (bit/s/Hz), time per "
                   "instance, ratio = time / P1 time"}
    part = None
    for r in rows:
        if r["part"] != part:
            part = r["part"]
            print(f"\n{heads[part]}")
            print(f"{'problem':<28}{'method':<26}{'quality':>12}{'ms':>12}{'ratio':>9}")
        extra = f"  (min {r['min']:.3g}, cpu {r['cpu_ms']:.0f} ms)" if "min" in r else ""
        print(f"{r['problem']:<28}{r['method']:<26}{r['quality']:>12.3g}{r['ms']:>12.1f}{r['ratio']:>9.2f}{extra}")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    run(quick=ap.parse_args().quick)
