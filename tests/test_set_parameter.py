"""core.cvx.set_parameter: the fast Parameter assignment stores what CVXPY's setter would, gives
the same solve, and hands every value it does not check to the setter (CVXPY's errors)."""
import cvxpy as cp
import numpy as np
import pytest

from matoolbox.core.cvx import set_parameter, solve_cvx


def _model():
    x = cp.Variable(3, complex=True)
    a = cp.Parameter(3, complex=True)
    w = cp.Parameter(3, nonneg=True)
    t = cp.Parameter(pos=True)
    prob = cp.Problem(cp.Minimize(cp.sum_squares(x - a) + w @ cp.abs(x)), [cp.sum_squares(x) <= t])
    assert prob.is_dpp()
    return prob, x, a, w, t


def test_values_and_solution_equal_the_setters():
    rng = np.random.default_rng(0)
    vals = (rng.standard_normal(3) + 1j * rng.standard_normal(3), rng.uniform(0.5, 2, 3), 0.7)
    out = []
    for setter in (lambda p, v: setattr(p, "value", v), set_parameter):
        prob, x, a, w, t = _model()
        for p, v in zip((a, w, t), vals):
            setter(p, v)
        assert a.value.dtype == complex and w.value.dtype == float
        res = solve_cvx(prob, ("CLARABEL",))
        out.append((res.value, np.array(x.value)))
    assert out[0][0] == pytest.approx(out[1][0], rel=1e-12)
    assert np.allclose(out[0][1], out[1][1], atol=1e-10)


@pytest.mark.parametrize("which,value,match", [
    ("w", np.array([1.0, -0.5, 1.0]), "nonnegative"),
    ("t", -1.0, "positive"),
    ("w", np.ones(4), "dimensions"),
    ("w", np.array([1.0, np.nan, 1.0]), None),
    ("w", np.array([1j, 0, 0]), "nonnegative|real"),
])
def test_checked_values_raise_cvxpys_error(which, value, match):
    prob, x, a, w, t = _model()
    p = {"w": w, "t": t}[which]
    with pytest.raises(ValueError, match=match):
        set_parameter(p, value)


def test_parameters_with_other_attributes_take_the_setter():
    h = cp.Parameter((2, 2), hermitian=True)
    with pytest.raises(ValueError):
        set_parameter(h, np.array([[1.0, 2.0], [0.0, 1.0]]))     # not Hermitian: the setter refuses
    set_parameter(h, np.eye(2))
    assert np.array_equal(h.value, np.eye(2))


def test_the_checked_kinds_skip_the_setters_validation(monkeypatch):
    """The point of the helper: values it checks never reach CVXPY's projection check."""
    from cvxpy.expressions.leaf import Leaf

    def refuse(self, val, sparse_path=False):
        raise AssertionError("the setter's validation ran")
    prob, x, a, w, t = _model()
    monkeypatch.setattr(Leaf, "_validate_value", refuse)
    set_parameter(a, np.ones(3) * (1 + 1j))
    set_parameter(w, np.ones(3))
    set_parameter(t, 2.0)
    assert float(t.value) == 2.0 and np.array_equal(w.value, np.ones(3))
    with pytest.raises(AssertionError, match="validation ran"):
        set_parameter(w, -np.ones(3))                 # a failed check goes to the setter
