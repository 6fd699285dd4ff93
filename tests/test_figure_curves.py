"""Every figure shows every curve (issue 23, item 3), checked on the plotted data that
matoolbox.plots.capture records, for every figure script at its smallest setting:

* no (colour, marker) pair is shared by two schemes in a figure, nor drawn twice in a panel;
* every point is finite or marked as missing (an ``x`` at the bottom, named in the legend);
* two curves of a panel within 1 % of the axis range of each other (at every x where both have
  data) carry a legend note naming the other, and differ in marker shape or size;
* correlation maps mark their reference point, maps with obstacles name them in the legend.

The checker below is written from the recorded data only (it does not call the plotting code's
own helpers), so a broken style table, coincidence test or missing-point marker fails here.
The CoMP-RSMA scripts run in the default suite with stand-in solvers (real problem instances,
instant made-up rates with the ties and infeasible points of the committed figures); with the
real solvers, and the MIMO-capacity script, they are marked slow.
"""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.colors import to_hex

from matoolbox import plots
from matoolbox.results import SweepResult

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
COINCIDE = 0.01            # the rule, written out here on purpose (not plots.COINCIDE)


# ------------------------------------------------------------------------------ the checker
def figure_problems(fig) -> list[str]:
    """Everything wrong with one captured figure (empty list: every curve can be seen)."""
    if fig["kind"] == "map":
        return _map_problems(fig)
    out, lines, legend = [], fig["lines"], " | ".join(fig["legend"])
    owner, seen = {}, set()
    for ln in lines:
        pair = (to_hex(ln["color"]), ln["marker"])
        owner.setdefault(pair, set()).add(ln["display"])
        if (ln["panel"], pair) in seen:
            out.append(f"{fig['path'].name}: {pair} drawn twice in panel {ln['panel']!r}")
        seen.add((ln["panel"], pair))
    out += [f"{fig['path'].name}: colour+marker {pair} shared by {sorted(names)}"
            for pair, names in owner.items() if len(names) > 1]
    for ln in lines:
        x, y = np.asarray(ln["x"], float), np.asarray(ln["y"], float)
        gaps = set(x[~np.isfinite(y)].tolist()) - set(np.asarray(ln["missing_x"], float).tolist())
        if gaps:
            out.append(f"{fig['path'].name}: {ln['display']!r} silently misses x = {sorted(gaps)}")
        if len(ln["missing_x"]) and not (ln["missing_label"] and ln["missing_label"] in legend):
            out.append(f"{fig['path'].name}: missing points of {ln['display']!r} not named in the legend")
    for panel in fig["panels"]:
        lo, hi = panel["ylim"]
        tf = np.log10 if panel["ylog"] else (lambda v: v)
        span = float(tf(hi) - tf(lo))
        pl = [ln for ln in lines if ln["panel"] == panel["title"]]
        for j, b in enumerate(pl):
            for a in pl[:j]:
                ya, yb = tf(np.asarray(a["y"], float)), tf(np.asarray(b["y"], float))
                both = np.isfinite(ya) & np.isfinite(yb)
                if not both.any() or np.max(np.abs(ya[both] - yb[both])) > COINCIDE * span:
                    continue
                where = f"{fig['path'].name} [{panel['title']}]: {a['display']!r} and {b['display']!r}"
                if a["display"] not in b["note"] and b["display"] not in a["note"]:
                    out.append(f"{where} coincide without a note")
                elif not any(ln["note"] and ln["note"] in t for ln in (a, b) for t in fig["legend"]):
                    out.append(f"{where}: the note is not in the legend")
                if a["marker"] == b["marker"] and a["markersize"] == b["markersize"]:
                    out.append(f"{where} coincide with the same marker: one hides the other")
    return out


