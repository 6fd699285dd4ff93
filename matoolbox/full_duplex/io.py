r"""Bring your own channel: the full-duplex problems from user DL / UL / SI paths (movable
antennas) or from given FPA channel matrices (fixed antennas).

Path mapping (toolbox convention of :class:`~matoolbox.channels.paths.Paths`, w = projected
direction): DL user k (single fixed antenna) [h_{D,k}^H]_n = sum_l a_l exp(+j k0 w_t,l . t_n)
(departure directions); UL user j [h_{U,j}]_m = sum_l a_l exp(-j k0 w_r,l . r_m) (arrival
directions); SI H_SI = sqrt(rho) F(r)^H diag(a) G(t)^T with the SI paths' w_r / w_t
("field_response" SI model). Without SI paths the near-field SI model is used.

Given matrices (``from_channel``) are stored exactly in the same fields: on the FPA grid (spacing
s, C columns, R rows) the R*C virtual directions w = (lambda/s) ((p - (C-1)/2)/C, (q - (R-1)/2)/R)
give orthogonal responses (E E^H = R C I on the first N grid points), so gains = E^H h / (R C)
reproduce h to rounding (and Sigma_SI = E_r^T H conj(E_t) / (L_r L_t)). Positions stay at the FPA
grid; a movable request with matrices is refused.

Power: ``p_max_dbm`` / ``noise_dbm`` (and the UL power ``p_ul_dbm``), or the SNR form
``snr_db`` (unit noise, p_max = 10^(snr_db/10) W; UL: ``snr_ul_db``, default ``snr_db``).
"""
from __future__ import annotations

import math

import numpy as np

from ..channels.paths import Paths
from ..channels.self_interference import SelfInterference
from ..core.io import read_mapping, snr_power
from ..core.validate import fail, require_positive
from ..regions import Rectangle

__all__ = ["FullDuplexIoMixin", "virtual_directions"]


def _dbm_w(v):
    return float(10 ** ((float(v) - 30.0) / 10.0))


def virtual_directions(n: int, spacing: float, wavelength: float) -> np.ndarray:
    """(R*C, 2) directions whose responses on the n-point FPA grid are orthogonal (see module doc)."""
    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    u = (wavelength / spacing) * (np.arange(cols) - (cols - 1) / 2) / cols
    v = (wavelength / spacing) * (np.arange(rows) - (rows - 1) / 2) / rows
    U, V = np.meshgrid(u, v)
    return np.stack([U.ravel(), V.ravel()], axis=-1)


def _paths(p, owner, field, nlinks):
    if p is None:
        fail(owner, field, None, "is required")
    p = p if isinstance(p, Paths) else Paths.load(p)
    links = p.links
    if nlinks == 0:
        if links not in ((), (1,)):
            fail(owner, field, f"<Paths with links {links}>", "must be one link (links () or (1,))")
        return p if links == () else p[0]
    if len(links) == 0:
        return p[None] if hasattr(p, "__getitem__") else p
    if len(links) != 1:
        fail(owner, field, f"<Paths with links {links}>", "must have links (K,): one per user")
    return p


def _matrix(owner, field, v, shape):
    if v is None:
        fail(owner, field, None, "is required")
    if isinstance(v, (str, bytes)):
        fail(owner, field, v, "must be a numeric array")
    try:
        arr = np.asarray(v)
    except (TypeError, ValueError):
        fail(owner, field, v, "must be a numeric array")
    if arr.dtype.kind not in "iufc":
        fail(owner, field, v, "must be a numeric (complex) array")
    arr = arr.astype(complex)
    if shape is not None and arr.shape != shape:
        fail(owner, field, f"<array of shape {arr.shape}>", f"must have shape {shape}")
    if not np.all(np.isfinite(arr)):
        fail(owner, field, f"<array of shape {arr.shape} with NaN/inf>", "must be finite")
    return arr


