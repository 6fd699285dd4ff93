"""XL-MA tests that can fail (issues 12, 14, 17): successive replacement against exhaustive search
on hard instances and from random starts, the proposed placement beats FPA by a measured margin
from non-FPA starts, an honest report of a failed LP initialization, a silent LP solver, the LoS
phase model option, and the measured bias of Theorem 1's closed form."""
import sys

import numpy as np
import pytest

import matoolbox as ma
from matoolbox.channels import nearfield as nf
from matoolbox.core.cvx import CvxResult
from matoolbox.problems import XlmaPlacementProblem as X
from matoolbox.solvers import exhaustive_placement, lp_init, successive_replacement


def hard_instance(seed, N=4, p_dbm=30.0):
    """High SNR (gamma = 100 dB) and one clustered hotspot of 4 adjacent cells (x and z neighbours)
    on the 4 x 2 x 2 user grid, users squeezed into x in [-8, 8] m; random LoS map on odd seeds."""
    rng = np.random.default_rng(seed)
    Kx, Ky = 4, 2
    rho = rng.uniform(0.0, 0.02, 16)
    i, j = int(rng.integers(0, Kx - 1)), int(rng.integers(0, Ky))
    for di, dl in ((0, 0), (1, 0), (0, 1), (1, 1)):
        rho[dl * Kx * Ky + j * Kx + i + di] = rng.uniform(0.5, 0.9)
    return X.random_small(seed, N=N, rho=rho, p_dbm=p_dbm, user_x=(-8.0, 8.0), random_omega=bool(seed % 2))


@pytest.fixture(scope="module")
def hard_runs():
    """(optimum, Algorithm 1, SR from a random start) on 20 hard instances, N = 4 of N0 = 20."""
    rows = []
    for seed in range(20):
        p = hard_instance(seed)
        opt = exhaustive_placement(p).fval
        alg = ma.ao_solve(p).fval
        x0 = {"selection": np.sort(np.random.default_rng(1000 + seed).choice(p.N0, p.N, replace=False))}
        rows.append((opt, alg, successive_replacement(p, x0).fval, p.rate(x0["selection"])))
    return np.array(rows)


def test_algorithm1_vs_exhaustive_on_hard_instances(hard_runs):
    """Measured: optimal on 20/20 (N = 4), 18/20 (N = 3, worst 0.997), 19/20 (N = 5, worst 0.988)."""
    opt, alg = hard_runs[:, 0], hard_runs[:, 1]
    assert np.all(alg <= opt * (1 + 1e-12))
    optimal = np.mean(alg >= opt * (1 - 1e-9))
    assert optimal >= 0.85
    assert np.min(alg / opt) >= 0.97


def test_replacement_from_random_starts_vs_exhaustive(hard_runs):
    """Measured from random starts: optimal on 16/20, mean 0.980, worst 0.818 of the optimum."""
    opt, sr, start = hard_runs[:, 0], hard_runs[:, 2], hard_runs[:, 3]
    assert np.all(sr <= opt * (1 + 1e-12))
    assert np.mean(sr >= opt * (1 - 1e-9)) >= 0.6
    assert np.mean(sr / opt) >= 0.95
    assert np.mean(sr - start) > 0.05 * np.mean(opt)             # the replacement step moves
    assert np.all(sr >= start)


# Measured (closed form, N = 8, 4 random starts): Scenario A proposed 15.16-15.21 vs horizontal
# sparse 13.59 / dense ULA 13.42; Scenario B 14.09 vs 11.05 / 4.81. Margins: about half the gain.
@pytest.mark.parametrize("scenario, delta", [("default", 0.8), ("partial_los", 1.5)])
def test_proposed_beats_fpa_by_margin_from_random_starts(scenario, delta):
    p = getattr(X, scenario)()
    lay = p.fpa_layouts()
    best_fpa = max(p.layout_rate(lay["horizontal_sparse"]), p.layout_rate(lay["dense_ula"]))
    for seed in range(3):
        x0 = np.sort(np.random.default_rng(seed).choice(p.N0, p.N, replace=False))
        sol = successive_replacement(p, {"selection": x0})
        assert sol.nit >= 1 and sol.fval >= p.rate(x0) + 0.5
        assert sol.fval >= best_fpa + delta


def test_proposed_beats_fpa_in_monte_carlo():
    """Simul. (MC MRC), not only the closed form: measured 16.05 vs 14.12 (horizontal sparse)."""
    p = X.default()
    sol = ma.ao_solve(p)
    mc_p = p.simulate(sol.x["selection"], R=200, rng=3)
    mc_h = p.simulate(p.fpa_layouts()["horizontal_sparse"], R=200, rng=3)
    assert mc_p["mrc"] - mc_h["mrc"] >= 1.0
    assert mc_p["mmse"] - mc_h["mmse"] >= 1.0
    hist = sol.output["history_current"]
    assert hist[-1] >= sol.output["lp_init"]["fval"] + 0.5          # replacement improved on the LP start


