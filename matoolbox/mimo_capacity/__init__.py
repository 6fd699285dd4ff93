"""MA MIMO capacity (Ma, Zhu, Zhang 2024): a thin problem package built only from the generic layer."""
from .problem import SCHEMES, MimoCapacityProblem

__all__ = ["MimoCapacityProblem", "SCHEMES"]
