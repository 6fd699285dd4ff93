"""The E1-E4 example scripts (examples/full_duplex/) run in quick mode, write PNG + CSV and give
feasible, ordered results (MA >= FPA by warm start, E3 at the bound N)."""
import csv
import importlib.util
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "examples" / "full_duplex"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"fd_example_{name}", ROOT / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _check_files(out, stem, res):
    png, rows = out / f"{stem}.png", out / f"{stem}.csv"
    assert png.stat().st_size > 1000 and rows.exists() and (out / f"{stem}_mean.csv").exists()
    with open(rows) as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(res.rows)
    assert res.infeasible() == 0 and res.failed() == 0
    for r in res.rows:
        assert r["violation"] <= 1e-9
        for k, v in r.items():
            if isinstance(v, float):
                assert math.isfinite(v), (k, v)


def test_e1_script(tmp_path):
    res = _load("e1_ccfd_maxmin").run(quick=True, trials=1, out=tmp_path)
    _check_files(tmp_path, "e1_ccfd_maxmin", res)
    for r in res.rows:
        assert r["ppso"] >= r["fpa"] - 1e-9 and r["apo"] >= r["fpa"] - 1e-9
        assert r["hd_ma"] >= r["hd_fpa"] - 1e-9
    # stronger residual SI never helps FPA (same channel draw along the rho axis)
    fpa = [r["fpa"] for r in sorted(res.rows, key=lambda r: r["si_db"])]
    assert all(b <= a + 1e-12 for a, b in zip(fpa, fpa[1:]))


def test_e2_script(tmp_path):
    res = _load("e2_spectrum_sharing").run(quick=True, trials=1, out=tmp_path)
    _check_files(tmp_path, "e2_spectrum_sharing", res)
    for r in res.rows:
        assert r["ma_snr_db"] >= r["fpa_snr_db"] - 1e-6
        assert r["max_inr_db"] <= r["inr_cap_db"] + 1e-6
    # FPA (exact SOCP at fixed positions) is non-decreasing in the cap
    for K in (1, 3):
        fpa = [r["fpa_snr_db"] for r in sorted(res.rows, key=lambda r: r["inr_cap_db"]) if r["K"] == K]
        assert all(b >= a - 1e-6 for a, b in zip(fpa, fpa[1:]))


def test_e3_script(tmp_path):
    res = _load("e3_null_steering").run(quick=True, trials=2, out=tmp_path)
    _check_files(tmp_path, "e3_null_steering", res)
    assert (tmp_path / "e3_null_steering_k3.png").stat().st_size > 1000
    for r in res.rows:
        assert abs(r["ma_gain_db"] - r["bound_db"]) <= 1e-9
        assert r["fpa_zf_gain_db"] <= r["finite_gain_db"] + 1e-9 <= r["bound_db"] + 2e-9
        assert r["max_null_gain"] <= 1e-12 * r["N"]


def test_e4_script(tmp_path):
    res = _load("e4_multibeam").run(quick=True, trials=1, out=tmp_path)
    _check_files(tmp_path, "e4_multibeam", res)
    for r in res.rows:
        assert r["ma_db"] >= r["fpa_db"] - 1e-6
        assert r["fpa_sdr_bound_db"] >= r["fpa_db"] - 1e-6
        assert r["max_null_db"] <= r["xi_db"] + 1e-6
