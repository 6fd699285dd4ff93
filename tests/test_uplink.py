"""Two-timescale MA uplink family: spec §12 checks (gradients, invariances, reference values,
Monte Carlo, orderings, Jensen, PGA, the D = (M-1) d limit, input validation)."""
import itertools
import math

import numpy as np
import pytest

import matoolbox as ma
from matoolbox import InvalidProblemError, check_gradient
from matoolbox.channels.rician_ula import rician_channels, steering_matrix
from matoolbox.problems import UplinkTwoTimescaleProblem as U
from matoolbox.uplink.problem import instantaneous_rates
from matoolbox.solvers import pga

X_FPA = np.arange(8) * 0.5
X_TEST = np.array([0.0, 0.7, 1.5, 2.6, 3.1, 4.4, 5.0, 6.0])
RECEIVER_SETUPS = [dict(receiver="zf"), dict(receiver="mmse", n_saa=50),
                   dict(receiver="mmse_sic"), dict(receiver="mmse_sic", sic_bound="KxK")]


def f_of(prob):
    return lambda z: prob.objective({"positions": z})


def g_of(prob):
    return lambda z: prob.gradient("positions", {"positions": z})


# ------------------------------------------------------------------ §12.4 reference values
def test_reference_values_zf_and_sic():
    zf, sic = U(), U(receiver="mmse_sic")
    assert zf.objective({"positions": X_FPA}) == pytest.approx(18.044797, abs=1e-6)
    assert zf.objective({"positions": X_TEST}) == pytest.approx(21.053941, abs=1e-6)
    assert sic.objective({"positions": X_FPA}) == pytest.approx(32.388697, abs=1e-6)
    assert sic.objective({"positions": X_TEST}) == pytest.approx(33.738717, abs=1e-6)
    np.testing.assert_allclose(g_of(zf)(X_FPA), [-3.703861, 0.164316, 0.060220, -0.380263, 0.380263,
                                                 -0.060220, -0.164316, 3.703861], atol=1e-6)
    np.testing.assert_allclose(g_of(zf)(X_TEST), [-0.232700, 0.585543, 0.340754, -0.177983, 0.676213,
                                                  -0.709861, -0.285681, -0.196284], atol=1e-6)
    np.testing.assert_allclose(g_of(sic)(X_TEST), [-0.141683, 0.336015, 0.191088, -0.092209, 0.343158,
                                                   -0.356655, -0.160422, -0.119292], atol=1e-6)
    assert zf.surrogate_upper_bound() == pytest.approx(21.430208, abs=1e-6)
    assert sic.surrogate_upper_bound() == pytest.approx(33.946310, abs=1e-6)
    assert sic._sic_params()[2] == pytest.approx(4.636364, abs=1e-6)
    assert U(receiver="mmse_sic", sic_bound="KxK").objective({"positions": X_FPA}) == pytest.approx(24.04, abs=0.01)


def test_rayleigh_zf_value_and_gram_vs_mxm_sic():
    ray = U(rician=0.0)
    assert ray.objective({"positions": X_TEST}) == pytest.approx(4 * math.log2(41), abs=1e-12)
    # M x M form of (29), computed directly, equals the Gram form used by the problem
    sic = U(receiver="mmse_sic", rician=[1.0, 5.0, 10.0, 30.0], p_db=[5.0, 8.0, 10.0, 12.0],
            beta=[1.0, 0.5, 2.0, 1.5], noise=0.7)
    c = sic._c
    A = steering_matrix(X_TEST, c["theta"])
    Q = np.eye(8) + sum(c["p"][k] * c["beta"][k] * (c["omega"][k] ** 2 * np.outer(A[:, k], A[:, k].conj())
                                                    + c["nu"][k] ** 2 * np.eye(8)) for k in range(4)) / 0.7
    assert sic.objective({"positions": X_TEST}) == pytest.approx(np.linalg.slogdet(Q)[1] / np.log(2), abs=1e-10)


