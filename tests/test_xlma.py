"""XL-MA placement: closed form (Theorem 1), MC evaluation, LP init, successive replacement,
exhaustive search, FPA baselines (specs/xlma.md checks §12)."""
import itertools
import math

import numpy as np
import pytest

import matoolbox as ma
from matoolbox.plots import save_xlma_maps
from matoolbox.problems import XlmaPlacementProblem as X
from matoolbox.solvers import (
    ExhaustiveOptions, exhaustive_placement, lp_init, successive_replacement,
)


@pytest.fixture(scope="module")
def prob_a():
    return X.default()


@pytest.fixture(scope="module")
def prob_b():
    return X.partial_los()


@pytest.fixture(scope="module")
def sol_a(prob_a):
    return ma.ao_solve(prob_a)


# ------------------------------------------------------------------ model / closed form
def test_default_scenario_geometry(prob_a):
    p = prob_a
    assert (p.N0, p.K, p.M) == (61, 160, 8)
    assert abs(p.rho.sum() - 6.0) <= 1e-12
    np.testing.assert_allclose(np.sort(p.rho)[-8:], [0.4] * 4 + [0.8] * 4, rtol=1e-12)
    assert np.all(p.Omega == 1)
    np.testing.assert_allclose(p.candidates[:, 0], np.arange(-30, 31))
    # far field of each subarray, near field of the whole segment, for every link (checks (8)-(9))
    assert p.field_regimes() == {"far_field_subarray": 1.0, "near_field_array": 1.0}


def test_permutation_invariance_and_z_form(prob_b, rng):
    p = prob_b
    sel = np.sort(rng.choice(p.N0, p.N, replace=False))
    f = p.rate(sel)
    for _ in range(3):
        perm = rng.permutation(sel)
        assert p.rate_state(perm).value == pytest.approx(f, rel=1e-12)
    Phi = np.zeros((p.N, p.N0))
    Phi[np.arange(p.N), rng.permutation(sel)] = 1.0
    z = Phi.T @ np.ones(p.N)
    assert float(p.rate_z(z)) == pytest.approx(f, rel=1e-12)
    assert float(p.rates_batch(sel[None])[0]) == pytest.approx(f, rel=1e-12)
    assert p.grid_rates(sel) @ p.rho == pytest.approx(f, rel=1e-12)


def test_incremental_evaluation_matches_full(prob_b, rng):
    p = prob_b
    sel = rng.choice(p.N0, p.N, replace=False)
    st = p.rate_state(sel)
    rem = st.removal_values()
    for i in range(p.N):
        assert rem[i] == pytest.approx(p.rate(np.delete(sel, i)), rel=1e-12)
    cand, vals = st.swap_values(2)
    assert cand.size == p.N0 - p.N and not np.isin(cand, sel).any()
    for c, v in zip(cand[::7], vals[::7]):
        s2 = sel.copy()
        s2[2] = c
        assert v == pytest.approx(p.rate(s2), rel=1e-12)
    st.swap(2, int(cand[5]))
    s2 = sel.copy()
    s2[2] = cand[5]
    assert st.value == pytest.approx(p.rate(s2), rel=1e-12)


def test_subset_rate_kernel_matches_numpy_twin(prob_b, rng):
    S = np.stack([np.sort(rng.choice(prob_b.N0, prob_b.N, replace=False)) for _ in range(300)])
    a = prob_b.rates_batch(S)
    b = prob_b.rates_batch(S, use_numba=False)
    assert np.max(np.abs(a - b) / np.abs(b)) <= 1e-12
    assert a[7] == pytest.approx(prob_b.rate(S[7]), rel=1e-12)


def test_single_active_grid_special_case():
    base = X.random_small(4)
    rho = np.zeros(base.K)
    rho[5] = 0.7
    p = base.with_(rho=rho)
    sel = np.array([1, 8, 13])
    B, G = p._stats["B"][0, sel].sum(), p._stats["G"][0, sel].sum()
    expect = 0.7 * math.log2(1 + p.gamma * (p.M * B + G / (p.M * B)))
    assert p.rate(sel) == pytest.approx(expect, rel=1e-12)


def test_rate_monotone_in_snr():
    base = X.random_small(1)
    sel = np.array([0, 7, 19])
    vals = [base.with_(p_dbm=pd).rate(sel) for pd in (-20, 0, 10, 20, 40)]
    assert np.all(np.diff(vals) >= -1e-12)


