r"""Two-timescale MA-array multiuser uplink (theory page docs/theory/uplink.rst).

A BS with M movable antennas on the segment [0, D] (adjacent spacing >= d) serves K single-antenna
users over Rician channels h_k = sqrt(beta_k)(omega_k a(x, theta_k) + nu_k g_k). The positions x
(M,) are chosen once from statistical CSI; the receiver follows each realisation. The position
objective is the receiver's surrogate of the ergodic sum rate (bit/s/Hz):

* ``"zf"``: closed-form approximation (9),
  R~(x) = sum_k log2(1 + p_k beta_k (M-K) / (sigma^2 [Psi^{-1}]_kk)),
  Psi = diag(1/(K_k+1)) + (1/M) Om A^H A Om,  Om = diag(omega).
* ``"mmse"``: sample average (19) over S fixed NLoS draws (common random numbers, seed ``seed``),
  R-(x) = (1/S) sum_s -sum_k log2 [E_s]_kk,  E_s = (I + sigma^-2 P^1/2 H_s^H H_s P^1/2)^-1.
* ``"mmse_sic"``: Jensen upper bound (29), ``sic_bound="MxM"`` (paper)
  R^up = M log2 alpha + log2 det(I + alpha^-1 Lam^1/2 G Lam^1/2), or the tighter ``"KxK"``
  bound log2 det(I + S^1/2 (M diag(nu^2) + Om G Om) S^1/2), S = diag(p beta / sigma^2).

Each has an analytic gradient (``gradient("positions", x)``). The feasible set
F = {x: x_1 >= 0, x_{m+1} - x_m >= d, x_M <= D} is ``region = LineSegment(0, D, d)``, which
gives ``project`` (exact Euclidean projection by default), ``violation`` and ``random_feasible``. ``ergodic_rates`` evaluates the true ergodic rates of ZF, MMSE and
MMSE-SIC by Monte Carlo with fresh samples; ``fpa_positions`` is the fixed array x_m = (m-1) d, and
``variant("FPA")`` the same instance with the positions frozen there (``movable=False``).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..channels.rician_ula import (
    gram_gradient, nlos_samples, rician_weights,
)
from ..core.errors import InvalidProblemError
from ..core.problem import Block, Problem
from ..core.rng import as_generator, spawn_seeds
from ..core.solution import Solution
from ..optim.pga import PgaOptions, pga
from ..regions import LineSegment
from .checks import UplinkChecksMixin, check_fields, random_seed
from .io import UplinkIoMixin
from ..core.validate import (
    fail, require_choice, require_finite, require_int, require_nonnegative, require_positive,
    require_range,
)

__all__ = ["UplinkTwoTimescaleProblem", "RECEIVERS", "instantaneous_rates"]

RECEIVERS = ("zf", "mmse", "mmse_sic")
_LN2 = math.log(2.0)
_OWNER = "UplinkTwoTimescaleProblem"


def instantaneous_rates(H, p, noise: float = 1.0, receivers=RECEIVERS) -> dict:
    r"""Per-realisation sum rates (bit/s/Hz) of the instantaneous receivers for H (S, M, K).

    ZF: sum_k log2(1 + p_k / (sigma^2 [(H^H H)^-1]_kk)) (needs K <= M);
    MMSE: -sum_k log2 [E]_kk;  MMSE-SIC: log2 det(E^-1),  E = (I + sigma^-2 P^1/2 H^H H P^1/2)^-1.
    Returns a dict receiver -> (S,) array.
    """
    H = np.asarray(H)
    K = H.shape[-1]
    p = np.broadcast_to(np.asarray(p, float), (K,))
    gram = np.conj(np.swapaxes(H, -1, -2)) @ H
    out = {}
    if "zf" in receivers:
        if K > H.shape[-2]:
            raise InvalidProblemError(f"{_OWNER}.K = {K}: ZF needs K <= M = {H.shape[-2]}")
        inv_diag = np.real(np.diagonal(np.linalg.inv(gram), axis1=-2, axis2=-1))
        out["zf"] = np.sum(np.log2(1.0 + p / (noise * inv_diag)), axis=-1)
    if "mmse" in receivers or "mmse_sic" in receivers:
        sp = np.sqrt(p)
        N = np.eye(K) + (sp[:, None] * gram * sp[None, :]) / noise
        if "mmse" in receivers:
            E = np.linalg.inv(N)
            out["mmse"] = -np.sum(np.log2(np.real(np.diagonal(E, axis1=-2, axis2=-1))), axis=-1)
        if "mmse_sic" in receivers:
            out["mmse_sic"] = np.linalg.slogdet(N)[1] / _LN2
    return out


def _as_user_array(owner, field, value, K):
    arr = np.asarray(value, float) if not isinstance(value, str) else value
    require_finite(owner, field, arr)
    arr = np.asarray(arr, float)
    if arr.ndim == 0:
        return np.full(K, float(arr))
    if arr.shape != (K,):
        fail(owner, field, value, f"must be a scalar or have shape ({K},)")
    return arr.copy()


@dataclasses.dataclass(frozen=True, eq=False)
class UplinkTwoTimescaleProblem(UplinkChecksMixin, UplinkIoMixin, Problem):
    """Two-timescale MA uplink (see module docstring); all lengths in units of ``wavelength``'s unit.

    Fields: ``M`` antennas, ``K`` users, ``theta`` (K,) angles of arrival in [0, pi] (rad),
    ``p_db`` transmit power per user in dB (scalar or (K,)), or ``power`` in linear scale (wins
    when given), ``rician`` Rician factor(s) K_k >= 0, ``beta`` large-scale gain(s) > 0,
    ``noise`` noise power sigma^2 > 0, ``wavelength`` lambda, ``d`` minimum spacing (default
    lambda/2), ``D`` span (default 6 lambda), ``receiver`` in {"zf", "mmse", "mmse_sic"},
    ``sic_bound`` in {"MxM", "KxK"}, ``n_saa`` SAA samples S of the MMSE objective, ``n_eval``
    Monte Carlo samples of the ergodic evaluation, ``seed`` (SAA samples and default evaluation
    stream), ``projection`` in {"exact", "sequential"}, ``restarts`` random PGA starts in
    ``ao_solve`` (besides FPA and the uniform spread), ``movable`` (False: the FPA scheme, positions
    fixed at :meth:`fpa_positions`; see :meth:`variant`).
    """

    M: int = 8
    K: int = 4
    theta: tuple = tuple(np.deg2rad([60.0, 70.0, 80.0, 90.0]).tolist())
    p_db: object = 10.0
    rician: object = 10.0
    wavelength: float = 1.0
    d: float | None = None
    D: float | None = None
    receiver: str = "zf"
    beta: object = 1.0
    noise: float = 1.0
    power: object = None
    sic_bound: str = "MxM"
    n_saa: int = 200
    n_eval: int = 10_000
    seed: int = 0
    projection: str = "exact"
    restarts: int = 3
    movable: bool = True

    # ------------------------------------------------------------------ construction / checks
    def __post_init__(self):
        if self.d is None and isinstance(self.wavelength, (int, float)) and self.wavelength > 0:
            object.__setattr__(self, "d", 0.5 * float(self.wavelength))
        if self.D is None and isinstance(self.wavelength, (int, float)) and self.wavelength > 0:
            object.__setattr__(self, "D", 6.0 * float(self.wavelength))
        super().__post_init__()

    def validate(self) -> None:
        check_fields(self)
        o = _OWNER
        M = require_int(o, "M", self.M, 1)
        K = require_int(o, "K", self.K, 1)
        require_positive(o, "wavelength", self.wavelength)
        if self.d is None or self.D is None:
            fail(o, "d" if self.d is None else "D", None, "must be given")
        require_nonnegative(o, "d", self.d)
        require_positive(o, "D", self.D)
        if (M - 1) * float(self.d) > float(self.D) * (1 + 1e-12):
            fail(o, "D", self.D, f"must be >= (M-1)*d = {(M - 1) * float(self.d):g} (M={M}, d={self.d:g}): "
                 "no feasible layout")
        theta = np.asarray(self.theta, float) if not isinstance(self.theta, str) else self.theta
        require_finite(o, "theta", theta)
        theta = np.atleast_1d(np.asarray(theta, float))
        if theta.shape != (K,):
            fail(o, "theta", self.theta, f"must have shape ({K},) (one angle per user)")
        require_range(o, "theta", theta, 0.0, math.pi)
        if self.power is not None:
            power = _as_user_array(o, "power", self.power, K)
            require_positive(o, "power", power)
        else:
            power = 10.0 ** (_as_user_array(o, "p_db", self.p_db, K) / 10.0)
        rician = _as_user_array(o, "rician", self.rician, K)
        require_nonnegative(o, "rician", rician)
        beta = _as_user_array(o, "beta", self.beta, K)
        require_positive(o, "beta", beta)
        require_positive(o, "noise", self.noise)
        require_choice(o, "receiver", self.receiver, set(RECEIVERS))
        if self.receiver == "zf" and K >= M:
            fail(o, "K", K, f"receiver='zf' needs M > K (M = {M}): the ZF surrogate (9) scales with "
                 "M - K and is identically 0 at M = K; use receiver='mmse' or 'mmse_sic' when K >= M")
        require_choice(o, "sic_bound", self.sic_bound, {"MxM", "KxK"})
        require_choice(o, "projection", self.projection, {"exact", "sequential"})
        require_int(o, "n_saa", self.n_saa, 1)
        require_int(o, "n_eval", self.n_eval, 1)
        require_int(o, "seed", self.seed, 0)
        require_int(o, "restarts", self.restarts, 0)
        if not isinstance(self.movable, (bool, np.bool_)):
            fail(o, "movable", self.movable, "must be True or False")
        omega, nu = rician_weights(rician)
        object.__setattr__(self, "_region", LineSegment(0.0, float(self.D), float(self.d)))
        object.__setattr__(self, "_c", {
            "theta": theta, "cos": np.cos(theta), "p": power, "rician": rician, "beta": beta,
            "omega": omega, "nu": nu, "kappa": 2.0 * math.pi / float(self.wavelength),
        })

    @classmethod
    def random(cls, seed=0, **overrides) -> "UplinkTwoTimescaleProblem":
        """The default instance with ``seed`` (the SAA draw and the evaluation stream).

        Examples
        --------
        >>> from matoolbox.problems import UplinkTwoTimescaleProblem
        >>> prob = UplinkTwoTimescaleProblem.random(seed=0)   # M=8 MAs on [0, 6], K=4 users, ZF
        >>> x = {"positions": prob.fpa_positions()}           # fixed array, spacing lambda/2
        >>> round(float(prob.objective(x)), 4)                # closed-form ZF surrogate (bit/s/Hz)
        18.0448
        >>> bool(prob.violation(x) == 0)
        True
        """
        return cls(seed=random_seed(seed), **overrides)

    # ------------------------------------------------------------------ parameters
    @property
    def region(self) -> LineSegment:
        """The positions' feasible set F = ``LineSegment(0, D, d)`` (index order, adjacent spacing d)."""
        return self._region

    @property
    def p(self) -> np.ndarray:
        """Linear transmit powers (K,)."""
        return self._c["p"]

    @property
    def angles(self) -> np.ndarray:
        return self._c["theta"]

    @property
    def scheme(self) -> str:
        """"MA" (positions optimised) or "FPA" (``movable=False``: fixed at :meth:`fpa_positions`)."""
        return "MA" if self.movable else "FPA"

    def variant(self, scheme: str) -> "UplinkTwoTimescaleProblem":
        """The same instance under another scheme: "MA" or "FPA" (``ao_solve`` then returns the fixed array)."""
        key = str(scheme).upper()
        if key not in ("MA", "FPA"):
            fail(_OWNER, "variant.scheme", scheme, "must be one of ['FPA', 'MA']")
        return self if key == self.scheme else dataclasses.replace(self, movable=key == "MA")

    def fpa_positions(self) -> np.ndarray:
        """Fixed-position array x_m = (m-1) d (M,) (the FPA benchmark)."""
        return float(self.d) * np.arange(self.M)

    def spread_positions(self) -> np.ndarray:
        """Uniform spread x_m = (m-1) D / (M-1) over the whole span (M,)."""
        if self.M == 1:
            return np.zeros(1)
        return np.linspace(0.0, float(self.D), self.M)

    def random_positions(self, rng) -> np.ndarray:
        """A layout drawn uniformly over F (:meth:`LineSegment.random_feasible`): sorted U[0, L]
        draws plus (m-1) d, L = D - (M-1) d: (M,)."""
        return self._region.random_feasible(self.M, as_generator(rng))

    def random_feasible(self, block, rng=None) -> np.ndarray:
        """A random feasible value of ``block`` ("positions"): uniform over F, (M,)."""
        self._check_block(block)
        return self.random_positions(rng)

    def initial_point(self, rng=None) -> dict:
        """FPA start (so a PGA result is never worse than the FPA surrogate)."""
        return {"positions": self.fpa_positions()}

    ao_initial_point = initial_point

    # ------------------------------------------------------------------ feasibility
    def _positions(self, x) -> np.ndarray:
        pos = x["positions"] if isinstance(x, dict) else x
        pos = np.asarray(pos, float)
        if pos.shape[-1:] != (self.M,):
            fail(_OWNER, "positions", f"<array of shape {pos.shape}>", f"must have shape ({self.M},)")
        return pos

    def violation(self, x) -> float:
        """Max violation of F (``region.violation``): 0 when feasible."""
        return self._region.violation(self._positions(x))

    def project(self, block, value) -> np.ndarray:
        """Projection of ``value`` (..., M) onto F (``region.project`` with ``self.projection``)."""
        self._check_block(block)
        return self._region.project(value, method=self.projection)

    def bounds(self, block):
        """Per-antenna ranges of F: (m-1) d <= x_m <= D - (M-m) d, each (M,)."""
        self._check_block(block)
        return self._region.bounds(self.M)

    @staticmethod
    def _check_block(block):
        if block != "positions":
            raise InvalidProblemError(f"{_OWNER}.block = {block!r}: the only block is 'positions'")

    # ------------------------------------------------------------------ surrogates
    def _saa_noise(self) -> np.ndarray:
        W = self.__dict__.get("_saa_W")
        if W is None:
            W = nlos_samples(np.random.default_rng(spawn_seeds(self.seed, 2)[0]),
                             self.n_saa, self.M, self.K)
            object.__setattr__(self, "_saa_W", W)
        return W

    def surrogate(self, positions, receiver=None) -> np.ndarray | float:
        """Surrogate of ``receiver`` (default ``self.receiver``) for positions (..., M)."""
        receiver = self.receiver if receiver is None else receiver
        pos = self._positions(positions)
        if receiver == "zf":
            return self._zf(pos)[0]
        if receiver == "mmse_sic":
            return self._sic(pos)[0]
        if receiver == "mmse":
            return self._mmse(pos)[0]
        raise InvalidProblemError(f"{_OWNER}.receiver = {receiver!r}: must be one of {list(RECEIVERS)}")

    def objective(self, x) -> float:
        return float(self.surrogate(x))

    def objective_batch(self, block, values, x=None) -> np.ndarray:
        """Surrogate for a batch of layouts ``values`` (n, M) -> (n,)."""
        self._check_block(block)
        return np.asarray(self.surrogate(np.asarray(values, float)), float).reshape(-1)

    def violation_batch(self, block, values, x=None) -> np.ndarray:
        """Spacing violation of each layout in ``values`` (n, M) -> (n,)."""
        self._check_block(block)
        return self._region.violations(np.asarray(values, float).reshape(-1, self.M))

    def gradient(self, block, x) -> np.ndarray:
        """d surrogate / d positions (M,) (zeros for the FPA scheme: the positions are fixed)."""
        self._check_block(block)
        pos = self._positions(x)
        if pos.ndim != 1:
            fail(_OWNER, "positions", f"<array of shape {pos.shape}>", f"gradient needs shape ({self.M},)")
        if not self.movable:
            return np.zeros(self.M)
        if self.receiver == "zf":
            return self._zf(pos, grad=True)[1]
        if self.receiver == "mmse_sic":
            return self._sic(pos, grad=True)[1]
        return self._mmse(pos, grad=True)[1]

    def _zf(self, pos, grad=False):
        c = self._c
        M, K = self.M, self.K
        G = self._los_gram(pos)
        om = c["omega"]
        Psi = np.diag(c["nu"] ** 2) + (om[:, None] * G * om[None, :]) / M
        T = np.linalg.inv(Psi)
        Tkk = np.real(np.diagonal(T, axis1=-2, axis2=-1))
        vs = c["p"] * c["beta"] * (M - K) / self.noise
        val = np.sum(np.log2(1.0 + vs / Tkk), axis=-1)
        if not grad:
            return val, None
        # dR = (1/(M ln2)) tr(Y dG), Y = Om T diag(xi) T Om, xi_k = vs_k / (T_kk (T_kk + vs_k))
        xi = vs / (Tkk * (Tkk + vs))
        Y = (om[:, None] * ((T * xi) @ T) * om[None, :]) / (M * _LN2)
        A = self._los_steering(pos)
        return val, gram_gradient(A, c["cos"], Y, self.wavelength)

    def _sic_params(self):
        c = self._c
        s = c["p"] * c["beta"] / self.noise
        lam = s * c["omega"] ** 2
        alpha = 1.0 + float(np.sum(s * c["nu"] ** 2))
        return s, lam, alpha

    def _sic(self, pos, grad=False):
        c = self._c
        s, lam, alpha = self._sic_params()
        G = self._los_gram(pos)
        if self.sic_bound == "MxM":
            r = np.sqrt(lam / alpha)
            N = np.eye(self.K) + r[:, None] * G * r[None, :]
            const = self.M * math.log2(alpha)
        else:
            r = np.sqrt(s) * c["omega"]
            N = np.diag(1.0 + self.M * s * c["nu"] ** 2) + r[:, None] * G * r[None, :]
            const = 0.0
        val = const + np.linalg.slogdet(N)[1] / _LN2
        if not grad:
            return val, None
        Y = r[:, None] * np.linalg.inv(N) * r[None, :] / _LN2
        A = self._los_steering(pos)
        return val, gram_gradient(A, c["cos"], Y, self.wavelength)

    def _mmse(self, pos, grad=False):
        c = self._c
        K = self.K
        W = self._saa_noise()                               # (S, M, K)
        sw = np.sqrt(c["p"] * c["beta"])                     # sqrt(p_k beta_k)
        A = self._los_steering(pos)  # (..., M, K)
        LoS = A * (c["omega"] * sw)                          # (..., M, K)
        NL = W * (c["nu"] * sw)                              # (S, M, K)
        if pos.ndim == 1:
            Ht = LoS[None] + NL                              # (S, M, K) = H_s P^1/2
        else:
            Ht = LoS[..., None, :, :] + NL                   # (..., S, M, K)
        gram = np.conj(np.swapaxes(Ht, -1, -2)) @ Ht
        E = np.linalg.inv(np.eye(K) + gram / self.noise)
        Ekk = np.real(np.diagonal(E, axis1=-2, axis2=-1))   # (..., S, K)
        val = -np.mean(np.sum(np.log2(Ekk), axis=-1), axis=-1)
        if not grad:
            return val, None
        F = (E / Ekk[..., None, :]) @ E                     # E diag(1/E_kk) E, (S, K, K)
        Z = np.sum(Ht @ F, axis=0)                           # sum_s H~_s F_s (M, K)
        Dt = 1j * c["kappa"] * c["cos"] * LoS                # d H~[m, i] / d x_m  (M, K)
        g = 2.0 / (self.n_saa * self.noise * _LN2) * np.real(np.sum(np.conj(Dt) * Z, axis=-1))
        return val, g

    def surrogate_upper_bound(self, receiver=None) -> float:
        """Hadamard bound of the ZF / SIC surrogate (attained iff G(x) = M I); NaN for MMSE.

        Scope: the whole surrogate problem. The bound does not depend on the positions, so it
        bounds the surrogate objective at every feasible position vector (``ao_finalize`` reports
        it as ``output["surrogate_upper_bound"]``); it bounds the surrogate, not the Monte Carlo
        ergodic rate."""
        receiver = self.receiver if receiver is None else receiver
        c = self._c
        if receiver == "zf":
            return float(np.sum(np.log2(1.0 + c["p"] * c["beta"] * (self.M - self.K) / self.noise)))
        if receiver == "mmse_sic":
            s, lam, alpha = self._sic_params()
            if self.sic_bound == "MxM":
                return float(self.M * math.log2(alpha) + np.sum(np.log2(1.0 + self.M * lam / alpha)))
            return float(np.sum(np.log2(1.0 + self.M * s * (c["nu"] ** 2 + c["omega"] ** 2))))
        return math.nan

    # ------------------------------------------------------------------ Monte Carlo evaluation
    def ergodic_rates(self, positions, n_samples=None, rng=None, receivers=None,
                      chunk: int = 4096) -> dict:
        """Ergodic sum rates by Monte Carlo with instantaneous ZF / MMSE / MMSE-SIC receivers.

        Fresh NLoS samples (default: ``n_eval`` draws from the problem's evaluation stream,
        independent of the SAA draw; pass ``rng`` for another stream). All receivers share the
        same draws. Returns ``{receiver: mean, receiver + "_stderr": standard error}``; ZF is
        left out when K > M.
        """
        pos = self._positions(positions)
        if pos.ndim != 1:
            fail(_OWNER, "positions", f"<array of shape {pos.shape}>", f"must have shape ({self.M},)")
        if receivers is None:
            receivers = tuple(r for r in RECEIVERS if r != "zf" or self.K <= self.M)
        n = int(self.n_eval if n_samples is None else n_samples)
        gen = as_generator(rng) if rng is not None else np.random.default_rng(spawn_seeds(self.seed, 2)[1])
        c = self._c
        A = self._los_steering(pos)
        sb = np.sqrt(c["beta"])
        sums = {r: 0.0 for r in receivers}
        sq = {r: 0.0 for r in receivers}
        done = 0
        while done < n:
            m = min(chunk, n - done)
            W = nlos_samples(gen, m, self.M, self.K)
            H = (A * c["omega"] + W * c["nu"]) * sb
            rates = instantaneous_rates(H, c["p"], self.noise, receivers)
            for r in receivers:
                sums[r] += float(np.sum(rates[r]))
                sq[r] += float(np.sum(rates[r] ** 2))
            done += m
        out = {}
        for r in receivers:
            mean = sums[r] / n
            var = max(sq[r] / n - mean * mean, 0.0) * n / max(n - 1, 1)
            out[r] = mean
            out[r + "_stderr"] = math.sqrt(var / n)
        return out

    def evaluate(self, x, n_samples=None, rng=None) -> dict:
        """Surrogate, spacing violation and ergodic MC rates of every receiver at ``x``."""
        return {"objective": self.objective(x), "violation": self.violation(x),
                **self.ergodic_rates(self._positions(x), n_samples=n_samples, rng=rng)}

    # ------------------------------------------------------------------ ao_solve hooks
    def pga_options(self, **changes):
        """Default PGA options of this family (docs/theory/uplink.rst: Projected gradient ascent): tau_0 = lambda^2, c1 = 1e-4, rho = 0.5,
        rel. tol 1e-6, 500 iterations, extra start: the uniform spread (``ao_blocks`` adds
        ``restarts=self.restarts`` random starts, drawn by ``pga`` from :meth:`random_feasible`)."""
        return PgaOptions(block="positions", max_iter=500, step0=float(self.wavelength) ** 2,
                          armijo=1e-4, shrink=0.5, tol=1e-6, xtol=1e-10 * float(self.wavelength),
                          starts=(self.spread_positions(),)).replace(**changes)

    def ao_blocks(self):
        """One block: multi-start :func:`~matoolbox.optim.pga` on the positions (the AO start first,
        then the spread layout and ``restarts`` layouts from :meth:`random_feasible`); FPA: a block
        that sets the fixed array (nothing to optimise)."""
        if not self.movable:
            return [Block("positions", _fpa_block)]
        return [Block("positions", pga, self.pga_options(restarts=self.restarts))]

    def ao_defaults(self) -> dict:
        return {"max_iter": 3, "tol": 1e-4}

    def ao_finalize(self, solution):
        """Add the ergodic MC rates of every receiver at the solution and at FPA to ``output``."""
        pos = np.asarray(solution.x["positions"], float)
        ma = self.ergodic_rates(pos)
        fpa = self.ergodic_rates(self.fpa_positions())
        out = dict(solution.output)
        out.update({
            "receiver": self.receiver,
            "ergodic": ma,
            "ergodic_fpa": fpa,
            "surrogate_fpa": self.objective({"positions": self.fpa_positions()}),
            "surrogate_upper_bound": (None if self.receiver == "mmse" else self.surrogate_upper_bound()),
            "gain_vs_fpa": {r: ma[r] - fpa[r] for r in RECEIVERS if r in ma},
        })
        solution["output"] = out
        return solution


def _fpa_block(problem, x, options=None, rng=None) -> Solution:
    """The FPA scheme's only "block": the positions of the fixed array."""
    pos = {"positions": problem.fpa_positions()}
    return Solution(x=pos, fval=problem.objective(pos), exitflag=1, message="FPA: positions fixed",
                    violation=problem.violation(pos), solver="fpa_positions")
