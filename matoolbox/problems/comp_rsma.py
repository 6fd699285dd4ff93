r"""Downlink CoMP with rate splitting (RSMA) and one movable antenna per user (spec comp_rsma_gml.md).

N BSs with I fixed antennas each jointly serve K single-MA users (coherent joint transmission).
Stream s = 0 is the common stream, s = k (1..K) the private stream of user k. With the stacked,
noise-normalised channel row h_k^H(r_k) in C^{NI} and stacked precoders p_s = P[:, :, s].reshape(NI),

    a_{k,s} = h_k^H p_s,   I^p_k = sum_{j>=1, j!=k} |a_{k,j}|^2 + 1,   I^c_k = I^p_k + |a_{k,k}|^2,
    T_k = I^c_k + |a_{k,0}|^2,   R_{c,k} = log2(T_k / I^c_k),   R_{p,k} = log2(I^c_k / I^p_k).

Problem (15):  max_{P, c, r} sum_k (c_k + R_{p,k})  s.t.  ||P_n||_F^2 <= P_M^n,  c_k + R_{p,k} >= R_th,
c >= 0,  sum_k c_k <= min_k R_{c,k},  r_k in [-A/2, A/2]^2.  SDMA: p_0 = 0, c = 0.  FPA: r = 0.

For fixed (P, r) the optimal split is the LP of spec §2.4 (closed form :func:`lp_split`); the
"reduced" problem (``problem.as_reduced()``) scores V(P, r) = min_k R_{c,k} + sum_k R_{p,k} with the
split eliminated; its violation is the LP infeasibility sum_k max(0, R_th - R_{p,k}) - min_k R_{c,k}.

Variables (``x`` dict): ``precoders`` (N, I, K+1) complex [W^(1/2)], ``common`` (K,) [bit/s/Hz],
``positions`` (K, 2) [m]. Gradients use the convention grad = dF/dRe + 1j dF/dIm (spec §1).
Channel model: ``h_{n,k}^H = f_{n,k}(r_k)^H Sigma_{n,k} G_{n,k}`` (field response, spec §2.1).
"""
from __future__ import annotations

import dataclasses
import functools
import math
from typing import NamedTuple

import numpy as np

from ..channels import field_response as fr
from ..core.errors import InvalidProblemError
from ..core.options import Options
from ..core.problem import Block, Problem
from ..core.rng import as_generator
from ..core.solution import Solution
from ..core.validate import fail, require_choice, require_finite, require_int, require_nonnegative, require_positive
from .comp_rsma_meta import CompRsmaMetaMixin

__all__ = [
    "CompRsmaProblem", "RateGrad", "rates_from_gains", "rate_coefficients", "lp_split",
    "project_split", "project_power", "grid_search_positions", "GridSearchOptions", "chain_blocks",
    "reduced_block",
]

LN2 = math.log(2.0)
_OWNER = "CompRsmaProblem"


# --------------------------------------------------------------------------------------------
# array-level building blocks (batch-friendly: leading axes are broadcast)
# --------------------------------------------------------------------------------------------
def _interference(A):
    """From gains A (..., K, K+1) return |A|^2, I^p, I^c, T (each (..., K))."""
    S = np.abs(A) ** 2
    priv = S[..., 1:]                                   # (..., K, K): [k, j] = |a_{k,j+1}|^2
    own = np.diagonal(priv, axis1=-2, axis2=-1)         # |a_{k,k}|^2
    Ic = priv.sum(axis=-1) + 1.0
    Ip = Ic - own
    T = Ic + S[..., 0]
    return S, Ip, Ic, T


def rates_from_gains(A):
    """Common and private rates (bit/s/Hz) from stream gains A (..., K, K+1): returns (Rc, Rp)."""
    _, Ip, Ic, T = _interference(np.asarray(A))
    return np.log2(T / Ic), np.log2(Ic / Ip)


def rate_coefficients(A, wc, wp):
    r"""C_{k,s} = dF/d|a_{k,s}|^2 for F = sum_k (wc_k R_{c,k} + wp_k R_{p,k}) (spec §4): (..., K, K+1)."""
    _, Ip, Ic, T = _interference(np.asarray(A))
    wc = np.asarray(wc, float)
    wp = np.asarray(wp, float)
    base = wc * (1.0 / T - 1.0 / Ic)                     # (..., K)
    K = Ip.shape[-1]
    C = np.empty(Ip.shape + (K + 1,))
    C[..., 0] = wc / T
    C[..., 1:] = (base + wp * (1.0 / Ic - 1.0 / Ip))[..., None]
    idx = np.arange(K)
    C[..., idx, idx + 1] = base + wp / Ic
    return C / LN2


def lp_split(Rc, Rp, rth):
    r"""Optimal common split of spec §2.4 for rates Rc, Rp (K,): returns (c, feasible).

    LP: max sum c  s.t. c >= l := max(0, R_th - Rp), sum c <= min Rc. Feasible iff sum l <= min Rc;
    then c = l + (min Rc - sum l)/K (equal share of the slack, sum c = min Rc). Infeasible: c = l
    scaled down to sum c = max(min Rc, 0) (c >= 0 kept, QoS violated).
    """
    Rc = np.asarray(Rc, float)
    Rp = np.asarray(Rp, float)
    ell = np.maximum(0.0, rth - Rp)
    total = float(np.min(Rc))
    slack = total - float(ell.sum())
    if slack >= 0.0:
        return ell + slack / ell.size, True
    s = float(ell.sum())
    return ell * (max(total, 0.0) / s), False


def project_split(v, total, lower=None):
    r"""Euclidean projection of v (K,) onto {c >= lower, sum c <= total} (spec §5.3, sort-based).

    ``lower`` defaults to 0. Returns (c, feasible); when sum(lower) > total the set is empty and
    (lower, False) is returned.
    """
    v = np.asarray(v, float)
    ell = np.zeros_like(v) if lower is None else np.broadcast_to(np.asarray(lower, float), v.shape)
    b = float(total) - float(ell.sum())
    if b < 0:
        return np.array(ell, copy=True), False
    w = v - ell
    pos = np.maximum(w, 0.0)
    if pos.sum() <= b:
        return ell + pos, True
    u = np.sort(w)[::-1]
    cs = np.cumsum(u) - b
    m = np.arange(1, u.size + 1)
    rho = int(np.nonzero(u - cs / m > 0)[0][-1]) + 1
    tau = cs[rho - 1] / rho
    return ell + np.maximum(w - tau, 0.0), True


