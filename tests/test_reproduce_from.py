"""Raw data beside a report and ``matoolbox reproduce FAMILY --from DIR`` (issue 23 item 2).

A fake family (two scripts: a plain sweep and a dict holding a sweep, a map, a tuple, a path and a
non-string key) is reproduced, its verdicts recomputed from the saved rows, and one edited trial
changes exactly the verdict that reads it. Every real family's scripts (tiny settings) round-trip
through the raw data with identical claim rows; the full per-family ``reproduce`` -> ``--from``
run is marked slow.
"""
import functools
import gzip
import importlib.util
import json
import math
import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

from matoolbox import cli, plots
from matoolbox.rawdata import RawDataError, decode, encode, load_raw, save_raw
from matoolbox.reproduce import evaluate_claims, load_claims, reproduce, reproduce_family, reproduce_from
from matoolbox.results import SweepResult
from matoolbox.scripts import discover_examples, load_script

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

LINE = textwrap.dedent('''
    from matoolbox.sweep import run_sweep


    def trial(params, rng):
        return {"y": 2.0 * params["x"] + 0.0 * rng.standard_normal(), "tag": "t", "v": [1.0, None]}


    def run(quick=False, trials=None, workers=1, seed=0, out="o", progress=False, checkpoint=None):
        return run_sweep(trial, {"x": [1.0, 2.0]}, trials or 3, seed, workers=workers, progress=False,
                         checkpoint=checkpoint)
''')

MAPS = textwrap.dedent('''
    from pathlib import Path

    import numpy as np

    from matoolbox.sweep import run_sweep


    def trial(params, rng):
        return {"gain": float(params["k"]) + rng.standard_normal(), "bad": float("nan")}


    def run(quick=False, trials=None, workers=1, seed=0, out="o", progress=False, checkpoint=None):
        res = run_sweep(trial, [{"k": 1, "s": "a"}, {"k": 3, "s": "b"}], trials or 3, seed, progress=False)
        grid = np.linspace(0.0, 1.0, 120).reshape(10, 12) ** 2
        return {"sweep": res, "map": grid, "centre": (1.5, np.float32(2.5)), "png": Path(out) / "m.png",
                3: np.array([1 + 2j, -1j]), "labels": np.array(["a", "bb"]), "flags": np.array([True, False])}
''')

CLAIMS = textwrap.dedent('''
    import numpy as np

    from matoolbox.reproduce import Claim


    def _double(results):
        r = results["fig1_line"]
        ratio = r.mean("y", x=2.0) / r.mean("y", x=1.0)
        return ("reproduced" if abs(ratio - 2) < 1e-9 else "not reproduced"), f"ratio {ratio!r}"


    def _map(results):
        r = results["fig2_maps"]
        s = r["sweep"]
        ok = (r["map"].shape == (10, 12) and r["centre"][1] == np.float32(2.5) and r[3][0] == 1 + 2j
              and list(r["labels"]) == ["a", "bb"] and r["png"].name == "m.png")
        gap = s.mean("gain", k=3, s="b") - s.mean("gain", k=1, s="a")
        return ("reproduced" if ok and gap > 1 else "not reproduced"), f"std {np.std(r['map'])!r}, gap {gap!r}"


    CLAIMS = [
        Claim("C1.1", "fig1_line", "y doubles from x=1 to x=2", "ratio within 1e-9 of 2", _double),
        Claim("C2.1", "fig2_maps", "the map and the sweep come back", "all fields equal", _map),
        Claim("C9.9", "fig9_missing", "a figure that does not exist", "-", _double),
    ]
''')


@pytest.fixture
def family(tmp_path, monkeypatch):
    root = tmp_path / "examples"
    (root / "fam").mkdir(parents=True)
    (root / "fam" / "fig1_line.py").write_text(LINE)
    (root / "fam" / "fig2_maps.py").write_text(MAPS)
    (root / "fam" / "claims.py").write_text(CLAIMS)
    monkeypatch.setenv("MATOOLBOX_EXAMPLES", str(root))
    path = reproduce_family("fam", out=tmp_path / "out", quick=False, trials=4, seed=7)
    return path.parent


