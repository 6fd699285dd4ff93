"""Fig. 4 of Amhaz et al. (CoMP-RSMA with MAs): sum rate vs QoS threshold R_th at P_M = 29 dBm.

Schemes (spec §8): RSMA-MA, RSMA-FPA, SDMA-MA by ``ma.ao_solve`` on the same draw. A draw whose QoS
cannot be met by a scheme counts as infeasible for that scheme (NaN, excluded from its mean); the
CSV has the per-scheme infeasible fraction (``infeasible <scheme>``), the summary the counts.
Curves are means over the draws feasible for every scheme, per interference model
(``--interference``, default coherent and paper).

    python examples/comp_rsma/fig4_rate_threshold.py --quick
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
    """Sweep R_th over 0.2..1.6 (quick: 0.2, 0.8, 1.4);
    ``values`` overrides the swept values, ``interference`` the models (default coherent, paper). Saves fig4_rate_threshold.png/.csv."""
    rths = [0.2, 0.8, 1.4] if quick else [0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6]
    rths = list(values) if values is not None else rths
    res = C.sweep(trial, {"rth": rths, "pmax_dbm": [29]}, quick, trials, workers, seed, progress, checkpoint, interference)
    return C.finish(res, out, "fig4_rate_threshold", "rth", "rate threshold R_th (bit/s/Hz)", list(SCHEMES),
                    "Fig. 4: sum rate vs R_th (P_M = 29 dBm)")


if __name__ == "__main__":
    C.main(run, __doc__, "out/comp_rsma", "rth", list(SCHEMES))