def test_closed_form_vs_monte_carlo(prob_a):
    """Spec check 9: 3 % at 70 dB, 8 % at 80 dB, never above 1.05 x MC."""
    sel_h = prob_a.fpa_layouts()["horizontal_sparse"].selection
    sel_p = np.array([7, 8, 9, 10, 11, 12, 54, 55])
    for p_dbm, tol in ((0.0, 0.03), (10.0, 0.08)):
        p = prob_a.with_(p_dbm=p_dbm)
        for sel in (sel_h, sel_p):
            mc = p.simulate(sel, R=2000, rng=11)["mrc"]
            approx = p.rate(sel)
            assert abs(approx / mc - 1) <= tol
            assert approx <= 1.05 * mc


def test_mmse_dominates_mrc_and_upper_bound(prob_b):
    p = prob_b
    lay = p.fpa_layouts()["horizontal_sparse"]
    mc = p.simulate(lay, R=300, rng=5, return_sinr=True)
    s_mrc, s_mmse = mc["mrc_sinr"], mc["mmse_sinr"]
    assert s_mrc.shape == (300, p.active.size)
    assert np.all(s_mmse >= s_mrc - 1e-9 * np.maximum(1.0, s_mrc))
    assert mc["mmse"] >= mc["mrc"]
    assert p.upper_bound(lay) >= mc["mmse"] - 3 * mc["mmse_stderr"]
    # reproducible: same seed, same numbers
    again = p.simulate(lay, R=300, rng=5)
    assert again["mrc"] == mc["mrc"] and again["mmse"] == mc["mmse"]


def test_mrc_only_simulation_gives_the_same_mrc_numbers(prob_b):
    """``receivers=("mrc",)`` (the figure scripts that plot MRC only) skips the MMSE part: same MRC
    numbers (same draws) as the full run, no MMSE keys; an unknown receiver names the field."""
    from matoolbox.core.errors import InvalidProblemError

    lay = prob_b.fpa_layouts()["horizontal_sparse"]
    full = prob_b.simulate(lay, R=200, rng=7)
    mrc = prob_b.simulate(lay, R=200, rng=7, receivers=("mrc",))
    assert mrc["mrc"] == full["mrc"] and mrc["mrc_stderr"] == full["mrc_stderr"]
    assert "mmse" not in mrc and "mmse_grid" not in mrc
    ev = prob_b.evaluate_layout(lay, R=50, rng=1, receivers=("mrc",))
    assert set(ev) == {"approx", "layout_upper_bound", "mrc", "mrc_stderr"}
    with pytest.raises(InvalidProblemError, match="simulate.receivers"):
        prob_b.simulate(lay, R=10, rng=1, receivers=("zf",))


def test_drawn_channels_have_the_model_moments(rng):
    """draw_channels: E|h|^2 = ell + betaN per (k, p, m), the NLoS part circular (E h_nlos^2 = 0)
    and LoS amplitude sqrt(ell) |a| with a uniform phase (2e5 draws of a 2 x 2 x 2 case)."""
    from matoolbox.channels.nearfield import draw_channels

    ell = np.array([[1.0, 0.0], [0.5, 2.0]])
    betaN = np.array([[0.2, 1.0], [0.0, 0.3]])
    a = np.exp(1j * rng.uniform(0, 2 * np.pi, (2, 2, 2)))
    h = draw_channels(rng, ell, betaN, a, 200_000)
    assert h.shape == (200_000, 2, 2, 2)
    np.testing.assert_allclose(np.mean(np.abs(h) ** 2, axis=0), (ell + betaN)[..., None] * np.ones(2), rtol=0.02, atol=0.01)
    np.testing.assert_allclose(np.mean(h, axis=0), 0.0, atol=0.01)              # uniform LoS phase
    nlos_only = draw_channels(rng, np.zeros((2, 2)), betaN, a, 200_000)
    assert np.max(np.abs(np.mean(nlos_only ** 2, axis=0))) < 0.01               # circular
    # LoS only: |h| = sqrt(ell) exactly
    los = draw_channels(rng, ell, np.zeros((2, 2)), a, 10)
    np.testing.assert_allclose(np.abs(los), np.sqrt(ell)[None, :, :, None] * np.ones((10, 2, 2, 2)), atol=1e-12)


