"""Raw data beside a reproduction report: every figure's result saved so that the verdicts can be
recomputed later without running anything (``matoolbox reproduce FAMILY --from DIR``).

Layout of the folder (``<out>/<family>/raw/``, written by :func:`save_raw`):

``manifest.json``
    The run (family, date, machine, settings, wall time, per-figure times and errors, the
    verdicts it printed) and, per figure, the *structure* of what its script's ``run`` returned:
    plain JSON for numbers, strings, lists and string-keyed dicts; tagged objects for the rest
    (``{"$sweep": file, "points": ..., "trials": ..., "seed": ..., "fingerprint": ...}``,
    ``{"$array": dtype, "shape": ..., "data": ...}``, ``{"$tuple": ...}``, ``{"$path": ...}``,
    ``{"$dict": [[key, value], ...]}`` for other keys, ...).
``<stem>[.<key>...].rows.jsonl.gz``
    One per :class:`~matoolbox.results.SweepResult` in a result: its per-trial rows, one JSON
    object per line (grid parameters, ``trial``, one column per scheme / output, ``exitflag``,
    ``elapsed``), i.e. one line per trial and grid point with every scheme's value.
``<stem>.arrays.json.gz``
    Arrays of more than :data:`INLINE_MAX` elements (maps, histories), referenced by id from
    the manifest.

Floats are written with Python's ``repr`` (exact round trip; NaN and Infinity as the ``NaN`` /
``Infinity`` tokens of Python's ``json``). The gzip headers carry no time stamp, so the same
data gives the same bytes. Objects of no known type are written as ``{"$unsupported": type,
"repr": ...}``, listed in the manifest's ``lossy`` and reloaded as :class:`Unsupported`.
"""
from __future__ import annotations

import dataclasses
import gzip
import io
import json
import re
from pathlib import Path, PurePath

import numpy as np

from .results import SweepResult

__all__ = ["RawDataError", "Unsupported", "save_raw", "load_raw", "find_raw", "encode", "decode",
           "MANIFEST", "FORMAT", "INLINE_MAX"]

MANIFEST = "manifest.json"
FORMAT = "matoolbox raw data 1"
INLINE_MAX = 64                     # arrays larger than this go to <stem>.arrays.json.gz
_SUFFIXES = (".rows.jsonl.gz", ".arrays.json.gz")


class RawDataError(ValueError):
    """A raw-data folder that is missing, of another format or inconsistent with its manifest."""


@dataclasses.dataclass(frozen=True)
class Unsupported:
    """Placeholder for an object :func:`encode` could not serialise (its type name and repr)."""

    type: str
    repr: str


# ----------------------------------------------------------------------------- encoding
class _Writer:
    """Collects the side files of one figure while its result is encoded."""

    def __init__(self, stem):
        self.stem = stem
        self.tables = {}                    # file name -> rows
        self.arrays = {}                    # id -> flat data
        self.lossy = []

    def table(self, path, res):
        name = ".".join([self.stem, *(_safe(p) for p in path)])
        base, i = name, 1
        while f"{name}.rows.jsonl.gz" in self.tables:
            i += 1
            name = f"{base}-{i}"
        file = f"{name}.rows.jsonl.gz"
        self.tables[file] = res.rows
        return file

    def array(self, data):
        key = f"a{len(self.arrays)}"
        self.arrays[key] = data
        return key


def _safe(part) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", str(part)) or "_"


def _array(a, path, w):
    if a.dtype.kind == "c":
        data = {"real": a.real.ravel().tolist(), "imag": a.imag.ravel().tolist()}
    elif a.dtype.kind == "O":
        data = [encode(v, path + [i], w) for i, v in enumerate(a.ravel().tolist())]
    else:
        data = a.ravel().tolist()
    node = {"$array": "object" if a.dtype.kind == "O" else a.dtype.str, "shape": list(a.shape)}
    if w is not None and a.size > INLINE_MAX and a.dtype.kind != "O":
        node["ref"] = w.array(data)
    else:
        node["data"] = data
    return node


