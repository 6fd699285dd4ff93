"""Monte Carlo sweep harness: seeding, parallel = serial, aggregate, exports, checkpoint/resume, dask."""
import csv
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import matoolbox.plots
from matoolbox import InfeasibleError, InvalidProblemError
from matoolbox.sweep import CheckpointError, expand_grid, load_checkpoint, plot_sweep, run_sweep

HERE = Path(__file__).resolve().parent


# Trial functions live at module level so loky / dask workers can import them.
def noisy_trial(params, rng):
    """a ~ mu + N(0,1); b = first uniform of the stream; ~15% infeasible, ~5% raise."""
    u = rng.uniform()
    a = params["mu"] + rng.standard_normal()
    if u > 0.95:
        raise ValueError(f"bad draw {u:.3f}")
    if u < 0.05:
        raise InfeasibleError("no feasible point")
    return {"a": a, "b": np.float64(u), "label": f"mu{params['mu']}", "k": np.int64(3),
            "exitflag": -2 if u < 0.15 else 1}


def slow_trial(params, rng):
    """Same outputs whatever the pace; sleeps only when SWEEP_TEST_SLEEP is set (subprocess)."""
    time.sleep(float(os.environ.get("SWEEP_TEST_SLEEP", "0")))
    return {"x": params["p"] * 10 + rng.standard_normal(), "y": float(rng.integers(0, 100))}


def other_trial(params, rng):
    return {"x": rng.standard_normal()}


def pid_trial(params, rng):
    return {"z": rng.standard_normal(), "pid": str(os.getpid())}


def strip(rows):
    """Rows without the timing column (the only field allowed to differ between runs)."""
    return [{k: v for k, v in r.items() if k != "elapsed"} for r in rows]


GRID = {"mu": [0.0, 2.0], "tag": ["u", "v"]}


def expected_first_draws(seed, trials):
    return [np.random.default_rng(s).uniform() for s in np.random.SeedSequence(seed).spawn(trials)]


def test_serial_rows_seeds_and_order():
    res = run_sweep(noisy_trial, GRID, trials=20, seed=2, progress=False)
    assert len(res.rows) == 4 * 20
    # grid-point-major (first parameter outermost), trial-minor
    keys = [(r["mu"], r["tag"], r["trial"]) for r in res.rows]
    assert keys == [(m, t, i) for m in (0.0, 2.0) for t in ("u", "v") for i in range(20)]
    # trial t uses child t of SeedSequence(seed) at every grid point (common random numbers)
    u = expected_first_draws(2, 20)
    for r in res.rows:
        if "error" not in r:
            assert r["b"] == u[r["trial"]]
            assert isinstance(r["b"], float) and isinstance(r["k"], int)
    # infeasible / failed recorded, not raised
    for r in res.rows:
        ut = u[r["trial"]]
        want = -3 if ut > 0.95 else -2 if ut < 0.15 else 1
        assert r["exitflag"] == want
        assert ("error" in r) == (ut > 0.95 or ut < 0.05)
    assert any(r["exitflag"] == -3 for r in res.rows) and any("InfeasibleError" in r.get("error", "")
                                                              for r in res.rows)
    assert res.errors and all(r["error"].startswith(("ValueError: bad draw", "InfeasibleError"))
                              for r in res.errors)


def test_parallel_equals_serial():
    serial = run_sweep(noisy_trial, GRID, trials=12, seed=3, workers=1, progress=False)
    par = run_sweep(noisy_trial, GRID, trials=12, seed=3, workers=2, progress=False)
    assert strip(par.rows) == strip(serial.rows)
    no_time = [[a for a in r.aggregate if a["key"] != "elapsed"] for r in (par, serial)]
    assert no_time[0] == no_time[1] and len(no_time[0]) == 4 * 3
    # the 2-worker run really ran in worker processes; the 1-worker run in this process
    a = run_sweep(pid_trial, {"p": [0, 1]}, trials=8, seed=0, workers=2, progress=False)
    b = run_sweep(pid_trial, {"p": [0, 1]}, trials=8, seed=0, workers=1, progress=False)
    assert {r["pid"] for r in b.rows} == {str(os.getpid())}
    assert str(os.getpid()) not in {r["pid"] for r in a.rows}
    assert [r["z"] for r in a.rows] == [r["z"] for r in b.rows]
    other = run_sweep(noisy_trial, GRID, trials=12, seed=4, progress=False)
    assert strip(other.rows) != strip(serial.rows)



