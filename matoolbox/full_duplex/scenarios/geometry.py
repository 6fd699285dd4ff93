"""Shared pieces of the full-duplex example scenarios E1-E4: linear-array steering and gains,
projections onto a line with spacing, layout repair, FPA grids, random draws and a quiet CVXPY solve."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ...channels.field_response import directions, wavenumber
from ...core.cvx import solve_cvx

__all__ = ["project_line", "steering_matrix", "array_gain", "array_gain_grad", "zf_gain"]

_LN2 = math.log(2.0)


def _db(v):
    return 10.0 ** (np.asarray(v, float) / 10.0)


def _set(obj, name, value):
    object.__setattr__(obj, name, value)


def _path_loss(distance, c0_db=-30.0, alpha=2.8):
    """beta = C0 (d / 1 m)^-alpha (linear power gain)."""
    return _db(c0_db) * float(distance) ** (-alpha)


# ----------------------------------------------------------------------------------------------
# linear-array helpers (E3, E4)
# ----------------------------------------------------------------------------------------------
def steering_matrix(positions, angles, wavelength=1.0) -> np.ndarray:
    """a(x, theta) stacked: positions (..., N), angles (K,) -> (..., N, K), a_n = e^{j k0 x_n cos theta}."""
    x = np.asarray(positions, float)[..., :, None]
    return np.exp(1j * wavenumber(wavelength) * x * np.cos(np.asarray(angles, float)))


def array_gain(weights, positions, angles, wavelength=1.0) -> np.ndarray:
    """G(theta_k) = |w^H a(x, theta_k)|^2: weights (..., N), positions (..., N) -> (..., K)."""
    A = steering_matrix(positions, angles, wavelength)
    s = np.einsum("...n,...nk->...k", np.conj(weights), A)
    return np.abs(s) ** 2


def array_gain_grad(weights, positions, angles, wavelength=1.0) -> np.ndarray:
    r"""dG(theta_k)/dx_n = -2 beta_k Im{s_k^* w_n^* e^{j beta_k x_n}}, beta_k = k0 cos theta_k: (K, N)."""
    w = np.asarray(weights, complex)
    A = steering_matrix(positions, angles, wavelength)            # (N, K)
    beta = wavenumber(wavelength) * np.cos(np.asarray(angles, float))
    s = np.conj(w) @ A                                             # (K,)
    return -2.0 * beta[:, None] * np.imag(np.conj(s)[:, None] * (np.conj(w)[:, None] * A).T)


def zf_gain(positions, theta0, null_angles, wavelength=1.0, return_weights=False):
    r"""Best gain with exact nulls for fixed positions: ``||P_perp a(theta_0)||^2`` (P_perp projects
    onto the orthogonal complement of span{a(theta_k)}); the optimal unit-norm weight is
    ``P_perp a(theta_0) / ||.||``. positions (..., N) -> gain (...) [and weights (..., N)]."""
    x = np.asarray(positions, float)
    a0 = steering_matrix(x, [theta0], wavelength)[..., 0]           # (..., N)
    B = steering_matrix(x, null_angles, wavelength)                  # (..., N, K)
    Q, _ = np.linalg.qr(B)                                           # batched, reduced
    p = a0 - np.einsum("...nk,...k->...n", Q, np.einsum("...nk,...n->...k", Q.conj(), a0))
    gain = np.sum(np.abs(p) ** 2, axis=-1)
    if not return_weights:
        return gain
    norm = np.sqrt(gain)[..., None]
    w = np.where(norm > 0, p / np.where(norm > 0, norm, 1.0), 0.0)
    return gain, w


def project_line(values, lo, hi, d_min) -> np.ndarray:
    """Repair of linear-array positions (..., N): sort, clip to [lo, hi] and enforce
    ``x_{n+1} - x_n >= d_min`` (forward running max of ``x_n - n d``, then backward running min);
    the result is feasible whenever ``(N-1) d_min <= hi - lo`` and unchanged when already feasible."""
    x = np.sort(np.clip(np.asarray(values, float), lo, hi), axis=-1)
    n = x.shape[-1]
    off = np.arange(n) * d_min
    z = np.maximum.accumulate(x - off, axis=-1) + off                 # spacing, z_0 >= lo
    c = off[::-1]                                                     # (n-1-i) d
    q = np.minimum(z + c, hi)
    q = np.flip(np.minimum.accumulate(np.flip(q, axis=-1), axis=-1), axis=-1)
    return q - c


def _line_violation(x, lo, hi, d_min, scale):
    """max(box excess, spacing shortfall) / scale for sorted-or-not positions (N,)."""
    x = np.asarray(x, float)
    v = max(0.0, float(lo - x.min()), float(x.max() - hi)) if np.isfinite(hi) else max(0.0, float(lo - x.min()))
    if x.size > 1:
        gaps = np.diff(np.sort(x))
        v = max(v, float(d_min - gaps.min()))
    return max(v, 0.0) / scale


def _pairwise_min_dist(P):
    """Minimum pairwise distance of points (..., N, 2) -> (...)."""
    P = np.asarray(P, float)
    n = P.shape[-2]
    if n < 2:
        return np.full(P.shape[:-2], np.inf)
    i, j = np.triu_indices(n, 1)
    return np.linalg.norm(P[..., i, :] - P[..., j, :], axis=-1).min(axis=-1)


def _repair_plane(P, size, d_min, sweeps=60, fallback=None):
    """Heuristic repair of planar positions (..., N, 2): clip to [0, size]^2 and push apart pairs
    closer than ``d_min`` along their connecting line (Jacobi sweeps); layouts still infeasible
    afterwards are replaced by ``fallback`` (N, 2) if given (a known feasible layout)."""
    P = np.clip(np.array(P, float), 0.0, size)
    n = P.shape[-2]
    if n < 2 or d_min <= 0:
        return P
    i, j = np.triu_indices(n, 1)
    for _ in range(sweeps):
        d = P[..., i, :] - P[..., j, :]
        dist = np.linalg.norm(d, axis=-1)
        bad = dist < d_min * (1 + 1e-12)
        if not bad.any():
            break
        u = np.where(dist[..., None] > 1e-12, d / np.maximum(dist, 1e-300)[..., None],
                     np.array([1.0, 0.0]))
        push = np.where(bad, (d_min * (1 + 1e-9) - dist) / 2, 0.0)[..., None] * u
        for k, (a, b) in enumerate(zip(i, j)):
            P[..., a, :] += push[..., k, :]
            P[..., b, :] -= push[..., k, :]
        P = np.clip(P, 0.0, size)
    if fallback is not None:
        bad = _pairwise_min_dist(P) < d_min * (1 - 1e-12)
        P[bad] = fallback
    return P


def _fpa_grid(n, size, spacing):
    """FPA reference layout: ceil(sqrt n) x ceil(n / .) grid with ``spacing``, centred in [0, size]^2
    (first n points, row-major): (n, 2)."""
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    xs = (np.arange(cols) - (cols - 1) / 2) * spacing + size / 2
    ys = (np.arange(rows) - (rows - 1) / 2) * spacing + size / 2
    X, Y = np.meshgrid(xs, ys)
    return np.stack([X.ravel(), Y.ravel()], axis=-1)[:n]


def _fpa_line(n, size, spacing):
    """ULA with ``spacing`` centred in [0, size] (or starting at 0 when size is unbounded): (n,)."""
    x = np.arange(n) * spacing
    if size is None or not np.isfinite(size):
        return x
    return x + (size - x[-1]) / 2


def _random_fd_directions(rng, shape):
    """theta, phi ~ U[0, pi] i.i.d.; unit projected wave vectors in the FD convention: shape + (2,)."""
    theta = rng.uniform(0.0, np.pi, size=shape)
    phi = rng.uniform(0.0, np.pi, size=shape)
    return directions(theta, phi, "fd")


def _cn(rng, shape, power):
    """i.i.d. CN(0, power) (real parts drawn before imaginary parts)."""
    re = rng.standard_normal(shape)
    im = rng.standard_normal(shape)
    return np.sqrt(power / 2) * (re + 1j * im)




def _omega(n: int) -> int:
    """Number of prime factors of n counted with multiplicity."""
    count, p = 0, 2
    while p * p <= n:
        while n % p == 0:
            n //= p
            count += 1
        p += 1
    return count + (1 if n > 1 else 0)


def _solve(prob, solvers):
    """solve_cvx with CVXPY's 'may be inaccurate' warning silenced (the status is recorded)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return solve_cvx(prob, solvers)


def _copy_x(x):
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in x.items()}
