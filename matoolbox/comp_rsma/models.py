r"""Interference models of the CoMP-RSMA family (docs/theory/comp_rsma.rst: Interference models).

With per-BS gains A_n[k, s] = h_{n,k}^H p_{s,n} (noise-normalised; s = 0 common, s = j private of
user j) and coherent gains a_{k,s} = sum_n A_n[k, s], every model writes user k's rates as

    R_{c,k} = log2(1 + X^c_k / Y^c_k),    R_{p,k} = log2(1 + X^p_k / Y^p_k)

with, per ``interference``:

* ``"coherent"`` (default; synchronised joint transmission):
  X^c = |a_{k,0}|^2, Y^c = sum_{j>=1} |a_{k,j}|^2 + 1, X^p = |a_{k,k}|^2, Y^p = Y^c - X^p.
* ``"noncoherent"`` (BSs not phase-synchronised; every received term a per-BS power sum):
  X^c = sum_n |A_n[k,0]|^2, Y^c = sum_n sum_{j>=1} |A_n[k,j]|^2 + 1, X^p = sum_n |A_n[k,k]|^2,
  Y^p = Y^c - X^p.
* ``"paper"`` (the paper's printed (8) and (10), literally): coherent numerators
  X^c = |a_{k,0}|^2, X^p = |a_{k,k}|^2; denominators built from each user's own stream at its own
  channel, d_j = sum_n |A_n[j,j]|^2:  Y^c = sum_j d_j + 1 (the same for every k) and
  Y^p = sum_{j != k} d_j + 1. Under this model user k's rates depend on every user's position.

Any weighted sum F = sum_k (wc_k R_{c,k} + wp_k R_{p,k}) is a function of the powers |a_{k,s}|^2
and |A_n[k,s]|^2; :func:`model_coefficients` returns Ccoh[k, s] = dF/d|a_{k,s}|^2 and
Cbs[n, k, s] = dF/d|A_n[k,s]|^2, from which::

    grad_P[n, :, s] = 2 sum_k h_{n,k} (Ccoh[k,s] a_{k,s} + Cbs[n,k,s] A_n[k,s]),
    grad_r[k] = sum_s Ccoh[k,s] 2 Re(conj(a_{k,s}) da_{k,s}/dr_k)
              + sum_{n,s} Cbs[n,k,s] 2 Re(conj(A_n[k,s]) dA_n[k,s]/dr_k).
"""
from __future__ import annotations

import math

import numpy as np

from ..channels import field_response as fr
from ._model_kernel import model_grads, model_rates
from .rates import RateGrad, _numba_call, rate_coefficients, rates_from_gains, rates_of_rows

__all__ = ["INTERFERENCE_MODELS", "model_terms", "rates_from_bs_gains", "model_coefficients",
           "CompRsmaModelMixin"]

INTERFERENCE_MODELS = ("coherent", "noncoherent", "paper")
_LN2 = math.log(2.0)


def _diag(X):
    """X[..., k, k+1] of an (..., K, K+1) array: (..., K)."""
    K = X.shape[-2]
    idx = np.arange(K)
    return X[..., idx, idx + 1]


def model_terms(Ab, model: str):
    """(X^c, Y^c, X^p, Y^p), each (..., K), from per-BS gains Ab (..., N, K, K+1) under ``model``."""
    Ab = np.asarray(Ab)
    if model == "noncoherent":
        S = np.sum(Ab.real ** 2 + Ab.imag ** 2, axis=-3)          # (..., K, K+1)
    else:
        A = Ab.sum(axis=-3)
        S = A.real ** 2 + A.imag ** 2
    Xc, Xp = S[..., 0], _diag(S)
    if model == "paper":
        d = np.sum(np.abs(_diag(Ab)) ** 2, axis=-2)              # (..., K): sum_n |A_n[j, j]|^2
        D = d.sum(axis=-1, keepdims=True) + 1.0
        return Xc, np.broadcast_to(D, Xc.shape), Xp, D - d
    if model not in ("coherent", "noncoherent"):
        raise ValueError(f"interference = {model!r}: must be one of {INTERFERENCE_MODELS}")
    Yc = S[..., 1:].sum(axis=-1) + 1.0
    return Xc, Yc, Xp, Yc - Xp


def rates_from_bs_gains(Ab, model: str):
    """(Rc, Rp), each (..., K), from per-BS gains Ab (..., N, K, K+1) under ``model``."""
    Ab = np.asarray(Ab)
    if model == "coherent":
        return rates_from_gains(Ab.sum(axis=-3))
    Xc, Yc, Xp, Yp = model_terms(Ab, model)
    return np.log2((Yc + Xc) / Yc), np.log2((Yp + Xp) / Yp)


