"""`matoolbox reproduce`: claims evaluated on a fake family folder (tiny script + claims.py)."""
import math
import time
import textwrap

import pytest

from matoolbox import cli
from matoolbox.reproduce import Claim, evaluate_claims, reproduce_family

FIG = textwrap.dedent('''
    """Fake figure: y = 2 x on two points."""
    from pathlib import Path

    from matoolbox.sweep import run_sweep, save_sweep


    def trial(params, rng):
        return {"y": 2.0 * params["x"], "z": params["x"] + 0.0 * rng.standard_normal()}


    def run(quick=False, trials=None, workers=1, seed=0, out="o", progress=False, checkpoint=None):
        res = run_sweep(trial, {"x": [1.0, 2.0]}, trials or 2, seed, workers=workers, progress=False,
                        checkpoint=checkpoint)
        save_sweep(res, out, "fig1_line", x="x", keys=["y", "z"], xlabel="x", ylabel="y", title="a line")
        return res
''')

CLAIMS = textwrap.dedent('''
    from matoolbox.reproduce import Claim


    def _double(results):
        r = results["fig1_line"]
        ratio = r.mean("y", x=2.0) / r.mean("y", x=1.0)
        return ("reproduced" if abs(ratio - 2) < 1e-9 else "not reproduced"), f"ratio {ratio:.3f}"


    def _raises(results):
        raise RuntimeError("boom")


    CLAIMS = [
        Claim("C1.1", "fig1_line", "y doubles from x=1 to x=2", "ratio within 1e-9 of 2", _double),
        Claim("C1.2", "fig1_line", "a check that raises", "-", _raises),
        Claim("C1.3", "fig9_missing", "a figure that does not exist", "-", _double),
    ]
''')


@pytest.fixture
def family(tmp_path, monkeypatch):
    root = tmp_path / "examples"
    (root / "fam").mkdir(parents=True)
    (root / "fam" / "fig1_line.py").write_text(FIG)
    (root / "fam" / "claims.py").write_text(CLAIMS)
    (root / "fam" / "_helper.py").write_text("def run():\n    pass\n")
    monkeypatch.setenv("MATOOLBOX_EXAMPLES", str(root))
    return root


def test_claim_is_frozen_with_the_shared_fields():
    c = Claim("C0", "fig", "text", "rule", lambda r: ("reproduced", "1"))
    assert [f for f in Claim.__dataclass_fields__] == ["id", "figure", "text", "rule", "check"]
    with pytest.raises(Exception):
        c.id = "x"


def test_evaluate_claims_verdicts():
    claims = [Claim("a", "f", "t", "r", lambda r: ("partly", "m")),
              Claim("b", "f", "t", "r", lambda r: ("maybe", "m")),
              Claim("c", "g", "t", "r", lambda r: ("reproduced", "m"))]
    rows = evaluate_claims(claims, {"f": 1}, errors={"g": "ValueError: bad"})
    assert [r["verdict"] for r in rows] == ["partly", "not run", "not run"]
    assert "maybe" in rows[1]["measured"] and "ValueError: bad" in rows[2]["measured"]


def test_reproduce_family_writes_the_report(family, tmp_path):
    from matoolbox import plots

    with plots.capture() as figs:
        path = reproduce_family("fam", out=tmp_path / "out", quick=True, trials=2, seed=3)
    text = path.read_text()
    assert path == tmp_path / "out" / "fam" / "REPRODUCTION.md"
    # a quick run is never "reproduced": the passing rule reads "indicative"
    assert ("| C1.1 | fig1_line | y doubles from x=1 to x=2 | ratio within 1e-9 of 2 | ratio 2.000; quick run: "
            "'indicative' | **indicative** |") in text
    assert "C1.2" in text and "check raised RuntimeError: boom" in text
    assert "fig9_missing" in text and "0 reproduced" in text and "1 indicative" in text and "2 not run" in text
    assert "trials=2" in text and "seed=3" in text and "wall time" in text and "CPU cores" in text
    assert "- CPU time: " in text
    assert "| fig1_line | 2 |" in text                                  # trials per point, from the result
    (fig,) = [f for f in figs if str(f["path"]).endswith("fig1_line.png")]
    assert set(fig["curves"]) == {"y", "z"}
    assert all(len(v) == len(fig["x"]) >= 2 and all(map(math.isfinite, v)) for v in fig["curves"].values())
    assert "![fig1_line](fig1_line.png)" in text


