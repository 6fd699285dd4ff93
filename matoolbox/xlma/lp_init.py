r"""LP initialization of XL-MA placement (docs/theory/xlma.rst: LP initialization): LP (P2.1) + top-N rounding (33).

Works on any problem exposing ``lp_surrogate() -> {"c": (N0,), "A": (T, N0), "N": int}`` and
``objective({"selection": ...})``:

    max_z  c^T z   s.t.  1^T z = N,  0 <= z <= 1,  A z >= 1   (coverage of the top grids, (32d)),

with ``c = sum_k rho_k r_k`` (sum of single-position rates).  Solved in CVXPY through
``solve_cvx`` (HiGHS if cvxpy has it, else Clarabel, then SCS; HiGHS's banner, printed by its C++
library on the process's stdout, is suppressed).  If no solver gives a usable answer the run is
reported as failed (exitflag -3, ``output["fallback"]`` names the start used instead): the
coverage rows are dropped and the integral optimum of the remaining LP, the N largest entries of
c, is returned.  Rounding: the N largest entries of z* (stable on (-z*, index)); subarray n goes
to the n-th largest (``output["placement"]``).
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time

import numpy as np

from ..core.cvx import solve_cvx
from ..core.errors import InvalidProblemError
from ..core.options import Options, resolve_options
from ..core.solution import Solution

__all__ = ["lp_init", "LpInitOptions"]


@dataclasses.dataclass(frozen=True)
class LpInitOptions(Options):
    """Options of :func:`lp_init`.

    coverage: impose the LoS coverage constraints (32d).
    solvers:  CVXPY solver order (None: HIGHS, CLARABEL, SCS, those installed).
    """

    coverage: bool = True
    solvers: tuple | None = None


def _default_order():
    import cvxpy as cp

    installed = set(cp.installed_solvers())
    return tuple(s for s in ("HIGHS", "CLARABEL", "SCS") if s in installed)


@contextlib.contextmanager
def _quiet_stdout():
    """Send file descriptor 1 to /dev/null for the duration (C libraries print there directly)."""
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno() if hasattr(sys.stdout, "fileno") else 1
        saved = os.dup(fd)
    except (OSError, ValueError, AttributeError):  # no real stdout (e.g. captured): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _top_n(z, N):
    return np.lexsort((np.arange(z.size), -np.asarray(z, float)))[:N]


def lp_init(problem, x0=None, *, options=None, rng=None) -> Solution:
    """LP relaxation (P2.1) with coverage constraints, then top-N rounding; ``x0`` is ignored.

    Maximises the sum of single-subarray rates over 0 <= z <= 1, 1^T z = N, with LoS coverage of
    the most likely user cells, and keeps the N largest entries (XL-MA theory page,
    docs/theory/xlma.rst).

    Parameters
    ----------
    problem : XlmaPlacementProblem
        Any problem with ``lp_surrogate()``.
    x0 : dict, optional
        Ignored (the LP needs no start).
    options : LpInitOptions or dict, optional
        LP settings (solver order, coverage rule).
    rng : optional
        Unused; accepted for the solver contract.

    Returns
    -------
    Solution
        ``x = {"selection": sorted indices (N,)}``, ``fval`` = F(selection) (the problem's
        objective), ``output``: ``lp_value``, ``z_relaxed`` (N0,), ``integral``, ``placement``
        (pi(n), the n-th largest entry), ``coverage_rows``, ``coverage_dropped``,
        ``cvx_attempts``, ``fallback`` (None; or, when every convex solver failed, the name of
        the start returned instead, and then exitflag is -3).

    Raises
    ------
    InvalidProblemError
        If the problem has no ``lp_surrogate()``.

    Examples
    --------
    >>> from matoolbox.problems import XlmaPlacementProblem
    >>> from matoolbox.solvers import lp_init
    >>> prob = XlmaPlacementProblem.random_small(seed=0)   # N=3 subarrays on 5 x 4 candidates
    >>> init = lp_init(prob)
    >>> init.exitflag, len(init.x["selection"])
    (1, 3)
    """
    import cvxpy as cp

    t0 = time.perf_counter()
    opts = resolve_options(LpInitOptions, options)
    if not hasattr(problem, "lp_surrogate"):
        raise InvalidProblemError(f"lp_init.problem = {type(problem).__name__}: needs lp_surrogate()")
    data = problem.lp_surrogate()
    c = np.asarray(data["c"], float)
    A = np.asarray(data["A"], float).reshape(-1, c.size)
    N = int(data["N"])
    if not opts.coverage:
        A = A[:0]
    order = tuple(opts.solvers) if opts.solvers is not None else _default_order()
    z = cp.Variable(c.size)
    cons = [cp.sum(z) == N, z >= 0, z <= 1]
    if A.shape[0]:
        cons.append(A @ z >= 1)
    prob = cp.Problem(cp.Maximize(c @ z), cons)
    with _quiet_stdout():
        res = solve_cvx(prob, solvers=order)
    attempts = list(res.attempts)
    dropped = False
    failed = False
    if res.usable and z.value is not None and np.all(np.isfinite(z.value)):
        zs = np.asarray(z.value, float)
        lp_value = float(c @ zs)
        status = res.status
    else:
        dropped = A.shape[0] > 0
        failed = dropped                      # without coverage rows top-N of c is the LP optimum
        zs = np.zeros(c.size)
        zs[_top_n(c, N)] = 1.0
        lp_value = float(c @ zs)
        status = "coverage_dropped" if dropped else res.status
    placement = _top_n(zs, N)
    sel = np.sort(placement)
    fval = float(problem.objective({"selection": sel}))
    integral = bool(np.all(np.minimum(np.abs(zs), np.abs(1 - zs)) <= 1e-6))
    if failed:
        msg = ("LP (P2.1) failed: no convex solver gave a usable answer "
               f"({', '.join(a['solver'] + ': ' + a['status'] for a in attempts) or 'no solver installed'}); "
               "fallback start: the N largest entries of c, coverage constraints dropped")
    else:
        msg = f"LP {status}" + ("" if res.usable else "; top-N of c (exact without coverage rows)")
    return Solution(x={"selection": sel}, fval=fval, exitflag=-3 if failed else 1, message=msg, nit=1,
                    history=[fval], violation=float(problem.violation({"selection": sel})),
                    elapsed=time.perf_counter() - t0, solver="lp_init",
                    output={"lp_value": lp_value, "z_relaxed": zs, "integral": integral,
                            "placement": placement, "coverage_rows": int(A.shape[0]),
                            "coverage_dropped": dropped, "lp_status": status, "cvx_attempts": attempts,
                            "fallback": "top_n_without_coverage" if failed else None})
