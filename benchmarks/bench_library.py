"""Solvers on the instance library: gap to best-known values, feasibility, exitflags, time.

Every solver runs on every instance of ``benchmarks/instances/<family>/`` (built by
``build_instances.py``; best-known values from long runs). Per family and solver the table gives
the ratio fval / best-known (min / median, share >= 0.99 and >= 0.97; an infeasible result counts
as 0), feasible runs, exitflags and time. Then the same at equal wall-time budgets
(``--budgets``, seconds per run; solvers without a stop hook are left out there) as Dolan-More
performance profiles: the share of instances within tau of the best known. Rows go to
``out/bench/library_rows.csv``, the tables to ``out/bench/library.md``.

Solvers: ``ao`` (the default ``ao_solve``), ``ao_own_starts`` (the same without the family's
extra start candidates ``ao_starts``, i.e. CoMP-RSMA's default before RSMA took the SDMA
solution as a start), ``ao_multistart`` (its defaults: FPA + 8 random
starts, 2 screening iterations, 3 finished), ``ms20`` (SLSQP multistart, 20 random starts, where
the family has the NLP form) and ``gml`` (CoMP-RSMA, and the MaProblem families).

    python benchmarks/bench_library.py [--family F] [--quick] [--budgets 1 5]
    matoolbox bench library [--family F] [--quick]
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

import matoolbox as ma
from matoolbox.gml import ContractProblem, gml_solve
from matoolbox.library import gap_table, load_library, performance_profile, run_library
from matoolbox.optim import MaProblem, ao_multistart, multistart
from matoolbox.problems import CompRsmaProblem

TAUS = (0.0, 0.001, 0.01, 0.03, 0.1)


def _stop(limit):
    if limit is None:
        return None
    t_end = time.perf_counter() + limit
    return lambda *a: time.perf_counter() >= t_end


def _ao(p, seed, limit):
    return ma.ao_solve(p, rng=seed, callback=_stop(limit), max_iter=200 if limit else None)


def _ao_own(p, seed, limit):
    """The default AO without the family's extra start candidates (``starts=[]``): CoMP-RSMA's
    default before the SDMA solution joined the RSMA starts."""
    if not hasattr(p, "ao_starts"):
        raise NotImplementedError("no extra start candidates in this family")
    return ma.ao_solve(p, rng=seed, callback=_stop(limit), max_iter=200 if limit else None, starts=[])


def _ao_ms(p, seed, limit):
    if limit is not None:
        raise NotImplementedError("no stop hook")
    return ao_multistart(p, rng=seed)


def _ms20(p, seed, limit):
    if not (hasattr(p, "nlp_random_start") or hasattr(p, "nlp_pack")):
        raise NotImplementedError("no NLP form")
    if limit is None:
        return multistart(p, n_starts=20, rng=seed)
    stop, best = _stop(limit), None            # one start at a time until the budget is spent
    rng = np.random.default_rng(seed)
    while best is None or not stop():
        s = multistart(p, n_starts=1, rng=rng)
        if best is None or (s.violation <= 1e-6, s.fval) > (best.violation <= 1e-6, best.fval):
            best = s
    return best


def _gml(p, seed, limit):
    if isinstance(p, CompRsmaProblem):
        return gml_solve(p, rng=seed, callback=_stop(limit))
    if not isinstance(p, MaProblem):
        raise NotImplementedError("GML runs on CoMP-RSMA and MaProblem families")
    free = tuple(k for k in p.variables() if k not in p.fixed())      # through the generic contract
    return gml_solve(ContractProblem(p, blocks=free), rng=seed, callback=_stop(limit))


SOLVERS = {"ao": _ao, "ao_own_starts": _ao_own, "ao_multistart": _ao_ms, "ms20": _ms20, "gml": _gml}


def _fmt(v, nd=4):
    return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.{nd}f}"


def tables(rows, budget_rows=None) -> str:
    """Markdown: the gap table, then the profiles (unlimited and per budget)."""
    lines = ["| family | solver | n | min | median | >=0.99 | >=0.97 | feasible | exitflags | mean s | total s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for t in gap_table(rows):
        lines.append(f"| {t['family']} | {t['solver']} | {t['n']} | {_fmt(t['min'])} | {_fmt(t['median'])} | "
                     f"{_fmt(t['share_099'], 2)} | {_fmt(t['share_097'], 2)} | {t['feasible']} | {t['exitflags']} "
                     f"| {t['time_mean']:.2f} | {t['time_total']:.1f} |")
    sections = [("no time limit", rows)] + [(f"budget {b:g} s per run", r) for b, r in (budget_rows or {}).items()]
    for title, rr in sections:
        prof = performance_profile([r for r in rr if r["exitflag"] is not None], TAUS)
        lines += ["", f"Performance profile, {title}: share of instances with ratio >= 1 - tau", "",
                  "| solver | " + " | ".join(f"tau={t:g}" for t in TAUS) + " |", "|---|" + "---|" * len(TAUS)]
        lines += [f"| {s} | " + " | ".join(_fmt(v, 2) for v in vals) + " |" for s, vals in prof.items()]
    return "\n".join(lines)


def _write_csv(rows, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def run(quick=False, family=None, budgets=None, solvers=None, out="out/bench", seed=0):
    insts = load_library(family)
    if quick:                                   # two instances per family, the cheap solvers
        per = {}
        insts = [i for i in insts if per.setdefault(i.family, []).append(i) or len(per[i.family]) <= 2]
        solvers = solvers or ["ao", "ms20"]
    chosen = {k: SOLVERS[k] for k in (solvers or SOLVERS)}
    rows = run_library(insts, chosen, seed=seed, log=lambda s: print(s, flush=True))
    budget_rows = {}
    for b in budgets or ():
        budget_rows[b] = run_library(insts, chosen, seed=seed, time_limit=b, log=lambda s: print(s, flush=True))
    text = tables(rows, budget_rows)
    print(text)
    out = Path(out)
    _write_csv(rows + [dict(r, budget=b) for b, rr in budget_rows.items() for r in rr], out / "library_rows.csv")
    (out / "library.md").write_text(text + "\n")
    print(f"wrote {out / 'library_rows.csv'} and {out / 'library.md'}")
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--budgets", type=float, nargs="*", default=None)
    ap.add_argument("--solvers", nargs="*", choices=sorted(SOLVERS))
    ap.add_argument("--out", default="out/bench")
    args = ap.parse_args(argv)
    run(quick=args.quick, family=args.family, budgets=args.budgets, solvers=args.solvers, out=args.out)


if __name__ == "__main__":
    main()
