"""Generic optim blocks (issue 21): water-filling, closed-form WMMSE, SDR max-min, coordinate
search, PGA surrogate / random_feasible restarts, PSO inner blocks, multistart over AO runs."""
import dataclasses

import numpy as np
import pytest

import matoolbox as ma
from matoolbox.optim import waterfill_block, waterfilling


def _crandn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


def _capacity(H, Q, noise):
    M = H.shape[0]
    return float(np.linalg.slogdet(np.eye(M) + H @ Q @ H.conj().T / noise)[1].real / np.log(2))


# -- water-filling ----------------------------------------------------------------------------
@pytest.mark.parametrize("M,N,seed", [(4, 4, 0), (2, 5, 1), (5, 3, 2), (3, 3, 3)])
def test_waterfilling_equals_cvxpy_log_det_and_uses_full_power(M, N, seed):
    cp = pytest.importorskip("cvxpy")
    rng = np.random.default_rng(seed)
    H = _crandn(rng, M, N)
    P, noise = 1.7, 0.3 + seed * 0.4
    Q = waterfilling(H, P, noise)
    assert np.allclose(Q, Q.conj().T)
    assert np.linalg.eigvalsh(Q).min() >= -1e-12
    assert np.real(np.trace(Q)) == pytest.approx(P, abs=1e-12)
    X = cp.Variable((N, N), hermitian=True)
    A = H / np.sqrt(noise)
    prob = cp.Problem(cp.Maximize(cp.log_det(np.eye(M) + A @ X @ A.conj().T)),
                      [X >> 0, cp.real(cp.trace(X)) <= P])
    prob.solve(solver="CLARABEL")
    assert prob.status == "optimal"
    assert _capacity(H, Q, noise) == pytest.approx(prob.value / np.log(2), abs=1e-6)
    assert _capacity(H, Q, noise) >= _capacity(H, P / N * np.eye(N), noise) - 1e-12


def test_waterfilling_low_snr_uses_the_strongest_mode_only_and_batches():
    H = np.diag([2.0, 1.0, 0.0])
    np.testing.assert_allclose(np.diag(waterfilling(H, 1.0, 1.0)).real, [0.875, 0.125, 0.0], atol=1e-12)
    np.testing.assert_allclose(np.diag(waterfilling(H, 0.1, 1.0)).real, [0.1, 0.0, 0.0], atol=1e-12)
    rng = np.random.default_rng(5)
    Hs = _crandn(rng, 3, 2, 4)
    Qs = waterfilling(Hs, 2.0, 0.5)
    for H1, Q1 in zip(Hs, Qs):
        np.testing.assert_allclose(Q1, waterfilling(H1, 2.0, 0.5), atol=1e-12)
    with pytest.raises(ma.InvalidProblemError, match="power"):
        waterfilling(H, -1.0)


@dataclasses.dataclass(frozen=True)
class _Mimo:
    H: np.ndarray
    power: float = 1.0
    noise: float = 0.5

    def channel_matrix(self, x):
        return self.H

    def objective(self, x):
        return _capacity(self.H, x["covariance"], self.noise)

    def violation(self, x):
        return max(0.0, float(np.real(np.trace(x["covariance"]))) - self.power)


def test_waterfill_block_writes_the_optimal_covariance_and_never_decreases():
    rng = np.random.default_rng(7)
    prob = _Mimo(_crandn(rng, 3, 4))
    x0 = {"covariance": prob.power / 4 * np.eye(4), "positions": np.zeros(4)}
    sol = waterfill_block(prob, x0)
    assert sol.fval > prob.objective(x0) + 1e-6
    np.testing.assert_allclose(sol.x["covariance"], waterfilling(prob.H, prob.power, prob.noise))
    assert sol.x["positions"] is x0["positions"] and sol.violation <= 1e-12
    # a covariance block under another name
    sol2 = waterfill_block(prob, {**x0, "Q": None}, options={"block": "Q"})
    np.testing.assert_allclose(sol2.x["Q"], sol.x["covariance"])
    with pytest.raises(ma.InvalidProblemError, match="WaterfillOptions.block"):
        waterfill_block(prob, x0, options={"block": ""})
