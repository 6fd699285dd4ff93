"""Core contracts: Solution struct, errors, rng, gradient checker, CVXPY fallback, AO driver."""
import dataclasses
import math
import warnings

import cvxpy as cp
import numpy as np
import pytest
import scipy.io

import matoolbox as ma
from matoolbox.core import cvx
from matoolbox.core.validate import require_positive


def _sol():
    return ma.Solution(x={"positions": np.arange(6.0).reshape(3, 2),
                          "precoders": np.array([[1 + 2j, -0.5j]]),
                          "selection": np.array([0, 4, 7])},
                       fval=3.25, exitflag=1, message="ok", nit=4, history=[1.0, 2.0, 3.25],
                       violation=0.0, elapsed=0.1, solver="test",
                       output={"attempts": [{"solver": "CLARABEL", "status": "optimal"}], "bound": 3.5})


def test_solution_fields_defaults_and_repr():
    s = ma.Solution()
    for k in ("x", "fval", "exitflag", "message", "nit", "history", "violation", "elapsed", "solver", "output"):
        assert k in s
    assert s.exitflag == -3 and not s.success
    text = repr(_sol())
    assert text.index("solver") < text.index("fval") < text.index("exitflag") < text.index("output")
    assert "converged" in text


def test_solution_json_round_trip(tmp_path):
    s = _sol()
    t = ma.Solution.from_json(s.to_json(tmp_path / "s.json"))
    assert t.fval == s.fval and t.exitflag == 1 and t.history == s.history
    for k, v in s.x.items():
        assert t.x[k].dtype == v.dtype and np.array_equal(t.x[k], v)
    assert t.output == s.output
    # non-finite floats survive too
    u = ma.Solution.from_json(ma.Solution(fval=-math.inf).to_json(tmp_path / "u.json"))
    assert u.fval == -math.inf


def test_solution_mat_round_trip(tmp_path):
    s = _sol()
    m = scipy.io.loadmat(s.to_mat(tmp_path / "s.mat"), squeeze_me=True, simplify_cells=True)["sol"]
    assert m["fval"] == pytest.approx(3.25)
    np.testing.assert_array_equal(m["x"]["positions"], s.x["positions"])
    np.testing.assert_array_equal(np.atleast_2d(m["x"]["precoders"]), s.x["precoders"])
    np.testing.assert_array_equal(m["history"], s.history)


def test_validation_message_names_field_and_value():
    with pytest.raises(ma.InvalidProblemError, match=r"P\.power = -1.*positive"):
        require_positive("P", "power", -1)
    with pytest.raises(ma.InvalidProblemError, match=r"P\.power = nan.*finite"):
        require_positive("P", "power", float("nan"))
    assert issubclass(ma.InvalidProblemError, ma.MatoolboxError)


