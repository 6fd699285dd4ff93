r"""Full-duplex (FD) base station with movable Tx and Rx antennas (spec ``full_duplex.md``).

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
``||H_SI w_t||^2 <= p_th``), and :class:`FullDuplexMultiUserProblem` (problem (30): weighted sum
rate over W_t, W_r, p and positions). Variables ``x``: ``positions_tx`` (Nt, 2),
``positions_rx`` (Nr, 2) in metres, and ``w_t`` (Nt,), ``w_r`` (Nr,) (single user) or ``W_t``
(Nt, K_D), ``W_r`` (Nr, K_U), ``p_u`` (K_U,) (multi-user); powers in watts, rates in bit/s/Hz.

Block solvers (``matoolbox.solvers``) use the generic FD interface of both classes:
``fd_arrays(x)`` (noise-normalised channels and variables) and ``fd_pack(x, ...)``.
"""
from __future__ import annotations

import dataclasses
import math

import numba
import numpy as np

from ..channels.field_response import directions, wavenumber
from ..channels.self_interference import SI_MODELS, SelfInterference
from ..core.problem import Problem
from ..core.rng import as_generator
from ..core.validate import (
    fail, require_choice, require_finite, require_int, require_nonnegative, require_positive,
    require_shape,
)

__all__ = ["FullDuplexProblem", "FullDuplexMultiUserProblem", "fpa_layout", "fd_blocks",
           "fd_baselines", "dbm_to_watt", "OBJECTIVES"]

OBJECTIVES = ("weighted", "maxmin", "dl_si_cap")
LN2 = math.log(2.0)
POS_BLOCKS = ("positions_tx", "positions_rx")


def dbm_to_watt(dbm):
    return 10.0 ** ((np.asarray(dbm, float) - 30.0) / 10.0)


def db_to_lin(db):
    return 10.0 ** (np.asarray(db, float) / 10.0)


def fpa_layout(n: int, region_size: float, spacing: float) -> np.ndarray:
    """FPA reference layout (n, 2): ceil(sqrt n) x ceil(n / ceil(sqrt n)) grid with ``spacing``,
    centred in [0, A]^2, first n points row-major."""
    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    gx = (np.arange(cols) - (cols - 1) / 2) * spacing + region_size / 2
    gy = (np.arange(rows) - (rows - 1) / 2) * spacing + region_size / 2
    X, Y = np.meshgrid(gx, gy)
    return np.stack([X.ravel(), Y.ravel()], axis=-1)[:n].copy()


def _plane_sum(dirs, gains, pos, k0, sign):
    """sum_l gains[k, l] exp(sign j k0 dirs[k, l] . pos[..., n]) -> (..., K, N); dirs (K, L, 2)."""
    ph = np.einsum("kld,...nd->...knl", dirs, pos)
    return np.einsum("...knl,kl->...kn", np.exp(sign * 1j * k0 * ph), gains)


def _plane_sum_grad(dirs, gains, pos, k0, sign):
    """Value (K, N) and d/dpos_n (K, N, 2) of :func:`_plane_sum` (unbatched pos (N, 2))."""
    E = np.exp(sign * 1j * k0 * np.einsum("kld,nd->knl", dirs, pos))
    val = np.einsum("knl,kl->kn", E, gains)
    grad = np.einsum("knl,kl,kld->knd", E, gains * (sign * 1j * k0), dirs)
    return val, grad


def sinrs(hDc, hU, H, E, Wt, Wr, p, noise_dl=1.0, noise_ul=1.0):
    """All SINRs: hDc (..., K_D, Nt), hU (..., Nr, K_U), H (..., Nr, Nt), E (K_D, K_U) IUI
    power gains, Wt (Nt, K_D), Wr (Nr, K_U), p (K_U,) -> (gamma_D (..., K_D), gamma_U (..., K_U)).
    """
    Z = np.abs(hDc @ Wt) ** 2                                  # (..., K_D, K_D)
    sig_d = np.diagonal(Z, axis1=-2, axis2=-1)
    den_d = Z.sum(-1) - sig_d + E @ p + noise_dl
    S = np.abs(Wr.conj().T @ hU) ** 2 * p                      # (..., K_U, K_U) [j, m]
    sig_u = np.diagonal(S, axis1=-2, axis2=-1)
    Q = np.abs(Wr.conj().T @ H @ Wt) ** 2                      # (..., K_U, K_D)
    den_u = S.sum(-1) - sig_u + Q.sum(-1) + noise_ul * np.sum(np.abs(Wr) ** 2, axis=0)
    return sig_d / den_d, sig_u / den_u


