"""Claims of Hu et al. (two-timescale MA uplink) checked on the data of fig2_span and fig3_antennas.

Ids and rules follow the uplink section of the project's claims list. ``s.e.`` of a curve at a
point is the standard error over trials (with one trial: the Monte Carlo standard error of that
trial's ergodic-rate estimate, the ``*_se`` outputs of the scripts). Every verdict is computed
from the sweep data by the rule written next to the claim.
"""
from __future__ import annotations

import math

import numpy as np

from matoolbox.reproduce import Claim

RECEIVERS = ("zf", "mmse", "mmse_sic")
NAMES = {"zf": "ZF", "mmse": "MMSE", "mmse_sic": "MMSE-SIC"}
FIG2, FIG3 = "fig2_span", "fig3_antennas"


def xs(res, x):
    """Sorted values of grid parameter ``x``."""
    return sorted({p[x] for p in res.points})


def mean(res, key, **p):
    return float(res.mean(key, **p))


def se(res, key, **p):
    """Standard error over trials; with a single trial the MC s.e. of the estimate."""
    s = float(res.stderr(key, **p))
    if math.isfinite(s) and len(res.values(key, **p)) > 1:
        return s
    try:
        mc = float(np.nanmean(res.values(key + "_se", **p)))
    except KeyError:
        return 0.0
    return mc if math.isfinite(mc) else 0.0


def curve(res, key, x):
    pts = xs(res, x)
    return (np.array([mean(res, key, **{x: v}) for v in pts]), np.array([se(res, key, **{x: v}) for v in pts]), pts)


def nondecreasing(m, s):
    """Every step >= -3 s.e. (s.e. of the difference from the two points)."""
    steps = np.diff(m)
    tol = 3 * np.sqrt(s[1:] ** 2 + s[:-1] ** 2)
    return bool(np.all(steps >= -tol)), float(np.min(steps)) if steps.size else 0.0


def _u01(results):
    ok, strict, n, worst, se_max = True, 0, 0, math.inf, 0.0
    for fig, x in ((FIG2, "D"), (FIG3, "M")):
        res = results[fig]
        for r in RECEIVERS:
            ma, sa, pts = curve(res, f"ma_{r}", x)
            fp, sf, _ = curve(res, f"fpa_{r}", x)
            d, tol = ma - fp, 3 * np.sqrt(sa ** 2 + sf ** 2)
            ok &= bool(np.all(d >= -tol))
            strict += int(np.any(d > tol))
            n += 1
            worst = min(worst, float(np.min(d)))
            se_max = max(se_max, float(np.max(np.sqrt(sa ** 2 + sf ** 2))))
    g2 = {r: mean(results[FIG2], f"ma_{r}") - mean(results[FIG2], f"fpa_{r}") for r in RECEIVERS}
    verdict = "reproduced" if ok and strict == n else ("partly" if ok or strict else "not reproduced")
    return verdict, ("mean MA-FPA gain over Fig. 2 points: " + ", ".join(f"{NAMES[r]} {g:+.2f}" for r, g in g2.items())
                     + f"; smallest MA-FPA difference {worst:+.2f}; strictly better somewhere for {strict}/{n} curves"
                     + f"; largest s.e. of a difference {se_max:.3f}")


def _u02(results):
    bad, n = 0, 0
    for fig, x in ((FIG2, "D"), (FIG3, "M")):
        res = results[fig]
        for lay in ("ma", "fpa"):
            z, sz, _ = curve(res, f"{lay}_zf", x)
            m, sm, _ = curve(res, f"{lay}_mmse", x)
            s, ss, _ = curve(res, f"{lay}_mmse_sic", x)
            n += z.size
            bad += int(np.sum((m < z - 3 * np.sqrt(sz ** 2 + sm ** 2)) | (s < m - 3 * np.sqrt(sm ** 2 + ss ** 2))))
    res = results[FIG2]
    f = [mean(res, f"fpa_{r}") for r in RECEIVERS]
    return ("reproduced" if bad == 0 else "not reproduced",
            f"ordering SIC >= MMSE >= ZF violated at {bad} of {n} (layout, point) pairs; Fig. 2 FPA means "
            f"ZF {f[0]:.2f} <= MMSE {f[1]:.2f} <= SIC {f[2]:.2f}")


def _u21(results):
    res = results[FIG2]
    rise, mono, txt = 0, 0, []
    for r in RECEIVERS:
        m, s, pts = curve(res, f"ma_{r}", "D")
        rise += int(m[1] > m[0] + 3 * math.hypot(s[0], s[1]))
        ok, _ = nondecreasing(m, s)
        mono += int(ok)
        txt.append(f"{NAMES[r]} {m[0]:.2f} -> {m[1]:.2f}")
    verdict = "reproduced" if rise == 3 and mono == 3 else ("partly" if rise >= 1 else "not reproduced")
    return verdict, (f"MA at D = {pts[0]:g} -> {pts[1]:g}: " + ", ".join(txt)
                     + f"; rises: {rise}/3, non-decreasing: {mono}/3")


