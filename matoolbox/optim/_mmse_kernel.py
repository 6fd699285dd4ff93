r"""numba kernel of the MMSE-proxy row scores (:func:`matoolbox.optim.mmse_positions._row_scores`).

Row k of :math:`\mathbf H` takes each candidate row :math:`\mathbf h_g` (g < G), the other rows
:math:`\mathbf H_o` (K-1, M) fixed. With :math:`a=\rho/K`, :math:`\mathbf A^{-1}=(\mathbf I+a
\mathbf H_o\mathbf H_o^H)^{-1}` (computed once by the caller), :math:`c_g=1+a\|\mathbf h_g\|^2`,
:math:`\mathbf b_g=a\,\overline{\mathbf h_g}\mathbf H_o^T` and :math:`\mathbf u_g=\mathbf A^{-1}
\mathbf b_g`, the Schur complement :math:`s_g=\max(c_g-\mathrm{Re}\,\mathbf b_g^H\mathbf u_g,1)`
gives the diagonal of :math:`(\mathbf I+a\mathbf H\mathbf H^H)^{-1}`: :math:`[\mathbf A^{-1}]_{ii}+
|u_{g,i}|^2/s_g` for the other rows and :math:`1/s_g` for row k; rates
:math:`R=-\log_2\mathrm{clip}(d,10^{-300},1)` and the proxy score as in
:func:`~matoolbox.optim.mmse_positions.proxy_score`. One pass over the G candidates instead of
about 20 NumPy calls on (G, M) arrays; the sums run in another order than BLAS's, so scores agree
with the NumPy expressions to rounding (the tests allow 1e-12 relative), not bit for bit. A NaN
anywhere in a candidate's arithmetic gives a NaN score, as the NumPy expressions do. Plain
Python loops, compiled by :func:`matoolbox.core.jit.compiled` on first use (so that importing
matoolbox does not load numba).
"""
from __future__ import annotations

import math

import numpy as np

_INV_LN2 = 1.0 / math.log(2.0)


def row_scores_kernel(table, k, Ho, Ainv, a, rth):
    """Scores (G,) of row k taking each candidate table[g, k] (table (G, K, M) complex), the other
    rows Ho (K-1, M) fixed; Ainv (K-1, K-1) = (I + a Ho Ho^H)^{-1}, a = snr / K."""
    G = table.shape[0]
    M = table.shape[2]
    Km1 = Ho.shape[0]
    out = np.empty(G)
    b = np.empty(Km1, np.complex128)
    u = np.empty(Km1, np.complex128)
    dA = np.empty(Km1)
    for i in range(Km1):
        dA[i] = Ainv[i, i].real
    for g in range(G):
        nrm = 0.0
        for m in range(M):
            z = table[g, k, m]
            nrm += z.real * z.real + z.imag * z.imag
        c = 1.0 + a * nrm
        if Km1 == 0:
            s = c
        else:
            for j in range(Km1):
                acc = 0j
                for m in range(M):
                    acc += table[g, k, m].conjugate() * Ho[j, m]
                b[j] = a * acc
            q = 0.0
            for i in range(Km1):
                acc = 0j
                for j in range(Km1):
                    acc += b[j] * Ainv[i, j]
                u[i] = acc
                q += (b[i].conjugate() * acc).real
            s = c - q
            if s < 1.0:                       # s >= 1 but for rounding: the NumPy expression's max(., 1)
                s = 1.0
        total = 0.0
        short = 0.0
        for i in range(Km1 + 1):
            # d = [A^{-1}]_ii + |u_i|^2 / s for the other rows, 1 / s for row k; R = -log2 clip(d, 1e-300, 1)
            # (a NaN d fails both tests and gives NaN, as np.clip does)
            d = (dA[i] + (u[i].real * u[i].real + u[i].imag * u[i].imag) / s) if i < Km1 else 1.0 / s
            if d < 1e-300:
                d = 1e-300
            elif d > 1.0:
                d = 1.0
            R = -math.log(d) * _INV_LN2
            total += R
            short += max(rth - R, 0.0)
        # a NaN in candidate g makes s and every R NaN: short stays 0 or NaN, and total is NaN
        out[g] = -short if short > 0.0 else total
    return out
