"""Claims of Ma, Zhu, Zhang (MIMO capacity with MAs) checked on the data of capacity_vs_region.

Ids follow the spec's claim list (M1-M5). Every verdict is computed from the sweep data by the rule
written next to the claim. "s.e." is the standard error over trials of a *paired* per-trial
difference: the schemes of one trial share its channel draw (the script stores the differences
to FPA as ``gain_ma``, ``gain_tma``, ``gain_rma``), and one trial index is the same draw at every
region side A (common random numbers), so differences between grid points are paired too.

Strict rules (:mod:`matoolbox.verdicts`): "a > b" means mean(a - b) > 3 s.e. (a tie fails); a point
without at least two finite paired trials has no data: "at every A" rules exclude it and say so,
a rule that needs it (a named A) is "not run", never a pass or a fail. Fewer than
:data:`MIN_TRIALS` finite trials at some point (e.g. ``--quick``) give "indicative", not "reproduced".
M5 (the instance-library rule) is checked by ``benchmarks/bench_mimo_capacity.py``, not here.
"""
from __future__ import annotations

import math


from matoolbox.reproduce import Claim
from matoolbox.verdicts import (EPS, MIN_TRIALS, Z, NoData, Tally, at_points, finish, greater, has_data, paired,
                                point, point_text, trend)
from matoolbox.verdicts import guard as _guard
from matoolbox.verdicts import curves as slices

FIG = "capacity_vs_region"


# ------------------------------------------------------------------------------------------ claims
ORDER = (("MA", "TMA", "gain_ma", "gain_tma"), ("TMA", "FPA", "gain_tma", None),
         ("MA", "RMA", "gain_ma", "gain_rma"), ("RMA", "FPA", "gain_rma", None))


def _z(m, s):
    return m / s if s > 0 else (math.inf if m > EPS else -math.inf if m < -EPS else 0.0)


@_guard
def _m1(results):
    res = results[FIG]
    got, missing = at_points(res.points, lambda p: [(hi, lo, paired(res, p, a, b)) for hi, lo, a, b in ORDER])
    t, worst = Tally(), (math.inf, "")
    for p, diffs in got:
        for hi, lo, (m, s, k) in diffs:
            t.add(greater(m, s), k)
            if _z(m, s) < worst[0]:
                worst = (_z(m, s), f"{hi} - {lo} at {point_text(p)}: {m:+.3f} ± {s:.3f} bit/s/Hz")
    return finish(t.verdict(), f"{t.ok}/{t.n} paired (scheme, A) differences > {Z:g} s.e.; weakest: {worst[1]} "
                               f"(z = {worst[0]:.1f})", t.n_min, missing)


@_guard
def _m2(results):
    res = results[FIG]
    t, txt, missing = Tally(), [], []
    for rest, As in slices(res, "A"):
        pts = [{**rest, "A": a} for a in As]
        p1, p3, p4 = (point(pts, "A", a) for a in (1.0, 3.0, 4.0))
        g3, g4 = paired(res, p3, "gain_ma"), paired(res, p4, "gain_ma")
        paired(res, p1, "gain_ma")                                   # A = 1 is needed: no data -> not run
        rise = trend(res, "gain_ma", [q for q in pts if p1["A"] <= q["A"] <= p3["A"]])
        ok_r = all(greater(m, s) for *_, m, s, _ in rise.steps) and not rise.gaps
        rel = abs(g4[0] - g3[0]) / g3[0] if g3[0] > 0 else math.inf
        t.add(ok_r, rise.n_min)
        t.add(rel < 0.05, min(g3[2], g4[2]))
        missing += [q for q in rise.missing if q not in missing]
        have = [q for q in pts if has_data(res, q, "gain_ma")]
        a_txt = ", ".join(f"{q['A']:g}" for q in have)
        txt.append((f"{point_text(rest)}: " if rest else "") + "MA gain over FPA "
                   + " -> ".join(f"{paired(res, q, 'gain_ma')[0]:.2f}" for q in have)
                   + f" (A = {a_txt}); rise steps to A=3 (paired) "
                   + ", ".join(f"{m:+.2f} ± {s:.2f}" for *_, m, s, _ in rise.steps)
                   + f"; change 3 -> 4: {100 * rel:.1f} %")
    return finish(t.verdict(), "; ".join(txt), t.n_min, missing)


