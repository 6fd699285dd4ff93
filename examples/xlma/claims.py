"""Claims of Fu-Zhu-Zhang (XL-MA) checked on the data of the XL-MA figure scripts.

Ids and rules follow the XL-MA section of the project's claims list. "Analytical" is the closed
form of Theorem 1 (``<scheme>_approx``, the same in every trial), "Simul." Monte Carlo MRC
(``<scheme>_mrc``), "MMSE" Monte Carlo MMSE (``<scheme>_mmse``). The arithmetic is
:mod:`matoolbox.verdicts`, shared by every family: Monte Carlo differences are paired per trial
(with a single trial the MC s.e. of the ``*_se`` outputs stands in); "a > b" is mean(a - b) > 3 s.e.
(a tie never passes; for closed forms, a > b + 1e-6); a point without data is excluded and named;
a claim at a named L is "not run" without it; fewer than 20 trials at a point used give
"indicative". Rules on closed forms, designs and maps only (they carry "no trial count applies")
are deterministic and are not capped by the trial count. The map claims use the per-grid power /
correlation / LoS counts the map scripts return; "largest" / "smallest" there are strict.
"""
from __future__ import annotations

import math

import numpy as np

from matoolbox.reproduce import Claim
from matoolbox.verdicts import (EPS, Key, NoData, Tally, at_points, diff, exact, finish, greater, guard, key, means,
                                not_below, paired, trend)

F2A, F2B, F2C = "fig2_mrc_mmse", "fig2_region_length", "fig2_rate_vs_users"
F34, F5, F6, F7 = "fig3_fig4_maps", "fig5_obstacles", "fig6_rician", "fig7_user_distributions"
FPA7 = ("sparse", "horizontal_sparse", "vertical_sparse", "dense_ula", "dense_upa")
SCHEMES = ("proposed", "horizontal_sparse", "dense_ula")
DET = " (deterministic; no trial count applies)"


def _pts(res, x):
    return sorted(res.points, key=lambda p: p[x])


def _k(s, m):
    """Key of scheme ``s`` under metric ``m``: the closed form is exact (s.e. 0), the others Monte Carlo."""
    return exact(f"{s}_{m}") if m == "approx" else key(f"{s}_{m}")


def _det(res, k, pts):
    """[(p, value)] of a deterministic output at the points where it is finite, and the points without."""
    got = [(p, res.mean(k, **p)) for p in pts]
    return [(p, v) for p, v in got if math.isfinite(v)], [p for p, v in got if not math.isfinite(v)]


def _mean(res, p, k):
    return paired(res, p, k)[0]


def _curves_trend(res, x, keys, sign=+1, partly_at=0.5):
    got, missing = at_points(keys, lambda k: trend(res, k, _pts(res, x), sign))
    t = Tally()
    for _, tr in got:
        t.add(tr.holds, tr.n_min)
        t.skip(tr.missing)
    return t, missing


# ------------------------------------------------------------------ Fig. 2(b) and cost
@guard
def _x01(results):
    res = results[F2B]
    got, _ = _det(res, "time_optimal", _pts(res, "L"))
    if not got:
        raise NoData("no data: the exhaustive search ran at no L")
    p, te = got[-1]
    ta = res.mean("time_proposed", **p)
    return ("reproduced" if ta < te else "not reproduced",
            f"at L = {p['L']} m: Algorithm 1 {ta:.3f} s vs exhaustive {te:.2f} s ({te / ta:.0f}x)")


@guard
def _x2b1(results):
    res = results[F2B]
    got, _ = _det(res, "optimal", _pts(res, "L"))
    if not got:
        raise NoData("no data: no L with the exhaustive optimum")
    r = [(p["L"], res.mean("proposed", **p) / v) for p, v in got]
    return ("reproduced" if all(v >= 0.95 for _, v in r) else "not reproduced",
            "proposed/optimal: " + ", ".join(f"{v:.4f} (L={L})" for L, v in r))


@guard
def _x2b2(results):
    res = results[F2B]
    got, missing = at_points(_pts(res, "L"), lambda p: means(res, p, *(exact(k) for k in SCHEMES)))
    t = Tally()
    for p, (pr, hs, de, _) in got:
        t.add(pr > hs + EPS and pr > de + EPS, None,
              None if pr > max(hs, de) + EPS else f"L={p['L']}: {pr:.2f} vs HS {hs:.2f}, dense {de:.2f}")
    return finish(t.verdict(0.5), f"beats both at {t.ok}/{t.n} L" + (": fails at " + "; ".join(t.notes) if t.notes else ""),
                  None, missing)


