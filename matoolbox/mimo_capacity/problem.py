r"""MA MIMO capacity (Ma, Zhu, Zhang, IEEE TWC 2024), written only from the generic layer.

max_{Q, t, r} log2 det(I_M + H(t, r) Q H(t, r)^H / sigma^2)  s.t. tr Q <= P, Q >= 0, t_n in C_t,
r_m in C_r, ||t_k - t_l|| >= D, ||r_k - r_l|| >= D,   H = F(r)^H Sigma G(t)   (docs/theory/mimo_capacity.rst).
Variables: ``covariance`` (N, N), ``positions_tx`` (N, 2), ``positions_rx`` (M, 2), in wavelengths.
"""
from __future__ import annotations

import dataclasses
import functools

from ..channels.fixed import FixedChannel
from ..channels.mimo import MimoChannel
from ..channels.paths import Paths
from ..core.io import read_mapping
from ..core.problem import Block
from ..core.rng import as_generator
from ..core.validate import fail, require_choice, require_count, require_real
from ..metrics import capacity
from ..optim.ao import ao_solve
from ..optim.blocks import chain_blocks
from ..optim.grid_search import CoordinateSearchOptions, coordinate_search
from ..optim.maproblem import MaProblem, value_function_block
from ..optim.pga import PgaOptions, pga
from ..optim.proxy_starts import value_function_starts
from ..optim.variables import Covariance, Positions
from ..optim.waterfill import waterfill_block, waterfilling
from ..regions import Rectangle

__all__ = ["MimoCapacityProblem", "SCHEMES"]

#: scheme -> movable position blocks (MA both ends, TMA transmit only, RMA receive only, FPA none)
SCHEMES = {"MA": ("positions_tx", "positions_rx"), "TMA": ("positions_tx",), "RMA": ("positions_rx",), "FPA": ()}
_OWN = "MimoCapacityProblem"


