"""One helper for every convex subproblem: solve a ``cvxpy.Problem`` with a fallback chain.

Order: MOSEK (only when a licence works; probed once and cached), then CLARABEL, then SCS.
``optimal_inaccurate`` is not taken as optimal: the next solver is tried, and an inaccurate
answer is used only when nothing better comes. Every attempt is recorded (solver, status,
seconds, error) so that ``Solution.output["cvx_attempts"]`` can show it.
"""
from __future__ import annotations

import functools
import os
import threading
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .errors import SolverFailedError

__all__ = ["solve_cvx", "CvxResult", "default_solver_order", "mosek_licensed", "cached_model", "solve_cached",
           "set_parameter"]

OPTIMAL = "optimal"
DEFINITIVE = ("infeasible", "unbounded", "infeasible_inaccurate", "unbounded_inaccurate")


@functools.lru_cache(maxsize=1)
def mosek_licensed() -> bool:
    """True when MOSEK is installed *and* a licence can be checked out (probed once)."""
    try:
        import mosek  # noqa: F401
    except ImportError:
        return False
    try:
        with mosek.Env() as env:
            env.checkoutlicense(mosek.feature.pts)
        return True
    except Exception:  # mosek.Error (no licence) or anything the binding raises
        return False


@functools.lru_cache(maxsize=1)
def _installed():
    import cvxpy as cp

    return frozenset(cp.installed_solvers())


def default_solver_order() -> tuple[str, ...]:
    order = []
    if "MOSEK" in _installed() and mosek_licensed():
        order.append("MOSEK")
    order += [s for s in ("CLARABEL", "SCS") if s in _installed()]
    return tuple(order)


_MODELS = threading.local()


def cached_model(key, build, maxsize: int = 32):
    """The compiled model ``build()`` for ``key`` (hashable), built once per process and thread.

    Compiling a DPP problem costs far more than re-solving it with new Parameter values, so
    blocks called many times keep their model here. A model shared across calls must not carry
    solver state between them: pass ``warm_start=False`` to :func:`solve_cvx` on each call's
    first solve. Per thread, so that a threaded joblib backend never shares a model between two
    solves in flight; at most ``maxsize`` models per thread (when full, the least recently used
    one is dropped, so the copies :func:`solve_cached` uses for one call stay stored).
    """
    store = getattr(_MODELS, "store", None)
    if store is None:
        store = _MODELS.store = {}
    model = store.pop(key, None)
    if model is None:
        while len(store) >= max(int(maxsize), 1):
            store.pop(next(iter(store)))            # least recently used first
        model = build()
    store[key] = model                              # most recently used last
    return model


def set_parameter(param, value) -> None:
    """``param.value = value`` for a ``cvxpy.Parameter``, without CVXPY's generic validation.

    The setter projects every value onto the Parameter's attribute set and compares (measured:
    45-60 us per assignment, about 10 % of a re-solved CoMP-RSMA SCA subproblem with a dozen
    Parameters). Here a finite value of the Parameter's shape and kind (complex or real) is
    stored as it is, after a sign check for ``nonneg`` / ``pos`` Parameters. Parameters with any
    other attribute (``hermitian``, ``PSD``, ``diag``, ``bounds``, ...), a CVXPY without
    ``save_value``, and a value that fails a check take the setter (which raises CVXPY's error).
    Stored as an array of the Parameter's kind: a scalar as a 0-d float64 array, a real value of
    a complex Parameter as complex128 (the setter keeps Python scalars and real arrays as given;
    the solves are the same).
    """
    attrs = getattr(param, "attributes", None) or {}
    other = any(v is not None and v is not False for k, v in attrs.items() if k not in ("nonneg", "pos", "complex"))
    save = getattr(param, "save_value", None)
    if save is None or other or getattr(param, "sparse_idx", None) is not None:
        param.value = value
        return
    complex_ = bool(param.is_complex())
    a = np.asarray(value)
    ok = a.shape == param.shape and (complex_ or not np.iscomplexobj(a)) and a.dtype.kind in "biufc"
    if ok:
        a = a.astype(complex if complex_ else float, copy=False)
        ok = bool(np.all(np.isfinite(a)))
        if ok and attrs.get("nonneg"):
            ok = bool(np.all(a >= 0))
        elif ok and attrs.get("pos"):
            ok = bool(np.all(a > 0))
    if not ok:
        param.value = value
        return
    save(a)


@dataclass
class CvxResult:
    status: str
    value: float
    solver: str | None
    attempts: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == OPTIMAL

    @property
    def usable(self) -> bool:
        """Optimal, or optimal_inaccurate when no solver did better."""
        return self.status in (OPTIMAL, "optimal_inaccurate")


