"""Problem families, one per module. Classes load lazily (``matoolbox.problems.X``)."""
import importlib

# class name -> module (one line per family; keep sorted)
_LAZY = {
    "FullDuplexMultiUserProblem": "full_duplex",
    "FullDuplexProblem": "full_duplex",
    "CcfdMaxMinProblem": "full_duplex_examples",
    "CompRsmaProblem": "comp_rsma",
    "NullSteeringProblem": "full_duplex_examples",
    "MultiBeamProblem": "full_duplex_examples",
    "SpectrumSharingProblem": "full_duplex_examples",
    "UplinkTwoTimescaleProblem": "uplink",
    "XlmaPlacementProblem": "xlma",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'matoolbox.problems' has no attribute {name!r}")


def __dir__():
    return __all__
