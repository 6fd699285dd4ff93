"""Generic optim blocks (issue 21): water-filling, closed-form WMMSE, SDR max-min, coordinate
search, PGA surrogate / random_feasible restarts, PSO inner blocks, multistart over AO runs."""
import dataclasses

import numpy as np
import pytest

import matoolbox as ma
from matoolbox.optim import sdr_maxmin, sdr_power_min, waterfill_block, waterfilling
from matoolbox.optim import CoordinateSearchOptions, coordinate_search
from matoolbox.optim import weighted_sum_rate, wmmse_block, wmmse_precoders


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


# -- WMMSE --------------------------------------------------------------------------------------
def _wsr_multistart(H, noise, a, rows, powers, rng, n=12):
    """Best weighted sum rate of n BFGS runs over W parametrised at full power per group."""
    from scipy.optimize import minimize

    K, N = H.shape

    def unpack(z):
        V = (z[: N * K] + 1j * z[N * K:]).reshape(N, K)
        for r, p in zip(rows, powers):
            V[r] = V[r] * np.sqrt(p) / np.linalg.norm(V[r])
        return V

    best = -np.inf
    for _ in range(n):
        res = minimize(lambda z: -weighted_sum_rate(H, unpack(z), noise, a), rng.standard_normal(2 * N * K),
                       method="BFGS", options={"gtol": 1e-9})
        best = max(best, -res.fun)
    return best


def _numerical_gradient(fun, W, eps=1e-6):
    g = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        for d in (1.0, 1j):
            E = np.zeros_like(W)
            E[idx] = eps * d
            g[idx] += d * (fun(W + E) - fun(W - E)) / (2 * eps)
    return g


@pytest.mark.parametrize("seed", range(4))
def test_wmmse_monotone_full_power_and_matches_a_multistart(seed):
    rng = np.random.default_rng(seed)
    K, N = 2 + seed % 2, 3
    H, a = _crandn(rng, K, N), rng.uniform(0.5, 1.5, K)
    W, info = wmmse_precoders(H, 10.0, 1.0, weights=a, full_output=True)
    assert W.shape == (N, K) and info["nit"] >= 2
    assert np.all(np.diff(info["history"]) >= -1e-12)
    assert info["history"][-1] > info["history"][0]
    assert np.sum(np.abs(W) ** 2) == pytest.approx(10.0, rel=1e-10)
    f = weighted_sum_rate(H, W, 1.0, a)
    assert f >= 0.999 * _wsr_multistart(H, 1.0, a, [np.arange(N)], [10.0], rng)


def test_wmmse_converges_to_a_kkt_point_sum_power_and_per_group():
    rng = np.random.default_rng(11)
    H, a = _crandn(rng, 3, 4), np.array([1.0, 0.7, 1.3])
    W = wmmse_precoders(H, 5.0, 0.5, weights=a, max_iter=5000, tol=1e-13)
    g = _numerical_gradient(lambda V: weighted_sum_rate(H, V, 0.5, a), W)
    c = np.real(np.vdot(W, g)) / np.real(np.vdot(W, W))        # grad = c W, c > 0 (power active)
    assert c > 0 and np.linalg.norm(g - c * W) <= 1e-4 * np.linalg.norm(g)
    # per-group budgets (two "base stations"): each group at its power, grad_g = c_g W_g
    rows, powers = [np.array([0, 1]), np.array([2, 3])], np.array([3.0, 6.0])
    W, info = wmmse_precoders(H, powers, 1.0, groups=rows, max_iter=5000, tol=1e-13, full_output=True)
    assert np.all(np.diff(info["history"]) >= -1e-12)
    g = _numerical_gradient(lambda V: weighted_sum_rate(H, V, 1.0), W)
    for r, p in zip(rows, powers):
        assert np.sum(np.abs(W[r]) ** 2) == pytest.approx(p, rel=1e-9)
        cg = np.real(np.vdot(W[r], g[r])) / np.real(np.vdot(W[r], W[r]))
        assert cg > 0 and np.linalg.norm(g[r] - cg * W[r]) <= 1e-4 * np.linalg.norm(g)
    f = weighted_sum_rate(H, W, 1.0)
    assert f >= 0.999 * _wsr_multistart(H, 1.0, None, rows, powers, rng)


@dataclasses.dataclass(frozen=True)
class _Downlink:
    H: np.ndarray
    power: float = 4.0
    noise: float = 1.0
    weights: tuple = (1.0, 2.0)

    def channel_matrix(self, x):
        return self.H

    def objective(self, x):
        return weighted_sum_rate(self.H, x["precoders"], self.noise, self.weights)

    def violation(self, x):
        return max(0.0, float(np.sum(np.abs(x["precoders"]) ** 2)) / self.power - 1.0)


