"""Claims of Ma, Zhu, Zhang (MIMO capacity with MAs) checked on the data of capacity_vs_region.

Ids follow the spec's claim list (M1-M5). Every verdict is computed from the sweep data by the rule
written next to the claim. "s.e." is the standard error over trials of a *paired* per-trial
difference: the schemes of one trial share its channel draw (the script stores the differences
to FPA as ``gain_ma``, ``gain_tma``, ``gain_rma``), and one trial index is the same draw at every
region side A (common random numbers), so differences between grid points are paired too.

Strict rules: "a > b" means mean(a - b) > 3 s.e. (a tie fails); a point without at least two
finite paired trials makes the claim "not run" (no data), never a pass. Fewer than
:data:`MIN_TRIALS` finite trials at some point (e.g. ``--quick``) caps the verdict at "partly".
M5 (the instance-library rule) is checked by ``benchmarks/bench_mimo_capacity.py``, not here.
"""
from __future__ import annotations

import math


from matoolbox.reproduce import Claim
from matoolbox.verdicts import MIN_TRIALS, Z, NoData, across, capped, paired, point_text
from matoolbox.verdicts import guard as _guard
from matoolbox.verdicts import curves as slices

FIG = "capacity_vs_region"


# ------------------------------------------------------------------------------------------ claims
ORDER = (("MA", "TMA", "gain_ma", "gain_tma"), ("TMA", "FPA", "gain_tma", None),
         ("MA", "RMA", "gain_ma", "gain_rma"), ("RMA", "FPA", "gain_rma", None))


@_guard
def _m1(results):
    res = results[FIG]
    ok, n, n_min, worst = 0, 0, math.inf, (math.inf, "")
    for p in res.points:
        for hi, lo, a, b in ORDER:
            m, s, k = paired(res, p, a, b)
            n += 1
            n_min = min(n_min, k)
            ok += m > Z * s
            z = m / s if s > 0 else (math.inf if m > 0 else -math.inf if m < 0 else 0.0)
            if z < worst[0]:
                worst = (z, f"{hi} - {lo} at {point_text(p)}: {m:+.3f} ± {s:.3f} bit/s/Hz")
    verdict = "reproduced" if ok == n else ("partly" if ok else "not reproduced")
    return capped(verdict, n_min, f"{ok}/{n} paired (scheme, A) differences > {Z:g} s.e.; weakest: {worst[1]} "
                                  f"(z = {worst[0]:.1f})")


@_guard
def _m2(results):
    res = results[FIG]
    ok_rise = ok_sat = n = 0
    n_min, txt = math.inf, []
    for rest, As in slices(res, "A"):
        missing = [a for a in (1.0, 3.0, 4.0) if not any(math.isclose(a, v) for v in As)]
        if missing:
            raise NoData(f"no data: the sweep has no A = {missing} ({point_text(rest) or 'grid'} has A = {As})")
        n += 1
        pts = [{**rest, "A": a} for a in As]
        rise = [q for q in pts if 1.0 - 1e-12 <= q["A"] <= 3.0 + 1e-12]
        steps = [across(res, "gain_ma", p, q) for p, q in zip(rise, rise[1:])]
        ok_r = all(m > Z * s for m, s, _ in steps)
        g3 = paired(res, {**rest, "A": 3.0}, "gain_ma")
        g4 = paired(res, {**rest, "A": 4.0}, "gain_ma")
        rel = abs(g4[0] - g3[0]) / g3[0] if g3[0] > 0 else math.inf
        ok_s = rel < 0.05
        ok_rise += ok_r
        ok_sat += ok_s
        n_min = min([n_min, g3[2], g4[2]] + [k for *_, k in steps])
        txt.append((f"{point_text(rest)}: " if rest else "") + "MA gain over FPA "
                   + " -> ".join(f"{paired(res, q, 'gain_ma')[0]:.2f}" for q in pts)
                   + f" (A = {', '.join(f'{a:g}' for a in As)}); rise steps to A=3 (paired) "
                   + ", ".join(f"{m:+.2f} ± {s:.2f}" for m, s, _ in steps)
                   + f"; change 3 -> 4: {100 * rel:.1f} %")
    verdict = ("reproduced" if ok_rise == ok_sat == n else
               "partly" if ok_rise + ok_sat > 0 else "not reproduced")
    return capped(verdict, n_min, "; ".join(txt))


