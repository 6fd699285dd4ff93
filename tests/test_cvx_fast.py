"""The direct Clarabel re-solve of compiled DPP problems (matoolbox.core.cvx_fast): the same
answers as ``problem.solve(solver="CLARABEL")``, bitwise, and the fallbacks."""
import cvxpy as cp
import numpy as np
import pytest

from matoolbox.core.cvx import set_parameter, solve_cvx
from matoolbox.core.cvx_fast import _Fast, solve_read


def _sca_pair(model, rsma):
    from matoolbox.comp_rsma import sca as S
    from matoolbox.problems import CompRsmaProblem

    p = CompRsmaProblem.random(seed=3, interference=model, pmax_dbm=31).variant("RSMA-MA" if rsma else "SDMA-MA")
    x = p.polish(p.initial_point(rng=0))
    subs = [S.build_sca_subproblem(p.N, p.I, p.K, rsma, 100.0, model) for _ in range(2)]
    for s in subs:
        set_parameter(s.params["pmax"], np.asarray(p.pmax, float))
        set_parameter(s.params["rth"], float(p.rth))
    return p, x, subs


@pytest.mark.parametrize("model,rsma", [("paper", True), ("coherent", False), ("noncoherent", True)])
def test_direct_path_gives_cvxpys_answers_bitwise(model, rsma):
    """Six warm-started re-solves of a CoMP-RSMA SCA subproblem (complex variables, nonneg
    variables, exponential and second-order cones): the same P and split as problem.solve, the
    data checked against CVXPY's on the first two solves, and the direct path really used."""
    from matoolbox.comp_rsma import sca as S

    p, x, (ref, sub) = _sca_pair(model, rsma)
    hH = p.channel_rows(x["positions"])
    rng = np.random.default_rng(1)
    P0 = S._stack(x["precoders"])
    for i in range(6):
        Pq = P0 * (1 + 0.3 * rng.standard_normal(P0.shape))
        for s in (ref, sub):
            for name, val in S.sca_parameters(hH, Pq, rsma, model, p.N).items():
                set_parameter(s.params[name], val)
        r1 = solve_cvx(ref.problem, ("CLARABEL",), warm_start=i > 0)
        read = [sub.P] + ([sub.c] if rsma else [])
        r2, vals = solve_read(sub.problem, read, ("CLARABEL",), warm_start=i > 0)
        assert r1.status == r2.status == "optimal"
        assert np.array_equal(ref.P.value, vals[0])
        if rsma:
            assert np.array_equal(ref.c.value, vals[1])
        assert r2.value == pytest.approx(r1.value, rel=1e-6)       # c^T x vs CVXPY's projected objective
        assert r2.attempts[0]["solver"] == "CLARABEL"
    fast = sub.problem._matoolbox_fast
    assert isinstance(fast, _Fast) and fast.checks == 2


def test_sca_block_numbers_unchanged_by_the_direct_path():
    """sca_precoders on a paper-model draw: the same iterate history and precoders with the direct
    path as with every solve through problem.solve (the direct path switched off)."""
    from matoolbox.comp_rsma import sca as S
    from matoolbox.problems import CompRsmaProblem

    p = CompRsmaProblem.random(seed=5, interference="paper", pmax_dbm=33).variant("RSMA-MA")
    x0 = p.initial_point(rng=0)
    a = S.sca_precoders(p, x0)
    sub = S._subproblem(p.N, p.I, p.K, True, 100.0, "paper")
    assert isinstance(sub.problem._matoolbox_fast, _Fast)
    sub.problem._matoolbox_fast = False
    try:
        b = S.sca_precoders(p, x0)
    finally:
        sub.problem._matoolbox_fast = None
    assert a.history == b.history and a.nit == b.nit and a.exitflag == b.exitflag
    assert np.array_equal(a.x["precoders"], b.x["precoders"])


def _box_lp(quad=False):
    x = cp.Variable(3, name="x")
    c = cp.Parameter(3, name="c")
    obj = c @ x + (cp.sum_squares(x) if quad else 0)
    return cp.Problem(cp.Minimize(obj), [x >= -1, x <= 2]), x, c


def test_unsupported_problem_falls_back_to_problem_solve():
    """A quadratic objective (Clarabel's P matrix) is not handled by the direct path: the problem
    goes through solve_cvx from then on, with the right answer and the variable's value set."""
    prob, x, c = _box_lp(quad=True)
    c.value = np.array([1.0, -1.0, 0.5])
    res, vals = solve_read(prob, [x], ("CLARABEL",))
    assert prob._matoolbox_fast is False
    assert res.status == "optimal"
    np.testing.assert_allclose(vals[0], [-0.5, 0.5, -0.25], atol=1e-6)
    np.testing.assert_array_equal(vals[0], x.value)


def test_infeasible_and_other_solver_orders():
    """An infeasible LP is answered 'infeasible' with no values; an order that does not start with
    CLARABEL goes through solve_cvx."""
    prob, x, c = _box_lp()
    c.value = np.array([1.0, -1.0, 0.5])
    res, vals = solve_read(prob, [x], ("CLARABEL",))
    assert isinstance(prob._matoolbox_fast, _Fast)
    np.testing.assert_allclose(vals[0], [-1, 2, -1], atol=1e-7)
    assert res.value == pytest.approx(-3.5, abs=1e-7)
    bad = cp.Problem(cp.Minimize(c @ x), [x >= 1, x <= 0])
    res, vals = solve_read(bad, [x], ("CLARABEL",))
    assert res.status == "infeasible" and vals is None
    res, vals = solve_read(prob, [x], ("SCS",))
    assert res.solver == "SCS" and res.usable
    np.testing.assert_allclose(vals[0], [-1, 2, -1], atol=1e-3)


