"""Shared pieces of the full-duplex example scenarios E1-E4: linear-array steering and gains, random
draws and a quiet CVXPY solve (the position regions, their projections / repairs and FPA layouts
are :class:`matoolbox.regions.LineSegment` and :class:`matoolbox.regions.Rectangle`)."""
from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np

from ...channels.field_response import directions, wavenumber
from ...core.cvx import solve_cvx
from ...core.problem import Block
from ...core.solution import Solution
from ...core.validate import fail

__all__ = ["steering_matrix", "array_gain", "array_gain_grad", "zf_gain", "FpaSchemeMixin"]

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


def _solve(prob, solvers, warm_start=False):
    """solve_cvx with CVXPY's 'may be inaccurate' warning silenced (the status is recorded).
    The scenario problems are compiled once per process: ``warm_start`` only for a call's later
    solves (its first starts a fresh solver, so results do not depend on earlier calls)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return solve_cvx(prob, solvers, warm_start=warm_start)


def _copy_x(x):
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in x.items()}


# ----------------------------------------------------------------------------------------------
# MA / FPA schemes of the E1-E4 problems
# ----------------------------------------------------------------------------------------------
class FpaSchemeMixin:
    """``scheme`` and ``variant("MA" | "FPA")`` of an E1-E4 problem with a ``movable`` field: with
    ``movable=False`` (the FPA scheme) ``ao_solve`` keeps the positions at ``fpa_positions()`` and
    runs the other blocks only (a problem without other blocks returns the FPA layout)."""

    @property
    def scheme(self) -> str:
        """"MA" (positions optimised) or "FPA" (``movable=False``: fixed at ``fpa_positions()``)."""
        return "MA" if self.movable else "FPA"

    def variant(self, scheme: str):
        """The same instance under another scheme: "MA" or "FPA" (any case)."""
        key = str(scheme).upper()
        if key not in ("MA", "FPA"):
            fail(type(self).__name__, "variant.scheme", scheme, "must be one of ['FPA', 'MA']")
        return self if key == self.scheme else dataclasses.replace(self, movable=key == "MA")

    def _check_movable(self):
        if not isinstance(self.movable, (bool, np.bool_)):
            fail(type(self).__name__, "movable", self.movable, "must be True or False")

    def _scheme_blocks(self, blocks):
        """``blocks`` for MA; for FPA the blocks other than "positions" (or one that sets the FPA layout)."""
        if self.movable:
            return blocks
        return [b for b in blocks if b.name != "positions"] or [Block("positions", _fpa_positions_block)]


def _fpa_positions_block(problem, x, options=None, rng=None) -> Solution:
    """The FPA scheme's positions "block": the fixed layout."""
    y = {**x, "positions": problem.fpa_positions()}
    return Solution(x={"positions": y["positions"]}, fval=problem.objective(y), exitflag=1,
                    message="FPA: positions fixed", violation=problem.violation(y), solver="fpa_positions")
