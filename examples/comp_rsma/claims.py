"""Claims of Amhaz et al. (CoMP-RSMA with MAs, arXiv 2502.17389) and the rules that check them on
the figure scripts' data (ids as in the project's claims list: C0.x headline, C2.x-C7.x figures).

Figures 3-7 are swept under each interference model (a grid parameter of the scripts, default
"coherent" and "paper"); every claim on them is checked once per model, with the model in the id,
e.g. ``C3.5 (paper)``. A model that was not swept gives "not run". Means are over the draws
feasible for every scheme of the figure (keys ``<scheme>``); infeasibility uses the per-scheme
flags; trends on QoS-limited sweeps pair draws feasible at both adjacent points (``<scheme> own``).
"Non-decreasing" means every step >= -3 s.e. (s.e. of the paired differences). A number is
"reproduced" when measured/paper lies in 0.75-1.25 (unless another band is stated), "partly" when
only the direction (the shape) holds. T8.1 is a toolbox claim (not the paper's) on fig8.
"""
from __future__ import annotations

import math

import numpy as np

from matoolbox.reproduce import Claim

MODELS = ("coherent", "paper", "noncoherent")


# ------------------------------------------------------------------ data helpers -------------
def _models(res):
    vals = {json_val for json_val in (r.get("interference") for r in res.rows)}
    return [m for m in MODELS if m in vals]


def _xs(res, x, model):
    return sorted({r[x] for r in res.rows if r.get("interference") == model})


def _vals(res, key, model, **p):
    return res.values(key, interference=model, **p)


def _mean_se(v):
    v = v[np.isfinite(v)]
    if v.size == 0:
        return math.nan, math.nan
    return float(v.mean()), (float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else 0.0)


def _curve(res, key, x, model):
    xs = _xs(res, x, model)
    ms = [_mean_se(_vals(res, key, model, **{x: v})) for v in xs]
    return xs, np.array([m for m, _ in ms]), np.array([s for _, s in ms])


def _inf(res, scheme, x, model):
    xs = _xs(res, x, model)
    return xs, np.array([np.nanmean(_vals(res, f"infeasible {scheme}", model, **{x: v})) for v in xs])


def _monotone(res, key, x, model, sign=+1):
    """(ok, worst step in s.e.) for every adjacent pair of x, paired over draws finite at both."""
    xs = _xs(res, x, model)
    worst = math.inf
    for a, b in zip(xs, xs[1:]):
        va, vb = _vals(res, key, model, **{x: a}), _vals(res, key, model, **{x: b})
        ok = np.isfinite(va) & np.isfinite(vb)
        if ok.sum() == 0:
            continue
        d = sign * (vb[ok] - va[ok])
        se = float(d.std(ddof=1) / math.sqrt(d.size)) if d.size > 1 else 0.0
        z = float(d.mean()) / se if se > 0 else (math.inf if d.mean() >= -1e-9 else -math.inf)
        worst = min(worst, z)
    return worst >= -3.0, worst


def _band(measured, paper, lo=0.75, hi=1.25):
    return math.isfinite(measured) and lo <= measured / paper <= hi


def _fmt(a):
    return "[" + ", ".join("nan" if not math.isfinite(v) else f"{v:.3g}" for v in np.atleast_1d(a)) + "]"


def _need(results, fig, model):
    res = results[fig]
    if model not in _models(res):
        raise LookupError(f"interference model {model!r} not swept in {fig} (swept: {_models(res)})")
    return res


# ------------------------------------------------------------------ per-figure checks ---------
def _c3_1(results, m):
    res = _need(results, "fig3_power", m)
    keys = [k for k in ("RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA", "GML") if k in res.output_keys]
    out = {k: _monotone(res, k, "pmax_dbm", m) for k in keys}
    n_ok = sum(ok for ok, _ in out.values())
    v = "reproduced" if n_ok == len(keys) else ("partly" if n_ok >= len(keys) / 2 else "not reproduced")
    return v, "; ".join(f"{k}: worst step {z:.2g} s.e." for k, (_, z) in out.items())


