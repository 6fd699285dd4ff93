"""Monte Carlo sweeps: grid x trials, seeded per trial, parallel through joblib, resumable.

    def trial(params, rng):                       # module-level (picklable) function
        h = rng.standard_normal(4)                # every draw from the given Generator
        return {"ma": ..., "fpa": ..., "exitflag": 1}

    res = run_sweep(trial, {"P_dbm": [0, 10, 20]}, trials=200, seed=0, workers=2,
                    checkpoint="out/fig3.jsonl")
    res.mean("ma", P_dbm=10); res.to_csv("fig3.csv"); plot_sweep(res, x="P_dbm", keys=["ma", "fpa"])

Randomness. Trial ``t`` receives ``default_rng(SeedSequence(seed).spawn(trials)[t])`` at *every*
grid point (common random numbers: the same channel draws are reused along the grid, which is
what a MATLAB ``for trial ... for P ...`` loop does and makes curves smooth). The stream depends
only on ``(seed, t)``, so results do not depend on ``workers``, the backend or the completion order.

Parallelism. ``workers`` is joblib's ``n_jobs`` (``-1``: all cores). By default joblib's loky
process pool is used, with BLAS/OpenMP/numba threads limited to 1 per worker
(``inner_max_num_threads=1``) to avoid oversubscription. Any backend chosen by the caller with
``joblib.parallel_config`` is used as is, e.g. a dask cluster::

    from dask.distributed import Client
    with Client("scheduler:8786"), joblib.parallel_config(backend="dask"):
        res = run_sweep(trial, grid, 1000, seed=0, workers=-1)

(with dask the cluster's cores decide the parallelism; the trial's module must be importable on
the workers).

Outcomes. A trial returns a dict of scalar outputs (numbers, bools, strings, None; NumPy scalars
are converted, small arrays become lists). The key ``"exitflag"`` (default 1) is recognised:
``-2`` counts as infeasible. A trial that *raises* is recorded, not propagated (a long sweep must
not die on one bad draw): :class:`~matoolbox.InfeasibleError` gives ``exitflag=-2``, any other
``Exception`` gives ``exitflag=-3``; both store ``"error": "Type: message"`` in the row and no
outputs. Pass ``on_error="raise"`` to stop at the first exception instead (debugging).

Checkpoint. With ``checkpoint=path`` every finished trial is appended to a JSON-lines file at once
(flushed and fsynced). The first line is a header with a fingerprint of the sweep definition
(the trial's name, the grid, ``trials``, ``seed``); re-running the same sweep skips the trials
found there and returns exactly the table of an uninterrupted run (rows are JSON-normalised in
both cases). A checkpoint of a different sweep raises :class:`CheckpointError`; a truncated last
line (process killed mid-write) is dropped and that trial redone; other unreadable lines are
dropped with a ``RuntimeWarning`` and redone. Trials recorded as failed are not retried (the same
seed would fail the same way); delete their lines to retry. One process per checkpoint file at a
time; :func:`load_checkpoint` reads a running sweep's file as a partial result.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import itertools
import json
import math
import numbers
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from .core.errors import InfeasibleError, MatoolboxError
from .core.validate import fail

__all__ = ["run_sweep", "SweepResult", "plot_sweep", "save_sweep", "run_example", "load_checkpoint",
           "CheckpointError", "expand_grid"]

RESERVED = ("trial", "exitflag", "elapsed", "error")
_FORMAT = 1


class CheckpointError(MatoolboxError):
    """A checkpoint file belongs to a different sweep definition or is not a sweep checkpoint."""


# ----------------------------------------------------------------------------- normalisation
def _plain(value):
    """JSON ``default`` hook: NumPy scalars -> Python scalars, arrays -> lists; else TypeError."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"value of type {type(value).__name__} is not JSON-serialisable: {value!r:.60}")


def _json_roundtrip(obj):
    """Normalise through JSON (tuples become lists, NumPy types Python types), so that fresh and
    checkpointed rows compare equal."""
    return json.loads(json.dumps(obj, default=_plain))


