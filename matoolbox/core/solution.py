"""MATLAB-style solution struct (a ``scipy.optimize.OptimizeResult``) with JSON and .mat export.

exitflag follows MATLAB: 1 converged, 0 iteration/time limit, -2 infeasible, -3 numerical or
solver failure.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.optimize import OptimizeResult

from . import io as _io
from .errors import InvalidProblemError
from .problem import Problem

__all__ = ["Solution", "EXITFLAGS"]

EXITFLAGS = {1: "converged", 0: "iteration or time limit", -2: "infeasible", -3: "numerical or solver failure"}

#: first line of the printout of a failed solve (exitflag -> word)
_FAILED = {-2: "INFEASIBLE", -3: "FAILED"}

_ORDER = ("solver", "fval", "exitflag", "message", "violation", "nit", "elapsed", "x", "history", "output")


class Solution(OptimizeResult):
    """Solution struct: ``x`` (dict of named variables), ``fval``, ``exitflag``, ``message``,
    ``nit``, ``history`` (objective per iteration), ``violation``, ``elapsed`` (s), ``solver``,
    ``output`` (solver-specific extras). Dict with attribute access.

    Examples
    --------
    >>> import numpy as np
    >>> import matoolbox as ma
    >>> sol = ma.Solution(x={"positions": np.zeros((2, 2))}, fval=1.5, exitflag=1, solver="demo")
    >>> sol.fval, sol["exitflag"], ma.EXITFLAGS[sol.exitflag]
    (1.5, 1, 'converged')
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sol.json"
    >>> back = ma.Solution.from_json(sol.to_json(path))
    >>> back.fval, back.x["positions"].shape
    (1.5, (2, 2))
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = dict(x={}, fval=float("nan"), exitflag=-3, message="", nit=0, history=[],
                        violation=float("nan"), elapsed=0.0, solver="", output={})
        for k, v in defaults.items():
            self.setdefault(k, v)

    @property
    def success(self) -> bool:
        return self.get("exitflag", -3) >= 0 and self.get("violation", 0.0) <= 1e-6

    def __repr__(self):
        keys = [k for k in _ORDER if k in self] + sorted(k for k in self if k not in _ORDER)
        width = max(len(k) for k in keys) if keys else 0
        lines = []
        for k in keys:
            v = self[k]
            if k == "x" and isinstance(v, dict):
                text = "{" + ", ".join(f"{n}: {_short(a)}" for n, a in v.items()) + "}"
            elif k == "exitflag":
                text = f"{v} ({EXITFLAGS.get(v, '?')})"
            else:
                text = _short(v)
            lines.append(f"{k.rjust(width)}: {text}")
        flag = self.get("exitflag")
        if flag in _FAILED:                 # a failed solve must not look like a result
            msg = str(self.get("message", "") or EXITFLAGS[flag])
            lines.insert(0, f"{_FAILED[flag]} (exitflag {flag}): {msg}")
        return "\n".join(lines)

    __str__ = __repr__

    def to_json(self, path) -> Path:
        """Write the struct as JSON (arrays tagged with dtype and shape; complex split re/im)."""
        path = _io.writable_path(path)
        path.write_text(json.dumps(_io.to_jsonable(dict(self)), indent=1, allow_nan=False))
        return path

    @classmethod
    def from_json(cls, path) -> "Solution":
        """Read :meth:`to_json`'s file. A malformed file (not an object, a complex array without
        ``imag``, a size that does not match ``shape``, ...) raises ``InvalidProblemError`` (a
        ``ValueError``) naming the key, e.g. ``file.x['precoders']``."""
        try:
            raw = json.loads(Path(path).read_text())
        except json.JSONDecodeError as err:
            raise InvalidProblemError(f"file {str(path)!r}: not valid JSON ({err})") from None
        if not isinstance(raw, dict):
            raise InvalidProblemError(f"file {str(path)!r}: must hold a JSON object (the solution struct)")
        data = {k: _io.from_jsonable(v, k) for k, v in raw.items()}
        _check_struct(data)
        return cls(**data)

    def to_mat(self, path, problem=None, name: str = "sol") -> Path:
        """Write ONE MATLAB struct ``name`` (``sol.x.positions``, ``sol.fval``, ``sol.exitflag``,
        ``sol.history``, ``sol.output``, ...; complex arrays stay complex). ``problem``: also
        store the instance as ``sol.problem`` (readable by ``Problem.from_mat(path, "sol.problem")``
        and by :meth:`from_mat` with ``with_problem=True``). ``sol.matoolbox_types`` (a JSON
        text) lets :meth:`from_mat` restore the Python types exactly."""
        from scipy.io import savemat

        path = _io.writable_path(path)
        keys = [k for k in _ORDER if k in self] + sorted(k for k in self if k not in _ORDER and not k.startswith("_"))
        val, spec = _io.mat_encode({k: self[k] for k in keys})
        if problem is not None:
            val["problem"] = _io.problem_mat_struct(problem)
        val["matoolbox_types"] = json.dumps(spec["items"])
        savemat(path, {name: val}, long_field_names=True, do_compression=True, oned_as="row")
        return path

    @classmethod
    def from_mat(cls, path, name: str = "sol", with_problem: bool = False):
        """Read :meth:`to_mat`'s struct; ``with_problem=True`` returns ``(solution, problem)``
        (problem ``None`` when none was stored)."""
        data = _io.read_mat(path)
        if name not in data or not isinstance(data[name], dict):
            raise InvalidProblemError(f"file {str(path)!r}: no struct '{name}' (holds {sorted(data)})")
        st = data[name]
        if "matoolbox_types" not in st:
            raise InvalidProblemError(f"file.{name}.matoolbox_types: missing (not written by Solution.to_mat?)")
        try:
            items = json.loads(_io._as_str(st["matoolbox_types"]))
        except json.JSONDecodeError as err:
            raise InvalidProblemError(f"file.{name}.matoolbox_types: not valid JSON ({err})") from None
        sol = cls(**_io.mat_decode(st, {"t": "dict", "items": items}, name))
        _check_struct(sol)
        if not with_problem:
            return sol
        prob = None
        if "problem" in st:
            prob = _io.problem_from_mat_struct(st["problem"], Problem, f"{name}.problem")
        return sol, prob