def project_power(P, pmax):
    """Per-BS power projection: P_n <- P_n min(1, sqrt(pmax_n)/||P_n||_F); P (N, I, S), pmax (N,)."""
    P = np.asarray(P, complex)
    pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
    scale = np.ones_like(pw)
    over = pw > pmax
    scale[over] = np.sqrt(pmax[over] / pw[over])
    return P * scale[:, None, None]


_PARALLEL_MIN_BATCH = 4096


def _numba_call(f, W, C, pos, wavelength, sign):
    """Call a batched numba kernel; batches below ``_PARALLEL_MIN_BATCH`` run on one numba thread
    (measured on a busy 2-core box: 1.3 ms on one thread against 31 ms on two for B = 441)."""
    if pos.shape[0] >= _PARALLEL_MIN_BATCH:
        return f(W, C, pos, wavelength, sign=sign)
    import numba

    prev = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return f(W, C, pos, wavelength, sign=sign)
    finally:
        numba.set_num_threads(prev)


class RateGrad(NamedTuple):
    """Output of :meth:`CompRsmaProblem.weighted_rates`: value F, grad_P (N, I, K+1) complex,
    grad_r (K, 2) [1/m], rates Rc, Rp (K,), gains A (K, K+1)."""

    value: float
    grad_precoders: np.ndarray
    grad_positions: np.ndarray
    Rc: np.ndarray
    Rp: np.ndarray
    A: np.ndarray