@guard
def _x2b3(results):
    res = results[F2B]
    got, missing = _det(res, "proposed", _pts(res, "L"))
    if len(got) < 2:
        raise NoData("no data: the proposed curve has data at fewer than two L")
    m = np.array([v for _, v in got])
    mono = bool(np.all(np.diff(m) >= -0.01 * np.abs(m[:-1]))) and m[-1] > m[0] + EPS
    sat = abs(m[-1] - m[-2]) <= 0.01 * abs(m[-1])
    return finish("reproduced" if mono and sat else "partly" if mono or sat else "not reproduced",
                  "proposed: " + ", ".join(f"{v:.2f}" for v in m) + f" over L = {[p['L'] for p, _ in got]}", None, missing)


@guard
def _x2b4(results):
    res = results[F2B]
    got, _ = _det(res, "horizontal_sparse", _pts(res, "L"))
    d = {p["L"]: v for p, v in got}
    txt = "HS: " + ", ".join(f"{v:.2f} (L={L})" for L, v in d.items())
    if 61 not in d or 101 not in d:
        raise NoData(txt + " (no data: needs L = 61 and 101)")
    strong = d[101] > d[61] + EPS and all(v < d[101] - EPS for L, v in d.items() if L > 101)
    Ls, hs = list(d), list(d.values())
    i = int(np.argmax(hs))
    weak = 0 < i < len(hs) - 1
    return ("reproduced" if strong else "partly" if weak else "not reproduced", txt + f"; maximum at L = {Ls[i]}")


# ------------------------------------------------------------------ Fig. 2(a)
@guard
def _x2a1(results):
    res = results[F2A]
    t, missing = _curves_trend(res, "MH", [_k(s, m) for s in SCHEMES for m in ("approx", "mrc")])
    y, _ = _det(res, "proposed_approx", _pts(res, "MH"))
    return finish(t.verdict(0.5), f"rises in M_H for {t.ok}/{t.n} curves; proposed Analytical "
                  + ", ".join(f"{v:.2f}" for _, v in y) + f" at M_H = {[p['MH'] for p, _ in y]}", t.n_min,
                  t.nodata + missing)


@guard
def _x2a2(results):
    res = results[F2A]
    t, worst, missing = Tally(), math.inf, []
    for m in ("approx", "mrc"):
        for s in ("horizontal_sparse", "dense_ula"):
            got, miss = at_points(_pts(res, "MH"), lambda p: paired(res, p, _k("proposed", m), _k(s, m)))
            missing += miss
            for _, (d, se, n) in got:
                t.add(greater(d, se), n)
                worst = min(worst, d)
    return finish(t.verdict(0.75), f"proposed > benchmark by > 3 s.e. at {t.ok}/{t.n} (metric, benchmark, M_H) "
                                     f"points; smallest margin {worst:+.2f}", t.n_min, missing)


@guard
def _x2a3(results):
    res = results[F2A]
    errs, n_min, missing = [], math.inf, []
    for s in SCHEMES:
        got, miss = at_points(_pts(res, "MH"), lambda p: means(res, p, _k(s, "approx"), _k(s, "mrc")))
        errs += [a / m - 1 for _, (a, m, _) in got]
        n_min = min(n_min, *(n for _, (_, _, n) in got))
        missing += miss
    e = np.array(errs)
    worst = float(np.max(np.abs(e)))
    return finish("reproduced" if worst <= 0.08 else "partly" if worst <= 0.15 else "not reproduced",
                  f"Analytical/Simul. - 1 from {100 * e.min():+.1f} % to {100 * e.max():+.1f} % (closed form biased "
                  "low, see the theory page)", n_min, missing)


# ------------------------------------------------------------------ Fig. 2(c)
@guard
def _x2c1(results):
    res = results[F2C]
    t, missing = _curves_trend(res, "Kbar", [_k(s, m) for s in SCHEMES for m in ("approx", "mrc", "mmse")])
    return finish(t.verdict(0.5), f"rises in Kbar for {t.ok}/{t.n} curves", t.n_min, t.nodata + missing)


