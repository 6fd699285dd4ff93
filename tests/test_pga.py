"""Generic PGA on small problems defined here (concave quadratics on a box, any block shape)."""
import numpy as np
import pytest

from matoolbox import InvalidProblemError, Solution
from matoolbox.optim.pga import PgaOptions, pga


class BoxQuadratic:
    """f(x) = -0.5 (v-c)^T Q (v-c) on the box [lo, hi] (v = x[block] flattened), plus a fixed block."""

    def __init__(self, Q, c, lo, hi, shape, block="positions", cap=None):
        self.Q, self.c, self.lo, self.hi, self.shape, self.block = Q, c, lo, hi, shape, block
        self.cap = cap  # optional extra constraint sum(v) <= cap, reported by violation()

    def objective(self, x):
        r = np.ravel(x[self.block]) - self.c
        return float(-0.5 * r @ self.Q @ r) + 0.0 * float(np.sum(x["other"]))

    def gradient(self, block, x):
        assert block == self.block
        r = np.ravel(x[block]) - self.c
        return (-(self.Q @ r)).reshape(self.shape)

    def project(self, block, value):
        return np.clip(value, self.lo.reshape(self.shape), self.hi.reshape(self.shape))

    def bounds(self, block):
        return self.lo.reshape(self.shape), self.hi.reshape(self.shape)

    def violation(self, x):
        v = np.ravel(x[self.block])
        box = max(0.0, float(np.max(self.lo - v)), float(np.max(v - self.hi)))
        extra = 0.0 if self.cap is None else max(0.0, float(v.sum() - self.cap))
        return max(box, extra)


def _qp_box_solution(Q, c, lo, hi):
    """Reference: the box-constrained concave QP solved by scipy (L-BFGS-B on the negation)."""
    from scipy.optimize import minimize

    res = minimize(lambda v: 0.5 * (v - c) @ Q @ (v - c), x0=np.clip(np.zeros_like(c), lo, hi),
                   jac=lambda v: Q @ (v - c), bounds=list(zip(lo, hi)), method="L-BFGS-B",
                   options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000})
    return res.x


@pytest.mark.parametrize("shape", [(6,), (3, 2)])
def test_pga_box_quadratic_reaches_qp_optimum(shape, rng):
    n = int(np.prod(shape))
    B = rng.standard_normal((n, n))
    Q = B @ B.T + 0.5 * np.eye(n)
    c = 2.0 * rng.standard_normal(n)          # unconstrained optimum, partly outside the box
    lo, hi = -np.ones(n), np.ones(n)
    prob = BoxQuadratic(Q, c, lo, hi, shape)
    x0 = {"positions": np.zeros(shape), "other": np.arange(3.0)}
    sol = pga(prob, x0, options=PgaOptions(max_iter=5000, tol=1e-14, xtol=1e-13))
    assert isinstance(sol, Solution) and sol.solver == "pga"
    assert sol.exitflag == 1
    assert sol.x["positions"].shape == shape
    np.testing.assert_array_equal(sol.x["other"], np.arange(3.0))     # other blocks untouched
    ref = _qp_box_solution(Q, c, lo, hi)
    f_ref = -0.5 * (ref - c) @ Q @ (ref - c)
    assert sol.fval >= f_ref - 1e-7
    np.testing.assert_allclose(np.ravel(sol.x["positions"]), ref, atol=1e-4)
    h = np.asarray(sol.history)
    assert np.all(np.diff(h) > 0)                                       # strictly increasing
    assert sol.violation == 0.0
    assert sol.history[0] == pytest.approx(prob.objective(x0))


def test_pga_unconstrained_interior_optimum_and_stationary_start(rng):
    n = 4
    Q = np.diag([1.0, 2.0, 3.0, 4.0])
    c = np.array([0.1, -0.2, 0.3, -0.4])
    prob = BoxQuadratic(Q, c, -np.ones(n), np.ones(n), (n,))
    sol = pga(prob, {"positions": np.zeros(n), "other": 0.0}, options={"tol": 1e-15, "max_iter": 2000})
    np.testing.assert_allclose(sol.x["positions"], c, atol=1e-6)
    # starting at the optimum: no step, exitflag 1, x unchanged
    sol2 = pga(prob, {"positions": c.copy(), "other": 0.0})
    assert sol2.exitflag == 1 and sol2.nit == 0
    np.testing.assert_array_equal(sol2.x["positions"], c)


