"""The docs page "Write your own MA problem": its problem code is short, runs, and every solver works on it."""
from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

import matoolbox as ma
from matoolbox.core.gradcheck import check_gradient
from matoolbox.plots import capture

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "write_your_own.py"


@pytest.fixture(scope="module")
def mod():
    return runpy.run_path(str(EXAMPLE), run_name="write_your_own_example")


def test_problem_code_is_at_most_50_lines_and_imports_only_the_generic_layer():
    text = EXAMPLE.read_text()
    code = text.split("# --- problem\n")[1].split("# --- end problem")[0]
    lines = [ln for ln in code.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert 30 <= len(lines) <= 50, len(lines)
    imports = [ln for ln in lines if ln.startswith(("from matoolbox", "import matoolbox"))]
    assert imports and not any(f in ln for ln in imports
                               for f in ("problems", "mimo_capacity", "comp_rsma", "full_duplex", "uplink",
                                         "xlma", "secure_ma"))


def test_the_page_runs_every_solver_and_sweeps(mod, tmp_path, capsys):
    with capture() as figs:
        prob, res = mod["main"](quick=True, out=str(tmp_path))
    printed = capsys.readouterr().out
    vals = {ln[:26].strip(): float(ln[26:].split()[0]) for ln in printed.splitlines() if "bit/s/Hz" in ln}
    assert set(vals) == {"FPA (water-filling only)", "ao_solve", "multistart (SLSQP)", "ao_multistart",
                         "PSO + water-filling", "GML"}
    assert all(np.isfinite(v) for v in vals.values())
    assert vals["ao_solve"] > vals["FPA (water-filling only)"] + 1.0         # measured +1.8
    assert vals["multistart (SLSQP)"] > vals["FPA (water-filling only)"] + 1.0
    curves = figs[-1]["curves"]
    assert set(curves) == {"ma", "fpa"} and np.all(np.isfinite(curves["ma"]))
    assert np.all(curves["ma"] > curves["fpa"])


def test_chain_rule_gradients_and_round_trip(mod, tmp_path):
    cls = mod["MyMimoCapacity"]
    prob = cls.random(seed=2, L=5)
    x = prob.initial_point(0)
    for b in ("positions_tx", "positions_rx", "covariance"):
        assert check_gradient(lambda v: prob.objective({**x, b: v}), lambda v: prob.gradient(b, {**x, b: v}),
                              x[b], rng=0).ok
    for fmt in ("json", "mat"):
        back = getattr(cls, f"from_{fmt}")(getattr(prob, f"to_{fmt}")(tmp_path / f"p.{fmt}"))
        assert type(back) is cls and back == prob and back.objective(x) == prob.objective(x)
    sol = ma.ao_solve(prob, rng=0)
    assert sol.exitflag == 1 and sol.violation <= 1e-6