@dataclasses.dataclass(frozen=True)
class MimoCapacityProblem(MaProblem):
    """N transmit and M receive MAs in square regions of side ``A`` (wavelengths), spacing ``D``."""

    channel: MimoChannel | FixedChannel
    N: int = 4
    M: int = 4
    A: float = 3.0
    D: float = 0.5
    snr_db: float = 15.0
    scheme: str = "MA"
    region_tx: Rectangle | None = None
    region_rx: Rectangle | None = None
    channel_args = ("positions_tx", "positions_rx")
    batch_metric = True
    screen_starts = 256           # ao_initial_point: score 256 random layouts + FPA (water-filled),
    screen_search_keep = 6        # refine the best 6 by a grid search (17 x 17) per movable side on
    screen_search_points = 17     # the value function (optim.value_function_starts),
    screen_keep = 2               # one AO iteration from the best 2, start from the better
    screen_iters = 1

    def validate(self):
        require_count(_OWN, "N", self.N)
        require_count(_OWN, "M", self.M)
        require_real(_OWN, "A", self.A, 0.0, lo_open=True)
        require_real(_OWN, "D", self.D, 0.0)
        require_real(_OWN, "snr_db", self.snr_db, -100.0, 100.0)
        require_choice(_OWN, "scheme", self.scheme, tuple(SCHEMES))
        for name, reg, n in (("region_tx", self.tx_region, self.N), ("region_rx", self.rx_region, self.M)):
            reg.check_fits(n, _OWN, name if getattr(self, name) is not None else "A", self.A)
        shape = self.channel_matrix(self.fpa_layouts()).shape
        if shape != (self.M, self.N):
            fail(_OWN, "channel", f"<channel giving H of shape {shape}>", f"must give (M, N) = ({self.M}, {self.N})")

    # -- model -----------------------------------------------------------------------------------
    power = 1.0
    tx_region = property(lambda self: self.region_tx or Rectangle.square(self.A, min_spacing=self.D))
    rx_region = property(lambda self: self.region_rx or Rectangle.square(self.A, min_spacing=self.D))
    noise = property(lambda self: 10.0 ** (-self.snr_db / 10.0))

    def variables(self):
        return {"covariance": Covariance(self.N, self.power),
                "positions_tx": Positions(self.tx_region, self.N, spacing=0.5),      # FPA: lambda/2 UPA
                "positions_rx": Positions(self.rx_region, self.M, spacing=0.5)}

    def fixed(self):
        return tuple(b for b in self.channel_args if b not in SCHEMES[self.scheme])

    def metric(self, H, x, grad=False):
        out = capacity(H, x["covariance"], self.noise, grad=grad)
        return (out[0], out[1], {"covariance": out[2]}) if grad else out

    def fpa_layouts(self):
        return {b: v.start() for b, v in self.variables().items() if b in self.channel_args}

    def ao_initial_point(self, rng=None) -> dict:
        """The FPA point for FPA; else ``screen_starts`` random layouts and the FPA one scored on the
        value function (water-filled Q), the ``screen_search_keep`` best refined by a per-antenna
        grid search (``screen_search_points`` per axis, one sweep per movable side;
        :func:`~matoolbox.optim.proxy_starts.value_function_starts`), ``screen_iters`` AO
        iterations from the ``screen_keep`` best, and the best result is the start (measured on
        the library's MA instances, rng 0-3: 0.95-0.97 -> 0.96-0.99 of the best-known value on
        the 5 dB one, ``docs/benchmarks.rst``)."""
        blocks = [b for b in SCHEMES[self.scheme] if b not in self.fixed()]
        if not blocks or self.screen_starts <= 0 or self.screen_search_keep <= 0:
            return super().ao_initial_point(rng)
        rng = as_generator(rng)
        opts = [CoordinateSearchOptions(block=b, points=int(self.screen_search_points)) for b in blocks]
        cands = value_function_starts(self, n_random=int(self.screen_starts), keep=int(self.screen_search_keep),
                                      options=opts, rng=rng)
        runs = [ao_solve(self, c, max_iter=int(self.screen_iters), rng=rng) for c in cands[: int(self.screen_keep)]]
        return max(runs, key=lambda r: (r.violation <= 1e-6, r.fval)).x

    def best_responses(self):
        return {"covariance": lambda H: waterfilling(H, self.power, self.noise)}

    def ao_blocks(self):
        """Water-filling, then per movable side a per-antenna grid search and a gradient polish of
        the value function max_Q C (Q water-filled at every candidate layout)."""
        search = functools.partial(value_function_block, inner=functools.partial(
            chain_blocks, solvers=(coordinate_search, pga)))
        blocks = [Block("covariance", waterfill_block)]
        for b in SCHEMES[self.scheme]:
            opts = (CoordinateSearchOptions(block=b, points=33), PgaOptions(block=b, max_iter=8, max_move=0.1, tol=1e-6))
            blocks.append(Block(b, search, opts))
        return blocks

    def ao_defaults(self):
        return {"max_iter": 30, "tol": 1e-3}

    def variant(self, scheme: str) -> "MimoCapacityProblem":
        """The same instance under ``scheme``: "MA", "TMA" (transmit MAs only), "RMA" or "FPA"."""
        key = str(scheme).upper()
        if key not in SCHEMES:
            fail(_OWN, "variant.scheme", scheme, f"must be one of {sorted(SCHEMES)}")
        return self if key == self.scheme else dataclasses.replace(self, scheme=key)

    # -- constructors ----------------------------------------------------------------------------
    @classmethod
    def random(cls, seed=0, *, L=10, Lt=None, Lr=None, kappa=1.0, angles="mzz", **fields):
        """An instance with a Ma-Zhu-Zhang channel draw (``MimoChannel.random``, Lt = Lr = L)."""
        rng = as_generator(seed)
        Lt, Lr = (L if Lt is None else Lt), (L if Lr is None else Lr)
        return cls(MimoChannel.random(Lt, Lr, rng, kappa=kappa, angles=angles), **fields)

    @classmethod
    def from_paths(cls, paths, *, convention="mzz", **fields):
        """From a one-link :class:`Paths`, or a mapping/file with ``theta_t, phi_t, theta_r, phi_r,
        sigma`` (angles in ``convention``: "mzz" as in the paper, or "toolbox")."""
        if isinstance(paths, Paths):
            return cls(MimoChannel.from_paths(paths), **fields)
        d = read_mapping(paths, _OWN) if not isinstance(paths, dict) else paths
        keys = ("theta_t", "phi_t", "theta_r", "phi_r", "sigma")
        missing = [k for k in keys if k not in d]
        if missing:
            fail(_OWN, "from_paths.paths", sorted(d), f"misses {missing}")
        return cls(MimoChannel.from_angles(*(d[k] for k in keys), convention=convention), **fields)

    @classmethod
    def from_channel(cls, H, **fields):
        """Fixed antennas: the given H (M, N) (or a file holding ``H``) whatever the positions."""
        if not hasattr(H, "shape") and not isinstance(H, list):
            H = read_mapping(H, _OWN).get("H")
        fc = FixedChannel(H)
        M, N = fc.matrix.shape
        return cls(fc, **{"N": N, "M": M, "scheme": "FPA", **fields})