def _best_curve(res, fig, x, m, best, others, strict_vs="SDMA-MA"):
    xs, mb, sb = _curve(res, best, x, m)
    ok, strict, parts = True, False, []
    for o in others:
        if o not in res.output_keys:
            continue
        _, mo, so = _curve(res, o, x, m)
        gap = mb - mo
        se = np.sqrt(sb ** 2 + so ** 2)
        ok &= bool(np.all(gap >= -3 * se - 1e-9))
        if o == strict_vs:
            strict = bool(np.any(gap > 3 * se + 1e-9))
        parts.append(f"{best}-{o} {_fmt(gap)}")
    v = "reproduced" if ok and strict else ("partly" if ok else "not reproduced")
    return v, f"{x}={_fmt(xs)}: " + "; ".join(parts) + ("" if strict else f" (never above {strict_vs} by 3 s.e.)")


def _ratio(res, a, b, x, m):
    xs, ma_, _ = _curve(res, a, x, m)
    _, mb, _ = _curve(res, b, x, m)
    return xs, ma_ / mb


def _c3_3(results, m, a="RSMA-MA", b="RSMA-FPA", paper=1.8):
    res = _need(results, "fig3_power", m)
    xs, r = _ratio(res, a, b, "pmax_dbm", m)
    top = r[-1]
    shape = bool(np.all(r > 1)) and bool(np.nanargmax(r) == len(r) - 1)
    v = "reproduced" if shape and _band(top, paper) else ("partly" if np.all(r > 1) else "not reproduced")
    return v, f"{a}/{b} at P={_fmt(xs)} dBm: {_fmt(r)}; at {xs[-1]} dBm {top:.3f} (paper {paper})"


def _c3_5(results, m):
    res = _need(results, "fig3_power", m)
    xs, r = _ratio(res, "RSMA-MA", "SDMA-MA", "pmax_dbm", m)
    ok, _ = _best_curve(res, "fig3_power", "pmax_dbm", m, "RSMA-MA", ["SDMA-MA"])
    top = float(np.nanmax(r))
    v = "reproduced" if _band(top, 2.8) else ("partly" if top >= 1.05 else "not reproduced")
    return v, f"RSMA-MA/SDMA-MA at P={_fmt(xs)}: {_fmt(r)}; max {top:.3f} = +{100 * (top - 1):.0f} % (paper +180 %)"


def _gml_ratio(results, m, every=True):
    res = _need(results, "fig3_power", m)
    ref = "RSMA-MA ref" if "RSMA-MA ref" in res.output_keys else "RSMA-MA"
    xs, r = _ratio(res, "GML", ref, "pmax_dbm", m)
    lo = float(np.nanmin(r))
    v = "reproduced" if lo >= 0.97 else ("partly" if lo >= 0.95 else "not reproduced")
    starts = res.points[0].get("reference_starts", 0) if ref != "RSMA-MA" else 0
    what = (f"multistart SLSQP, {starts} random starts + the schemes' solutions as warm starts; paper: fmincon, 100"
            if starts else "AO stands in: no multistart reference ran")
    return v, f"GML/{ref} ({what}) at P={_fmt(xs)}: {_fmt(r)}; min {lo:.3f}"


def _c3_7(results, m):
    res = _need(results, "fig3_power", m)
    xs = _xs(res, "pmax_dbm", m)
    parts, ok = [], True
    for k in ("RSMA-MA", "SDMA-MA"):
        a, b = _vals(res, k, m, pmax_dbm=xs[-2]), _vals(res, k, m, pmax_dbm=xs[-1])
        f = np.isfinite(a) & np.isfinite(b)
        d = b[f] - a[f]
        se = float(d.std(ddof=1) / math.sqrt(d.size)) if d.size > 1 else math.inf
        ok &= bool(d.size and d.mean() > 3 * se)
        parts.append(f"{k} +{d.mean():.3g} (s.e. {se:.2g})" if d.size else f"{k}: no paired draws")
    return ("reproduced" if ok else "not reproduced"), f"last step {xs[-2]}->{xs[-1]} dBm: " + "; ".join(parts)


