"""Full-duplex family: models, closed forms, FP, exact steps, gradients, invariants, validation
(spec full_duplex.md §8 checks 2, 4-8, 12, 13)."""
import math

import numpy as np
import pytest

from matoolbox import InvalidProblemError, check_gradient
from matoolbox.channels.self_interference import SelfInterference
from matoolbox.full_duplex import FullDuplexMultiUserProblem, FullDuplexProblem
from matoolbox.regions import Rectangle
from matoolbox.full_duplex.combiner import mmse_combiner, mmse_sinr_sherman_morrison, rx_comb_block
from matoolbox.full_duplex.fp import fp_beamforming, fp_power
from matoolbox.full_duplex.socp import (
    p1_oracle, p2_bisection, p2_socp, p3_closed_form, p3_socp, socp_beamforming,
)

SEEDS = (0, 1, 2)


def _x(prob, seed):
    return prob.ao_initial_point(np.random.default_rng(seed))


# -- geometry and SI models -------------------------------------------------------------------
def test_fpa_layout_is_centred_upa():
    P = Rectangle(0.0, 0.4, 0.0, 0.4).fpa(4, 0.05)
    np.testing.assert_array_equal(FullDuplexProblem.random(seed=0).fpa["positions_tx"], P)
    assert P.shape == (4, 2)
    np.testing.assert_allclose(P.mean(0), [0.2, 0.2])
    d = np.linalg.norm(P[:, None] - P[None], axis=-1)[np.triu_indices(4, 1)]
    assert d.min() == pytest.approx(0.05)


@pytest.mark.parametrize("model", ["nearfield_los", "field_response", "rician"])
def test_si_gradient_matches_finite_differences(model, rng):
    si = SelfInterference.random(rng, model=model, wavelength=0.1, rho=1.0, rx_offset=(0.5, 0, 0))
    t = rng.uniform(0, 0.4, (3, 2))
    r = rng.uniform(0, 0.4, (2, 2))
    H, dt, dr = si.grad(t, r)
    np.testing.assert_allclose(H, si.matrix(t, r), rtol=1e-12)
    h = 1e-7
    for n in range(3):
        for c in range(2):
            tp, tm = t.copy(), t.copy()
            tp[n, c] += h
            tm[n, c] -= h
            fd = (si.matrix(tp, r) - si.matrix(tm, r)) / (2 * h)
            np.testing.assert_allclose(fd[:, n], dt[:, n, c], rtol=1e-5, atol=1e-7 * np.abs(H).max() / h * h)
    for m in range(2):
        for c in range(2):
            rp, rm = r.copy(), r.copy()
            rp[m, c] += h
            rm[m, c] -= h
            fd = (si.matrix(t, rp) - si.matrix(t, rm)) / (2 * h)
            np.testing.assert_allclose(fd[m], dr[m, :, c], rtol=1e-5)


def test_nearfield_si_formula(rng):
    si = SelfInterference(wavelength=0.1, rho=1e-3, rx_offset=(0.5, 0.0, 0.0))
    t = np.array([[0.1, 0.2]])
    r = np.array([[0.05, 0.2]])
    d = 0.5 + 0.05 - 0.1
    want = math.sqrt(1e-3) * 0.1 / (4 * math.pi * d) * np.exp(-1j * 2 * math.pi / 0.1 * d)
    assert si.matrix(t, r)[0, 0] == pytest.approx(want, rel=1e-12)
    # batched evaluation equals per-sample evaluation
    T = rng.uniform(0, 0.4, (5, 3, 2))
    R = rng.uniform(0, 0.4, (5, 2, 2))
    HB = si.matrix(T, R)
    for b in range(5):
        np.testing.assert_allclose(HB[b], si.matrix(T[b], R[b]), rtol=1e-13)


