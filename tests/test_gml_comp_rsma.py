"""GML on CoMP-RSMA: meta-loss and its gradient, inner gradients, gml_solve (spec §9 checks 6, 10, 14, 17-19)."""
import numpy as np
import pytest

from matoolbox import check_gradient
from matoolbox.gml import GmlOptions, gml_solve
from matoolbox.problems import CompRsmaProblem


@pytest.fixture(scope="module")
def prob():
    return CompRsmaProblem.random(seed=0)


def _brute_meta_loss(p, x, opts):
    """Spec §5.3 written out with the problem's public rates (independent of the mixin)."""
    z1, z2, z3, z4 = opts.zeta
    lam, b = p.wavelength, p.region / (2 * p.wavelength)
    P = np.array(x["precoders"], complex)
    if not p.rsma:
        P[:, :, 0] = 0
    for n in range(p.N):
        pw = np.sum(np.abs(P[n]) ** 2)
        if opts.power_mode == "equality" or pw > p.pmax[n]:
            P[n] *= np.sqrt(p.pmax[n] / pw)
    u = x.get("positions", np.zeros((p.K, 2))) if p.movable else np.zeros((p.K, 2))
    Rc, Rp = p.rates({"precoders": P, "positions": lam * np.clip(u, -b, b)})
    c = x["common"] if p.rsma else np.zeros(p.K)
    L = -np.sum(c + Rp) + z1 * np.sum(np.maximum(p.rth + opts.qos_margin - c - Rp, 0))
    if p.rsma:
        L += z2 * np.sum(np.maximum(-c, 0)) + z3 * max(np.sum(c) - Rc.min(), 0)
    return L + z4 * np.sum(np.maximum(np.abs(u) - b, 0))


def _point_away_from_kinks(p, rng, opts, margin=1e-3):
    """Random raw point with active hinges (BS 0 over power, clipped coordinates, QoS and c < 0
    hinges) whose distance to every kink is >= margin."""
    b = p.region / (2 * p.wavelength)
    for _ in range(500):
        P = rng.standard_normal((p.N, p.I, p.K + 1)) + 1j * rng.standard_normal((p.N, p.I, p.K + 1))
        pw = np.sum(np.abs(P) ** 2, axis=(1, 2))
        P *= np.sqrt(p.pmax * np.array([1.5] + [0.6] * (p.N - 1)) / pw)[:, None, None]
        u = rng.uniform(-1.6 * b, 1.6 * b, (p.K, 2))
        c = rng.uniform(-0.3, 0.8, p.K)
        x = {"precoders": P, "positions": u, "common": c}
        Pm = np.array(P)
        if not p.rsma:
            Pm[:, :, 0] = 0
        scale = np.minimum(1, np.sqrt(p.pmax / np.sum(np.abs(Pm) ** 2, axis=(1, 2))))
        Rc, Rp = p.rates({"precoders": Pm * scale[:, None, None], "positions": p.wavelength * np.clip(u, -b, b)})
        cc = c if p.rsma else np.zeros(p.K)
        gaps = [np.abs(p.rth + opts.qos_margin - cc - Rp), np.abs(np.abs(u) - b)]
        if p.rsma:
            s = np.sort(Rc)
            gaps += [np.abs(c), [abs(np.sum(c) - Rc.min())], [s[1] - s[0]]]
        if min(np.min(g) for g in gaps) >= margin:
            return x
    raise AssertionError("no point away from kinks found")


# ---------------------------------------------------------------- meta-loss and gradients -----
@pytest.mark.parametrize("access,movable,power_mode,model", [
    ("rsma", True, "conditional", "coherent"), ("rsma", True, "equality", "coherent"),
    ("sdma", True, "conditional", "coherent"), ("rsma", False, "conditional", "coherent"),
    ("rsma", True, "conditional", "paper"), ("sdma", True, "conditional", "noncoherent")])
