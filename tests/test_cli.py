"""`matoolbox figure` / `matoolbox bench` discovery and dispatch, on small fake script folders."""
import csv
import json
import os
import textwrap
from pathlib import Path

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
        if params["x"] == 1.0 and os.environ.get("CLI_TEST_INTERRUPT"):
            raise KeyboardInterrupt
        return {"y": params["x"] + rng.standard_normal(), "pid": os.getpid()}


    def run(quick=False, trials=None, workers=1, seed=0, out="DEFAULT_OUT", progress=False, checkpoint=None):
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "NAME_args.json").write_text(json.dumps(
            dict(quick=quick, trials=trials, workers=workers, seed=seed, progress=progress)))
        res = run_sweep(trial, {"x": [0.0, 1.0]}, trials or (2 if quick else 3), seed,
                        workers=workers, progress=False, checkpoint=checkpoint)
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
    assert cli.main(["bench", "--quick"]) == 0                         # no name: list only
    out = capsys.readouterr().out
    assert "  alpha\n  beta\n" in out and "alpha table" not in out
    assert not list((roots / "marks").iterdir())                      # listing runs nothing


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
    assert "matches several figures of fam" in capsys.readouterr().err


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


FAMILY_BENCH = textwrap.dedent('''
    import os
    from pathlib import Path


    def run(quick=False, family=None):
        Path(os.environ["BENCH_MARK_DIR"], "lib.txt").write_text(f"quick={quick} family={family}")
''')


def test_bench_family(roots, capsys):
    marks = roots / "marks"
    (roots / "benchmarks" / "bench_lib.py").write_text(FAMILY_BENCH)
    assert cli.main(["bench", "lib", "--quick", "--family", "xlma"]) == 0
    assert (marks / "lib.txt").read_text() == "quick=True family=xlma"
    assert "== bench lib == (family xlma)" in capsys.readouterr().out
    assert cli.main(["bench", "lib"]) == 0
    assert (marks / "lib.txt").read_text() == "quick=False family=None"
    assert cli.main(["bench", "all", "--family", "uplink"]) == 0              # all: those that take one
    assert (marks / "lib.txt").read_text() == "quick=False family=uplink" and not (marks / "alpha.txt").exists()
    capsys.readouterr()
    assert cli.main(["bench", "alpha", "lib", "--family", "uplink"]) == 2     # nothing run
    err = capsys.readouterr().err
    assert "run() of benchmark(s) alpha takes no family (benchmarks that do: lib)" in err
    assert not (marks / "alpha.txt").exists()
    (roots / "benchmarks" / "bench_lib.py").unlink()
    assert cli.main(["bench", "all", "--family", "uplink"]) == 2
    assert "benchmarks that do: none" in capsys.readouterr().err


def test_demo_solves_four_schemes(tmp_path, capsys, monkeypatch):
    from matplotlib.figure import Figure

    from matoolbox import plots

    drawn, real_save = {}, Figure.savefig

    def spy(fig, path, *a, **kw):          # the stacked bars as drawn: per scheme, the bar tops
        if str(path).endswith("demo_comp_rsma.png"):
            ax = fig.axes[0]
            drawn["names"] = [t.get_text() for t in ax.get_xticklabels()]
            drawn["tops"] = [max(b.get_y() + b.get_height() for b in ax.patches if abs(b.get_x() + b.get_width() / 2 - i) < 0.5)
                             for i in range(len(drawn["names"]))]
        return real_save(fig, path, *a, **kw)
    monkeypatch.setattr(Figure, "savefig", spy)
    import functools

    from matoolbox import demo                # one draw per regime (tests/test_demo.py runs the regimes)
    monkeypatch.setattr(demo, "run_demo", functools.partial(demo.run_demo, draws=1))
    with plots.capture() as maps:
        assert cli.main(["demo", "--quick", "--out", str(tmp_path / "d"), "--channel-map", "--grid", "9"]) == 0
    rows = read_csv(tmp_path / "d" / "demo_comp_rsma.csv")
    assert [r["scheme"] for r in rows] == ["RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA"]
    rate = {r["scheme"]: float(r["sum_rate"]) for r in rows}
    assert all(r["feasible"] == "True" for r in rows)
    for r in rows:  # the sum rate is the sum of the per-user rates
        assert float(r["sum_rate"]) == pytest.approx(sum(float(r[f"rate_{k}"]) for k in range(1, 5)), abs=1e-5)
    assert rate["RSMA-MA"] >= rate["RSMA-FPA"] and rate["SDMA-MA"] >= rate["SDMA-FPA"]
    assert drawn["names"] == list(rate) and np.allclose(drawn["tops"], list(rate.values()), atol=1e-5)
    gain = np.loadtxt(tmp_path / "d" / "demo_channel_gain.csv", delimiter=",", skiprows=1)
    assert gain.shape == (81, 3) and np.all(gain[:, 2] > 0)
    (gmap,) = [m for m in maps if m["kind"] == "map"]
    values = np.asarray(gmap["values"], float)
    assert values.size == 81 and np.all(np.isfinite(values)) and values.max() == pytest.approx(1.0)
    assert "RSMA-MA" in capsys.readouterr().out


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 0
    assert "figure" in capsys.readouterr().out