def _map_problems(fig) -> list[str]:
    out, name, legend = [], fig["path"].name, fig["legend"]
    if "correlation" in name:
        ref = fig["ref_point"]
        x0, x1, y0, y1 = fig["extent"]
        if ref is None or not (x0 <= ref[0] <= x1 and y0 <= ref[1] <= y1):
            out.append(f"{name}: reference point not marked inside the map ({ref})")
        elif not any("reference" in t for t in legend):
            out.append(f"{name}: reference point not in the legend")
    if fig["rects"] and not any("obstacle" in t for t in legend):
        out.append(f"{name}: obstacles not in the legend {legend}")
    if fig["points"] is not None and not any("subarray" in t for t in legend):
        out.append(f"{name}: subarrays not in the legend {legend}")
    return out


# ------------------------------------------------------------------------------ the checker can fail
def _fig(lines, ylim=(0.0, 10.0), legend=None):
    base = {"panel": "", "note": "", "missing_x": np.array([]), "missing_label": "", "markersize": 5.0}
    lines = [{**base, **ln} for ln in lines]
    return {"kind": "curves", "path": Path("synthetic.png"), "lines": lines,
            "legend": legend if legend is not None else [ln["display"] for ln in lines],
            "panels": [{"title": "", "ylim": ylim, "ylog": False}]}


def test_the_checker_catches_each_fault():
    x = np.array([1.0, 2.0, 3.0])
    a = {"display": "A", "x": x, "y": np.array([1.0, 5.0, 9.0]), "color": "C0", "marker": "o"}
    b = {"display": "B", "x": x, "y": np.array([1.05, 5.0, 9.0]), "color": "C1", "marker": "s"}
    c = {"display": "C", "x": x, "y": np.array([3.0, math.nan, 4.0]), "color": "C0", "marker": "o"}
    found = " ".join(figure_problems(_fig([a, b, c])))
    assert "coincide without a note" in found                    # A and B: 0.05 < 1 % of 10
    assert "shared by ['A', 'C']" in found                       # one colour+marker, two schemes
    assert "silently misses x = [2.0]" in found                  # C's NaN not marked
    noted = {**b, "note": "identical to A"}
    marked = {**c, "color": "C2", "missing_x": np.array([2.0]), "missing_label": "no feasible draw"}
    assert figure_problems(_fig([a, noted, marked], legend=["A", "B\n(identical to A)", "C",
                                                            "x at the bottom: no feasible draw"])) == []
    far = {**b, "y": np.array([1.2, 5.0, 9.0])}                  # 0.2 > 1 % of the axis: not coinciding
    assert figure_problems(_fig([a, far])) == []
    bad_map = {"kind": "map", "path": Path("m_correlation.png"), "extent": (0, 1, 0, 1), "ref_point": None,
               "rects": [(0, 0, 1, 1)], "points": np.zeros((1, 2)), "legend": ["subarrays"]}
    assert len(figure_problems(bad_map)) == 2


# ------------------------------------------------------------------------------ the plotting layer
def test_coinciding_missing_and_repeated_names_on_synthetic_curves(tmp_path):
    x = [25, 27, 29, 31]
    base = np.array([6.0, 8.0, 10.0, 12.0])
    nan = math.nan
    curves = {"RSMA-MA (m=c)": base, "SDMA-MA (m=c)": base.copy(), "RSMA-FPA (m=c)": 0.7 * base,
              "SDMA-FPA (m=c)": 0.7 * base + 0.01, "GML (m=c)": 0.97 * base,
              "RSMA-MA (m=p)": [nan, nan, 4.4, 5.0], "SDMA-MA (m=p)": [nan, nan, 2.0, 2.2]}
    panels = {k: k.split("(")[1].rstrip(")") for k in curves}
    display = {k: k.split(" (")[0] for k in curves}
    with plots.capture() as figs:
        plots.save_curves(x, curves, tmp_path / "f.png", panels=panels, display=display,
                          missing_label="no draw feasible for all schemes")
    (fig,) = figs
    assert figure_problems(fig) == []
    assert [p["title"] for p in fig["panels"]] == ["m=c", "m=p"]
    ln = {(r["panel"], r["display"]): r for r in fig["lines"]}
    assert ln["m=c", "SDMA-MA"]["note"] == "identical to RSMA-MA"
    assert ln["m=c", "SDMA-FPA"]["note"].startswith("overlaps RSMA-FPA: within 0.")
    assert ln["m=c", "GML"]["note"] == ""
    assert ln["m=c", "SDMA-MA"]["markersize"] > ln["m=c", "RSMA-MA"]["markersize"]
    assert ln["m=p", "RSMA-MA"]["missing_x"].tolist() == [25.0, 27.0]
    assert "x at the bottom: no draw feasible for all schemes" in fig["legend"]
    for scheme in ("RSMA-MA", "SDMA-MA"):                        # one look per scheme in every panel
        assert (ln["m=c", scheme]["color"], ln["m=c", scheme]["marker"]) == \
            (ln["m=p", scheme]["color"], ln["m=p", scheme]["marker"])
    assert fig["panels"][1]["xlim"][0] < 25 < 31 < fig["panels"][1]["xlim"][1]   # empty x still shown


