"""Reproduction reports: run a family's figure scripts once and check the papers' claims.

Each family folder ``examples/<family>/`` holds a ``claims.py`` with ``CLAIMS: list[Claim]``.
:func:`reproduce` imports it, runs every figure script a claim needs (``run(quick=..., trials=...,
workers=..., seed=..., out=..., progress=...)``, once per script), evaluates every claim's check on
the results and writes ``<out>/<family>/REPRODUCTION.md`` (beside the figures the scripts save)
with the raw data in ``<out>/<family>/raw/``: every figure's result, per-trial rows included
(:mod:`matoolbox.rawdata`). :func:`reproduce_from` recomputes every verdict from that folder
without running anything (``matoolbox reproduce FAMILY --from DIR``).

A check maps ``results`` (figure stem -> whatever that script's ``run`` returned) to
``(verdict, measured)``, verdict one of :data:`VERDICTS`. A check that raises, or whose figure
did not run, gives ``"not run"`` with the error as the measured text.
"""
from __future__ import annotations

import dataclasses
import datetime
import inspect
import os
import platform
import time
from pathlib import Path
from typing import Callable

from . import __version__
from .rawdata import load_raw, save_raw
from .verdicts import quick_rows
from .scripts import discover_examples, examples_root, load_script

__all__ = ["Claim", "VERDICTS", "evaluate_claims", "write_report", "reproduce", "load_claims", "reproduce_family",
           "reproduce_from"]

# "indicative": the rule passed on a quick run or with fewer than 20 trials at some point;
# "by construction": one scheme was started from the other's answer, so the comparison cannot fail.
VERDICTS = ("reproduced", "partly", "indicative", "by construction", "not reproduced", "not run")


@dataclasses.dataclass(frozen=True)
class Claim:
    """One paper claim and the rule that checks it on the measured data.

    Attributes
    ----------
    id : str
        The claim's id in the claims list, e.g. ``"C3.5"``.
    figure : str
        Stem of the figure script whose results the check needs, e.g. ``"fig3_power"``.
    text : str
        The paper's claim in one line.
    rule : str
        The check rule, in words.
    check : callable
        ``check(results) -> (verdict, measured)``; ``results`` maps a figure stem to what that
        script's ``run(...)`` returned; ``verdict`` is one of :data:`VERDICTS`; ``measured`` is a
        one-line text with the numbers behind the verdict.
    """

    id: str
    figure: str
    text: str
    rule: str
    check: Callable[[dict], tuple[str, str]]


def _one_line(text) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def evaluate_claims(claims, results, errors=None) -> list[dict]:
    """Evaluate every claim; returns one dict per claim (``id, figure, text, rule, verdict, measured``).

    ``errors`` maps a figure stem to the error text of a script that failed; its claims are
    ``"not run"``. A check that raises or returns a verdict outside :data:`VERDICTS` is ``"not run"``.
    """
    errors = errors or {}
    rows = []
    for c in claims:
        if c.figure in errors:
            verdict, measured = "not run", f"figure {c.figure} failed: {errors[c.figure]}"
        elif c.figure not in results:
            verdict, measured = "not run", f"figure {c.figure} was not run"
        else:
            try:
                verdict, measured = c.check(results)
            except Exception as e:  # noqa: BLE001 - reported in the table
                verdict, measured = "not run", f"check raised {type(e).__name__}: {e}"
            else:
                if verdict not in VERDICTS:
                    verdict, measured = "not run", f"check returned verdict {verdict!r} (not one of {VERDICTS})"
        rows.append({"id": c.id, "figure": c.figure, "text": _one_line(c.text), "rule": _one_line(c.rule),
                     "verdict": verdict, "measured": _one_line(measured)})
    return rows


def _machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"


def _trials_of(result):
    """Trials per grid point of a script's result (a SweepResult, or a dict holding some), or None."""
    if isinstance(getattr(result, "trials", None), int):
        return result.trials
    if isinstance(result, dict):
        found = sorted({v.trials for v in result.values() if isinstance(getattr(v, "trials", None), int)})
        return "/".join(map(str, found)) if found else None
    return None


