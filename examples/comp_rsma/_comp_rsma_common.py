"""Shared pieces of the CoMP-RSMA figure scripts (spec comp_rsma_gml.md §8): scheme solvers,
the per-draw trial body, output files and the command line. Public API only."""
from __future__ import annotations

import math

import matoolbox as ma
from matoolbox.problems import CompRsmaProblem
from matoolbox.sweep import run_example, run_sweep, save_sweep

SCHEME_ORDER = ("RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA")


def ao_rsma_ma(problem, rng):
    """RSMA-MA by ao_solve (SCA precoders + grid/PGA positions)."""
    return ma.ao_solve(problem.variant("RSMA-MA"), rng=rng)


def ao_rsma_fpa(problem, rng):
    return ma.ao_solve(problem.variant("RSMA-FPA"), rng=rng)


def ao_sdma_ma(problem, rng):
    return ma.ao_solve(problem.variant("SDMA-MA"), rng=rng)


def ao_sdma_fpa(problem, rng):
    return ma.ao_solve(problem.variant("SDMA-FPA"), rng=rng)


AO_SCHEMES = {"RSMA-MA": ao_rsma_ma, "RSMA-FPA": ao_rsma_fpa, "SDMA-MA": ao_sdma_ma, "SDMA-FPA": ao_sdma_fpa}


def reference(problem, rng, n_starts=100, warm=()):
    """"fmincon with 100 starts" reference for RSMA-MA (spec §6), warm-started from ``warm``."""
    from matoolbox.optim.multistart import multistart

    p = problem.variant("RSMA-MA")
    return multistart(p, n_starts=n_starts, rng=rng, warm_starts=[p.warm_start(x) for x in warm])


def solve_schemes(problem, schemes, rng, reference_starts=0):
    """Run every scheme on one draw: outputs ``<scheme>`` (sum rate, NaN when QoS-infeasible),
    ``infeasible <scheme>`` (0/1) and ``time <scheme>`` (s); exitflag -2 if any scheme is infeasible."""
    out, flag, sols = {}, 1, {}
    for name, solve in schemes.items():
        sol = solve(problem, rng)
        sols[name] = sol
        bad = sol.exitflag == -2
        out[name] = math.nan if bad else float(sol.fval)
        out[f"infeasible {name}"] = int(bad)
        out[f"time {name}"] = float(sol.elapsed)
        flag = -2 if bad else flag
    if reference_starts:
        warm = [s.x for s in sols.values() if s.exitflag != -2]
        ref = reference(problem, rng, reference_starts, warm)
        out["RSMA-MA ref"] = math.nan if ref.exitflag == -2 else float(ref.fval)
        out["time RSMA-MA ref"] = float(ref.elapsed)
    out["exitflag"] = flag
    return out


def draw(params, rng):
    """The instance of one trial: the default instance with the grid point's overrides."""
    keys = ("pmax_dbm", "rth", "I", "K", "N")
    return CompRsmaProblem.random(seed=rng, **{k: params[k] for k in keys if k in params})


def finish(res, out, stem, x, xlabel, keys, title):
    """Write <stem>.csv (rows), <stem>_mean.csv (aggregate) and <stem>.png into ``out``."""
    keys = [k for k in keys if k in res.output_keys]
    fixed = {k: res.points[0][k] for k in res.params
             if k != x and len({repr(p[k]) for p in res.points}) == 1}
    save_sweep(res, out, stem, x=x, keys=keys, xlabel=xlabel, ylabel="sum rate (bit/s/Hz)", title=title, **fixed)
    return res


def sweep(trial, grid, quick, trials, workers, seed, progress, checkpoint=None):
    trials = int(trials) if trials is not None else (10 if quick else 150)
    return run_sweep(trial, grid, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)


def main(run, doc, out, x, keys):
    """Command line: --quick --trials --workers --seed --out; prints a summary with infeasible counts."""
    a, res = run_example(run, doc, out)
    print(res.summary(keys=[k for k in keys if k in res.output_keys]))
    for p in res.points:
        counts = {k: sum(r.get(f"infeasible {k}", 0) for r in res.rows if r[x] == p[x]) for k in keys
                  if f"infeasible {k}" in res.output_keys}
        print(f"{x}={p[x]}: infeasible draws per scheme {counts}")
    print(f"wall time {res.wall_time:.1f} s; wrote {a.out}")
