"""CoMP-RSMA figure scripts and demo (one small point each): files written, values finite,
feasible counts reported, scheme ordering (MA >= FPA, RSMA >= SDMA for the AO)."""
import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(f"comp_rsma_{name}", ROOT / "examples" / "comp_rsma" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name, x, value, kwargs", [
    ("fig3_power", "pmax_dbm", 33, {}),
    ("fig4_rate_threshold", "rth", 1.0, {}),
    ("fig5_antennas", "I", 4, {}),
    ("fig6_users", "K", 2, {}),
    ("fig7_bss", "N", 1, {}),
])
def test_figure_script_one_point(tmp_path, name, x, value, kwargs):
    mod = _load(name)
    res = mod.run(quick=True, trials=1, values=[value], out=tmp_path, seed=3, **kwargs)
    assert (tmp_path / f"{name}.png").stat().st_size > 1000
    with open(tmp_path / f"{name}.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1 and float(rows[0][x]) == value
    assert res.failed() == 0
    row = res.rows[0]
    for scheme in mod.SCHEMES:
        assert row[f"infeasible {scheme}"] in (0, 1)
        if row[f"infeasible {scheme}"] == 0:
            assert np.isfinite(row[scheme]) and row[scheme] > 0
    if row["infeasible RSMA-MA"] == 0 and row["infeasible RSMA-FPA"] == 0:
        assert row["RSMA-MA"] >= row["RSMA-FPA"] - 1e-9
    if row["infeasible SDMA-MA"] == 0:
        assert row["RSMA-MA"] >= row["SDMA-MA"] - 1e-9
    assert res.infeasible() == int(any(row[f"infeasible {s}"] for s in mod.SCHEMES))


def test_fig3_schemes_dict_is_extensible(tmp_path):
    mod = _load("fig3_power")
    assert list(mod.SCHEMES) == ["RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA", "GML"]

    def half(problem, rng):                      # any function(problem, rng) -> Solution
        sol = mod.SCHEMES["SDMA-FPA"](problem, rng)
        sol.fval = sol.fval / 2
        return sol

    mod.SCHEMES = {"SDMA-FPA": mod.SCHEMES["SDMA-FPA"], "half": half}
    res = mod.run(quick=True, trials=1, values=[29], out=tmp_path)
    assert res.rows[0]["half"] == pytest.approx(res.rows[0]["SDMA-FPA"] / 2)


def test_demo(tmp_path):
    from matoolbox.demo import run_demo

    out = run_demo(out=tmp_path, seed=0, quick=True, verbose=False)
    assert (tmp_path / "demo_comp_rsma.png").stat().st_size > 1000
    assert (tmp_path / "demo_comp_rsma.csv").exists()
    table = {r["scheme"]: r for r in out["rows"]}
    assert set(table) == {"RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA"}
    for r in table.values():
        assert r["feasible"] and np.isfinite(r["sum_rate"]) and len(r["rates"]) == 4
        assert sum(r["rates"]) == pytest.approx(r["sum_rate"], rel=1e-9)
    assert table["RSMA-MA"]["sum_rate"] >= table["SDMA-MA"]["sum_rate"] - 1e-9
    assert table["RSMA-MA"]["sum_rate"] >= table["RSMA-FPA"]["sum_rate"] - 1e-9
