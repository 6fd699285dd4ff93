r"""numba kernels of the NLP form (:mod:`matoolbox.comp_rsma.nlp`).

One call evaluates, at the full vector z = [Re vec P, Im vec P, c, vec(r / wavelength)] (the
entries SDMA / FPA fix are zero there), the objective f = -sum_k c_k - sum_k R_{p,k} (SDMA without
the c term), the constraint rows g >= 0 (per-BS power N, QoS K, RSMA common epigraphs K) and, with
``want_jac``, the gradient of f and the Jacobian of g in the same layout, instead of the ~60 small
NumPy calls of ``rate_jacobians`` and the Jacobian assembly per SLSQP iteration. The algebra is
the module docstring of :mod:`matoolbox.comp_rsma.rates` (with the guard I^p >= 1) and Analytic
gradients (coherent model, :func:`nlp_coherent_kernel`): channel rows h_k^H(r_k) = sum_q e^{-j kappa w_{k,q}.r_k} Ch[k, q], a = h^H P,
C from :func:`~matoolbox.comp_rsma.rates.rate_coefficients` with unit weights on one rate,
d R / d P = 2 C a conj(h), d R / d r_k = sum_s C 2 Re(conj(a) da/dr_k). The gains come from the
channel rows (a = h^H P) rather than from the per-BS coefficients, and the sums run in another order
than NumPy's: the numbers agree with the NumPy path to rounding (the tests allow 1e-10 relative),
not bit for bit. The "noncoherent" and "paper" models (:func:`nlp_model_kernel`) take the per-BS
gains A_n[k, s] = sum_q e^{-j kappa w.r_k} (SG_{n,k} P_n)[q, s] and call
:func:`~matoolbox.comp_rsma._model_kernel.model_grads_kernel` with the weight rows [e_k, 0] and
[0, e_k] (every rate's gradient; under "paper" R_k depends on every r_j).
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

from ._model_kernel import model_grads_kernel

_INV_LN2 = 1.0 / math.log(2.0)


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
