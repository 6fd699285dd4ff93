"""Start candidates from a value-function proxy (optim.proxy_starts) and the closed-form secrecy
beams that make the secure-MA proxy (secure_ma.beams)."""
from __future__ import annotations

import numpy as np
import pytest

from matoolbox.optim import CoordinateSearchOptions, ValueFunction, value_function_starts
from matoolbox.optim.waterfill import waterfilling
from matoolbox.problems import MimoCapacityProblem, SecureMaProblem
from matoolbox.secure_ma.beams import secrecy_beams

OPTS = CoordinateSearchOptions(block="positions_tx", points=9, sweeps=1)


@pytest.fixture(scope="module")
def prob():
    return MimoCapacityProblem.random(seed=5, L=6)


def test_starts_are_refined_ranked_and_drawn_from_rng(prob):
    starts = value_function_starts(prob, n_random=16, keep=3, options=OPTS, rng=0)
    view = ValueFunction(prob)
    vals = [prob.objective(x) for x in starts]
    assert len(starts) == 3 and vals == sorted(vals, reverse=True)
    for x in starts:                                    # responses filled in: water-filled Q
        assert np.allclose(x["covariance"], waterfilling(prob.channel_matrix(x), 1.0, prob.noise))
        assert prob.violation(x) <= 1e-9 and vals[0] >= view.objective(x)
    # the same layouts the function scored (FPA first, then 16 draws from the same rng)
    rng = np.random.default_rng(0)
    scored = [prob.fpa_point()] + [prob.initial_point(rng) for _ in range(16)]
    assert vals[0] > max(view.objective(x) for x in scored) + 0.05      # the search moved them up
    again = value_function_starts(prob, n_random=16, keep=3, options=OPTS, rng=0)
    assert all(np.array_equal(a["positions_tx"], b["positions_tx"]) for a, b in zip(starts, again))
    other = value_function_starts(prob, n_random=16, keep=3, options=OPTS, rng=1)
    assert not np.array_equal(starts[0]["positions_tx"], other[0]["positions_tx"])


def test_responses_replace_the_best_responses(prob):
    eq = {"covariance": lambda H: np.broadcast_to(np.eye(H.shape[-1]) / H.shape[-1], H.shape[:-2] + (H.shape[-1],) * 2)}
    starts = value_function_starts(prob, eq, n_random=8, keep=2, options=OPTS, rng=0)
    for x in starts:
        assert np.allclose(x["covariance"], np.eye(prob.N) / prob.N)
    assert prob.objective(starts[0]) < ValueFunction(prob).objective(starts[0]) - 1e-3
    with pytest.raises(Exception, match="n_random"):
        value_function_starts(prob, n_random=-1)


def test_secrecy_beams_are_what_their_names_say():
    rng = np.random.default_rng(3)
    B, K, J, M, P = 5, 3, 2, 6, 10.0
    H = rng.normal(size=(B, K, M)) + 1j * rng.normal(size=(B, K, M))
    G = rng.normal(size=(B, J, M)) + 1j * rng.normal(size=(B, J, M))
    beams = secrecy_beams(H, G, P)
    assert set(beams) == {"mrt", "rzf", "ns_rzf", "eve_aware", "eve_aware_zf"}
    for W in beams.values():
        assert W.shape == (B, M, K) and np.allclose(np.sum(np.abs(W) ** 2, axis=(1, 2)), P)
    assert np.max(np.abs(G @ beams["ns_rzf"])) < 1e-9                    # nothing leaks to Eve
    HW = H @ beams["eve_aware_zf"]
    assert np.max(np.abs(HW - np.diagonal(HW, axis1=1, axis2=2)[:, None, :] * np.eye(K))) < 1e-9
    for name in ("eve_aware", "eve_aware_zf"):                         # equal power per user
        assert np.allclose(np.sum(np.abs(beams[name]) ** 2, axis=1), P / K)
    # eve_aware maximises |h^H w|^2 / w^H (I + p G^H G) w: its value is h^H B^{-1} h
    p = P / K
    for b in range(B):
        Bm = np.eye(M) + p * G[b].conj().T @ G[b]
        for k in range(K):
            w, h = beams["eve_aware"][b, :, k], H[b, k]
            q = abs(h @ w) ** 2 / np.real(w.conj() @ Bm @ w)
            assert q == pytest.approx(np.real(h @ np.linalg.solve(Bm, h.conj())))
            v = rng.normal(size=M) + 1j * rng.normal(size=M)
            assert q > abs(h @ v) ** 2 / np.real(v.conj() @ Bm @ v)


def test_heuristic_precoders_take_the_best_beam_per_layout():
    p = SecureMaProblem.random(seed=1, K=3, J=3, snr_db=10)
    X = np.stack([p.initial_point(s)["positions"] for s in range(6)])
    H = p.channel.H(X)
    W = p.heuristic_precoders(H)
    got = p.metric(H, {"precoders": W})
    each = np.stack([p.metric(H, {"precoders": V}) for V in secrecy_beams(H[:, :3], H[:, 3:], p.power).values()])
    assert np.allclose(got, each.max(axis=0))


def test_secrecy_beams_formulas_branches_and_degenerate_channels():
    rng = np.random.default_rng(4)
    K, J, M, P = 2, 2, 5, 3.0
    H = rng.normal(size=(K, M)) + 1j * rng.normal(size=(K, M))
    G = rng.normal(size=(J, M)) + 1j * rng.normal(size=(J, M))
    b = secrecy_beams(H, G, P)

    def unit(W):
        return W * np.sqrt(P) / np.linalg.norm(W)
    Hh = H.conj().T
    assert np.allclose(b["rzf"], unit(Hh @ np.linalg.inv(H @ Hh + K / P * np.eye(K))))
    N = np.linalg.svd(G)[2][J:].conj().T                      # orthonormal null-space basis of G
    He = H @ N
    assert np.allclose(b["ns_rzf"], unit(N @ He.conj().T @ np.linalg.inv(He @ He.conj().T + K / P * np.eye(K))))
    # eve_aware_zf maximises the Eve-aware ratio within the null space of the other user's row
    p = P / K
    Bm = np.eye(M) + p * G.conj().T @ G
    for k in range(K):
        Nk = np.linalg.svd(np.delete(H, k, axis=0))[2][K - 1:].conj().T
        w = b["eve_aware_zf"][:, k]
        q = abs(H[k] @ w) ** 2 / np.real(w.conj() @ Bm @ w)
        hk = Nk.conj().T @ H[k].conj()
        assert q == pytest.approx(np.real(hk.conj() @ np.linalg.solve(Nk.conj().T @ Bm @ Nk, hk)))
    # branches: no Eve (J = 0), Eve filling the array (J >= M), one user (K = 1)
    assert set(secrecy_beams(H, G[:0], P)) == {"mrt", "rzf", "eve_aware", "eve_aware_zf"}
    big = rng.normal(size=(M, M)) + 0j
    assert "ns_rzf" not in secrecy_beams(H, big, P)
    assert set(secrecy_beams(H[:1], G, P)) == {"mrt", "rzf", "ns_rzf", "eve_aware"}
    # repeated Eve rows, a zero user row: finite, full power, no warning, no error
    Gd, Hd = np.stack([G, G]), np.stack([H, H])
    Gd[0, 1] = Gd[0, 0]
    Hd[1, 1] = 0.0
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for W in secrecy_beams(Hd, Gd, P).values():
            assert np.all(np.isfinite(W)) and np.allclose(np.sum(np.abs(W) ** 2, axis=(1, 2)), P)
