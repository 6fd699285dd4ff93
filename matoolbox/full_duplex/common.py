"""Full-duplex helpers shared by the problem classes and the blocks: unit conversions, the SINR
formulas (3.1)/(3.2) and batched MMSE combiners (the plane-wave DL/UL channel rows are
:func:`matoolbox.channels.multilink.plane_wave_rows`; the position region, its repair and FPA layout
are :class:`matoolbox.regions.Rectangle`)."""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..channels.field_response import directions
from ..channels.self_interference import SI_MODELS, SelfInterference
from ..core.validate import (
    fail, require_choice, require_finite, require_shape,
)


OBJECTIVES = ("weighted", "maxmin", "dl_si_cap")
#: the docs' names of the single-user problems (case-insensitive) -> the stored objective name
OBJECTIVE_ALIASES = {"P1": "weighted", "P2": "maxmin", "P3": "dl_si_cap"}
LN2 = math.log(2.0)
POS_BLOCKS = ("positions_tx", "positions_rx")


#: violation at or below which a block's incumbent counts as feasible (acceptance rule of the blocks)
FEAS_VTOL = 1e-9


def phase1_accept(fn, vn, f0, v0, *, ftol=0.0, vtol=FEAS_VTOL) -> bool:
    """Acceptance rule of the FD blocks' steps (a phase-1 rule).

    From a feasible incumbent (``v0 <= vtol``) a step is accepted when it stays feasible and its
    objective is not lower (``fn >= f0 - ftol``). From an infeasible incumbent a step that reaches
    feasibility or reduces the violation is accepted whatever its objective (restoring feasibility
    may cost objective); one that keeps the violation is accepted when its objective is not lower.
    """
    fn, vn, f0, v0 = float(fn), float(vn), float(f0), float(v0)
    if math.isnan(fn) or math.isnan(vn) or fn == -math.inf:
        return False
    if not v0 <= vtol:                       # infeasible (or unscorable) incumbent: phase 1
        if vn <= vtol or vn < v0:
            return True
        return vn <= v0 and fn >= f0 - ftol
    return vn <= vtol and fn >= f0 - ftol


def dbm_to_watt(dbm):
    return 10.0 ** ((np.asarray(dbm, float) - 30.0) / 10.0)


def db_to_lin(db):
    return 10.0 ** (np.asarray(db, float) / 10.0)


def sinrs(hDc, hU, H, E, Wt, Wr, p, noise_dl=1.0, noise_ul=1.0):
    """All SINRs: hDc (..., K_D, Nt), hU (..., Nr, K_U), H (..., Nr, Nt), E (K_D, K_U) IUI
    power gains, Wt (Nt, K_D), Wr (Nr, K_U), p (K_U,) -> (gamma_D (..., K_D), gamma_U (..., K_U)).
    """
    Z = np.abs(hDc @ Wt) ** 2                                  # (..., K_D, K_D)
    sig_d = np.diagonal(Z, axis1=-2, axis2=-1)
    den_d = Z.sum(-1) - sig_d + E @ p + noise_dl
    S = np.abs(Wr.conj().T @ hU) ** 2 * p                      # (..., K_U, K_U) [j, m]
    sig_u = np.diagonal(S, axis1=-2, axis2=-1)
    Q = np.abs(Wr.conj().T @ H @ Wt) ** 2                      # (..., K_U, K_D)
    den_u = S.sum(-1) - sig_u + Q.sum(-1) + noise_ul * np.sum(np.abs(Wr) ** 2, axis=0)
    return sig_d / den_d, sig_u / den_u


def lowrank_solve(B, b, noise=1.0):
    """z = Q^{-1} b for Q = noise I + B B^H: B (..., n, r), b (..., n) -> (..., n).

    With the thin SVD B = U diag(s) W^H, Q^{-1} = (I - U U^H) / noise + U diag(1 / (noise + s^2)) U^H,
    so z = (b - U c) / noise + U (c / (noise + s^2)), c = U^H b. No matrix of the dynamic range of Q
    is factorised, so the solve stays accurate when B B^H exceeds the noise by 1e20 or more (no SI
    cancellation with very low noise), where a Cholesky solve loses every digit or raises
    ``LinAlgError``; it never raises for finite input."""
    B = np.asarray(B, complex)
    b = np.asarray(b, complex)
    if B.shape[-1] == 0:
        return b / noise
    U, s, _ = np.linalg.svd(B, full_matrices=False)
    c = np.einsum("...mk,...m->...k", U.conj(), b)
    return (b - np.einsum("...mk,...k->...m", U, c)) / noise + np.einsum("...mk,...k->...m", U, c / (noise + s**2))


