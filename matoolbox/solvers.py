"""Facade: every solver function and options class (``matoolbox.solvers.multistart``).

``solver(problem, x0=None, *, options=None, rng=None) -> Solution``. Names load on first use (CVXPY
only when a convex block runs). Nothing inside the package imports this module.
"""
import importlib

# public name -> package that defines it
_LAZY = {
    "value_function_block": "optim",
    "nlp_block": "optim",
    "NlpBlockOptions": "optim",
    "AoMultistartOptions": "optim",
    "ApoOptions": "full_duplex.scenarios",
    "CoordinateSearchOptions": "optim",
    "EnumerationOptions": "full_duplex.scenarios",
    "ExhaustiveOptions": "xlma",
    "FdPositionOptions": "full_duplex",
    "FpOptions": "full_duplex",
    "FpPrecoderOptions": "comp_rsma",
    "GridSearchOptions": "optim",
    "LpInitOptions": "xlma",
    "MmOptions": "full_duplex",
    "MultibeamApvOptions": "full_duplex.scenarios",
    "MultibeamAwvOptions": "full_duplex.scenarios",
    "MultistartOptions": "optim",
    "NullSteeringOptions": "full_duplex.scenarios",
    "PgaOptions": "optim",
    "PsoOptions": "optim",
    "ReplacementOptions": "xlma",
    "ScaOptions": "full_duplex",
    "ScaPrecoderOptions": "comp_rsma",
    "SdrOptions": "full_duplex",
    "SocpOptions": "full_duplex",
    "SpectrumSharingBfOptions": "full_duplex.scenarios",
    "WaterfillOptions": "optim",
    "WmmseOptions": "optim",
    "ao_multistart": "optim",
    "ao_solve": "optim",
    "apo_positions": "full_duplex.scenarios",
    "chain_blocks": "optim",
    "coordinate_search": "optim",
    "exhaustive_placement": "xlma",
    "fd_baselines": "full_duplex",
    "fd_blocks": "full_duplex",
    "fd_positions": "full_duplex",
    "fp_beamforming": "full_duplex",
    "fp_power": "full_duplex",
    "fp_precoders": "comp_rsma",
    "gaussian_randomization": "optim",
    "gml_solve": "gml",
    "grid_search_positions": "optim",
    "lp_init": "xlma",
    "mm_positions": "full_duplex",
    "mmse_combiner": "full_duplex",
    "multibeam_apv": "full_duplex.scenarios",
    "multibeam_awv": "full_duplex.scenarios",
    "multistart": "optim",
    "null_steering_finite": "full_duplex.scenarios",
    "null_steering_layout": "full_duplex.scenarios",
    "p3_closed_form": "full_duplex",
    "principal_or_random": "optim",
    "pga": "optim",
    "project_min_spacing": "optim",
    "pso_positions": "optim",
    "reduced_block": "optim",
    "rx_comb_block": "full_duplex",
    "sca_beamforming": "full_duplex",
    "sca_precoders": "comp_rsma",
    "sdr_beamforming": "full_duplex",
    "sdr_maxmin": "optim",
    "sdr_power_min": "optim",
    "socp_beamforming": "full_duplex",
    "spectrum_sharing_beamformer": "full_duplex.scenarios",
    "spectrum_sharing_enumeration": "full_duplex.scenarios",
    "successive_replacement": "xlma",
    "waterfill_block": "optim",
    "waterfilling": "optim",
    "wmmse_block": "optim",
    "wmmse_precoders": "optim",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        obj = getattr(importlib.import_module(f"matoolbox.{_LAZY[name]}"), name)
        globals()[name] = obj
        return obj
    raise AttributeError(f"module 'matoolbox.solvers' has no attribute {name!r}")


def __dir__():
    return __all__