def test_mmse_sinr_matches_direct_inverse(rng):
    """Woodbury MMSE SINRs equal gamma h^H (I + sum_{A-k} gamma h h^H)^-1 h computed directly."""
    from matoolbox.xlma.simulate import _sinr_batch

    Rb, K, L, g = 3, 6, 5, 2.5
    H = (rng.standard_normal((Rb, K, L)) + 1j * rng.standard_normal((Rb, K, L))) / 2
    alpha = rng.random((Rb, K)) < 0.5
    alpha[0] = False
    mrc, mmse = _sinr_batch(H, alpha, g)
    for r in range(Rb):
        for k in range(K):
            A = [j for j in range(K) if alpha[r, j] and j != k]
            C = np.eye(L) + g * sum((np.outer(H[r, j], H[r, j].conj()) for j in A), np.zeros((L, L)))
            h = H[r, k]
            assert mmse[r, k] == pytest.approx(g * (h.conj() @ np.linalg.solve(C, h)).real, rel=1e-9)
            i_mrc = g * sum(abs(h.conj() @ H[r, j]) ** 2 for j in A)
            n2 = np.vdot(h, h).real
            assert mrc[r, k] == pytest.approx(g * n2 ** 2 / (i_mrc + n2), rel=1e-12)


def test_reference_values_scenario_a(prob_a, sol_a):
    """Spec §11 anchors (our defaults): LP init 14.46, proposed 15.21 with the 6 + 2 split."""
    assert sol_a.fval == pytest.approx(15.21, abs=0.01)
    x = prob_a.candidates[sol_a.x["selection"], 0]
    np.testing.assert_allclose(x, [-23, -22, -21, -20, -19, -18, 24, 25])
    assert lp_init(prob_a).fval == pytest.approx(14.46, abs=0.01)
    lay = prob_a.fpa_layouts()
    assert prob_a.layout_rate(lay["horizontal_sparse"]) == pytest.approx(13.59, abs=0.01)
    assert prob_a.layout_rate(lay["dense_ula"]) == pytest.approx(13.42, abs=0.01)


# ------------------------------------------------------------------ LP initialization
def test_lp_feasibility_coverage_and_rounding(prob_b, rng):
    p = prob_b
    sol = lp_init(p)
    z = sol.output["z_relaxed"]
    assert sol.output["lp_status"] == "optimal"
    assert sol.output["cvx_attempts"] and sol.output["cvx_attempts"][-1]["status"] == "optimal"
    assert abs(z.sum() - p.N) <= 1e-8
    assert np.all(z >= -1e-9) and np.all(z <= 1 + 1e-9)
    data = p.lp_surrogate()
    assert data["A"].shape[0] >= 1
    assert np.all(data["A"] @ z >= 1 - 1e-6)
    # LP value >= surrogate of random feasible binary z
    hits = 0
    for _ in range(100):
        zz = np.zeros(p.N0)
        zz[rng.choice(p.N0, p.N, replace=False)] = 1
        if np.all(data["A"] @ zz >= 1):
            hits += 1
            assert sol.output["lp_value"] >= data["c"] @ zz - 1e-9
    assert hits > 0
    # rounding: N distinct indices = the top-N entries of z*
    sel = sol.x["selection"]
    assert sel.size == p.N and np.unique(sel).size == p.N
    assert z[sel].min() >= np.delete(z, sel).max() - 1e-12
    assert sol.fval == pytest.approx(p.rate(sel), rel=1e-12)


def test_lp_without_coverage_is_top_n_of_surrogate(prob_b):
    sol = lp_init(prob_b, options={"coverage": False, "solvers": ("CLARABEL", "SCS")})
    c = prob_b.lp_surrogate()["c"]
    assert set(sol.x["selection"]) == set(np.argsort(-c)[: prob_b.N])


# ------------------------------------------------------------------ successive replacement
def _check_sr(p, sol, start_value):
    h = np.asarray(sol.history)
    assert np.all(np.diff(h) > 0)
    assert sol.nit <= p.N and len(sol.output["moves"]) == sol.nit
    movers = [m[0] for m in sol.output["moves"]]
    assert len(set(movers)) == len(movers)
    assert sol.fval >= start_value - 1e-12
    sel = sol.x["selection"]
    assert sel.size == p.N and np.unique(sel).size == p.N and sel.min() >= 0 and sel.max() < p.N0
    Phi = np.zeros((p.N, p.N0))
    Phi[np.arange(p.N), sol.output["placement"]] = 1
    assert np.all(Phi.sum(0) <= 1) and np.all(Phi.sum(1) == 1)       # constraints (3), (4)