def mmse_batch(hU, H, Wt, p, noise=1.0):
    """MMSE combiners for batched channels: hU (..., Nr, K_U), H (..., Nr, Nt) -> (..., Nr, K_U)
    unit columns w_j = Q_j^{-1} h_j / ||.||, Q_j = sum_{m!=j} p_m h_m h_m^H + V V^H + noise I.

    One thin SVD per batch entry serves every user: with B = [sqrt(p_m) h_m (all m), V] =
    U diag(s) W^H and Q = noise I + B B^H = Q_j + p_j h_j h_j^H, Sherman-Morrison gives
    Q^{-1} h_j = Q_j^{-1} h_j / (1 + p_j h_j^H Q_j^{-1} h_j), the same direction. For p_j > 0,
    h_j = U diag(s) W^H e_j / sqrt(p_j), so the direction is U diag(s / (noise + s^2)) W^H e_j,
    formed from the factors without a subtraction (accurate at any SI or SNR level); for p_j = 0
    (Q = Q_j) it is :func:`lowrank_solve`'s formula with the same factors. One UL user and one SI
    vector (the single-user problems): Q^{-1} h ~ h_perp + h_par noise / (noise + ||v||^2) with h
    split along v by a projection applied twice, no factorisation (3-4x faster than the SVD;
    tested against the exact optimum with h 1e-6 off an SI vector 140 dB above the noise).
    ``p``: (K_U,) or a scalar. A user without channel (all zeros) gets e_0 (SINR 0 either way).
    Known limit of the SVD form: a user whose channel lies almost along an SI column at SINRs
    around 1e-16 can lose a large part of that (negligible) SINR."""
    V = H @ Wt
    batch = np.broadcast_shapes(hU.shape[:-2], H.shape[:-2])
    hU = np.broadcast_to(np.asarray(hU, complex), batch + hU.shape[-2:])
    V = np.broadcast_to(V, batch + V.shape[-2:])
    Nr, KU = hU.shape[-2:]
    p = np.broadcast_to(np.asarray(p, float), (KU,))
    if KU == 1 and V.shape[-1] == 1:                # single user, one SI vector: Sherman-Morrison
        Z = _single_user_direction(hU[..., :, 0], V[..., :, 0], noise)[..., None]
    else:
        Z = _mmse_directions(hU, V, p, noise)
    Z = np.where(np.any(hU != 0, axis=-2, keepdims=True), Z, 0.0)     # no channel: e_0 below
    nz = np.linalg.norm(Z, axis=-2, keepdims=True)
    return np.where(nz > 0, Z / np.where(nz > 0, nz, 1.0), np.eye(Nr, 1))


def _single_user_direction(h, v, noise):
    """Q^{-1} h up to a positive factor for Q = noise I + v v^H: h_perp + h_par noise / (noise +
    ||v||^2), h split along v with the projection applied twice (re-orthogonalised), so that the
    small part of h off a strong SI vector keeps its accuracy; v = 0 gives h."""
    vv = np.einsum("...n,...n->...", v.conj(), v).real
    safe = np.where(vv > 0, vv, 1.0)
    a = np.einsum("...n,...n->...", v.conj(), h) / safe
    hp = h - v * a[..., None]
    a2 = np.einsum("...n,...n->...", v.conj(), hp) / safe
    hp = hp - v * a2[..., None]
    return hp + v * ((a + a2) * (noise / (noise + vv)))[..., None]


