r"""Block solvers of the full-duplex example problems E1, E2 and E4 (spec full_duplex.md §3.3, §4, §5).

* :func:`apo_positions` (E1 baseline, "alternating position optimisation"): one antenna at a time,
  exhaustive search of its region on a grid of step ``grid_step * wavelength``, rounds until no
  antenna improves. Needs ``objective_batch`` and planar positions (R, 2) whose only constraint
  is the box ``problem.bounds``.
* :func:`spectrum_sharing_beamformer` (E2 ``w``-step): the exact SOCP
  ``max Re{h_0^H w}`` s.t. ``|h_k^H w| <= sqrt(Gamma)``, ``||w|| <= sqrt(P)`` (noise-normalised),
  or the paper's SCA on ``|h_0^H w|^2`` (``method="sca"``); then a feasibility polish.
* :func:`spectrum_sharing_enumeration` (E2 positions): one antenna at a time over a grid, skipping
  points that break the spacing or the interference caps under the current ``w``.
* :func:`multibeam_awv` (E4 weights): SDR ``max d`` s.t. ``W >= 0``, ``tr W <= 1``,
  ``tr(A_k W) >= d``, ``tr(B_l W) <= xi`` + Gaussian randomisation, compared with the incumbent.
* :func:`multibeam_apv` (E4 positions): SCA QCQP with the quadratic bounds
  ``G(x) >= G(x0) + g^T d - L/2 ||d||^2`` (beams) and ``G(x) <= G(x0) + g^T d + L/2 ||d||^2``
  (interference), ``L = 2 beta^2 (||w||_2^2 + ||w||_1 ||w||_inf)``, ``beta = k0 cos theta``.

Every block returns the full ``x`` dict and never returns a point worse than (or less feasible
than) its start. Convex solves go through :func:`matoolbox.core.cvx.solve_cvx` and are listed in
``output["cvx_attempts"]``.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import time

import numpy as np

from ..core.cvx import solve_cvx
from ..core.options import Options, resolve_options
from ..core.rng import as_generator
from ..core.solution import Solution

__all__ = [
    "apo_positions", "ApoOptions",
    "spectrum_sharing_beamformer", "SpectrumSharingBfOptions",
    "spectrum_sharing_enumeration", "EnumerationOptions",
    "multibeam_awv", "MultibeamAwvOptions", "multibeam_apv", "MultibeamApvOptions",
]


def _copy_x(x):
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in x.items()}


# ----------------------------------------------------------------------------------------------
# E1 baseline: alternating position optimisation on a grid
# ----------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ApoOptions(Options):
    """block: planar position block (R, 2); grid_step: grid step in wavelengths; max_rounds:
    sweeps over all antennas; tol: relative improvement that counts as progress."""

    block: str = "positions"
    grid_step: float = 0.05
    max_rounds: int = 20
    tol: float = 1e-9


def apo_positions(problem, x0=None, *, options=None, rng=None) -> Solution:
    """Alternating (one antenna at a time) exhaustive grid search of planar positions.

    Antenna r moves to ``argmax_{p in grid} f(x with row r = p)`` if that beats the current value
    by more than ``tol`` (relative); rounds over r = 1..R repeat until no antenna moves
    (exitflag 1) or ``max_rounds`` (exitflag 0). ``history``: objective after every round.
    """
    t0 = time.perf_counter()
    opts = resolve_options(ApoOptions, options)
    x = _copy_x(x0 if x0 is not None else problem.initial_point(rng))
    block = opts.block
    lo, hi = (np.asarray(b, float) for b in problem.bounds(block))
    step = opts.grid_step * float(getattr(problem, "wavelength", 1.0))
    cur = np.asarray(x[block], float)
    f = float(problem.objective(x))
    history, moved, rnd = [f], True, 0
    while moved and rnd < opts.max_rounds:
        rnd += 1
        moved = False
        for r in range(cur.shape[0]):
            gx = np.arange(lo[r, 0], hi[r, 0] + step / 2, step)
            gy = np.arange(lo[r, 1], hi[r, 1] + step / 2, step)
            grid = np.stack(np.meshgrid(np.minimum(gx, hi[r, 0]), np.minimum(gy, hi[r, 1])), -1).reshape(-1, 2)
            cand = np.repeat(cur[None], len(grid), axis=0)
            cand[:, r] = grid
            vals = np.asarray(problem.objective_batch(block, cand, x), float)
            i = int(np.argmax(vals))
            if vals[i] > f + opts.tol * max(1.0, abs(f)):
                cur = cand[i]
                f = float(vals[i])
                moved = True
        history.append(f)
    x[block] = cur
    f = float(problem.objective(x))
    return Solution(x=x, fval=f, exitflag=0 if moved else 1,
                    message="round limit reached" if moved else "no antenna improves on the grid",
                    nit=rnd, history=history, violation=float(problem.violation(x)),
                    elapsed=time.perf_counter() - t0, solver="apo_positions",
                    output={"grid_step": step, "rounds": rnd})
