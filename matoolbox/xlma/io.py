r"""Bring your own channel geometry: XL-MA placement from user points (movable subarrays) or
from fixed subarray positions (FPA).

XL-MA's objective (Theorem 1) is an expectation over the users' spots and random LoS phases,
computed from geometry, so the user data are: user points t_k (K, 3) with activation
probabilities rho_k (K,), candidate subarray centres r_n (N0, 3) on the array plane y = 0,
obstacles (O, 6) boxes [cx, cy, cz, sx, sy, sz] and optionally the LoS visibility omega (K, N0)
(0/1, overrides the obstacle test). A bare channel matrix does not define it and is refused.

Power: ``p_dbm`` / ``noise_dbm`` or the SNR form ``snr_db`` (gamma = 10^(snr_db/10), unit noise).
"""
from __future__ import annotations

import numpy as np

from ..core.io import read_mapping, snr_power
from ..core.validate import fail

__all__ = ["XlmaIoMixin", "POINTS_CLASS", "points_array"]

_OWNER = "XlmaPlacementProblem"
#: the user-points subclass (registered by :mod:`matoolbox.xlma.points`)
POINTS_CLASS: list = []


def points_array(field, value, owner=_OWNER, width=3):
    """A finite real (n, width) array (errors name ``field``)."""
    if value is None or isinstance(value, (str, bytes)):
        fail(owner, field, value, f"must be an array of shape (n, {width})" if value is not None else "is required")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        fail(owner, field, value, "must be a numeric array")
    if arr.dtype.kind not in "iuf":
        fail(owner, field, value, "must be a real numeric array")
    arr = np.atleast_2d(arr.astype(float))
    if arr.ndim != 2 or arr.shape[1] != width:
        fail(owner, field, f"<array of shape {arr.shape}>", f"must have shape (n, {width})")
    if not np.all(np.isfinite(arr)):
        fail(owner, field, f"<array of shape {arr.shape} with NaN/inf>", "must be finite")
    return arr


def _box(arr):
    return (float(arr.min()), float(arr.max()))


class XlmaIoMixin:
    """``from_paths`` (user points, candidates) and ``from_channel`` (fixed subarray positions)."""

    @classmethod
    def from_paths(cls, source=None, *, users=None, rho=None, candidates=None, obstacles=None, omega=None,
                   N: int = 8, snr_db=None, p_dbm=None, noise_dbm=None, **fields):
        """Placement problem over user-given ``candidates`` (N0, 3) for ``users`` (K, 3) with
        activation probabilities ``rho`` (K,); ``source``: a ``.mat`` / ``.npz`` / ``.json`` file
        or dict holding these keys (keywords win). Other keywords are problem fields
        (``MH``, ``MV``, ``fc``, ``kappa_db``, ``los_points``, ``los_half_size``, ...).

        Examples
        --------
        >>> import numpy as np
        >>> from matoolbox.problems import XlmaPlacementProblem
        >>> users = [[-5.0, 10.0, 1.5], [5.0, 12.0, 1.5]]
        >>> cand = np.stack([np.linspace(-4, 4, 9), np.zeros(9), np.full(9, 5.0)], axis=1)
        >>> prob = XlmaPlacementProblem.from_paths(users=users, rho=[0.5, 0.8], candidates=cand, N=3, MH=4)
        >>> prob.K, prob.N0, prob.N
        (2, 9, 3)
        """
        data = {} if source is None else read_mapping(source, _OWNER)
        users = data.get("users") if users is None else users
        rho = data.get("rho") if rho is None else rho
        candidates = data.get("candidates") if candidates is None else candidates
        obstacles = data.get("obstacles") if obstacles is None else obstacles
        omega = data.get("omega") if omega is None else omega
        for name, v in (("users", users), ("rho", rho), ("candidates", candidates)):
            if v is None:
                fail(_OWNER, name, None, "is required (user points (K, 3), rho (K,), candidates (N0, 3))")
        U = points_array("users", users)
        C = points_array("candidates", candidates)
        pd, nd = snr_power(_OWNER, snr_db, p_dbm, noise_dbm, pmax_name="p_dbm", pmax_default=10.0,
                           noise_default=-70.0)
        obs = np.zeros((0, 6)) if obstacles is None or np.size(obstacles) == 0 else points_array(
            "obstacles", obstacles, width=6)
        kw = dict(user_points=U, candidate_points=C, rho=np.atleast_1d(np.asarray(rho, float)), N=N,
                  obstacles=obs, omega=None if omega is None else np.asarray(omega, float), p_dbm=pd,
                  noise_dbm=nd, Kx=1, Ky=1, Kz=1, Nx=1, Nz=1, user_x=_box(U[:, 0]), user_y=_box(U[:, 1]),
                  user_z=_box(U[:, 2]), ma_x=_box(C[:, 0]), ma_z=_box(C[:, 2]), label="user points")
        return POINTS_CLASS[0](**{**kw, **fields})

    @classmethod
    def from_channel(cls, positions=None, *, users=None, rho=None, obstacles=None, omega=None, H=None,
                     **fields):
        """Fixed-array (FPA) problem: the N subarrays sit at ``positions`` (N, 3) (every candidate
        selected). ``omega`` (K, N) may give the LoS visibility of every (user, subarray) link.
        A complex channel matrix ``H`` is refused (see the module docstring)."""
        if H is not None or (positions is not None and np.iscomplexobj(np.asarray(positions))):
            fail(_OWNER, "H", "<channel matrix>", "XL-MA's objective is an expectation over the users' spots and "
                 "LoS phases computed from geometry, which one channel matrix does not give: pass the fixed "
                 "subarray centres positions (N, 3) with users, rho (and omega for the LoS visibility)")
        if isinstance(positions, (str, bytes)) or hasattr(positions, "__fspath__"):
            data = read_mapping(positions, _OWNER)
            if "positions" not in data:
                fail(_OWNER, "positions", str(positions), f"missing from the file (it holds {sorted(data)})")
            positions = data.pop("positions")
            return cls.from_paths(data, candidates=positions, users=users, rho=rho, obstacles=obstacles,
                                  omega=omega, N=len(np.atleast_2d(positions)), **fields)
        P = points_array("positions", positions)
        return cls.from_paths(users=users, rho=rho, candidates=P, obstacles=obstacles, omega=omega,
                              N=P.shape[0], **fields)

    def channel_geometry(self) -> dict:
        """The user data the objective is computed from: ``users`` (K, 3), ``candidates`` (N0, 3),
        ``rho`` (K,), ``Omega`` (K, N0)."""
        return {"users": np.array(self.grid_centres), "candidates": np.array(self.candidates),
                "rho": np.array(self.rho), "Omega": np.array(self.Omega)}
