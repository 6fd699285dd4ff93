"""E2: spectrum sharing with a movable-antenna secondary transmitter (:class:`SpectrumSharingProblem`),
its SOCP/SCA beamformer and the antenna-by-antenna grid enumeration."""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from ...channels.field_response import wavenumber
from ...core.errors import InvalidProblemError
from ...core.cvx import cached_model
from ...core.options import Options, resolve_options
from ...core.problem import Block, Problem
from ...core.rng import as_generator
from ...core.solution import Solution
from ...core.validate import (
    fail, require_finite, require_int, require_nonnegative, require_positive, require_shape,
)
from ..checks import PlanarArrayChecksMixin, check_args, check_db_fields
from ...regions import Rectangle
from .geometry import (FpaSchemeMixin, _cn, _copy_x, _db, _path_loss, _random_fd_directions, _set, _solve)

__all__ = ["SpectrumSharingProblem", "spectrum_sharing_beamformer", "SpectrumSharingBfOptions",
           "spectrum_sharing_enumeration", "EnumerationOptions"]


@dataclasses.dataclass(frozen=True, eq=False)
class SpectrumSharingProblem(FpaSchemeMixin, PlanarArrayChecksMixin, Problem):
    r"""E2: MA-aided spectrum sharing ([Wei], review (8)).

    A secondary transmitter with N MAs in [0, A]^2 serves its receiver (link 0) under interference
    caps at K primary receivers (links 1..K): with the field-response rows
    ``[h_k^H(t)]_n = sum_l sigma_{k,l} e^{j k0 u_{k,l}^T t_n}``,

        max |h_0^H w|^2 / sigma^2   s.t.  ||w||^2 <= P,  |h_k^H w|^2 <= Gamma,  region, spacing.

    ``Gamma = sigma^2 10^(inr_cap_db/10)`` (``inr_cap_db = -inf``: Gamma = 0, exact nulls).
    Fields: ``dirs`` (K+1, L, 2), ``gains`` (K+1, L) complex path responses (path loss included);
    powers in dBm; ``wavelength``, ``region``, ``d_min`` in metres.
    ``x = {"positions": (N, 2), "precoders": (N,) complex}``; ``objective`` is the SNR (linear).
    ``movable=False`` (``variant("FPA")``): the positions stay at the FPA grid and ``ao_solve`` runs
    the beamformer block only.
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
    movable: bool = True

    def validate(self):
        own = type(self).__name__
        self._check_movable()
        n = require_int(own, "n_antennas", self.n_antennas)
        check_db_fields(self, "power_dbm", "noise_dbm", "inr_cap_db", allow_neg_inf=("inr_cap_db",))
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
        """Receivers at distances ~ U[distance]; sigma_{k,l} ~ CN(0, beta_k / L); angles U[0, pi].

        Examples
        --------
        >>> from matoolbox.problems import SpectrumSharingProblem
        >>> prob = SpectrumSharingProblem.random(seed=0)      # E2: 4 MAs, 3 primary receivers
        >>> x = prob.initial_point(0)
        >>> x["positions"].shape, x["precoders"].shape
        ((4, 2), (4,))
        >>> sorted(prob.evaluate(x))
        ['max_inr_db', 'rate', 'snr', 'snr_db']
        """
        check_args(cls.__name__, seed=seed, n_primary=n_primary, n_paths=n_paths, distance=distance, c0_db=c0_db,
                   alpha=alpha, pairs=("distance",))
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
        v = self.position_region.violation(P) / self.wavelength
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

    @property
    def position_region(self) -> Rectangle:
        """The positions' region ``Rectangle(0, A, 0, A, d_min)`` ([0, A]^2, metres)."""
        box = self.__dict__.get("_box")
        if box is None:
            box = Rectangle(0.0, float(self.region), 0.0, float(self.region), float(self.d_min))
            _set(self, "_box", box)
        return box

    def project(self, block, value):
        """:meth:`matoolbox.regions.Rectangle.project` (clip, pairwise pushes, greedy grid, then the
        FPA layout), so the result is always feasible; feasible layouts are kept."""
        self._check_block(block)
        return self.position_region.project(value, fallback=self.fpa_positions())

    def fpa_positions(self) -> np.ndarray:
        """FPA grid with spacing max(lambda/2, d_min) centred in the region: (N, 2)."""
        return self.position_region.fpa(self.n_antennas, max(self.d_min, self.wavelength / 2))

    def initial_point(self, rng=None):
        """FPA layout, w = 0 (feasible)."""
        return {"positions": self.fpa_positions(), "precoders": np.zeros(self.n_antennas, complex)}

    def random_point(self, rng=None):
        """A random feasible layout (:meth:`matoolbox.regions.Rectangle.random_feasible`: rejection
        sampling of the spacing) and w = 0."""
        P = self.position_region.random_feasible(self.n_antennas, as_generator(rng))
        return {"positions": P, "precoders": np.zeros(self.n_antennas, complex)}

    def evaluate(self, x) -> dict:
        snr = self.objective(x)
        out = {"snr": snr, "snr_db": float(10 * np.log10(max(snr, 1e-300))), "rate": float(np.log2(1 + snr))}
        if self.n_primary:
            out["max_inr_db"] = float(10 * np.log10(max(self.interference(x).max(), 1e-300)))
        return out

    def ao_blocks(self):
        """Beamformer, then enumeration of the positions (FPA: the beamformer only)."""
        return self._scheme_blocks([Block("precoders", spectrum_sharing_beamformer),
                                    Block("positions", spectrum_sharing_enumeration)])

    def ao_defaults(self):
        return {"max_iter": 30, "tol": 1e-4}

    def _check_block(self, block):
        if block != "positions":
            fail(type(self).__name__, "block", block, "must be 'positions'")


