"""Family-agnostic algorithms: ``ao_solve``, projected gradient ascent, the spacing projection, the
pyswarms PSO adapter, SLSQP multistart, multistart over AO runs, the block wrappers (they call what
a problem exposes) and closed-form blocks: water-filling, WMMSE, SDR extraction and the SDR
max-min step; per-antenna coordinate grid search over a region; start candidates from a
linear-MMSE proxy search for downlink user positions and from a value-function proxy search; and
the problem-building pieces: ``MaProblem`` (a problem from declared variables, a channel and a
metric) with its variable domains, the value-function view and the local SLSQP block."""
from .ao import ao_solve
from .ao_multistart import AoMultistartOptions, ao_multistart
from .blocks import GridSearchOptions, chain_blocks, grid_search_positions, reduced_block
from .grid_search import CoordinateSearchOptions, coordinate_search
from .maproblem import MaProblem, NlpBlockOptions, ValueFunction, nlp_block, value_function_block
from .mmse_positions import mmse_position_search, mmse_rates, proxy_score
from .multistart import MultistartOptions, multistart
from .pga import PgaOptions, pga
from .proxy_starts import value_function_starts
from .projection import isotonic_increasing, project_min_spacing, spacing_violation
from .pso import PsoOptions, pso_positions
from .variables import Covariance, Positions, Precoders
from .sdr import gaussian_randomization, principal_or_random, sdr_maxmin, sdr_power_min
from .waterfill import WaterfillOptions, water_levels, waterfill_block, waterfilling
from .wmmse import WmmseOptions, weighted_sum_rate, wmmse_block, wmmse_precoders

__all__ = [
    "ao_solve", "AoMultistartOptions", "ao_multistart", "GridSearchOptions", "chain_blocks", "grid_search_positions", "reduced_block",
    "CoordinateSearchOptions", "coordinate_search",
    "MaProblem", "NlpBlockOptions", "ValueFunction", "nlp_block", "value_function_block",
    "Covariance", "Positions", "Precoders",
    "mmse_position_search", "mmse_rates", "proxy_score", "value_function_starts",
    "MultistartOptions", "multistart", "PgaOptions", "pga", "isotonic_increasing",
    "project_min_spacing", "spacing_violation", "PsoOptions", "pso_positions",
    "gaussian_randomization", "principal_or_random", "sdr_maxmin", "sdr_power_min",
    "WaterfillOptions", "water_levels", "waterfill_block", "waterfilling",
    "WmmseOptions", "weighted_sum_rate", "wmmse_block", "wmmse_precoders",
]
