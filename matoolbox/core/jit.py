"""numba, compiled on first use: :func:`compiled`.

Kernels are written as plain Python/NumPy functions (the reference a test can run uncompiled)
and compiled by ``numba.njit(cache=True)`` the first time they are needed; numba is imported
lazily so that ``import matoolbox`` stays light.
"""
from __future__ import annotations

__all__ = ["compiled"]

_COMPILED: dict = {}


def compiled(func):
    """``numba.njit(cache=True)(func)``, built once per process (keyed by module and name)."""
    key = (func.__module__, func.__qualname__)
    kernel = _COMPILED.get(key)
    if kernel is None:
        import numba

        kernel = _COMPILED.setdefault(key, numba.njit(cache=True)(func))
    return kernel