def _all_sweeps(results, m):
    for fig, x in (("fig3_power", "pmax_dbm"), ("fig4_rate_threshold", "rth"), ("fig5_antennas", "I"),
                   ("fig6_users", "K"), ("fig7_bss", "N")):
        res = results.get(fig)
        if res is not None and m in _models(res):
            yield fig, x, res


def _c0_max(results, m, a, b, paper):
    best, where = -math.inf, ""
    for fig, x, res in _all_sweeps(results, m):
        if a in res.output_keys and b in res.output_keys:
            xs, r = _ratio(res, a, b, x, m)
            if np.any(np.isfinite(r)) and np.nanmax(r) > best:
                i = int(np.nanargmax(r))
                best, where = float(r[i]), f"{fig} {x}={xs[i]}"
    if not math.isfinite(best):
        raise LookupError(f"no sweep under {m!r} has both {a} and {b}")
    v = "reproduced" if _band(best, paper) else ("partly" if best >= 1.05 else "not reproduced")
    return v, f"max {a}/{b} = {best:.3f} (+{100 * (best - 1):.0f} %) at {where}; paper {paper}"


def _c0_5(results, m):
    parts, ok = [], True
    for fig, x in (("fig3_power", "pmax_dbm"), ("fig5_antennas", "I")):
        res = _need(results, fig, m)
        xs, rr = _ratio(res, "RSMA-MA", "RSMA-FPA", x, m)
        _, rs = _ratio(res, "SDMA-MA", "SDMA-FPA", x, m)
        sel = slice(-1, None) if fig == "fig3_power" else slice(None)
        ok &= bool(np.all(rr[sel] > rs[sel]))
        parts.append(f"{fig}: RSMA MA/FPA {_fmt(rr[sel])} vs SDMA {_fmt(rs[sel])}")
    return ("reproduced" if ok else "not reproduced"), "; ".join(parts)


def _onset(res, scheme, m):
    xs, f = _inf(res, scheme, "rth", m)
    hit = [x for x, v in zip(xs, f) if v >= 0.05]
    return (hit[0] if hit else math.inf), xs, f


def _c4_1(results, m):
    res = _need(results, "fig4_rate_threshold", m)
    out = {k: _monotone(res, f"{k} own", "rth", m, sign=-1) for k in ("RSMA-MA", "RSMA-FPA", "SDMA-MA")}
    v = "reproduced" if all(ok for ok, _ in out.values()) else "not reproduced"
    return v, "; ".join(f"{k}: worst step {z:.2g} s.e." for k, (_, z) in out.items())


def _c4_onset(results, m, scheme, paper, before=None):
    res = _need(results, "fig4_rate_threshold", m)
    on, xs, f = _onset(res, scheme, m)
    msg = f"inf({scheme}) at R_th={_fmt(xs)}: {_fmt(f)}; onset {on}"
    shape = True
    if before is not None:
        on2 = _onset(res, before, m)[0]
        shape = on2 < on
        msg += f"; onset({before}) {on2}"
    near = math.isfinite(on) and abs(on - paper) <= 0.2 + 1e-9
    v = "reproduced" if near and shape else ("partly" if math.isfinite(on) and shape else "not reproduced")
    return v, msg + f" (paper {paper})"


