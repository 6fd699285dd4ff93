"""matoolbox: optimization toolbox for movable-antenna (MA) wireless systems.

    import matoolbox as ma
    prob = ma.problems.CompRsmaProblem.random(seed=0)
    sol = ma.ao_solve(prob)
"""
import importlib

from .optim.ao import ao_solve
from .core import (
    Block, EXITFLAGS, GradientCheck, InfeasibleError, InvalidProblemError, MatoolboxError,
    Options, Problem, Solution, SolverFailedError, as_generator, check_gradient, spawn_generators,
    spawn_seeds,
)

__version__ = "0.1.0"

_SUBMODULES = ("core", "channels", "optim", "gml", "comp_rsma", "uplink", "xlma", "full_duplex", "problems",
               "solvers", "sweep", "checkpoint", "results", "plots", "cli")

__all__ = [
    "ao_solve", "Solution", "Problem", "Block", "Options", "EXITFLAGS", "MatoolboxError",
    "InvalidProblemError", "InfeasibleError", "SolverFailedError", "check_gradient",
    "GradientCheck", "as_generator", "spawn_seeds", "spawn_generators", *_SUBMODULES,
]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'matoolbox' has no attribute {name!r}")
