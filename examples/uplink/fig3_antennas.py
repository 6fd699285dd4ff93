"""Fig. 3 of Hu et al. (two-timescale MA uplink): ergodic sum rate vs number of antennas M.

Six curves: MA / FPA x ZF / MMSE / MMSE-SIC. For each M the MA positions are designed by
multi-start PGA on the receiver's surrogate (ZF closed form (9), MMSE sample average (19), SIC
Jensen bound (29)); every curve is the true ergodic rate by Monte Carlo with fresh samples
(spec §9). A trial is one independent repetition (its own SAA draw, PGA random starts and
evaluation samples); MA and FPA share the evaluation samples. Defaults (spec §10.2): D = 6 lambda, K = 4,
theta = 60/70/80/90 deg, p = 10 dB, Rician factor 10, d = lambda/2. At M = 12 the span leaves
(almost) no room to move ((M-1) d = 5.5 lambda), so the MA and FPA curves meet.

    python examples/uplink/fig3_antennas.py --quick
"""
from __future__ import annotations

import sys
from pathlib import Path

from matoolbox.cli import run_example
from matoolbox.sweep import run_sweep, save_sweep

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fig2_span import KEYS, LABELS, trial  # noqa: E402  (same trial body as Fig. 2)


def run(quick=False, trials=None, workers=1, seed=0, out="out/uplink", progress=False, checkpoint=None, grid=None):
    """Sweep M; saves fig3_antennas.png and fig3_antennas.csv into ``out``; returns the SweepResult.

    ``grid`` overrides sweep values, e.g. ``{"M": [...], "n_eval": [500]}`` (tests)."""
    antennas = [5, 6, 7, 8, 9, 10, 12]
    fixed = {"D": 6.0, "n_eval": 2000 if quick else 10000, "restarts": 1 if quick else 3}
    grid = {"M": antennas, **{k: [v] for k, v in fixed.items()}, **(grid or {})}
    trials = trials if trials is not None else (2 if quick else 5)
    res = run_sweep(trial, grid, trials, seed, workers=workers, progress=progress,
                    checkpoint=checkpoint)
    save_sweep(res, out, "fig3_antennas", x="M", keys=KEYS, xlabel="number of antennas M",
               ylabel="ergodic sum rate (bit/s/Hz)", title="Fig. 3: ergodic sum rate vs number of antennas (D = 6 wavelengths, K = 4)",
               labels=LABELS)
    return res


if __name__ == "__main__":
    a, result = run_example(run, __doc__, "out/uplink")
    print(result.summary(keys=KEYS))
    gap = {M: result.mean("ma_zf", M=M) - result.mean("fpa_zf", M=M) for M in (5, 8, 12)}
    print("MA+ZF - FPA+ZF gap: " + ", ".join(f"{g:.2f} at M={M}" for M, g in gap.items())
          + f" bit/s/Hz; infeasible trials: {result.infeasible()}, failed: {result.failed()}")
    print(f"wrote {a.out}/fig3_antennas.png and .csv")