# ----------------------------------------------------------------------------------------------
# E3: full array gain with null steering
# ----------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------
# E2: spectrum sharing
# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class SpectrumSharingBfOptions(Options):
    """method: "socp" (exact, one solve) or "sca" (the paper's SCA on |h_0^H w|^2, from the
    incumbent or scaled MRT); max_iter / tol: SCA iterations and relative stopping tolerance;
    solvers: CVXPY solver order (None: MOSEK if licensed, CLARABEL, SCS)."""

    method: str = "socp"
    max_iter: int = 50
    tol: float = 1e-10
    solvers: tuple | None = None


def _ss_socp(n: int, k: int):
    """DPP problem: max Re{g w} s.t. |Hc w| <= sqrt(Gamma), ||w|| <= sqrt(P) (g, Hc rows of h^H)."""
    import cvxpy as cp

    w = cp.Variable(n, complex=True)
    g = cp.Parameter(n, complex=True)
    sqrt_p = cp.Parameter(nonneg=True)
    cons = [cp.norm(w, 2) <= sqrt_p]
    par = {"g": g, "sqrt_p": sqrt_p}
    if k:
        H = cp.Parameter((k, n), complex=True)
        sqrt_g = cp.Parameter(nonneg=True)
        cons.append(cp.abs(H @ w) <= sqrt_g)
        par.update(H=H, sqrt_g=sqrt_g)
    return cp.Problem(cp.Maximize(cp.real(g @ w)), cons), w, par


def _ss_polish(w, H, gamma, power):
    """Feasibility polish: min-norm correction of the caps |H w|^2 <= gamma, then power scaling."""
    w = np.asarray(w, complex)
    if H.shape[0]:
        e = H @ w
        mag = np.abs(e)
        cap = math.sqrt(gamma)
        over = mag > cap
        if np.any(over):
            target = np.where(over, e * (cap / np.maximum(mag, 1e-300)), e)
            w = w + np.linalg.lstsq(H, target - e, rcond=None)[0]
    nw = np.linalg.norm(w)
    if nw > math.sqrt(power):
        w = w * (math.sqrt(power) / nw)
    if H.shape[0]:
        mag = np.abs(H @ w).max()
        if mag ** 2 > gamma * (1 + 1e-12) + 1e-12:   # only if the correction failed (rank-deficient H)
            w = w * (math.sqrt(gamma) / mag)
    return w


