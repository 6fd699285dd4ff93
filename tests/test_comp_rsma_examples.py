"""CoMP-RSMA figure scripts in tiny mode: the plotted data (captured from the plotting call) has
the promised curves, every curve is finite at every x and equals the mean over the draws feasible
for every scheme; interference models split the curves; claims.py rules are computed from data."""
import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from matoolbox import plots
from matoolbox.results import SweepResult

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "examples" / "comp_rsma"


def _load(name):
    sys.path.insert(0, str(FOLDER))
    spec = importlib.util.spec_from_file_location(f"comp_rsma_{name}", FOLDER / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


TINY = {   # script: (x, values, trials, interference)
    "fig3_power": ("pmax_dbm", [33], 1, "coherent"),
    "fig4_rate_threshold": ("rth", [0.4, 1.2], 1, "coherent"),
    "fig5_antennas": ("I", [4], 1, "coherent"),
    "fig6_users": ("K", [2, 3], 1, "coherent"),
    "fig7_bss": ("N", [1, 2], 1, "coherent"),
    "fig8_rsma_regime": ("I", [1], 2, "coherent,paper"),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every sweep script once in tiny mode; the curves handed to the plotting call are recorded."""
    captured, out = {}, {}
    real = plots.save_curves

    def spy(x, curves, path, **kw):
        captured[Path(path).stem] = (list(x), {k: list(v) for k, v in curves.items()})
        return real(x, curves, path, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plots, "save_curves", spy)
        for name, (x, values, trials, model) in TINY.items():
            mod = _load(name)
            tmp = tmp_path_factory.mktemp(name)
            out[name] = (mod, mod.run(quick=True, trials=trials, values=values, out=tmp, seed=3,
                                      interference=model))
    return out, captured


@pytest.mark.parametrize("name", list(TINY))
def test_plotted_curves_are_the_feasible_means(runs, name):
    out, captured = runs
    mod, res = out[name]
    x, values, trials, model = TINY[name]
    models = model.split(",")
    xs, curves = captured[name]
    assert xs == sorted(values)
    want = {s if len(models) == 1 else f"{s} (interference={m})" for s in mod.SCHEMES for m in models}
    assert set(curves) == want
    assert res.failed() == 0
    for label, ys in curves.items():
        scheme = label.split(" (")[0]
        m = models[0] if len(models) == 1 else label.split("interference=")[1].rstrip(")")
        for xv, y in zip(xs, ys):
            rows = [r for r in res.rows if r[x] == xv and r["interference"] == m]
            feasible_all = [r for r in rows if r["exitflag"] != -2]
            if feasible_all:        # every curve is the mean over the draws feasible for every scheme
                assert math.isfinite(y) and y > 0
                assert y == pytest.approx(np.mean([r[scheme] for r in feasible_all]), rel=1e-12)
            else:
                assert math.isnan(y)
            for r in rows:          # per-scheme values and flags agree
                bad = r[f"infeasible {scheme}"]
                assert bad in (0, 1) and math.isfinite(r[f"{scheme} own"]) == (bad == 0)
                assert (r["exitflag"] == -2) == any(r[f"infeasible {s}"] for s in mod.SCHEMES)
                assert 0.0 <= r[f"common share {scheme}"] <= 1.0
                if scheme.startswith("SDMA"):
                    assert r[f"common share {scheme}"] == 0.0
        assert any(math.isfinite(y) for y in ys)


def test_models_split_curves_and_differ(runs):
    out, _ = runs
    _, res = out["fig8_rsma_regime"]
    coh = res.values("RSMA-MA own", I=1, interference="coherent")
    pap = res.values("RSMA-MA own", I=1, interference="paper")
    both = np.isfinite(coh) & np.isfinite(pap)
    assert both.any() and np.all(np.abs(coh[both] - pap[both]) > 0.1)


def test_fig2_plots_current_and_best(tmp_path, monkeypatch):
    mod = _load("fig2_convergence")
    seen = {}

    def spy(x, curves, path, **kw):
        seen.update({k: np.asarray(v, float) for k, v in curves.items()})
    monkeypatch.setattr(mod, "save_curves", spy)
    res = mod.run(quick=True, trials=1, out=tmp_path, seed=0, n_outer=60)
    assert set(seen) == {"current iterate", "best feasible so far"}
    assert len(res["current"]) == 60 and np.all(np.isfinite(res["current"]))
    assert np.all(np.isfinite(seen["current iterate"])) and np.all(seen["current iterate"] > 0)
    b = res["best"][np.isfinite(res["best"])]
    assert b.size > 0 and b[-1] == pytest.approx(res["per_trial"][0]["fval"], rel=1e-9)


def test_interference_option_parsing():
    C = _load("_comp_rsma_common")
    assert C.models(None) == ["coherent", "paper"] and C.models("noncoherent") == ["noncoherent"]
    assert C.models(["paper", "coherent"]) == ["paper", "coherent"]
    with pytest.raises(ValueError, match="interference"):
        C.models("coherent,bogus")
    assert C._pop_interference(["--quick", "--interference", "paper", "--seed", "2"]) == ("paper", ["--quick", "--seed", "2"])
    assert C._pop_interference(["--interference=coherent,paper"]) == ("coherent,paper", [])


# ------------------------------------------------------------------ claims ------------------------
def _fake_fig3(ratio_rsma_sdma, ma_gain, trials=4, model="paper"):
    """A synthetic fig3 sweep: SDMA-FPA = 2 + P/10, SDMA-MA = ma_gain x that, RSMA = ratio x SDMA."""
    rng = np.random.default_rng(0)
    rows, points = [], []
    for p in (25, 31, 37):
        points.append({"pmax_dbm": p, "interference": model})
        for t in range(trials):
            base = 2 + p / 10 + 0.01 * rng.standard_normal()
            v = {"SDMA-FPA": base, "SDMA-MA": ma_gain * base}
            v.update({"RSMA-FPA": ratio_rsma_sdma * base, "RSMA-MA": ratio_rsma_sdma * ma_gain * base})
            v["GML"] = 0.98 * v["RSMA-MA"]
            row = {"pmax_dbm": p, "interference": model, "trial": t, "exitflag": 1, "elapsed": 0.0}
            for k, val in v.items():
                row.update({k: val, f"{k} own": val, f"infeasible {k}": 0})
            rows.append(row)
    return SweepResult(rows, points, trials)


def test_claim_rules_are_computed_from_data():
    claims = {c.id: c for c in _load("claims").CLAIMS}
    big = {"fig3_power": _fake_fig3(2.8, 1.8, trials=24)}
    none = {"fig3_power": _fake_fig3(1.0, 1.1, trials=24)}
    assert claims["C3.5 (paper)"].check(big)[0] == "reproduced"
    assert claims["C3.5 (paper)"].check(none)[0] == "not reproduced"
    assert "+180 %" in claims["C3.5 (paper)"].check(big)[1]
    assert claims["C3.3 (paper)"].check(big)[0] in ("reproduced", "partly")
    assert claims["C3.1 (paper)"].check(big)[0] == "reproduced"
    assert claims["C3.6 (paper)"].check(big)[0] == "reproduced"
    verdict, text = claims["C3.5 (coherent)"].check(big)        # model not swept -> "not run"
    assert verdict == "not run" and "coherent" in text and "not swept" in text
    assert claims["C3.5 (paper)"].check({"fig3_power": _fake_fig3(2.8, 1.8)})[0] == "indicative"   # 4 draws
    ids = {c.id.split(" ")[0] for c in claims.values()}
    for cid in ("C0.1", "C0.2", "C0.3", "C0.5", "C2.1", "C2.2", "C3.1", "C3.7", "C4.1", "C4.4",
                "C5.1", "C5.3", "C6.1", "C6.2", "C7.1", "C7.5", "T8.1"):
        assert cid in ids


def test_claims_on_tiny_runs_give_verdicts(runs):
    from matoolbox.reproduce import VERDICTS, evaluate_claims

    out, _ = runs
    results = {name: res for name, (_, res) in out.items()}
    rows = {r["id"]: r for r in evaluate_claims(_load("claims").CLAIMS, results)}
    assert all(r["verdict"] in VERDICTS for r in rows.values())
    # the N*I < K claim is evaluated on the data (two draws: at most "indicative"); under the paper
    # model one draw is infeasible for SDMA-MA, which leaves one paired draw: no data, "not run"
    assert rows["T8.1 (coherent)"]["verdict"] == "indicative", rows["T8.1 (coherent)"]
    assert rows["T8.1 (paper)"]["verdict"] in ("indicative", "not run"), rows["T8.1 (paper)"]
    assert all(r["verdict"] != "reproduced" for r in rows.values())
    # claims at a named point the tiny grid does not sweep (K = 6, N = 3 and 4) are "not run", saying so
    assert rows["C6.2 (coherent)"]["verdict"] == "not run" and "K=6" in rows["C6.2 (coherent)"]["measured"]
    assert rows["C7.5 (coherent)"]["verdict"] == "not run" and "N=3" in rows["C7.5 (coherent)"]["measured"]
    assert rows["C3.5 (noncoherent)"]["verdict"] == "not run"


def test_fig3_reference_curve_is_plotted_on_the_same_draws(tmp_path):
    """``reference_starts > 0`` adds the multistart reference curve "RSMA-MA ref": plotted, finite,
    NaN on exactly the draws where a scheme is infeasible (same draws as the schemes), never below
    the schemes it is warm-started from on a draw (it keeps the best of its starts), and the GML
    claims then name it (and its number of starts) instead of the AO stand-in."""
    mod = _load("fig3_power")
    captured = {}
    real = plots.save_curves

    def spy(x, curves, path, **kw):
        captured["c"] = {k: list(v) for k, v in curves.items()}
        return real(x, curves, path, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plots, "save_curves", spy)
        res = mod.run(quick=True, trials=2, values=[33], out=tmp_path, seed=5, interference="coherent",
                      reference_starts=2)
    assert "RSMA-MA ref" in captured["c"] and np.all(np.isfinite(captured["c"]["RSMA-MA ref"]))
    for row in res.rows:
        ref = row["RSMA-MA ref"]
        if row["exitflag"] == -2:
            assert math.isnan(ref)
        else:
            assert ref >= max(row[s] for s in ("RSMA-MA", "SDMA-MA", "RSMA-FPA", "SDMA-FPA")) - 1e-6
    claims = {c.id: c for c in _load("claims").CLAIMS}
    verdict, msg = claims["C3.6 (coherent)"].check({"fig3_power": res})
    assert "GML/RSMA-MA ref (multistart SLSQP, 2 random starts" in msg
