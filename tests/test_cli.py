"""`matoolbox figure` / `matoolbox bench` discovery and dispatch, on small fake script folders."""
import csv
import json
import os
import textwrap

import numpy as np
import pytest

from matoolbox import cli

def script(template, name, default_out="o"):
    return template.replace("NAME", name).replace("DEFAULT_OUT", str(default_out))


FIG_SCRIPT = textwrap.dedent('''
    """Fake figure: a small sweep, CSV + PNG, and a record of the arguments run() received."""
    import json
    import os
    from pathlib import Path

    from matoolbox.sweep import plot_sweep, run_sweep


    def trial(params, rng):
        return {"y": params["x"] + rng.standard_normal(), "pid": os.getpid()}


    def run(quick=False, trials=None, workers=1, seed=0, out="DEFAULT_OUT", progress=False):
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "NAME_args.json").write_text(json.dumps(
            dict(quick=quick, trials=trials, workers=workers, seed=seed, progress=progress)))
        res = run_sweep(trial, {"x": [0.0, 1.0]}, trials or (2 if quick else 3), seed,
                        workers=workers, progress=False)
        res.to_csv(out / "NAME.csv")
        plot_sweep(res, x="x", keys=["y"], path=out / "NAME.png")
        return res
''')

BENCH_SCRIPT = textwrap.dedent('''
    import os
    from pathlib import Path


    def run(quick=False):
        Path(os.environ["BENCH_MARK_DIR"], "NAME.txt").write_text(f"quick={quick}")
        print("NAME table: 1.00x")
        return [("NAME", 1.0)]
''')


@pytest.fixture
def roots(tmp_path, monkeypatch):
    ex, be, marks = tmp_path / "examples", tmp_path / "benchmarks", tmp_path / "marks"
    for d in (ex / "fam", ex / "other", ex / "_private", be, marks):
        d.mkdir(parents=True)
    for name in ("fig1_alpha", "fig10_beta", "fig2_gamma"):
        (ex / "fam" / f"{name}.py").write_text(script(FIG_SCRIPT, name, tmp_path / "dflt"))
    (ex / "fam" / "common.py").write_text("X = 1\n")                 # helper: no run(), not listed
    (ex / "fam" / "_skip.py").write_text("def run():\n    pass\n")
    (ex / "other" / "fig5_delta.py").write_text(script(FIG_SCRIPT, "fig5_delta"))
    for name in ("alpha", "beta"):
        (be / f"bench_{name}.py").write_text(script(BENCH_SCRIPT, name))
    (be / "helper.py").write_text("def run(quick=False):\n    raise SystemExit(9)\n")
    monkeypatch.setenv("MATOOLBOX_EXAMPLES", str(ex))
    monkeypatch.setenv("MATOOLBOX_BENCHMARKS", str(be))
    monkeypatch.setenv("BENCH_MARK_DIR", str(marks))
    return tmp_path


def test_discovery(roots):
    ex = cli.discover_examples()
    assert list(ex) == ["fam", "other"]
    assert list(ex["fam"]) == ["fig10_beta", "fig1_alpha", "fig2_gamma"]
    assert cli.discover_benchmarks() == {"alpha": roots / "benchmarks" / "bench_alpha.py",
                                         "beta": roots / "benchmarks" / "bench_beta.py"}
    assert cli.discover_examples(roots / "nowhere") == {}
    # defaults: the repository's own folders
    assert cli.examples_root(None) == roots / "examples"
    os.environ.pop("MATOOLBOX_EXAMPLES")
    assert cli.examples_root() == cli.repo_root() / "examples"
    assert (cli.repo_root() / "matoolbox" / "cli.py").is_file()


def test_listings(roots, capsys):
    assert cli.main(["figure"]) == 0
    out = capsys.readouterr().out
    assert "fam: fig10_beta fig1_alpha fig2_gamma" in out and "other: fig5_delta" in out
    assert "_private" not in out and "common" not in out
    assert cli.main(["figure", "fam"]) == 0
    assert capsys.readouterr().out.split("\n")[1:4] == ["  fig10_beta", "  fig1_alpha", "  fig2_gamma"]
    assert cli.main(["bench", "--list"]) == 0
    out = capsys.readouterr().out
    assert "  alpha\n  beta\n" in out and "helper" not in out
    assert not list((roots / "marks").iterdir())                      # listing runs nothing
    assert cli.main(["bench", "--quick"]) == 0                         # no name: list, then run all
    out = capsys.readouterr().out
    assert "  alpha\n  beta\n" in out and "alpha table" in out and "beta table" in out
    assert (roots / "marks" / "alpha.txt").read_text() == "quick=True"


def read_csv(path):
    with open(path) as fh:
        return list(csv.DictReader(fh))


