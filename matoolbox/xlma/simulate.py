"""Monte Carlo MRC / MMSE evaluation of XL-MA layouts (a mixin of the problem) and the batched
SINR kernel (Woodbury form over the active users)."""
from __future__ import annotations

import math

import numpy as np

from ..channels import nearfield as nf
from ..core import validate as V
from ..core.rng import as_generator
from .layout import Layout

_OWNER = "XlmaPlacementProblem"


class XlmaSimulateMixin:
    """``simulate``: seeded, vectorised Monte Carlo evaluation of a layout."""

    # ------------------------------------------------------------------ Monte Carlo evaluation
    def simulate(self, layout, R: int = 1000, rng=None, *, batch: int | None = None,
                 return_sinr: bool = False, receivers=("mrc", "mmse")) -> dict:
        """Monte Carlo MRC and MMSE sum rates of a layout (or selection), seeded and vectorised.

        Per realization: alpha_k ~ Bern(rho_k), LoS phases (model ``self.los_phase``: "independent"
        per grid and position, as Theorem 1 assumes, or "coherent" spherical-wave phases of the cell
        centre with one random phase per user) and NLoS draws (docs/theory/xlma.rst: Evaluation).  Every grid
        with rho_k > 0 is conditioned on alpha_k = 1 with interferers {k' != k: alpha_k' = 1}.
        MRC SINR_k = gamma G_kk^2 / (gamma sum |G_kk'|^2 + G_kk); MMSE via Woodbury over the
        active set.  Returns dict ``mrc``, ``mmse`` (sum rates), ``mrc_stderr``, ``mmse_stderr``,
        ``mrc_grid``, ``mmse_grid`` (K,), and with ``return_sinr`` the SINRs (R, K_active).
        ``receivers=("mrc",)`` skips the MMSE part (its keys are then absent); the draws, hence the
        MRC numbers, are the same either way.
        """
        if not isinstance(layout, Layout):
            layout = self.layout(layout)
        V.require_int(_OWNER, "simulate.R", R, 1)
        rng = as_generator(rng)
        receivers = tuple(receivers)
        if not receivers or any(r not in ("mrc", "mmse") for r in receivers):
            V.fail(_OWNER, "simulate.receivers", receivers, "must be a non-empty subset of ('mrc', 'mmse')")
        keys = tuple(k for k in ("mrc", "mmse") if k in receivers)
        mom = self.layout_moments(layout)
        a = nf.upa_response(mom["u"], layout.MH, layout.MV, self.d_h, self.d_v, self.wavelength)  # (Ka, P, M)
        rho = self._stats["rho"]
        Ka, P, M = a.shape
        g = self.gamma
        if batch is None:
            batch = max(1, int(3e6 // (Ka * P * M)))
        dist = None
        if self.los_phase == "coherent":
            dist = nf.link_geometry(self.grid_centres[self.active], np.asarray(layout.centres, float))[0]
        sums = {"mrc": np.zeros(Ka), "mmse": np.zeros(Ka)}
        per_real = {"mrc": [], "mmse": []}
        keep = {"mrc": [], "mmse": []}
        done = 0
        while done < R:
            rb = min(batch, R - done)
            done += rb
            alpha = rng.random((rb, Ka)) < rho
            H = nf.draw_channels(rng, mom["ell"], mom["betaN"], a, rb, los_phase=self.los_phase,
                                 distances=dist, wavelength=self.wavelength).reshape(rb, Ka, P * M)
            s_mrc, s_mmse = _sinr_batch(H, alpha, g, mmse="mmse" in keys)
            for key, s in (("mrc", s_mrc), ("mmse", s_mmse)):
                if key not in keys:
                    continue
                r = np.log2(1.0 + s)
                sums[key] += r.sum(0)
                per_real[key].append(r @ rho)
                if return_sinr:
                    keep[key].append(s)
        out = {}
        for key in keys:
            grid = np.zeros(self.K)
            grid[self.active] = sums[key] / R
            pr = np.concatenate(per_real[key])
            out[key] = float(pr.mean())
            out[f"{key}_stderr"] = float(pr.std(ddof=1) / math.sqrt(R)) if R > 1 else 0.0
            out[f"{key}_grid"] = grid
            if return_sinr:
                out[f"{key}_sinr"] = np.concatenate(keep[key])
        return out


def _sinr_batch(H, alpha, gamma, mmse=True):
    """MRC and MMSE SINRs (Rb, K) for channels H (Rb, K, NM) and activations alpha (Rb, K) bool
    (``mmse=False``: MRC only, the MMSE entry is None).

    Every grid k is treated as active; interferers are {k' != k : alpha_k' = 1}.  MMSE uses the
    Woodbury form over the (padded) active set A: T = I/gamma + H_A^* H_A^T; for k not in A,
    SINR = gamma (||h_k||^2 - g_k^H T^-1 g_k) with g_k = H_A^* h_k; for k in A,
    SINR = gamma / [T^-1]_kk - 1.
    """
    Rb, K, L = H.shape
    nact = alpha.sum(1)
    A = max(1, int(nact.max()))
    order = np.argsort(~alpha, axis=1, kind="stable")[:, :A]            # active first
    valid = np.take_along_axis(alpha, order, axis=1)                       # (Rb, A)
    Ha = np.take_along_axis(H, order[:, :, None], axis=1) * valid[:, :, None]  # (Rb, A, L)
    norms = (H.real ** 2 + H.imag ** 2).sum(axis=2)                        # (Rb, K)
    Gx = np.conj(H @ np.conj(Ha).transpose(0, 2, 1))                      # h_k^H h_a  (Rb, K, A), BLAS
    self_mask = (order[:, None, :] == np.arange(K)[None, :, None]) & valid[:, None, :]
    w = valid[:, None, :] & ~self_mask
    interf = gamma * np.sum(w * np.abs(Gx) ** 2, axis=2)
    mrc = gamma * norms ** 2 / (interf + norms)
    if not mmse:
        return mrc, None
    T = np.einsum("ral,rbl->rab", Ha.conj(), Ha)
    T = T + np.eye(A)[None] * np.where(valid, 1.0 / gamma, 1.0)[:, :, None]
    Tinv = np.linalg.inv(T)
    quad = np.einsum("rka,rab,rkb->rk", Gx, Tinv, Gx.conj(), optimize=True).real
    mmse = np.maximum(gamma * (norms - quad), 0.0)
    diag = np.einsum("raa->ra", Tinv).real
    act_sinr = gamma / diag - 1.0                                          # (Rb, A)
    rr, aa = np.nonzero(valid)
    mmse[rr, order[rr, aa]] = np.maximum(act_sinr[rr, aa], 0.0)
    return mrc, mmse
