r"""Linear-MMSE proxy for downlink user positions: a precoder-free score of a layout and a
per-user coordinate search on it (start candidates for an AO whose position landscape is
multimodal).

For noise-normalised channel rows :math:`\mathbf H(\mathbf r)\in\mathbb C^{K\times M}` (row k
depends on user k's position :math:`\mathbf r_k` only) and total SNR :math:`\rho`, the
regularised-ZF (linear MMSE) rates with equal power :math:`\rho/K` per user are

.. math::

    R_k(\mathbf r) = -\log_2\big[(\mathbf I + \tfrac{\rho}{K}\mathbf H\mathbf H^H)^{-1}\big]_{kk}

(the MMSE SINR :math:`1/[\cdot]_{kk}-1` of the dual uplink: zero forcing's rates at high SNR, and
defined for any K and M), and the proxy score is :math:`\sum_k R_k` when every
:math:`R_k\ge R_{th}` and :math:`-\sum_k (R_{th}-R_k)^+` otherwise (feasible layouts first).
:func:`mmse_position_search` moves one user at a time to the best point of a grid (the others
fixed) while the score rises; with row k alone varying the diagonal of
:math:`(\mathbf I+\tfrac{\rho}{K}\mathbf H\mathbf H^H)^{-1}` follows from the Schur complement of
the other rows' Gram matrix, so scoring a grid of G points costs one (G, M) x (M, K-1) product per
user. The candidate rows of every user come from one ``rows`` call at the start (each user at
every grid point: row k depends on r_k only), or from ``grid_rows`` computed once by the caller
and reused across searches on the same grid (CoMP-RSMA keeps it per instance).
"""
from __future__ import annotations

import numpy as np

from ..core.jit import compiled
from ..core.validate import fail
from ._mmse_kernel import row_scores_kernel

__all__ = ["mmse_rates", "proxy_score", "mmse_position_search"]

#: row scores by the numba kernel (:mod:`matoolbox.optim._mmse_kernel`); False: the NumPy
#: expressions of :func:`_row_scores` (the tests' reference)
_USE_KERNEL = True


def mmse_rates(H, snr) -> np.ndarray:
    r"""Equal-power MMSE (regularised ZF) rates: H (..., K, M) noise-normalised rows, ``snr``
    total power :math:`\rho` -> (..., K) with :math:`R_k=-\log_2 [(\mathbf I+\tfrac{\rho}{K}
    \mathbf H\mathbf H^H)^{-1}]_{kk}`."""
    H = np.asarray(H, complex)
    K = H.shape[-2]
    G = np.eye(K) + float(snr) / K * (H @ np.conj(np.swapaxes(H, -1, -2)))
    d = np.real(np.diagonal(np.linalg.inv(G), axis1=-2, axis2=-1))
    return -np.log2(np.clip(d, 1e-300, 1.0))


def proxy_score(R, rth: float = 0.0) -> np.ndarray:
    r"""Proxy score of rates R (..., K): :math:`\sum_k R_k` if all :math:`R_k\ge R_{th}`, else
    :math:`-\sum_k(R_{th}-R_k)^+` (< 0). Returns (...,)."""
    R = np.asarray(R, float)
    short = np.maximum(float(rth) - R, 0.0).sum(axis=-1)
    return np.where(short > 0.0, -short, R.sum(axis=-1))


def _row_scores(Ho, h, snr, rth):
    """Scores when row k takes each of the candidate rows h (G, M), the others Ho (K-1, M)
    (NumPy; the search uses :func:`_kernel_scores`, equal to rounding)."""
    K = Ho.shape[0] + 1
    a = float(snr) / K
    c = 1.0 + a * np.sum(np.abs(h) ** 2, axis=-1)                         # (G,)
    if K == 1:
        d = (1.0 / c)[:, None]
    else:
        Ainv = np.linalg.inv(np.eye(K - 1) + a * (Ho @ Ho.conj().T))
        b = a * (h.conj() @ Ho.T)                                         # (G, K-1): a Ho h_g^H
        u = b @ Ainv.T                                                    # (G, K-1): A^{-1} b_g
        s = np.maximum(c - np.real(np.sum(b.conj() * u, axis=-1)), 1.0)   # Schur complement (>= 1)
        d_other = np.real(np.diagonal(Ainv))[None, :] + np.abs(u) ** 2 / s[:, None]
        d = np.concatenate([d_other, (1.0 / s)[:, None]], axis=1)
    return proxy_score(-np.log2(np.clip(d, 1e-300, 1.0)), rth)


