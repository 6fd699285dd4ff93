"""The E1-E4 example scripts (examples/full_duplex/) in tiny mode: the PLOTTED data (Line2D arrays
via matoolbox.plots.capture) has every promised curve with finite points at every x, the CSV
holds every trial, and the results are feasible and ordered (E3 at the bound N)."""
import csv
import importlib.util
import math
from pathlib import Path

import numpy as np

from matoolbox import plots

ROOT = Path(__file__).resolve().parents[1] / "examples" / "full_duplex"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"fd_example_{name}", ROOT / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run(name, tmp_path, trials=1, grid=None, n_figs=1):
    """Run in tiny mode; check the plotted curves of every figure; return (result, [{label: y}])."""
    mod = _load(name)
    with plots.capture() as figs:
        res = mod.run(quick=True, trials=trials, out=tmp_path, grid=grid)
    curves = [f for f in figs if f["kind"] == "curves"]
    assert len(curves) == n_figs
    want = [mod.LABELS[k] for k in mod.KEYS]
    ys = []
    for fig in curves:
        # curves split by a second grid parameter are labelled "<label> (K=3)"
        lines = {ln["label"]: ln for ln in fig["lines"]
                 if any(ln["label"] == w or ln["label"].startswith(w + " (") for w in want)}
        splits = {ln[len(w):] for ln in lines for w in want if ln.startswith(w)}
        assert len(lines) == len(want) * len(splits), [ln["label"] for ln in fig["lines"]]
        n = len(fig["x"])
        assert n >= 2
        for ln in lines.values():
            assert ln["y"].shape == (n,) and np.all(np.isfinite(ln["y"])), (fig["path"], ln["label"])
        ys.append({k + sp: lines[mod.LABELS[k] + sp]["y"] for k in mod.KEYS for sp in splits})
    _check_files(tmp_path, name, res)
    return res, ys


def _check_files(out, stem, res):
    rows = out / f"{stem}.csv"
    assert rows.exists() and (out / f"{stem}_mean.csv").exists()
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
    res, (y,) = _run("e1_ccfd_maxmin", tmp_path, grid={"particles": [10], "iters": [15]})
    assert np.all(y["ppso"] > y["fpa"] + 0.5)      # measured: PPSO - FPA 2.2 to 7 bit/s/Hz
    for r in res.rows:
        assert r["ppso"] >= r["fpa"] - 1e-9 and r["apo"] >= r["fpa"] - 1e-9
        assert r["hd_ma"] >= r["hd_fpa"] - 1e-9
    # stronger residual SI never helps FPA (same channel draw along the rho axis)
    fpa = [r["fpa"] for r in sorted(res.rows, key=lambda r: r["si_db"])]
    assert all(b <= a + 1e-12 for a, b in zip(fpa, fpa[1:]))


def test_e2_script(tmp_path):
    res, _ = _run("e2_spectrum_sharing", tmp_path, grid={"inr_cap_db": [-10.0, 10.0], "ao_iter": [3]})
    for r in res.rows:
        assert r["ma_snr_db"] >= r["fpa_snr_db"] - 1e-6
        assert r["max_inr_db"] <= r["inr_cap_db"] + 1e-6
        # MA starts from the FPA answer and keeps the best, so ">=" above is passed by a position
        # step that does nothing (issue 22); measured gains 3.6 to 10.9 dB (K=1: 3.8, 3.6; K=3: 10.9, 6.9)
        assert r["ma_snr_db"] >= r["fpa_snr_db"] + 1.5, r
    # FPA (exact SOCP at fixed positions) is non-decreasing in the cap
    for K in (1, 3):
        fpa = [r["fpa_snr_db"] for r in sorted(res.rows, key=lambda r: r["inr_cap_db"]) if r["K"] == K]
        assert all(b >= a - 1e-6 for a, b in zip(fpa, fpa[1:]))


def test_e3_script(tmp_path):
    pts = [{"N": n, "K": k} for k, ns in ((2, (4, 8)), (3, (8, 16))) for n in ns]
    res, ys = _run("e3_null_steering", tmp_path, trials=2, grid=pts, n_figs=2)
    for y in ys:
        np.testing.assert_allclose(y["ma_gain_db"], y["bound_db"], atol=1e-9)
    for r in res.rows:
        assert abs(r["ma_gain_db"] - r["bound_db"]) <= 1e-9
        assert r["fpa_zf_gain_db"] <= r["finite_gain_db"] + 1e-9 <= r["bound_db"] + 2e-9
        assert r["max_null_gain"] <= 1e-12 * r["N"]


def test_e4_script(tmp_path):
    res, _ = _run("e4_multibeam", tmp_path, grid={"A": [4.0, 7.0], "ao_iter": [4]})
    for r in res.rows:
        assert r["ma_db"] >= r["fpa_db"] - 1e-6
        assert r["fpa_sdr_bound_db"] >= r["fpa_db"] - 1e-6
        assert r["max_null_db"] <= r["xi_db"] + 1e-6
