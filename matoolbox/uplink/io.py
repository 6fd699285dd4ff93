r"""Bring your own channel: the two-timescale uplink from user LoS angles / paths (movable array)
or from a given LoS matrix (fixed array).

* :meth:`UplinkIoMixin.from_paths`: per-user LoS angles of arrival theta_k in [0, pi] (the array on
  the local x axis: a(x, theta)_m = exp(+j kappa x_m cos theta_k)) with Rician factors, or a
  :class:`~matoolbox.channels.paths.Paths` with links (K,): the strongest path of user k is its
  LoS path, cos(theta_k) = w_r,x of that path (toolbox convention), K_k = |a_LoS|^2 / sum of the
  other paths' |a|^2 (when ``rician`` is not given) and beta_k = sum_l |a_l|^2 (when ``beta`` is
  not given).
* :meth:`UplinkIoMixin.from_channel`: a LoS matrix A (M, K) at the fixed layout x_m = (m-1) d,
  used as is (:class:`~matoolbox.uplink.given_los.UplinkGivenLosProblem`: positions not optimised, gradient 0).

Power: ``p_db`` with ``noise`` (linear) or the SNR form ``snr_db`` (unit noise, p = snr_db).
"""
from __future__ import annotations

import math

import numpy as np

from ..channels.paths import Paths
from ..channels.rician_ula import los_gram, steering_matrix
from ..core.io import read_mapping
from ..core.validate import fail

__all__ = ["UplinkIoMixin", "los_array", "GIVEN_LOS"]

#: the fixed-LoS subclass (registered by :mod:`matoolbox.uplink.given_los`)
GIVEN_LOS: list = []

_OWNER = "UplinkTwoTimescaleProblem"


def _snr(snr_db, fields):
    if snr_db is None:
        return fields
    given = [k for k in ("p_db", "power", "noise") if k in fields]
    if given:
        fail(_OWNER, "snr_db", snr_db, f"give either snr_db (unit noise) or {'/'.join(given)}, not both")
    if not np.all(np.isfinite(np.asarray(snr_db, float))):
        fail(_OWNER, "snr_db", snr_db, "must be finite")
    return dict(fields, p_db=snr_db, noise=1.0)


class UplinkIoMixin:
    """``from_paths`` / ``from_channel`` hooks and the LoS matrices the surrogates use."""

    def _los_steering(self, pos):
        """A(x) (..., M, K): the steering matrix, or the given LoS matrix of a fixed array."""
        A = self.__dict__.get("_los_given")
        if A is None:
            return steering_matrix(pos, self._c["theta"], self.wavelength)
        return np.broadcast_to(A, np.shape(pos)[:-1] + A.shape)

    def _los_gram(self, pos):
        """G(x) = A^H A (..., K, K)."""
        A = self.__dict__.get("_los_given")
        if A is None:
            return los_gram(pos, self._c["theta"], self.wavelength)
        G = A.conj().T @ A
        return np.broadcast_to(G, np.shape(pos)[:-1] + G.shape)

    @classmethod
    def from_paths(cls, paths, *, rician=None, beta=None, snr_db=None, **fields):
        """Movable-array problem from LoS angles theta (K,) in [0, pi] (with ``rician``), a
        :class:`Paths` with links (K,) (strongest path = LoS), or a file holding ``theta`` (and
        ``rician``, ``beta``) or path arrays. Other keywords are problem fields (``M``, ``receiver``...).

        Examples
        --------
        >>> from matoolbox.problems import UplinkTwoTimescaleProblem
        >>> prob = UplinkTwoTimescaleProblem.from_paths([1.0, 1.5, 2.0], rician=5.0, snr_db=10, M=6)
        >>> prob.K, prob.M, float(prob.noise)
        (3, 6, 1.0)
        """
        fields = _snr(snr_db, fields)
        if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__") or isinstance(paths, dict):
            data = read_mapping(paths, _OWNER)
            if "theta" in data:
                rician = data.get("rician", rician) if rician is None else rician
                beta = data.get("beta", beta) if beta is None else beta
                paths = data["theta"]
            else:
                paths = Paths.load(data)
        if isinstance(paths, Paths):
            if len(paths.links) != 1:
                fail(_OWNER, "paths", f"<Paths with links {paths.links}>", "must have links (K,): one per user")
            power = np.abs(paths.gains) ** 2
            los = np.argmax(power, axis=-1)
            k = np.arange(power.shape[0])
            cos = np.clip(paths.w_r[k, los, 0], -1.0, 1.0)
            theta = np.arccos(cos)
            if rician is None:
                rest = power.sum(-1) - power[k, los]
                if np.any(rest <= 0):
                    fail(_OWNER, "rician", None, "must be given: a user has a single path (no NLoS power to "
                         "derive K_k = |a_LoS|^2 / sum |a_NLoS|^2 from)")
                rician = power[k, los] / rest
            if beta is None:
                beta = power.sum(-1)
        else:
            theta = np.atleast_1d(np.asarray(paths, float)) if not isinstance(paths, str) else paths
            if rician is None:
                fail(_OWNER, "rician", None, "must be given with LoS angles (one Rician factor per user or a scalar)")
        theta = np.atleast_1d(np.asarray(theta, float))
        kw = dict(K=int(theta.size), theta=tuple(float(t) for t in theta), rician=_user(rician))
        if beta is not None:
            kw["beta"] = _user(beta)
        return cls(**{**kw, **fields})

    @classmethod
    def from_channel(cls, los, *, rician, snr_db=None, movable: bool = False, **fields):
        """Fixed-array problem with the given LoS matrix ``los`` (M, K) (entries a_{m,k}, usually of
        unit modulus) at x_m = (m-1) d, or a file holding ``los`` (or ``A``)."""
        if movable:
            fail(_OWNER, "movable", movable, "a LoS matrix holds the array response at one layout only and "
                 "cannot follow the antenna positions: use from_paths(theta, rician=...) for a movable array")
        fields = _snr(snr_db, fields)
        if isinstance(los, (str, bytes)) or hasattr(los, "__fspath__"):
            data = read_mapping(los, _OWNER)
            keys = [k for k in ("los", "A") if k in data]
            if not keys:
                fail(_OWNER, "los", str(los), f"the file must hold 'los' (M, K) (it holds {sorted(data)})")
            los = data[keys[0]]
        A = los_array(los)
        M, K = A.shape
        return GIVEN_LOS[0](**{"M": M, "K": K, "theta": (math.pi / 2,) * K, "rician": _user(rician),
                                        "los": A, **fields})


def _user(v):
    arr = np.asarray(v, float) if not isinstance(v, str) else v
    if isinstance(arr, np.ndarray) and arr.ndim == 0:
        return float(arr)
    return arr


def los_array(los):
    """The LoS matrix as a finite complex (M, K) array (errors name ``los``)."""
    if isinstance(los, (str, bytes)) or los is None:
        fail(_OWNER, "los", los, "must be a complex array (M, K)")
    try:
        A = np.asarray(los)
    except (TypeError, ValueError):
        fail(_OWNER, "los", los, "must be a numeric array (M, K)")
    if A.dtype.kind not in "iufc":
        fail(_OWNER, "los", los, "must be a numeric array (M, K)")
    A = A.astype(complex)
    if A.ndim != 2:
        fail(_OWNER, "los", f"<array of shape {A.shape}>", "must have shape (M, K)")
    if not np.all(np.isfinite(A)):
        fail(_OWNER, "los", f"<array of shape {A.shape} with NaN/inf>", "must be finite")
    return A