def mmse_batch(hU, H, Wt, p, noise=1.0):
    """MMSE combiners for batched channels: hU (..., Nr, K_U), H (..., Nr, Nt) -> (..., Nr, K_U)
    unit columns w_j = Q_j^{-1} h_j / ||.||, Q_j = sum_{m!=j} p_m h_m h_m^H + V V^H + noise I."""
    V = H @ Wt
    batch = np.broadcast_shapes(hU.shape[:-2], H.shape[:-2])
    hU = np.broadcast_to(hU, batch + hU.shape[-2:])
    Nr = hU.shape[-2]
    R = (hU * p) @ np.swapaxes(hU, -1, -2).conj() + V @ np.swapaxes(V, -1, -2).conj() + noise * np.eye(Nr)
    out = np.empty(hU.shape, complex)
    for j in range(hU.shape[-1]):
        h = hU[..., :, j]
        Qj = R - p[j] * h[..., :, None] * h[..., None, :].conj()
        w = np.linalg.solve(Qj, h[..., None])[..., 0]
        out[..., :, j] = w / np.linalg.norm(w, axis=-1, keepdims=True)
    return out


# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class _FullDuplexBase(Problem):
    """Geometry, channels and position handling shared by the single- and multi-user problems."""

    Nt: int = 4
    Nr: int = 4
    wavelength: float = 0.1
    region_size: float = 0.4
    d_min: float = 0.05
    p_max: float = 1.0
    noise_dl: float = 1e-11
    noise_ul: float = 1e-11
    si: SelfInterference = None
    movable_tx: bool = True
    movable_rx: bool = True

    # -- validation ---------------------------------------------------------------------------
    def _validate_common(self):
        own = self.name
        require_int(own, "Nt", self.Nt)
        require_int(own, "Nr", self.Nr)
        for f in ("wavelength", "region_size", "d_min", "p_max", "noise_dl", "noise_ul"):
            require_positive(own, f, getattr(self, f))
        if not isinstance(self.si, SelfInterference):
            fail(own, "si", self.si, "must be a SelfInterference model")
        if not math.isclose(self.si.wavelength, self.wavelength, rel_tol=1e-12):
            fail(own, "si", f"<wavelength {self.si.wavelength}>", f"SI wavelength must equal {self.wavelength}")
        sp = self.fpa_spacing
        for n, f in ((self.Nt, "Nt"), (self.Nr, "Nr")):
            cols = int(math.ceil(math.sqrt(n)))
            rows = int(math.ceil(n / cols))
            if (max(cols, rows) - 1) * sp > self.region_size * (1 + 1e-12):
                fail(own, "region_size", self.region_size,
                     f"cannot hold the {rows}x{cols} FPA grid of {f}={n} antennas at spacing {sp:g} m")
        ox = self.si.rx_offset
        if abs(ox[2]) < 1e-12 and (ox[0] < self.region_size and ox[0] > -self.region_size
                                   and abs(ox[1]) < self.region_size):
            fail(own, "si", f"<rx_offset {ox}>", "Tx and Rx regions overlap")

    def _set(self, name, value):
        object.__setattr__(self, name, value)

    def _prepare_channels(self, dl_dirs, dl_gains, ul_dirs, ul_gains):
        """Store noise-normalised channel coefficients (K, L, 2) / (K, L)."""
        self._set("_k0", wavenumber(self.wavelength))
        self._set("_dl_dirs", np.asarray(dl_dirs, float))
        self._set("_dl_g", np.asarray(dl_gains, complex) / math.sqrt(self.noise_dl))
        self._set("_ul_dirs", np.asarray(ul_dirs, float))
        self._set("_ul_g", np.asarray(ul_gains, complex) / math.sqrt(self.noise_ul))
        self._set("_fpa_tx", fpa_layout(self.Nt, self.region_size, self.fpa_spacing))
        self._set("_fpa_rx", fpa_layout(self.Nr, self.region_size, self.fpa_spacing))

    @property
    def fpa_spacing(self) -> float:
        return max(self.wavelength / 2, self.d_min)

    @property
    def fpa(self) -> dict:
        """FPA layout {"positions_tx": (Nt, 2), "positions_rx": (Nr, 2)}."""
        return {"positions_tx": self._fpa_tx.copy(), "positions_rx": self._fpa_rx.copy()}

    # -- channels -----------------------------------------------------------------------------
    def channels(self, x, normalized=True):
        """(hDc (K_D, Nt) rows h_D^H, hU (Nr, K_U), H_SI (Nr, Nt)) at x's positions (batched
        positions (..., N, 2) give leading batch axes). ``normalized=False``: raw units."""
        t = np.asarray(x["positions_tx"], float)
        r = np.asarray(x["positions_rx"], float)
        hDc = _plane_sum(self._dl_dirs, self._dl_g, t, self._k0, +1)
        hU = np.swapaxes(_plane_sum(self._ul_dirs, self._ul_g, r, self._k0, -1), -1, -2)
        H = self.si.matrix(t, r) / math.sqrt(self.noise_ul)
        if not normalized:
            return hDc * math.sqrt(self.noise_dl), hU * math.sqrt(self.noise_ul), H * math.sqrt(self.noise_ul)
        return hDc, hU, H

    # -- interface used by the block solvers --------------------------------------------------
    def fd_arrays(self, x) -> dict:
        """Noise-normalised arrays for block solvers: hDc (K_D, Nt), hU (Nr, K_U), H (Nr, Nt),
        E (K_D, K_U), Wt (Nt, K_D), Wr (Nr, K_U), p (K_U,), P, p_max_ul (K_U,), weights
        (K_D + K_U,), p_th (normalised, inf if none), kind, update_power (bool)."""
        hDc, hU, H = self.channels(x)
        Wt, Wr, p = self._unpack(x)
        return dict(hDc=hDc, hU=hU, H=H, E=self._iui(), Wt=Wt, Wr=Wr, p=p, P=self.p_max,
                    p_max_ul=self._p_ul_max_vec(), weights=self._weights_vec(),
                    p_th=self._p_th_norm(), kind=self.kind, update_power=self._power_free())

    # -- positions: bounds, projection, violation ---------------------------------------------
    def bounds(self, block):
        require_choice(self.name, "block", block, POS_BLOCKS)
        shape = (self.Nt if block == "positions_tx" else self.Nr, 2)
        return np.zeros(shape), np.full(shape, self.region_size)

    def _movable(self, block):
        return self.movable_tx if block == "positions_tx" else self.movable_rx

    def project(self, block, value):
        """Clip to [0, A]^2, then repair the minimum spacing (pairwise pushes, then a greedy
        grid fallback, finally the FPA layout). Frozen blocks return the FPA layout."""
        require_choice(self.name, "block", block, POS_BLOCKS)
        fpa = self._fpa_tx if block == "positions_tx" else self._fpa_rx
        if not self._movable(block):
            return fpa.copy()
        return _repair(np.asarray(value, float), self.region_size, self.d_min, fpa)

    def _block_violation(self, block, V):
        """Box (in lambda), spacing (relative to D_min) and frozen-layout violation of a
        position block; V (..., N, 2) -> (...)."""
        A, lam, D = self.region_size, self.wavelength, self.d_min
        V = np.asarray(V, float)
        v = np.max(np.maximum(0, np.maximum(-V, V - A)), axis=(-1, -2)) / lam
        if V.shape[-2] > 1:
            iu = np.triu_indices(V.shape[-2], 1)
            d = np.linalg.norm(V[..., :, None, :] - V[..., None, :, :], axis=-1)[..., iu[0], iu[1]]
            v = np.maximum(v, np.max(np.maximum(0, D - d), axis=-1) / D)
        if not self._movable(block):
            fpa = self._fpa_tx if block == "positions_tx" else self._fpa_rx
            v = np.maximum(v, np.max(np.abs(V - fpa), axis=(-1, -2)) / lam)
        return np.where(np.all(np.isfinite(V), axis=(-1, -2)), v, np.inf)

    def _position_violation(self, x):
        v = 0.0
        for block, n in (("positions_tx", self.Nt), ("positions_rx", self.Nr)):
            P = np.asarray(x[block], float)
            if P.shape != (n, 2):
                return math.inf
            v = max(v, float(self._block_violation(block, P)))
        return v

    def _bf_violation(self, Wt, Wr, p):
        v = max(0.0, float(np.sum(np.abs(Wt) ** 2)) / self.p_max - 1.0)
        v = max(v, float(np.max(np.abs(np.linalg.norm(Wr, axis=0) - 1.0))))
        pm = self._p_ul_max_vec()
        v = max(v, float(np.max(np.maximum(0, np.maximum(p / pm - 1.0, -p / pm)))))
        return v

    def violation(self, x) -> float:
        """Max relative constraint violation (0 when feasible): box (in lambda), spacing (in
        D_min), ||W_t||^2 <= P, ||w_r|| = 1, 0 <= p <= p_max, SI cap (P3), frozen layout."""
        try:
            Wt, Wr, p = self._unpack(x)
        except (KeyError, ValueError):
            return math.inf
        v = max(self._position_violation(x), self._bf_violation(Wt, Wr, p))
        if self.kind == "dl_si_cap":
            _, _, H = self.channels(x)
            v = max(v, float(np.sum(np.abs(H @ Wt) ** 2)) / self._p_th_norm() - 1.0)
        return float(v) if np.isfinite(v) else math.inf

    def violation_batch(self, block, values, x, inner=False):
        """(n,) violations for a batch of ``values`` (n, N, 2) of a position block.
        ``inner=True``: the beamformers are re-optimised per particle (see objective_batch), so
        only the position constraints count."""
        values = np.asarray(values, float)
        v = self._block_violation(block, values)
        other = "positions_rx" if block == "positions_tx" else "positions_tx"
        v = np.maximum(v, float(self._block_violation(other, x[other])))
        if inner:
            return v
        Wt, Wr, p = self._unpack(x)
        v = np.maximum(v, self._bf_violation(Wt, Wr, p))
        if self.kind == "dl_si_cap":
            _, _, H = self.channels({**x, block: values})
            phi = np.sum(np.abs(H @ Wt) ** 2, axis=(-1, -2))
            v = np.maximum(v, phi / self._p_th_norm() - 1.0)
        return v

    # -- objective, rates, gradients ----------------------------------------------------------
    def _combine(self, gD, gU):
        """Objective from SINRs (..., K_D), (..., K_U)."""
        batch = np.broadcast_shapes(np.shape(gD)[:-1], np.shape(gU)[:-1])
        gD = np.broadcast_to(gD, batch + np.shape(gD)[-1:])
        gU = np.broadcast_to(gU, batch + np.shape(gU)[-1:])
        R = np.concatenate([np.log2(1 + gD), np.log2(1 + gU)], axis=-1)
        if self.kind == "weighted":
            return R @ self._weights_vec()
        if self.kind == "maxmin":
            return R.min(-1)
        return np.log2(1 + gD).sum(-1)

    def sinrs(self, x, normalized=True):
        """(gamma_D (K_D,), gamma_U (K_U,)) at x; ``normalized=False`` uses raw units."""
        hDc, hU, H = self.channels(x, normalized=normalized)
        Wt, Wr, p = self._unpack(x)
        if normalized:
            return sinrs(hDc, hU, H, self._iui(), Wt, Wr, p)
        return sinrs(hDc, hU, H, self._iui(False), Wt, Wr, p, self.noise_dl, self.noise_ul)

    def objective(self, x) -> float:
        gD, gU = self.sinrs(x)
        return float(self._combine(gD, gU))

    def objective_batch(self, block, values, x, inner=False):
        """Objective for a batch of position values (n, N, 2) of ``block`` (beamformers of x
        fixed). ``inner=True`` re-optimises the cheap block-optimal beamformers per particle
        (MMSE combiners; for P3 also the closed-form SI-capped w_t)."""
        values = np.asarray(values, float)
        xb = {**x, block: values}
        hDc, hU, H = self.channels(xb)
        Wt, Wr, p = self._unpack(x)
        if inner:
            if self.kind == "dl_si_cap":
                from ..solvers.socp_steps import p3_closed_form_batch

                n = len(values)
                hDc = np.broadcast_to(hDc, (n,) + hDc.shape[-2:])
                H = np.broadcast_to(H, (n,) + H.shape[-2:])
                w = p3_closed_form_batch(hDc[:, 0], H, self.p_max, self._p_th_norm())
                return np.log2(1 + np.abs(np.einsum("bn,bn->b", hDc[:, 0], w)) ** 2
                               / (self._iui()[0] @ p + 1))
            Wr = mmse_batch(hU, H, Wt, p)
            gD, gU = _sinrs_batched_wr(hDc, hU, H, self._iui(), Wt, Wr, p)
            return self._combine(gD, gU)
        gD, gU = sinrs(hDc, hU, H, self._iui(), Wt, Wr, p)
        return self._combine(gD, gU)

    def rate_gradients(self, x):
        """Rates R (K_D + K_U,) and their position gradients dR_t (K, Nt, 2), dR_r (K, Nr, 2)
        with all beamformers held fixed (for MMSE combiners this is the envelope gradient)."""
        t = np.asarray(x["positions_tx"], float)
        r = np.asarray(x["positions_rx"], float)
        Wt, Wr, p = self._unpack(x)
        E = self._iui()
        u, du = _plane_sum_grad(self._dl_dirs, self._dl_g, t, self._k0, +1)      # (KD,Nt),(KD,Nt,2)
        hUt, dhU = _plane_sum_grad(self._ul_dirs, self._ul_g, r, self._k0, -1)   # (KU,Nr),(KU,Nr,2)
        H, dHt, dHr = self.si.grad(t, r)
        s = 1 / math.sqrt(self.noise_ul)
        H, dHt, dHr = H * s, dHt * s, dHr * s
        KD, KU = Wt.shape[1], Wr.shape[1]
        Nt, Nr = len(t), len(r)
        # DL: Z[k, i] = sum_n u[k, n] Wt[n, i]
        Z = u @ Wt
        dZ2 = 2 * np.real(np.einsum("ki,knd,ni->kind", Z.conj(), du, Wt))       # (KD, KD, Nt, 2)
        NDt = dZ2[np.arange(KD), np.arange(KD)]                                # (KD, Nt, 2)
        DDt = dZ2.sum(1) - NDt
        nD = np.abs(np.diagonal(Z)) ** 2
        dD = (np.abs(Z) ** 2).sum(1) - nD + E @ p + 1
        # UL: S[j, m'] = sum_m conj(Wr[m, j]) hU[m, m']
        hU = hUt.T
        S = Wr.conj().T @ hU
        dS2 = 2 * np.real(np.einsum("jk,mj,kmd->jkmd", S.conj(), Wr.conj(), dhU))  # (KU, KU, Nr, 2)
        dS2 = dS2 * p[None, :, None, None]
        NUr = dS2[np.arange(KU), np.arange(KU)]
        Q = Wr.conj().T @ H @ Wt                                               # (KU, KD)
        # dQ/dt_n = sum_m conj(Wr[m, j]) dHt[m, n] Wt[n, i]
        dQt = np.einsum("mj,mnd,ni->jind", Wr.conj(), dHt, Wt)
        dQr = np.einsum("mj,mnd,ni->jimd", Wr.conj(), dHr, Wt)
        dQ2t = 2 * np.real(Q.conj()[:, :, None, None] * dQt).sum(1)           # (KU, Nt, 2)
        dQ2r = 2 * np.real(Q.conj()[:, :, None, None] * dQr).sum(1)           # (KU, Nr, 2)
        DUr = dS2.sum(1) - NUr + dQ2r
        DUt = dQ2t
        nU = p * np.abs(np.diagonal(S)) ** 2
        dU = (p * np.abs(S) ** 2).sum(1) - nU + (np.abs(Q) ** 2).sum(1) + np.sum(np.abs(Wr) ** 2, 0)
        gD, gU = nD / dD, nU / dU
        dR_t = np.zeros((KD + KU, Nt, 2))
        dR_r = np.zeros((KD + KU, Nr, 2))
        fD = 1 / ((1 + gD) * LN2 * dD)
        dR_t[:KD] = fD[:, None, None] * (NDt - gD[:, None, None] * DDt)
        fU = 1 / ((1 + gU) * LN2 * dU)
        dR_t[KD:] = fU[:, None, None] * (-gU[:, None, None] * DUt)
        dR_r[KD:] = fU[:, None, None] * (NUr - gU[:, None, None] * DUr)
        R = np.concatenate([np.log2(1 + gD), np.log2(1 + gU)])
        return R, dR_t, dR_r

    def si_power_gradient(self, x):
        """phi = ||H_SI W_t||_F^2 (noise-normalised) and its gradients (Nt, 2), (Nr, 2)."""
        t = np.asarray(x["positions_tx"], float)
        r = np.asarray(x["positions_rx"], float)
        Wt, _, _ = self._unpack(x)
        H, dHt, dHr = self.si.grad(t, r)
        s = 1 / math.sqrt(self.noise_ul)
        H, dHt, dHr = H * s, dHt * s, dHr * s
        V = H @ Wt                                                             # (Nr, KD)
        gt = 2 * np.real(np.einsum("mi,mnd,ni->nd", V.conj(), dHt, Wt))
        gr = 2 * np.real(np.einsum("mi,mnd,ni->md", V.conj(), dHr, Wt))
        return float(np.sum(np.abs(V) ** 2)), gt, gr

    def gradient(self, block, x):
        """Ascent direction of the objective w.r.t. ``positions_tx`` (Nt, 2) or ``positions_rx``
        (Nr, 2) (metres), beamformers fixed. P2 (min) returns the gradient of the active rate;
        frozen blocks return zeros."""
        require_choice(self.name, "block", block, POS_BLOCKS)
        R, dt, dr = self.rate_gradients(x)
        g = dt if block == "positions_tx" else dr
        if not self._movable(block):
            return np.zeros(g.shape[1:])
        KD = self._KD
        if self.kind == "weighted":
            return np.tensordot(self._weights_vec(), g, axes=1)
        if self.kind == "maxmin":
            return g[int(np.argmin(R))]
        return g[:KD].sum(0)

    # -- points ---------------------------------------------------------------------------------
    def random_layout(self, rng):
        """A random feasible layout {"positions_tx", "positions_rx"} (uniform, then repaired)."""
        rng = as_generator(rng)
        out = {}
        for block, n in (("positions_tx", self.Nt), ("positions_rx", self.Nr)):
            out[block] = self.project(block, rng.uniform(0, self.region_size, (n, 2)))
        return out

    def ao_defaults(self):
        return {"max_iter": 30, "tol": 1e-4}

    def ao_blocks(self):
        return fd_blocks(self)

    def ao_finalize(self, solution):
        solution.output.update(self.evaluate(solution.x))
        return solution


