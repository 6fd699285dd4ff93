r"""Secure multiuser downlink from an MA array (Cheng, Zhao, Ouyang, Zhang, 2026), from the generic layer.

max_{W, t} sum_k [log2(1 + SINR_k) - log2(1 + sum_j |g_j^H w_k|^2)]^+  s.t. ||W||_F^2 <= P, t_m in
the square of side A, ||t_k - t_l|| >= D; unit noise, SNR = P (docs/theory/secure_ma.rst).
Variables: ``precoders`` (M, K) complex, ``positions`` (M, 2) in wavelengths. Channel: one
:class:`~matoolbox.channels.multilink.MultiLinkChannel` with the K Bob rows h_k^H first, then the J Eve rows.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import ClassVar

import numpy as np

from ..channels.fixed import FixedChannel
from ..channels.multilink import MultiLinkChannel
from ..channels.paths import Paths
from ..core.io import read_mapping
from ..core.problem import Block
from ..core.rng import as_generator
from ..core.validate import fail, require_choice, require_count, require_real
from ..metrics import secrecy_sum_rate, secrecy_terms
from ..optim.blocks import chain_blocks
from ..optim.grid_search import CoordinateSearchOptions, coordinate_search
from ..optim.maproblem import MaProblem, NlpBlockOptions, nlp_block
from ..optim.pga import PgaOptions, pga
from ..optim.proxy_starts import value_function_starts
from ..optim.variables import Positions, Precoders
from ..regions import Rectangle
from .beams import secrecy_beams

__all__ = ["SecureMaProblem"]
_OWN = "SecureMaProblem"
#: the joint SLSQP block (precoders and positions together) of the MA AO and its start screening
JOINT = NlpBlockOptions(blocks=("precoders", "positions"))


@dataclasses.dataclass(frozen=True)
class SecureMaProblem(MaProblem):
    """M MAs in a square of side ``A`` (wavelengths) serving K users with J colluding eavesdroppers."""

    channel: MultiLinkChannel | FixedChannel
    M: int = 6
    K: int = 6
    J: int = 6
    A: float = 3.0
    D: float = 0.5
    snr_db: float = 10.0
    scheme: str = "MA"
    channel_args = ("positions",)
    batch_metric = True
    #: MA ``ao_initial_point``: ``proxy_layouts`` random layouts and the FPA one scored by the
    #: value-function proxy (:meth:`heuristic_precoders`), the ``proxy_keep`` best refined on it by
    #: a coordinate search, the ``joint_starts`` best of those (and the FPA start) given one joint
    #: SLSQP solve each; the best is the AO's start (``joint_starts = 0``: the FPA start alone)
    proxy_layouts: ClassVar[int] = 64
    proxy_keep: ClassVar[int] = 6
    joint_starts: ClassVar[int] = 4
    noise = 1.0

    def validate(self):
        for f in ("M", "K"):
            require_count(_OWN, f, getattr(self, f))
        require_count(_OWN, "J", self.J, 0)
        require_real(_OWN, "A", self.A, 0.0, lo_open=True)
        require_real(_OWN, "D", self.D, 0.0)
        require_real(_OWN, "snr_db", self.snr_db, -100.0, 100.0)
        require_choice(_OWN, "scheme", self.scheme, ("MA", "FPA"))
        self.array_region.check_fits(self.M, _OWN, "A", self.A)
        shape = self.channel_matrix({"positions": self.array_region.fpa(self.M, spacing=0.5, layout="ula")}).shape
        if shape != (self.K + self.J, self.M):
            fail(_OWN, "channel", f"<channel giving {shape[0]} rows of length {shape[1]}>",
                 f"must give K + J = {self.K + self.J} rows of length M = {self.M}")

    power = property(lambda self: 10.0 ** (self.snr_db / 10.0))
    array_region = property(lambda self: Rectangle.square(self.A, min_spacing=self.D))

    def variables(self):
        return {"precoders": Precoders(self.M, self.K, self.power),
                "positions": Positions(self.array_region, self.M, layout="ula", spacing=0.5)}

    def fixed(self):
        return () if self.scheme == "MA" else ("positions",)

    def metric(self, H, x, grad=False):
        K = self.K
        out = secrecy_sum_rate(H[..., :K, :], H[..., K:, :], x["precoders"], self.noise, grad=grad)
        return (out[0], out[1], {"precoders": out[2]}) if grad else out

    def surrogate_metric(self, H, x, name, grad=False):
        """``"terms"``: the sum of every user's secrecy term without [.]^+ (climbs out of 0)."""
        if name != "terms":
            fail(_OWN, "surrogate", name, "must be 'terms'")
        K, W = self.K, x["precoders"]
        Hb, G = H[..., :K, :], H[..., K:, :]
        value = np.sum(secrecy_terms(Hb, G, W, self.noise), axis=-1)
        if not grad:
            return value
        _, dH, dW = secrecy_sum_rate(Hb, G, W, self.noise, active=np.ones(K, bool), grad=True)
        return float(value), dH, {"precoders": dW}

    def ao_initial_point(self, rng=None) -> dict:
        """The FPA layout with the best of MRT and the null-space starts (``Precoders.null_space_starts``,
        nothing leaks to Eve) by secrecy sum rate: MRT alone left the AO at 0 on the library's J = 4
        instance, where every secrecy term is clipped. MA: the layouts that maximise a proxy of the
        value function max_W f(t, W), the secrecy sum rate with the best closed-form precoders
        (:meth:`heuristic_precoders`), found by
        :func:`~matoolbox.optim.proxy_starts.value_function_starts` (``proxy_layouts`` random
        layouts from ``rng`` and the FPA one scored, the ``proxy_keep`` best refined by a
        per-antenna grid search, 25 points per axis, 3 sweeps); the ``joint_starts`` best of them
        and the FPA point get one joint SLSQP solve over precoders and positions each (``JOINT``),
        and the best is the start. The secrecy landscape over the positions is rugged and the AO's
        position block, which moves antennas with the precoders fixed, favours layouts that suit
        the current precoders; measured on the library's six MA instances (rng 0-5, against the
        records of the previous build), 13 random starts screened by a joint SLSQP solve reached
        0.91-1.00 of the best-known values, the proxy-searched starts 0.98-1.05, at 0.6-1.7x
        the time per instance (family mean 0.9x; ``docs/benchmarks.rst``)."""
        rng = as_generator(rng)
        x = self._best_precoders(dict(super().ao_initial_point(rng)))
        if self.scheme != "MA" or self.joint_starts <= 0:
            return x
        cands = value_function_starts(self, {"precoders": self.heuristic_precoders}, n_random=self.proxy_layouts,
                                      keep=max(self.proxy_keep, self.joint_starts),
                                      options=CoordinateSearchOptions(points=25, sweeps=3), rng=rng)
        runs = [nlp_block(self, c, options=JOINT) for c in [x] + cands[: int(self.joint_starts)]]
        best = max(runs, key=lambda r: (r.violation <= 1e-6, r.fval))
        return best.x if best.violation <= 1e-6 else x

    def heuristic_precoders(self, H) -> np.ndarray:
        """The best closed-form precoders at each channel of a batch, by secrecy sum rate.

        Parameters
        ----------
        H : ndarray, shape (..., K + J, M), complex
            Bob rows then Eve rows (``channel_matrix``, batch-first).

        Returns
        -------
        ndarray, shape (..., M, K), complex
            Per batch element the best of :func:`~matoolbox.secure_ma.beams.secrecy_beams` (MRT,
            RZF, null-space RZF, Eve-aware beams with and without zero-forcing among the users),
            each at full power ``P``.
        """
        H = np.asarray(H, complex)
        best = val = None
        for W in secrecy_beams(H[..., : self.K, :], H[..., self.K:, :], self.power).values():
            v = np.asarray(self.metric(H, {"precoders": W}), float)
            v = np.where(np.isfinite(v), v, -np.inf)
            if best is None:
                best, val = W, v
            else:
                best, val = np.where((v > val)[..., None, None], W, best), np.maximum(v, val)
        return best

    def _best_precoders(self, x) -> dict:
        """x with the best of its own, the MRT and the null-space precoders at its layout."""
        H = np.asarray(self.channel_matrix(x), complex)
        var = self._variables["precoders"]
        ns = var.null_space_starts(H[: self.K], H[self.K:])
        return max([x, {**x, "precoders": var.start(H)}] + [{**x, "precoders": W} for W in ns.values()],
                   key=self.objective)

    def random_start(self, rng=None) -> dict:
        """A random feasible layout (``initial_point``) with the best of its random precoders and
        the MRT and null-space precoders there."""
        return self._best_precoders(self.initial_point(rng))

    def ao_blocks(self, joint: bool = True):
        """Precoders: gradient ascent on the unclipped sum of the secrecy terms (leaves a zero-rate
        start), then gradient ascent and SLSQP on the secrecy sum rate; MA: then the positions by
        per-antenna grid search + gradient and, with ``joint`` (default), one SLSQP block over
        precoders and positions together (``JOINT``; without it the alternating blocks crept
        0.003-0.01 per iteration and hit the iteration cap on three of the library's six MA
        instances). The MA start is screened (:meth:`ao_initial_point`)."""
        pre = (PgaOptions(block="precoders", surrogate="terms", max_iter=20, tol=1e-6),
               PgaOptions(block="precoders", max_iter=100, tol=1e-6), NlpBlockOptions())
        blocks = [Block("precoders", functools.partial(chain_blocks, solvers=(pga, pga, nlp_block)), pre)]
        if self.scheme == "MA":
            pos = (CoordinateSearchOptions(block="positions", points=25), PgaOptions(max_iter=15, max_move=0.1))
            blocks.append(Block("positions", functools.partial(chain_blocks, solvers=(coordinate_search, pga)), pos))
            if joint:
                blocks.append(Block("joint", nlp_block, JOINT))
        return blocks

    ao_defaults = staticmethod(lambda: {"max_iter": 20, "tol": 1e-3})

    def variant(self, scheme: str) -> "SecureMaProblem":
        """The same instance as "MA" (movable array) or "FPA" (the centred ULA at spacing D)."""
        key = str(scheme).upper()
        if key not in ("MA", "FPA"):
            fail(_OWN, "variant.scheme", scheme, "must be 'MA' or 'FPA'")
        return self if key == self.scheme else dataclasses.replace(self, scheme=key)

    @classmethod
    def random(cls, seed=0, *, L=3, nlos_power=0.01, **fields):
        """Bobs then Eves: LoS CN(0, 1) + L NLoS paths CN(0, nlos_power), angles U[0, pi]."""
        rng = as_generator(seed)
        K = require_count(_OWN, "K", fields.get("K", 6))
        J = require_count(_OWN, "J", fields.get("J", 6), 0)
        ch = MultiLinkChannel.random(K, L, rng, nlos_power=nlos_power)
        return cls(ch.stack(MultiLinkChannel.random(J, L, rng, nlos_power=nlos_power)) if J else ch, **fields)

    @classmethod
    def from_paths(cls, paths, *, convention="mzz", **fields):
        """From :class:`Paths` with K + J links (Bobs first), or a mapping/file with ``beta, theta,
        phi`` (K + J, L): the paper's column gains beta (rows stored as conj(beta)), angles in "mzz"."""
        if isinstance(paths, Paths):
            return cls(MultiLinkChannel.from_paths(paths), **fields)
        d = paths if isinstance(paths, dict) else read_mapping(paths, _OWN)
        if missing := [k for k in ("beta", "theta", "phi") if k not in d]:
            fail(_OWN, "from_paths.paths", sorted(d), f"misses {missing}")
        p = Paths.from_arrays(np.conj(np.asarray(d["beta"], complex)), d["theta"], d["phi"],
                              np.zeros_like(d["theta"], float) + np.pi / 2, np.zeros_like(d["phi"], float) + np.pi / 2,
                              convention=convention)
        return cls(MultiLinkChannel.from_paths(p), **fields)

    @classmethod
    def from_channel(cls, H, G=None, **fields):
        """Fixed antennas: Bob rows H (K, M) and Eve rows G (J, M) used as given."""
        H = np.atleast_2d(np.asarray(H, complex))
        G = np.zeros((0, H.shape[1]), complex) if G is None else np.atleast_2d(np.asarray(G, complex))
        return cls(FixedChannel(np.vstack([H, G])), **{"M": H.shape[1], "K": H.shape[0], "J": G.shape[0],
                                                        "scheme": "FPA", **fields})
