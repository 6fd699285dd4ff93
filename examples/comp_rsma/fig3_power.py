"""Fig. 3 of Amhaz et al. (CoMP-RSMA with MAs): sum rate vs per-BS power P_M.

Schemes (spec §8): RSMA-MA, RSMA-FPA, SDMA-MA, SDMA-FPA, each solved by ``ma.ao_solve`` on the
same channel draw (default instance: N = 2, I = 4, K = 4, R_th = 0.6). ``SCHEMES`` maps a curve
name to ``function(problem, rng) -> Solution``; add a solver with one line, e.g.
``SCHEMES["GML"] = my_gml``. ``reference_starts > 0`` adds the multistart SLSQP reference
("RSMA-MA ref", warm-started from the schemes' solutions). QoS-infeasible draws are NaN and counted.

    python examples/comp_rsma/fig3_power.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _comp_rsma_common as C  # noqa: E402
from matoolbox.gml import gml_solve  # noqa: E402

SCHEMES = {
    "RSMA-MA": C.ao_rsma_ma,
    "RSMA-FPA": C.ao_rsma_fpa,
    "SDMA-MA": C.ao_sdma_ma,
    "SDMA-FPA": C.ao_sdma_fpa,
    "GML": lambda problem, rng: gml_solve(problem.variant("RSMA-MA"), rng=rng),   # RSMA-MA by GML
}


def trial(params, rng):
    """One channel draw at power params["pmax_dbm"]: sum rate of every scheme."""
    return C.solve_schemes(C.draw(params, rng), SCHEMES, rng, params.get("reference_starts", 0))


def run(quick=False, trials=None, workers=1, seed=0, out="out/comp_rsma", progress=False, checkpoint=None, values=None,
        reference_starts=0):
    """Sweep P_M over 25..37 dBm (quick: 25, 29, 33, 37);
    ``values`` overrides the swept values. Saves fig3_power.png/.csv; returns the SweepResult."""
    powers = [25, 29, 33, 37] if quick else [25, 27, 29, 31, 33, 35, 37]
    powers = list(values) if values is not None else powers
    grid = {"pmax_dbm": powers, "rth": [0.6], "reference_starts": [int(reference_starts)]}
    res = C.sweep(trial, grid, quick, trials, workers, seed, progress, checkpoint)
    keys = list(SCHEMES) + (["RSMA-MA ref"] if reference_starts else [])
    return C.finish(res, out, "fig3_power", "pmax_dbm", "per-BS power P_M (dBm)", keys,
                    "Fig. 3: sum rate vs P_M (N=2, I=4, K=4, R_th=0.6)")


if __name__ == "__main__":
    C.main(run, __doc__, "out/comp_rsma", "pmax_dbm", list(SCHEMES))
