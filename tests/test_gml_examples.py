"""Fig. 2 example script (GML convergence): files written, curves finite and consistent."""
import importlib.util
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _load(rel):
    spec = importlib.util.spec_from_file_location(pathlib.Path(rel).stem, ROOT / rel)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_fig2_quick_plots_current_and_best_curves(tmp_path):
    mod = _load("examples/comp_rsma/fig2_convergence.py")
    from matoolbox.plots import capture

    with capture() as figs:
        res = mod.run(quick=True, out=tmp_path)
    (fig,) = [f for f in figs if f["kind"] == "curves"]
    assert set(fig["curves"]) == {"current iterate", "best feasible so far"}
    for y in fig["curves"].values():                       # the plotted data, not the PNG file
        y = np.asarray(y, float)
        assert y.size > 10 and np.isfinite(y).mean() > 0.9
    lines = (tmp_path / "fig2_convergence.csv").read_text().splitlines()
    assert len(lines) == 1 + 500 and lines[0].startswith("iteration,current_mean,best_mean")
    cur, best = res["current"], res["best"]
    assert cur.shape == (500,) and np.all(np.isfinite(cur))
    fin = np.isfinite(best)
    assert fin[-1]
    # the best feasible value is reached by some iterate and equals the returned solution's value
    t = res["per_trial"][0]
    assert t["exitflag"] == 1 and t["violation"] <= 1e-6
    assert best[-1] == t["fval"] or abs(best[-1] - t["fval"]) <= 1e-9 * abs(t["fval"])
    assert best[-1] > best[fin][0]
