"""Full-duplex example problems E2 (spectrum sharing) and E4 (multi-beam max-min): spec full_duplex.md §8."""
import numpy as np
import pytest

import matoolbox as ma
from matoolbox import InvalidProblemError
from matoolbox.problems import MultiBeamProblem, SpectrumSharingProblem
from matoolbox.full_duplex.scenarios.geometry import array_gain, array_gain_grad
from matoolbox.solvers import (
    multibeam_apv, multibeam_awv, spectrum_sharing_beamformer, spectrum_sharing_enumeration,
)


def _bf(prob, x, **opts):
    return spectrum_sharing_beamformer(prob, x, options=opts or None)


# ------------------------------------------------------------------------------------- E2
def test_e2_socp_is_optimal_and_sca_converges_to_it(rng):
    prob = SpectrumSharingProblem.random(seed=1)
    x0 = prob.initial_point()
    socp = _bf(prob, x0)
    assert socp.exitflag == 1 and socp.violation <= 1e-9
    assert socp.output["cvx_attempts"]
    # SCA (the paper's method) from a scaled-down feasible start reaches the same value (§8.5)
    sca = _bf(prob, {**x0, "precoders": 0.3 * socp.x["precoders"] * np.exp(0.7j)}, method="sca")
    assert abs(sca.fval - socp.fval) <= 1e-5 * socp.fval
    assert np.all(np.diff(sca.history) >= -1e-9 * socp.fval)
    # no random feasible beamformer beats the SOCP (random w scaled to meet power and caps)
    rows = prob.channel_rows(x0["positions"])
    W = rng.standard_normal((4000, 4)) + 1j * rng.standard_normal((4000, 4))
    W *= np.sqrt(prob.power) / np.linalg.norm(W, axis=1, keepdims=True)
    peak = (np.abs(W @ rows[1:].T) ** 2).max(axis=1)
    W *= np.sqrt(np.minimum(1.0, prob.gamma / peak))[:, None]
    assert (np.abs(W @ rows[0]) ** 2).max() <= socp.fval * (1 + 1e-7)
    # invariant: a common phase on w changes neither the SNR nor the interference
    xr = {**socp.x, "precoders": socp.x["precoders"] * np.exp(1.3j)}
    assert np.isclose(prob.objective(xr), socp.fval, rtol=1e-12)
    assert np.allclose(prob.interference(xr), prob.interference(socp.x), rtol=1e-10, atol=1e-14)


def test_e2_no_primaries_gives_mrt_and_zero_cap_gives_zf():
    prob = SpectrumSharingProblem.random(seed=2, n_primary=0)
    sol = _bf(prob, prob.initial_point())
    r0 = prob.channel_rows(prob.fpa_positions())[0]
    assert np.isclose(sol.fval, prob.power * np.sum(np.abs(r0) ** 2), rtol=1e-6)   # MRT: P ||h_0||^2
    # Gamma = 0 (edge case of §8.14): exitflag 1, exact nulls, equals the ZF-MRT closed form
    z = SpectrumSharingProblem.random(seed=2, inr_cap_db=-np.inf)
    sz = _bf(z, z.initial_point())
    rows = z.channel_rows(z.fpa_positions())
    assert sz.exitflag == 1 and sz.fval >= 0
    assert np.all(np.abs(rows[1:] @ sz.x["precoders"]) <= 1e-6)
    Q, _ = np.linalg.qr(rows[1:].conj().T)
    p = rows[0].conj() - Q @ (Q.conj().T @ rows[0].conj())
    assert np.isclose(sz.fval, z.power * np.linalg.norm(p) ** 2, rtol=1e-6)
    assert sz.violation <= 1e-9


def test_e2_ao_monotone_feasible_and_ma_beats_fpa():
    prob = SpectrumSharingProblem.random(seed=0, inr_cap_db=-5.0)
    fpa = ma.ao_solve(prob, blocks=[("precoders", spectrum_sharing_beamformer)], max_iter=1)
    sol = ma.ao_solve(prob, x0=fpa.x, max_iter=6)
    h = np.asarray(sol.output["history_current"])                # the current iterate, not best-so-far
    assert np.all(np.diff(h) >= -1e-7 * np.abs(h[1:]))
    assert sol.violation <= 1e-9 and sol.fval >= fpa.fval - 1e-7 * fpa.fval
    assert sol.fval > 1.5 * fpa.fval   # moving the antennas pays off clearly on this draw
    P = sol.x["positions"]
    d = np.linalg.norm(P[:, None] - P[None], axis=-1)[np.triu_indices(4, 1)]
    assert d.min() >= prob.d_min * (1 - 1e-9) and P.min() >= 0 and P.max() <= prob.region
    assert np.all(prob.interference(sol.x) <= prob.gamma * (1 + 1e-9))
    # every block, enumeration included, never decreases the objective
    fv = [b["fval"] for b in sol.output["blocks"]]
    assert np.all(np.diff(fv) >= -1e-7 * np.abs(fv[1:]))


