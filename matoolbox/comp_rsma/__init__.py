"""CoMP-RSMA with movable antennas at the users: problem, rates, SCA precoder block, AO hooks, GML meta-loss."""
from .fp_precoders import FpPrecoderOptions, fp_precoders
from .problem import CompRsmaProblem
from .rates import RateGrad, lp_split, project_power, project_split, rate_coefficients, rates_from_gains
from .sca import ScaPrecoderOptions, sca_precoders

__all__ = ["CompRsmaProblem", "RateGrad", "lp_split", "project_power", "project_split",
           "rate_coefficients", "rates_from_gains", "ScaPrecoderOptions", "sca_precoders",
           "FpPrecoderOptions", "fp_precoders"]