@guard
def _x2c2(results):
    res = results[F2C]
    beat, grow, txt, missing = Tally(), Tally(), [], []
    for m in ("mrc", "mmse"):
        for s in ("horizontal_sparse", "dense_ula"):
            d = diff(_k("proposed", m), _k(s, m))
            got, miss = at_points(_pts(res, "Kbar"), lambda p: paired(res, p, d))
            beat.add(all(greater(g, se) for _, (g, se, _) in got), min(n for _, (_, _, n) in got))
            tr = trend(res, d, _pts(res, "Kbar"))
            grow.add(tr.end is not None and greater(*tr.end[:2]), tr.n_min)
            missing += miss
            txt.append(f"{m.upper()} vs {s}: gap {got[0][1][0]:+.2f} -> {got[-1][1][0]:+.2f}")
    v = "reproduced" if beat.all and grow.all else "partly" if beat.all else "not reproduced"
    return finish(v, "; ".join(txt), min(beat.n_min, grow.n_min), missing)


@guard
def _x2c3(results):
    res = results[F2C]
    ub = exact("proposed_ub")
    got, missing = at_points(_pts(res, "Kbar"), lambda p: (paired(res, p, "proposed_mmse", ub),
                                                            means(res, p, "proposed_mmse", ub)))
    below = all(not_below(-d, s) for _, ((d, s, _), _) in got)
    ratio = [m / u for _, (_, (m, u, _)) in got]
    return finish("reproduced" if below and min(ratio) >= 0.9 else "partly" if below else "not reproduced",
                  "proposed MMSE / UB: " + ", ".join(f"{r:.3f}" for r in ratio)
                  + f" at Kbar = {[p['Kbar'] for p, _ in got]}", min(n for _, ((_, _, n), _) in got), missing)


# ------------------------------------------------------------------ maps (Figs. 3-5)
def _split(xcoords):
    x = np.sort(np.asarray(xcoords, float))
    i = int(np.argmax(np.diff(x)))
    return x[: i + 1], x[i + 1:]


def _clusters(g, sizes):
    xc = g["proposed"]["centres"][:, 0]
    a, b = _split(xc)
    got = sorted((a.size, b.size), reverse=True)
    t = g["grid_centres"]
    near = {}
    for name, c in (("first", a), ("second", b)):
        d1 = np.min(np.abs(t[g["hot1"], 0][:, None] - c[None]))
        d2 = np.min(np.abs(t[g["hot2"], 0][:, None] - c[None])) if g["hot2"].size else math.inf
        near[name] = "hot1" if d1 <= d2 else "hot2"
    return got, a, b, near


def _x31(results):
    g = results[F34]["grid"]
    got, a, b, near = _clusters(g, (6, 2))
    big = a if a.size >= b.size else b
    t = g["grid_centres"]
    big_near_hot1 = np.min(np.abs(t[g["hot1"], 0][:, None] - big[None])) <= \
        np.min(np.abs(t[g["hot2"], 0][:, None] - big[None]))
    ok = got == [6, 2] and big_near_hot1
    return ("reproduced" if ok else "partly" if got == [6, 2] else "not reproduced",
            f"clusters {got} at x = {np.round(a, 1).tolist()} | {np.round(b, 1).tolist()} m; "
            f"larger cluster nearer the densest hotspot: {bool(big_near_hot1)}")


def _neighbours(g, dx, dy):
    t, p0 = g["grid_centres"], g["p0"]
    cell = np.array([np.min(np.diff(np.unique(t[:, 0]))), np.min(np.diff(np.unique(t[:, 1])))])
    target = p0[:2] + np.array([dx, dy]) * cell
    return int(np.argmin(np.linalg.norm(t[:, :2] - target, axis=1)))


def _adjacent(g):
    return [_neighbours(g, dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)]


def _x32(results):
    g = results[F34]["grid"]
    ll = _neighbours(g, -1, -1)
    z = {s: g[s]["zeta"][ll] for s in ("proposed", "horizontal_sparse", "dense_ula")}
    adj = set(_adjacent(g)) | {_neighbours(g, 0, 0)}
    others = [k for k in np.concatenate([g["hot1"], g["hot2"]]) if k not in adj]
    mx = float(np.max(g["proposed"]["zeta"][others])) if others else math.nan
    a = z["proposed"] < min(z["horizontal_sparse"], z["dense_ula"])
    b = mx < 0.1
    return ("reproduced" if a and b else "partly" if a or b else "not reproduced",
            f"zeta at the lower-left neighbour: proposed {z['proposed']:.3f}, HS {z['horizontal_sparse']:.3f}, "
            f"dense {z['dense_ula']:.3f}; max zeta(proposed) over the other hotspot grids {mx:.3f}")


