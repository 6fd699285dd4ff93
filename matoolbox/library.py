"""Instance library: fixed problem instances with best-known values, and a solver harness on them.

A library folder holds, per family, ``<root>/<family>/<name>.json`` (each written by the
problem's ``to_json``) and ``<root>/<family>/best_known.json``: ``{name: record}`` with the
best objective value known for that instance (``fval``), its ``violation`` and ``feasible``
flag, and how it was found (``found_by``: the solver runs, their starts, seeds and times).
Best-known values come from long runs (``benchmarks/build_instances.py``), never typed by hand;
:func:`update_best_known` only ever raises a record.

:func:`run_library` runs solvers on the instances (optionally under a wall-time budget), and
:func:`gap_table` / :func:`performance_profile` summarise the runs: the gap of a run is
``fval / best_known`` (1 = at the best known; an infeasible run has ratio 0), and a
Dolan-More profile gives, per solver, the share of instances whose ratio is >= 1 - tau.
"""
from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path

import numpy as np

from .core import io as _io
from .core.problem import Problem
from .scripts import benchmarks_root

__all__ = ["Instance", "instances_root", "load_library", "save_instance", "update_best_known",
           "ratio", "run_library", "gap_table", "performance_profile"]

FEAS_TOL = 1e-6


@dataclasses.dataclass
class Instance:
    """One library instance: ``family``, ``name``, the ``problem`` and its best-known ``record``
    (``{"fval", "violation", "feasible", "found_by", ...}``; empty when none is known yet)."""

    family: str
    name: str
    problem: Problem
    record: dict

    @property
    def best(self) -> float:
        """Best-known objective (NaN when none is known or no feasible point is known)."""
        r = self.record
        return float(r["fval"]) if r.get("feasible") and r.get("fval") is not None else math.nan


def instances_root(root=None) -> Path:
    """``root``, else ``<benchmarks root>/instances`` (the checkout's or the installed copy)."""
    return Path(root) if root is not None else benchmarks_root() / "instances"


def _best_file(root, family) -> Path:
    return instances_root(root) / family / "best_known.json"


def _read_best(root, family) -> dict:
    path = _best_file(root, family)
    return json.loads(path.read_text()) if path.is_file() else {}


def load_library(family=None, root=None, names=None) -> list[Instance]:
    """The instances of ``family`` (None: every family folder), sorted by family and name."""
    base = instances_root(root)
    if not base.is_dir():
        raise FileNotFoundError(f"no instance library at {str(base)!r}")
    families = [family] if family is not None else sorted(p.name for p in base.iterdir() if p.is_dir())
    out = []
    for fam in families:
        folder = base / fam
        if not folder.is_dir():
            known = sorted(p.name for p in base.iterdir() if p.is_dir())
            raise FileNotFoundError(f"no instances for family {fam!r} under {str(base)!r}; known: {known}")
        best = _read_best(root, fam)
        for path in sorted(folder.glob("*.json")):
            if path.name == "best_known.json" or (names is not None and path.stem not in names):
                continue
            problem = _io.load_problem_json(Problem, path)
            out.append(Instance(fam, path.stem, problem, best.get(path.stem, {})))
    return out


def save_instance(family, name, problem, root=None) -> Path:
    """Write ``problem`` as ``<root>/<family>/<name>.json`` (folders created)."""
    folder = instances_root(root) / family
    folder.mkdir(parents=True, exist_ok=True)
    return problem.to_json(folder / f"{name}.json")


def update_best_known(family, name, fval, violation, found_by, root=None, **extra) -> bool:
    """Record a result for an instance if it beats the stored one (feasible first, then higher
    ``fval``; an infeasible result only replaces an infeasible one with a larger violation).
    Returns True when the record changed. The stored record keeps every ``found_by`` entry."""
    path = _best_file(root, family)
    data = _read_best(root, family)
    old = data.get(name, {})
    feasible = bool(np.isfinite(fval) and violation <= FEAS_TOL)
    new_key = (1, float(fval)) if feasible else (0, -float(violation))
    old_key = ((1, float(old["fval"])) if old.get("feasible") else (0, -float(old.get("violation", math.inf)))
               if old else None)
    history = list(old.get("history", [])) + [{"fval": float(fval), "violation": float(violation), **found_by}]
    if old_key is not None and new_key <= old_key:
        data[name] = {**old, "history": history}
        changed = False
    else:
        data[name] = {"fval": float(fval) if np.isfinite(fval) else None, "violation": float(violation),
                      "feasible": feasible, "found_by": found_by, "history": history, **extra}
        changed = True
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True, allow_nan=False))
    return changed