def _resumed_of(result) -> int:
    """Trial rows of a script's result loaded from a checkpoint of an earlier run (0 if none)."""
    if isinstance(getattr(result, "n_resumed", None), int):
        return result.n_resumed
    if isinstance(result, dict):
        return sum(v.n_resumed for v in result.values() if isinstance(getattr(v, "n_resumed", None), int))
    return 0


def _now() -> str:
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M")


def _rel(target, start) -> str:
    """``target`` relative to the folder ``start`` (POSIX separators), absolute if not possible."""
    try:
        return Path(os.path.relpath(Path(target).resolve(), Path(start).resolve())).as_posix()
    except ValueError:                                   # another drive (Windows)
        return Path(target).resolve().as_posix()


def _cpu_seconds(release_workers=False) -> float:
    """CPU seconds (user + system) of this process and its reaped children; with
    ``release_workers`` the reusable loky worker pool is shut down first, so that the workers'
    CPU time is counted (a later sweep starts a new pool)."""
    if release_workers:
        try:
            from joblib.externals.loky import get_reusable_executor
            get_reusable_executor().shutdown(wait=True)
        except Exception:  # noqa: BLE001 - the CPU figure then covers this process only
            pass
    try:
        import resource
    except ImportError:                      # Windows: this process only
        return time.process_time()
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def write_report(path, family, rows, *, settings, wall_time, figure_times=None, figures=(),
                 figure_trials=None, raw=None, date=None, machine=None, recomputed=None,
                 cpu_time=None, figure_resumed=None) -> Path:
    """Write ``REPRODUCTION.md`` at ``path`` from the rows of :func:`evaluate_claims`.

    ``figure_resumed`` ({figure: trial rows loaded from a checkpoint}): when any is > 0 the header
    says that the wall and CPU times cover this run only, and the figure table counts them.
    ``raw`` is the raw-data folder (named in the report, relative to it); ``date`` / ``machine``
    describe the run (default: now, this machine); ``recomputed`` (the folder the verdicts were
    recomputed from, see :func:`reproduce_from`) makes the header say so, ``date`` / ``machine`` /
    ``wall_time`` / ``settings`` then being the original run's.
    """
    path = Path(path)
    counts = {v: sum(r["verdict"] == v for r in rows) for v in VERDICTS}
    lines = [f"# Reproduction report: {family}", ""]
    if recomputed is None:
        lines += ["Generated by `matoolbox reproduce`; every verdict is computed from the data by the rule "
                  "written next to the claim.", "",
                  f"- date: {date or _now()}"]
    else:
        lines += [f"Recomputed by `matoolbox reproduce {family} --from DIR` from the saved per-trial rows in "
                  f"`{_rel(recomputed, path.parent)}/`, without running any script; every verdict is computed "
                  "from the data by the rule written next to the claim.", "",
                  f"- recomputed: {_now()}",
                  f"- original run: {date or 'date unknown'}"]
    lines += [f"- settings: {', '.join(f'{k}={v}' for k, v in settings.items())}",
              f"- machine: {machine or _machine()}",
              f"- wall time: {wall_time:.1f} s" + (" (original run)" if recomputed is not None else "")]
    if cpu_time is not None:
        lines += [f"- CPU time: {cpu_time:.1f} s (this process and its worker processes)"]
    resumed = {k: int(v) for k, v in (figure_resumed or {}).items() if v}
    if resumed:
        lines += [f"- resumed: {sum(resumed.values())} trial rows ({', '.join(f'{k}: {v}' for k, v in resumed.items())}) "
                  "were loaded from the checkpoints of an earlier, interrupted run; the wall and CPU times "
                  "above cover this run only"]
    if raw is not None:
        where = _rel(raw, path.parent)
        lines += [f"- raw data: `{where}/` (every figure's result: per-trial rows in `*.rows.jsonl.gz`, one "
                  "JSON object per trial and grid point; run settings in `manifest.json`); recheck every "
                  f"verdict with `matoolbox reproduce {family} --from DIR`, DIR the folder of this report"
                  + (" or of the raw data" if where != "raw" else "")]
    lines += [f"- summary: {len(rows)} claims: " + ", ".join(f"{counts[v]} {v}" for v in VERDICTS), ""]
    if figure_times:
        trials = figure_trials or {}
        extra = " trial rows from checkpoint |" if resumed else ""
        lines += ["| figure | trials per point | wall time (s) |" + extra, "|---|---|---|" + ("---|" if resumed else "")]
        lines += [f"| {k} | {trials.get(k) if trials.get(k) is not None else '-'} | {v:.1f} |"
                  + (f" {resumed.get(k, 0)} |" if resumed else "") for k, v in figure_times.items()] + [""]
    lines += ["| id | figure | claim | rule | measured | verdict |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['id']} | {r['figure']} | {r['text']} | {r['rule']} | {r['measured']} | **{r['verdict']}** |"
              for r in rows]
    if figures:
        lines += ["", "## Figures", ""] + [f"![{Path(f).stem}]({_rel(f, path.parent)})" for f in figures]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def reproduce(family, scripts, claims, *, out, quick=False, trials=None, workers=None, seed=None,
              progress=False, load=None, log=None, checkpoint_dir=None) -> Path:
    """Run the figure scripts the claims need, evaluate the claims, write the report.

    Parameters
    ----------
    family : str
        Family name (the report's title and sub-folder of ``out``).
    scripts : dict
        ``{figure stem: path}`` of the family's figure scripts.
    claims : list of Claim
    out : path
        Output root; the figures and ``REPRODUCTION.md`` go to ``out/<family>/``.
    quick, trials, workers, seed, progress
        Passed to every script's ``run(...)`` when given (``None`` keeps the script's default).
    load : callable, optional
        ``load(path) -> module`` (default :func:`matoolbox.scripts.load_script`).
    log : callable, optional
        ``log(str)`` for one progress line per figure (the library itself prints nothing).
    checkpoint_dir : path, optional
        Each script that takes ``checkpoint`` gets ``<checkpoint_dir>/<stem>.jsonl``: an
        interrupted reproduction resumes where it stopped when called again.

    Returns
    -------
    Path of the written ``REPRODUCTION.md``; the raw data (every script's result, per-trial rows
    included, see :mod:`matoolbox.rawdata`) is in ``raw/`` beside it.
    """
    folder = Path(out) / family
    folder.mkdir(parents=True, exist_ok=True)
    needed = list(dict.fromkeys(c.figure for c in claims))
    results, errors, times = {}, {}, {}
    t0, cpu0 = time.perf_counter(), _cpu_seconds()
    for stem in needed:
        if stem not in scripts:
            errors[stem] = f"no script {stem}.py in the family folder"
            continue
        if log:
            log(f"== {family}/{stem} ==")
        t1 = time.perf_counter()
        try:
            module = (load or load_script)(scripts[stem])
            params = inspect.signature(module.run).parameters
            kw = {"quick": quick, "trials": trials, "workers": workers, "seed": seed, "out": str(folder),
                  "progress": progress,
                  "checkpoint": str(Path(checkpoint_dir) / f"{stem}.jsonl") if checkpoint_dir else None}
            takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
            kw = {k: v for k, v in kw.items() if v is not None and (k in params or takes_any)}
            results[stem] = module.run(**kw)
        except KeyboardInterrupt:
            raise
        except Exception as e:  # noqa: BLE001 - reported in the table
            errors[stem] = f"{type(e).__name__}: {e}"
        times[stem] = time.perf_counter() - t1
        if log:
            log(f"   {stem}: {times[stem]:.1f} s" + (f" (failed: {errors[stem]})" if stem in errors else ""))
    wall_time = time.perf_counter() - t0
    cpu_time = _cpu_seconds(release_workers=True) - cpu0
    rows = evaluate_claims(claims, results, errors)
    if quick:                                 # a quick run is never "reproduced"
        rows = quick_rows(rows)
    figures = sorted(p for p in folder.glob("*.png"))
    figure_trials = {k: _trials_of(v) for k, v in results.items()}
    figure_resumed = {k: _resumed_of(v) for k, v in results.items()}
    settings = {"quick": quick, "trials": trials if trials is not None else "script default",
                "workers": workers if workers is not None else 1, "seed": seed if seed is not None else 0}
    run = {"date": _now(), "machine": _machine(), "settings": settings, "wall_time": wall_time,
           "cpu_time": cpu_time, "figure_times": times, "figure_trials": figure_trials,
           "figure_resumed": figure_resumed}
    save_raw(folder / "raw", results, family=family, matoolbox=__version__, **run, errors=errors,
             verdicts=[{k: r[k] for k in ("id", "figure", "verdict", "measured")} for r in rows])
    return write_report(folder / "REPRODUCTION.md", family, rows, figures=figures, raw=folder / "raw", **run)


