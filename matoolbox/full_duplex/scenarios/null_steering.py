r"""E3 solvers: full array gain with null steering on a linear MA array (docs/theory/full_duplex.rst: Example problems E1–E4).

:func:`null_steering_layout` is the closed-form construction. With
``vartheta_k = cos theta_k - cos theta_0 != 0`` and a factorisation ``N = prod_k P_k`` (``P_k >= 2``,
so ``K <= Omega(N)``), take spacings ``s_k = lambda (1 + P_k q_k) / (P_k |vartheta_k|)`` with the
smallest integers ``q_k >= 0`` such that ``s_k >= sum_{i<k} (P_i - 1) s_i + d_min``, and positions
``{sum_k m_k s_k : m_k in 0..P_k-1}``. Then with ``w = a(theta_0)/sqrt(N)``:
``G(theta_0) = N`` and ``w^H a(theta_k) prop. prod_k' sum_m e^{j 2 pi m s_k' vartheta_k / lambda}``
whose ``k' = k`` factor is a full sum of ``P_k``-th roots of unity (zero); the mixed-radix bound
gives every gap ``>= d_min``. All ordered factorisations and null orders are tried and the smallest
aperture ``sum_k (P_k - 1) s_k`` is kept.

:func:`null_steering_finite` solves the finite-region variant ``x in [0, A]``: the closed form if it
fits, otherwise PSO (``pso_positions``) on the zero-forcing gain ``||P_perp(x) a(x, theta_0)||^2``
started from ``x0`` (default: the FPA ULA), so the result is never below FPA-ZF.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import time

import numpy as np

from ...core.errors import InvalidProblemError
from ...core.options import Options, resolve_options
from ...core.problem import Problem
from ...core.rng import as_generator
from ...core.solution import Solution
from ...core.validate import (
    fail, require_finite, require_int, require_positive,
)
from ...optim.pso import PsoOptions, pso_positions
from ..checks import LineArrayChecksMixin, check_args, check_db_fields, check_separation
from ...regions import LineSegment
from .geometry import FpaSchemeMixin, _omega, _set, array_gain, array_gain_grad, zf_gain

__all__ = ["NullSteeringProblem", "null_steering_layout", "null_steering_finite", "NullSteeringOptions"]


@dataclasses.dataclass(frozen=True)
class NullSteeringOptions(Options):
    """Options of the E3 solvers.

    max_orders:  most (factorisation x null order) combinations tried by the closed form; beyond
                 it only the orders by increasing / decreasing |vartheta_k| are tried.

    n_particles, iters: PSO swarm size and iterations for the finite-region fallback.
    use_closed_form: try the closed-form layout first in :func:`null_steering_finite`.
    """

    max_orders: int = 50_000
    n_particles: int = 40
    iters: int = 100
    use_closed_form: bool = True


def _ordered_factorizations(n: int, k: int):
    """All ordered tuples (P_1..P_k) of integers >= 2 with product n."""
    if k == 1:
        return [(n,)] if n >= 2 else []
    out = []
    for p in range(2, n + 1):
        if n % p == 0:
            out.extend((p,) + rest for rest in _ordered_factorizations(n // p, k - 1))
    return out


def _spacings(factors, vt, wavelength, d_min):
    """Spacings s_k (smallest q_k) for null order ``vt`` (|vartheta| per slot); returns (s, aperture)."""
    s, acc = [], 0.0
    for p, v in zip(factors, vt):
        lb = acc + d_min
        base = wavelength / (p * v)
        q = max(0, math.ceil((lb / base - 1.0) / p))
        while base * (1 + p * q) < lb * (1 - 1e-13):
            q += 1
        while q > 0 and base * (1 + p * (q - 1)) >= lb:
            q -= 1
        sk = base * (1 + p * q)
        s.append(sk)
        acc += (p - 1) * sk
    return np.array(s), acc


def closed_form_layout(n, theta0, null_angles, wavelength=1.0, d_min=0.5, max_orders=50_000):
    """Positions (N,) starting at 0 and a dict with factors, spacings, null order and aperture.

    Raises InvalidProblemError when no factorisation of ``n`` into ``K`` factors >= 2 exists.
    """
    null_angles = np.atleast_1d(np.asarray(null_angles, float))
    K = null_angles.size
    facts = _ordered_factorizations(int(n), K)
    if not facts:
        raise InvalidProblemError(
            f"NullSteeringProblem.null_angles = <{K} nulls>: n_antennas = {n} has no factorisation "
            f"into {K} factors >= 2 (the closed-form layout needs K <= Omega(N))")
    vt = np.abs(np.cos(null_angles) - np.cos(theta0))
    if np.any(vt < 1e-12):
        raise InvalidProblemError(
            f"NullSteeringProblem.null_angles = {null_angles.tolist()!r}: a null coincides with theta0")
    if len(facts) * math.factorial(K) <= max_orders:
        orders = list(itertools.permutations(range(K)))
    else:
        inc = tuple(int(i) for i in np.argsort(vt))
        orders = [inc, inc[::-1]]
    best = None
    for f in facts:
        for order in orders:
            s, ap = _spacings(f, vt[list(order)], wavelength, d_min)
            if best is None or ap < best[2] * (1 - 1e-12):
                best = (f, order, ap, s)
    f, order, ap, s = best
    digits = np.array(list(itertools.product(*[range(p) for p in f])), float)   # (N, K)
    pos = np.sort(digits @ s)
    info = {"factors": list(f), "null_order": [int(i) for i in order], "spacings": s,
            "aperture": float(ap)}
    return pos, info


def null_steering_layout(problem, x0=None, *, options=None, rng=None) -> Solution:
    r"""Closed-form E3 layout (full array gain N with exact nulls) for a ``NullSteeringProblem``.

    Returns ``x = {"positions": (N,), "precoders": a(theta_0)/sqrt(N)}``; positions start at 0 for
    an unbounded region and are centred in [0, A] for a finite one. If the layout's aperture
    exceeds A the Solution has exitflag -2 and ``violation > 0`` (use :func:`null_steering_finite`).
    ``output``: factors, null_order, spacings, aperture.

    Parameters
    ----------
    problem : NullSteeringProblem
        The problem the block runs on.
    x0 : dict, optional
        Ignored.
    options : NullSteeringOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Unused; accepted for the solver contract.

    Returns
    -------
    Solution
        The closed-form layout; exitflag -2 when it does not fit in [0, A].

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(NullSteeringOptions, options)
    pos, info = closed_form_layout(problem.n_antennas, problem.theta0, problem.null_angles,
                                   problem.wavelength, problem.d_min, opts.max_orders)
    fits = problem.region is None or info["aperture"] <= problem.region
    if problem.region is not None and fits:
        pos = pos + (problem.region - info["aperture"]) / 2
    a0 = np.exp(1j * 2 * np.pi / problem.wavelength * pos * np.cos(problem.theta0))
    x = {"positions": pos, "precoders": a0 / np.sqrt(problem.n_antennas)}
    msg = "closed-form layout" if fits else (
        f"closed-form aperture {info['aperture']:.4g} exceeds region {problem.region:.4g}")
    return Solution(x=x, fval=problem.objective(x), exitflag=1 if fits else -2, message=msg, nit=1,
                    history=[problem.objective(x)], violation=problem.violation(x),
                    elapsed=time.perf_counter() - t0, solver="null_steering_layout",
                    output={**info, "method": "closed_form"})


