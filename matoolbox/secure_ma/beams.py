r"""Closed-form secrecy precoders, batch-first: candidates for the value-function proxy of the MA start.

For Bob rows H (..., K, M), colluding-Eve rows G (..., J, M), unit noise and power P, every
candidate W (..., M, K) is scaled to ||W||_F^2 = P:

* ``mrt``: H^H;  ``rzf``: H^H (H H^H + K/P I)^{-1};
* ``ns_rzf`` (0 < J < M): P_G H^H (H P_G H^H + K/P I)^{-1}, P_G = I - G^H (G G^H)^{-1} G the projector
  on the null space of G (nothing leaks to Eve);
* ``eve_aware`` (per user, equal power p = P/K): w_k ∝ (I + p G^H G)^{-1} h_k, the beam that
  maximises |h_k^H w|^2 / (w^H (I + p G^H G) w) (the MISOME secrecy beam without the 1 in its
  numerator);
* ``eve_aware_zf`` (1 < K <= M): the same within the null space of the other Bobs' rows,
  w_k ∝ (I + p P_k G^H G P_k)^{-1} P_k h_k, P_k that null space's projector (no inter-user
  interference).

Each column of the last two has power p. No candidate is optimal; the best of them at a layout is a
lower bound on max_W of the secrecy sum rate there, used to rank layouts
(:func:`~matoolbox.optim.proxy_starts.value_function_starts`).
"""
from __future__ import annotations

import numpy as np

__all__ = ["secrecy_beams"]


def _herm(A):
    return np.swapaxes(A.conj(), -1, -2)


def _null_projector(O, M):
    """I - O^+ O for rows O (..., r, M): I - O^H (O O^H)^{-1} O, by the pseudo-inverse where some
    O O^H of the batch is singular (repeated or zero rows)."""
    try:
        return np.eye(M) - _herm(O) @ np.linalg.solve(O @ _herm(O), O)
    except np.linalg.LinAlgError:
        return np.eye(M) - np.linalg.pinv(O) @ O


def _unit_columns(W):
    """Columns scaled to unit norm (zero columns stay zero)."""
    n = np.linalg.norm(W, axis=-2, keepdims=True)
    return W / np.where(n > 0, n, 1.0)


def secrecy_beams(H, G, power) -> dict:
    """Candidate precoders ``{name: W}``, W (..., M, K), each with ||W||_F^2 = ``power``.

    Parameters
    ----------
    H : ndarray, shape (..., K, M), complex
        Bob rows h_k^H.
    G : ndarray, shape (..., J, M), complex
        Eve rows (J may be 0).
    power : float
        P; the noise power is 1 (the regularisations K/P and I + p G^H G assume it).

    Returns
    -------
    dict of str to ndarray, shape (..., M, K), complex
        ``"mrt"``, ``"rzf"``, ``"eve_aware"`` always; ``"ns_rzf"`` when 0 < J < M;
        ``"eve_aware_zf"`` when 1 < K <= M. Where a candidate is undefined for a batch element
        (e.g. a zero channel row), that element is all zeros.
    """
    H, G = np.asarray(H, complex), np.asarray(G, complex)
    K, M, J = H.shape[-2], H.shape[-1], G.shape[-2]
    P, p = float(power), float(power) / K
    Hh, eye_k = _herm(H), np.eye(K)
    out = {"mrt": Hh, "rzf": Hh @ np.linalg.inv(H @ Hh + K / P * eye_k)}
    GG = _herm(G) @ G if J else np.zeros(H.shape[:-2] + (M, M), complex)
    if 0 < J < M:
        PG = _null_projector(G, M)
        out["ns_rzf"] = PG @ Hh @ np.linalg.inv(H @ PG @ Hh + K / P * eye_k)
    out["eve_aware"] = _unit_columns(np.linalg.solve(np.eye(M) + p * GG, Hh))
    if 1 < K <= M:
        others = H[..., [[j for j in range(K) if j != k] for k in range(K)], :]     # (..., K, K-1, M)
        Pk = _null_projector(others, M)                                             # (..., K, M, M)
        B = np.eye(M) + p * Pk @ GG[..., None, :, :] @ Pk
        w = np.linalg.solve(B, Pk @ H.conj()[..., :, :, None])[..., 0]              # (..., K, M)
        out["eve_aware_zf"] = _unit_columns(np.swapaxes(w, -1, -2))
    scaled = {}
    for name, W in out.items():
        bad = ~np.all(np.isfinite(W), axis=(-2, -1), keepdims=True)
        W = np.where(bad, 0.0, W)
        nrm = np.linalg.norm(W, axis=(-2, -1), keepdims=True)
        scaled[name] = W * (np.sqrt(P) / np.where(nrm > 0, nrm, 1.0))
    return scaled
