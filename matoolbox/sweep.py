"""Monte Carlo sweeps: grid x trials, seeded per trial, parallel through joblib, resumable.

Typical use::

    def trial(params, rng):                       # module-level (picklable) function
        h = rng.standard_normal(4)                # every draw from the given Generator
        return {"ma": ..., "fpa": ..., "exitflag": 1}

    res = run_sweep(trial, {"P_dbm": [0, 10, 20]}, trials=200, seed=0, workers=2,
                    checkpoint="out/fig3.jsonl")
    res.mean("ma", P_dbm=10); res.to_csv("fig3.csv"); plot_sweep(res, x="P_dbm", keys=["ma", "fpa"])

Randomness. Trial ``t`` receives ``default_rng(SeedSequence(seed).spawn(trials)[t])`` at *every*
grid point (common random numbers: the same channel draws are reused along the grid, which is
what a MATLAB ``for trial ... for P ...`` loop does and makes curves smooth). The stream depends
only on ``(seed, t)`` (each trial gets a fresh copy of its SeedSequence, so a trial's
``rng.spawn()`` cannot reach another trial), so the random streams do not depend on ``workers``,
the backend or the completion order; with the default loky backend and serial runs, which both
use one BLAS thread per process, the results are the same to the last bit (a backend that does not
limit BLAS threads, e.g. dask, can round differently).

Parallelism. ``workers`` is joblib's ``n_jobs`` (``-1``: all cores). By default joblib's loky
process pool is used, with BLAS/OpenMP/numba threads limited to 1 per worker
(``inner_max_num_threads=1``) to avoid oversubscription; a serial run (``workers=1``) limits the
BLAS/OpenMP libraries of its own process to 1 thread while it runs, so that both round alike.
Any backend chosen by the caller with ``joblib.parallel_config`` is used as is, e.g. a dask
cluster::

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

import contextlib
import functools
import itertools
import json
import numbers
import os
import sys
import time
from pathlib import Path

import numpy as np

from .core.errors import InfeasibleError
from .core.io import trial_saving_instance
from .core.procexit import skip_exit_collection
from .core.validate import fail
from .checkpoint import CheckpointError, _fsync_write, _header, _load_checkpoint, _seed_sequence, load_checkpoint
from .results import RESERVED, SweepResult, _json_roundtrip, plot_sweep, save_sweep

__all__ = ["run_sweep", "SweepResult", "plot_sweep", "save_sweep", "load_checkpoint", "CheckpointError",
           "expand_grid"]

def expand_grid(grid) -> list[dict]:
    """Grid points: a dict ``name -> list of values`` (cartesian product, first name outermost)
    or a list of parameter dicts, returned as a list of JSON-normalised dicts.

    Parameters
    ----------
    grid : dict or list of dict
        ``name -> values`` or a list of parameter dicts.

    Returns
    -------
    list of dict
        The grid points, JSON-normalised.

    Raises
    ------
    InvalidProblemError
        If the grid is empty or malformed.
    """
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


def _run_trial(trial, params, pi, t, seedseq, on_error):
    """Run one trial; returns ``(point index, trial index, row)`` with a JSON-normalised row."""
    # a fresh copy: the trial's rng.spawn() advances its SeedSequence's child counter, and trial t's
    # SeedSequence is shared by every grid point (and by the tasks of one joblib batch), so without
    # the copy a serial run gave later points other streams than a parallel one
    rng = np.random.default_rng(np.random.SeedSequence(seedseq.entropy, spawn_key=seedseq.spawn_key,
                                                       pool_size=seedseq.pool_size))
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


def _run_trial_task(parent_pid, *args):
    """:func:`_run_trial` as a parallel task; in a worker process (not the caller's: the threading
    backend) it first registers :func:`~matoolbox.core.procexit.skip_exit_collection`, so that the
    worker's exit, which the caller waits for, skips the final collection (0.9 s measured)."""
    if os.getpid() != parent_pid:
        skip_exit_collection()
    return _run_trial(*args)


