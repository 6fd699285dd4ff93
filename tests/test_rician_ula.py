"""Rician ULA channel model (uplink spec §2)."""
import numpy as np
import pytest

from matoolbox import check_gradient
from matoolbox.channels.rician_ula import (
    gram_gradient, los_gram, nlos_samples, rician_channels, rician_weights, steering_matrix,
    steering_matrix_grad,
)

THETA = np.deg2rad([60.0, 70.0, 80.0, 90.0])


def test_steering_matrix_values_and_batch(rng):
    x = rng.uniform(0, 5, 6)
    A = steering_matrix(x, THETA, wavelength=0.8)
    assert A.shape == (6, 4)
    np.testing.assert_allclose(np.abs(A), 1.0)
    m, k = 3, 1
    assert A[m, k] == pytest.approx(np.exp(1j * 2 * np.pi / 0.8 * x[m] * np.cos(THETA[k])))
    X = rng.uniform(0, 5, (5, 6))
    AB = steering_matrix(X, THETA, 0.8)
    assert AB.shape == (5, 6, 4)
    np.testing.assert_allclose(AB[2], steering_matrix(X[2], THETA, 0.8))


def test_steering_matrix_grad_matches_finite_differences(rng):
    x = rng.uniform(0, 3, 5)
    dA = steering_matrix_grad(x, THETA, 1.3)
    h = 1e-6
    for m in range(5):
        e = np.zeros(5)
        e[m] = h
        fd = (steering_matrix(x + e, THETA, 1.3) - steering_matrix(x - e, THETA, 1.3)) / (2 * h)
        np.testing.assert_allclose(fd[m], dA[m], rtol=1e-7, atol=1e-7)
        assert np.all(np.delete(fd, m, axis=0) == 0)


def test_los_gram_formula(rng):
    x = rng.uniform(0, 4, 7)
    G = los_gram(x, THETA, 1.0)
    c = np.cos(THETA)
    ref = np.array([[np.sum(np.exp(1j * 2 * np.pi * x * (c[j] - c[i]))) for j in range(4)] for i in range(4)])
    np.testing.assert_allclose(G, ref, atol=1e-12)
    np.testing.assert_allclose(np.diag(G).real, 7.0)
    np.testing.assert_allclose(G, G.conj().T, atol=1e-12)


def test_gram_gradient_matches_finite_differences(rng):
    K = 4
    B = rng.standard_normal((K, K)) + 1j * rng.standard_normal((K, K))
    Y = B + B.conj().T
    x = rng.uniform(0, 4, 6)

    def f(z):
        return float(np.real(np.trace(Y @ los_gram(z, THETA, 0.9))))

    def g(z):
        return gram_gradient(steering_matrix(z, THETA, 0.9), np.cos(THETA), Y, 0.9)

    res = check_gradient(f, g, x, rng=1)
    assert res.ok and res.rel_error < 1e-7


def test_nlos_samples_seeded_and_standard(rng):
    W1 = nlos_samples(7, 20000, 3, 2)
    W2 = nlos_samples(np.random.default_rng(7), 20000, 3, 2)
    np.testing.assert_array_equal(W1, W2)
    assert W1.shape == (20000, 3, 2) and np.iscomplexobj(W1)
    assert np.mean(np.abs(W1) ** 2) == pytest.approx(1.0, abs=0.02)
    assert abs(np.mean(W1)) < 0.02
    assert abs(np.mean(W1 ** 2)) < 0.02          # circular: E[w^2] = 0
    g = np.random.default_rng(7)
    np.testing.assert_array_equal(np.concatenate([nlos_samples(g, 300, 3, 2), nlos_samples(g, 700, 3, 2)]),
                                  W1[:1000])          # chunked draws = one draw


def test_rician_channel_moments(rng):
    x = np.array([0.0, 0.6, 1.7, 2.2])
    kf = np.array([0.0, 1.0, 10.0, 100.0])
    beta = np.array([1.0, 2.0, 0.5, 1.5])
    S = 40000
    H = rician_channels(x, THETA, kf, beta, 1.0, n_samples=S, rng=3)
    assert H.shape == (S, 4, 4)
    om, nu = rician_weights(kf)
    np.testing.assert_allclose(om ** 2 + nu ** 2, 1.0)
    A = steering_matrix(x, THETA)
    mean = H.mean(axis=0)
    np.testing.assert_allclose(mean, A * om * np.sqrt(beta), atol=0.03)
    for k in range(4):
        R = np.einsum("sm,sn->mn", H[:, :, k], H[:, :, k].conj()) / S
        ref = beta[k] * (om[k] ** 2 * np.outer(A[:, k], A[:, k].conj()) + nu[k] ** 2 * np.eye(4))
        np.testing.assert_allclose(R, ref, atol=0.06 * beta[k])
    # common random numbers: the same W gives the same NLoS part for any layout
    W = nlos_samples(5, 10, 4, 4)
    H1 = rician_channels(x, THETA, kf, beta, W=W)
    H2 = rician_channels(x + 0.3, THETA, kf, beta, W=W)
    np.testing.assert_allclose(H1 - A * om * np.sqrt(beta), H2 - steering_matrix(x + 0.3, THETA) * om * np.sqrt(beta))
