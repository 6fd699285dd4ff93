"""Secure MA downlink (built from the generic layer): model, solvers, the zero-rate start, files."""
from __future__ import annotations

import numpy as np
import pytest

import matoolbox as ma
from matoolbox.core.errors import InvalidProblemError
from matoolbox.core.gradcheck import check_gradient
from matoolbox.problems import SecureMaProblem


def _direct_rate(prob, W, t):
    """Independent evaluation: the paper's column channels h_k[m] = sum_l beta e^{-j 2 pi u . t_m}."""
    ch = prob.channel
    beta = np.conj(ch.gains)                       # rows are h_k^H: gains = conj(beta)
    cols = np.einsum("kl,klm->km", beta, np.exp(-2j * np.pi * np.einsum("kld,md->klm", ch.dirs, t)))
    h, g = cols[: prob.K], cols[prob.K:]
    total = 0.0
    for k in range(prob.K):
        s = abs(h[k].conj() @ W[:, k]) ** 2
        i = sum(abs(h[k].conj() @ W[:, j]) ** 2 for j in range(prob.K) if j != k)
        e = sum(abs(g[j].conj() @ W[:, k]) ** 2 for j in range(prob.J))
        total += max(np.log2(1 + s / (1 + i)) - np.log2(1 + e), 0.0)
    return total


def test_rate_matches_the_paper_formula():
    prob = SecureMaProblem.random(seed=0, K=3, J=2, snr_db=10)
    for seed in range(3):
        x = prob.initial_point(seed)
        assert prob.objective(x) == pytest.approx(_direct_rate(prob, x["precoders"], x["positions"]), abs=1e-10)
    start = prob.fpa_point()
    assert np.allclose(start["positions"][:, 1], 0) and np.allclose(np.diff(start["positions"][:, 0]), 0.5)


def test_gradients_of_positions_and_precoders():
    prob = SecureMaProblem.random(seed=1, K=2, J=2, snr_db=10)
    x = ma.ao_solve(prob, rng=0, max_iter=1).x          # a point where the terms are positive
    for b in ("positions", "precoders"):
        res = check_gradient(lambda v: prob.objective({**x, b: v}), lambda v: prob.gradient(b, {**x, b: v}),
                             x[b], rng=0)
        assert res.ok, (b, res)


def test_ao_steps_never_lower_the_rate_and_ma_beats_fpa_by_a_margin():
    prob = SecureMaProblem.random(seed=2, K=3, J=3, snr_db=10)
    sol = ma.ao_solve(prob, rng=0)
    fpa = ma.ao_solve(prob.variant("FPA"), rng=0)
    cur = np.asarray(sol.output["history_current"])
    assert np.all(np.diff(cur) >= -1e-9)                # the current iterate, not a best-so-far record
    assert sol.fval > 1.3 * fpa.fval                     # measured 11.7 vs 7.2 bit/s/Hz
    assert np.array_equal(fpa.x["positions"], prob.fpa_point()["positions"])
    assert np.sum(np.abs(sol.x["precoders"]) ** 2) == pytest.approx(prob.power, rel=1e-3)   # full power


def test_a_zero_secrecy_start_is_left():
    """Draws where MRT has zero secrecy rate (the public code returns 0 there): the solver climbs."""
    found = 0
    for seed in range(40):
        prob = SecureMaProblem.random(seed=seed, M=4, K=3, J=3, snr_db=0)
        if prob.objective(prob.fpa_point()) > 0:
            continue
        found += 1
        sol = ma.ao_solve(prob.variant("FPA"), rng=0)
        assert sol.fval > 0.05 and sol.exitflag >= 0, (seed, sol.fval)
        if found == 2:
            break
    assert found == 2


def test_validation_names_fields(tmp_path):
    with pytest.raises(InvalidProblemError, match=r"SecureMaProblem\.A"):
        SecureMaProblem.random(seed=0, A=0.5)            # 6 antennas at lambda/2 do not fit in 0.5 x 0.5
    with pytest.raises(InvalidProblemError, match=r"SecureMaProblem\.J = -1"):
        SecureMaProblem.random(seed=0, J=-1)
    prob = SecureMaProblem.random(seed=3, K=2, J=1)
    back = SecureMaProblem.from_json(prob.to_json(tmp_path / "s.json"))
    assert back == prob and back.objective(back.fpa_point()) == prob.objective(prob.fpa_point())
    H = np.ones((2, 4), complex)
    fixed = SecureMaProblem.from_channel(H, 0.1 * np.ones((1, 4), complex))
    assert (fixed.M, fixed.K, fixed.J, fixed.scheme) == (4, 2, 1, "FPA")