def _table(path):
    """The claim rows of a report (everything after the id header)."""
    lines = Path(path).read_text().splitlines()
    start = lines.index("| id | figure | claim | rule | measured | verdict |")
    return [ln for ln in lines[start + 2:] if ln.startswith("| ")]


def _edit_row(file, match, key, value):
    rows = [json.loads(ln) for ln in gzip.open(file, "rt").read().splitlines()]
    hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1
    hits[0][key] = value
    with gzip.open(file, "wt") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in rows))


# ----------------------------------------------------------------------------- fake family
def test_report_is_written_with_its_raw_data(family):
    raw = family / "raw"
    assert sorted(p.name for p in raw.iterdir()) == ["fig1_line.rows.jsonl.gz", "fig2_maps.arrays.json.gz",
                                                      "fig2_maps.sweep.rows.jsonl.gz", "manifest.json"]
    rows = [json.loads(ln) for ln in gzip.open(raw / "fig1_line.rows.jsonl.gz", "rt")]
    assert len(rows) == 2 * 4 and [(r["x"], r["trial"]) for r in rows[:2]] == [(1.0, 0), (1.0, 1)]
    assert rows[0]["y"] == 2.0 and rows[0]["tag"] == "t" and rows[0]["v"] == [1.0, None]
    man = json.loads((raw / "manifest.json").read_text())
    assert man["family"] == "fam" and man["settings"] == {"quick": False, "trials": 4, "workers": 1, "seed": 7}
    assert man["figures"]["fig1_line"]["result"]["trials"] == 4 and "fig9_missing" in man["errors"]
    assert [v["verdict"] for v in man["verdicts"]] == ["reproduced", "reproduced", "not run"]
    text = (family / "REPRODUCTION.md").read_text()
    assert "- raw data: `raw/`" in text and "matoolbox reproduce fam --from DIR" in text


def test_from_recomputes_the_same_verdicts(family):
    before = _table(family / "REPRODUCTION.md")
    assert "**reproduced**" in before[0] and "**reproduced**" in before[1] and "**not run**" in before[2]
    results, meta = load_raw(family)
    assert meta["settings"]["trials"] == 4 and isinstance(results["fig1_line"], SweepResult)
    path = reproduce_from("fam", family)
    assert path == family / "REPRODUCTION.md" and _table(path) == before
    text = path.read_text()
    assert "Recomputed by `matoolbox reproduce fam --from DIR`" in text and "without running any script" in text
    assert "- settings: quick=False, trials=4, workers=1, seed=7" in text and "(original run)" in text
    assert f"- original run: {meta['date']}" in text and "![fig1_line]" not in text      # no PNG saved


def test_one_edited_trial_changes_its_verdict_only(family, capsys):
    _edit_row(family / "raw" / "fig1_line.rows.jsonl.gz", {"x": 2.0, "trial": 3}, "y", 4.5)
    assert cli.main(["reproduce", "fam", "--from", str(family), "--out", str(family.parent / "re")]) == 0
    out = capsys.readouterr().out
    assert "changed from the original run: C1.1: reproduced -> not reproduced (ratio 2.0625)" in out
    assert "C2.1" not in out and "1 reproduced" in out
    table = _table(family.parent / "re" / "fam" / "REPRODUCTION.md")
    assert table[0].endswith("| ratio 2.0625 | **not reproduced** |")
    assert table[1:] == _table(family / "REPRODUCTION.md")[1:]                         # the others unchanged


