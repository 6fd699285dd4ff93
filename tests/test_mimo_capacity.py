"""MA MIMO capacity problem (built from the generic layer): model, gradients, solvers, files."""
from __future__ import annotations

import numpy as np
import pytest

import matoolbox as ma
from matoolbox.channels.paths import Paths
from matoolbox.core.errors import InvalidProblemError
from matoolbox.core.gradcheck import check_gradient
from matoolbox.optim import MultistartOptions, multistart
from matoolbox.problems import MimoCapacityProblem


@pytest.fixture(scope="module")
def prob():
    return MimoCapacityProblem.random(seed=3, L=6)


def _loop_capacity(prob, x):
    """Independent evaluation: H by explicit sums over (m, n, p, q), then log2 det."""
    ch = prob.channel
    t, r, Q = x["positions_tx"], x["positions_rx"], x["covariance"]
    H = np.zeros((prob.M, prob.N), complex)
    for m in range(prob.M):
        for n in range(prob.N):
            for q in range(ch.sigma.shape[0]):
                for p in range(ch.sigma.shape[1]):
                    f = np.exp(2j * np.pi * ch.dirs_r[q] @ r[m])
                    g = np.exp(2j * np.pi * ch.dirs_t[p] @ t[n])
                    H[m, n] += np.conj(f) * ch.sigma[q, p] * g
    S = np.eye(prob.M) + H @ Q @ H.conj().T / prob.noise
    return float(np.log2(np.real(np.linalg.det(S))))


def test_objective_matches_a_loop_and_the_fpa_layout_is_a_centred_upa(prob):
    x = prob.initial_point(0)
    assert prob.objective(x) == pytest.approx(_loop_capacity(prob, x), abs=1e-10)
    fpa = prob.fpa_point()["positions_tx"]
    assert np.allclose(fpa, [[-0.25, -0.25], [0.25, -0.25], [-0.25, 0.25], [0.25, 0.25]])
    assert prob.violation(x) == 0 and prob.violation({**x, "positions_tx": np.zeros((4, 2))}) > 0.4


@pytest.mark.parametrize("block", ["positions_tx", "positions_rx", "covariance"])
def test_gradients(prob, block):
    x = prob.initial_point(1)
    res = check_gradient(lambda v: prob.objective({**x, block: v}), lambda v: prob.gradient(block, {**x, block: v}),
                         x[block], rng=0)
    assert res.ok, res


def test_nlp_hooks_gradient_and_constraint_jacobian(prob):
    z = prob.nlp_pack(prob.initial_point(2))
    assert check_gradient(lambda z: prob.nlp_fun(z)[0], lambda z: prob.nlp_fun(z)[1], z, rng=0).ok
    c, J = prob.nlp_constraints(z)
    for i in (0, 1, len(c) - 1):
        assert check_gradient(lambda z: prob.nlp_constraints(z)[0][i], lambda z: prob.nlp_constraints(z)[1][i],
                              z, rng=1).ok


def test_default_ao_beats_fpa_by_a_margin_and_nears_a_multistart():
    prob = MimoCapacityProblem.random(seed=0)
    fpa = ma.ao_solve(prob.variant("FPA"))
    assert np.allclose(fpa.x["positions_tx"], prob.fpa_point()["positions_tx"])      # FPA stays put
    sol = ma.ao_solve(prob, rng=0)
    ref = multistart(prob, options=MultistartOptions(n_starts=10), rng=1)
    assert sol.exitflag == 1 and sol.violation <= 1e-6
    assert sol.fval > fpa.fval + 4.0                     # measured +6.3 bit/s/Hz
    assert sol.fval >= 0.98 * ref.fval                   # a no-op AO (FPA value) is at 0.71 of it
    assert np.isclose(np.real(np.trace(sol.x["covariance"])), 1.0)


