"""CoMP-RSMA problem: channel, rates, gradients, projections, LP split, validation (spec §9, 1-5, 8-10)."""
import dataclasses
import math

import cvxpy as cp

import numpy as np
import pytest

from matoolbox import InvalidProblemError, check_gradient
from matoolbox.channels import field_response as fr
from matoolbox.problems import CompRsmaProblem
from matoolbox.comp_rsma.rates import lp_split, project_power, project_split, rates_from_gains


@pytest.fixture(scope="module")
def prob():
    return CompRsmaProblem.random(seed=0)


def _brute_channel(p, r):
    """h_{n,k} (N, K, I), noise-normalised, from explicit sums over (q, l)."""
    lam = p.wavelength
    kap = 2 * np.pi / lam
    t = np.stack([(np.arange(p.I) - (p.I - 1) / 2) * lam / 2, np.zeros(p.I)], -1)
    sig = math.sqrt(10 ** ((p.noise_dbm - 30) / 10))
    h = np.zeros((p.N, p.K, p.I), complex)
    for n in range(p.N):
        for k in range(p.K):
            for i in range(p.I):
                s = 0j
                for q in range(p.Q):
                    wr = [math.cos(p.theta_r[n, k, q]) * math.sin(p.phi_r[n, k, q]), math.sin(p.theta_r[n, k, q])]
                    f = np.exp(1j * kap * np.dot(wr, r[k]))
                    for l_ in range(p.L):
                        wt = [math.cos(p.theta_t[n, k, l_]) * math.sin(p.phi_t[n, k, l_]), math.sin(p.theta_t[n, k, l_])]
                        s += np.conj(f) * p.Sigma[n, k, q, l_] * np.exp(1j * kap * np.dot(wt, t[i]))
                h[n, k, i] = np.conj(s) / sig
    return h


def _brute_rates(h, P):
    """Coherent rates of spec §2.3 with explicit loops over n, j."""
    N, K, _ = h.shape

    def a(k, s):
        return sum(np.conj(h[n, k]) @ P[n, :, s] for n in range(N))

    Rc, Rp = [], []
    for k in range(K):
        Ip = sum(abs(a(k, j)) ** 2 for j in range(1, K + 1) if j != k + 1) + 1.0
        Ic = Ip + abs(a(k, k + 1)) ** 2
        T = Ic + abs(a(k, 0)) ** 2
        Rc.append(math.log2(T / Ic))
        Rp.append(math.log2(Ic / Ip))
    return np.array(Rc), np.array(Rp)


# ---------------------------------------------------------------- 1-4: channel and rates ------
def test_default_instance_matches_spec(prob):
    assert (prob.N, prob.I, prob.K, prob.L, prob.Q) == (2, 4, 4, 6, 6)
    assert prob.wavelength == 0.01 and prob.region == pytest.approx(0.02)
    assert np.allclose(prob.pmax, 10 ** 0.3)
    assert prob.rth == 0.6 and prob.noise_dbm == -100 and prob.scheme == "RSMA-MA"
    # same seed, same draw
    again = CompRsmaProblem.random(seed=0)
    assert np.array_equal(again.Sigma, prob.Sigma) and np.array_equal(again.theta_r, prob.theta_r)


def test_channel_equals_triple_loop(prob, rng):
    r = rng.uniform(-0.01, 0.01, (prob.K, 2))
    h = _brute_channel(prob, r)
    hH = prob.channel_rows(r)
    stacked = h.transpose(1, 0, 2).reshape(prob.K, -1).conj()
    assert np.max(np.abs(hH - stacked)) <= 1e-12 * np.max(np.abs(stacked))
    # |f_q| = |g_l| = 1; r = 0: the receive FRV is all ones
    Wr = fr.directions(prob.theta_r[0, 0], prob.phi_r[0, 0])
    Wt = fr.directions(prob.theta_t[0, 0], prob.phi_t[0, 0])
    assert np.allclose(np.abs(fr.frv(Wr, r, prob.wavelength)), 1.0)
    assert np.allclose(np.abs(fr.field_response_matrix(Wt, fr.ula_positions(prob.I, 0.005), prob.wavelength)), 1.0)
    assert np.allclose(fr.frv(Wr, np.zeros(2), prob.wavelength), 1.0)


