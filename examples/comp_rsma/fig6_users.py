"""Fig. 6 of Amhaz et al. (CoMP-RSMA with MAs): sum rate vs number of users K (I = 6).

Schemes (spec §8): RSMA-MA, RSMA-FPA, SDMA-MA by ``ma.ao_solve``. Infeasible draws (more users
make the QoS harder) are NaN for that scheme and counted.
Curves are means over the draws feasible for every scheme, per interference model
(``--interference``, default coherent and paper).

    python examples/comp_rsma/fig6_users.py --quick
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
    """Sweep K over 2..6 (quick: 2, 4);
    ``values`` overrides the swept values, ``interference`` the models (default coherent, paper). Saves fig6_users.png/.csv; returns the SweepResult."""
    users = [2, 4] if quick else [2, 3, 4, 5, 6]
    users = list(values) if values is not None else users
    res = C.sweep(trial, {"K": users, "I": [6]}, quick, trials, workers, seed, progress, checkpoint, interference)
    return C.finish(res, out, "fig6_users", "K", "users K", list(SCHEMES),
                    "Fig. 6: sum rate vs K (N=2, I=6, 33 dBm)")


if __name__ == "__main__":
    C.main(run, __doc__, "out/comp_rsma", "K", list(SCHEMES))
