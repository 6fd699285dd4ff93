"""MimoChannel / MultiLinkChannel: H against explicit loops of the spec formulas, vjp against
finite differences, consistency with Paths and field_response, random statistics, validation."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from matoolbox.channels import field_response as fr
from matoolbox.channels.mimo import MimoChannel, MultiLinkChannel
from matoolbox.channels.paths import Paths
from matoolbox.core.errors import InvalidProblemError
from matoolbox.core.gradcheck import check_gradient
from matoolbox.metrics import capacity, secrecy_sum_rate, secrecy_terms, sum_rate


def _c(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


def _loop_mimo(th_t, ph_t, th_r, ph_r, sigma, t, r, lam):
    """Spec formula: H_mn = sum_{p,q} conj(f_q(r_m)) Sigma_qp g_p(t_n), rho = x sin th cos ph + y cos th."""
    M, N = len(r), len(t)
    H = np.zeros((M, N), complex)
    for m in range(M):
        for n in range(N):
            for p in range(len(th_t)):
                rho_t = t[n, 0] * np.sin(th_t[p]) * np.cos(ph_t[p]) + t[n, 1] * np.cos(th_t[p])
                for q in range(len(th_r)):
                    rho_r = r[m, 0] * np.sin(th_r[q]) * np.cos(ph_r[q]) + r[m, 1] * np.cos(th_r[q])
                    H[m, n] += (np.conj(np.exp(1j * 2 * np.pi * rho_r / lam)) * sigma[q, p]
                                * np.exp(1j * 2 * np.pi * rho_t / lam))
    return H


@pytest.mark.parametrize("Lt, Lr, lam", [(3, 5, 1.0), (4, 4, 0.37)])
def test_mimo_H_equals_loop_full_sigma(Lt, Lr, lam):
    rng = np.random.default_rng(0)
    th_t, ph_t = rng.uniform(0, np.pi, (2, Lt))
    th_r, ph_r = rng.uniform(0, np.pi, (2, Lr))
    sigma = _c(rng, Lr, Lt)                                     # full, also when Lt == Lr
    t, r = rng.uniform(-1.5, 1.5, (4, 2)), rng.uniform(-1.5, 1.5, (3, 2))
    ch = MimoChannel.from_angles(th_t, ph_t, th_r, ph_r, sigma, wavelength=lam)
    ref = _loop_mimo(th_t, ph_t, th_r, ph_r, sigma, t, r, lam)
    np.testing.assert_allclose(ch.H(t, r), ref, rtol=0, atol=1e-12)
    # toolbox angles: theta -> pi/2 - theta, phi -> pi/2 - phi give the same channel
    tb = MimoChannel.from_angles(np.pi / 2 - th_t, np.pi / 2 - ph_t, np.pi / 2 - th_r, np.pi / 2 - ph_r,
                                 sigma, convention="toolbox", wavelength=lam)
    np.testing.assert_allclose(tb.H(t, r), ref, atol=1e-12)


def test_mimo_batch_matches_single():
    rng = np.random.default_rng(1)
    ch = MimoChannel.random(4, 3, rng)
    T, R = rng.uniform(-2, 2, (5, 4, 2)), rng.uniform(-2, 2, (5, 2, 2))
    Hb = ch.H_batch(T, R)
    assert Hb.shape == (5, 2, 4)
    for b in range(5):
        np.testing.assert_allclose(Hb[b], ch.H(T[b], R[b]), atol=1e-13)
    np.testing.assert_allclose(ch.H_batch(T, R[0])[3], ch.H(T[3], R[0]), atol=1e-13)   # fixed receiver
    gt, gr = ch.vjp(T, R, np.ones((5, 2, 4)))
    gt3, gr3 = ch.vjp(T[3], R[3], np.ones((2, 4)))
    np.testing.assert_allclose(gt[3], gt3, atol=1e-12)
    np.testing.assert_allclose(gr[3], gr3, atol=1e-12)


def _pad(x):
    """Line positions (..., n) as the planar points (x, 0): (..., n, 2)."""
    return np.stack([x, np.zeros_like(x)], axis=-1)


def test_mimo_line_positions_equal_zero_padded_planar_ones():
    rng = np.random.default_rng(21)
    ch = MimoChannel.random(4, 3, rng, wavelength=0.7)            # Lt != Lr: full Sigma
    x, y = rng.uniform(-2, 2, 5), rng.uniform(-2, 2, 3)            # N = 5 on a line, M = 3 on a line
    T, R = rng.uniform(-2, 2, (5, 2)), rng.uniform(-2, 2, (3, 2))
    np.testing.assert_allclose(ch.G(x), ch.G(_pad(x)), atol=1e-14)
    np.testing.assert_allclose(ch.F(y), ch.F(_pad(y)), atol=1e-14)
    for t, tp in ((x, _pad(x)), (T, T)):                           # every line/planar combination
        for r, rp in ((y, _pad(y)), (R, R)):
            np.testing.assert_allclose(ch.H(t, r), ch.H(tp, rp), atol=1e-13)
    dH = _c(rng, 3, 5)
    for t, r in ((x, y), (x, R), (T, y)):
        gt, gr = ch.vjp(t, r, dH)
        pt, pr = ch.vjp(_pad(t) if t.ndim == 1 else t, _pad(r) if r.ndim == 1 else r, dH)
        assert gt.shape == np.shape(t) and gr.shape == np.shape(r)
        np.testing.assert_allclose(gt, pt[..., 0] if t.ndim == 1 else pt, atol=1e-12)   # x-component
        np.testing.assert_allclose(gr, pr[..., 0] if r.ndim == 1 else pr, atol=1e-12)
    # batches of line arrays (B, N) at either end, and a shared line receiver (M,)
    X, Y = rng.uniform(-2, 2, (4, 5)), rng.uniform(-2, 2, (4, 3))
    Hb = ch.H_batch(X, Y)
    assert Hb.shape == (4, 3, 5)
    for b in range(4):
        np.testing.assert_allclose(Hb[b], ch.H(X[b], Y[b]), atol=1e-13)
    np.testing.assert_allclose(ch.H_batch(X, y)[2], ch.H(X[2], y), atol=1e-13)
    np.testing.assert_allclose(ch.H_batch(_pad(X), Y)[1], ch.H(X[1], Y[1]), atol=1e-13)
    np.testing.assert_allclose(ch.H_batch(X, R)[3], ch.H(X[3], R), atol=1e-13)          # shared planar (M, 2)
    with pytest.raises(InvalidProblemError, match="ambiguous"):
        ch.H_batch(X, rng.uniform(-2, 2, (4, 2)))
    with pytest.raises(InvalidProblemError, match="pos_rx"):
        ch.H_batch(X, rng.uniform(-2, 2, (3, 5)))                   # line batch of the wrong size


def test_mimo_line_positions_gradient_check():
    rng = np.random.default_rng(22)
    ch = MimoChannel.random(3, 4, rng)
    x, y = np.sort(rng.uniform(0, 3, 4)), rng.uniform(-1, 1, (2, 2))    # line transmitter, planar receiver
    def f(t, r):
        return capacity(ch.H(t, r), np.eye(len(t)) / len(t), 0.3)

    def g(t, r):
        _, dH, _ = capacity(ch.H(t, r), np.eye(len(t)) / len(t), 0.3, grad=True)
        return ch.vjp(t, r, dH)

    for s in range(2):
        assert check_gradient(lambda t: f(t, y), lambda t: g(t, y)[0], x, rng=s).ok
        assert check_gradient(lambda r: f(y[:, 0], r), lambda r: g(y[:, 0], r)[1], x[:2] + 0.1, rng=s).ok  # line rx
        assert g(x, y)[0].shape == (4,) and g(y[:, 0], x[:2])[1].shape == (2,)


def _loop_multi(beta, theta, phi, t, lam):
    """secure_ma spec: h_k[m] = sum_l beta_kl exp(-j 2 pi u_kl . t_m / lam); the row is h_k^H."""
    K, L = beta.shape
    h = np.zeros((K, len(t)), complex)
    for k in range(K):
        for m in range(len(t)):
            for l in range(L):
                u = np.array([np.sin(theta[k, l]) * np.cos(phi[k, l]), np.cos(theta[k, l])])
                h[k, m] += beta[k, l] * np.exp(-1j * 2 * np.pi * u @ t[m] / lam)
    return h.conj()


def test_multilink_H_equals_loop_and_line_positions():
    rng = np.random.default_rng(2)
    K, L, lam = 3, 4, 0.8
    beta = _c(rng, K, L)
    theta, phi = rng.uniform(0, np.pi, (2, K, L))
    t = rng.uniform(-1.5, 1.5, (6, 2))
    ch = MultiLinkChannel(fr.directions(theta, phi, "fd"), beta.conj(), lam)
    np.testing.assert_allclose(ch.H(t), _loop_multi(beta, theta, phi, t, lam), atol=1e-12)
    # sign -1 with beta gives h_k^T (the transposed convention), not h_k^H
    minus = MultiLinkChannel(fr.directions(theta, phi, "fd"), beta, lam, sign=-1)
    np.testing.assert_allclose(minus.H(t), _loop_multi(beta, theta, phi, t, lam).conj(), atol=1e-12)
    x = t[:, 0]
    np.testing.assert_allclose(ch.H(x), ch.H(np.stack([x, 0 * x], -1)), atol=1e-14)
    np.testing.assert_allclose(ch.H_batch(np.stack([x, x]))[1], ch.H(x), atol=1e-14)


def test_from_paths_matches_paths_and_field_response():
    rng = np.random.default_rng(3)
    p = Paths.random((), 5, rng)
    lam = 0.05
    t, r = rng.uniform(0, 0.2, (4, 2)), rng.uniform(0, 0.2, (3, 2))
    ch = MimoChannel.from_paths(p, wavelength=lam)
    np.testing.assert_allclose(ch.H(t, r), p.channel(r, t, lam), atol=1e-12)
    F = fr.field_response_matrix(p.w_r, r, lam)
    G = fr.field_response_matrix(p.w_t, t, lam)
    np.testing.assert_allclose(ch.H(t, r), fr.channel_matrix(F, np.diag(p.gains), G), atol=1e-12)
    links = Paths.random(3, 4, rng)
    ml = MultiLinkChannel.from_paths(links, wavelength=lam)
    for k in range(3):
        np.testing.assert_allclose(ml.H(t)[k], links[k].channel(np.zeros((1, 2)), t, lam)[0], atol=1e-12)
    with pytest.raises(InvalidProblemError, match="paths"):
        MimoChannel.from_paths(links)


def test_mimo_vjp_linear_and_capacity_finite_differences():
    rng = np.random.default_rng(4)
    ch = MimoChannel.random(5, 3, rng, wavelength=1.0)
    t0, r0 = rng.uniform(-1, 1, (4, 2)), rng.uniform(-1, 1, (3, 2))
    D = _c(rng, 3, 4)
    # F = Re <D, H>: its gradient w.r.t. H in the convention is exactly D
    lin = check_gradient(lambda x: np.real(np.sum(np.conj(D) * ch.H(x["t"], x["r"]))),
                         lambda x: dict(zip("tr", ch.vjp(x["t"], x["r"], D))), {"t": t0, "r": r0}, rng=1)
    assert lin.ok, lin
    Q = _c(rng, 4, 4)
    Q = Q @ Q.conj().T / 4

    def f(x):
        return capacity(ch.H(x["t"], x["r"]), Q, 0.1)

    def g(x):
        _, dH, _ = capacity(ch.H(x["t"], x["r"]), Q, 0.1, grad=True)
        return dict(zip("tr", ch.vjp(x["t"], x["r"], dH)))

    for seed in range(3):
        res = check_gradient(f, g, {"t": t0, "r": r0}, rng=seed)
        assert res.ok, res


def test_multilink_vjp_finite_differences():
    rng = np.random.default_rng(5)
    bob, eve = MultiLinkChannel.random(3, 3, rng), MultiLinkChannel.random(2, 3, rng)
    both = bob.stack(eve)
    W = _c(rng, 6, 3)
    t0 = rng.uniform(-1.5, 1.5, (6, 2))

    def f(t):
        Hs = both.H(t)
        return np.sum(secrecy_terms(Hs[:3], Hs[3:], 4 * W, 1.0))           # the smooth sum

    def g(t):
        Hs = both.H(t)
        _, dHG, _ = secrecy_sum_rate(Hs[:3], Hs[3:], 4 * W, 1.0, active=np.ones(3, bool), grad=True)
        return both.vjp(t, dHG)

    assert check_gradient(f, g, t0, rng=0).ok
    x0 = t0[:, 0]                                                   # line array: gradient (N,)

    def g1(x):
        _, dH, _ = sum_rate(bob.H(x), W[:, :3], 0.5, grad=True)
        return bob.vjp(x, dH)

    assert g1(x0).shape == (6,)
    assert check_gradient(lambda x: sum_rate(bob.H(x), W[:, :3], 0.5), g1, x0, rng=1).ok


def test_stack_pads_and_rejects_mismatch():
    rng = np.random.default_rng(6)
    a, b = MultiLinkChannel.random(2, 1, rng), MultiLinkChannel.random(3, 4, rng)
    s = a.stack(b)
    assert (s.K, s.L) == (5, 5) and np.all(s.gains[:2, 2:] == 0)
    t = rng.uniform(-1, 1, (4, 2))
    np.testing.assert_allclose(s.H(t), np.vstack([a.H(t), b.H(t)]), atol=1e-13)
    with pytest.raises(InvalidProblemError, match="other"):
        a.stack(MultiLinkChannel(b.dirs, b.gains, wavelength=2.0))


def test_random_reproducible():
    a, b = MimoChannel.random(6, 6, 11), MimoChannel.random(6, 6, np.random.default_rng(11))
    for f in ("dirs_t", "dirs_r", "sigma"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert not np.allclose(a.sigma, MimoChannel.random(6, 6, 12).sigma)
    m1, m2 = MultiLinkChannel.random(4, 3, 7), MultiLinkChannel.random(4, 3, 7)
    np.testing.assert_array_equal(m1.gains, m2.gains)
    np.testing.assert_array_equal(m1.dirs, m2.dirs)


@pytest.mark.parametrize("Lt, Lr, kappa", [(10, 10, 1.0), (5, 5, 4.0), (3, 7, 1.0), (1, 1, 1.0)])
def test_random_sigma_power(Lt, Lr, kappa):
    rng = np.random.default_rng(21)
    S = np.array([MimoChannel.random(Lt, Lr, rng, kappa=kappa).sigma for _ in range(4000)])
    assert abs(np.mean(np.sum(np.abs(S) ** 2, axis=(1, 2))) - 1.0) < 0.05
    if Lt == Lr:
        assert np.all(S[:, ~np.eye(Lt, dtype=bool)] == 0)                     # diagonal
        if Lt > 1:
            assert abs(np.mean(np.abs(S[:, 0, 0]) ** 2) - kappa / (kappa + 1)) < 0.06
            nlos = np.abs(S[:, np.arange(1, Lt), np.arange(1, Lt)]) ** 2
            assert abs(np.mean(nlos) * (kappa + 1) * (Lt - 1) - 1) < 0.06
    else:
        assert np.all(np.abs(S) > 0)                                         # full


def _angles_of_fd(d):
    """MZZ (theta, phi) of d = [sin th cos ph, cos th], theta, phi in [0, pi]."""
    th = np.arccos(np.clip(d[..., 1], -1, 1))
    return th, np.arccos(np.clip(d[..., 0] / np.sin(th), -1, 1))


def test_random_angle_laws():
    rng = np.random.default_rng(8)
    d = np.concatenate([MimoChannel.random(10, 10, rng).dirs_t for _ in range(500)])
    th, ph = _angles_of_fd(d)
    assert stats.kstest(th, lambda x: (1 - np.cos(x)) / 2).pvalue > 1e-3             # density sin/2
    assert stats.kstest(ph, stats.uniform(0, np.pi).cdf).pvalue > 1e-3
    assert stats.kstest(th, stats.uniform(0, np.pi).cdf).pvalue < 1e-6               # not uniform
    d = np.concatenate([MimoChannel.random(10, 10, rng, angles="uniform").dirs_r for _ in range(500)])
    th, ph = _angles_of_fd(d)
    assert stats.kstest(th, stats.uniform(0, np.pi).cdf).pvalue > 1e-3
    assert stats.kstest(ph, stats.uniform(0, np.pi).cdf).pvalue > 1e-3


def test_multilink_random_statistics():
    rng = np.random.default_rng(9)
    ch = MultiLinkChannel.random(4000, 3, rng, nlos_power=0.01)
    assert ch.L == 4
    assert abs(np.mean(np.abs(ch.gains[:, 0]) ** 2) - 1) < 0.06
    assert abs(np.mean(np.abs(ch.gains[:, 1:]) ** 2) / 0.01 - 1) < 0.06
    th, ph = _angles_of_fd(ch.dirs)
    assert stats.kstest(th.ravel(), stats.uniform(0, np.pi).cdf).pvalue > 1e-3
    assert stats.kstest(ph.ravel(), stats.uniform(0, np.pi).cdf).pvalue > 1e-3
    assert MultiLinkChannel.random(2, 3, 0, los=False).L == 3


@pytest.mark.parametrize("make, field", [
    (lambda: MimoChannel(np.zeros((3, 3)), np.zeros((2, 2)), np.ones((2, 3))), "dirs_t"),
    (lambda: MimoChannel(np.zeros((3, 2)), np.zeros((2, 2)), np.ones((3, 2))), "sigma"),
    (lambda: MimoChannel(np.zeros((3, 2)), np.full((2, 2), np.nan), np.ones((2, 3))), "dirs_r"),
    (lambda: MimoChannel(np.zeros((3, 2)), np.zeros((2, 2)), np.ones((2, 3)), wavelength=0.0), "wavelength"),
    (lambda: MimoChannel(np.zeros((3, 2)), np.zeros((2, 2)), np.ones((2, 3)), wavelength=-1), "wavelength"),
    (lambda: MimoChannel.from_angles([0, 90], [0, 0], [0], [0], np.ones((1, 2))), "theta_t"),
    (lambda: MimoChannel.random(3, 2, 0, angles="gauss"), "angles"),
    (lambda: MimoChannel.random(0, 2, 0), "Lt"),
    (lambda: MimoChannel.random(3, 3, 0, kappa=-1), "kappa"),
    (lambda: MultiLinkChannel(np.zeros((2, 3, 2)), np.ones((2, 2))), "gains"),
    (lambda: MultiLinkChannel(np.zeros((2, 3, 2)), np.ones((2, 3)), sign=0), "sign"),
    (lambda: MultiLinkChannel(np.zeros((2, 3, 2)), np.full((2, 3), np.inf)), "gains"),
    (lambda: MultiLinkChannel.random(2, 3, 0, nlos_power=-0.1), "nlos_power"),
    (lambda: MultiLinkChannel.random(2, 3, 0).H(np.zeros((3, 3))), "pos"),
    (lambda: MimoChannel.random(2, 2, 0).H(np.zeros((3, 2)), np.full((2, 2), np.nan)), "pos_rx"),
])
def test_validation_names_the_field(make, field):
    with pytest.raises(InvalidProblemError, match=rf"\.{field} = "):
        make()