GROUPS = [   # scheme names drawn together in one figure: the table itself gives each its own pair
    ["RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA", "GML", "RSMA-MA ref"],
    ["FD-MA", "FD-FPA", "HD-MA", "HD-FPA"], ["MA", "FPA"],
    ["MA+ZF", "MA+MMSE", "MA+MMSE-SIC", "FPA+ZF", "FPA+MMSE", "FPA+MMSE-SIC"],
    ["Proposed XL-MA", "Horizontal sparse", "Dense ULA", "Dense UPA", "LP initialization", "Optimal XL-MA",
     "Vertical sparse", "Sparse 4x2"]]


def test_style_table_and_allocator_never_repeat_a_pair():
    assert sorted(n for g in GROUPS for n in g) == sorted(plots.STYLES)
    for group in GROUPS:
        st = plots.assign_styles(group)
        assert {n: (s["color"], s["marker"]) for n, s in st.items()} == \
            {n: tuple(plots.STYLES[n][:2]) for n in group}, group
        assert len({(s["color"], s["marker"]) for s in st.values()}) == len(group)
    for labels in (list(plots.STYLES), [f"s{i}" for i in range(25)],
                   ["MA (K=1)", "MA (K=3)", "FPA (K=1)", "FPA (K=3)", "TMA", "RMA"],
                   ["Proposed XL-MA (Analytical)", "Proposed XL-MA (Simul., MRC)", "Dense ULA (Analytical)"]):
        st = plots.assign_styles(labels)
        pairs = [(s["color"], s["marker"]) for s in st.values()]
        assert len(pairs) == len(set(pairs)) == len(labels), labels
    st = plots.assign_styles(["MA (K=1)", "MA (K=3)", "FPA"])
    assert st["MA (K=1)"]["color"] == st["MA (K=3)"]["color"] != st["FPA"]["color"]
    assert st["MA (K=1)"]["marker"] != st["MA (K=3)"]["marker"]


def test_summary_and_rows_mark_infeasible_points_and_trials():
    rows, points = [], [{"P": 25}, {"P": 31}]
    for p in points:
        for t in range(3):
            bad = p["P"] == 25 or t == 0
            rows.append({**p, "trial": t, "rate": math.nan if bad else 5.0 + t, "exitflag": -2 if bad else 1,
                         "elapsed": 0.0, **({"error": "InfeasibleError: QoS"} if bad else {})})
    res = SweepResult(rows, points, 3)
    text = res.summary(["rate"]).splitlines()
    assert text[1].split()[-2:] == ["ALL", "INFEASIBLE"] and "no data" in text[1]
    assert text[2].endswith("1/3 INFEASIBLE") and "[n=2/3]" in text[2]
    assert text[3].startswith("INFEASIBLE: trials with exitflag -2")
    table = res.rows_table(["rate"]).splitlines()
    assert table[0].split() == ["P", "trial", "rate", "status"]
    assert sum("INFEASIBLE: InfeasibleError: QoS" in r for r in table) == 4
    assert table[5].endswith("ok") and "5" not in table[1].split()[2]
    clean = SweepResult([{**r, "exitflag": 1, "rate": 1.0} for r in rows], points, 3)
    assert all(line.endswith("ok") for line in clean.summary(["rate"]).splitlines()[1:])