# -- combiner (check 7) -------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_mmse_combiner_optimal_and_sherman_morrison(seed):
    prob = FullDuplexProblem.random(seed=seed)
    x = _x(prob, seed)
    a = prob.fd_arrays(x)
    v = a["H"] @ a["Wt"]
    Wr, gam = mmse_combiner(a["hU"], a["p"], v)
    sm = mmse_sinr_sherman_morrison(a["hU"][:, 0], v[:, 0], a["p"][0])
    assert gam[0] == pytest.approx(sm, rel=1e-10)
    assert abs(np.linalg.norm(Wr[:, 0]) - 1) < 1e-12
    # the SINR achieved by the returned combiner equals gamma*
    assert prob.sinrs(prob.fd_pack(x, Wr=Wr))[1][0] == pytest.approx(gam[0], rel=1e-10)
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((prob.Nr, 10_000)) + 1j * rng.standard_normal((prob.Nr, 10_000))
    Z /= np.linalg.norm(Z, axis=0)
    h, p = a["hU"][:, 0], a["p"][0]
    rand = p * np.abs(Z.conj().T @ h) ** 2 / (np.abs(Z.conj().T @ v[:, 0]) ** 2 + 1)
    assert gam[0] >= rand.max()


def test_mmse_combiner_multiuser_beats_random():
    prob = FullDuplexMultiUserProblem.random(seed=3)
    x = prob.initial_point(np.random.default_rng(3))
    before = prob.sinrs(x)[1]
    sol = rx_comb_block(prob, x)
    after = prob.sinrs(sol.x)[1]
    assert np.all(after >= before - 1e-12)
    np.testing.assert_allclose(sol.output["sinr_ul"], after, rtol=1e-10)
    # DL SINRs unchanged by the combiner
    np.testing.assert_allclose(prob.sinrs(sol.x)[0], prob.sinrs(x)[0], rtol=1e-12)


# -- P3 closed form vs SOCP (checks 2, 5) ----------------------------------------------------------
@pytest.mark.parametrize("Nr", [1, 2, 4, 5])
def test_p3_closed_form_matches_socp(Nr):
    rng = np.random.default_rng(Nr)
    for _ in range(4):
        Nt = 4
        hc = rng.standard_normal(Nt) + 1j * rng.standard_normal(Nt)
        H = rng.standard_normal((Nr, Nt)) + 1j * rng.standard_normal((Nr, Nt))
        P = 2.0
        pth = 10 ** rng.uniform(-2, 0.5)
        w = p3_closed_form(hc, H, P, pth)
        ws, res = p3_socp(hc, H, P, pth)
        assert res.usable
        v, vs = float(np.real(hc @ w)), float(np.real(hc @ ws))
        assert v == pytest.approx(vs, rel=1e-6)
        assert np.sum(np.abs(w) ** 2) <= P * (1 + 1e-6)
        phi = np.sum(np.abs(H @ w) ** 2)
        assert phi <= pth * (1 + 1e-6)
        mrt = math.sqrt(P) * hc.conj() / np.linalg.norm(hc)
        if np.sum(np.abs(H @ mrt) ** 2) > pth:      # cap binds -> active
            assert phi == pytest.approx(pth, rel=1e-4)


@pytest.mark.parametrize("seed", SEEDS)
def test_p3_problem_step_respects_cap(seed):
    prob = FullDuplexProblem.random(seed=seed, objective="dl_si_cap")
    x = _x(prob, seed)
    sol = socp_beamforming(prob, x)
    w = sol.x["w_t"]
    _, _, H = prob.channels(sol.x, normalized=False)
    assert np.sum(np.abs(H @ w) ** 2) <= prob.p_th * (1 + 1e-6)
    assert sol.fval >= prob.objective(x) - 1e-9
    sol2 = socp_beamforming(prob, x, options={"method": "cvx"})
    assert sol2.fval == pytest.approx(sol.fval, rel=1e-6)
    assert "cvx_attempts" in sol2.output