def _x33(results):
    g = results[F34]["grid"]
    adj = _adjacent(g)
    mean = {s: float(np.mean(g[s]["zeta"][adj])) for s in ("proposed", "horizontal_sparse", "dense_ula")}
    lr = _neighbours(g, 1, -1)
    z = {s: g[s]["zeta"][lr] for s in mean}
    a = mean["proposed"] < min(mean["horizontal_sparse"], mean["dense_ula"])
    b = z["dense_ula"] > max(v for k, v in z.items() if k != "dense_ula")          # strictly the largest
    return ("reproduced" if a and b else "partly" if a or b else "not reproduced",
            "mean zeta over the 8 neighbours: " + ", ".join(f"{k} {v:.3f}" for k, v in mean.items())
            + "; lower-right: " + ", ".join(f"{k} {v:.3f}" for k, v in z.items()))


def _lin(db):
    return 10.0 ** (np.asarray(db, float) / 10.0)


def _x41(results):
    g = results[F34]["grid"]
    hot = np.concatenate([g["hot1"], g["hot2"]])
    r = {s: float(np.mean(_lin(g[s]["power"][hot])) / np.mean(_lin(g[s]["power"])))
         for s in ("proposed", "horizontal_sparse", "dense_ula")}
    ok = r["proposed"] > max(v for k, v in r.items() if k != "proposed")
    return ("reproduced" if ok else "not reproduced",
            "mean power on hotspots / mean power on all grids: " + ", ".join(f"{k} {v:.2f}" for k, v in r.items()))


def _x42(results):
    maps = results[F34]["maps"]
    sd = {s: float(np.std(maps[s]["power_values"])) for s in ("proposed", "horizontal_sparse", "dense_ula")}
    ok = sd["horizontal_sparse"] < min(v for k, v in sd.items() if k != "horizontal_sparse")
    return ("reproduced" if ok else "not reproduced",
            "std of the power map (dB): " + ", ".join(f"{k} {v:.2f}" for k, v in sd.items()))


def _x43(results):
    r = results[F34]
    g, cp = r["grid"], r["centre_power"]
    hot = np.concatenate([g["hot1"], g["hot2"]])
    mins = {s: float(np.min(g[s]["power"][hot])) for s in cp}
    a = cp["dense_ula"] > max(v for k, v in cp.items() if k != "dense_ula")
    b = mins["dense_ula"] < min(v for k, v in mins.items() if k != "dense_ula")
    return ("reproduced" if a and b else "partly" if a or b else "not reproduced",
            "power at the coverage centre (dB): " + ", ".join(f"{k} {v:.1f}" for k, v in cp.items())
            + "; min over hotspots: " + ", ".join(f"{k} {v:.1f}" for k, v in mins.items()))


def _x51(results):
    g = results[F5]["grid"]
    got, a, b, near = _clusters(g, (5, 3))
    distinct = near["first"] != near["second"]
    ok = got == [5, 3] and distinct
    return ("reproduced" if ok else "partly" if got == [5, 3] else "not reproduced",
            f"clusters {got} at x = {np.round(a, 1).tolist()} | {np.round(b, 1).tolist()} m, nearest hotspot sets "
            f"{near['first']} / {near['second']}")


def _x52(results):
    g = results[F5]["grid"]
    hot = np.concatenate([g["hot1"], g["hot2"]])
    mins = {s: float(np.min(g[s]["los_count"][hot])) for s in ("proposed", "horizontal_sparse", "dense_ula")}
    ok = mins["proposed"] >= 1 and mins["proposed"] >= max(mins.values())
    return ("reproduced" if ok else "partly" if mins["proposed"] >= 1 else "not reproduced",
            "min over hotspot grids of LoS-visible subarrays: " + ", ".join(f"{k} {v:.0f}" for k, v in mins.items()))


def _x53(results):
    g = results[F5]["grid"]
    hot = np.concatenate([g["hot1"], g["hot2"]])
    mx = float(np.max(g["horizontal_sparse"]["los_count"][hot]))
    return ("reproduced" if mx <= 3 else "not reproduced",
            f"max over hotspot grids of LoS subarrays of the horizontal sparse array: {mx:.0f} of 8")


