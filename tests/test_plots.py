"""plot_sweep / plots: the plotted data (not the PNG), publication defaults, formats."""
import math

import numpy as np
import pytest

from matoolbox import plots
from matoolbox.sweep import plot_sweep, run_sweep, save_sweep


def lin_trial(params, rng):
    return {"ma": params["P"] + 1.0 + 0.1 * rng.standard_normal(), "fpa": params["P"] + 0.1 * rng.standard_normal(),
            "dead": math.nan}


def test_single_valued_grid_parameter_does_not_blank_the_plot(tmp_path):
    """The regression of issue 16: K has one value and is not passed to plot_sweep."""
    res = run_sweep(lin_trial, {"P": [0.0, 10.0, 20.0], "K": [4], "n_eval": [100]}, trials=3, seed=0, progress=False)
    with plots.capture() as figs:
        save_sweep(res, tmp_path, "f", x="P", keys=["ma", "fpa"], labels={"ma": "MA", "fpa": "FPA"},
                   xlabel="transmit power (dBm)", ylabel="sum rate (bit/s/Hz)", title="Sum rate versus power")
    (fig,) = figs
    assert list(fig["curves"]) == ["MA", "FPA"]
    assert fig["x"].tolist() == [0.0, 10.0, 20.0]
    for line, key in zip(fig["lines"], ["ma", "fpa"]):
        assert np.all(np.isfinite(line["y"]))
        np.testing.assert_allclose(line["y"], [res.mean(key, P=p) for p in (0.0, 10.0, 20.0)])
        np.testing.assert_allclose(line["x"], [0.0, 10.0, 20.0])
    assert fig["xlabel"] == "transmit power (dBm)" and fig["ylabel"] == "sum rate (bit/s/Hz)"
    assert "shaded: mean ± 1 s.e. over 3 trials" in fig["legend"]
    assert (tmp_path / "f.csv").exists() and (tmp_path / "f_mean.csv").exists()


def test_curves_are_split_by_varying_parameters_and_labelled(tmp_path):
    res = run_sweep(lin_trial, {"P": [0.0, 10.0], "K": [2, 4], "M": [8]}, trials=2, seed=1, progress=False)
    with plots.capture() as figs:
        plot_sweep(res, x="P", keys=["ma"], path=tmp_path / "a.png")
        plot_sweep(res, x="P", keys=["ma"], path=tmp_path / "b.png", K=4)
    assert list(figs[0]["curves"]) == ["ma (K=2)", "ma (K=4)"]
    np.testing.assert_allclose(figs[0]["curves"]["ma (K=2)"], [res.mean("ma", P=p, K=2) for p in (0.0, 10.0)])
    assert list(figs[1]["curves"]) == ["ma"]
    np.testing.assert_allclose(figs[1]["curves"]["ma"], [res.mean("ma", P=p, K=4) for p in (0.0, 10.0)])


def test_a_curve_without_finite_points_raises_naming_curve_and_grid(tmp_path):
    res = run_sweep(lin_trial, {"P": [0.0, 10.0], "K": [4]}, trials=2, seed=0, progress=False)
    with pytest.raises(ValueError) as e:
        plot_sweep(res, x="P", keys=["ma", "dead"], path=tmp_path / "x.png", labels={"dead": "broken scheme"})
    msg = str(e.value)
    assert "'broken scheme'" in msg and "P = [0.0, 10.0]" in msg and "'K': 4" in msg
    assert not (tmp_path / "x.png").exists()
    with pytest.raises(KeyError, match="not grid parameters"):
        plot_sweep(res, x="P", keys=["ma"], path=tmp_path / "y.png", Q=1)


def test_publication_style_distinct_markers_and_pdf_beside_png(tmp_path):
    x = [1, 2, 3]
    curves = {f"s{i}": [i, i + 1, i + 2] for i in range(6)}
    with plots.capture() as figs:
        path = plots.save_curves(x, curves, tmp_path / "c.png", xlabel="x (m)", ylabel="y (dB)",
                                 errors={"s0": [0.1] * 3}, n_trials=7, formats=("png", "pdf"))
    lines = figs[0]["lines"]
    assert len({(ln["marker"], ln["linestyle"], ln["color"]) for ln in lines}) == 6
    assert len({ln["marker"] for ln in lines}) == 6
    assert "shaded: mean ± 1 s.e. over 7 trials" in figs[0]["legend"]
    assert path.exists() and path.with_suffix(".pdf").read_bytes()[:4] == b"%PDF"
    with plots.use_formats("png,pdf"):
        p2 = plots.save_curves(x, {"a": x}, tmp_path / "d.png")
    assert p2.with_suffix(".pdf").exists()
    p3 = plots.save_curves(x, {"a": x}, tmp_path / "e.png")
    assert not p3.with_suffix(".pdf").exists()
    with pytest.raises(ValueError, match="formats"):
        plots.save_curves(x, {"a": x}, tmp_path / "f.png", formats=("png", "gif"))


def test_maps_share_a_colour_scale(tmp_path):
    with plots.capture() as figs:
        for i in range(2):
            plots.save_map(np.random.default_rng(i).random((4, 5)) * (i + 1), (0, 1, 0, 1), tmp_path / f"m{i}.png",
                           vmin=0.0, vmax=2.0, title="channel gain")
    assert [(f["vmin"], f["vmax"]) for f in figs] == [(0.0, 2.0), (0.0, 2.0)]
    assert figs[0]["values"].shape == (4, 5)


def test_style_cycle_is_distinct():
    st = plots.style_cycle(12)
    assert len({(s["color"], s["marker"], s["linestyle"]) for s in st}) == 12
