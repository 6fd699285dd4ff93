"""Plot helpers: one publication style for every figure (matplotlib, Agg backend).

Style. Every scheme has one colour and marker, shared by every figure (:data:`STYLES`, keyed by
the scheme's name: a legend label or its part before `` (``); variants of one scheme, e.g.
``"MA (K=1)"`` and ``"MA (K=3)"``, keep its colour with other markers) and no (colour, marker)
pair repeats within a figure (:func:`assign_styles`). Curves that coincide (max difference under
2 % of the axis range, :data:`COINCIDE`) stay visible: the later one is drawn beneath the
earlier one as a wide pale line with larger hollow markers, and its legend entry says
"identical to ..." (equal to 0.01 % of the axis) or "overlaps ...: within x % of the axis".
A point without data (NaN: no feasible draw) is marked with an ``x`` at the bottom of the axes
in the curve's colour, named in the legend; where every curve of a panel lacks data the panel
says so in words. Curves can be split into panels (``save_curves(..., panels=...)``, one per
interference model, say) that share the styles. The legend sits outside the axes, where it
hides no curve: on the right (below each panel in a multi-panel figure); a shaded band is named
in the legend ("shaded: mean ± 1 s.e. over N trials"). Maps mark their subarrays, reference
point and obstacles in the legend and can share a colour scale (``vmin`` / ``vmax``). Files:
PNG by default, PDF beside it when asked (``formats=("png", "pdf")`` or :func:`use_formats`).

Tests read the plotted data with :func:`capture`::

    with plots.capture() as figs:
        run(quick=True, trials=1)
    for line in figs[0]["lines"]:      # label, legend, panel, x, y, color, marker, note, missing_x
        assert np.isfinite(line["y"]).all() or line["missing_x"].size
"""
from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np

__all__ = ["save_curves", "save_map", "save_xlma_maps", "capture", "use_formats", "check_formats", "style_cycle",
           "band_label", "assign_styles", "coinciding", "STYLES", "COINCIDE", "FORMATS"]

#: Accepted output formats.
FORMATS = ("png", "pdf", "svg")
_DEFAULT = {"formats": ("png",)}
_RECORDERS: list[list] = []

_MARKERS = ("o", "s", "^", "v", "D", "P", "X", "*", "<", ">", "h", "p", "d", "H", "8")
_LINESTYLES = ("-", "--", "-.", ":")
_COLORS = tuple(f"C{i}" for i in range(10))

#: Curves closer than this fraction of the axis range everywhere are "coinciding" (noted, restyled):
#: 2 %, about the size of a marker on a 4-inch axis, so that every curve a marker could hide is
#: drawn apart (the issue's rule asks for a note below 1 %).
COINCIDE = 0.02