@_guard
def _m3(results):
    res = results[FIG]
    Ls = sorted({p["L"] for p in res.points})
    if 5 not in Ls or 10 not in Ls:
        raise NoData(f"no data: the sweep has L = {Ls}; M3 needs L = 5 and L = 10 "
                     "(run capacity_vs_region with grid={'L': [5, 10]})")
    pairs = [(p, {**p, "L": 5}) for p in res.points if p["L"] == 10 and {**p, "L": 5} in res.points]
    if not pairs:
        raise NoData("no data: no grid point has both L = 5 and L = 10")
    got, missing = at_points([p for p, _ in pairs], lambda p: (paired(res, p, "gain_ma"),
                                                               paired(res, {**p, "L": 5}, "gain_ma")))
    t, txt = Tally(), []
    for p, ((m10, s10, k10), (m5, s5, k5)) in got:
        d, s = m10 - m5, math.hypot(s10, s5)            # different channels: independent s.e.
        t.add(greater(d, s), min(k10, k5))
        txt.append(f"A={p['A']:g}: {m10:.2f} vs {m5:.2f} ({d:+.2f} ± {s:.2f})")
    return finish(t.verdict(), f"MA gain L=10 vs L=5 > {Z:g} s.e. at {t.ok}/{t.n} points: " + "; ".join(txt),
                  t.n_min, missing)


@_guard
def _m4(results):
    res = results[FIG]
    cs = [(rest, v) for rest, v in slices(res, "snr_db") if len(v) > 1]
    if not cs:
        snrs = sorted({p["snr_db"] for p in res.points})
        raise NoData(f"no data: the sweep has SNR = {snrs} dB only; M4 needs several "
                     "(run capacity_vs_region with grid={'snr_db': [0, 5, 10, 15, 20]})")
    rise, above, missing = Tally(), Tally(), []
    for rest, snrs in cs:
        pts = [{**rest, "snr_db": s} for s in snrs]
        for k in ("cap_ma", "cap_tma", "cap_rma", "cap_fpa"):
            tr = trend(res, k, pts)
            rise.add(all(greater(m, s) for *_, m, s, _ in tr.steps) and not tr.gaps, tr.n_min)
            missing += [q for q in tr.missing if q not in missing]
        got, miss = at_points(pts, lambda p: paired(res, p, "gain_ma"))
        missing += [q for q in miss if q not in missing]
        for _, (m, s, k) in got:
            above.add(greater(m, s), k)
    verdict = "reproduced" if rise.all and above.all else ("partly" if rise.ok + above.ok > 0 else "not reproduced")
    return finish(verdict, f"curves rising at every SNR step (paired, > {Z:g} s.e.): {rise.ok}/{rise.n}; "
                           f"MA above FPA (paired): {above.ok}/{above.n} points", min(rise.n_min, above.n_min), missing)


CLAIMS = [
    Claim("M1", FIG, "MA > TMA > FPA and MA > RMA > FPA at every region size A.",
          f"at every grid point, each of the paired per-trial differences MA - TMA, TMA - FPA, MA - RMA, "
          f"RMA - FPA (same channel draw; from gain_ma, gain_tma, gain_rma) has mean > {Z:g} s.e.; partly if "
          f"some do; a point with < 2 finite trials is excluded (no data); fewer than {MIN_TRIALS} trials: "
          "'indicative'", _m1),
    Claim("M2", FIG, "The MA capacity gain over FPA grows with A and saturates at a few wavelengths.",
          f"mean MA - FPA gain rises at every grid step from A = 1 to A = 3 by > {Z:g} s.e. of the per-trial "
          "difference between the two A (paired: same draws), and changes by < 5 % from A = 3 to A = 4; "
          "partly if one of the two holds; not run if A = 1, 3 or 4 has no data", _m2),
    Claim("M3", FIG, "The gain over FPA is larger with more paths (L = 10 vs L = 5) at the same A.",
          f"mean MA - FPA gain at L = 10 minus that at L = 5 > {Z:g} s.e. (independent draws) at every A; "
          "not run unless the sweep has both L", _m3),
    Claim("M4", FIG, "Capacity grows with SNR for every scheme; MA stays above FPA at every SNR.",
          f"every scheme's capacity rises at every SNR step by > {Z:g} s.e. (paired across SNR) and the "
          f"paired MA - FPA gain > {Z:g} s.e. at every SNR; not run unless the sweep has several SNRs", _m4),
]