def _x54(results):
    g = results[F5]["grid"]
    hot = np.concatenate([g["hot1"], g["hot2"]])
    mins = {s: float(np.min(g[s]["power"][hot])) for s in ("proposed", "horizontal_sparse", "dense_ula")}
    ok = mins["dense_ula"] < mins["horizontal_sparse"] < mins["proposed"]
    return ("reproduced" if ok else "not reproduced",
            "min power over hotspot grids (dB): " + ", ".join(f"{k} {v:.1f}" for k, v in mins.items()))


# ------------------------------------------------------------------ Fig. 6
@guard
def _x61(results):
    res = results[F6]
    t, missing = _curves_trend(res, "kappa_db", [_k(s, m) for s in SCHEMES for m in ("approx", "mrc", "mmse")], sign=-1)
    return finish(t.verdict(0.5), f"falls in kappa for {t.ok}/{t.n} curves", t.n_min, t.nodata + missing)


def _relgap(m):
    """Per trial: proposed / the better benchmark - 1 under metric ``m`` (MC s.e. of the ratio)."""
    p, h, d = (_k(s, m) for s in SCHEMES)

    def value(row):
        b = max(h.value(row), d.value(row))
        return p.value(row) / b - 1 if b else math.nan

    def se(row):
        vp, b = p.value(row), (h if h.value(row) >= d.value(row) else d)
        vb = b.value(row)
        return abs(vp / vb) * math.hypot(p.se(row) / vp, b.se(row) / vb) if vp and vb else math.nan
    return Key(f"relative gap ({m})", value, se)


@guard
def _x62(results):
    res = results[F6]
    t = Tally()
    for m in ("mrc", "mmse"):
        tr = trend(res, _relgap(m), _pts(res, "kappa_db"))
        g0, g1 = (_mean(res, q, _relgap(m)) for q in (tr.first, tr.last))
        t.add(tr.end is not None and greater(*tr.end[:2]), tr.n_min,
              f"{m.upper()} relative gap {100 * g0:.1f} % (kappa {tr.first['kappa_db']:g} dB) -> {100 * g1:.1f} % "
              f"({tr.last['kappa_db']:g} dB)")
        t.skip(tr.missing)
    return finish(t.verdict(0.5), "; ".join(t.notes), t.n_min, t.nodata)


@guard
def _x63(results):
    res = results[F6]
    got, _ = at_points(_pts(res, "kappa_db"), lambda p: paired(res, p, _relgap("mmse"), _relgap("mrc")))
    p = got[-1][0]                                           # the largest kappa with data
    t = Tally()
    for m in ("mrc", "mmse"):
        for s in ("horizontal_sparse", "dense_ula"):
            d, se, n = paired(res, p, _k("proposed", m), _k(s, m))
            t.add(greater(d, se), n)
    d, se, n = got[-1][1]
    b = greater(d, se)
    return finish("reproduced" if t.all and b else "partly" if t.all else "not reproduced",
                  f"at kappa = {p['kappa_db']:g} dB: proposed above both benchmarks by > 3 s.e. in {t.ok}/4 (metric, "
                  f"benchmark); relative gap MRC {100 * _mean(res, p, _relgap('mrc')):.1f} %, MMSE "
                  f"{100 * _mean(res, p, _relgap('mmse')):.1f} % (MMSE - MRC {d:+.3g} ± {se:.2g})", min(n, t.n_min))


# ------------------------------------------------------------------ Fig. 7
def _ratios7(res, m="mrc", need=2):
    """{type: {FPA layout: mean(proposed)/mean(layout)}} at the types with data."""
    out = {}
    for p in _pts(res, "type"):
        try:
            out[p["type"]] = {s: means(res, p, _k("proposed", m), _k(s, m)) for s in FPA7}
        except NoData:
            continue
    if len(out) < need:
        raise NoData(f"no data: types with finite rates {list(out)}; the rule needs {need} or more")
    return list(out), {t: {s: a / b for s, (a, b, _) in v.items()} for t, v in out.items()}


@guard
def _x71(results):
    res = results[F7]
    t, missing = Tally(), []
    for m in ("approx", "mrc"):
        for s in FPA7:
            got, miss = at_points(_pts(res, "type"), lambda p: paired(res, p, _k("proposed", m), _k(s, m)))
            missing += [q for q in miss if q not in missing]
            for _, (d, se, n) in got:
                t.add(greater(d, se), n)
    types, r = _ratios7(res, "mrc", need=1)
    return finish(t.verdict(0.8), f"proposed > FPA by > 3 s.e. at {t.ok}/{t.n} (metric, type, layout); smallest "
                                    f"Simul. ratio {min(min(v.values()) for v in r.values()):.3f}", t.n_min, missing)


