"""Multi-user full duplex (problem (30)): weighted sum rate over W_t, W_r, UL powers and the
Tx/Rx positions."""
from __future__ import annotations

import dataclasses
import math
from typing import ClassVar

import numpy as np

from ..core.rng import as_generator
from ..core.validate import (
    fail, require_finite, require_int, require_nonnegative, require_positive,
    require_shape,
)
from .common import (_apply_overrides, OBJECTIVE_ALIASES, _check_channel_arrays, _draw_link, _geometry_kwargs, db_to_lin, dbm_to_watt)
from .checks import FdMultiChecksMixin, check_args
from .combiner import mmse_combiner
from .base import _FullDuplexBase

__all__ = ["FullDuplexMultiUserProblem"]


@dataclasses.dataclass(frozen=True, eq=False)
class FullDuplexMultiUserProblem(FdMultiChecksMixin, _FullDuplexBase):
    """K_D DL and K_U UL single-antenna users, weighted sum rate (problem (30)); docs/theory/full_duplex.rst: Multi-user problem (30).

    dl_dirs (K_D, L, 2), dl_gains (K_D, L); ul_dirs (K_U, L, 2), ul_gains (K_U, L);
    iui (K_D, K_U) complex UL-user -> DL-user channels; weights (K_D + K_U,) summing to 1;
    p_ul_max: UL power budget (W). x = {positions_tx, positions_rx, W_t (Nt, K_D),
    W_r (Nr, K_U), p_u (K_U,)}. The one objective is the weighted sum rate, named like the
    single-user P1: ``objective_kind == kind == "weighted"``; ``random(objective=...)`` takes
    "weighted" or "P1" and refuses the single-user-only P2/P3.
    """

    dl_dirs: np.ndarray = None
    dl_gains: np.ndarray = None
    ul_dirs: np.ndarray = None
    ul_gains: np.ndarray = None
    iui: np.ndarray = None
    weights: tuple = None
    p_ul_max: float = 0.1

    kind = "weighted"
    objective_kind = "weighted"   # the single-user field's name, read-only here

    def validate(self):
        own = self.name
        self._validate_common()
        dD = np.asarray(self.dl_dirs, float)
        if dD.ndim != 3:
            fail(own, "dl_dirs", f"<array of shape {dD.shape}>", "must have shape (K_D, L, 2)")
        KD = dD.shape[0]
        dU = np.asarray(self.ul_dirs, float)
        if dU.ndim != 3:
            fail(own, "ul_dirs", f"<array of shape {dU.shape}>", "must have shape (K_U, L, 2)")
        KU = dU.shape[0]
        if KD < 1 or KU < 1:
            fail(own, "dl_dirs", f"<K_D={KD}, K_U={KU}>", "need at least one DL and one UL user")
        if KD > self.Nt:
            fail(own, "dl_dirs", f"<K_D={KD}>", f"K_D must not exceed Nt={self.Nt}")
        dD, gD = _check_channel_arrays(own, dD, self.dl_gains, KD, "dl")
        dU, gU = _check_channel_arrays(own, dU, self.ul_gains, KU, "ul")
        iui = require_shape(own, "iui", np.asarray(self.iui, complex), (KD, KU))
        require_finite(own, "iui", iui)
        w = np.asarray(self.weights, float)
        require_shape(own, "weights", w, (KD + KU,))
        require_nonnegative(own, "weights", w)
        if abs(w.sum() - 1) > 1e-9:
            fail(own, "weights", w, "must sum to 1")
        require_positive(own, "p_ul_max", self.p_ul_max)
        self._set("_KD", KD)
        self._set("_KU", KU)
        self._prepare_channels(dD, gD, dU, gU)

    def _iui(self, normalized=True):
        return np.abs(np.asarray(self.iui, complex)) ** 2 / (self.noise_dl if normalized else 1.0)

    def _p_ul_max_vec(self):
        return np.full(self._KU, self.p_ul_max)

    def _weights_vec(self):
        return np.asarray(self.weights, float)

    def _p_th_norm(self):
        return math.inf

    def _power_free(self):
        return True

    def _unpack(self, x):
        Wt = np.asarray(x["W_t"], complex).reshape(self.Nt, self._KD)
        Wr = np.asarray(x["W_r"], complex).reshape(self.Nr, self._KU)
        p = np.asarray(x["p_u"], float).reshape(self._KU)
        return Wt, Wr, p

    def fd_pack(self, x, Wt=None, Wr=None, p=None) -> dict:
        out = dict(x)
        if Wt is not None:
            out["W_t"] = np.asarray(Wt, complex).reshape(self.Nt, self._KD)
        if Wr is not None:
            out["W_r"] = np.asarray(Wr, complex).reshape(self.Nr, self._KU)
        if p is not None:
            out["p_u"] = np.asarray(p, float).reshape(self._KU)
        return out

    @classmethod
    def random(cls, seed=None, movable=True, *, K_D=2, K_U=2, Nt=6, Nr=6, wavelength=0.1,
               region_lambda=4.0, d_min_lambda=0.5, L=5, r_min=20.0, r_max=100.0, C0_db=-30.0,
               alpha=2.8, p_max_dbm=30.0, p_ul_max_dbm=20.0, noise_dbm=-80.0, rho_db=-70.0,
               weights=None, si_model="nearfield_los", L_si=5, k_factor=10.0, movable_tx=None,
               movable_rx=None, objective="weighted", **overrides):
        """Instance with the §6 MU defaults: users uniform in the 20-100 m annulus, IUI
        h_IUI,kj ~ CN(0, beta(d_kj)) from the user drop, weights 1/(K_D + K_U).
        Other keywords must be dataclass fields and replace them after the draw.
        Draw order: user positions (DL then UL), DL links, UL links, IUI, SI paths.

        Examples
        --------
        >>> from matoolbox.problems import FullDuplexMultiUserProblem
        >>> prob = FullDuplexMultiUserProblem.random(seed=0)  # 6 + 6 MAs, K_D = K_U = 2
        >>> x = prob.initial_point(0)
        >>> x["W_t"].shape, x["W_r"].shape, x["p_u"].shape
        ((6, 2), (6, 2), (2,))
        >>> bool(prob.violation(x) == 0)
        True
        """
        own = cls.__name__
        check_args(own, seed=seed, movable=movable, K_D=K_D, K_U=K_U, Nt=Nt, Nr=Nr, wavelength=wavelength,
                   region_lambda=region_lambda, d_min_lambda=d_min_lambda, L=L, r_min=r_min, r_max=r_max,
                   C0_db=C0_db, alpha=alpha, p_max_dbm=p_max_dbm, p_ul_max_dbm=p_ul_max_dbm, noise_dbm=noise_dbm,
                   rho_db=rho_db, L_si=L_si, k_factor=k_factor, movable_tx=movable_tx, movable_rx=movable_rx,
                   weights=weights, optional=("weights",))
        if objective != "weighted" and not (isinstance(objective, str) and OBJECTIVE_ALIASES.get(objective.upper()) == "weighted"):
            fail(own, "objective", objective, "the multi-user problem (30) has one objective, the weighted "
                 "sum rate: 'weighted' (or 'P1'); P2 'maxmin' and P3 'dl_si_cap' are single-user problems")
        rng = as_generator(seed)
        require_int(own, "K_D", K_D)
        require_int(own, "K_U", K_U)

        def drop(n):
            rad = np.sqrt(rng.uniform(r_min**2, r_max**2, n))
            ang = rng.uniform(0, 2 * np.pi, n)
            return np.stack([rad * np.cos(ang), rad * np.sin(ang)], -1)

        uD, uU = drop(K_D), drop(K_U)
        C0 = float(db_to_lin(C0_db))
        beta = lambda d: C0 * np.maximum(d, 1.0) ** (-alpha)  # noqa: E731
        dl = [_draw_link(rng, L, beta(np.linalg.norm(u))) for u in uD]
        ul = [_draw_link(rng, L, beta(np.linalg.norm(u))) for u in uU]
        dkj = np.linalg.norm(uD[:, None] - uU[None], axis=-1)
        iui = np.sqrt(beta(dkj) / 2) * (rng.standard_normal((K_D, K_U)) + 1j * rng.standard_normal((K_D, K_U)))
        geo = _geometry_kwargs(own, wavelength, region_lambda, d_min_lambda, rho_db, si_model, rng,
                               L_si, k_factor)
        noise = float(dbm_to_watt(noise_dbm))
        if weights is None:
            weights = tuple([1.0 / (K_D + K_U)] * (K_D + K_U))
        prob = cls(Nt=Nt, Nr=Nr, p_max=float(dbm_to_watt(p_max_dbm)), noise_dl=noise, noise_ul=noise,
                   movable_tx=movable if movable_tx is None else movable_tx,
                   movable_rx=movable if movable_rx is None else movable_rx,
                   dl_dirs=np.stack([d[0] for d in dl]), dl_gains=np.stack([d[1] for d in dl]),
                   ul_dirs=np.stack([d[0] for d in ul]), ul_gains=np.stack([d[1] for d in ul]),
                   iui=iui, weights=tuple(weights), p_ul_max=float(dbm_to_watt(p_ul_max_dbm)), **geo)
        return _apply_overrides(prob, overrides)

    def initial_point(self, rng=None):
        """Random feasible point: repaired random layout, random W_t with ||W_t||_F^2 = u P,
        random unit combiners, p ~ U(0, p_max)."""
        rng = as_generator(rng)
        x = self.random_layout(rng)
        W = rng.standard_normal((self.Nt, self._KD)) + 1j * rng.standard_normal((self.Nt, self._KD))
        W *= math.sqrt(self.p_max * rng.uniform(1e-3, 1.0)) / np.linalg.norm(W)
        Wr = rng.standard_normal((self.Nr, self._KU)) + 1j * rng.standard_normal((self.Nr, self._KU))
        p = rng.uniform(0, self.p_ul_max, self._KU)
        x.update(W_t=W, W_r=Wr / np.linalg.norm(Wr, axis=0), p_u=p)
        return x

    #: ao_initial_point: random layouts (movable blocks only, drawn from ``rng``) scored with
    #: the FPA one by the heuristic point's objective; the best is the start (0: the FPA layout)
    layout_draws: ClassVar[int] = 32

    def heuristic_point(self, layout=None) -> dict:
        """At ``layout`` (default FPA): per-user MRT with equal power split, p = p_max, MMSE combiners."""
        x = self.fpa
        if layout:
            x.update({k: np.array(v, float) for k, v in layout.items()})
        hDc, hU, H = self.channels(x)
        W = hDc.conj().T / np.linalg.norm(hDc, axis=1)
        W *= math.sqrt(self.p_max / self._KD)
        p = self._p_ul_max_vec()
        Wr, _ = mmse_combiner(hU, p, H @ W)
        x.update(W_t=W, W_r=Wr, p_u=p)
        return x

    def ao_defaults(self):
        """At most 60 AO iterations (single-user: 30), relative tolerance 1e-4: from the searched
        start (:meth:`ao_initial_point`) the blocks creep by ~5e-4 relative per iteration for
        tens of iterations (library instance mu_k2_n6_s2 at rng 0: 0.984 of the best-known value
        at the 30-iteration cap, 0.993 converged after 57)."""
        return {"max_iter": 60, "tol": 1e-4}

    def ao_initial_point(self, rng=None):
        """The heuristic point (:meth:`heuristic_point`) at the FPA layout and, when a layout is
        movable, at ``layout_draws`` = 32 random feasible layouts of the movable blocks (the
        others at FPA; drawn from ``rng``): the one with the best weighted sum rate. Measured on
        the library's two MA instances (rng 0 and 1): the AO from the FPA start alone reached
        0.943-0.974 of the best-known values, from this one 0.969-0.993 (``docs/benchmarks.rst``)."""
        x = self.heuristic_point()
        movable = [b for b, m in (("positions_tx", self.movable_tx), ("positions_rx", self.movable_rx)) if m]
        if not movable or self.layout_draws <= 0:
            return x
        rng = as_generator(rng)
        best, fbest = x, self.objective(x)
        for _ in range(int(self.layout_draws)):
            layout = self.random_layout(rng)
            c = self.heuristic_point({b: layout[b] for b in movable})
            f = self.objective(c)
            if np.isfinite(f) and f > fbest:
                best, fbest = c, f
        return best

    def evaluate(self, x, normalized=True) -> dict:
        """Per-user rates R_D (K_D,), R_U (K_U,), SINRs, objective (weighted sum rate)."""
        gD, gU = self.sinrs(x, normalized=normalized)
        return {"R_D": np.log2(1 + gD), "R_U": np.log2(1 + gU), "sinr_D": gD, "sinr_U": gU,
                "objective": float(self._combine(gD, gU))}


# ----------------------------------------------------------------------------------------------
