"""Full-duplex example scenarios E1-E4, one module each: E1 two-terminal CCFD max-min, E2 spectrum
sharing, E3 null steering, E4 multi-beam (problem classes and their block solvers)."""
from .ccfd_maxmin import ApoOptions, CcfdMaxMinProblem, apo_positions
from .geometry import array_gain, array_gain_grad, steering_matrix, zf_gain
from .multibeam import MultibeamApvOptions, MultibeamAwvOptions, MultiBeamProblem, multibeam_apv, multibeam_awv
from .null_steering import NullSteeringOptions, NullSteeringProblem, null_steering_finite, null_steering_layout
from .spectrum_sharing import (EnumerationOptions, SpectrumSharingBfOptions, SpectrumSharingProblem,
                               spectrum_sharing_beamformer, spectrum_sharing_enumeration)

__all__ = [
    "CcfdMaxMinProblem", "ApoOptions", "apo_positions", "SpectrumSharingProblem", "SpectrumSharingBfOptions",
    "spectrum_sharing_beamformer", "EnumerationOptions", "spectrum_sharing_enumeration", "NullSteeringProblem",
    "NullSteeringOptions", "null_steering_layout", "null_steering_finite", "MultiBeamProblem",
    "MultibeamAwvOptions", "multibeam_awv", "MultibeamApvOptions", "multibeam_apv", "array_gain",
    "array_gain_grad", "steering_matrix", "zf_gain",
]