_CHECKS = {"x": (dict, "a struct of named variables"), "output": (dict, "a struct"),
           "message": (str, "text"), "solver": (str, "text")}


def _check_struct(data) -> None:
    """Type checks of the standard fields of a loaded solution (named in the error)."""
    for k, (typ, what) in _CHECKS.items():
        if k in data and not isinstance(data[k], typ):
            raise InvalidProblemError(f"file.{k} = {type(data[k]).__name__}: must be {what}")
    for k in ("fval", "violation", "elapsed"):
        if k in data and not (np.ndim(data[k]) == 0 and isinstance(data[k], (int, float, np.number))
                              and not isinstance(data[k], bool)):
            raise InvalidProblemError(f"file.{k} = {data[k]!r}: must be a real number")
    for k in ("exitflag", "nit"):
        if k in data and not (isinstance(data[k], (int, np.integer)) and not isinstance(data[k], bool)):
            raise InvalidProblemError(f"file.{k} = {data[k]!r}: must be an integer")
    if "x" in data:
        for k, v in data["x"].items():
            if isinstance(v, (str, bytes)):
                raise InvalidProblemError(f"file.x['{k}'] = {v!r}: must be numeric")


def _short(v):
    if isinstance(v, np.ndarray):
        if v.size <= 8:
            return np.array2string(v, precision=4, suppress_small=True).replace("\n", "")
        return f"<{v.dtype} array {v.shape}>"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (list, tuple)) and len(v) > 6:
        return f"[{len(v)} items: {_short(v[0])} ... {_short(v[-1])}]"
    if isinstance(v, dict):
        return "{" + ", ".join(str(k) for k in v) + "}"
    return repr(v)
