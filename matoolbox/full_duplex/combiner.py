r"""Closed-form MMSE (max-SINR) receive combiner (docs/theory/full_duplex.rst: MMSE combiner).

For UL user j with SI vectors ``v_i = H_SI w_{t,i}`` (columns of ``V``):

    Q_j = sum_{m != j} p_m h_m h_m^H + V V^H + s^2 I,
    w_j* = Q_j^{-1} h_j / ||Q_j^{-1} h_j||,      gamma_j* = p_j h_j^H Q_j^{-1} h_j,

the maximiser of the generalised Rayleigh quotient ``p_j |w^H h_j|^2 / (w^H Q_j w)``.
Linear systems use a Cholesky factorisation with an eigendecomposition fallback
Q_j = s^2 I + B_j B_j^H is applied through the thin SVD of B_j = [sqrt(p_m) h_m (m != j), V]
(:func:`~matoolbox.full_duplex.common.lowrank_solve`): no inverse is formed, no matrix with the
dynamic range of Q_j is factorised, so rho = 0 dB with very low noise neither raises
``LinAlgError`` nor loses the SINR to cancellation.
"""
from __future__ import annotations

import time

import numpy as np

from ..core.solution import Solution
from .common import lowrank_solve

__all__ = ["mmse_combiner", "mmse_sinr_sherman_morrison", "rx_comb_block"]


def mmse_combiner(hU, p, V, noise=1.0):
    """MMSE combiners: hU (Nr, K_U) UL channels, p (K_U,) powers, V (Nr, K_D) SI vectors
    H_SI W_t -> (W_r (Nr, K_U) unit-norm columns, gamma (K_U,) optimal SINRs).

    Parameters
    ----------
    hU : numpy.ndarray
        UL channels (Nr, K_U).
    p : numpy.ndarray
        UL powers (K_U,).
    V : numpy.ndarray
        SI vectors H_SI W_t (Nr, K_D).
    noise : float, default 1.0
        Receiver noise power.

    Returns
    -------
    tuple
        (W_r (Nr, K_U) with unit-norm columns, gamma (K_U,) optimal SINRs).
    """
    hU = np.asarray(hU, complex)
    if hU.ndim == 1:
        hU = hU[:, None]
    V = np.asarray(V, complex)
    if V.ndim == 1:
        V = V[:, None]
    p = np.asarray(p, float).reshape(-1)
    Nr, KU = hU.shape
    S = hU * np.sqrt(p)
    W = np.empty((Nr, KU), complex)
    gam = np.empty(KU)
    for j in range(KU):
        h = hU[:, j]
        B = np.concatenate([S[:, [m for m in range(KU) if m != j]], V], axis=1)
        z = lowrank_solve(B, h, noise)   # Q_j = noise I + B B^H via the SVD of B (never LinAlgError)
        gam[j] = max(p[j] * float(np.real(h.conj() @ z)), 0.0)
        nz = np.linalg.norm(z)
        W[:, j] = z / nz if nz > 0 else np.eye(Nr)[:, 0]
    return W, gam


def mmse_sinr_sherman_morrison(h, v, p, noise=1.0) -> float:
    """Single-user optimal SINR via Sherman-Morrison (F3), no matrix solve:
    gamma* = p/s^2 (||h||^2 - |v^H h|^2 / (s^2 + ||v||^2))."""
    h = np.asarray(h, complex)
    v = np.asarray(v, complex)
    return float(p / noise * (np.sum(np.abs(h) ** 2) - abs(np.vdot(v, h)) ** 2 / (noise + np.sum(np.abs(v) ** 2))))


def rx_comb_block(problem, x0, *, options=None, rng=None) -> Solution:
    """AO block "rx_comb": every receive combiner set to its MMSE solution (global optimum of
    the block; leaves every DL SINR unchanged). Uses ``problem.fd_arrays`` / ``fd_pack``.

    Parameters
    ----------
    problem : FullDuplexProblem or FullDuplexMultiUserProblem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : None or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Unused; accepted for the solver contract.

    Returns
    -------
    Solution
        The full ``x`` with every receive combiner set to MMSE.
    """
    t0 = time.perf_counter()
    a = problem.fd_arrays(x0)
    Wr, gam = mmse_combiner(a["hU"], a["p"], a["H"] @ a["Wt"])
    x = problem.fd_pack(x0, Wr=Wr)
    return Solution(x=x, fval=float(problem.objective(x)), exitflag=1, message="closed form",
                    nit=1, violation=float(problem.violation(x)), elapsed=time.perf_counter() - t0,
                    solver="mmse_combiner", output={"sinr_ul": gam})
