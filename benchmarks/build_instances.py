"""Build the instance library (``benchmarks/instances/<family>/``) and its best-known values.

Every instance is written with the problem's ``to_json``; its best-known value is the best
feasible objective found by long runs (never typed by hand), recorded with how it was found in
``best_known.json`` (:func:`matoolbox.library.update_best_known`: rerunning can only raise it).
Effort per instance (``--effort``, default 1; the record stores what was run):

* the default ``ao_solve`` with seeds 0-2 (0-9 where it takes a few seconds: :data:`AO_SEEDS`);
* ``ao_solve`` from every other scheme's solution of the same channel (SDMA <-> RSMA, FPA -> MA),
  passed as ``starts``;
* ``ao_multistart`` with ``n_a * effort`` random starts (screened by one AO iteration, the best
  4 finished), the FPA start included;
* the SLSQP ``multistart`` (fmincon-like) with ``n_s * effort`` random starts where the family
  has the NLP form (CoMP-RSMA, MIMO capacity, secure MA), then ``ao_solve`` from its best;
* XL-MA: exhaustive search (the exact optimum of the placement).

``(n_a, n_s)`` per family in :data:`EFFORT` (200/50 for the MIMO-capacity and secure-MA problems,
fewer where one AO iteration costs seconds); large instances (K = 16) use a fifth (at least 4
and 2). Every record stores the runs, their starts and times.

    python benchmarks/build_instances.py [--family F] [--only NAME] [--effort E] [--skip-done] [--quick]
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

import matoolbox as ma
from matoolbox.library import instances_root, load_library, save_instance, update_best_known
from matoolbox.optim import AoMultistartOptions, ao_multistart, multistart
from matoolbox.problems import (CompRsmaProblem, FullDuplexMultiUserProblem, FullDuplexProblem,
                                MimoCapacityProblem, SecureMaProblem, UplinkTwoTimescaleProblem,
                                XlmaPlacementProblem)


# a solution of scheme A is a start for scheme B (A is a special case of B)
SPECIAL = {"ma": ("fpa", "tma", "rma"), "tma": ("fpa",), "rma": ("fpa",), "rsma_ma": ("sdma_ma", "rsma_fpa"),
           "rsma_fpa": ("sdma_fpa",), "sdma_ma": ("sdma_fpa",)}
_STEM = {}


def _twins(name, prob, schemes):
    out = {}
    for s in schemes:
        suffix = s.lower().replace("-", "_")
        out[f"{name}_{suffix}"] = prob.variant(s)
        _STEM[f"{name}_{suffix}"] = (name, suffix)
    return out


def comp_rsma():
    out = {}
    rs = ("RSMA-MA", "SDMA-MA")
    out.update(_twins("default_s1", CompRsmaProblem.random(seed=1), rs))
    out.update(_twins("noncoherent_s2", CompRsmaProblem.random(seed=2, interference="noncoherent"), rs))
    out.update(_twins("paper_s3", CompRsmaProblem.random(seed=3, preset="paper"), rs))
    for s in (4, 5):
        out.update(_twins(f"i2_rth1.4_29dbm_s{s}", CompRsmaProblem.random(seed=s, I=2, rth=1.4, pmax_dbm=29.0), rs))
        out.update(_twins(f"i2_rth1.4_29dbm_noncoh_s{s}", CompRsmaProblem.random(
            seed=s, I=2, rth=1.4, pmax_dbm=29.0, interference="noncoherent"), rs))
    out.update(_twins("k8_s1", CompRsmaProblem.random(seed=1, K=8), rs))
    out.update(_twins("k16_s1", CompRsmaProblem.random(seed=1, K=16, I=8), rs))
    out.update(_twins("overloaded_i1_s6", CompRsmaProblem.random(seed=6, I=1), rs))
    out.update(_twins("small_k2_s7", CompRsmaProblem.random(seed=7, K=2, I=2), ("RSMA-MA", "RSMA-FPA")))
    return out


def full_duplex():
    out = {}
    for s, (nt, kind) in enumerate([(4, "weighted"), (4, "maxmin"), (4, "dl_si_cap"), (2, "weighted"),
                                    (6, "maxmin"), (6, "dl_si_cap")], start=1):
        p = FullDuplexProblem.random(seed=s, objective=kind, Nt=nt, Nr=nt)
        out.update(_twins(f"{kind}_n{nt}_s{s}", p, ("MA", "FPA")))
    out["mu_k2_n6_s1_ma"] = FullDuplexMultiUserProblem.random(seed=1)
    out["mu_k2_n6_s2_ma"] = FullDuplexMultiUserProblem.random(seed=2)
    return out


def uplink():
    out = {}
    for s, (rx, M, K, kf) in enumerate([("zf", 8, 4, 10.0), ("mmse", 8, 4, 10.0), ("mmse_sic", 8, 4, 10.0),
                                        ("zf", 6, 2, 1.0), ("mmse", 6, 3, 1.0), ("zf", 12, 6, 100.0)], start=1):
        rng = np.random.default_rng(100 + s)
        theta = tuple(np.sort(rng.uniform(0.3, np.pi - 0.3, K)).tolist())
        p = UplinkTwoTimescaleProblem.random(seed=s, receiver=rx, M=M, K=K, theta=theta, rician=kf,
                                             n_eval=2000)
        out.update(_twins(f"{rx}_m{M}_k{K}_kf{kf:g}_s{s}", p, ("MA", "FPA")))
    return out


def xlma():
    out = {}
    for s in range(1, 13):                    # 20 candidates (5 x 4) or 30 (6 x 5); LoS map on odd seeds
        N, (nx, nz) = (3, 4, 5)[s % 3], ((5, 4), (6, 5))[s % 2]
        out[f"n{N}_of{nx * nz}_s{s}"] = XlmaPlacementProblem.random_small(s, N=N, Nx=nx, Nz=nz,
                                                                          random_omega=bool(s % 2))
    return out


def mimo_capacity():
    out = {}
    for s, (L, snr) in enumerate([(10, 15.0), (5, 15.0), (10, 5.0)], start=1):
        p = MimoCapacityProblem.random(seed=s, L=L, snr_db=snr)
        out.update(_twins(f"l{L}_snr{snr:g}_s{s}", p, ("MA", "TMA", "RMA", "FPA")))
    return out


def secure_ma():
    out = {}
    for s, (K, J, snr) in enumerate([(3, 3, 10.0), (3, 3, 20.0), (2, 4, 15.0), (4, 2, 15.0), (3, 3, 0.0),
                                     (2, 2, 10.0)], start=1):
        p = SecureMaProblem.random(seed=s, K=K, J=J, snr_db=snr)
        out.update(_twins(f"k{K}_j{J}_snr{snr:g}_s{s}", p, ("MA", "FPA")))
    return out


FAMILIES = {"comp_rsma": comp_rsma, "full_duplex": full_duplex, "uplink": uplink, "xlma": xlma,
            "mimo_capacity": mimo_capacity, "secure_ma": secure_ma}


def _twin_names(name, names):
    """Solved instances of the same channel whose scheme is a special case of this one's."""
    if name not in _STEM:
        return []
    stem, suffix = _STEM[name]
    return [n for n in names if n in _STEM and _STEM[n][0] == stem and _STEM[n][1] in SPECIAL.get(suffix, ())]


