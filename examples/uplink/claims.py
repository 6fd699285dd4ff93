"""Claims of Hu et al. (two-timescale MA uplink) checked on the data of fig2_span and fig3_antennas.

Ids and rules follow the uplink section of the project's claims list. The arithmetic is
:mod:`matoolbox.verdicts`, shared by every family: MA and FPA of one trial share the evaluation
samples and one trial index is the same draw at every D or M, so differences are paired per trial
(with a single trial the Monte Carlo s.e. of the ``*_se`` outputs stands in); "a > b" is mean(a - b)
> 3 s.e. (a tie never passes); a point without data is excluded and named; fewer than 20 trials at
a point used give "indicative". The FPA curves of Fig. 2 do not depend on D by construction (one
FPA layout, shared evaluation draws), so U2.3 is "by construction" at best.
"""
from __future__ import annotations

import math

import numpy as np

from matoolbox.reproduce import Claim
from matoolbox.verdicts import (NoData, Tally, across, at_points, by_construction, diff, finish, greater, guard,
                                has_data, key, not_below, paired, trend)

RECEIVERS = ("zf", "mmse", "mmse_sic")
NAMES = {"zf": "ZF", "mmse": "MMSE", "mmse_sic": "MMSE-SIC"}
FIG2, FIG3 = "fig2_span", "fig3_antennas"


def _pts(res, x):
    """Grid points sorted along ``x``."""
    return sorted(res.points, key=lambda p: p[x])


def _with_data(res, pts, k, need=1):
    """The points of ``pts`` with data for ``k``; :class:`NoData` if fewer than ``need``."""
    have = [p for p in pts if has_data(res, p, k)]
    if len(have) < need:
        raise NoData(f"no data: {key(k).name} has data at {len(have)} point(s) (the rule needs {need})")
    return have


def _mean(res, p, k):
    return paired(res, p, k)[0]


def _dominates(res, pts, a, b):
    """a >= b - 3 s.e. at every point with data and a > b + 3 s.e. at one or more: (no violation, strict, n, missing)."""
    got, missing = at_points(pts, lambda p: paired(res, p, a, b))
    return (all(not_below(m, s) for _, (m, s, _) in got), any(greater(m, s) for _, (m, s, _) in got),
            min(n for _, (_, _, n) in got), [(p, m) for p, (m, _, _) in got], missing)


@guard
def _u01(results):
    t, worst, missing = Tally(), math.inf, []
    for fig, x in ((FIG2, "D"), (FIG3, "M")):
        res = results[fig]
        for r in RECEIVERS:
            ok, strict, n, got, miss = _dominates(res, _pts(res, x), f"ma_{r}", f"fpa_{r}")
            t.add(ok and strict, n)
            worst = min(worst, *(m for _, m in got))
            missing += miss
    res = results[FIG2]
    g2 = {r: float(np.mean([_mean(res, p, diff(f"ma_{r}", f"fpa_{r}")) for p in _with_data(res, res.points, f"ma_{r}")]))
          for r in RECEIVERS}
    return finish(t.verdict(), "mean MA-FPA gain over Fig. 2 points: " + ", ".join(f"{NAMES[r]} {g:+.2f}" for r, g in g2.items())
                  + f"; smallest paired MA-FPA difference {worst:+.2f}; never below by > 3 s.e. and above by > 3 s.e. "
                    f"somewhere for {t.ok}/{t.n} curves", t.n_min, missing)


@guard
def _u02(results):
    t, bad, missing = Tally(), [], []
    for fig, x in ((FIG2, "D"), (FIG3, "M")):
        res = results[fig]
        for lay in ("ma", "fpa"):
            for hi, lo in (("mmse", "zf"), ("mmse_sic", "mmse")):
                ok, strict, n, _, miss = _dominates(res, _pts(res, x), f"{lay}_{hi}", f"{lay}_{lo}")
                t.add(ok and strict, n)
                bad += [] if ok else [f"{fig} {lay.upper()} {NAMES[hi]} < {NAMES[lo]}"]
                missing += miss
    res = results[FIG2]
    p = _with_data(res, res.points, "fpa_zf")[0]
    f = [_mean(res, p, f"fpa_{r}") for r in RECEIVERS]
    v = t.verdict() if not bad else "not reproduced"
    return finish(v, f"order SIC > MMSE > ZF (never reversed by > 3 s.e., strict by > 3 s.e. somewhere) for {t.ok}/{t.n} "
                     f"(figure, layout, pair)" + (f"; reversed: {bad}" if bad else "")
                  + f"; Fig. 2 FPA at D = {p['D']:g}: ZF {f[0]:.2f}, MMSE {f[1]:.2f}, SIC {f[2]:.2f}", t.n_min, missing)


