"""Problem base class: a frozen dataclass validated in ``__post_init__``.

A family subclasses it with ``@dataclass(frozen=True)`` and implements ``validate`` plus the
methods its solvers call: ``objective(x)``, ``violation(x)``, ``evaluate(x)``,
``initial_point(rng)``, ``gradient(block, x)`` and, for ``ao_solve``, ``ao_blocks()``.
``x`` is always a dict of named variables (docs/write_your_own.rst lists the names and what each
solver calls: ``positions``, ``precoders``, ``covariance``, ...).

Equality and hashing: two problems are equal when they are of the same class and every field
is equal (arrays: same dtype, shape and values; nested dataclasses field by field; NaN equals
NaN); the hash is a digest of the same JSON form that :meth:`Problem.to_json` writes, so equal
problems hash equal and a problem with array fields can key a dict or sit in a set. Every
subclass gets these two methods, even when its ``@dataclass`` decorator asks for ``eq=True``.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping

import numpy as np

from . import io as _io
from .errors import MatoolboxError
from .validate import fail

__all__ = ["Problem", "Block"]


@dataclasses.dataclass(frozen=True)
class Block:
    """One AO block: ``solver(problem, x0, options=options, rng=rng) -> Solution`` updating ``name``."""

    name: str
    solver: object
    options: object = None


def _short(v) -> str:
    if isinstance(v, np.ndarray):
        return f"<{v.dtype} array {v.shape}>" if v.size > 4 else np.array2string(v, precision=4, separator=", ")
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        inner = ", ".join(f"{k}={_short(x)}" for k, x in _io._fields(v).items())
        text = f"{type(v).__name__}({inner})"
        return text if len(text) <= 80 else f"<{type(v).__name__}>"
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


def _digest(h, v) -> None:
    """Feed ``v`` to the hash ``h`` so that values equal under :func:`_values_equal` feed the same
    bytes (-0.0 as 0.0, every NaN as one NaN)."""
    if isinstance(v, (np.ndarray, np.generic)):
        a = np.asarray(v)
        h.update(f"a{a.dtype.str}{a.shape}".encode())
        if a.dtype.kind in "fc":
            parts = (a.real, a.imag) if a.dtype.kind == "c" else (a,)
            for part in parts:
                clean = np.where(np.isnan(part), np.nan, part) + 0.0
                h.update(np.ascontiguousarray(clean).tobytes())
        elif a.dtype.kind in "biu":
            h.update(np.ascontiguousarray(a).tobytes())
        else:
            h.update(repr(a.tolist()).encode())
    elif dataclasses.is_dataclass(v) and not isinstance(v, type):
        h.update(f"d{type(v).__qualname__}".encode())
        _digest(h, _io._fields(v))
    elif isinstance(v, Mapping):
        h.update(b"m")
        for k in v:
            h.update(repr(k).encode())
            _digest(h, v[k])
    elif isinstance(v, (list, tuple)):
        h.update(f"s{type(v).__name__}{len(v)}".encode())
        for x in v:
            _digest(h, x)
    elif isinstance(v, float):
        h.update(b"fnan" if v != v else f"f{v + 0.0!r}".encode())
    else:
        h.update(f"{type(v).__name__}:{v!r}".encode())


def _values_equal(a, b) -> bool:
    """Structural equality of field values (arrays by dtype, shape and value; NaN == NaN)."""
    if isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return (type(a) is type(b)
                and _values_equal(_io._fields(a), _io._fields(b)))
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and a.keys() == b.keys() and all(_values_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_values_equal(x, y) for x, y in zip(a, b)))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and a == b


@dataclasses.dataclass(frozen=True, eq=False)
class Problem:
    """Base of every problem family (frozen dataclass, validated on construction)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # placed in the subclass's own namespace so that @dataclass(eq=True, frozen=True) keeps them
        if "__eq__" not in cls.__dict__:
            cls.__eq__ = Problem.__eq__
        if "__hash__" not in cls.__dict__ or cls.__dict__["__hash__"] is None:
            cls.__hash__ = Problem.__hash__
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = Problem.__repr__

    def __repr__(self):
        """``Class(field=value, ...)`` with arrays and nested objects summarised (one line)."""
        parts = [f"{k}={_short(v)}" for k, v in _io._fields(self).items()]
        return f"{type(self).__name__}({', '.join(parts)})"

    def __post_init__(self):
        self.validate()

    def __eq__(self, other):
        if other is self:
            return True
        if type(other) is not type(self):
            return NotImplemented
        return _values_equal(_io._fields(self), _io._fields(other))

    def __hash__(self):
        h = hashlib.sha256(type(self).__qualname__.encode())
        _digest(h, _io._fields(self))
        return int.from_bytes(h.digest()[:8], "little", signed=True)

    # -- to be provided by a family -------------------------------------------------------
    def validate(self) -> None:
        """Raise InvalidProblemError naming the field and value of anything invalid."""

    def objective(self, x: dict) -> float:
        raise MatoolboxError(f"{type(self).__name__} defines no objective")

    def violation(self, x: dict) -> float:
        """Max constraint violation (0 when feasible)."""
        return 0.0

    def evaluate(self, x: dict) -> dict:
        return {"objective": self.objective(x)}

    def ao_blocks(self) -> list[Block]:
        raise MatoolboxError(f"{type(self).__name__} has no default AO blocks: pass blocks= to ao_solve")

    def check_x(self, x, field: str = "x0") -> dict:
        """Validate a variable dict given by the user (e.g. ``ao_solve``'s ``x0``); return a shallow copy.

        The default checks that ``x`` is a mapping with string keys whose numeric values are all
        finite; a family overrides it to check its keys and shapes too. Raises
        ``InvalidProblemError`` naming the entry, e.g. ``x0['positions']``.
        """
        owner = type(self).__name__
        if not isinstance(x, Mapping):
            fail(owner, field, x, "must be a dict of named variables (e.g. a previous Solution.x)")
        for k, v in x.items():
            if not isinstance(k, str):
                fail(owner, field, k, "keys must be variable names (str)")
            if isinstance(v, (str, bytes)):
                fail(owner, f"{field}[{k!r}]", v, "must be numeric, not text")
            try:
                a = np.asarray(v)
            except (TypeError, ValueError):
                continue
            if a.dtype.kind in "biufc" and not np.all(np.isfinite(a)):
                fail(owner, f"{field}[{k!r}]", v, "must be finite (no NaN/inf)")
        return dict(x)

    # -- shared helpers -------------------------------------------------------------------
    @property
    def name(self) -> str:
        return type(self).__name__

    def with_(self, **changes):
        """A copy with some fields replaced (validated again)."""
        return dataclasses.replace(self, **changes)

    def feasible(self, x: dict, tol: float = 1e-6) -> bool:
        return self.violation(x) <= tol

    # -- instances on disk (matoolbox.core.io: no pickle, exact round trip) --------------------
    def to_json(self, path):
        """Write every dataclass field as JSON (arrays tagged with dtype and shape, complex as re/im)."""
        return _io.save_problem_json(self, path)

    @classmethod
    def from_json(cls, path):
        """The instance written by :meth:`to_json` (same objective, same ``ao_solve`` result)."""
        return _io.load_problem_json(cls, path)

    def to_mat(self, path, name: str = "problem"):
        """Write one MATLAB struct ``name`` (complex arrays stay complex) readable by :meth:`from_mat`."""
        return _io.save_problem_mat(self, path, name)

    @classmethod
    def from_mat(cls, path, name: str = "problem"):
        """The instance written by :meth:`to_mat`."""
        return _io.load_problem_mat(cls, path, name)