def test_successive_replacement_properties(prob_b):
    p = prob_b
    init = lp_init(p)
    x0 = {"selection": init.x["selection"], "placement": init.output["placement"]}
    sol = successive_replacement(p, x0)
    _check_sr(p, sol, init.fval)
    assert sol.output["start_value"] == pytest.approx(init.fval, rel=1e-12)
    assert sol.fval == pytest.approx(14.09, abs=0.01)                   # spec §11, 5 + 3 split
    xs = p.candidates[sol.x["selection"], 0]
    assert np.sum(xs < 0) == 5 and np.sum(xs > 0) == 3
    # the paper's rule stops at the first rejection; continue_on_fail only extends the move list
    cont = successive_replacement(p, x0, options={"continue_on_fail": True})
    _check_sr(p, cont, init.fval)
    assert cont.output["moves"][: sol.nit] == sol.output["moves"]
    if sol.output["rejected"] is not None:
        assert sol.nit < p.N
    assert cont.fval >= sol.fval - 1e-12


def test_replacement_from_a_poor_start(prob_a):
    p = prob_a
    x0 = {"selection": np.arange(8)}
    sol = successive_replacement(p, x0)
    _check_sr(p, sol, p.rate(np.arange(8)))
    assert sol.fval > p.rate(np.arange(8))


# ------------------------------------------------------------------ exhaustive search
def test_exhaustive_equals_brute_force():
    p = X.random_small(2)
    sol = exhaustive_placement(p, options={"batch": 97})
    best = max(itertools.combinations(range(p.N0), p.N), key=lambda s: p.rate(np.array(s)))
    assert sol.fval == pytest.approx(p.rate(np.array(best)), rel=1e-12)
    assert sol.output["n_combinations"] == math.comb(p.N0, p.N)


def test_replacement_near_exhaustive_on_small_instances():
    """Spec check 13: 20 seeds, N0 = 14, N = 4, random rho / Omega."""
    ratios, lp_ratios = [], []
    for seed in range(20):
        p = X.random_small(seed, N=4, Nx=7, Nz=2)
        opt = exhaustive_placement(p)
        sr = ma.ao_solve(p)
        assert sr.fval <= opt.fval + 1e-12
        ratios.append(sr.fval / opt.fval)
        lp_ratios.append(lp_init(p).fval / opt.fval)
    assert min(ratios) >= 0.95
    assert np.mean(ratios) >= np.mean(lp_ratios) - 1e-12


def test_exhaustive_refuses_large_instances(prob_a):
    with pytest.raises(ma.InvalidProblemError, match="max_combinations"):
        exhaustive_placement(prob_a)
    with pytest.raises(ma.InvalidProblemError, match="max_combinations"):
        exhaustive_placement(X.random_small(0), options=ExhaustiveOptions(max_combinations=10))


def test_nested_regions_and_mirror_symmetry():
    small, big = X.default(L=11, N=4), X.default(L=21, N=4)
    assert set(small.candidates[:, 0]) <= set(big.candidates[:, 0])
    assert exhaustive_placement(big).fval >= exhaustive_placement(small).fval - 1e-12
    # mirror users / hotspots in x: value unchanged, selection mirrored
    p = big
    i, j, l = ma.channels.nearfield.grid_ijl(np.arange(p.K), p.Kx, p.Ky)
    mirror = ma.channels.nearfield.grid_index(p.Kx - 1 - i, j, l, p.Kx, p.Ky)
    q = p.with_(rho=p.rho[mirror])
    s1, s2 = exhaustive_placement(p), exhaustive_placement(q)
    assert s2.fval == pytest.approx(s1.fval, rel=1e-9)
    np.testing.assert_allclose(np.sort(-p.candidates[s1.x["selection"], 0]), q.candidates[s2.x["selection"], 0])


# ------------------------------------------------------------------ baselines and qualitative checks
def test_fpa_baselines_well_formed():
    p = X.user_distribution(2, rho=np.full(432, 6 / 432))
    lay = p.fpa_layouts()
    assert set(lay) == {"sparse", "horizontal_sparse", "vertical_sparse", "dense_ula", "dense_upa"}
    for name in ("sparse", "horizontal_sparse", "vertical_sparse"):
        s = lay[name].selection
        assert s.size == p.N and np.unique(s).size == p.N and s.min() >= 0 and s.max() < p.N0
    i, j = ma.channels.nearfield.candidate_ij(lay["horizontal_sparse"].selection, p.Nx)
    assert i.min() == 0 and i.max() == p.Nx - 1 and np.all(j == math.ceil(p.Nz / 2) - 1)
    i, j = ma.channels.nearfield.candidate_ij(lay["vertical_sparse"].selection, p.Nx)
    assert j.min() == 0 and j.max() == p.Nz - 1 and np.all(i == math.ceil(p.Nx / 2) - 1)
    i, j = ma.channels.nearfield.candidate_ij(lay["sparse"].selection, p.Nx)
    assert len(set(i)) == 4 and len(set(j)) == 2
    nc = (math.ceil(p.Nz / 2) - 1) * p.Nx + math.ceil(p.Nx / 2) - 1
    for name, shape in (("dense_ula", (p.N * p.M, 1)), ("dense_upa", (4 * p.MH, 2 * p.MV))):
        d = lay[name]
        assert d.centres.shape == (1, 3) and (d.MH, d.MV) == shape and d.M == p.N * p.M
        np.testing.assert_allclose(d.centres[0], p.candidates[nc])


