r"""Variable domains of a movable-antenna problem: what a block is, where it may go, how it packs.

A problem built on :class:`~matoolbox.optim.maproblem.MaProblem` declares its variables as a dict
``name -> domain``; every generic solver then knows how to project, draw, bound and pack them:

``Positions(region, n)``
    n antenna positions in a :mod:`matoolbox.regions` region: shape ``(n,)`` on a line,
    ``(n, 2)`` in a plane. Feasible set: inside the region, pairwise distance >= ``min_spacing``.
``Covariance(n, power)``
    Transmit covariance Q (n, n): Hermitian, Q >= 0 (PSD), tr Q <= power.
``Precoders(n, k, power)``
    Linear precoders W (n, k), one column per stream: ||W||_F^2 <= power.

Each domain gives ``project(v)`` (Positions: the region's projection or repair; Covariance: the
Euclidean projection, eigenvalues onto {lambda >= 0, sum lambda <= P}; Precoders: scaling onto
the power ball), ``violation(v)``, ``random(rng)`` (a random feasible value), ``start(H=None)``
(the fixed/default value: FPA layout, Q = P/n I, MRT W = sqrt(P) H^H / ||H||_F) and the real
packing used by SLSQP (:func:`~matoolbox.optim.multistart.multistart`): ``pack(v) -> z``,
``unpack(z) -> v``, ``pack_grad(v, g) -> dz`` (``g`` in the gradient convention of
:mod:`matoolbox.core.gradcheck`: dF/dRe + 1j dF/dIm), ``constraints(v) -> (c, J)`` with
c >= 0 and J = dc/dz, and ``nlp_bounds() -> (lo, hi)``.

Covariance packing: Q = B B^H with B (n, n) complex, z = [Re B, Im B]; the gradient chain rule
is dF/dB = 2 A B for a Hermitian Q-gradient A, and the power row is P - ||B||_F^2 >= 0.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..core.validate import fail

__all__ = ["Variable", "Positions", "Covariance", "Precoders", "simplex_cap"]


def simplex_cap(lam, power) -> np.ndarray:
    """Euclidean projection of ``lam`` (n,) onto {lambda >= 0, sum lambda <= power}."""
    lam = np.asarray(lam, float)
    clipped = np.maximum(lam, 0.0)
    if clipped.sum() <= power:
        return clipped
    u = np.sort(lam)[::-1]
    css = np.cumsum(u) - power
    k = np.nonzero(u - css / np.arange(1, lam.size + 1) > 0)[0][-1]
    return np.maximum(lam - css[k] / (k + 1), 0.0)


class Variable:
    """Base of the variable domains (see the module docstring for the interface)."""

    is_complex = False

    def constraints(self, v):
        """Rows c(v) >= 0 and their Jacobian w.r.t. the packed z (default: none)."""
        n = self.pack(v).size
        return np.zeros(0), np.zeros((0, n))

    def nlp_bounds(self):
        n = self.size
        return np.full(n, -np.inf), np.full(n, np.inf)

    def bounds(self):
        return self.nlp_bounds()


@dataclasses.dataclass(frozen=True, eq=False)
class Positions(Variable):
    """``n`` antennas in ``region`` (a :mod:`matoolbox.regions` region); shape (n,) or (n, 2).
    ``layout`` is the FPA layout of :meth:`Positions.start` ("auto": UPA in a plane, "ula": a line along x)
    and ``spacing`` its element spacing (None: the region's minimum spacing)."""

    region: object
    n: int
    layout: str = "auto"
    spacing: float | None = None

    @property
    def shape(self):
        return (self.n,) if self.region.dim == 1 else (self.n, 2)

    size = property(lambda self: int(np.prod(self.shape)))

    def project(self, v):
        return np.asarray(self.region.project(np.asarray(v, float)), float)

    def violation(self, v):
        return float(self.region.violation(np.asarray(v, float)))

    def random(self, rng):
        return np.asarray(self.region.random_feasible(self.n, rng), float)

    def start(self, H=None):
        """The FPA layout ``region.fpa(n, spacing, layout)`` (``H`` is not used)."""
        return np.asarray(self.region.fpa(self.n, spacing=self.spacing, layout=self.layout), float)

    def bounds(self):
        lo, hi = self.region.bounds(self.n)
        return (np.broadcast_to(np.asarray(lo, float), self.shape).copy(),
                np.broadcast_to(np.asarray(hi, float), self.shape).copy())

    def nlp_bounds(self):
        lo, hi = self.bounds()
        return lo.ravel(), hi.ravel()

    def pack(self, v):
        return np.asarray(v, float).ravel()

    def unpack(self, z):
        return np.asarray(z, float).reshape(self.shape)

    def pack_grad(self, v, g):
        return np.real(np.asarray(g)).ravel()

    def constraints(self, v):
        c, J = self.region.constraints(np.asarray(v, float))
        return np.asarray(c, float), np.asarray(J, float).reshape(len(c), self.size)


@dataclasses.dataclass(frozen=True, eq=False)
class Covariance(Variable):
    """Transmit covariance Q (n, n), Hermitian PSD with tr Q <= power."""

    n: int
    power: float
    is_complex = True

    @property
    def shape(self):
        return (self.n, self.n)

    size = property(lambda self: 2 * self.n * self.n)

    def project(self, v):
        Q = np.asarray(v, complex)
        Q = 0.5 * (Q + Q.conj().T)
        lam, V = np.linalg.eigh(Q)
        lam = simplex_cap(lam, self.power)
        return (V * lam) @ V.conj().T

    def violation(self, v):
        Q = np.asarray(v, complex)
        herm = float(np.max(np.abs(Q - Q.conj().T))) if Q.size else 0.0
        lam = np.linalg.eigvalsh(0.5 * (Q + Q.conj().T))
        return max(0.0, float(np.real(np.trace(Q))) - self.power, -float(lam.min()), herm)

    def random(self, rng):
        A = rng.standard_normal((self.n, self.n)) + 1j * rng.standard_normal((self.n, self.n))
        Q = A @ A.conj().T
        return Q * (self.power / np.real(np.trace(Q)))

    def start(self, H=None):
        return np.eye(self.n, dtype=complex) * (self.power / self.n)

    def _factor(self, v):
        Q = np.asarray(v, complex)
        lam, V = np.linalg.eigh(0.5 * (Q + Q.conj().T))
        return V * np.sqrt(np.maximum(lam, 0.0))

    def pack(self, v):
        B = self._factor(v)
        return np.concatenate([B.real.ravel(), B.imag.ravel()])

    def unpack(self, z):
        m = self.n * self.n
        B = (np.asarray(z[:m]) + 1j * np.asarray(z[m:])).reshape(self.shape)
        return B @ B.conj().T

    def _unpack_factor(self, z):
        m = self.n * self.n
        return (np.asarray(z[:m]) + 1j * np.asarray(z[m:])).reshape(self.shape)

    def pack_grad(self, v, g, z=None):
        B = self._factor(v) if z is None else self._unpack_factor(z)
        A = np.asarray(g, complex)
        gB = (A + A.conj().T) @ B                   # 2 A B for a Hermitian gradient A
        return np.concatenate([gB.real.ravel(), gB.imag.ravel()])

    def constraints(self, v, z=None):
        z = self.pack(v) if z is None else np.asarray(z, float)
        return np.array([self.power - float(z @ z)]), (-2.0 * z)[None, :]


@dataclasses.dataclass(frozen=True, eq=False)
class Precoders(Variable):
    """Linear precoders W (n, k), one column per stream, with ||W||_F^2 <= power."""

    n: int
    k: int
    power: float
    is_complex = True

    @property
    def shape(self):
        return (self.n, self.k)

    size = property(lambda self: 2 * self.n * self.k)

    def project(self, v):
        W = np.asarray(v, complex)
        p = float(np.sum(np.abs(W) ** 2))
        return W * math.sqrt(self.power / p) if p > self.power else W.copy()

    def violation(self, v):
        return max(0.0, float(np.sum(np.abs(np.asarray(v)) ** 2)) - self.power)

    def random(self, rng):
        W = rng.standard_normal(self.shape) + 1j * rng.standard_normal(self.shape)
        return W * math.sqrt(self.power / float(np.sum(np.abs(W) ** 2)))

    def start(self, H=None):
        """MRT for the first k channel rows: W = sqrt(P) H_k^H / ||H_k||_F with H_k = H[:k] (k, n), so
        column j serves row j (with k = 1 and several rows: MRT to row 0 only); without H, the
        first min(n, k) unit vectors scaled to the power."""
        if H is None:
            W = np.zeros(self.shape, complex)
            W[np.arange(min(self.n, self.k)), np.arange(min(self.n, self.k))] = 1.0
        else:
            W = np.asarray(H, complex)[: self.k].conj().T
        nrm = float(np.linalg.norm(W))
        if nrm == 0.0:
            fail("Precoders", "start(H)", "<zero channel>", "MRT needs a non-zero channel")
        return W * (math.sqrt(self.power) / nrm)

    def null_space_starts(self, H, G) -> dict:
        """Starts that leak nothing to the rows of G (J, n), e.g. eavesdroppers, for the first k
        rows of H (k, n), each at full power: "ns_mrt" N N^H H^H and "ns_rzf"
        N (HN)^H (HN (HN)^H + k/power I)^{-1}, N an orthonormal basis of the null space of G
        (n, n - J). Empty when J >= n."""
        H, G = np.asarray(H, complex)[: self.k], np.atleast_2d(np.asarray(G, complex))
        if G.shape[0] >= self.n:
            return {}
        N = np.linalg.svd(G)[2][G.shape[0]:].conj().T if G.shape[0] else np.eye(self.n)
        He = H @ N
        cands = {"ns_mrt": N @ He.conj().T,
                 "ns_rzf": N @ He.conj().T @ np.linalg.inv(He @ He.conj().T + self.k / self.power * np.eye(self.k))}
        return {name: W * math.sqrt(self.power) / float(np.linalg.norm(W)) for name, W in cands.items()
                if np.isfinite(np.linalg.norm(W)) and np.linalg.norm(W) > 0}

    def pack(self, v):
        W = np.asarray(v, complex)
        return np.concatenate([W.real.ravel(), W.imag.ravel()])

    def unpack(self, z):
        m = self.n * self.k
        return (np.asarray(z[:m]) + 1j * np.asarray(z[m:])).reshape(self.shape)

    def pack_grad(self, v, g, z=None):
        g = np.asarray(g, complex)
        return np.concatenate([g.real.ravel(), g.imag.ravel()])

    def constraints(self, v, z=None):
        z = self.pack(v) if z is None else np.asarray(z, float)
        return np.array([self.power - float(z @ z)]), (-2.0 * z)[None, :]
