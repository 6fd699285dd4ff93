"""Fig. 3 of Amhaz et al. (CoMP-RSMA with MAs): sum rate vs per-BS power P_M.

Schemes (spec §8): RSMA-MA, RSMA-FPA, SDMA-MA, SDMA-FPA, each solved by ``ma.ao_solve`` on the
same channel draw (default instance: N = 2, I = 4, K = 4, R_th = 0.6), and GML on RSMA-MA.
``SCHEMES`` maps a curve name to ``function(problem, rng) -> Solution``; add a solver with one
line, e.g. ``SCHEMES["mine"] = my_solver``. ``reference_starts > 0`` adds the multistart SLSQP
reference ("RSMA-MA ref", on the draws feasible for every scheme: that many random starts plus
warm starts from the schemes' solutions; default 20 in the full run, 0 in quick mode; the paper's
fmincon used 100). Every curve is the mean over
the draws feasible for every scheme; infeasible draws are counted per scheme. Each interference
model (``--interference``, default coherent and paper) gets its own panel.

    python examples/comp_rsma/fig3_power.py --quick [--interference coherent]
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _comp_rsma_common as C  # noqa: E402
from matoolbox.gml import GmlOptions, gml_solve  # noqa: E402


def gml_rsma_ma(problem, rng, n_outer=None):
    """RSMA-MA by GML (default GmlOptions; ``n_outer`` outer iterations if given)."""
    opts = GmlOptions() if n_outer is None else GmlOptions(n_outer=int(n_outer))
    return gml_solve(problem.variant("RSMA-MA"), opts, rng=rng)


SCHEMES = {
    "RSMA-MA": C.ao_rsma_ma,
    "RSMA-FPA": C.ao_rsma_fpa,
    "SDMA-MA": C.ao_sdma_ma,
    "SDMA-FPA": C.ao_sdma_fpa,
    "GML": gml_rsma_ma,
}
REFERENCE_STARTS = 20    # full run: multistart reference with 20 random starts (+ warm starts)
QUICK_GML_OUTER = 300     # quick mode: GML with 300 outer iterations (default 1000)


def trial(params, rng):
    """One channel draw at power params["pmax_dbm"]: sum rate of every scheme."""
    schemes = dict(SCHEMES)
    if schemes.get("GML") is gml_rsma_ma and params.get("gml_outer"):
        schemes["GML"] = functools.partial(gml_rsma_ma, n_outer=params["gml_outer"])
    return C.solve_schemes(C.draw(params, rng), schemes, rng, params.get("reference_starts", 0))


def run(quick=False, trials=None, workers=1, seed=0, out="out/comp_rsma", progress=False, checkpoint=None, values=None,
        reference_starts=None, interference=None):
    """Sweep P_M over 25..37 dBm (quick: 25, 31, 37; GML with 300 outer iterations);
    ``values`` overrides the swept values, ``interference`` the models (default coherent, paper).
    Saves fig3_power.png/.csv; returns the SweepResult."""
    powers = [25, 31, 37] if quick else [25, 27, 29, 31, 33, 35, 37]
    powers = list(values) if values is not None else powers
    if reference_starts is None:
        reference_starts = 0 if quick else REFERENCE_STARTS
    grid = {"pmax_dbm": powers, "rth": [0.6], "reference_starts": [int(reference_starts)],
            "gml_outer": [QUICK_GML_OUTER if quick else 0]}
    res = C.sweep(trial, grid, quick, trials, workers, seed, progress, checkpoint, interference)
    keys = list(SCHEMES) + (["RSMA-MA ref"] if reference_starts else [])
    return C.finish(res, out, "fig3_power", "pmax_dbm", "per-BS power P_M (dBm)", keys,
                    "Fig. 3: sum rate vs P_M (N=2, I=4, K=4, R_th=0.6)")


if __name__ == "__main__":
    C.main(run, __doc__, "out/comp_rsma", "pmax_dbm", list(SCHEMES))