def test_channel_power_statistics():
    """E||h_{n,k}||^2 / (I g0 d^-alpha) = 1 (noise scaling removed), 2e4 links."""
    p = CompRsmaProblem.random(seed=3, N=1, K=20000)
    h = p.channel_rows(np.zeros((p.K, 2)))
    sig2 = 10 ** ((p.noise_dbm - 30) / 10)
    d = np.linalg.norm(p.bs_xy[0] - p.user_xy, axis=-1)
    ratio = np.sum(np.abs(h) ** 2, axis=-1) * sig2 / (p.I * p.g0 * d ** (-p.alpha))
    assert 0.97 <= ratio.mean() <= 1.03


def test_rates_equal_brute_force_and_invariances(prob, rng):
    x = prob.random_point(rng)
    Rc, Rp = prob.rates(x)
    Rc2, Rp2 = _brute_rates(_brute_channel(prob, x["positions"]), x["precoders"])
    assert np.max(np.abs(Rc - Rc2)) <= 1e-10 and np.max(np.abs(Rp - Rp2)) <= 1e-10
    # per-stream phase rotation
    ph = np.exp(1j * rng.uniform(0, 2 * np.pi, prob.K + 1))
    Rc3, Rp3 = prob.rates({**x, "precoders": x["precoders"] * ph})
    assert np.allclose(Rc3, Rc, atol=1e-12) and np.allclose(Rp3, Rp, atol=1e-12)
    # global noise normalisation: +10 dB noise and +10 dB power -> same rates
    louder = prob.with_(noise_dbm=prob.noise_dbm + 10)
    Rc4, Rp4 = louder.rates({**x, "precoders": x["precoders"] * math.sqrt(10)})
    assert np.allclose(Rc4, Rc, atol=1e-10) and np.allclose(Rp4, Rp, atol=1e-10)
    # p0 = 0 => Rc = 0
    P0 = x["precoders"].copy()
    P0[:, :, 0] = 0
    assert np.allclose(prob.rates({**x, "precoders": P0})[0], 0.0)


def test_permuting_users_permutes_rates(prob, rng):
    x = prob.random_point(rng)
    perm = rng.permutation(prob.K)
    q = prob.with_(theta_t=prob.theta_t[:, perm], phi_t=prob.phi_t[:, perm], theta_r=prob.theta_r[:, perm],
                   phi_r=prob.phi_r[:, perm], Sigma=prob.Sigma[:, perm])
    Pq = x["precoders"].copy()
    Pq[:, :, 1:] = x["precoders"][:, :, 1:][:, :, perm]
    Rc, Rp = prob.rates(x)
    Rcq, Rpq = q.rates({"precoders": Pq, "positions": x["positions"][perm]})
    assert np.allclose(Rcq, Rc[perm], atol=1e-12) and np.allclose(Rpq, Rp[perm], atol=1e-12)


def test_single_bs_golden_evaluator(rng):
    """N = 1: independent RSMA evaluator on H = F^H Sigma G built with channels.field_response."""
    p = CompRsmaProblem.random(seed=5, N=1, K=3, I=3)
    x = p.random_point(rng)
    sig = math.sqrt(10 ** ((p.noise_dbm - 30) / 10))
    t = fr.ula_positions(p.I, p.wavelength / 2)
    H = np.zeros((p.K, p.I), complex)
    for k in range(p.K):
        G = fr.field_response_matrix(fr.directions(p.theta_t[0, k], p.phi_t[0, k]), t, p.wavelength)
        F = fr.field_response_matrix(fr.directions(p.theta_r[0, k], p.phi_r[0, k]), x["positions"][k:k + 1], p.wavelength)
        H[k] = fr.channel_matrix(F, p.Sigma[0, k], G)[0] / sig
    W = x["precoders"][0]
    S = np.abs(H @ W) ** 2          # (K, K+1)
    total = S.sum(axis=1) + 1
    Rc_ref = np.log2(total / (total - S[:, 0]))
    priv = np.array([S[k, k + 1] for k in range(p.K)])
    Rp_ref = np.log2((total - S[:, 0]) / (total - S[:, 0] - priv))
    Rc, Rp = p.rates(x)
    assert np.max(np.abs(Rc - Rc_ref)) <= 1e-10 and np.max(np.abs(Rp - Rp_ref)) <= 1e-10


