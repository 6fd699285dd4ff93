"""XL-MA subarray placement: closed-form MRC rate, LP initialization, successive replacement, exhaustive search, maps."""
from .exhaustive import ExhaustiveOptions, exhaustive_placement, n_combinations
from .layout import Layout, RateState, fpa_indices
from .lp_init import LpInitOptions, lp_init
from .problem import XlmaPlacementProblem
from .points import XlmaPointsProblem
from .replacement import ReplacementOptions, successive_replacement

__all__ = ["XlmaPlacementProblem", "XlmaPointsProblem", "Layout", "RateState", "fpa_indices", "LpInitOptions", "lp_init",
           "ReplacementOptions", "successive_replacement", "ExhaustiveOptions", "exhaustive_placement",
           "n_combinations"]