def test_pga_respects_violation_limit_and_limits(rng):
    n = 3
    Q = np.eye(n)
    c = np.array([5.0, 5.0, 5.0])
    prob = BoxQuadratic(Q, c, -np.ones(n) * 10, np.ones(n) * 10, (n,), cap=1.0)
    x0 = {"positions": np.zeros(n), "other": 0.0}
    sol = pga(prob, x0)
    # the extra constraint sum(v) <= 1 is not in the projection: every accepted step must keep it
    assert np.sum(sol.x["positions"]) <= 1.0 + 1e-9
    assert sol.fval > prob.objective(x0)
    assert sol.violation <= 1e-9
    # iteration limit -> exitflag 0
    prob2 = BoxQuadratic(np.diag([1.0, 1e-3, 1.0]), c, -10 * np.ones(n), 10 * np.ones(n), (n,))
    sol3 = pga(prob2, x0, options=PgaOptions(max_iter=2, step0=0.1, tol=0.0))
    assert sol3.exitflag == 0 and sol3.nit == 2 and len(sol3.history) == 3


def test_pga_multistart_never_worse_than_x0(rng):
    # a two-peak objective on [-2, 2]: f = -(v^2-1)^2 + 0.3 v, better peak at v ~ +1
    class TwoPeaks(BoxQuadratic):
        def objective(self, x):
            v = float(np.ravel(x["positions"])[0])
            return -(v * v - 1.0) ** 2 + 0.3 * v

        def gradient(self, block, x):
            v = float(np.ravel(x["positions"])[0])
            return np.array([-4.0 * v * (v * v - 1.0) + 0.3])

    prob = TwoPeaks(np.eye(1), np.zeros(1), -2 * np.ones(1), 2 * np.ones(1), (1,))
    x0 = {"positions": np.array([-1.2]), "other": 0.0}
    single = pga(prob, x0, options={"step0": 0.05})
    assert single.x["positions"][0] < 0                      # stuck in the left peak
    multi = pga(prob, x0, options={"step0": 0.05, "starts": (np.array([0.5]),), "restarts": 3}, rng=1)
    assert multi.x["positions"][0] > 0 and multi.fval > single.fval
    assert len(multi.output["start_fvals"]) == 5
    assert multi.output["start_fvals"][0] == pytest.approx(single.fval)
    again = pga(prob, x0, options={"step0": 0.05, "starts": (np.array([0.5]),), "restarts": 3}, rng=1)
    assert again.fval == multi.fval                             # seeded


def test_pga_bad_options_and_missing_block():
    prob = BoxQuadratic(np.eye(2), np.zeros(2), -np.ones(2), np.ones(2), (2,))
    with pytest.raises(InvalidProblemError, match="shrink"):
        PgaOptions(shrink=1.5)
    with pytest.raises(InvalidProblemError, match="max_iter"):
        pga(prob, {"positions": np.zeros(2), "other": 0}, options={"max_iter": 0})
    with pytest.raises(InvalidProblemError, match="block"):
        pga(prob, {"other": 0.0})


def test_pga_package_attribute_is_callable():
    import matoolbox.solvers as S

    prob = BoxQuadratic(np.eye(2), np.array([0.3, 0.4]), -np.ones(2), np.ones(2), (2,))
    sol = S.pga(prob, {"positions": np.zeros(2), "other": 0.0}, options={"tol": 1e-14})
    np.testing.assert_allclose(sol.x["positions"], [0.3, 0.4], atol=1e-6)
    assert S.PgaOptions is PgaOptions
    import matoolbox.optim.pga  # noqa: F401  (importing the submodule must not shadow the function)

    assert callable(S.pga) and S.pga.__name__ == "pga"


