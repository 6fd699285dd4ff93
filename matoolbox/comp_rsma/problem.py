"""The CoMP-RSMA problem object: fields, validation, random draws, channel, rates, objective,
constraints and starting points (model and equations: see the CoMP-RSMA theory page and
:mod:`matoolbox.comp_rsma.rates`)."""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..channels import field_response as fr
from ..core.errors import InvalidProblemError
from ..core.problem import Problem
from ..core.rng import as_generator
from ..core.validate import fail, require_choice, require_finite, require_int, require_nonnegative, require_positive
from .ao import CompRsmaAoMixin
from .io import CompRsmaIoMixin
from .checks import CompRsmaChecksMixin, check_fields, check_random_args
from .meta import CompRsmaMetaMixin
from .models import INTERFERENCE_MODELS, CompRsmaModelMixin
from .nlp import CompRsmaNlpMixin
from .rates import RateGrad, _numba_call, lp_split, project_power, project_split, rate_coefficients, rates_from_gains

__all__ = ["CompRsmaProblem"]

_OWNER = "CompRsmaProblem"


# --------------------------------------------------------------------------------------------
# the problem
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class CompRsmaProblem(CompRsmaChecksMixin, CompRsmaModelMixin, CompRsmaAoMixin, CompRsmaNlpMixin, CompRsmaMetaMixin,
                      CompRsmaIoMixin, Problem):
    r"""CoMP-RSMA sum-rate maximisation with movable user antennas (one channel realisation).

    Channel fields (noise not yet removed): ``theta_t, phi_t`` (N, K, L) AoD elevation/azimuth,
    ``theta_r, phi_r`` (N, K, Q) AoA, ``Sigma`` (N, K, Q, L) path-response matrices [W^(1/2)].
    System: ``I`` BS antennas (ULA along x, spacing ``bs_spacing``, default wavelength/2),
    ``wavelength`` [m], ``region`` side A [m], ``pmax_dbm`` per BS (scalar or (N,)),
    ``noise_dbm``, ``rth`` [bit/s/Hz], ``access`` "rsma"|"sdma", ``movable`` (False = FPA at the
    region centre). ``reduced=True`` scores V(P, r) with the split eliminated (docs/theory/comp_rsma.rst: reduced form).
    ``ao_init``: RSMA AO start, "auto" (default), "best", "sdma" or "mrt" (:meth:`ao_initial_point`);
    ``ao_polish``: "slsqp" (default) or "none", final joint polish of the AO (:meth:`ao_finalize`).
    ``bs_xy`` (N, 2), ``user_xy`` (K, 2), ``alpha``, ``g0`` record how the draw was made.

    ``interference`` (docs/theory/comp_rsma.rst: Interference models), with per-BS gains
    A_n[k, s] = h_{n,k}^H p_{s,n} and a_{k,s} = sum_n A_n[k, s]:

    * ``"coherent"`` (default; phase-synchronised joint transmission): common SINR
      |a_{k,0}|^2 / (sum_{j>=1} |a_{k,j}|^2 + 1), private |a_{k,k}|^2 / (sum_{j!=k} |a_{k,j}|^2 + 1).
    * ``"noncoherent"`` (BSs not phase-synchronised): every term a per-BS power sum, signal
      sum_n |A_n[k,s]|^2, interference sum_n sum_{j!=k} |A_n[k,j]|^2 (common: j >= 1).
    * ``"paper"`` (the paper's printed (8), (10), to check its figures against its own equations):
      coherent numerators; denominators sum_n sum_{j=1..K} |A_n[j,j]|^2 + 1 (common) and
      sum_n sum_{j!=k} |A_n[j,j]|^2 + 1 (private of k): each user's own stream at its own channel.
      ``CompRsmaProblem.random(preset="paper")`` selects it with the paper's Table I settings.
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
    interference: str = "coherent"
    ao_init: str = "auto"
    ao_polish: str = "slsqp"
    alpha: float = 3.9
    g0: float | None = None
    bs_xy: np.ndarray | None = None
    user_xy: np.ndarray | None = None

    # ---------------------------------------------------------------- construction ---------
    def validate(self) -> None:
        check_fields(self)
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
        require_choice(_OWNER, "interference", self.interference, set(INTERFERENCE_MODELS))
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
               shared_rx_angles=False, preset=None, **overrides):
        r"""The default instance (docs/theory/comp_rsma.rst: Random draws): BSs on a circle of ``bs_radius`` m, users uniform in a
        disc of ``user_radius`` m, angles U[-pi/2, pi/2], Sigma diagonal CN(0, g0 d^-alpha / L).

        RNG order: user positions, then per link (n, k) row-major: theta_t, phi_t, theta_r, phi_r,
        Sigma (real, imag). ``region`` defaults to 2*wavelength, ``g0`` to (wavelength/4pi)^2.
        ``pmax_w`` (W) overrides ``pmax_dbm``. ``preset="paper"``: the paper's printed model
        (``interference="paper"`` unless given) and its literal receive angles (``shared_rx_angles``);
        the other Table I settings (N=2, I=4, K=4, L=Q=6, 33 dBm, -100 dBm, R_th=0.6, A=2 wavelength,
        alpha=3.9) are the defaults.

        Examples
        --------
        >>> from matoolbox.problems import CompRsmaProblem
        >>> prob = CompRsmaProblem.random(seed=0)            # N=2 BSs x I=4 antennas, K=4 users
        >>> x = prob.initial_point(0)
        >>> x["precoders"].shape, x["common"].shape, x["positions"].shape
        ((2, 4, 5), (4,), (4, 2))
        >>> bool(prob.violation(x) <= 1e-9), prob.objective(x) > 0
        (True, True)
        >>> prob.variant("SDMA-FPA").scheme
        'SDMA-FPA'
        """
        if preset is not None:
            require_choice(_OWNER, "preset", preset, {"paper"})
            overrides.setdefault("interference", "paper")
            shared_rx_angles = True
        check_random_args(seed, N=N, I=I, K=K, L=L, Q=Q, wavelength=wavelength, region=region, alpha=alpha,
                          g0=g0, pmax_dbm=pmax_dbm, pmax_w=pmax_w, noise_dbm=noise_dbm, rth=rth,
                          bs_radius=bs_radius, user_radius=user_radius, shared_rx_angles=shared_rx_angles)
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
        twin = dataclasses.replace(self, access=access, movable=movable)
        for k, v in self.__dict__.items():      # channel-only caches (grid rows) hold for every scheme
            if k.startswith("_grid_rows_"):
                object.__setattr__(twin, k, v)
        return twin

    @property
    def shapes(self) -> dict:
        N, K, I = self.N, self.K, self.I
        return {"precoders": (N, I, K + 1), "common": (K,), "positions": (K, 2)}

    def as_reduced(self) -> "CompRsmaProblem":
        """The reduced problem (objective V(P, r), split eliminated by the LP)."""
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
        for k in [k for k in state if k.startswith("_grid_rows_")]:    # large; rebuilt on demand
            state.pop(k)
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
            vary = np.any(pos != pos[:1], axis=(0, 2)) if not grad else None
            if vary is None or np.all(vary):
                return _numba_call(f, W, C, pos, self.wavelength, sign=-1)
            # user k's row depends on r_k only: rows equal across the batch (a per-user grid
            # search moves one) are computed once (measured: 16x less work at K = 16)
            out = np.repeat(self._steer(C, pos[0])[None], pos.shape[0], axis=0)
            idx = np.nonzero(vary)[0]
            if idx.size:
                out[:, idx] = self._steer_rows(C, pos, idx)
            return out
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
        B = np.matmul(c["SG"], np.asarray(P, complex)[:, None])          # (N, K, Q, K+1); 6x einsum's speed
        return np.ascontiguousarray(B.transpose(1, 0, 2, 3)).reshape(c["K"], c["N"] * c["Q"], c["K"] + 1)

    def gains(self, P, positions, grad: bool = False):
        """Stream gains A[k, s] = h_k^H p_s (K, K+1); with ``grad`` also dA/dr_k (K, K+1, 2).
        positions may be a batch (B, K, 2) -> (B, K, K+1)."""
        return self._steer(self._coeffs(P), positions, grad=grad)

    # ---------------------------------------------------------------- rates ----------------
    def _unpack(self, x):
        P = np.asarray(x["precoders"], complex)
        r = np.asarray(x["positions"], float) if "positions" in x else np.zeros((self.K, 2))
        c = np.asarray(x["common"], float) if "common" in x else np.zeros(self.K)
        return P, c, r

    def rates(self, x):
        """(Rc, Rp) of shape (K,) at x (the split is not used)."""
        P, _, r = self._unpack(x)
        return self.rates_at(P, r)

    def weighted_rates(self, P, positions, wc, wp) -> RateGrad:
        r"""F = sum_k (wc_k R_{c,k} + wp_k R_{p,k}) and its gradients (Analytic gradients), in one pass.

        grad_P[n, :, s] = 2 sum_k C_{k,s} h_{n,k} a_{k,s};  grad_r[k] = sum_s C_{k,s} 2 Re(a* da/dr_k).
        """
        if not self.coherent:
            return self._model_weighted_rates(P, positions, wc, wp)
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

    def lp_split(self, x) -> np.ndarray:
        """Optimal split c (K,) at x's precoders/positions (LP split); zeros for SDMA."""
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
        """V(P, r) of the reduced form: optimal sum rate for x's precoders/positions, -inf if QoS infeasible."""
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
        Rc, Rp = self.rates_at(P, r)
        return float(self._violations(P, c, r, Rc, Rp))

    def evaluate(self, x) -> dict:
        """Per-user rates and checks: Rc, Rp, rates (c + Rp), common, Rc_min, sum_rate, violation."""
        P, c, r = self._unpack(x)
        Rc, Rp = self.rates_at(P, r)
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
        return self._scores(P, c, vals, *self.rates_at(P, vals))

    def _scores(self, P, c, vals, Rc, Rp):
        """(objective, violation) of position blocks vals (..., K, 2) with rates Rc, Rp (..., K)."""
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
