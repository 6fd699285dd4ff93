"""Gradient-based meta-learning (GML) in pure NumPy: its own MLP, backprop and Adam.

``gml_solve(problem, options=None, rng=None)`` solves any problem that implements the block
interface of :mod:`matoolbox.gml.interface` (CoMP-RSMA does); ``ContractProblem`` adapts any
problem with the shared ``objective/gradient/project/violation/initial_point`` contract (uplink,
full duplex). Depends on NumPy and ``matoolbox.core`` only.
"""
from .adam import Adam
from .adapter import ContractProblem
from .driver import gml_solve
from .interface import GmlBlock, check_interface, from_features, to_features
from .mlp import MLP
from .options import PRESETS, GmlOptions

__all__ = ["gml_solve", "GmlOptions", "PRESETS", "MLP", "Adam", "GmlBlock", "ContractProblem", "check_interface",
           "to_features", "from_features"]