# -- P2 exact steps (check 5) -----------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_p2_socp_equals_bisection(seed):
    prob = FullDuplexProblem.random(seed=seed, objective="maxmin")
    x = _x(prob, seed)
    a = prob.fd_arrays(x)
    hc = a["hDc"][0]
    c_D = float(a["E"][0] @ a["p"] + 1)
    wr = a["Wr"][:, 0]
    g = a["H"].conj().T @ wr
    A = float(a["p"][0] * abs(wr.conj() @ a["hU"][:, 0]) ** 2)
    w1, tau1, res = p2_socp(hc, c_D, g, A, 1.0, a["P"])
    w2, tau2 = p2_bisection(hc, c_D, g, A, 1.0, a["P"])
    assert res.usable
    assert tau1 == pytest.approx(tau2, rel=1e-6)
    sol = socp_beamforming(prob, x)
    assert sol.fval == pytest.approx(math.log2(1 + tau1), rel=1e-6)


# -- FP (check 4) -----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_fp_limit_matches_oracle(seed):
    prob = FullDuplexProblem.random(seed=seed)
    x = _x(prob, seed)
    sol = fp_beamforming(prob, x, options={"steps": 300, "tol": 1e-13})
    a = prob.fd_arrays(x)
    wr = a["Wr"][:, 0]
    g = a["H"].conj().T @ wr
    A = float(a["p"][0] * abs(wr.conj() @ a["hU"][:, 0]) ** 2)
    _, oracle = p1_oracle(a["hDc"][0], float(a["E"][0] @ a["p"] + 1), g, A, 1.0, a["P"], a["weights"])
    assert abs(sol.fval - oracle) <= 1e-4
    assert sol.fval <= oracle + 1e-7                 # the oracle is global
    assert np.all(np.diff(sol.history) >= -1e-10)    # each FP step is an MM step
    assert np.sum(np.abs(sol.x["w_t"]) ** 2) <= prob.p_max * (1 + 1e-6)


def test_fp_cvx_form_matches_closed_form():
    prob = FullDuplexMultiUserProblem.random(seed=4)
    x = prob.heuristic_point()
    s1 = fp_beamforming(prob, x, options={"steps": 1})
    s2 = fp_beamforming(prob, x, options={"steps": 1, "method": "cvx"})
    assert s2.fval == pytest.approx(s1.fval, rel=1e-5)
    np.testing.assert_allclose(s2.x["W_t"], s1.x["W_t"], atol=1e-3 * np.abs(s1.x["W_t"]).max())


@pytest.mark.parametrize("seed", SEEDS)
def test_fp_multiuser_beats_random_start(seed):
    prob = FullDuplexMultiUserProblem.random(seed=seed)
    x = prob.initial_point(np.random.default_rng(seed))
    f0 = prob.objective(x)
    hist = [f0]
    for _ in range(15):
        for blk in (rx_comb_block, fp_beamforming, fp_power):
            x = blk(prob, x).x
            hist.append(prob.objective(x))
    assert np.all(np.diff(hist) >= -1e-9 * np.maximum(1, np.abs(hist[1:])))
    assert hist[-1] > f0
    assert prob.violation(x) <= 1e-9
    assert np.all(x["p_u"] >= 0) and np.all(x["p_u"] <= prob.p_ul_max * (1 + 1e-9))


# -- gradients (check 8) ----------------------------------------------------------------------
def _rate_fn(prob, x, block, i, mmse=False):
    def f(v):
        xx = {**x, block: v}
        if mmse:
            xx = rx_comb_block(prob, xx).x
        R, _, _ = prob.rate_gradients(xx)
        return R[i]
    return f


@pytest.mark.parametrize("model", ["nearfield_los", "field_response"])
def test_single_user_rate_gradients(model):
    prob = FullDuplexProblem.random(seed=5, si_model=model, rho_db=-40)
    x = prob.initial_point(np.random.default_rng(5))
    x = rx_comb_block(prob, x).x                      # MMSE combiner: envelope theorem for R_U*
    steps = np.logspace(-5, -8, 7)
    for block in ("positions_tx", "positions_rx"):
        for i, mmse in ((0, False), (1, True)):
            g = lambda v, i=i, block=block: prob.rate_gradients({**x, block: v})[1 if block == "positions_tx" else 2][i]
            chk = check_gradient(_rate_fn(prob, x, block, i, mmse), g, x[block], rng=1, steps=steps)
            assert chk.rel_error <= 1e-5, (block, i, chk)
        # objective gradient
        chk = check_gradient(lambda v, b=block: prob.objective({**x, b: v}),
                             lambda v, b=block: prob.gradient(b, {**x, b: v}), x[block], rng=2, steps=steps)
        assert chk.rel_error <= 1e-5