def expand_grid(grid) -> list[dict]:
    """Grid points: a dict ``name -> list of values`` (cartesian product, first name outermost)
    or a list of parameter dicts, returned as a list of JSON-normalised dicts."""
    if isinstance(grid, dict):
        if not grid:
            fail("run_sweep", "grid", grid, "needs at least one parameter")
        values = []
        for name, vals in grid.items():
            if isinstance(vals, (str, bytes)) or not hasattr(vals, "__iter__"):
                fail("run_sweep", f"grid[{name!r}]", vals, "must be a list of values")
            vals = list(vals)
            if not vals:
                fail("run_sweep", f"grid[{name!r}]", vals, "must not be empty")
            values.append(vals)
        points = [dict(zip(grid, combo)) for combo in itertools.product(*values)]
    elif isinstance(grid, (list, tuple)):
        if not grid or not all(isinstance(p, dict) for p in grid):
            fail("run_sweep", "grid", grid, "must be a dict of value lists or a non-empty list of dicts")
        points = [dict(p) for p in grid]
    else:
        fail("run_sweep", "grid", grid, "must be a dict of value lists or a list of dicts")
    for p in points:
        for name in p:
            if not isinstance(name, str) or name in RESERVED:
                fail("run_sweep", "grid", name, f"parameter names must be strings other than {RESERVED}")
    try:
        return _json_roundtrip(points)
    except (TypeError, ValueError) as e:
        fail("run_sweep", "grid", grid, f"values must be numbers, strings, bools or lists ({e})")


def _trial_name(trial) -> str:
    """Stable identity of the trial function: ``<module file stem>.<qualname>``.

    The file stem (not ``__module__``) keeps a script run as ``__main__``, imported as a package
    module or loaded by path (``matoolbox figure``) on the same checkpoint."""
    if isinstance(trial, functools.partial):
        return f"partial({_trial_name(trial.func)}, *{trial.args!r}, **{trial.keywords!r})"
    qual = getattr(trial, "__qualname__", type(trial).__qualname__)
    modname = getattr(trial, "__module__", None) or type(trial).__module__
    mod = sys.modules.get(modname)
    file = getattr(mod, "__file__", None)
    stem = Path(file).stem if file else modname.rpartition(".")[2]
    return f"{stem}.{qual}"


def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    fail("run_sweep", "seed", seed, "must be a non-negative int or a numpy SeedSequence")


def _seed_repr(ss: np.random.SeedSequence):
    return {"entropy": str(ss.entropy), "spawn_key": list(ss.spawn_key)}


# ----------------------------------------------------------------------------- one trial
def _run_trial(trial, params, pi, t, seedseq, on_error):
    """Run one trial; returns ``(point index, trial index, row)`` with a JSON-normalised row."""
    rng = np.random.default_rng(seedseq)
    t0 = time.perf_counter()
    error = None
    try:
        out = trial(dict(params), rng)
        if not isinstance(out, dict):
            raise TypeError(f"trial must return a dict, got {type(out).__name__}")
        out = _json_roundtrip({str(k): v for k, v in out.items()})  # TypeError: not serialisable
        clash = [k for k in out if k in params or k in ("trial", "elapsed", "error")]
        if clash:
            raise ValueError(f"trial outputs {clash} clash with grid parameters or reserved names")
        exitflag = int(out.pop("exitflag", 1))
    except InfeasibleError as e:
        if on_error == "raise":
            raise
        out, exitflag, error = {}, -2, f"{type(e).__name__}: {e}"
    except Exception as e:  # noqa: BLE001 - recorded in the row, see module docstring
        if on_error == "raise":
            raise
        out, exitflag, error = {}, -3, f"{type(e).__name__}: {e}"
    row = {**params, "trial": t, **out, "exitflag": exitflag, "elapsed": time.perf_counter() - t0}
    if error is not None:
        row["error"] = error
    return pi, t, _json_roundtrip(row)


# ----------------------------------------------------------------------------- checkpoint
def _header(name, points, trials, ss):
    definition = {"trial": name, "grid": points, "trials": int(trials), "seed": _seed_repr(ss)}
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
    return {"matoolbox_sweep": _FORMAT, "fingerprint": digest, **definition}