def _sinrs_batched_wr(hDc, hU, H, E, Wt, Wr, p):
    """:func:`sinrs` with per-batch combiners Wr (..., Nr, K_U)."""
    Z = np.abs(hDc @ Wt) ** 2
    sig_d = np.diagonal(Z, axis1=-2, axis2=-1)
    den_d = Z.sum(-1) - sig_d + E @ p + 1.0
    WrH = np.swapaxes(Wr, -1, -2).conj()
    S = np.abs(WrH @ hU) ** 2 * p
    sig_u = np.diagonal(S, axis1=-2, axis2=-1)
    Q = np.abs(WrH @ H @ Wt) ** 2
    den_u = S.sum(-1) - sig_u + Q.sum(-1) + np.sum(np.abs(Wr) ** 2, axis=-2)
    return sig_d / den_d, sig_u / den_u


@numba.njit(cache=True)
def _push_apart(P, A, D, target, sweeps):
    """Gauss-Seidel pairwise pushes (in place): pairs closer than D move apart symmetrically to
    ``target`` along their difference, then are clipped to [0, A]; True when all pairs are >= D."""
    n = P.shape[0]
    for _ in range(sweeps):
        ok = True
        for i in range(n):
            for j in range(i + 1, n):
                vx = P[i, 0] - P[j, 0]
                vy = P[i, 1] - P[j, 1]
                dist = math.sqrt(vx * vx + vy * vy)
                if dist < D:
                    ok = False
                    if dist > 1e-15:
                        ux, uy = vx / dist, vy / dist
                    else:
                        ux, uy = math.cos(i + j), math.sin(i + j)
                    shift = 0.5 * (target - dist) + 1e-12
                    P[i, 0] = min(max(P[i, 0] + shift * ux, 0.0), A)
                    P[j, 0] = min(max(P[j, 0] - shift * ux, 0.0), A)
                    P[i, 1] = min(max(P[i, 1] + shift * uy, 0.0), A)
                    P[j, 1] = min(max(P[j, 1] - shift * uy, 0.0), A)
        if ok:
            return True
    return False


