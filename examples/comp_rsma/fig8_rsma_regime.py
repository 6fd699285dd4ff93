"""Extra figure (not in the paper): where RSMA earns its common stream, sum rate vs BS antennas I
at N = 2 BSs and K = 4 users, i.e. N*I = 2, 4, 6, 8 antennas in total against K = 4 users.

Under coherent joint transmission with N*I >= K the private precoders can null the inter-user
interference and RSMA = SDMA (the common stream gets no power); with N*I < K they cannot, and the
common stream carries power and rate. Schemes: RSMA-MA and SDMA-MA by
``ma.ao_solve`` (33 dBm, R_th = 0.6). ``common share <scheme>`` in the CSV is the fraction of the
transmit power on the common stream. Curves are means over the draws feasible for every scheme,
per interference model (``--interference``, default coherent and paper).

    python examples/comp_rsma/fig8_rsma_regime.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _comp_rsma_common as C  # noqa: E402

SCHEMES = {"RSMA-MA": C.ao_rsma_ma, "SDMA-MA": C.ao_sdma_ma}     # FPA: infeasible at I = 1 on most draws


def trial(params, rng):
    return C.solve_schemes(C.draw(params, rng), SCHEMES, rng)


def run(quick=False, trials=None, workers=1, seed=0, out="out/comp_rsma", progress=False, checkpoint=None, values=None,
        interference=None):
    """Sweep I over 1..4 at N = 2, K = 4 (quick: 1, 4); ``values`` overrides the swept values,
    ``interference`` the models (default coherent, paper). Saves fig8_rsma_regime.png/.csv;
    returns the SweepResult."""
    antennas = [1, 4] if quick else [1, 2, 3, 4]
    antennas = list(values) if values is not None else antennas
    res = C.sweep(trial, {"I": antennas, "N": [2], "K": [4]}, quick, trials, workers, seed, progress, checkpoint,
                  interference)
    return C.finish(res, out, "fig8_rsma_regime", "I", "BS antennas I (N = 2, K = 4)", list(SCHEMES),
                    "RSMA vs SDMA when N*I < K (N=2, K=4, 33 dBm, R_th=0.6)")


if __name__ == "__main__":
    C.main(run, __doc__, "out/comp_rsma", "I", list(SCHEMES))