def test_batched_gains_match_single(prob, rng):
    x = prob.random_point(rng)
    batch = rng.uniform(-0.01, 0.01, (5, prob.K, 2))
    Ab = prob.gains(x["precoders"], batch)
    for b in range(5):
        assert np.allclose(Ab[b], prob.gains(x["precoders"], batch[b]), atol=1e-12)
    vals = prob.objective_batch("positions", batch, x)
    assert np.allclose(vals, [prob.objective({**x, "positions": v}) for v in batch])
    viol = prob.violation_batch("positions", batch * 2, x)
    assert np.allclose(viol, [prob.violation({**x, "positions": v}) for v in batch * 2])
    red = prob.as_reduced()
    assert np.allclose(red.objective_batch("positions", batch, x),
                       [red.objective({**x, "positions": v}) for v in batch])

@pytest.mark.parametrize("moving", [(1,), (0, 2), ()])
def test_batched_gains_with_fixed_rows_match_single(prob, rng, moving):
    """A grid-search batch (B >= 8) where only some users' rows move: the rows (and rates) of the
    users that stay put are computed once; every row and rate must still equal the single point's."""
    x = prob.random_point(rng)
    batch = np.repeat(x["positions"][None], 12, axis=0)
    for k in moving:
        batch[:, k] = rng.uniform(-0.01, 0.01, (12, 2))
    Ab = prob.gains(x["precoders"], batch)
    assert Ab.shape == (12, prob.K, prob.K + 1)
    for b in range(12):
        assert np.allclose(Ab[b], prob.gains(x["precoders"], batch[b]), atol=1e-12)
    assert np.allclose(prob.objective_batch("positions", batch, x),
                       [prob.objective({**x, "positions": v}) for v in batch])
    Rc, Rp = prob.rates_at(x["precoders"], batch)        # only the moving users' rates per entry
    for b in range(12):
        one = prob.rates_at(x["precoders"], batch[b])
        assert np.allclose(Rc[b], one[0], atol=1e-12) and np.allclose(Rp[b], one[1], atol=1e-12)


@pytest.mark.parametrize("access, reduced", [("sdma", False), ("rsma", False), ("rsma", True)])
def test_score_rows_is_score_batch_per_row(access, reduced, rng):
    """score_rows (a grid-search sweep's first pass: every user's candidates in one call) gives,
    for each user k, what score_batch gives for the batch that moves user k alone; the grid
    search ends at the same point with it as without it, from a point where few users move."""
    from matoolbox.optim.blocks import grid_search_positions
    from matoolbox.optim.grid_search import _unit_grid

    p = CompRsmaProblem.random(seed=5, K=5, I=3, access=access)
    p = p.as_reduced() if reduced else p
    x = p.random_point(rng)
    lo, hi = p.bounds()
    cands = lo[:, None] + _unit_grid(6, 2)[None] * (hi - lo)[:, None]              # (K, 36, 2)
    f, v = p.score_rows("positions", x, cands)
    assert f.shape == v.shape == (p.K, 36)
    for k in range(p.K):
        batch = np.repeat(x["positions"][None], 36, axis=0)
        batch[:, k] = cands[k]
        fb, vb = p.score_batch("positions", batch, x)
        assert np.allclose(f[k], fb, rtol=1e-12, atol=1e-12) and np.allclose(v[k], vb, rtol=1e-12, atol=1e-12)
    y = grid_search_positions(p, x).x                  # then few users move: the rows path matters
    a = grid_search_positions(p, {**y, "precoders": 0.9 * y["precoders"]})
    p_plain = dataclasses.replace(p)
    object.__setattr__(p_plain, "score_rows", lambda *args: None)
    b = grid_search_positions(p_plain, {**y, "precoders": 0.9 * y["precoders"]})
    assert np.array_equal(a.x["positions"], b.x["positions"]) and a.fval == pytest.approx(b.fval, rel=1e-12)