def test_aggregate_mean_stderr_counts():
    res = run_sweep(noisy_trial, GRID, trials=30, seed=11, progress=False)
    assert res.output_keys == ["a", "b", "k", "elapsed"]            # "label" (string) skipped
    assert {a["key"] for a in res.aggregate} == {"a", "b", "k", "elapsed"}
    for a in res.aggregate:
        rows = [r for r in res.rows if r["mu"] == a["mu"] and r["tag"] == a["tag"]]
        vals = np.array([r[a["key"]] for r in rows if a["key"] in r], float)
        assert a["n"] == vals.size
        assert a["mean"] == pytest.approx(vals.mean(), rel=1e-12)
        assert a["stderr"] == pytest.approx(vals.std(ddof=1) / np.sqrt(vals.size), rel=1e-12)
        assert a["infeasible"] == sum(r["exitflag"] == -2 for r in rows)
        assert a["failed"] == sum(r["exitflag"] == -3 for r in rows)
    u = np.array(expected_first_draws(11, 30))
    assert res.infeasible(mu=2.0, tag="u") == int(np.sum(u < 0.15))
    assert res.infeasible() == 4 * int(np.sum(u < 0.15))
    assert res.failed(mu=0.0) == 2 * int(np.sum(u > 0.95))
    # mean over one point equals the aggregate; over a partial selection it pools the points
    a = next(a for a in res.aggregate if a["key"] == "a" and a["mu"] == 2.0 and a["tag"] == "v")
    assert res.mean("a", mu=2.0, tag="v") == a["mean"]
    pooled = [r["a"] for r in res.rows if r["mu"] == 2.0 and "a" in r]
    assert res.mean("a", mu=2.0) == pytest.approx(np.mean(pooled))
    assert 1.2 < res.mean("a", mu=2.0) < 2.8 and -0.8 < res.mean("a", mu=0.0) < 0.8
    text = res.summary(["a"]).splitlines()
    assert text[0].split() == ["mu", "tag", "a", "infeasible", "failed", "status"] and len(text) == 7
    inf, bad = res.infeasible(mu=2.0, tag="v"), res.failed(mu=2.0, tag="v")
    m = re.search(r"\s(\d+)\s+(\d+)\s+(ok|\S+ (INFEASIBLE|FAILED).*)$", text[4])
    assert m and (int(m[1]), int(m[2])) == (inf, bad) and inf > 0
    words = [f"{inf}/30 INFEASIBLE"] + ([f"{bad}/30 FAILED"] if bad else [])
    assert m[3] == ", ".join(words)                                  # marked in words, not only counted
    assert f"[n={30 - inf_raised(res, 2.0, 'v') - bad}/30]" in text[4]
    assert text[5].startswith("INFEASIBLE: trials with exitflag -2")
    with pytest.raises(KeyError):
        res.mean("a", nope=1)
    with pytest.raises(KeyError):
        res.mean("zzz", mu=0.0)


def inf_raised(res, mu, tag):
    """Infeasible trials of a point that raised (no outputs), as opposed to returning exitflag -2."""
    return sum(r["exitflag"] == -2 and "error" in r for r in res.rows if r["mu"] == mu and r["tag"] == tag)


def nan_trial(params, rng):
    """v = 2p on about half the draws, NaN (not counted) otherwise; s is a string output."""
    return {"v": params["p"] * 2.0 if rng.uniform() < 0.5 else math.nan, "s": None}