def _c4_4(results, m):
    res = _need(results, "fig4_rate_threshold", m)
    xs, fm = _inf(res, "RSMA-MA", "rth", m)
    ok = all(np.all(fm <= _inf(res, o, "rth", m)[1] + 1e-12) for o in ("RSMA-FPA", "SDMA-MA"))
    v2, msg = _best_curve(res, "fig4_rate_threshold", "rth", m, "RSMA-MA", ["RSMA-FPA", "SDMA-MA"])
    v = "reproduced" if ok and v2 != "not reproduced" else ("partly" if ok or v2 != "not reproduced" else "not reproduced")
    return v, f"inf(RSMA-MA) {_fmt(fm)}, inf(RSMA-FPA) {_fmt(_inf(res, 'RSMA-FPA', 'rth', m)[1])}, " \
              f"inf(SDMA-MA) {_fmt(_inf(res, 'SDMA-MA', 'rth', m)[1])}; {msg}"


def _c5_1(results, m):
    res = _need(results, "fig5_antennas", m)
    keys = ("RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA")
    mono = all(_monotone(res, k, "I", m)[0] for k in keys)
    rise = {k: _curve(res, k, "I", m)[1][-1] - _curve(res, k, "I", m)[1][0] for k in keys}
    shape = min(rise["RSMA-MA"], rise["RSMA-FPA"]) > max(rise["SDMA-MA"], rise["SDMA-FPA"])
    v = "reproduced" if mono and shape else ("partly" if mono or shape else "not reproduced")
    return v, "rise I_min->I_max: " + ", ".join(f"{k} {d:.3g}" for k, d in rise.items()) + f"; monotone {mono}"


def _c5_ratio(results, m, which, paper):
    res = _need(results, "fig5_antennas", m)
    xs, r = _ratio(res, "RSMA-MA", "RSMA-FPA", "I", m)
    i = 0 if which == "min" else -1
    shape = bool(r[-1] < r[0]) if which == "max" else bool(r[0] > 1)
    v = "reproduced" if _band(r[i], paper) and shape else ("partly" if shape else "not reproduced")
    return v, f"RSMA-MA/RSMA-FPA at I={_fmt(xs)}: {_fmt(r)}; at I={xs[i]}: {r[i]:.3f} (paper {paper} at I={4 if i == 0 else 12})"


def _c6_1(results, m):
    res = _need(results, "fig6_users", m)
    out = {k: _monotone(res, f"{k} own", "K", m, sign=-1) for k in ("RSMA-MA", "RSMA-FPA", "SDMA-MA")}
    v = "reproduced" if all(ok for ok, _ in out.values()) else "not reproduced"
    return v, "; ".join(f"{k}: worst step {z:.2g} s.e." for k, (_, z) in out.items())


def _c6_2(results, m):
    res = _need(results, "fig6_users", m)
    f = {k: _inf(res, k, "K", m)[1][-1] for k in ("RSMA-MA", "RSMA-FPA", "SDMA-MA")}
    kmax = _xs(res, "K", m)[-1]
    shape = f["RSMA-MA"] < f["RSMA-FPA"] and f["RSMA-MA"] < f["SDMA-MA"]
    strict = shape and f["RSMA-FPA"] >= 0.5 and f["SDMA-MA"] >= 0.5 and f["RSMA-MA"] < 0.5
    v = "reproduced" if strict else ("partly" if shape else "not reproduced")
    return v, f"infeasible share at K={kmax}: " + ", ".join(f"{k} {x:.2f}" for k, x in f.items())


def _c7_1(results, m):
    res = _need(results, "fig7_bss", m)
    out = {k: _monotone(res, k, "N", m) for k in ("RSMA-MA", "RSMA-FPA", "SDMA-MA")}
    v = "reproduced" if all(ok for ok, _ in out.values()) else "not reproduced"
    return v, "; ".join(f"{k}: worst step {z:.2g} s.e." for k, (_, z) in out.items())


def _c7_3(results, m):
    res = _need(results, "fig7_bss", m)
    xs, a, _ = _curve(res, "SDMA-MA", "N", m)
    _, b, _ = _curve(res, "RSMA-FPA", "N", m)
    d = a - b
    v = "reproduced" if d[-1] > 0 and d[-1] > d[0] else ("partly" if d[-1] > d[0] else "not reproduced")
    return v, f"SDMA-MA - RSMA-FPA at N={_fmt(xs)}: {_fmt(d)}"