def ratio(fval, violation, best) -> float:
    """fval / best-known for a feasible run (0 for an infeasible one; NaN without a best-known)."""
    if not math.isfinite(best):
        return math.nan
    if not (math.isfinite(fval) and violation <= FEAS_TOL):
        return 0.0
    return float(fval) / best if best > 0 else (1.0 if fval >= best else 0.0)


def run_library(instances, solvers, *, seed=0, time_limit=None, log=None) -> list[dict]:
    """Run every solver on every instance; one row per (instance, solver).

    ``solvers``: ``{name: fn}`` with ``fn(problem, rng, time_limit) -> Solution`` (a solver that
    does not apply to a problem raises ``NotImplementedError``: the row says "n/a"). Rows hold
    ``family, instance, solver, fval, violation, feasible, exitflag, time, best, ratio, note``.
    """
    rows = []
    for inst in instances:
        for name, fn in solvers.items():
            t0 = time.perf_counter()
            note = ""
            try:
                sol = fn(inst.problem, seed, time_limit)
                fval, viol, flag = float(sol.fval), float(sol.violation), int(sol.exitflag)
            except NotImplementedError as e:
                fval, viol, flag, note = math.nan, math.inf, None, f"n/a: {e}"
            except Exception as e:  # noqa: BLE001 - a crashed run is a row, not the end of the benchmark
                fval, viol, flag, note = math.nan, math.inf, -3, f"raised {type(e).__name__}: {e}"
            dt = time.perf_counter() - t0
            if not math.isfinite(fval):
                fval = math.nan
            row = {"family": inst.family, "instance": inst.name, "solver": name, "fval": fval,
                   "violation": viol, "feasible": bool(math.isfinite(fval) and viol <= FEAS_TOL),
                   "exitflag": flag, "time": dt, "best": inst.best,
                   "ratio": ratio(fval, viol, inst.best) if flag is not None else math.nan, "note": note}
            rows.append(row)
            if log:
                log(f"{inst.family}/{inst.name:<28s} {name:<14s} ratio {row['ratio']:.4f}  "
                    f"flag {flag}  {dt:6.2f} s")
    return rows


def gap_table(rows) -> list[dict]:
    """Per (family, solver): instances run, min / median / worst-5 % ratio, share >= 0.99 and
    >= 0.97, feasible count, exitflag counts and mean / total time."""
    out = []
    keys = sorted({(r["family"], r["solver"]) for r in rows}, key=lambda k: (k[0], _order(rows, k[1])))
    for fam, sol in keys:
        sel = [r for r in rows if r["family"] == fam and r["solver"] == sol and r["exitflag"] is not None]
        if not sel:
            continue
        rat = np.array([r["ratio"] for r in sel if math.isfinite(r["ratio"])])
        flags = {}
        for r in sel:
            flags[r["exitflag"]] = flags.get(r["exitflag"], 0) + 1
        t = np.array([r["time"] for r in sel])
        out.append({"family": fam, "solver": sol, "n": len(sel),
                    "min": float(rat.min()) if rat.size else math.nan,
                    "median": float(np.median(rat)) if rat.size else math.nan,
                    "share_099": float(np.mean(rat >= 0.99)) if rat.size else math.nan,
                    "share_097": float(np.mean(rat >= 0.97)) if rat.size else math.nan,
                    "feasible": sum(r["feasible"] for r in sel),
                    "exitflags": " ".join(f"{k}:{v}" for k, v in sorted(flags.items())),
                    "time_mean": float(t.mean()), "time_total": float(t.sum())})
    return out


def _order(rows, solver):
    names = list(dict.fromkeys(r["solver"] for r in rows))
    return names.index(solver)


def performance_profile(rows, taus=(0.0, 0.001, 0.01, 0.03, 0.1)) -> dict:
    """Dolan-More profile against the best-known values: ``{solver: [share of instances with
    ratio >= 1 - tau for tau in taus]}`` (instances without a best-known value are left out)."""
    out = {}
    for sol in dict.fromkeys(r["solver"] for r in rows):
        rat = np.array([r["ratio"] for r in rows if r["solver"] == sol and math.isfinite(r["ratio"])])
        out[sol] = [float(np.mean(rat >= 1.0 - tau - 1e-12)) if rat.size else math.nan for tau in taus]
    return out