def test_si_power_gradient():
    prob = FullDuplexProblem.random(seed=6, objective="dl_si_cap")
    x = prob.initial_point(np.random.default_rng(6))
    steps = np.logspace(-5, -8, 7)
    for k, block in ((1, "positions_tx"), (2, "positions_rx")):
        chk = check_gradient(lambda v, b=block: prob.si_power_gradient({**x, b: v})[0],
                             lambda v, b=block, k=k: prob.si_power_gradient({**x, b: v})[k],
                             x[block], rng=3, steps=steps)
        assert chk.rel_error <= 1e-5


def test_multiuser_rate_gradients():
    prob = FullDuplexMultiUserProblem.random(seed=7, Nt=4, Nr=4, si_model="rician")
    x = prob.initial_point(np.random.default_rng(7))
    steps = np.logspace(-5, -8, 7)
    for block in ("positions_tx", "positions_rx"):
        chk = check_gradient(lambda v, b=block: prob.objective({**x, b: v}),
                             lambda v, b=block: prob.gradient(b, {**x, b: v}), x[block], rng=4, steps=steps)
        assert chk.rel_error <= 1e-5
        for i in range(4):
            k = 1 if block == "positions_tx" else 2
            chk = check_gradient(_rate_fn(prob, x, block, i),
                                 lambda v, b=block, i=i, k=k: prob.rate_gradients({**x, b: v})[k][i],
                                 x[block], rng=5 + i, steps=steps)
            assert chk.rel_error <= 1e-5


# -- batch evaluation, projection ---------------------------------------------------------------
def test_objective_and_violation_batch_match_scalar():
    for prob in (FullDuplexProblem.random(seed=8), FullDuplexProblem.random(seed=8, objective="dl_si_cap"),
                 FullDuplexMultiUserProblem.random(seed=8)):
        x = prob.ao_initial_point(0)
        rng = np.random.default_rng(0)
        for block, n in (("positions_tx", prob.Nt), ("positions_rx", prob.Nr)):
            V = rng.uniform(-0.02, prob.region_size, (6, n, 2))
            ob = prob.objective_batch(block, V, x)
            vb = prob.violation_batch(block, V, x)
            for i in range(6):
                assert ob[i] == pytest.approx(prob.objective({**x, block: V[i]}), rel=1e-10)
                assert vb[i] == pytest.approx(prob.violation({**x, block: V[i]}), rel=1e-9, abs=1e-12)
            inner = prob.objective_batch(block, V, x, inner=True)
            assert np.all(inner >= ob - 1e-9 * np.abs(ob))   # block-optimal beamformers


def test_project_gives_feasible_layout(rng):
    prob = FullDuplexProblem.random(seed=9, region_lambda=1.0)
    for _ in range(30):
        V = rng.uniform(-0.05, 0.15, (4, 2))
        P = prob.project("positions_tx", V)
        assert float(prob._block_violation("positions_tx", P)) == 0.0
    fixed = FullDuplexProblem.random(seed=9, movable=False)
    np.testing.assert_array_equal(fixed.project("positions_rx", rng.uniform(0, 0.4, (4, 2))), fixed.fpa["positions_rx"])