# ---------------------------------------------------------------- 5: gradients ----------------
@pytest.mark.parametrize("seed", [0, 1])
def test_weighted_rate_gradients(seed):
    p = CompRsmaProblem.random(seed=seed)
    rng = np.random.default_rng(seed + 10)
    x = p.random_point(rng)
    wc, wp = rng.standard_normal(p.K), rng.standard_normal(p.K)
    r0, P0 = x["positions"], x["precoders"]
    chk = check_gradient(lambda P: p.weighted_rates(P, r0, wc, wp).value,
                         lambda P: p.weighted_rates(P, r0, wc, wp).grad_precoders, P0, rng=rng,
                         steps=[1e-4, 1e-5, 1e-6])
    assert chk.rel_error <= 1e-5
    lam = p.wavelength
    chk = check_gradient(lambda r: p.weighted_rates(P0, r, wc, wp).value,
                         lambda r: p.weighted_rates(P0, r, wc, wp).grad_positions, r0, rng=rng,
                         steps=lam * np.array([1e-4, 1e-5, 1e-6]))
    assert chk.rel_error <= 1e-5


def test_objective_and_block_gradients(rng):
    for access in ("rsma", "sdma"):
        p = CompRsmaProblem.random(seed=2, access=access)
        for q in (p, p.as_reduced()):
            x = q.random_point(rng)
            x["common"] = rng.uniform(0, 0.1, q.K) if access == "rsma" else np.zeros(q.K)
            for block, steps in (("precoders", [1e-5, 1e-6]), ("positions", [1e-6, 1e-8]),
                                 ("common", [1e-4, 1e-6])):
                chk = check_gradient(lambda v: q.objective({**x, block: v}),
                                     lambda v: q.gradient(block, {**x, block: v}), x[block],
                                     rng=rng, steps=steps)
                assert chk.rel_error <= 1e-5 or abs(chk.directional) < 1e-12, (access, q.reduced, block)


def test_nlp_jacobians_match_finite_differences(rng):
    for access, movable in (("rsma", True), ("sdma", False)):
        p = CompRsmaProblem.random(seed=4, access=access, movable=movable)
        x = p.random_point(rng)
        x["common"] = rng.uniform(0, 0.1, p.K) if p.rsma else np.zeros(p.K)
        z = p.nlp_pack(x)
        assert np.allclose(p.nlp_pack(p.nlp_unpack(z)), z)
        f0, g0 = p.nlp_fun(z)
        c0, J = p.nlp_constraints(z)
        d = rng.standard_normal(z.size)
        d /= np.linalg.norm(d)
        h = 1e-6
        fd = (p.nlp_fun(z + h * d)[0] - p.nlp_fun(z - h * d)[0]) / (2 * h)
        assert abs(fd - g0 @ d) <= 1e-5 * max(1, abs(fd))
        cfd = (p.nlp_constraints(z + h * d)[0] - p.nlp_constraints(z - h * d)[0]) / (2 * h)
        assert np.allclose(cfd, J @ d, rtol=1e-5, atol=1e-6)
        assert J.shape == (p.N + (2 if p.rsma else 1) * p.K, z.size)


