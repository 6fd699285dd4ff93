"""Field-response channel: numba vs NumPy twins, gradients, conventions, reproducibility."""
import numpy as np
import pytest

import matoolbox as ma
from matoolbox.channels import field_response as fr

LAM = 0.01


def _inputs(rng, B=64, P=4, L=12, M=8):
    W = fr.directions(*fr.random_angles(rng, (P, L)))
    C = rng.standard_normal((P, L, M)) + 1j * rng.standard_normal((P, L, M))
    pos = rng.uniform(-LAM, LAM, (B, P, 2))
    return W, C, pos


@pytest.mark.parametrize("sign,B", [(-1, 64), (1, 64), (-1, 1200)])
def test_numba_matches_numpy_twin(rng, sign, B):
    """Both the serial (small batch) and the parallel (large batch) kernels."""
    from matoolbox.channels import _kernels

    W, C, pos = _inputs(rng, B=B)
    assert _kernels._parallel(W, C, pos) == (B > 1000)
    a = fr.steer_sum(W, C, pos, LAM, sign)
    b = fr.steer_sum_numpy(W, C, pos, LAM, sign)
    assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(b))
    v, g = fr.steer_sum_grad(W, C, pos, LAM, sign)
    v2, g2 = fr.steer_sum_grad_numpy(W, C, pos, LAM, sign)
    assert np.max(np.abs(v - v2)) <= 1e-12 * np.max(np.abs(v2))
    assert np.max(np.abs(g - g2)) <= 1e-12 * np.max(np.abs(g2))


def test_steer_sum_matches_model_definition(rng):
    """h^H = f(r)^H Sigma G for one link, computed from the matrices directly."""
    L, I = 6, 4
    Wt = fr.directions(*fr.random_angles(rng, L))
    Wr = fr.directions(*fr.random_angles(rng, L))
    Sigma = fr.random_prm(rng, L)
    G = fr.field_response_matrix(Wt, fr.ula_positions(I, LAM / 2), LAM)
    r = np.array([0.3, -0.7]) * LAM
    hH_direct = fr.frv(Wr, r, LAM).conj() @ Sigma @ G
    hH_kernel = fr.steer_sum(Wr[None], (Sigma @ G)[None], r[None], LAM, sign=-1)[0]
    np.testing.assert_allclose(hH_kernel, hH_direct, rtol=1e-12, atol=0)
    # MIMO form F^H Sigma G with a single receive position equals the same row
    F = fr.field_response_matrix(Wr, r[None], LAM)
    np.testing.assert_allclose(fr.channel_matrix(F, Sigma, G)[0], hH_direct, rtol=1e-12)


def test_position_gradient_vs_check_gradient(rng):
    W, C, pos = _inputs(rng, B=1)
    p0 = pos[0]
    weights = rng.standard_normal((4, 8)) + 1j * rng.standard_normal((4, 8))

    def f(p):
        return float(np.sum(np.abs(fr.steer_sum_numpy(W, C, p, LAM) * weights) ** 2))

    def g(p):
        v, dv = fr.steer_sum_grad(W, C, p, LAM)
        return np.sum(2 * np.real(np.conj(v * weights)[..., None] * weights[..., None] * dv), axis=1)

    r = ma.check_gradient(f, g, p0, rng=0, steps=LAM * np.logspace(-2, -7, 11))
    assert r.ok and r.rel_error < 1e-6
    # frv_grad agrees with a central difference too
    Wl = W[0]
    d = np.array([1e-9, 0.0])
    fd = (fr.frv(Wl, p0[0] + d, LAM) - fr.frv(Wl, p0[0] - d, LAM)) / 2e-9
    np.testing.assert_allclose(fr.frv_grad(Wl, p0[0], LAM)[:, 0], fd, rtol=1e-5)


def test_prm_statistics_and_seeded_reproducibility():
    rng = np.random.default_rng(0)
    S = np.array([np.diag(fr.random_prm(rng, 6, power=2.0)) for _ in range(4000)])
    # E|sigma_l|^2 = power / L
    assert np.mean(np.abs(S) ** 2) == pytest.approx(2.0 / 6, rel=0.05)
    a = fr.random_prm(np.random.default_rng(5), 6, 4)
    b = fr.random_prm(np.random.default_rng(5), 6, 4)
    assert a.shape == (4, 6) and np.array_equal(a, b)
    # |h_i|^2 averages to the path-loss power for any fixed position (the 1/L scaling)
    rng = np.random.default_rng(1)
    gains = []
    for _ in range(3000):
        Wt = fr.directions(*fr.random_angles(rng, 6))
        Wr = fr.directions(*fr.random_angles(rng, 6))
        G = fr.field_response_matrix(Wt, fr.ula_positions(2, LAM / 2), LAM)
        gains.append(np.abs(fr.frv(Wr, np.zeros(2), LAM).conj() @ fr.random_prm(rng, 6) @ G) ** 2)
    assert np.mean(gains) == pytest.approx(1.0, rel=0.08)


def test_directions_are_unit_or_shorter_and_conventions_differ():
    th, ph = np.array([0.3, -1.0]), np.array([0.9, 0.2])
    w = fr.directions(th, ph, "comp")
    assert np.all(np.linalg.norm(w, axis=-1) <= 1 + 1e-12)
    np.testing.assert_allclose(w[0], [np.cos(0.3) * np.sin(0.9), np.sin(0.3)])
    np.testing.assert_allclose(fr.directions(th, ph, "fd")[0], [np.sin(0.3) * np.cos(0.9), np.cos(0.3)])
    with pytest.raises(ValueError, match="convention"):
        fr.directions(th, ph, "xyz")


