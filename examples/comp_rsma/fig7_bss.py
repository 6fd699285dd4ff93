"""Fig. 7 of Amhaz et al. (CoMP-RSMA with MAs): sum rate vs number of BSs N (P_M = 37 dBm, R_th = 0.4).

Schemes (spec §8): RSMA-MA, RSMA-FPA, SDMA-MA by ``ma.ao_solve``; BSs on the 57 m ring
(spec §2.2), so every N is its own geometry. Infeasible draws are NaN and counted.
Curves are means over the draws feasible for every scheme, per interference model
(``--interference``, default coherent and paper).

    python examples/comp_rsma/fig7_bss.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _comp_rsma_common as C  # noqa: E402

SCHEMES = {"RSMA-MA": C.ao_rsma_ma, "RSMA-FPA": C.ao_rsma_fpa, "SDMA-MA": C.ao_sdma_ma}


def trial(params, rng):
    return C.solve_schemes(C.draw(params, rng), SCHEMES, rng)


def run(quick=False, trials=None, workers=1, seed=0, out="out/comp_rsma", progress=False, checkpoint=None, values=None,
        interference=None):
    """Sweep N over 1..5 (quick: 1, 3);
    ``values`` overrides the swept values, ``interference`` the models (default coherent, paper). Saves fig7_bss.png/.csv; returns the SweepResult."""
    bss = [1, 3] if quick else [1, 2, 3, 4, 5]
    bss = list(values) if values is not None else bss
    res = C.sweep(trial, {"N": bss, "pmax_dbm": [37], "rth": [0.4]}, quick, trials, workers, seed, progress, checkpoint, interference)
    return C.finish(res, out, "fig7_bss", "N", "BSs N", list(SCHEMES),
                    "Fig. 7: sum rate vs N (I=4, K=4, 37 dBm, R_th=0.4)")


if __name__ == "__main__":
    C.main(run, __doc__, "out/comp_rsma", "N", list(SCHEMES))