# ------------------------------------------------------------------ §12.1-2 gradients
@pytest.mark.parametrize("setup", RECEIVER_SETUPS)
def test_gradients_match_finite_differences(setup, rng):
    prob = U(**setup, p_db=[8.0, 10.0, 11.0, 12.0], rician=[2.0, 5.0, 10.0, 20.0])
    for x in (X_TEST, np.sort(rng.uniform(0, 6, 8)) + 0.01 * np.arange(8)):
        res = check_gradient(f_of(prob), g_of(prob), x, rng=rng, steps=np.logspace(-3, -6, 7))
        assert res.ok and res.rel_error < 1e-6, res


@pytest.mark.parametrize("setup", [dict(receiver="zf"), dict(receiver="mmse_sic"),
                                   dict(receiver="mmse_sic", sic_bound="KxK")])
def test_shift_invariance_of_gradient(setup):
    prob = U(**setup)
    for x in (X_FPA, X_TEST):
        g = g_of(prob)(x)
        assert abs(np.sum(g)) < 1e-12 * max(1.0, np.max(np.abs(g))) * 10


def test_mmse_gradient_equals_per_user_form():
    """K x K gradient (library) vs the collapsed per-user chain rule (21)-(25) written here."""
    prob = U(receiver="mmse", n_saa=20, p_db=[9.0, 10.0, 11.0, 12.0])
    c = prob._c
    W = prob._saa_noise()
    A = steering_matrix(X_TEST, c["theta"])
    H = (A * c["omega"] + W * c["nu"]) * np.sqrt(c["beta"])         # (S, M, K)
    delta = np.sqrt(c["beta"]) * c["omega"] * 1j * c["kappa"] * c["cos"] * A   # (M, K)
    p, M, K = c["p"], 8, 4
    grad = np.zeros(M)
    val = 0.0
    for s in range(W.shape[0]):
        for k in range(K):
            Ck = np.eye(M) + sum(p[i] * np.outer(H[s, :, i], H[s, :, i].conj()) for i in range(K) if i != k)
            z = np.linalg.solve(Ck, H[s, :, k])
            q = np.real(H[s, :, k].conj() @ z)
            val += np.log2(1 + p[k] * q)
            inner = delta[:, k] - sum(p[i] * delta[:, i] * (H[s, :, i].conj() @ z) for i in range(K) if i != k)
            dq = 2 * np.real(np.conj(z) * inner)
            grad += p[k] * dq / (1 + p[k] * q) / np.log(2)
    S = W.shape[0]
    assert prob.objective({"positions": X_TEST}) == pytest.approx(val / S, abs=1e-10)
    np.testing.assert_allclose(g_of(prob)(X_TEST), grad / S, atol=1e-10)


# ------------------------------------------------------------------ §12.3 invariances
@pytest.mark.parametrize("setup", [dict(receiver="zf"), dict(receiver="mmse_sic"),
                                   dict(receiver="mmse_sic", sic_bound="KxK")])
def test_invariances(setup, rng):
    prob = U(**setup)
    mirrored = U(**setup, theta=tuple(np.pi - np.asarray(prob.angles)))
    for x in (X_FPA, X_TEST, np.sort(rng.uniform(0, 6, 8))):
        f = prob.objective({"positions": x})
        assert prob.objective({"positions": x + 0.37}) == pytest.approx(f, abs=1e-10)
        assert prob.objective({"positions": 6.0 - x[::-1]}) == pytest.approx(f, abs=1e-10)
        assert mirrored.objective({"positions": x}) == pytest.approx(f, abs=1e-10)
    flat = U(**setup, rician=0.0)
    vals = [flat.objective({"positions": x}) for x in (X_FPA, X_TEST)]
    assert vals[0] == pytest.approx(vals[1], abs=1e-12)
    np.testing.assert_allclose(g_of(flat)(X_TEST), 0.0, atol=1e-12)


def test_single_user_zf_is_constant():
    one = U(K=1, theta=(1.0,))
    assert one.objective({"positions": X_FPA}) == pytest.approx(one.objective({"positions": X_TEST}), abs=1e-12)
    np.testing.assert_allclose(g_of(one)(X_TEST), 0.0, atol=1e-12)


