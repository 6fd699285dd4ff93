"""A compiled CVXPY problem shared across calls (a per-process cache) must not carry solver state
from one call to the next: same inputs, same numbers, whatever was solved before in the process
(serial and parallel runs of a sweep then agree). Each block runs on instance A, then on B, then
on A again; the two A results must be bitwise equal (with CVXPY's warm start on the first solve of
a call, Clarabel reuses B's solver and its equilibration and the second A differs in the 7th
digit)."""
import threading

import numpy as np
import pytest

import matoolbox as ma

from matoolbox.comp_rsma.sca import sca_precoders
from matoolbox.problems import CompRsmaProblem, MultiBeamProblem, SpectrumSharingProblem
from matoolbox.solvers import multibeam_apv, multibeam_awv, spectrum_sharing_beamformer


def _same(run, a, b):
    first = run(a)
    run(b)
    again = run(a)
    assert first.nit == again.nit
    assert first.fval == again.fval
    for k in first.x:
        np.testing.assert_array_equal(np.asarray(first.x[k]), np.asarray(again.x[k]), err_msg=k)
    return first


def test_comp_rsma_sca_block_independent_of_earlier_calls():
    pa = CompRsmaProblem.random(seed=1, K=4, interference="paper")
    pb = CompRsmaProblem.random(seed=2, K=4, interference="paper")
    sol = _same(lambda p: sca_precoders(p, p.initial_point(0)), pa, pb)
    assert sol.nit >= 2                    # several solves on the shared problem within the call


def test_multibeam_blocks_independent_of_earlier_calls():
    pa, pb = MultiBeamProblem.random(seed=3), MultiBeamProblem.random(seed=4)
    _same(lambda p: multibeam_awv(p, p.initial_point(), rng=1), pa, pb)

    def apv(p):
        return multibeam_apv(p, multibeam_awv(p, p.initial_point(), rng=1).x, options={"max_iter": 5})
    sol = _same(apv, pa, pb)
    assert len(sol.output["cvx_attempts"]) >= 2


def test_spectrum_sharing_sca_independent_of_earlier_calls():
    pa, pb = SpectrumSharingProblem.random(seed=1), SpectrumSharingProblem.random(seed=2)

    def sca(p):
        x0 = p.initial_point()
        socp = spectrum_sharing_beamformer(p, x0)
        start = {**x0, "precoders": 0.3 * socp.x["precoders"] * np.exp(0.7j)}
        return spectrum_sharing_beamformer(p, start, options={"method": "sca"})
    sol = _same(sca, pa, pb)
    assert len(sol.output["cvx_attempts"]) >= 2


def test_full_duplex_mm_positions_independent_of_earlier_calls():
    from matoolbox.full_duplex.positions import mm_positions
    from matoolbox.problems import FullDuplexProblem

    pa = FullDuplexProblem.random(seed=1, Nr=1)
    pb = FullDuplexProblem.random(seed=2, Nr=1)

    def mm(p):
        x0 = ma.ao_solve(p.with_(movable_tx=False, movable_rx=False), rng=0, max_iter=3).x
        return mm_positions(p, x0, options={"block": "positions_tx", "max_steps": 5})
    sol = _same(mm, pa, pb)
    assert len(sol.output["cvx_attempts"]) >= 2


def test_cached_model_per_key_and_thread():
    import threading

    from matoolbox.core.cvx import cached_model

    built = []

    def build():
        built.append(object())
        return built[-1]
    a = cached_model(("test_cached_model", 1), build)
    assert cached_model(("test_cached_model", 1), build) is a and len(built) == 1
    assert cached_model(("test_cached_model", 2), build) is not a
    other = []
    t = threading.Thread(target=lambda: other.append(cached_model(("test_cached_model", 1), build)))
    t.start()
    t.join()
    assert other[0] is not a and len(built) == 3          # another thread compiles its own


def test_solve_cached_one_compiled_copy_per_solver_and_solve_cvx_rules():
    import cvxpy as cp

    from matoolbox.core.cvx import solve_cached, solve_cvx

    builds = []

    def build():
        x = cp.Variable(2)
        c = cp.Parameter(2)
        builds.append(1)
        return cp.Problem(cp.Minimize(cp.sum_squares(x - c)), [cp.sum(x) <= 1]), x, c

    def set_values(model):
        model[2].value = np.array([2.0, -0.5])

    key = ("test_solve_cached",)
    model, res = solve_cached(key, build, set_values, ("NOT_A_SOLVER", "CLARABEL"))
    assert res.status == "optimal" and res.solver == "CLARABEL" and len(res.attempts) == 2
    assert res.attempts[0]["status"] == "solver_error"
    fresh = build()
    set_values(fresh)
    ref = solve_cvx(fresh[0], ("CLARABEL",))
    np.testing.assert_array_equal(model[1].value, fresh[1].value)
    assert res.value == ref.value
    n = len(builds)
    again, res2 = solve_cached(key, build, set_values, ("NOT_A_SOLVER", "CLARABEL"))
    assert again is model and len(builds) == n                 # compiled copies are reused
    none, bad = solve_cached(key, build, set_values, ("NOT_A_SOLVER",))
    assert none is None and bad.status == "solver_error"


