"""The linear-MMSE position proxy (matoolbox.optim.mmse_positions): the Schur-complement row
scores equal the direct inverse, the search's moves are the grid's best and raise the score, and
on a CoMP-RSMA instance the proxy start is what lifts the AO."""
import numpy as np
import pytest

import matoolbox as ma
from matoolbox.library import load_library
import matoolbox.optim.mmse_positions as MP
from matoolbox.optim.mmse_positions import _kernel_scores, _row_scores, mmse_position_search, mmse_rates, proxy_score


def _rows(rng, *shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


@pytest.mark.parametrize("K,M", [(1, 3), (4, 4), (6, 3), (3, 8)])
def test_row_scores_equal_the_direct_inverse(K, M):
    rng = np.random.default_rng(K * 10 + M)
    H, h = _rows(rng, K, M), _rows(rng, 7, M)
    batch = np.repeat(H[None], 7, axis=0)
    batch[:, K - 1] = h
    direct = proxy_score(mmse_rates(batch, 50.0), 0.8)
    assert np.allclose(_row_scores(H[:K - 1], h, 50.0, 0.8), direct, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("K,M", [(1, 3), (4, 8), (6, 3), (3, 8)])
def test_kernel_scores_equal_the_numpy_expressions(K, M):
    rng = np.random.default_rng(K * 7 + M)
    table = _rows(rng, 40, K, M) * rng.uniform(0.1, 10.0, (40, 1, 1))
    H = _rows(rng, K, M)
    signs = set()
    for k in range(K):
        Ho = np.delete(H, k, axis=0)
        for snr, rth in ((50.0, 0.8), (2.0, 0.0), (300.0, 40.0)):
            ref = _row_scores(Ho, table[:, k], snr, rth)
            got = _kernel_scores(table, k, Ho, snr, rth)
            assert np.allclose(got, ref, rtol=1e-12, atol=1e-12)
            signs |= set(np.sign(ref).astype(int))
    assert signs == {-1, 1}                                         # both branches of the score met
    table[3, K - 1] = np.nan                                        # NaN rows give NaN scores, as in NumPy
    table[5, K - 1, 0] = complex(np.nan, 1.0)
    got = _kernel_scores(table, K - 1, H[:K - 1], 50.0, 0.8)
    assert np.array_equal(np.isnan(got), np.isnan(_row_scores(H[:K - 1], table[:, K - 1], 50.0, 0.8)))
    assert np.isnan(got[[3, 5]]).all() and np.isfinite(np.delete(got, [3, 5])).all()


def test_search_moves_the_same_with_and_without_the_kernel(monkeypatch):
    rows, snr, rth = _Field(4, 3, seed=2), 30.0, 0.7
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 21), np.linspace(-1, 1, 21)), -1).reshape(-1, 2)
    runs = []
    for flag in (True, False):
        monkeypatch.setattr(MP, "_USE_KERNEL", flag)
        runs.append(mmse_position_search(rows, grid, np.zeros((4, 2)), snr, rth, sweeps=3))
    assert np.array_equal(runs[0][0], runs[1][0]) and runs[0][1] == pytest.approx(runs[1][1], rel=1e-12)
    assert not np.array_equal(runs[0][0], np.zeros((4, 2)))


def test_mmse_rates_and_score_by_hand():
    H = np.array([[1.0, 0.0], [0.0, 2.0]], complex)                 # orthogonal rows: SINR = snr/K |h|^2
    R = mmse_rates(H, 10.0)
    assert np.allclose(R, np.log2(1 + 5.0 * np.array([1.0, 4.0])))
    assert proxy_score(R, 0.0) == pytest.approx(R.sum())
    assert proxy_score(R, 3.0) == pytest.approx(-(3.0 - R[0]))      # user 0 short of the target: < 0


class _Field:
    """Toy per-user rows: row k = sum_l c_{k,l} exp(-j 2 pi w_{k,l} . r_k) (multimodal in r_k)."""

    def __init__(self, K, M, L=5, seed=0):
        rng = np.random.default_rng(seed)
        self.C = _rows(rng, K, L, M)
        self.W = rng.uniform(-1, 1, (K, L, 2)) * 3.0

    def __call__(self, pos):
        E = np.exp(-2j * np.pi * np.einsum("kld,bkd->bkl", self.W, pos))
        return np.einsum("bkl,klm->bkm", E, self.C)