def _repair(P, A, D, fallback, sweeps=100):
    """Clip (N, 2) to [0, A]^2 and push apart pairs closer than D (then greedy grid, then fallback)."""
    P = np.clip(np.array(P, float), 0.0, A)
    n = len(P)
    if n < 2:
        return P
    target = D * (1 + 1e-9)
    if _push_apart(P, float(A), float(D) * (1 + 1e-10), float(target), sweeps):
        return P
    # greedy: keep antennas in order, move a conflicting one to the nearest free grid point
    m = max(2, int(math.floor(A / (D / 2))) + 1)
    g = np.linspace(0, A, m)
    grid = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    placed = []
    for i in range(n):
        cand = P[i]
        if placed and np.min(np.linalg.norm(np.array(placed) - cand, axis=-1)) < target:
            ok = np.all(np.linalg.norm(grid[:, None] - np.array(placed)[None], axis=-1) >= target, axis=1)
            if not ok.any():
                return fallback.copy()
            free = grid[ok]
            cand = free[np.argmin(np.linalg.norm(free - P[i], axis=-1))]
        placed.append(cand)
    return np.array(placed)


def _apply_overrides(prob, overrides):
    """Replace dataclass fields named in ``overrides`` (others: InvalidProblemError)."""
    if not overrides:
        return prob
    names = {f.name for f in dataclasses.fields(prob)}
    for k, v in overrides.items():
        if k not in names:
            fail(prob.name, k, v, "unknown field or random() option")
    return prob.with_(**overrides)


