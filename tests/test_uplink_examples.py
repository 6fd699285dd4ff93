"""Uplink figure scripts in tiny mode: assertions on the PLOTTED data (the Line2D arrays of the
saved figure, via matoolbox.plots.capture), not on files."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from matoolbox import plots

ROOT = Path(__file__).resolve().parents[1]
LABELS = ["MA+ZF", "MA+MMSE", "MA+MMSE-SIC", "FPA+ZF", "FPA+MMSE", "FPA+MMSE-SIC"]


def _load(name):
    spec = importlib.util.spec_from_file_location(f"uplink_{name}", ROOT / "examples" / "uplink" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


TINY = {"fig2_span": {"D": [4.0, 6.0, 12.0], "n_eval": [500], "restarts": [0]},
        "fig3_antennas": {"M": [5, 8, 12], "n_eval": [500], "restarts": [0]}}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Both uplink scripts run once in tiny mode: stem -> (run() result, captured figures)."""
    out = {}
    for name, grid in TINY.items():
        with plots.capture() as figs:
            res = _load(name).run(quick=True, trials=1, out=tmp_path_factory.mktemp(name), grid=grid)
        out[name] = (res, list(figs))
    return out


def _curves(tiny, name):
    res, figs = tiny[name]
    grid = TINY[name]
    curves = [f for f in figs if f["kind"] == "curves"]
    assert len(curves) == 1
    fig = curves[0]
    lines = {ln["label"]: ln for ln in fig["lines"] if ln["label"] in LABELS}
    assert sorted(lines) == sorted(LABELS)                       # six curves, the promised labels
    xs = sorted(grid[next(iter(grid))])
    for ln in lines.values():
        np.testing.assert_allclose(ln["x"], xs)
        assert ln["y"].shape == (len(xs),) and np.all(np.isfinite(ln["y"])), ln["label"]
    assert len({(ln["marker"], ln["linestyle"], ln["color"]) for ln in lines.values()}) == 6
    assert res.infeasible() == 0 and res.failed() == 0
    return {k: v["y"] for k, v in lines.items()}


def test_fig2_span_plotted_data(tiny):
    y = _curves(tiny, "fig2_span")
    assert np.ptp(y["FPA+ZF"]) < 1e-9                                # FPA does not depend on D
    assert y["MA+ZF"][1] - y["FPA+ZF"][1] > 3.0                     # about 4.2 at D = 6
    assert y["MA+ZF"][0] < y["MA+ZF"][1] - 0.5                      # rises with D (2.3 -> 4.2 gap)
    # FPA: one layout, shared draws -> per-draw ordering; MA: each receiver has its own layout
    assert np.all(y["FPA+ZF"] <= y["FPA+MMSE"] + 1e-9) and np.all(y["FPA+MMSE"] <= y["FPA+MMSE-SIC"] + 1e-9)
    assert np.all(y["MA+ZF"] <= y["MA+MMSE"] + 0.1) and np.all(y["MA+MMSE"] <= y["MA+MMSE-SIC"] + 0.1)


def test_fig3_antennas_plotted_data(tiny):
    y = _curves(tiny, "fig3_antennas")
    gap = y["MA+ZF"] - y["FPA+ZF"]
    assert gap[0] > gap[1] + 1.0 and gap[1] > gap[2]                # shrinks as M grows (11.0, 4.2, ~0)
    assert abs(gap[-1]) < 0.05                                       # (M-1)d = 5.5 of D = 6
    assert np.all(np.diff(y["MA+MMSE-SIC"]) > 0)


def test_claims_evaluate_on_tiny_data(tiny):
    """claims.py covers U0.1-U3.2 and its verdicts follow from the data (tiny grid, 500 draws)."""
    from matoolbox.reproduce import evaluate_claims

    spec = importlib.util.spec_from_file_location("uplink_claims_test", ROOT / "examples" / "uplink" / "claims.py")
    claims = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(claims)
    assert [c.id for c in claims.CLAIMS] == ["U0.1", "U0.2", "U2.1", "U2.2", "U2.3", "U2.4", "U3.1", "U3.2"]
    rows = {r["id"]: r for r in evaluate_claims(claims.CLAIMS, {k: v[0] for k, v in tiny.items()})}
    for cid in ("U0.1", "U2.4", "U3.2"):               # one trial per point: "indicative" at best
        assert rows[cid]["verdict"] == "indicative", rows[cid]
    # one trial: the s.e. of MMSE - ZF is the (conservative) hypot of the two MC s.e., and MA+MMSE is
    # within it of MA+ZF, so the strict order does not hold for every (layout, pair)
    assert rows["U0.2"]["verdict"] in ("indicative", "partly"), rows["U0.2"]
    assert rows["U2.3"]["verdict"] == "by construction", rows["U2.3"]      # FPA flat in D by construction
    assert not any(r["verdict"] == "reproduced" for r in rows.values())
