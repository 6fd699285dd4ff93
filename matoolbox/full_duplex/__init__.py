"""MA full-duplex MIMO: P1-P3 and multi-user problems, FP / SDR / SCA / SOCP beamforming, combiner,
position blocks, AO defaults and the E1-E4 scenarios (:mod:`matoolbox.full_duplex.scenarios`)."""
from .ao import fd_baselines, fd_blocks
from .combiner import mmse_combiner, rx_comb_block
from .common import OBJECTIVES, dbm_to_watt
from .fp import FpOptions, fp_beamforming, fp_power
from .multiuser import FullDuplexMultiUserProblem
from .positions import FdPositionOptions, MmOptions, fd_positions, mm_positions
from .problem import FullDuplexProblem
from .sca_beamforming import ScaOptions, sca_beamforming
from .sdr import SdrOptions, gaussian_randomization, sdr_beamforming
from .socp import SocpOptions, p3_closed_form, socp_beamforming

__all__ = [
    "FullDuplexProblem", "FullDuplexMultiUserProblem", "fd_blocks", "fd_baselines", "OBJECTIVES",
    "dbm_to_watt", "mmse_combiner", "rx_comb_block", "FpOptions", "fp_beamforming",
    "fp_power", "FdPositionOptions", "MmOptions", "fd_positions", "mm_positions", "ScaOptions",
    "sca_beamforming", "SdrOptions", "gaussian_randomization", "sdr_beamforming", "SocpOptions",
    "p3_closed_form", "socp_beamforming",
]