def _check_channel_arrays(own, dirs, gains, K, name):
    dirs = require_shape(own, f"{name}_dirs", np.asarray(dirs, float), (K, None, 2))
    gains = require_shape(own, f"{name}_gains", np.asarray(gains, complex), (K, dirs.shape[1]))
    require_finite(own, f"{name}_dirs", dirs)
    require_finite(own, f"{name}_gains", gains)
    return dirs, gains


def _draw_link(rng, L, beta):
    """(dirs (L, 2), gains (L,)): angles U[0, pi] ("fd" convention), gains CN(0, beta/L)."""
    theta = rng.uniform(0, np.pi, L)
    phi = rng.uniform(0, np.pi, L)
    g = np.sqrt(beta / (2 * L)) * (rng.standard_normal(L) + 1j * rng.standard_normal(L))
    return directions(theta, phi, "fd"), g


def _geometry_kwargs(own, wavelength, region_lambda, d_min_lambda, rho_db, si_model, rng,
                     L_si, k_factor):
    A = region_lambda * wavelength
    require_choice(own, "si_model", si_model, SI_MODELS)
    si = SelfInterference.random(rng, model=si_model, wavelength=wavelength, rho=float(db_to_lin(rho_db)),
                                 rx_offset=(A + wavelength, 0.0, 0.0), L_t=L_si, L_r=L_si,
                                 k_factor=k_factor)
    return dict(wavelength=wavelength, region_size=A, d_min=d_min_lambda * wavelength, si=si)


# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class FullDuplexProblem(_FullDuplexBase):
    """Single DL + single UL user (P1 "weighted", P2 "maxmin", P3 "dl_si_cap"); spec §3.1.

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
        require_choice(own, "objective_kind", self.objective_kind, OBJECTIVES)
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
        """Instance with the spec's §6 defaults (rho = -70 dB for P1/P2, 0 dB for P3).

        ``movable=False`` freezes both layouts at the FPA grid; ``movable_tx`` / ``movable_rx``
        override per side (MA-Tx-only / MA-Rx-only). Any other keyword must be a dataclass field
        (e.g. ``p_th=1e-9`` in W) and replaces it after the draw. Draw order: DL link, UL link,
        SI paths.
        """
        own = cls.__name__
        require_choice(own, "objective", objective, OBJECTIVES)
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
        """Scale w_t into the power budget and (P3) the SI cap (spec §4.3 feasibility polish)."""
        w = np.asarray(x["w_t"], complex)
        s = min(1.0, math.sqrt(self.p_max / max(np.sum(np.abs(w) ** 2), 1e-300)))
        if self.kind == "dl_si_cap":
            _, _, H = self.channels(x)
            phi = float(np.sum(np.abs(H @ w) ** 2))
            if phi > 0:
                s = min(s, math.sqrt(self._p_th_norm() / phi))
        return {**x, "w_t": w * s}

    def ao_initial_point(self, rng=None):
        """FPA layout, MRT w_t (scaled to the SI cap for P3), MMSE w_r (spec §5)."""
        from ..solvers.combiner import mmse_combiner

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
@dataclasses.dataclass(frozen=True, eq=False)
class FullDuplexMultiUserProblem(_FullDuplexBase):
    """K_D DL and K_U UL single-antenna users, weighted sum rate (problem (30)); spec §3.2.

    dl_dirs (K_D, L, 2), dl_gains (K_D, L); ul_dirs (K_U, L, 2), ul_gains (K_U, L);
    iui (K_D, K_U) complex UL-user -> DL-user channels; weights (K_D + K_U,) summing to 1;
    p_ul_max: UL power budget (W). x = {positions_tx, positions_rx, W_t (Nt, K_D),
    W_r (Nr, K_U), p_u (K_U,)}.
    """

    dl_dirs: np.ndarray = None
    dl_gains: np.ndarray = None
    ul_dirs: np.ndarray = None
    ul_gains: np.ndarray = None
    iui: np.ndarray = None
    weights: tuple = None
    p_ul_max: float = 0.1

    kind = "weighted"

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
        Draw order: user positions (DL then UL), DL links, UL links, IUI, SI paths."""
        own = cls.__name__
        require_choice(own, "objective", objective, ("weighted",))
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

    def ao_initial_point(self, rng=None):
        """FPA layout, per-user MRT with equal power split, p = p_max, MMSE combiners."""
        from ..solvers.combiner import mmse_combiner

        x = self.fpa
        hDc, hU, H = self.channels(x)
        W = hDc.conj().T / np.linalg.norm(hDc, axis=1)
        W *= math.sqrt(self.p_max / self._KD)
        p = self._p_ul_max_vec()
        Wr, _ = mmse_combiner(hU, p, H @ W)
        x.update(W_t=W, W_r=Wr, p_u=p)
        return x

    def evaluate(self, x, normalized=True) -> dict:
        """Per-user rates R_D (K_D,), R_U (K_U,), SINRs, objective (weighted sum rate)."""
        gD, gU = self.sinrs(x, normalized=normalized)
        return {"R_D": np.log2(1 + gD), "R_U": np.log2(1 + gU), "sinr_D": gD, "sinr_U": gU,
                "objective": float(self._combine(gD, gU))}


