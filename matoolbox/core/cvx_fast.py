"""Re-solve a compiled DPP problem with Clarabel without CVXPY's per-solve assembly and unpacking.

A block that re-solves one small compiled problem thousands of times (the CoMP-RSMA SCA
precoder step, the full-duplex MM position step) spends most of each solve in CVXPY around the
solver: the problem data are assembled as SciPy sparse matrices from the parametrised program
(``ParamConeProg.apply_parameters``) and every variable and dual value is unpacked afterwards
(measured: 5.0 ms per CoMP-RSMA paper-model SCA solve, 1.6 ms of it in Clarabel). Here the same
data are formed from CVXPY's own cached map (the reduced parameter tensor, its CSC index arrays
and the cone dimensions) and handed to the same ``solve_via_data`` call with the problem's own
solver cache, and only the requested variables are read from the solver's ``x``.

The data are checked against CVXPY's own ``get_problem_data`` (bitwise: values, indices,
pointers) on the first two solves of every compiled problem, and the variable read-out against
CVXPY's unpacking of two probe vectors; when anything differs, or this CVXPY lacks an internal
this relies on, that problem goes through ``problem.solve`` from then on (:func:`solve_cvx`). So
the variables' values are the ones ``problem.solve(solver="CLARABEL")`` gives, only sooner. When
another solver has compiled the problem since, CVXPY would compile it again for Clarabel and start
a fresh solver; so does this. Other solvers for a problem of this path (the SCS fallback after a
failed direct solve, or an order led by SCS) run on a twin of the problem with its own
compilation, and the next direct solve starts a fresh Clarabel solver: CVXPY's numbers without
its two recompilations per switch. Variables CVXPY rebuilds without projecting (symmetric, PSD,
NSD, hermitian, diag, sparse) are not read here (fallback), nor is Clarabel's ``accept_unknown``
option. Differences that remain: the returned value is the objective at the
solver's x (c^T x + offset; CVXPY evaluates it after projecting nonneg variables, a difference of
the solver's tolerance), and the first direct solve of a problem leaves probe numbers in its
variables' ``.value`` (read the returned values).
"""
from __future__ import annotations

import time
import types
import warnings

import numpy as np

from .cvx import DEFINITIVE, OPTIMAL, CvxResult, default_solver_order, solve_cvx

__all__ = ["solve_read"]


class _Decline(Exception):
    """The direct path does not handle this problem (or variable): ``problem.solve`` from then on."""

_CHECKS = 2          # solves per compiled problem whose data are compared with CVXPY's
# variable attributes whose values CVXPY's unpacking rebuilds without projecting (recover_value_for_leaf)
_UNPROJECTED = {"diag", "symmetric", "PSD", "NSD", "hermitian", "sparsity"}