def test_search_moves_each_user_to_the_grid_best_and_raises_the_score():
    rows, snr, rth = _Field(3, 3), 20.0, 0.5
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 15), np.linspace(-1, 1, 15)), -1).reshape(-1, 2)
    r0 = np.zeros((3, 2))
    s0 = float(proxy_score(mmse_rates(rows(r0[None])[0], snr), rth))
    r1, s1 = mmse_position_search(rows, grid, r0, snr, rth, sweeps=1)
    assert s1 > s0 + 1e-6 and not np.allclose(r1, r0)                # a search that keeps r0 fails
    assert s1 == pytest.approx(float(proxy_score(mmse_rates(rows(r1[None])[0], snr), rth)), rel=1e-12)
    # the last user moved is at its grid optimum given the others (brute force)
    k = 2
    batch = np.repeat(r1[None], len(grid), axis=0)
    batch[:, k] = grid
    brute = proxy_score(mmse_rates(rows(batch), snr), rth)
    assert s1 >= brute.max() - 1e-9
    # more sweeps never lower it, and a coordinate-wise optimum is reached
    r3, s3 = mmse_position_search(rows, grid, r0, snr, rth, sweeps=20)
    for k in range(3):
        batch = np.repeat(r3[None], len(grid), axis=0)
        batch[:, k] = grid
        assert proxy_score(mmse_rates(rows(batch), snr), rth).max() <= s3 + 1e-9


def test_search_skips_nan_points_and_leaves_the_callers_rows_alone():
    field, snr = _Field(3, 3), 20.0
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 9), np.linspace(-1, 1, 9)), -1).reshape(-1, 2)
    clean, s_clean = mmse_position_search(field, grid, np.zeros((3, 2)), snr, sweeps=2)
    out = {}

    def rows(pos):                      # the first grid point gives NaN rows; one array reused
        H = field(pos)
        H[np.all(pos == grid[0], axis=-1)] = np.nan
        out["last"] = H
        return H
    r, s = mmse_position_search(rows, grid, np.zeros((3, 2)), snr, sweeps=2)
    assert np.isfinite(s) and s == pytest.approx(s_clean) and not np.any(np.all(r == grid[0], axis=-1))


def test_search_takes_the_grid_rows_once_or_from_the_caller():
    field, snr, rth = _Field(3, 4), 20.0, 0.5
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 11), np.linspace(-1, 1, 11)), -1).reshape(-1, 2)
    calls = []

    def rows(pos):
        calls.append(pos.shape)
        return field(pos)
    r, s = mmse_position_search(rows, grid, np.zeros((3, 2)), snr, rth, sweeps=3)
    assert calls == [(1, 3, 2), (len(grid), 3, 2)]                 # the start, then every user at every point
    table = field(np.repeat(grid[:, None], 3, axis=1))
    calls.clear()
    r2, s2 = mmse_position_search(rows, grid, np.zeros((3, 2)), snr, rth, sweeps=3, grid_rows=table)
    assert calls == [(1, 3, 2)] and s2 == s and np.array_equal(r2, r)
    with pytest.raises(ma.InvalidProblemError, match="grid_rows"):
        mmse_position_search(rows, grid, np.zeros((3, 2)), snr, grid_rows=table[:, :2])


def test_comp_rsma_grid_rows_are_the_channel_rows_and_shared_by_variants():
    from matoolbox.problems import CompRsmaProblem
    import pickle
    p = CompRsmaProblem.random(seed=3)
    grid, rows = p.grid_rows(9)
    k = 2
    pos = np.zeros((len(grid), p.K, 2))
    pos[:, k] = grid
    assert np.allclose(rows[:, k], p.channel_rows(pos)[:, k], rtol=1e-12, atol=1e-12)
    twin = p.variant("SDMA-FPA")
    assert twin.grid_rows(9)[1] is rows
    assert not any(key.startswith("_grid_rows_") for key in pickle.loads(pickle.dumps(p)).__dict__)


def test_search_checks_shapes():
    with pytest.raises(ma.InvalidProblemError, match="r0/grid"):
        mmse_position_search(_Field(2, 2), np.zeros((4, 3)), np.zeros((2, 2)), 1.0)


def test_proxy_start_lifts_the_comp_rsma_ao_on_the_trapped_instance(monkeypatch):
    """Library instance coherent I = 2, R_th = 1.4, 29 dBm, seed 4, SDMA-MA: with the uniform
    draws unrefined (the proxy search replaced by the identity) the AO at rng 0 ends at 5.712
    bit/s/Hz (measured; rng 1 found 6.167, rng 4 6.648); with the proxy (grid start and draws)
    at 6.32-6.83 on rng 0-3 (6.83 at rng 0 and 1)."""
    aom = __import__("matoolbox.comp_rsma.ao", fromlist=["x"])
    p = load_library("comp_rsma", names=["i2_rth1.4_29dbm_s4_sdma_ma"])[0].problem
    values = [ma.ao_solve(p, rng=s).fval for s in (0, 1)]
    with monkeypatch.context() as mp:
        mp.setattr(aom.CompRsmaAoMixin, "proxy_positions",
                   lambda self, r0, score=False: (np.array(r0, float), 0.0) if score else np.array(r0, float))
        plain = ma.ao_solve(p, rng=0).fval
    assert plain < 5.9
    assert min(values) > plain + 0.3
