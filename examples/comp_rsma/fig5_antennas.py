"""Fig. 5 of Amhaz et al. (CoMP-RSMA with MAs): sum rate vs number of BS antennas I.

Schemes (spec §8): RSMA-MA, RSMA-FPA, SDMA-MA, SDMA-FPA by ``ma.ao_solve`` (defaults: N = 2, K = 4,
33 dBm, R_th = 0.6). Infeasible draws are NaN and counted.
Curves are means over the draws feasible for every scheme, per interference model
(``--interference``, default coherent and paper).

    python examples/comp_rsma/fig5_antennas.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _comp_rsma_common as C  # noqa: E402

SCHEMES = dict(C.AO_SCHEMES)


def trial(params, rng):
    return C.solve_schemes(C.draw(params, rng), SCHEMES, rng)


def run(quick=False, trials=None, workers=1, seed=0, out="out/comp_rsma", progress=False, checkpoint=None, values=None,
        interference=None):
    """Sweep I over 4..12 (quick: 4, 8);
    ``values`` overrides the swept values, ``interference`` the models (default coherent, paper). Saves fig5_antennas.png/.csv; returns the SweepResult."""
    antennas = [4, 8] if quick else [4, 6, 8, 10, 12]
    antennas = list(values) if values is not None else antennas
    res = C.sweep(trial, {"I": antennas}, quick, trials, workers, seed, progress, checkpoint, interference)
    return C.finish(res, out, "fig5_antennas", "I", "BS antennas I", list(SCHEMES),
                    "Fig. 5: sum rate vs I (N=2, K=4, 33 dBm)")


if __name__ == "__main__":
    C.main(run, __doc__, "out/comp_rsma", "I", list(SCHEMES))