def _fsync_write(fh, data: bytes):
    """Append and make durable (``fdatasync`` also persists the new file size)."""
    fh.write(data)
    fh.flush()
    getattr(os, "fdatasync", os.fsync)(fh.fileno())


def _load_checkpoint(path: Path, header, points):
    """Finished rows ``{(pi, t): row}`` from ``path``; rewrites the file if lines were dropped.

    Returns ``(done, file_ok)``; ``file_ok`` is False when no valid header exists yet."""
    if not path.exists():
        return {}, False
    raw = path.read_bytes()
    if not raw:
        return {}, False
    lines = raw.split(b"\n")
    truncated = lines.pop() != b""          # bytes after the last newline: killed mid-write
    if not lines and raw.startswith(b'{"matoolbox_sweep"'):   # killed while writing the header
        return {}, False
    try:
        head = json.loads(lines[0]) if lines else None
    except ValueError:
        head = None
    if not isinstance(head, dict) or "matoolbox_sweep" not in head:
        raise CheckpointError(f"{path} is not a matoolbox sweep checkpoint; choose another path "
                              "or delete the file")
    if head.get("matoolbox_sweep") != _FORMAT:
        raise CheckpointError(f"{path}: checkpoint format {head.get('matoolbox_sweep')!r} is not "
                              f"supported (expected {_FORMAT})")
    if head.get("fingerprint") != header["fingerprint"]:
        diff = [k for k in ("trial", "grid", "trials", "seed") if head.get(k) != header[k]]
        raise CheckpointError(
            f"checkpoint {path} was written by a different sweep (differs in: {', '.join(diff) or 'format'};"
            f" file has trial={head.get('trial')!r}, trials={head.get('trials')!r}, seed={head.get('seed')!r};"
            f" this sweep has trial={header['trial']!r}, trials={header['trials']}, seed={header['seed']}); "
            "use another checkpoint path or delete the file")
    done, bad = {}, 0
    for line in lines[1:]:
        try:
            rec = json.loads(line)
            pi, t, row = int(rec["point"]), int(rec["trial"]), rec["row"]
            ok = (0 <= pi < len(points) and 0 <= t < header["trials"] and isinstance(row, dict)
                  and row.get("trial") == t and all(row.get(k) == v for k, v in points[pi].items())
                  and "exitflag" in row)
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            bad += 1
        elif (pi, t) not in done:
            done[(pi, t)] = row
    if bad:
        warnings.warn(f"checkpoint {path}: {bad} unreadable line(s) dropped; those trials are redone",
                      RuntimeWarning, stacklevel=3)
    if bad or truncated:                    # rewrite atomically without the dropped lines
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            body = [json.dumps(header).encode()]
            body += [json.dumps({"point": pi, "trial": t, "row": r}).encode() for (pi, t), r in done.items()]
            _fsync_write(fh, b"\n".join(body) + b"\n")
        os.replace(tmp, path)
    return done, True


# ----------------------------------------------------------------------------- runner
def _active_backend():
    """(is the active joblib backend loky, has it no explicit inner thread limit, can it stream)."""
    from joblib._parallel_backends import LokyBackend
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    return (isinstance(backend, LokyBackend), getattr(backend, "inner_max_num_threads", None) is None,
            bool(getattr(backend, "supports_return_generator", False)))