def test_wmmse_block_improves_and_keeps_the_incumbent_when_worse():
    rng = np.random.default_rng(3)
    prob = _Downlink(_crandn(rng, 2, 4))
    x0 = {"precoders": np.zeros((4, 2), complex), "positions": np.arange(4.0)}
    sol = wmmse_block(prob, x0)
    assert sol.fval > 1.0 and sol.violation <= 1e-12 and sol.x["positions"] is x0["positions"]
    np.testing.assert_allclose(sol.x["precoders"], wmmse_precoders(prob.H, 4.0, 1.0, weights=(1.0, 2.0)))
    again = wmmse_block(prob, sol.x)                 # warm start from a WMMSE point: no loss
    assert again.fval >= sol.fval - 1e-12
    # a problem whose objective the WSR step lowers: the incumbent is returned
    worse = dataclasses.replace(prob)
    object.__setattr__(worse, "objective", lambda x: -float(np.sum(np.abs(x["precoders"]) ** 2)))
    kept = wmmse_block(worse, x0)
    assert kept.output["incumbent_kept"] and np.all(kept.x["precoders"] == 0)
    with pytest.raises(ma.InvalidProblemError, match="groups"):
        wmmse_precoders(prob.H, 1.0, 1.0, groups=[np.array([0, 1])])
    with pytest.raises(ma.InvalidProblemError, match="WmmseOptions.max_iter"):
        wmmse_block(prob, x0, options={"max_iter": 0})


# -- SDR max-min --------------------------------------------------------------------------------
def _grid_maxmin(A, P, noise, n=541):
    """Brute force of max_{||w||^2 = P} min_k w^H A_k w / noise for N = 2 (global phase removed)."""
    a, ph = np.meshgrid(np.linspace(0, np.pi / 2, n), np.linspace(0, 2 * np.pi, 2 * n), indexing="ij")
    w = np.sqrt(P) * np.stack([np.cos(a), np.sin(a) * np.exp(1j * ph)], -1)
    return float(np.real(np.einsum("...i,kij,...j->...k", w.conj(), A, w)).min(-1).max()) / noise


def _forms(rng, K, N):
    h = _crandn(rng, K, N)
    return np.einsum("ki,kj->kij", h.conj(), h)


@pytest.mark.parametrize("K,seed", [(2, 0), (3, 1), (5, 2), (6, 3)])
def test_sdr_maxmin_matches_brute_force_on_two_antennas(K, seed):
    pytest.importorskip("cvxpy")
    rng = np.random.default_rng(seed)
    A, P, noise = _forms(rng, K, 2), 2.0, 0.5
    out = sdr_maxmin(A, P, noise, rng=seed)
    brute = _grid_maxmin(A, P, noise)
    w = out["w"]
    assert np.sum(np.abs(w) ** 2) == pytest.approx(P, rel=1e-12)
    value = float(np.min(np.real(np.einsum("i,kij,j->k", w.conj(), A, w)))) / noise
    assert out["min_snr"] == pytest.approx(value, rel=1e-12)
    assert value >= brute - 1e-9                                  # as good as the grid's best
    assert brute <= out["min_snr_upper_bound"] + 1e-9             # the bound bounds every w
    assert out["min_snr_upper_bound"] - value <= 1e-5 * value     # N = 2: the relaxation is tight


def test_sdr_maxmin_randomizes_when_the_relaxation_is_not_tight():
    pytest.importorskip("cvxpy")
    from scipy.optimize import minimize

    rng = np.random.default_rng(1)
    A = _forms(rng, 10, 3)
    out = sdr_maxmin(A, 1.0, 1.0, rng=1)
    assert out["randomized"] and out["rank_ratio"] > 1e-3
    # local maxima of the true max-min from the best of many random unit vectors
    z = _crandn(rng, 20000, 3)
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    vals = np.real(np.einsum("bi,kij,bj->bk", z.conj(), A, z)).min(1)

    def neg(v):
        w = (v[:3] + 1j * v[3:]) / np.linalg.norm(v)
        return -float(np.real(np.einsum("i,kij,j->k", w.conj(), A, w)).min())

    best = max(-minimize(neg, np.r_[z[i].real, z[i].imag], method="Nelder-Mead",
                         options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 3000}).fun
               for i in np.argsort(-vals)[:5])
    assert out["min_snr"] <= best + 1e-9 <= out["min_snr_upper_bound"] + 2e-9
    assert out["min_snr"] >= 0.7 * best
    with pytest.raises(ma.InvalidProblemError, match="A_list"):
        sdr_maxmin(A[:, :2], 1.0)


