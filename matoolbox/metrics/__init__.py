"""Figures of merit of a channel matrix with their gradients: log-det capacity, SINR, (weighted) sum rate, max-min rate, secrecy sum rate.

Layer 1 of the generic layer (NumPy only, imports :mod:`matoolbox.core` at most). Every function
takes the channel as a matrix whose row k is h_k^H (what multiplies the precoder; for a MIMO link
H = F^H Sigma G), accepts leading batch axes (batch-first: H (B, K, N) gives values (B,)), and
with ``grad=True`` returns ``(value, dH, dvar)`` where ``dH`` and ``dvar`` follow the convention
of :mod:`matoolbox.core.gradcheck`: ``dF/dRe Z + 1j dF/dIm Z`` (= 2 dF/dZ*), so that a channel's
``vjp(..., dH)`` turns ``dH`` into position gradients.
"""
from .capacity import capacity
from .rates import min_rate, rates, secrecy_sum_rate, secrecy_terms, sinr, softmin, softmin_rate, sum_rate

__all__ = ["capacity", "sinr", "rates", "sum_rate", "min_rate", "softmin", "softmin_rate", "secrecy_terms",
           "secrecy_sum_rate"]