def _c7_4(results, m):
    res = _need(results, "fig7_bss", m)
    xs, r = _ratio(res, "RSMA-MA", "SDMA-MA", "N", m)
    nonincr = bool(np.all(np.diff(r) <= 1e-9))
    v = "reproduced" if r[-1] <= 1.1 and nonincr else ("partly" if r[-1] <= 1.1 else "not reproduced")
    return v, f"RSMA-MA/SDMA-MA at N={_fmt(xs)}: {_fmt(r)}"


def _c7_5(results, m, target=25.0):
    res = _need(results, "fig7_bss", m)
    xs, ra, _ = _curve(res, "RSMA-MA", "N", m)
    _, sa, _ = _curve(res, "SDMA-MA", "N", m)

    def first(curve, level):
        hit = [x for x, v in zip(xs, curve) if v >= level - 1e-9]
        return hit[0] if hit else math.inf
    ref = ra[xs.index(3)] if 3 in xs else math.nan
    shape = math.isfinite(ref) and first(ra, ref) < first(sa, ref)
    num = 3 in xs and 4 in xs and _band(ref / sa[xs.index(4)], 1.0, 0.9, 1.1) and _band(ref, target, 0.9, 1.1)
    v = "reproduced" if num and shape else ("partly" if shape else "not reproduced")
    return v, (f"means at N={_fmt(xs)}: RSMA-MA {_fmt(ra)}, SDMA-MA {_fmt(sa)}; BSs for {target:g} bit/s/Hz: "
               f"RSMA-MA {first(ra, target)}, SDMA-MA {first(sa, target)}; for RSMA-MA(N=3)={ref:.3g}: "
               f"RSMA-MA {first(ra, ref)}, SDMA-MA {first(sa, ref)}")


