"""Full-duplex batched MMSE receive combiners (``full_duplex.common.mmse_batch``, the PSO
fitness's inner combiners): against the per-user solve, at extreme SI and SNR, the single-user
shortcut in exact rational arithmetic, zero-power users and users without channel."""
import numpy as np
import pytest


def _sinr_of(hU, V, p, w, j):
    """p_j |w^H h_j|^2 / (w^H Q_j w) as a sum of non-negative terms (accurate in float64)."""
    num = p[j] * abs(np.vdot(w, hU[:, j])) ** 2
    den = np.vdot(w, w).real + np.sum(np.abs(V.conj().T @ w) ** 2)
    den += sum(p[m] * abs(np.vdot(w, hU[:, m])) ** 2 for m in range(hU.shape[1]) if m != j)
    return num / den


@pytest.mark.parametrize("seed", range(4))
def test_mmse_batch_is_each_users_own_mmse_combiner(seed):
    """One SVD for all users (Q^{-1} h_j, the direction of Q_j^{-1} h_j) against the per-user
    solve Q_j^{-1} h_j, including a user with p_j = 0 (then Q = Q_j) and strong SI."""
    from matoolbox.full_duplex.common import mmse_batch

    rng = np.random.default_rng(seed)
    n, Nr, Nt, KU, KD = 5, 4, 3, 3, 2
    hU = rng.standard_normal((n, Nr, KU)) + 1j * rng.standard_normal((n, Nr, KU))
    H = 10.0 ** seed * (rng.standard_normal((n, Nr, Nt)) + 1j * rng.standard_normal((n, Nr, Nt)))
    Wt = rng.standard_normal((Nt, KD)) + 1j * rng.standard_normal((Nt, KD))
    p = np.array([0.7, 0.0, 1.3]) if seed % 2 else np.array([0.7, 0.2, 1.3])
    W = mmse_batch(hU, H, Wt, p)
    assert W.shape == (n, Nr, KU)
    for b in range(n):
        V = H[b] @ Wt
        for j in range(KU):
            Qj = np.eye(Nr) + V @ V.conj().T + sum(p[m] * np.outer(hU[b, :, m], hU[b, :, m].conj())
                                                   for m in range(KU) if m != j)
            z = np.linalg.solve(Qj, hU[b, :, j])
            ref = z / np.linalg.norm(z)
            assert np.allclose(W[b, :, j], ref, rtol=0, atol=1e-9 * 10.0 ** seed)
            assert _sinr_of(hU[b], V, p, W[b, :, j], j) == pytest.approx(_sinr_of(hU[b], V, p, ref, j), rel=1e-10)


def test_mmse_batch_keeps_its_sinr_at_extreme_si_and_snr():
    """SI 1e12 above the noise and UL SNR 1e9 with Nr = 2 < K_U + K_D: the one-SVD combiner's
    SINR is not below a per-user low-rank solve's (it forms the direction without a subtraction)."""
    from matoolbox.full_duplex.common import lowrank_solve, mmse_batch

    rng = np.random.default_rng(3)
    n, Nr, Nt, KU, KD = 40, 2, 3, 2, 2
    hU = 3e4 * (rng.standard_normal((n, Nr, KU)) + 1j * rng.standard_normal((n, Nr, KU)))
    H = 1e6 * (rng.standard_normal((n, Nr, Nt)) + 1j * rng.standard_normal((n, Nr, Nt)))
    Wt = rng.standard_normal((Nt, KD)) + 1j * rng.standard_normal((Nt, KD))
    p = np.array([0.4, 0.9])
    W = mmse_batch(hU, H, Wt, p)
    assert np.all(np.isfinite(W))
    for b in range(n):
        V = H[b] @ Wt
        for j in range(KU):
            B = np.concatenate([hU[b][:, [m for m in range(KU) if m != j]] * np.sqrt(p[[m for m in range(KU) if m != j]]), V], axis=1)
            z = lowrank_solve(B, hU[b, :, j])
            s_new, s_ref = _sinr_of(hU[b], V, p, W[b, :, j], j), _sinr_of(hU[b], V, p, z / np.linalg.norm(z), j)
            assert s_new >= s_ref * (1 - 1e-12)