def test_spawned_streams_are_reproducible_and_independent():
    a = [g.standard_normal(3) for g in ma.spawn_generators(7, 4)]
    b = [g.standard_normal(3) for g in ma.spawn_generators(7, 4)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.allclose(a[0], a[1])
    # the i-th stream does not depend on how many are spawned
    c = ma.spawn_generators(7, 2)[1].standard_normal(3)
    assert np.array_equal(c, a[1])
    g = np.random.default_rng(1)
    assert ma.as_generator(g) is g
    assert np.array_equal(ma.as_generator(3).random(2), np.random.default_rng(3).random(2))


def test_check_gradient_real_complex_and_dict(rng):
    A = rng.standard_normal((4, 4))
    A = A + A.T
    f = lambda x: float(x @ A @ x + np.sin(x).sum())
    g = lambda x: 2 * A @ x + np.cos(x)
    x = rng.standard_normal(4)
    assert ma.check_gradient(f, g, x, rng=0).ok
    assert not ma.check_gradient(f, lambda x: 2 * A @ x, x, rng=0).ok  # wrong gradient detected
    h = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    fz = lambda z: float(np.log1p(np.abs(h.conj() @ z) ** 2))
    gz = lambda z: 2 * h * (h.conj() @ z) / (1 + np.abs(h.conj() @ z) ** 2)
    z = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    r = ma.check_gradient(fz, gz, z, rng=1)
    assert r.ok and r.rel_error < 1e-7
    assert not ma.check_gradient(fz, lambda z: gz(z).conj(), z, rng=1).ok
    fd = lambda x: fz(x["w"]) + float(np.sum(x["r"] ** 2))
    gd = lambda x: {"w": gz(x["w"]), "r": 2 * x["r"]}
    assert ma.check_gradient(fd, gd, {"w": z, "r": np.ones(2)}, rng=2).ok


def _lp():
    x = cp.Variable(2)
    return cp.Problem(cp.Maximize(cp.sum(x)), [x >= 0, x <= 1]), x


def test_cvx_solves_and_records_attempt():
    prob, x = _lp()
    res = cvx.solve_cvx(prob)
    assert res.ok and res.value == pytest.approx(2.0, abs=1e-6)
    assert res.attempts[-1]["status"] == "optimal" and res.solver in cvx.default_solver_order()


def test_cvx_forced_failure_falls_through_and_is_recorded(monkeypatch):
    prob, x = _lp()
    real_solve = cp.Problem.solve

    def flaky(self, *a, solver=None, **kw):
        if solver == "CLARABEL":
            raise cp.error.SolverError("forced failure")
        return real_solve(self, *a, solver=solver, **kw)

    monkeypatch.setattr(cp.Problem, "solve", flaky)
    res = cvx.solve_cvx(prob, solvers=["CLARABEL", "SCS"])
    assert [a["solver"] for a in res.attempts] == ["CLARABEL", "SCS"]
    assert res.attempts[0]["status"] == "solver_error" and "forced failure" in res.attempts[0]["error"]
    assert res.solver == "SCS" and res.usable and res.value == pytest.approx(2.0, abs=1e-3)


def test_cvx_inaccurate_is_not_taken_as_optimal(monkeypatch):
    prob, x = _lp()
    real_solve = cp.Problem.solve

    def inaccurate(self, *a, solver=None, **kw):
        out = real_solve(self, *a, solver="CLARABEL", **kw)
        if solver == "CLARABEL":
            self._status = "optimal_inaccurate"
        return out

    monkeypatch.setattr(cp.Problem, "solve", inaccurate)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the helper itself stays quiet
        res = cvx.solve_cvx(prob, solvers=["CLARABEL", "SCS"])
    assert [a["status"] for a in res.attempts] == ["optimal_inaccurate", "optimal"]
    assert res.ok and res.solver == "SCS"


def test_cvx_all_fail_and_infeasible():
    prob, x = _lp()
    res = cvx.solve_cvx(prob, solvers=["NOT_A_SOLVER"])
    assert res.status == "solver_error" and not res.usable and "error" in res.attempts[0]
    with pytest.raises(ma.SolverFailedError):
        cvx.solve_cvx(prob, solvers=["NOT_A_SOLVER"], raise_on_failure=True)
    y = cp.Variable()
    res = cvx.solve_cvx(cp.Problem(cp.Minimize(y), [y >= 1, y <= 0]))
    assert res.status == "infeasible" and len(res.attempts) == 1


def test_mosek_probe_is_cached_bool():
    assert cvx.mosek_licensed() in (True, False)
    assert cvx.mosek_licensed.cache_info().currsize == 1


# --- AO driver on a toy two-block problem: max -(a-1)^2 - (b-2)^2 - (a-b)^2, s.t. a <= cap ----------
@dataclasses.dataclass(frozen=True)
class _Toy(ma.Problem):
    cap: float = 10.0

    def validate(self):
        require_positive("Toy", "cap", self.cap)

    def objective(self, x):
        a, b = x["a"], x["b"]
        return float(-(a - 1) ** 2 - (b - 2) ** 2 - (a - b) ** 2)

    def violation(self, x):
        return max(0.0, float(x["a"]) - self.cap)

    def initial_point(self, rng):
        return {"a": 5.0, "b": -5.0}

    def ao_blocks(self):
        def upd_a(p, x, options=None, rng=None):
            return ma.Solution(x={"a": min((1 + x["b"]) / 2, p.cap)}, exitflag=1)

        def upd_b(p, x, options=None, rng=None):
            return ma.Solution(x={"b": (2 + x["a"]) / 2}, exitflag=1)

        return [("a", upd_a), ("b", upd_b)]


def test_ao_solve_converges_monotonically_to_the_optimum():
    sol = ma.ao_solve(_Toy(), tol=1e-12, max_iter=200)
    assert sol.exitflag == 1 and sol.violation == 0
    assert sol.x["a"] == pytest.approx(4 / 3, abs=1e-5) and sol.x["b"] == pytest.approx(5 / 3, abs=1e-5)
    assert np.all(np.diff(sol.output["history_current"]) >= -1e-12)   # the current iterate, not best-so-far


def test_ao_solve_infeasible_start_and_failing_block():
    sol = ma.ao_solve(_Toy(cap=0.5), x0={"a": 3.0, "b": 0.0}, max_iter=5)
    assert sol.exitflag in (0, 1) and sol.violation == 0 and sol.x["a"] <= 0.5

    def broken(p, x, options=None, rng=None):
        raise FloatingPointError("boom")

    sol = ma.ao_solve(_Toy(cap=0.5), x0={"a": 3.0, "b": 0.0}, blocks=[("a", broken)], max_iter=3)
    assert sol.exitflag == -3 and sol.violation > 0 and sol.output["attempts"][0]["block"] == "a"
    assert "'a'" in sol.message and "boom" in sol.message
    assert np.isfinite(sol.fval)
    with pytest.raises(ma.InvalidProblemError, match="cap"):
        _Toy(cap=-1.0)


def test_base_problem_without_blocks_says_what_to_do():
    @dataclasses.dataclass(frozen=True)
    class Bare(ma.Problem):
        pass

    with pytest.raises(ma.MatoolboxError, match="blocks="):
        ma.ao_solve(Bare(), x0={"a": 1.0})
    with pytest.raises(ma.MatoolboxError, match="objective"):
        Bare().objective({})