def solve_cvx(problem, solvers=None, *, solver_options=None, raise_on_failure=False, warm_start=True,
              **kwargs) -> CvxResult:
    """Solve ``problem`` (a ``cvxpy.Problem``) trying ``solvers`` in order.

    Returns a :class:`CvxResult`; the variables hold the accepted solution. ``infeasible`` and
    ``unbounded`` are definitive answers and stop the chain. ``solver_options`` maps a solver
    name to extra keyword arguments. With ``raise_on_failure`` a chain with no usable answer
    raises :class:`SolverFailedError` (otherwise status is ``"solver_error"``).

    ``warm_start`` (CVXPY's flag): True reuses the solver object CVXPY kept on ``problem`` from
    its previous solve (Clarabel updates its data in place and keeps that solve's equilibration;
    SCS starts from that solution), so the answer can depend on what was solved before. A
    compiled problem shared across calls (a per-process cache) must pass False on each call's
    first solve: the call's numbers then depend only on its own data (same seed, same numbers,
    serial or parallel; measured: a CoMP-RSMA SCA block gave 5.1435969 in a fresh process and
    5.1435965 after solving another instance). False also drops the solver state CVXPY kept on
    ``problem``, so that the call's later warm-started solves never reach an earlier call's.
    """
    order = tuple(solvers) if solvers is not None else default_solver_order()
    solver_options = solver_options or {}
    kwargs.setdefault("verbose", os.environ.get("MATOOLBOX_VERBOSE") == "1")   # `matoolbox ... --verbose`
    kwargs["warm_start"] = bool(warm_start)
    if not warm_start:
        # CVXPY keeps the last solver state per problem (SCS: only after an optimal solve); drop
        # it, so that a later warm-started solve of this call cannot pick up an earlier call's
        cache = getattr(problem, "_solver_cache", None)
        if isinstance(cache, dict):
            cache.clear()
    attempts = []
    fallback = None  # (solver, values) of an optimal_inaccurate answer
    for name in order:
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():  # the status is recorded below; keep the library quiet
                warnings.filterwarnings("ignore", message="Solution may be inaccurate")
                problem.solve(solver=name, **{**kwargs, **solver_options.get(name, {})})
            status = problem.status
            err = None
        except Exception as exc:  # cvxpy SolverError, mosek.Error, numerical errors: recorded, next solver
            status, err = "solver_error", f"{type(exc).__name__}: {exc}"
        attempts.append({"solver": name, "status": status, "seconds": time.perf_counter() - t0,
                         **({"error": err} if err else {})})
        if status == OPTIMAL:
            return CvxResult(status, float(problem.value), name, attempts)
        if status in DEFINITIVE:
            return CvxResult(status.replace("_inaccurate", ""), float("nan"), name, attempts)
        if status == "optimal_inaccurate" and fallback is None:
            fallback = (name, [v.value for v in problem.variables()], problem.value)
    if fallback is not None:
        name, values, value = fallback
        for v, val in zip(problem.variables(), values):
            v.value = val
        return CvxResult("optimal_inaccurate", float(value), name, attempts)
    if raise_on_failure:
        raise SolverFailedError(f"all convex solvers failed: {[a['solver'] for a in attempts]}", attempts)
    return CvxResult("solver_error", float("nan"), None, attempts)


def solve_cached(key, build, set_values, solvers=None, *, problem=None, warm_start=False, solver_options=None):
    """:func:`solve_cvx`'s fallback chain over models compiled once per solver.

    CVXPY keeps one solving chain per problem: a problem solved by CLARABEL and then by SCS
    (the fallback after an inaccurate answer) is compiled again for each solver at every call.
    Here each solver of the chain gets its own copy, ``cached_model(key + (solver,), build)``;
    ``set_values(model)`` writes the Parameter values into a copy before it is solved and
    ``problem(model)`` gives its ``cvxpy.Problem`` (default: the model itself, or its first item
    when it is a tuple). The rules are :func:`solve_cvx`'s: the first optimal (or definitive)
    answer ends the chain; an inaccurate answer is kept in its copy and returned when no later
    solver does better. Returns ``(model, CvxResult)``: the copy whose variables hold the answer
    (None when every solver failed) and the result with every attempt.
    """
    order = tuple(solvers) if solvers is not None else default_solver_order()
    problem = problem or (lambda m: m[0] if isinstance(m, tuple) else m)
    attempts, fallback = [], None
    for name in order:
        model = cached_model(tuple(key) + (name,), build)
        set_values(model)
        res = solve_cvx(problem(model), (name,), solver_options=solver_options, warm_start=warm_start)
        attempts.extend(res.attempts)
        if res.status == OPTIMAL or res.status in DEFINITIVE:
            return model, CvxResult(res.status, res.value, res.solver, attempts)
        if res.status == "optimal_inaccurate" and fallback is None:
            fallback = (model, res)
    if fallback is not None:
        model, res = fallback
        return model, CvxResult("optimal_inaccurate", res.value, res.solver, attempts)
    return None, CvxResult("solver_error", float("nan"), None, attempts)
