"""Full-duplex example scripts (P1 vs SI, P3 vs cap, MU vs N_t, region size): files written,
values finite, MA >= FPA (warm start from the FPA solution)."""
import csv
import importlib.util
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "examples" / "full_duplex"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"fd_example_{name}", ROOT / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


CASES = [
    ("p1_rate_vs_si", [("fd_ma", "fd_fpa")], "rho_db"),
    ("p3_rate_vs_cap", [("fd_ma", "fd_fpa"), ("mrt_fpa", "fd_fpa")], "p_th_dbm"),
    ("mu_wsr_vs_nt", [("fd_ma", "fd_fpa"), ("ma_tx_only", "fd_fpa")], "Nt"),
    pytest.param("region_size_sweep", [("ma_pso", "fpa"), ("ma_mm", "fpa")], "A_lambda",
                 marks=pytest.mark.slow),
]


@pytest.mark.parametrize("name,pairs,xkey", CASES)
def test_example_quick_run(tmp_path, name, pairs, xkey):
    mod = _load(name)
    res = mod.run(quick=True, trials=1, out=tmp_path, seed=1)
    assert (tmp_path / f"{name}.png").stat().st_size > 0
    with open(tmp_path / f"{name}.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(res.rows) >= 3
    for row in res.rows:
        assert row["exitflag"] == 1
        assert row["violation"] <= 1e-6
        for key in mod.KEYS:
            assert math.isfinite(row[key]) and row[key] >= 0
        for hi, lo in pairs:
            assert row[hi] >= row[lo] - 1e-7, (row[xkey], hi, lo)
