"""Claims of Cheng, Zhao, Ouyang, Zhang (secure multiuser MA beamforming) checked on secrecy_vs_snr.

Ids follow the spec's claim list (S1-S3). Every verdict is computed from the sweep data by the rule
written next to the claim. "s.e." is the standard error over trials of a *paired* per-trial
difference: MA, FPA and MRT of one trial share its channel draw (the script stores MA - FPA as
``gain_ma``), and one trial index is the same draw at every SNR (common random numbers), so
differences between SNR points are paired too.

Strict rules (:mod:`matoolbox.verdicts`): "a > b" means mean(a - b) > 3 s.e. (a tie fails); a point
without at least two finite paired trials has no data: "at every SNR" rules exclude it and say so,
trends step over it, and a rule left without data is "not run", never a pass or a fail. Fewer than
:data:`MIN_TRIALS` finite trials at some point (e.g. ``--quick``) give "indicative", not "reproduced".
S3 (the instance-library rule) needs long best-known runs and is not checked here.
"""
from __future__ import annotations

import math

import numpy as np

from matoolbox.reproduce import Claim
from matoolbox.verdicts import (MIN_TRIALS, Z, NoData, Tally, at_points, capped, curves, finish, greater, has_data,
                                paired, trend)
from matoolbox.verdicts import guard as _guard

FIG = "secrecy_vs_snr"
ZERO = 1e-9              # a secrecy sum rate at or below this is zero (bit/s/Hz)


def _snr_curves(res):
    out = [(rest, [{**rest, "snr_db": s} for s in snrs]) for rest, snrs in curves(res, "snr_db")]
    if any(len(pts) < 2 for _, pts in out):
        raise NoData(f"no data: the sweep has SNR = {sorted({p['snr_db'] for p in res.points})} dB; "
                     "a trend needs two or more")
    return out


# ------------------------------------------------------------------------------------------ claims
@_guard
def _s1(results):
    res = results[FIG]
    got, missing = at_points(res.points, lambda p: paired(res, p, "gain_ma"))
    t = Tally()
    for p, (m, s, k) in got:
        t.add(greater(m, s), k, f"{p['snr_db']:g} dB: {m:+.3f} ± {s:.3f}")
    return finish(t.verdict(), f"paired MA - FPA > {Z:g} s.e. at {t.ok}/{t.n} points: " + "; ".join(t.notes),
                  t.n_min, missing)


@_guard
def _s1_gap(results):
    res = results[FIG]
    end_ok = steps_ok = 0
    n_min, txt, missing, cs = math.inf, [], [], _snr_curves(res)
    for rest, pts in cs:
        tr = trend(res, "gain_ma", pts)
        if tr.end is None:
            raise NoData("no data: no trial is finite at both the lowest and the highest SNR with data")
        m, s, k = tr.end
        end_ok += greater(m, s)
        steps_ok += tr.monotone                          # no step falls significantly
        n_min = min(n_min, tr.n_min)
        missing += tr.missing
        txt.append(f"gap {tr.first['snr_db']:g} -> {tr.last['snr_db']:g} dB: "
                   f"{paired(res, tr.first, 'gain_ma')[0]:.3f} -> {paired(res, tr.last, 'gain_ma')[0]:.3f} "
                   f"(paired change {m:+.3f} ± {s:.3f}); worst step {min(sm for *_, sm, _, _ in tr.steps):+.3f}")
    n = len(cs)
    verdict = ("reproduced" if end_ok == steps_ok == n else "partly" if end_ok > 0 else "not reproduced")
    return finish(verdict, "; ".join(txt), n_min, missing)


@_guard
def _s2(results):
    res = results[FIG]
    rise, ends = Tally(), Tally()
    txt, missing = [], []
    for rest, pts in _snr_curves(res):
        for k in ("rs_ma", "rs_fpa"):
            tr = trend(res, k, pts)
            up = [greater(m, s) for *_, m, s, _ in tr.steps]
            rise.add(all(up) and not tr.gaps, tr.n_min)
            ends.add(tr.end is not None and greater(*tr.end[:2]))
            missing += [q for q in tr.missing if q not in missing]
            txt.append(f"{k}: " + " -> ".join(f"{paired(res, p, k)[0]:.2f}" for p in pts if has_data(res, p, k))
                       + f" (rising steps {sum(up)}/{len(up)})")
    verdict = "reproduced" if rise.all else ("partly" if ends.all else "not reproduced")
    return finish(verdict, "; ".join(txt), rise.n_min, missing)


@_guard
def _s2_zero(results):
    res = results[FIG]
    zero = [r for r in res.rows if isinstance(r.get("rs_mrt"), (int, float)) and math.isfinite(r["rs_mrt"])
            and r["rs_mrt"] <= ZERO]
    if not zero:
        raise NoData("no data: no trial has a zero-secrecy MRT start")
    bad = [r for r in zero if not all(isinstance(r.get(k), (int, float)) and math.isfinite(r[k]) and r[k] > ZERO
                                      for k in ("rs_ma", "rs_fpa"))]
    rates = [r[k] for r in zero for k in ("rs_ma", "rs_fpa") if isinstance(r.get(k), (int, float))
             and math.isfinite(r[k])]
    low = min(rates) if rates else math.nan
    text = (f"{len(zero)} (trial, SNR) draws with MRT secrecy rate 0; MA and FPA both > 0 on "
            f"{len(zero) - len(bad)}; smallest rate there {low:.3g} bit/s/Hz")
    if bad:
        return "not reproduced", text
    counts = [int(np.sum(np.isfinite(res.values("rs_mrt", **p)))) for p in res.points]
    per_point = min(c for c in counts if c)                  # points without data are excluded
    return capped("reproduced", min(len(zero), per_point), text)


CLAIMS = [
    Claim("S1", FIG, "MA is above FPA at every SNR.",
          f"the paired per-trial difference MA - FPA (gain_ma, same channel draw) has mean > {Z:g} s.e. at every "
          f"SNR with data; partly if at some; a point with < 2 finite trials is excluded (no data); fewer than "
          f"{MIN_TRIALS} trials: 'indicative'", _s1),
    Claim("S1.2", FIG, "The MA - FPA gap grows with SNR (weaker than S1).",
          f"gain_ma at the highest SNR minus gain_ma at the lowest (per trial, paired) > {Z:g} s.e., and no SNR "
          f"step lowers gain_ma by more than {Z:g} s.e.; partly if only the end-to-end rise holds", _s1_gap),
    Claim("S2", FIG, "The secrecy sum rate grows with SNR for MA and for FPA.",
          f"for rs_ma and rs_fpa, every SNR step rises by > {Z:g} s.e. of the per-trial step (paired); partly if "
          "only the lowest-to-highest rise is significant for both", _s2),
    Claim("S2.2", FIG, "From a draw where the MRT start has zero secrecy rate, the solver still finds a positive rate.",
          f"on every (trial, SNR) with rs_mrt <= {ZERO:g}: rs_ma > {ZERO:g} and rs_fpa > {ZERO:g}; not run if no "
          f"such draw; fewer than {MIN_TRIALS} such draws or trials per point: 'indicative'", _s2_zero),
]
