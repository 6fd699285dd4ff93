"""Projection onto the minimum-spacing set F (uplink spec §6, checks §12.8)."""
import numpy as np
import pytest

from matoolbox import InvalidProblemError
from matoolbox.solvers import project_min_spacing
from matoolbox.optim.projection import isotonic_increasing, spacing_violation

TABLE = [
    ((0.5, 0.5), 1.0, 10.0, (0.0, 1.0), (0.5, 1.5)),
    ((3.0, 1.0, 2.0, -1.0), 0.5, 4.0, (0.5, 1.0, 1.5, 2.0), (2.5, 3.0, 3.5, 4.0)),
    ((-0.2, 0.1, 0.2, 5.9, 6.3), 0.5, 6.0, (0.0, 0.5, 1.0, 5.5, 6.0), (0.0, 0.5, 1.0, 5.5, 6.0)),
]


@pytest.mark.parametrize("z, d, D, exact, seq", TABLE)
def test_spec_table(z, d, D, exact, seq):
    np.testing.assert_allclose(project_min_spacing(z, d, D), exact, atol=1e-12)
    np.testing.assert_allclose(project_min_spacing(z, d, D, method="sequential"), seq, atol=1e-12)


def _random_instance(rng):
    M = int(rng.integers(2, 10))
    d = float(rng.uniform(0.1, 1.0))
    D = (M - 1) * d + float(rng.uniform(0.0, 5.0))
    z = rng.uniform(-2.0, D + 2.0, M) + rng.normal(0, 1.0, M)
    return z, d, D


def _random_feasible(rng, M, d, D):
    return np.sort(rng.uniform(0, D - (M - 1) * d, M)) + d * np.arange(M)


def test_feasible_idempotent_nonexpansive_nearest(rng):
    for _ in range(200):
        z, d, D = _random_instance(rng)
        M = z.size
        for method in ("exact", "sequential"):
            p = project_min_spacing(z, d, D, method=method)
            assert spacing_violation(p, d, D) <= 1e-12
            np.testing.assert_allclose(project_min_spacing(p, d, D, method=method), p, atol=1e-12)
        p = project_min_spacing(z, d, D)
        z2 = z + rng.normal(0, 1.0, M)
        assert np.linalg.norm(project_min_spacing(z2, d, D) - p) <= np.linalg.norm(z2 - z) + 1e-12
        dist = np.linalg.norm(p - z)
        seq = project_min_spacing(z, d, D, method="sequential")
        assert dist <= np.linalg.norm(seq - z) + 1e-12
        for _ in range(5):
            y = _random_feasible(rng, M, d, D)
            assert dist <= np.linalg.norm(y - z) + 1e-12
        y = _random_feasible(rng, M, d, D)
        np.testing.assert_allclose(project_min_spacing(y, d, D), y, atol=1e-12)  # feasible points fixed


def test_exact_projection_equals_cvxpy_qp(rng):
    import cvxpy as cp

    from matoolbox.core.cvx import solve_cvx

    tight = {"CLARABEL": {"tol_gap_abs": 1e-13, "tol_gap_rel": 1e-13, "tol_feas": 1e-13,
                          "tol_ktratio": 1e-10}}
    for _ in range(8):
        z, d, D = _random_instance(rng)
        M = z.size
        x = cp.Variable(M)
        cons = [x[0] >= 0, x[M - 1] <= D]
        if M > 1:
            cons.append(cp.diff(x) >= d)
        res = solve_cvx(cp.Problem(cp.Minimize(cp.sum_squares(x - z)), cons), solvers=["CLARABEL"],
                        solver_options=tight)
        assert res.ok, res.attempts
        np.testing.assert_allclose(project_min_spacing(z, d, D), x.value, atol=1e-8)


def test_isotonic_regression_properties(rng):
    w = rng.normal(size=30)
    v = isotonic_increasing(w)
    assert np.all(np.diff(v) >= -1e-14)
    assert np.sum(v) == pytest.approx(np.sum(w))      # PAV preserves block means
    np.testing.assert_array_equal(isotonic_increasing(np.sort(w)), np.sort(w))


def test_zero_slack_gives_fpa_and_batch_shapes(rng):
    M, d = 6, 0.5
    fpa = d * np.arange(M)
    for method in ("exact", "sequential"):
        np.testing.assert_allclose(project_min_spacing(rng.normal(size=M), d, (M - 1) * d, method=method),
                                   fpa, atol=1e-12)
    Z = rng.uniform(0, 5, (3, 4, M))
    P = project_min_spacing(Z, d, 5.0)
    assert P.shape == Z.shape
    np.testing.assert_allclose(P[1, 2], project_min_spacing(Z[1, 2], d, 5.0))


def test_errors():
    with pytest.raises(InvalidProblemError, match=r"D = 1\.0.*\(M-1\)\*d"):
        project_min_spacing(np.zeros(4), 0.5, 1.0)
    with pytest.raises(InvalidProblemError, match="method"):
        project_min_spacing(np.zeros(2), 0.5, 1.0, method="nearest")
    with pytest.raises(InvalidProblemError, match="d = "):
        project_min_spacing(np.zeros(2), -1.0, 1.0)
