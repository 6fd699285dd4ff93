"""ao_solve semantics: block failures, on_block_error, current-iterate history, argument checks."""
import dataclasses
import math

import numpy as np
import pytest

import matoolbox as ma
from matoolbox.core.validate import require_positive
from matoolbox.optim import AoMultistartOptions, ao_multistart, pga


@dataclasses.dataclass(frozen=True)
class Toy(ma.Problem):
    """max -(a-1)^2 - (b-2)^2 - (a-b)^2 s.t. a <= cap; optimum a = 4/3, b = 5/3 (cap large)."""
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
        return [("a", upd_a), ("b", upd_b)]


def upd_a(p, x, options=None, rng=None):
    return ma.Solution(x={"a": min((1 + x["b"]) / 2, p.cap)}, exitflag=1)


def upd_b(p, x, options=None, rng=None):
    return ma.Solution(x={"b": (2 + x["a"]) / 2}, exitflag=1)


def raising(p, x, options=None, rng=None):
    raise FloatingPointError("boom")


def minus3(p, x, options=None, rng=None):
    return ma.Solution(x=dict(x), exitflag=-3, message="solver crashed")


def nan_block(p, x, options=None, rng=None):
    return ma.Solution(x={"b": float("nan")}, exitflag=1)


def test_current_iterate_increases_and_reaches_the_optimum():
    sol = ma.ao_solve(Toy(), tol=1e-12, max_iter=200)
    cur = np.array(sol.output["history_current"])
    assert sol.exitflag == 1 and len(cur) == len(sol.history) == sol.nit
    assert np.all(np.diff(cur) >= -1e-12)                   # exact block maximisers: AO ascent
    assert cur[-1] > cur[0] + 10                            # it moved (start value -85)
    assert sol.x["a"] == pytest.approx(4 / 3, abs=1e-5) and sol.x["b"] == pytest.approx(5 / 3, abs=1e-5)


def test_a_block_that_does_nothing_is_visible_in_the_current_history():
    """A 'position block returns its input' breakage: the objective does not move."""
    def noop(p, x, options=None, rng=None):
        return ma.Solution(x={"a": x["a"]}, exitflag=1)

    sol = ma.ao_solve(Toy(), blocks=[("a", noop)], tol=1e-12, max_iter=5)
    assert np.ptp(sol.output["history_current"]) == 0
    assert sol.fval < -50                                   # far from the optimum -1/3


@pytest.mark.parametrize("bad", [raising, minus3, nan_block])
def test_a_failing_block_stops_the_run_with_minus_3(bad):
    sol = ma.ao_solve(Toy(), blocks=[("a", upd_a), ("b", bad)], max_iter=10)
    assert sol.exitflag == -3 and sol.nit == 1
    assert "'b'" in sol.message and "iteration 1" in sol.message
    if bad is raising:
        assert "FloatingPointError: boom" in sol.message
    if bad is minus3:
        assert "exitflag -3" in sol.message and "solver crashed" in sol.message
    assert sol.output["attempts"][0]["block"] == "b"
    # the best feasible iterate so far is returned: block "a" ran before the failure
    assert sol.x["a"] == pytest.approx(-2.0) and sol.x["b"] == -5.0
    assert math.isfinite(sol.fval) and sol.violation == 0
    assert all(np.isfinite(v) for v in sol.x.values())


def test_skip_goes_on_and_a_block_failing_every_iteration_caps_the_exitflag():
    sol = ma.ao_solve(Toy(), blocks=[("a", upd_a), ("b", raising)], max_iter=4, on_block_error="skip")
    assert sol.exitflag <= 0 and sol.nit >= 2
    assert "'b'" in sol.message and "every iteration" in sol.message
    assert len(sol.output["attempts"]) == sol.nit


