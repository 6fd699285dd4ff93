"""GML vs the multistart reference vs AO on seeded default CoMP-RSMA instances (spec §9 check 19).

Per instance (``CompRsmaProblem.random(seed=s)``, s = 0..5): ``ao_solve`` (SCA + PGA), the
reference ``multistart`` (SLSQP, 100 random starts, warm-started from the AO solution, spec §6)
and ``gml_solve`` with the default GmlOptions. Quality ratio = value / reference value; time
ratio = wall time / reference wall time (AO + multistart, since the reference needs the AO warm
start). All numbers are measured in the same run. Target: GML >= 0.97 of the reference at <= 1/10
of its wall time. Also reported: GML with the ``spec`` preset (spec §5.5 as written, 4000 outer).

The script sets NUMBA_NUM_THREADS=1 (unless already set): the reference evaluates one point at a
time, and numba's parallel thread pool then costs more than it saves (measured ~10x slower per
SLSQP start on a loaded 2-core box), which would flatter GML's time ratio.

    python benchmarks/bench_gml.py [--quick]     (--quick: 2 instances, 10 starts, no spec preset)
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

import matoolbox as ma
from matoolbox.gml import GmlOptions, gml_solve
from matoolbox.problems import CompRsmaProblem
from matoolbox.optim.multistart import multistart


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run(quick=False, seeds=None, n_starts=None):
    """Returns one row (dict) per instance plus a final ``mean`` row; prints the table."""
    seeds = list(seeds) if seeds is not None else list(range(2 if quick else 6))
    n_starts = n_starts if n_starts is not None else (10 if quick else 100)
    opts = GmlOptions()
    spec = None if quick else GmlOptions.preset("spec")
    rows = []
    for s in seeds:
        prob = CompRsmaProblem.random(seed=s)
        ao, t_ao = _timed(lambda: ma.ao_solve(prob, rng=s))
        ref, t_ms = _timed(lambda: multistart(prob, x0=ao.x if ao.exitflag >= 0 else None,
                                              n_starts=n_starts, rng=s))
        gml, t_gml = _timed(lambda: gml_solve(prob, opts, rng=s))
        if spec is not None:
            gsp, t_spec = _timed(lambda: gml_solve(prob, spec, rng=s))
        else:
            gsp, t_spec = gml, t_gml
        t_ref = t_ao + t_ms
        v_ref = ref.fval
        rows.append({"seed": s, "ref": v_ref, "ao": ao.fval, "gml": gml.fval, "gml_spec": gsp.fval,
                     "ratio_ao": ao.fval / v_ref, "ratio_gml": gml.fval / v_ref,
                     "ratio_gml_spec": gsp.fval / v_ref,
                     "t_ref": t_ref, "t_multistart": t_ms, "t_ao": t_ao, "t_gml": t_gml,
                     "t_gml_spec": t_spec, "time_ratio_gml": t_gml / t_ref, "time_ratio_ao": t_ao / t_ref,
                     "gml_exitflag": gml.exitflag, "ref_exitflag": ref.exitflag})
    mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0] if k not in ("seed",)}
    mean["seed"] = "mean"
    rows.append(mean)
    print(f"CoMP-RSMA default instance (N=2, I=4, K=4, 33 dBm, R_th=0.6); reference = AO + "
          f"multistart({n_starts} SLSQP starts, AO warm start); GML default n_outer={opts.n_outer}"
          + ("" if spec is None else f", 'spec' preset n_outer={spec.n_outer}")
          + f"; NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS')}")
    hdr = (f"{'seed':>5}{'ref':>8}{'AO':>8}{'GML':>8}{'AO/ref':>8}{'GML/ref':>9}{'spec/ref':>9}"
           f"{'t_ref s':>9}{'t_AO s':>8}{'t_GML s':>9}{'t_spec s':>9}{'tGML/tref':>10}")
    print(hdr)
    for r in rows:
        print(f"{str(r['seed']):>5}{r['ref']:>8.3f}{r['ao']:>8.3f}{r['gml']:>8.3f}{r['ratio_ao']:>8.3f}"
              f"{r['ratio_gml']:>9.3f}{r['ratio_gml_spec']:>9.3f}{r['t_ref']:>9.2f}{r['t_ao']:>8.2f}"
              f"{r['t_gml']:>9.2f}{r['t_gml_spec']:>9.2f}{r['time_ratio_gml']:>10.3f}")
    ok_q = mean["ratio_gml"] >= 0.97
    ok_t = mean["t_gml"] <= mean["t_ref"] / 10
    print(f"target GML >= 0.97 of reference: {'met' if ok_q else 'not met'} ({mean['ratio_gml']:.3f}); "
          f"GML time <= 1/10 of reference: {'met' if ok_t else 'not met'} "
          f"(mean {mean['t_gml']:.2f} s vs {mean['t_ref']:.2f} s, ratio of means {mean['t_gml'] / mean['t_ref']:.3f})")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    run(quick=a.quick)