# ----------------------------------------------------------------------------- validation, resume, formats
@pytest.mark.parametrize("argv, what", [
    (["figure", "fam", "fig1", "--trials", "0"], "--trials"),
    (["figure", "fam", "fig1", "--trials", "-2"], "--trials"),
    (["figure", "fam", "fig1", "--trials", "2.5"], "--trials"),
    (["figure", "fam", "fig1", "--workers", "0"], "--workers"),
    (["figure", "fam", "fig1", "--workers", "-2"], "--workers"),
    (["figure", "fam", "fig1", "--seed", "-1"], "--seed"),
    (["figure", "fam", "fig1", "--seed", "abc"], "--seed"),
    (["figure", "fam", "fig1", "--format", "png,gif"], "--format"),
    (["demo", "--seed", "-1"], "--seed"),
    (["demo", "--channel-map", "--grid", "0"], "--grid"),
    (["demo", "--grid", "1"], "--grid"),
    (["reproduce", "fam", "--trials", "0"], "--trials"),
    (["bench", "--frobnicate"], "--frobnicate"),
])
def test_bad_numeric_flags_give_one_line_and_exit_2(roots, capsys, argv, what):
    assert cli.main(argv) == 2
    cap = capsys.readouterr()
    err = cap.err.strip()
    assert what in err and "Traceback" not in err and len(err.splitlines()) == 1, err
    assert not (roots / "dflt").exists()                              # nothing ran


