r"""Field-response MIMO and multi-link MISO channels with their position vector-Jacobian products.

**MIMO link** (:class:`MimoChannel`, both ends may move). With ``kappa = 2 pi / wavelength``,
transmit positions t_n (N, 2), receive positions r_m (M, 2), transmit directions d^t_p (Lt, 2)
and receive directions d^r_q (Lr, 2),

.. math::

    G(t)_{pn} = e^{j\kappa\, d^t_p \cdot t_n},\quad F(r)_{qm} = e^{j\kappa\, d^r_q \cdot r_m},\quad
    H = F(r)^H \Sigma\, G(t) \in \mathbb{C}^{M \times N},

i.e. :math:`H_{mn} = \sum_{p,q} e^{-j\kappa d^r_q \cdot r_m}\, \Sigma_{qp}\, e^{j\kappa d^t_p \cdot t_n}`
with the path-response matrix Sigma (Lr, Lt). In the Ma-Zhu-Zhang (MZZ) convention a path with
elevation theta and azimuth phi in [0, pi] has d = [sin theta cos phi, cos theta]
(``field_response.directions(theta, phi, "fd")``), so kappa d . t is the paper's 2 pi rho(t)/lambda.
The toolbox's :class:`~matoolbox.channels.paths.Paths` give the same H with d = ``w_t`` / ``w_r``
and Sigma = diag(gains) (:meth:`MimoChannel.from_paths`).

**Multi-link MISO** (:class:`~matoolbox.channels.multilink.MultiLinkChannel`, K single-antenna
links to one moving array) lives in :mod:`matoolbox.channels.multilink` and is re-exported here.

**Vector-Jacobian product.** For a real function F(H) with ``dH = dF/dRe H + 1j dF/dIm H``
(= 2 dF/dH*, the convention of :mod:`matoolbox.core.gradcheck` and of :mod:`matoolbox.metrics`)
the position gradient is dF/dt_n = Re sum_m conj(dH_mn) dH_mn/dt_n; ``vjp`` evaluates it with
einsum, without loops. Every method accepts leading batch axes on the positions (batch-first:
(B, N, 2) gives (B, M, N)), for PSO swarms.

**Line arrays.** Both classes take 1-D positions (N,) for an array on a line, read as the points
(x, 0) (so the line is the first coordinate axis of the directions); ``vjp`` then returns the
x-derivative, of shape (N,). ``H_batch`` takes line batches (B, N).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..core.rng import as_generator
from ..core.validate import fail, require_array, require_choice, require_count, require_real
from ._geometry import _cn, _ct, _line_batch, _positions, _wavelength
from .field_response import directions
from .multilink import MultiLinkChannel, plane_wave_rows, plane_wave_rows_grad  # noqa: F401  (re-exported)
from .paths import ANGLE_LAWS, CONVENTIONS, Paths, draw_angles

__all__ = ["MimoChannel"]

_DIRS = {"mzz": "fd", "toolbox": "comp"}


@dataclasses.dataclass(frozen=True, eq=False)
class MimoChannel:
    r"""Field-response MIMO channel H = F(r)^H Sigma G(t) (see the module docstring).

    Parameters
    ----------
    dirs_t : array_like, shape (Lt, 2)
        Projected transmit path directions d^t_p (finite).
    dirs_r : array_like, shape (Lr, 2)
        Projected receive path directions d^r_q (finite).
    sigma : array_like, shape (Lr, Lt), complex
        Path-response matrix Sigma (any, not only diagonal).
    wavelength : float, default 1.0
        lambda > 0, in the unit of the positions (1: positions in wavelengths).

    Notes
    -----
    Either end may be an array on a line: positions (N,) (or (M,)) are the points (x, 0), exactly
    as in :class:`MultiLinkChannel`; ``vjp`` then returns that end's gradient with shape (N,).
    """

    dirs_t: np.ndarray
    dirs_r: np.ndarray
    sigma: np.ndarray
    wavelength: float = 1.0

    def __post_init__(self):
        o = "MimoChannel"
        object.__setattr__(self, "wavelength", _wavelength(o, self.wavelength))
        dt = require_array(o, "dirs_t", self.dirs_t, (None, 2))
        dr = require_array(o, "dirs_r", self.dirs_r, (None, 2))
        for f, d in (("dirs_t", dt), ("dirs_r", dr)):
            if d.shape[0] < 1:
                fail(o, f, f"<array of shape {d.shape}>", "needs at least one path")
        s = require_array(o, "sigma", self.sigma, (dr.shape[0], dt.shape[0]), complex)
        for f, v in (("dirs_t", dt), ("dirs_r", dr), ("sigma", s)):
            v.setflags(write=False)
            object.__setattr__(self, f, v)

    # ------------------------------------------------------------------ shapes
    @property
    def Lt(self) -> int:
        """Number of transmit paths."""
        return int(self.dirs_t.shape[0])

    @property
    def Lr(self) -> int:
        """Number of receive paths."""
        return int(self.dirs_r.shape[0])

    @property
    def kappa(self) -> float:
        """Wavenumber 2 pi / wavelength."""
        return 2.0 * np.pi / self.wavelength            # validated in __post_init__

    # ------------------------------------------------------------------ field responses, H, vjp
    def G(self, pos_tx) -> np.ndarray:
        """Transmit field-response matrix G(t): pos_tx (..., N, 2) or (N,) (a line) -> (..., Lt, N)."""
        t, _ = _positions("MimoChannel", "pos_tx", pos_tx, line_ok=True)
        return np.exp(1j * self.kappa * np.einsum("...nd,pd->...pn", t, self.dirs_t))

    def F(self, pos_rx) -> np.ndarray:
        """Receive field-response matrix F(r): pos_rx (..., M, 2) or (M,) (a line) -> (..., Lr, M)."""
        r, _ = _positions("MimoChannel", "pos_rx", pos_rx, line_ok=True)
        return np.exp(1j * self.kappa * np.einsum("...md,qd->...qm", r, self.dirs_r))

    def H(self, pos_tx, pos_rx) -> np.ndarray:
        """Channel H = F(r)^H Sigma G(t).

        Parameters
        ----------
        pos_tx : array_like, shape (..., N, 2) or (N,)
            Transmit antenna positions ((N,): a line array, the points (x, 0)).
        pos_rx : array_like, shape (..., M, 2) or (M,)
            Receive antenna positions (batch axes broadcast against those of ``pos_tx``; (M,): a
            line array).

        Returns
        -------
        numpy.ndarray, shape (..., M, N), complex
        """
        return _ct(self.F(pos_rx)) @ self.sigma @ self.G(pos_tx)

    def H_batch(self, pos_tx, pos_rx) -> np.ndarray:
        """Batch-first :meth:`H` for a swarm of B members.

        Parameters
        ----------
        pos_tx : array_like, shape (B, N, 2) or (B, N)
            Transmit positions of every member ((B, N): line arrays).
        pos_rx : array_like, shape (B, M, 2), (B, M), (M, 2) or (M,)
            Receive positions: per member (planar (B, M, 2) or line (B, M)) or one receiver shared
            by the swarm (planar (M, 2) or line (M,)). A 2-D ``pos_rx`` whose last axis is 2 is the
            shared planar (M, 2) one; shape (B, 2) is refused as ambiguous (pass a shared planar
            receiver with M = B as (1, B, 2), a line batch with M = 2 zero-padded as (B, 2, 2)).

        Returns
        -------
        numpy.ndarray, shape (B, M, N), complex
        """
        o = "MimoChannel"
        t = _line_batch(o, "pos_tx", pos_tx)
        if t.ndim != 3:
            fail(o, "pos_tx", f"<array of shape {t.shape}>", "must have shape (B, N, 2) or (B, N)")
        B = t.shape[0]
        r = np.asarray(pos_rx)
        if r.ndim == 2:
            if r.shape[-1] == 2 and r.shape[0] == B:
                fail(o, "pos_rx", f"<array of shape {r.shape}>",
                     f"is ambiguous for B = {B}: pass a shared (M, 2) receiver as (1, M, 2), "
                     f"a (B, 2) line batch zero-padded as (B, 2, 2)")
            if r.shape[-1] != 2:
                if r.shape[0] != B:
                    fail(o, "pos_rx", f"<array of shape {r.shape}>",
                         f"as a line batch must have shape ({B}, M) (B of pos_tx)")
                r = _line_batch(o, "pos_rx", r)
        return self.H(t, r)

    def vjp(self, pos_tx, pos_rx, dH):
        r"""Position gradient of a real F(H) given ``dH = dF/dRe H + 1j dF/dIm H``.

        .. math::

            \frac{\partial F}{\partial t_n} = \mathrm{Re}\,\Big( j\kappa \sum_p d^t_p\, G_{pn}
                \sum_m (F^H\Sigma)_{mp}\, \overline{dH_{mn}} \Big),\quad
            \frac{\partial F}{\partial r_m} = \mathrm{Re}\,\Big( -j\kappa \sum_q d^r_q\,
                \overline{F_{qm}} \sum_n (\Sigma G)_{qn}\, \overline{dH_{mn}} \Big).

        Parameters
        ----------
        pos_tx : array_like, shape (..., N, 2) or (N,)
        pos_rx : array_like, shape (..., M, 2) or (M,)
        dH : array_like, shape (..., M, N), complex
            Gradient of F w.r.t. H in the gradcheck convention (2 dF/dH*).

        Returns
        -------
        g_tx : numpy.ndarray, shape (..., N, 2), or (..., N) for a line ``pos_tx`` (N,): the
            x-derivative
        g_rx : numpy.ndarray, shape (..., M, 2), or (..., M) for a line ``pos_rx`` (M,)
        """
        t, line_t = _positions("MimoChannel", "pos_tx", pos_tx, line_ok=True)
        r, line_r = _positions("MimoChannel", "pos_rx", pos_rx, line_ok=True)
        G = self.G(t)
        F = self.F(r)
        dHc = np.conj(np.asarray(dH, complex))
        A = _ct(F) @ self.sigma                                   # (..., M, Lt)
        C = np.swapaxes(A, -1, -2) @ dHc                          # (..., Lt, N)
        g_tx = np.real(1j * self.kappa * np.einsum("...pn,pd->...nd", C * G, self.dirs_t))
        B = self.sigma @ G                                        # (..., Lr, N)
        D = B @ np.swapaxes(dHc, -1, -2)                          # (..., Lr, M)
        g_rx = np.real(-1j * self.kappa * np.einsum("...qm,qd->...md", D * np.conj(F), self.dirs_r))
        return (g_tx[..., 0] if line_t else g_tx), (g_rx[..., 0] if line_r else g_rx)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_angles(cls, theta_t, phi_t, theta_r, phi_r, sigma, *, convention: str = "mzz",
                    wavelength: float = 1.0) -> "MimoChannel":
        """Channel from path angles (radians).

        Parameters
        ----------
        theta_t, phi_t : array_like, shape (Lt,)
            Transmit elevation / azimuth.
        theta_r, phi_r : array_like, shape (Lr,)
            Receive elevation / azimuth.
        sigma : array_like, shape (Lr, Lt), complex
            Path-response matrix.
        convention : {"mzz", "toolbox"}
            ``"mzz"``: angles in [0, pi], d = [sin theta cos phi, cos theta];
            ``"toolbox"``: angles in [-pi/2, pi/2], d = [cos theta sin phi, sin theta].
        wavelength : float, default 1.0

        Returns
        -------
        MimoChannel
        """
        o = "MimoChannel.from_angles"
        require_choice(o, "convention", convention, ("mzz", "toolbox"))
        (tlo, thi), (plo, phi_) = CONVENTIONS[convention]
        dirs = {}
        for end, th, ph in (("t", theta_t, phi_t), ("r", theta_r, phi_r)):
            a = require_array(o, f"theta_{end}", th, (None,))
            b = require_array(o, f"phi_{end}", ph, a.shape)
            for f, v, lo, hi in ((f"theta_{end}", a, tlo, thi), (f"phi_{end}", b, plo, phi_)):
                if np.any((v < lo - 1e-9) | (v > hi + 1e-9)):
                    fail(o, f, v, f"must lie in [{lo:.6g}, {hi:.6g}] rad in the {convention!r} convention")
            dirs[end] = directions(a, b, _DIRS[convention])
        return cls(dirs["t"], dirs["r"], sigma, _wavelength(o, wavelength))

    @classmethod
    def from_paths(cls, paths: Paths, *, wavelength: float = 1.0) -> "MimoChannel":
        """Channel of one link of :class:`~matoolbox.channels.paths.Paths` (``paths.links == ()``).

        dirs_t = ``paths.w_t``, dirs_r = ``paths.w_r``, Sigma = diag(gains) (L, L), so that
        ``H(t, r)`` equals ``paths.channel(r, t, wavelength)``.
        """
        o = "MimoChannel.from_paths"
        if not isinstance(paths, Paths):
            fail(o, "paths", type(paths).__name__, "must be a Paths")
        if paths.links != ():
            fail(o, "paths", f"<Paths with links {paths.links}>", "must hold one link (index it, e.g. paths[0])")
        return cls(paths.w_t, paths.w_r, np.diag(paths.gains), _wavelength(o, wavelength))

    @classmethod
    def random(cls, Lt: int, Lr: int | None = None, rng=None, *, kappa: float = 1.0, angles: str = "mzz",
               wavelength: float = 1.0) -> "MimoChannel":
        r"""The Ma-Zhu-Zhang channel statistics.

        Angles (MZZ convention, :func:`~matoolbox.channels.paths.draw_angles`): ``"mzz"`` the
        density sin(theta)/(2 pi) on [0, pi]^2, ``"uniform"`` i.i.d. U[0, pi]. Drawn in the order
        theta_t, phi_t (Lt,), theta_r, phi_r (Lr,), then Sigma:

        * Lt == Lr = L: diagonal, Sigma_11 ~ CN(0, kappa/(kappa+1)) (a LoS-like path),
          Sigma_pp ~ CN(0, 1/((kappa+1)(L-1))) for p >= 2 (L = 1: Sigma_11 ~ CN(0, 1));
        * Lt != Lr: full, i.i.d. CN(0, 1/(Lt Lr)) entries.

        Either way E ||Sigma||_F^2 = 1.

        Parameters
        ----------
        Lt : int
            Transmit paths.
        Lr : int, optional
            Receive paths (default Lt).
        rng : int, SeedSequence or numpy.random.Generator, optional
        kappa : float, default 1.0
            Rician-like factor of the first path (>= 0), used when Lt == Lr.
        angles : {"mzz", "uniform"}
        wavelength : float, default 1.0

        Returns
        -------
        MimoChannel
        """
        o = "MimoChannel.random"
        Lt = require_count(o, "Lt", Lt)
        Lr = Lt if Lr is None else require_count(o, "Lr", Lr)
        kappa = require_real(o, "kappa", kappa, lo=0.0)
        require_choice(o, "angles", angles, ANGLE_LAWS)
        wavelength = _wavelength(o, wavelength)
        rng = as_generator(rng)
        tt, pt = draw_angles(rng, Lt, angles, o)
        tr, pr = draw_angles(rng, Lr, angles, o)
        if Lt == Lr:
            var = np.full(Lt, 1.0 / ((kappa + 1.0) * max(Lt - 1, 1)))
            var[0] = kappa / (kappa + 1.0) if Lt > 1 else 1.0
            sigma = np.diag(_cn(rng, Lt, var))
        else:
            sigma = _cn(rng, (Lr, Lt), 1.0 / (Lt * Lr))
        return cls(directions(tt, pt, "fd"), directions(tr, pr, "fd"), sigma, wavelength)
