"""Shared pieces of the CoMP-RSMA figure scripts (spec comp_rsma_gml.md §8): scheme solvers,
the per-draw trial body, output files and the command line. Public API only.

Interference models: every script's ``run(..., interference=...)`` takes one model name, a
comma-separated list or a sequence ("coherent", "noncoherent", "paper"); the default
``("coherent", "paper")`` sweeps both on the same channel draws (the model is a grid parameter,
so the figure has one panel per model, each with one curve per scheme). Command line:
``--interference coherent,paper``.

Averages: a scheme's value in a draw (key ``<scheme>``) is kept only when the draw is QoS-feasible
for *every* scheme shown (no survivorship bias: all curves average over the same draws);
``<scheme> own`` keeps it whenever that scheme alone is feasible; ``infeasible <scheme>`` (0/1)
counts the infeasible draws, ``common share <scheme>`` is the fraction of the transmit power on
the common stream.
"""
from __future__ import annotations

import functools
import math
import sys

import matoolbox as ma
from matoolbox.problems import CompRsmaProblem
from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

SCHEME_ORDER = ("RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA")
MODELS = ("coherent", "noncoherent", "paper")
DEFAULT_MODELS = ("coherent", "paper")


def models(interference=None) -> list:
    """The interference models to sweep: None -> DEFAULT_MODELS; "a,b" or a sequence -> list."""
    if interference is None:
        return list(DEFAULT_MODELS)
    names = interference.split(",") if isinstance(interference, str) else list(interference)
    names = [str(m).strip() for m in names if str(m).strip()]
    bad = [m for m in names if m not in MODELS]
    if bad or not names:
        raise ValueError(f"interference = {interference!r}: each model must be one of {MODELS}")
    return names


def ao_rsma_ma(problem, rng):
    """RSMA-MA by ao_solve (default blocks: FP or SCA precoders, grid/PGA positions)."""
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
    """Run every scheme on one draw: outputs ``<scheme>`` (sum rate; NaN unless every scheme is
    QoS-feasible on this draw), ``<scheme> own`` (NaN only when this scheme is infeasible),
    ``infeasible <scheme>`` (0/1), ``common share <scheme>`` and ``time <scheme>`` (s);
    exitflag -2 if any scheme is infeasible. The AO schemes run SDMA first and pass its solution to
    the RSMA AO of the same positions model as a start candidate (``ao_solve(..., starts=)``), so
    RSMA >= SDMA on every draw by construction (the claims compare the two with a margin); and FPA
    before MA, passing the FPA solution (when feasible) to the MA AO as an explore start where the
    default AO explores (``explore_twin()``; ``ao_solve(..., explore=)``: the AO also runs from it
    to the end). RSMA's and MA's times
    exclude the twins' solves, which are counted in the twins' own times."""
    out, flag, sols = {}, 1, {}
    # SDMA first: its AO solution is the RSMA AO's start candidate (so RSMA >= SDMA on the draw);
    # FPA before MA: the FPA AO solution is the MA AO's explore start (ao_solve(..., explore=)).
    # The default ao_solve would otherwise solve these twins itself
    order = sorted(schemes, key=lambda n: (schemes[n] not in AO_SCHEMES.values(),
                                           not n.startswith("SDMA-"), not n.endswith("-FPA")))
    for name in order:
        solve = schemes[name]
        if solve in AO_SCHEMES.values():
            kw = {}
            twin = sols.get("SDMA-" + name[5:]) if name.startswith("RSMA-") else None
            if twin is not None and twin.x:
                kw["starts"] = [twin]
            fpa = sols.get(name[:5] + "FPA") if name.endswith("-MA") else None
            if fpa is not None and problem.variant(name).explore_twin() is not None:
                kw["explore"] = [fpa] if (fpa.exitflag != -2 and fpa.x) else []
            sol = ma.ao_solve(problem.variant(name), rng=rng, **kw) if kw else solve(problem, rng)
        else:
            sol = solve(problem, rng)
        sols[name] = sol
        bad = sol.exitflag == -2 or not math.isfinite(float(sol.fval))
        out[f"{name} own"] = math.nan if bad else float(sol.fval)
        out[f"infeasible {name}"] = int(bad)
        out[f"time {name}"] = float(sol.elapsed)
        P = sol.x.get("precoders") if sol.x else None
        if P is not None:
            total = float((abs(P) ** 2).sum())
            out[f"common share {name}"] = float((abs(P[:, :, 0]) ** 2).sum()) / total if total > 0 else 0.0
        flag = -2 if bad else flag
    for name in schemes:
        out[name] = out[f"{name} own"] if flag != -2 else math.nan
    if reference_starts and flag != -2:     # on the draws feasible for every scheme only
        warm = [s.x for s in sols.values() if s.exitflag != -2]
        ref = reference(problem, rng, reference_starts, warm)
        out["RSMA-MA ref"] = math.nan if ref.exitflag == -2 else float(ref.fval)
        out["time RSMA-MA ref"] = float(ref.elapsed)
    elif reference_starts:
        out["RSMA-MA ref"], out["time RSMA-MA ref"] = math.nan, 0.0
    out["exitflag"] = flag
    return out