@guard
def _u21(results):
    res = results[FIG2]
    pts = _pts(res, "D")
    rise, mono, txt, missing = Tally(), 0, [], []
    for r in RECEIVERS:
        tr = trend(res, f"ma_{r}", pts)
        have = _with_data(res, pts, f"ma_{r}", 2)
        m, s, n = across(res, f"ma_{r}", have[0], have[1])
        rise.add(greater(m, s), min(n, tr.n_min))
        mono += tr.monotone
        missing += tr.missing
        txt.append(f"{NAMES[r]} {_mean(res, have[0], f'ma_{r}'):.2f} -> {_mean(res, have[1], f'ma_{r}'):.2f} "
                   f"({m:+.2f} ± {s:.2f})")
    verdict = "reproduced" if rise.all and mono == 3 else ("partly" if rise.ok else "not reproduced")
    return finish(verdict, "MA over the first D step with data: " + ", ".join(txt)
                  + f"; rises by > 3 s.e.: {rise.ok}/3, never falls by > 3 s.e.: {mono}/3", rise.n_min, missing)


@guard
def _u22(results):
    res = results[FIG2]
    ok_last, ok_band, n_min, txt = 0, 0, math.inf, []
    for r in RECEIVERS:
        k = f"ma_{r}"
        have = _with_data(res, _pts(res, "D"), k, 2)
        m, s, n = across(res, k, have[-2], have[-1])
        last = _mean(res, have[-1], k)
        ok_last += abs(m) <= max(3 * s, 0.01 * abs(last))
        upper = np.array([_mean(res, p, k) for p in have[len(have) // 2:]])
        spread = (upper.max() - upper.min()) / abs(upper.mean())
        ok_band += spread <= 0.02
        n_min = min(n_min, n)
        txt.append(f"{NAMES[r]} last step {m:+.3f} ± {s:.3f}, upper-half spread {100 * spread:.2f} %")
    verdict = "reproduced" if ok_last == ok_band == 3 else ("partly" if ok_last + ok_band >= 3 else "not reproduced")
    return finish(verdict, "; ".join(txt), n_min)


@guard
def _u23(results):
    res = results[FIG2]
    pts = _pts(res, "D")
    flat, poor, txt, missing = 0, Tally(), [], []
    for r in RECEIVERS:
        have = _with_data(res, pts, f"fpa_{r}")
        f = [paired(res, p, f"fpa_{r}") for p in have]
        ptp = float(np.ptp([m for m, _, _ in f]))
        flat += ptp <= max(3 * max(s for _, s, _ in f), 1e-9)
        got, miss = at_points(pts, lambda p: paired(res, p, f"ma_{r}", f"fpa_{r}"))
        poor.add(all(greater(m, s) for _, (m, s, _) in got), min(n for _, (_, _, n) in got))
        missing += miss
        txt.append(f"{NAMES[r]} FPA range over D {ptp:.3g}")
    text = "; ".join(txt) + f"; FPA below MA by > 3 s.e. at every D for {poor.ok}/3 receivers"
    if flat < 3 or not poor.ok:
        return finish("not reproduced", text, poor.n_min, missing)
    if not poor.all:
        return finish("partly", text, poor.n_min, missing)
    v, text = by_construction(True, text, "the FPA layout and its evaluation draws are the same at every D")
    return finish(v, text, poor.n_min, missing)


@guard
def _u24(results):
    res = results[FIG2]
    p = _with_data(res, _pts(res, "D"), diff("ma_zf", "fpa_zf"))[-1]
    gap, s, n = paired(res, p, "ma_zf", "fpa_zf")
    ratio = gap / 3.5
    sig = greater(gap, s)
    verdict = ("reproduced" if sig and 0.75 <= ratio <= 1.25 else "partly" if sig and 0.5 <= ratio <= 2.0
               else "not reproduced")
    return finish(verdict, f"MA+ZF - FPA+ZF at D = {p['D']:g} (largest D with data): {gap:.2f} ± {s:.3f} bit/s/Hz "
                           f"(ratio to 3.5: {ratio:.2f})", n)


@guard
def _u31(results):
    res = results[FIG3]
    t, missing = Tally(), []
    for lay in ("ma", "fpa"):
        for r in RECEIVERS:
            tr = trend(res, f"{lay}_{r}", _pts(res, "M"))
            t.add(tr.holds, tr.n_min, None if tr.holds else f"{lay.upper()}+{NAMES[r]}: {tr.text()}")
            missing += tr.missing
    return finish(t.verdict(partly_at=4 / 6), f"rises in M for {t.ok}/6 curves"
                  + (f" ({'; '.join(t.notes)})" if t.notes else ""), t.n_min, missing)


@guard
def _u32(results):
    res = results[FIG3]
    t, ends, txt, missing = Tally(), 0, [], []
    for r in RECEIVERS:
        tr = trend(res, diff(f"ma_{r}", f"fpa_{r}"), _pts(res, "M"), sign=-1)
        t.add(tr.holds, tr.n_min)
        ends += tr.end is not None and greater(-tr.end[0], tr.end[1])
        missing += tr.missing
        g0, g1 = (_mean(res, p, diff(f"ma_{r}", f"fpa_{r}")) for p in (tr.first, tr.last))
        txt.append(f"{NAMES[r]} gap {g0:.2f} (M={tr.first['M']}) -> {g1:.2f} (M={tr.last['M']})")
    verdict = "reproduced" if t.all else ("partly" if ends == 3 else "not reproduced")
    return finish(verdict, "; ".join(txt) + f"; falls (no step up by > 3 s.e., down by > 3 s.e. overall) for {t.ok}/3",
                  t.n_min, missing)


CLAIMS = [
    Claim("U0.1", FIG2, "The MA array gives significant gains over the FPA array.",
          "for each receiver X and each sweep (Figs. 2 and 3), paired MA+X - FPA+X never below -3 s.e. at a point "
          "with data and above +3 s.e. at one point or more (a tie is no gain); partly if some curves", _u01),
    Claim("U0.2", FIG2, "MMSE beats ZF, and MMSE-SIC further alleviates inter-user interference.",
          "for both layouts and both sweeps, paired MMSE - ZF and SIC - MMSE never below -3 s.e. and above +3 s.e. "
          "somewhere; partly if not every (layout, pair); a reversal by > 3 s.e.: not reproduced", _u02),
    Claim("U2.1", FIG2, "The MA curves rise as D grows over a small range.",
          "for each MA curve, the paired step between the two smallest D with data > 3 s.e., and no step over "
          "the grid below -3 s.e.", _u21),
    Claim("U2.2", FIG2, "The MA curves then converge; a finite D is enough.",
          "each MA curve changes by <= max(3 s.e., 1 %) between its last two D values with data, and stays "
          "within 2 % over the upper half of them", _u22),
    Claim("U2.3", FIG2, "The FPA curves are poor and do not depend on D.",
          "max - min over D of each FPA curve <= 3 s.e. (0 by construction: one FPA layout and shared evaluation "
          "draws at every D), and paired MA - FPA > 3 s.e. at every D with data; 'by construction' when both "
          "hold (never 'reproduced'), partly if the gap holds for some receivers", _u23),
    Claim("U2.4", FIG2, "The gap between MA+ZF and FPA+ZF is about 3.5 bits/s/Hz.",
          "paired MA+ZF - FPA+ZF at the largest (saturated) D with data > 3 s.e. and within 0.75-1.25 of 3.5 "
          "(2.6-4.4 bit/s/Hz, the claims list's default band); within a factor of 2 (the list's loose band, "
          "the paper's settings being unknown): partly", _u24),
    Claim("U3.1", FIG3, "Every curve improves with M (receive diversity).",
          "each of the six curves rises in M: no paired step below -3 s.e. and one step (or first to last) "
          "above +3 s.e.; partly if >= 4 of 6", _u31),
    Claim("U3.2", FIG3, "The MA-FPA gap shrinks as M grows (a fixed D leaves less room to move).",
          "for each receiver, the paired gap MA - FPA never rises by > 3 s.e. from one M to the next and falls "
          "by > 3 s.e. (one step or M_min to M_max); partly if only M_min to M_max holds for all three", _u32),
]
