r"""XL-MA subarray placement (Fu, Zhu, Zhang 2025; theory page docs/theory/xlma.rst).

N movable subarrays (M = MH*MV antennas each) go to N of N0 candidate positions on the x–z plane.
Users sit on K grid cells; cell k holds an active user with probability rho_k.  The variable is
``x = {"selection": sorted candidate indices (N,)}``.  The objective is the closed-form MRC
expected weighted sum rate of Theorem 1 (only statistical channel knowledge):

    F(z) = sum_k rho_k log2(1 + gamma (M^2 (B z)_k^2 + (G z)_k) / ((E z)_k + M (B z)_k)),

with B, G, E the (K, N0) matrices of :func:`matoolbox.channels.nearfield.moments` and z the
0/1 selection vector.  Grids with rho_k = 0 are dropped before precomputation.  Evaluation:
Monte Carlo MRC / MMSE (:meth:`XlmaPlacementProblem.simulate`) and the interference-free upper
bound ``sum_k rho_k log2(1 + gamma M z^T b_k)``.  FPA baselines (§9) are :class:`Layout` objects
(explicit centres and subarray size), so dense arrays off the candidate grid are evaluated by the
same code; ``variant("FPA")`` (field ``scheme``) fixes the selection at the first sparse FPA layout
on the candidate grid.  ``ao_solve`` = LP initialization (:func:`matoolbox.xlma.lp_init`) followed by
successive replacement (:func:`matoolbox.xlma.successive_replacement`).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from ..channels import _nearfield_kernels as _nk
from ..channels import nearfield as nf
from ..core import validate as V
from ..core.problem import Problem
from ..core.rng import as_generator
from .ao import XlmaAoMixin
from .checks import XlmaChecksMixin, check_fields, check_hotspot_rho, check_random_small_args, check_scenario_args
from .layout import _OWNER, Layout, RateState, _pair
from .maps import XlmaMapsMixin
from .simulate import XlmaSimulateMixin

__all__ = ["XlmaPlacementProblem"]


@dataclass(frozen=True, eq=False)
class XlmaPlacementProblem(XlmaChecksMixin, XlmaAoMixin, XlmaSimulateMixin, XlmaMapsMixin, Problem):
    r"""XL-MA placement problem (P2): max_z F(z) s.t. 1^T z = N, z binary.

    Geometry: candidates on ``ma_x`` x ``ma_z`` (Nx x Nz, ``convention`` "center"/"endpoints"),
    users on ``user_x`` x ``user_y`` x ``user_z`` (Kx x Ky x Kz cells), activation ``rho`` (K,)
    (default: uniform with 6 expected users).  Powers in dBm (gamma = p/sigma^2 for every user),
    Rician factor ``kappa_db``, ``obstacles`` (O, 6) boxes [cx, cy, cz, sx, sy, sz], LoS test with
    ``los_points`` random points per cell (half-size ``los_half_size``, default half the cell),
    seeded by ``los_seed``; ``omega`` (K, N0) overrides the LoS test.  Element spacing dH, dV
    default to lambda/2; ``path_loss`` is "free_space" or (beta0, alpha).  ``los_phase`` is the
    LoS phase model of the Monte Carlo evaluation: "independent" (default; i.i.d. per grid and
    position, the model Theorem 1's closed form assumes) or "coherent" (spherical-wave phases of
    the cell centre plus one random phase per user; the closed form ignores it).  ``scheme``: "MA" (default) or "FPA" (selection fixed at
    :meth:`fpa_selection`; see :meth:`variant`).
    """

    N: int = 8
    MH: int = 8
    MV: int = 1
    fc: float = 28e9
    dH: float | None = None
    dV: float | None = None
    ma_x: tuple = (-30.5, 30.5)
    ma_z: tuple = (5.0, 5.0)
    Nx: int = 61
    Nz: int = 1
    convention: str = "center"
    user_x: tuple = (-50.0, 50.0)
    user_y: tuple = (2.0, 42.0)
    user_z: tuple = (1.5, 1.5)
    Kx: int = 20
    Ky: int = 8
    Kz: int = 1
    rho: np.ndarray | None = None
    p_dbm: float = 10.0
    noise_dbm: float = -70.0
    kappa_db: float = 10.0
    obstacles: np.ndarray = field(default_factory=lambda: np.zeros((0, 6)))
    los_points: int = 20
    los_half_size: tuple | None = None
    los_seed: int = 0
    omega: np.ndarray | None = None
    path_loss: object = "free_space"
    label: str = "custom"
    los_phase: str = "independent"
    scheme: str = "MA"

    # ------------------------------------------------------------------ construction
    def __post_init__(self):
        K = None
        try:
            K = int(self.Kx) * int(self.Ky) * int(self.Kz)
        except (TypeError, ValueError, OverflowError):
            pass
        if self.rho is None and K is not None and K > 0:
            object.__setattr__(self, "rho", np.full(K, min(1.0, 6.0 / K)))
        object.__setattr__(self, "rho", V.as_array(_OWNER, "rho", self.rho))
        object.__setattr__(self, "obstacles", V.as_array(_OWNER, "obstacles", self.obstacles))
        if self.omega is not None:
            object.__setattr__(self, "omega", V.as_array(_OWNER, "omega", self.omega))
        super().__post_init__()

    def validate(self) -> None:
        check_fields(self)
        o = _OWNER
        for f in ("N", "MH", "MV", "Nx", "Nz", "Kx", "Ky", "Kz", "los_points"):
            V.require_int(o, f, getattr(self, f), 1)
        V.require_int(o, "los_seed", self.los_seed, 0)
        V.require_positive(o, "fc", self.fc)
        for f in ("dH", "dV"):
            if getattr(self, f) is not None:
                V.require_positive(o, f, getattr(self, f))
        for f in ("p_dbm", "noise_dbm", "kappa_db"):
            V.require_finite(o, f, getattr(self, f))
        V.require_choice(o, "convention", self.convention, {"center", "endpoints"})
        V.require_choice(o, "los_phase", self.los_phase, {"independent", "coherent"})
        ma_x, ma_z = _pair("ma_x", self.ma_x), _pair("ma_z", self.ma_z)
        _ux, uy, _uz = _pair("user_x", self.user_x), _pair("user_y", self.user_y), _pair("user_z", self.user_z)
        if uy[0] <= 0:
            V.fail(o, "user_y", self.user_y, "users must lie in front of the array (y_min > 0)")
        if self.N > self.N0:
            V.fail(o, "N", self.N, f"more subarrays than candidate positions (N0 = {self.N0})")
        for rng_, n, d, f, nf_ in ((ma_x, self.Nx, self.d_h * (self.MH - 1), "Nx", "ma_x"),
                                   (ma_z, self.Nz, self.d_v * (self.MV - 1), "Nz", "ma_z")):
            if n > 1:
                step = (rng_[1] - rng_[0]) / (n if self.convention == "center" else n - 1)
                if step <= d:
                    V.fail(o, nf_, getattr(self, nf_),
                           f"candidate spacing {step:g} m must exceed the subarray size {d:g} m ({f} = {n})")
        V.require_shape(o, "rho", self.rho, (self.K,))
        V.require_range(o, "rho", self.rho, 0.0, 1.0)
        if not np.any(self.rho > 0):
            V.fail(o, "rho", self.rho, "at least one grid must have rho > 0")
        obs = self.obstacles
        if obs.size == 0:
            object.__setattr__(self, "obstacles", np.zeros((0, 6)))
        else:
            if obs.ndim == 1:
                obs = obs[None]
            V.require_shape(o, "obstacles", obs, (None, 6))
            V.require_finite(o, "obstacles", obs)
            if np.any(obs[:, 3:] <= 0):
                V.fail(o, "obstacles", obs, "box sizes (columns 3-5) must be positive")
            object.__setattr__(self, "obstacles", obs)
        if self.los_half_size is not None:
            h = V.as_array(o, "los_half_size", self.los_half_size)
            V.require_shape(o, "los_half_size", h, (3,))
            V.require_nonnegative(o, "los_half_size", h)
        if self.omega is not None:
            V.require_shape(o, "omega", self.omega, (self.K, self.N0))
            if not np.all((self.omega == 0) | (self.omega == 1)):
                V.fail(o, "omega", self.omega, "entries must be 0 or 1")
        if isinstance(self.path_loss, str):
            V.require_choice(o, "path_loss", self.path_loss, {"free_space"})
        else:
            pl = V.as_array(o, "path_loss", self.path_loss)
            if pl.shape != (2,):
                V.fail(o, "path_loss", self.path_loss, "must be 'free_space' or (beta0, alpha)")
            V.require_positive(o, "path_loss", pl)
        if self.scheme == "FPA":
            self.fpa_selection()   # refuses a geometry without an FPA layout on the candidate grid

    # ------------------------------------------------------------------ named scenarios
    @classmethod
    def default(cls, L: int = 61, MH: int = 8, Kbar: float = 6.0, eta: float = 0.2, mu: float = 2.0,
                **overrides) -> "XlmaPlacementProblem":
        """Scenario A (V-A, full LoS): 1-D MA segment x in [-L/2, L/2] at z = 5 m (1 m cells), ULA
        subarrays (MH x 1), 20 x 8 user cells of 5 m at z = 1.5 m, two 4-cell hotspot classes (38)."""
        check_scenario_args(L=L, MH=MH, Kbar=Kbar, eta=eta, mu=mu)
        Kx, Ky = 20, 8
        hot1 = nf.grid_index([4, 5, 4, 5], [1, 1, 2, 2], 0, Kx, Ky)
        hot2 = nf.grid_index([14, 15, 14, 15], [3, 3, 4, 4], 0, Kx, Ky)
        rho = check_hotspot_rho(nf.hotspot_probabilities(Kx * Ky, [hot1, hot2], Kbar, eta, mu), Kbar, eta, mu)
        kw = dict(N=8, MH=MH, MV=1, ma_x=(-L / 2, L / 2), ma_z=(5.0, 5.0), Nx=int(L), Nz=1,
                  user_x=(-50.0, 50.0), user_y=(2.0, 42.0), user_z=(1.5, 1.5), Kx=Kx, Ky=Ky, Kz=1,
                  rho=rho, label="A")
        kw.update(overrides)
        return cls(**kw)

    @staticmethod
    def default_obstacles() -> np.ndarray:
        """The two 10 x 2 x 10 m boxes of Scenario B, centred at (-15, 5, 5) and (15, 12, 5)."""
        return np.array([[-15.0, 5.0, 5.0, 10.0, 2.0, 10.0], [15.0, 12.0, 5.0, 10.0, 2.0, 10.0]])

    @classmethod
    def partial_los(cls, **overrides) -> "XlmaPlacementProblem":
        """Scenario B (V-B): Scenario A plus two box obstacles (about 45 % of links blocked)."""
        overrides.setdefault("obstacles", cls.default_obstacles())
        overrides.setdefault("label", "B")
        return cls.default(**overrides)

    @classmethod
    def user_distribution(cls, kind: int = 1, Kbar: float = 6.0, eta: float = 0.2,
                          **overrides) -> "XlmaPlacementProblem":
        """Scenario C (V-C): 2-D MA region 60 x 30 m (2 m cells, N0 = 450), 4 x 4 UPA subarrays,
        12 x 3 x 12 user cells, 12 hotspot grids of type ``kind`` (1 along x, 2 along z, 3 in the
        x–z plane), obstacles as in Scenario B."""
        check_scenario_args(Kbar=Kbar, eta=eta, kind=kind)
        Kx, Ky, Kz = 12, 3, 12
        if kind == 1:
            i, l = np.arange(12), np.zeros(12, int)
        elif kind == 2:
            i, l = np.full(12, 5), np.arange(12)
        else:
            I, Lg = np.meshgrid([0, 3, 8, 11], [1, 5, 9])
            i, l = I.ravel(), Lg.ravel()
        hot = nf.grid_index(i, 0, l, Kx, Ky)
        rho = check_hotspot_rho(nf.hotspot_probabilities(Kx * Ky * Kz, [hot], Kbar, eta), Kbar, eta)
        kw = dict(N=8, MH=4, MV=4, ma_x=(-30.0, 30.0), ma_z=(0.0, 30.0), Nx=30, Nz=15,
                  user_x=(-36.0, 36.0), user_y=(5.0, 35.0), user_z=(0.0, 36.0), Kx=Kx, Ky=Ky, Kz=Kz,
                  rho=rho, obstacles=cls.default_obstacles(), label=f"C{kind}")
        kw.update(overrides)
        return cls(**kw)

    @classmethod
    def random_small(cls, seed=0, *, N: int = 3, Nx: int = 5, Nz: int = 4, random_omega=None,
                     **overrides) -> "XlmaPlacementProblem":
        """A random small instance (default N = 3 of N0 = 20 candidates, 16 user cells, 3 random
        hotspots, random rho; with probability 1/2 (or ``random_omega=True``) a random LoS map
        Omega ~ Bern(0.7)); exhaustive search takes well under a second.

        Examples
        --------
        >>> from matoolbox.problems import XlmaPlacementProblem
        >>> prob = XlmaPlacementProblem.random_small(seed=0)
        >>> prob.N, prob.N0, prob.K                           # subarrays, candidates, user cells
        (3, 20, 16)
        >>> x = prob.initial_point(0)
        >>> x["selection"].shape, bool(prob.violation(x) == 0)
        ((3,), True)
        >>> sorted(prob.evaluate(x))
        ['layout_upper_bound', 'objective']
        """
        check_random_small_args(seed, N=N, Nx=Nx, Nz=Nz, random_omega=random_omega)
        rng = as_generator(seed)
        Kx, Ky, Kz = 4, 2, 2
        K = Kx * Ky * Kz
        rho = rng.uniform(0.0, 0.05, K)
        hot = rng.choice(K, 3, replace=False)
        rho[hot] = rng.uniform(0.3, 0.9, 3)
        if random_omega is None:
            random_omega = bool(rng.random() < 0.5)
        omega = (rng.random((K, Nx * Nz)) < 0.7).astype(float) if random_omega else None
        kw = dict(N=N, MH=2, MV=2, ma_x=(-10.0, 10.0), ma_z=(0.0, 6.0), Nx=Nx, Nz=Nz,
                  user_x=(-20.0, 20.0), user_y=(5.0, 25.0), user_z=(0.0, 6.0), Kx=Kx, Ky=Ky, Kz=Kz,
                  rho=rho, omega=omega, label="random_small")
        kw.update(overrides)
        return cls(**kw)

    @classmethod
    def random(cls, seed=0, **overrides) -> "XlmaPlacementProblem":
        """Alias of :meth:`random_small` (uniform ``random(seed)`` constructor of every family)."""
        return cls.random_small(seed, **overrides)

    # ------------------------------------------------------------------ derived quantities
    @property
    def wavelength(self) -> float:
        return nf.wavelength_of(self.fc)

    @property
    def d_h(self) -> float:
        return float(self.dH) if self.dH is not None else self.wavelength / 2

    @property
    def d_v(self) -> float:
        return float(self.dV) if self.dV is not None else self.wavelength / 2

    @property
    def M(self) -> int:
        return int(self.MH) * int(self.MV)

    @property
    def K(self) -> int:
        return int(self.Kx) * int(self.Ky) * int(self.Kz)

    @property
    def N0(self) -> int:
        return int(self.Nx) * int(self.Nz)

    @property
    def gamma(self) -> float:
        """Transmit SNR p / sigma^2 (linear)."""
        return 10.0 ** ((self.p_dbm - self.noise_dbm) / 10.0)

    @property
    def kappa(self) -> float:
        return 10.0 ** (self.kappa_db / 10.0)

    @property
    def Kbar(self) -> float:
        """Expected number of active users sum_k rho_k (eq. (7))."""
        return float(self.rho.sum())

    @functools.cached_property
    def candidates(self) -> np.ndarray:
        """Candidate positions r_n (N0, 3)."""
        return nf.candidate_positions(self.ma_x, self.ma_z, self.Nx, self.Nz, self.convention)

    @functools.cached_property
    def grid_centres(self) -> np.ndarray:
        """Grid centres t_k (K, 3)."""
        return nf.grid_centres(self.user_x, self.user_y, self.user_z, self.Kx, self.Ky, self.Kz)

    @property
    def cell_half_size(self) -> np.ndarray:
        return np.array([(self.user_x[1] - self.user_x[0]) / self.Kx, (self.user_y[1] - self.user_y[0]) / self.Ky,
                         (self.user_z[1] - self.user_z[0]) / self.Kz]) / 2.0

    @functools.cached_property
    def los_test_points(self) -> np.ndarray:
        """The seeded LoS test points (K, los_points, 3)."""
        h = self.cell_half_size if self.los_half_size is None else np.asarray(self.los_half_size, float)
        return nf.los_test_points(self.grid_centres, h, self.los_points, self.los_seed)

    def visibility(self, positions) -> np.ndarray:
        """LoS visibility (K, P) of every grid to arbitrary positions (P, 3) (obstacle test)."""
        return nf.los_visibility(self.los_test_points, positions, self.obstacles)

    @functools.cached_property
    def Omega(self) -> np.ndarray:
        """LoS visibility grid <-> candidate (K, N0) as 0/1 floats (``omega`` if given)."""
        if self.omega is not None:
            return np.asarray(self.omega, float)
        return self.visibility(self.candidates).astype(float)

    def field_regimes(self) -> dict:
        """Fractions of (grid, candidate) links in the far field of one subarray (8) and in the
        near field of the whole MA region (9); the model assumes both are 1."""
        D, _ = nf.link_geometry(self.grid_centres, self.candidates)
        size = math.hypot(self.ma_x[1] - self.ma_x[0], self.ma_z[1] - self.ma_z[0])
        far, near = nf.field_regimes(D, MH=self.MH, MV=self.MV, dH=self.d_h, dV=self.d_v,
                                     wavelength=self.wavelength, region_size=size)
        return {"far_field_subarray": float(far.mean()), "near_field_array": float(near.mean())}

    @functools.cached_property
    def active(self) -> np.ndarray:
        """Indices of grids with rho_k > 0 (the only ones entering F)."""
        return np.flatnonzero(self.rho > 0)

    def _moments(self, positions, omega, MH, MV) -> dict:
        act = self.active
        w = self.rho[act] * self.gamma
        return nf.moments(self.grid_centres[act], positions, omega[act], w, MH=MH, MV=MV, dH=self.d_h,
                          dV=self.d_v, wavelength=self.wavelength, kappa=self.kappa, law=self._law)

    @property
    def _law(self):
        return self.path_loss if isinstance(self.path_loss, str) else tuple(float(v) for v in self.path_loss)

    @functools.cached_property
    def _stats(self) -> dict:
        mom = self._moments(self.candidates, self.Omega, self.MH, self.MV)
        return {"B": mom["b"], "G": mom["g"], "E": mom["e"], "ell": mom["ell"], "betaN": mom["betaN"],
                "u": mom["u"], "rho": self.rho[self.active], "M": self.M}

    # ------------------------------------------------------------------ closed form (Theorem 1)
    def _rate_from_sums(self, sb, sg, se, rho=None, M=None):
        """F from the sums s_b = B z, s_g = G z, s_e = E z (K_active, ...) -> (...)."""
        rho = self._stats["rho"] if rho is None else rho
        M = self.M if M is None else M
        sb = np.asarray(sb, float)
        pos = sb > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            sinr = self.gamma * (M * M * sb * sb + sg) / (se + M * sb)
        r = np.where(pos, np.log2(1.0 + np.where(pos, sinr, 0.0)), 0.0)
        return np.tensordot(rho, r, axes=(0, 0))

    def _selection(self, x) -> np.ndarray:
        sel = x["selection"] if isinstance(x, dict) else x
        arr = np.asarray(sel)
        if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
            V.fail(_OWNER, "selection", sel, "must be a 1-D integer array of candidate indices")
        if arr.size and (arr.min() < 0 or arr.max() >= self.N0):
            V.fail(_OWNER, "selection", sel, f"indices must lie in [0, {self.N0})")
        if np.unique(arr).size != arr.size:
            V.fail(_OWNER, "selection", sel, "indices must be distinct")
        return arr.astype(int)

    def rate(self, selection) -> float:
        """Closed-form expected weighted sum rate F (bit/s/Hz) of a set of candidate indices."""
        sel = self._selection(selection)
        st = self._stats
        return float(self._rate_from_sums(st["B"][:, sel].sum(1), st["G"][:, sel].sum(1), st["E"][:, sel].sum(1)))

    def rate_z(self, z) -> np.ndarray:
        """F(z) for selection vectors z (N0,) or a batch (B, N0) (any real z; binary in P2)."""
        z = np.asarray(z, float)
        st = self._stats
        return self._rate_from_sums(st["B"] @ z.T, st["G"] @ z.T, st["E"] @ z.T)

    def rates_batch(self, selections, use_numba: bool = True) -> np.ndarray:
        """F for a batch of selections (B, n) of distinct indices -> (B,).

        numba kernel (``_nearfield_kernels.subset_rates_nb``, fused sums and logs, parallel over
        subsets) or, with ``use_numba=False``, its NumPy twin (one-hot matrix products)."""
        S = np.asarray(selections, np.int64)
        if S.ndim != 2:
            V.fail(_OWNER, "selections", S, "must be a (B, n) array of candidate indices")
        if use_numba:
            T = self._transposed
            return _nk.subset_rates_nb(T["B"], T["G"], T["E"], self._stats["rho"], float(self.gamma),
                                       float(self.M), np.ascontiguousarray(S))
        Z = np.zeros((S.shape[0], self.N0))
        np.put_along_axis(Z, S, 1.0, axis=1)
        return self.rate_z(Z)

    @functools.cached_property
    def _transposed(self) -> dict:
        st = self._stats
        return {k: np.ascontiguousarray(st[k].T) for k in ("B", "G", "E")}

    def grid_rates(self, selection) -> np.ndarray:
        """Closed-form rate tilde R_k of every grid (K,) (0 for grids with rho_k = 0)."""
        sel = self._selection(selection)
        st = self._stats
        sb, sg, se = st["B"][:, sel].sum(1), st["G"][:, sel].sum(1), st["E"][:, sel].sum(1)
        out = np.zeros(self.K)
        with np.errstate(divide="ignore", invalid="ignore"):
            sinr = self.gamma * (self.M ** 2 * sb ** 2 + sg) / (se + self.M * sb)
        out[self.active] = np.where(sb > 0, np.log2(1.0 + np.where(sb > 0, sinr, 0.0)), 0.0)
        return out

    def rate_state(self, selection) -> RateState:
        """Incremental evaluator (swap one position in O(K N0) for all candidates)."""
        return RateState(self, self._selection(selection))

    def objective(self, x) -> float:
        return self.rate(x)

    def objective_batch(self, block, values, x=None) -> np.ndarray:
        """F for a batch of selections ``values`` (B, N) (block must be "selection")."""
        if block != "selection":
            V.fail(_OWNER, "block", block, "the only block is 'selection'")
        return self.rates_batch(values)

    def violation(self, x) -> float:
        """0 when x["selection"] holds N distinct in-range indices; else the number of defects."""
        arr = np.asarray(x["selection"] if isinstance(x, dict) else x).ravel()
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            return float(arr.size + self.N)
        bad = int(np.sum((arr < 0) | (arr >= self.N0)))
        return float(bad + (arr.size - np.unique(arr).size) + abs(np.unique(arr).size - self.N))

    def upper_bound(self, selection_or_layout) -> float:
        """Interference-free bound sum_k rho_k log2(1 + gamma M z^T b_k) on the ergodic sum rate of this
        one selection or layout only, not of the placement problem (``layout_upper_bound``)."""
        if isinstance(selection_or_layout, Layout):
            mom = self.layout_moments(selection_or_layout)
            sb, M = mom["b"].sum(1), selection_or_layout.M
        else:
            sel = self._selection(selection_or_layout)
            sb, M = self._stats["B"][:, sel].sum(1), self.M
        return float(self._stats["rho"] @ np.log2(1.0 + self.gamma * M * sb))

    # ------------------------------------------------------------------ LP surrogate (P2.1)
    def marginal_rates(self) -> np.ndarray:
        """r_{k,n} = tilde R_k(e_n) (K_active, N0), eq. (30)."""
        st = self._stats
        return np.log2(1.0 + self.gamma * (self.M ** 2 * st["B"] ** 2 + st["G"]) / (st["E"] + self.M * st["B"]))

    def coverage_grids(self) -> np.ndarray:
        """K_LoS: the K_top = min(N, #{rho>0}) most likely grids (ties by index) with >= 1 LoS position."""
        order = np.lexsort((np.arange(self.K), -self.rho))
        top = order[: min(self.N, int(np.sum(self.rho > 0)))]
        return top[self.Omega[top].sum(axis=1) >= 1]

    def lp_surrogate(self) -> dict:
        """Data of LP (P2.1): maximise c^T z s.t. 1^T z = N, 0 <= z <= 1, A z >= 1.

        ``c`` (N0,) = sum_k rho_k r_k, ``A`` (|K_LoS|, N0) = Omega rows of the coverage grids."""
        c = self._stats["rho"] @ self.marginal_rates()
        return {"c": c, "A": self.Omega[self.coverage_grids()], "N": self.N}

    # ------------------------------------------------------------------ layouts and baselines
    def layout(self, selection, name: str = "selection") -> Layout:
        sel = np.sort(self._selection(selection))
        return Layout(name, self.candidates[sel], self.MH, self.MV, sel)

    def layout_moments(self, layout: Layout) -> dict:
        """Theorem-1 quantities (K_active, P) of a layout (cached ones for the problem's own subarrays)."""
        if layout.selection is not None and (layout.MH, layout.MV) == (self.MH, self.MV):
            st, sel = self._stats, np.asarray(layout.selection, int)
            return {"b": st["B"][:, sel], "g": st["G"][:, sel], "e": st["E"][:, sel], "ell": st["ell"][:, sel],
                    "betaN": st["betaN"][:, sel], "u": st["u"][:, sel]}
        omega = (self.Omega[:, layout.selection] if layout.selection is not None
                 else self.visibility(layout.centres).astype(float))
        return self._moments(np.asarray(layout.centres, float), omega, layout.MH, layout.MV)

    def layout_rate(self, layout: Layout) -> float:
        """Closed-form F of any layout (all its subarrays selected)."""
        mom = self.layout_moments(layout)
        return float(self._rate_from_sums(mom["b"].sum(1), mom["g"].sum(1), mom["e"].sum(1), M=layout.M))

    def evaluate(self, x, R: int = 0, rng=None) -> dict:
        """Closed form ``objective``, ``layout_upper_bound`` (of this selection), MC ``mrc``/``mmse`` if R > 0."""
        sel = self._selection(x)
        out = {"objective": self.rate(sel), "layout_upper_bound": self.upper_bound(sel)}
        if R > 0:
            mc = self.simulate(sel, R, rng)
            out.update({k: mc[k] for k in ("mrc", "mmse", "mrc_stderr", "mmse_stderr")})
        return out

    def evaluate_layout(self, layout: Layout, R: int = 0, rng=None, receivers=("mrc", "mmse")) -> dict:
        """``approx`` (closed form), ``layout_upper_bound`` (:meth:`upper_bound` of this layout only) and,
        with R > 0, MC ``mrc`` / ``mmse`` (those in ``receivers``) with their ``*_stderr``."""
        out = {"approx": self.layout_rate(layout), "layout_upper_bound": self.upper_bound(layout)}
        if R > 0:
            mc = self.simulate(layout, R, rng, receivers=receivers)
            out.update({k: mc[k] for r in receivers for k in (r, f"{r}_stderr")})
        return out
