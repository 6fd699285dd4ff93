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

The NLP form (:mod:`matoolbox.comp_rsma.nlp`), below: one call evaluates, at the full vector
z = [Re vec P, Im vec P, c, vec(r / wavelength)] (the entries SDMA / FPA fix are zero there), the
objective f = -sum_k c_k - sum_k R_{p,k} (SDMA without the c term), the constraint rows g >= 0
(per-BS power N, QoS K, RSMA common epigraphs K) and, with ``want_jac``, the gradient of f and the
Jacobian of g in the same layout, instead of the ~60 small NumPy calls of ``rate_jacobians_full``
and the Jacobian assembly per SLSQP evaluation. Coherent model (:func:`nlp_coherent_kernel`): the
module docstring of :mod:`matoolbox.comp_rsma.rates` with the guard I^p >= 1, channel rows
h_k^H(r_k) = sum_q e^{-j kappa w_{k,q}.r_k} Ch[k, q], a = h^H P, C from
:func:`~matoolbox.comp_rsma.rates.rate_coefficients` with unit weight on one rate,
d R / d P = 2 C a conj(h), d R / d r_k = sum_s C 2 Re(conj(a) da/dr_k); the gains come from the
channel rows rather than from the per-BS coefficients. "noncoherent" and "paper"
(:func:`nlp_model_kernel`): the per-BS gains A_n[k, s] = sum_q e^{-j kappa w.r_k} (SG_{n,k}
P_n)[q, s] and :func:`model_grads_kernel` with the weight rows [e_k, 0] and [0, e_k] (every
rate's gradient; under "paper" R_k depends on every r_j; these models' rates have no I^p guard,
as in NumPy). The numbers agree with the NumPy path to rounding (the tests allow 1e-10 relative).
They live in this file with the model kernel they call: numba's cache follows the source file of
a cached function only, so a kernel in another file would keep a stale compiled copy of it.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

NONCOHERENT, PAPER = 1, 2
_CODES = {"noncoherent": NONCOHERENT, "paper": PAPER}
_LN2 = math.log(2.0)
_INV_LN2 = 1.0 / _LN2


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


# ----------------------------------------------------------------------------- the NLP form
@nb.njit(cache=True)
def _unpack_P(full, NI, S):
    nP = NI * S
    Pst = np.empty((NI, S), np.complex128)
    for m in range(NI):
        for s in range(S):
            Pst[m, s] = complex(full[m * S + s], full[nP + m * S + s])
    return Pst


@nb.njit(cache=True)
def _channel(full, off_r, K, Wr, kappa, Ch, wavelength, want_grad):
    """hH (K, NI) = sum_q e^{-j kappa w_{k,q}.r_k} Ch[k, q] and dhH (2, K, NI) (zeros unless
    ``want_grad``), r_k = full[off_r + 2k : off_r + 2k + 2] * wavelength."""
    NQ = Wr.shape[1]
    NI = Ch.shape[2]
    hH = np.zeros((K, NI), np.complex128)
    dhH = np.zeros((2, K, NI), np.complex128)
    for k in range(K):
        rx = full[off_r + 2 * k] * wavelength
        ry = full[off_r + 2 * k + 1] * wavelength
        for q in range(NQ):
            th = -kappa * (Wr[k, q, 0] * rx + Wr[k, q, 1] * ry)
            e = complex(math.cos(th), math.sin(th))
            ex = complex(0.0, -kappa * Wr[k, q, 0]) * e
            ey = complex(0.0, -kappa * Wr[k, q, 1]) * e
            for m in range(NI):
                chv = Ch[k, q, m]
                hH[k, m] += e * chv
                if want_grad:
                    dhH[0, k, m] += ex * chv
                    dhH[1, k, m] += ey * chv
    return hH, dhH