def test_e2_enumeration_keeps_caps_and_improves():
    prob = SpectrumSharingProblem.random(seed=3)
    start = _bf(prob, prob.initial_point()).x
    sol = spectrum_sharing_enumeration(prob, start, options={"grid_step": 0.1})
    assert sol.fval >= prob.objective(start)
    assert sol.violation <= 1e-9 and np.all(np.diff(sol.history) >= 0)


def test_e2_gradient_and_solver_fallback(rng):
    prob = SpectrumSharingProblem.random(seed=4)
    x = prob.random_point(rng)
    x["precoders"] = rng.standard_normal(4) + 1j * rng.standard_normal(4)
    chk = ma.check_gradient(lambda P: prob.objective({**x, "positions": P}),
                            lambda P: prob.gradient("positions", {**x, "positions": P}),
                            x["positions"], rng=rng)
    assert chk.ok, chk
    # a failing first solver is recorded and the next one answers (§8.14)
    sol = _bf(prob, prob.initial_point(), solvers=("NOT_A_SOLVER", "CLARABEL"))
    att = sol.output["cvx_attempts"]
    assert att[0]["solver"] == "NOT_A_SOLVER" and att[0]["status"] == "solver_error"
    assert att[-1]["status"] == "optimal" and sol.exitflag == 1
    # every solver failing: exitflag -3, the feasible incumbent (w = 0) is kept, nothing raised
    bad = _bf(prob, prob.initial_point(), solvers=("NOT_A_SOLVER",))
    assert bad.exitflag == -3 and np.all(bad.x["precoders"] == 0) and np.isfinite(bad.fval)


def test_e2_validation_errors():
    p = SpectrumSharingProblem.random(seed=0)
    with pytest.raises(InvalidProblemError, match="inr_cap_db"):
        p.with_(inr_cap_db=float("nan"))
    with pytest.raises(InvalidProblemError, match="region"):
        p.with_(region=0.01)
    with pytest.raises(InvalidProblemError, match="gains"):
        p.with_(gains=p.gains[:, :2])
    with pytest.raises(InvalidProblemError, match="n_antennas"):
        p.with_(n_antennas=0)
    with pytest.raises(InvalidProblemError, match="method"):
        _bf(p, p.initial_point(), method="newton")
    a, b = SpectrumSharingProblem.random(seed=5), SpectrumSharingProblem.random(seed=5)
    assert np.array_equal(a.gains, b.gains) and np.array_equal(a.dirs, b.dirs)


# ------------------------------------------------------------------------------------- E4
@pytest.mark.parametrize("seed", [1, 2])
def test_e4_ao_monotone_feasible_ma_beats_fpa_and_sdr_bound(seed):
    prob = MultiBeamProblem.random(seed=seed)
    fpa = ma.ao_solve(prob, blocks=[("precoders", multibeam_awv)], max_iter=1, rng=seed)
    assert fpa.violation <= 1e-9 and fpa.fval > 0
    sol = ma.ao_solve(prob, x0=fpa.x, max_iter=6, rng=seed)
    h = np.asarray(sol.output["history_current"])                # the current iterate, not best-so-far
    assert np.all(np.diff(h) >= -1e-7 * np.abs(h[1:]))
    fv = [b["fval"] for b in sol.output["blocks"]]
    assert np.all(np.diff(fv) >= -1e-7 * np.abs(fv[1:]))
    assert sol.violation <= 1e-9 and sol.fval >= fpa.fval - 1e-7
    assert sol.fval > fpa.fval * 1.02    # moving the antennas raises the max-min gain
    pos = sol.x["positions"]
    assert pos.min() >= -1e-9 and pos.max() <= prob.region + 1e-9
    assert np.all(np.diff(pos) >= prob.d_min * (1 - 1e-9))
    assert np.all(prob.null_gains(sol.x) <= prob.xi * (1 + 1e-6))
    assert np.linalg.norm(sol.x["precoders"]) <= 1 + 1e-9
    # SDR optimum upper-bounds every randomised rank-one value (§8.6)
    awv = multibeam_awv(prob, {**sol.x, "precoders": np.zeros(prob.n_antennas, complex)}, rng=0)
    bound = awv.output["block_sdr_bound"]            # weights at fixed positions only (issue 22 item 4)
    assert "sdr_bound" not in awv.output
    assert bound >= awv.output["best_random"] - 1e-6 * abs(bound)
    assert bound >= awv.fval - 1e-6 * abs(bound)