def run_sweep(trial, grid, trials, seed, *, workers=1, checkpoint=None, progress=True,
              on_error="record"):
    """Run ``trial(params, rng) -> dict`` for every grid point and ``trials`` random draws.

    Parameters: ``grid`` dict ``name -> values`` (cartesian product) or list of param dicts;
    ``trials`` draws per point; ``seed`` int or SeedSequence (trial ``t`` uses child ``t`` at
    every point); ``workers`` joblib ``n_jobs``; ``checkpoint`` JSON-lines path (resume);
    ``progress`` tqdm bar; ``on_error`` ``"record"`` (default) or ``"raise"``.
    Returns a :class:`SweepResult` (rows ordered point-major, trial-minor).
    """
    points = expand_grid(grid)
    if not isinstance(trials, numbers.Integral) or isinstance(trials, bool) or trials < 1:
        fail("run_sweep", "trials", trials, "must be a positive int")
    trials = int(trials)
    if not isinstance(workers, numbers.Integral) or isinstance(workers, bool) or workers == 0 or workers < -1:
        fail("run_sweep", "workers", workers, "must be a positive int or -1 (all cores)")
    if on_error not in ("record", "raise"):
        fail("run_sweep", "on_error", on_error, "must be 'record' or 'raise'")
    if not callable(trial):
        fail("run_sweep", "trial", trial, "must be a callable trial(params, rng) -> dict")
    ss = _seed_sequence(seed)
    children = ss.spawn(trials)
    name = _trial_name(trial)
    header = _header(name, points, trials, ss)
    t_start = time.perf_counter()

    done, fh = {}, None
    if checkpoint is not None:
        path = Path(checkpoint)
        done, has_header = _load_checkpoint(path, header, points)
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "ab" if has_header else "wb")
        if not has_header:
            _fsync_write(fh, json.dumps(header).encode() + b"\n")
    n_resumed = len(done)
    pending = [(pi, t) for pi in range(len(points)) for t in range(trials) if (pi, t) not in done]

    from tqdm.auto import tqdm

    bar = tqdm(total=len(points) * trials, initial=n_resumed, disable=not progress, desc="sweep",
               unit="trial", dynamic_ncols=True)
    counts = {"infeasible": sum(r["exitflag"] == -2 for r in done.values()),
              "failed": sum(r["exitflag"] == -3 for r in done.values())}
    try:
        for pi, t, row in _execute(trial, points, children, pending, workers, on_error):
            done[(pi, t)] = row
            if fh is not None:
                _fsync_write(fh, json.dumps({"point": pi, "trial": t, "row": row}).encode() + b"\n")
            if row["exitflag"] in (-2, -3):
                counts["infeasible" if row["exitflag"] == -2 else "failed"] += 1
                bar.set_postfix(counts, refresh=False)
            bar.update(1)
    finally:
        bar.close()
        if fh is not None:
            fh.close()
    rows = [done[(pi, t)] for pi in range(len(points)) for t in range(trials)]
    return SweepResult(rows=rows, points=points, trials=trials, seed=header["seed"], trial_name=name,
                       fingerprint=header["fingerprint"], n_resumed=n_resumed,
                       wall_time=time.perf_counter() - t_start)


def _execute(trial, points, children, pending, workers, on_error):
    """Yield ``(pi, t, row)`` as trials finish (any order)."""
    if not pending:
        return
    import joblib

    is_loky, no_limit, streams = _active_backend()
    if is_loky and joblib.effective_n_jobs(workers) == 1:
        for pi, t in pending:               # in-process: no pickling, plain tracebacks
            yield _run_trial(trial, points[pi], pi, t, children[t], on_error)
        return
    tasks = (joblib.delayed(_run_trial)(trial, points[pi], pi, t, children[t], on_error)
             for pi, t in pending)
    # a backend that cannot stream results (joblib's "multiprocessing") returns them all at the end
    par = joblib.Parallel(n_jobs=workers, return_as="generator_unordered" if streams else "list")
    if is_loky and no_limit:                # 1 BLAS/OpenMP/numba thread per worker process
        with joblib.parallel_config(backend="loky", inner_max_num_threads=1):
            yield from par(tasks)
    else:
        yield from par(tasks)


def load_checkpoint(path) -> "SweepResult":
    """The finished trials of a checkpoint as a (possibly partial) :class:`SweepResult`, e.g. to
    look at a sweep that is still running. The file is only read."""
    path = Path(path)
    lines = path.read_bytes().split(b"\n")
    try:
        head = json.loads(lines[0])
    except ValueError:
        head = None
    if not isinstance(head, dict) or "matoolbox_sweep" not in head:
        raise CheckpointError(f"{path} is not a matoolbox sweep checkpoint")
    points, done = head["grid"], {}
    for line in lines[1:]:
        try:
            rec = json.loads(line)
            done.setdefault((int(rec["point"]), int(rec["trial"])), rec["row"])
        except (ValueError, KeyError, TypeError):
            continue
    rows = [done[k] for k in sorted(done)]
    return SweepResult(rows=rows, points=points, trials=head["trials"], seed=head["seed"],
                       trial_name=head["trial"], fingerprint=head["fingerprint"], n_resumed=len(rows))