def test_a_claim_added_since_the_run_is_named(family):
    from matoolbox.reproduce import Claim

    claims = load_claims("fam") + [Claim("C3.1", "fig1_line", "new", "-", lambda r: ("partly", "m"))]
    lines = []
    reproduce_from("fam", family, claims=claims, log=lines.append)
    assert lines == ["C3.1: not in the original run -> partly (m)"]


def test_an_edited_map_value_reaches_the_claims(family):
    before = evaluate_claims(load_claims("fam"), load_raw(family)[0])
    arrays = family / "raw" / "fig2_maps.arrays.json.gz"
    data = json.loads(gzip.open(arrays, "rt").read())
    (key,) = data
    data[key][0] = 100.0
    with gzip.open(arrays, "wt") as fh:
        fh.write(json.dumps(data))
    rows = evaluate_claims(load_claims("fam"), load_raw(family)[0])
    assert rows[1]["verdict"] == "reproduced" and rows[1]["measured"] != before[1]["measured"]
    assert rows[0] == before[0]


@pytest.mark.parametrize("where", ["report folder", "raw folder", "output root"])
def test_cli_from_accepts_the_report_raw_or_root_folder(family, where, capsys):
    src = {"report folder": family, "raw folder": family / "raw", "output root": family.parent}[where]
    before = _table(family / "REPRODUCTION.md")
    assert cli.main(["reproduce", "fam", "--from", str(src)]) == 0
    out = capsys.readouterr().out
    assert "every verdict is the one of the original run" in out and f"wrote {family / 'REPRODUCTION.md'}" in out
    assert _table(family / "REPRODUCTION.md") == before


def test_report_elsewhere_links_the_raw_data(family, tmp_path):
    path = reproduce_from("fam", family, out=tmp_path / "elsewhere")
    text = path.read_text()
    assert "- raw data: `../../out/fam/raw/`" in text and "or of the raw data" in text
    assert _table(path) == _table(family / "REPRODUCTION.md")


@pytest.mark.parametrize("argv, msg", [
    (["--quick"], "--quick cannot be used with it"),
    (["--trials", "3", "--resume"], "--trials, --resume cannot be used with it"),
])
def test_cli_from_refuses_run_options(family, argv, msg, capsys):
    assert cli.main(["reproduce", "fam", "--from", str(family), *argv]) == 2
    assert msg in capsys.readouterr().err


