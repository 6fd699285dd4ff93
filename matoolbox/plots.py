"""Plot helpers (matplotlib, Agg backend, PNG files)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def save_map(values, extent, path, *, xlabel="x", ylabel="y", title="", colorbar="", points=None,
             point_label=None, rects=None):
    """Save a 2-D map ``values`` (ny, nx) as PNG; optional scatter ``points`` (n, 2) and ``rects``
    (list of (x0, y0, w, h)) drawn on top. Returns the path."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    im = ax.imshow(np.asarray(values), origin="lower", extent=extent, aspect="auto", cmap="viridis")
    fig.colorbar(im, ax=ax, label=colorbar)
    if points is not None:
        pts = np.asarray(points)
        ax.scatter(pts[:, 0], pts[:, 1], c="red", marker="x", label=point_label)
        if point_label:
            ax.legend(loc="upper right")
    for r in rects or ():
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle(r[:2], r[2], r[3], fill=False, ec="white", lw=1.5))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def save_curves(x, curves: dict, path, *, xlabel="", ylabel="", title="", errors: dict | None = None):
    """Save line plots: ``curves`` maps a label to y values (same length as x); optional
    ``errors`` maps a label to standard errors drawn as bands. Returns the path."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.2, 4.0))
    for label, y in curves.items():
        y = np.asarray(y, float)
        ax.plot(x, y, marker="o", ms=4, label=label)
        if errors and label in errors:
            e = np.asarray(errors[label], float)
            ax.fill_between(x, y - e, y + e, alpha=0.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def save_xlma_maps(problem, layout, out_dir, prefix: str = "xlma", *, p0=None, resolution: int = 80,
                   plane_value: float | None = None) -> dict:
    """Write an XL-MA layout's channel-power and correlation maps (PNG + CSV) with the subarrays and
    obstacles drawn on top (data from ``problem.map_data``).

    Returns {"power": path, "correlation": path, "power_values": (ny, nx), "correlation_values", "extent"}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    d = problem.map_data(layout, p0=p0, resolution=resolution, plane_value=plane_value)
    res = {"power_values": d["power_values"], "correlation_values": d["correlation_values"], "extent": d["extent"]}
    for key, cb in (("power", "channel power gain (dB)"), ("correlation", "normalized correlation")):
        vals = d[f"{key}_values"]
        path = out_dir / f"{prefix}_{key}.png"
        save_map(vals, d["extent"], path, xlabel=d["xlabel"], ylabel=d["ylabel"], title=f"{d['name']}: {key}",
                 colorbar=cb, points=d["subarrays"], point_label="subarrays", rects=d["rects"])
        np.savetxt(out_dir / f"{prefix}_{key}.csv", vals, delimiter=",")
        res[key] = path
    return res