def test_from_paths_matches_the_paper_channel_and_mat_round_trip(tmp_path):
    rng = np.random.default_rng(4)
    K, J, L, M = 2, 1, 3, 4
    beta = rng.standard_normal((K + J, L)) + 1j * rng.standard_normal((K + J, L))
    theta, phi = rng.uniform(0, np.pi, (K + J, L)), rng.uniform(0, np.pi, (K + J, L))
    prob = SecureMaProblem.from_paths({"beta": beta, "theta": theta, "phi": phi}, M=M, K=K, J=J, A=2.0)
    t = prob.initial_point(0)["positions"]
    u = np.stack([np.sin(theta) * np.cos(phi), np.cos(theta)], -1)            # (K+J, L, 2)
    h = np.einsum("kl,klm->km", beta, np.exp(-2j * np.pi * np.einsum("kld,md->klm", u, t)))   # columns h_k
    assert np.allclose(prob.channel_matrix({"positions": t}), h.conj())      # rows h_k^H
    back = SecureMaProblem.from_mat(prob.to_mat(tmp_path / "s.mat"))
    assert back == prob
    x = prob.initial_point(1)
    assert back.objective(x) == prob.objective(x)


def test_null_space_start_where_every_mrt_term_is_clipped():
    """The library's J = 4 instance (M = 6, K = 2, 15 dB): MRT leaks to the four Eves, every secrecy
    term is clipped at 0 and the AO from it stays there (measured 0.0); the default start takes the
    best of MRT and the null-space starts (nothing leaks to Eve) and the AO reaches the best-known
    value (FPA; measured 1.000). The null-space starts leak nothing."""
    from matoolbox.library import load_library

    inst = load_library("secure_ma", names=["k2_j4_snr15_s3_fpa"])[0]
    p, best = inst.problem, inst.best
    best = best if isinstance(best, float) else best["fval"]
    x = p.fpa_point()
    H = p.channel_matrix(x)
    starts = p.variables()["precoders"].null_space_starts(H[: p.K], H[p.K:])
    assert set(starts) == {"ns_mrt", "ns_rzf"}
    G = H[p.K:]
    for name in ("ns_mrt", "ns_rzf"):
        assert np.max(np.abs(G @ starts[name])) < 1e-9
        assert np.sum(np.abs(starts[name]) ** 2) == pytest.approx(p.power)
    assert ma.ao_solve(p, x, rng=0).fval == 0.0
    sol = ma.ao_solve(p, rng=0)
    assert sol.fval >= 0.99 * best and p.violation(sol.x) <= 1e-9


def test_ma_start_is_searched_on_the_proxy_then_screened_by_joint_slsqp(monkeypatch):
    """The library's J = 4 MA instance (M = 6, K = 2, 15 dB): the AO from the FPA start alone
    (0.28 of the best-known value) stops at 0.70 (measured; 0.61 without the joint block); the
    start searched on the closed-form-precoder proxy (``heuristic_precoders``) and screened by
    joint SLSQP solves reaches >= 0.98 (measured 0.989 at rng 0 against the record 7.869 of
    ``ao_solve`` at rng 4; the earlier start from 12 random layouts screened the same way 0.942).
    Same seed, same start; the FPA scheme is not screened."""
    from matoolbox.library import load_library

    inst = load_library("secure_ma", names=["k2_j4_snr15_s3_ma"])[0]
    p, best = inst.problem, inst.best
    best = best if isinstance(best, float) else best["fval"]
    sol = ma.ao_solve(p, rng=0)
    assert sol.fval >= 0.98 * best and sol.violation <= 1e-9 and sol.exitflag == 1
    a, b = p.ao_initial_point(0), p.ao_initial_point(0)
    assert np.array_equal(a["positions"], b["positions"])
    assert not np.array_equal(a["positions"], p.ao_initial_point(1)["positions"])
    fpa = p.variant("FPA")
    x_fpa = fpa.ao_initial_point(0)
    plain = fpa._best_precoders(fpa.fpa_point())
    assert np.array_equal(x_fpa["positions"], plain["positions"])
    assert np.array_equal(x_fpa["precoders"], plain["precoders"])      # no SLSQP solve ran
    monkeypatch.setattr(type(p), "joint_starts", 0)
    own = ma.ao_solve(p, rng=0)
    assert own.fval < 0.9 * best                  # the screening is what gets there
    start = p.objective(p._best_precoders(p.fpa_point()))
    assert start < 0.35 * best and own.fval > 0.65 * best       # and the blocks climb from the start
    chain = ma.ao_solve(p, rng=0, blocks=p.ao_blocks(joint=False))
    assert own.fval > chain.fval + 0.3            # the joint block adds to the alternating ones
