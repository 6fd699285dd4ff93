"""Shared pieces of the XL-MA figure scripts: the cached Algorithm-1 design of a scenario and the
per-layout evaluation. Public API only."""
from __future__ import annotations

import functools

import matoolbox as ma
from matoolbox.problems import XlmaPlacementProblem


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
    """Closed form (``<s>_approx``), Monte Carlo MRC and MMSE (``<s>_mrc``, ``<s>_mmse``, R draws)."""
    out = {}
    for name in schemes:
        ev = prob.evaluate_layout(layouts[name], R=int(R), rng=rng)
        out[f"{name}_approx"], out[f"{name}_mrc"], out[f"{name}_mmse"] = ev["approx"], ev["mrc"], ev["mmse"]
    return out
