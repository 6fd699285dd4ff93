"""MATLAB-style solution struct (a ``scipy.optimize.OptimizeResult``) with JSON and .mat export.

exitflag follows MATLAB: 1 converged, 0 iteration/time limit, -2 infeasible, -3 numerical or
solver failure.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from scipy.optimize import OptimizeResult

__all__ = ["Solution", "EXITFLAGS"]

EXITFLAGS = {1: "converged", 0: "iteration or time limit", -2: "infeasible", -3: "numerical or solver failure"}

_ORDER = ("solver", "fval", "exitflag", "message", "violation", "nit", "elapsed", "x", "history", "output")


def _to_jsonable(v):
    if isinstance(v, np.ndarray) or isinstance(v, np.generic):
        arr = np.asarray(v)
        if np.iscomplexobj(arr):
            return {"__ndarray__": "complex", "shape": list(arr.shape),
                    "real": arr.real.ravel().tolist(), "imag": arr.imag.ravel().tolist()}
        return {"__ndarray__": arr.dtype.str, "shape": list(arr.shape), "data": arr.ravel().tolist()}
    if isinstance(v, complex):
        return {"__complex__": [v.real, v.imag]}
    if isinstance(v, float) and not math.isfinite(v):
        return {"__float__": repr(v)}
    if isinstance(v, dict):
        return {str(k): _to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_to_jsonable(x) for x in v]
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return repr(v)


def _from_jsonable(v):
    if isinstance(v, dict):
        if "__ndarray__" in v:
            shape = tuple(v["shape"])
            if v["__ndarray__"] == "complex":
                arr = np.asarray(v["real"], float) + 1j * np.asarray(v["imag"], float)
            else:
                arr = np.asarray(v["data"], dtype=np.dtype(v["__ndarray__"]))
            return arr.reshape(shape)
        if "__complex__" in v:
            return complex(*v["__complex__"])
        if "__float__" in v:
            return float(v["__float__"])
        return {k: _from_jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_jsonable(x) for x in v]
    return v


def _to_mat(v):
    """Convert to what scipy.io.savemat stores as MATLAB arrays/structs/cells."""
    if v is None:
        return np.zeros((0, 0))
    if isinstance(v, dict):
        return {str(k): _to_mat(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        try:
            arr = np.asarray(v)
            if arr.dtype != object:
                return arr
        except (ValueError, TypeError):
            pass
        cell = np.empty((len(v),), dtype=object)
        for i, x in enumerate(v):
            cell[i] = _to_mat(x)
        return cell
    if isinstance(v, bool):
        return np.bool_(v)
    return v


class Solution(OptimizeResult):
    """Solution struct: ``x`` (dict of named variables), ``fval``, ``exitflag``, ``message``,
    ``nit``, ``history`` (objective per iteration), ``violation``, ``elapsed`` (s), ``solver``,
    ``output`` (solver-specific extras). Dict with attribute access.
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
        return "\n".join(lines)

    __str__ = __repr__

    def to_json(self, path) -> Path:
        """Write the struct as JSON (arrays tagged with dtype and shape; complex split re/im)."""
        path = Path(path)
        path.write_text(json.dumps(_to_jsonable(dict(self)), indent=1))
        return path

    @classmethod
    def from_json(cls, path) -> "Solution":
        return cls(**_from_jsonable(json.loads(Path(path).read_text())))

    def to_mat(self, path) -> Path:
        """Write a MATLAB .mat file (``scipy.io.savemat``); ``x`` and ``output`` become structs."""
        from scipy.io import savemat

        path = Path(path)
        data = {k: _to_mat(v) for k, v in self.items() if not k.startswith("_")}
        savemat(path, data, long_field_names=True, do_compression=True)
        return path


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