# ------------------------------------------------------------------ §12.5-7 Monte Carlo
def test_monte_carlo_reference_values_and_jensen():
    prob = U()
    sic_mxm, sic_kxk = U(receiver="mmse_sic"), U(receiver="mmse_sic", sic_bound="KxK")
    ref = {"zf": (20.70, 24.47), "mmse": (20.90, 24.48), "mmse_sic": (23.58, 24.90)}
    for j, x in enumerate((X_FPA, X_TEST)):
        r = prob.ergodic_rates(x, n_samples=20000, rng=11)
        for key, vals in ref.items():
            assert r[key] == pytest.approx(vals[j], abs=0.05)
            assert r[key + "_stderr"] < 0.02
        assert r["zf"] <= r["mmse"] <= r["mmse_sic"]
        assert r["mmse_sic"] <= sic_kxk.objective({"positions": x}) <= sic_mxm.objective({"positions": x})
        # the ZF approximation sits below the MC ergodic ZF rate
        assert prob.objective({"positions": x}) <= r["zf"] + 3 * r["zf_stderr"]


def test_evaluation_is_seeded_and_fresh():
    prob = U()
    a = prob.ergodic_rates(X_TEST, n_samples=500)
    b = prob.ergodic_rates(X_TEST, n_samples=500)
    assert a == b
    c = U(seed=1).ergodic_rates(X_TEST, n_samples=500)
    assert c["zf"] != a["zf"]
    # chunking does not change the numbers
    assert prob.ergodic_rates(X_TEST, n_samples=500, chunk=77) == pytest.approx(a, rel=1e-12)


@pytest.mark.parametrize("M, kf, bound", [(8, 0.0, 0.04), (16, 0.0, 0.06), (16, 10.0, 0.06), (16, 100.0, 0.06)])
def test_zf_approximation_accuracy_in_benign_regimes(M, kf, bound):
    prob = U(M=M, rician=kf, D=12.0)
    x = prob.fpa_positions()
    mc = prob.ergodic_rates(x, n_samples=4000, rng=2, receivers=("zf",))
    approx = prob.objective({"positions": x})
    assert approx <= mc["zf"] + 3 * mc["zf_stderr"]
    assert abs(approx - mc["zf"]) / mc["zf"] <= bound
    if kf == 0.0 and M == 8:
        assert mc["zf"] == pytest.approx(22.11, abs=0.1)


def test_per_realisation_ordering_and_receiver_identities(rng):
    prob = U(p_db=[5.0, 10.0, 12.0, 15.0], rician=[0.5, 3.0, 10.0, 1.0])
    c = prob._c
    H = rician_channels(X_TEST, c["theta"], c["rician"], c["beta"], n_samples=300, rng=rng)
    r = instantaneous_rates(H, c["p"], 1.0)
    assert np.all(r["zf"] <= r["mmse"] + 1e-9) and np.all(r["mmse"] <= r["mmse_sic"] + 1e-9)
    p, K = c["p"], 4
    for s in range(5):
        Hs = H[s]
        # MMSE via (17)-(18) equals -sum log2 E_kk
        mmse = 0.0
        for k in range(K):
            Ck = np.eye(8) + sum(p[i] * np.outer(Hs[:, i], Hs[:, i].conj()) for i in range(K) if i != k)
            mmse += np.log2(1 + p[k] * np.real(Hs[:, k].conj() @ np.linalg.solve(Ck, Hs[:, k])))
        assert r["mmse"][s] == pytest.approx(mmse, abs=1e-10)
        # SIC chain (26)-(27) equals log det (28) for every decoding order
        for order in itertools.permutations(range(K)):
            chain = 0.0
            for pos, k in enumerate(order):
                Bk = np.eye(8) + sum(p[i] * np.outer(Hs[:, i], Hs[:, i].conj()) for i in order[pos + 1:])
                chain += np.log2(1 + p[k] * np.real(Hs[:, k].conj() @ np.linalg.solve(Bk, Hs[:, k])))
            assert chain == pytest.approx(r["mmse_sic"][s], abs=1e-11)
        # ZF via the explicit combiner (7) and SINR (4)
        Wzf = Hs @ np.linalg.inv(Hs.conj().T @ Hs)
        zf = 0.0
        for k in range(K):
            w = Wzf[:, k] / np.linalg.norm(Wzf[:, k])
            interf = sum(p[i] * abs(w.conj() @ Hs[:, i]) ** 2 for i in range(K) if i != k)
            zf += np.log2(1 + p[k] * abs(w.conj() @ Hs[:, k]) ** 2 / (interf + 1.0))
        assert r["zf"][s] == pytest.approx(zf, abs=1e-9)


