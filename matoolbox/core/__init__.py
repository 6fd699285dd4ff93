"""Core contracts: Solution, Problem, errors, options, rng, gradient checker, CVXPY helper."""
from .errors import InfeasibleError, InvalidProblemError, MatoolboxError, SolverFailedError
from .gradcheck import GradientCheck, check_gradient
from .options import Options, resolve_options
from .problem import Block, Problem
from .rng import as_generator, spawn_generators, spawn_seeds
from .solution import EXITFLAGS, Solution

__all__ = [
    "MatoolboxError", "InvalidProblemError", "InfeasibleError", "SolverFailedError",
    "Solution", "EXITFLAGS", "Problem", "Block", "Options", "resolve_options",
    "check_gradient", "GradientCheck", "as_generator", "spawn_seeds", "spawn_generators",
]