class FullDuplexIoMixin:
    """``from_paths`` / ``from_channel`` / ``channel_matrices`` of both full-duplex problems."""

    @classmethod
    def _multi(cls) -> bool:
        return "iui" in getattr(cls, "__dataclass_fields__", {})

    @classmethod
    def _io_common(cls, own, wavelength, region_size, d_min, snr_db, snr_ul_db, p_max_dbm, noise_dbm,
                   p_ul_dbm, rx_offset, fields):
        pm, nz = snr_power(own, snr_db, p_max_dbm, noise_dbm, pmax_name="p_max_dbm",
                           pmax_default=30.0, noise_default=-80.0)
        if snr_db is not None and snr_ul_db is None and p_ul_dbm is None:
            snr_ul_db = snr_db
        pu, _ = snr_power(own, snr_ul_db, p_ul_dbm, None, pmax_name="p_ul_dbm", pmax_default=20.0)
        A = 4 * wavelength if region_size is None else float(region_size)
        dm = wavelength / 2 if d_min is None else float(d_min)
        off = (A + wavelength, 0.0, 0.0) if rx_offset is None else tuple(rx_offset)
        kw = dict(wavelength=wavelength, region_size=A, d_min=dm, p_max=_dbm_w(pm), noise_dl=_dbm_w(nz),
                  noise_ul=_dbm_w(nz))
        if "objective" in fields:
            fields["objective_kind"] = fields.pop("objective")
        return kw, _dbm_w(pu), off

    @classmethod
    def from_paths(cls, dl, ul, si=None, *, Nt: int = 4, Nr: int = 4, wavelength: float = 0.1,
                   region_size=None, d_min=None, snr_db=None, snr_ul_db=None, p_max_dbm=None,
                   noise_dbm=None, p_ul_dbm=None, rho_db=None, rx_offset=None, iui=None,
                   movable: bool = True, **fields):
        """Problem from user paths: ``dl`` / ``ul`` :class:`Paths` (one link for the single-user
        problem, links (K_D,) / (K_U,) for the multi-user one), ``si`` the SI paths (one link;
        None: near-field SI with ``rho_db``, default -70 dB; with paths rho_db defaults to 0 dB).
        ``iui``: UL -> DL user channel (scalar, or (K_D, K_U) for the multi-user problem; default 0).
        Region ``4 wavelength``, ``d_min`` half a wavelength, Rx region at (A + lambda, 0, 0) unless given.
        """
        own = cls.__name__
        kw, p_ul, off = cls._io_common(own, wavelength, region_size, d_min, snr_db, snr_ul_db, p_max_dbm,
                                       noise_dbm, p_ul_dbm, rx_offset, fields)
        multi = cls._multi()
        D = _paths(dl, own, "dl", 1 if multi else 0)
        U = _paths(ul, own, "ul", 1 if multi else 0)
        if si is None:
            rho = 10 ** ((-70.0 if rho_db is None else float(rho_db)) / 10)
            kw["si"] = SelfInterference(model="nearfield_los", wavelength=wavelength, rho=rho, rx_offset=off)
        else:
            S = _paths(si, own, "si", 0)
            rho = 10 ** ((0.0 if rho_db is None else float(rho_db)) / 10)
            kw["si"] = SelfInterference(model="field_response", wavelength=wavelength, rho=rho, rx_offset=off,
                                        W_t=S.w_t, W_r=S.w_r, Sigma=np.diag(S.gains))
        return cls._io_build(own, multi, Nt, Nr, D.w_t, D.gains, U.w_r, U.gains, iui, p_ul, movable, kw, fields)

    @classmethod
    def _io_build(cls, own, multi, Nt, Nr, dd, dg, ud, ug, iui, p_ul, movable, kw, fields):
        kw.update(Nt=Nt, Nr=Nr, movable_tx=movable, movable_rx=movable, dl_dirs=dd, dl_gains=dg,
                  ul_dirs=ud, ul_gains=ug)
        if multi:
            KD, KU = np.shape(dg)[0], np.shape(ug)[0]
            kw["iui"] = np.zeros((KD, KU), complex) if iui is None else _matrix(own, "iui", iui, (KD, KU))
            kw["p_ul_max"] = p_ul
            kw.setdefault("weights", tuple([1.0 / (KD + KU)] * (KD + KU)))
        else:
            kw["iui_gain"] = 0.0 if iui is None else float(np.abs(_matrix(own, "iui", iui, None)).ravel()[0] ** 2)
            kw["p_ul"] = p_ul
        for k in ("weights",):
            if k in fields:
                kw[k] = tuple(fields.pop(k))
        return cls(**kw, **fields)

    @classmethod
    def from_channel(cls, h_dl, h_ul, H_si, *, iui=None, wavelength: float = 0.1, region_size=None,
                     d_min=None, snr_db=None, snr_ul_db=None, p_max_dbm=None, noise_dbm=None,
                     p_ul_dbm=None, rx_offset=None, movable: bool = False, **fields):
        """Fixed-antenna problem with the given FPA channels (raw units, W^(1/2)): ``h_dl`` rows
        h_{D,k}^H (K_D, Nt) (single user: (Nt,)), ``h_ul`` columns h_{U,j} (Nr, K_U) (single user:
        (Nr,)), ``H_si`` (Nr, Nt); or a file holding ``h_dl``, ``h_ul``, ``H_si`` (and ``iui``)."""
        own = cls.__name__
        if movable:
            fail(own, "movable", movable, "channel matrices hold the channel at the FPA layout only and cannot "
                 "follow moving antennas: use from_paths(dl, ul, si) for movable antennas")
        if isinstance(h_dl, (str, bytes)) or hasattr(h_dl, "__fspath__"):
            data = read_mapping(h_dl, own)
            for k in ("h_dl", "h_ul", "H_si"):
                if k not in data:
                    fail(own, k, None, f"missing from the file (it holds {sorted(data)})")
            h_dl, h_ul, H_si = data["h_dl"], data["h_ul"], data["H_si"]
            iui = data.get("iui", iui)
        multi = cls._multi()
        hD = _matrix(own, "h_dl", h_dl, None)
        hU = _matrix(own, "h_ul", h_ul, None)
        if not multi:
            hD, hU = hD.reshape(1, -1), hU.reshape(-1, 1)
        if hD.ndim != 2 or hU.ndim != 2:
            fail(own, "h_dl" if hD.ndim != 2 else "h_ul", f"<array of shape {(hD if hD.ndim != 2 else hU).shape}>",
                 "must be (K_D, Nt) rows / (Nr, K_U) columns")
        Nt, Nr = hD.shape[1], hU.shape[0]
        H = _matrix(own, "H_si", H_si, (Nr, Nt))
        kw, p_ul, off = cls._io_common(own, wavelength, region_size, d_min, snr_db, snr_ul_db, p_max_dbm,
                                       noise_dbm, p_ul_dbm, rx_offset, fields)
        sp = max(kw["wavelength"] / 2, kw["d_min"])
        k0 = 2 * math.pi / wavelength
        Wt, Wr = virtual_directions(Nt, sp, wavelength), virtual_directions(Nr, sp, wavelength)
        require_positive(own, "region_size", kw["region_size"])
        box = Rectangle(0.0, kw["region_size"], 0.0, kw["region_size"])          # [0, A]^2
        Et = np.exp(1j * k0 * box.fpa(Nt, sp) @ Wt.T)                            # (Nt, Lt)
        Er = np.exp(1j * k0 * box.fpa(Nr, sp) @ Wr.T)                            # (Nr, Lr)
        Lt, Lr = Wt.shape[0], Wr.shape[0]
        gD = hD @ Et.conj() / Lt                                                 # (K_D, Lt)
        gU = (Er.T @ hU / Lr).T                                                  # (K_U, Lr)
        Sigma = Er.T @ H @ Et.conj() / (Lr * Lt)
        kw["si"] = SelfInterference(model="field_response", wavelength=wavelength, rho=1.0, rx_offset=off,
                                    W_t=Wt, W_r=Wr, Sigma=Sigma)
        dd = np.broadcast_to(Wt, (hD.shape[0],) + Wt.shape).copy()
        ud = np.broadcast_to(Wr, (hU.shape[1],) + Wr.shape).copy()
        if not multi:
            dd, gD, ud, gU = dd[0], gD[0], ud[0], gU[0]
        return cls._io_build(own, multi, Nt, Nr, dd, gD, ud, gU, iui, p_ul, False, kw, fields)

    def channel_matrices(self, x=None) -> dict:
        """Raw channels (W^(1/2)) at x's positions (default: the FPA layout): ``h_dl`` (K_D, Nt)
        rows h_D^H, ``h_ul`` (Nr, K_U), ``H_si`` (Nr, Nt)."""
        hDc, hU, H = self.channels(self.fpa if x is None else x, normalized=False)
        return {"h_dl": hDc, "h_ul": hU, "H_si": H}