#: Colour, marker (and optionally line style) of each scheme, shared by every figure: a scheme
#: looks the same in every figure and panel. Keys: a legend label or its scheme part (the text
#: before " ("). Names not listed get the first colour and marker not yet used in the figure.
STYLES = {
    # CoMP-RSMA
    "RSMA-MA": ("C0", "o"), "RSMA-FPA": ("C1", "s"), "SDMA-MA": ("C2", "^"), "SDMA-FPA": ("C3", "v"),
    "GML": ("C4", "D"), "RSMA-MA ref": ("C5", "P"),
    # MA against FPA (full duplex, MIMO capacity, secure MA)
    "MA": ("C0", "o"), "FPA": ("C1", "s"), "FD-MA": ("C0", "o"), "FD-FPA": ("C1", "s"),
    "HD-MA": ("C2", "^"), "HD-FPA": ("C3", "v"),
    # uplink: colour per receiver, MA solid, FPA dashed
    "MA+ZF": ("C0", "o", "-"), "MA+MMSE": ("C1", "s", "-"), "MA+MMSE-SIC": ("C2", "^", "-"),
    "FPA+ZF": ("C0", "v", "--"), "FPA+MMSE": ("C1", "D", "--"), "FPA+MMSE-SIC": ("C2", "P", "--"),
    # XL-MA
    "Proposed XL-MA": ("C0", "o"), "Horizontal sparse": ("C1", "s"), "Dense ULA": ("C2", "^"),
    "Dense UPA": ("C3", "v"), "LP initialization": ("C4", "D"), "Optimal XL-MA": ("C5", "*"),
    "Vertical sparse": ("C6", "<"), "Sparse 4x2": ("C8", ">"),
}


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
    (``"curves"`` / ``"map"``), ``path``, ``files`` (every format written) and the plotted data.
    Curves: ``x``, ``curves``, ``errors``, ``lines`` (one dict per curve as drawn: ``label`` (the
    key in ``curves``), ``display`` (scheme text), ``legend`` (its legend entry, notes included),
    ``panel``, ``x``, ``y``, ``color``, ``marker``, ``linestyle``, ``markersize``,
    ``markerfacecolor``, ``note`` ("identical to ..." where it coincides with an earlier curve),
    ``missing_x`` (abscissae marked as without data) and ``missing_label``), ``panels`` (title,
    labels, ``ylim``, ``xlim``, ``ylog`` of each axes), ``legend`` (texts), labels and title. Maps:
    ``values``, ``extent``, ``vmin``, ``vmax``, ``points``, ``ref_point``, ``rects``, ``legend``."""
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
             point_label=None, rects=None, vmin=None, vmax=None, cmap="viridis", formats=None,
             ref_point=None, ref_label="reference point", rect_label="obstacle"):
    """Save a 2-D map ``values`` (ny, nx) over ``extent`` = (x0, x1, y0, y1).

    Optional scatter ``points`` (n, 2; red crosses, ``point_label`` in the legend), a reference
    point ``ref_point`` (x, y; white star, ``ref_label``) and ``rects`` (list of (x0, y0, w, h);
    white outlines, ``rect_label`` in the legend) drawn on top; pass the same ``vmin`` / ``vmax``
    to maps compared side by side. Returns the path (its suffix format; extra ``formats`` beside it)."""
    plt = _plt()
    values = np.asarray(values)
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    im = ax.imshow(values, origin="lower", extent=extent, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    fig.colorbar(im, ax=ax, label=colorbar)
    if points is not None:
        pts = np.asarray(points)
        ax.scatter(pts[:, 0], pts[:, 1], c="red", marker="x", label=point_label or "_nolegend_", zorder=3)
    if rects:
        from matplotlib.patches import Rectangle

        for i, r in enumerate(rects):
            ax.add_patch(Rectangle(r[:2], r[2], r[3], fill=False, ec="white", lw=1.5,
                                   label=f"{rect_label}s" if i == 0 and len(rects) > 1 else rect_label if i == 0
                                   else "_nolegend_"))
    if ref_point is not None:
        ref_point = np.asarray(ref_point, float)[:2]
        ax.plot(*ref_point, ls="none", marker="*", ms=13, mfc="white", mec="black", mew=1.0, label=ref_label,
                zorder=4)
    legend = []
    if ax.get_legend_handles_labels()[0]:
        leg = ax.legend(loc="upper right", fontsize=8, framealpha=0.85, facecolor="0.85")
        legend = [t.get_text() for t in leg.get_texts()]
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    path, written = _save(fig, path, formats)
    plt.close(fig)
    _record({"kind": "map", "path": path, "files": written, "values": values, "extent": extent,
             "vmin": vmin, "vmax": vmax, "xlabel": xlabel, "ylabel": ylabel, "title": title,
             "points": None if points is None else np.asarray(points, float), "ref_point": ref_point,
             "rects": list(rects or []), "legend": legend})
    return path


def _scheme(label: str) -> str:
    """The scheme part of a legend label: the text before " (" (the whole label if none)."""
    return str(label).split(" (", 1)[0]


def assign_styles(labels) -> dict:
    """Colour, marker and line style of each distinct label (legend text), as ``ax.plot`` keyword
    dicts: from :data:`STYLES` (the label or its scheme part) where listed, else the first colour
    not yet used by another scheme and the first marker not yet used in the figure. A label
    sharing its scheme with an earlier one (``"MA (K=1)"``, ``"MA (K=3)"``) keeps the colour and
    gets another marker and line style. No (colour, marker) pair is given twice, and markers do
    not repeat while fewer than 15 labels are drawn."""
    labels = list(dict.fromkeys(str(lb) for lb in labels))
    schemes = list(dict.fromkeys(_scheme(lb) for lb in labels))
    pref, used, first = {}, set(), set()
    for lb in labels:                           # listed names first: they keep their table look
        sc = _scheme(lb)
        st = STYLES.get(lb) or (STYLES.get(sc) if sc not in first else None)
        first.add(sc)
        if st and (st[0], st[1]) not in used and st[1] not in {m for _, m in used}:
            pref[lb] = st
            used.add((st[0], st[1]))
    colour_of = {}
    for lb, st in pref.items():
        colour_of.setdefault(_scheme(lb), st[0])
    for sc in schemes:                          # other schemes: a colour no other scheme has
        if sc not in colour_of:
            taken = set(colour_of.values())
            colour_of[sc] = next((c for c in _COLORS if c not in taken), _COLORS[len(colour_of) % len(_COLORS)])
    out, variant = {}, {}
    for lb in labels:
        sc = _scheme(lb)
        k = variant[sc] = variant.get(sc, -1) + 1
        st = pref.get(lb)
        if st is None:
            colour, markers = colour_of[sc], {m for _, m in used}
            marker = next((m for m in _MARKERS if m not in markers),
                          next((m for m in _MARKERS if (colour, m) not in used), None))
            if marker is None:                  # > 15 curves of one colour: change the colour too
                marker = _MARKERS[len(used) % len(_MARKERS)]
                colour = next(c for c in _COLORS if (c, marker) not in used)
            used.add((colour, marker))
            st = (colour, marker)
        ls = st[2] if len(st) > 2 else _LINESTYLES[(schemes.index(sc) + k) % len(_LINESTYLES)]
        out[lb] = {"color": st[0], "marker": st[1], "linestyle": ls}
    return out


def coinciding(x, curves: dict, span: float, frac: float = COINCIDE) -> dict:
    """For each label, the earlier labels whose curve stays within ``frac * span`` of it at every x
    where both are finite (at least one such x), with the largest difference:
    ``{label: [(earlier label, max |dy|), ...]}``; labels without such a partner are left out."""
    items = [(k, np.asarray(v, float)) for k, v in curves.items()]
    out = {}
    for j, (lj, yj) in enumerate(items):
        for li, yi in items[:j]:
            both = np.isfinite(yi) & np.isfinite(yj)
            if both.any():
                d = float(np.max(np.abs(yi[both] - yj[both])))
                if d <= frac * span:
                    out.setdefault(lj, []).append((li, d))
    return out


def _note(partners, span) -> str:
    """Legend note of a curve coinciding with ``partners`` [(label, max |dy|)]."""
    same = [o for o, d in partners if d <= 1e-4 * max(span, 1e-300)]     # equal to 0.01 % of the axis
    near = [(o, d) for o, d in partners if o not in same]
    parts = ["identical to " + " and ".join(same)] if same else []
    if near:
        parts += [f"overlaps {o}: within {100 * d / span:.2g} % of the axis" for o, d in near]
    return "; ".join(parts)


def _xlim(ax, x, xlog):
    """Show every abscissa, also those where no curve has data."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x) & ((x > 0) if xlog else True)]
    if x.size == 0:
        return
    lo, hi = float(x.min()), float(x.max())
    if not xlog and x.size <= 12 and np.all(x == np.round(x)):
        ax.set_xticks(np.unique(x))                          # integer grids (antennas, types): no 1.25
    if xlog:
        pad = (hi / lo) ** 0.05 if hi > lo else 1.5
        ax.set_xlim(lo / pad, hi * pad)
    else:
        pad = 0.05 * (hi - lo) if hi > lo else max(abs(lo) * 0.1, 0.5)
        ax.set_xlim(lo - pad, hi + pad)