def spectrum_sharing_beamformer(problem, x0=None, *, options=None, rng=None) -> Solution:
    r"""E2 ``w``-step for fixed positions (noise-normalised rows ``r_k = h_k^H / sigma``).

    ``"socp"``: ``max Re{r_0 w}`` s.t. ``|r_k w| <= sqrt(Gamma)``, ``||w|| <= sqrt(P)``; the phase
    of w is free, so this is the exact optimum of ``max |r_0 w|^2`` (SNR = value^2).
    ``"sca"``: iterate ``max Re{(r_0 w_bar)^* r_0 w}`` (the affine minorant of ``|r_0 w|^2``) over
    the same set from the incumbent (or scaled MRT). Both are followed by the feasibility polish
    and compared with the feasible incumbent, so the block never decreases the objective.

    Parameters
    ----------
    problem : SpectrumSharingProblem
        The problem the block runs on.
    x0 : dict, optional
        Full variable dict (default: the problem's initial point).
    options : SpectrumSharingBfOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Unused; accepted for the solver contract.

    Returns
    -------
    Solution
        The full ``x`` with ``precoders`` updated (monotone, feasible).

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(SpectrumSharingBfOptions, options)
    if opts.method not in ("socp", "sca"):
        raise InvalidProblemError(f"SpectrumSharingBfOptions.method = {opts.method!r}: must be 'socp' or 'sca'")
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    rows = problem.channel_rows(x["positions"])
    r0, H = rows[0], rows[1:]
    n, k = r0.size, H.shape[0]
    gamma, power = problem.gamma, problem.power
    prob, wv, par = cached_model(("_ss_socp", n, k), lambda: _ss_socp(n, k))
    par["sqrt_p"].value = math.sqrt(power)
    if k:
        par["H"].value = H
        par["sqrt_g"].value = math.sqrt(gamma)
    attempts, history = [], []

    def solve(g):
        par["g"].value = g
        res = _solve(prob, opts.solvers, warm_start=bool(attempts))
        attempts.extend(res.attempts)
        if not res.usable or wv.value is None:
            return None
        return _ss_polish(wv.value, H, gamma, power)

    incumbent = np.asarray(x.get("precoders", np.zeros(n)), complex)
    inc_ok = problem.violation({**x, "precoders": incumbent}) <= 1e-9
    inc_val = abs(r0 @ incumbent) ** 2 if inc_ok else -math.inf
    nit = 0
    if opts.method == "socp":
        w = solve(r0)
        nit = 1
        if w is not None:
            history.append(abs(r0 @ w) ** 2)
    else:
        w = incumbent if (inc_ok and abs(r0 @ incumbent) > 0) else _ss_polish(
            math.sqrt(power) * r0.conj() / max(np.linalg.norm(r0), 1e-300), H, gamma, power)
        val = abs(r0 @ w) ** 2
        history.append(val)
        for nit in range(1, opts.max_iter + 1):
            c = r0 @ w
            if abs(c) == 0:
                c = 1.0
            w_new = solve(np.conj(c) * r0)
            if w_new is None:
                w = None
                break
            new = abs(r0 @ w_new) ** 2
            history.append(new)
            done = abs(new - val) <= opts.tol * max(1.0, abs(val))
            if new >= val:
                w, val = w_new, new
            if done:
                break
    if w is None:
        w = incumbent if inc_ok else np.zeros(n, complex)
        exitflag, msg = -3, "convex solver failed; incumbent kept"
    else:
        exitflag, msg = 1, f"{opts.method} solved"
        if abs(r0 @ w) ** 2 < inc_val:
            w = incumbent
    x["precoders"] = w
    return Solution(x=x, fval=problem.objective(x), exitflag=exitflag, message=msg, nit=nit,
                    history=history, violation=problem.violation(x), elapsed=time.perf_counter() - t0,
                    solver="spectrum_sharing_beamformer", output={"cvx_attempts": attempts, "method": opts.method})


@dataclasses.dataclass(frozen=True)
class EnumerationOptions(Options):
    """grid_step: grid step in wavelengths (default 1/20, docs/theory/full_duplex.rst: Example problems E1–E4); sweeps: passes over all antennas."""

    grid_step: float = 0.05
    sweeps: int = 1


def spectrum_sharing_enumeration(problem, x0=None, *, options=None, rng=None) -> Solution:
    r"""E2 positions: one antenna at a time, exhaustive search of a grid over the region.

    Antenna n at grid point p changes column n of the rows to ``u_k(p)``. Each point (closer than
    ``d_min`` to no other antenna) is scored by the better of two *feasible* beamformers:
    the current w scaled by ``alpha = min(1, min_k sqrt(Gamma)/|h_k^H w|)`` (caps kept), and the
    zero-forcing MRT ``sqrt(P) P_perp h_0 / ||P_perp h_0||`` (zero interference, K < N). The
    antenna moves to the best point if its score beats the current SNR; x["precoders"] is set to
    the matching beamformer, so the block is monotone and feasible (the next w-step re-optimises).

    Parameters
    ----------
    problem : SpectrumSharingProblem
        The problem the block runs on.
    x0 : dict, optional
        Full variable dict (default: the problem's initial point).
    options : EnumerationOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Unused; accepted for the solver contract.

    Returns
    -------
    Solution
        The full ``x`` with ``positions`` and the matching ``precoders`` (monotone, feasible).

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(EnumerationOptions, options)
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    step = opts.grid_step * problem.wavelength
    ticks = np.minimum(np.arange(0.0, problem.region + step / 2, step), problem.region)
    grid = np.stack(np.meshgrid(ticks, ticks), -1).reshape(-1, 2)
    U = problem.grid_response(grid)                                   # (K+1, G)
    P = np.array(x["positions"], float)
    w = np.asarray(x["precoders"], complex)
    gamma, power = problem.gamma, problem.power
    K1, G = U.shape
    f = problem.objective(x)
    v0 = max(problem.violation(x), 1e-9)
    history, moves = [f], 0
    for _ in range(opts.sweeps):
        for n in range(P.shape[0]):
            rows = problem.channel_rows(P)                            # (K+1, N)
            rest = rows @ w - rows[:, n] * w[n]
            val = rest[:, None] + U * w[n]                             # (K+1, G)
            alpha2 = np.ones(G)
            if K1 > 1:
                peak = np.max(np.abs(val[1:]) ** 2, axis=0)
                alpha2 = np.minimum(1.0, gamma / np.maximum(peak, 1e-300))
                alpha2 = np.where(peak <= gamma, 1.0, alpha2)
            score_s = alpha2 * np.abs(val[0]) ** 2
            score_z = np.zeros(G)
            if 1 < K1 <= P.shape[0]:
                R = np.repeat(rows[None], G, axis=0)
                R[:, :, n] = U.T
                Q, _ = np.linalg.qr(np.conj(np.swapaxes(R[:, 1:, :], 1, 2)))   # (G, N, K)
                r0c = np.conj(R[:, 0, :])
                pz = r0c - np.einsum("gnk,gk->gn", Q, np.einsum("gnk,gn->gk", Q.conj(), r0c))
                score_z = power * np.sum(np.abs(pz) ** 2, axis=1)
            elif K1 == 1:
                score_z = power * (np.sum(np.abs(rows[0]) ** 2) - np.abs(rows[0, n]) ** 2 + np.abs(U[0]) ** 2)
            score = np.maximum(score_s, score_z)
            others = np.delete(P, n, axis=0)
            if len(others) and problem.d_min > 0:
                dist = np.linalg.norm(grid[:, None, :] - others[None], axis=-1).min(axis=1)
                score = np.where(dist >= problem.d_min, score, -np.inf)
            i = int(np.argmax(score))
            if not score[i] > f * (1 + 1e-9):
                continue
            cand = P.copy()
            cand[n] = grid[i]
            if score_s[i] >= score_z[i]:
                wc = w * math.sqrt(alpha2[i])
            else:
                rc = problem.channel_rows(cand)
                wc = _zf_mrt(rc[0], rc[1:], power)
            xc = {**x, "positions": cand, "precoders": wc}
            fc, vc = problem.objective(xc), problem.violation(xc)
            if fc > f and vc <= v0:
                P, w, f = cand, wc, fc
                moves += 1
        history.append(f)
    x["positions"], x["precoders"] = P, w
    return Solution(x=x, fval=problem.objective(x), exitflag=1, message=f"{moves} antenna moves",
                    nit=opts.sweeps, history=history, violation=problem.violation(x),
                    elapsed=time.perf_counter() - t0, solver="spectrum_sharing_enumeration",
                    output={"moves": moves, "grid_points": G})


def _zf_mrt(r0, H, power):
    """sqrt(P) P_perp r0^H / ||.|| with P_perp the projector onto the null space of the rows H."""
    r0c = np.conj(r0)
    if H.shape[0]:
        Q, _ = np.linalg.qr(np.conj(H.T))
        r0c = r0c - Q @ (Q.conj().T @ r0c)
    nrm = np.linalg.norm(r0c)
    return np.zeros_like(r0c) if nrm == 0 else math.sqrt(power) * r0c / nrm