# --------------------------------------------------------------------------------------------
# the problem
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class CompRsmaProblem(CompRsmaMetaMixin, Problem):
    r"""CoMP-RSMA sum-rate maximisation with movable user antennas (one channel realisation).

    Channel fields (noise not yet removed): ``theta_t, phi_t`` (N, K, L) AoD elevation/azimuth,
    ``theta_r, phi_r`` (N, K, Q) AoA, ``Sigma`` (N, K, Q, L) path-response matrices [W^(1/2)].
    System: ``I`` BS antennas (ULA along x, spacing ``bs_spacing``, default wavelength/2),
    ``wavelength`` [m], ``region`` side A [m], ``pmax_dbm`` per BS (scalar or (N,)),
    ``noise_dbm``, ``rth`` [bit/s/Hz], ``access`` "rsma"|"sdma", ``movable`` (False = FPA at the
    region centre). ``reduced=True`` scores V(P, r) with the split eliminated (spec §2.4).
    ``ao_init``: RSMA AO start, "auto" (default), "best", "sdma" or "mrt" (:meth:`ao_initial_point`);
    ``ao_polish``: "slsqp" (default) or "none", final joint polish of the AO (:meth:`ao_finalize`).
    ``bs_xy`` (N, 2), ``user_xy`` (K, 2), ``alpha``, ``g0`` record how the draw was made.
    """

    theta_t: np.ndarray
    phi_t: np.ndarray
    theta_r: np.ndarray
    phi_r: np.ndarray
    Sigma: np.ndarray
    I: int = 4
    wavelength: float = 0.01
    region: float = 0.02
    pmax_dbm: float = 33.0
    noise_dbm: float = -100.0
    rth: float = 0.6
    access: str = "rsma"
    movable: bool = True
    bs_spacing: float | None = None
    reduced: bool = False
    ao_init: str = "auto"
    ao_polish: str = "slsqp"
    alpha: float = 3.9
    g0: float | None = None
    bs_xy: np.ndarray | None = None
    user_xy: np.ndarray | None = None

    # ---------------------------------------------------------------- construction ---------
    def validate(self) -> None:
        for name in ("theta_t", "phi_t", "theta_r", "phi_r"):
            arr = np.asarray(getattr(self, name))
            if arr.ndim != 3:
                fail(_OWNER, name, f"<array of shape {arr.shape}>", "must have shape (N, K, paths)")
            require_finite(_OWNER, name, arr)
        N, K, L = np.shape(self.theta_t)
        Q = np.shape(self.theta_r)[2]
        require_int(_OWNER, "N", N, 1)
        require_int(_OWNER, "K", K, 1)
        require_int(_OWNER, "L", L, 1)
        require_int(_OWNER, "Q", Q, 1)
        for name, want in (("phi_t", (N, K, L)), ("theta_r", (N, K, Q)), ("phi_r", (N, K, Q))):
            if np.shape(getattr(self, name)) != want:
                fail(_OWNER, name, f"<array of shape {np.shape(getattr(self, name))}>",
                     f"must have shape {want} like theta_t/theta_r")
        Sigma = np.asarray(self.Sigma)
        if Sigma.shape != (N, K, Q, L):
            fail(_OWNER, "Sigma", f"<array of shape {Sigma.shape}>", f"must have shape (N, K, Q, L) = {(N, K, Q, L)}")
        require_finite(_OWNER, "Sigma", Sigma)
        require_int(_OWNER, "I", self.I, 1)
        require_positive(_OWNER, "wavelength", self.wavelength)
        require_nonnegative(_OWNER, "region", self.region)
        require_finite(_OWNER, "noise_dbm", self.noise_dbm)
        pm = require_finite(_OWNER, "pmax_dbm", np.asarray(self.pmax_dbm, float))
        if pm.ndim > 1 or (pm.ndim == 1 and pm.size != N):
            fail(_OWNER, "pmax_dbm", self.pmax_dbm, f"must be a scalar or have shape ({N},)")
        require_nonnegative(_OWNER, "rth", self.rth)
        require_choice(_OWNER, "access", self.access, {"rsma", "sdma"})
        require_choice(_OWNER, "ao_init", self.ao_init, {"auto", "best", "sdma", "mrt"})
        require_choice(_OWNER, "ao_polish", self.ao_polish, {"slsqp", "none"})
        if not isinstance(self.movable, (bool, np.bool_)):
            fail(_OWNER, "movable", self.movable, "must be True or False")
        if self.bs_spacing is not None:
            require_positive(_OWNER, "bs_spacing", self.bs_spacing)
        self._build_cache(N, K, L, Q)

    def _build_cache(self, N, K, L, Q):
        lam = float(self.wavelength)
        spacing = lam / 2 if self.bs_spacing is None else float(self.bs_spacing)
        t = fr.ula_positions(self.I, spacing)                                   # (I, 2)
        Wt = fr.directions(self.theta_t, self.phi_t)                             # (N, K, L, 2)
        G = np.exp(1j * fr.wavenumber(lam) * np.einsum("nkld,id->nkli", Wt, t))  # (N, K, L, I)
        sigma = math.sqrt(10 ** ((float(self.noise_dbm) - 30) / 10))
        SG = np.einsum("nkql,nkli->nkqi", np.asarray(self.Sigma, complex), G) / sigma  # (N, K, Q, I)
        Wr = fr.directions(self.theta_r, self.phi_r)                             # (N, K, Q, 2)
        NI = N * self.I
        Ch = np.zeros((K, N * Q, NI), complex)
        for n in range(N):
            Ch[:, n * Q:(n + 1) * Q, n * self.I:(n + 1) * self.I] = SG[n]
        pm = np.broadcast_to(np.asarray(self.pmax_dbm, float), (N,))
        cache = dict(
            N=N, K=K, L=L, Q=Q, NI=NI, kappa=fr.wavenumber(lam), SG=SG,
            Wr=np.ascontiguousarray(np.transpose(Wr, (1, 0, 2, 3)).reshape(K, N * Q, 2)),
            Ch=Ch, pmax=10 ** ((pm - 30) / 10), half=float(self.region) / 2,
        )
        object.__setattr__(self, "_c", cache)

    @classmethod
    def random(cls, seed=None, *, access="rsma", movable=True, N=2, I=4, K=4, L=6, Q=None,
               wavelength=0.01, region=None, alpha=3.9, g0=None, pmax_dbm=33.0, pmax_w=None,
               noise_dbm=-100.0, rth=0.6, bs_radius=57.0, user_radius=10.0,
               shared_rx_angles=False, **overrides):
        r"""The spec's default instance (§2.2): BSs on a circle of ``bs_radius`` m, users uniform in a
        disc of ``user_radius`` m, angles U[-pi/2, pi/2], Sigma diagonal CN(0, g0 d^-alpha / L).

        RNG order: user positions, then per link (n, k) row-major: theta_t, phi_t, theta_r, phi_r,
        Sigma (real, imag). ``region`` defaults to 2*wavelength, ``g0`` to (wavelength/4pi)^2.
        ``pmax_w`` (W) overrides ``pmax_dbm``.
        """
        N = require_int(_OWNER, "N", N, 1)
        K = require_int(_OWNER, "K", K, 1)
        I = require_int(_OWNER, "I", I, 1)
        L = require_int(_OWNER, "L", L, 1)
        Q = L if Q is None else require_int(_OWNER, "Q", Q, 1)
        require_positive(_OWNER, "wavelength", wavelength)
        require_positive(_OWNER, "bs_radius", bs_radius)
        require_nonnegative(_OWNER, "user_radius", user_radius)
        if pmax_w is not None:
            require_positive(_OWNER, "pmax_w", pmax_w)
            pmax_dbm = 10 * np.log10(np.asarray(pmax_w, float)) + 30
            pmax_dbm = float(pmax_dbm) if np.ndim(pmax_dbm) == 0 else pmax_dbm
        region = 2 * wavelength if region is None else region
        g0 = (wavelength / (4 * np.pi)) ** 2 if g0 is None else g0
        require_positive(_OWNER, "g0", g0)
        rng = as_generator(seed)
        rad = user_radius * np.sqrt(rng.uniform(size=K))
        ang = rng.uniform(0, 2 * np.pi, size=K)
        user_xy = np.stack([rad * np.cos(ang), rad * np.sin(ang)], axis=-1)
        phis = 2 * np.pi * np.arange(N) / N
        bs_xy = bs_radius * np.stack([np.cos(phis), np.sin(phis)], axis=-1)
        d = np.linalg.norm(bs_xy[:, None, :] - user_xy[None, :, :], axis=-1)   # (N, K)
        tt, pt = np.empty((N, K, L)), np.empty((N, K, L))
        tr, pr = np.empty((N, K, Q)), np.empty((N, K, Q))
        Sigma = np.empty((N, K, Q, L), complex)
        for n in range(N):
            for k in range(K):
                tt[n, k], pt[n, k] = fr.random_angles(rng, L)
                tr[n, k], pr[n, k] = fr.random_angles(rng, Q)
                Sigma[n, k] = fr.random_prm(rng, L, Q, power=g0 * d[n, k] ** (-alpha))
        if shared_rx_angles:
            tr[:] = tr[:1]
            pr[:] = pr[:1]
        return cls(theta_t=tt, phi_t=pt, theta_r=tr, phi_r=pr, Sigma=Sigma, I=I,
                   wavelength=wavelength, region=region, pmax_dbm=pmax_dbm, noise_dbm=noise_dbm,
                   rth=rth, access=access, movable=movable, alpha=alpha, g0=g0,
                   bs_xy=bs_xy, user_xy=user_xy, **overrides)

    # ---------------------------------------------------------------- small accessors ------
    @property
    def N(self) -> int:
        return self._c["N"]

    @property
    def K(self) -> int:
        return self._c["K"]

    @property
    def L(self) -> int:
        return self._c["L"]

    @property
    def Q(self) -> int:
        return self._c["Q"]

    @property
    def pmax(self) -> np.ndarray:
        """Per-BS power budget P_M^n in W, shape (N,)."""
        return self._c["pmax"]

    @property
    def rsma(self) -> bool:
        return self.access == "rsma"

    @property
    def scheme(self) -> str:
        """"RSMA-MA", "RSMA-FPA", "SDMA-MA" or "SDMA-FPA"."""
        return f"{self.access.upper()}-{'MA' if self.movable else 'FPA'}"

    def variant(self, scheme: str) -> "CompRsmaProblem":
        """The same instance under another scheme: "RSMA-MA", "RSMA-FPA", "SDMA-MA" or "SDMA-FPA"."""
        names = {"RSMA-MA": ("rsma", True), "RSMA-FPA": ("rsma", False),
                 "SDMA-MA": ("sdma", True), "SDMA-FPA": ("sdma", False)}
        key = str(scheme).upper()
        if key not in names:
            fail(_OWNER, "variant.scheme", scheme, f"must be one of {sorted(names)}")
        access, movable = names[key]
        if (access, movable) == (self.access, bool(self.movable)):
            return self
        return dataclasses.replace(self, access=access, movable=movable)

    @property
    def shapes(self) -> dict:
        N, K, I = self.N, self.K, self.I
        return {"precoders": (N, I, K + 1), "common": (K,), "positions": (K, 2)}

    def as_reduced(self) -> "CompRsmaProblem":
        """The reduced problem of spec §2.4 (objective V(P, r), split eliminated by the LP)."""
        if self.reduced:
            return self
        red = self.__dict__.get("_reduced_view")
        if red is None:
            red = dataclasses.replace(self, reduced=True)
            object.__setattr__(self, "_reduced_view", red)
        return red

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_reduced_view", None)
        return state

    # ---------------------------------------------------------------- channel --------------
    def channel_rows(self, positions) -> np.ndarray:
        """Noise-normalised stacked channel rows h_k^H(r_k): positions (K, 2) -> (K, NI);
        a batch (B, K, 2) gives (B, K, NI)."""
        return self._steer(self._c["Ch"], positions)

    def _steer(self, C, positions, grad=False):
        """sum_l C[k, l, m] exp(-j kappa w_{k,l} . r_k) (and d/dr_k): NumPy for one point (K, 2),
        the numba kernel ``steer_sum(_grad)`` for batches (B, K, 2) with B >= 8."""
        pos = np.asarray(positions, float)
        W = self._c["Wr"]
        if pos.ndim == 3 and pos.shape[0] >= 8:
            f = fr.steer_sum_grad if grad else fr.steer_sum
            return _numba_call(f, W, C, pos, self.wavelength, sign=-1)
        if pos.shape[-2:] != (self.K, 2):
            fail(_OWNER, "positions", f"<array of shape {pos.shape}>", f"must have shape (..., {self.K}, 2)")
        kap = self._c["kappa"]
        E = np.exp(-1j * kap * np.einsum("kld,...kd->...kl", W, pos))          # (..., K, NQ)
        out = np.einsum("...kl,klm->...km", E, C)
        if not grad:
            return out
        EW = (-1j * kap) * E[..., None] * W                                    # (..., K, NQ, 2)
        return out, np.einsum("...kld,klm->...kmd", EW, C)

    def _coeffs(self, P):
        """b_{k,(n,q),s} = (Sigma G P_n)[q, s] of user k: (K, NQ, K+1) (noise-normalised)."""
        c = self._c
        B = np.einsum("nkqi,nis->knqs", c["SG"], np.asarray(P, complex))
        return np.ascontiguousarray(B.reshape(c["K"], c["N"] * c["Q"], c["K"] + 1))

    def gains(self, P, positions, grad: bool = False):
        """Stream gains A[k, s] = h_k^H p_s (K, K+1); with ``grad`` also dA/dr_k (K, K+1, 2).
        positions may be a batch (B, K, 2) -> (B, K, K+1)."""
        return self._steer(self._coeffs(P), positions, grad=grad)

    def grid_positions(self, n: int = 41) -> np.ndarray:
        """Default position init (spec §0): per user, the point of an n x n grid on the region
        maximising sum_n ||h_{n,k}(r)||^2. FPA: zeros. Returns (K, 2)."""
        if not self.movable:
            return np.zeros((self.K, 2))
        key = f"_grid_{n}"
        cached = self.__dict__.get(key)
        if cached is None:
            grid = fr.region_grid(float(self.region), int(n))                     # (n*n, 2)
            pos = np.broadcast_to(grid[:, None, :], (grid.shape[0], self.K, 2))
            gain = np.sum(np.abs(self.channel_rows(pos)) ** 2, axis=-1)            # (n*n, K)
            cached = grid[np.argmax(gain, axis=0)]
            object.__setattr__(self, key, cached)
        return np.array(cached, copy=True)

    # ---------------------------------------------------------------- rates ----------------
    def _unpack(self, x):
        P = np.asarray(x["precoders"], complex)
        r = np.asarray(x["positions"], float) if "positions" in x else np.zeros((self.K, 2))
        c = np.asarray(x["common"], float) if "common" in x else np.zeros(self.K)
        return P, c, r

    def rates(self, x):
        """(Rc, Rp) of shape (K,) at x (the split is not used)."""
        P, _, r = self._unpack(x)
        return rates_from_gains(self.gains(P, r))

    def weighted_rates(self, P, positions, wc, wp) -> RateGrad:
        r"""F = sum_k (wc_k R_{c,k} + wp_k R_{p,k}) and its gradients (spec §4), in one pass.

        grad_P[n, :, s] = 2 sum_k C_{k,s} h_{n,k} a_{k,s};  grad_r[k] = sum_s C_{k,s} 2 Re(a* da/dr_k).
        """
        P = np.asarray(P, complex)
        A, dA = self.gains(P, positions, grad=True)
        Rc, Rp = rates_from_gains(A)
        wc = np.broadcast_to(np.asarray(wc, float), Rc.shape)
        wp = np.broadcast_to(np.asarray(wp, float), Rp.shape)
        C = rate_coefficients(A, wc, wp)
        hH = self.channel_rows(positions)
        G = 2.0 * (hH.conj().T @ (C * A))                                   # (NI, K+1)
        gP = G.reshape(self.N, self.I, self.K + 1)
        gr = np.einsum("ks,ksd->kd", C, 2.0 * np.real(A.conj()[..., None] * dA))
        return RateGrad(float(wc @ Rc + wp @ Rp), gP, gr, Rc, Rp, A)

    def rate_jacobians(self, P, positions):
        """Per-user Jacobians for the NLP: (Rc, Rp, JcP, JpP, Jcr, Jpr) with JcP/JpP (K, N, I, K+1)
        complex (row k = grad of R_{c,k} / R_{p,k}) and Jcr/Jpr (K, 2) (d/dr_k of user k's rate)."""
        P = np.asarray(P, complex)
        A, dA = self.gains(P, positions, grad=True)
        Rc, Rp = rates_from_gains(A)
        K = self.K
        ones, zeros = np.ones(K), np.zeros(K)
        hH = self.channel_rows(positions)
        h = hH.conj()                                                       # (K, NI)
        dS = 2.0 * np.real(A.conj()[..., None] * dA)                         # (K, K+1, 2)
        out = []
        for wc, wp in ((ones, zeros), (zeros, ones)):
            C = rate_coefficients(A, wc, wp)                                 # row k: user k's rate
            J = 2.0 * (C * A)[:, None, :] * h[:, :, None]                    # (K, NI, K+1)
            out.append((J.reshape(K, self.N, self.I, K + 1), np.einsum("ks,ksd->kd", C, dS)))
        (JcP, Jcr), (JpP, Jpr) = out
        return Rc, Rp, JcP, JpP, Jcr, Jpr

    def lp_split(self, x) -> np.ndarray:
        """Optimal split c (K,) at x's precoders/positions (spec §2.4); zeros for SDMA."""
        if not self.rsma:
            return np.zeros(self.K)
        Rc, Rp = self.rates(x)
        return lp_split(Rc, Rp, self.rth)[0]

    def project_split(self, c, x, qos: bool = False):
        """Projection of c onto {c >= 0 (or >= l if ``qos``), sum c <= min_k R_{c,k}(x)}: (c, feasible)."""
        Rc, Rp = self.rates(x)
        lower = np.maximum(0.0, self.rth - Rp) if qos else None
        return project_split(c, float(np.min(Rc)), lower)

    def value(self, x) -> float:
        """V(P, r) of spec §2.4: optimal sum rate for x's precoders/positions, -inf if QoS infeasible."""
        Rc, Rp = self.rates(x)
        if not self.rsma:
            return float(Rp.sum()) if np.all(Rp >= self.rth - 1e-6) else -math.inf
        slack = float(np.min(Rc)) - float(np.maximum(0.0, self.rth - Rp).sum())
        return float(np.min(Rc) + Rp.sum()) if slack >= -1e-6 else -math.inf

    def polish(self, x) -> dict:
        """Feasibility repair + LP polish: clip positions, scale P_n down to P_M^n, zero p_0 (SDMA),
        c = optimal split. Returns a new dict."""
        P, _, r = self._unpack(x)
        r = self.project("positions", r)
        P = self.project("precoders", P)
        y = {"precoders": P, "positions": r}
        y["common"] = self.lp_split(y)
        return y

    # ---------------------------------------------------------------- objective & co -------
    def objective(self, x) -> float:
        """Sum rate sum_k (c_k + R_{p,k}) (SDMA: sum_k R_{p,k}); reduced: V(P, r) without the QoS
        check (min_k R_{c,k} + sum_k R_{p,k})."""
        Rc, Rp = self.rates(x)
        if not self.rsma:
            return float(Rp.sum())
        if self.reduced:
            return float(np.min(Rc) + Rp.sum())
        return float(np.sum(x["common"]) + Rp.sum())

    def _violations(self, P, c, r, Rc, Rp):
        """Max violation of every constraint (batched over leading axes of Rc/Rp/r)."""
        lam = float(self.wavelength)
        pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
        v = [np.max(pw / self.pmax - 1.0)]
        if self.movable:
            v.append(np.max(np.abs(r) - self._c["half"], axis=(-2, -1)) / lam)
        else:
            v.append(np.max(np.abs(r), axis=(-2, -1)) / lam)
        if not self.rsma:
            v.append(np.sum(np.abs(P[:, :, 0]) ** 2) / float(np.max(self.pmax)))
            if not self.reduced:
                v.append(np.max(np.abs(c)))
            v.append(np.max(self.rth - Rp, axis=-1))
        elif self.reduced:
            v.append(np.sum(np.maximum(0.0, self.rth - Rp), axis=-1) - np.min(Rc, axis=-1))
        else:
            v.append(np.max(-c))
            v.append(np.sum(c) - np.min(Rc, axis=-1))
            v.append(np.max(self.rth - c - Rp, axis=-1))
        out = v[0]
        for item in v[1:]:
            out = np.maximum(out, item)
        return np.maximum(out, 0.0)

    def violation(self, x) -> float:
        """Max constraint violation (0 if feasible): power relative to P_M^n, region in
        wavelengths, rates in bit/s/Hz; SDMA: ||p_0||^2/P_M and |c|; FPA: |r|/wavelength."""
        P, c, r = self._unpack(x)
        Rc, Rp = rates_from_gains(self.gains(P, r))
        return float(self._violations(P, c, r, Rc, Rp))

    def evaluate(self, x) -> dict:
        """Per-user rates and checks: Rc, Rp, rates (c + Rp), common, Rc_min, sum_rate, violation."""
        P, c, r = self._unpack(x)
        Rc, Rp = rates_from_gains(self.gains(P, r))
        c = c if self.rsma else np.zeros(self.K)
        return {"Rc": Rc, "Rp": Rp, "rates": c + Rp, "common": c, "Rc_min": float(np.min(Rc)),
                "sum_rate": self.objective(x), "value": self.value(x),
                "violation": self.violation(x), "power": np.sum(np.abs(P) ** 2, axis=(1, 2)),
                "scheme": self.scheme}

    def gradient(self, block: str, x) -> np.ndarray:
        """Ascent direction of :meth:`objective` w.r.t. ``block`` (same shape as x[block]).
        Precoders: complex convention; positions: per metre. Reduced RSMA: the min is
        differentiated at k* = argmin_k R_{c,k} (lowest index on ties)."""
        P, _, r = self._unpack(x)
        K = self.K
        if block == "common":
            return np.ones(K) if (self.rsma and not self.reduced) else np.zeros(K)
        if block not in ("precoders", "positions"):
            raise InvalidProblemError(f"{_OWNER}.gradient block = {block!r}: must be 'precoders', 'common' or 'positions'")
        wc = np.zeros(K)
        if self.rsma and self.reduced:
            wc[int(np.argmin(self.rates(x)[0]))] = 1.0
        rg = self.weighted_rates(P, r, wc, np.ones(K))
        if block == "precoders":
            g = np.array(rg.grad_precoders, copy=True)
            if not self.rsma:
                g[:, :, 0] = 0.0
            return g
        return rg.grad_positions if self.movable else np.zeros((K, 2))

    def project(self, block: str, value) -> np.ndarray:
        """Exact projection of one block: positions clipped to the region (FPA: 0); precoders scaled
        per BS to P_M^n (SDMA: p_0 = 0); common: c >= 0 (SDMA: 0)."""
        if block == "positions":
            v = np.asarray(value, float)
            if not self.movable:
                return np.zeros_like(v)
            h = self._c["half"]
            return np.clip(v, -h, h)
        if block == "precoders":
            P = np.array(value, dtype=complex, copy=True)
            if not self.rsma:
                P[:, :, 0] = 0.0
            return project_power(P, self.pmax)
        if block == "common":
            v = np.asarray(value, float)
            return np.maximum(v, 0.0) if self.rsma else np.zeros_like(v)
        raise InvalidProblemError(f"{_OWNER}.project block = {block!r}: must be 'precoders', 'common' or 'positions'")

    def bounds(self, block: str = "positions"):
        """Box of a block: positions (lo, hi) each (K, 2) (FPA: zeros)."""
        if block != "positions":
            raise InvalidProblemError(f"{_OWNER}.bounds block = {block!r}: only 'positions' has a box")
        h = self._c["half"] if self.movable else 0.0
        return np.full((self.K, 2), -h), np.full((self.K, 2), h)

    def score_batch(self, block, values, x):
        """(objective, violation) for a batch of position blocks values (n, K, 2), each (n,),
        with the rates of the whole batch from one numba ``steer_sum`` call."""
        if block != "positions":
            raise InvalidProblemError(f"{_OWNER}.objective_batch block = {block!r}: only 'positions' is batched")
        P, c, _ = self._unpack(x)
        vals = np.asarray(values, float)
        Rc, Rp = rates_from_gains(self.gains(P, vals))
        if not self.rsma:
            obj = Rp.sum(axis=-1)
        elif self.reduced:
            obj = Rc.min(axis=-1) + Rp.sum(axis=-1)
        else:
            obj = float(np.sum(c)) + Rp.sum(axis=-1)
        viol = np.broadcast_to(self._violations(P, c, vals, Rc, Rp), obj.shape)
        return obj, np.array(viol, dtype=float)

    def objective_batch(self, block, values, x) -> np.ndarray:
        """Objective for a batch of position blocks values (n, K, 2) (numba ``steer_sum``): (n,)."""
        return self.score_batch(block, values, x)[0]

    def violation_batch(self, block, values, x) -> np.ndarray:
        """:meth:`violation` for a batch of position blocks (n, K, 2): (n,)."""
        return self.score_batch(block, values, x)[1]

    # ---------------------------------------------------------------- starting points ------
    def mrt_precoders(self, positions=None, common_share: float | None = None) -> np.ndarray:
        """Spec §7.1 init: private columns ∝ h_k (MRT), common ∝ sum_k h_k (SDMA: 0), each BS block
        scaled to full power. ``common_share``: fraction of the power on the common column
        (default 1/(K+1), i.e. unit-norm columns). Returns (N, I, K+1)."""
        r = self.grid_positions() if positions is None else np.asarray(positions, float)
        h = self.channel_rows(r).conj()                                    # (K, NI)
        cols = [h.sum(axis=0)] + list(h)
        Pst = np.stack([v / max(np.linalg.norm(v), 1e-300) for v in cols], axis=-1)
        if not self.rsma:
            Pst[:, 0] = 0.0
        elif common_share is not None:
            share = float(common_share)
            Pst[:, 0] *= math.sqrt(share * self.K / max(1.0 - share, 1e-300))
        P = Pst.reshape(self.N, self.I, self.K + 1)
        pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
        return P * np.sqrt(self.pmax / np.maximum(pw, 1e-300))[:, None, None]

    def initial_point(self, rng=None) -> dict:
        """Deterministic default start: grid-gain positions (FPA: 0), MRT precoders, LP split."""
        r = self.grid_positions()
        x = {"precoders": self.mrt_precoders(r), "positions": r}
        x["common"] = self.lp_split(x)
        return x

    def random_point(self, rng=None) -> dict:
        """Random start (spec §6): P ~ CN(0, 1) scaled per BS to full power (SDMA p_0 = 0),
        c = 0, positions uniform in the region (FPA: 0)."""
        rng = as_generator(rng)
        N, I, K = self.N, self.I, self.K
        P = (rng.standard_normal((N, I, K + 1)) + 1j * rng.standard_normal((N, I, K + 1))) / np.sqrt(2)
        if not self.rsma:
            P[:, :, 0] = 0.0
        pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
        P *= np.sqrt(self.pmax / pw)[:, None, None]
        lo, hi = self.bounds("positions")
        r = rng.uniform(lo, hi) if self.movable else np.zeros((K, 2))
        return {"precoders": P, "common": np.zeros(K), "positions": r}

    def warm_start(self, x) -> dict:
        """Adapt a solution of another scheme to this one: SDMA -> RSMA gets a small non-zero p_0
        along sum_k h_k (spec §3.15), taking a share 1e-3 (else 1e-5, 1e-7) of each BS's power from
        the private columns, the largest share that keeps a feasible point feasible; RSMA -> SDMA
        drops p_0 and c; MA -> FPA sets r = 0. Then :meth:`polish`."""
        P, _, r = self._unpack(x)
        r = self.project("positions", r)
        base = self.polish({"precoders": P, "positions": r})
        if not self.rsma or np.sum(np.abs(base["precoders"][:, :, 0]) ** 2) >= 1e-12 * float(np.max(self.pmax)):
            return base
        P = base["precoders"]
        v = self.channel_rows(r).conj().sum(axis=0).reshape(self.N, self.I)
        v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-300)
        pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
        feasible = self.violation(base) <= 1e-6
        y = base
        for share in (1e-3, 1e-5, 1e-7):
            Q = P * math.sqrt(1.0 - share)
            Q[:, :, 0] = v * np.sqrt(share * np.maximum(pw, 1e-300))[:, None]
            y = self.polish({"precoders": Q, "positions": r})
            if not feasible or self.violation(y) <= 1e-6:
                return y
        return y

    # ---------------------------------------------------------------- AO hooks -------------
    def ao_initial_point(self, rng=None) -> dict:
        """AO start (spec §7.4): grid-gain positions and MRT precoders (``ao_init="mrt"``, and always
        for SDMA). RSMA with ``ao_init="sdma"``: the SDMA variant's AO solution plus a small common
        stream (:meth:`warm_start`); ``"best"`` (default): the better of that and the AO solution from
        the MRT start; ``"auto"``: "sdma" for MA, "best" for FPA. Reason (measured): from MRT the
        AO can settle where a weak user's QoS is carried by the common stream with its private
        stream off (spec §7.4) and end below SDMA, while from the SDMA solution it can miss a
        genuinely better common-stream mode (seen for RSMA-FPA, N = 1; for MA, 10 default draws gave
        the same values from "sdma" as from "best" at a third of the time). "best" and "sdma"
        guarantee RSMA >= SDMA for the AO."""
        x = self.initial_point(rng)
        mode = self.ao_init if self.ao_init != "auto" else ("sdma" if self.movable else "best")
        if not self.rsma or mode == "mrt":
            return x
        from ..ao import ao_solve

        base = dataclasses.replace(self, ao_init="mrt", reduced=False)
        sdma = base.variant(f"SDMA-{'MA' if self.movable else 'FPA'}")
        cands = [x]
        sol = ao_solve(sdma, sdma.initial_point(rng), rng=rng)
        if sol.exitflag != -3:
            cands += [self.polish(sol.x), self.warm_start(sol.x)]
        if mode == "best":
            sol = ao_solve(base, x, rng=rng)
            if sol.exitflag != -3:
                cands.append(sol.x)
        feas = [c for c in cands if self.violation(c) <= 1e-6]
        pool = feas if feas else cands
        key = (lambda c: self.objective(c)) if feas else (lambda c: -self.violation(c))
        return max(pool[::-1], key=key)

    def ao_defaults(self) -> dict:
        return {"max_iter": 20, "tol": 1e-4}

    def ao_blocks(self, positions: str = "grid+pga", sca_options=None, position_options=None) -> list:
        """Default AO (spec §7.4): SCA precoders + split, then (MA only) the position block on the
        reduced problem followed by the LP split. ``positions``: "grid+pga" (default: a per-user
        coordinate grid search, then projected gradient ascent), "pga" (spec §7.3) or "pso"."""
        from ..solvers.sca import ScaPrecoderOptions, sca_precoders

        blocks = [Block("precoders", sca_precoders,
                        sca_options if sca_options is not None else ScaPrecoderOptions())]
        if not self.movable:
            return blocks
        require_choice(_OWNER, "ao_blocks.positions", positions, {"grid+pga", "pga", "pso"})
        lam = float(self.wavelength)
        if positions == "pso":
            from ..solvers.pso import PsoOptions, pso_positions

            opts = position_options if position_options is not None else PsoOptions(
                block="positions", n_particles=40, iters=100, w=0.7, c1=1.5, c2=1.5)
            inner = pso_positions
        else:
            from ..solvers.pga import PgaOptions, pga as pga_solver

            pga_opts = PgaOptions(block="positions", max_iter=20, max_move=0.1 * lam,
                                  min_step=1e-3 * lam, tol=1e-5)
            if positions == "pga":
                opts = position_options if position_options is not None else pga_opts
                inner = pga_solver
            else:
                opts = position_options if position_options is not None else (GridSearchOptions(n=15), pga_opts)
                inner = functools.partial(chain_blocks, solvers=(grid_search_positions, pga_solver))
        blocks.append(Block("positions", functools.partial(reduced_block, inner=inner), opts))
        return blocks

    def ao_finalize(self, sol: Solution) -> Solution:
        """Joint polish (``ao_polish="slsqp"``, default): one SLSQP run on the NLP form of spec §6
        from the AO solution, over (P, c, r) together, kept if feasible and better (the AO stops at
        a block-wise stationary point; measured: +0.3 % mean, up to +3 %, for about 0.04 s).
        Then adds per-user rates and the scheme to ``output``."""
        if self.ao_polish == "slsqp" and sol.exitflag != -2 and sol.x and "precoders" in sol.x:
            from ..solvers.multistart import multistart

            ref = multistart(self, sol.x, n_starts=0, options={"keep_x": False, "score_starts": False})
            sol.output["polish"] = {"fval": ref.fval, "exitflag": ref.exitflag, "elapsed": ref.elapsed,
                                    "accepted": False}
            if ref.exitflag == 1 and ref.violation <= 1e-6 and ref.fval > sol.fval:
                sol.x, sol.fval, sol.violation = ref.x, float(ref.fval), float(ref.violation)
                sol.history = list(sol.history) + [sol.fval]
                sol.output["polish"]["accepted"] = True
            sol.elapsed += ref.elapsed
        if sol.x and "precoders" in sol.x:
            ev = self.evaluate(sol.x)
            sol.output.update({"scheme": self.scheme, "Rc": ev["Rc"], "Rp": ev["Rp"],
                               "rates": ev["rates"]})
        if sol.exitflag == -2:
            sol.message = "QoS infeasible: " + sol.message
        return sol

    # ---------------------------------------------------------------- NLP form (multistart)
    def _nlp_layout(self):
        N, I, K = self.N, self.I, self.K
        nP = N * I * (K + 1)
        free_P = np.ones((N, I, K + 1), bool)
        if not self.rsma:
            free_P[:, :, 0] = False
        mask = np.concatenate([free_P.ravel(), free_P.ravel(), np.full(K, self.rsma),
                               np.full(2 * K, self.movable)])
        return nP, mask

    def nlp_pack(self, x) -> np.ndarray:
        """z = [Re vec P, Im vec P, c, vec(r / wavelength)] restricted to the free entries."""
        P, c, r = self._unpack(x)
        _, mask = self._nlp_layout()
        full = np.concatenate([P.real.ravel(), P.imag.ravel(), c, (r / self.wavelength).ravel()])
        return full[mask]

    def nlp_unpack(self, z) -> dict:
        nP, mask = self._nlp_layout()
        full = np.zeros(mask.size)
        full[mask] = z
        K = self.K
        P = (full[:nP] + 1j * full[nP:2 * nP]).reshape(self.N, self.I, K + 1)
        c = full[2 * nP:2 * nP + K]
        r = full[2 * nP + K:].reshape(K, 2) * self.wavelength
        return {"precoders": P, "common": c, "positions": r}

    def _nlp_grad_vec(self, gP, gc, gr):
        _, mask = self._nlp_layout()
        full = np.concatenate([np.real(gP).ravel(), np.imag(gP).ravel(), gc,
                               (np.asarray(gr) * self.wavelength).ravel()])
        return full[mask]

    def nlp_fun(self, z):
        """Minimisation form: (-sum rate, gradient) in z."""
        x = self.nlp_unpack(z)
        K = self.K
        rg = self.weighted_rates(x["precoders"], x["positions"], np.zeros(K), np.ones(K))
        f = -(float(np.sum(x["common"])) if self.rsma else 0.0) - float(rg.Rp.sum())
        gc = -np.ones(K) if self.rsma else np.zeros(K)
        return f, self._nlp_grad_vec(-rg.grad_precoders, gc, -rg.grad_positions)

    def nlp_constraints(self, z):
        """Inequalities g(z) >= 0 and their Jacobian: per-BS power (N), QoS (K), and for RSMA the
        epigraph of the min R_{c,k} - sum_j c_j (K)."""
        x = self.nlp_unpack(z)
        P, c, r = x["precoders"], x["common"], x["positions"]
        N, K = self.N, self.K
        Rc, Rp, JcP, JpP, Jcr, Jpr = self.rate_jacobians(P, r)
        rows, jac = [], []
        zc, zr = np.zeros(K), np.zeros((K, 2))
        for n in range(N):
            g = np.zeros_like(P)
            g[n] = -2.0 * P[n]
            rows.append(self.pmax[n] - np.sum(np.abs(P[n]) ** 2))
            jac.append(self._nlp_grad_vec(g, zc, zr))
        for k in range(K):
            e = np.zeros(K)
            gr = np.zeros((K, 2))
            gr[k] = Jpr[k]
            if self.rsma:
                e[k] = 1.0
            rows.append((c[k] if self.rsma else 0.0) + Rp[k] - self.rth)
            jac.append(self._nlp_grad_vec(JpP[k], e, gr))
        if self.rsma:
            for k in range(K):
                gr = np.zeros((K, 2))
                gr[k] = Jcr[k]
                rows.append(Rc[k] - np.sum(c))
                jac.append(self._nlp_grad_vec(JcP[k], -np.ones(K), gr))
        return np.asarray(rows), np.vstack(jac)

    def nlp_bounds(self):
        """Per-entry (lo, hi) of z: P free, c >= 0, u in [-A/2, A/2]/wavelength."""
        nP, mask = self._nlp_layout()
        K = self.K
        u = self._c["half"] / float(self.wavelength)
        lo = np.concatenate([np.full(2 * nP, -np.inf), np.zeros(K), np.full(2 * K, -u)])
        hi = np.concatenate([np.full(2 * nP, np.inf), np.full(K, np.inf), np.full(2 * K, u)])
        return lo[mask], hi[mask]

    def nlp_random_start(self, rng=None) -> dict:
        return self.random_point(rng)

    def nlp_polish(self, x) -> dict:
        return self.polish(x)