@nb.njit(cache=True)
def _assemble(full, N, I, K, rsma, Pst, Rc, Rp, JcP, JpP, Jcr, Jpr, wavelength, pmax, rth, want_jac):
    """(f, grad, g, J) from the rates and the per-user Jacobians JcP/JpP (K, NI, S) complex (row k:
    d R_{c,k} / d P, d R_{p,k} / d P as dRe + 1j dIm) and Jcr/Jpr (K, K, 2) ([k, j] = d R_k / d r_j)."""
    S = K + 1
    NI = N * I
    nP = NI * S
    n = full.shape[0]
    off_c = 2 * nP
    off_r = 2 * nP + K
    M = N + K + (K if rsma else 0)
    g = np.empty(M)
    csum = 0.0
    if rsma:
        for k in range(K):
            csum += full[off_c + k]
    f = -csum
    for k in range(K):
        f -= Rp[k]
    for b in range(N):
        pw = 0.0
        for m in range(b * I, (b + 1) * I):
            for s in range(S):
                pw += Pst[m, s].real ** 2 + Pst[m, s].imag ** 2
        g[b] = pmax[b] - pw
    for k in range(K):
        g[N + k] = (full[off_c + k] if rsma else 0.0) + Rp[k] - rth
        if rsma:
            g[N + K + k] = Rc[k] - csum
    grad = np.zeros(n)
    J = np.zeros((M, n))
    if not want_jac:
        return f, grad, g, J
    for b in range(N):                                   # power rows
        for m in range(b * I, (b + 1) * I):
            for s in range(S):
                J[b, m * S + s] = -2.0 * Pst[m, s].real
                J[b, nP + m * S + s] = -2.0 * Pst[m, s].imag
    for k in range(K):
        rq = N + k                                       # QoS row of user k
        re = N + K + k                                   # its common epigraph row (RSMA)
        for m in range(NI):
            for s in range(S):
                col = m * S + s
                jp = JpP[k, m, s]
                J[rq, col] = jp.real
                J[rq, nP + col] = jp.imag
                grad[col] -= jp.real
                grad[nP + col] -= jp.imag
                if rsma:
                    J[re, col] = JcP[k, m, s].real
                    J[re, nP + col] = JcP[k, m, s].imag
        for j in range(K):
            for d in range(2):
                J[rq, off_r + 2 * j + d] = Jpr[k, j, d] * wavelength
                grad[off_r + 2 * j + d] -= Jpr[k, j, d] * wavelength
                if rsma:
                    J[re, off_r + 2 * j + d] = Jcr[k, j, d] * wavelength
        if rsma:
            J[rq, off_c + k] = 1.0
            for j in range(K):
                J[re, off_c + j] = -1.0
            grad[off_c + k] = -1.0
    return f, grad, g, J


@nb.njit(cache=True)
def nlp_coherent_kernel(full, N, I, K, rsma, Wr, kappa, Ch, wavelength, pmax, rth, want_jac):
    """Returns (f, grad (n,), g (M,), J (M, n), Rc (K,), Rp (K,)) with n = len(full),
    M = N + K (+ K if rsma); grad and J are zeros unless ``want_jac``. Wr (K, NQ, 2), Ch
    (K, NQ, NI) complex, pmax (N,)."""
    S = K + 1
    NI = N * I
    nP = NI * S
    Pst = _unpack_P(full, NI, S)
    hH, dhH = _channel(full, 2 * nP + K, K, Wr, kappa, Ch, wavelength, want_jac)
    A = np.zeros((K, S), np.complex128)
    Rc = np.empty(K)
    Rp = np.empty(K)
    Ic = np.empty(K)
    Ip = np.empty(K)
    T = np.empty(K)
    for k in range(K):
        for s in range(S):
            acc = 0j
            for m in range(NI):
                acc += hH[k, m] * Pst[m, s]
            A[k, s] = acc
        tot = 0.0
        for s in range(1, S):
            tot += A[k, s].real ** 2 + A[k, s].imag ** 2
        Ic[k] = tot + 1.0
        own = A[k, k + 1].real ** 2 + A[k, k + 1].imag ** 2
        Ip[k] = max(Ic[k] - own, 1.0)
        T[k] = Ic[k] + A[k, 0].real ** 2 + A[k, 0].imag ** 2
        Rc[k] = math.log2(T[k] / Ic[k])
        Rp[k] = math.log2(Ic[k] / Ip[k])
    JcP = np.zeros((K, NI, S), np.complex128)
    JpP = np.zeros((K, NI, S), np.complex128)
    Jcr = np.zeros((K, K, 2))
    Jpr = np.zeros((K, K, 2))
    if want_jac:
        Cc = np.empty(S)
        Cp = np.empty(S)
        for k in range(K):
            iT = 1.0 / T[k]
            iIc = 1.0 / Ic[k]
            Cc[0] = iT * _INV_LN2                        # R_{c,k}: unit weight on the common rate
            Cp[0] = 0.0                                  # R_{p,k}: unit weight on the private rate
            for s in range(1, S):
                Cc[s] = (iT - iIc) * _INV_LN2
                Cp[s] = (iIc - 1.0 / Ip[k]) * _INV_LN2
            Cp[k + 1] = iIc * _INV_LN2
            for s in range(S):
                a = A[k, s]
                da0 = 0j
                da1 = 0j
                for m in range(NI):
                    da0 += dhH[0, k, m] * Pst[m, s]
                    da1 += dhH[1, k, m] * Pst[m, s]
                d0 = 2.0 * (a.real * da0.real + a.imag * da0.imag)
                d1 = 2.0 * (a.real * da1.real + a.imag * da1.imag)
                Jcr[k, k, 0] += Cc[s] * d0
                Jcr[k, k, 1] += Cc[s] * d1
                Jpr[k, k, 0] += Cp[s] * d0
                Jpr[k, k, 1] += Cp[s] * d1
                for m in range(NI):
                    h = hH[k, m].conjugate()
                    JpP[k, m, s] = 2.0 * Cp[s] * a * h
                    JcP[k, m, s] = 2.0 * Cc[s] * a * h
    f, grad, g, J = _assemble(full, N, I, K, rsma, Pst, Rc, Rp, JcP, JpP, Jcr, Jpr, wavelength, pmax, rth,
                              want_jac)
    return f, grad, g, J, Rc, Rp