class _ZfPositions:
    """Positions-only view of an E3 problem for PSO: objective = ZF gain of the layout."""

    def __init__(self, problem):
        self.problem = problem
        self.region = problem.position_region          # finite: LineSegment(0, A, d_min)

    def objective(self, x):
        return float(self.problem.zf_gain(x["positions"]))

    def objective_batch(self, block, values, x=None):
        return self.problem.zf_gain(values)

    def violation(self, x):
        return self.region.violation(np.sort(np.asarray(x["positions"], float))) / self.problem.wavelength

    def bounds(self, block):
        n = self.problem.n_antennas
        return np.zeros(n), np.full(n, self.region.hi)

    def project(self, block, value):
        """Sort, then the sequential nearest-distance rule of the segment (feasible, idempotent)."""
        return self.region.project(np.sort(np.asarray(value, float), axis=-1), method="sequential")


def null_steering_finite(problem, x0=None, *, options=None, rng=None) -> Solution:
    r"""E3 on a finite region [0, A]: closed form if it fits, else PSO on the ZF gain.

    The PSO maximises ``g(x) = ||P_perp(x) a(x, theta_0)||^2`` (the best gain with exact nulls at
    fixed positions) over sorted, ``d_min``-spaced positions in [0, A] with particle 0 at
    ``x0["positions"]`` (default the FPA ULA), then sets ``w = P_perp a(theta_0)/||.||``.
    So ``fval <= N`` and ``fval >= g(x0)`` (>= FPA-ZF by default).

    Parameters
    ----------
    problem : NullSteeringProblem
        The problem the block runs on.
    x0 : dict, optional
        Start with ``positions`` (default: the FPA ULA).
    options : NullSteeringOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.

    Returns
    -------
    Solution
        ``x = {"positions", "precoders"}`` with ``fval`` the gain toward theta_0.

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(NullSteeringOptions, options)
    if problem.region is None:
        return null_steering_layout(problem, options=opts)
    if opts.use_closed_form and problem.n_nulls <= _omega(problem.n_antennas):
        sol = null_steering_layout(problem, options=opts)
        if sol.exitflag == 1:
            return sol
    rng = as_generator(rng)
    view = _ZfPositions(problem)
    start = problem.fpa_positions() if x0 is None else np.asarray(x0["positions"], float)
    start = view.project("positions", start)
    res = pso_positions(view, {"positions": start},
                        options=PsoOptions(block="positions", n_particles=opts.n_particles,
                                           iters=opts.iters), rng=rng)
    pos = np.asarray(res.x["positions"], float)
    if view.violation({"positions": pos}) > 1e-9 or view.objective({"positions": pos}) < view.objective(
            {"positions": start}):
        pos = start
    g, w = problem.zf_gain(pos, return_weights=True)
    x = {"positions": pos, "precoders": w}
    hist = [float(h) for h in res.get("history", [])] or [float(g)]
    return Solution(x=x, fval=problem.objective(x), exitflag=res.exitflag if res.exitflag in (0, 1) else 0,
                    message="PSO on the zero-forcing gain", nit=res.nit, history=hist,
                    violation=problem.violation(x), elapsed=time.perf_counter() - t0,
                    solver="null_steering_finite",
                    output={"method": "pso_zf", "start_gain": float(problem.zf_gain(start)),
                            "pso": {k: v for k, v in res.output.items() if np.isscalar(v)}
                            if isinstance(res.output, dict) else {}})


@dataclasses.dataclass(frozen=True, eq=False)
class NullSteeringProblem(FpaSchemeMixin, LineArrayChecksMixin, Problem):
    r"""E3: full array gain with null steering ([Zhu-NS], review (10)).

    Linear array ``x_1 < ... < x_N`` (units of ``wavelength``), ``a_n(theta) = e^{j k0 x_n cos theta}``,
    ``G(theta) = |w^H a(x, theta)|^2``: maximise ``G(theta_0)`` s.t. ``G(theta_k) = 0`` (k = 1..K),
    ``||w|| = 1`` and ``x_{n+1} - x_n >= d_min``; ``region`` None (unbounded line, the paper) or A
    (positions in [0, A], our finite variant). G(theta_0) <= N always.
    ``x = {"positions": (N,), "precoders": (N,) complex}``. The MA problem is solved by
    :func:`null_steering_layout` (closed form) or :func:`null_steering_finite`; ``variant("FPA")``
    (``movable=False``) is the FPA-ZF baseline, which ``ao_solve`` returns (:meth:`fpa_zf`).
    """

    null_angles: np.ndarray
    n_antennas: int = 8
    theta0: float = np.pi / 2
    wavelength: float = 1.0
    d_min: float = 0.5
    region: float | None = None
    movable: bool = True

    def validate(self):
        own = type(self).__name__
        self._check_movable()
        n = require_int(own, "n_antennas", self.n_antennas, minimum=2)
        check_db_fields(self)
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
        """K null directions theta_k ~ U[0, pi] with |cos theta_k - cos theta_0| >= min_separation.

        Examples
        --------
        >>> from matoolbox.problems import NullSteeringProblem
        >>> prob = NullSteeringProblem.random(seed=0)         # E3: 8 MAs on a line, 3 nulls
        >>> x = prob.initial_point(0)
        >>> x["positions"].shape, bool(prob.violation(x) <= 1e-12)
        ((8,), True)
        >>> sorted(prob.evaluate(x))
        ['aperture', 'gain', 'gain_db', 'max_null_gain']
        """
        check_args(cls.__name__, seed=seed, n_nulls=n_nulls, min_separation=min_separation,
                   theta0=fields.get("theta0", cls.theta0))
        rng = as_generator(seed)
        require_int(cls.__name__, "n_nulls", n_nulls)
        theta0 = float(fields.get("theta0", cls.theta0))
        check_separation(cls.__name__, 1, min_separation, 0.5 * (1.0 + abs(math.cos(theta0))))
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
        v_geo = self.position_region.violation(np.sort(pos)) / self.wavelength
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

    @property
    def position_region(self) -> LineSegment:
        """The positions' region: ``LineSegment(0, A, d_min)``, or the whole line
        ``LineSegment(-inf, inf, d_min)`` when ``region`` is None (units of ``wavelength``)."""
        seg = self.__dict__.get("_segment")
        if seg is None:
            lo, hi = (-math.inf, math.inf) if self.region is None else (0.0, float(self.region))
            seg = LineSegment(lo, hi, float(self.d_min))
            _set(self, "_segment", seg)
        return seg

    def fpa_positions(self) -> np.ndarray:
        """ULA with spacing d_min (centred in [0, A] for a finite region, from 0 otherwise)."""
        return self.position_region.fpa(self.n_antennas, self.d_min)

    def fpa_zf(self):
        """The FPA-ZF baseline: ``{"positions", "precoders"}`` on the ULA with ZF weights."""
        pos = self.fpa_positions()
        _, w = self.zf_gain(pos, return_weights=True)
        return {"positions": pos, "precoders": w}

    def initial_point(self, rng=None):
        return self.fpa_zf()

    def ao_blocks(self):
        """FPA only (the FPA-ZF layout and weights); the MA problem has its own solvers."""
        if self.movable:
            fail(type(self).__name__, "ao_blocks", "MA", "no AO: solve the MA problem with null_steering_layout "
                 "(closed form) or null_steering_finite; ao_solve runs variant('FPA'), the FPA-ZF baseline")
        return self._scheme_blocks([])

    def evaluate(self, x) -> dict:
        g = self.gains(x)
        return {"gain": float(g[0]), "gain_db": float(10 * np.log10(max(g[0], 1e-300))),
                "max_null_gain": float(g[1:].max()), "aperture": float(np.ptp(x["positions"]))}


# ----------------------------------------------------------------------------------------------
# E4: multi-beam max-min
# ----------------------------------------------------------------------------------------------