def model_coefficients(Ab, wc, wp, model: str):
    """Ccoh (..., K, K+1) = dF/d|a_{k,s}|^2 and Cbs (..., N, K, K+1) = dF/d|A_n[k,s]|^2 for
    F = sum_k (wc_k R_{c,k} + wp_k R_{p,k}); ``wc``, ``wp`` (..., K) may carry leading batch axes
    (e.g. (K, K) for one weight vector per output row) broadcast against Ab (N, K, K+1)."""
    Ab = np.asarray(Ab)
    wc = np.asarray(wc, float)
    wp = np.asarray(wp, float)
    lead = np.broadcast_shapes(wc.shape[:-1], wp.shape[:-1], Ab.shape[:-3])
    N, K, S = Ab.shape[-3:]
    if model == "coherent":
        A = Ab.sum(axis=-3)
        Ccoh = rate_coefficients(np.broadcast_to(A, lead + (K, S)), wc, wp)
        return Ccoh, np.zeros(lead + (N, K, S))
    if model == "noncoherent":
        # same algebra as the coherent model on the power sums S[k, s] = sum_n |A_n[k, s]|^2
        Sq = np.sqrt(np.sum(np.abs(Ab) ** 2, axis=-3))           # a surrogate gain with |.|^2 = S
        C = rate_coefficients(np.broadcast_to(Sq, lead + (K, S)), wc, wp)
        return np.zeros(lead + (K, S)), np.broadcast_to(C[..., None, :, :], lead + (N, K, S)).copy()
    if model != "paper":
        raise ValueError(f"interference = {model!r}: must be one of {INTERFERENCE_MODELS}")
    Xc, Yc, Xp, Yp = model_terms(Ab, model)
    cXc = wc / ((Yc + Xc) * _LN2)
    cYc = wc * (1.0 / (Yc + Xc) - 1.0 / Yc) / _LN2
    cXp = wp / ((Yp + Xp) * _LN2)
    cYp = wp * (1.0 / (Yp + Xp) - 1.0 / Yp) / _LN2
    idx = np.arange(K)
    Ccoh = np.zeros(lead + (K, S))
    Ccoh[..., 0] = cXc
    Ccoh[..., idx, idx + 1] = cXp
    Cbs = np.zeros(lead + (N, K, S))
    dj = np.sum(cYc + cYp, axis=-1, keepdims=True) - cYp        # (..., K): coefficient of d_j
    Cbs[..., idx, idx + 1] = dj[..., None, :]
    return Ccoh, Cbs