@pytest.mark.parametrize("model", ["coherent", "paper", "noncoherent"])
@pytest.mark.parametrize("variant", ["RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA"])
def test_nlp_kernel_equals_the_numpy_path(variant, model, rng, monkeypatch):
    """The numba NLP kernels give the NumPy path's objective, gradient, rows and Jacobian (to
    rounding); a value-only evaluation is not reused for derivatives."""
    import matoolbox.comp_rsma.nlp as nlp
    p = CompRsmaProblem.random(seed=6, pmax_dbm=[31.0, 28.0], interference=model).variant(variant)
    for _ in range(3):
        x = p.random_point(rng)
        x["common"] = rng.uniform(0, 0.3, p.K) if p.rsma else np.zeros(p.K)
        z = p.nlp_pack(x)
        got = {}
        for flag in (True, False):
            monkeypatch.setattr(nlp, "_USE_KERNEL", flag)
            for key in ("nlp_kernel", "nlp_jacobians", "nlp_rates"):      # the memos
                p._c.pop(key, None)
            v, rows = p.nlp_value(z), p.nlp_constraint_values(z)     # value-only first
            got[flag] = (v, rows, *p.nlp_fun(z), *p.nlp_constraints(z))
            assert (p._c.get("nlp_kernel") is not None) == flag
        for a, b in zip(got[True], got[False]):
            assert np.allclose(a, b, rtol=1e-10, atol=1e-10), variant
        assert np.any(got[True][3] != 0) and np.any(got[True][5] != 0)
        if model == "paper" and p.movable:           # R_k depends on every r_j: off-diagonal columns
            J = got[True][5][p.N:p.N + p.K, -2 * p.K:].reshape(p.K, p.K, 2)
            assert np.any(J[~np.eye(p.K, dtype=bool)] != 0)
    if model != "coherent":
        return
    # a huge MRT stream for user 0 alone: I^c - |a_00|^2 cancels to 0 in floating point, and the
    # guard I^p >= 1 keeps its private rate finite (log2 |a|^2) in both paths
    x = {"precoders": np.zeros((p.N, p.I, p.K + 1), complex), "common": np.zeros(p.K),
         "positions": np.zeros((p.K, 2))}
    x["precoders"][:, :, 1] = 1e12 * p.channel_rows(x["positions"])[0].conj().reshape(p.N, p.I)
    z = p.nlp_pack(x)
    got = {}
    for flag in (True, False):
        monkeypatch.setattr(nlp, "_USE_KERNEL", flag)
        for key in ("nlp_kernel", "nlp_jacobians", "nlp_rates"):
            p._c.pop(key, None)
        got[flag] = (p.nlp_value(z), *p.nlp_fun(z), *p.nlp_constraints(z))
    assert np.isfinite(got[True][0]) and got[True][0] < -60
    for a, b in zip(got[True], got[False]):
        assert np.all(np.isfinite(a)) and np.allclose(a, b, rtol=1e-9, atol=1e-9)


def test_nlp_value_hooks_are_the_full_evaluations_without_derivatives(rng):
    """multistart's line searches call nlp_value / nlp_constraint_values: they must be exactly the
    values of nlp_fun / nlp_constraints (else SLSQP's iterates change), for every scheme and model."""
    for model in ("coherent", "paper", "noncoherent"):
        for v in ("RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA"):
            p = CompRsmaProblem.random(seed=2, interference=model).variant(v)
            for _ in range(2):
                x = p.random_point(rng)
                x["common"] = rng.uniform(0, 0.3, p.K) if p.rsma else np.zeros(p.K)
                z = p.nlp_pack(x)
                assert p.nlp_value(z) == p.nlp_fun(z)[0], (model, v)
                assert np.array_equal(p.nlp_constraint_values(z), p.nlp_constraints(z)[0]), (model, v)
                # and the rows are the constraints, from the public rates (g >= 0 form)
                xs = p.nlp_unpack(z)
                Rc, Rp = p.rates(xs)
                c = xs["common"] if p.rsma else np.zeros(p.K)
                want = [p.pmax[n] - np.sum(np.abs(xs["precoders"][n]) ** 2) for n in range(p.N)]
                want += list(c + Rp - p.rth) + (list(Rc - c.sum()) if p.rsma else [])
                assert np.allclose(p.nlp_constraint_values(z), want, rtol=1e-12, atol=1e-12), (model, v)


