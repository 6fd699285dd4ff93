r"""numba kernel of the NLP form under the coherent model (:mod:`matoolbox.comp_rsma.nlp`).

One call evaluates, at the full vector z = [Re vec P, Im vec P, c, vec(r / wavelength)] (the
entries SDMA / FPA fix are zero there), the objective f = -sum_k c_k - sum_k R_{p,k} (SDMA without
the c term), the constraint rows g >= 0 (per-BS power N, QoS K, RSMA common epigraphs K) and, with
``want_jac``, the gradient of f and the Jacobian of g in the same layout, instead of the ~60 small
NumPy calls of ``rate_jacobians`` and the Jacobian assembly per SLSQP iteration. The algebra is
the module docstring of :mod:`matoolbox.comp_rsma.rates` (with the guard I^p >= 1) and Analytic
gradients: channel rows h_k^H(r_k) = sum_q e^{-j kappa w_{k,q}.r_k} Ch[k, q], a = h^H P,
C from :func:`~matoolbox.comp_rsma.rates.rate_coefficients` with unit weights on one rate,
d R / d P = 2 C a conj(h), d R / d r_k = sum_s C 2 Re(conj(a) da/dr_k). The gains come from the
channel rows (a = h^H P) rather than from the per-BS coefficients, and the sums run in another order
than NumPy's: the numbers agree with the NumPy path to rounding (the tests allow 1e-10 relative),
not bit for bit.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

_INV_LN2 = 1.0 / math.log(2.0)


@nb.njit(cache=True)
def nlp_coherent_kernel(full, N, I, K, rsma, Wr, kappa, Ch, wavelength, pmax, rth, want_jac):
    """Returns (f, grad (n,), g (M,), J (M, n), Rc (K,), Rp (K,)) with n = len(full),
    M = N + K (+ K if rsma); grad and J are zeros unless ``want_jac``. Wr (K, NQ, 2), Ch
    (K, NQ, NI) complex, pmax (N,)."""
    S = K + 1
    NI = N * I
    nP = NI * S
    NQ = Wr.shape[1]
    n = full.shape[0]
    off_c = 2 * nP
    off_r = 2 * nP + K
    Pst = np.empty((NI, S), np.complex128)
    for m in range(NI):
        for s in range(S):
            Pst[m, s] = complex(full[m * S + s], full[nP + m * S + s])
    # channel rows and their derivatives along x and y
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
                if want_jac:
                    dhH[0, k, m] += ex * chv
                    dhH[1, k, m] += ey * chv
    # gains and rates
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
    # objective and constraint rows
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
        return f, grad, g, J, Rc, Rp
    for b in range(N):                                   # power rows
        for m in range(b * I, (b + 1) * I):
            for s in range(S):
                J[b, m * S + s] = -2.0 * Pst[m, s].real
                J[b, nP + m * S + s] = -2.0 * Pst[m, s].imag
    Cc = np.empty(S)
    Cp = np.empty(S)
    for k in range(K):
        iT = 1.0 / T[k]
        iIc = 1.0 / Ic[k]
        Cc[0] = iT * _INV_LN2                            # R_{c,k}: unit weight on the common rate
        Cp[0] = 0.0                                      # R_{p,k}: unit weight on the private rate
        for s in range(1, S):
            Cc[s] = (iT - iIc) * _INV_LN2
            Cp[s] = (iIc - 1.0 / Ip[k]) * _INV_LN2
        Cp[k + 1] = iIc * _INV_LN2
        rq = N + k                                       # QoS row of user k
        re = N + K + k                                   # its common epigraph row (RSMA)
        jr_c0 = 0.0
        jr_c1 = 0.0
        jr_p0 = 0.0
        jr_p1 = 0.0
        for s in range(S):
            a = A[k, s]
            da0 = 0j
            da1 = 0j
            for m in range(NI):
                da0 += dhH[0, k, m] * Pst[m, s]
                da1 += dhH[1, k, m] * Pst[m, s]
            d0 = 2.0 * (a.real * da0.real + a.imag * da0.imag)
            d1 = 2.0 * (a.real * da1.real + a.imag * da1.imag)
            jr_c0 += Cc[s] * d0
            jr_c1 += Cc[s] * d1
            jr_p0 += Cp[s] * d0
            jr_p1 += Cp[s] * d1
            for m in range(NI):
                h = hH[k, m].conjugate()
                jp = 2.0 * Cp[s] * a * h
                col = m * S + s
                J[rq, col] = jp.real
                J[rq, nP + col] = jp.imag
                grad[col] -= jp.real
                grad[nP + col] -= jp.imag
                if rsma:
                    jc = 2.0 * Cc[s] * a * h
                    J[re, col] = jc.real
                    J[re, nP + col] = jc.imag
        J[rq, off_r + 2 * k] = jr_p0 * wavelength
        J[rq, off_r + 2 * k + 1] = jr_p1 * wavelength
        grad[off_r + 2 * k] = -jr_p0 * wavelength
        grad[off_r + 2 * k + 1] = -jr_p1 * wavelength
        if rsma:
            J[rq, off_c + k] = 1.0
            J[re, off_r + 2 * k] = jr_c0 * wavelength
            J[re, off_r + 2 * k + 1] = jr_c1 * wavelength
            for j in range(K):
                J[re, off_c + j] = -1.0
            grad[off_c + k] = -1.0
    return f, grad, g, J, Rc, Rp