@pytest.mark.parametrize("si_db", [0, 60, 140])
def test_single_user_mmse_batch_sherman_morrison(si_db):
    """One UL user and one SI vector (the single-user problems' shortcut): the direction of
    Q^{-1} h, Q = I + v v^H, against the explicit solve at moderate SI and, at 140 dB, an SINR
    not below the SVD form's (the multi-user path, reached with a zero-power second user)."""
    from matoolbox.full_duplex.common import mmse_batch

    rng = np.random.default_rng(si_db)
    n, Nr, Nt = 6, 4, 3
    hU = 1e3 * (rng.standard_normal((n, Nr, 1)) + 1j * rng.standard_normal((n, Nr, 1)))
    H = 10 ** (si_db / 20) * (rng.standard_normal((n, Nr, Nt)) + 1j * rng.standard_normal((n, Nr, Nt)))
    Wt = rng.standard_normal((Nt, 1)) + 1j * rng.standard_normal((Nt, 1))
    p = np.array([0.8])
    W = mmse_batch(hU, H, Wt, p)
    assert W.shape == (n, Nr, 1)
    for b in range(n):
        v = H[b] @ Wt[:, 0]
        if si_db < 140:
            z = np.linalg.solve(np.eye(Nr) + np.outer(v, v.conj()), hU[b, :, 0])
            np.testing.assert_allclose(W[b, :, 0], z / np.linalg.norm(z), rtol=0, atol=1e-10 * 10 ** (si_db / 20))
    h2 = np.concatenate([hU, hU[..., :1] * 0.5], axis=-1)           # second user at zero power
    W2 = mmse_batch(h2, H, Wt, np.array([0.8, 0.0]))
    for b in range(n):
        V = H[b] @ Wt
        assert _sinr_of(hU[b], V, p, W[b, :, 0], 0) >= _sinr_of(hU[b], V, p, W2[b, :, 0], 0) * (1 - 1e-11)


def _exact_single_user_loss(h, v, w, p=1.0, noise=1.0):
    """1 - SINR(w) / SINR* in exact rational arithmetic, Q = noise I + v v^H (one UL user, one
    SI vector): SINR(w) = p |w^H h|^2 / (noise ||w||^2 + |v^H w|^2), SINR* = p (||h||^2 -
    |v^H h|^2 / (noise + ||v||^2)) / noise (Sherman-Morrison)."""
    from fractions import Fraction as Fr

    def cx(a):
        return [(Fr(float(z.real)), Fr(float(z.imag))) for z in a]

    def dot(a, b):                                  # a^H b
        re = sum((x[0] * y[0] + x[1] * y[1] for x, y in zip(a, b)), Fr(0))
        im = sum((x[0] * y[1] - x[1] * y[0] for x, y in zip(a, b)), Fr(0))
        return re, im

    def ab2(z):
        return z[0] * z[0] + z[1] * z[1]

    h, v, w = cx(h), cx(v), cx(w)
    P, s2 = Fr(float(p)), Fr(float(noise))
    got = P * ab2(dot(w, h)) / (s2 * dot(w, w)[0] + ab2(dot(v, w)))
    best = P * (dot(h, h)[0] - ab2(dot(v, h)) / (s2 + dot(v, v)[0])) / s2
    return float(1 - got / best)


def test_single_user_mmse_batch_keeps_a_channel_nearly_along_the_si():
    """h 1e-6 off an SI vector 140 dB above the noise (UL SNR 100 dB): the single-user combiner
    reaches the exact optimum SINR to 1e-12 (a single projection lost ~1e-5 here; the per-user
    low-rank solve of earlier releases ~5e-4)."""
    from matoolbox.full_duplex.common import mmse_batch

    rng = np.random.default_rng(1)
    for _ in range(20):
        v = rng.standard_normal(3) + 1j * rng.standard_normal(3)
        v *= 1e7 / np.linalg.norm(v)
        d = rng.standard_normal(3) + 1j * rng.standard_normal(3)
        h = 1e5 * (v / 1e7 + 1e-6 * d)
        w = mmse_batch(h[None, :, None], v[None, :, None], np.ones((1, 1)), np.array([1.0]))[0, :, 0]
        assert _exact_single_user_loss(h, v, w) <= 1e-12


@pytest.mark.parametrize("noise,Nr,KD", [(1.0, 4, 2), (2.5, 4, 2), (2.5, 7, 1)])
def test_mmse_batch_users_without_power_or_channel(noise, Nr, KD):
    """Two users at p = 0 (Q = Q_j for them) with noise != 1, and a user without channel in one
    batch entry (e_0, its SINR is 0 either way): against the explicit solve."""
    from matoolbox.full_duplex.common import mmse_batch

    rng = np.random.default_rng(7)
    n, Nt, KU = 3, 3, 3          # Nr = 7 > K_U + K_D: the thin SVD leaves directions out
    hU = rng.standard_normal((n, Nr, KU)) + 1j * rng.standard_normal((n, Nr, KU))
    hU[2, :, 1] = 0.0
    H = rng.standard_normal((n, Nr, Nt)) + 1j * rng.standard_normal((n, Nr, Nt))
    Wt = rng.standard_normal((Nt, KD)) + 1j * rng.standard_normal((Nt, KD))
    p = np.array([0.0, 0.9, 0.0])
    W = mmse_batch(hU, H, Wt, p, noise=noise)
    for b in range(n):
        V = H[b] @ Wt
        for j in range(KU):
            if not np.any(hU[b, :, j]):
                np.testing.assert_array_equal(W[b, :, j], np.eye(Nr)[0])
                continue
            Qj = noise * np.eye(Nr) + V @ V.conj().T + sum(p[m] * np.outer(hU[b, :, m], hU[b, :, m].conj())
                                                           for m in range(KU) if m != j)
            z = np.linalg.solve(Qj, hU[b, :, j])
            np.testing.assert_allclose(W[b, :, j], z / np.linalg.norm(z), rtol=0, atol=1e-10)