# ---------------------------------------------------------------- 8-9: projections, LP --------
def _cvx_projection(v, b, lower):
    c = cp.Variable(v.size)
    cons = [c >= lower, cp.sum(c) <= b]
    cp.Problem(cp.Minimize(cp.sum_squares(c - v)), cons).solve(solver="CLARABEL", tol_gap_abs=1e-12,
                                                                tol_gap_rel=1e-12, tol_feas=1e-12)
    return c.value


def test_capped_simplex_projection(rng):
    for trial in range(120):
        K = int(rng.integers(1, 7))
        v = rng.normal(0.3, 1.0, K)
        b = float(rng.uniform(0, 2))
        lower = rng.uniform(0, b / K, K) if trial % 2 else np.zeros(K)
        c, ok = project_split(v, b, lower if trial % 2 else None)
        assert ok and np.all(c >= lower - 1e-12) and c.sum() <= b + 1e-12
        c2, _ = project_split(c, b, lower if trial % 2 else None)
        assert np.allclose(c2, c, atol=1e-12)                  # idempotent
        assert np.allclose(_cvx_projection(v, b, lower), c, atol=1e-8)
    feas = np.array([0.1, 0.2, 0.0])
    assert np.array_equal(project_split(feas, 1.0)[0], feas)   # feasible input unchanged
    assert project_split(np.ones(3), -0.1)[1] is False          # b < 0: infeasible
    assert project_split(np.ones(3), 1.0, lower=np.full(3, 0.5))[1] is False


def test_lp_split_matches_highs(rng):
    for _ in range(30):
        K = int(rng.integers(1, 6))
        Rc = rng.uniform(0.2, 2.0, K)
        Rp = rng.uniform(0.0, 1.5, K)
        rth = float(rng.uniform(0, 1.0))
        c, ok = lp_split(Rc, Rp, rth)
        ell = np.maximum(0, rth - Rp)
        var = cp.Variable(K)
        lp = cp.Problem(cp.Maximize(cp.sum(var)), [var >= ell, cp.sum(var) <= Rc.min()])
        lp.solve(solver="HIGHS")
        if lp.status == "optimal":
            assert ok and abs(c.sum() - lp.value) <= 1e-9 and abs(c.sum() - Rc.min()) <= 1e-12
            assert np.all(c >= ell) and np.all(c >= 0)
        else:
            assert not ok and lp.status == "infeasible"


def test_projections_and_polish(prob, rng):
    corner = prob.region / 2 * np.sign(rng.standard_normal((prob.K, 2)))
    x = {"precoders": prob.mrt_precoders(corner), "positions": corner}   # MRT at full power
    big = {**x, "precoders": 3 * x["precoders"], "positions": 2.5 * corner, "common": -np.ones(prob.K)}
    assert prob.violation(big) > 0
    y = prob.polish(big)
    pw = np.sum(np.abs(y["precoders"]) ** 2, axis=(1, 2))
    assert np.all(pw <= prob.pmax * (1 + 1e-12)) and np.allclose(pw, prob.pmax)
    assert np.all(np.abs(y["positions"]) == prob.region / 2)      # clipped to the region's corner
    assert np.all(y["common"] >= 0)
    Rc, Rp = prob.rates(y)
    assert prob.violation(y) <= 1e-9                              # the repair gives a feasible point
    assert y["common"].sum() == pytest.approx(Rc.min(), abs=1e-12)
    assert prob.objective(y) == pytest.approx(prob.value(y))
    assert np.allclose(project_power(y["precoders"], prob.pmax), y["precoders"])
    lo, hi = prob.bounds("positions")
    assert lo.shape == (prob.K, 2) and np.all(hi == prob.region / 2)