def test_broken_raw_data_is_reported(family, tmp_path, capsys):
    assert cli.main(["reproduce", "fam", "--from", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert cli.main(["reproduce", "fam", "--from", str(tmp_path / "empty")]) == 2
    assert "no raw data in" in capsys.readouterr().err
    rows = family / "raw" / "fig1_line.rows.jsonl.gz"
    lines = gzip.open(rows, "rt").read().splitlines()
    with gzip.open(rows, "wt") as fh:
        fh.write("\n".join(lines[:-1]) + "\n")
    assert cli.main(["reproduce", "fam", "--from", str(family)]) == 2
    assert "fig1_line.rows.jsonl.gz holds 7 rows, the manifest says 8" in capsys.readouterr().err
    with pytest.raises(RawDataError, match="holds the raw data of 'fam', not 'other'"):
        reproduce_from("other", family, claims=[])
    (family / "raw" / "manifest.json").write_text('{"format": "something else"}')
    with pytest.raises(RawDataError, match="is not 'matoolbox raw data 1' data"):
        load_raw(family)


def test_saving_twice_gives_the_same_bytes(tmp_path):
    res = SweepResult([{"x": 1.0, "trial": 0, "y": math.nan, "exitflag": 1, "elapsed": 0.0}], [{"x": 1.0}], 1)
    for name in ("a", "b"):
        save_raw(tmp_path / name, {"f": {"s": res, "m": np.arange(100.0)}}, family="x", date="d")
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_encode_decode_every_kind_of_value(tmp_path):
    seq = np.random.SeedSequence(5).spawn(2)[1]
    value = {"i": 1, "f": -0.1, "nan": math.nan, "inf": -math.inf, "none": None, "b": True, "s": "$x",
             "l": [1, (2, 3)], "t": (np.int16(4), np.float32(0.5), np.bool_(True)), "c": 1 - 2j,
             "a": np.arange(6, dtype=np.int32).reshape(2, 3), "big": np.linspace(0, 1, 200).reshape(20, 10),
             "z": np.array([[1j, 2.0]], np.complex64), "o": np.array([{"k": 1}, None], object),
             "set": {1, 2}, (1, "a"): "tuple key", 5: "int key", "$tag": "dollar key", "p": Path("x/y.png"),
             "seq": seq, "empty": np.zeros((0, 3))}
    save_raw(tmp_path, {"fig": value, "odd": object()})
    back, meta = load_raw(tmp_path)
    got = back["fig"]
    assert set(got) == set(value) and meta["lossy"] == ["odd"]
    for k, v in value.items():
        g = got[k]
        assert type(g) is type(v), k
        if isinstance(v, np.ndarray):
            assert g.dtype == v.dtype and g.shape == v.shape and (v.dtype == object or np.array_equal(g, v)), k
        elif isinstance(v, np.random.SeedSequence):
            assert g.entropy == v.entropy and g.spawn_key == v.spawn_key and g.generate_state(2).tolist() == \
                v.generate_state(2).tolist()
        elif isinstance(v, float) and math.isnan(v):
            assert math.isnan(g)
        else:
            assert g == v and type(g) is type(v), k
    assert list(got["o"]) == [{"k": 1}, None] and type(got["t"][1]) is np.float32
    assert type(back["odd"]).__name__ == "Unsupported" and back["odd"].type == "builtins.object"
    assert decode(encode([1, {"a": (1,)}])) == [1, {"a": (1,)}]


# ----------------------------------------------------------------------------- real families
def _load(family, stem):
    sys.path.insert(0, str(EXAMPLES / family))
    spec = importlib.util.spec_from_file_location(f"rawdata_{family}_{stem}", EXAMPLES / family / f"{stem}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _grid(trials, **grids):
    return {k: {"trials": trials, "grid": g} for k, g in grids.items()}


# tiny settings of every figure script (those of the families' example tests)
TINY = {
    "comp_rsma": {"fig2_convergence": {"trials": 2, "n_outer": 30},
                  **{k: {"trials": t, "values": v, "interference": m} for k, (v, t, m) in {
                      "fig3_power": ([33], 1, "coherent"), "fig4_rate_threshold": ([0.4, 1.2], 1, "coherent"),
                      "fig5_antennas": ([4], 1, "coherent"), "fig6_users": ([2, 3], 1, "coherent"),
                      "fig7_bss": ([1, 2], 1, "coherent"), "fig8_rsma_regime": ([1], 2, "coherent,paper")}.items()}},
    "xlma": _grid(1, fig2_mrc_mmse={"MH": [2, 8], "R": [30]}, fig2_rate_vs_users={"Kbar": [2.0, 6.0], "R": [30]},
                  fig2_region_length={"L": [21, 41], "R": [20], "max_combinations": [300_000]},
                  fig6_rician={"kappa_db": [0.0, 30.0], "R": [30]}, fig7_user_distributions={"type": [3], "R": [10]},
                  fig3_fig4_maps={"R": [20], "resolution": 16}, fig5_obstacles={"R": [20], "resolution": 16}),
    "uplink": _grid(1, fig2_span={"D": [4.0, 6.0, 12.0], "n_eval": [500], "restarts": [0]},
                    fig3_antennas={"M": [5, 8, 12], "n_eval": [500], "restarts": [0]}),
    "full_duplex": _grid(
        2, e1_ccfd_maxmin={"si_db": [-90.0, -45.0], "particles": [8], "iters": [8]},
        e2_spectrum_sharing={"inr_cap_db": [-10.0, 10.0], "ao_iter": [2]},
        e3_null_steering=[{"N": 4, "K": 2}, {"N": 8, "K": 2}, {"N": 8, "K": 3}, {"N": 16, "K": 3}],
        e4_multibeam={"A": [4.0, 7.0], "ao_iter": [2]},
        region_size_sweep={"A_lambda": [1.0, 4.0], "ao_iter": [1], "n_random": [1], "particles": [6], "iters": [5]},
        p1_rate_vs_si={"rho_db": [-90.0, -30.0], "ao_iter": [1], "particles": [6], "iters": [5]},
        p3_rate_vs_cap={"p_th_dbm": [-70.0, -30.0, -10.0], "ao_iter": [1], "particles": [6], "iters": [5]},
        mu_wsr_vs_nt={"Nt": [2, 4], "ao_iter": [1], "particles": [6], "iters": [5]}),
    "mimo_capacity": _grid(2, capacity_vs_region={"A": [1.0, 2.0], "L": [3]}),
    "secure_ma": _grid(2, secrecy_vs_snr={"snr_db": [0.0, 10.0], "M": [3], "K": [1], "J": [1]}),
}
# the cheap subset run by default: every kind of result (plain sweep, dict with maps / arrays / a
# list of per-trial dicts); mimo_capacity (a plain sweep, 3 s a trial) only in the slow test
FAST = {"comp_rsma": ["fig2_convergence"], "xlma": ["fig3_fig4_maps", "fig2_rate_vs_users"],
        "uplink": ["fig3_antennas"], "full_duplex": ["e1_ccfd_maxmin", "e3_null_steering", "p1_rate_vs_si"],
        "secure_ma": ["secrecy_vs_snr"]}


def test_the_tiny_settings_cover_every_figure_a_claim_needs():
    scripts = discover_examples(EXAMPLES)
    for fam, stems in TINY.items():
        needed = {c.figure for c in load_claims(fam, root=EXAMPLES)} & set(scripts[fam])
        assert needed <= set(stems) <= set(scripts[fam]), fam


@pytest.mark.parametrize("fam", list(FAST))
def test_real_results_round_trip_with_identical_claim_rows(fam, tmp_path):
    claims = load_claims(fam, root=EXAMPLES)
    results = {}
    with plots.capture():
        for stem in FAST[fam]:
            results[stem] = _load(fam, stem).run(quick=True, out=tmp_path / "figs", seed=0, **TINY[fam][stem])
    save_raw(tmp_path / "raw", results, family=fam)
    back, _ = load_raw(tmp_path / "raw")
    before = evaluate_claims(claims, results)
    assert evaluate_claims(claims, back) == before
    assert any(r["verdict"] != "not run" for r in before if r["figure"] in results)


def _tiny_loader(fam, path):
    """load_script, with run() getting the tiny settings of its figure."""
    mod = load_script(path)

    def run(**kw):
        return mod.run(**{**kw, **TINY[fam][Path(path).stem]})
    return types.SimpleNamespace(run=run)


@pytest.mark.slow
@pytest.mark.parametrize("fam", list(TINY))
def test_every_family_reproduce_then_from_gives_the_same_report_table(fam, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MATOOLBOX_EXAMPLES", raising=False)
    claims, scripts = load_claims(fam, root=EXAMPLES), discover_examples(EXAMPLES)[fam]
    with plots.capture():
        path = reproduce(fam, scripts, claims, out=tmp_path, quick=True, seed=0,
                         load=functools.partial(_tiny_loader, fam))
    before = _table(path)
    assert len(before) == len(claims) and not set(load_raw(path.parent)[1]["errors"]) & set(scripts)
    assert cli.main(["reproduce", fam, "--from", str(path.parent), "--out", str(tmp_path / "re")]) == 0
    assert "every verdict is the one of the original run" in capsys.readouterr().out
    assert _table(tmp_path / "re" / fam / "REPRODUCTION.md") == before
