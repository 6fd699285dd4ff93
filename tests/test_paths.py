"""Bring your own channel: the Paths type (conventions, files, validation) and every family's
from_paths / from_channel (the problem's channel equals the given one, ao_solve runs on it)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

import matoolbox as ma
from matoolbox.channels.field_response import directions, ula_positions
from matoolbox.channels.paths import Paths
from matoolbox.problems import (
    CompRsmaProblem, FullDuplexMultiUserProblem, FullDuplexProblem, UplinkTwoTimescaleProblem, XlmaPlacementProblem,
)

RNG = np.random.default_rng(12)


def _c(*shape, scale=1.0):
    return scale * (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)) / np.sqrt(2)


def _rand_paths(links, L, rng=None):
    rng = np.random.default_rng(3) if rng is None else rng
    sh = tuple(links) + (L,)
    ang = rng.uniform(-np.pi / 2, np.pi / 2, (4,) + sh)
    g = (rng.standard_normal(sh) + 1j * rng.standard_normal(sh)) / np.sqrt(2 * L)
    return Paths(g, *ang)


def _toolbox_angles(dirs):
    th = np.arcsin(dirs[..., 1])
    return th, np.arcsin(np.clip(dirs[..., 0] / np.cos(th), -1, 1))


def _rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / max(np.max(np.abs(b)), 1e-300))


# ----------------------------------------------------------------------------- Paths: conventions
def test_conventions_mzz_minus_j_and_channel_formula():
    rng = np.random.default_rng(0)
    sh = (2, 5)
    g = _c(*sh)
    th = rng.uniform(0, np.pi, (4,) + sh)
    p = Paths.from_arrays(g, *th, convention="mzz")
    np.testing.assert_allclose(p.w_t, directions(th[0], th[1], "fd"), atol=1e-14)
    np.testing.assert_allclose(p.w_r, directions(th[2], th[3], "fd"), atol=1e-14)
    back = p.angles("mzz")
    np.testing.assert_allclose(back["theta_t"], th[0], atol=1e-14)
    # an exp(-j...) MATLAB code: F^H Sigma G with exp(-j kappa rho); same channel after conversion
    lam, r, t = 0.1, rng.uniform(0, 0.3, (3, 2)), rng.uniform(0, 0.3, (4, 2))
    k = 2 * np.pi / lam
    wt, wr = directions(th[0], th[1], "fd"), directions(th[2], th[3], "fd")
    F = np.exp(-1j * k * np.einsum("...ld,md->...ml", wr, r))
    G = np.exp(-1j * k * np.einsum("...ld,nd->...ln", wt, t))
    H_minus = np.einsum("...ml,...l,...ln->...mn", F.conj(), g, G)
    q = Paths.from_arrays(g, *th, convention="mzz", phase_sign=-1)
    assert _rel(q.channel(r, t, lam), H_minus) < 1e-12
    back = Paths.from_arrays(**q.to_arrays("mzz", phase_sign=-1), convention="mzz", phase_sign=-1)
    np.testing.assert_allclose(back.theta_t, q.theta_t, atol=1e-14)
    np.testing.assert_allclose(q.to_arrays("mzz", -1)["phi_r"], th[3], atol=1e-14)
    # degrees accepted on request
    d = Paths.from_arrays(g, *np.rad2deg(th), convention="mzz", degrees=True)
    np.testing.assert_allclose(d.theta_r, p.theta_r, atol=1e-12)


def test_sionna_layout_matches_the_sionna_channel():
    rng = np.random.default_rng(1)
    B, R, T, L = 2, 3, 2, 4
    a = _c(B, R, 1, T, 1, L, 1)
    zen = rng.uniform(0, np.pi, (4, B, R, T, L))
    azi = rng.uniform(-np.pi, np.pi, (4, B, R, T, L))
    p = Paths.from_sionna(a, zen[0], azi[0], zen[1], azi[1], tau=np.abs(zen[2]) * 1e-7, batch=1,
                          tx_plane=("y", "z"), rx_plane=("x", "y"))
    assert p.links == (T, R) and p.L == L and p.tau.shape == (T, R, L)
    lam, k = 0.05, 2 * np.pi / 0.05
    r2, t2 = rng.uniform(-0.1, 0.1, (3, 2)), rng.uniform(-0.1, 0.1, (5, 2))
    r3 = np.stack([r2[:, 0], r2[:, 1], 0 * r2[:, 0]], -1)          # rx plane (x, y)
    t3 = np.stack([0 * t2[:, 0], t2[:, 0], t2[:, 1]], -1)          # tx plane (y, z)

    def rhat(th, ph):
        return np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], -1)

    kt, kr = rhat(zen[0, 1], azi[0, 1]), rhat(zen[1, 1], azi[1, 1])          # (R, T, L, 3)
    # Sionna: h = sum_l a exp(j k (k_r . r + k_t . t))
    ref = np.einsum("rtl,rtlm,rtln->trmn", a[1, :, 0, :, 0, :, 0],
                    np.exp(1j * k * np.einsum("rtld,md->rtlm", kr, r3)),
                    np.exp(1j * k * np.einsum("rtld,nd->rtln", kt, t3)))
    assert _rel(p.channel(r2, t2, lam), ref) < 1e-12
    allb = Paths.from_sionna(a, zen[0], azi[0], zen[1], azi[1], batch=None, tx_plane=("y", "z"), rx_plane=("x", "y"))
    assert allb.links == (B, T, R)
    np.testing.assert_array_equal(allb[1].gains, p.gains)
    np.testing.assert_array_equal(allb[1].theta_r, p.theta_r)


@pytest.mark.parametrize("suffix", [".npz", ".mat", ".json"])
def test_paths_save_and_load(tmp_path, suffix):
    p = _rand_paths((2, 3), 4)
    p = Paths(p.gains, p.theta_t, p.phi_t, p.theta_r, p.phi_r, tau=np.full(p.gains.shape, 1e-8))
    q = Paths.load(p.save(tmp_path / f"p{suffix}"))
    for f in ("gains", "theta_t", "phi_t", "theta_r", "phi_r", "tau"):
        np.testing.assert_array_equal(getattr(q, f), getattr(p, f))


# ----------------------------------------------------------------------------- bad files
def _write(tmp_path, name, **arrays):
    path = tmp_path / name
    if name.endswith(".npz"):
        np.savez(path, **arrays)
    elif name.endswith(".json"):
        path.write_text(json.dumps(arrays))
    else:
        from scipy.io import savemat

        savemat(path, arrays)
    return path


def _good(**changes):
    sh = (2, 3)
    d = dict(gains=np.ones(sh) + 0j, theta_t=np.zeros(sh), phi_t=np.zeros(sh), theta_r=np.zeros(sh),
             phi_r=np.zeros(sh))
    d.update(changes)
    return {k: v for k, v in d.items() if v is not None}


BAD_PATHS = [
    ("missing.npz", _good(theta_r=None), r"Paths\.theta_r = None: missing from the file"),
    ("shape.npz", _good(phi_t=np.zeros((2, 4))), r"Paths\.phi_t = .*shape \(2, 4\).*must have the shape of gains"),
    ("nan.npz", _good(gains=np.array([[1, np.nan, 1], [1, 1, 1]]) + 0j), r"Paths\.gains = .*NaN.*finite"),
    ("range.mat", _good(theta_t=np.full((2, 3), 2.0)), r"Paths\.theta_t = .*out of range.*\[-1\.5708, 1\.5708\]"),
    ("degrees.npz", _good(phi_r=np.full((2, 3), 45.0)), r"Paths\.phi_r = .*degrees given\?"),
    ("complex_angle.npz", _good(theta_r=np.ones((2, 3)) * 1j), r"Paths\.theta_r = .*complex.*must be real"),
    ("mzz.npz", {**_good(theta_t=np.full((2, 3), -0.5)), "convention": "mzz"}, r"Paths\.theta_t = .*\[0, 3\.14159\].*'mzz'"),
    ("a_nan.mat", {"a": np.full((2, 3), np.inf) + 0j, **{k: v for k, v in _good().items() if k != "gains"}},
     r"Paths\.a = .*NaN/inf.*finite"),
    ("bad.txt", _good(), r"Paths\.path = .*must end in \.mat, \.npz or \.json"),
]


@pytest.mark.parametrize("name,arrays,match", BAD_PATHS, ids=[b[0] for b in BAD_PATHS])
def test_bad_paths_files_name_the_field(tmp_path, name, arrays, match):
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("x")
    else:
        path = _write(tmp_path, name, **arrays)
    with pytest.raises(ma.InvalidProblemError, match=match):
        Paths.load(path)


def test_bad_paths_more_cases(tmp_path):
    obj = tmp_path / "obj.npz"
    np.savez(obj, gains=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ma.InvalidProblemError, match=r"Paths\.path = .*pickle, refused"):
        Paths.load(obj)
    with pytest.raises(ma.InvalidProblemError, match=r"Paths\.path = .*no such file"):
        Paths.load(tmp_path / "nope.mat")
    js = tmp_path / "c.json"
    js.write_text(json.dumps({"gains": {"real": [[1, 2]]}, "theta_t": [[0, 0]], "phi_t": [[0, 0]],
                              "theta_r": [[0, 0]], "phi_r": [[0, 0]]}))
    with pytest.raises(ma.InvalidProblemError, match=r"gains\['imag'\].*needs both 'real' and 'imag'"):
        Paths.load(js)
    zen = np.full((1, 1, 1, 2), 4.0)
    with pytest.raises(ma.InvalidProblemError, match=r"Paths\.theta_t = .*'sionna'"):
        Paths.from_sionna(np.ones((1, 1, 1, 1, 1, 2, 1)), zen, 0 * zen, 0 * zen + 1, 0 * zen)
    with pytest.raises(ma.InvalidProblemError, match=r"Paths\.tau = .*>= 0"):
        Paths(np.ones(2) + 0j, np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), tau=[-1.0, 0.0])


# ----------------------------------------------------------------------------- CoMP-RSMA
def test_comp_rsma_from_channel_exact_and_solves():
    H = _c(3, 8)
    per_bs = CompRsmaProblem.from_channel([H[:, :4], H[:, 4:]], snr_db=10.0)
    stacked = CompRsmaProblem.from_channel(H, I=4, snr_db=10.0)
    assert per_bs.scheme == "RSMA-FPA" and (per_bs.N, per_bs.K, per_bs.I) == (2, 3, 4)
    assert _rel(per_bs.channel_matrix(), H) < 1e-12
    assert _rel(stacked.channel_matrix(), H) < 1e-12
    sol = ma.ao_solve(per_bs, max_iter=3, rng=0)
    assert sol.exitflag >= 0 and np.isfinite(sol.fval) and sol.fval > 0
    np.testing.assert_array_equal(sol.x["positions"], 0.0)
    with pytest.raises(ma.InvalidProblemError, match=r"movable = True: .*use from_paths"):
        CompRsmaProblem.from_channel(H, I=4, movable=True)
    with pytest.raises(ma.InvalidProblemError, match=r"CompRsmaProblem\.I = 3: must divide the 8 columns"):
        CompRsmaProblem.from_channel(H, I=3)


def test_comp_rsma_from_paths_follows_positions():
    paths = _rand_paths((2, 3), 5)
    prob = CompRsmaProblem.from_paths(paths, I=4, snr_db=20.0, wavelength=0.01)
    assert prob.movable and (prob.N, prob.K, prob.L) == (2, 3, 5)
    r = np.random.default_rng(5).uniform(-0.01, 0.01, (3, 2))
    Hp = prob.channel_matrix(r)                                        # (K, N*I)
    t = ula_positions(4, 0.005)
    for n in range(2):
        for k in range(3):
            ref = paths[n, k].channel(r[k][None], t, 0.01)[0]         # h^H(r_k, t): (I,)
            assert _rel(Hp[k, 4 * n:4 * n + 4], ref) < 1e-12
    with pytest.raises(ma.InvalidProblemError, match=r"snr_db = 20.0: give either snr_db .* or pmax_dbm, not both"):
        CompRsmaProblem.from_paths(paths, snr_db=20.0, pmax_dbm=30.0)


# ----------------------------------------------------------------------------- uplink
def test_uplink_from_channel_exact_and_solves():
    base = UplinkTwoTimescaleProblem.random(seed=0, n_saa=20)
    x = {"positions": base.fpa_positions()}
    A = np.exp(1j * 2 * np.pi * np.outer(base.fpa_positions(), np.cos(base.angles)))
    for rec in ("zf", "mmse", "mmse_sic"):
        given = UplinkTwoTimescaleProblem.from_channel(A, rician=base.rician, p_db=base.p_db, receiver=rec, n_saa=20)
        assert given.objective(x) == pytest.approx(base.with_(receiver=rec).objective(x), rel=1e-12)
    assert _rel(given.channel_matrix(), A) < 1e-12
    sol = ma.ao_solve(given, rng=0)
    assert sol.exitflag >= 0 and np.array_equal(sol.x["positions"], base.fpa_positions())
    with pytest.raises(ma.InvalidProblemError, match=r"movable = True: .*use from_paths"):
        UplinkTwoTimescaleProblem.from_channel(A, rician=10.0, movable=True)
    with pytest.raises(ma.InvalidProblemError, match=r"\.los = .*NaN/inf"):
        UplinkTwoTimescaleProblem.from_channel(np.full((4, 2), np.nan), rician=1.0)


def test_uplink_from_paths_angles_and_paths():
    p = UplinkTwoTimescaleProblem.from_paths([1.0, 1.4, 2.0], rician=5.0, snr_db=10.0, M=6)
    assert p.K == 3 and p.noise == 1.0 and np.allclose(p.p, 10.0)
    paths = _rand_paths((3,), 3)
    q = UplinkTwoTimescaleProblem.from_paths(paths, M=6)
    pw = np.abs(paths.gains) ** 2
    los = np.argmax(pw, axis=1)
    xs = q.fpa_positions()
    for k in range(3):                       # h = conj(h^H): the LoS column follows exp(+j kappa x cos theta)
        w = paths.w_r[k, los[k]]
        np.testing.assert_allclose(q._los_steering(xs)[:, k], np.exp(1j * 2 * np.pi * xs * w[0]), atol=1e-12)
    np.testing.assert_allclose(q._c["rician"], pw[np.arange(3), los] / (pw.sum(1) - pw[np.arange(3), los]))
    assert ma.ao_solve(q, rng=0).exitflag >= 0
    with pytest.raises(ma.InvalidProblemError, match=r"snr_db = 10: give either snr_db .* or p_db, not both"):
        UplinkTwoTimescaleProblem.from_paths([1.0], rician=1.0, snr_db=10, p_db=3.0, M=2)
    with pytest.raises(ma.InvalidProblemError, match=r"\.rician = None: must be given"):
        UplinkTwoTimescaleProblem.from_paths([1.0, 2.0], M=4)


# ----------------------------------------------------------------------------- XL-MA
def test_xlma_from_points_and_fixed_positions():
    grid = XlmaPlacementProblem.random_small(seed=0)
    kw = dict(MH=grid.MH, MV=grid.MV, fc=grid.fc, p_dbm=grid.p_dbm, noise_dbm=grid.noise_dbm, kappa_db=grid.kappa_db)
    pts = XlmaPlacementProblem.from_paths(users=grid.grid_centres, rho=grid.rho, candidates=grid.candidates,
                                          omega=grid.Omega, N=grid.N, **kw)
    geo = pts.channel_geometry()
    assert _rel(geo["users"], grid.grid_centres) < 1e-12 and _rel(geo["candidates"], grid.candidates) < 1e-12
    np.testing.assert_array_equal(geo["Omega"], grid.Omega)
    x = grid.initial_point(0)
    assert pts.objective(x) == pytest.approx(grid.objective(x), rel=1e-12)
    sol = ma.ao_solve(pts, rng=0)
    assert sol.exitflag >= 0 and sol.fval == pytest.approx(ma.ao_solve(grid, rng=0).fval, rel=1e-9)
    sel = sol.x["selection"]
    fixed = XlmaPlacementProblem.from_channel(grid.candidates[sel], users=grid.grid_centres, rho=grid.rho,
                                              omega=grid.Omega[:, sel], **kw)
    assert fixed.N == fixed.N0 == grid.N
    assert ma.ao_solve(fixed, rng=0).fval == pytest.approx(sol.fval, rel=1e-9)
    with pytest.raises(ma.InvalidProblemError, match=r"XlmaPlacementProblem\.H = .*from geometry"):
        XlmaPlacementProblem.from_channel(H=_c(3, 4))
    with pytest.raises(ma.InvalidProblemError, match=r"\.candidates = .*array plane y = 0"):
        XlmaPlacementProblem.from_paths(users=[[0, 5, 1]], rho=[1.0], candidates=[[0, 1, 0], [1, 0, 0]], N=1)
    with pytest.raises(ma.InvalidProblemError, match=r"\.users = None: is required"):
        XlmaPlacementProblem.from_paths(rho=[1.0], candidates=[[0, 0, 0]], N=1)
    with pytest.raises(ma.InvalidProblemError, match=r"snr_db = 5: give either snr_db .* or p_dbm, not both"):
        XlmaPlacementProblem.from_paths(users=[[0, 5, 1]], rho=[1.0], candidates=[[0, 0, 0]], N=1, snr_db=5, p_dbm=1)


# ----------------------------------------------------------------------------- full duplex
@pytest.mark.parametrize("cls,KD,KU,Nt,Nr", [(FullDuplexProblem, 1, 1, 4, 4), (FullDuplexMultiUserProblem, 2, 2, 5, 3)])
def test_full_duplex_from_channel_exact_and_solves(cls, KD, KU, Nt, Nr):
    hd, hu, H = _c(KD, Nt), _c(Nr, KU), _c(Nr, Nt, scale=0.01)
    args = (hd[0], hu[:, 0], H) if cls is FullDuplexProblem else (hd, hu, H)
    prob = cls.from_channel(*args, snr_db=10.0)
    ch = prob.channel_matrices()
    assert _rel(ch["h_dl"], hd) < 1e-12 and _rel(ch["h_ul"], hu) < 1e-12 and _rel(ch["H_si"], H) < 1e-12
    assert not prob.movable_tx and not prob.movable_rx
    sol = ma.ao_solve(prob, max_iter=3, rng=0)
    assert sol.exitflag >= 0 and np.isfinite(sol.fval)
    np.testing.assert_array_equal(sol.x["positions_tx"], prob.fpa["positions_tx"])
    with pytest.raises(ma.InvalidProblemError, match=r"movable = True: .*use from_paths"):
        cls.from_channel(*args, movable=True)
    with pytest.raises(ma.InvalidProblemError, match=r"\.H_si = .*must have shape"):
        cls.from_channel(args[0], args[1], H[:, :-1])


def test_full_duplex_from_paths_follows_positions():
    ref = FullDuplexProblem.random(seed=0, si_model="field_response")

    def mk(dirs, g):
        th, ph = _toolbox_angles(dirs)
        return Paths(g, th, ph, th, ph)

    si = ref.si
    L = si.Sigma.shape[0]
    assert L == si.Sigma.shape[1]
    prob = FullDuplexProblem.from_paths(mk(ref.dl_dirs, ref.dl_gains), mk(ref.ul_dirs, ref.ul_gains),
                                        p_max_dbm=30.0, noise_dbm=-80.0, p_ul_dbm=20.0, rho_db=-70.0,
                                        iui=np.sqrt(ref.iui_gain), region_size=ref.region_size)
    x = ref.initial_point(0)
    ch, cr = prob.channel_matrices(x), ref.channel_matrices(x)
    assert _rel(ch["h_dl"], cr["h_dl"]) < 1e-12 and _rel(ch["h_ul"], cr["h_ul"]) < 1e-12
    # SI from paths: diagonal Sigma -> H_SI = sqrt(rho) F^H diag(a) G^T
    sp = _rand_paths((), 3)
    p2 = FullDuplexMultiUserProblem.from_paths(_rand_paths((2,), 4), _rand_paths((2,), 4), sp, Nt=4, Nr=4)
    y = p2.initial_point(0)
    Hsi = p2.channel_matrices(y)["H_si"]
    want = sp.channel(y["positions_rx"], y["positions_tx"], p2.wavelength)
    assert _rel(Hsi, want) < 1e-12
    assert ma.ao_solve(p2, max_iter=2, rng=0).exitflag >= 0
    with pytest.raises(ma.InvalidProblemError, match=r"snr_db = 10: give either snr_db .* or p_max_dbm, not both"):
        FullDuplexProblem.from_paths(sp, sp, snr_db=10, p_max_dbm=20)


# ----------------------------------------------------------------------------- example scripts
@pytest.mark.parametrize("family", ["comp_rsma", "uplink", "xlma", "full_duplex"])
def test_own_channel_examples_run(tmp_path, family):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / family / "own_channel.py"
    spec = importlib.util.spec_from_file_location(f"own_channel_{family}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    kw = {"max_iter": 2} if family in ("comp_rsma", "full_duplex") else {}
    res = mod.main(out=tmp_path, **kw)
    assert len(res) == (3 if family == "comp_rsma" else 2)       # comp_rsma: MA and FPA on the paths, plus the matrix
    assert all(np.isfinite(r["fval"]) and r["exitflag"] >= 0 for r in res.values())
    for name in res:                              # each instance reloads to the same objective
        inst = ma.Problem.from_json(tmp_path / f"{name}_instance.json")
        sol = ma.Solution.from_mat(tmp_path / f"{name}.mat")
        assert inst.objective(sol.x) == pytest.approx(sol.fval, rel=1e-9, abs=1e-9)


def test_mat_singleton_axes_survive(tmp_path):
    from scipy.io import savemat

    p = _rand_paths((1, 3), 2)                              # N = 1 BS: MATLAB keeps the leading 1
    savemat(tmp_path / "n1.mat", p.to_dict())
    q = Paths.load(tmp_path / "n1.mat")
    assert q.links == (1, 3) and CompRsmaProblem.from_paths(q, snr_db=0.0).N == 1
    one = _rand_paths((2, 3), 1)                            # L = 1: MATLAB drops the trailing 1
    savemat(tmp_path / "l1.mat", {k: (np.asarray(v)[..., 0] if k != "convention" else v) for k, v in one.to_dict().items()})
    r = Paths.load(tmp_path / "l1.mat", L=1)
    assert r.links == (2, 3) and r.L == 1
    np.testing.assert_array_equal(r.gains, one.gains)


# ----------------------------------------------------------------------------- Paths.random
def test_paths_random_reproducible_shapes_and_power():
    a, b = Paths.random((2, 3), 4, 5), Paths.random((2, 3), 4, np.random.default_rng(5))
    assert a.links == (2, 3) and a.L == 4 and a.tau is None
    for f in ("gains", "theta_t", "phi_t", "theta_r", "phi_r"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert not np.allclose(a.gains, Paths.random((2, 3), 4, 6).gains)
    assert Paths.random(3, 2, 0).links == (3,) and Paths.random((), 2, 0).links == ()
    p = Paths.random(20000, 5, np.random.default_rng(1), power=2.0)
    assert abs(np.mean(np.sum(np.abs(p.gains) ** 2, axis=-1)) / 2.0 - 1) < 0.02


@pytest.mark.parametrize("law", ["mzz", "uniform", "toolbox"])
def test_paths_random_angle_laws(law):
    p = Paths.random(4000, 3, np.random.default_rng(2), angles=law)
    mzz = p.angles("mzz")                                   # back in the MZZ convention, [0, pi]
    for end in "tr":
        th, ph = mzz[f"theta_{end}"].ravel(), mzz[f"phi_{end}"].ravel()
        assert th.min() >= 0 and th.max() <= np.pi
        cdf = (lambda x: (1 - np.cos(x)) / 2) if law == "mzz" else stats.uniform(0, np.pi).cdf
        assert stats.kstest(th, cdf).pvalue > 1e-3
        assert stats.kstest(ph, stats.uniform(0, np.pi).cdf).pvalue > 1e-3
    # "mzz" draws the MZZ angles and converts them as from_arrays(..., convention="mzz") does
    if law == "mzz":
        rng = np.random.default_rng(3)
        q = Paths.random((2,), 3, rng)
        rng = np.random.default_rng(3)
        th_t = np.arccos(1 - 2 * rng.random((2, 3)))
        ph_t = rng.uniform(0, np.pi, (2, 3))
        np.testing.assert_allclose(q.theta_t, np.pi / 2 - th_t, atol=1e-15)
        np.testing.assert_allclose(q.phi_t, np.pi / 2 - ph_t, atol=1e-15)


@pytest.mark.parametrize("kw, field", [({"angles": "gauss"}, "angles"), ({"power": 0.0}, "power"),
                                       ({"L": 0}, "L"), ({"shape": (2, -1)}, "shape"),
                                       ({"shape": "3"}, "shape")])
def test_paths_random_bad_arguments(kw, field):
    args = {"shape": (2,), "L": 3, "rng": 0, **kw}
    with pytest.raises(ma.InvalidProblemError, match=rf"Paths.random\.{field} = "):
        Paths.random(**args)