def test_meta_loss_value_and_gradient_match_finite_differences(access, movable, power_mode, model):
    p = CompRsmaProblem.random(seed=3, access=access, movable=movable, interference=model)
    opts = GmlOptions(power_mode=power_mode, zeta=(2.0, 10.0, 10.0, 1.5))
    rng = np.random.default_rng(7)
    for trial in range(3):
        x = _point_away_from_kinks(p, rng, opts)
        res = p.gml_meta_loss(x, opts)
        assert res["loss"] == pytest.approx(_brute_meta_loss(p, x, opts), rel=1e-10, abs=1e-10)
        blocks = [b["name"] for b in p.gml_blocks(opts)]
        assert set(res["grads"]) == set(blocks)
        xs = {k: x[k] for k in blocks}

        def f(z):
            return p.gml_meta_loss({**x, **z}, opts)["loss"]

        def g(z):
            return p.gml_meta_loss({**x, **z}, opts)["grads"]

        chk = check_gradient(f, g, xs, rng=trial, steps=np.logspace(-5, -8, 7), rtol=1e-6)
        assert chk.rel_error <= 1e-6, (access, movable, power_mode, chk)
        # every block separately (a wrong block could hide in the sum)
        for name in blocks:
            chk = check_gradient(lambda v: f({name: v}), lambda v: g({name: v})[name], xs[name],
                                 rng=trial, steps=np.logspace(-5, -8, 7), rtol=1e-6)
            assert chk.rel_error <= 1e-6, (name, chk)


def test_meta_loss_penalties_fire_in_the_right_direction(prob):
    opts = GmlOptions()
    x = prob.gml_init(np.random.default_rng(0), opts)
    base = prob.gml_meta_loss(x, opts)
    neg = prob.gml_meta_loss({**x, "common": x["common"] - 0.5}, opts)
    Rc, Rp = prob.rates(prob.gml_finalize(x, opts))
    viol = prob.rth + 0.05 + 0.5 - Rp > 0
    # c < 0: slope -1 - z2 (- z1 where QoS is violated); sum c < min R_c: no z3 term
    np.testing.assert_array_equal(neg["grads"]["common"], -1.0 - 10.0 - 2.0 * viol)
    assert neg["loss"] > base["loss"]
    big = prob.gml_meta_loss({**x, "common": x["common"] + 5.0}, opts)
    # sum c > min R_c: + z3 (and no QoS violation any more)
    np.testing.assert_array_equal(big["grads"]["common"], -1.0 + 10.0)
    # positions outside the region: the hinge pulls them back (slope z4 = 1, sign of u)
    b = prob.region / (2 * prob.wavelength)
    u = np.full((prob.K, 2), 2 * b)
    u[0] = -2 * b
    out = prob.gml_meta_loss({**x, "positions": u}, opts)
    np.testing.assert_array_equal(out["grads"]["positions"], np.sign(u))
    assert out["loss"] > prob.gml_meta_loss({**x, "positions": np.clip(u, -b, b)}, opts)["loss"]


