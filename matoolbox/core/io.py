"""Instances and solutions on disk: JSON and MATLAB ``.mat`` without pickle.

JSON: arrays are tagged ``{"__ndarray__": dtype, "shape": [...], "data": [...]}`` (complex arrays
as ``"real"``/``"imag"`` lists), tuples ``{"__tuple__": [...]}``, non-finite floats
``{"__float__": "inf"}``, nested frozen dataclasses ``{"__dataclass__": "module:Class", "fields":
{...}}``. Python floats are written with ``repr`` and so round-trip bit for bit.

``.mat``: a problem is one struct (MATLAB-natural values: complex arrays stay complex, tuples of
numbers become row vectors) with two extra fields, ``matoolbox_class`` (``"module:Class"``) and
``matoolbox_types`` (a JSON text with the type and shape of every field), so that
:func:`load_problem_mat` rebuilds the same Python values exactly.

Which class a file may name (:func:`resolve_class`): the class whose ``from_json``/``from_mat``
is called, or a subclass of it already defined; a dataclass of that class's own module (nested
fields); or a class inside the ``matoolbox`` package. A file never makes Python import a module
outside matoolbox, so ``MyProblem.from_json(path)`` round-trips a user's own problem class while a
file naming ``os:system`` is refused.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import math
import re
import sys
from pathlib import Path

import numpy as np

from .errors import InvalidProblemError
from .validate import fail

__all__ = [
    "to_jsonable", "from_jsonable", "problem_to_dict", "problem_from_dict", "save_problem_json",
    "load_problem_json", "save_problem_mat", "load_problem_mat", "writable_path", "mat_encode", "mat_decode",
    "resolve_class", "class_path", "snr_power", "read_mapping", "trial_saving_instance", "FORMAT_VERSION",
]

FORMAT_VERSION = 1
_KIND = {"f": "float", "c": "complex", "i": "int", "u": "int", "b": "bool"}


# ----------------------------------------------------------------------------- classes
def class_path(obj_or_cls) -> str:
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    return f"{cls.__module__}:{cls.__qualname__}"


def _known_subclasses(base):
    """``base`` and every subclass of it already defined in this interpreter (nothing imported)."""
    seen, stack = [], [base]
    while stack:
        c = stack.pop()
        if c not in seen:
            seen.append(c)
            stack.extend(c.__subclasses__())
    return seen


def resolve_class(path: str, base=None, where: str = "matoolbox_class", near=None):
    """The class named ``"module:Qualname"`` in a file, found without letting the file choose an import.

    Resolution order:

    1. ``base`` itself or a subclass of ``base`` that is already defined in this interpreter
       (a user's class loads as ``MyProblem.from_json(path)`` once its module has run);
    2. a dataclass defined in the module of ``near`` (a nested field type of a user's class);
    3. a class inside the ``matoolbox`` package (imported if needed).

    In 2 and 3 the name must be the qualified name of a class *defined* in that module (so a
    path through the module's imports, such as ``matoolbox.cli:os.system``, is refused), and
    without ``base`` it must be a dataclass. Anything else is refused: a data file never triggers
    the import of a module outside matoolbox, and never names a function or an arbitrary class
    already in memory (e.g. ``os:system``).
    """
    if not isinstance(path, str) or ":" not in path:
        raise InvalidProblemError(f"file.{where} = {path!r}: must be 'module:Class'")
    mod, _, name = path.partition(":")
    if base is not None:
        for c in _known_subclasses(base):
            if class_path(c) == path:
                return c
    if near is not None and mod == near.__module__:
        obj = _lookup(sys.modules.get(mod), name)
        if _defined_here(obj, mod, name) and dataclasses.is_dataclass(obj):
            return obj
    if not (mod == "matoolbox" or mod.startswith("matoolbox.")):
        hint = (f"; a class of your own loads with its own class method, e.g. "
                f"{name.split('.')[-1]}.from_json(path), after its module is imported")
        raise InvalidProblemError(f"file.{where} = {path!r}: only matoolbox classes, or the class "
                                  f"that loads the file and its subclasses, can be loaded{hint}")
    try:
        obj = _lookup(importlib.import_module(mod), name)
    except ImportError as err:
        raise InvalidProblemError(f"file.{where} = {path!r}: no such class ({err})") from None
    if not _defined_here(obj, mod, name) or (base is None and not dataclasses.is_dataclass(obj)):
        raise InvalidProblemError(f"file.{where} = {path!r}: no such class (only classes defined in a "
                                  f"matoolbox module{'' if base is not None else ', dataclasses,'} can be named)")
    if base is not None and not issubclass(obj, base):
        raise InvalidProblemError(f"file.{where} = {path!r}: is not a {base.__name__} "
                                  f"(load it with its own class, e.g. {name.split('.')[-1]}.from_json)")
    return obj


def _defined_here(obj, mod, name) -> bool:
    """``obj`` is a class whose home is exactly ``mod:name`` (not something the module imported)."""
    return (isinstance(obj, type) and getattr(obj, "__module__", None) == mod
            and getattr(obj, "__qualname__", None) == name)


def _lookup(module, name):
    obj = module
    for part in name.split("."):
        obj = getattr(obj, part, None)
    return obj


def _fields(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.init}


# ----------------------------------------------------------------------------- JSON
def to_jsonable(v):
    """Python/NumPy value -> JSON-able value (see module docstring for the tags)."""
    if isinstance(v, (np.ndarray, np.generic)):
        arr = np.asarray(v)
        if arr.dtype.kind == "O":
            return to_jsonable(arr.tolist())
        out = {"__ndarray__": "complex" if np.iscomplexobj(arr) else arr.dtype.str, "shape": list(arr.shape)}
        if isinstance(v, np.generic):
            out["scalar"] = True
        if np.iscomplexobj(arr):
            out.update(real=[to_jsonable(float(t)) for t in arr.real.ravel()],
                       imag=[to_jsonable(float(t)) for t in arr.imag.ravel()])
        elif arr.dtype.kind == "f":
            out["data"] = [to_jsonable(float(t)) for t in arr.ravel()]
        else:
            out["data"] = arr.ravel().tolist()
        return out
    if isinstance(v, bool) or v is None or isinstance(v, (str, int)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else {"__float__": repr(v)}
    if isinstance(v, complex):
        return {"__complex__": [to_jsonable(v.real), to_jsonable(v.imag)]}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {"__dataclass__": class_path(v), "fields": {k: to_jsonable(x) for k, x in _fields(v).items()}}
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return {"__tuple__": [to_jsonable(x) for x in v]}
    if isinstance(v, list):
        return [to_jsonable(x) for x in v]
    return repr(v)


def _num_list(where, key, v):
    if not isinstance(v, list):
        raise InvalidProblemError(f"file.{where}['{key}'] = {type(v).__name__}: must be a list of numbers")
    out = []
    for t in v:
        if isinstance(t, dict) and "__float__" in t:
            t = float(t["__float__"])
        if isinstance(t, bool) or not isinstance(t, (int, float)):
            raise InvalidProblemError(f"file.{where}['{key}'] holds {t!r}: must be numbers")
        out.append(t)
    return out


def _array(v, where):
    for key in ("shape",) + (("real", "imag") if v["__ndarray__"] == "complex" else ("data",)):
        if key not in v:
            raise InvalidProblemError(f"file.{where}: the array has no '{key}' entry "
                                      f"(a {'complex' if key in ('real', 'imag') else 'real'} array needs it)")
    shape = v["shape"]
    if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
        raise InvalidProblemError(f"file.{where}['shape'] = {shape!r}: must be a list of sizes")
    n = math.prod(shape)
    if v["__ndarray__"] == "complex":
        re_, im_ = _num_list(where, "real", v["real"]), _num_list(where, "imag", v["imag"])
        if len(re_) != n or len(im_) != n:
            raise InvalidProblemError(f"file.{where}: 'real'/'imag' hold {len(re_)}/{len(im_)} values, "
                                      f"shape {tuple(shape)} needs {n}")
        arr = np.asarray(re_, float) + 1j * np.asarray(im_, float)
    else:
        try:
            dtype = np.dtype(v["__ndarray__"])
        except TypeError:
            raise InvalidProblemError(f"file.{where}['__ndarray__'] = {v['__ndarray__']!r}: unknown dtype") from None
        if dtype.kind not in "biufc":
            raise InvalidProblemError(f"file.{where}['__ndarray__'] = {v['__ndarray__']!r}: must be numeric")
        data = v["data"]
        data = _num_list(where, "data", data) if dtype.kind != "b" else data
        if not isinstance(data, list) or len(data) != n:
            raise InvalidProblemError(f"file.{where}['data'] holds {len(data) if isinstance(data, list) else '?'} "
                                      f"values, shape {tuple(shape)} needs {n}")
        arr = np.asarray(data, dtype=dtype)
    arr = arr.reshape(shape)
    return arr[()] if v.get("scalar") else arr


def from_jsonable(v, where: str = "json", near=None):
    """Inverse of :func:`to_jsonable`; a malformed entry raises ``InvalidProblemError`` (a
    ``ValueError``) naming its key path, e.g. ``file.x['precoders']: the array has no 'imag' entry``."""
    if isinstance(v, dict):
        if "__ndarray__" in v:
            return _array(v, where)
        if "__complex__" in v:
            parts = _num_list(where, "__complex__", v["__complex__"])
            if len(parts) != 2:
                raise InvalidProblemError(f"file.{where}['__complex__'] = {parts!r}: must be [real, imag]")
            return complex(*parts)
        if "__float__" in v:
            try:
                return float(v["__float__"])
            except (TypeError, ValueError):
                raise InvalidProblemError(f"file.{where}['__float__'] = {v['__float__']!r}: not a number") from None
        if "__tuple__" in v:
            return tuple(from_jsonable(x, f"{where}[{i}]", near) for i, x in enumerate(v["__tuple__"]))
        if "__dataclass__" in v:
            cls = resolve_class(v["__dataclass__"], where=f"{where}['__dataclass__']", near=near)
            fields = v.get("fields")
            if not isinstance(fields, dict):
                raise InvalidProblemError(f"file.{where}: a dataclass entry needs a 'fields' dict")
            return cls(**{k: from_jsonable(x, f"{where}.{k}", near) for k, x in fields.items()})
        return {k: from_jsonable(x, f"{where}['{k}']", near) for k, x in v.items()}
    if isinstance(v, list):
        return [from_jsonable(x, f"{where}[{i}]", near) for i, x in enumerate(v)]
    return v


def problem_to_dict(problem) -> dict:
    """``{"matoolbox_class", "format", "fields"}`` of a frozen-dataclass problem (JSON-able)."""
    return {"matoolbox_class": class_path(problem), "format": FORMAT_VERSION,
            "fields": {k: to_jsonable(v) for k, v in _fields(problem).items()}}


def _check_fields(cls, names, where):
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    extra = sorted(set(names) - known)
    if extra:
        raise InvalidProblemError(f"file.{where}: unknown field(s) {extra} for {cls.__name__}")


def problem_from_dict(data, base) -> object:
    """Rebuild the problem of :func:`problem_to_dict` (class checked to be ``base`` or a subclass)."""
    if not isinstance(data, dict):
        raise InvalidProblemError(f"file = {type(data).__name__}: must be a JSON object with 'matoolbox_class' and 'fields'")
    for key in ("matoolbox_class", "fields"):
        if key not in data:
            raise InvalidProblemError(f"file.{key}: missing (not a matoolbox problem file?)")
    cls = resolve_class(data["matoolbox_class"], base)
    if not isinstance(data["fields"], dict):
        raise InvalidProblemError("file.fields: must be an object of field values")
    _check_fields(cls, data["fields"], "fields")
    return cls(**{k: from_jsonable(v, f"fields.{k}", cls) for k, v in data["fields"].items()})


def writable_path(path) -> Path:
    """``path`` as a :class:`~pathlib.Path` whose folder exists; otherwise ``FileNotFoundError``
    naming the path (instead of SciPy's "Reader needs file name or open file-like object")."""
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        why = "is not a folder" if parent.exists() else "does not exist"
        raise FileNotFoundError(f"cannot write {str(path)!r}: folder {str(parent)!r} {why}")
    return path


def save_problem_json(problem, path) -> Path:
    path = writable_path(path)
    path.write_text(json.dumps(problem_to_dict(problem), indent=1, allow_nan=False))
    return path


def load_problem_json(base, path):
    try:
        data = json.loads(Path(path).read_text())
    except json.JSONDecodeError as err:
        raise InvalidProblemError(f"file {str(path)!r}: not valid JSON ({err})") from None
    return problem_from_dict(data, base)


# ----------------------------------------------------------------------------- .mat
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")


def mat_key(key) -> str:
    """A valid MATLAB field name for ``key`` (invalid characters replaced by '_', 'x' prefixed)."""
    k = re.sub(r"[^A-Za-z0-9_]", "_", str(key))[:63]
    return k if _IDENT.match(k) else ("x" + k)[:63]


def mat_encode(v):
    """(value for ``scipy.io.savemat``, JSON-able type spec) of a Python/NumPy value."""
    if v is None:
        return np.zeros((0, 0)), {"t": "none"}
    if isinstance(v, bool) or isinstance(v, np.bool_):
        return np.bool_(v), {"t": "bool" if isinstance(v, bool) else "npbool"}
    if isinstance(v, (int, float, complex)) and not isinstance(v, np.generic):
        return v, {"t": type(v).__name__}
    if isinstance(v, str):
        return v, {"t": "str"}
    if isinstance(v, (np.ndarray, np.generic)):
        arr = np.asarray(v)
        if arr.dtype.kind not in "biufc":
            return repr(v), {"t": "repr"}
        return arr, {"t": "scalar" if isinstance(v, np.generic) else "array", "dtype": arr.dtype.str,
                     "shape": list(arr.shape)}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        val, spec = mat_encode(_fields(v))
        return val, {"t": "dataclass", "cls": class_path(v), "items": spec["items"]}
    if isinstance(v, dict):
        out, items = {}, {}
        for k, x in v.items():
            out[mat_key(k)], spec = mat_encode(x)
            items[mat_key(k)] = dict(spec, key=str(k)) if mat_key(k) != str(k) else spec
        return out, {"t": "dict", "items": items}
    if isinstance(v, (tuple, list)):
        seq = type(v).__name__
        if v and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
            return np.asarray(v, float), {"t": "numseq", "seq": seq, "kinds": [type(x).__name__ for x in v]}
        cell = np.empty((len(v),), dtype=object)
        specs = []
        for i, x in enumerate(v):
            cell[i], spec = mat_encode(x)
            specs.append(spec)
        return cell, {"t": "cell", "seq": seq, "items": specs}
    return repr(v), {"t": "repr"}


def _as_str(v):
    if isinstance(v, str):
        return v
    arr = np.asarray(v)
    return "" if arr.size == 0 else str(arr.ravel()[0]) if arr.dtype.kind == "U" else str(v)


def mat_decode(v, spec, where="problem", near=None):
    """Inverse of :func:`mat_encode` for a value read by ``loadmat(..., simplify_cells=True)``."""
    t = spec.get("t") if isinstance(spec, dict) else None
    if t == "none":
        return None
    if t in ("bool", "npbool"):
        b = bool(np.asarray(v).ravel()[0])
        return b if t == "bool" else np.bool_(b)
    if t in ("int", "float", "complex"):
        arr = np.asarray(v)
        if arr.size != 1:
            raise InvalidProblemError(f"file.{where} = <array of shape {arr.shape}>: must be a scalar")
        return {"int": int, "float": float, "complex": complex}[t](arr.ravel()[0])
    if t in ("str", "repr"):
        return _as_str(v)
    if t in ("array", "scalar"):
        dtype = np.dtype(spec["dtype"])
        arr = np.asarray(v)
        shape = tuple(spec["shape"])
        if arr.size != math.prod(shape):
            raise InvalidProblemError(f"file.{where} = <array of shape {arr.shape}>: must hold "
                                      f"{math.prod(shape)} values (shape {shape})")
        arr = arr.astype(dtype, copy=False).reshape(shape)
        return arr[()] if t == "scalar" else arr
    if t == "numseq":
        arr = np.atleast_1d(np.asarray(v, float)).ravel()
        kinds = spec["kinds"]
        if arr.size != len(kinds):
            raise InvalidProblemError(f"file.{where}: holds {arr.size} values, expected {len(kinds)}")
        vals = [int(a) if k == "int" else float(a) for a, k in zip(arr, kinds)]
        return tuple(vals) if spec["seq"] == "tuple" else vals
    if t == "cell":
        items = v if isinstance(v, list) else list(np.atleast_1d(np.asarray(v, dtype=object)).ravel())
        if len(items) != len(spec["items"]):
            raise InvalidProblemError(f"file.{where}: holds {len(items)} cells, expected {len(spec['items'])}")
        vals = [mat_decode(x, s, f"{where}{{{i + 1}}}", near) for i, (x, s) in enumerate(zip(items, spec["items"]))]
        return tuple(vals) if spec["seq"] == "tuple" else vals
    if t in ("dict", "dataclass"):
        if not isinstance(v, dict):
            v = {} if np.asarray(v).size == 0 else v
        if not isinstance(v, dict):
            raise InvalidProblemError(f"file.{where}: must be a struct")
        out = {}
        for k, s in spec["items"].items():
            if k not in v:
                raise InvalidProblemError(f"file.{where}.{k}: missing")
            out[s.get("key", k)] = mat_decode(v[k], s, f"{where}.{k}", near)
        if t == "dataclass":
            return resolve_class(spec["cls"], where=f"{where}.matoolbox_types", near=near)(**out)
        return out
    raise InvalidProblemError(f"file.{where}.matoolbox_types: unknown type spec {spec!r}")


def problem_mat_struct(problem) -> dict:
    """The struct written by :func:`save_problem_mat` (fields + ``matoolbox_class`` / ``matoolbox_types``)."""
    val, spec = mat_encode(_fields(problem))
    val["matoolbox_class"] = class_path(problem)
    val["matoolbox_types"] = json.dumps(spec["items"])
    return val


def problem_from_mat_struct(struct, base, where="problem"):
    if not isinstance(struct, dict):
        raise InvalidProblemError(f"file.{where}: must be a struct")
    for key in ("matoolbox_class", "matoolbox_types"):
        if key not in struct:
            raise InvalidProblemError(f"file.{where}.{key}: missing (not written by to_mat?)")
    cls = resolve_class(_as_str(struct["matoolbox_class"]), base, where=f"{where}.matoolbox_class")
    try:
        items = json.loads(_as_str(struct["matoolbox_types"]))
    except json.JSONDecodeError as err:
        raise InvalidProblemError(f"file.{where}.matoolbox_types: not valid JSON ({err})") from None
    _check_fields(cls, [s.get("key", k) for k, s in items.items()], f"{where}.matoolbox_types")
    kw = mat_decode(struct, {"t": "dict", "items": items}, where, cls)
    return cls(**kw)


def save_problem_mat(problem, path, name: str = "problem") -> Path:
    from scipy.io import savemat

    path = writable_path(path)
    savemat(path, {name: problem_mat_struct(problem)}, long_field_names=True, do_compression=True, oned_as="row")
    return path


def read_mat(path, squeeze: bool = True) -> dict:
    """Variables of a .mat file (structs as dicts); ``squeeze=False`` keeps MATLAB's >= 2-D shapes."""
    from scipy.io import loadmat

    try:
        data = loadmat(path, simplify_cells=True) if squeeze else loadmat(path, squeeze_me=False)
    except (ValueError, OSError, TypeError, NotImplementedError) as err:
        raise InvalidProblemError(f"file {str(path)!r}: not a readable .mat file ({err})") from None
    return {k: (_as_str(v) if isinstance(v, np.ndarray) and v.dtype.kind == "U" else v)
            for k, v in data.items() if not k.startswith("__")}


def load_problem_mat(base, path, name: str = "problem"):
    data = read_mat(path)
    if name not in data:
        raise InvalidProblemError(f"file {str(path)!r}: no variable '{name}' (holds {sorted(data)})")
    return problem_from_mat_struct(data[name], base, name)


# ----------------------------------------------------------------------------- user files
def read_mapping(source, owner: str = "file", squeeze: bool = True) -> dict:
    """A dict of arrays from a ``.mat`` / ``.npz`` (``allow_pickle=False``) / ``.json`` file, or a
    mapping given directly. JSON arrays may be plain nested lists or tagged (:func:`to_jsonable`);
    a complex value in JSON is ``{"real": [...], "imag": [...]}``. ``squeeze=False``: .mat arrays
    keep MATLAB's shapes (at least 2-D; singleton axes are not dropped)."""
    if isinstance(source, dict):
        return dict(source)
    path = Path(source)
    if not path.exists():
        fail(owner, "path", str(path), "no such file")
    suffix = path.suffix.lower()
    if suffix == ".mat":
        return read_mat(path, squeeze)
    if suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except ValueError as err:
            fail(owner, "path", str(path), f"not a plain .npz (object arrays need pickle, refused): {err}")
    if suffix == ".json":
        try:
            raw = json.loads(path.read_text())
        except json.JSONDecodeError as err:
            fail(owner, "path", str(path), f"not valid JSON ({err})")
        if not isinstance(raw, dict):
            fail(owner, "path", str(path), "the JSON file must hold an object of named arrays")
        out = {}
        for k, v in raw.items():
            if isinstance(v, dict) and ("real" in v or "imag" in v) and "__ndarray__" not in v:
                for part in ("real", "imag"):
                    if part not in v:
                        fail(owner, f"{k}['{part}']", None, "a complex array needs both 'real' and 'imag'")
                v = np.asarray(v["real"], float) + 1j * np.asarray(v["imag"], float)
            out[k] = from_jsonable(v, k)
        return out
    fail(owner, "path", str(path), "must end in .mat, .npz or .json")


# ----------------------------------------------------------------------------- SNR form
def snr_power(owner, snr_db=None, pmax_dbm=None, noise_dbm=None, *, pmax_name="pmax_dbm",
              noise_name="noise_dbm", pmax_default=None, noise_default=None):
    """``(pmax_dbm, noise_dbm)`` from either the SNR form (``snr_db`` with unit noise: noise 1 W =
    30 dBm, power ``snr_db + 30`` dBm) or the dBm pair; giving both forms is an error naming both."""
    if snr_db is not None:
        given = [n for n, v in ((pmax_name, pmax_dbm), (noise_name, noise_dbm)) if v is not None]
        if given:
            fail(owner, "snr_db", snr_db, f"give either snr_db (unit noise) or {'/'.join(given)}, not both")
        s = np.asarray(snr_db, float)
        if not np.all(np.isfinite(s)):
            fail(owner, "snr_db", snr_db, "must be finite")
        pm = s + 30.0
        return (float(pm) if pm.ndim == 0 else pm), 30.0
    return (pmax_default if pmax_dbm is None else pmax_dbm), (noise_default if noise_dbm is None else noise_dbm)


# ----------------------------------------------------------------------------- sweeps
def _instance_name(params, rng) -> str:
    parts = [f"{re.sub(r'[^A-Za-z0-9_.-]', '_', str(k))}={re.sub(r'[^A-Za-z0-9_.-]', '_', str(v))}"
             for k, v in params.items()]
    try:
        key = "_".join(str(i) for i in rng.bit_generator.seed_seq.spawn_key) or "0"
    except AttributeError:
        key = "0"
    return ("_".join(parts) or "point") + f"_trial{key}.json"


def trial_saving_instance(trial, directory, params, rng):
    """Run ``trial(params, rng)``; an ``"instance"`` output holding a problem is written to
    ``directory/<params>_trial<t>.json`` (:meth:`Problem.to_json`) and replaced by that path.
    Used by ``run_sweep(..., save_instances=DIR)``."""
    out = trial(params, rng)
    if isinstance(out, dict) and hasattr(out.get("instance"), "to_json"):
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        out = dict(out, instance=str(out["instance"].to_json(path / _instance_name(params, rng))))
    return out