def test_figure_runs_with_given_arguments_only(roots, capsys):
    out = roots / "o1"
    assert cli.main(["figure", "fam", "fig1", "--quick", "--trials", "4", "--out", str(out)]) == 0
    args = json.loads((out / "fig1_alpha_args.json").read_text())
    # given: quick, trials, out; not given: workers and seed keep run()'s defaults; progress on
    assert args == {"quick": True, "trials": 4, "workers": 1, "seed": 0, "progress": True}
    rows = read_csv(out / "fig1_alpha.csv")
    assert len(rows) == 2 * 4 and {r["x"] for r in rows} == {"0.0", "1.0"}
    assert (out / "fig1_alpha.png").read_bytes()[:4] == b"\x89PNG"
    assert not (out / "fig10_beta.csv").exists()                     # fig1 is not a prefix of fig10
    text = capsys.readouterr().out
    assert "== figure fam/fig1_alpha ==" in text and f"wrote {out / 'fig1_alpha.csv'}" in text
    assert "infeasible" in text                                       # the sweep summary table


def test_figure_with_two_workers_and_defaults(roots):
    assert cli.main(["figure", "fam", "fig2_gamma", "--workers", "2", "--seed", "5"]) == 0
    out = roots / "dflt"                                              # run()'s default folder
    args = json.loads((out / "fig2_gamma_args.json").read_text())
    assert args == {"quick": False, "trials": None, "workers": 2, "seed": 5, "progress": True}
    rows = read_csv(out / "fig2_gamma.csv")
    assert len(rows) == 2 * 3 and str(os.getpid()) not in {r["pid"] for r in rows}
    assert all(r["exitflag"] == "1" for r in rows)                    # workers could run the trial


def test_figure_all_and_errors(roots, capsys):
    out = roots / "o3"
    assert cli.main(["figure", "fam", "all", "--quick", "--out", str(out)]) == 0
    assert {p.name for p in out.glob("*.csv")} == {"fig1_alpha.csv", "fig10_beta.csv", "fig2_gamma.csv"}
    capsys.readouterr()
    assert cli.main(["figure", "nope", "fig1"]) == 2
    assert "unknown family 'nope'" in capsys.readouterr().err
    assert cli.main(["figure", "fam", "fig7"]) == 2
    assert "matches no figure" in capsys.readouterr().err
    assert cli.main(["figure", "fam", "fig"]) == 2                    # "fig" alone is no prefix
    (roots / "examples" / "fam" / "fig1_alt.py").write_text(script(FIG_SCRIPT, "x"))
    assert cli.main(["figure", "fam", "fig1"]) == 2
    assert "matches several" in capsys.readouterr().err


def test_bench(roots, capsys):
    marks = roots / "marks"
    assert cli.main(["bench", "alpha", "--quick"]) == 0
    assert (marks / "alpha.txt").read_text() == "quick=True" and not (marks / "beta.txt").exists()
    assert "alpha table: 1.00x" in capsys.readouterr().out
    assert cli.main(["bench", "all"]) == 0
    assert (marks / "alpha.txt").read_text() == "quick=False" and (marks / "beta.txt").read_text() == "quick=False"
    assert cli.main(["bench", "bench_beta", "--quick"]) == 0
    assert (marks / "beta.txt").read_text() == "quick=True"
    capsys.readouterr()
    assert cli.main(["bench", "gamma"]) == 2
    assert "unknown benchmark(s) gamma" in capsys.readouterr().err


def test_demo_solves_four_schemes(tmp_path, capsys):
    assert cli.main(["demo", "--quick", "--out", str(tmp_path / "d"), "--channel-map", "--grid", "9"]) == 0
    rows = read_csv(tmp_path / "d" / "demo_comp_rsma.csv")
    assert [r["scheme"] for r in rows] == ["RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA"]
    rate = {r["scheme"]: float(r["sum_rate"]) for r in rows}
    assert all(r["feasible"] == "True" for r in rows)
    for r in rows:  # the sum rate is the sum of the per-user rates
        assert float(r["sum_rate"]) == pytest.approx(sum(float(r[f"rate_{k}"]) for k in range(1, 5)), abs=1e-5)
    assert rate["RSMA-MA"] >= rate["RSMA-FPA"] and rate["SDMA-MA"] >= rate["SDMA-FPA"]
    assert (tmp_path / "d" / "demo_comp_rsma.png").stat().st_size > 0
    gain = np.loadtxt(tmp_path / "d" / "demo_channel_gain.csv", delimiter=",", skiprows=1)
    assert gain.shape == (81, 3) and np.all(gain[:, 2] > 0)
    assert "RSMA-MA" in capsys.readouterr().out


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 0
    assert "figure" in capsys.readouterr().out
