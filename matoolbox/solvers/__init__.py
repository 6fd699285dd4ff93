"""Solvers, one per file: ``solver(problem, x0=None, *, options=None, rng=None) -> Solution``.

Names load lazily (``matoolbox.solvers.pga``) so that importing matoolbox stays cheap.
"""
import importlib

# public name -> module (one line per solver; keep sorted)
_LAZY = {
    "PgaOptions": "pga",
    "pga": "pga",
    "project_min_spacing": "projection",
    "PsoOptions": "pso",
    "pso_positions": "pso",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'matoolbox.solvers' has no attribute {name!r}")


def __dir__():
    return __all__
