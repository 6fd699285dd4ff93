"""Problem base class: a frozen dataclass validated in ``__post_init__``.

A family subclasses it with ``@dataclass(frozen=True)`` and implements ``validate`` plus the
methods its solvers call: ``objective(x)``, ``violation(x)``, ``evaluate(x)``,
``initial_point(rng)``, ``gradient(block, x)`` and, for ``ao_solve``, ``ao_blocks()``.
``x`` is always a dict of named variables (see DESIGN.md: ``positions``, ``precoders``, ...).
"""
from __future__ import annotations

import dataclasses

from .errors import MatoolboxError

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

    # -- shared helpers -------------------------------------------------------------------
    @property
    def name(self) -> str:
        return type(self).__name__

    def with_(self, **changes):
        """A copy with some fields replaced (validated again)."""
        return dataclasses.replace(self, **changes)

    def feasible(self, x: dict, tol: float = 1e-6) -> bool:
        return self.violation(x) <= tol