def _has_nlp(problem):
    return hasattr(problem, "nlp_random_start") or hasattr(problem, "nlp_pack")


# (ao_multistart random starts, SLSQP multistart starts) at effort 1, per family: what fits the
# 2-core box in about an hour for the whole library (the full-duplex AO iteration costs seconds)
EFFORT = {"mimo_capacity": (200, 50), "secure_ma": (200, 50), "uplink": (60, 0), "comp_rsma": (40, 20),
          "full_duplex": (12, 0), "xlma": (0, 0)}


# default ao_solve seeds per family (3 elsewhere): where the default AO explores with its rng and
# one run takes seconds, its other seeds are cheap efforts (secure MA: rng 4 found 1.2 % above the
# best of seeds 0-2 on k2_j4_snr15_s3_ma)
AO_SEEDS = {"secure_ma": 10, "mimo_capacity": 10}


def search(family, name, problem, solved, *, effort=1.0, quick=False):
    """Long runs on one instance; returns [(x, fval, violation, found_by)]."""
    big = getattr(problem, "K", 0) >= 16
    n_a, n_s = EFFORT[family]
    n_ao_ms = 4 if quick else max(4, int(n_a * effort / (5 if big else 1)))
    n_ms = 2 if quick else max(2, int(n_s * effort / (5 if big else 1)))
    results = []

    def rec(label, sol, t0, **kw):
        results.append((sol.x, float(sol.fval), float(sol.violation),
                        {"solver": label, "time": round(time.perf_counter() - t0, 2), **kw}))

    for seed in range(1 if quick else AO_SEEDS.get(family, 3)):
        t0 = time.perf_counter()
        rec("ao_solve", ma.ao_solve(problem, rng=seed), t0, seed=seed)
    others = [solved[n] for n in _twin_names(name, solved)]
    if others:
        t0 = time.perf_counter()
        rec("ao_solve from other schemes' solutions", ma.ao_solve(problem, rng=0, starts=others), t0,
            starts=len(others))
    if family == "xlma":
        from matoolbox.xlma import exhaustive_placement
        t0 = time.perf_counter()
        rec("exhaustive_placement (exact)", exhaustive_placement(problem), t0)
        return results
    t0 = time.perf_counter()
    try:
        rec("ao_multistart", ao_multistart(problem, rng=0, options=AoMultistartOptions(
            n_random=n_ao_ms, screen_iters=1, keep=4)), t0, random_starts=n_ao_ms, screen_iters=1, keep=4)
    except Exception as e:  # noqa: BLE001 - recorded; the other runs still count
        print(f"   ao_multistart failed: {type(e).__name__}: {e}")
    if _has_nlp(problem) and n_s:
        t0 = time.perf_counter()
        try:
            m = multistart(problem, n_starts=n_ms, rng=0)
            rec("multistart (SLSQP)", m, t0, starts=n_ms, seed=0)
            t0 = time.perf_counter()
            if m.x:
                rec("ao_solve from the multistart's best", ma.ao_solve(problem, x0=m.x, rng=0), t0)
        except Exception as e:  # noqa: BLE001
            print(f"   multistart failed: {type(e).__name__}: {e}")
    return results