def test_multibeam_sdr_keeps_one_copy_per_solver():
    """Clarabel is often inaccurate on the e4 SDR and SCS then solves it; each solver has its own
    compiled copy, so a second call compiles nothing (CVXPY recompiled at every solver switch)."""
    from matoolbox.core import cvx

    p = MultiBeamProblem.random(seed=1)
    opts = {"solvers": ("CLARABEL", "SCS")}
    first = multibeam_awv(p, p.initial_point(), rng=0, options=opts)
    if [a["solver"] for a in first.output["cvx_attempts"]] != ["CLARABEL", "SCS"]:
        pytest.skip("Clarabel solved this SDR accurately here: no solver switch to test")
    store = cvx._MODELS.store
    copies = {k: v for k, v in store.items() if k[0] == "_mb_sdr"}
    assert {k[-1] for k in copies} == {"CLARABEL", "SCS"}
    chains = {k: m[0]._cache.solving_chain for k, m in copies.items()}
    second = multibeam_awv(p, p.initial_point(), rng=0, options=opts)
    assert second.fval == first.fval
    for k, m in copies.items():
        assert store[k] is m and m[0]._cache.solving_chain is chains[k]      # not recompiled


@pytest.mark.parametrize("script, model_from, status", [
    ({"A": "optimal_inaccurate", "B": "optimal"}, "B", "optimal"),
    ({"A": "optimal_inaccurate", "B": "solver_error"}, "A", "optimal_inaccurate"),
    ({"A": "optimal_inaccurate", "B": "infeasible"}, "B", "infeasible"),
    ({"A": "solver_error", "B": "optimal_inaccurate"}, "B", "optimal_inaccurate"),
    ({"A": "optimal", "B": "optimal"}, "A", "optimal"),
])
def test_solve_cached_follows_the_solve_cvx_rules(monkeypatch, script, model_from, status):
    """solve_cached's chain, scripted per solver: the first optimal or definitive answer ends it,
    an inaccurate answer is returned (in its own copy) only when no later solver is optimal, and
    a solver after an optimal answer never gets a copy."""
    from matoolbox.core import cvx

    built = []

    def fake(problem, solvers, **kw):
        name = solvers[0]
        st = script[name]
        return cvx.CvxResult(st, {"A": 1.0, "B": 2.0}[name] if "optimal" in st else float("nan"), name,
                             [{"solver": name, "status": st, "seconds": 0.0}])
    monkeypatch.setattr(cvx, "solve_cvx", fake)
    key = ("test_solve_cached_rules", str(sorted(script.items())))

    def build():
        built.append(object())
        return built[-1]
    model, res = cvx.solve_cached(key, build, lambda m: None, ("A", "B"), problem=lambda m: m)
    assert res.status == status
    assert model is cvx._MODELS.store[key + (model_from,)]
    if status != "infeasible":
        assert res.value == {"A": 1.0, "B": 2.0}[model_from] and res.solver == model_from
    assert len(res.attempts) == (1 if script["A"] == "optimal" else 2)
    assert len(built) == (1 if script["A"] == "optimal" else 2)


def test_full_model_store_drops_its_oldest_model_only(monkeypatch):
    """At ``maxsize`` the store drops the oldest model, not all of them: the copy solve_cached
    built first in a call is still stored when its second copy arrives on a full store (it was
    emptied before, and the chain's first copy was lost whenever the store filled in between)."""
    from matoolbox.core import cvx

    monkeypatch.setattr(cvx, "_MODELS", threading.local())
    for i in range(31):
        cvx.cached_model(("filler", i), object)
    store = cvx._MODELS.store

    def fake(problem, solvers, **kw):
        st = {"A": "optimal_inaccurate", "B": "solver_error"}[solvers[0]]
        return cvx.CvxResult(st, 1.0 if solvers[0] == "A" else float("nan"), solvers[0],
                             [{"solver": solvers[0], "status": st, "seconds": 0.0}])
    monkeypatch.setattr(cvx, "solve_cvx", fake)
    model, res = cvx.solve_cached(("chain",), object, lambda m: None, ("A", "B"), problem=lambda m: m)
    assert res.solver == "A" and model is store[("chain", "A")] and ("chain", "B") in store
    assert len(store) == 32 and ("filler", 0) not in store and ("filler", 1) in store
