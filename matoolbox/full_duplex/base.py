"""The shared base of the full-duplex problems: channels, projections, violations, rates and
their position gradients, batched objectives and the AO hooks."""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..channels.field_response import wavenumber
from ..channels.multilink import plane_wave_rows, plane_wave_rows_grad
from ..channels.self_interference import SelfInterference
from ..core.problem import Problem
from ..core.rng import as_generator
from ..core.validate import (
    fail, require_choice, require_int, require_positive,
)
from ..regions import Rectangle, min_distance
from .common import LN2, POS_BLOCKS, _sinrs_batched_wr, mmse_batch, sinrs
from .socp import p3_closed_form_batch
from .ao import fd_blocks
from .io import FullDuplexIoMixin


@dataclasses.dataclass(frozen=True, eq=False)
class _FullDuplexBase(FullDuplexIoMixin, Problem):
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

    _SCHEMES = {"MA": (True, True), "FPA": (False, False), "MA-Tx": (True, False), "MA-Rx": (False, True)}

    @property
    def scheme(self) -> str:
        """"MA" (Tx and Rx movable), "FPA" (both fixed), "MA-Tx" or "MA-Rx" (one side movable)."""
        movable = (bool(self.movable_tx), bool(self.movable_rx))
        return next(k for k, v in self._SCHEMES.items() if v == movable)

    def variant(self, scheme: str):
        """The same instance under another scheme (any case): "MA" (Tx and Rx positions movable),
        "FPA" (both layouts frozen at the FPA grid, ``movable_tx = movable_rx = False``), "MA-Tx" or
        "MA-Rx" (only that side movable)."""
        names = {k.upper(): v for k, v in self._SCHEMES.items()}
        key = str(scheme).upper()
        if key not in names:
            fail(self.name, "variant.scheme", scheme, f"must be one of {sorted(self._SCHEMES)}")
        tx, rx = names[key]
        if (bool(self.movable_tx), bool(self.movable_rx)) == (tx, rx):
            return self
        return dataclasses.replace(self, movable_tx=tx, movable_rx=rx)

    def _set(self, name, value):
        object.__setattr__(self, name, value)

    def _prepare_channels(self, dl_dirs, dl_gains, ul_dirs, ul_gains):
        """Store noise-normalised channel coefficients (K, L, 2) / (K, L)."""
        self._set("_k0", wavenumber(self.wavelength))
        self._set("_dl_dirs", np.asarray(dl_dirs, float))
        self._set("_dl_g", np.asarray(dl_gains, complex) / math.sqrt(self.noise_dl))
        self._set("_ul_dirs", np.asarray(ul_dirs, float))
        self._set("_ul_g", np.asarray(ul_gains, complex) / math.sqrt(self.noise_ul))
        region = Rectangle(0.0, float(self.region_size), 0.0, float(self.region_size), float(self.d_min))
        self._set("_region", region)
        self._set("_fpa_tx", region.fpa(self.Nt, self.fpa_spacing))
        self._set("_fpa_rx", region.fpa(self.Nr, self.fpa_spacing))

    @property
    def region(self) -> Rectangle:
        """The position region of each array: ``Rectangle(0, A, 0, A, d_min)`` ([0, A]^2, metres)."""
        return self._region

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
        hDc = plane_wave_rows(self._dl_dirs, self._dl_g, t, self._k0, +1)
        hU = np.swapaxes(plane_wave_rows(self._ul_dirs, self._ul_g, r, self._k0, -1), -1, -2)
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
        """:meth:`matoolbox.regions.Rectangle.project` on [0, A]^2 (clip, pairwise pushes, greedy
        grid, finally the FPA layout); feasible layouts are kept. Frozen blocks return the FPA layout."""
        require_choice(self.name, "block", block, POS_BLOCKS)
        fpa = self._fpa_tx if block == "positions_tx" else self._fpa_rx
        if not self._movable(block):
            return fpa.copy()
        return self._region.project(value, fallback=fpa)

    def project_batch(self, block, values):
        """:meth:`project` of every layout of ``values`` (B, n, 2) in one call (PSO's swarm)."""
        require_choice(self.name, "block", block, POS_BLOCKS)
        fpa = self._fpa_tx if block == "positions_tx" else self._fpa_rx
        V = np.asarray(values, float)
        if not self._movable(block):
            return np.broadcast_to(fpa, V.shape).copy()
        return self._region.project(V, fallback=fpa)

    def _block_violation(self, block, V):
        """Box (in lambda), spacing (relative to D_min) and frozen-layout violation of a
        position block; V (..., N, 2) -> (...).

        Not :meth:`Rectangle.violations <matoolbox.regions.Rectangle.violations>` of
        :attr:`region`: that one is max(box excess, D_min - min distance) in metres, while the FD
        violation scales each term separately (box / lambda, spacing / D_min) and adds the frozen
        layout; the pairwise distances are the regions' :func:`~matoolbox.regions.min_distance`."""
        A, lam, D = self.region_size, self.wavelength, self.d_min
        V = np.asarray(V, float)
        v = np.max(np.maximum(0, np.maximum(-V, V - A)), axis=(-1, -2)) / lam
        if V.shape[-2] > 1:
            v = np.maximum(v, np.maximum(0, D - min_distance(V)) / D)
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

    def tx_score(self, a, Wt, position_violation, sinr=None) -> tuple:
        """(objective, violation) of ``fd_pack(x, Wt=Wt)`` from the block arrays ``a =
        fd_arrays(x)`` (channels, combiners and powers of x) and x's ``position_violation``
        (``_position_violation(x)``): the same numbers without recomputing the channels, for
        transmit blocks that score many W_t (Nt, K_D) at one layout. ``sinr``: the SINRs
        ``sinrs(a["hDc"], a["hU"], a["H"], a["E"], Wt, a["Wr"], a["p"])`` if already known."""
        Wt = np.asarray(Wt, complex).reshape(a["Wt"].shape)
        if sinr is None:
            sinr = sinrs(a["hDc"], a["hU"], a["H"], a["E"], Wt, a["Wr"], a["p"])
        f = float(self._combine(*sinr))
        v = max(position_violation, self._bf_violation(Wt, a["Wr"], a["p"]))
        if self.kind == "dl_si_cap":
            v = max(v, float(np.sum(np.abs(a["H"] @ Wt) ** 2)) / self._p_th_norm() - 1.0)
        return f, (float(v) if np.isfinite(v) else math.inf)

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
        u, du = plane_wave_rows_grad(self._dl_dirs, self._dl_g, t, self._k0, +1)     # (KD,Nt),(KD,Nt,2)
        hUt, dhU = plane_wave_rows_grad(self._ul_dirs, self._ul_g, r, self._k0, -1)  # (KU,Nr),(KU,Nr,2)
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