@nb.njit(cache=True)
def nlp_model_kernel(full, N, I, K, rsma, Wr, kappa, Ch, SG, wavelength, pmax, rth, model, want_jac):
    """:func:`nlp_coherent_kernel` under the "noncoherent" (model 1) or "paper" (2) model; SG
    (N, K, Q, I) complex, the per-BS coefficients of the channel (Ch holds them block-diagonally)."""
    S = K + 1
    NI = N * I
    nP = NI * S
    Q = SG.shape[2]
    Pst = _unpack_P(full, NI, S)
    off_r = 2 * nP + K
    hH = _channel(full, off_r, K, Wr, kappa, Ch, wavelength, False)[0]
    Ab = np.zeros((N, K, S), np.complex128)
    dAb = np.zeros((N, K, S, 2), np.complex128)
    Bq = np.empty(S, np.complex128)
    for k in range(K):
        rx = full[off_r + 2 * k] * wavelength
        ry = full[off_r + 2 * k + 1] * wavelength
        for b in range(N):
            for q in range(Q):
                w = Wr[k, b * Q + q]
                th = -kappa * (w[0] * rx + w[1] * ry)
                e = complex(math.cos(th), math.sin(th))
                for s in range(S):                       # (SG_{b,k} P_b)[q, s]
                    acc = 0j
                    for i in range(I):
                        acc += SG[b, k, q, i] * Pst[b * I + i, s]
                    Bq[s] = acc
                for s in range(S):
                    Ab[b, k, s] += e * Bq[s]
                    if want_jac:
                        dAb[b, k, s, 0] += complex(0.0, -kappa * w[0]) * e * Bq[s]
                        dAb[b, k, s, 1] += complex(0.0, -kappa * w[1]) * e * Bq[s]
    h = np.empty((K, N, I), np.complex128)
    for k in range(K):
        for b in range(N):
            for i in range(I):
                h[k, b, i] = hH[k, b * I + i].conjugate()
    nw = 2 * K if want_jac else 0
    wc = np.zeros((nw, K))
    wp = np.zeros((nw, K))
    for k in range(nw // 2):
        wc[k, k] = 1.0
        wp[K + k, k] = 1.0
    Rc, Rp, _, gP, gr = model_grads_kernel(Ab, dAb, h, wc, wp, model, want_jac, want_jac)
    JcP = np.zeros((K, NI, S), np.complex128)
    JpP = np.zeros((K, NI, S), np.complex128)
    Jcr = np.zeros((K, K, 2))
    Jpr = np.zeros((K, K, 2))
    if want_jac:
        for k in range(K):
            for b in range(N):
                for i in range(I):
                    for s in range(S):
                        JcP[k, b * I + i, s] = gP[k, b, i, s]
                        JpP[k, b * I + i, s] = gP[K + k, b, i, s]
            for j in range(K):
                for d in range(2):
                    Jcr[k, j, d] = gr[k, j, d]
                    Jpr[k, j, d] = gr[K + k, j, d]
    f, grad, g, J = _assemble(full, N, I, K, rsma, Pst, Rc, Rp, JcP, JpP, Jcr, Jpr, wavelength, pmax, rth,
                              want_jac)
    return f, grad, g, J, Rc, Rp