# ----------------------------------------------------------------------------- result
def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, str)


def _stats(values):
    """mean, standard error (std with ddof=1 over sqrt(n); NaN for n < 2) and n of finite values."""
    x = np.asarray([float(v) for v in values if v is not None and math.isfinite(float(v))], float)
    n = int(x.size)
    mean = float(x.mean()) if n else math.nan
    se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return mean, se, n


class SweepResult:
    """Tidy sweep table.

    ``rows``: one dict per trial (grid params, ``trial``, outputs, ``exitflag``, ``elapsed``,
    ``error`` when the trial raised), ordered point-major, trial-minor. ``aggregate``: one dict per
    grid point and numeric output key (params, ``key``, ``mean``, ``stderr``, ``n``, ``infeasible``,
    ``failed``); mean and stderr over the finite values of that key (a trial marks a value as not
    counted by returning NaN or None); non-numeric outputs are skipped.
    """

    def __init__(self, rows, points, trials, seed=None, trial_name="", fingerprint="", n_resumed=0,
                 wall_time=math.nan):
        self.rows = list(rows)
        self.points = list(points)
        self.trials = int(trials)
        self.seed = seed
        self.trial_name = trial_name
        self.fingerprint = fingerprint
        self.n_resumed = int(n_resumed)
        self.wall_time = float(wall_time)
        self.params = list(dict.fromkeys(k for p in self.points for k in p))
        self._aggregate = None

    # -- columns
    @property
    def columns(self) -> list[str]:
        """Row columns in a stable order: params, trial, outputs, exitflag, elapsed, error."""
        keys = dict.fromkeys(self.params + ["trial"])
        for r in self.rows:
            keys.update(dict.fromkeys(k for k in r if k not in RESERVED))
        keys.update(dict.fromkeys(["exitflag", "elapsed"]))
        if any("error" in r for r in self.rows):
            keys["error"] = None
        return list(keys)

    @property
    def output_keys(self) -> list[str]:
        """Numeric output keys (aggregated), including ``elapsed``."""
        skip = set(self.params) | {"trial", "exitflag", "error"}
        keys = []
        for k in self.columns:
            if k in skip:
                continue
            vals = [r[k] for r in self.rows if r.get(k) is not None]
            if vals and all(_is_number(v) for v in vals):
                keys.append(k)
        return keys

    # -- selection
    def _select(self, params):
        unknown = [k for k in params if k not in self.params]
        if unknown:
            raise KeyError(f"unknown grid parameter(s) {unknown}; the grid has {self.params}")
        params = _json_roundtrip(params)
        sel = [r for r in self.rows if all(r.get(k) == v for k, v in params.items())]
        if not sel and params:
            raise KeyError(f"no trial matches {params}")
        return sel

    def values(self, key, **params) -> np.ndarray:
        """Array of ``key`` over the trials matching ``params`` (NaN where missing)."""
        sel = self._select(params)
        if not any(key in r for r in self.rows):
            raise KeyError(f"no output {key!r}; outputs are {self.output_keys}")
        return np.array([r[key] if _is_number(r.get(key)) else math.nan for r in sel], float)

    def mean(self, key, **params) -> float:
        """Mean of the finite values of ``key`` over the trials matching ``params`` (all given
        params: one grid point; fewer: pooled over the matching points)."""
        return _stats(self.values(key, **params))[0]

    def stderr(self, key, **params) -> float:
        """Standard error of :meth:`mean`."""
        return _stats(self.values(key, **params))[1]

    def infeasible(self, **params) -> int:
        """Number of trials with ``exitflag == -2`` among those matching ``params``."""
        return sum(r["exitflag"] == -2 for r in self._select(params))

    def failed(self, **params) -> int:
        """Number of trials with ``exitflag == -3`` (raised or reported failure)."""
        return sum(r["exitflag"] == -3 for r in self._select(params))

    @property
    def errors(self) -> list[dict]:
        """Rows of trials that raised (their ``error`` strings)."""
        return [r for r in self.rows if "error" in r]

    # -- aggregate
    @property
    def aggregate(self) -> list[dict]:
        if self._aggregate is None:
            keys = self.output_keys
            by_point = {}
            for r in self.rows:
                by_point.setdefault(tuple(json.dumps(r.get(k)) for k in self.params), []).append(r)
            agg = []
            for p in self.points:
                rows = by_point.get(tuple(json.dumps(p.get(k)) for k in self.params), [])
                inf = sum(r["exitflag"] == -2 for r in rows)
                bad = sum(r["exitflag"] == -3 for r in rows)
                for k in keys:
                    m, se, n = _stats([r.get(k) for r in rows])
                    agg.append({**p, "key": k, "mean": m, "stderr": se, "n": n, "infeasible": inf,
                                "failed": bad})
            self._aggregate = agg
        return self._aggregate

    # -- export
    def to_csv(self, path, *, aggregate=False):
        """Write the rows (or the aggregate) as CSV; lists are JSON strings, None is empty."""
        if aggregate:
            table, cols = self.aggregate, self.params + ["key", "mean", "stderr", "n", "infeasible", "failed"]
        else:
            table, cols = self.rows, self.columns
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for r in table:
                w.writerow(["" if r.get(c) is None else json.dumps(r[c]) if isinstance(r[c], list)
                            else repr(r[c]) if isinstance(r[c], float) else r[c] for c in cols])
        return path

    def to_mat(self, path):
        """Write ``rows`` and ``aggregate`` as MATLAB structs of columns (``scipy.io.savemat``):
        numeric columns are double vectors (NaN where missing), others cell arrays of strings."""
        from scipy.io import savemat

        def columns(table, cols):
            out = {}
            for c in cols:
                vals = [r.get(c) for r in table]
                if all(v is None or _is_number(v) for v in vals):
                    arr = np.array([math.nan if v is None else float(v) for v in vals], float)
                else:
                    arr = np.empty(len(vals), object)
                    arr[:] = ["" if v is None else v if isinstance(v, str) else json.dumps(v) for v in vals]
                out[_mat_name(c)] = arr
            return out

        agg_cols = self.params + ["key", "mean", "stderr", "n", "infeasible", "failed"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        savemat(path, {"rows": columns(self.rows, self.columns),
                       "aggregate": columns(self.aggregate, agg_cols),
                       "trials": self.trials, "trial_name": self.trial_name}, oned_as="column")
        return path

    def summary(self, keys=None) -> str:
        """Text table of mean +- stderr per grid point (and infeasible/failed counts)."""
        keys = list(keys) if keys is not None else [k for k in self.output_keys if k != "elapsed"]
        agg = {(json.dumps([a.get(p) for p in self.params]), a["key"]): a for a in self.aggregate}
        head = self.params + keys + ["infeasible", "failed"]
        lines = []
        for p in self.points:
            pk = json.dumps([p.get(k) for k in self.params])
            cells = [str(p.get(k)) for k in self.params]
            for k in keys:
                a = agg.get((pk, k))
                cells.append("-" if a is None else f"{a['mean']:.4g} ± {a['stderr']:.2g}")
            rows = [r for r in self.rows if all(r.get(k) == v for k, v in p.items())]
            cells += [str(sum(r["exitflag"] == -2 for r in rows)), str(sum(r["exitflag"] == -3 for r in rows))]
            lines.append(cells)
        widths = [max(len(h), *(len(c[i]) for c in lines)) for i, h in enumerate(head)]
        fmt = "  ".join(f"{{:>{w}}}" for w in widths)
        return "\n".join([fmt.format(*head)] + [fmt.format(*c) for c in lines])

    def __len__(self):
        return len(self.rows)

    def __repr__(self):
        return (f"SweepResult({len(self.points)} points x {self.trials} trials, outputs={self.output_keys}, "
                f"infeasible={self.infeasible()}, failed={self.failed()})")


def _mat_name(name: str) -> str:
    s = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    return s if s[:1].isalpha() else "v_" + s


# ----------------------------------------------------------------------------- plotting
def plot_sweep(result: SweepResult, x, keys, path, *, xlabel=None, ylabel="", title="", labels=None,
               **fixed):
    """Plot mean +- standard error of each output in ``keys`` against grid parameter ``x`` (PNG).

    Other grid parameters are fixed with keyword arguments (``K=4``); those left free and taking
    several values give one curve per value combination, labelled ``"key (K=4)"``. ``labels`` maps keys to legend text.
    Returns the path.
    """
    from .plots import save_curves

    if x not in result.params:
        raise KeyError(f"x={x!r} is not a grid parameter; the grid has {result.params}")
    keys = [keys] if isinstance(keys, str) else list(keys)
    missing = [k for k in keys if k not in result.output_keys]
    if missing:
        raise KeyError(f"no numeric output(s) {missing}; outputs are {result.output_keys}")
    labels = dict(labels or {})
    fixed = _json_roundtrip(fixed)
    pts = [p for p in result.points if all(p.get(k) == v for k, v in fixed.items())]
    if not pts:
        raise KeyError(f"no grid point matches {fixed}")
    xs = [json.loads(v) for v in dict.fromkeys(json.dumps(p[x]) for p in pts)]
    if not all(_is_number(v) for v in xs):
        raise TypeError(f"x={x!r} must take numeric values, got {xs}")
    xs = sorted(xs)
    # free parameters that vary among the selected points split the curves (constant ones do not)
    others = [k for k in result.params if k != x and k not in fixed
              and len({json.dumps(p.get(k)) for p in pts}) > 1]
    combos = [json.loads(c) for c in dict.fromkeys(json.dumps({k: p.get(k) for k in others}) for p in pts)]

    def pkey(d):
        return json.dumps([d.get(k) for k in result.params])

    agg = {(pkey(a), a["key"]): a for a in result.aggregate}
    curves, errors = {}, {}
    for combo in combos:
        suffix = ", ".join(f"{k}={v}" for k, v in combo.items())
        for key in keys:
            label = labels.get(key, key) + (f" ({suffix})" if suffix else "")
            sel = [agg.get((pkey({**combo, **fixed, x: xv}), key)) for xv in xs]
            curves[label] = [math.nan if a is None else a["mean"] for a in sel]
            errors[label] = [math.nan if a is None else a["stderr"] for a in sel]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_curves(xs, curves, path, xlabel=x if xlabel is None else xlabel, ylabel=ylabel,
                       title=title, errors=errors)


def save_sweep(result, out, stem, *, x, keys, **plot_kwargs) -> Path:
    """Write ``<stem>.csv`` (one row per trial), ``<stem>_mean.csv`` (per-point aggregate) and
    ``<stem>.png`` (mean +- standard error of ``keys`` against ``x``, see :func:`plot_sweep`) into
    the folder ``out`` (created). Returns the PNG path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result.to_csv(out / f"{stem}.csv")
    result.to_csv(out / f"{stem}_mean.csv", aggregate=True)
    png = out / f"{stem}.png"
    plot_sweep(result, x=x, keys=keys, path=png, **plot_kwargs)
    return png


def run_example(run, doc=None, default_out="out", argv=None):
    """The ``__main__`` of an example script: parse ``--quick --trials --workers --seed --out``,
    call ``run(..., progress=True)`` and return ``(args, result)``."""
    import argparse

    ap = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0] if doc else None)
    ap.add_argument("--quick", action="store_true", help="small version (< 2 min on 2 cores)")
    ap.add_argument("--trials", type=int, default=None, help="Monte Carlo trials per grid point")
    ap.add_argument("--workers", type=int, default=1, help="parallel workers (joblib n_jobs)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=default_out, help="output folder (PNG + CSV)")
    a = ap.parse_args(argv)
    return a, run(quick=a.quick, trials=a.trials, workers=a.workers, seed=a.seed, out=a.out, progress=True)