def _draw_panel(ax, x, labels, curves, display, styles, errors, ylog, xlog, missing_label):
    """Curves of one panel; returns (line records, legend extras)."""
    from matplotlib.colors import to_rgb
    from matplotlib.lines import Line2D
    from matplotlib.transforms import blended_transform_factory

    drawn, banded = {}, False
    for label in labels:
        y = np.asarray(curves[label], float)
        st = styles[display[label]]
        every = max(1, len(x) // 15)                         # long curves (convergence): ~15 markers
        drawn[label] = ax.plot(x, y, ms=5, lw=1.5, label=display[label], zorder=2, markevery=every, **st)[0]
        if errors and label in errors:
            e = np.asarray(errors[label], float)
            if np.any(np.isfinite(e) & (e > 0)):
                ax.fill_between(x, y - e, y + e, alpha=0.18, color=st["color"], lw=0)
                banded = True
    if xlog:
        ax.set_xscale("log")
    if ylog:
        ax.set_yscale("log")
    _xlim(ax, x, xlog)
    ylim = ax.get_ylim()
    ax.set_ylim(ylim)                                        # frozen: the markers below do not move it
    tf = (lambda v: np.log10(np.where(np.asarray(v, float) > 0, v, np.nan))) if ylog else (lambda v: np.asarray(v, float))
    span = float(np.ptp(tf(np.asarray(ylim))))
    close = coinciding(x, {display[lb]: tf(curves[lb]) for lb in labels}, span)
    depth = {}
    for label in labels:       # a later coinciding curve: beneath, a wide pale line and larger hollow markers
        partners = close.get(display[label], [])
        if partners:
            d = depth[label] = 1 + max(depth.get(next(lb for lb in labels if display[lb] == p), 0) for p, _ in partners)
            ln, rgb = drawn[label], to_rgb(styles[display[label]]["color"])
            ln.set_color((*rgb, 0.45))
            ln.set_linewidth(1.5 + 3.0 * d)
            ln.set_linestyle("-")
            ln.set_markersize(5 + 4 * d)
            ln.set_markerfacecolor("none")
            ln.set_markeredgecolor(rgb)
            ln.set_markeredgewidth(1.5)
            ln.set_zorder(2 - 0.1 * d)
            ln.set_label(f"{display[label]}\n({_note(partners, span)})")
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    missing = {lb: np.asarray(x, float)[~np.isfinite(np.asarray(curves[lb], float))] for lb in labels}
    any_missing = False
    for xv in dict.fromkeys(float(v) for m in missing.values() for v in m):
        lacking = [lb for lb in labels if np.any(missing[lb] == xv)]
        for j, lb in enumerate(lacking):
            ax.plot([xv], [0.03 + 0.045 * j], transform=trans, ls="none", marker="x", ms=7, mew=1.8,
                    color=styles[display[lb]]["color"], clip_on=False, label="_nolegend_", zorder=4)
        if len(lacking) == len(labels):
            ax.text(xv, 0.06 + 0.045 * len(lacking), missing_label, transform=trans, rotation=90, ha="center",
                    va="bottom", fontsize=8, color="0.35")
        any_missing = True
    extras = []
    if any_missing:
        extras.append(Line2D([], [], color="0.35", marker="x", ls="none", mew=1.8,
                             label=f"x at the bottom: {missing_label}"))
    records = []
    for label in labels:
        ln = drawn[label]
        partners = close.get(display[label], [])
        records.append({"label": label, "display": display[label], "legend": ln.get_label(),
                        "x": np.asarray(ln.get_xdata(), float), "y": np.asarray(ln.get_ydata(), float),
                        "marker": ln.get_marker(), "linestyle": ln.get_linestyle(),
                        "color": styles[display[label]]["color"],
                        "markersize": ln.get_markersize(), "markerfacecolor": ln.get_markerfacecolor(),
                        "note": _note(partners, span) if partners else "", "missing_x": missing[label],
                        "missing_label": missing_label if missing[label].size else ""})
    return records, extras, banded, ylim


def save_curves(x, curves: dict, path, *, xlabel="", ylabel="", title="", errors: dict | None = None,
                n_trials=None, formats=None, xlog=False, ylog=False, panels: dict | None = None,
                display: dict | None = None, missing_label="no feasible draw"):
    """Save line plots in the toolbox style (see the module docstring).

    Parameters
    ----------
    x : sequence, shape (n,)
        Abscissae.
    curves : dict
        Label -> y values, shape (n,); NaN where a point has no data (marked, see below).
    path : str or Path
        Output file (PNG unless another suffix is given).
    xlabel, ylabel, title : str
        Axis labels (with units) and title, in words.
    errors : dict, optional
        Label -> standard errors, drawn as a shaded band ``y ± e``; the band is named in the
        legend (see :func:`band_label`, ``n_trials`` is the N there).
    formats : sequence of str, optional
        Extra formats saved beside ``path`` (default: the :func:`use_formats` setting, PNG).
    xlog, ylog : bool
        Logarithmic axes.
    panels : dict, optional
        Label -> panel title: one panel (axes, side by side) per distinct title, each with its
        own y-axis and legend; a scheme keeps its style in every panel.
    display : dict, optional
        Label -> legend text (default: the label); equal texts in two panels are one scheme.
    missing_label : str
        What a NaN point means, written in the legend ("x at the bottom: ...") and, where
        every curve of a panel lacks that x, across the panel.

    Returns
    -------
    Path
    """
    plt = _plt()
    x = np.asarray(x, float)
    display = {lb: str((display or {}).get(lb, lb)) for lb in curves}
    titles = list(dict.fromkeys((panels or {}).get(lb, "") for lb in curves)) or [""]
    styles = assign_styles(display[lb] for lb in curves)
    n = len(titles)
    fig, axes = plt.subplots(1, n, figsize=(5.6, 4.0) if n == 1 else (4.6 * n, 4.4), squeeze=False)
    lines, panel_rec, legend = [], [], []
    for ax, pt in zip(axes[0], titles):
        labels = [lb for lb in curves if (panels or {}).get(lb, "") == pt]
        recs, extras, banded, ylim = _draw_panel(ax, x, labels, curves, display, styles, errors, ylog, xlog,
                                                 missing_label)
        for r in recs:
            r["panel"] = pt
        lines += recs
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(pt if n > 1 else f"{title}\n{pt}" if pt and title else pt or title, fontsize=10)
        ax.grid(alpha=0.3)
        handles, texts = ax.get_legend_handles_labels()
        handles += extras
        texts += [h.get_label() for h in extras]
        if banded:
            from matplotlib.patches import Patch

            handles.append(Patch(facecolor="0.6", alpha=0.4, label=band_label(n_trials)))
            texts.append(band_label(n_trials))
        if n > 1:
            ax.legend(handles, texts, fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), borderaxespad=0)
        else:                                                # outside: it never hides a curve
            ax.legend(handles, texts, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
        legend += [t.get_text() for t in ax.get_legend().get_texts()]
        panel_rec.append({"title": pt, "labels": labels, "ylim": tuple(ylim), "xlim": tuple(ax.get_xlim()),
                          "ylog": bool(ylog)})
    if n > 1:
        fig.suptitle(title, fontsize=10)
    path, written = _save(fig, path, formats)
    plt.close(fig)
    _record({"kind": "curves", "path": path, "files": written, "x": x, "lines": lines, "legend": legend,
             "panels": panel_rec, "curves": {k: np.asarray(v, float) for k, v in curves.items()},
             "errors": {k: np.asarray(v, float) for k, v in (errors or {}).items()},
             "xlabel": xlabel, "ylabel": ylabel, "title": title, "n_trials": n_trials})
    return path


_MAP_WORDS = {"power": "channel power gain", "correlation": "channel correlation"}


def save_xlma_maps(problem, layout, out_dir, prefix: str = "xlma", *, p0=None, resolution: int = 80,
                   plane_value: float | None = None, scales: dict | None = None, formats=None) -> dict:
    """Write an XL-MA layout's channel-power and correlation maps (PNG + CSV) with the subarrays and
    obstacles drawn on top and, on the correlation map, its reference user ``p0`` (data from
    ``problem.map_data``; every marker is named in the legend).

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
        ref = None
        if key == "correlation":                      # the user every point is correlated with
            p = np.asarray(d["p0"], float)
            ref = (p[0], p[1]) if str(d["ylabel"]).startswith("y") else (p[0], p[2])
        save_map(vals, d["extent"], path, xlabel=d["xlabel"], ylabel=d["ylabel"],
                 title=f"{_MAP_WORDS[key]}, {name} layout", colorbar=cb, points=d["subarrays"],
                 point_label="subarrays", rects=d["rects"], vmin=vmin, vmax=vmax, formats=formats,
                 ref_point=ref, ref_label="reference user p0 (correlation 1)", rect_label="obstacle")
        np.savetxt(out_dir / f"{prefix}_{key}.csv", vals, delimiter=",")
        res[key] = path
    return res