def test_nan_outputs_not_counted_and_list_grid():
    res = run_sweep(nan_trial, [{"p": 1}, {"p": 2}], trials=10, seed=0, progress=False)
    n_kept = sum(u < 0.5 for u in expected_first_draws(0, 10))
    assert 0 < n_kept < 10
    for a in (a for a in res.aggregate if a["key"] == "v"):
        assert a["n"] == n_kept and a["mean"] == pytest.approx(a["p"] * 2.0) and a["stderr"] == 0.0
    assert res.points == [{"p": 1}, {"p": 2}]
    assert res.output_keys == ["v", "elapsed"]                     # all-None output skipped
    assert expand_grid({"a": [1, 2], "b": ["x"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]


def test_bad_input_rejected():
    with pytest.raises(InvalidProblemError, match="trials"):
        run_sweep(noisy_trial, GRID, trials=0, seed=0, progress=False)
    with pytest.raises(InvalidProblemError, match="seed"):
        run_sweep(noisy_trial, GRID, trials=2, seed=-1, progress=False)
    with pytest.raises(InvalidProblemError, match="grid"):
        run_sweep(noisy_trial, {"mu": []}, trials=2, seed=0, progress=False)
    with pytest.raises(InvalidProblemError, match="grid"):
        run_sweep(noisy_trial, {"trial": [1]}, trials=2, seed=0, progress=False)
    with pytest.raises(InvalidProblemError, match="workers"):
        run_sweep(noisy_trial, GRID, trials=2, seed=0, workers=0, progress=False)


def bad_output_trial(params, rng):
    if params["case"] == "complex":
        return {"v": 1 + 2j}
    if params["case"] == "clash":
        return {"case": 1.0}
    if params["case"] == "notdict":
        return 3.0
    return {"v": np.arange(3), "w": (np.float32(0.5), np.int8(2)), "ok": np.bool_(True)}


def test_bad_outputs_recorded_as_failures():
    res = run_sweep(bad_output_trial, {"case": ["complex", "clash", "notdict", "fine"]}, trials=1, seed=0,
                    progress=False)
    err = {r["case"]: r.get("error", "") for r in res.rows}
    assert err["complex"].startswith("TypeError: value of type complex is not JSON-serialisable")
    assert err["clash"].startswith("ValueError: trial outputs ['case'] clash")
    assert err["notdict"] == "TypeError: trial must return a dict, got float"
    assert res.failed() == 3 and res.rows[3]["exitflag"] == 1
    assert res.rows[3]["v"] == [0, 1, 2] and res.rows[3]["w"] == [0.5, 2] and res.rows[3]["ok"] is True
    assert res.output_keys == ["ok", "elapsed"]                     # lists are not aggregated


def test_progress_bar_can_be_switched_off(capfd):
    run_sweep(slow_trial, SLOW_GRID, trials=3, seed=0, progress=False)
    assert capfd.readouterr().err == ""
    run_sweep(slow_trial, SLOW_GRID, trials=3, seed=0, progress=True)
    err = capfd.readouterr().err
    assert "sweep" in err and "9/9" in err


def test_on_error_raise():
    with pytest.raises(ValueError, match="bad draw"):
        run_sweep(noisy_trial, GRID, trials=40, seed=7, progress=False, on_error="raise")


def test_to_csv_roundtrip(tmp_path):
    res = run_sweep(noisy_trial, GRID, trials=8, seed=5, progress=False)
    path = res.to_csv(tmp_path / "rows.csv")
    with open(path) as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(res.rows)
    assert list(table[0]) == res.columns
    for line, r in zip(table, res.rows):
        assert float(line["mu"]) == r["mu"] and line["tag"] == r["tag"] and int(line["trial"]) == r["trial"]
        assert int(line["exitflag"]) == r["exitflag"]
        if "a" in r:
            assert float(line["a"]) == r["a"]                         # repr round-trips exactly
        else:
            assert line["a"] == ""
    agg_path = res.to_csv(tmp_path / "agg.csv", aggregate=True)
    with open(agg_path) as fh:
        agg = list(csv.DictReader(fh))
    assert len(agg) == len(res.aggregate)
    assert all(float(x["mean"]) == pytest.approx(a["mean"]) for x, a in zip(agg, res.aggregate))


def test_plot_sweep_curves(tmp_path, monkeypatch):
    res = run_sweep(noisy_trial, GRID, trials=8, seed=5, progress=False)
    import matoolbox.plots

    with matoolbox.plots.capture() as figs:
        png = plot_sweep(res, x="mu", keys=["a", "b"], path=tmp_path / "fig.png", ylabel="value", tag="u")
    (fig,) = figs
    assert fig["path"] == png and [ln["label"] for ln in fig["lines"]] == ["a", "b"]
    for ln, key in zip(fig["lines"], ["a", "b"]):          # the Line2D data as drawn
        assert ln["x"].tolist() == [0.0, 2.0]
        assert ln["y"].tolist() == [res.mean(key, mu=m, tag="u") for m in (0.0, 2.0)]
    seen = {}

    monkeypatch.setattr(matoolbox.plots, "save_curves",
                        lambda x, curves, path, **kw: seen.update(x=x, curves=curves, errors=kw["errors"]))
    plot_sweep(res, x="mu", keys=["a"], path=tmp_path / "f2.png")     # tag free: one curve per tag
    assert seen["x"] == [0.0, 2.0] and set(seen["curves"]) == {"a (tag=u)", "a (tag=v)"}
    for tag in ("u", "v"):
        assert seen["curves"][f"a (tag={tag})"] == [res.mean("a", mu=m, tag=tag) for m in (0.0, 2.0)]
        assert seen["errors"][f"a (tag={tag})"] == [res.stderr("a", mu=m, tag=tag) for m in (0.0, 2.0)]
    res1 = run_sweep(noisy_trial, {"mu": [0.0, 2.0], "tag": ["u"]}, trials=4, seed=5, progress=False)
    plot_sweep(res1, x="mu", keys=["a", "b"], path=tmp_path / "f4.png", labels={"a": "scheme A"})
    assert list(seen["curves"]) == ["scheme A", "b"]                   # constant tag: not in labels
    with pytest.raises(KeyError):
        plot_sweep(res, x="mu", keys=["label"], path=tmp_path / "f3.png")


def test_to_mat_roundtrip(tmp_path):
    from scipy.io import loadmat

    res = run_sweep(noisy_trial, GRID, trials=6, seed=2, progress=False)
    m = loadmat(res.to_mat(tmp_path / "s.mat"), simplify_cells=True)
    rows, agg = m["rows"], m["aggregate"]
    assert np.array_equal(rows["mu"], [r["mu"] for r in res.rows])
    assert list(rows["tag"]) == [r["tag"] for r in res.rows]
    assert np.array_equal(rows["exitflag"], [r["exitflag"] for r in res.rows])
    assert np.array_equal(rows["a"], [r.get("a", np.nan) for r in res.rows], equal_nan=True)
    assert list(agg["key"]) == [a["key"] for a in res.aggregate]
    assert np.array_equal(agg["mean"], [a["mean"] for a in res.aggregate], equal_nan=True)
    assert np.array_equal(agg["infeasible"], [a["infeasible"] for a in res.aggregate])


# ----------------------------------------------------------------------------- checkpoint
SLOW_GRID = {"p": [0, 1, 2]}


def records(path):
    lines = Path(path).read_text().splitlines()
    return json.loads(lines[0]), [json.loads(x) for x in lines[1:]]


def test_checkpoint_written_and_resumed_without_rerunning(tmp_path):
    ck = tmp_path / "ck.jsonl"
    full = run_sweep(noisy_trial, GRID, trials=5, seed=2, checkpoint=ck, progress=False)
    head, recs = records(ck)
    assert head["trials"] == 5 and head["trial"].endswith("noisy_trial") and len(recs) == 20
    assert sorted((r["point"], r["trial"]) for r in recs) == [(p, t) for p in range(4) for t in range(5)]
    again = run_sweep(noisy_trial, GRID, trials=5, seed=2, checkpoint=ck, progress=False)
    assert again.n_resumed == 20 and again.rows == full.rows        # identical, elapsed included
    assert len(records(ck)[1]) == 20


def test_sigkill_mid_sweep_then_resume(tmp_path):
    ck = tmp_path / "killed.jsonl"
    script = (f"import sys; sys.path.insert(0, {str(HERE)!r})\n"
              "from test_sweep import slow_trial, SLOW_GRID\n"
              "from matoolbox.sweep import run_sweep\n"
              f"run_sweep(slow_trial, SLOW_GRID, trials=16, seed=1, workers=2, checkpoint={str(ck)!r},"
              " progress=False)\n")
    env = {**os.environ, "SWEEP_TEST_SLEEP": "0.1"}
    # own process group, so that SIGKILL takes the sweep and its loky workers down together
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True)
    t0, n = time.time(), 0
    try:
        while time.time() - t0 < 60:
            n = ck.read_text().count("\n") - 1 if ck.exists() else 0
            if n >= 16:                        # a third of the 48 trials finished
                break
            assert proc.poll() is None, "sweep subprocess ended early"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    _, recs = records(ck)
    assert 16 <= len(recs) < 48                # stopped half-way
    partial = load_checkpoint(ck)             # a partial result can be inspected
    assert len(partial.rows) == len(recs) and partial.trials == 16
    assert partial.aggregate and all(a["n"] <= 16 for a in partial.aggregate)
    with open(ck, "ab") as fh:                 # and as if killed in the middle of a write
        fh.write(b'{"point": 2, "trial": 15, "row": {"p": 2, "tri')
    resumed = run_sweep(slow_trial, SLOW_GRID, trials=16, seed=1, checkpoint=ck, progress=False)
    reference = run_sweep(slow_trial, SLOW_GRID, trials=16, seed=1, progress=False)
    assert resumed.n_resumed == len(recs)
    assert strip(resumed.rows) == strip(reference.rows)
    partial = load_checkpoint(ck)             # what was on disk before the resume ... is now complete
    assert partial.rows == resumed.rows
    _, final = records(ck)                     # the file is clean: every trial exactly once
    assert sorted((r["point"], r["trial"]) for r in final) == [(p, t) for p in range(3) for t in range(16)]


def test_truncated_and_corrupted_lines_are_redone(tmp_path):
    ck = tmp_path / "ck.jsonl"
    ref = run_sweep(slow_trial, SLOW_GRID, trials=4, seed=9, checkpoint=ck, progress=False)
    lines = ck.read_bytes().split(b"\n")[:-1]
    # last line cut half-way (no newline): dropped silently and redone
    ck.write_bytes(b"\n".join(lines[:-1]) + b"\n" + lines[-1][: len(lines[-1]) // 2])
    res = run_sweep(slow_trial, SLOW_GRID, trials=4, seed=9, checkpoint=ck, progress=False)
    assert res.n_resumed == 11 and strip(res.rows) == strip(ref.rows)
    # a garbled line in the middle and a record whose params do not match its point
    lines = ck.read_bytes().split(b"\n")[:-1]
    bad = json.loads(lines[5])
    bad["row"]["p"] = 99
    lines[3] = b'{"point": 0, "trial": 2, "row": {"p": 0, "trial"::: }'
    lines[5] = json.dumps(bad).encode()
    ck.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.warns(RuntimeWarning, match="2 unreadable"):
        res = run_sweep(slow_trial, SLOW_GRID, trials=4, seed=9, checkpoint=ck, progress=False)
    assert res.n_resumed == 10 and strip(res.rows) == strip(ref.rows)
    assert len(records(ck)[1]) == 12


def test_checkpoint_of_another_sweep_is_refused(tmp_path):
    ck = tmp_path / "ck.jsonl"
    run_sweep(slow_trial, SLOW_GRID, trials=3, seed=1, checkpoint=ck, progress=False)
    before = ck.read_bytes()
    for kwargs, what in [({"seed": 2}, "seed"), ({"trials": 4}, "trials"),
                         ({"grid": {"p": [0, 1]}}, "grid"), ({"trial": other_trial}, "trial")]:
        args = {"trial": slow_trial, "grid": SLOW_GRID, "trials": 3, "seed": 1, **kwargs}
        with pytest.raises(CheckpointError, match=f"different sweep.*{what}"):
            run_sweep(args.pop("trial"), args.pop("grid"), checkpoint=ck, progress=False, **args)
    assert ck.read_bytes() == before           # nothing mixed in
    foreign = tmp_path / "data.csv"
    foreign.write_text("a,b\n1,2\n")
    with pytest.raises(CheckpointError, match="not a matoolbox sweep checkpoint"):
        run_sweep(slow_trial, SLOW_GRID, trials=3, seed=1, checkpoint=foreign, progress=False)
    assert foreign.read_text() == "a,b\n1,2\n"
    one_line = tmp_path / "note.txt"
    one_line.write_text("hello")
    with pytest.raises(CheckpointError, match="not a matoolbox sweep checkpoint"):
        run_sweep(slow_trial, SLOW_GRID, trials=3, seed=1, checkpoint=one_line, progress=False)
    assert one_line.read_text() == "hello"
    partial_header = tmp_path / "h.jsonl"      # killed while writing the header: start afresh
    partial_header.write_bytes(ck.read_bytes()[:20])
    res = run_sweep(slow_trial, SLOW_GRID, trials=3, seed=1, checkpoint=partial_header, progress=False)
    assert res.n_resumed == 0 and len(records(partial_header)[1]) == 9


@pytest.mark.parametrize("edit, key", [
    (lambda h: h.pop("grid"), "'grid'"),
    (lambda h: h.update(trials="lots"), "'trials'"),
    (lambda h: h.update(trials=0), "'trials'"),
    (lambda h: h.pop("seed"), "'seed'"),
    (lambda h: h.update(grid=[]), "'grid'"),
    (lambda h: h.update(grid=[1, 2]), "'grid'"),
    (lambda h: h.pop("fingerprint"), "'fingerprint'"),
    (lambda h: h.update(trial=3), "'trial'"),
    (lambda h: h.update(matoolbox_sweep=99), "format 99"),
])
def test_damaged_checkpoint_header_names_the_key(tmp_path, edit, key):
    ck = tmp_path / "ck.jsonl"
    run_sweep(slow_trial, SLOW_GRID, trials=2, seed=1, checkpoint=ck, progress=False)
    lines = ck.read_text().splitlines()
    head = json.loads(lines[0])
    edit(head)
    ck.write_text("\n".join([json.dumps(head)] + lines[1:]) + "\n")
    with pytest.raises(CheckpointError, match=key):
        load_checkpoint(ck)
    with pytest.raises(CheckpointError, match=key):           # resuming refuses it too
        run_sweep(slow_trial, SLOW_GRID, trials=2, seed=1, checkpoint=ck, progress=False)


def test_load_checkpoint_missing_file_and_foreign_records(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "nope.jsonl")
    ck = tmp_path / "ck.jsonl"
    run_sweep(slow_trial, SLOW_GRID, trials=2, seed=1, checkpoint=ck, progress=False)
    with open(ck, "a") as fh:                  # out-of-range records are ignored, not crashed on
        fh.write(json.dumps({"point": 7, "trial": 0, "row": {"exitflag": 1}}) + "\n")
        fh.write(json.dumps({"point": 0, "trial": 0, "row": "x"}) + "\n")
    res = load_checkpoint(ck)
    assert len(res.rows) == 2 * len(expand_grid(SLOW_GRID))


# ----------------------------------------------------------------------------- dask
@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.ERROR)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_cluster_equals_loky(dask_client):
    import joblib

    loky = run_sweep(noisy_trial, GRID, trials=10, seed=3, workers=2, progress=False)
    with joblib.parallel_config(backend="dask"):
        dask = run_sweep(noisy_trial, GRID, trials=10, seed=3, workers=2, progress=False)
        pids = run_sweep(pid_trial, {"p": [0, 1]}, trials=6, seed=0, workers=2, progress=False)
        pids1 = run_sweep(pid_trial, {"p": [0, 1]}, trials=6, seed=0, workers=1, progress=False)
    assert strip(dask.rows) == strip(loky.rows)
    worker_pids = {str(pid) for pid in dask_client.run(os.getpid).values()}
    assert len(worker_pids) == 2 and str(os.getpid()) not in worker_pids
    assert {r["pid"] for r in pids.rows} <= worker_pids
    assert {r["pid"] for r in pids1.rows} <= worker_pids    # with dask the cluster decides
    assert [r["z"] for r in pids1.rows] == [r["z"] for r in pids.rows]


def _square_trial(params, rng):
    return {"y": float(params["x"]) ** 2 + 0.0 * rng.random()}


def test_save_sweep_and_run_example(tmp_path):
    from matoolbox.cli import run_example
    from matoolbox.sweep import save_sweep

    res = run_sweep(_square_trial, {"x": [1, 2, 3]}, 2, 0, progress=False)
    with matoolbox.plots.capture() as figs:
        png = save_sweep(res, tmp_path / "o", "sq", x="x", keys=["y"], xlabel="x", ylabel="y")
    assert png == tmp_path / "o" / "sq.png" and figs[0]["path"] == png
    assert figs[0]["curves"]["y"].tolist() == [1.0, 4.0, 9.0]
    with open(tmp_path / "o" / "sq_mean.csv") as fh:
        mean = [r for r in csv.DictReader(fh) if r["key"] == "y"]
    assert [float(r["mean"]) for r in mean] == [1.0, 4.0, 9.0]
    with open(tmp_path / "o" / "sq.csv") as fh:
        assert len(list(csv.DictReader(fh))) == 6

    seen = {}

    def fake_run(**kw):
        seen.update(kw)
        return "result"

    a, out = run_example(fake_run, "Doc line.\nmore", "out/x", argv=["--quick", "--trials", "3", "--seed", "5"])
    assert out == "result" and a.out == "out/x"
    assert seen == {"quick": True, "trials": 3, "workers": 1, "seed": 5, "out": "out/x", "progress": True}