def test_unwritable_out_is_reported_before_any_work(roots, capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for argv in (["figure", "fam", "fig1", "--out", str(blocker / "sub")],
                 ["demo", "--out", str(blocker / "sub")],
                 ["reproduce", "fam", "--out", str(blocker / "sub")]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert "cannot be created" in err and len(err.splitlines()) == 1
    assert not (roots / "dflt").exists()


def test_version_and_help_texts(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == "matoolbox 0.1.0"
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        assert p.description, f"{name} has no description"
        for a in p._actions:
            if a.dest != "help":
                assert a.help, f"{name} {a.option_strings or a.dest} has no help text"


def test_interrupt_reports_saved_trials_and_rerun_resumes(roots, capsys, monkeypatch):
    ck = roots / "ck" / "fig1.jsonl"
    argv = ["figure", "fam", "fig1", "--quick", "--out", str(roots / "o5"), "--checkpoint", str(ck)]
    monkeypatch.setenv("CLI_TEST_INTERRUPT", "1")
    assert cli.main(argv) == 130
    err = capsys.readouterr().err
    assert f"2 of 4 trials saved to {ck}; rerun the same command to resume" in err and "Traceback" not in err
    monkeypatch.delenv("CLI_TEST_INTERRUPT")
    assert cli.main(argv) == 0
    rows = read_csv(roots / "o5" / "fig1_alpha.csv")
    assert len(rows) == 4
    from matoolbox.sweep import load_checkpoint

    assert len(load_checkpoint(ck).rows) == 4


def test_resume_uses_a_default_checkpoint_and_pdf_format(roots, capsys):
    out = roots / "o6"
    from matoolbox import plots

    with plots.capture() as figs:
        assert cli.main(["figure", "fam", "fig1", "--quick", "--resume", "--out", str(out), "--format", "png,pdf"]) == 0
    assert (out / "checkpoints" / "fig1_alpha.jsonl").exists()
    (fig,) = figs
    assert list(fig["x"]) == [0.0, 1.0] and set(fig["curves"]) == {"y"} and np.all(np.isfinite(fig["curves"]["y"]))
    assert sorted(p.suffix for p in map(Path, fig["files"])) == [".pdf", ".png"]
    assert (out / "fig1_alpha.pdf").read_bytes()[:4] == b"%PDF"
    text = capsys.readouterr().out
    assert "checkpoint" in text


def test_figure_all_with_checkpoint_derives_one_file_per_figure(roots):
    ck = roots / "ck" / "run.jsonl"
    assert cli.main(["figure", "fam", "all", "--quick", "--out", str(roots / "o7"), "--checkpoint", str(ck)]) == 0
    assert sorted(p.name for p in ck.parent.iterdir()) == [
        "run_fig10_beta.jsonl", "run_fig1_alpha.jsonl", "run_fig2_gamma.jsonl"]


def test_script_without_checkpoint_keyword_is_refused_up_front(roots, capsys):
    (roots / "examples" / "fam" / "fig3_old.py").write_text(
        "def run(quick=False, out='o'):\n    raise SystemExit('ran')\n")
    assert cli.main(["figure", "fam", "fig3", "--resume"]) == 2
    assert "does not accept --checkpoint" in capsys.readouterr().err


def test_solver_output_only_with_verbose(capfd):
    """The CVXPY solvers print nothing unless ``--verbose`` (``_quiet(True)``) is on."""
    import cvxpy as cp

    from matoolbox.core.cvx import solve_cvx

    y = cp.Variable()
    prob = cp.Problem(cp.Minimize(y), [y >= 1])
    with cli._quiet(False):
        solve_cvx(prob)
    quiet = capfd.readouterr()
    with cli._quiet(True):
        solve_cvx(prob)
    loud = capfd.readouterr()
    assert quiet.out == "" and quiet.err == ""
    assert len(loud.out + loud.err) > 100 and "MATOOLBOX_VERBOSE" not in os.environ


def test_checkpoint_of_another_sweep_is_a_one_line_error(roots, capsys):
    ck = roots / "ck" / "a.jsonl"
    assert cli.main(["figure", "fam", "fig1", "--quick", "--out", str(roots / "o8"), "--checkpoint", str(ck)]) == 0
    capsys.readouterr()
    assert cli.main(["figure", "fam", "fig1", "--trials", "3", "--out", str(roots / "o8"), "--checkpoint", str(ck)]) == 2
    err = capsys.readouterr().err.strip()
    assert "different sweep" in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_the_command_line_freezes_the_heap_at_exit_after_earlier_exit_handlers(tmp_path):
    """main() and run_example() register gc.freeze at exit once (the final collection would walk
    the whole SciPy/CVXPY/matplotlib heap); a handler registered before main still runs after it."""
    import subprocess
    import sys
    code = textwrap.dedent('''
        import atexit, gc
        import matoolbox.cli as c
        atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0, flush=True))
        c.main(["--version"])
        c.main(["--version"])
        from matoolbox.core import procexit
        print("hooks", len(procexit._REGISTERED), "before exit", gc.get_freeze_count(), flush=True)
    ''')
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert "hooks 1 before exit 0" in out.stdout and "frozen True" in out.stdout
    script = textwrap.dedent('''
        import atexit, gc
        from matoolbox.cli import run_example
        from matoolbox.core import procexit
        atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0, flush=True))
        def run(quick=False, trials=None, workers=1, seed=0, out="o", progress=False):
            return None
        run_example(run, "a script", "o", argv=["--quick"])
        print("hooks", len(procexit._REGISTERED), flush=True)
    ''')
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert "hooks 1" in out.stdout and "frozen True" in out.stdout