def reduced_block(problem, x0, *, options=None, rng=None, inner=None) -> Solution:
    """Run the block solver ``inner`` (e.g. pga, pso_positions) on ``problem.as_reduced()`` (objective
    V(P, r), split eliminated), then set ``common`` to the optimal LP split of the new point."""
    sol = inner(problem.as_reduced(), x0, options=options, rng=rng)
    x = {**dict(x0), **sol.x}
    x["common"] = problem.lp_split(x)
    sol.x = x
    sol.fval = problem.objective(x)
    sol.violation = problem.violation(x)
    return sol


@dataclasses.dataclass(frozen=True)
class GridSearchOptions(Options):
    """Options of :func:`grid_search_positions`: ``n`` x ``n`` grid per row of the block, ``sweeps``
    passes over the rows, ``block`` name, ``feas_tol`` on the violation."""

    n: int = 21
    sweeps: int = 1
    block: str = "positions"
    feas_tol: float = 1e-9

    def __post_init__(self):
        if not isinstance(self.n, (int, np.integer)) or self.n < 2:
            fail("GridSearchOptions", "n", self.n, "must be an integer >= 2")
        if not isinstance(self.sweeps, (int, np.integer)) or self.sweeps < 1:
            fail("GridSearchOptions", "sweeps", self.sweeps, "must be an integer >= 1")


