"""Two-timescale MA-array uplink (Rician): ZF / MMSE / MMSE-SIC surrogates and their PGA set-up."""
from .problem import RECEIVERS, UplinkTwoTimescaleProblem, instantaneous_rates

__all__ = ["UplinkTwoTimescaleProblem", "RECEIVERS", "instantaneous_rates"]