@_guard
def _m3(results):
    res = results[FIG]
    Ls = sorted({p["L"] for p in res.points})
    if 5 not in Ls or 10 not in Ls:
        raise NoData(f"no data: the sweep has L = {Ls}; M3 needs L = 5 and L = 10 "
                     "(run capacity_vs_region with grid={'L': [5, 10]})")
    ok, n, n_min, txt = 0, 0, math.inf, []
    for p in res.points:
        if p["L"] != 10:
            continue
        q = {**p, "L": 5}
        if q not in res.points:
            continue
        m10, s10, k10 = paired(res, p, "gain_ma")
        m5, s5, k5 = paired(res, q, "gain_ma")
        d, s = m10 - m5, math.hypot(s10, s5)            # different channels: independent s.e.
        n += 1
        ok += d > Z * s
        n_min = min(n_min, k10, k5)
        txt.append(f"A={p['A']:g}: {m10:.2f} vs {m5:.2f} ({d:+.2f} ± {s:.2f})")
    if n == 0:
        raise NoData("no data: no grid point has both L = 5 and L = 10")
    verdict = "reproduced" if ok == n else ("partly" if ok else "not reproduced")
    return capped(verdict, n_min, f"MA gain L=10 vs L=5 > {Z:g} s.e. at {ok}/{n} points: " + "; ".join(txt))


@_guard
def _m4(results):
    res = results[FIG]
    curves = [(rest, v) for rest, v in slices(res, "snr_db") if len(v) > 1]
    if not curves:
        snrs = sorted({p["snr_db"] for p in res.points})
        raise NoData(f"no data: the sweep has SNR = {snrs} dB only; M4 needs several "
                     "(run capacity_vs_region with grid={'snr_db': [0, 5, 10, 15, 20]})")
    rise = above = n_rise = n_above = 0
    n_min = math.inf
    for rest, snrs in curves:
        pts = [{**rest, "snr_db": s} for s in snrs]
        for key in ("cap_ma", "cap_tma", "cap_rma", "cap_fpa"):
            steps = [across(res, key, p, q) for p, q in zip(pts, pts[1:])]
            n_rise += 1
            rise += all(m > Z * s for m, s, _ in steps)
            n_min = min([n_min] + [k for *_, k in steps])
        for p in pts:
            m, s, k = paired(res, p, "gain_ma")
            n_above += 1
            above += m > Z * s
            n_min = min(n_min, k)
    ok = rise == n_rise and above == n_above
    verdict = "reproduced" if ok else ("partly" if rise + above > 0 else "not reproduced")
    return capped(verdict, n_min, f"curves rising at every SNR step (paired, > {Z:g} s.e.): {rise}/{n_rise}; "
                                  f"MA above FPA (paired): {above}/{n_above} points")


CLAIMS = [
    Claim("M1", FIG, "MA > TMA > FPA and MA > RMA > FPA at every region size A.",
          f"at every grid point, each of the paired per-trial differences MA - TMA, TMA - FPA, MA - RMA, "
          f"RMA - FPA (same channel draw; from gain_ma, gain_tma, gain_rma) has mean > {Z:g} s.e.; partly if "
          f"some do; not run if a point has < 2 finite trials; 'reproduced' needs >= {MIN_TRIALS} trials", _m1),
    Claim("M2", FIG, "The MA capacity gain over FPA grows with A and saturates at a few wavelengths.",
          f"mean MA - FPA gain rises at every grid step from A = 1 to A = 3 by > {Z:g} s.e. of the per-trial "
          "difference between the two A (paired: same draws), and changes by < 5 % from A = 3 to A = 4; "
          "partly if one of the two holds", _m2),
    Claim("M3", FIG, "The gain over FPA is larger with more paths (L = 10 vs L = 5) at the same A.",
          f"mean MA - FPA gain at L = 10 minus that at L = 5 > {Z:g} s.e. (independent draws) at every A; "
          "not run unless the sweep has both L", _m3),
    Claim("M4", FIG, "Capacity grows with SNR for every scheme; MA stays above FPA at every SNR.",
          f"every scheme's capacity rises at every SNR step by > {Z:g} s.e. (paired across SNR) and the "
          f"paired MA - FPA gain > {Z:g} s.e. at every SNR; not run unless the sweep has several SNRs", _m4),
]
