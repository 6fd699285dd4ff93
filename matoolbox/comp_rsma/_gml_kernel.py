r"""numba kernels of GML's rates and weighted-rate gradients under the coherent model.

The algebra of ``CompRsmaMetaMixin._gml_rates`` / ``_gml_rate_grads`` (docs/theory/comp_rsma.rst:
GML, Analytic gradients) in two compiled calls instead of ~30 small NumPy calls per evaluation
(GML evaluates it four times per outer iteration). With a = h_k^H P (K, S = K + 1),
S_ks = |a_ks|^2, I^c_k = 1 + sum_{s>=1} S_ks, I^p_k = I^c_k - S_{k,k+1}, T_k = I^c_k + S_k0:

    R_{c,k} = log2(T_k / I^c_k),   R_{p,k} = log2(I^c_k / I^p_k),
    grad_P = 2 h (C * a),   grad_r[k, d] = 2 sum_s Re(conj(C_ks a_ks) da_ks/dr_kd)

with C from the weights wc, wp as in ``_gml_rate_grads``. The sums over the antennas run in
another order than BLAS's: results agree with the NumPy expressions to rounding (within 2e-15
relative on the tested draws; the test allows 1e-12), not bit for bit.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

_INV_LN2 = 1.0 / math.log(2.0)


@nb.njit(cache=True)
def gml_rates_kernel(hH, Pst):
    """hH (K, NI) complex rows h_k^H; Pst (NI, S) complex precoders. Returns A (K, S) = hH Pst,
    Ic, Ip, T, Rc, Rp (K,)."""
    K, NI = hH.shape
    S = Pst.shape[1]
    A = np.empty((K, S), np.complex128)
    Ic = np.empty(K)
    Ip = np.empty(K)
    T = np.empty(K)
    Rc = np.empty(K)
    Rp = np.empty(K)
    for k in range(K):
        tot = 0.0
        s0 = 0.0
        own = 0.0
        for s in range(S):
            acc = 0j
            for i in range(NI):
                acc += hH[k, i] * Pst[i, s]
            A[k, s] = acc
            p = acc.real * acc.real + acc.imag * acc.imag
            if s == 0:
                s0 = p
            else:
                tot += p
                if s == k + 1:
                    own = p
        Ic[k] = tot + 1.0
        Ip[k] = Ic[k] - own
        T[k] = Ic[k] + s0
        Rc[k] = math.log2(T[k] / Ic[k])
        Rp[k] = math.log2(Ic[k] / Ip[k])
    return A, Ic, Ip, T, Rc, Rp


@nb.njit(cache=True)
def gml_grads_kernel(hH, dhH, Pst, A, Ic, Ip, T, wc, wp, want_P, want_r):
    """Gradients of sum_k (wc_k R_{c,k} + wp_k R_{p,k}) from :func:`gml_rates_kernel`'s output:
    gP (NI, S) complex (zeros unless ``want_P``) and gr (K, 2) per metre (zeros unless
    ``want_r``; dhH (2, K, NI) is the derivative of hH along x and y)."""
    K, NI = hH.shape
    S = Pst.shape[1]
    CA = np.empty((K, S), np.complex128)
    for k in range(K):
        iT = 1.0 / T[k]
        iIc = 1.0 / Ic[k]
        base = wc[k] * (iT - iIc)
        other = (base + wp[k] * (iIc - 1.0 / Ip[k])) * _INV_LN2
        for s in range(S):
            if s == 0:
                c = (wc[k] * iT) * _INV_LN2
            elif s == k + 1:
                c = (base + wp[k] * iIc) * _INV_LN2
            else:
                c = other
            CA[k, s] = c * A[k, s]
    gP = np.zeros((NI, S), np.complex128)
    if want_P:
        for i in range(NI):
            for s in range(S):
                acc = 0j
                for k in range(K):
                    acc += np.conj(hH[k, i]) * CA[k, s]
                gP[i, s] = 2.0 * acc
    gr = np.zeros((K, 2))
    if want_r:
        for d in range(2):
            for k in range(K):
                acc = 0.0
                for s in range(S):
                    da = 0j
                    for i in range(NI):
                        da += dhH[d, k, i] * Pst[i, s]
                    acc += CA[k, s].real * da.real + CA[k, s].imag * da.imag
                gr[k, d] = 2.0 * acc
    return gP, gr