def test_pga_restarts_draw_from_random_feasible_when_the_problem_has_it():
    # the old rule (uniform in bounds) is kept without random_feasible: see the test above;
    # with it, every restart value comes from problem.random_feasible(block, rng)
    drawn = []

    class Drawing(BoxQuadratic):
        def random_feasible(self, block, rng):
            v = np.array([rng.choice([0.9, 0.95])])     # a sampler the box rule would never mimic
            drawn.append(v)
            return v

        def bounds(self, block):
            raise AssertionError("bounds() must not be used when random_feasible exists")

    prob = Drawing(np.eye(1), np.array([0.95]), -2 * np.ones(1), 2 * np.ones(1), (1,))
    x0 = {"positions": np.array([-2.0]), "other": 0.0}
    sol = pga(prob, x0, options={"restarts": 4, "max_iter": 1, "step0": 1e-3}, rng=0)
    assert len(drawn) == 4 and len(sol.output["start_fvals"]) == 5
    for v, f in zip(drawn, sol.output["start_fvals"][1:]):         # one short run from each draw
        assert f >= prob.objective({"positions": v, "other": 0.0}) - 1e-15
    assert sol.output["best_start"] >= 1 and sol.fval > -1e-3


class _MaxMin:
    """min(f1, f2) with f1 = x1 + 2 x0, f2 = x1 - 2 x0 on [-1, 1]^2 (optimum (0, 1), value 1).

    ``gradient`` is the gradient of the active piece (first on ties): at x0 = 0 every step along
    it lowers the min, so plain PGA cannot move. The softmin surrogate -(1/t) log sum exp(-t f_k)
    has gradient (0, 1) on the ridge and climbs.
    """

    t = 20.0

    def _f(self, x):
        v = np.asarray(x["positions"], float)
        return np.array([v[1] + 2 * v[0], v[1] - 2 * v[0]]), np.array([[2.0, 1.0], [-2.0, 1.0]])

    def objective(self, x):
        return float(self._f(x)[0].min())

    def gradient(self, block, x):
        f, J = self._f(x)
        return J[int(np.argmin(f))]

    def surrogate(self, x, name):
        assert name == "softmin"
        f = self._f(x)[0]
        m = f.min()
        return float(m - np.log(np.sum(np.exp(-self.t * (f - m)))) / self.t)

    def surrogate_gradient(self, block, x, name):
        f, J = self._f(x)
        p = np.exp(-self.t * (f - f.min()))
        return (p / p.sum()) @ J

    def project(self, block, value):
        return np.clip(value, -1.0, 1.0)

    def violation(self, x):
        return float(np.max(np.maximum(np.abs(np.asarray(x["positions"])) - 1.0, 0.0)))


def test_pga_surrogate_climbs_where_the_true_gradient_is_useless():
    prob, x0 = _MaxMin(), {"positions": np.array([0.0, -1.0])}
    plain = pga(prob, x0)
    assert plain.fval == pytest.approx(-1.0) and plain.nit == 0       # stuck at the kink
    sol = pga(prob, x0, options={"surrogate": "softmin", "tol": 1e-12})
    assert sol.fval >= 0.999 and sol.output["surrogate"] == "softmin"
    np.testing.assert_allclose(sol.x["positions"], [0.0, 1.0], atol=1e-3)
    assert np.all(np.diff(sol.history) >= 0)                          # the TRUE objective
    assert sol.fval == pytest.approx(prob.objective(sol.x))
    with pytest.raises(InvalidProblemError, match="PgaOptions.surrogate"):
        PgaOptions(surrogate="")


def test_pga_surrogate_steps_that_lower_the_true_objective_are_refused():
    class Misleading(_MaxMin):
        def surrogate(self, x, name):                     # climbs towards x1 = -1: true f falls
            return -float(np.asarray(x["positions"])[1])

        def surrogate_gradient(self, block, x, name):
            return np.array([0.0, -1.0])

    prob, x0 = Misleading(), {"positions": np.array([0.0, 0.5])}
    sol = pga(prob, x0, options={"surrogate": "softmin"})
    np.testing.assert_array_equal(sol.x["positions"], x0["positions"])
    assert sol.fval == pytest.approx(0.5) and sol.history == [pytest.approx(0.5)]
