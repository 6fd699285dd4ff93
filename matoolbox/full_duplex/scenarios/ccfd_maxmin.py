"""E1: two co-frequency co-time full-duplex terminals with movable Tx/Rx antennas, max-min rate
(:class:`CcfdMaxMinProblem`), and the alternating-position (APO) baseline :func:`apo_positions`."""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from ...channels.field_response import wavenumber
from ...core.options import Options, resolve_options
from ...core.problem import Block, Problem
from ...core.rng import as_generator
from ...core.solution import Solution
from ...core.validate import (
    fail, require_finite, require_int, require_positive, require_shape,
)
from ...optim.pso import PsoOptions, pso_positions
from ..checks import CcfdChecksMixin, check_args, check_db_fields
from .geometry import (FpaSchemeMixin, _cn, _copy_x, _db, _path_loss, _random_fd_directions, _set)

__all__ = ["CcfdMaxMinProblem", "apo_positions", "ApoOptions"]


# ----------------------------------------------------------------------------------------------
# E1: two-terminal CCFD max-min
# ----------------------------------------------------------------------------------------------
#: link order of E1's channel arrays: (transmitting terminal, receiving terminal)
E1_LINKS = ("AB", "BA", "AA", "BB")
#: rows of E1's ``positions`` used by each link: (tx row, rx row); rows are [t_A, r_A, t_B, r_B]
_E1_ROWS = ((0, 3), (2, 1), (0, 1), (2, 3))


@dataclasses.dataclass(frozen=True, eq=False)
class CcfdMaxMinProblem(FpaSchemeMixin, CcfdChecksMixin, Problem):
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
    ``movable=False`` (``variant("FPA")``): every antenna at its region's centre.
    """

    dirs_tx: np.ndarray
    dirs_rx: np.ndarray
    sigma: np.ndarray
    p_t_dbm: float = 20.0
    noise_dbm: float = -80.0
    si_db: float = -70.0
    wavelength: float = 0.1
    region: float = 0.3
    movable: bool = True

    def validate(self):
        own = type(self).__name__
        self._check_movable()
        check_db_fields(self, "p_t_dbm", "noise_dbm", "si_db")
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
        ``beta_SI = (lambda / (4 pi d_c))^2``, ``d_c = A + lambda`` (Tx/Rx region centres).

        Examples
        --------
        >>> from matoolbox.problems import CcfdMaxMinProblem
        >>> prob = CcfdMaxMinProblem.random(seed=0)           # E1: two terminals, one Tx and one Rx MA each
        >>> x = prob.initial_point(0)
        >>> x["positions"].shape
        (4, 2)
        >>> ev = prob.evaluate(x)
        >>> bool(abs(min(ev["rate_A"], ev["rate_B"]) - prob.objective(x)) < 1e-9)
        True
        """
        check_args(cls.__name__, seed=seed, n_paths=n_paths, distance=distance, c0_db=c0_db, alpha=alpha,
                   wavelength=fields.get("wavelength", cls.wavelength), region=fields.get("region", cls.region))
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
        """PSO on the positions (FPA: the fixed layout)."""
        return self._scheme_blocks([Block("positions", pso_positions,
                                          PsoOptions(block="positions", n_particles=40, iters=100))])

    def ao_defaults(self):
        return {"max_iter": 2, "tol": 1e-4}

    def _check_block(self, block):
        if block != "positions":
            fail(type(self).__name__, "block", block, "must be 'positions'")


# ----------------------------------------------------------------------------------------------
# E2: spectrum sharing
# ----------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------
# E1 baseline: alternating position optimisation on a grid
# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ApoOptions(Options):
    """block: planar position block (R, 2); grid_step: grid step in wavelengths; max_rounds:
    sweeps over all antennas; tol: relative improvement that counts as progress."""

    block: str = "positions"
    grid_step: float = 0.05
    max_rounds: int = 20
    tol: float = 1e-9


def apo_positions(problem, x0=None, *, options=None, rng=None) -> Solution:
    """Alternating (one antenna at a time) exhaustive grid search of planar positions.

    Antenna r moves to ``argmax_{p in grid} f(x with row r = p)`` if that beats the current value
    by more than ``tol`` (relative); rounds over r = 1..R repeat until no antenna moves
    (exitflag 1) or ``max_rounds`` (exitflag 0). ``history``: objective after every round.

    Parameters
    ----------
    problem : CcfdMaxMinProblem
        The problem the block runs on.
    x0 : dict, optional
        Start ``{"positions": (4, 2)}`` (default: the problem's initial point).
    options : ApoOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.

    Returns
    -------
    Solution
        The full ``x`` with the positions updated; ``history`` the objective after every round.

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(ApoOptions, options)
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    block = opts.block
    lo, hi = (np.asarray(b, float) for b in problem.bounds(block))
    step = opts.grid_step * float(getattr(problem, "wavelength", 1.0))
    cur = np.asarray(x[block], float)
    f = float(problem.objective(x))
    history, moved, rnd = [f], True, 0
    while moved and rnd < opts.max_rounds:
        rnd += 1
        moved = False
        for r in range(cur.shape[0]):
            gx = np.arange(lo[r, 0], hi[r, 0] + step / 2, step)
            gy = np.arange(lo[r, 1], hi[r, 1] + step / 2, step)
            grid = np.stack(np.meshgrid(np.minimum(gx, hi[r, 0]), np.minimum(gy, hi[r, 1])), -1).reshape(-1, 2)
            cand = np.repeat(cur[None], len(grid), axis=0)
            cand[:, r] = grid
            vals = np.asarray(problem.objective_batch(block, cand, x), float)
            i = int(np.argmax(vals))
            if vals[i] > f + opts.tol * max(1.0, abs(f)):
                cur = cand[i]
                f = float(vals[i])
                moved = True
        history.append(f)
    x[block] = cur
    f = float(problem.objective(x))
    return Solution(x=x, fval=f, exitflag=0 if moved else 1,
                    message="round limit reached" if moved else "no antenna improves on the grid",
                    nit=rnd, history=history, violation=float(problem.violation(x)),
                    elapsed=time.perf_counter() - t0, solver="apo_positions",
                    output={"grid_step": step, "rounds": rnd})