def test_skip_with_a_block_failing_once_still_converges():
    calls = []

    def flaky(p, x, options=None, rng=None):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return upd_b(p, x)

    sol = ma.ao_solve(Toy(), blocks=[("a", upd_a), ("b", flaky)], tol=1e-12, max_iter=200,
                      on_block_error="skip")
    assert sol.exitflag == 1 and "failed in some iterations" in sol.message
    assert sol.x["b"] == pytest.approx(5 / 3, abs=1e-5)


def test_every_block_failing_in_skip_mode_is_minus_3():
    sol = ma.ao_solve(Toy(), blocks=[("a", raising)], max_iter=3, on_block_error="skip")
    assert sol.exitflag == -3 and "every block failed" in sol.message


def test_failure_from_an_infeasible_start_returns_finite_least_violating_point():
    sol = ma.ao_solve(Toy(cap=0.5), x0={"a": 3.0, "b": 0.0}, blocks=[("a", raising)], max_iter=3)
    assert sol.exitflag == -3 and "no feasible iterate" in sol.message and sol.violation > 0
    assert np.isfinite(sol.fval)


def test_invalid_problem_error_from_a_block_propagates():
    def invalid(p, x, options=None, rng=None):
        raise ma.InvalidProblemError("Toy.options.step = -1: must be > 0")

    with pytest.raises(ma.InvalidProblemError, match="step"):
        ma.ao_solve(Toy(), blocks=[("a", invalid)])


@pytest.mark.parametrize("kw, field", [
    ({"tol": -1.0}, "tol"), ({"tol": float("nan")}, "tol"), ({"tol": "1e-3"}, "tol"),
    ({"max_iter": 0}, "max_iter"), ({"max_iter": 2.5}, "max_iter"), ({"max_iter": True}, "max_iter"),
    ({"feas_tol": float("inf")}, "feas_tol"), ({"feas_tol": -1e-9}, "feas_tol"),
    ({"on_block_error": "ignore"}, "on_block_error"),
    ({"x0": {"a": float("nan"), "b": 0.0}}, "x0['a']"), ({"x0": [1.0, 2.0]}, "x0"),
    ({"x0": {"a": "1", "b": 0.0}}, "x0['a']"),
])
def test_bad_arguments_are_rejected_naming_them(kw, field):
    with pytest.raises(ma.InvalidProblemError) as e:
        ma.ao_solve(Toy(), **kw)
    assert field in str(e.value)


def test_x0_goes_through_the_problem_check_x():
    seen = []

    @dataclasses.dataclass(frozen=True)
    class Checked(Toy):
        def check_x(self, x, field="x0"):
            seen.append(field)
            return {"a": float(x["a"]), "b": float(x.get("b", 0.0))}

    sol = ma.ao_solve(Checked(), x0={"a": 1}, max_iter=2)
    assert seen == ["x0"] and sol.nit >= 1


def test_an_objective_that_raises_is_reported_not_propagated():
    @dataclasses.dataclass(frozen=True)
    class Fragile(Toy):
        def objective(self, x):
            if x["a"] > 4.0:
                raise OverflowError("math range error")
            return super().objective(x)

    sol = ma.ao_solve(Fragile(), x0={"a": 5.0, "b": 0.0}, max_iter=50, tol=1e-12)  # start point unscorable
    assert sol.exitflag == 1 and sol.output["attempts"][0]["block"] == "start point"
    assert sol.x["a"] == pytest.approx(4 / 3, abs=1e-5)

    def jump(p, x, options=None, rng=None):
        return ma.Solution(x={"a": 10.0}, exitflag=1)

    sol = ma.ao_solve(Fragile(), x0={"a": 1.0, "b": 1.0}, blocks=[("a", jump)], max_iter=5)
    assert sol.exitflag == -3 and "OverflowError" in sol.message and sol.x == {"a": 1.0, "b": 1.0}


# -- multistart over AO runs --------------------------------------------------------------------
def _c_block(problem, x0, *, options=None, rng=None):
    x = {**x0, "c": np.cos(np.asarray(x0["p"], float))}
    return ma.Solution(x=x, fval=problem.objective(x), exitflag=1)