# ----------------------------------------------------------------------------- checkpoint


def _active_backend():
    """(is the active joblib backend loky, has it no explicit inner thread limit, can it stream)."""
    from joblib._parallel_backends import LokyBackend
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    return (isinstance(backend, LokyBackend), getattr(backend, "inner_max_num_threads", None) is None,
            bool(getattr(backend, "supports_return_generator", False)))


def run_sweep(trial, grid, trials, seed, *, workers=1, checkpoint=None, progress=True,
              on_error="record", save_instances=None):
    """Run ``trial(params, rng) -> dict`` for every grid point and ``trials`` random draws.

    Parameters
    ----------
    trial : callable
        ``trial(params, rng) -> dict`` of outputs (numbers, and optionally ``exitflag``). With
        ``workers != 1`` or a dask backend it must be importable by the workers: define it at
        module level in an importable module.
    grid : dict or list of dict
        ``name -> values`` (cartesian product, first name outermost) or a list of parameter dicts.
    trials : int
        Random draws per grid point.
    seed : int or numpy.random.SeedSequence
        Trial ``t`` uses child ``t`` of the seed sequence at every grid point (common random
        numbers), so results do not depend on ``workers`` or the backend.
    workers : int, default 1
        joblib ``n_jobs`` (-1: all cores).
    checkpoint : str or Path, optional
        JSON-lines file: each finished trial is written at once and a rerun resumes from it.
    progress : bool, default True
        Show a tqdm progress bar.
    on_error : {"record", "raise"}, default "record"
        Record a raising trial as a row with ``error``, or re-raise.
    save_instances : str or Path, optional
        Directory: a trial output ``"instance"`` holding a problem is saved there as JSON
        (``Problem.to_json``, reload with ``from_json``) and the row keeps its path.

    Returns
    -------
    SweepResult
        Rows ordered point-major, trial-minor; ``aggregate`` means and standard errors per point.

    Raises
    ------
    InvalidProblemError
        On an empty or malformed grid, ``trials < 1``, bad ``workers`` / ``on_error``, or a
        non-callable ``trial``.
    CheckpointError
        If ``checkpoint`` belongs to a different sweep.

    Examples
    --------
    >>> from matoolbox.sweep import run_sweep
    >>> def trial(params, rng):    # in a script: define it at module level (workers import it)
    ...     return {"gain": params["p"] * rng.uniform()}
    >>> res = run_sweep(trial, {"p": [1.0, 2.0]}, trials=3, seed=0, progress=False)
    >>> len(res.rows)
    6
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
    if save_instances is not None:
        trial = functools.partial(trial_saving_instance, trial, str(save_instances))
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
        # closing(): a serial run's BLAS thread limit ends with the loop, also on an early exit
        with contextlib.closing(_execute(trial, points, children, pending, workers, on_error)) as results:
            for pi, t, row in results:
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
        from threadpoolctl import threadpool_limits

        # in-process: no pickling, plain tracebacks; one BLAS/OpenMP thread, as in a worker, so that
        # BLAS-threaded sums round as in a parallel run (XL-MA figures differed by up to 2e-14
        # relative with OpenBLAS's 2 threads; on the 2-core box one thread was also faster)
        with threadpool_limits(limits=1):
            for pi, t in pending:
                yield _run_trial(trial, points[pi], pi, t, children[t], on_error)
        return
    tasks = (joblib.delayed(_run_trial_task)(os.getpid(), trial, points[pi], pi, t, children[t], on_error)
             for pi, t in pending)
    # a backend that cannot stream results (joblib's "multiprocessing") returns them all at the end
    par = joblib.Parallel(n_jobs=workers, return_as="generator_unordered" if streams else "list")
    if is_loky and no_limit:                # 1 BLAS/OpenMP/numba thread per worker process
        with joblib.parallel_config(backend="loky", inner_max_num_threads=1):
            yield from par(tasks)
    else:
        yield from par(tasks)
