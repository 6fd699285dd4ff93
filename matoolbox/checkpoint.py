"""Sweep checkpoints: one JSON-lines file per sweep, a header with the sweep's fingerprint, one
fsynced line per finished trial (see :mod:`matoolbox.sweep`)."""
from __future__ import annotations

import hashlib
import json
import numbers
import os
import warnings
from pathlib import Path

import numpy as np

from .core.errors import MatoolboxError
from .core.validate import fail
from .results import SweepResult

__all__ = ["CheckpointError", "load_checkpoint"]

_FORMAT = 1


class CheckpointError(MatoolboxError):
    """A checkpoint file belongs to a different sweep definition or is not a sweep checkpoint."""


def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    fail("run_sweep", "seed", seed, "must be a non-negative int or a numpy SeedSequence")


def _seed_repr(ss: np.random.SeedSequence):
    """The master seed in the header (and fingerprint); ``pool_size`` only when it is not NumPy's
    default 4 (it changes every stream; the key was added later, so default-size fingerprints
    stay as they were)."""
    rep = {"entropy": str(ss.entropy), "spawn_key": list(ss.spawn_key)}
    if ss.pool_size != 4:
        rep["pool_size"] = int(ss.pool_size)
    return rep


# ----------------------------------------------------------------------------- one trial


def _header(name, points, trials, ss):
    definition = {"trial": name, "grid": points, "trials": int(trials), "seed": _seed_repr(ss)}
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
    return {"matoolbox_sweep": _FORMAT, "fingerprint": digest, **definition}


def _check_header(path, head) -> dict:
    """The header's keys and types, else CheckpointError naming the missing or bad key."""
    if head.get("matoolbox_sweep") != _FORMAT:
        raise CheckpointError(f"{path}: checkpoint format {head.get('matoolbox_sweep')!r} is not "
                              f"supported (expected {_FORMAT})")
    checks = {
        "fingerprint": (lambda v: isinstance(v, str) and v != "", "a non-empty string"),
        "trial": (lambda v: isinstance(v, str), "a string (the trial function's name)"),
        "grid": (lambda v: isinstance(v, list) and len(v) > 0 and all(isinstance(p, dict) for p in v),
                 "a non-empty list of parameter dicts"),
        "trials": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "a positive int"),
        "seed": (lambda v: isinstance(v, dict) and "entropy" in v and "spawn_key" in v,
                 "a dict with 'entropy' and 'spawn_key'"),
    }
    for key, (ok, what) in checks.items():
        if key not in head:
            raise CheckpointError(f"{path}: checkpoint header lacks the key {key!r}; the file is damaged "
                                  "or not written by run_sweep")
        if not ok(head[key]):
            raise CheckpointError(f"{path}: checkpoint header key {key!r} = {head[key]!r} must be {what}")
    return head


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
    _check_header(path, head)
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


def load_checkpoint(path) -> "SweepResult":
    """The finished trials of a checkpoint as a (possibly partial) :class:`SweepResult`, e.g. to
    look at a sweep that is still running. The file is only read.

    Parameters
    ----------
    path : str or Path
        A checkpoint written by :func:`run_sweep`.

    Returns
    -------
    SweepResult
        The finished trials (possibly a partial sweep).

    Raises
    ------
    CheckpointError
        If the file does not exist, is not a sweep checkpoint, or its header lacks a key or has a
        bad value (the message names the key, e.g. ``'grid'`` or ``'trials'``).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    lines = path.read_bytes().split(b"\n")
    try:
        head = json.loads(lines[0])
    except ValueError:
        head = None
    if not isinstance(head, dict) or "matoolbox_sweep" not in head:
        raise CheckpointError(f"{path} is not a matoolbox sweep checkpoint")
    _check_header(path, head)
    points, done = head["grid"], {}
    for line in lines[1:]:
        try:
            rec = json.loads(line)
            pi, t, row = int(rec["point"]), int(rec["trial"]), rec["row"]
        except (ValueError, KeyError, TypeError):
            continue
        if 0 <= pi < len(points) and 0 <= t < head["trials"] and isinstance(row, dict) and "exitflag" in row:
            done.setdefault((pi, t), row)
    rows = [done[k] for k in sorted(done)]
    return SweepResult(rows=rows, points=points, trials=head["trials"], seed=head["seed"],
                       trial_name=head["trial"], fingerprint=head["fingerprint"], n_resumed=len(rows))
