r"""The common interface of the position regions and the helpers they share.

A region is the feasible set of the positions of ``n`` antennas: a set :math:`\mathcal S` (a
segment, a rectangle, a finite set of ports) plus the minimum spacing

.. math::  \|p_i - p_j\| \ge D \quad (i \ne j).

Positions are ``(n,)`` arrays on a line (``dim == 1``) and ``(n, 2)`` arrays in a plane
(``dim == 2``); every method that takes positions also takes a batch ``(..., n)`` /
``(..., n, 2)`` unless it says otherwise. Units are the user's (metres, or wavelengths).
"""
from __future__ import annotations

import abc
import functools

import numpy as np

from ..core.validate import fail

__all__ = ["Region", "min_distance"]


def min_distance(P) -> np.ndarray:
    r"""Minimum pairwise distance :math:`\min_{i<j} \|p_i - p_j\|` of layouts.

    Parameters
    ----------
    P : array_like
        Points ``(..., n, 2)`` (plane) -- for points on a line pass ``P[..., None]``.

    Returns
    -------
    numpy.ndarray
        Shape ``(...)``; ``inf`` when ``n < 2``.
    """
    P = np.asarray(P, float)
    n = P.shape[-2]
    if n < 2:
        return np.full(P.shape[:-2], np.inf)
    i, j = _pairs(n)
    return np.linalg.norm(P[..., i, :] - P[..., j, :], axis=-1).min(axis=-1)


@functools.lru_cache(maxsize=64)
def _pairs(n: int):
    """``np.triu_indices(n, 1)`` (cached; read-only arrays)."""
    i, j = np.triu_indices(n, 1)
    i.setflags(write=False)
    j.setflags(write=False)
    return i, j


class Region(abc.ABC):
    r"""Abstract feasible set of ``n`` antenna positions with minimum spacing ``min_spacing``.

    Subclasses are frozen dataclasses (:class:`~matoolbox.regions.LineSegment`,
    :class:`~matoolbox.regions.Rectangle`, :class:`~matoolbox.regions.CandidateSet`) that
    implement the methods below; ``dim`` is 1 (positions ``(n,)``) or 2 (positions ``(n, 2)``).
    """

    min_spacing: float

    @property
    @abc.abstractmethod
    def dim(self) -> int:
        """1 (positions ``(n,)`` on a line) or 2 (positions ``(n, 2)`` in a plane)."""

    @abc.abstractmethod
    def project(self, P) -> np.ndarray:
        """A feasible layout near ``P`` (same shape, batch allowed); a copy of ``P`` when feasible."""

    @abc.abstractmethod
    def violations(self, P) -> np.ndarray:
        """Maximum constraint violation of each layout of a batch ``P``: shape ``(...)``, >= 0."""

    @abc.abstractmethod
    def random_feasible(self, n: int, rng=None) -> np.ndarray:
        """A random feasible layout of ``n`` antennas (seed or ``numpy.random.Generator``)."""

    @abc.abstractmethod
    def fpa(self, n: int, spacing: float | None = None, layout: str = "auto") -> np.ndarray:
        """A fixed (FPA) layout of ``n`` antennas centred in the region."""

    @abc.abstractmethod
    def bounds(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Element-wise bounds ``(lo, hi)`` of the positions of ``n`` antennas (positions' shape)."""

    @abc.abstractmethod
    def constraints(self, P) -> tuple[np.ndarray, np.ndarray]:
        """Smooth spacing rows ``g(P) >= 0`` ``(m,)`` and their Jacobian ``(m, P.size)``."""

    @abc.abstractmethod
    def check_fits(self, n: int, owner: str, field: str, value=None) -> None:
        """Raise :class:`~matoolbox.core.errors.InvalidProblemError` when ``n`` antennas do not fit."""

    # -- shared, concrete -------------------------------------------------------------------
    def violation(self, P) -> float:
        r"""Maximum constraint violation of ``P`` (the largest over a batch), in length units.

        Parameters
        ----------
        P : array_like
            Positions ``(..., n)`` (``dim == 1``) or ``(..., n, 2)`` (``dim == 2``).

        Returns
        -------
        float
            0.0 when every layout is feasible; ``inf`` for non-finite positions.
        """
        v = np.asarray(self.violations(P), float)
        return float(np.max(v)) if v.size else 0.0

    def _owner(self) -> str:
        return type(self).__name__

    def _positions(self, P, field: str = "P") -> np.ndarray:
        """``P`` as a float array of positions ``(..., n)`` / ``(..., n, 2)`` (n >= 1), else raise."""
        try:
            arr = np.array(P, dtype=float)
        except (TypeError, ValueError):
            fail(self._owner(), field, P, "must be a numeric array of positions")
        if self.dim == 1:
            ok = arr.ndim >= 1 and arr.shape[-1] >= 1
            want = "(..., n)"
        else:
            ok = arr.ndim >= 2 and arr.shape[-1] == 2 and arr.shape[-2] >= 1
            want = "(..., n, 2)"
        if not ok:
            fail(self._owner(), field, f"<array of shape {arr.shape}>", f"must have shape {want} with n >= 1")
        return arr

    def _count(self, n, field: str = "n") -> int:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            fail(self._owner(), field, n, "must be an integer >= 1 (number of antennas)")
        return int(n)

    def _spacing(self, spacing) -> float:
        """The FPA spacing: ``spacing`` or, when None, ``min_spacing`` (> 0 required)."""
        sp = self.min_spacing if spacing is None else spacing
        if isinstance(sp, bool) or not isinstance(sp, (int, float, np.integer, np.floating)) \
                or not np.isfinite(sp) or sp <= 0:
            fail(self._owner(), "spacing", sp, "the FPA spacing must be finite and > 0 (min_spacing is "
                 "used when spacing is None)")
        return float(sp)