# ----------------------------------------------------------------------------------------------
def fd_blocks(problem, *, tx_bf=None, positions="pso", position_options=None, fp_options=None,
              fitness=None):
    """Default AO blocks (spec §5) as a list of :class:`~matoolbox.core.Block`.

    tx_bf: "fp" (P1/MU default), "socp" (P2/P3 default, exact), "sca", "sdr".
    positions: "pso" (default), "mm" (monotone gradient/MM step), "pga", or None (fixed layout).
    position_options: options of the position solver (e.g. ``{"n_particles": 20, "iters": 30}``).
    fitness: PSO fitness "fixed_bf" or "inner_bf" (default: inner_bf for P3, fixed_bf otherwise).
    Order: P1/P2: rx_comb -> tx_bf -> positions; P3: tx_bf -> positions -> rx_comb;
    MU: rx_comb -> tx_bf -> ul_power -> positions.
    """
    from ..core.problem import Block
    from ..solvers.combiner import rx_comb_block
    from ..solvers.fd_positions import FdPositionOptions, fd_positions
    from ..solvers.fp import fp_beamforming, fp_power

    kind = problem.kind
    if tx_bf is None:
        tx_bf = "fp" if kind == "weighted" else "socp"
    require_choice("fd_blocks", "tx_bf", tx_bf, ("fp", "socp", "sca", "sdr"))
    require_choice("fd_blocks", "positions", positions, ("pso", "mm", "pga", None))
    if tx_bf == "fp":
        bf = Block("tx_bf", fp_beamforming, fp_options)
    elif tx_bf == "socp":
        from ..solvers.socp_steps import socp_beamforming

        bf = Block("tx_bf", socp_beamforming, None)
    elif tx_bf == "sca":
        from ..solvers.sca_beamforming import sca_beamforming

        bf = Block("tx_bf", sca_beamforming, None)
    else:
        from ..solvers.sdr import sdr_beamforming

        bf = Block("tx_bf", sdr_beamforming, None)
    rx = Block("rx_comb", rx_comb_block, None)
    pos = []
    if positions is not None:
        if fitness is None:
            fitness = "inner_bf" if kind == "dl_si_cap" else "fixed_bf"
        for block in POS_BLOCKS:
            if problem._movable(block):
                opts = FdPositionOptions(block=block, method=positions, fitness=fitness,
                                         solver_options=dict(position_options or {}))
                pos.append(Block(block, fd_positions, opts))
    if kind == "dl_si_cap":
        return [bf, *pos, rx]
    if problem._power_free():
        return [rx, bf, Block("ul_power", fp_power, None), *pos]
    return [rx, bf, *pos]