def _mmse_directions(hU, V, p, noise):
    """Unnormalised MMSE directions Q^{-1} h_j (..., Nr, K_U) from one SVD (see :func:`mmse_batch`)."""
    KU = hU.shape[-1]
    B = np.concatenate([hU * np.sqrt(p), V], axis=-1)              # (..., Nr, K_U + K_D)
    U, s, Wh = np.linalg.svd(B, full_matrices=False)
    Z = U @ ((s / (noise + s**2))[..., :, None] * Wh[..., :, :KU])   # (..., Nr, K_U)
    zero = np.flatnonzero(p <= 0)
    if zero.size:                                                     # Q = Q_j: no h_j in B
        h = hU[..., :, zero]
        c = np.swapaxes(U, -1, -2).conj() @ h
        Z[..., :, zero] = (h - U @ c) / noise + U @ (c / (noise + s**2)[..., :, None])
    return Z


# ----------------------------------------------------------------------------------------------


def _sinrs_batched_wr(hDc, hU, H, E, Wt, Wr, p):
    """:func:`sinrs` with per-batch combiners Wr (..., Nr, K_U)."""
    Z = np.abs(hDc @ Wt) ** 2
    sig_d = np.diagonal(Z, axis1=-2, axis2=-1)
    den_d = Z.sum(-1) - sig_d + E @ p + 1.0
    WrH = np.swapaxes(Wr, -1, -2).conj()
    S = np.abs(WrH @ hU) ** 2 * p
    sig_u = np.diagonal(S, axis1=-2, axis2=-1)
    Q = np.abs(WrH @ H @ Wt) ** 2
    den_u = S.sum(-1) - sig_u + Q.sum(-1) + np.sum(np.abs(Wr) ** 2, axis=-2)
    return sig_d / den_d, sig_u / den_u


def _apply_overrides(prob, overrides):
    """Replace dataclass fields named in ``overrides`` (others: InvalidProblemError)."""
    if not overrides:
        return prob
    names = {f.name for f in dataclasses.fields(prob)}
    for k, v in overrides.items():
        if k not in names:
            fail(prob.name, k, v, "unknown field or random() option")
    return prob.with_(**overrides)


def canonical_objective(own, field, value):
    """The stored objective name of ``value``: one of :data:`OBJECTIVES`, or "P1" / "P2" / "P3"
    (any case) for "weighted" / "maxmin" / "dl_si_cap"; anything else raises InvalidProblemError."""
    if isinstance(value, str) and value.upper() in OBJECTIVE_ALIASES:
        return OBJECTIVE_ALIASES[value.upper()]
    return require_choice(own, field, value, OBJECTIVES + tuple(OBJECTIVE_ALIASES))


def _check_channel_arrays(own, dirs, gains, K, name):
    dirs = require_shape(own, f"{name}_dirs", np.asarray(dirs, float), (K, None, 2))
    if dirs.shape[1] < 1:
        fail(own, f"{name}_dirs", f"<array of shape {dirs.shape}>", "needs at least one path per user")
    gains = require_shape(own, f"{name}_gains", np.asarray(gains, complex), (K, dirs.shape[1]))
    require_finite(own, f"{name}_dirs", dirs)
    require_finite(own, f"{name}_gains", gains)
    return dirs, gains


def _draw_link(rng, L, beta):
    """(dirs (L, 2), gains (L,)): angles U[0, pi] ("fd" convention), gains CN(0, beta/L)."""
    theta = rng.uniform(0, np.pi, L)
    phi = rng.uniform(0, np.pi, L)
    g = np.sqrt(beta / (2 * L)) * (rng.standard_normal(L) + 1j * rng.standard_normal(L))
    return directions(theta, phi, "fd"), g


def _geometry_kwargs(own, wavelength, region_lambda, d_min_lambda, rho_db, si_model, rng,
                     L_si, k_factor):
    A = region_lambda * wavelength
    require_choice(own, "si_model", si_model, SI_MODELS)
    si = SelfInterference.random(rng, model=si_model, wavelength=wavelength, rho=float(db_to_lin(rho_db)),
                                 rx_offset=(A + wavelength, 0.0, 0.0), L_t=L_si, L_r=L_si,
                                 k_factor=k_factor)
    return dict(wavelength=wavelength, region_size=A, d_min=d_min_lambda * wavelength, si=si)


# ----------------------------------------------------------------------------------------------
