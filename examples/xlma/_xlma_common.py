"""Shared pieces of the XL-MA figure scripts: the cached Algorithm-1 design of a scenario, the
per-layout evaluation and the legend labels ("Analytical" = closed form of Theorem 1, "Simul." =
Monte Carlo, as in the paper). Public API only."""
from __future__ import annotations

import functools

import matoolbox as ma
from matoolbox.problems import XlmaPlacementProblem

SCHEME_NAMES = {"proposed": "Proposed XL-MA", "optimal": "Optimal XL-MA", "lp_init": "LP initialization",
                "horizontal_sparse": "Horizontal sparse", "vertical_sparse": "Vertical sparse",
                "sparse": "Sparse 4x2", "dense_ula": "Dense ULA", "dense_upa": "Dense UPA"}
METRIC_NAMES = {"approx": "Analytical", "mrc": "Simul., MRC", "mmse": "Simul., MMSE", "ub": "upper bound"}


def label(key: str) -> str:
    """Legend text of an output key ``<scheme>_<metric>`` (or a bare scheme name)."""
    for metric, words in METRIC_NAMES.items():
        if key.endswith("_" + metric):
            scheme = key[: -len(metric) - 1]
            return f"{SCHEME_NAMES.get(scheme, scheme)} ({words})"
    return SCHEME_NAMES.get(key, key)


def labels(keys) -> dict:
    return {k: label(k) for k in keys}


@functools.lru_cache(maxsize=None)
def design(scenario="default", *args, **kwargs):
    """``(problem, solution, layouts)`` of ``XlmaPlacementProblem.<scenario>(*args, **kwargs)``
    solved by ``ao_solve`` (LP initialization + successive replacement); ``layouts`` maps
    "proposed" and every FPA baseline to its layout. Cached per process: the placement uses
    statistical channel knowledge only, so it is the same in every Monte Carlo trial."""
    prob = getattr(XlmaPlacementProblem, scenario)(*args, **kwargs)
    sol = ma.ao_solve(prob)
    return prob, sol, {"proposed": prob.layout(sol.x["selection"], "proposed"), **prob.fpa_layouts()}


def evaluate_schemes(prob, layouts, schemes, R, rng):
    """Closed form (``<s>_approx``), Monte Carlo MRC and MMSE (``<s>_mrc``, ``<s>_mmse``, R draws)
    with their MC standard errors (``<s>_mrc_se``, ``<s>_mmse_se``)."""
    out = {}
    for name in schemes:
        ev = prob.evaluate_layout(layouts[name], R=int(R), rng=rng)
        out[f"{name}_approx"], out[f"{name}_mrc"], out[f"{name}_mmse"] = ev["approx"], ev["mrc"], ev["mmse"]
        out[f"{name}_mrc_se"], out[f"{name}_mmse_se"] = ev["mrc_stderr"], ev["mmse_stderr"]
    return out


def grid_rows(values):
    """Sweep-grid values (a ``grid=`` override of a script) as a list."""
    return list(values) if isinstance(values, (list, tuple)) else [values]


def grid_data(prob, layouts, schemes, p0):
    """Per layout, at every user-grid centre: channel power gain (dB), normalized correlation with
    ``p0`` and the number of LoS-visible subarrays; plus the grid geometry and hotspot classes
    (``hot1`` the densest rho level, ``hot2`` the next one) for the claim checks."""
    import numpy as np

    t = prob.grid_centres
    out = {"grid_centres": t, "rho": prob.rho, "p0": np.asarray(p0, float)}
    levels = sorted({float(r) for r in prob.rho}, reverse=True)
    out["hot1"] = np.flatnonzero(prob.rho == levels[0])
    out["hot2"] = np.flatnonzero(prob.rho == levels[1]) if len(levels) > 2 else np.array([], int)
    for name in schemes:
        lay = layouts[name]
        vis = (prob.Omega[:, lay.selection] if lay.selection is not None else prob.visibility(lay.centres))
        out[name] = {"power": prob.power_map(lay, t), "zeta": prob.correlation_map(lay, t, p0),
                     "los_count": np.asarray(vis, float).sum(axis=1), "centres": np.asarray(lay.centres, float)}
    return out


def save_maps_shared_scale(prob, layouts, schemes, out, prefix, p0, resolution):
    """Maps of every layout with one colour scale for the power maps (and [0, 1] for correlation),
    so the maps compared side by side are comparable. Returns {scheme: save_xlma_maps result}."""
    import numpy as np

    from matoolbox.plots import save_xlma_maps

    data = {n: prob.map_data(layouts[n], p0=p0, resolution=resolution) for n in schemes}
    lo = float(min(np.min(d["power_values"]) for d in data.values()))
    hi = float(max(np.max(d["power_values"]) for d in data.values()))
    scales = {"power": (lo, hi), "correlation": (0.0, 1.0)}
    return {n: save_xlma_maps(prob, layouts[n], out, f"{prefix}_{n}", p0=p0, resolution=resolution, scales=scales)
            for n in schemes}
