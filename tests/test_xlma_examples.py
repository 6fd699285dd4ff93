"""XL-MA example scripts (examples/xlma/): files written, values finite and ordered as in the paper."""
import importlib.util
import math
from pathlib import Path

import pytest

EX = Path(__file__).resolve().parents[1] / "examples" / "xlma"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"xlma_example_{name}", EX / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_fig2_region_length(tmp_path):
    res = _load("fig2_region_length").run(quick=True, out=tmp_path)
    assert (tmp_path / "fig2_region_length.png").stat().st_size > 0
    assert (tmp_path / "fig2_region_length.csv").exists()
    for L in (21, 41, 61, 81, 101, 121):
        prop, lp, hs = (res.mean(k, L=L) for k in ("proposed", "lp_init", "horizontal_sparse"))
        assert all(math.isfinite(v) for v in (prop, lp, hs))
        assert prop >= lp - 1e-12
        if L >= 41:
            assert prop > hs and prop > res.mean("dense_ula", L=L)
    assert res.mean("optimal", L=21) >= res.mean("proposed", L=21) - 1e-12
    assert res.mean("proposed", L=21) >= 0.95 * res.mean("optimal", L=21)
    assert res.infeasible() == 0 and res.failed() == 0


def test_fig5_obstacles(tmp_path):
    out = _load("fig5_obstacles").run(quick=True, out=tmp_path)
    for name in ("proposed", "horizontal_sparse"):
        for key in ("power", "correlation"):
            assert (tmp_path / f"fig5_{name}_{key}.png").stat().st_size > 0
    res = out["sweep"]
    assert 0.4 < out["los_fraction"] < 0.7
    for s in ("proposed", "horizontal_sparse", "dense_ula"):
        mrc, mmse = res.mean("mrc", scheme=s), res.mean("mmse", scheme=s)
        assert math.isfinite(mrc) and mmse >= mrc
    assert res.mean("approx", scheme="proposed") > res.mean("approx", scheme="horizontal_sparse")
    assert res.failed() == 0


@pytest.mark.slow
@pytest.mark.parametrize("name, x, values", [
    ("fig2_rate_vs_users", "Kbar", [2.0, 6.0]),
    ("fig2_mrc_mmse", "MH", [2, 16]),
    ("fig6_rician", "kappa_db", [0.0, 30.0]),
])
def test_sweep_examples(tmp_path, name, x, values):
    res = _load(name).run(quick=True, out=tmp_path)
    assert (tmp_path / f"{name}.png").exists() and (tmp_path / f"{name}.csv").exists()
    for v in values:
        kw = {x: v}
        assert res.mean("proposed_mmse", **kw) >= res.mean("proposed_mrc", **kw)
        assert res.mean("proposed_approx", **kw) > res.mean("horizontal_sparse_approx", **kw)
    assert res.failed() == 0


@pytest.mark.slow
def test_fig3_fig4_and_fig7(tmp_path):
    out = _load("fig3_fig4_maps").run(quick=True, out=tmp_path)
    assert (tmp_path / "fig3_fig4_proposed_power.png").exists()
    assert out["sweep"].mean("approx", scheme="proposed") > out["sweep"].mean("approx", scheme="dense_ula")
    res = _load("fig7_user_distributions").run(quick=True, out=tmp_path)
    for t in (1, 2, 3):
        assert all(res.mean("proposed", type=t) > res.mean(k, type=t)
                   for k in ("sparse", "horizontal_sparse", "vertical_sparse", "dense_ula", "dense_upa"))