def test_inner_gradients_are_minus_the_problem_gradients(prob, rng):
    opts = GmlOptions()
    x = prob.gml_init(rng, opts)
    x["positions"] = rng.uniform(-0.8, 0.8, (prob.K, 2))
    sol_x = prob.gml_finalize(x, opts)
    np.testing.assert_allclose(prob.gml_gradient("precoders", x, opts),
                               -prob.gradient("precoders", sol_x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(prob.gml_gradient("positions", x, opts),
                               -prob.wavelength * prob.gradient("positions", sol_x), rtol=1e-9, atol=1e-9)
    assert np.all(prob.gml_gradient("common", x, opts) == -1.0)
    # own NumPy channel equals the problem's numba channel
    r = sol_x["positions"]
    hH, h, dhH = prob._gml_channel(r)
    np.testing.assert_allclose(hH, prob.channel_rows(r), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(h, hH.conj().T)
    A, dA = prob.gains(x["precoders"], r, grad=True)
    np.testing.assert_allclose(np.moveaxis(dhH @ x["precoders"].reshape(-1, prob.K + 1), 0, -1),
                               dA, rtol=1e-10, atol=1e-8)


@pytest.mark.parametrize("variant", ["RSMA-MA", "SDMA-MA", "RSMA-FPA", "SDMA-FPA"])
def test_coherent_kernels_match_the_numpy_expressions(variant, monkeypatch):
    """The numba kernels of the coherent rates and gradients (comp_rsma._gml_kernel) against the
    NumPy expressions they replace: meta-loss, value, feasibility, every block's meta-gradient and
    inner gradient, to rounding."""
    import matoolbox.comp_rsma.meta as M

    p = CompRsmaProblem.random(seed=4, pmax_dbm=31).variant(variant)
    opts = GmlOptions()
    rng = np.random.default_rng(2)
    for _ in range(3):
        x = _point_away_from_kinks(p, rng, opts)
        x = {b["name"]: x[b["name"]] for b in p.gml_blocks(opts)}
        got = {}
        for kernel in (True, False):
            monkeypatch.setattr(M, "_USE_KERNEL", kernel)
            res = p.gml_meta_loss(x, opts)
            inner = {b["name"]: p.gml_gradient(b["name"], x, opts) for b in p.gml_blocks(opts)}
            got[kernel] = (res, inner)
        (a, ia), (b, ib) = got[True], got[False]
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-13, abs=1e-13)
        assert a["value"] == pytest.approx(b["value"], rel=1e-13)
        assert a["feasible"] == b["feasible"]
        assert set(a["grads"]) == set(b["grads"]) == set(x)
        for name in x:
            np.testing.assert_allclose(a["grads"][name], b["grads"][name], rtol=1e-12, atol=1e-12 * np.abs(b["grads"][name]).max())
            np.testing.assert_allclose(ia[name], ib[name], rtol=1e-12, atol=1e-12 * np.abs(ib[name]).max())


@pytest.mark.parametrize("model", ["paper", "noncoherent"])
def test_inner_gradients_under_the_other_interference_models(model, rng):
    """The inner gradients skip the rates they do not need there: still minus the problem's."""
    p = CompRsmaProblem.random(seed=0, interference=model)
    opts = GmlOptions()
    x = p.gml_init(rng, opts)
    x["positions"] = rng.uniform(-0.8, 0.8, (p.K, 2))
    sol_x = p.gml_finalize(x, opts)
    np.testing.assert_allclose(p.gml_gradient("precoders", x, opts), -p.gradient("precoders", sol_x),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(p.gml_gradient("positions", x, opts),
                               -p.wavelength * p.gradient("positions", sol_x), rtol=1e-9, atol=1e-9)


def test_init_and_projection(prob):
    opts = GmlOptions()
    x = prob.gml_init(np.random.default_rng(1), opts)
    np.testing.assert_allclose(np.sum(np.abs(x["precoders"]) ** 2, axis=(1, 2)), prob.pmax, rtol=1e-12)
    np.testing.assert_allclose(x["positions"] * prob.wavelength, prob.grid_positions(41))
    assert np.all(x["common"] == 0)
    xr = CompRsmaProblem.random(seed=0).gml_init(np.random.default_rng(1), GmlOptions.preset("paper"))
    b = prob.region / (2 * prob.wavelength)
    assert np.all(np.abs(xr["positions"]) <= b) and not np.allclose(xr["positions"], x["positions"])
    big = 3 * x["precoders"]
    np.testing.assert_allclose(np.sum(np.abs(prob.gml_project("precoders", big, opts)) ** 2, axis=(1, 2)),
                               prob.pmax, rtol=1e-12)
    assert np.max(np.abs(prob.gml_project("positions", np.full((4, 2), 5.0), opts))) == b


# ---------------------------------------------------------------- gml_solve -----------------
def _assert_feasible(p, x):
    """Spec §9 check 10."""
    P, c, r = x["precoders"], x["common"], x["positions"]
    assert np.all(np.sum(np.abs(P) ** 2, axis=(1, 2)) <= p.pmax * (1 + 1e-6))
    Rc, Rp = p.rates(x)
    assert np.all(c >= 0)
    assert np.sum(c) <= Rc.min() + 1e-6
    assert np.all(c + Rp >= p.rth - 1e-6)
    assert np.all(np.abs(r) <= p.region / 2)
    if not p.rsma:
        assert np.all(P[:, :, 0] == 0) and np.all(c == 0)
    if not p.movable:
        assert np.all(r == 0)
    assert p.violation(x) <= 1e-6


def test_gml_solve_determinism_history_and_feasibility(prob):
    opts = GmlOptions(n_outer=400)
    s1 = gml_solve(prob, opts, rng=2)
    s2 = gml_solve(prob, opts, rng=2)
    assert s1.history == s2.history and s1.fval == s2.fval
    np.testing.assert_array_equal(s1.x["precoders"], s2.x["precoders"])
    assert len(s1.history) == 400 and s1.exitflag == 1 and s1.solver == "gml_solve"
    _assert_feasible(prob, s1.x)
    assert s1.violation == prob.violation(s1.x)
    feas = [v for v, f in zip(s1.history, s1.output["history_feasible"]) if f]
    cands = feas + ([s1.output["start_value"]] if s1.output["start_feasible"] else [])
    assert s1.fval == pytest.approx(max(cands), rel=1e-10)
    assert s1.fval == pytest.approx(prob.value(s1.x), rel=1e-10)
    # learning happens: the feasible history improves
    m = max(1, len(feas) // 10)
    assert np.mean(feas[-m:]) > np.mean(feas[:m])
    assert all(np.isfinite(s1.history)) and np.isfinite(s1.fval)


@pytest.mark.parametrize("access,movable", [("sdma", True), ("rsma", False), ("sdma", False)])
def test_gml_solve_schemes_are_feasible(access, movable):
    p = CompRsmaProblem.random(seed=0, access=access, movable=movable)
    sol = gml_solve(p, GmlOptions(n_outer=150), rng=0)
    assert gml_solve(p, GmlOptions.preset("spec", n_outer=3), rng=0).nit == 3   # preset lr for absent blocks
    assert sol.exitflag == 1
    _assert_feasible(p, sol.x)
    blocks = {b["name"] for b in p.gml_blocks(GmlOptions())}
    assert ("common" in blocks) == (access == "rsma") and ("positions" in blocks) == movable


def test_ma_beats_fpa_from_independent_starts():
    """GML on RSMA-MA (grid-init positions) against GML on RSMA-FPA, each from its own start, same
    budget: MA gains > 15 % (measured 1.23, 1.59, 1.27 on seeds 1-3 at 150 outer iterations)."""
    for seed in (1, 2):
        fpa = CompRsmaProblem.random(seed=seed, movable=False)
        ma_p = CompRsmaProblem.random(seed=seed)
        s_fpa = gml_solve(fpa, GmlOptions(n_outer=150), rng=0)
        s_ma = gml_solve(ma_p, GmlOptions(n_outer=150), rng=0)
        assert s_fpa.exitflag == 1 and s_ma.exitflag == 1
        assert s_ma.fval > 1.15 * s_fpa.fval, (seed, s_ma.fval, s_fpa.fval)


def test_x0_is_used_as_start():
    fpa = CompRsmaProblem.random(seed=2, movable=False)
    ma_p = CompRsmaProblem.random(seed=2)
    s_fpa = gml_solve(fpa, GmlOptions(n_outer=100), rng=0)
    s_ma = gml_solve(ma_p, GmlOptions(n_outer=20), rng=0, x0=s_fpa.x)
    assert s_ma.output["start_value"] == pytest.approx(ma_p.value(s_fpa.x), rel=1e-10)


def test_paper_preset_runs_and_c_polish_project(prob):
    sol = gml_solve(prob, "paper", rng=0)
    assert len(sol.history) == 500 and np.isfinite(sol.fval)
    assert (sol.exitflag == -2) == (sol.violation > 1e-6)
    if sol.exitflag != -2:
        _assert_feasible(prob, sol.x)
    sol = gml_solve(prob, GmlOptions(n_outer=100, c_polish="project", inner_grad="meta"), rng=0)
    assert sol.exitflag in (1, -2) and (sol.exitflag == -2) == (sol.violation > 1e-6)
    if sol.exitflag == 1:
        _assert_feasible(prob, sol.x)
        assert sol.fval <= prob.value(sol.x) + 1e-9


@pytest.mark.slow
def test_gml_reaches_95_percent_of_the_reference():
    """Spec §9 check 19: default instance, default GmlOptions, seeds 0..5; reference = multistart
    (100 SLSQP starts) warm-started from the AO solution (spec §6)."""
    import matoolbox as ma
    from matoolbox.optim.multistart import multistart

    ratios = []
    for s in range(6):
        p = CompRsmaProblem.random(seed=s)
        ao = ma.ao_solve(p, rng=s)
        ref = multistart(p, x0=ao.x, n_starts=100, rng=s)
        sol = gml_solve(p, GmlOptions(), rng=s)
        _assert_feasible(p, sol.x)
        assert ref.exitflag == 1 and sol.exitflag == 1
        ratios.append(sol.fval / ref.fval)
    assert np.mean(ratios) >= 0.95, ratios


def test_qos_infeasible_instance_returns_exitflag_minus_2():
    p = CompRsmaProblem.random(seed=0, rth=6.0)
    sol = gml_solve(p, GmlOptions(n_outer=30), rng=0)
    assert sol.exitflag == -2 and sol.violation > 1.0 and sol.violation == p.violation(sol.x)
    assert np.isfinite(sol.fval) and all(np.all(np.isfinite(v)) for v in sol.x.values())
    assert not any(sol.output["history_feasible"]) and sol.output["best_iteration"] == -1
