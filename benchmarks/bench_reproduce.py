"""Time of a full reproduction, measured before it is run: every figure script a family's claims
need, at full settings with a few probe trials, extrapolated to the paper's trial count.

For each figure: the grid points, the mean seconds of one trial at one point (the sweep's
per-row ``elapsed``; the first trial of a point is counted apart, since it pays the per-process
caches such as a design shared by the point's trials), the per-scheme shares where the trial
records ``time <scheme>``, and the fixed cost (figure time minus the trials: imports, plotting,
CSV). The extrapolated report time at T trials with ``w`` workers is
``fixed + sum_p first_p + (T - 1) sum_p rest_p / (w * efficiency)``; the
efficiency of 2 workers on 2 cores is an input (``--efficiency``, default 0.9, what
``bench sweep`` measures on a quiet box), not assumed perfect. ``--profile`` adds a cProfile
listing (top functions by cumulative time) of the probe run of each figure.

Trials per point at "paper settings" (``PAPER_TRIALS``): CoMP-RSMA 150 (the paper), full duplex
200 (its spec), uplink and XL-MA 100 (their papers' counts are not in our sources); figures that
are not Monte Carlo sweeps keep their script's count (``None``).

Usage: python benchmarks/bench_reproduce.py [--family F] [--probe 2] [--profile]
       matoolbox bench reproduce --family comp_rsma
"""
from __future__ import annotations

import argparse
import cProfile
import inspect
import io
import pstats
import tempfile
import time

import numpy as np

from matoolbox.reproduce import load_claims
from matoolbox.scripts import discover_examples, load_script

FAMILIES = ("comp_rsma", "uplink", "xlma", "full_duplex")
PAPER_TRIALS = {"comp_rsma": 150, "full_duplex": 200, "uplink": 100, "xlma": 100}
# figures whose trial count is not a Monte Carlo count (one convergence run): the script's own
# default is kept, as ``matoolbox reproduce comp_rsma`` (no --trials: the scripts' 150) does; the
# other families' reports run with ``--trials N``, which every figure gets (XL-MA designs are
# cached per point, so their extra trials only redo the Monte Carlo part)
FIXED_TRIALS = {"comp_rsma": {"fig2_convergence"}}


def _results(res):
    """The SweepResults of a script's return value (one, or a dict of them)."""
    if hasattr(res, "rows"):
        return [res]
    if isinstance(res, dict):
        return [v for v in res.values() if hasattr(v, "rows")]
    return []


def probe_figure(path, probe, seed=0, profile=False):
    """Run one figure script at full settings with ``probe`` trials; returns a dict of timings."""
    module = load_script(path)
    params = inspect.signature(module.run).parameters
    with tempfile.TemporaryDirectory() as tmp:
        kw = {"quick": False, "trials": probe, "workers": 1, "seed": seed, "out": tmp}
        kw = {k: v for k, v in kw.items() if k in params}
        prof = cProfile.Profile() if profile else None
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        res = module.run(**kw)
        if prof:
            prof.disable()
        wall = time.perf_counter() - t0
    rows = [r for s in _results(res) for r in s.rows]
    points = sum(len(s.points) for s in _results(res))
    trials = sorted({s.trials for s in _results(res)})
    elapsed = np.array([float(r.get("elapsed", np.nan)) for r in rows])
    # per grid point: the first trial (it pays per-process caches, e.g. a design shared by all
    # trials of the point) and the mean of the others; a full run costs
    # sum_p first_p + (T - 1) sum_p rest_p
    by_point = {}
    for i, sw in enumerate(_results(res)):
        for r in sw.rows:
            key = (i, *(repr(r.get(k)) for k in sw.params))
            by_point.setdefault(key, []).append((int(r.get("trial", 0)), float(r.get("elapsed", np.nan))))
    first = rest = 0.0
    for vals in by_point.values():
        vals.sort()
        first += vals[0][1]
        rest += float(np.mean([v for _, v in vals[1:]])) if len(vals) > 1 else vals[0][1]
    per = rest / points if points else 0.0     # not a sweep: all of it is fixed cost
    schemes = {}
    for r in rows:
        for k, v in r.items():
            if k.startswith("time ") and isinstance(v, (int, float)) and np.isfinite(v):
                schemes[k[5:]] = schemes.get(k[5:], 0.0) + float(v)
    total = float(np.nansum(elapsed))
    listing = None
    if prof:
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
        listing = buf.getvalue()
    return {"wall": wall, "points": points, "rows": len(rows), "trials": trials, "s_per_trial": per,
            "first": first, "rest": rest, "fixed": max(wall - total, 0.0), "schemes": {k: v / total for k, v in schemes.items()} if total else {},
            "profile": listing}