# ------------------------------------------------------------------ §12.9-10 PGA and limits
class _Recorder:
    """Wraps a problem and records every layout whose objective is evaluated."""

    def __init__(self, prob):
        self.prob, self.seen = prob, []

    def __getattr__(self, name):
        return getattr(self.prob, name)

    def objective(self, x):
        self.seen.append(np.array(x["positions"]))
        return self.prob.objective(x)


@pytest.mark.parametrize("setup, start, start_tol, target, mc_target", [
    (dict(receiver="zf"), 18.0448, 1e-4, 21.40, 24.7),
    (dict(receiver="mmse_sic"), 32.389, 1e-3, 33.93, 24.7),
    (dict(receiver="mmse"), 20.9, 0.3, 24.6, 24.7),     # SAA with S = 200: stderr about 0.09
])
def test_pga_from_fpa_monotone_feasible_and_reaches_reference(setup, start, start_tol, target, mc_target):
    prob = U(**setup)
    rec = _Recorder(prob)
    sol = pga(rec, prob.initial_point(), options=prob.pga_options(starts=()))
    h = np.asarray(sol.history)
    assert h[0] == pytest.approx(start, abs=start_tol)
    assert np.all(np.diff(h) > 0)
    assert sol.fval >= target and sol.nit < 150 and sol.exitflag == 1
    assert max(prob.violation({"positions": z}) for z in rec.seen) <= 1e-12
    assert sol.fval <= prob.surrogate_upper_bound() + 1e-9 or setup["receiver"] == "mmse"
    mc = prob.ergodic_rates(sol.x["positions"], n_samples=3000, rng=5)
    assert mc[setup["receiver"]] >= mc_target


def test_sequential_projection_reaches_similar_values():
    exact = pga(U(), U().initial_point(), options=U().pga_options(starts=()))
    prob = U(projection="sequential")
    sol = pga(prob, prob.initial_point(), options=prob.pga_options(starts=()))
    assert prob.violation(sol.x) <= 1e-12
    assert np.all(np.diff(sol.history) > 0)
    assert abs(sol.fval - exact.fval) <= 0.1


def test_ao_solve_reports_ergodic_rates_and_beats_fpa():
    prob = U(n_eval=3000)
    sol = ma.ao_solve(prob, rng=0)
    assert sol.exitflag in (0, 1) and sol.violation <= 1e-12
    out = sol.output
    assert sol.fval >= out["surrogate_fpa"]
    for r in ("zf", "mmse", "mmse_sic"):
        assert math.isfinite(out["ergodic"][r])
        assert out["gain_vs_fpa"][r] >= -3 * out["ergodic"][r + "_stderr"]
    assert out["gain_vs_fpa"]["zf"] > 3.5          # spec §10.3: about 4.2 at D = 6
    assert out["ergodic"]["zf"] <= out["ergodic"]["mmse"] <= out["ergodic"]["mmse_sic"]
    assert np.all(np.isfinite(sol.x["positions"]))


@pytest.mark.parametrize("receiver", ["zf", "mmse", "mmse_sic"])
def test_zero_slack_span_gives_fpa(receiver):
    prob = U(M=6, D=2.5, receiver=receiver, n_saa=20, n_eval=500)
    sol = ma.ao_solve(prob, rng=0)
    np.testing.assert_allclose(sol.x["positions"], prob.fpa_positions(), atol=1e-12)
    for r in ("zf", "mmse", "mmse_sic"):
        assert sol.output["ergodic"][r] == pytest.approx(sol.output["ergodic_fpa"][r], abs=1e-9)