# -- invariants (check 12) ----------------------------------------------------------------------
@pytest.mark.parametrize("cls", [FullDuplexProblem, FullDuplexMultiUserProblem])
def test_invariants(cls):
    prob = cls.random(seed=10)
    x = prob.initial_point(np.random.default_rng(10))
    gD, gU = prob.sinrs(x)
    key_t, key_r = ("w_t", "w_r") if cls is FullDuplexProblem else ("W_t", "W_r")
    x2 = {**x, key_r: x[key_r] * 3.7 * np.exp(1j * 0.9)}
    np.testing.assert_allclose(prob.sinrs(x2)[1], gU, rtol=1e-12)
    x3 = {**x, key_t: x[key_t] * np.exp(-1j * 2.1)}
    np.testing.assert_allclose(np.concatenate(prob.sinrs(x3)), np.concatenate([gD, gU]), rtol=1e-12)
    raw = prob.evaluate(x, normalized=False)
    nrm = prob.evaluate(x)
    np.testing.assert_allclose(raw["R_D"], nrm["R_D"], rtol=1e-10)
    np.testing.assert_allclose(raw["R_U"], nrm["R_U"], rtol=1e-10)
    again = cls.random(seed=10)
    for f in ("dl_gains", "ul_gains", "dl_dirs", "ul_dirs"):
        np.testing.assert_array_equal(getattr(again, f), getattr(prob, f))


# -- validation (check 13) ----------------------------------------------------------------------
def test_validation_errors():
    with pytest.raises(InvalidProblemError, match="region_size"):
        FullDuplexProblem.random(seed=0, Nt=9, region_lambda=0.9)
    with pytest.raises(InvalidProblemError, match="p_ul"):
        FullDuplexProblem.random(seed=0).with_(p_ul=-1.0)
    with pytest.raises(InvalidProblemError, match="p_max"):
        FullDuplexProblem.random(seed=0).with_(p_max=-1.0)
    with pytest.raises(InvalidProblemError, match="p_th"):
        FullDuplexProblem.random(seed=0, objective="dl_si_cap").with_(p_th=-1e-3)
    with pytest.raises(InvalidProblemError, match="weights"):
        FullDuplexProblem.random(seed=0, weights=(0.7, 0.7))
    with pytest.raises(InvalidProblemError, match="K_D"):
        FullDuplexMultiUserProblem.random(seed=0, K_D=5, Nt=4)
    with pytest.raises(InvalidProblemError, match="objective"):
        FullDuplexProblem.random(seed=0, objective="sum")
    with pytest.raises(InvalidProblemError, match="si_model"):
        FullDuplexProblem.random(seed=0, si_model="nope")
    with pytest.raises(InvalidProblemError, match="weights"):
        FullDuplexMultiUserProblem.random(seed=0, weights=(0.5, 0.5, 0.5, 0.5))


@pytest.mark.parametrize("Nr", [1, 4, 6])
def test_p3_closed_form_batch_matches_scalar(Nr):
    from matoolbox.full_duplex.socp import p3_closed_form_batch

    rng = np.random.default_rng(40 + Nr)
    B, Nt = 12, 4
    hc = rng.standard_normal((B, Nt)) + 1j * rng.standard_normal((B, Nt))
    H = (rng.standard_normal((B, Nr, Nt)) + 1j * rng.standard_normal((B, Nr, Nt))) * np.geomspace(0.01, 10, B)[:, None, None]
    W = p3_closed_form_batch(hc, H, 2.0, 0.5)
    for b in range(B):
        w = p3_closed_form(hc[b], H[b], 2.0, 0.5)
        assert float(np.real(hc[b] @ W[b])) == pytest.approx(float(np.real(hc[b] @ w)), rel=1e-9)
        assert np.sum(np.abs(H[b] @ W[b]) ** 2) <= 0.5 * (1 + 1e-9)
        assert np.sum(np.abs(W[b]) ** 2) <= 2.0 * (1 + 1e-9)