def test_shape_errors_are_clear(rng):
    W, C, pos = _inputs(rng)
    with pytest.raises(ValueError, match="pos"):
        fr.steer_sum(W, C, pos[:, :3], LAM)
    with pytest.raises(ValueError, match="C"):
        fr.steer_sum(W, C[:, :5], pos, LAM)


@pytest.mark.parametrize("lam", [-0.01, 0.0, float("nan"), float("inf")])
def test_bad_wavelength_is_rejected_naming_the_field(rng, lam):
    W, C, pos = _inputs(rng, B=2)
    with pytest.raises(ma.InvalidProblemError, match="wavelength"):
        fr.steer_sum(W, C, pos, lam)


def test_nan_positions_are_rejected(rng):
    W, C, pos = _inputs(rng, B=2)
    pos[1, 2, 0] = np.nan
    with pytest.raises(ma.InvalidProblemError, match=r"\.pos = .*finite"):
        fr.steer_sum_grad(W, C, pos, LAM)


@pytest.mark.parametrize("shape", [(8, 2), (40, 8, 2), (3, 4, 8, 2)])
def test_plane_wave_rows_kernel_matches_its_numpy_twin(rng, shape):
    """The compiled multi-link rows (full-duplex DL/UL channels) against the einsum twin, with
    leading batch axes and NaN positions propagating as NumPy does."""
    from matoolbox.channels.multilink import plane_wave_rows, plane_wave_rows_numpy

    dirs = rng.uniform(-1, 1, (3, 5, 2))
    g = rng.standard_normal((3, 5)) + 1j * rng.standard_normal((3, 5))
    pos = rng.uniform(0, 0.5, shape)
    for sign in (1, -1):
        a = plane_wave_rows(dirs, g, pos, 2 * np.pi / 0.01, sign)
        b = plane_wave_rows_numpy(dirs, g, pos, 2 * np.pi / 0.01, sign)
        assert a.shape == b.shape == shape[:-2] + (3, shape[-2])
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13 * np.abs(b).max())
    bad = pos.copy()
    bad[..., 0, 0] = np.nan
    a = plane_wave_rows(dirs, g, bad, 100.0)
    assert np.array_equal(np.isnan(a), np.isnan(plane_wave_rows_numpy(dirs, g, bad, 100.0)))
    assert np.isnan(a[..., 0]).all() and np.isfinite(a[..., 1:]).all()


def test_nearfield_si_kernel_matches_its_numpy_twin(rng):
    """The compiled spherical-wave SI matrix against its NumPy twin: batched Tx with unbatched
    Rx positions (broadcast), an Rx offset with a z part, and the wavelength check kept."""
    from matoolbox.channels.self_interference import nearfield_si, nearfield_si_numpy

    t = rng.uniform(0, 0.04, (5, 7, 2))
    r = rng.uniform(0, 0.04, (6, 2))
    for off in ((0.05, 0.0, 0.0), (0.05, 0.01, 0.02)):
        a = nearfield_si(t, r, 0.01, 0.3, off)
        b = nearfield_si_numpy(t, r, 0.01, 0.3, off)
        assert a.shape == b.shape == (5, 6, 7)
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)
        np.testing.assert_allclose(nearfield_si(t[2], r, 0.01, 0.3, off), b[2], rtol=1e-13, atol=0)
        np.testing.assert_allclose(nearfield_si(r, t, 0.01, 0.3, off), nearfield_si_numpy(r, t, 0.01, 0.3, off),
                                   rtol=1e-13, atol=0)
    with pytest.raises(ma.InvalidProblemError, match="wavelength"):
        nearfield_si(t, r, -1.0)


def test_channel_kernels_hand_odd_shapes_to_their_twins(rng):
    """Inputs the kernels do not take (no positions, a last axis of 1 or 3, gains that do not
    match the directions, an array rho) get the NumPy twins' answer or error, never a read past
    an array."""
    from matoolbox.channels.multilink import plane_wave_rows, plane_wave_rows_numpy
    from matoolbox.channels.self_interference import nearfield_si, nearfield_si_numpy

    dirs = rng.uniform(-1, 1, (2, 3, 2))
    g = rng.standard_normal((2, 3)) + 0j
    assert plane_wave_rows(dirs, g, np.zeros((0, 2)), 10.0).shape == (2, 0)
    one = rng.uniform(size=(4, 1))                  # einsum broadcasts a last axis of 1
    np.testing.assert_array_equal(plane_wave_rows(dirs, g, one, 10.0), plane_wave_rows_numpy(dirs, g, one, 10.0))
    with pytest.raises(ValueError):
        plane_wave_rows(dirs, g, rng.uniform(size=(4, 3)), 10.0)
    with pytest.raises(ValueError):
        plane_wave_rows(dirs, g[:, :2], rng.uniform(size=(4, 2)), 10.0)
    t, r = rng.uniform(0, 0.04, (3, 2)), rng.uniform(0, 0.04, (2, 2))
    assert nearfield_si(np.zeros((0, 2)), r, 0.01).shape == (2, 0)
    rho = np.array([[0.5], [2.0]])
    np.testing.assert_array_equal(nearfield_si(t, r, 0.01, rho), nearfield_si_numpy(t, r, 0.01, rho))
    with pytest.raises(ValueError):
        nearfield_si(rng.uniform(size=(3, 3)), r, 0.01)
    np.testing.assert_array_equal(plane_wave_rows(dirs, g, t, 10.0), plane_wave_rows_numpy(dirs, g, t, 10.0))