# ------------------------------------------------------------------ interface and validation
def test_interface_helpers(rng):
    prob = U(receiver="mmse", n_saa=30)
    lo, hi = prob.bounds("positions")
    assert lo.shape == hi.shape == (8,) and np.all(lo <= hi)
    np.testing.assert_allclose(lo, X_FPA)
    np.testing.assert_allclose(hi, 6.0 - X_FPA[::-1])
    for _ in range(5):
        y = prob.random_positions(rng)
        assert prob.violation({"positions": y}) <= 1e-12 and np.all((lo <= y + 1e-12) & (y <= hi + 1e-12))
    vals = np.stack([X_FPA, X_TEST, prob.spread_positions()])
    for setup in RECEIVER_SETUPS:
        p = U(**setup)
        np.testing.assert_allclose(p.objective_batch("positions", vals),
                                   [p.objective({"positions": v}) for v in vals], atol=1e-10)
    assert prob.violation({"positions": X_FPA + np.r_[0, 0, 0.2, 0, 0, 0, 0, 0]}) == pytest.approx(0.2)
    bad = np.stack([X_FPA, X_FPA + np.r_[0, 0, 0.2, 0, 0, 0, 0, 0], X_TEST + 0.3, X_TEST - 0.1])
    np.testing.assert_allclose(prob.violation_batch("positions", bad),
                               [prob.violation({"positions": v}) for v in bad], atol=1e-15)
    np.testing.assert_allclose(prob.project("positions", X_TEST[::-1]),
                               ma.solvers.project_min_spacing(X_TEST[::-1], 0.5, 6.0))
    # SAA draw is seeded by `seed`
    assert U(receiver="mmse", n_saa=30).objective({"positions": X_TEST}) == prob.objective({"positions": X_TEST})
    assert U(receiver="mmse", n_saa=30, seed=3).objective({"positions": X_TEST}) != prob.objective({"positions": X_TEST})
    with pytest.raises(InvalidProblemError, match="block"):
        prob.gradient("precoders", {"positions": X_TEST})
    with pytest.raises(InvalidProblemError, match="positions"):
        prob.objective({"positions": np.zeros(5)})
    assert U(wavelength=2.0).d == 1.0 and U(wavelength=2.0).D == 12.0


@pytest.mark.parametrize("kwargs, field", [
    (dict(theta=(0.1, 0.2, 0.3, 4.0)), "theta"),
    (dict(theta=(-0.1, 0.2, 0.3, 1.0)), "theta"),
    (dict(theta=(0.1, 0.2, 0.3)), "theta"),
    (dict(D=3.0), "D"),
    (dict(power=-1.0), "power"),
    (dict(p_db=float("nan")), "p_db"),
    (dict(M=3, D=6.0), "K"),
    (dict(rician=-1.0), "rician"),
    (dict(noise=0.0), "noise"),
    (dict(beta=[1.0, 1.0, -1.0, 1.0]), "beta"),
    (dict(receiver="mrc"), "receiver"),
    (dict(sic_bound="KK"), "sic_bound"),
    (dict(projection="nearest"), "projection"),
    (dict(n_saa=0), "n_saa"),
    (dict(M=2.5), "M"),
    (dict(wavelength=0.0), "wavelength"),
    (dict(d=-0.5), "d"),
])
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(InvalidProblemError, match=rf"UplinkTwoTimescaleProblem\.{field} = "):
        U(**kwargs)


def test_mmse_and_sic_allow_more_users_than_antennas():
    prob = U(M=3, D=6.0, receiver="mmse", n_saa=10, n_eval=200)
    r = prob.ergodic_rates(prob.fpa_positions())
    assert "zf" not in r and r["mmse"] <= r["mmse_sic"]


def test_pso_on_uplink_positions_is_feasible_and_not_worse_than_fpa():
    from matoolbox.solvers import PsoOptions, pso_positions

    prob = U()
    sol = pso_positions(prob, prob.initial_point(), options=PsoOptions(n_particles=20, iters=30), rng=0)
    assert prob.violation(sol.x) <= 1e-9
    assert prob.objective(prob.initial_point()) <= sol.fval <= prob.surrogate_upper_bound() + 1e-9
    # the start is the FPA layout (18.04); PSO must leave it by a margin (measured 21.41, +3.37,
    # i.e. within 0.02 of the surrogate bound 21.43): a PSO returning x0 ties FPA and passes "<="
    np.testing.assert_array_equal(prob.initial_point()["positions"], prob.fpa_positions())
    assert sol.fval >= prob.objective({"positions": prob.fpa_positions()}) + 2.5
    # and beats an independent hand-made layout (X_TEST: 21.05) that PSO never sees
    assert sol.fval > prob.objective({"positions": X_TEST})
    assert not sol.output["from_x0"]