class CompRsmaModelMixin:
    """Model-dependent rates and gradients of :class:`CompRsmaProblem` (field ``interference``)."""

    @property
    def coherent(self) -> bool:
        """True under the default coherent joint-transmission model."""
        return self.interference == "coherent"

    def bs_gains(self, P, positions, grad: bool = False):
        """Per-BS stream gains A_n[k, s] = h_{n,k}^H p_{s,n}: (N, K, K+1), a batch (B, K, 2) of
        positions gives (B, N, K, K+1); with ``grad`` (one point) also dA_n[k, s]/dr_k (N, K, K+1, 2)."""
        c = self._c
        N, K, Q = c["N"], c["K"], c["Q"]
        pos = np.asarray(positions, float)
        if pos.ndim not in (2, 3) or (grad and pos.ndim != 2) or not np.all(np.isfinite(pos)):
            return self._bs_gains_numpy(P, pos, grad)     # deeper batches, non-finite positions
        # one steering sum per (user, BS) pair: the numba kernels of channels.field_response on
        # rows p = k N + n, each at position r_k (batches on one numba thread below 4096 entries)
        B = self._coeffs(P).reshape(K * N, Q, K + 1)
        W = c["Wr"].reshape(K * N, Q, 2)
        pk = np.repeat(pos, N, axis=-2)                                            # (..., K N, 2)
        if not grad:
            if pos.ndim == 3:
                Ab = _numba_call(fr.steer_sum, W, B, pk, self.wavelength, sign=-1)
            else:
                Ab = fr.steer_sum(W, B, pk, self.wavelength, sign=-1)             # (K N, K+1)
            return np.swapaxes(Ab.reshape(pos.shape[:-2] + (K, N, K + 1)), -2, -3)
        Ab, dAb = fr.steer_sum_grad(W, B, pk, self.wavelength, sign=-1)          # (K N, S), (K N, S, 2)
        return (Ab.reshape(K, N, K + 1).swapaxes(0, 1),
                dAb.reshape(K, N, K + 1, 2).swapaxes(0, 1))

    def _bs_gains_numpy(self, P, pos, grad):
        """:meth:`bs_gains` by NumPy einsums (any leading batch axes; NaN propagates)."""
        c = self._c
        N, K, Q = c["N"], c["K"], c["Q"]
        B = self._coeffs(P).reshape(K, N, Q, K + 1)
        W = c["Wr"].reshape(K, N, Q, 2)
        E = np.exp(-1j * c["kappa"] * np.einsum("knqd,...kd->...knq", W, pos))   # (..., K, N, Q)
        Ab = np.moveaxis(np.einsum("...knq,knqs->...kns", E, B), -2, -3)
        if not grad:
            return Ab
        dE = (-1j * c["kappa"]) * E[..., None] * W                                # (K, N, Q, 2)
        return Ab, np.einsum("knqd,knqs->nksd", dE, B)

    def rates_at(self, P, positions):
        """(Rc, Rp) (K,) at precoders P and positions (K, 2) (a batch (B, K, 2) gives (B, K))
        under the problem's interference model."""
        if self.coherent:
            pos = np.asarray(positions, float)
            if pos.ndim == 3 and pos.shape[0] >= 8:
                vary = np.nonzero(np.any(pos != pos[:1], axis=(0, 2)))[0]
                if vary.size < self.K:
                    # users whose position is the same across the batch (a per-user grid search
                    # moves one) have the same rates: computed once, the others per batch entry
                    Rc0, Rp0 = rates_from_gains(self.gains(P, pos[0]))
                    Rc = np.repeat(Rc0[None], pos.shape[0], axis=0)
                    Rp = np.repeat(Rp0[None], pos.shape[0], axis=0)
                    if vary.size:
                        Ak = self._steer_rows(self._coeffs(P), pos, vary)
                        Rc[:, vary], Rp[:, vary] = rates_of_rows(Ak, vary)
                    return Rc, Rp
            return rates_from_gains(self.gains(P, positions))
        if np.ndim(positions) == 2:
            return model_rates(self.bs_gains(P, positions), self.interference)
        return rates_from_bs_gains(self.bs_gains(P, positions), self.interference)

    def _steer_rows(self, C, pos, rows):
        """The steering sums of users ``rows`` only (numba, one thread below 4096 entries): C
        (K, NQ, M), a batch of positions (B, K, 2) -> (B, len(rows), M)."""
        return _numba_call(fr.steer_sum, np.ascontiguousarray(self._c["Wr"][rows]), np.ascontiguousarray(C[rows]),
                           np.ascontiguousarray(pos[:, rows]), self.wavelength, sign=-1)

    def score_rows(self, block, x, cands):
        """(objective, violation) (K, G) of moving user k alone to cands[k, g] (cands (K, G, 2)),
        the others at x (coherent model; else None). User k's rates depend on r_k only, so every
        user's candidates come from one batched steering call (a grid-search sweep's first pass)."""
        if block != "positions" or not self.coherent:
            return None
        P, c, r = self._unpack(x)
        K, G = cands.shape[:2]
        Ak = self._steer(self._coeffs(P), np.ascontiguousarray(np.swapaxes(cands, 0, 1)))  # (G, K, K+1)
        Rck, Rpk = rates_of_rows(Ak, np.arange(K))                                      # (G, K)
        Rc0, Rp0 = rates_from_gains(self.gains(P, r))
        idx = np.arange(K)
        Rc = np.repeat(np.repeat(Rc0[None, None], K, axis=0), G, axis=1)                  # (K, G, K)
        Rp = np.repeat(np.repeat(Rp0[None, None], K, axis=0), G, axis=1)
        Rc[idx, :, idx], Rp[idx, :, idx] = Rck.T, Rpk.T
        vals = np.repeat(np.repeat(np.asarray(r, float)[None, None], K, axis=0), G, axis=1)   # (K, G, K, 2)
        vals[idx, :, idx] = cands
        return self._scores(P, c, vals, Rc, Rp)

    def _model_grads(self, P, positions, wc, wp, want_P=True, want_r=True, kernel=True):
        """Rates and (grad_P, grad_r) for weights wc, wp (..., K) under any model; grad_P
        (..., N, I, K+1), grad_r (..., K, 2) = dF/dr_k (all users' rates included); a gradient
        not wanted is None (and not computed). The non-coherent models with at most one batch
        axis run one numba kernel (:mod:`matoolbox.comp_rsma._model_kernel`; ``kernel=False``:
        the NumPy expressions below, which the tests compare it with)."""
        P = np.asarray(P, complex)
        r = np.asarray(positions, float)
        N, I, K = self.N, self.I, self.K
        if kernel and np.ndim(wc) <= 2 and np.ndim(wp) <= 2 and self.interference in ("noncoherent", "paper"):
            Ab, dAb = self.bs_gains(P, r, grad=True) if want_r else (self.bs_gains(P, r), None)
            h = self.channel_rows(r).reshape(K, N, I).conj() if want_P else np.zeros((K, N, I), complex)
            return model_grads(Ab, dAb, h, wc, wp, self.interference, want_P, want_r)
        if want_r:
            Ab, dAb = self.bs_gains(P, r, grad=True)
            dA = dAb.sum(axis=0)
        else:
            Ab = self.bs_gains(P, r)
        A = Ab.sum(axis=0)
        Rc, Rp = rates_from_bs_gains(Ab, self.interference)
        Ccoh, Cbs = model_coefficients(Ab, wc, wp, self.interference)
        gP = gr = None
        if want_P:
            h = self.channel_rows(r).reshape(K, N, I).conj()                      # h_{n,k}
            M = Ccoh[..., None, :, :] * A + Cbs * Ab                              # (..., N, K, S)
            gP = 2.0 * np.einsum("kni,...nks->...nis", h, M)
        if want_r:
            dS = 2.0 * np.real(A.conj()[..., None] * dA)                          # (K, S, 2)
            dSb = 2.0 * np.real(Ab.conj()[..., None] * dAb)                       # (N, K, S, 2)
            gr = np.einsum("...ks,ksd->...kd", Ccoh, dS) + np.einsum("...nks,nksd->...kd", Cbs, dSb)
        return Rc, Rp, A, gP, gr

    def _model_weighted_rates(self, P, positions, wc, wp, want_P=True, want_r=True) -> RateGrad:
        """:meth:`weighted_rates` under the non-default models (``want_*``: see :meth:`_model_grads`)."""
        K = self.K
        wc = np.asarray(wc, float)
        wp = np.asarray(wp, float)
        wc = wc if wc.shape == (K,) else np.broadcast_to(wc, (K,))
        wp = wp if wp.shape == (K,) else np.broadcast_to(wp, (K,))
        Rc, Rp, A, gP, gr = self._model_grads(P, positions, wc, wp, want_P=want_P, want_r=want_r)
        return RateGrad(float(wc @ Rc + wp @ Rp), gP, gr, Rc, Rp, A)

    def rate_jacobians(self, P, positions):
        """Per-user Jacobians for the NLP: (Rc, Rp, JcP, JpP, Jcr, Jpr) with JcP/JpP (K, N, I, K+1)
        complex (row k = grad of R_{c,k} / R_{p,k}) and Jcr/Jpr (K, 2) (d/dr_k of user k's rate; under
        ``interference="paper"`` the rates also depend on r_j, j != k: :meth:`rate_jacobians_full`)."""
        if not self.coherent:
            Rc, Rp, JcP, JpP, Jcr, Jpr = self.rate_jacobians_full(P, positions)
            d = np.arange(self.K)
            return Rc, Rp, JcP, JpP, Jcr[d, d], Jpr[d, d]
        P = np.asarray(P, complex)
        A, dA = self.gains(P, positions, grad=True)
        Rc, Rp = rates_from_gains(A)
        K = self.K
        ones, zeros = np.ones(K), np.zeros(K)
        hH = self.channel_rows(positions)
        h = hH.conj()                                                       # (K, NI)
        dS = 2.0 * np.real(A.conj()[..., None] * dA)                         # (K, K+1, 2)
        out = []
        for wc, wp in ((ones, zeros), (zeros, ones)):
            C = rate_coefficients(A, wc, wp)                                 # row k: user k's rate
            J = 2.0 * (C * A)[:, None, :] * h[:, :, None]                    # (K, NI, K+1)
            out.append((J.reshape(K, self.N, self.I, K + 1), np.einsum("ks,ksd->kd", C, dS)))
        (JcP, Jcr), (JpP, Jpr) = out
        return Rc, Rp, JcP, JpP, Jcr, Jpr

    def rate_jacobians_full(self, P, positions):
        """(Rc, Rp, JcP, JpP, Jcr, Jpr): JcP/JpP (K, N, I, K+1) complex (row k = grad of R_{c,k} /
        R_{p,k}), Jcr/Jpr (K, K, 2) with [k, j] = d R_{.,k} / d r_j (diagonal except under "paper")."""
        K = self.K
        if self.coherent:
            Rc, Rp, JcP, JpP, jc, jp = self.rate_jacobians(P, positions)
            Jcr, Jpr = np.zeros((K, K, 2)), np.zeros((K, K, 2))
            Jcr[np.arange(K), np.arange(K)] = jc
            Jpr[np.arange(K), np.arange(K)] = jp
            return Rc, Rp, JcP, JpP, Jcr, Jpr
        # one kernel call for both: weight rows [e_k, 0] (user k's common rate) and [0, e_k]
        eye, zero = np.eye(K), np.zeros((K, K))
        Rc, Rp, _, JP, Jr = self._model_grads(P, positions, np.vstack([eye, zero]), np.vstack([zero, eye]))
        return Rc, Rp, JP[:K], JP[K:], Jr[:K], Jr[K:]