def test_cli_reproduce(family, tmp_path, capsys):
    assert cli.main(["reproduce", "fam", "--quick", "--trials", "2", "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "fam" / "REPRODUCTION.md").exists()
    assert "0 reproduced, 0 partly, 1 indicative" in capsys.readouterr().out
    assert cli.main(["reproduce", "fam", "--from", str(tmp_path / "o" / "fam"), "--out", str(tmp_path / "r")]) == 0
    assert "0 reproduced, 0 partly, 1 indicative" in capsys.readouterr().out   # recomputed: still a quick run
    assert cli.main(["reproduce", "fam", "--trials", "2", "--out", str(tmp_path / "p")]) == 0
    assert "1 reproduced" in capsys.readouterr().out                  # the same data, not a quick run


@pytest.mark.parametrize("argv, msg", [
    (["reproduce", "nofam"], "unknown family"),
    (["reproduce", "fam", "--trials", "0"], "--trials"),
    (["reproduce", "fam", "--workers", "-3"], "--workers"),
    (["reproduce", "fam", "--seed", "-1"], "--seed"),
])
def test_cli_reproduce_bad_input(family, argv, msg, capsys):
    with pytest.raises(SystemExit) as e:
        rc = cli.main(argv)
        raise SystemExit(rc)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert msg in err and "Traceback" not in err


def test_claims_and_helpers_are_not_figures(family):
    assert list(cli.discover_examples()["fam"]) == ["fig1_line"]


def test_cli_reproduce_resume_keeps_checkpoints(family, tmp_path):
    assert cli.main(["reproduce", "fam", "--resume", "--out", str(tmp_path / "o")]) == 0
    ck = tmp_path / "o" / "fam" / "checkpoints" / "fig1_line.jsonl"
    assert ck.exists()
    from matoolbox.sweep import load_checkpoint

    assert len(load_checkpoint(ck).rows) == 4
    report = tmp_path / "o" / "fam" / "REPRODUCTION.md"
    assert "resumed" not in report.read_text()                  # nothing loaded from a checkpoint
    lines = ck.read_text().splitlines()
    ck.write_text("\n".join(lines[:3]) + "\n")                  # header + 2 of the 4 trial rows
    assert cli.main(["reproduce", "fam", "--resume", "--out", str(tmp_path / "o")]) == 0   # resumes: same file
    assert len(load_checkpoint(ck).rows) == 4
    text = report.read_text()
    assert "- resumed: 2 trial rows (fig1_line: 2) were loaded from the checkpoints" in text
    assert "| fig1_line | 2 | " in text and text.split("| fig1_line | 2 | ")[1].split("\n")[0].endswith("| 2 |")
    assert cli.main(["reproduce", "fam", "--from", str(tmp_path / "o" / "fam")]) == 0
    assert "- resumed: 2 trial rows (fig1_line: 2)" in report.read_text()     # kept by --from


def _burn(params, rng):
    t0 = time.process_time()
    while time.process_time() - t0 < 0.3:
        pass
    return {"y": 1.0}


def test_cpu_seconds_count_the_worker_processes():
    """The report's CPU time includes the sweep's worker processes (released and reaped at the
    end): 4 trials burning 0.3 s of CPU each on 2 workers add >= 1.1 s, most of it in the workers."""
    from matoolbox.reproduce import _cpu_seconds
    from matoolbox.sweep import run_sweep

    c0, p0 = _cpu_seconds(), time.process_time()
    run_sweep(_burn, {"x": [1, 2]}, 2, 0, workers=2, progress=False)
    c1, p1 = _cpu_seconds(release_workers=True), time.process_time()
    assert c1 - c0 >= 1.1
    assert p1 - p0 < 0.6                       # the burning happened in the workers, not here
