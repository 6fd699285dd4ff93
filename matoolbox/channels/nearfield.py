r"""Near-field XL-MA channel model (theory page docs/theory/xlma.rst).

Geometry: the BS is at the origin, subarrays move on the x–z plane (y = 0), users sit on a 3-D
grid of cells with centres ``t_k`` (y > 0).  Far field per subarray, near field across the array:
each (grid k, position n) link has its own unit direction ``u_{k,n} = (t_k - r_n)/D_{k,n}``,
path gains ``beta^L = (lambda / 4 pi D)^2`` (or ``beta0 D^-alpha``), ``beta^N = beta^L / kappa``,
LoS visibility ``Omega_{k,n}`` (segments to 20 random points of cell k miss every box obstacle)
and UPA response ``a = a_V(u^z) kron a_H(u^x)`` (element m = m_v*M_H + m_h, 0-based)

    hbar_{k,n} = Omega sqrt(beta^L) e^{j phi} a_{k,n} + CN(0, beta^N I_M),  phi ~ U[0, 2pi) i.i.d.

Shapes: candidate positions (N0, 3), grid centres (K, 3), per-link arrays (K, N0), responses
(K, N0, M).  Indices (0-based): candidate ``n = j*Nx + i``; grid ``k = l*Kx*Ky + j*Kx + i``.

Moments (exact, Theorem 1 proof): with ``ell = Omega beta^L``, ``b = ell + beta^N``,
``E||h_k||^2 = M z^T b_k``, ``E||h_k||^4 = M^2 (z^T b_k)^2 + z^T g_k`` with
``g = M (b^2 - ell^2)``, and ``E|h_k^H h_k'|^2 = z^T (c_kk' + d_kk')``, ``c = ell ell' q``,
``d = M (b b' - ell ell')``, ``q_{k,k',n} = |a_{k,n}^H a_{k',n}|^2`` (Dirichlet form).

Hot path: :func:`correlation_c` (numba, ``_nearfield_kernels.correlation_c_nb``) and its NumPy
twin :func:`correlation_c_numpy`; tests compare them.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.rng import as_generator
from . import _nearfield_kernels as _nk

__all__ = [
    "SPEED_OF_LIGHT", "wavelength_of", "candidate_positions", "candidate_index", "candidate_ij",
    "grid_centres", "grid_index", "grid_ijl", "hotspot_probabilities", "link_geometry",
    "path_gains", "field_regimes", "upa_response", "dirichlet", "los_correlation", "segment_hits_box",
    "los_test_points", "los_visibility", "correlation_c", "correlation_c_numpy", "moments",
    "draw_channels", "virtual_channel", "stack_channel",
]

SPEED_OF_LIGHT = 3e8


def wavelength_of(fc: float) -> float:
    """lambda = c / f_c (metres)."""
    return SPEED_OF_LIGHT / float(fc)


# ----------------------------------------------------------------------------- geometry
def _axis(lo, hi, n, convention):
    if n == 1:
        return np.array([0.5 * (lo + hi)]) if convention == "center" else np.array([float(lo)])
    if convention == "center":
        d = (hi - lo) / n
        return lo + (np.arange(n) + 0.5) * d
    return lo + np.arange(n) * (hi - lo) / (n - 1)


def candidate_positions(x_range, z_range, Nx: int, Nz: int, convention: str = "center") -> np.ndarray:
    """Candidate positions (N0, 3), N0 = Nx*Nz, on the plane y = 0 (eq. (1)).

    ``convention="center"``: cell centres ``x_min + (i + 1/2) Delta_x``; ``"endpoints"``:
    ``x_min + i (x_max - x_min)/(Nx - 1)``.  With Nz = 1 the height is ``z_min`` (= z_max).
    Index ``n = j*Nx + i``.
    """
    if convention not in ("center", "endpoints"):
        raise ValueError(f"convention = {convention!r}: must be 'center' or 'endpoints'")
    xs = _axis(float(x_range[0]), float(x_range[1]), int(Nx), convention)
    zs = _axis(float(z_range[0]), float(z_range[1]), int(Nz), convention)
    X, Z = np.meshgrid(xs, zs)  # (Nz, Nx)
    return np.stack([X.ravel(), np.zeros(X.size), Z.ravel()], axis=1)


def candidate_index(i, j, Nx: int):
    """Linear candidate index n = j*Nx + i (0-based)."""
    return np.asarray(j) * Nx + np.asarray(i)


def candidate_ij(n, Nx: int):
    """Inverse of :func:`candidate_index`: returns (i, j)."""
    n = np.asarray(n)
    return n % Nx, n // Nx


def grid_centres(x_range, y_range, z_range, Kx: int, Ky: int, Kz: int) -> np.ndarray:
    """Grid (cell) centres t_k (K, 3), K = Kx*Ky*Kz, index k = l*Kx*Ky + j*Kx + i (eq. (5))."""
    xs = _axis(float(x_range[0]), float(x_range[1]), int(Kx), "center")
    ys = _axis(float(y_range[0]), float(y_range[1]), int(Ky), "center")
    zs = _axis(float(z_range[0]), float(z_range[1]), int(Kz), "center")
    Z, Y, X = np.meshgrid(zs, ys, xs, indexing="ij")  # (Kz, Ky, Kx)
    return np.stack([X.ravel(), Y.ravel(), Z.ravel()], axis=1)


def grid_index(i, j, l, Kx: int, Ky: int):
    """Linear grid index k = l*Kx*Ky + j*Kx + i (0-based)."""
    return np.asarray(l) * Kx * Ky + np.asarray(j) * Kx + np.asarray(i)


def grid_ijl(k, Kx: int, Ky: int):
    """Inverse of :func:`grid_index`: returns (i, j, l)."""
    k = np.asarray(k)
    return k % Kx, (k // Kx) % Ky, k // (Kx * Ky)


def hotspot_probabilities(K: int, classes, Kbar: float, eta: float, mu: float = 2.0) -> np.ndarray:
    r"""Activation probabilities rho (K,) from hotspot classes (eq. (38)).

    ``classes`` is a list of index lists [K_1, K_2, ...] (hotspot grids, 0-based).  Regular grids
    share ``eta*Kbar``: ``|K_0| rho_0 = eta Kbar``; hotspots share ``(1-eta) Kbar`` with
    ``rho_1 = mu rho_2 = mu^2 rho_3 ...`` (one class: all equal).  Sum of rho is Kbar.
    """
    rho = np.zeros(int(K))
    hot = [np.asarray(c, int) for c in classes if len(c)]
    taken = np.zeros(K, bool)
    for c in hot:
        taken[c] = True
    n0 = int(K - taken.sum())
    if n0 > 0:
        rho[~taken] = eta * Kbar / n0
    rel = np.array([mu ** (-i) for i in range(len(hot))])
    if hot:
        scale = (1.0 - eta) * Kbar / sum(r * len(c) for r, c in zip(rel, hot))
        for r, c in zip(rel, hot):
            rho[c] = r * scale
    return rho


# ----------------------------------------------------------------------------- links
def link_geometry(users, positions):
    """Distances D (K, P) and unit vectors u = (t_k - r_n)/D (K, P, 3)."""
    diff = np.asarray(users, float)[:, None, :] - np.asarray(positions, float)[None, :, :]
    D = np.linalg.norm(diff, axis=-1)
    return D, diff / D[..., None]


def path_gains(D, wavelength: float, kappa: float, law="free_space"):
    """LoS and NLoS average gains (K, P): ``beta^L = (lambda/(4 pi D))^2`` (``law="free_space"``)
    or ``beta0 * D**-alpha`` (``law=(beta0, alpha)``); ``beta^N = beta^L / kappa`` (kappa linear)."""
    D = np.asarray(D, float)
    if isinstance(law, str):
        if law != "free_space":
            raise ValueError(f"law = {law!r}: must be 'free_space' or (beta0, alpha)")
        bl = (wavelength / (4.0 * np.pi * D)) ** 2
    else:
        beta0, alpha = law
        bl = float(beta0) * D ** (-float(alpha))
    return bl, bl / float(kappa)


def field_regimes(D, *, MH, MV, dH, dV, wavelength, region_size):
    """Checks (8)-(9): (far field of one subarray, near field of the whole region) per link.

    ``D`` distances (any shape); far field iff D >= 2 D_sub^2 / lambda with
    D_sub = sqrt(((MH-1) dH)^2 + ((MV-1) dV)^2); near field iff D < 2 D_MA^2 / lambda with
    D_MA = ``region_size`` (the diagonal of the MA region).  Returns two bool arrays like D."""
    D = np.asarray(D, float)
    d_sub = math.hypot((MH - 1) * dH, (MV - 1) * dV)
    return D >= 2 * d_sub ** 2 / wavelength, D < 2 * float(region_size) ** 2 / wavelength


def upa_response(u, MH: int, MV: int, dH: float, dV: float, wavelength: float) -> np.ndarray:
    """UPA response a = a_V(u_z) kron a_H(u_x), shape u.shape[:-1] + (MH*MV,); ||a||^2 = M.

    ``[a_H(u)]_m = exp(j 2 pi/lambda dH (m - (MH-1)/2) u_x)`` (0-based m), element m_v*MH + m_h.
    """
    u = np.asarray(u, float)
    mh = np.arange(MH) - (MH - 1) / 2.0
    mv = np.arange(MV) - (MV - 1) / 2.0
    k = 2.0 * np.pi / wavelength
    aH = np.exp(1j * k * dH * u[..., 0:1] * mh)            # (..., MH)
    aV = np.exp(1j * k * dV * u[..., 2:3] * mv)            # (..., MV)
    return (aV[..., :, None] * aH[..., None, :]).reshape(u.shape[:-1] + (MH * MV,))


def dirichlet(M: int, psi) -> np.ndarray:
    """D_M(psi) = sin^2(M psi/2)/sin^2(psi/2), = M^2 where |sin(psi/2)| < 1e-12."""
    psi = np.asarray(psi, float)
    s = np.sin(0.5 * psi)
    small = np.abs(s) < 1e-12
    t = np.sin(0.5 * M * psi)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (t * t) / (s * s)
    return np.where(small, float(M * M), out)


def los_correlation(u1, u2, MH: int, MV: int, dH: float, dV: float, wavelength: float) -> np.ndarray:
    """q = |a(u1)^H a(u2)|^2 = D_MH(psi_H) D_MV(psi_V) (broadcast over leading axes)."""
    u1 = np.asarray(u1, float)
    u2 = np.asarray(u2, float)
    sH = 2.0 * np.pi * dH / wavelength
    sV = 2.0 * np.pi * dV / wavelength
    q = dirichlet(MH, sH * (u2[..., 0] - u1[..., 0]))
    if MV > 1:
        q = q * dirichlet(MV, sV * (u2[..., 2] - u1[..., 2]))
    return q


# ----------------------------------------------------------------------------- visibility
def segment_hits_box(p0, p1, lo, hi) -> np.ndarray:
    """Slab test: does the closed segment p0->p1 meet the closed box [lo, hi]?

    p0, p1 broadcastable arrays (..., 3); lo, hi (3,).  An endpoint inside the box is a hit; a
    segment parallel to a face hits only if it lies within that slab.  Returns bool (...).
    """
    p0 = np.asarray(p0, float)
    d = np.asarray(p1, float) - p0
    lo = np.asarray(lo, float)
    hi = np.asarray(hi, float)
    par = np.abs(d) < 1e-15
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = (lo - p0) / d
        t2 = (hi - p0) / d
    inside = (p0 >= lo) & (p0 <= hi)
    tmin_ax = np.where(par, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2))
    tmax_ax = np.where(par, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2))
    tmin = np.maximum(tmin_ax.max(axis=-1), 0.0)
    tmax = np.minimum(tmax_ax.min(axis=-1), 1.0)
    return tmin <= tmax


def los_test_points(centres, half_sizes, n_points: int = 20, seed=0) -> np.ndarray:
    """``n_points`` uniform points in each cell [t_k - h, t_k + h]: (K, n_points, 3), seeded."""
    rng = as_generator(seed)
    centres = np.asarray(centres, float)
    h = np.broadcast_to(np.asarray(half_sizes, float), (3,))
    U = rng.uniform(-1.0, 1.0, (centres.shape[0], int(n_points), 3))
    return centres[:, None, :] + U * h


def los_visibility(points, positions, obstacles, block: int = 64) -> np.ndarray:
    """Omega (K, P) bool: 1 iff every segment from position n to every test point of cell k
    misses every obstacle.  ``points`` (K, Q, 3) (Q = 1 for exact points), ``positions`` (P, 3),
    ``obstacles`` (O, 6) rows ``[cx, cy, cz, sx, sy, sz]`` (centre, size).  Vectorised in blocks of k.
    """
    points = np.asarray(points, float)
    if points.ndim == 2:
        points = points[:, None, :]
    positions = np.asarray(positions, float)
    K = points.shape[0]
    P = positions.shape[0]
    omega = np.ones((K, P), bool)
    obstacles = np.asarray(obstacles, float).reshape(-1, 6)
    if obstacles.shape[0] == 0:
        return omega
    for s in range(0, K, block):
        pts = points[s:s + block]                                    # (b, Q, 3)
        blocked = np.zeros((pts.shape[0], P), bool)
        for ob in obstacles:
            lo = ob[:3] - ob[3:] / 2.0
            hi = ob[:3] + ob[3:] / 2.0
            hit = segment_hits_box(positions[None, None, :, :], pts[:, :, None, :], lo, hi)  # (b, Q, P)
            blocked |= hit.any(axis=1)
        omega[s:s + block] = ~blocked
    return omega


# ----------------------------------------------------------------------------- Theorem 1 moments
def _dirichlet_pairs(a, M, sl):
    """D_M for all pairs (k in sl, k') from half-angles a (K, P) via the difference identity: (b, K, P)."""
    s, c, sm, cm = np.sin(a), np.cos(a), np.sin(M * a), np.cos(M * a)
    sd = s[None, :, :] * c[sl, None, :] - c[None, :, :] * s[sl, None, :]
    td = sm[None, :, :] * cm[sl, None, :] - cm[None, :, :] * sm[sl, None, :]
    small = np.abs(sd) < 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(small, float(M * M), (td * td) / (sd * sd))


def correlation_c_numpy(ux, uz, ell, w, MH, MV, sH, sV, block: int = 16) -> np.ndarray:
    """NumPy twin of the hot path: (K, P) array
    ``ell[k,n] * sum_{k' != k} w[k'] ell[k',n] D_MH(sH (ux[k',n]-ux[k,n])) D_MV(sV (uz[k',n]-uz[k,n]))``
    (Dirichlet kernels through the sine-difference identity, exactly as the numba kernel)."""
    ux = np.asarray(ux, float)
    uz = np.asarray(uz, float)
    ell = np.asarray(ell, float)
    w = np.asarray(w, float)
    K = ell.shape[0]
    aH, aV = 0.5 * sH * ux, 0.5 * sV * uz
    wl = w[:, None] * ell                                                  # (K, P)
    out = np.zeros_like(ell)
    for s in range(0, K, block):
        sl = slice(s, min(K, s + block))
        q = _dirichlet_pairs(aH, MH, sl)                                   # (b, K', P)
        if MV > 1:
            q = q * _dirichlet_pairs(aV, MV, sl)
        t = q * wl[None, :, :]
        idx = np.arange(sl.start, sl.stop)
        t[idx - s, idx, :] = 0.0
        out[sl] = ell[sl] * t.sum(axis=1)
    return out


def correlation_c(ux, uz, ell, w, MH, MV, sH, sV) -> np.ndarray:
    """numba version of :func:`correlation_c_numpy` (same arguments, (K, P) result)."""
    return _nk.correlation_c_nb(np.ascontiguousarray(ux, float), np.ascontiguousarray(uz, float),
                                np.ascontiguousarray(ell, float), np.ascontiguousarray(w, float),
                                int(MH), int(MV), float(sH), float(sV))


def moments(users, positions, omega, weights, *, MH, MV, dH, dV, wavelength, kappa,
            law="free_space", use_numba: bool = True) -> dict:
    r"""Per-(grid, position) Theorem-1 quantities for users (K, 3) and positions (P, 3).

    ``weights`` w_k = rho_k gamma_k (K,).  Returns dict of (K, P) arrays: ``ell`` = Omega beta^L,
    ``betaN``, ``b`` = ell + beta^N, ``g`` = M (b^2 - ell^2), ``e`` = sum_{k'!=k} w_k' (c_kk' + d_kk'),
    plus ``u`` (K, P, 3).  The d part is separable (O(KP)), the c part is the hot path (O(K^2 P)).
    """
    M = MH * MV
    D, u = link_geometry(users, positions)
    bl, bn = path_gains(D, wavelength, kappa, law)
    ell = np.asarray(omega, float) * bl
    b = ell + bn
    g = M * (b * b - ell * ell)
    w = np.asarray(weights, float)
    wb = w @ b
    wl = w @ ell
    e_d = M * (b * (wb[None, :] - w[:, None] * b) - ell * (wl[None, :] - w[:, None] * ell))
    sH = 2.0 * np.pi * dH / wavelength
    sV = 2.0 * np.pi * dV / wavelength
    fn = correlation_c if use_numba else correlation_c_numpy
    e_c = fn(u[..., 0], u[..., 2], ell, w, MH, MV, sH, sV)
    return {"ell": ell, "betaN": bn, "b": b, "g": g, "e": e_c + e_d, "u": u, "D": D}


# ----------------------------------------------------------------------------- random channels
def draw_channels(rng, ell, betaN, a, R: int, *, los_phase: str = "independent", distances=None,
                  wavelength: float | None = None) -> np.ndarray:
    """R realizations of the per-position channels hbar_{k,p} (R, K, P, M) (eqs. (11), (13), (14)).

    ``ell``, ``betaN`` (K, P); ``a`` (K, P, M) responses.  NLoS CN(0, beta^N I_M) i.i.d.  LoS
    phase model ``los_phase``:

    * ``"independent"`` (default, the model of Theorem 1): phi_{k,p} ~ U[0, 2 pi) i.i.d. per
      (realization, k, p) -- the user's spot within its cell is unknown to many wavelengths;
    * ``"coherent"``: phi_{k,p} = phi_k - 2 pi D_{k,p} / lambda with one phi_k ~ U[0, 2 pi) per
      (realization, k) and the grid-centre distances ``distances`` (K, P) (needs ``wavelength``):
      the subarrays see the spherical-wave phases of a user at the cell centre.
    """
    rng = as_generator(rng)
    K, P, M = a.shape
    if los_phase == "independent":
        phase = np.exp(1j * rng.uniform(0.0, 2.0 * np.pi, (R, K, P)))
    elif los_phase == "coherent":
        if distances is None or wavelength is None:
            raise InvalidProblemError("draw_channels.los_phase = 'coherent': needs distances (K, P) and wavelength")
        geo = np.exp(-2j * np.pi * np.asarray(distances, float) / float(wavelength))
        phase = np.exp(1j * rng.uniform(0.0, 2.0 * np.pi, (R, K, 1))) * geo[None]
    else:
        raise InvalidProblemError(
            f"draw_channels.los_phase = {los_phase!r}: must be one of ['independent', 'coherent']")
    # one draw of interleaved (re, im) pairs viewed as complex, scaled and summed in place: the
    # (R, K, P, M) arrays are the hot path of the Monte Carlo evaluation (memory bound)
    h = rng.standard_normal((R, K, P, M, 2)).view(np.complex128)[..., 0]
    h *= np.sqrt(0.5 * np.asarray(betaN, float))[None, :, :, None]
    h += phase[..., None] * (np.sqrt(ell)[:, :, None] * a)[None]
    return h


def virtual_channel(hbar) -> np.ndarray:
    """Virtual channel matrix Hbar (N0*M, K) from per-position channels hbar (K, N0, M) (eq. (15))."""
    K, N0, M = hbar.shape
    return hbar.reshape(K, N0 * M).T


def stack_channel(Hbar, selection, M: int) -> np.ndarray:
    """H = (Phi kron I_M) Hbar (N*M, K) for placement ``selection`` (pi(n), n = 0..N-1) (eq. (16))."""
    selection = np.asarray(selection, int)
    N0 = Hbar.shape[0] // M
    Phi = np.zeros((selection.size, N0))
    Phi[np.arange(selection.size), selection] = 1.0
    return np.kron(Phi, np.eye(M)) @ Hbar