@guard
def _x72(results):
    res = results[F7]
    types, r = _ratios7(res, "mrc")
    best = {t: min(r[t].values()) for t in types}
    mean = {t: float(np.mean(list(r[t].values()))) for t in types}
    if 3 not in best:
        raise NoData("no data: type 3 not in the sweep (or without data)")
    a = all(best[3] > v for t, v in best.items() if t != 3) and len(best) > 1
    b = all(mean[3] > v for t, v in mean.items() if t != 3) and len(mean) > 1
    n = min(means(res, p, _k("proposed", "mrc"))[-1] for p in res.points if p["type"] in types)
    return finish("reproduced" if a else "partly" if b else "not reproduced",
                  "proposed/best FPA (Simul.): " + ", ".join(f"type {t} {v:.3f}" for t, v in best.items())
                  + "; proposed/mean FPA: " + ", ".join(f"type {t} {v:.3f}" for t, v in mean.items()), n)


@guard
def _x73(results):
    res = results[F7]
    types, r = _ratios7(res, "mrc")
    best_layout = {t: min(r[t], key=r[t].get) for t in types}
    differs = len(set(best_layout.values())) > 1
    adapt = all(max(r[t][s] for t in types) >= 1.1 for s in FPA7)
    n = min(means(res, p, _k("proposed", "mrc"))[-1] for p in res.points if p["type"] in types)
    return finish("reproduced" if differs and adapt else "partly" if differs or adapt else "not reproduced",
                  "best FPA per type: " + ", ".join(f"{t}: {s}" for t, s in best_layout.items())
                  + "; max over types of proposed/FPA: " + ", ".join(f"{s} {max(r[t][s] for t in types):.2f}"
                                                                     for s in FPA7), n)