def test_tx_only_and_rx_only_move_only_their_side():
    prob = MimoCapacityProblem.random(seed=1, L=5)
    fpa = prob.fpa_point()
    for scheme, moved, kept in (("TMA", "positions_tx", "positions_rx"), ("RMA", "positions_rx", "positions_tx")):
        sol = ma.ao_solve(prob.variant(scheme), rng=0)
        assert np.array_equal(sol.x[kept], fpa[kept])
        assert not np.allclose(sol.x[moved], fpa[moved])
    with pytest.raises(InvalidProblemError, match=r"variant\.scheme = 'XMA'"):
        prob.variant("XMA")


def test_region_too_small_names_a_d_and_n():
    with pytest.raises(InvalidProblemError) as err:
        MimoCapacityProblem.random(seed=0, A=0.3, D=0.5)
    msg = str(err.value)
    assert "0.3" in msg and "0.5" in msg and "4" in msg
    with pytest.raises(InvalidProblemError, match=r"MimoCapacityProblem\.snr_db"):
        MimoCapacityProblem.random(seed=0, snr_db=float("nan"))
    with pytest.raises(InvalidProblemError, match=r"MimoCapacityProblem\.N"):
        MimoCapacityProblem.random(seed=0, N=0)


@pytest.mark.parametrize("fmt", ["json", "mat"])
def test_files_round_trip_to_the_same_solution(tmp_path, fmt):
    prob = MimoCapacityProblem.random(seed=4, L=4, A=2.0)
    back = getattr(MimoCapacityProblem, f"from_{fmt}")(getattr(prob, f"to_{fmt}")(tmp_path / f"p.{fmt}"))
    assert back == prob
    a, b = ma.ao_solve(prob, rng=0, max_iter=2), ma.ao_solve(back, rng=0, max_iter=2)
    assert a.fval == b.fval


def test_from_paths_and_from_channel():
    paths = Paths.random((), 5, 0)
    prob = MimoCapacityProblem.from_paths(paths, N=2, M=2, A=1.0)
    x = prob.fpa_point()
    H = paths.channel(x["positions_rx"], x["positions_tx"], 1.0)
    assert np.allclose(prob.channel_matrix(x), H)
    rng = np.random.default_rng(0)
    arrays = {"theta_t": rng.uniform(0, np.pi, 3), "phi_t": rng.uniform(0, np.pi, 3),
              "theta_r": rng.uniform(0, np.pi, 3), "phi_r": rng.uniform(0, np.pi, 3),
              "sigma": np.diag(rng.standard_normal(3) + 1j)}
    p2 = MimoCapacityProblem.from_paths(arrays, N=2, M=2)
    t = p2.fpa_point()["positions_tx"]
    g = np.exp(2j * np.pi * (t[:, 0, None] * np.sin(arrays["theta_t"]) * np.cos(arrays["phi_t"])
                             + t[:, 1, None] * np.cos(arrays["theta_t"])))            # (N, Lt): rho_t of the spec
    assert np.allclose(p2.channel.G(t), g.T)
    with pytest.raises(InvalidProblemError, match="misses"):
        MimoCapacityProblem.from_paths({"theta_t": [0.1]})
    Hm = rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    fixed = MimoCapacityProblem.from_channel(Hm)
    assert (fixed.N, fixed.M, fixed.scheme) == (2, 3, "FPA")
    assert np.allclose(fixed.channel_matrix(fixed.fpa_point()), Hm)
    assert ma.ao_solve(fixed).exitflag == 1


def test_start_search_on_the_value_function_matters(monkeypatch):
    """The library's 5 dB MA instance: the default start (256 scored layouts, the best 6 refined by
    a grid search per side on the value function, one AO iteration from the best 2) leads the AO
    to >= 0.98 of the best-known value (measured 0.984 at rng 0); without the grid search (the
    best 2 scored layouts get the AO iteration) it stops at 0.951, in a two-stream basin."""
    from matoolbox.library import load_library, ratio

    inst = load_library("mimo_capacity", names=["l10_snr5_s3_ma"])[0]
    sol = ma.ao_solve(inst.problem, rng=0)
    assert ratio(sol.fval, sol.violation, inst.best) >= 0.98
    monkeypatch.setattr(type(inst.problem), "screen_search_keep", 0)
    plain = ma.ao_solve(inst.problem, rng=0)
    assert ratio(plain.fval, plain.violation, inst.best) < 0.97
