"""matoolbox.metrics: values against direct NumPy formulas, gradients by check_gradient, the
log-det capacity against a CVXPY water-filling reference, [.]^+ of the secrecy terms, batches."""
from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest

from matoolbox.core.errors import InvalidProblemError
from matoolbox.core.gradcheck import check_gradient
from matoolbox.metrics import (
    capacity, min_rate, rates, secrecy_sum_rate, secrecy_terms, sinr, softmin_rate, sum_rate,
)


def _c(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


def _psd(rng, n, power=1.0):
    A = _c(rng, n, n)
    Q = A @ A.conj().T
    return power * Q / np.trace(Q).real


def _direct_rates(H, W, noise):
    """R_k = log2(1 + |h_k^H w_k|^2 / (noise + sum_{i != k} |h_k^H w_i|^2)), by loops."""
    K = H.shape[0]
    out = np.zeros(K)
    for k in range(K):
        h = H[k]                                                   # the row h_k^H
        sig = abs(h @ W[:, k]) ** 2
        interf = sum(abs(h @ W[:, i]) ** 2 for i in range(K) if i != k)
        out[k] = np.log2(1 + sig / (noise + interf))
    return out


# ----------------------------------------------------------------------------- capacity
@pytest.mark.parametrize("M, N", [(4, 4), (2, 5), (6, 3)])
def test_capacity_value_and_gradients(M, N):
    rng = np.random.default_rng(M * 10 + N)
    H, Q, noise = _c(rng, M, N), _psd(rng, N, 2.0), 0.3
    ref = np.log2(np.linalg.det(np.eye(M) + H @ Q @ H.conj().T / noise).real)
    assert abs(capacity(H, Q, noise) - ref) < 1e-12 * max(1, ref)
    assert isinstance(capacity(H, Q, noise), float)
    for seed in range(2):
        gH = check_gradient(lambda Z: capacity(Z, Q, noise), lambda Z: capacity(Z, Q, noise, grad=True)[1],
                            H, rng=seed)
        gQ = check_gradient(lambda Z: capacity(H, Z, noise), lambda Z: capacity(H, Z, noise, grad=True)[2],
                            Q, rng=seed)
        assert gH.ok and gQ.ok, (gH, gQ)
    # the formulas hold off the Hermitian set too (value = Re log det): a non-Hermitian Q
    Qn = Q + 0.3 * _c(rng, N, N)
    assert check_gradient(lambda Z: capacity(H, Z, noise), lambda Z: capacity(H, Z, noise, grad=True)[2], Qn, rng=5).ok
    assert check_gradient(lambda Z: capacity(Z, Qn, noise), lambda Z: capacity(Z, Qn, noise, grad=True)[1], H, rng=5).ok
    # the spec's closed form dC/dH* = (1/ln2) A^{-1} H Q / noise (convention: twice it)
    A = np.eye(M) + H @ Q @ H.conj().T / noise
    np.testing.assert_allclose(capacity(H, Q, noise, grad=True)[1],
                               2 / np.log(2) * np.linalg.solve(A, H @ Q) / noise, atol=1e-12)


def test_capacity_batch_first():
    rng = np.random.default_rng(1)
    H, Q = _c(rng, 7, 3, 4), _psd(rng, 4)
    noise = rng.uniform(0.1, 1, 7)
    val, dH, dQ = capacity(H, Q, noise, grad=True)
    assert val.shape == (7,) and dH.shape == (7, 3, 4) and dQ.shape == (7, 4, 4)
    for b in range(7):
        v, h, q = capacity(H[b], Q, noise[b], grad=True)
        assert abs(val[b] - v) < 1e-12
        np.testing.assert_allclose(dH[b], h, atol=1e-12)
        np.testing.assert_allclose(dQ[b], q, atol=1e-12)


def _cvx_capacity(H, P, noise):
    """Reference: max log_det(I + H Q H^H / noise) s.t. tr Q <= P, Q >> 0 (Clarabel), nats."""
    M, N = H.shape
    Q = cp.Variable((N, N), hermitian=True)
    obj = cp.log_det(np.eye(M) + H @ Q @ H.conj().T / noise)
    prob = cp.Problem(cp.Maximize(obj), [cp.real(cp.trace(Q)) <= P, Q >> 0])
    prob.solve(solver=cp.CLARABEL)
    return prob.value, Q.value


def _waterfill(H, P, noise):
    """Independent closed form: water-filling on the eigenvalues of H^H H / noise."""
    lam, V = np.linalg.eigh(H.conj().T @ H / noise)
    lam = np.maximum(lam, 0)
    order = np.argsort(lam)[::-1]
    lam, V = lam[order], V[:, order]
    for n in range(int(np.sum(lam > 1e-12)), 0, -1):
        mu = (P + np.sum(1 / lam[:n])) / n
        p = mu - 1 / lam[:n]
        if p[-1] > 0:
            break
    pw = np.zeros(len(lam))
    pw[:n] = p
    return (V * pw) @ V.conj().T


@pytest.mark.parametrize("M, N, P, noise", [(4, 4, 1.0, 10 ** -1.5), (2, 4, 1.0, 1.0), (3, 2, 5.0, 0.2)])
def test_capacity_equals_cvxpy_log_det_optimum(M, N, P, noise):
    rng = np.random.default_rng(M + 7 * N)
    H = _c(rng, M, N)
    opt, Qc = _cvx_capacity(H, P, noise)
    assert abs(capacity(H, Qc, noise) - opt / np.log(2)) < 1e-6
    Qw = _waterfill(H, P, noise)
    assert abs(np.trace(Qw).real - P) < 1e-12
    assert abs(capacity(H, Qw, noise) - opt / np.log(2)) < 1e-6
    assert capacity(H, P * np.eye(N) / N, noise) <= opt / np.log(2) + 1e-9


# ----------------------------------------------------------------------------- SINR-based rates
def test_sinr_rates_sum_min_against_direct_formulas():
    rng = np.random.default_rng(2)
    K, N, noise = 4, 5, 0.7
    H, W = _c(rng, K, N), _c(rng, N, K)
    R = _direct_rates(H, W, noise)
    np.testing.assert_allclose(np.log2(1 + sinr(H, W, noise)), R, rtol=1e-12)
    np.testing.assert_allclose(rates(H, W, noise), R, rtol=1e-12)
    a = rng.uniform(0.2, 2, K)
    assert abs(sum_rate(H, W, noise) - R.sum()) < 1e-12
    assert abs(sum_rate(H, W, noise, weights=a) - a @ R) < 1e-12
    assert min_rate(H, W, noise) == pytest.approx(R.min(), rel=1e-12)
    for t in (0.5, 3.0, 40.0):
        val = softmin_rate(H, W, noise, t)
        assert abs(val + np.log(np.sum(np.exp(-t * R))) / t) < 1e-12
        assert R.min() - np.log(K) / t - 1e-12 <= val <= R.min() + 1e-12


@pytest.mark.parametrize("which", ["sum", "weighted", "softmin"])
def test_rate_gradients(which):
    rng = np.random.default_rng(3)
    K, N, noise = 3, 4, 0.5
    H, W = _c(rng, K, N), _c(rng, N, K)
    a = rng.uniform(0.5, 2, K)
    fn = {"sum": lambda h, w, grad=False: sum_rate(h, w, noise, grad=grad),
          "weighted": lambda h, w, grad=False: sum_rate(h, w, noise, a, grad=grad),
          "softmin": lambda h, w, grad=False: softmin_rate(h, w, noise, 2.0, grad=grad)}[which]
    for seed in range(2):
        gH = check_gradient(lambda Z: fn(Z, W), lambda Z: fn(Z, W, True)[1], H, rng=seed)
        gW = check_gradient(lambda Z: fn(H, Z), lambda Z: fn(H, Z, True)[2], W, rng=seed)
        assert gH.ok and gW.ok, (gH, gW)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_min_rate_subgradient_is_the_worst_users_rate_gradient(seed):
    rng = np.random.default_rng(seed)
    K, N, noise = 3, 4, 0.5
    H, W = _c(rng, K, N), _c(rng, N, K)
    R = rates(H, W, noise)
    k = int(np.argmin(R))
    assert np.sort(R)[1] - R[k] > 1e-3                      # a unique minimum: min_rate is smooth here
    v, dH, dW = min_rate(H, W, noise, grad=True)
    assert v == pytest.approx(R[k], rel=1e-12) and dH.shape == H.shape and dW.shape == W.shape
    _, sH, sW = sum_rate(H, W, noise, weights=np.eye(K)[k], grad=True)
    np.testing.assert_allclose(dH, sH, rtol=0, atol=1e-14)
    np.testing.assert_allclose(dW, sW, rtol=0, atol=1e-14)
    for s in range(2):
        gH = check_gradient(lambda Z: min_rate(Z, W, noise), lambda Z: min_rate(Z, W, noise, grad=True)[1], H, rng=s)
        gW = check_gradient(lambda Z: min_rate(H, Z, noise), lambda Z: min_rate(H, Z, noise, grad=True)[2], W, rng=s)
        assert gH.ok and gW.ok, (gH, gW)


def test_min_rate_subgradient_ties_batches_and_value_unchanged():
    rng = np.random.default_rng(8)
    h = _c(rng, 1, 3)
    H, W = np.vstack([h, h]), np.tile(_c(rng, 3, 1), (1, 2))   # identical users: R_0 == R_1
    v, dH, dW = min_rate(H, W, 1.0, grad=True)
    _, sH, sW = sum_rate(H, W, 1.0, weights=[1.0, 0.0], grad=True)   # tie -> lowest index
    np.testing.assert_allclose(dH, sH, atol=1e-14)
    np.testing.assert_allclose(dW, sW, atol=1e-14)
    Hb, Wb = _c(rng, 5, 3, 4), _c(rng, 5, 4, 3)
    vb, dHb, dWb = min_rate(Hb, Wb, 0.8, grad=True)
    assert vb.shape == (5,) and dHb.shape == Hb.shape and dWb.shape == Wb.shape
    for b in range(5):
        v1, h1, w1 = min_rate(Hb[b], Wb[b], 0.8, grad=True)
        assert abs(vb[b] - v1) < 1e-12 and np.allclose(dHb[b], h1) and np.allclose(dWb[b], w1)
        assert min_rate(Hb[b], Wb[b], 0.8) == v1


def test_rates_batch_first():
    rng = np.random.default_rng(4)
    H, W = _c(rng, 6, 3, 4), _c(rng, 6, 4, 3)
    v, dH, dW = sum_rate(H, W, 1.0, grad=True)
    s, sH, sW = softmin_rate(H, W, 1.0, 2.0, grad=True)
    assert v.shape == (6,) and dH.shape == H.shape and dW.shape == W.shape
    for b in range(6):
        vb, hb, wb = sum_rate(H[b], W[b], 1.0, grad=True)
        assert abs(v[b] - vb) < 1e-12 and np.allclose(dH[b], hb) and np.allclose(dW[b], wb)
        assert abs(s[b] - softmin_rate(H[b], W[b], 1.0, 2.0)) < 1e-12
        assert abs(min_rate(H, W, 1.0)[b] - min_rate(H[b], W[b], 1.0)) < 1e-12


# ----------------------------------------------------------------------------- secrecy
def _direct_secrecy(H, G, W, noise):
    R = _direct_rates(H, W, noise)
    esnr = np.array([sum(abs(g @ W[:, k]) ** 2 for g in G) / noise for k in range(H.shape[0])])
    return R - np.log2(1 + esnr)


def test_secrecy_value_and_positive_part():
    rng = np.random.default_rng(5)
    K, J, N = 3, 2, 6
    H, G = 2 * _c(rng, K, N), 0.3 * _c(rng, J, N)
    W = np.linalg.qr(_c(rng, N, K))[0]                      # orthonormal columns
    terms = _direct_secrecy(H, G, W, 1.0)
    np.testing.assert_allclose(secrecy_terms(H, G, W, 1.0), terms, rtol=1e-12, atol=1e-14)
    assert abs(secrecy_sum_rate(H, G, W, 1.0) - np.maximum(terms, 0).sum()) < 1e-12
    # an Eve aligned with w_0 (orthogonal to the others): user 0's term is negative, adds nothing: its term is negative and adds nothing
    G2 = np.vstack([G, 50 * W[:, 0].conj()])
    t2 = _direct_secrecy(H, G2, W, 1.0)
    assert t2[0] < 0 < t2[1:].min()
    assert abs(secrecy_sum_rate(H, G2, W, 1.0) - t2[1:].sum()) < 1e-12
    # all terms negative: value 0, zero gradient
    v, dHG, dW = secrecy_sum_rate(H, 100 * _c(rng, J, N), W, 1.0, grad=True)
    assert v == 0.0 and not np.any(dHG) and not np.any(dW)
    # no eavesdropper: the sum rate
    assert abs(secrecy_sum_rate(H, np.zeros((0, N)), W, 1.0) - sum_rate(H, W, 1.0)) < 1e-12


def test_secrecy_gradients():
    rng = np.random.default_rng(6)
    K, J, N = 3, 2, 5
    H, G = 2 * _c(rng, K, N), 0.5 * _c(rng, J, N)
    W = np.linalg.qr(_c(rng, N, K))[0]
    G = np.vstack([G, 10 * W[:, 1].conj()])                 # user 1 negative, others positive
    J = G.shape[0]
    terms = secrecy_terms(H, G, W, 1.0)
    assert terms[1] < 0 < min(terms[0], terms[2])

    def f(x):
        return secrecy_sum_rate(x["HG"][:K], x["HG"][K:], x["W"], 1.0)

    def g(x):
        _, dHG, dW = secrecy_sum_rate(x["HG"][:K], x["HG"][K:], x["W"], 1.0, grad=True)
        return {"HG": dHG, "W": dW}

    x = {"HG": np.vstack([H, G]), "W": W}
    assert g(x)["HG"].shape == (K + J, N)
    for seed in range(3):
        res = check_gradient(f, g, x, rng=seed)
        assert res.ok, res
    # an explicit mask: the gradient of the raw sum of the masked terms
    act = np.array([True, True, False])

    def fa(x):
        return np.sum(secrecy_terms(x["HG"][:K], x["HG"][K:], x["W"], 1.0)[act])

    def ga(x):
        _, dHG, dW = secrecy_sum_rate(x["HG"][:K], x["HG"][K:], x["W"], 1.0, active=act, grad=True)
        return {"HG": dHG, "W": dW}

    assert check_gradient(fa, ga, x, rng=4).ok


def test_secrecy_batch_first():
    rng = np.random.default_rng(7)
    H, G, W = _c(rng, 4, 3, 5), _c(rng, 2, 5), _c(rng, 4, 5, 3)
    v, dHG, dW = secrecy_sum_rate(H, 0.2 * G, W, 1.0, grad=True)
    assert v.shape == (4,) and dHG.shape == (4, 5, 5)
    for b in range(4):
        vb, hb, wb = secrecy_sum_rate(H[b], 0.2 * G, W[b], 1.0, grad=True)
        assert abs(v[b] - vb) < 1e-12 and np.allclose(dHG[b], hb) and np.allclose(dW[b], wb)


@pytest.mark.parametrize("call, field", [
    (lambda: capacity(np.ones((2, 3)), np.eye(2), 1.0), "Q"),
    (lambda: capacity(np.ones((2, 3)), np.eye(3), 0.0), "noise"),
    (lambda: capacity(np.full((2, 3), np.nan), np.eye(3), 1.0), "H"),
    (lambda: sum_rate(np.ones((2, 3)), np.ones((2, 3)), 1.0), "W"),
    (lambda: sum_rate(np.ones((2, 3)), np.ones((3, 2)), 1.0, weights=[1, 2, 3]), "weights"),
    (lambda: softmin_rate(np.ones((2, 3)), np.ones((3, 2)), 1.0, 0.0), "t"),
    (lambda: secrecy_sum_rate(np.ones((2, 3)), np.ones((1, 4)), np.ones((3, 2)), 1.0), "G"),
    (lambda: secrecy_sum_rate(np.ones((2, 3)), np.ones((1, 3)), np.ones((3, 2)), 1.0, [1, 0], grad=True),
     "active"),
])
def test_bad_inputs_name_the_field(call, field):
    with pytest.raises(InvalidProblemError, match=rf"\.{field} = "):
        call()


def test_softmin_helper_bounds_and_weights():
    from matoolbox.metrics import softmin

    v = np.array([[1.0, 2.0, 0.5], [3.0, 3.0, 3.0]])
    s, p = softmin(v, 4.0)
    assert np.all(s <= v.min(-1)) and np.all(s >= v.min(-1) - np.log(3) / 4.0)
    assert np.allclose(p.sum(-1), 1.0) and np.argmax(p[0]) == 2
    res = check_gradient(lambda x: softmin(x, 4.0)[0], lambda x: softmin(x, 4.0)[1], v[0], rng=0)
    assert res.ok