# -- coordinate search --------------------------------------------------------------------------
class _Targets:
    """f(P) = -sum_i ||p_i - t_i||^2 in a region with spacing D; two targets closer than D."""

    def __init__(self, region, targets):
        self.reg, self.t = region, np.asarray(targets, float)
        self.batch_calls = 0

    def region(self, block):
        return self.reg

    def objective(self, x):
        return float(-np.sum((np.asarray(x["positions"]) - self.t) ** 2))

    def objective_batch(self, block, values, x):
        self.batch_calls += 1
        return -np.sum((np.asarray(values) - self.t) ** 2, axis=tuple(range(1, np.ndim(values))))

    def violation(self, x):
        return self.reg.violation(x["positions"])


def test_coordinate_search_rectangle_respects_spacing_and_is_coordinatewise_optimal():
    from matoolbox.regions import Rectangle

    reg = Rectangle(0.0, 2.0, 0.0, 1.0, min_spacing=0.5)
    prob = _Targets(reg, [[0.3, 0.3], [0.5, 0.4], [1.9, 0.9]])
    x0 = {"positions": reg.fpa(3), "W": np.ones(2)}
    opts = CoordinateSearchOptions(points=21, sweeps=3)
    sol = coordinate_search(prob, x0, options=opts)
    P = sol.x["positions"]
    assert sol.violation == 0.0 and sol.x["W"] is x0["W"]
    assert sol.fval > prob.objective(x0) and np.all(np.diff(sol.history) >= 0)
    assert prob.batch_calls == 3 * 3                      # one batch per antenna visit
    # no grid point of any antenna that keeps the spacing does better (fixed point of a sweep)
    t = np.linspace(0, 1, 21)
    grid = np.stack(np.meshgrid(0 + 2 * t, t), -1).reshape(-1, 2)
    for k in range(3):
        others = np.delete(P, k, 0)
        ok = np.linalg.norm(grid[:, None] - others[None], axis=-1).min(1) >= 0.5 - 1e-12
        best = -np.sum((grid[ok] - prob.t[k]) ** 2, axis=1).max()
        assert -np.sum((P[k] - prob.t[k]) ** 2) >= best - 1e-12
    assert np.linalg.norm(P[0] - P[1]) >= 0.5 - 1e-12     # the close targets were pulled apart
    # the spacing filter itself (not only the violation check) keeps the antennas apart
    blind = _Targets(reg, prob.t)
    blind.violation = lambda x: 0.0
    Pb = coordinate_search(blind, x0, options=opts).x["positions"]
    assert reg.violation(Pb) == 0.0 and np.linalg.norm(Pb[0] - Pb[1]) >= 0.5 - 1e-12
    with pytest.raises(ma.InvalidProblemError, match="CoordinateSearchOptions.points"):
        CoordinateSearchOptions(points=1)


def test_coordinate_search_line_and_candidate_ports():
    from matoolbox.regions import CandidateSet, LineSegment

    line = _Targets(LineSegment(0.0, 1.0, min_spacing=0.3), [0.5, 0.55, 0.95])
    x0 = {"positions": np.array([0.0, 0.35, 0.7])}
    sol = coordinate_search(line, x0, options={"points": 101, "sweeps": 2})
    P = sol.x["positions"]
    assert sol.fval > line.objective(x0) and np.min(np.abs(np.diff(np.sort(P)))) >= 0.3 - 1e-12
    assert abs(P[2] - 0.95) <= 0.002 + 1e-12                # grid step 0.004 on its box [0.6, 1]
    ports = CandidateSet(np.array([0.0, 0.25, 0.5, 0.75, 1.0]))
    cs = _Targets(ports, [0.5, 0.5, 0.9])
    sol = coordinate_search(cs, {"positions": np.array([0.0, 0.25, 0.75])}, options={"sweeps": 2})
    P = sol.x["positions"]
    assert set(P.tolist()) <= set(ports.points.tolist()) and len(set(P.tolist())) == 3
    assert P[2] == 1.0 and 0.5 in P.tolist()


# -- SDR power minimisation --------------------------------------------------------------------
def _forms_q(A, w):
    return np.real(np.einsum("...i,kij,...j->...k", w.conj(), A, w))


def _slsqp_power_min(A, target, rng, starts=30):
    """Multistart SLSQP of min ||w||^2 s.t. w^H A_k w >= target_k (w = x[:N] + 1j x[N:])."""
    from scipy.optimize import minimize

    N = A.shape[1]
    Ar = np.block([[A.real, -A.imag], [A.imag, A.real]])          # (K, 2N, 2N): x^T Ar_k x = w^H A_k w
    best = None
    for _ in range(starts):
        w = _crandn(rng, N)
        w *= np.sqrt(np.max(target / _forms_q(A, w)))             # feasible start
        res = minimize(lambda x: x @ x, np.r_[w.real, w.imag], jac=lambda x: 2 * x, method="SLSQP",
                       constraints=[{"type": "ineq", "fun": lambda x: np.einsum("i,kij,j->k", x, Ar, x) - target,
                                     "jac": lambda x: 2 * np.einsum("kij,j->ki", Ar, x)}],
                       options={"ftol": 1e-14, "maxiter": 500})
        x = res.x
        if np.all(np.einsum("i,kij,j->k", x, Ar, x) >= target - 1e-9) and (best is None or x @ x < best):
            best = float(x @ x)
    return best


