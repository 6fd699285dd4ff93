"""Plot helpers: one publication style for every figure (matplotlib, Agg backend).

Style: each curve gets its own colour, marker and line style; the legend sits at the best place
inside the axes for up to 4 curves and outside on the right for more; a shaded band is named in
the legend ("shaded: mean ± 1 s.e. over N trials"); maps compared side by side can share a
colour scale (``vmin`` / ``vmax``). Files: PNG by default, PDF beside it when asked
(``formats=("png", "pdf")`` or :func:`use_formats`).

Tests read the plotted data with :func:`capture`::

    with plots.capture() as figs:
        run(quick=True, trials=1)
    assert all(np.isfinite(y).all() for y in figs[0]["curves"].values())
"""
from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np

__all__ = ["save_curves", "save_map", "save_xlma_maps", "capture", "use_formats", "check_formats", "style_cycle",
           "band_label", "FORMATS"]

#: Accepted output formats.
FORMATS = ("png", "pdf", "svg")
_DEFAULT = {"formats": ("png",)}
_RECORDERS: list[list] = []

_MARKERS = ("o", "s", "^", "v", "D", "P", "X", "*", "<", ">")
_LINESTYLES = ("-", "--", "-.", ":")


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def style_cycle(n: int) -> list[dict]:
    """``n`` distinct (colour, marker, line style) combinations, as ``ax.plot`` keyword dicts."""
    colors = [f"C{i}" for i in range(10)]
    styles = []
    for i in range(n):
        styles.append({"color": colors[i % 10], "marker": _MARKERS[i % len(_MARKERS)],
                       "linestyle": _LINESTYLES[(i // 2 + i // 10) % len(_LINESTYLES)]})
    return styles


def band_label(n_trials) -> str:
    """Legend text of the shaded band."""
    return "shaded: mean ± 1 s.e." + (f" over {int(n_trials)} trials" if n_trials else "")


def check_formats(formats) -> tuple:
    """Normalise ``formats`` (``"png,pdf"`` or a sequence) to a tuple of known formats."""
    if isinstance(formats, str):
        formats = [f for f in formats.split(",") if f.strip()]
    formats = tuple(dict.fromkeys(str(f).strip().lower().lstrip(".") for f in formats))
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"formats = {formats!r}: each must be one of {FORMATS}")
    return formats


@contextlib.contextmanager
def use_formats(formats):
    """Within the block, figures are saved in ``formats`` (e.g. ``("png", "pdf")``) by default."""
    old = _DEFAULT["formats"]
    _DEFAULT["formats"] = check_formats(formats)
    try:
        yield _DEFAULT["formats"]
    finally:
        _DEFAULT["formats"] = old


@contextlib.contextmanager
def capture():
    """Record the data of every figure saved within the block: a list of dicts with ``kind``
    (``"curves"`` / ``"map"``), ``path``, ``files`` (every format written) and the plotted data:
    for curves ``x``, ``curves``, ``errors``, ``lines`` (the Line2D data, marker, line style and
    colour of each curve as drawn), ``legend`` (texts), labels and title; for maps ``values``,
    ``extent``, ``vmin``, ``vmax``)."""
    rec: list = []
    _RECORDERS.append(rec)
    try:
        yield rec
    finally:
        _RECORDERS.remove(rec)


def _record(entry):
    for rec in _RECORDERS:
        rec.append(entry)


def _save(fig, path, formats):
    """Save ``fig`` at ``path`` (its suffix) plus one file per extra format beside it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    formats = check_formats(formats) if formats is not None else _DEFAULT["formats"]
    suffix = path.suffix.lstrip(".").lower() or "png"
    if not path.suffix:
        path = path.with_suffix(".png")
    written = [path]
    fig.savefig(path, dpi=150, bbox_inches="tight")
    for f in formats:
        if f != suffix:
            extra = path.with_suffix("." + f)
            fig.savefig(extra, dpi=150, bbox_inches="tight")
            written.append(extra)
    return path, written


def save_map(values, extent, path, *, xlabel="x", ylabel="y", title="", colorbar="", points=None,
             point_label=None, rects=None, vmin=None, vmax=None, cmap="viridis", formats=None):
    """Save a 2-D map ``values`` (ny, nx) over ``extent`` = (x0, x1, y0, y1).

    Optional scatter ``points`` (n, 2) and ``rects`` (list of (x0, y0, w, h)) drawn on top; pass
    the same ``vmin`` / ``vmax`` to maps compared side by side. Returns the path (its suffix
    format; extra ``formats`` beside it)."""
    plt = _plt()
    values = np.asarray(values)
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    im = ax.imshow(values, origin="lower", extent=extent, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    fig.colorbar(im, ax=ax, label=colorbar)
    if points is not None:
        pts = np.asarray(points)
        ax.scatter(pts[:, 0], pts[:, 1], c="red", marker="x", label=point_label)
        if point_label:
            ax.legend(loc="upper right", fontsize=8)
    if rects:
        from matplotlib.patches import Rectangle

        for r in rects:
            ax.add_patch(Rectangle(r[:2], r[2], r[3], fill=False, ec="white", lw=1.5))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    path, written = _save(fig, path, formats)
    plt.close(fig)
    _record({"kind": "map", "path": path, "files": written, "values": values, "extent": extent,
             "vmin": vmin, "vmax": vmax, "xlabel": xlabel, "ylabel": ylabel, "title": title})
    return path


def save_curves(x, curves: dict, path, *, xlabel="", ylabel="", title="", errors: dict | None = None,
                n_trials=None, formats=None, xlog=False, ylog=False):
    """Save line plots in the toolbox style.

    Parameters
    ----------
    x : sequence, shape (n,)
        Abscissae.
    curves : dict
        Legend label -> y values, shape (n,).
    path : str or Path
        Output file (PNG unless another suffix is given).
    xlabel, ylabel, title : str
        Axis labels (with units) and title, in words.
    errors : dict, optional
        Label -> standard errors, drawn as a shaded band ``y ± e``; the band is named in the
        legend (see :func:`band_label`, ``n_trials`` is the N there).
    formats : sequence of str, optional
        Extra formats saved beside ``path`` (default: the :func:`use_formats` setting, PNG).

    Returns
    -------
    Path
    """
    plt = _plt()
    x = np.asarray(x, float)
    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    banded = False
    for (label, y), style in zip(curves.items(), style_cycle(len(curves))):
        y = np.asarray(y, float)
        ax.plot(x, y, ms=5, lw=1.5, label=label, **style)
        if errors and label in errors:
            e = np.asarray(errors[label], float)
            if np.any(np.isfinite(e) & (e > 0)):
                ax.fill_between(x, y - e, y + e, alpha=0.18, color=style["color"], lw=0)
                banded = True
    if xlog:
        ax.set_xscale("log")
    if ylog:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if banded:
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor="0.6", alpha=0.4, label=band_label(n_trials)))
        labels.append(band_label(n_trials))
    if len(curves) <= 3:
        ax.legend(handles, labels, fontsize=8, loc="best", framealpha=0.85)
    else:
        ax.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    lines = [{"label": ln.get_label(), "x": np.asarray(ln.get_xdata(), float), "y": np.asarray(ln.get_ydata(), float),
              "marker": ln.get_marker(), "linestyle": ln.get_linestyle(), "color": ln.get_color()}
             for ln in ax.get_lines()]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    path, written = _save(fig, path, formats)
    plt.close(fig)
    _record({"kind": "curves", "path": path, "files": written, "x": x, "lines": lines, "legend": legend,
             "curves": {k: np.asarray(v, float) for k, v in curves.items()},
             "errors": {k: np.asarray(v, float) for k, v in (errors or {}).items()},
             "xlabel": xlabel, "ylabel": ylabel, "title": title, "n_trials": n_trials})
    return path


_MAP_WORDS = {"power": "channel power gain", "correlation": "channel correlation"}


def save_xlma_maps(problem, layout, out_dir, prefix: str = "xlma", *, p0=None, resolution: int = 80,
                   plane_value: float | None = None, scales: dict | None = None, formats=None) -> dict:
    """Write an XL-MA layout's channel-power and correlation maps (PNG + CSV) with the subarrays and
    obstacles drawn on top (data from ``problem.map_data``).

    ``scales`` maps ``"power"`` / ``"correlation"`` to a ``(vmin, vmax)`` pair: pass the same pair
    to maps compared side by side (default: power per map, correlation on [0, 1]).

    Returns {"power": path, "correlation": path, "power_values": (ny, nx), "correlation_values", "extent"}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    d = problem.map_data(layout, p0=p0, resolution=resolution, plane_value=plane_value)
    scales = {"correlation": (0.0, 1.0), **(scales or {})}
    res = {"power_values": d["power_values"], "correlation_values": d["correlation_values"], "extent": d["extent"]}
    name = str(d["name"]).replace("_", " ")
    for key, cb in (("power", "channel power gain (dB)"), ("correlation", "normalized correlation")):
        vals = d[f"{key}_values"]
        path = out_dir / f"{prefix}_{key}.png"
        vmin, vmax = scales.get(key, (None, None))
        save_map(vals, d["extent"], path, xlabel=d["xlabel"], ylabel=d["ylabel"],
                 title=f"{_MAP_WORDS[key]}, {name} layout", colorbar=cb, points=d["subarrays"],
                 point_label="subarrays", rects=d["rects"], vmin=vmin, vmax=vmax, formats=formats)
        np.savetxt(out_dir / f"{prefix}_{key}.csv", vals, delimiter=",")
        res[key] = path
    return res