C = Claim
CLAIMS = [
    C("X0.1", F2B, "The polynomial-time algorithm is near-optimal at a much lower cost than exhaustive search.",
      "runtime(Alg. 1) < runtime(exhaustive) at the largest L where both run (optimality: X2b.1)" + DET, _x01),
    C("X2a.1", F2A, "Every scheme improves as the subarray size M_H grows (beamforming gain).",
      "each curve (Analytical and Simul.) rises in M_H: no paired step below -3 s.e., one (or first to last) above "
      "+3 s.e.; partly: half the curves", _x2a1),
    C("X2a.2", F2A, "The proposed placement significantly outperforms both FPA benchmarks.",
      "paired proposed - horizontal sparse and - dense ULA > 3 s.e. at every M_H with data, for both Analytical and "
      "Simul. (partly: >= 75 % of them)", _x2a2),
    C("X2a.3", F2A, "The closed-form approximation closely matches Monte Carlo for every scheme.",
      "abs(Analytical/Simul. - 1) <= 8 % at every point with data (partly: <= 15 %)", _x2a3),
    C("X2b.1", F2B, "The proposed placement is near-optimal.",
      "proposed/optimal >= 0.95 at every L where the optimum is computed" + DET, _x2b1),
    C("X2b.2", F2B, "The proposed placement beats both FPA layouts.",
      "proposed > horizontal sparse and > dense ULA (by > 1e-6) at every L with data (Analytical)" + DET, _x2b2),
    C("X2b.3", F2B, "The proposed placement improves with L (near-field effects), then saturates.",
      "no dip over 1 % between L values with data and higher at the largest L than at the smallest; the last two "
      "agree within 1 %" + DET, _x2b3),
    C("X2b.4", F2B, "The horizontal sparse array rises from 61 m to 101 m, then falls.",
      "HS(101) > HS(61) and HS(L) < HS(101) for L > 101; partly: HS has an interior maximum; not run without data "
      "at L = 61 and 101" + DET, _x2b4),
    C("X2c.1", F2C, "Every scheme increases with the expected number of users under MRC and MMSE.",
      "every curve rises in Kbar (as X2a.1)", _x2c1),
    C("X2c.2", F2C, "The proposed placement beats both benchmarks under MRC and MMSE, with a growing gap.",
      "paired proposed - each benchmark > 3 s.e. at every Kbar with data for both receivers, and that gap larger "
      "at Kbar_max than at Kbar_min by > 3 s.e. (only the first: partly)", _x2c2),
    C("X2c.3", F2C, "The proposed placement gets an MMSE rate close to the upper bound.",
      "proposed MMSE <= UB + 3 s.e. and proposed MMSE / UB >= 0.9 at every Kbar with data", _x2c3),
    C("X3.1", F34, "The subarrays form two clusters: 6 near the densest grids and 2 near the lower-density grids.",
      "splitting the sorted selected x at the largest gap gives sizes {6, 2}; the 6-cluster is nearer the densest "
      "hotspot" + DET, _x31),
    C("X3.2", F34, "Proposed: low correlation with the adjacent lower-left grid, negligible with other hotspot grids.",
      "at the lower-left neighbour of the reference grid zeta(proposed) < zeta of both benchmarks; over the hotspot "
      "grids not adjacent to the reference, max zeta(proposed) < 0.1" + DET, _x32),
    C("X3.3", F34, "The FPA layouts correlate strongly with surrounding grids; the dense ULA most toward the lower right.",
      "mean zeta over the 8 neighbours lower for proposed than both benchmarks; at the lower-right neighbour the "
      "dense ULA has strictly the largest zeta" + DET, _x33),
    C("X4.1", F34, "The proposed placement concentrates channel power on the major hotspot grids.",
      "mean (linear) power over hotspot grids / mean over all grids strictly largest for proposed" + DET, _x41),
    C("X4.2", F34, "The horizontal sparse array spreads power fairly uniformly.",
      "the std (dB) of the power map over the coverage area strictly smallest for horizontal sparse" + DET, _x42),
    C("X4.3", F34, "The dense ULA is strong near the centre but strongly attenuated in key hotspot grids.",
      "dense ULA has strictly the highest power at the centre of the coverage area and strictly the lowest minimum "
      "over hotspot grids" + DET, _x43),
    C("X5.1", F5, "With obstacles the proposed placement forms two clusters, 5 + 3, each near one dense region.",
      "largest-gap split gives sizes {5, 3}, each cluster nearest a different hotspot set" + DET, _x51),
    C("X5.2", F5, "The proposed layout gives strong LoS coverage to every hotspot region.",
      "every hotspot grid has LoS to >= 1 selected subarray, and the minimum LoS count over hotspot grids is >= "
      "that of both benchmarks (coverage, not a superiority claim)" + DET, _x52),
    C("X5.3", F5, "The horizontal sparse array has at most 3 LoS subarrays per hotspot grid.",
      "max over hotspot grids of the LoS-visible subarrays of horizontal sparse <= 3" + DET, _x53),
    C("X5.4", F5, "The dense ULA is worse still, with severe power loss in parts of the hotspots.",
      "minimum power over hotspot grids ordered dense ULA < horizontal sparse < proposed" + DET, _x54),
    C("X6.1", F6, "Every scheme degrades as kappa grows (less NLoS power).",
      "every curve falls in kappa: no paired step above +3 s.e., one (or first to last) below -3 s.e.", _x61),
    C("X6.2", F6, "At small kappa the gap between proposed and the benchmarks is relatively small.",
      "per-trial relative gap proposed/best benchmark - 1 larger at kappa_max than at kappa_min by > 3 s.e., MRC "
      "and MMSE (one: partly)", _x62),
    C("X6.3", F6, "At large kappa the proposed placement is significantly better, especially under MMSE.",
      "at the largest kappa with data, paired proposed - each benchmark > 3 s.e. (MRC and MMSE), and the relative "
      "gap under MMSE above that under MRC by > 3 s.e. (only the first: partly)", _x63),
    C("X7.1", F7, "The proposed placement beats every FPA benchmark for every user distribution.",
      "paired proposed - each of the five FPA layouts > 3 s.e. for each type with data (Analytical and Simul.; "
      "partly: >= 80 %)", _x71),
    C("X7.2", F7, "The gains are largest for the 3-D distribution (Type 3).",
      "proposed/best FPA (Simul.) strictly largest at Type 3; partly: proposed/mean FPA strictly largest at Type 3",
      _x72),
    C("X7.3", F7, "One FPA layout can do well on one distribution, but none adapts to all.",
      "the best FPA layout differs between types, and for every FPA layout max over types of proposed/FPA >= 1.1",
      _x73),
]