def _u22(results):
    res = results[FIG2]
    ok_last, ok_band, txt = 0, 0, []
    for r in RECEIVERS:
        m, s, pts = curve(res, f"ma_{r}", "D")
        last = abs(m[-1] - m[-2])
        ok_last += int(last <= max(3 * math.hypot(s[-1], s[-2]), 0.01 * abs(m[-1])))
        upper = m[len(m) // 2:]
        spread = (upper.max() - upper.min()) / abs(upper.mean())
        ok_band += int(spread <= 0.02)
        txt.append(f"{NAMES[r]} last step {last:.3f}, upper-half spread {100 * spread:.2f} %")
    verdict = "reproduced" if ok_last == ok_band == 3 else ("partly" if ok_last + ok_band >= 3 else "not reproduced")
    return verdict, "; ".join(txt)


def _u23(results):
    res = results[FIG2]
    flat, below, txt = 0, 0, []
    for r in RECEIVERS:
        f, sf, _ = curve(res, f"fpa_{r}", "D")
        m, sm, _ = curve(res, f"ma_{r}", "D")
        ptp = float(np.ptp(f))
        flat += int(ptp <= max(3 * float(np.max(sf)), 1e-9))
        below += int(np.all(f < m))
        txt.append(f"{NAMES[r]} FPA range {ptp:.3g}")
    verdict = "reproduced" if flat == below == 3 else ("partly" if flat == 3 or below == 3 else "not reproduced")
    return verdict, "; ".join(txt) + f"; FPA below MA at every D for {below}/3 receivers"


def _u24(results):
    res = results[FIG2]
    pts = xs(res, "D")
    D = pts[-1]
    gap = mean(res, "ma_zf", D=D) - mean(res, "fpa_zf", D=D)
    g = math.hypot(se(res, "ma_zf", D=D), se(res, "fpa_zf", D=D))
    ratio = gap / 3.5
    verdict = "reproduced" if 0.5 <= ratio <= 2.0 else "not reproduced"
    return verdict, f"MA+ZF - FPA+ZF at D = {D:g}: {gap:.2f} (s.e. {g:.3f}) bit/s/Hz (ratio to 3.5: {ratio:.2f})"


def _u31(results):
    res = results[FIG3]
    ok, txt = 0, []
    for lay in ("ma", "fpa"):
        for r in RECEIVERS:
            m, s, pts = curve(res, f"{lay}_{r}", "M")
            good, worst = nondecreasing(m, s)
            ok += int(good)
            if not good:
                txt.append(f"{lay.upper()}+{NAMES[r]} min step {worst:.2f}")
    verdict = "reproduced" if ok == 6 else ("partly" if ok >= 4 else "not reproduced")
    return verdict, f"non-decreasing in M for {ok}/6 curves" + (f" ({'; '.join(txt)})" if txt else "")


def _u32(results):
    res = results[FIG3]
    mono, ends, txt = 0, 0, []
    for r in RECEIVERS:
        m, sm, pts = curve(res, f"ma_{r}", "M")
        f, sf, _ = curve(res, f"fpa_{r}", "M")
        gap, sg = m - f, np.sqrt(sm ** 2 + sf ** 2)
        steps = np.diff(gap)
        mono += int(np.all(steps <= 3 * np.sqrt(sg[1:] ** 2 + sg[:-1] ** 2)))
        ends += int(gap[-1] < gap[0])
        txt.append(f"{NAMES[r]} gap {gap[0]:.2f} (M={pts[0]}) -> {gap[-1]:.2f} (M={pts[-1]})")
    verdict = "reproduced" if mono == ends == 3 else ("partly" if ends == 3 else "not reproduced")
    return verdict, "; ".join(txt) + f"; non-increasing for {mono}/3"


CLAIMS = [
    Claim("U0.1", FIG2, "The MA array gives significant gains over the FPA array.",
          "for each receiver X, mean(MA+X) >= mean(FPA+X) - 3 s.e. at every point of both sweeps "
          "(Figs. 2 and 3), and strictly greater (by more than 3 s.e.) at one point or more", _u01),
    Claim("U0.2", FIG2, "MMSE beats ZF, and MMSE-SIC further alleviates inter-user interference.",
          "MMSE-SIC >= MMSE >= ZF (within 3 s.e.) for both layouts at every point of both sweeps", _u02),
    Claim("U2.1", FIG2, "The MA curves rise as D grows over a small range.",
          "for each MA curve, mean at the second-smallest D > mean at the smallest D + 3 s.e., and "
          "non-decreasing over the grid (every step >= -3 s.e.)", _u21),
    Claim("U2.2", FIG2, "The MA curves then converge; a finite D is enough.",
          "each MA curve changes by <= max(3 s.e., 1 %) between its last two D values, and stays "
          "within 2 % over the upper half of the grid", _u22),
    Claim("U2.3", FIG2, "The FPA curves are poor and do not depend on D.",
          "max - min over D of each FPA curve <= 3 s.e. (0 with shared evaluation draws), and each "
          "FPA curve below its MA curve at every D", _u23),
    Claim("U2.4", FIG2, "The gap between MA+ZF and FPA+ZF is about 3.5 bits/s/Hz.",
          "mean(MA+ZF) - mean(FPA+ZF) at the largest (saturated) D within a factor of 2 of 3.5", _u24),
    Claim("U3.1", FIG3, "Every curve improves with M (receive diversity).",
          "all six curves non-decreasing in M (every step >= -3 s.e.); partly if >= 4 of 6", _u31),
    Claim("U3.2", FIG3, "The MA-FPA gap shrinks as M grows (a fixed D leaves less room to move).",
          "for each receiver, gap = mean(MA) - mean(FPA) non-increasing in M (steps <= 3 s.e.) and "
          "gap(M_max) < gap(M_min); partly if only the end points hold", _u32),
]