def draw(params, rng):
    """The instance of one trial: the default instance with the grid point's overrides."""
    keys = ("pmax_dbm", "rth", "I", "K", "N", "interference")
    return CompRsmaProblem.random(seed=rng, **{k: params[k] for k in keys if k in params})


def finish(res, out, stem, x, xlabel, keys, title):
    """Write <stem>.csv (rows), <stem>_mean.csv (aggregate) and <stem>.png into ``out``: one panel
    per interference model, one colour and marker per scheme (the same in every panel); a grid
    point with no draw feasible for every scheme is marked "no draw feasible for all schemes"."""
    keys = [k for k in keys if k in res.output_keys]
    fixed = {k: res.points[0][k] for k in res.params
             if k not in (x, "interference") and len({repr(p[k]) for p in res.points}) == 1}
    save_sweep(res, out, stem, x=x, keys=keys, xlabel=xlabel, ylabel="sum rate (bit/s/Hz)", title=title,
               panel="interference", missing_label="no draw feasible for all schemes", **fixed)
    return res


def sweep(trial, grid, quick, trials, workers, seed, progress, checkpoint=None, interference=None):
    """run_sweep over ``grid`` plus the interference models (a grid parameter); default trials:
    150 (the paper), 2 in quick mode (quick is a smoke run: < 2 min on 2 cores)."""
    trials = int(trials) if trials is not None else (2 if quick else 150)
    grid = {**grid, "interference": models(interference)}
    return run_sweep(trial, grid, trials, seed, workers=workers, progress=progress,
                     checkpoint=checkpoint)


def _pop_interference(argv):
    """Remove ``--interference X`` / ``--interference=X`` from argv; returns (X or None, argv)."""
    rest, value, it = [], None, iter(argv)
    for a in it:
        if a == "--interference":
            value = next(it, None)
        elif a.startswith("--interference="):
            value = a.split("=", 1)[1]
        else:
            rest.append(a)
    return value, rest


def main(run, doc, out, x, keys):
    """Command line: --quick --trials --workers --seed --out --interference; prints a summary with
    infeasible counts per scheme and model."""
    value, argv = _pop_interference(sys.argv[1:])
    a, res = run_example(functools.partial(run, interference=value), doc, out, argv=argv)
    print(res.summary(keys=[k for k in keys if k in res.output_keys]))
    for p in res.points:
        rows = [r for r in res.rows if all(r.get(k) == v for k, v in p.items())]
        counts = {k: sum(r.get(f"infeasible {k}", 0) for r in rows) for k in keys
                  if f"infeasible {k}" in res.output_keys}
        print(f"{x}={p[x]} ({p.get('interference')}): infeasible draws per scheme {counts} of {len(rows)}; "
              f"means over the {sum(r['exitflag'] != -2 for r in rows)} draws feasible for all")
    print(f"wall time {res.wall_time:.1f} s; wrote {a.out}")