def test_failed_lp_init_is_reported_not_converged(monkeypatch):
    mod = sys.modules["matoolbox.xlma.lp_init"]
    attempts = [{"solver": "HIGHS", "status": "solver_error", "seconds": 0.0, "error": "boom"}]
    monkeypatch.setattr(mod, "solve_cvx", lambda prob, solvers=None, **kw: CvxResult(
        "solver_error", float("nan"), None, list(attempts)))
    p = X.random_small(1)
    init = lp_init(p)
    assert init.exitflag == -3 and init.output["fallback"] == "top_n_without_coverage"
    assert "failed" in init.message and init.output["cvx_attempts"] == attempts
    sol = ma.ao_solve(p)
    assert sol.exitflag == 0 and "LP initialization failed" in sol.message
    assert sol.output["lp_init"]["exitflag"] == -3
    assert sol.output["lp_init"]["fallback"] == "top_n_without_coverage"
    assert sol.output["cvx_attempts"] == attempts
    sr = successive_replacement(p)                                   # x0 None: LP inside
    assert sr.exitflag == 0 and "LP initialization failed" in sr.message


def test_lp_init_attempts_kept_and_solver_silent(capfd):
    p = X.random_small(1)
    sol = ma.ao_solve(p)
    assert sol.exitflag == 1 and sol.output["lp_init"]["exitflag"] == 1
    assert sol.output["cvx_attempts"] and sol.output["cvx_attempts"][0]["status"] == "optimal"
    out, _ = capfd.readouterr()
    assert out == ""                                                  # no HiGHS banner on stdout
    sol2 = ma.ao_solve(p, x0=sol.x)
    assert sol2.output["lp_init"] is None                             # started from x0, no LP


def test_los_phase_option():
    a = X.default(los_phase="independent")
    c = X.default(los_phase="coherent")
    sel = ma.ao_solve(a).x["selection"]
    assert a.rate(sel) == c.rate(sel)                                 # the closed form ignores it
    ra, rc = a.simulate(sel, R=300, rng=1), c.simulate(sel, R=300, rng=1)
    assert abs(ra["mrc"] - rc["mrc"]) > 3 * (ra["mrc_stderr"] + rc["mrc_stderr"])   # 16.05 vs 15.27
    with pytest.raises(ma.InvalidProblemError, match=r"XlmaPlacementProblem\.los_phase = "):
        X.default(los_phase="random")


def test_coherent_phase_is_the_spherical_wave_of_the_cell_centre():
    rng = np.random.default_rng(0)
    K, P, M, lam = 3, 4, 2, 0.01
    ell, betaN = rng.uniform(1, 2, (K, P)), np.zeros((K, P))
    a = np.ones((K, P, M), complex)
    D = rng.uniform(10, 20, (K, P))
    h = nf.draw_channels(rng, ell, betaN, a, 5, los_phase="coherent", distances=D, wavelength=lam)
    rel = h[:, :, 1:, 0] / h[:, :, :1, 0] / np.sqrt(ell[None, :, 1:] / ell[None, :, :1])
    np.testing.assert_allclose(rel, np.broadcast_to(np.exp(-2j * np.pi * (D[:, 1:] - D[:, :1]) / lam), rel.shape),
                               atol=1e-9)
    ind = nf.draw_channels(rng, ell, betaN, a, 2000)
    r = ind[:, 0, 1, 0] / ind[:, 0, 0, 0]
    assert abs(np.mean(r / abs(r))) < 0.1                             # independent: no phase relation
    with pytest.raises(ma.InvalidProblemError, match="los_phase"):
        nf.draw_channels(rng, ell, betaN, a, 2, los_phase="coherent")


def test_closed_form_bias_vs_snr():
    """Documented on the theory page: proposed / horizontal sparse / dense ULA, 2000 draws:
    70 dB -0.8 / 0.0 / -0.2 %, 80 dB -5.3 / -3.7 / -4.4 %, 90 dB -11.9 / -10.1 / -12.9 %."""
    for g, lo, hi in ((70, -0.02, 0.01), (80, -0.08, -0.02), (90, -0.16, -0.08)):
        p = X.default(p_dbm=g - 70.0)
        sel = ma.ao_solve(p).x["selection"]
        b = p.rate(sel) / p.simulate(sel, R=1000, rng=11)["mrc"] - 1
        assert lo <= b <= hi
