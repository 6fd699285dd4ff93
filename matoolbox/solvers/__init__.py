"""Solvers, one per file: ``solver(problem, x0=None, *, options=None, rng=None) -> Solution``.

``import matoolbox`` stays cheap: this subpackage (and CVXPY) loads on first use of
``matoolbox.solvers``.
"""
import importlib

# public name -> module (one line per solver; keep sorted)
_LAZY = {
    "SdrOptions": "sdr",
    "sdr_beamforming": "sdr",
    "gaussian_randomization": "sdr",
    "ScaOptions": "sca_beamforming",
    "sca_beamforming": "sca_beamforming",
    "FdPositionOptions": "fd_positions",
    "fd_positions": "fd_positions",
    "MmOptions": "fd_positions",
    "mm_positions": "fd_positions",
    "FpOptions": "fp",
    "fp_beamforming": "fp",
    "fp_power": "fp",
    "mmse_combiner": "combiner",
    "rx_comb_block": "combiner",
    "SocpOptions": "socp_steps",
    "socp_beamforming": "socp_steps",
    "p3_closed_form": "socp_steps",
    "ExhaustiveOptions": "exhaustive",
    "exhaustive_placement": "exhaustive",
    "ApoOptions": "fd_examples",
    "apo_positions": "fd_examples",
    "EnumerationOptions": "fd_examples",
    "MultibeamApvOptions": "fd_examples",
    "MultibeamAwvOptions": "fd_examples",
    "SpectrumSharingBfOptions": "fd_examples",
    "multibeam_apv": "fd_examples",
    "multibeam_awv": "fd_examples",
    "spectrum_sharing_beamformer": "fd_examples",
    "spectrum_sharing_enumeration": "fd_examples",
    "LpInitOptions": "lp_init",
    "lp_init": "lp_init",
    "NullSteeringOptions": "null_steering",
    "null_steering_finite": "null_steering",
    "null_steering_layout": "null_steering",
    "PgaOptions": "pga",
    "pga": "pga",
    "project_min_spacing": "projection",
    "PsoOptions": "pso",
    "pso_positions": "pso",
    "ReplacementOptions": "replacement",
    "MultistartOptions": "multistart",
    "multistart": "multistart",
    "ScaPrecoderOptions": "sca",
    "sca_precoders": "sca",
    "successive_replacement": "replacement",
}

__all__ = sorted(_LAZY)

# Bind every public name to its object. Eager on purpose: a module and its main function share
# a name (``pga.py`` / ``pga``), and once a submodule is imported Python binds the package
# attribute to the module; re-binding after each import keeps ``solvers.pga`` the function.
for _name, _module in _LAZY.items():
    globals()[_name] = getattr(importlib.import_module(f".{_module}", __name__), _name)
del _name, _module
