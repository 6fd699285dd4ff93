"""ContractProblem: GML for problems with the shared objective/gradient/project contract."""
import numpy as np
import pytest

from matoolbox import check_gradient
from matoolbox.gml import ContractProblem, GmlOptions, check_interface, gml_solve
from matoolbox.problems import FullDuplexProblem, UplinkTwoTimescaleProblem


class BoxQuadratic:
    """max -||x - a||^2 over the box [0, 1]^n (optimum clip(a))."""

    def __init__(self, a):
        self.a = np.asarray(a, float)

    def objective(self, x):
        return float(-np.sum((x["positions"] - self.a) ** 2))

    def gradient(self, block, x):
        return -2 * (x["positions"] - self.a)

    def project(self, block, v):
        return np.clip(v, 0, 1)

    def violation(self, x):
        return float(max(0.0, np.max(-x["positions"]), np.max(x["positions"] - 1)))

    def initial_point(self, rng=None):
        return {"positions": np.full(self.a.size, 0.5)}


def test_box_quadratic_reaches_the_projected_optimum():
    prob = BoxQuadratic([0.2, 1.4, -0.3, 0.7])
    ad = ContractProblem(prob, hidden=32, lr=1e-2)
    check_interface(ad)
    sol = gml_solve(ad, GmlOptions(n_outer=400), rng=0)
    opt = -float(np.sum((np.clip(prob.a, 0, 1) - prob.a) ** 2))
    assert sol.exitflag == 1 and prob.violation(sol.x) == 0.0
    assert opt - 1e-3 <= sol.fval <= opt + 1e-12
    np.testing.assert_allclose(sol.x["positions"], np.clip(prob.a, 0, 1), atol=0.03)


def test_meta_loss_gradient_exact_inside_the_feasible_set():
    p = UplinkTwoTimescaleProblem.random(seed=1)
    ad = ContractProblem(p)
    z0 = ad.gml_init(np.random.default_rng(0), GmlOptions())
    z = {"positions": z0["positions"] + 0.05 + 0.1 * np.arange(p.M) / p.M}   # strictly interior
    assert p.violation(ad.gml_finalize(z, GmlOptions())) == 0.0
    f = lambda v: ad.gml_meta_loss({"positions": v}, GmlOptions())["loss"]          # noqa: E731
    g = lambda v: ad.gml_meta_loss({"positions": v}, GmlOptions())["grads"]["positions"]  # noqa: E731
    chk = check_gradient(f, g, z["positions"], rng=0, steps=np.logspace(-4, -7, 7), rtol=1e-6)
    assert chk.rel_error <= 1e-6, chk


def test_uplink_and_full_duplex_improve_on_their_start():
    p = UplinkTwoTimescaleProblem.random(seed=0)
    sol = gml_solve(ContractProblem(p), GmlOptions(n_outer=200), rng=0)
    assert sol.exitflag == 1 and p.violation(sol.x) <= 1e-9
    assert sol.fval > p.objective(p.initial_point()) + 0.5
    fd = FullDuplexProblem.random(seed=0)
    ad = ContractProblem(fd, blocks=("positions_tx", "positions_rx"))
    sol = gml_solve(ad, GmlOptions(n_outer=100), rng=0)
    assert sol.exitflag == 1 and fd.violation(sol.x) <= 1e-6
    assert sol.fval >= sol.output["start_value"] and sol.fval == pytest.approx(fd.objective(sol.x))