def encode(obj, path=None, w=None):
    """JSON-ready structure of ``obj`` (see the module docstring); ``w`` collects side files."""
    path = list(path or [])
    if obj is None or type(obj) in (bool, str, int, float):
        return obj
    if isinstance(obj, SweepResult):
        if w is None:
            raise TypeError("a SweepResult can only be encoded with a writer (save_raw)")
        return {"$sweep": w.table(path, obj), "rows": len(obj.rows), "points": obj.points, "trials": obj.trials,
                "seed": encode(obj.seed, path + ["seed"], w), "trial_name": obj.trial_name,
                "fingerprint": obj.fingerprint, "n_resumed": obj.n_resumed, "wall_time": obj.wall_time}
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in obj):
            return {k: encode(v, path + [k], w) for k, v in obj.items()}
        return {"$dict": [[encode(k, path, w), encode(v, path + [k], w)] for k, v in obj.items()]}
    if isinstance(obj, list):
        return [encode(v, path + [i], w) for i, v in enumerate(obj)]
    if isinstance(obj, tuple):
        return {"$tuple": [encode(v, path + [i], w) for i, v in enumerate(obj)]}
    if isinstance(obj, (set, frozenset)):
        return {"$set": [encode(v, path, w) for v in obj], "frozen": isinstance(obj, frozenset)}
    if isinstance(obj, np.ndarray):
        return _array(obj, path, w)
    if isinstance(obj, np.generic):
        return {"$scalar": obj.dtype.str, "value": encode(obj.item(), path, w)}
    if isinstance(obj, complex):
        return {"$complex": [obj.real, obj.imag]}
    if isinstance(obj, (bool, str, int, float)):           # subclasses (IntEnum, ...): their value
        return encode(_base(obj), path, w)
    if isinstance(obj, PurePath):
        return {"$path": str(obj)}
    if isinstance(obj, np.random.SeedSequence):
        return {"$seedsequence": {"entropy": obj.entropy, "spawn_key": list(obj.spawn_key),
                                  "pool_size": obj.pool_size, "n_children_spawned": obj.n_children_spawned}}
    if w is not None:
        w.lossy.append(path)
    return {"$unsupported": f"{type(obj).__module__}.{type(obj).__qualname__}", "repr": repr(obj)[:2000]}


def _base(obj):
    for t in (bool, int, float, str):
        if isinstance(obj, t):
            return t(obj)
    return obj


def decode(node, tables=None, arrays=None):
    """Inverse of :func:`encode`: ``tables`` maps a rows file to its SweepResult rows, ``arrays``
    an array id to its flat data."""
    if isinstance(node, list):
        return [decode(v, tables, arrays) for v in node]
    if not isinstance(node, dict):
        return node
    tags = [k for k in node if k.startswith("$")]
    if not tags:
        return {k: decode(v, tables, arrays) for k, v in node.items()}
    tag = tags[0]
    if tag == "$sweep":
        if tables is None or node["$sweep"] not in tables:
            raise RawDataError(f"rows file {node['$sweep']} is missing")
        rows = tables[node["$sweep"]]
        if len(rows) != node["rows"]:
            raise RawDataError(f"{node['$sweep']} holds {len(rows)} rows, the manifest says {node['rows']}")
        return SweepResult(rows, node["points"], node["trials"], seed=decode(node["seed"], tables, arrays),
                           trial_name=node["trial_name"], fingerprint=node["fingerprint"],
                           n_resumed=node["n_resumed"], wall_time=node["wall_time"])
    if tag == "$dict":
        return {_hashable(decode(k, tables, arrays)): decode(v, tables, arrays) for k, v in node["$dict"]}
    if tag == "$tuple":
        return tuple(decode(v, tables, arrays) for v in node["$tuple"])
    if tag == "$set":
        items = [_hashable(decode(v, tables, arrays)) for v in node["$set"]]
        return frozenset(items) if node.get("frozen") else set(items)
    if tag == "$array":
        return _decode_array(node, tables, arrays)
    if tag == "$scalar":
        return np.dtype(node["$scalar"]).type(decode(node["value"], tables, arrays))
    if tag == "$complex":
        return complex(*node["$complex"])
    if tag == "$path":
        return Path(node["$path"])
    if tag == "$seedsequence":
        s = node["$seedsequence"]
        return np.random.SeedSequence(s["entropy"], spawn_key=tuple(s["spawn_key"]), pool_size=s["pool_size"],
                                      n_children_spawned=s["n_children_spawned"])
    if tag == "$unsupported":
        return Unsupported(node["$unsupported"], node.get("repr", ""))
    raise RawDataError(f"unknown tag {tag!r} in the raw data")


def _hashable(v):
    return tuple(_hashable(x) for x in v) if isinstance(v, list) else v


def _decode_array(node, tables, arrays):
    if "ref" in node:
        if arrays is None or node["ref"] not in arrays:
            raise RawDataError(f"array {node['ref']} is missing from the arrays file")
        data = arrays[node["ref"]]
    else:
        data = node["data"]
    shape = tuple(node["shape"])
    if node["$array"] == "object":
        a = np.empty(len(data), object)
        a[:] = [decode(v, tables, arrays) for v in data]
        return a.reshape(shape)
    dtype = np.dtype(node["$array"])
    if dtype.kind == "c":
        a = np.asarray(data["real"], float) + 1j * np.asarray(data["imag"], float)
        return a.astype(dtype).reshape(shape)
    return np.asarray(data, dtype=dtype).reshape(shape)


