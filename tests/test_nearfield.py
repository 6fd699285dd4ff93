"""Near-field XL-MA channel model (specs/xlma.md §1–3, checks §12.1–12.6)."""
import numpy as np
import pytest

from matoolbox.channels import nearfield as nf

LAM = nf.wavelength_of(28e9)


def test_candidate_grid_and_index_round_trip():
    Nx, Nz = 7, 4
    r = nf.candidate_positions((-3.0, 4.0), (0.0, 8.0), Nx, Nz)
    assert r.shape == (Nx * Nz, 3)
    assert np.all(r[:, 1] == 0.0)
    assert np.all((r[:, 0] > -3.0) & (r[:, 0] < 4.0) & (r[:, 2] > 0.0) & (r[:, 2] < 8.0))
    n = np.arange(Nx * Nz)
    i, j = nf.candidate_ij(n, Nx)
    assert np.array_equal(nf.candidate_index(i, j, Nx), n)
    # cell centres: x = xmin + (i + 1/2) dx, z = zmin + (j + 1/2) dz
    np.testing.assert_allclose(r[:, 0], -3.0 + (i + 0.5) * 1.0)
    np.testing.assert_allclose(r[:, 2], (j + 0.5) * 2.0)
    e = nf.candidate_positions((-3.0, 3.0), (5.0, 5.0), 7, 1, convention="endpoints")
    np.testing.assert_allclose(e[:, 0], np.arange(-3, 4))
    assert np.all(e[:, 2] == 5.0)
    # L = 61 m with 1 m cells gives the integer positions -30..30
    a = nf.candidate_positions((-30.5, 30.5), (5.0, 5.0), 61, 1)
    np.testing.assert_allclose(a[:, 0], np.arange(-30, 31))


def test_grid_centres_lie_in_their_cells():
    Kx, Ky, Kz = 4, 3, 2
    t = nf.grid_centres((-8.0, 8.0), (2.0, 14.0), (0.0, 6.0), Kx, Ky, Kz)
    k = np.arange(Kx * Ky * Kz)
    i, j, l = nf.grid_ijl(k, Kx, Ky)
    assert np.array_equal(nf.grid_index(i, j, l, Kx, Ky), k)
    assert np.all((t[:, 0] > -8 + 4 * i) & (t[:, 0] < -8 + 4 * (i + 1)))
    assert np.all((t[:, 1] > 2 + 4 * j) & (t[:, 1] < 2 + 4 * (j + 1)))
    assert np.all((t[:, 2] > 3 * l) & (t[:, 2] < 3 * (l + 1)))
    assert np.all(t[:, 1] > 0)


def test_hotspot_probabilities_satisfy_eq38():
    K = 160
    h1, h2 = [1, 2, 3, 4], [50, 51, 52, 53]
    rho = nf.hotspot_probabilities(K, [h1, h2], Kbar=6.0, eta=0.2, mu=2.0)
    assert abs(rho.sum() - 6.0) <= 1e-12
    assert np.all((rho >= 0) & (rho <= 1))
    reg = np.setdiff1d(np.arange(K), h1 + h2)
    np.testing.assert_allclose(rho[reg].sum(), 0.2 * 6.0, rtol=1e-12)
    np.testing.assert_allclose(rho[h1], 2 * rho[h2], rtol=1e-12)
    np.testing.assert_allclose(rho[h1], 0.8, rtol=1e-12)


def test_upa_norm_and_dirichlet_form(rng):
    MH, MV = 5, 3
    u = rng.standard_normal((6, 4, 3))
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    a = nf.upa_response(u, MH, MV, LAM / 2, 0.7 * LAM, LAM)
    np.testing.assert_allclose(np.sum(np.abs(a) ** 2, axis=-1), MH * MV, rtol=1e-12)
    # Kronecker order: element m = m_v*MH + m_h
    aH = nf.upa_response(u, MH, 1, LAM / 2, LAM / 2, LAM)
    aV = nf.upa_response(u[..., [2, 1, 0]], MV, 1, 0.7 * LAM, 0.7 * LAM, LAM)
    np.testing.assert_allclose(a, (aV[..., :, None] * aH[..., None, :]).reshape(a.shape), rtol=1e-12)
    direct = np.abs(np.sum(a[:, None].conj() * a[None, :], axis=-1)) ** 2      # (6, 6, 4)
    q = nf.los_correlation(u[:, None], u[None, :], MH, MV, LAM / 2, 0.7 * LAM, LAM)
    np.testing.assert_allclose(q, direct, rtol=1e-9, atol=1e-9 * (MH * MV) ** 2)
    np.testing.assert_allclose(np.diagonal(q, axis1=0, axis2=1), (MH * MV) ** 2, rtol=1e-12)


