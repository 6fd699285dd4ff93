r"""Example-level full-duplex / MA-array problems E1-E4 (spec full_duplex.md §3.3).

* :class:`CcfdMaxMinProblem` (E1): two co-frequency co-time FD terminals A and B, each with one
  transmit and one receive MA in its own ``A x A`` region; every channel (self-interference
  included) is field response ``h_pq = f(r_q)^H Sigma_pq g(t_p)``;
  ``gamma_q = P|h_pq|^2 / (rho P |h_qq|^2 + sigma^2)``, maximise ``min(R_A, R_B)`` over the four
  positions (no beamformers). Solvers: PSO (``pso_positions``) and the APO baseline
  (:func:`matoolbox.solvers.ccfd_apo`).
* :class:`SpectrumSharingProblem` (E2): secondary transmitter with N MAs, K primary receivers:
  ``max |h_0^H(t) w|^2 / sigma^2`` s.t. ``||w||^2 <= P``, ``|h_k^H(t) w|^2 <= Gamma``, region and
  spacing. AO: exact SOCP for ``w`` then grid enumeration of one antenna at a time.
* :class:`NullSteeringProblem` (E3): linear array, ``G(theta) = |w^H a(x, theta)|^2``,
  ``a_n = exp(j k0 x_n cos theta)``; maximise ``G(theta_0)`` with ``G(theta_k) = 0`` and
  ``||w|| = 1``. Closed form: :func:`matoolbox.solvers.null_steering_layout`.
* :class:`MultiBeamProblem` (E4): linear array, ``max min_k G(theta_k)`` s.t.
  ``G(phi_l) <= xi``, ``||w||^2 <= 1``, ``x in [0, A]``, spacing. AO: SDR + randomisation for
  ``w`` then the SCA QCQP for the positions.

Variables (``x`` dicts): ``positions`` (E1: (4, 2), rows ``[t_A, r_A, t_B, r_B]``; E2: (N, 2);
E3/E4: (N,) sorted) and ``precoders`` (E2-E4: complex (N,)). E1 and E2 use metres, E3 and E4
use units of the wavelength (``wavelength = 1``).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..channels.field_response import directions, wavenumber
from ..core.problem import Block, Problem
from ..core.rng import as_generator
from ..core.validate import (
    fail, require_finite, require_int, require_nonnegative, require_positive, require_shape,
)

__all__ = [
    "CcfdMaxMinProblem", "SpectrumSharingProblem", "NullSteeringProblem", "MultiBeamProblem",
    "project_line", "steering_matrix", "array_gain", "array_gain_grad", "zf_gain",
]

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


# ----------------------------------------------------------------------------------------------
# E1: two-terminal CCFD max-min
# ----------------------------------------------------------------------------------------------
#: link order of E1's channel arrays: (transmitting terminal, receiving terminal)
E1_LINKS = ("AB", "BA", "AA", "BB")
#: rows of E1's ``positions`` used by each link: (tx row, rx row); rows are [t_A, r_A, t_B, r_B]
_E1_ROWS = ((0, 3), (2, 1), (0, 1), (2, 3))


@dataclasses.dataclass(frozen=True, eq=False)
class CcfdMaxMinProblem(Problem):
    r"""E1: two-terminal co-frequency co-time FD max-min over four MA positions ([CL24], review (13)-(15)).

    Link ``pq`` (p transmits, q receives; order ``E1_LINKS = (AB, BA, AA, BB)``) has
    ``h_pq = f(r_q)^H Sigma_pq g(t_p)`` with ``g(t) = [e^{j k0 u_l^T t}]_l`` (Lt,) and
    ``f(r) = [e^{j k0 v_i^T r}]_i`` (Lr,). Rates ``R_q = log2(1 + gamma_q)``,
    ``gamma_B = P|h_AB|^2 / (rho P |h_BB|^2 + sigma^2)`` and symmetrically for A.

    Fields: ``dirs_tx`` (4, Lt, 2) and ``dirs_rx`` (4, Lr, 2) unit projected wave vectors;
    ``sigma`` (4, Lr, Lt) complex path responses (linear amplitude, path loss included);
    ``p_t_dbm`` transmit power of each terminal; ``noise_dbm``; ``si_db`` residual SI factor rho;
    ``wavelength`` and ``region`` (side A of every square region [0, A]^2) in metres.
    ``x["positions"]`` is (4, 2) with rows ``[t_A, r_A, t_B, r_B]`` in local region frames.
    """

    dirs_tx: np.ndarray
    dirs_rx: np.ndarray
    sigma: np.ndarray
    p_t_dbm: float = 20.0
    noise_dbm: float = -80.0
    si_db: float = -70.0
    wavelength: float = 0.1
    region: float = 0.3

    def validate(self):
        own = type(self).__name__
        for f in ("p_t_dbm", "noise_dbm", "si_db"):
            require_finite(own, f, getattr(self, f))
        require_positive(own, "wavelength", self.wavelength)
        require_positive(own, "region", self.region)
        dt = require_shape(own, "dirs_tx", require_finite(own, "dirs_tx", self.dirs_tx), (4, None, 2))
        dr = require_shape(own, "dirs_rx", require_finite(own, "dirs_rx", self.dirs_rx), (4, None, 2))
        sg = require_shape(own, "sigma", require_finite(own, "sigma", self.sigma),
                           (4, dr.shape[1], dt.shape[1]))
        _set(self, "dirs_tx", np.asarray(dt, float))
        _set(self, "dirs_rx", np.asarray(dr, float))
        _set(self, "sigma", np.asarray(sg, complex))

    @classmethod
    def random(cls, seed=None, *, n_paths=5, distance=50.0, c0_db=-30.0, alpha=2.8, **fields):
        """One channel draw: angles U[0, pi], cross links with diagonal Sigma ~ CN(0, beta/L)
        (beta = C0 d^-alpha), SI links with full Sigma ~ CN(0, beta_SI/(L L)),
        ``beta_SI = (lambda / (4 pi d_c))^2``, ``d_c = A + lambda`` (Tx/Rx region centres)."""
        rng = as_generator(seed)
        require_int(cls.__name__, "n_paths", n_paths)
        require_positive(cls.__name__, "distance", distance)
        lam = float(fields.get("wavelength", cls.wavelength))
        size = float(fields.get("region", cls.region))
        L = int(n_paths)
        dirs_tx = _random_fd_directions(rng, (4, L))
        dirs_rx = _random_fd_directions(rng, (4, L))
        beta = _path_loss(distance, c0_db, alpha)
        beta_si = (lam / (4 * np.pi * (size + lam))) ** 2
        sigma = np.zeros((4, L, L), complex)
        for k in range(2):
            sigma[k] = np.diag(_cn(rng, L, beta / L))
        for k in range(2, 4):
            sigma[k] = _cn(rng, (L, L), beta_si / (L * L))
        return cls(dirs_tx=dirs_tx, dirs_rx=dirs_rx, sigma=sigma, **fields)

    # -- channel and rates -------------------------------------------------------------------
    @property
    def snr_scale(self) -> float:
        """P / sigma^2 (linear)."""
        return float(_db(self.p_t_dbm - self.noise_dbm))

    def channels(self, positions) -> np.ndarray:
        """h_pq for every link: positions (..., 4, 2) -> (..., 4) complex (order ``E1_LINKS``)."""
        P = np.asarray(positions, float)
        k0 = wavenumber(self.wavelength)
        out = []
        for link, (rt, rr) in enumerate(_E1_ROWS):
            g = np.exp(1j * k0 * P[..., rt, :] @ self.dirs_tx[link].T)       # (..., Lt)
            fc = np.exp(-1j * k0 * P[..., rr, :] @ self.dirs_rx[link].T)     # (..., Lr) = f^H
            out.append(np.einsum("...i,ij,...j->...", fc, self.sigma[link], g))
        return np.stack(out, axis=-1)

    def sinrs(self, positions) -> np.ndarray:
        """(gamma_A, gamma_B): (..., 2)."""
        h2 = np.abs(self.channels(positions)) ** 2
        s, rho = self.snr_scale, float(_db(self.si_db))
        g_a = s * h2[..., 1] / (rho * s * h2[..., 2] + 1.0)
        g_b = s * h2[..., 0] / (rho * s * h2[..., 3] + 1.0)
        return np.stack([g_a, g_b], axis=-1)

    def rates(self, positions) -> np.ndarray:
        """(R_A, R_B) in bit/s/Hz: (..., 2)."""
        return np.log2(1.0 + self.sinrs(positions))

    # -- Problem interface -------------------------------------------------------------------
    def objective(self, x) -> float:
        return float(self.rates(x["positions"]).min())

    def objective_batch(self, block, values, x=None) -> np.ndarray:
        """min(R_A, R_B) for a swarm of layouts (n, 4, 2) -> (n,)."""
        self._check_block(block)
        return self.rates(values).min(axis=-1)

    def violation(self, x) -> float:
        P = np.asarray(x["positions"], float)
        if P.shape != (4, 2) or not np.all(np.isfinite(P)):
            return math.inf
        return max(0.0, float(-P.min()), float(P.max() - self.region)) / self.wavelength

    def bounds(self, block):
        self._check_block(block)
        return np.zeros((4, 2)), np.full((4, 2), float(self.region))

    def project(self, block, value):
        self._check_block(block)
        return np.clip(np.asarray(value, float), 0.0, self.region)

    def fpa_positions(self) -> np.ndarray:
        """FPA layout: every antenna at the centre of its region, (4, 2)."""
        return np.full((4, 2), self.region / 2)

    def initial_point(self, rng=None):
        return {"positions": self.fpa_positions()}

    def random_point(self, rng=None):
        """A uniformly random feasible layout."""
        return {"positions": as_generator(rng).uniform(0.0, self.region, size=(4, 2))}

    def evaluate(self, x) -> dict:
        g = self.sinrs(x["positions"])
        r = np.log2(1 + g)
        return {"rate_A": float(r[0]), "rate_B": float(r[1]), "min_rate": float(r.min()),
                "sinr_A_db": float(10 * np.log10(g[0])), "sinr_B_db": float(10 * np.log10(g[1]))}

    def ao_blocks(self):
        from ..solvers.pso import PsoOptions, pso_positions

        return [Block("positions", pso_positions, PsoOptions(block="positions", n_particles=40, iters=100))]

    def ao_defaults(self):
        return {"max_iter": 2, "tol": 1e-4}

    def _check_block(self, block):
        if block != "positions":
            fail(type(self).__name__, "block", block, "must be 'positions'")


# ----------------------------------------------------------------------------------------------
# E2: spectrum sharing
# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class SpectrumSharingProblem(Problem):
    r"""E2: MA-aided spectrum sharing ([Wei], review (8)).

    A secondary transmitter with N MAs in [0, A]^2 serves its receiver (link 0) under interference
    caps at K primary receivers (links 1..K): with the field-response rows
    ``[h_k^H(t)]_n = sum_l sigma_{k,l} e^{j k0 u_{k,l}^T t_n}``,

        max |h_0^H w|^2 / sigma^2   s.t.  ||w||^2 <= P,  |h_k^H w|^2 <= Gamma,  region, spacing.

    ``Gamma = sigma^2 10^(inr_cap_db/10)`` (``inr_cap_db = -inf``: Gamma = 0, exact nulls).
    Fields: ``dirs`` (K+1, L, 2), ``gains`` (K+1, L) complex path responses (path loss included);
    powers in dBm; ``wavelength``, ``region``, ``d_min`` in metres.
    ``x = {"positions": (N, 2), "precoders": (N,) complex}``; ``objective`` is the SNR (linear).
    """

    dirs: np.ndarray
    gains: np.ndarray
    n_antennas: int = 4
    power_dbm: float = 30.0
    noise_dbm: float = -80.0
    inr_cap_db: float = 0.0
    wavelength: float = 0.1
    region: float = 0.4
    d_min: float = 0.05

    def validate(self):
        own = type(self).__name__
        n = require_int(own, "n_antennas", self.n_antennas)
        for f in ("power_dbm", "noise_dbm"):
            require_finite(own, f, getattr(self, f))
        if not (isinstance(self.inr_cap_db, (int, float, np.floating, np.integer))
                and not np.isnan(self.inr_cap_db) and self.inr_cap_db < np.inf):
            fail(own, "inr_cap_db", self.inr_cap_db, "must be a number < inf (-inf means Gamma = 0)")
        require_positive(own, "wavelength", self.wavelength)
        require_positive(own, "region", self.region)
        require_nonnegative(own, "d_min", self.d_min)
        d = require_shape(own, "dirs", require_finite(own, "dirs", self.dirs), (None, None, 2))
        if d.shape[0] < 1:
            fail(own, "dirs", self.dirs, "needs at least the secondary link")
        g = require_shape(own, "gains", require_finite(own, "gains", self.gains), d.shape[:2])
        cols = math.ceil(math.sqrt(n))
        rows = math.ceil(n / cols)
        if (max(cols, rows) - 1) * max(self.d_min, self.wavelength / 2) > self.region:
            fail(own, "region", self.region,
                 f"cannot hold the {rows}x{cols} FPA grid at spacing {max(self.d_min, self.wavelength / 2)}")
        _set(self, "dirs", np.asarray(d, float))
        _set(self, "gains", np.asarray(g, complex))
        _set(self, "n_antennas", n)

    @classmethod
    def random(cls, seed=None, *, n_primary=3, n_paths=5, distance=(50.0, 100.0), c0_db=-30.0,
               alpha=2.8, **fields):
        """Receivers at distances ~ U[distance]; sigma_{k,l} ~ CN(0, beta_k / L); angles U[0, pi]."""
        rng = as_generator(seed)
        require_int(cls.__name__, "n_primary", n_primary, minimum=0)
        require_int(cls.__name__, "n_paths", n_paths)
        K1, L = int(n_primary) + 1, int(n_paths)
        dist = rng.uniform(distance[0], distance[1], size=K1)
        dirs = _random_fd_directions(rng, (K1, L))
        beta = np.array([_path_loss(d_, c0_db, alpha) for d_ in dist])
        gains = _cn(rng, (K1, L), 1.0) * np.sqrt(beta / L)[:, None]
        return cls(dirs=dirs, gains=gains, **fields)

    @property
    def n_primary(self) -> int:
        return self.dirs.shape[0] - 1

    @property
    def power(self) -> float:
        """P in W."""
        return float(_db(self.power_dbm - 30.0))

    @property
    def gamma(self) -> float:
        """Noise-normalised interference cap Gamma / sigma^2."""
        return 0.0 if self.inr_cap_db == -np.inf else float(_db(self.inr_cap_db))

    def channel_rows(self, positions, normalized=True) -> np.ndarray:
        """Rows h_k^H(t): positions (..., N, 2) -> (..., K+1, N), divided by sigma if ``normalized``."""
        P = np.asarray(positions, float)
        E = np.exp(1j * wavenumber(self.wavelength) * np.einsum("...nd,kld->...knl", P, self.dirs))
        rows = np.einsum("...knl,kl->...kn", E, self.gains)
        return rows / math.sqrt(_db(self.noise_dbm - 30.0)) if normalized else rows

    def grid_response(self, points) -> np.ndarray:
        """Noise-normalised per-antenna response u_k(p) at candidate points (G, 2): (K+1, G)."""
        E = np.exp(1j * wavenumber(self.wavelength) * np.einsum("gd,kld->kgl", np.asarray(points, float), self.dirs))
        return np.einsum("kgl,kl->kg", E, self.gains) / math.sqrt(_db(self.noise_dbm - 30.0))

    def objective(self, x) -> float:
        r = self.channel_rows(x["positions"])[0]
        return float(abs(r @ np.asarray(x["precoders"], complex)) ** 2)

    def objective_batch(self, block, values, x):
        """SNR for a swarm of layouts (n, N, 2) with x["precoders"] fixed: (n,)."""
        self._check_block(block)
        r = self.channel_rows(values)[..., 0, :]
        return np.abs(r @ np.asarray(x["precoders"], complex)) ** 2

    def interference(self, x) -> np.ndarray:
        """Noise-normalised |h_k^H w|^2 at the K primary receivers: (K,)."""
        r = self.channel_rows(x["positions"])[1:]
        return np.abs(r @ np.asarray(x["precoders"], complex)) ** 2

    def violation(self, x) -> float:
        """max(||w||^2/P - 1, (|h_k^H w|^2/sigma^2 - Gamma)/max(Gamma, 1), box and spacing
        shortfall in wavelengths), >= 0."""
        P = np.asarray(x["positions"], float)
        w = np.asarray(x["precoders"], complex)
        n = self.n_antennas
        if P.shape != (n, 2) or w.shape != (n,) or not np.all(np.isfinite(P)) or not np.all(np.isfinite(w)):
            return math.inf
        v = max(0.0, float(-P.min()), float(P.max() - self.region)) / self.wavelength
        if n > 1 and self.d_min > 0:
            v = max(v, float(self.d_min - _pairwise_min_dist(P)) / self.wavelength)
        v = max(v, float(np.vdot(w, w).real) / self.power - 1.0)
        if self.n_primary:
            v = max(v, float((self.interference(x).max() - self.gamma) / max(self.gamma, 1.0)))
        return max(v, 0.0)

    def gradient(self, block, x):
        r"""d SNR / d t_n = 2 Re{z^* w_n d[h_0^H]_n/dt_n}, z = h_0^H w: (N, 2) (w fixed)."""
        self._check_block(block)
        P = np.asarray(x["positions"], float)
        w = np.asarray(x["precoders"], complex)
        k0 = wavenumber(self.wavelength)
        E = np.exp(1j * k0 * P @ self.dirs[0].T)                              # (N, L)
        scale = 1.0 / math.sqrt(_db(self.noise_dbm - 30.0))
        r = (E @ self.gains[0]) * scale                                       # (N,)
        dr = np.einsum("nl,l,ld->nd", E, self.gains[0], 1j * k0 * self.dirs[0]) * scale
        z = r @ w
        return 2.0 * np.real(np.conj(z) * w[:, None] * dr)

    def bounds(self, block):
        self._check_block(block)
        return np.zeros((self.n_antennas, 2)), np.full((self.n_antennas, 2), float(self.region))

    def project(self, block, value):
        """Clip to the region and push apart pairs closer than d_min (heuristic repair; the FPA
        layout if that fails), so the result is always feasible."""
        self._check_block(block)
        return _repair_plane(value, self.region, self.d_min, fallback=self.fpa_positions())

    def fpa_positions(self) -> np.ndarray:
        """FPA grid with spacing max(lambda/2, d_min) centred in the region: (N, 2)."""
        return _fpa_grid(self.n_antennas, self.region, max(self.d_min, self.wavelength / 2))

    def initial_point(self, rng=None):
        """FPA layout, w = 0 (feasible)."""
        return {"positions": self.fpa_positions(), "precoders": np.zeros(self.n_antennas, complex)}

    def random_point(self, rng=None):
        """A random feasible layout (rejection sampling of the spacing) and w = 0."""
        rng = as_generator(rng)
        for _ in range(1000):
            P = rng.uniform(0.0, self.region, size=(self.n_antennas, 2))
            if self.n_antennas < 2 or _pairwise_min_dist(P) >= self.d_min:
                return {"positions": P, "precoders": np.zeros(self.n_antennas, complex)}
        return {"positions": self.project("positions", P), "precoders": np.zeros(self.n_antennas, complex)}

    def evaluate(self, x) -> dict:
        snr = self.objective(x)
        out = {"snr": snr, "snr_db": float(10 * np.log10(max(snr, 1e-300))), "rate": float(np.log2(1 + snr))}
        if self.n_primary:
            out["max_inr_db"] = float(10 * np.log10(max(self.interference(x).max(), 1e-300)))
        return out

    def ao_blocks(self):
        from ..solvers.fd_examples import spectrum_sharing_beamformer, spectrum_sharing_enumeration

        return [Block("precoders", spectrum_sharing_beamformer), Block("positions", spectrum_sharing_enumeration)]

    def ao_defaults(self):
        return {"max_iter": 30, "tol": 1e-4}

    def _check_block(self, block):
        if block != "positions":
            fail(type(self).__name__, "block", block, "must be 'positions'")


# ----------------------------------------------------------------------------------------------
# E3: full array gain with null steering
# ----------------------------------------------------------------------------------------------
def _omega(n: int) -> int:
    """Number of prime factors of n counted with multiplicity."""
    count, p = 0, 2
    while p * p <= n:
        while n % p == 0:
            n //= p
            count += 1
        p += 1
    return count + (1 if n > 1 else 0)


@dataclasses.dataclass(frozen=True, eq=False)
class NullSteeringProblem(Problem):
    r"""E3: full array gain with null steering ([Zhu-NS], review (10)).

    Linear array ``x_1 < ... < x_N`` (units of ``wavelength``), ``a_n(theta) = e^{j k0 x_n cos theta}``,
    ``G(theta) = |w^H a(x, theta)|^2``: maximise ``G(theta_0)`` s.t. ``G(theta_k) = 0`` (k = 1..K),
    ``||w|| = 1`` and ``x_{n+1} - x_n >= d_min``; ``region`` None (unbounded line, the paper) or A
    (positions in [0, A], our finite variant). G(theta_0) <= N always.
    ``x = {"positions": (N,), "precoders": (N,) complex}``.
    """

    null_angles: np.ndarray
    n_antennas: int = 8
    theta0: float = np.pi / 2
    wavelength: float = 1.0
    d_min: float = 0.5
    region: float | None = None

    def validate(self):
        own = type(self).__name__
        n = require_int(own, "n_antennas", self.n_antennas, minimum=2)
        require_finite(own, "theta0", self.theta0)
        require_positive(own, "wavelength", self.wavelength)
        require_positive(own, "d_min", self.d_min)
        th = np.atleast_1d(np.asarray(require_finite(own, "null_angles", self.null_angles), float))
        if th.ndim != 1 or th.size < 1:
            fail(own, "null_angles", self.null_angles, "must be a non-empty 1-D array of angles")
        if th.size >= n:
            fail(own, "null_angles", th, f"needs fewer than n_antennas = {n} nulls")
        vt = np.cos(th) - np.cos(self.theta0)
        if np.any(np.abs(vt) < 1e-9):
            fail(own, "null_angles", th, "a null coincides with the main beam (cos theta_k = cos theta0)")
        if self.region is not None:
            require_positive(own, "region", self.region)
            if (n - 1) * self.d_min > self.region:
                fail(own, "region", self.region,
                     f"cannot hold {n} antennas at spacing d_min = {self.d_min}")
        elif th.size > _omega(n):
            fail(own, "null_angles", th,
                 f"the closed-form layout needs K <= Omega(N) = {_omega(n)} (prime factors of "
                 f"n_antennas = {n}); unbounded region has no other solver")
        _set(self, "null_angles", th)
        _set(self, "n_antennas", n)

    @classmethod
    def random(cls, seed=None, *, n_nulls=3, min_separation=0.1, **fields):
        """K null directions theta_k ~ U[0, pi] with |cos theta_k - cos theta_0| >= min_separation."""
        rng = as_generator(seed)
        require_int(cls.__name__, "n_nulls", n_nulls)
        theta0 = float(fields.get("theta0", cls.theta0))
        out = []
        while len(out) < n_nulls:
            t = rng.uniform(0.0, np.pi)
            if abs(np.cos(t) - np.cos(theta0)) >= min_separation:
                out.append(t)
        return cls(null_angles=np.array(out), **fields)

    @property
    def n_nulls(self) -> int:
        return int(self.null_angles.size)

    def gains(self, x, angles=None) -> np.ndarray:
        """G at ``angles`` (default ``[theta0, *null_angles]``): (K+1,)."""
        ang = np.r_[self.theta0, self.null_angles] if angles is None else angles
        return array_gain(x["precoders"], x["positions"], ang, self.wavelength)

    def objective(self, x) -> float:
        return float(self.gains(x, [self.theta0])[0])

    def violation(self, x) -> float:
        """max(| ||w|| - 1 |, max_k G(theta_k), spacing/box shortfall in wavelengths)."""
        w = np.asarray(x["precoders"], complex)
        pos = np.asarray(x["positions"], float)
        if pos.shape != (self.n_antennas,) or w.shape != (self.n_antennas,):
            return math.inf
        hi = math.inf if self.region is None else float(self.region)
        lo = 0.0 if self.region is not None else -math.inf
        v_geo = _line_violation(pos, lo, hi, self.d_min, self.wavelength)
        g = self.gains(x, self.null_angles)
        return float(max(abs(np.linalg.norm(w) - 1.0), float(g.max()), v_geo))

    def gradient(self, block, x):
        """d G(theta_0) / d positions (N,) (weights fixed)."""
        if block != "positions":
            fail(type(self).__name__, "block", block, "must be 'positions'")
        return array_gain_grad(x["precoders"], x["positions"], [self.theta0], self.wavelength)[0]

    def zf_gain(self, positions, return_weights=False):
        """Best gain with the nulls for fixed ``positions`` (..., N), see :func:`zf_gain`."""
        return zf_gain(positions, self.theta0, self.null_angles, self.wavelength, return_weights)

    def fpa_positions(self) -> np.ndarray:
        """ULA with spacing d_min (centred in [0, A] for a finite region, from 0 otherwise)."""
        return _fpa_line(self.n_antennas, self.region, self.d_min)

    def fpa_zf(self):
        """The FPA-ZF baseline: ``{"positions", "precoders"}`` on the ULA with ZF weights."""
        pos = self.fpa_positions()
        _, w = self.zf_gain(pos, return_weights=True)
        return {"positions": pos, "precoders": w}

    def initial_point(self, rng=None):
        return self.fpa_zf()

    def evaluate(self, x) -> dict:
        g = self.gains(x)
        return {"gain": float(g[0]), "gain_db": float(10 * np.log10(max(g[0], 1e-300))),
                "max_null_gain": float(g[1:].max()), "aperture": float(np.ptp(x["positions"]))}


# ----------------------------------------------------------------------------------------------
# E4: multi-beam max-min
# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class MultiBeamProblem(Problem):
    r"""E4: multi-beam forming with a linear MA array ([Ma-MB], review (11)-(12)).

    ``max_{x, w} min_k G(theta_k)`` s.t. ``G(phi_l) <= xi`` (l = 1..L), ``||w||^2 <= 1``,
    ``x in [0, A]^N`` sorted with ``x_{n+1} - x_n >= d_min`` (units of ``wavelength``);
    ``G(theta) = |w^H a(x, theta)|^2``, ``xi = 10^(xi_db/10)`` (absolute gain, max possible is N).
    ``x = {"positions": (N,), "precoders": (N,) complex}``.
    """

    beam_angles: np.ndarray
    null_angles: np.ndarray
    n_antennas: int = 8
    xi_db: float = -20.0
    wavelength: float = 1.0
    d_min: float = 0.5
    region: float = 10.0

    def validate(self):
        own = type(self).__name__
        n = require_int(own, "n_antennas", self.n_antennas, minimum=1)
        require_finite(own, "xi_db", self.xi_db)
        require_positive(own, "wavelength", self.wavelength)
        require_positive(own, "d_min", self.d_min)
        require_positive(own, "region", self.region)
        if (n - 1) * self.d_min > self.region:
            fail(own, "region", self.region, f"cannot hold {n} antennas at spacing d_min = {self.d_min}")
        b = np.atleast_1d(np.asarray(require_finite(own, "beam_angles", self.beam_angles), float))
        z = np.atleast_1d(np.asarray(require_finite(own, "null_angles", self.null_angles), float))
        if b.ndim != 1 or b.size < 1:
            fail(own, "beam_angles", self.beam_angles, "must be a non-empty 1-D array of angles")
        if z.ndim != 1:
            fail(own, "null_angles", self.null_angles, "must be a 1-D array of angles")
        for t in z:
            if np.any(np.abs(np.cos(b) - np.cos(t)) < 1e-9):
                fail(own, "null_angles", z, "an interference direction coincides with a beam")
        _set(self, "beam_angles", b)
        _set(self, "null_angles", z)
        _set(self, "n_antennas", n)

    @classmethod
    def random(cls, seed=None, *, n_beams=3, n_nulls=2, min_separation=0.1, **fields):
        """Beam and interference directions ~ U[0, pi], |cos| pairwise separated by ``min_separation``."""
        rng = as_generator(seed)
        require_int(cls.__name__, "n_beams", n_beams)
        require_int(cls.__name__, "n_nulls", n_nulls, minimum=0)
        out = []
        while len(out) < n_beams + n_nulls:
            t = rng.uniform(0.0, np.pi)
            if all(abs(np.cos(t) - np.cos(s)) >= min_separation for s in out):
                out.append(t)
        out = np.array(out)
        return cls(beam_angles=out[:n_beams], null_angles=out[n_beams:], **fields)

    @property
    def xi(self) -> float:
        return float(_db(self.xi_db))

    def beam_gains(self, x) -> np.ndarray:
        return array_gain(x["precoders"], x["positions"], self.beam_angles, self.wavelength)

    def null_gains(self, x) -> np.ndarray:
        return array_gain(x["precoders"], x["positions"], self.null_angles, self.wavelength)

    def objective(self, x) -> float:
        return float(self.beam_gains(x).min())

    def objective_batch(self, block, values, x):
        """min_k G(theta_k) for a swarm of positions (n, N) with x["precoders"] fixed."""
        self._check_block(block)
        return array_gain(x["precoders"], values, self.beam_angles, self.wavelength).min(axis=-1)

    def violation(self, x) -> float:
        """max(||w||^2 - 1, (G(phi_l) - xi)/xi, spacing/box shortfall in wavelengths), >= 0."""
        w = np.asarray(x["precoders"], complex)
        pos = np.asarray(x["positions"], float)
        if pos.shape != (self.n_antennas,) or w.shape != (self.n_antennas,):
            return math.inf
        v = _line_violation(pos, 0.0, self.region, self.d_min, self.wavelength)
        v = max(v, float(np.vdot(w, w).real) - 1.0)
        if self.null_angles.size:
            v = max(v, float((self.null_gains(x).max() - self.xi) / self.xi))
        return max(v, 0.0)

    def gradient(self, block, x):
        """A supergradient of min_k G(theta_k) w.r.t. the positions: gradient of the smallest beam gain."""
        self._check_block(block)
        k = int(np.argmin(self.beam_gains(x)))
        return array_gain_grad(x["precoders"], x["positions"], self.beam_angles[k:k + 1], self.wavelength)[0]

    def bounds(self, block):
        self._check_block(block)
        n = self.n_antennas
        return np.zeros(n), np.full(n, float(self.region))

    def project(self, block, value):
        self._check_block(block)
        return project_line(value, 0.0, self.region, self.d_min)

    def fpa_positions(self) -> np.ndarray:
        """ULA with spacing lambda/2 (or d_min if larger), centred in [0, A]."""
        return _fpa_line(self.n_antennas, self.region, max(self.d_min, self.wavelength / 2))

    def initial_point(self, rng=None):
        """FPA layout, w = 0 (feasible, objective 0)."""
        return {"positions": self.fpa_positions(), "precoders": np.zeros(self.n_antennas, complex)}

    def spread_positions(self) -> np.ndarray:
        """Equally spaced positions spanning the whole region [0, A]: (N,)."""
        return np.linspace(0.0, self.region, self.n_antennas)

    def ao_initial_point(self, rng=None):
        """AO start: the spread layout and w = 0. (The FPA ULA at spacing d_min has every spacing
        constraint active, which typically leaves the SCA position step no ascent direction.)"""
        return {"positions": self.spread_positions(), "precoders": np.zeros(self.n_antennas, complex)}

    def evaluate(self, x) -> dict:
        g = self.beam_gains(x)
        out = {"min_gain": float(g.min()), "min_gain_db": float(10 * np.log10(max(g.min(), 1e-300)))}
        if self.null_angles.size:
            out["max_null_gain"] = float(self.null_gains(x).max())
        return out

    def ao_blocks(self):
        from ..solvers.fd_examples import multibeam_awv, multibeam_apv

        return [Block("precoders", multibeam_awv), Block("positions", multibeam_apv)]

    def ao_defaults(self):
        return {"max_iter": 30, "tol": 1e-4}

    def _check_block(self, block):
        if block != "positions":
            fail(type(self).__name__, "block", block, "must be 'positions'")