# ----------------------------------------------------------------------------- files
def _json_default(obj):
    return encode(obj)


def _write_gz(path: Path, text: str):
    """gzip without a time stamp in the header (same data, same bytes)."""
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(text.encode())


def _read_gz(path: Path) -> str:
    try:
        with gzip.open(path, "rt") as fh:
            return fh.read()
    except FileNotFoundError:
        raise RawDataError(f"{path} is missing (listed in the manifest)") from None
    except (OSError, EOFError) as e:
        raise RawDataError(f"{path} is not a readable gzip file: {e}") from None


def _rows_text(rows) -> str:
    buf = io.StringIO()
    for r in rows:
        buf.write(json.dumps(r, default=_json_default) + "\n")
    return buf.getvalue()


def _read_rows(path: Path) -> list:
    rows = []
    for i, line in enumerate(_read_gz(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise RawDataError(f"{path}, line {i}: not JSON ({e})") from None
        if not isinstance(row, dict):
            raise RawDataError(f"{path}, line {i}: a row must be a JSON object")
        rows.append({k: decode(v) for k, v in row.items()})
    return rows


def _pretty(obj, indent=0, width=110) -> str:
    """JSON with one item per line, except containers short enough for one line."""
    flat = json.dumps(obj)
    if len(flat) + indent <= width or not isinstance(obj, (dict, list)) or not obj:
        return flat
    pad = " " * (indent + 1)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(k)}: {_pretty(v, indent + 1, width)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _pretty(v, indent + 1, width) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def save_raw(folder, results, **meta) -> Path:
    """Write ``results`` (figure stem -> what its script returned) into ``folder`` (created; the
    files of an earlier save there are replaced) with the run's metadata ``meta`` (JSON-ready:
    settings, wall time, errors, verdicts, ...) in ``manifest.json``. Returns the manifest path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in [folder / MANIFEST, *(p for s in _SUFFIXES for p in folder.glob("*" + s))]:
        if old.is_file():
            old.unlink()
    figures, lossy = {}, []
    for stem, result in results.items():
        w = _Writer(_safe(stem))
        node = encode(result, [], w)
        entry = {"result": node, "tables": list(w.tables)}
        for file, rows in w.tables.items():
            _write_gz(folder / file, _rows_text(rows))
        if w.arrays:
            entry["arrays"] = f"{_safe(stem)}.arrays.json.gz"
            _write_gz(folder / entry["arrays"], json.dumps(w.arrays))
        figures[stem] = entry
        lossy += ["/".join(map(str, [stem, *p])) for p in w.lossy]
    manifest = {"format": FORMAT, **encode(meta), "lossy": lossy, "figures": figures}
    path = folder / MANIFEST
    path.write_text(_pretty(manifest) + "\n")
    return path


def find_raw(source, family=None) -> Path:
    """The raw-data folder for ``source``: the folder itself (holding ``manifest.json``), its
    ``raw/`` sub-folder (a report folder) or ``<source>/<family>/raw`` (an output root)."""
    source = Path(source)
    cands = [source, source / "raw"] + ([source / family / "raw"] if family else [])
    for c in cands:
        if (c / MANIFEST).is_file():
            return c
    if not source.exists():
        raise RawDataError(f"{source} does not exist")
    raise RawDataError(f"no raw data in {source}: none of {', '.join(str(c / MANIFEST) for c in cands)} exists "
                       "(a report written by `matoolbox reproduce` keeps it in raw/ beside REPRODUCTION.md)")


def load_raw(source, family=None):
    """``(results, meta)`` from a raw-data folder (see :func:`find_raw`): ``results`` maps a
    figure stem to the rebuilt result of its script, ``meta`` is the manifest's run metadata
    (with ``raw`` the folder read). Data of another ``family`` (when given) is refused."""
    folder = find_raw(source, family)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except json.JSONDecodeError as e:
        raise RawDataError(f"{folder / MANIFEST}: not JSON ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RawDataError(f"{folder / MANIFEST} is not {FORMAT!r} data "
                           f"(format {manifest.get('format') if isinstance(manifest, dict) else None!r})")
    if family is not None and manifest.get("family") not in (None, family):
        raise RawDataError(f"{folder} holds the raw data of {manifest['family']!r}, not {family!r}")
    results = {}
    for stem, entry in manifest["figures"].items():
        tables = {f: _read_rows(folder / f) for f in entry.get("tables", [])}
        arrays = json.loads(_read_gz(folder / entry["arrays"])) if entry.get("arrays") else None
        results[stem] = decode(entry["result"], tables, arrays)
    meta = {k: decode(v) for k, v in manifest.items() if k not in ("figures", "format")}
    meta["raw"] = folder
    return results, meta