def _kernel_scores(table, k, Ho, snr, rth):
    """:func:`_row_scores` of the candidates table[:, k] (table (G, K, M)) by the numba kernel
    (compiled on first use: ``import matoolbox`` does not load numba)."""
    Km1 = Ho.shape[0]
    a = float(snr) / (Km1 + 1)
    Ainv = (np.linalg.inv(np.eye(Km1) + a * (Ho @ Ho.conj().T)) if Km1
            else np.zeros((0, 0), complex))
    return compiled(row_scores_kernel)(table, int(k), Ho, np.asarray(Ainv, complex), a, float(rth))


def mmse_position_search(rows, grid, r0, snr, rth: float = 0.0, sweeps: int = 3, grid_rows=None):
    r"""Per-user coordinate search of the MMSE proxy score over a grid.

    Parameters
    ----------
    rows : callable
        ``rows(positions)``: positions (B, K, 2) -> noise-normalised channel rows (B, K, M),
        row k a function of ``positions[:, k]`` only.
    grid : array_like, shape (G, 2)
        Candidate points of every user (e.g. :func:`~matoolbox.channels.field_response.region_grid`).
    r0 : array_like, shape (K, 2)
        Start layout.
    snr : float
        Total transmit SNR :math:`\rho` (power over noise; rows already noise-normalised).
    rth : float
        Per-user rate target of the feasibility part of the score (0: sum rate only).
    sweeps : int
        Passes over the users; stops early after a pass without a move.
    grid_rows : array_like, shape (G, K, M), optional
        ``rows`` with every user at every grid point (entry [g, k] = row k with r_k = grid[g]);
        default: one ``rows`` call here.

    Returns
    -------
    r : ndarray, shape (K, 2)
        The layout reached (each move the grid's best point for that user, score strictly rising).
    score : float
        Its :func:`proxy_score`.
    """
    r = np.array(r0, dtype=float)
    grid = np.asarray(grid, dtype=float)
    if r.ndim != 2 or r.shape[1] != 2 or grid.ndim != 2 or grid.shape[1] != 2:
        fail("mmse_position_search", "r0/grid", f"<shapes {r.shape}, {grid.shape}>", "must be (K, 2) and (G, 2)")
    K = r.shape[0]
    H = np.array(np.asarray(rows(r[None]), complex)[0])                  # own copy: rows are replaced
    if H.ndim != 2 or H.shape[0] != K:
        fail("mmse_position_search", "rows", f"<rows of shape {H.shape}>", f"must be (K, M) with K = {K}")
    best = float(proxy_score(mmse_rates(H, snr), rth))
    best = -np.inf if np.isnan(best) else best                             # a NaN start may move
    if grid_rows is None:                                                  # each user at each grid point
        grid_rows = rows(np.ascontiguousarray(np.repeat(grid[:, None], K, axis=1)))
    table = np.asarray(grid_rows, complex)
    if table.shape != (grid.shape[0], K, H.shape[1]):
        fail("mmse_position_search", "grid_rows", f"<array of shape {table.shape}>",
             f"must be (G, K, M) = {(grid.shape[0], K, H.shape[1])}")
    for _ in range(int(sweeps)):
        moved = False
        for k in range(K):
            hk = table[:, k]                                                # (G, M)
            others = [j for j in range(K) if j != k]
            if _USE_KERNEL:
                s = _kernel_scores(table, k, H[others], snr, rth)
            else:
                s = _row_scores(H[others], hk, snr, rth)
            s = np.where(np.isnan(s), -np.inf, s)                          # a NaN grid point never wins
            g = int(np.argmax(s))
            if s[g] > best:
                best, r[k], H[k], moved = float(s[g]), grid[g], hk[g], True
        if not moved:
            break
    return r, best
