"""Two-timescale MA-array uplink (Rician): ZF / MMSE / MMSE-SIC surrogates and their PGA set-up."""
from .problem import RECEIVERS, UplinkTwoTimescaleProblem, instantaneous_rates
from .given_los import UplinkGivenLosProblem

__all__ = ["UplinkTwoTimescaleProblem", "UplinkGivenLosProblem", "RECEIVERS", "instantaneous_rates"]