@pytest.mark.parametrize("n", [1, 4, 7, 9, 12, 20, 128, 130])
def test_p3_bisection_kernel_matches_the_vectorised_loop_bitwise(n):
    """p3_closed_form_batch runs its bisection row by row in a compiled kernel (each row stops at
    its own fixed point); the brackets are bitwise those of the vectorised loop it replaced (kept
    as _p3_bisect_vectorised, used for rows of more than 128 terms), with and without the early
    stop, plain Python and compiled (n >= 8 covers NumPy's pairwise summation)."""
    from matoolbox.core.jit import compiled
    from matoolbox.full_duplex.socp import _p3_bisect_numpy, _p3_bisect_vectorised

    rng = np.random.default_rng(100 + n)
    B = 40
    s = np.abs(rng.standard_normal((B, n))) * 10.0 ** rng.uniform(-4, 4, (B, 1))
    if n > 1:
        s[:3, 0] = 0.0                                       # rank-deficient rows
    b2 = np.abs(rng.standard_normal((B, n))) ** 2
    smax = np.maximum(s.max(axis=1), 1e-300)
    phi0 = 2.0 * np.min(np.sum(s * b2, axis=1) / np.sum(b2, axis=1))   # the SI power at nu -> 0
    for p_th in (1e-6 * phi0, 0.1 * phi0, 0.9 * phi0):     # below it (the rows the batch bisects)
        for early in (True, False):
            ref = _p3_bisect_vectorised(s, b2, smax, 2.0, p_th, 100, early)
            assert np.all(np.isfinite(ref[0]))
            if n > 128:                   # rows > 128 terms: p3_closed_form_batch keeps the NumPy loop
                continue
            for kern in (_p3_bisect_numpy, compiled(_p3_bisect_numpy)):
                hi, reach = kern(s, b2, smax, 2.0, p_th, 100, early)
                np.testing.assert_array_equal(hi, ref[0])
                np.testing.assert_array_equal(reach, ref[1])


def test_p3_batch_bisection_stops_at_its_fixed_point_with_the_same_result():
    """The bisection stops once a halving changes neither end of a row's bracket; the
    beamformers are bitwise those of all ``iters`` halvings (``early_stop=False``), and it does
    stop early (counted on the plain-Python kernel: one exp per phi evaluation)."""
    from matoolbox.full_duplex import socp

    rng = np.random.default_rng(7)
    B, Nt, Nr = 40, 4, 4
    hc = rng.standard_normal((B, Nt)) + 1j * rng.standard_normal((B, Nt))
    H = (rng.standard_normal((B, Nr, Nt)) + 1j * rng.standard_normal((B, Nr, Nt))) * np.geomspace(0.01, 10, B)[:, None, None]
    early = socp.p3_closed_form_batch(hc, H, 2.0, 0.05)
    full = socp.p3_closed_form_batch(hc, H, 2.0, 0.05, early_stop=False)
    np.testing.assert_array_equal(early, full)

    class CountingMath:                      # socp's math, counting exp calls (one per phi)
        calls = 0

        def __getattr__(self, name):
            return getattr(math, name)

        def exp(self, x):
            CountingMath.calls += 1
            return math.exp(x)

    s = np.abs(rng.standard_normal((1, Nt))) * 5.0
    b2 = np.abs(rng.standard_normal((1, Nt)))
    socp.math = CountingMath()
    try:
        socp._p3_bisect_numpy(s, b2, s.max(axis=1), 2.0, 0.05, 100, True)
        n_early, CountingMath.calls = CountingMath.calls, 0
        socp._p3_bisect_numpy(s, b2, s.max(axis=1), 2.0, 0.05, 100, False)
        n_full = CountingMath.calls
    finally:
        socp.math = math
    assert n_full >= 100 and n_early <= n_full - 25           # it did stop early


def test_random_overrides():
    p = FullDuplexProblem.random(seed=0, objective="dl_si_cap", p_th=2e-9, p_ul=0.05)
    assert p.p_th == 2e-9 and p.p_ul == 0.05
    base = FullDuplexProblem.random(seed=0, objective="dl_si_cap")
    np.testing.assert_array_equal(p.dl_gains, base.dl_gains)
    with pytest.raises(InvalidProblemError, match="not_a_field"):
        FullDuplexProblem.random(seed=0, not_a_field=1)
    q = FullDuplexMultiUserProblem.random(seed=0, p_ul_max=0.2)
    assert q.p_ul_max == 0.2