def extrapolate(t, trials, workers=2, efficiency=0.9):
    """Report seconds for one figure at ``trials`` per point:
    fixed + sum_p first_p + (trials - 1) * sum_p rest_p / (w * efficiency)."""
    speed = workers * efficiency if workers > 1 else 1.0
    return t["fixed"] + t["first"] + max(trials - 1, 0) * t["rest"] / speed


def run(quick=False, family=None, probe=None, workers=2, efficiency=0.9, profile=False, seed=0):
    """Probe every figure of ``family`` (default: all four) and print the extrapolation table."""
    probe = probe or (1 if quick else 2)
    fams = [family] if family else list(FAMILIES)
    scripts = discover_examples()
    out = {}
    for fam in fams:
        figs = list(dict.fromkeys(c.figure for c in load_claims(fam)))
        figs = [f for f in figs if f in scripts.get(fam, {})]
        rows, total_serial, total_w = [], 0.0, 0.0
        print(f"\n{fam}: probe {probe} trial(s) per point at full settings, paper trials "
              f"{PAPER_TRIALS[fam]}, {workers} workers at efficiency {efficiency}")
        print(f"{'figure':26s} {'points':>6s} {'probe s':>8s} {'s/trial':>8s} {'trials':>6s} "
              f"{'serial s':>9s} {'w=' + str(workers) + ' s':>9s}  time by scheme")
        for fig in figs:
            fixed_count = fig in FIXED_TRIALS.get(fam, set())
            t = probe_figure(scripts[fam][fig], None if fixed_count else probe, seed, profile)
            n = (t["trials"][0] if t["trials"] else 1) if fixed_count else PAPER_TRIALS[fam]
            serial = extrapolate(t, n, 1)
            par = extrapolate(t, n, workers, efficiency)
            total_serial += serial
            total_w += par
            shares = ", ".join(f"{k} {v:.0%}" for k, v in sorted(t["schemes"].items(), key=lambda kv: -kv[1]))
            print(f"{fig:26s} {t['points']:6d} {t['wall']:8.1f} {t['s_per_trial']:8.3f} {n:6d} "
                  f"{serial:9.0f} {par:9.0f}  {shares}", flush=True)
            if t["profile"]:
                print(t["profile"])
            rows.append({"figure": fig, **{k: v for k, v in t.items() if k != "profile"}, "paper_trials": n,
                         "serial_s": serial, "workers_s": par})
        print(f"{'total':26s} {'':6s} {'':8s} {'':8s} {'':6s} {total_serial:9.0f} {total_w:9.0f}"
              f"  ({total_w / 60:.1f} min with {workers} workers; target 30 min)")
        out[fam] = {"figures": rows, "serial_s": total_serial, "workers_s": total_w}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 probe trial per point")
    ap.add_argument("--family", choices=FAMILIES)
    ap.add_argument("--probe", type=int, default=None, help="probe trials per point (default 2)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--efficiency", type=float, default=0.9)
    ap.add_argument("--profile", action="store_true", help="cProfile listing per figure")
    a = ap.parse_args(argv)
    run(a.quick, a.family, a.probe, a.workers, a.efficiency, a.profile)


if __name__ == "__main__":
    main()