def _c2(results, which):
    r = results["fig2_convergence"]
    h = np.asarray(r["current"], float)
    n = h.size
    head, tail = h[:max(1, n // 10)], h[-max(1, n // 10):]
    if which == 1:
        lo = float(np.nanmin(head))
        ok = lo < h[0] and lo < h[-1]
        return ("reproduced" if ok and _band(lo, 2.0, 0.5, 1.5) else ("partly" if ok else "not reproduced"),
                f"history[0] {h[0]:.3g}, min over first 10 % {lo:.3g}, final {h[-1]:.3g} (paper dip to about 2)")
    final = float(np.nanmean(tail))
    cv = float(np.nanstd(tail) / final)
    it95 = int(np.argmax(h >= 0.95 * final)) + 1 if np.any(h >= 0.95 * final) else -1
    v = "reproduced" if _band(final, 13.8, 0.9, 1.1) and cv < 0.02 else ("partly" if cv < 0.02 else "not reproduced")
    return v, f"mean of last 10 % {final:.3f} (paper 13.8), std/mean {cv:.3%}, 95 % of final first at iteration {it95} of {n}"


def _t8_1(results, m):
    res = _need(results, "fig8_rsma_regime", m)
    xs, r = _ratio(res, "RSMA-MA", "SDMA-MA", "I", m)
    share = [float(np.nanmean(_vals(res, "common share RSMA-MA", m, I=v))) for v in xs]
    low = [i for i, v in enumerate(xs) if 2 * v < 4]
    ok = bool(low) and all(r[i] > 1.05 and share[i] > 0.01 for i in low)
    return ("reproduced" if ok else "not reproduced"), \
        f"RSMA-MA/SDMA-MA at I={_fmt(xs)} (N=2, K=4): {_fmt(r)}; common-stream power share {_fmt(share)}"


# ------------------------------------------------------------------ the claims ----------------
_PER_MODEL = [
    ("C0.1", "fig3_power", "GML reaches more than 97 % of the optimal sum rate.",
     "min over P of mean(GML)/mean(RSMA-MA ref) >= 0.97 (>= 0.95: partly)", _gml_ratio),
    ("C0.2", "fig3_power", "RSMA-MA gains up to 190 % over SDMA.",
     "max over all sweep points of mean(RSMA-MA)/mean(SDMA-MA) within 0.75-1.25 of 2.9 (>= 1.05: partly)",
     lambda res, m: _c0_max(res, m, "RSMA-MA", "SDMA-MA", 2.9)),
    ("C0.3", "fig3_power", "RSMA-MA gains up to 80 % over RSMA-FPA.",
     "max over all sweep points of mean(RSMA-MA)/mean(RSMA-FPA) within 0.75-1.25 of 1.8 (>= 1.05: partly)",
     lambda res, m: _c0_max(res, m, "RSMA-MA", "RSMA-FPA", 1.8)),
    ("C0.5", "fig5_antennas", "The MA gain is larger with RSMA than with SDMA.",
     "RSMA-MA/RSMA-FPA > SDMA-MA/SDMA-FPA at the highest P of Fig. 3 and at every I of Fig. 5", _c0_5),
    ("C3.1", "fig3_power", "Every curve increases with power.", "each curve non-decreasing in P", _c3_1),
    ("C3.2", "fig3_power", "RSMA-MA is the best curve.",
     "mean(RSMA-MA) >= every other curve - 3 s.e. at every P; reproduced if also > SDMA-MA + 3 s.e. somewhere",
     lambda res, m: _best_curve(_need(res, "fig3_power", m), "fig3_power", "pmax_dbm", m, "RSMA-MA",
                                ["RSMA-FPA", "SDMA-MA", "SDMA-FPA"])),
    ("C3.3", "fig3_power", "RSMA-MA beats RSMA-FPA by up to 80 %, reached at 37 dBm.",
     "ratio at the top P within 0.75-1.25 of 1.8, > 1 at every P and largest at the top", _c3_3),
    ("C3.4", "fig3_power", "SDMA-MA beats SDMA-FPA by 48 % at 37 dBm.",
     "ratio at the top P within 0.75-1.25 of 1.48, > 1 at every P and largest at the top",
     lambda res, m: _c3_3(res, m, "SDMA-MA", "SDMA-FPA", 1.48)),
    ("C3.5", "fig3_power", "RSMA-MA beats SDMA-MA by up to 180 %.",
     "max over P of mean(RSMA-MA)/mean(SDMA-MA) within 0.75-1.25 of 2.8 (>= 1.05: partly)", _c3_5),
    ("C3.6", "fig3_power", "GML is above 97 % of fmincon with 100 initial points.",
     "mean(GML)/mean(RSMA-MA ref) >= 0.97 at every P (>= 0.95: partly)", _gml_ratio),
    ("C3.7", "fig3_power", "MAs overcome the interference ceiling at high power.",
     "RSMA-MA and SDMA-MA still rise on the last power step by > 3 s.e. (paired draws)", _c3_7),
    ("C4.1", "fig4_rate_threshold", "All three curves fall as R_th grows.",
     "non-increasing in R_th, paired over draws feasible at both adjacent points", _c4_1),
    ("C4.2", "fig4_rate_threshold", "RSMA-FPA starts giving infeasible solutions at 1 bps/Hz.",
     "onset (first R_th with inf >= 5 %) of RSMA-FPA within 0.2 of 1.0", lambda res, m: _c4_onset(res, m, "RSMA-FPA", 1.0)),
    ("C4.3", "fig4_rate_threshold", "SDMA-MA starts giving infeasible solutions at 1.4 bps/Hz, after RSMA-FPA.",
     "onset of SDMA-MA within 0.2 of 1.4 and onset(RSMA-FPA) < onset(SDMA-MA)",
     lambda res, m: _c4_onset(res, m, "SDMA-MA", 1.4, before="RSMA-FPA")),
    ("C4.4", "fig4_rate_threshold", "RSMA-MA is the most robust to the QoS requirement.",
     "inf(RSMA-MA) <= inf of both others at every R_th, and RSMA-MA >= the others - 3 s.e. where all are feasible", _c4_4),
    ("C5.1", "fig5_antennas", "Both RSMA curves rise strongly with I, both SDMA curves conservatively.",
     "all four non-decreasing in I and the rise I_min->I_max larger for both RSMA curves than for both SDMA curves", _c5_1),
    ("C5.2", "fig5_antennas", "The MA gain between the RSMA curves is about 87 % at 4 antennas.",
     "mean(RSMA-MA)/mean(RSMA-FPA) at the smallest I within 0.75-1.25 of 1.87", lambda res, m: _c5_ratio(res, m, "min", 1.87)),
    ("C5.3", "fig5_antennas", "That gain falls to about 60 % at 12 antennas.",
     "the ratio at the largest I within 0.75-1.25 of 1.60 and below the ratio at the smallest I",
     lambda res, m: _c5_ratio(res, m, "max", 1.60)),
    ("C6.1", "fig6_users", "All three curves fall as K grows.", "non-increasing in K (paired feasible draws)", _c6_1),
    ("C6.2", "fig6_users", "RSMA-MA stays feasible at six users; the other two fail their QoS.",
     "at the largest K inf(RSMA-MA) < inf of both others (reproduced if also both >= 0.5 and RSMA-MA < 0.5)", _c6_2),
    ("C7.1", "fig7_bss", "Every curve increases with N.", "non-decreasing in N", _c7_1),
    ("C7.2", "fig7_bss", "RSMA-MA is the best curve.",
     "mean(RSMA-MA) >= the others - 3 s.e. at every N; reproduced if also > SDMA-MA + 3 s.e. somewhere",
     lambda res, m: _best_curve(_need(res, "fig7_bss", m), "fig7_bss", "N", m, "RSMA-MA", ["RSMA-FPA", "SDMA-MA"])),
    ("C7.3", "fig7_bss", "SDMA-MA overtakes RSMA-FPA as N grows.",
     "mean(SDMA-MA) - mean(RSMA-FPA) > 0 at N_max and larger than at N_min", _c7_3),
    ("C7.4", "fig7_bss", "RSMA-MA and SDMA-MA give close results at 5 BSs.",
     "RSMA-MA/SDMA-MA at N_max <= 1.1 and non-increasing in N", _c7_4),
    ("C7.5", "fig7_bss", "RSMA-MA reaches 25 bps/Hz with 3 BSs; SDMA-MA needs 4 (fewer BSs, also C0.4).",
     "RSMA-MA(N=3) and SDMA-MA(N=4) within 10 % of 25 and of each other; shape: the smallest N reaching "
     "mean(RSMA-MA, N=3) is smaller for RSMA-MA", _c7_5),
    ("T8.1", "fig8_rsma_regime", "(toolbox, not the paper) With N*I < K RSMA-MA beats SDMA-MA and the common stream carries power.",
     "at every I with N*I < K: mean(RSMA-MA)/mean(SDMA-MA) > 1.05 and common-stream power share > 1 %", _t8_1),
]


def _bind(fn, model):
    return lambda results: fn(results, model)


CLAIMS = [
    Claim("C2.1", "fig2_convergence", "The GML sum rate first dips to about 2 bps/Hz, then rises.",
          "min(history over the first 10 %) < history[0] and < final; number: that minimum within 0.5-1.5 of 2",
          lambda results: _c2(results, 1)),
    Claim("C2.2", "fig2_convergence", "GML converges to a stable value of about 13.8 bps/Hz.",
          "mean of the last 10 % within 10 % of 13.8 and std/mean over it < 2 % (only the latter: partly)",
          lambda results: _c2(results, 2)),
] + [Claim(f"{cid} ({m})", fig, text, rule, _bind(fn, m))
     for m in MODELS for cid, fig, text, rule, fn in _PER_MODEL]
