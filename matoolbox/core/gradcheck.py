"""Gradient checker for real and complex variables (pymanopt-style).

Convention for a real function F of a complex array Z: ``grad = dF/dRe(Z) + 1j * dF/dIm(Z)``,
so that ``[Re grad, Im grad]`` is the real gradient w.r.t. ``[Re Z, Im Z]`` and the directional
derivative along D is ``Re(sum(conj(grad) * D))``. ``x`` may be an array or a dict of arrays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rng import as_generator

__all__ = ["check_gradient", "GradientCheck"]


@dataclass
class GradientCheck:
    rel_error: float        # best relative error of the directional derivative over step sizes
    directional: float      # analytic <grad, d>
    finite_difference: float  # central-difference estimate at the best step
    slope: float            # log-log slope of the Taylor remainder |f(x+td)-f(x)-t<g,d>| (~2 if correct)
    ok: bool

    def __bool__(self):
        return self.ok


def _map(x, fn):
    if isinstance(x, dict):
        return {k: fn(v) for k, v in x.items()}
    return fn(x)


def _inner(g, d):
    if isinstance(g, dict):
        return sum(_inner(g[k], d[k]) for k in d)
    return float(np.real(np.sum(np.conj(np.asarray(g)) * np.asarray(d))))


def _axpy(x, t, d):
    if isinstance(x, dict):
        return {k: (x[k] + t * d[k]) if k in d else x[k] for k in x}
    return x + t * d


def check_gradient(f, grad, x, rng=None, *, direction=None, steps=None, rtol=1e-5) -> GradientCheck:
    """Compare ``grad(x)`` with central differences of ``f`` along a random direction.

    Returns a :class:`GradientCheck`; ``ok`` when the best relative error over ``steps`` is below
    ``rtol`` (or the Taylor remainder decays with slope >= 1.8).

    Parameters
    ----------
    f : callable
        Real function of ``x``.
    grad : callable
        Its claimed gradient (real, or complex as dF/dRe + 1j dF/dIm; dicts of arrays allowed).
    x : numpy.ndarray or dict
        Point of the check.
    rng : int or numpy.random.Generator, optional
        Source of the random direction.
    direction : array or dict, optional
        Fixed direction instead of a random one.
    steps : sequence of float, optional
        Finite-difference steps.
    rtol : float, default 1e-5
        Tolerance on the best relative error.

    Returns
    -------
    GradientCheck
        ``ok``, ``rel_error``, ``directional``, ``finite_difference`` and ``slope`` (log-log slope of the Taylor remainder, about 2 when correct).
    """
    rng = as_generator(rng)

    def rand_like(v):
        v = np.asarray(v)
        if np.iscomplexobj(v):
            return rng.standard_normal(v.shape) + 1j * rng.standard_normal(v.shape)
        return rng.standard_normal(v.shape)

    if direction is None:
        if isinstance(x, dict):
            g0 = grad(x)
            direction = {k: rand_like(x[k]) for k in g0}
        else:
            direction = rand_like(x)
    d = direction
    norm = np.sqrt(_inner(d, d))
    d = _map(d, lambda v: v / norm) if not isinstance(d, dict) else {k: v / norm for k, v in d.items()}
    g = grad(x)
    analytic = _inner(g, d)
    f0 = float(f(x))
    scale = max(1.0, float(np.sqrt(_inner(x, x))) if not isinstance(x, dict) else 1.0)
    if steps is None:
        steps = scale * np.logspace(-2, -8, 13)
    best = (np.inf, np.nan)
    for h in steps:
        fd = (float(f(_axpy(x, h, d))) - float(f(_axpy(x, -h, d)))) / (2 * h)
        err = abs(fd - analytic) / max(abs(analytic), abs(fd), 1e-12)
        if err < best[0]:
            best = (err, fd)
    ts = scale * np.logspace(-1, -5, 9)
    rem = np.array([abs(float(f(_axpy(x, t, d))) - f0 - t * analytic) for t in ts])
    good = rem > 1e-13 * max(1.0, abs(f0))
    slope = float(np.polyfit(np.log(ts[good]), np.log(rem[good]), 1)[0]) if good.sum() >= 3 else np.nan
    ok = bool(best[0] <= rtol or (np.isfinite(slope) and slope >= 1.8 and best[0] <= 1e-2))
    return GradientCheck(float(best[0]), analytic, float(best[1]), slope, ok)
