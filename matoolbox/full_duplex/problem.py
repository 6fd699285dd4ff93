r"""Full-duplex (FD) base station with movable Tx and Rx antennas (theory page docs/theory/full_duplex.rst).

A BS with ``Nt`` transmit MAs at ``t_n`` in ``C_t = [0, A]^2`` and ``Nr`` receive MAs at ``r_m`` in
``C_r = [0, A]^2`` (local frame, placed at ``si.rx_offset``) serves DL and UL users at once.

Channels (far-field field response, "fd" angle convention, noise-normalised internally):

    [h_{D,k}^H]_n = sum_l sigma_{D,k,l} exp(+j k0 w_{D,k,l} . t_n)         (K_D, Nt) "hDc"
    [h_{U,j}]_m   = sum_l sigma_{U,j,l} exp(-j k0 w_{U,j,l} . r_m)         (Nr, K_U) "hU"
    H_SI(t, r)    see :mod:`matoolbox.channels.self_interference`          (Nr, Nt)

SINRs (3.1)/(3.2), with ``W_t`` (Nt, K_D), ``W_r`` (Nr, K_U), UL powers ``p`` (K_U,):

    gamma_{D,k} = |h_k^H w_k|^2 / (sum_{i!=k} |h_k^H w_i|^2 + sum_j |h_IUI,kj|^2 p_j + s_D^2)
    gamma_{U,j} = p_j |w_rj^H h_j|^2 / (sum_{m!=j} p_m |w_rj^H h_m|^2 + ||w_rj^H H_SI W_t||^2 + s_U^2 ||w_rj||^2)

Problems: :class:`FullDuplexProblem` (one DL + one UL user) with objective ``"weighted"`` (P1:
a1 R_D + a2 R_U), ``"maxmin"`` (P2: min(R_D, R_U)) or ``"dl_si_cap"`` (P3: R_D subject to
``||H_SI w_t||^2 <= p_th``); "P1" / "P2" / "P3" (any case) are accepted for these three and stored
under the names above, and :class:`FullDuplexMultiUserProblem` (problem (30): weighted sum
rate over W_t, W_r, p and positions). Variables ``x``: ``positions_tx`` (Nt, 2),
``positions_rx`` (Nr, 2) in metres, and ``w_t`` (Nt,), ``w_r`` (Nr,) (single user) or ``W_t``
(Nt, K_D), ``W_r`` (Nr, K_U), ``p_u`` (K_U,) (multi-user); powers in watts, rates in bit/s/Hz.

Block solvers (``matoolbox.solvers``) use the generic FD interface of both classes:
``fd_arrays(x)`` (noise-normalised channels and variables) and ``fd_pack(x, ...)``.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..core.rng import as_generator
from ..core.validate import (
    fail, require_nonnegative, require_positive,
    require_shape,
)
from .common import (_apply_overrides, canonical_objective, _check_channel_arrays, _draw_link, _geometry_kwargs, db_to_lin, dbm_to_watt)
from .checks import FdSingleChecksMixin, check_args
from .combiner import mmse_combiner
from .base import _FullDuplexBase

__all__ = ["FullDuplexProblem"]


@dataclasses.dataclass(frozen=True, eq=False)
class FullDuplexProblem(FdSingleChecksMixin, _FullDuplexBase):
    """Single DL + single UL user (P1 "weighted", P2 "maxmin", P3 "dl_si_cap"); docs/theory/full_duplex.rst: Single-user problems P1–P3.

    dl_dirs (L, 2), dl_gains (L,): DL path directions / gains (raw, linear amplitude);
    ul_dirs, ul_gains: same for the UL user; p_ul: fixed UL power (W); iui_gain: |h_IUI|^2;
    weights: (a1, a2) summing to 1 (P1); p_th: SI cap at the Rx front end in W (P3).
    x = {positions_tx (Nt, 2), positions_rx (Nr, 2), w_t (Nt,), w_r (Nr,)}.
    """

    objective_kind: str = "weighted"
    dl_dirs: np.ndarray = None
    dl_gains: np.ndarray = None
    ul_dirs: np.ndarray = None
    ul_gains: np.ndarray = None
    p_ul: float = 0.1
    iui_gain: float = 0.0
    weights: tuple = (0.5, 0.5)
    p_th: float = math.inf

    _KD = 1

    def validate(self):
        own = self.name
        self._validate_common()
        kind = canonical_objective(own, "objective_kind", self.objective_kind)
        if kind != self.objective_kind:       # "P1"/"P2"/"P3": store the canonical name
            self._set("objective_kind", kind)
        dD, gD = _check_channel_arrays(own, np.asarray(self.dl_dirs)[None], np.asarray(self.dl_gains)[None], 1, "dl")
        dU, gU = _check_channel_arrays(own, np.asarray(self.ul_dirs)[None], np.asarray(self.ul_gains)[None], 1, "ul")
        require_positive(own, "p_ul", self.p_ul)
        require_nonnegative(own, "iui_gain", self.iui_gain)
        w = np.asarray(self.weights, float)
        require_shape(own, "weights", w, (2,))
        require_nonnegative(own, "weights", w)
        if abs(w.sum() - 1) > 1e-9:
            fail(own, "weights", w, "must sum to 1")
        if not (isinstance(self.p_th, (int, float, np.floating)) and self.p_th > 0):
            fail(own, "p_th", self.p_th, "must be positive")
        if self.objective_kind == "dl_si_cap" and not math.isfinite(self.p_th):
            fail(own, "p_th", self.p_th, "must be finite for objective 'dl_si_cap'")
        self._prepare_channels(dD, gD, dU, gU)

    @property
    def kind(self):
        return self.objective_kind

    def _iui(self, normalized=True):
        e = self.iui_gain / (self.noise_dl if normalized else 1.0)
        return np.array([[e]])

    def _p_ul_max_vec(self):
        return np.array([self.p_ul])

    def _weights_vec(self):
        return np.asarray(self.weights, float)

    def _p_th_norm(self):
        """Noise-normalised SI cap (inf unless the objective is "dl_si_cap")."""
        return self.p_th / self.noise_ul if self.objective_kind == "dl_si_cap" else math.inf

    def _power_free(self):
        return False

    def _unpack(self, x):
        Wt = np.asarray(x["w_t"], complex).reshape(self.Nt, 1)
        Wr = np.asarray(x["w_r"], complex).reshape(self.Nr, 1)
        return Wt, Wr, np.array([self.p_ul])

    def fd_pack(self, x, Wt=None, Wr=None, p=None) -> dict:
        """x with the given (Nt, 1) / (Nr, 1) beamformers written back as w_t / w_r."""
        out = dict(x)
        if Wt is not None:
            out["w_t"] = np.asarray(Wt, complex).reshape(self.Nt)
        if Wr is not None:
            out["w_r"] = np.asarray(Wr, complex).reshape(self.Nr)
        return out

    # -- constructors -----------------------------------------------------------------------
    @classmethod
    def random(cls, seed=None, objective="weighted", movable=True, *, Nt=4, Nr=4, wavelength=0.1,
               region_lambda=4.0, d_min_lambda=0.5, L=5, distance=60.0, C0_db=-30.0, alpha=2.8,
               p_max_dbm=30.0, p_ul_dbm=20.0, noise_dbm=-80.0, rho_db=None, p_th_dbm=-50.0,
               inr_db=0.0, weights=(0.5, 0.5), si_model="nearfield_los", L_si=5, k_factor=10.0,
               movable_tx=None, movable_rx=None, **overrides):
        """Instance with the defaults of docs/theory/full_duplex.rst (rho = -70 dB for P1/P2, 0 dB for P3).

        ``movable=False`` freezes both layouts at the FPA grid; ``movable_tx`` / ``movable_rx``
        override per side (MA-Tx-only / MA-Rx-only). Any other keyword must be a dataclass field
        (e.g. ``p_th=1e-9`` in W) and replaces it after the draw. Draw order: DL link, UL link,
        SI paths.

        Examples
        --------
        >>> from matoolbox.problems import FullDuplexProblem
        >>> prob = FullDuplexProblem.random(seed=0)           # P1: 4 Tx + 4 Rx MAs, one DL and one UL user
        >>> x = prob.initial_point(0)                          # random feasible point (ao_initial_point: FPA + MRT)
        >>> x["positions_tx"].shape, x["w_t"].shape
        ((4, 2), (4,))
        >>> ev = prob.evaluate(x)
        >>> bool(abs(0.5 * ev["R_D"] + 0.5 * ev["R_U"] - prob.objective(x)) < 1e-9)
        True
        """
        own = cls.__name__
        check_args(own, seed=seed, movable=movable, Nt=Nt, Nr=Nr, wavelength=wavelength,
                   region_lambda=region_lambda, d_min_lambda=d_min_lambda, L=L, distance=distance, C0_db=C0_db,
                   alpha=alpha, p_max_dbm=p_max_dbm, p_ul_dbm=p_ul_dbm, noise_dbm=noise_dbm, rho_db=rho_db,
                   p_th_dbm=p_th_dbm, inr_db=inr_db, L_si=L_si, k_factor=k_factor, movable_tx=movable_tx,
                   movable_rx=movable_rx, weights=weights, optional=("rho_db",))
        objective = canonical_objective(own, "objective", objective)
        rng = as_generator(seed)
        if rho_db is None:
            rho_db = 0.0 if objective == "dl_si_cap" else -70.0
        beta = float(db_to_lin(C0_db)) * distance ** (-alpha)
        dl = _draw_link(rng, L, beta)
        ul = _draw_link(rng, L, beta)
        geo = _geometry_kwargs(own, wavelength, region_lambda, d_min_lambda, rho_db, si_model, rng,
                               L_si, k_factor)
        noise = float(dbm_to_watt(noise_dbm))
        p_ul = float(dbm_to_watt(p_ul_dbm))
        prob = cls(Nt=Nt, Nr=Nr, p_max=float(dbm_to_watt(p_max_dbm)), noise_dl=noise, noise_ul=noise,
                   movable_tx=movable if movable_tx is None else movable_tx,
                   movable_rx=movable if movable_rx is None else movable_rx,
                   objective_kind=objective, dl_dirs=dl[0], dl_gains=dl[1], ul_dirs=ul[0],
                   ul_gains=ul[1], p_ul=p_ul, iui_gain=float(db_to_lin(inr_db)) * noise / p_ul,
                   weights=tuple(weights), p_th=float(dbm_to_watt(p_th_dbm)), **geo)
        return _apply_overrides(prob, overrides)

    # -- points and reporting ---------------------------------------------------------------
    def initial_point(self, rng=None):
        """A random feasible point: random repaired layout, random w_t with ||w_t||^2 = u P
        (u ~ U(0, 1]; scaled to the SI cap for P3), random unit w_r."""
        rng = as_generator(rng)
        x = self.random_layout(rng)
        w = rng.standard_normal(self.Nt) + 1j * rng.standard_normal(self.Nt)
        w *= math.sqrt(self.p_max * rng.uniform(1e-3, 1.0)) / np.linalg.norm(w)
        wr = rng.standard_normal(self.Nr) + 1j * rng.standard_normal(self.Nr)
        x.update(w_t=w, w_r=wr / np.linalg.norm(wr))
        return self._polish(x)

    def _polish(self, x):
        """Scale w_t into the power budget and (P3) the SI cap (feasibility polish of the exact SOCP steps)."""
        w = np.asarray(x["w_t"], complex)
        s = min(1.0, math.sqrt(self.p_max / max(np.sum(np.abs(w) ** 2), 1e-300)))
        if self.kind == "dl_si_cap":
            _, _, H = self.channels(x)
            phi = float(np.sum(np.abs(H @ w) ** 2))
            if phi > 0:
                s = min(s, math.sqrt(self._p_th_norm() / phi))
        return {**x, "w_t": w * s}

    def ao_initial_point(self, rng=None):
        """FPA layout, MRT w_t (scaled to the SI cap for P3), MMSE w_r (AO driver)."""
        x = self.fpa
        hDc, hU, H = self.channels(x)
        h = hDc[0].conj()
        x["w_t"] = math.sqrt(self.p_max) * h / np.linalg.norm(h)
        x = self._polish(x)
        Wr, _ = mmse_combiner(hU, np.array([self.p_ul]), H @ x["w_t"][:, None])
        x["w_r"] = Wr[:, 0]
        return x

    def evaluate(self, x, normalized=True) -> dict:
        """Rates and SINRs at x: R_D, R_U, sinr_D, sinr_U, objective, si_power_dbm (SI power at
        the Rx front end), hd_rate (half-duplex objective at x's layout)."""
        gD, gU = self.sinrs(x, normalized=normalized)
        hDc, hU, H = self.channels(x, normalized=False)
        w = np.asarray(x["w_t"], complex)
        si_w = float(np.sum(np.abs(H @ w) ** 2))
        return {"R_D": float(np.log2(1 + gD[0])), "R_U": float(np.log2(1 + gU[0])),
                "sinr_D": float(gD[0]), "sinr_U": float(gU[0]),
                "objective": float(self._combine(gD, gU)),
                "si_power_dbm": 10 * math.log10(max(si_w, 1e-300)) + 30,
                "hd_rate": self.half_duplex(x)}

    def half_duplex(self, x) -> float:
        """Half-duplex objective at x's layout: R_D^HD = 1/2 log2(1 + P||h_D||^2/s^2), R_U^HD =
        1/2 log2(1 + p_U ||h_U||^2/s^2) (no SI, no IUI), combined like the FD objective."""
        hDc, hU, _ = self.channels(x)
        rd = 0.5 * math.log2(1 + self.p_max * float(np.sum(np.abs(hDc) ** 2)))
        ru = 0.5 * math.log2(1 + self.p_ul * float(np.sum(np.abs(hU) ** 2)))
        if self.kind == "weighted":
            return float(self._weights_vec() @ [rd, ru])
        if self.kind == "maxmin":
            return min(rd, ru)
        return rd


# ----------------------------------------------------------------------------------------------