def _p_block(problem, x0, *, options=None, rng=None):
    return pga(problem, x0, options={"block": "p", "max_iter": 3, "step0": 0.05})


@dataclasses.dataclass(frozen=True)
class _Wiggly(ma.Problem):
    """f(p, c) = sin(3p) + 0.3 p - (c - cos p)^2 on p in [-3, 3]: several local maxima in p;
    deterministic AO blocks (c closed form, 3 PGA steps on p), so every run is reproducible."""

    def objective(self, x):
        p = float(np.ravel(x["p"])[0])
        return float(np.sin(3 * p) + 0.3 * p - (float(np.ravel(x["c"])[0]) - np.cos(p)) ** 2)

    def gradient(self, block, x):
        p, c = float(np.ravel(x["p"])[0]), float(np.ravel(x["c"])[0])
        return np.array([3 * np.cos(3 * p) + 0.3 - 2 * (c - np.cos(p)) * np.sin(p)])

    def project(self, block, v):
        return np.clip(v, -3.0, 3.0)

    def violation(self, x):
        return float(max(0.0, abs(float(np.ravel(x["p"])[0])) - 3.0))

    def initial_point(self, rng=None):
        rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
        return {"p": rng.uniform(-3, 3, 1), "c": np.zeros(1)}

    def fpa_point(self):
        return {"p": np.zeros(1), "c": np.ones(1)}

    def ao_blocks(self):
        return [ma.Block("c", _c_block), ma.Block("p", _p_block)]

    def ao_defaults(self):
        return {"max_iter": 60, "tol": 1e-9}


def test_ao_multistart_beats_every_finished_independent_run_and_is_reproducible():
    prob = _Wiggly()
    opts = AoMultistartOptions(n_random=6, keep=3, screen_iters=2)
    user = {"p": np.array([-2.0]), "c": np.zeros(1)}
    sol = ao_multistart(prob, options=opts, rng=5, x0s=(user,))
    local = sol.output["local"]
    assert [e["start"] for e in local] == ["fpa"] + ["random"] * 6 + ["user"]
    # the starts are fpa_point(), then initial_point(rng) in order, then the user's
    g = np.random.default_rng(5)
    starts = [prob.fpa_point()] + [prob.initial_point(g) for _ in range(6)] + [user]
    for e, x0 in zip(local, starts):
        np.testing.assert_array_equal(e["x0"]["p"], x0["p"])
    finished = [i for i, e in enumerate(local) if e["finished"]]
    assert len(finished) == 3 and sum(e["finished"] for e in local) == 3
    for i in finished:                                    # independent full AO runs
        ref = ma.ao_solve(prob, starts[i], rng=0)
        assert sol.fval >= ref.fval - 1e-12
    assert sol.fval == max(e["fval"] for e in local)
    assert sol.fval > ma.ao_solve(prob, prob.fpa_point()).fval + 0.1   # the FPA start alone is worse
    assert local[sol.output["best_start"]]["fval"] == sol.fval and sol.exitflag == 1
    again = ao_multistart(prob, options=opts, rng=5, x0s=(user,))
    assert again.fval == sol.fval and np.array_equal(again.x["p"], sol.x["p"])


def test_ao_multistart_parallel_equals_serial_and_validates():
    prob = _Wiggly()
    opts = {"n_random": 3, "keep": 2, "fpa": False}
    a = ao_multistart(prob, options=opts, rng=2)
    b = ao_multistart(prob, options={**opts, "workers": 2}, rng=2)
    assert [e["fval"] for e in a.output["local"]] == [e["fval"] for e in b.output["local"]]
    assert a.fval == b.fval and a.output["workers"] == 1 and b.output["workers"] == 2
    with pytest.raises(ma.InvalidProblemError, match="keep"):
        AoMultistartOptions(keep=0)
    with pytest.raises(ma.InvalidProblemError, match="n_random"):
        ao_multistart(prob, options={"n_random": 0, "fpa": False})