@pytest.mark.parametrize("L", [41, 61])
def test_proposed_beats_fpa_scenario_a(L):
    p = X.default(L=L)
    sol = ma.ao_solve(p)
    for name, lay in p.fpa_layouts().items():
        assert sol.fval > p.layout_rate(lay), name


@pytest.mark.parametrize("kappa_db", [0.0, 10.0])
def test_proposed_beats_fpa_scenario_b(kappa_db):
    p = X.partial_los(kappa_db=kappa_db)
    sol = ma.ao_solve(p)
    assert 0.4 < p.Omega.mean() < 0.7
    for name, lay in p.fpa_layouts().items():
        assert sol.fval > p.layout_rate(lay), name


@pytest.mark.parametrize("kind", [pytest.param(1, marks=pytest.mark.slow), pytest.param(2, marks=pytest.mark.slow), 3])
def test_proposed_beats_fpa_scenario_c(kind):
    p = X.user_distribution(kind)
    sol = ma.ao_solve(p)
    for name, lay in p.fpa_layouts().items():
        assert sol.fval > p.layout_rate(lay), name


def test_ao_solve_is_lp_then_replacement(prob_a, sol_a):
    init = lp_init(prob_a)
    sr = successive_replacement(prob_a, {"selection": init.x["selection"], "placement": init.output["placement"]})
    assert sol_a.fval == pytest.approx(sr.fval, rel=1e-12)
    assert sol_a.exitflag == 1 and sol_a.violation == 0 and sol_a.solver == "ao_solve"
    assert sol_a.output["positions"].shape == (8, 3)
    assert "upper_bound" not in sol_a.output               # named for its scope (issue 22 item 4)
    assert sol_a.output["layout_upper_bound"] == pytest.approx(prob_a.upper_bound(sol_a.x["selection"]))
    assert sol_a.output["layout_upper_bound"] > 0


def test_maps(prob_b, sol_a, tmp_path):
    p = prob_b
    res = save_xlma_maps(p, sol_a.x["selection"], tmp_path, "b", resolution=30)
    for key in ("power", "correlation"):
        assert res[key].exists() and (tmp_path / f"b_{key}.csv").exists()
    pw, ze = res["power_values"], res["correlation_values"]
    assert pw.shape == (30, 30) and np.all(np.isfinite(pw))
    assert np.all((ze >= 0) & (ze <= 1 + 1e-12))
    # blocked LoS lowers the power: with no obstacles the map is pointwise >= the obstacle map
    free = p.with_(obstacles=np.zeros((0, 6)))
    pts, *_ = p.map_points(30)
    assert np.all(free.power_map(sol_a.x["selection"], pts) >= p.power_map(sol_a.x["selection"], pts) - 1e-12)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("kw, field", [
    (dict(N=70), "N"),
    (dict(rho=np.full(160, 1.5)), "rho"),
    (dict(rho=np.ones(10) * 0.1), "rho"),
    (dict(rho=np.zeros(160)), "rho"),
    (dict(user_y=(0.0, 42.0)), "user_y"),
    (dict(MH=300), "ma_x"),
    (dict(obstacles=np.ones((2, 5))), "obstacles"),
    (dict(omega=np.ones((3, 3))), "omega"),
    (dict(fc=-1.0), "fc"),
    (dict(kappa_db=float("nan")), "kappa_db"),
    (dict(convention="edges"), "convention"),
    (dict(Nx=0), "Nx"),
])
def test_bad_input_names_field(kw, field):
    with pytest.raises(ma.InvalidProblemError, match=rf"XlmaPlacementProblem\.{field}"):
        X.default(**kw)


def test_bad_selection_and_kind(prob_a):
    with pytest.raises(ma.InvalidProblemError, match="selection"):
        prob_a.rate([0, 0, 1, 2, 3, 4, 5, 6])
    with pytest.raises(ma.InvalidProblemError, match="selection"):
        prob_a.rate([0, 1, 2, 3, 4, 5, 6, 61])
    assert prob_a.violation({"selection": np.array([0, 0, 1])}) > 0
    assert prob_a.violation({"selection": np.arange(8)}) == 0
    with pytest.raises(ma.InvalidProblemError, match="kind"):
        X.user_distribution(4)