@pytest.mark.parametrize("N,K,seed", [(2, 2, 0), (2, 3, 1), (3, 2, 2), (3, 3, 3), (2, 5, 6)])
def test_sdr_power_min_matches_a_slsqp_multistart(N, K, seed):
    pytest.importorskip("cvxpy")
    rng = np.random.default_rng(seed)
    A, gamma, noise = _forms(rng, K, N), rng.uniform(0.5, 2.0, K), 0.5
    out = sdr_power_min(A, gamma, noise, rng=seed)
    assert out["status"] == "optimal" and not out["randomized"]
    w = out["w"]
    assert out["power"] == pytest.approx(float(np.sum(np.abs(w) ** 2)), rel=1e-12)
    assert np.all(_forms_q(A, w) >= gamma * noise * (1 - 1e-6))   # every target met
    ref = _slsqp_power_min(A, gamma * noise, rng)
    assert out["power"] == pytest.approx(ref, rel=1e-3)
    assert out["power_lower_bound"] <= out["power"] * (1 + 1e-9)
    assert out["power_lower_bound"] <= ref * (1 + 1e-9)            # it bounds the true minimum
    assert out["power_lower_bound"] >= out["power"] * (1 - 1e-4)   # tight relaxation: no gap


def test_sdr_power_min_randomizes_when_the_relaxation_is_not_tight():
    pytest.importorskip("cvxpy")
    rng = np.random.default_rng(2)
    A, gamma, noise = _forms(rng, 8, 3), np.linspace(1.0, 2.0, 8), 0.5   # 8 distinct users, N = 3
    out = sdr_power_min(A, gamma, noise, rng=0, randomizations=300)
    assert out["status"] == "optimal" and out["randomized"] and out["rank_ratio"] > 1e-3
    w = out["w"]
    q = _forms_q(A, w)
    assert np.all(q >= gamma * noise * (1 - 1e-6))                 # scaled up to meet every target
    assert np.min(q / (gamma * noise)) == pytest.approx(1.0, abs=1e-9)   # ... and not further
    ref = _slsqp_power_min(A, gamma * noise, rng, starts=60)
    assert out["power_lower_bound"] <= ref * (1 + 1e-9)            # it bounds the true minimum
    assert out["power_lower_bound"] < out["power"]
    assert out["power"] <= 1.5 * ref                               # randomisation close to the local optima
    # the principal eigenvector, scaled to feasibility, is never better than what was kept
    import cvxpy as cp

    X = cp.Variable((3, 3), hermitian=True)
    cp.Problem(cp.Minimize(cp.real(cp.trace(X))),
               [X >> 0] + [cp.real(cp.trace(A[k] @ X)) >= gamma[k] * noise for k in range(8)]).solve()
    lam, U = np.linalg.eigh(X.value)
    u = U[:, -1]
    assert out["power"] <= float(np.max(gamma * noise / _forms_q(A, u))) * (1 + 1e-9)


def test_sdr_power_min_infeasible_zero_targets_and_bad_inputs():
    pytest.importorskip("cvxpy")
    rng = np.random.default_rng(5)
    A = _forms(rng, 3, 2)
    A[1] = 0.0                                                     # user 1 cannot be served
    out = sdr_power_min(A, [1.0, 1.0, 1.0], rng=0)
    assert out["status"] == "infeasible" and out["w"] is None and out["power"] == np.inf
    assert out["cvx_attempts"]
    ok = sdr_power_min(A, [1.0, 0.0, 2.0], rng=0)                  # a zero target is always met
    assert ok["status"] == "optimal" and np.all(_forms_q(A, ok["w"])[[0, 2]] >= np.array([1.0, 2.0]) * (1 - 1e-6))
    zero = sdr_power_min(A, [0.0, 0.0, 0.0])
    assert zero["power"] == 0.0 and np.all(zero["w"] == 0)
    for bad, field in (((A[:, :1], [1, 1, 1]), "A_list"), ((-A, [1, 1, 1]), "A_list"),
                       ((A, [1, 1]), "gamma"), ((A, [1, -1, 1]), "gamma"), ((A, [1, np.nan, 1]), "gamma")):
        with pytest.raises(ma.InvalidProblemError, match=field):
            sdr_power_min(*bad)
    with pytest.raises(ma.InvalidProblemError, match="noise"):
        sdr_power_min(A, [1, 1, 1], noise=0.0)
