r"""numba kernel of ``CompRsmaModelMixin._model_grads`` under the "noncoherent" and "paper" models.

The same algebra as :func:`matoolbox.comp_rsma.models.model_coefficients` and the gradient
contractions of ``_model_grads`` (docs/theory/comp_rsma.rst: Interference models), in one
compiled call instead of ~40 small NumPy calls: for a batch of B weight vectors (wc_b, wp_b) of
F_b = sum_k (wc_b[k] R_{c,k} + wp_b[k] R_{p,k}),

    grad_P[b, n, :, s] = 2 sum_k h_{n,k} (Ccoh[b,k,s] a_{k,s} + Cbs[b,n,k,s] A_n[k,s]),
    grad_r[b, k]       = sum_s Ccoh[b,k,s] 2 Re(conj(a_{k,s}) da_{k,s}/dr_k)
                       + sum_{n,s} Cbs[b,n,k,s] 2 Re(conj(A_n[k,s]) dA_n[k,s]/dr_k).

The sums run in another order than NumPy's einsum: results agree to
rounding (1e-12 in the tests), not bit for bit.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

NONCOHERENT, PAPER = 1, 2
_CODES = {"noncoherent": NONCOHERENT, "paper": PAPER}
_LN2 = math.log(2.0)


@nb.njit(cache=True)
def model_grads_kernel(Ab, dAb, h, wc, wp, model, want_P, want_r):
    """Rates and gradients from per-BS gains.

    Ab (N, K, S) complex, A_n[k, s]; dAb (N, K, S, 2) complex, dA_n[k, s]/dr_k (read only with
    ``want_r``); h (K, N, I) complex, the conjugated channel rows h_{n,k}; wc, wp (B, K) weights;
    model 1 (noncoherent) or 2 (paper). Returns Rc (K,), Rp (K,), A (K, S) = sum_n Ab,
    gP (B, N, I, S) complex (zeros unless ``want_P``) and gr (B, K, 2) (zeros unless ``want_r``).
    """
    N, K, S = Ab.shape
    I = h.shape[2]
    B = wc.shape[0]
    A = np.zeros((K, S), np.complex128)
    for n in range(N):
        for k in range(K):
            for s in range(S):
                A[k, s] += Ab[n, k, s]
    Xc = np.empty(K)
    Yc = np.empty(K)
    Xp = np.empty(K)
    Yp = np.empty(K)
    Sm = np.zeros((K, S))                      # noncoherent: sum_n |A_n[k, s]|^2
    d = np.zeros(K)                            # paper: d_j = sum_n |A_n[j, j]|^2
    if model == NONCOHERENT:
        for k in range(K):
            for s in range(S):
                acc = 0.0
                for n in range(N):
                    v = Ab[n, k, s]
                    acc += v.real * v.real + v.imag * v.imag
                Sm[k, s] = acc
            tot = 0.0
            for s in range(1, S):
                tot += Sm[k, s]
            Xc[k] = Sm[k, 0]
            Yc[k] = tot + 1.0
            Xp[k] = Sm[k, k + 1]
            Yp[k] = Yc[k] - Xp[k]
    else:
        D = 1.0
        for j in range(K):
            acc = 0.0
            for n in range(N):
                v = Ab[n, j, j + 1]
                acc += v.real * v.real + v.imag * v.imag
            d[j] = acc
            D += acc
        for k in range(K):
            Xc[k] = A[k, 0].real ** 2 + A[k, 0].imag ** 2
            Xp[k] = A[k, k + 1].real ** 2 + A[k, k + 1].imag ** 2
            Yc[k] = D
            Yp[k] = D - d[k]
    Rc = np.empty(K)
    Rp = np.empty(K)
    for k in range(K):
        Rc[k] = math.log2((Yc[k] + Xc[k]) / Yc[k])
        Rp[k] = math.log2((Yp[k] + Xp[k]) / Yp[k])
    gP = np.zeros((B, N, I, S), np.complex128)
    gr = np.zeros((B, K, 2))
    if not (want_P or want_r):
        return Rc, Rp, A, gP, gr
    Ccoh = np.zeros((K, S))
    Cbs = np.zeros((N, K, S))
    for b in range(B):
        # coefficients dF_b/d|a_{k,s}|^2 (Ccoh) and dF_b/d|A_n[k,s]|^2 (Cbs)
        Ccoh[:] = 0.0
        Cbs[:] = 0.0
        if model == NONCOHERENT:
            # the coherent rate coefficients on the power sums (models.model_coefficients)
            for k in range(K):
                Ic = 0.0
                for s in range(1, S):
                    Ic += math.sqrt(Sm[k, s]) ** 2
                Ic += 1.0
                own = math.sqrt(Sm[k, k + 1]) ** 2
                Ip = max(Ic - own, 1.0)
                T = Ic + math.sqrt(Sm[k, 0]) ** 2
                base = wc[b, k] * (1.0 / T - 1.0 / Ic)
                c0 = wc[b, k] / T / _LN2
                cs = (base + wp[b, k] * (1.0 / Ic - 1.0 / Ip)) / _LN2
                ck = (base + wp[b, k] / Ic) / _LN2
                for n in range(N):
                    Cbs[n, k, 0] = c0
                    for s in range(1, S):
                        Cbs[n, k, s] = cs
                    Cbs[n, k, k + 1] = ck
        else:
            tot = 0.0
            cYp = np.empty(K)
            for k in range(K):
                cYc = wc[b, k] * (1.0 / (Yc[k] + Xc[k]) - 1.0 / Yc[k]) / _LN2
                cYp[k] = wp[b, k] * (1.0 / (Yp[k] + Xp[k]) - 1.0 / Yp[k]) / _LN2
                tot += cYc + cYp[k]
                Ccoh[k, 0] = wc[b, k] / ((Yc[k] + Xc[k]) * _LN2)
                Ccoh[k, k + 1] = wp[b, k] / ((Yp[k] + Xp[k]) * _LN2)
            for j in range(K):
                for n in range(N):
                    Cbs[n, j, j + 1] = tot - cYp[j]
        if want_P:
            for n in range(N):
                for k in range(K):
                    for s in range(S):
                        m = Ccoh[k, s] * A[k, s] + Cbs[n, k, s] * Ab[n, k, s]
                        if m == 0:
                            continue
                        for i in range(I):
                            gP[b, n, i, s] += 2.0 * h[k, n, i] * m
        if want_r:
            for k in range(K):
                for s in range(S):
                    for dd in range(2):
                        da = 0j
                        for n in range(N):
                            da += dAb[n, k, s, dd]
                        g = Ccoh[k, s] * 2.0 * (A[k, s].conjugate() * da).real
                        for n in range(N):
                            g += Cbs[n, k, s] * 2.0 * (Ab[n, k, s].conjugate() * dAb[n, k, s, dd]).real
                        gr[b, k, dd] += g
    return Rc, Rp, A, gP, gr


def _code(model: str) -> int:
    if model not in _CODES:
        raise ValueError(f"interference = {model!r}: the kernel covers {sorted(_CODES)}")
    return _CODES[model]


def model_grads(Ab, dAb, h, wc, wp, model: str, want_P: bool, want_r: bool):
    """:func:`model_grads_kernel` for ``model`` "noncoherent" or "paper"; wc, wp (K,) or (B, K)
    (the outputs then drop or keep the batch axis B). ``dAb`` may be None without ``want_r``."""
    K = Ab.shape[1]
    wc = np.asarray(wc, float)
    wp = np.asarray(wp, float)
    if wc.shape == wp.shape == (K,):                     # one weight vector (the common call)
        wc2, wp2, one = wc.reshape(1, K), wp.reshape(1, K), True
    else:
        shape = np.broadcast_shapes(wc.shape, wp.shape, (K,))
        if len(shape) > 2:
            raise ValueError(f"weights: shapes {wc.shape} and {wp.shape} must broadcast to (K,) or (B, K), K = {K}")
        wc2 = np.ascontiguousarray(np.broadcast_to(wc, shape).reshape(-1, K))
        wp2 = np.ascontiguousarray(np.broadcast_to(wp, shape).reshape(-1, K))
        one = len(shape) == 1
    if dAb is None:
        dAb = np.zeros((1, 1, 1, 2), np.complex128)
    code = _code(model)
    Rc, Rp, A, gP, gr = model_grads_kernel(np.ascontiguousarray(Ab, np.complex128),
                                           np.ascontiguousarray(dAb, np.complex128),
                                           np.ascontiguousarray(h, np.complex128),
                                           np.ascontiguousarray(wc2), np.ascontiguousarray(wp2), code,
                                           bool(want_P), bool(want_r))
    if one:
        gP, gr = gP[0], gr[0]
    return Rc, Rp, A, (gP if want_P else None), (gr if want_r else None)


def model_rates(Ab, model: str):
    """(Rc, Rp) (K,) from the per-BS gains Ab (N, K, K+1) of one point under ``model``
    ("noncoherent" or "paper"): the kernel without gradients."""
    Ab = np.ascontiguousarray(Ab, np.complex128)
    K = Ab.shape[1]
    w = np.zeros((0, K))
    Rc, Rp = model_grads_kernel(Ab, np.zeros((1, 1, 1, 2), np.complex128), np.zeros((K, Ab.shape[0], 0), np.complex128),
                                w, w, _code(model), False, False)[:2]
    return Rc, Rp
