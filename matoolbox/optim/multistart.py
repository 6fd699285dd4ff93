r"""Multistart local NLP solver: the "fmincon with 100 initial points" reference (docs/theory/comp_rsma.rst: Multistart reference).

Generic over any problem that exposes a smooth NLP form (minimisation in a real vector z):

    problem.nlp_pack(x) -> z,   problem.nlp_unpack(z) -> x,
    problem.nlp_fun(z) -> (f, grad)                        objective to MINIMISE and its gradient,
    problem.nlp_constraints(z) -> (g, J)                    inequalities g(z) >= 0, Jacobian (m, n),
    problem.nlp_bounds() -> (lo, hi)                        per-entry bounds (+-inf allowed),
    problem.nlp_random_start(rng) -> x                      one random (bound- and power-feasible) start,
    problem.nlp_polish(x) -> x   (optional)                 repair + post-processing of a local optimum,
    problem.nlp_value(z) -> f    (optional)                 the objective alone (== nlp_fun(z)[0]),
    problem.nlp_constraint_values(z) -> g  (optional)       the inequalities alone (== nlp_constraints(z)[0]),

plus ``objective(x)`` / ``violation(x)`` to score results. Each start runs
``scipy.optimize.minimize(method="SLSQP")`` with the analytic Jacobians; the start point itself is
scored too (so warm starts can only help). With the optional value-only hooks SLSQP's line-search
points (about half its evaluations) skip the derivatives: same iterates, less work. Starts are drawn in the caller before any work is
spread over ``workers`` (joblib), so the set is nested: the first m random starts of an n-start
run are those of an m-start run with the same seed, serial or parallel.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import time
import warnings

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.options import Options, resolve_options
from ..core.rng import as_generator
from ..core.solution import Solution

__all__ = ["multistart", "MultistartOptions"]


@dataclasses.dataclass(frozen=True)
class MultistartOptions(Options):
    """Options of :func:`multistart`.

    n_starts: random starts (100). workers: joblib processes (1 = serial). method: "SLSQP" or
    "trust-constr". maxiter (300) and ftol (1e-9) of SLSQP. feas_tol: a polished local optimum is
    feasible if its violation is <= feas_tol (1e-6). keep_x: store every local optimum's x in
    ``output["local"]``. score_starts: also score each (polished) start point. blas_threads:
    OpenBLAS threads during the local solves (1: SLSQP's small dense algebra gains nothing from
    threads and slows down badly on a busy machine; None leaves the setting alone).
    """

    n_starts: int = 100
    workers: int = 1
    method: str = "SLSQP"
    maxiter: int = 300
    ftol: float = 1e-9
    feas_tol: float = 1e-6
    keep_x: bool = True
    score_starts: bool = True
    blas_threads: int | None = 1

    def __post_init__(self):
        if not isinstance(self.n_starts, (int, np.integer)) or self.n_starts < 0:
            raise InvalidProblemError(f"MultistartOptions.n_starts = {self.n_starts!r}: must be an integer >= 0")
        if not isinstance(self.workers, (int, np.integer)) or self.workers < 1:
            raise InvalidProblemError(f"MultistartOptions.workers = {self.workers!r}: must be an integer >= 1")
        if self.method not in ("SLSQP", "trust-constr"):
            raise InvalidProblemError(f"MultistartOptions.method = {self.method!r}: must be 'SLSQP' or 'trust-constr'")


@contextlib.contextmanager
def blas_threads(n):
    """Temporarily limit the BLAS libraries (threadpoolctl) to ``n`` threads (no-op for None)."""
    if n is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=int(n), user_api="blas"):
        yield


def _score(problem, x):
    f = float(problem.objective(x))
    v = float(problem.violation(x))
    return (f if math.isfinite(f) else -math.inf), v


def _local(problem, start, opts):
    """One local solve from the x dict ``start``: returns a result dict."""
    from scipy.optimize import Bounds, NonlinearConstraint, minimize

    polish = getattr(problem, "nlp_polish", None) or (lambda x: x)
    t0 = time.perf_counter()
    z0 = np.asarray(problem.nlp_pack(start), float)
    lo, hi = (np.asarray(b, float) for b in problem.nlp_bounds())
    z0 = np.clip(z0, lo, hi)
    out = {}
    if opts.score_starts:
        xs = polish(problem.nlp_unpack(z0))
        out["start_fval"], out["start_violation"] = _score(problem, xs)
        out["_start_x"] = xs
    cache = {}

    def cons(z):
        key = z.tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = problem.nlp_constraints(z)
        return cache[key]

    # value-only hooks (same numbers, no derivatives): SLSQP evaluates about two points per
    # iteration and needs derivatives at one of them (its line search needs values only)
    value = getattr(problem, "nlp_value", None)
    cvalue = getattr(problem, "nlp_constraint_values", None)
    if value is not None:
        fun, jac = value, (lambda z: problem.nlp_fun(z)[1])
    else:
        fun, jac = (lambda z: problem.nlp_fun(z)), True
    cfun = cvalue if cvalue is not None else (lambda z: cons(z)[0])
    bounds = Bounds(lo, hi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if opts.method == "SLSQP":
                res = minimize(fun, z0, jac=jac, method="SLSQP", bounds=bounds,
                               constraints=[{"type": "ineq", "fun": cfun, "jac": lambda z: cons(z)[1]}],
                               options={"maxiter": opts.maxiter, "ftol": opts.ftol})
            else:
                nlc = NonlinearConstraint(lambda z: cons(z)[0], 0.0, np.inf, jac=lambda z: cons(z)[1])
                res = minimize(lambda z: problem.nlp_fun(z), z0, jac=True, method="trust-constr",
                               bounds=bounds, constraints=[nlc], options={"maxiter": opts.maxiter * 10})
            z, status, msg, nit = np.asarray(res.x, float), int(res.status), str(res.message), int(res.nit)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            z, status, msg, nit = z0, -1, f"{type(exc).__name__}: {exc}", 0
    if not np.all(np.isfinite(z)):
        z, status, msg = z0, -1, "non-finite iterate; start kept"
    x = polish(problem.nlp_unpack(np.clip(z, lo, hi)))
    f, v = _score(problem, x)
    out.update(fval=f, violation=v, status=status, message=msg, nit=nit, x=x,
               elapsed=time.perf_counter() - t0)
    return out


def _chunk(problem, starts, opts):
    with blas_threads(opts.blas_threads):
        return [_local(problem, s, opts) for s in starts]


def multistart(problem, x0=None, *, n_starts=None, rng=None, workers=None, warm_starts=(),
               options=None) -> Solution:
    """Best feasible local optimum over warm starts (``x0`` then ``warm_starts``) and ``n_starts``
    random starts (``problem.nlp_random_start(rng)``), each solved by SLSQP.

    The "fmincon with MultiStart" of a MATLAB workflow: the problem exposes its nonlinear-program
    form (packed real vector, objective, constraints and analytic Jacobians); every local optimum
    is polished and scored by the problem, and the best feasible one is kept.

    Parameters
    ----------
    problem : Problem
        A problem with the NLP form (``nlp_random_start`` and the packing / constraint hooks), e.g.
        :class:`~matoolbox.problems.CompRsmaProblem`.
    x0 : dict, optional
        First warm start (e.g. an ``ao_solve`` solution's ``x``).
    n_starts : int, optional
        Random starts (overrides ``options.n_starts``, default 100). The start set is nested: the
        first m starts of a run are those of an m-start run with the same ``rng``.
    rng : int or numpy.random.Generator, optional
        Seed or generator of the random starts.
    workers : int, optional
        joblib processes (overrides ``options.workers``; 1 = serial).
    warm_starts : sequence of dict, optional
        Further warm starts, tried after ``x0``.
    options : MultistartOptions or dict, optional
        Solver settings (``maxiter``, ``ftol``, ``feas_tol``, ``method``, ...).

    Returns
    -------
    Solution
        ``x`` the best feasible polished point (exitflag 1), or the least violating one with
        exitflag -2 when none is feasible. ``history``: best feasible value after each start.
        ``output["local"]``: one dict per start (``kind`` warm/random, ``fval``, ``violation``,
        ``feasible``, ``status``, ``message``, ``nit``, ``elapsed``, ``x`` if ``keep_x``);
        ``output["best_start"]`` its index, ``output["from_start_point"]`` whether the best value
        was the start point itself.

    Raises
    ------
    InvalidProblemError
        If there is no start at all (``n_starts=0`` and no warm start) or an option is invalid.

    Examples
    --------
    >>> from matoolbox.problems import CompRsmaProblem
    >>> from matoolbox.solvers import multistart
    >>> prob = CompRsmaProblem.random(seed=0, K=2)
    >>> ref = multistart(prob, n_starts=5, rng=0)
    >>> ref.exitflag, len(ref.output["local"])
    (1, 5)
    >>> ref.fval == max(loc["fval"] for loc in ref.output["local"] if loc["feasible"])
    True
    """
    t0 = time.perf_counter()
    over = {k: v for k, v in (("n_starts", n_starts), ("workers", workers)) if v is not None}
    opts = resolve_options(MultistartOptions, options, **over)
    rng = as_generator(rng)
    warm = ([x0] if x0 is not None else []) + [w for w in (warm_starts or ()) if w is not None]
    starts = [dict(w) for w in warm] + [problem.nlp_random_start(rng) for _ in range(int(opts.n_starts))]
    kinds = ["warm"] * len(warm) + ["random"] * int(opts.n_starts)
    if not starts:
        raise InvalidProblemError("multistart.n_starts = 0: no warm start and no random start given")
    nw = min(int(opts.workers), len(starts))
    if nw > 1:
        from joblib import Parallel, delayed

        chunks = [list(range(i, len(starts), nw)) for i in range(nw)]
        parts = Parallel(n_jobs=nw, backend="loky")(
            delayed(_chunk)(problem, [starts[i] for i in idx], opts) for idx in chunks)
        results = [None] * len(starts)
        for idx, part in zip(chunks, parts):
            for i, r in zip(idx, part):
                results[i] = r
    else:
        results = _chunk(problem, starts, opts)
    best, least, history, local = None, None, [], []
    for i, (res, kind) in enumerate(zip(results, kinds)):
        cands = [(res["fval"], res["violation"], res["x"], False)]
        if opts.score_starts:
            cands.append((res["start_fval"], res["start_violation"], res["_start_x"], True))
        for f, v, x, is_start in cands:
            if v <= opts.feas_tol and math.isfinite(f) and (best is None or f > best[0]):
                best = (f, v, x, i, is_start)
            if least is None or v < least[1]:
                least = (f, v, x, i, is_start)
        history.append(best[0] if best is not None else -math.inf)
        entry = {"start": i, "kind": kind, "fval": res["fval"], "violation": res["violation"],
                 "feasible": bool(res["violation"] <= opts.feas_tol), "status": res["status"],
                 "message": res["message"], "nit": res["nit"], "elapsed": res["elapsed"]}
        if opts.score_starts:
            entry.update(start_fval=res["start_fval"], start_violation=res["start_violation"])
        if opts.keep_x:
            entry["x"] = res["x"]
        local.append(entry)
    if best is not None:
        f, v, x, ib, from_start = best
        exitflag, message = 1, f"best feasible of {len(starts)} starts"
    else:
        f, v, x, ib, from_start = least
        f = f if math.isfinite(f) else -math.inf
        exitflag, message = -2, f"no feasible point in {len(starts)} starts"
    return Solution(x=x, fval=f, exitflag=exitflag, message=message, nit=len(starts), history=history,
                    violation=v, elapsed=time.perf_counter() - t0, solver="multistart",
                    output={"local": local, "best_start": ib, "from_start_point": from_start,
                            "n_feasible": sum(e["feasible"] for e in local), "workers": nw,
                            "method": opts.method})
