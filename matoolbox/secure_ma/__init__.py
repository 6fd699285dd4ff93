"""Secure multiuser MA downlink (Cheng et al. 2026): a thin problem package built only from the generic layer."""
from .problem import SecureMaProblem

__all__ = ["SecureMaProblem"]