@pytest.mark.parametrize("MV", [1, 4])
def test_correlation_kernel_numba_matches_numpy(rng, MV):
    K, P, MH = 37, 11, 6
    ux, uz = rng.uniform(-1, 1, (K, P)), rng.uniform(-1, 1, (K, P))
    ell = rng.uniform(0, 1, (K, P)) * (rng.random((K, P)) < 0.8)
    w = rng.uniform(0, 2, K)
    a = nf.correlation_c(ux, uz, ell, w, MH, MV, np.pi, 1.3)
    b = nf.correlation_c_numpy(ux, uz, ell, w, MH, MV, np.pi, 1.3)
    nz = b != 0
    assert np.array_equal(a != 0, nz)
    assert np.max(np.abs(a[nz] - b[nz]) / np.abs(b[nz])) <= 1e-12


def test_segment_box_intersection():
    lo, hi = -np.ones(3), np.ones(3)
    hit = lambda p0, p1: bool(nf.segment_hits_box(np.array(p0, float), np.array(p1, float), lo, hi))  # noqa: E731
    assert hit([-2, 0, 0], [2, 0, 0])                 # straight through
    assert not hit([-2, 2, 0], [2, 2, 0])             # passes beside
    assert hit([-2, 0.5, 0], [2, 0.5, 0])             # parallel to the y faces, inside the slab
    assert not hit([-2, 1.5, 0], [2, 1.5, 0])         # parallel, outside the slab
    assert hit([0, 0, 0], [5, 5, 5])                  # endpoint inside
    assert not hit([-5, 0, 0], [-2, 0, 0])            # stops before the box
    assert not hit([-3, -3, 0], [3, -1.5, 0])         # the line would cross the slab elsewhere
    # vectorised form agrees with the scalar calls
    P0 = np.array([[-2, 0, 0], [-2, 2, 0], [0, 0, 0]], float)
    P1 = np.array([[2, 0, 0], [2, 2, 0], [5, 5, 5]], float)
    assert nf.segment_hits_box(P0, P1, lo, hi).tolist() == [True, False, True]


def test_visibility_without_and_with_obstacles():
    r = nf.candidate_positions((-10, 10), (5, 5), 20, 1)
    t = nf.grid_centres((-10, 10), (2, 12), (1.5, 1.5), 4, 2, 1)
    pts = nf.los_test_points(t, [2.5, 2.5, 0.0], 20, seed=3)
    assert np.all(np.abs(pts - t[:, None]) <= [2.5, 2.5, 0.0])
    assert np.all(nf.los_visibility(pts, r, np.zeros((0, 6))))
    wall = np.array([[0.0, 1.0, 5.0, 100.0, 0.5, 20.0]])      # blocks everything
    assert not np.any(nf.los_visibility(pts, r, wall))
    box = np.array([[-5.0, 1.0, 5.0, 4.0, 0.5, 20.0]])
    om = nf.los_visibility(pts, r, box)
    assert 0 < om.mean() < 1
    # exact single-point version agrees with a direct segment test
    om1 = nf.los_visibility(t, r, box)
    lo, hi = box[0, :3] - box[0, 3:] / 2, box[0, :3] + box[0, 3:] / 2
    direct = ~nf.segment_hits_box(r[None, :, :], t[:, None, :], lo, hi)
    assert np.array_equal(om1, direct)


def test_stacked_channel_equals_concatenation(rng):
    K, N0, M = 5, 9, 4
    hbar = rng.standard_normal((K, N0, M)) + 1j * rng.standard_normal((K, N0, M))
    Hbar = nf.virtual_channel(hbar)
    sel = np.array([7, 2, 5])
    H = nf.stack_channel(Hbar, sel, M)
    np.testing.assert_allclose(H, hbar[:, sel, :].reshape(K, -1).T, rtol=0, atol=0)