def build(family, *, only=None, effort=1.0, quick=False, root=None, skip_done=False):
    problems = FAMILIES[family]()
    order = {"fpa": 0, "sdma_fpa": 0, "sdma_ma": 1, "rsma_fpa": 1, "tma": 1, "rma": 1}
    for name, problem in problems.items():
        save_instance(family, name, problem, root=root)
    solved = {}
    insts = sorted(load_library(family, root=root), key=lambda i: (order.get(_STEM.get(i.name, ("", ""))[1], 2),
                                                                    i.name))
    for inst in insts:
        if only and inst.name not in only:
            continue
        if skip_done and inst.record:         # its solution is still a start for the other schemes
            solved[inst.name] = ma.ao_solve(inst.problem, rng=0).x
            continue
        t0 = time.perf_counter()
        runs = search(family, inst.name, inst.problem, solved, effort=effort, quick=quick)
        feas = [r for r in runs if r[2] <= 1e-6 and np.isfinite(r[1])]
        x, f, v, how = max(feas, key=lambda r: r[1]) if feas else min(runs, key=lambda r: r[2])
        solved[inst.name] = x
        changed = update_best_known(family, inst.name, f, v, how, root=root,
                                    effort={"runs": [r[3] | {"fval": r[1], "violation": r[2]} for r in runs],
                                            "total_time": round(time.perf_counter() - t0, 1)})
        print(f"{family}/{inst.name:<34s} best {f:10.5f} viol {v:.1e} by {how['solver']:<38s} "
              f"{time.perf_counter() - t0:7.1f} s {'(new)' if changed else '(kept)'}", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", action="append", choices=sorted(FAMILIES))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--effort", type=float, default=1.0)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-done", action="store_true", help="leave instances that have a record")
    ap.add_argument("--root", default=None, help=f"library root (default {instances_root()})")
    args = ap.parse_args(argv)
    for fam in args.family or list(FAMILIES):
        build(fam, only=args.only, effort=args.effort, quick=args.quick, root=args.root,
              skip_done=args.skip_done)


if __name__ == "__main__":
    main()