def _mixed():
    """A small DPP problem with real, complex and nonneg variables, SOC and exp cones."""
    x = cp.Variable(4, name="x")
    z = cp.Variable(2, complex=True, name="z")
    t = cp.Variable(nonneg=True, name="t")
    P, a, g = cp.Parameter((3, 4)), cp.Parameter(4), cp.Parameter(3)
    w, H = cp.Parameter(nonneg=True), cp.Parameter((2, 2), complex=True)
    obj = cp.Minimize(a @ x + w * t + cp.real(cp.sum(H @ z)))
    cons = [P @ x <= g, cp.norm(x, 2) <= 10 + w, x >= -5, cp.abs(z) <= 1, t >= cp.sum(x) + w * x[0],
            cp.exp(x[1]) <= 5 + w]
    return cp.Problem(obj, cons), [x, z, t], [P, a, g, w, H]


def test_solver_switches_recompile_as_cvxpy_does():
    """Clarabel solves (C) interleaved with SCS solves (S) on the same problem, all warm-started:
    CVXPY recompiles at every switch and starts a fresh solver; the direct path must match it
    bitwise through the whole sequence (parameters set to exactly zero on every fourth solve)."""
    (pr, vr, par_r), (pf, vf, par_f) = _mixed(), _mixed()
    rng = np.random.default_rng(1)
    for i, s in enumerate("CCSCCSCC"):
        vals = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.random(3) + 1, rng.random(),
                rng.standard_normal((2, 2)) + 1j * rng.standard_normal((2, 2))]
        if i % 4 == 3:
            vals[0][0], vals[1][:], vals[3] = 0.0, 0.0, 0.0
        for p, q, v in zip(par_r, par_f, vals):
            p.value = v
            q.value = v
        if s == "C":
            r1 = solve_cvx(pr, ("CLARABEL",), warm_start=i > 0)
            r2, got = solve_read(pf, vf, ("CLARABEL",), warm_start=i > 0)
            assert isinstance(pf._matoolbox_fast, _Fast)
        else:
            r1 = solve_cvx(pr, ("SCS",), warm_start=i > 0)
            r2 = solve_cvx(pf, ("SCS",), warm_start=i > 0)
            got = [v.value for v in vf]
        assert r1.status == r2.status
        for v, w in zip(vr, got):
            assert np.array_equal(v.value, w), (i, s, v.name())


def test_scs_fallback_on_a_twin_gives_cvxpys_numbers():
    """Direct Clarabel solves (C), some made to fail (F: max_iter=1) with SCS as the fallback,
    and SCS-only solves (S, warm-started, as the SCA block keeps SCS after a failure): the same
    statuses, solvers and values, bitwise, as CVXPY's own solves of one problem (which compile
    it for SCS and again for Clarabel at every switch); the problem itself keeps its Clarabel
    compilation (no recompile) and the twin its SCS one."""
    (pr, vr, par_r), (pf, vf, par_f) = _mixed(), _mixed()
    rng = np.random.default_rng(2)
    fails = 0
    for i, s in enumerate("CFCCFSSCFFSCFCSSC"):
        vals = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.random(3) + 1, rng.random(),
                rng.standard_normal((2, 2)) + 1j * rng.standard_normal((2, 2))]
        for p, q, v in zip(par_r, par_f, vals):
            p.value = v
            q.value = v
        opts = {"CLARABEL": {"max_iter": 1}} if s == "F" else None
        order = ("SCS",) if s == "S" else ("CLARABEL", "SCS")
        r1 = solve_cvx(pr, order, solver_options=opts, warm_start=i > 0)
        r2, got = solve_read(pf, vf, order, solver_options=opts, warm_start=i > 0)
        assert (r1.status, r1.solver) == (r2.status, r2.solver), (i, s)
        assert [a["solver"] for a in r1.attempts] == [a["solver"] for a in r2.attempts]
        fails += r2.solver == "SCS"
        for v, w in zip(vr, got):
            assert np.array_equal(v.value, w), (i, s, v.name())
        assert pf._cache.key[0] == "CLARABEL"
    assert fails == 5 + 5
    assert isinstance(pf._matoolbox_fast, _Fast) and pf._matoolbox_twin._cache.key[0] == "SCS"


def test_unsupported_problems_fall_back_and_answer():
    """No Parameters, a PSD variable (CVXPY does not project it), a diag variable: the direct path
    declines (problem.solve from then on) and the answer is solve_cvx's, never a solver error."""
    x = cp.Variable(2)
    S = cp.Variable((2, 2), PSD=True)
    D = cp.Variable((2, 2), diag=True)
    c = cp.Parameter(2, value=np.array([1.0, 2.0]))
    for prob, var in ((cp.Problem(cp.Minimize(cp.sum(x)), [x >= 1]), x),
                      (cp.Problem(cp.Minimize(cp.trace(S) + c[0] * S[0, 1]), [S[0, 0] >= c[1]]), S),
                      (cp.Problem(cp.Minimize(cp.sum(D) + c @ x), [D >> np.eye(2), x >= 0]), D)):
        res, vals = solve_read(prob, [var], ("CLARABEL",))
        assert prob._matoolbox_fast is False
        assert res.status == "optimal" and res.solver == "CLARABEL"
        ref = solve_cvx(prob, ("CLARABEL",))
        assert ref.value == pytest.approx(res.value, rel=1e-9)
