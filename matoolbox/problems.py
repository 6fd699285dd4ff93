"""Facade: every problem class of every family (``matoolbox.problems.CompRsmaProblem``).

Classes load on first use, so ``import matoolbox`` stays cheap. Nothing inside the package
imports this module; it only points down to the family packages.
"""
import importlib

# class name -> family package
_LAZY = {
    "CcfdMaxMinProblem": "full_duplex.scenarios",
    "CompRsmaProblem": "comp_rsma",
    "FullDuplexMultiUserProblem": "full_duplex",
    "FullDuplexProblem": "full_duplex",
    "MimoCapacityProblem": "mimo_capacity",
    "MultiBeamProblem": "full_duplex.scenarios",
    "NullSteeringProblem": "full_duplex.scenarios",
    "SecureMaProblem": "secure_ma",
    "SpectrumSharingProblem": "full_duplex.scenarios",
    "UplinkTwoTimescaleProblem": "uplink",
    "XlmaPlacementProblem": "xlma",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        obj = getattr(importlib.import_module(f"matoolbox.{_LAZY[name]}"), name)
        globals()[name] = obj
        return obj
    raise AttributeError(f"module 'matoolbox.problems' has no attribute {name!r}")


def __dir__():
    return __all__