@pytest.mark.parametrize("seed", range(6))
def test_p2_step_balances_rates_unless_a_link_saturates(seed):
    """Spec §7.5: at the P2 w_t-optimum R_D = R_U, unless one link saturates at its own cap."""
    prob = FullDuplexProblem.random(seed=seed, objective="maxmin", Nr=int(1 + seed % 4), rho_db=-60.0)
    x = socp_beamforming(prob, _x(prob, seed), options={"method": "closed"}).x
    ev = prob.evaluate(x)
    a = prob.fd_arrays(x)
    g = a["H"].conj().T @ a["Wr"][:, 0]
    w = x["w_t"]
    mrt = math.sqrt(prob.p_max) * a["hDc"][0].conj() / np.linalg.norm(a["hDc"][0])
    balanced = abs(ev["R_D"] - ev["R_U"]) <= 1e-6 * ev["R_D"]
    ul_saturated = ev["R_D"] > ev["R_U"] and abs(np.vdot(g, w)) ** 2 <= 1e-8 * np.sum(np.abs(g) ** 2) * prob.p_max
    dl_saturated = ev["R_U"] > ev["R_D"] and abs(np.vdot(mrt, w)) >= (1 - 1e-8) * prob.p_max
    assert balanced or ul_saturated or dl_saturated, ev


def test_tx_score_is_the_objective_and_violation_of_the_packed_point():
    """Transmit blocks score W_t from the block arrays (channels not recomputed): the same numbers
    as objective / violation of fd_pack(x, Wt=W) for P1, P3, P2 and the multi-user problem."""
    rng = np.random.default_rng(0)
    for prob in (FullDuplexProblem.random(1), FullDuplexProblem.random(2, objective="dl_si_cap"),
                 FullDuplexProblem.random(3, objective="maxmin"), FullDuplexMultiUserProblem.random(4)):
        x = {**prob.initial_point(0), **prob.random_layout(rng)}
        a, vp = prob.fd_arrays(x), prob._position_violation(x)
        for scale in (0.01, 0.1, 10.0):                       # feasible and over the power budget
            W = scale * (rng.standard_normal(a["Wt"].shape) + 1j * rng.standard_normal(a["Wt"].shape))
            xn = prob.fd_pack(x, Wt=W)
            assert prob.tx_score(a, W, vp) == (prob.objective(xn), prob.violation(xn))


def test_multiuser_start_searches_random_layouts_from_rng(monkeypatch):
    """MU with movable layouts: the heuristic point (MRT, p_max, MMSE) at the FPA layout and at
    ``layout_draws`` random layouts of the movable blocks, the best by weighted sum rate; FPA draws
    nothing. Measured on the library's MU instances: the AO from it 0.969-0.993 of the best-known
    values (rng 0 and 1), from the FPA point alone 0.943-0.974."""
    prob = FullDuplexMultiUserProblem.random(seed=3)
    plain = prob.heuristic_point()
    a, b, c = prob.ao_initial_point(0), prob.ao_initial_point(0), prob.ao_initial_point(1)
    assert np.array_equal(a["positions_tx"], b["positions_tx"])
    assert not np.array_equal(a["positions_tx"], c["positions_tx"])           # rng explores
    assert prob.objective(a) > prob.objective(plain) + 1e-3                    # the draws found better (not a tie)
    assert prob.violation(a) <= 1e-9
    np.testing.assert_allclose(a["W_t"], prob.heuristic_point({k: a[k] for k in ("positions_tx", "positions_rx")})["W_t"])
    fpa = prob.variant("FPA")
    x = fpa.ao_initial_point(0)
    assert np.array_equal(x["positions_tx"], plain["positions_tx"]) and np.array_equal(x["W_t"], plain["W_t"])
    tx = prob.variant("MA-Tx")
    y = tx.ao_initial_point(0)
    assert np.array_equal(y["positions_rx"], plain["positions_rx"])             # the fixed side stays
    assert not np.array_equal(y["positions_tx"], plain["positions_tx"])
    monkeypatch.setattr(type(prob), "layout_draws", 0)
    z = prob.ao_initial_point(0)
    assert np.array_equal(z["positions_tx"], plain["positions_tx"]) and np.array_equal(z["W_t"], plain["W_t"])