def fd_baselines(problem, *, rng=None, x_start=None, n_random=20, position_options=None,
                 max_iter=None):
    """Baselines of spec §6 for ``problem`` (values of its objective, all from AO with the
    same beamforming blocks): "fpa", "ma" (warm-started from the FPA solution), "ma_tx_only",
    "ma_rx_only", "random_best" (best of ``n_random`` random feasible layouts, beamformers
    optimised), and "hd" (half duplex at the FPA layout, single-user problems only).
    Returns a dict name -> Solution (``hd``: float)."""
    from ..ao import ao_solve

    rng = as_generator(rng)
    out = {}
    fpa_prob = problem.with_(movable_tx=False, movable_rx=False)
    out["fpa"] = ao_solve(fpa_prob, x0=x_start, rng=rng, max_iter=max_iter)
    kw = dict(position_options=position_options)
    out["ma"] = ao_solve(problem, x0=out["fpa"].x, rng=rng, max_iter=max_iter,
                         blocks=fd_blocks(problem, **kw))
    for name, mt, mr in (("ma_tx_only", True, False), ("ma_rx_only", False, True)):
        p = problem.with_(movable_tx=mt, movable_rx=mr)
        out[name] = ao_solve(p, x0=out["fpa"].x, rng=rng, max_iter=max_iter, blocks=fd_blocks(p, **kw))
    best = None
    for _ in range(int(n_random)):
        x = {**out["fpa"].x, **problem.random_layout(rng)}
        s = ao_solve(problem, x0=x, rng=rng, max_iter=max_iter, blocks=fd_blocks(problem, positions=None))
        if best is None or s.fval > best.fval:
            best = s
    if best is not None:
        out["random_best"] = best
    if hasattr(problem, "half_duplex"):
        out["hd"] = problem.half_duplex(problem.fpa)
    return out