def _small_model(rng, K=6, P=3, MH=4, MV=2, kappa=2.0):
    users = np.c_[rng.uniform(-6, 6, K), rng.uniform(3, 9, K), rng.uniform(0, 3, K)]
    pos = np.c_[np.linspace(-4, 4, P), np.zeros(P), np.full(P, 2.0)]
    omega = (rng.random((K, P)) < 0.7).astype(float)
    w = rng.uniform(0.5, 2.0, K)
    mom = nf.moments(users, pos, omega, w, MH=MH, MV=MV, dH=LAM / 2, dV=LAM / 2, wavelength=LAM, kappa=kappa)
    return users, pos, omega, w, mom


def _pair_terms(mom, MH, MV):
    """c_{k,k'} + d_{k,k'} (K, K, P) from the definitions (52)-(53)."""
    ell, b, u = mom["ell"], mom["b"], mom["u"]
    q = nf.los_correlation(u[:, None], u[None, :], MH, MV, LAM / 2, LAM / 2, LAM)
    return ell[:, None] * ell[None, :] * q + MH * MV * (b[:, None] * b[None, :] - ell[:, None] * ell[None, :])


def test_weighted_interference_matches_pairwise_definition(rng):
    MH, MV = 4, 2
    _, _, _, w, mom = _small_model(rng, MH=MH, MV=MV)
    cd = _pair_terms(mom, MH, MV)
    K = w.size
    e = np.stack([sum(w[kp] * cd[k, kp] for kp in range(K) if kp != k) for k in range(K)])
    np.testing.assert_allclose(mom["e"], e, rtol=1e-10)
    # special cases: pure LoS -> g = d = 0; no LoS -> c = 0
    users, pos, omega, w, _ = _small_model(rng, MH=MH, MV=MV)
    m_los = nf.moments(users, pos, omega, w, MH=MH, MV=MV, dH=LAM / 2, dV=LAM / 2, wavelength=LAM, kappa=np.inf)
    assert np.all(m_los["g"] == 0)
    sH = np.pi
    c_only = nf.correlation_c(m_los["u"][..., 0], m_los["u"][..., 2], m_los["ell"], w, MH, MV, sH, sH)
    np.testing.assert_allclose(m_los["e"], c_only, rtol=1e-12)
    m_nlos = nf.moments(users, pos, 0 * omega, w, MH=MH, MV=MV, dH=LAM / 2, dV=LAM / 2, wavelength=LAM, kappa=2.0)
    b = m_nlos["b"]
    d_only = MH * MV * b * ((w @ b)[None] - w[:, None] * b)
    np.testing.assert_allclose(m_nlos["e"], d_only, rtol=1e-12)


def test_moments_match_monte_carlo(rng):
    """(43), (47), (51) against R = 20000 draws of a fixed small layout (spec check 6)."""
    MH, MV = 4, 2
    M = MH * MV
    _, _, _, _, mom = _small_model(rng, K=5, P=3, MH=MH, MV=MV, kappa=1.5)
    a = nf.upa_response(mom["u"], MH, MV, LAM / 2, LAM / 2, LAM)
    h = nf.draw_channels(np.random.default_rng(7), mom["ell"], mom["betaN"], a, 20000)   # (R, K, P, M)
    hs = h.reshape(h.shape[0], h.shape[1], -1)                                           # stacked h_k
    n2 = np.sum(np.abs(hs) ** 2, axis=-1)
    sb = mom["b"].sum(1)
    np.testing.assert_allclose(n2.mean(0), M * sb, rtol=0.02)
    np.testing.assert_allclose((n2 ** 2).mean(0), M ** 2 * sb ** 2 + mom["g"].sum(1), rtol=0.02)
    cross = np.abs(np.einsum("rkl,rjl->rkj", hs.conj(), hs)) ** 2
    theory = _pair_terms(mom, MH, MV).sum(-1)
    off = ~np.eye(5, dtype=bool)
    big = off & (theory >= 0.01 * theory[off].max())
    rel = np.abs(cross.mean(0)[big] / theory[big] - 1)
    assert rel.max() <= 0.05