def grid_search_positions(problem, x0, *, options=None, rng=None) -> Solution:
    """Block-coordinate grid search: for each row k of ``x[block]`` (one user's (x, y)), evaluate
    the objective on an n x n grid of its box ``problem.bounds(block)`` with the other rows fixed
    (one ``score_batch`` call) and move row k to the best point if it improves the objective and
    keeps the violation <= max(violation(x0), feas_tol). Monotone; global along each row."""
    import time

    t0 = time.perf_counter()
    opts = options if options is not None else GridSearchOptions()
    block = opts.block
    x = dict(x0)
    r = np.array(x[block], float)
    lo, hi = problem.bounds(block)
    f0 = float(problem.objective(x))
    lim = max(float(problem.violation(x)), opts.feas_tol)
    t = np.linspace(0.0, 1.0, int(opts.n))
    unit = np.stack(np.meshgrid(t, t), axis=-1).reshape(-1, 2)
    history, moves = [f0], 0
    for _ in range(int(opts.sweeps)):
        for k in range(r.shape[0]):
            pts = lo[k] + unit * (hi[k] - lo[k])
            cand = np.repeat(r[None], pts.shape[0], axis=0)
            cand[:, k] = pts
            f, v = problem.score_batch(block, cand, x)
            f = np.where((v <= lim) & np.isfinite(f), f, -np.inf)
            i = int(np.argmax(f))
            if f[i] > f0:
                r, f0 = cand[i], float(f[i])
                moves += 1
            history.append(f0)
    x[block] = r
    return Solution(x=x, fval=f0, exitflag=1, message=f"{moves} coordinate moves", nit=int(opts.sweeps),
                    history=history, violation=float(problem.violation(x)),
                    elapsed=time.perf_counter() - t0, solver="grid_search_positions", output={"moves": moves})


def chain_blocks(problem, x0, *, options=None, rng=None, solvers=()) -> Solution:
    """Run block solvers one after the other on the same block (``options`` aligned with
    ``solvers``); returns the last Solution with the final x and the concatenated history."""
    opts = tuple(options) if options is not None else (None,) * len(solvers)
    x, history, sol = dict(x0), [], None
    for solver, o in zip(solvers, opts):
        sol = solver(problem, x, options=o, rng=rng)
        if sol.exitflag == -3 or not sol.x:
            continue
        x = {**x, **sol.x}
        history.extend(sol.history)
    if sol is None:
        raise InvalidProblemError("chain_blocks.solvers = (): needs at least one solver")
    sol.x, sol.history = x, history
    sol.fval = float(problem.objective(x))
    sol.violation = float(problem.violation(x))
    return sol
