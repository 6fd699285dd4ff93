"""Problem base class: a frozen dataclass validated in ``__post_init__``.

A family subclasses it with ``@dataclass(frozen=True)`` and implements ``validate`` plus the
methods its solvers call: ``objective(x)``, ``violation(x)``, ``evaluate(x)``,
``initial_point(rng)``, ``gradient(block, x)`` and, for ``ao_solve``, ``ao_blocks()``.
``x`` is always a dict of named variables (see DESIGN.md: ``positions``, ``precoders``, ...).
"""
from __future__ import annotations

import dataclasses
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


@dataclasses.dataclass(frozen=True)
class Problem:
    """Base of every problem family (frozen dataclass, validated on construction)."""

    def __post_init__(self):
        self.validate()

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