def load_claims(family, root=None) -> list:
    """``CLAIMS`` of ``<examples root>/<family>/claims.py`` (imported as ``<family>_claims``)."""
    path = examples_root(root) / family / "claims.py"
    if not path.is_file():
        raise FileNotFoundError(f"no claims file for family {family!r}: {path} does not exist")
    module = load_script(path, name=f"{family}_claims")
    claims = getattr(module, "CLAIMS", None)
    if not isinstance(claims, (list, tuple)) or not all(isinstance(c, Claim) for c in claims):
        raise TypeError(f"{path}: CLAIMS must be a list of matoolbox.reproduce.Claim")
    return list(claims)


def reproduce_family(family, *, out, root=None, **kwargs) -> Path:
    """:func:`reproduce` for a family folder under the examples root (its scripts and claims.py)."""
    scripts = discover_examples(root).get(family, {})
    return reproduce(family, scripts, load_claims(family, root), out=out, **kwargs)


def reproduce_from(family, source, *, out=None, claims=None, root=None, log=None) -> Path:
    """Recompute every verdict of a report from its saved raw data; no script is run.

    Parameters
    ----------
    family : str
        Family name; its ``claims.py`` gives the rules (the current ones, so a changed rule is
        applied to the saved data).
    source : path
        The raw-data folder, the report folder holding it in ``raw/``, or the output root
        holding ``<family>/raw/`` (see :func:`matoolbox.rawdata.find_raw`).
    out : path, optional
        Output root: the report goes to ``out/<family>/REPRODUCTION.md``. Default: beside the
        raw data (the report it came with is replaced).
    claims : list of Claim, optional
        Default :func:`load_claims` of ``family`` (under ``root``).
    log : callable, optional
        ``log(str)``: one line per claim whose verdict differs from the original run's (or that
        the original run did not have).

    Returns
    -------
    Path of the written ``REPRODUCTION.md`` (its header says it was recomputed, from where, and
    keeps the original run's date, settings, machine and wall time).

    Raises
    ------
    matoolbox.rawdata.RawDataError
        No raw data at ``source``, data of another family, or files inconsistent with the manifest.
    """
    results, meta = load_raw(source, family)
    claims = load_claims(family, root) if claims is None else claims
    rows = evaluate_claims(claims, results, meta.get("errors") or {})
    if (meta.get("settings") or {}).get("quick"):
        rows = quick_rows(rows)
    if log:
        before = {v["id"]: v["verdict"] for v in meta.get("verdicts") or []}
        for r in rows:
            if before.get(r["id"]) != r["verdict"]:
                log(f"{r['id']}: {before.get(r['id'], 'not in the original run')} -> {r['verdict']} ({r['measured']})")
    raw = Path(meta["raw"])
    folder = Path(out) / family if out is not None else raw.parent
    return write_report(folder / "REPRODUCTION.md", family, rows, settings=meta.get("settings") or {},
                        wall_time=float(meta.get("wall_time", float("nan"))),
                        figure_times=meta.get("figure_times"), figure_trials=meta.get("figure_trials"),
                        figures=sorted(raw.parent.glob("*.png")), raw=raw, date=meta.get("date"),
                        machine=meta.get("machine"), recomputed=raw, cpu_time=meta.get("cpu_time"),
                        figure_resumed=meta.get("figure_resumed"))
