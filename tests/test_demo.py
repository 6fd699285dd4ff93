"""``matoolbox demo``: the numbers it prints and returns (MA vs FPA, RSMA vs SDMA per regime)."""
import csv
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    import contextlib
    import io

    from matoolbox.demo import run_demo

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        out = run_demo(out=tmp_path_factory.mktemp("demo"), seed=0, quick=True, draws=1)
    return out, buf.getvalue()


def test_demo_regimes_and_their_numbers(demo):
    out, _ = demo
    regs = {r["regime"]: r for r in out["regimes"]}
    assert list(regs) == ["default", "overloaded", "paper model"]
    assert (regs["overloaded"]["N"] * regs["overloaded"]["I"]) < regs["overloaded"]["K"]
    assert regs["default"]["N"] * regs["default"]["I"] >= regs["default"]["K"]
    assert regs["paper model"]["interference"] == "paper" and regs["default"]["interference"] == "coherent"
    for r in regs.values():
        assert 0.0 <= r["share"] <= 1.0 and math.isfinite(r["ratio"]) and r["ratio"] > 0
        assert math.isfinite(r["ma_fpa"]) and r["ma_fpa"] > 1.0           # MA beats FPA on these draws
        assert r["feasible"]["RSMA-MA"] == r["feasible"]["SDMA-MA"] == 1
        for d in r["draws"]:                                              # the SDMA share is 0 by construction
            assert d["SDMA-MA"]["share"] == 0.0 and 0.0 <= d["RSMA-MA"]["share"] <= 1.0
            assert r["ratio"] == pytest.approx(d["RSMA-MA"]["sum_rate"] / d["SDMA-MA"]["sum_rate"])
    # where the common stream stays idle and where it earns its power
    assert regs["default"]["share"] < 0.01 and regs["default"]["ratio"] == pytest.approx(1.0, abs=0.02)
    assert "idle" in regs["default"]["verdict"]
    for name in ("overloaded", "paper model"):
        assert regs[name]["share"] > 0.2 and regs[name]["ratio"] > 1.2, name
        assert regs[name]["verdict"] == "the common stream earns its power"
    # the default regime's draw is the table's instance (solved once)
    table = {r["scheme"]: r for r in out["rows"]}
    assert regs["default"]["draws"][0]["RSMA-MA"] is table["RSMA-MA"]


def test_demo_table_and_printout(demo):
    out, text = demo
    table = {r["scheme"]: r for r in out["rows"]}
    assert list(table) == ["RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA"]
    for r in table.values():
        assert r["feasible"] and r["exitflag"] in (0, 1) and sum(r["rates"]) == pytest.approx(r["sum_rate"])
    gain = table["RSMA-MA"]["sum_rate"] / table["RSMA-FPA"]["sum_rate"]
    assert gain > 1.2 and f"MA / FPA: {gain:.2f}x (RSMA)" in text
    assert "exitflag: 1 converged, 0 iteration limit, -2" in text
    for r in out["regimes"]:                          # every regime's ratio and share is printed
        assert f"{r['regime']}: {r['verdict']} (RSMA/SDMA {r['ratio']:.2f}, common share {100 * r['share']:.1f} %" in text
    assert "-0.000" not in text
    with open(out["regimes_csv"]) as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3 * 4                          # 3 regimes x 1 draw x 4 schemes
    by = {(r["regime"], r["scheme"]): r for r in rows}
    for r in out["regimes"]:
        assert float(by[(r["regime"], "RSMA-MA")]["common_share"]) == pytest.approx(r["share"], abs=1e-6)


def test_demo_summary_rules():
    """The verdict words come from the numbers: no draw feasible for both -> no ratio."""
    from matoolbox.demo import _summarise

    class B:
        N, I, K, interference = 2, 1, 4, "coherent"

    def row(rate, ok, share=0.0):
        return {"sum_rate": rate, "feasible": ok, "share": share}

    def draw(rm, sm, ok_s=True, share=0.5):
        return {"RSMA-MA": row(rm, True, share), "SDMA-MA": row(sm, ok_s), "RSMA-FPA": row(1.0, True, share),
                "SDMA-FPA": row(1.0, False)}

    s = _summarise("x", {}, "why", [draw(6.0, 4.0), draw(4.0, 2.0)], [0, 1], B)
    assert s["ratio"] == pytest.approx(10 / 6) and s["ratio_range"] == (1.5, 2.0)
    assert s["verdict"] == "the common stream earns its power" and math.isnan(s["ratio_fpa"])
    s = _summarise("x", {}, "why", [draw(6.0, 4.0, ok_s=False)], [0], B)
    assert math.isnan(s["ratio"]) and s["verdict"].startswith("no draw feasible")
    s = _summarise("x", {}, "why", [draw(4.0, 4.0, share=0.0)], [0], B)
    assert s["ratio"] == 1.0 and "idle" in s["verdict"]
    s = _summarise("x", {}, "why", [draw(4.0, 4.0, share=0.3)], [0], B)
    assert s["verdict"] == "the common stream carries power but gains little"


def test_common_share():
    from matoolbox.demo import common_share

    P = np.zeros((2, 3, 3), complex)
    assert common_share(P) == 0.0
    P[:, :, 0], P[:, :, 1] = 1.0, 1j
    assert common_share(P) == pytest.approx(0.5)


def test_own_channel_compares_ma_and_fpa_on_one_channel(tmp_path, capsys):
    """examples/comp_rsma/own_channel.py: MA and FPA from the same path file; exitflags explained."""
    import matoolbox as ma

    spec = importlib.util.spec_from_file_location("own_channel_comp_rsma_t", ROOT / "examples/comp_rsma/own_channel.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    res = mod.main(out=tmp_path, max_iter=2)
    assert list(res) == ["rsma_ma_from_paths", "rsma_fpa_from_paths", "rsma_fpa_from_matrix"]
    a, b = (ma.Problem.from_json(tmp_path / f"{n}_instance.json") for n in ("rsma_ma_from_paths", "rsma_fpa_from_paths"))
    assert a.movable and not b.movable and a == b.variant("RSMA-MA")        # one channel, two schemes
    text = mod.report(res)
    ratio = res["rsma_ma_from_paths"]["fval"] / res["rsma_fpa_from_paths"]["fval"]
    assert f"MA / FPA on the path file's channel: {ratio:.2f}x" in text
    assert "exitflag: 1 converged, 0 iteration limit" in text
    for name, r in res.items():
        assert r["status"] == mod.EXITFLAGS[r["exitflag"]] and f"exitflag {r['exitflag']:2d} ({r['status']})" in text
