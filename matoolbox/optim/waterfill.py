r"""Water-filling: the capacity-optimal transmit covariance of a MIMO channel, in closed form.

For a channel ``H`` (M, N) (receive x transmit), noise power ``sigma^2`` and power ``P``

    max_Q  log2 det(I_M + H Q H^H / sigma^2)   s.t.  Q = Q^H >= 0,  tr Q <= P

is solved on the eigenmodes of ``H^H H = V diag(s_i^2) V^H`` (right singular vectors of H):
``Q = V diag(p) V^H`` with ``p_i = (mu - sigma^2 / s_i^2)^+`` and the water level ``mu`` set by
``sum_i p_i = P`` (so ``tr Q = P``). ``mu`` follows the sorted active-set rule: with the gains
``g_i = s_i^2 / sigma^2`` sorted in decreasing order, ``mu_k = (P + sum_{i<=k} 1/g_i) / k`` and
the active set is the largest ``k`` with ``mu_k > 1/g_k``.

:func:`waterfill_block` is the AO block that writes this ``Q`` into ``x["covariance"]`` for the
channel ``problem.channel_matrix(x)`` of the current positions.
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np

from ..core.options import Options, resolve_options
from ..core.solution import Solution
from ..core.validate import fail, require_real
from ._common import keep_better, score

__all__ = ["waterfilling", "water_levels", "waterfill_block", "WaterfillOptions"]


def water_levels(gains, power):
    r"""Water-filling powers over parallel channels with gains ``g`` (..., n), ``g >= 0``.

    Returns ``p`` (..., n), ``p_i = (mu - 1/g_i)^+`` with ``sum_i p_i = power`` (``1/0 = inf``:
    a zero-gain mode gets no power unless every gain is zero, when the power is split evenly).

    Parameters
    ----------
    gains : array_like, shape (..., n)
        Non-negative channel gains (SNR per unit power).
    power : float
        Total power P > 0.

    Returns
    -------
    numpy.ndarray, shape (..., n)
        Powers in the order of ``gains``.
    """
    g = np.asarray(gains, float)
    order = np.argsort(-g, axis=-1)
    gs = np.take_along_axis(g, order, -1)
    with np.errstate(divide="ignore"):
        inv = np.where(gs > 0, 1.0 / np.where(gs > 0, gs, 1.0), np.inf)
    n = g.shape[-1]
    k = np.arange(1, n + 1)
    csum = np.cumsum(np.where(np.isfinite(inv), inv, 0.0), axis=-1)
    mu_k = (power + csum) / k
    active = (mu_k > inv) & np.isfinite(inv)
    # the active set is a prefix: its size is the number of True entries
    kstar = np.maximum(active.sum(-1, keepdims=True), 1)
    mu = np.take_along_axis(mu_k, kstar - 1, -1)
    ps = np.where(np.isfinite(inv), np.maximum(mu - inv, 0.0), 0.0)
    none = ~np.any(gs > 0, axis=-1, keepdims=True)
    ps = np.where(none, power / n, ps)
    p = np.empty_like(ps)
    np.put_along_axis(p, order, ps, -1)
    return p


def waterfilling(H, power, noise=1.0):
    r"""Capacity-optimal covariance ``Q`` (N, N) for ``H`` (M, N) under ``tr Q <= power``.

    ``Q = V diag(p) V^H`` with ``V`` the right singular vectors of ``H`` and ``p`` the water
    levels of the gains ``s_i^2 / noise`` (module docstring); ``tr Q = power``. Batched: ``H`` may
    be (..., M, N), giving (..., N, N).

    Parameters
    ----------
    H : array_like, shape (M, N) or (..., M, N)
        Channel matrix (row m = receive antenna m, column n = transmit antenna n).
    power : float
        Transmit power P > 0.
    noise : float, default 1.0
        Noise power sigma^2 > 0 per receive antenna.

    Returns
    -------
    numpy.ndarray, shape (N, N) or (..., N, N)
        Hermitian positive semidefinite ``Q`` with trace ``power``.

    Raises
    ------
    InvalidProblemError
        If ``power`` or ``noise`` is not a positive finite number, or ``H`` not at least 2-D.

    Examples
    --------
    >>> import numpy as np
    >>> Q = waterfilling(np.diag([2.0, 1.0, 0.0]), power=1.0, noise=1.0)
    >>> np.round(np.diag(Q).real, 6).tolist()          # mu = (1 + 1/4 + 1) / 2 = 1.125
    [0.875, 0.125, 0.0]
    """
    power = require_real("waterfilling", "power", power, lo=0.0, lo_open=True)
    noise = require_real("waterfilling", "noise", noise, lo=0.0, lo_open=True)
    H = np.asarray(H, complex)
    if H.ndim < 2:
        fail("waterfilling", "H", H, "must be a matrix (M, N) or a batch (..., M, N)")
    N = H.shape[-1]
    _, s, Vh = np.linalg.svd(H, full_matrices=True)
    g = np.zeros(H.shape[:-2] + (N,))
    g[..., : s.shape[-1]] = s**2 / noise
    p = water_levels(g, power)
    V = np.conj(np.swapaxes(Vh, -1, -2))
    Q = (V * p[..., None, :]) @ Vh
    return 0.5 * (Q + np.conj(np.swapaxes(Q, -1, -2)))


@dataclasses.dataclass(frozen=True)
class WaterfillOptions(Options):
    """Options of :func:`waterfill_block`.

    block:    name of the covariance variable written ("covariance").
    feas_tol: the new point is kept only if its violation is <= max(violation(x0), feas_tol).
    """

    block: str = "covariance"
    feas_tol: float = 1e-9

    def __post_init__(self):
        if not isinstance(self.block, str) or not self.block:
            fail("WaterfillOptions", "block", self.block, "must be a non-empty variable name")
        require_real("WaterfillOptions", "feas_tol", self.feas_tol, lo=0.0)


def waterfill_block(problem, x0, *, options=None, rng=None) -> Solution:
    r"""AO block: ``x[block] = waterfilling(problem.channel_matrix(x0), problem.power, problem.noise)``.

    The covariance is globally optimal for the channel of the current positions, so the
    objective cannot decrease when the objective is the capacity; the incumbent is kept anyway
    if the new point is worse (a different objective) or more violating.

    Parameters
    ----------
    problem : Problem
        Exposes ``channel_matrix(x) -> H (M, N)``, ``power``, ``noise``, ``objective(x)`` and
        ``violation(x)``.
    x0 : dict
        Full variable dict; only ``x0[options.block]`` changes.
    options : WaterfillOptions or dict, optional
        Block name and feasibility tolerance.
    rng : ignored
        Accepted for the AO block signature.

    Returns
    -------
    Solution
        The full ``x``, ``fval`` its objective, exitflag 1; ``output["incumbent_kept"]`` and
        ``output["trace"]`` (tr Q).

    Raises
    ------
    InvalidProblemError
        If an option is invalid or the problem's power / noise is not positive.
    """
    t0 = time.perf_counter()
    opts = resolve_options(WaterfillOptions, options)
    x0 = dict(x0)
    Q = waterfilling(problem.channel_matrix(x0), problem.power, problem.noise)
    f0, v0 = score(problem, x0) if opts.block in x0 else (-np.inf, np.inf)
    x, f, v, kept = keep_better(problem, x0, {**x0, opts.block: Q}, opts.feas_tol, f0, v0)
    return Solution(x=x, fval=f, exitflag=1, message="water-filling" + (" (incumbent kept)" if kept else ""),
                    nit=1, history=[f0, f], violation=v, elapsed=time.perf_counter() - t0,
                    solver="waterfill_block",
                    output={"incumbent_kept": kept, "trace": float(np.real(np.trace(Q)))})