class _Fast:
    """The direct path of one compiled problem (built lazily, on its first CLARABEL solve)."""

    def __init__(self, problem):
        import cvxpy.settings as s
        from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import CLARABEL

        data, chain, inv = problem.get_problem_data("CLARABEL", solver_opts={})
        pp = data[s.PARAM_PROB]
        if (type(chain.solver) is not CLARABEL or not pp.total_param_size or pp.P is not None
                or getattr(pp, "lb_tensor", None) is not None or getattr(pp, "ub_tensor", None) is not None
                or pp.reduced_A.problem_data_index is None):
            raise _Decline("unsupported problem data")
        self.key = problem._cache.key           # CVXPY's compiled chain is CLARABEL's while this holds
        self.problem, self.chain, self.pp = problem, chain, pp
        self.n = int(pp.x.size)
        self.dims = data["dims"]
        self.m = int(data["A"].shape[0])
        self.sign = -1.0 if type(problem.objective).__name__ == "Maximize" else 1.0
        self.status_map = CLARABEL.STATUS_MAP
        self.checks = 0
        self.maps = {}
        self._inv = inv

    # -- data ------------------------------------------------------------------------------
    def data(self):
        """(A, b, c, offset) of the current Parameter values, as CVXPY forms them."""
        import scipy.sparse as sp
        from cvxpy.cvxcore.python import canonInterface

        pp = self.pp
        for reduction in self.chain.reductions:          # CVXPY's fast path (Complex2Real etc.)
            reduction.update_parameters(self.problem)
        pv = canonInterface.get_parameter_vector(pp.total_param_size, pp.param_id_to_col, pp.param_id_to_size,
                                                 lambda i: np.array(pp.id_to_param[i].value))
        qd = np.asarray(pp.q @ pv).ravel()
        flat = pp.reduced_A.reduced_mat @ pv
        indices, indptr, shape = pp.reduced_A.problem_data_index
        n = self.n
        k = int(indptr[n])
        A = sp.csc_array((-flat[:k], indices[:k], indptr[:n + 1]), shape=(shape[0], n))
        b = np.zeros(shape[0])
        np.add.at(b, indices[k:], flat[k:])
        return A, b, qd[:n], float(qd[n])

    def check(self, A, b, c, d):
        """True when (A, b, c, d) equal CVXPY's own data bitwise."""
        data, _, inv = self.problem.get_problem_data("CLARABEL", solver_opts={})
        A0 = data["A"]
        return (A0.shape == A.shape and np.array_equal(A0.indptr, A.indptr) and np.array_equal(A0.indices, A.indices)
                and np.array_equal(A0.data, A.data) and np.array_equal(np.asarray(data["b"]), b)
                and np.array_equal(np.asarray(data["c"]), c) and float(inv[-1]["offset"]) == d)

    # -- read-out ---------------------------------------------------------------------------
    def read_map(self, var):
        """Index arrays (re, im) with var = x[re] (+ 1j x[im]), from CVXPY's unpacking of probes."""
        if var.id in self.maps:
            return self.maps[var.id]
        attrs = {k for k, v in var.attributes.items() if v is not None and v is not False}
        if attrs & _UNPROJECTED:     # CVXPY rebuilds these from a triangle / sparse pattern, unprojected
            raise _Decline(f"variable {var.name()} has attributes {sorted(attrs & _UNPROJECTED)}")
        project = bool(attrs - {"complex", "imag"})
        x = np.random.default_rng(0).standard_normal(self.n)
        vals = []
        for probe_x in (np.arange(1.0, self.n + 1.0), x):
            fake = types.SimpleNamespace(x=probe_x, z=np.zeros(self.m), s=np.zeros(self.m), status="Solved",
                                         obj_val=0.0, solve_time=0.0, iterations=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.problem.unpack_results(fake, self.chain, self._inv)
            vals.append(np.array(var.value, dtype=complex if var.is_complex() else float, copy=True))
        probe, check = vals
        re = np.rint(probe.real).astype(int) - 1
        im = np.rint(probe.imag).astype(int) - 1 if var.is_complex() else None
        ok = np.array_equal(probe.real, re + 1.0) and re.min() >= 0
        if im is not None:
            ok = ok and np.array_equal(probe.imag, im + 1.0) and im.min() >= 0
        ok = ok and np.array_equal(check, self._value(var, x, re, im, project))
        if not ok:
            raise _Decline(f"variable {var.name()} is not a selection of the solver's x")
        self.maps[var.id] = (re, im, project)
        return self.maps[var.id]

    @staticmethod
    def _value(var, x, re, im, project):
        """The variable's value at the solver's x: a selection, projected onto the variable's
        attribute set (``nonneg`` ...) as CVXPY's unpacking does."""
        v = x[re] if im is None else x[re] + 1j * x[im]
        return var.project(v) if project else v

    def solve(self, variables, warm_start, verbose, solver_opts):
        """(status, value, values) of one Clarabel solve. _Decline: this problem is not
        for the direct path (the caller falls back to ``problem.solve``); any other exception
        comes from the solver call itself."""
        try:
            if "accept_unknown" in solver_opts:
                raise _Decline("accept_unknown changes CVXPY's status map")
            A, b, c, d = self.data()
            if self.checks < _CHECKS:
                if not self.check(A, b, c, d):
                    raise _Decline("data differ from CVXPY's")
                self.checks += 1
            maps = [self.read_map(v) for v in variables]
        except _Decline:
            raise
        except Exception as exc:       # an internal this CVXPY lacks or lays out otherwise
            raise _Decline(f"{type(exc).__name__}: {exc}") from exc
        problem = self.problem
        if not warm_start:
            problem._solver_cache.clear()
        sol = self.chain.solver.solve_via_data({"A": A, "b": b, "c": c, "dims": self.dims}, warm_start, verbose,
                                               solver_opts, solver_cache=problem._solver_cache)
        status = self.status_map.get(str(sol.status), "solver_error")
        if status not in (OPTIMAL, "optimal_inaccurate") or sol.x is None:
            return status, float("nan"), f"Clarabel status {sol.status}"
        x = np.asarray(sol.x, float)
        values = [self._value(v, x, *m) for v, m in zip(variables, maps)]
        return status, self.sign * (float(c @ x) + d), values     # the objective at x, as CVXPY evaluates it


def solve_read(problem, variables, solvers=None, *, solver_options=None, warm_start=True):
    """Solve ``problem`` and return ``(CvxResult, values)``: the values of ``variables`` (a list of
    ``cvxpy.Variable``) at the answer, or None without a usable answer.

    The first solver of the order, when it is CLARABEL, runs through the direct path (module
    docstring): the variables' ``.value`` and ``problem.value`` are then *not* updated, the
    returned values are the answer. Any other solver, a failed Clarabel solve and every problem the
    direct path does not support go through :func:`solve_cvx` (same fallback rules), on the
    problem's twin for a problem of the direct path (module docstring).
    """
    import os

    order = tuple(solvers) if solvers is not None else default_solver_order()
    solver_options = solver_options or {}
    fast = getattr(problem, "_matoolbox_fast", None)
    if order and order[0] == "CLARABEL" and fast is not False:
        t0 = time.perf_counter()
        try:
            if fast is not None and problem._cache.key != fast.key:
                fast = None        # another solver compiled the problem since: CVXPY would recompile
            if fast is None:       # (and start a fresh solver cache), so does this
                try:
                    fast = problem._matoolbox_fast = _Fast(problem)
                except _Decline:
                    raise
                except Exception as exc:
                    raise _Decline(f"{type(exc).__name__}: {exc}") from exc
            if getattr(problem, "_matoolbox_twin_last", False):
                # the twin solved last: CVXPY would have compiled this problem for Clarabel again,
                # starting a fresh solver; so does this
                problem._solver_cache.clear()
                problem._matoolbox_twin_last = False
            status, value, values = fast.solve(variables, bool(warm_start),
                                               os.environ.get("MATOOLBOX_VERBOSE") == "1",
                                               solver_options.get("CLARABEL", {}))
        except _Decline:
            problem._matoolbox_fast = False
        except Exception as exc:      # a solver crash: recorded as solve_cvx records it, next solver
            attempt = {"solver": "CLARABEL", "status": "solver_error", "seconds": time.perf_counter() - t0,
                       "error": f"{type(exc).__name__}: {exc}"}
            rest = _on_twin(problem, order[1:], solver_options, False) \
                if len(order) > 1 else CvxResult("solver_error", float("nan"), None, [])
            rest.attempts[:0] = [attempt]
            return rest, _values(rest, variables)
        else:
            attempt = {"solver": "CLARABEL", "status": status, "seconds": time.perf_counter() - t0}
            if isinstance(values, str):                 # no usable answer: the solver's status text
                attempt["error"], values = values, None
            if status == OPTIMAL or (status == "optimal_inaccurate" and len(order) == 1):
                return CvxResult(status, value, "CLARABEL", [attempt]), values
            if status in DEFINITIVE:
                return CvxResult(status.replace("_inaccurate", ""), float("nan"), "CLARABEL", [attempt]), None
            if len(order) > 1:
                rest = _on_twin(problem, order[1:], solver_options, False)
                rest.attempts[:0] = [attempt]
                if rest.status not in (OPTIMAL, "infeasible", "unbounded") and status == "optimal_inaccurate":
                    return CvxResult(status, value, "CLARABEL", rest.attempts), values
                return rest, _values(rest, variables)
            return CvxResult("solver_error", float("nan"), None, [attempt]), None
    if isinstance(fast, _Fast) and order and problem._cache.key == fast.key:
        # a problem of the direct path, now for another solver first (the SCA block keeps SCS
        # after a Clarabel failure): on the twin, so that this problem keeps its compilation
        res = _on_twin(problem, order, solver_options, warm_start)
        return res, _values(res, variables)
    res = solve_cvx(problem, order, solver_options=solver_options, warm_start=warm_start)
    return res, _values(res, variables)


def _on_twin(problem, order, solver_options, warm_start):
    """:func:`solve_cvx` on a twin of ``problem`` (the same objective and constraints, so the same
    Variables and Parameters, with its own compiled chains): the solvers after a failed direct
    Clarabel solve, or a solver order not led by Clarabel, for a problem of the direct path.
    ``problem.solve`` would compile ``problem`` for that solver, and its next direct solve would
    compile it for Clarabel again (0.10-0.24 s each on a paper-model CoMP-RSMA SCA subproblem;
    three SCS episodes in six ``fig3_power --quick`` paper-model trials cost 0.95 s of
    compilation); the twin keeps its compilation and ``problem`` keeps Clarabel's. Same numbers
    as those recompilations, which start fresh solvers: the twin's solver is dropped unless the
    twin also solved last (then ``warm_start`` applies, as on one problem compiled once), and the
    next direct solve starts a fresh Clarabel solver (``_matoolbox_twin_last``)."""
    import cvxpy as cp

    twin = getattr(problem, "_matoolbox_twin", None)
    if twin is None:
        twin = problem._matoolbox_twin = cp.Problem(problem.objective, problem.constraints)
    warm = bool(warm_start) and getattr(problem, "_matoolbox_twin_last", False)
    problem._matoolbox_twin_last = True
    return solve_cvx(twin, order, solver_options=solver_options, warm_start=warm)


def _values(res, variables):
    if not res.usable or any(v.value is None for v in variables):
        return None
    return [np.asarray(v.value) for v in variables]