def test_scheme_restrictions(rng):
    sdma = CompRsmaProblem.random(seed=1, access="sdma", movable=False)
    x = sdma.random_point(rng)
    assert np.all(x["precoders"][:, :, 0] == 0) and np.all(x["positions"] == 0)
    assert np.all(sdma.project("positions", np.ones((sdma.K, 2))) == 0)
    P = sdma.project("precoders", np.ones((sdma.N, sdma.I, sdma.K + 1)))
    assert np.all(P[:, :, 0] == 0)
    y = dict(sdma.polish(x))
    assert np.all(y["common"] == 0)
    bad = {**y, "common": np.full(sdma.K, 0.1)}
    assert sdma.violation(bad) >= 0.1
    moved = {**y, "positions": np.full((sdma.K, 2), 1e-3)}
    assert sdma.violation(moved) >= 0.1 - 1e-12
    # objective = sum of private rates; QoS is R_p >= R_th
    assert sdma.objective(y) == pytest.approx(sdma.rates(y)[1].sum())


def test_violation_agrees_with_explicit_checks(rng):
    """Points around a feasible one (LP split perturbed, power scaled): both outcomes occur."""
    p = CompRsmaProblem.random(seed=7, rth=0.3)
    base = p.initial_point()
    outcomes = []
    for _ in range(40):
        x = {**base, "precoders": base["precoders"] * rng.uniform(0.97, 1.01),
             "common": base["common"] * rng.uniform(-0.2, 1.5, p.K)}
        Rc, Rp = p.rates(x)
        pw = np.sum(np.abs(x["precoders"]) ** 2, axis=(1, 2))
        ok = (np.all(pw <= p.pmax * (1 + 1e-6)) and np.all(x["common"] >= 0)
              and x["common"].sum() <= Rc.min() + 1e-6 and np.all(x["common"] + Rp >= p.rth - 1e-6))
        assert ok == (p.violation(x) <= 1e-6)
        outcomes.append(ok)
    assert any(outcomes) and not all(outcomes)


def test_grid_init_maximises_gain(prob):
    r = prob.grid_positions()
    assert r.shape == (prob.K, 2) and np.all(np.abs(r) <= prob.region / 2)
    g_best = np.sum(np.abs(prob.channel_rows(r)) ** 2, axis=-1)
    g_centre = np.sum(np.abs(prob.channel_rows(np.zeros((prob.K, 2)))) ** 2, axis=-1)
    assert np.all(g_best >= g_centre)
    assert np.all(CompRsmaProblem.random(seed=0, movable=False).grid_positions() == 0)


# ---------------------------------------------------------------- validation ------------------
@pytest.mark.parametrize("kw, field", [
    ({"K": 0}, "K"), ({"N": 0}, "N"), ({"I": 0}, "I"), ({"pmax_w": -1.0}, "pmax_w"),
    ({"rth": -0.1}, "rth"), ({"region": -0.01}, "region"), ({"wavelength": 0.0}, "wavelength"),
    ({"access": "noma"}, "access"), ({"movable": "yes"}, "movable"), ({"pmax_dbm": float("nan")}, "pmax_dbm"),
])
def test_bad_input_names_field(kw, field):
    with pytest.raises(InvalidProblemError, match=rf"CompRsmaProblem\.{field}\b"):
        CompRsmaProblem.random(seed=0, **kw)


def test_wrong_channel_shapes(prob):
    with pytest.raises(InvalidProblemError, match="Sigma"):
        prob.with_(Sigma=prob.Sigma[:, :, :3])
    with pytest.raises(InvalidProblemError, match="phi_r"):
        prob.with_(phi_r=prob.phi_r[:, :1])
    with pytest.raises(InvalidProblemError, match="pmax_dbm"):
        prob.with_(pmax_dbm=np.array([30.0, 31.0, 32.0]))
    with pytest.raises(InvalidProblemError, match="Sigma"):
        prob.with_(Sigma=prob.Sigma * np.nan)


def test_rates_from_gains_batch(rng):
    A = rng.standard_normal((3, 4, 5)) + 1j * rng.standard_normal((3, 4, 5))
    Rc, Rp = rates_from_gains(A)
    for b in range(3):
        Rcb, Rpb = rates_from_gains(A[b])
        assert np.allclose(Rc[b], Rcb) and np.allclose(Rp[b], Rpb)