# ------------------------------------------------------------------------------ every figure script
def _load(family, stem):
    folder = EXAMPLES / family
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(f"figcurves_{family}_{stem}", folder / f"{stem}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _standin(name):
    """An instant CoMP-RSMA 'solver': rates made up from the instance, with the committed figures'
    features: RSMA = SDMA under coherent transmission (ties), no feasible SDMA draw under the paper
    model below 29 dBm (so no draw is feasible for every scheme there)."""
    def solve(problem, rng, **kw):
        base = 0.3 * problem.pmax_dbm + 1.5 * problem.I + len(problem.bs_xy) - 0.8 * len(problem.user_xy) - problem.rth
        paper = problem.interference == "paper"
        fval = base * ((0.5 if name.startswith("RSMA") else 0.3) if paper else 1.0)
        fval *= 0.7 if name.endswith("FPA") else 0.97 if name == "GML" else 1.0
        infeasible = paper and name.startswith("SDMA") and problem.pmax_dbm < 29
        return SimpleNamespace(exitflag=-2 if infeasible else 1, fval=fval, elapsed=0.0, x={})
    return solve


COMP = {"fig3_power": [25, 33], "fig4_rate_threshold": [0.4, 1.2], "fig5_antennas": [4, 8],
        "fig6_users": [2, 3], "fig7_bss": [1, 2], "fig8_rsma_regime": [1, 2]}
FAST = {   # (family, stem): run() keyword arguments at the smallest setting
    ("comp_rsma", "fig2_convergence"): {"n_outer": 30},
    ("full_duplex", "e1_ccfd_maxmin"): {"grid": {"si_db": [-90.0, -45.0], "particles": [8], "iters": [8]}},
    ("full_duplex", "e2_spectrum_sharing"): {"grid": {"inr_cap_db": [-10.0, 10.0], "ao_iter": [2]}},
    ("full_duplex", "e3_null_steering"): {"grid": [{"N": 4, "K": 2}, {"N": 8, "K": 2}, {"N": 16, "K": 2},
                                                   {"N": 8, "K": 3}, {"N": 16, "K": 3}]},
    ("full_duplex", "e4_multibeam"): {"grid": {"A": [4.0, 7.0], "ao_iter": [2]}},
    ("full_duplex", "region_size_sweep"): {"grid": {"A_lambda": [1.0, 4.0], "ao_iter": [1], "n_random": [1],
                                                    "particles": [6], "iters": [5]}},
    ("full_duplex", "p1_rate_vs_si"): {"grid": {"rho_db": [-90.0, -30.0], "ao_iter": [1], "particles": [6],
                                                "iters": [5]}},
    ("full_duplex", "p3_rate_vs_cap"): {"grid": {"p_th_dbm": [-70.0, -10.0], "ao_iter": [1], "particles": [6],
                                                 "iters": [5]}},
    ("full_duplex", "mu_wsr_vs_nt"): {"grid": {"Nt": [2, 4], "ao_iter": [1], "particles": [6], "iters": [5]}},
    ("secure_ma", "secrecy_vs_snr"): {"grid": {"snr_db": [0.0, 10.0]}},
    ("uplink", "fig2_span"): {"grid": {"D": [4.0, 6.0], "n_eval": [200], "restarts": [0]}},
    ("uplink", "fig3_antennas"): {"grid": {"M": [5, 8], "n_eval": [200], "restarts": [0]}},
    ("xlma", "fig2_mrc_mmse"): {"grid": {"MH": [2, 8], "R": [10]}},
    ("xlma", "fig2_rate_vs_users"): {"grid": {"Kbar": [2.0, 6.0], "R": [10]}},
    ("xlma", "fig2_region_length"): {"grid": {"L": [21, 41], "R": [10], "max_combinations": [300_000]}},
    ("xlma", "fig6_rician"): {"grid": {"kappa_db": [0.0, 30.0], "R": [10]}},
    ("xlma", "fig7_user_distributions"): {"grid": {"type": [3], "R": [5]}},
    ("xlma", "fig3_fig4_maps"): {"grid": {"R": [10], "resolution": 16}},
    ("xlma", "fig5_obstacles"): {"grid": {"R": [10], "resolution": 16}},
}
SLOW = {("mimo_capacity", "capacity_vs_region"): {"grid": {"A": [1.0, 2.0]}},
        **{("comp_rsma", stem): {"values": v, "interference": "coherent,paper"} for stem, v in COMP.items()}}


def _check_script(family, stem, kwargs, tmp_path, monkeypatch=None, standin=False):
    mod = _load(family, stem)
    if standin:
        monkeypatch.setattr(mod, "SCHEMES", {k: _standin(k) for k in mod.SCHEMES})
    with plots.capture() as figs:
        mod.run(quick=True, trials=1, out=tmp_path, seed=0, **kwargs)
    assert figs, f"{stem} saved no figure"
    problems = [p for fig in figs for p in figure_problems(fig)]
    assert problems == [], "\n".join(problems)
    return figs


def test_every_script_is_listed():
    scripts = {(p.parent.name, p.stem) for p in EXAMPLES.glob("*/*.py")
               if not p.stem.startswith("_") and p.stem not in ("claims", "own_channel")}
    assert scripts == set(FAST) | set(SLOW)


@pytest.mark.parametrize("family, stem", list(FAST), ids=[s for _, s in FAST])
def test_figure_script_shows_every_curve(family, stem, tmp_path):
    figs = _check_script(family, stem, FAST[family, stem], tmp_path)
    if stem == "e3_null_steering":        # three of four curves are the bound N: noted, not hidden
        k2 = next(f for f in figs if f["kind"] == "curves" and "K = 2" in f["title"])
        notes = [ln["note"] for ln in k2["lines"] if ln["note"]]
        assert len(notes) >= 2 and all(n.startswith(("identical to", "overlaps")) for n in notes)
    if stem in ("fig3_fig4_maps", "fig5_obstacles"):
        assert sum(f["kind"] == "map" and f["ref_point"] is not None for f in figs) == 3


@pytest.mark.parametrize("stem", list(COMP))
def test_comp_rsma_scripts_one_panel_per_model(stem, tmp_path, monkeypatch):
    """Stand-in solvers: the scripts' own sweep, panels, styles and missing-point marks."""
    figs = _check_script("comp_rsma", stem, {"values": COMP[stem], "interference": "coherent,paper"}, tmp_path,
                         monkeypatch, standin=True)
    (fig,) = figs
    assert [p["title"] for p in fig["panels"]] == ["interference = coherent", "interference = paper"]
    coh = {ln["display"]: ln for ln in fig["lines"] if ln["panel"] == "interference = coherent"}
    assert "identical to RSMA-MA" in coh["SDMA-MA"]["note"]           # the tie is shown, not hidden
    if stem == "fig3_power":
        paper = [ln for ln in fig["lines"] if ln["panel"] == "interference = paper"]
        assert all(ln["missing_x"].tolist() == [25.0] for ln in paper)
        assert "x at the bottom: no draw feasible for all schemes" in fig["legend"]


@pytest.mark.slow
@pytest.mark.parametrize("family, stem", list(SLOW), ids=[s for _, s in SLOW])
def test_figure_script_shows_every_curve_real_solvers(family, stem, tmp_path):
    _check_script(family, stem, SLOW[family, stem], tmp_path)