def test_e4_apv_step_never_lowers_min_gain_nor_breaks_nulls():
    prob = MultiBeamProblem.random(seed=3)
    x = multibeam_awv(prob, prob.initial_point(), rng=1).x
    sol = multibeam_apv(prob, x, options={"max_iter": 5})
    assert np.all(np.diff(sol.history) >= 0)
    assert sol.fval >= prob.objective(x)
    assert sol.violation <= max(prob.violation(x), 1e-9)
    assert sol.output["cvx_attempts"]


def test_e4_gain_gradient_and_curvature_bound(rng):
    w = rng.standard_normal(8) + 1j * rng.standard_normal(8)
    w /= np.linalg.norm(w)
    pos = np.sort(rng.uniform(0, 10, 8))
    ang = np.array([0.4, 1.2, 2.5])
    chk = ma.check_gradient(lambda p: array_gain(w, p, ang).sum(), lambda p: array_gain_grad(w, p, ang).sum(0),
                            pos, rng=rng)
    assert chk.ok, chk
    # ||Hessian of G(theta)|| <= 2 beta^2 (||w||^2 + ||w||_1 ||w||_inf), the SCA curvature (§4.7)
    for th in ang:
        beta = 2 * np.pi * np.cos(th)
        bound = 2 * beta ** 2 * (1 + np.abs(w).sum() * np.abs(w).max())
        h = 1e-5
        H = np.empty((8, 8))
        for n in range(8):
            e = np.zeros(8)
            e[n] = h
            H[n] = (array_gain_grad(w, pos + e, [th])[0] - array_gain_grad(w, pos - e, [th])[0]) / (2 * h)
        assert np.linalg.norm((H + H.T) / 2, 2) <= bound * (1 + 1e-6)
    # the problem's gradient is that of the smallest beam gain
    prob = MultiBeamProblem.random(seed=0)
    x = {"positions": pos, "precoders": w}
    k = int(np.argmin(prob.beam_gains(x)))
    assert np.allclose(prob.gradient("positions", x),
                       array_gain_grad(w, pos, prob.beam_angles[k:k + 1])[0])


def test_e4_validation_errors_and_batch():
    p = MultiBeamProblem.random(seed=0)
    with pytest.raises(InvalidProblemError, match="null_angles"):
        p.with_(null_angles=np.array([p.beam_angles[0]]))
    with pytest.raises(InvalidProblemError, match="region"):
        p.with_(region=2.0)
    with pytest.raises(InvalidProblemError, match="beam_angles"):
        p.with_(beam_angles=np.array([]))
    with pytest.raises(InvalidProblemError, match="block"):
        p.project("precoders", np.zeros(8))
    x = multibeam_awv(p, p.initial_point(), rng=0).x
    vals = np.stack([p.fpa_positions(), p.fpa_positions() + 0.3])
    assert np.allclose(p.objective_batch("positions", vals, x),
                       [p.objective({**x, "positions": v}) for v in vals])


def test_e2_project_always_feasible_and_keeps_feasible_layouts(rng):
    prob = SpectrumSharingProblem.random(seed=0)
    for i in range(300):
        v = rng.uniform(-0.1, 0.5, (4, 2)) if i % 2 else 0.2 + 1e-3 * rng.standard_normal((4, 2))
        q = prob.project("positions", v)
        x = {"positions": q, "precoders": np.zeros(4, complex)}
        assert prob.violation(x) <= 1e-9
    feas = prob.random_point(rng)["positions"]
    assert np.allclose(prob.project("positions", feas), feas)


def test_e4_phase_invariance_and_reproducible_randomisation():
    prob = MultiBeamProblem.random(seed=4)
    a = multibeam_awv(prob, prob.initial_point(), rng=7)
    b = multibeam_awv(prob, prob.initial_point(), rng=7)
    assert np.array_equal(a.x["precoders"], b.x["precoders"])
    xr = {**a.x, "precoders": a.x["precoders"] * np.exp(2.1j)}
    assert np.isclose(prob.objective(xr), a.fval, rtol=1e-12)
    assert np.allclose(prob.null_gains(xr), prob.null_gains(a.x), rtol=1e-10, atol=1e-15)
    # the default AO start spans the region; the AO result is feasible and beats its start
    x0 = prob.ao_initial_point()
    assert np.isclose(x0["positions"][0], 0) and np.isclose(x0["positions"][-1], prob.region)
    sol = ma.ao_solve(prob, max_iter=3, rng=0)
    assert sol.violation <= 1e-9 and sol.fval > prob.objective(x0)
