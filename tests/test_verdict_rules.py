"""The verdict rules of matoolbox.verdicts fed to EVERY family's claims, on synthetic results shaped like
what the figure scripts return (SweepResult rows point-major, trial-minor; the XL-MA map dicts; the
CoMP-RSMA convergence history). Per family: clear data (every claim holds, >= 24 draws per point);
the same plus an all-NaN grid point (no verdict may change); a named point emptied (its claims are
"not run"); every compared scheme tied per draw (no superiority claim passes); fewer than 20 draws
or a quick run (never "reproduced"); comparisons with the answer a scheme started from ("by
construction", never "reproduced")."""
from __future__ import annotations

import math

import numpy as np
import pytest

from matoolbox import verdicts as V
from matoolbox.reproduce import VERDICTS, evaluate_claims, load_claims
from matoolbox.results import SweepResult

N = 24                                      # draws per point of the clear data sets (>= MIN_TRIALS)
PASS = ("reproduced", "indicative")         # a rule that held


def _claims(family):
    return {c.id: c for c in load_claims(family)}


def _verdicts(family, results):
    rows = evaluate_claims(load_claims(family), results)
    for r in rows:
        assert r["verdict"] in VERDICTS and "check raised" not in r["measured"], r
    return {r["id"]: (r["verdict"], r["measured"]) for r in rows}


def _sweep(points, trials, make_row):
    """SweepResult with rows point-major, trial-minor, as run_sweep builds them."""
    rows = [{**p, "trial": t, **make_row(p, t), "exitflag": 1, "elapsed": 0.0} for p in points for t in range(trials)]
    return SweepResult(rows, points, trials)


def _noise(seed, trials, k=8):
    return np.random.default_rng(seed).normal(0.0, 1.0, (max(trials, 64), k))


def _blank(res, **at):
    """``res`` with every output NaN at the points matching ``at`` (no data there)."""
    keep = set(res.params) | {"trial", "exitflag", "elapsed"}
    rows = [{k: (math.nan if k not in keep and all(r.get(a) == v for a, v in at.items()) else v) for k, v in r.items()}
            for r in res.rows]
    return SweepResult(rows, res.points, res.trials)


# =========================================================================== comp_rsma
MODELS = ("coherent", "paper")


def _rsma_rows(rates, infeasible=None, trials=N, seed=0, exact=False):
    """Row maker of a CoMP-RSMA sweep: ``rates(p) -> {scheme: rate}``, ``infeasible(p, t) -> {scheme: 0/1}``;
    per draw a common factor and (unless ``exact``) a small per-scheme one, so paired differences
    have a spread; ``exact``: schemes with equal rates are equal on every draw (an exact tie)."""
    z = _noise(seed, trials)

    def make(p, t):
        flags = infeasible(p, t) if infeasible else {}
        out, any_bad = {}, False
        for i, (s, v) in enumerate(rates(p).items()):
            val = v * (1 + 0.01 * z[t, 0]) + (0.0 if exact else 0.01 * z[t, 1 + i % 7])
            bad = int(flags.get(s, 0))
            any_bad |= bool(bad)
            share = 0.2 if s == "RSMA-MA" and p.get("N", 2) * p.get("I", 4) < p.get("K", 4) and not exact else 0.0
            out.update({f"{s} own": math.nan if bad else val, f"infeasible {s}": bad, f"common share {s}": share})
        for s in rates(p):
            out[s] = math.nan if any_bad else out[f"{s} own"]
        return out
    return make


def _rsma_tie(rates):
    """Every scheme equal to RSMA-MA on every draw."""
    def tied(p):
        r = rates(p)
        return {s: r["RSMA-MA"] for s in r}
    return tied


def _f3(p):
    base = p["pmax_dbm"] - 20.0
    g = 1.2 + 0.6 * (p["pmax_dbm"] - 25) / 12
    sm = 1.48 * base
    return {"RSMA-MA": 2.8 * sm, "RSMA-FPA": 2.8 * sm / g, "SDMA-MA": sm, "SDMA-FPA": base, "GML": 0.98 * 2.8 * sm}


def _f4(p):
    b = 20 - 8 * p["rth"]
    return {"RSMA-MA": 1.5 * b, "RSMA-FPA": b, "SDMA-MA": 1.2 * b}


def _f5(p):
    r = {4: 1.87, 8: 1.735, 12: 1.6}[p["I"]]
    f, s = 5 + p["I"], 10 + 0.1 * p["I"]
    return {"RSMA-MA": r * f, "RSMA-FPA": f, "SDMA-MA": 1.2 * s, "SDMA-FPA": s}


def _f6(p):
    return _f4({"rth": 0.375 * p["K"] - 1.25})             # 30 - 3 K


_F7 = {1: (8, 1.5, 9), 2: (14, 1.4, 13), 3: (20, 1.25, 16), 4: (25, 1.15, 18), 5: (29, 1.05, 19)}


def _f7(p):
    sm, r, rf = _F7[p["N"]]
    return {"RSMA-MA": r * sm, "RSMA-FPA": rf, "SDMA-MA": sm}


def _f8(p):
    return {"RSMA-MA": 13.0 if p["I"] == 1 else 20.0, "RSMA-FPA": 9.0, "SDMA-MA": 10.0 if p["I"] == 1 else 20.0}


FIGS = {"fig3_power": ("pmax_dbm", [25, 29, 33, 37], _f3, None),        # infeasible: a quarter of the draws
        "fig4_rate_threshold": ("rth", [0.2, 0.6, 1.0, 1.4, 1.6], _f4,   # RSMA-FPA from 1.0, SDMA-MA from 1.4
                                lambda p, t, n: {"RSMA-FPA": int(p["rth"] >= 1.0 and t < n // 4),
                                                 "SDMA-MA": int(p["rth"] >= 1.4 and t < n // 4)}),
        "fig5_antennas": ("I", [4, 8, 12], _f5, None),                   # half of them for both at K = 6
        "fig6_users": ("K", [2, 4, 6], _f6, lambda p, t, n: dict.fromkeys(("RSMA-FPA", "SDMA-MA"),
                                                                           int(p["K"] == 6 and t < n // 2))),
        "fig7_bss": ("N", [1, 2, 3, 4, 5], _f7, None)}


def _history(trials):
    h = np.concatenate([np.linspace(10, 2, 20), np.linspace(2, 13.8, 100), np.full(380, 13.8)])
    return {"iteration": np.arange(1, h.size + 1), "current": h, "best": h, "per_trial": [{}] * trials}


def comp_rsma(trials=2 * N, tie=False, models=MODELS):
    """Clear CoMP-RSMA data: 48 draws, a quarter infeasible for RSMA-FPA from R_th = 1 (SDMA-MA from 1.4),
    half for both at K = 6, so every point keeps >= 24 feasible draws."""
    out = {"fig2_convergence": _history(trials)}
    for i, (fig, (x, xs, rates, inf)) in enumerate(FIGS.items()):
        pts = [{x: v, "interference": m} for m in models for v in xs]
        flags = (lambda p, t, f=inf: f(p, t, trials)) if inf else None
        out[fig] = _sweep(pts, trials, _rsma_rows(_rsma_tie(rates) if tie else rates, None if tie else flags,
                                                  trials, seed=i, exact=tie))
    pts = [{"I": i, "N": 2, "K": 4, "interference": m} for m in models for i in (1, 4)]
    out["fig8_rsma_regime"] = _sweep(pts, trials, _rsma_rows(_rsma_tie(_f8) if tie else _f8, None, trials, 9, tie))
    return out


# =========================================================================== mimo_capacity, secure_ma
def mimo(trials=N, tie=False):
    z = _noise(3, trials)
    gain = {1.0: 2.0, 2.0: 4.0, 3.0: 6.0, 4.0: 6.1}

    def row(p, t):
        g = 0.0 if tie else gain[p["A"]] + 0.05 * z[t, int(p["A"])]
        gt = g if tie else 0.4 * gain[p["A"]] + 0.05 * z[t, 5]
        fpa = 10.0 + 0.3 * z[t, 0]
        return {"cap_ma": fpa + g, "cap_tma": fpa + gt, "cap_rma": fpa + gt, "cap_fpa": fpa,
                "gain_ma": g, "gain_tma": gt, "gain_rma": gt}
    return {"capacity_vs_region": _sweep([{"A": a, "L": 10, "snr_db": 15.0} for a in gain], trials, row)}


def secure(trials=N, tie=False):
    z = _noise(4, trials)
    gain, fpa = {-10.0: 0.2, 0.0: 1.0, 10.0: 2.5, 20.0: 4.0}, {-10.0: 0.3, 0.0: 2.0, 10.0: 6.0, 20.0: 11.0}

    def row(p, t):
        s = p["snr_db"]
        g = 0.0 if tie else gain[s] + 0.01 * z[t, 1]
        f = fpa[s] + 0.05 * z[t, 0]
        return {"rs_ma": f + g, "rs_fpa": f, "rs_mrt": 0.0, "gain_ma": g}
    return {"secrecy_vs_snr": _sweep([{"snr_db": s, "M": 6, "K": 3, "J": 3} for s in gain], trials, row)}


# =========================================================================== uplink
RECV = ("zf", "mmse", "mmse_sic")


def _uplink_rows(base, gap, x, trials, seed, tie):
    z = _noise(seed, trials, 16)

    def make(p, t):
        col = int(p[x] * 7) % 12
        out = {}
        for j, r in enumerate(RECV):
            f = base(p) + 0.3 * z[t, 0] + (0.0 if tie else 0.5 * j)           # FPA: the same draws at every x
            m = f if tie else f + gap(p) + 0.05 * z[t, 1 + col] + 0.02 * z[t, 13 + j]
            out.update({f"ma_{r}": m, f"fpa_{r}": f, f"ma_{r}_se": 0.01, f"fpa_{r}_se": 0.01})
        return out
    return make


def uplink(trials=N, tie=False, gap2=None):
    g2 = gap2 or (lambda p: 4.2 * (1 - math.exp(-2 * (p["D"] - 3.5))))
    fig2 = _sweep([{"D": d, "M": 8} for d in (4.0, 5.0, 6.0, 8.0, 10.0, 12.0)], trials,
                  _uplink_rows(lambda p: 18.0, g2, "D", trials, 5, tie))
    fig3 = _sweep([{"M": m, "D": 6.0} for m in (5, 8, 12)], trials,
                  _uplink_rows(lambda p: 10.0 + 4 * p["M"], lambda p: 11 * math.exp(-(p["M"] - 5) / 2.3), "M",
                               trials, 6, tie))
    return {"fig2_span": fig2, "fig3_antennas": fig3}


# =========================================================================== full_duplex
def _fd(points, trials, seed, make):
    z = _noise(seed, trials, 16)
    return _sweep(points, trials, lambda p, t: make(p, z[t]))


def full_duplex(trials=N, tie=False, broken_warm=False):
    def gain(v):
        return 0.0 if tie else v

    def e3(p, z):
        b = 10 * math.log10(p["N"])
        return {"ma_gain_db": b - (2 + abs(z[0]) if tie else 0.0), "finite_gain_db": b - 0.5, "bound_db": b,
                "fpa_zf_gain_db": b - 2 - abs(z[0]), "max_null_gain": 0.0}

    def p1(p, z):
        f = 6 - 0.01 * (p["rho_db"] + 90) + 0.2 * z[0]
        ma = f + gain(1 + 0.02 * (p["rho_db"] + 90) + 0.05 * abs(z[1 + int(p["rho_db"]) % 9]))
        return {"fd_fpa": f, "fd_ma": f - 1e-3 if broken_warm else ma, "hd_fpa": 4.0}

    def p3(p, z):
        c = p["p_th_dbm"] + 100
        f = 5 * (1 - math.exp(-c / 30)) + 0.01 * z[0]
        return {"fd_fpa": f, "fd_ma": f if tie else max(f, 6 * (1 - math.exp(-c / 10)) + 0.01 * z[0])}
    return {
        "e1_ccfd_maxmin": _fd([{"si_db": s} for s in (-90.0, -75.0, -60.0, -45.0)], trials, 20, lambda p, z: {
            "fpa": 2 + 0.2 * z[0], "ppso": 2 + 0.2 * z[0] + gain(0.5 + 0.05 * abs(z[1]))}),
        "e2_spectrum_sharing": _fd([{"inr_cap_db": c, "K": k} for k in (1, 3) for c in (-10.0, 0.0, 10.0)], trials, 21,
                                   lambda p, z: {"fpa_snr_db": 10 + z[0], "ma_snr_db": 10 + z[0] + gain(2 + 0.1 * abs(z[1])),
                                                 "max_inr_db": p["inr_cap_db"] - 0.5}),
        "e3_null_steering": _fd([{"N": 4, "K": 2, "region": 16.0}, {"N": 8, "K": 2, "region": 16.0},
                                 {"N": 8, "K": 3, "region": 16.0}], trials, 22, e3),
        "e4_multibeam": _fd([{"A": a, "xi_db": -20.0} for a in (4.0, 7.0, 10.0)], trials, 23, lambda p, z: {
            "fpa_db": 5 + z[0], "ma_db": 5 + z[0] + gain(3 + 0.1 * abs(z[1])), "max_null_db": -21.0}),
        "region_size_sweep": _fd([{"A_lambda": a} for a in (1.0, 2.0, 4.0, 8.0)], trials, 24, lambda p, z: {
            "fpa": 5 + z[0], "ma_pso": 5 + z[0] + gain(0.2 * p["A_lambda"] + 0.05 * abs(z[int(p["A_lambda"]) % 9]))}),
        "p1_rate_vs_si": _fd([{"rho_db": r, "Nr": 1} for r in (-90.0, -70.0, -50.0, -30.0)], trials, 25, p1),
        "p3_rate_vs_cap": _fd([{"p_th_dbm": c} for c in (-90.0, -70.0, -50.0, -30.0, -10.0)], trials, 26, p3),
        "mu_wsr_vs_nt": _fd([{"Nt": n} for n in (2, 4, 6)], trials, 27, lambda p, z: {
            "fd_fpa": 3 + 0.5 * p["Nt"] + z[0], "fd_ma": 3 + 0.5 * p["Nt"] + z[0] + gain(1 + 0.05 * abs(z[1])),
            "ma_tx_only": 3 + 0.5 * p["Nt"] + z[0] + gain(0.5)}),
    }


# =========================================================================== xlma
XS = ("proposed", "horizontal_sparse", "dense_ula")
FPA7 = ("sparse", "horizontal_sparse", "vertical_sparse", "dense_ula", "dense_upa")


def _xl_rows(approx, x, trials, seed, metrics=("mrc", "mmse"), mmse=None, ub=False, exact=False):
    """approx(p) -> {scheme: closed form}; MC = closed form * 1.03 + noise (MMSE: + 1, or mmse(p, s));
    ``exact``: no per-scheme noise (equal schemes are equal on every trial)."""
    z = _noise(seed, trials, 16)

    def make(p, t):
        out = {}
        col = int(p[x] * 3) % 8
        for j, (s, a) in enumerate(approx(p).items()):
            out[f"{s}_approx"] = a
            for m in metrics:
                mc = a * 1.03 + (1.0 + (mmse(p, s) if mmse else 0.0) if m == "mmse" else 0.0)
                out[f"{s}_{m}"] = mc + 0.02 * z[t, col] + (0.0 if exact else 0.01 * z[t, 8 + j % 8])
                out[f"{s}_{m}_se"] = 0.01
        if ub:
            out["proposed_ub"] = (approx(p)["proposed"] * 1.03 + 1.0) * 1.05
        return out
    return make


def _maps(tie=False, obstacles=False):
    t = np.array([[x, y, 1.5] for x in range(5) for y in range(5)], float)
    hot1, hot2 = np.array([0, 1, 5, 6]), np.array([23, 24])
    zeta = {"proposed": np.full(25, 0.05), "horizontal_sparse": np.full(25, 0.6), "dense_ula": np.full(25, 0.7)}
    adj = [i for i in range(25) if 1 <= t[i, 0] <= 3 and 1 <= t[i, 1] <= 3]
    zeta["proposed"][adj] = 0.2
    zeta["dense_ula"][16] = 0.9
    for z in zeta.values():
        z[12] = 1.0
    hot = np.concatenate([hot1, hot2])
    power = {"proposed": np.zeros(25), "horizontal_sparse": np.full(25, 5.0), "dense_ula": np.full(25, 12.0)}
    power["proposed"][hot] = 10.0
    power["dense_ula"][hot] = -10.0
    los = {"proposed": np.full(25, 4.0), "horizontal_sparse": np.full(25, 3.0), "dense_ula": np.full(25, 1.0)}
    xs = [0.2, 0.4, 0.5, 0.6, 0.8, 3.8, 4.0, 4.2] if obstacles else [0.2, 0.4, 0.5, 0.6, 0.8, 1.0, 3.8, 4.2]
    cen = {s: np.array([[x, 0.0, 0.0] for x in (xs if s == "proposed" else np.linspace(0, 4, 8))]) for s in XS}
    if tie:
        zeta, power, los = ({s: d["proposed"].copy() for s in XS} for d in (zeta, power, los))
    grid = {"grid_centres": t, "rho": np.ones(25), "p0": np.array([2.0, 2.0, 1.5]), "hot1": hot1, "hot2": hot2,
            **{s: {"power": power[s], "zeta": zeta[s], "los_count": los[s], "centres": cen[s]} for s in XS}}
    out = {"maps": {s: {"power_values": power[s]} for s in XS}, "grid": grid}
    cp = {"proposed": 3.0, "horizontal_sparse": 5.0, "dense_ula": 15.0}
    out["centre_power"] = {s: cp["proposed"] for s in XS} if tie else cp
    return out


_X7 = {1: (18, 15, 12, 14, 13), 2: (14, 12, 18.5, 13, 15), 3: (15, 16, 14, 12, 16.5)}


def xlma(trials=N, tie=False):
    def tied(f):                                           # every scheme equal to proposed
        return (lambda p: dict.fromkeys(f(p), f(p)["proposed"])) if tie else f
    f2a = tied(lambda p: {"proposed": 10 + p["MH"], "horizontal_sparse": 8 + 0.8 * p["MH"], "dense_ula": 7 + 0.7 * p["MH"]})
    f2c = tied(lambda p: {"proposed": 10 + 3 * p["Kbar"], "horizontal_sparse": 9 + 2 * p["Kbar"],
                          "dense_ula": 8 + 2 * p["Kbar"]})
    f6 = tied(lambda p: {"proposed": 20 - 0.1 * p["kappa_db"], "horizontal_sparse": 20 - 0.3 * p["kappa_db"],
                         "dense_ula": 19 - 0.3 * p["kappa_db"]})
    f7 = tied(lambda p: {"proposed": 20.0, **dict(zip(FPA7, _X7[p["type"]]))})

    def f2b(p, t):
        L = p["L"]
        pr = 20 + 5 * (1 - math.exp(-(L - 21) / 20))
        hs = {21: 15, 41: 17, 61: 19, 81: 20, 101: 21, 121: 20}[L]
        opt = pr * 1.01 if L <= 41 else math.nan
        return {"proposed": pr, "optimal": opt, "horizontal_sparse": pr if tie else hs, "dense_ula": pr if tie else 14.0,
                "time_proposed": 0.05, "time_optimal": 2.0 if L <= 41 else math.nan}
    mm = (lambda p, s: 0.05 * p["kappa_db"] if s == "proposed" else 0.0) if not tie else None
    return {
        "fig2_mrc_mmse": _sweep([{"MH": m, "R": 100} for m in (2, 4, 8)], trials, _xl_rows(f2a, "MH", trials, 30, ub=True, exact=tie)),
        "fig2_region_length": _sweep([{"L": L, "R": 0} for L in (21, 41, 61, 81, 101, 121)], trials, f2b),
        "fig2_rate_vs_users": _sweep([{"Kbar": k, "R": 100} for k in (2.0, 4.0, 6.0)], trials,
                                     _xl_rows(f2c, "Kbar", trials, 31, ub=True, exact=tie)),
        "fig3_fig4_maps": _maps(tie),
        "fig5_obstacles": _maps(tie, obstacles=True),
        "fig6_rician": _sweep([{"kappa_db": k, "R": 100} for k in (0.0, 10.0, 20.0, 30.0)], trials,
                              _xl_rows(f6, "kappa_db", trials, 32, mmse=mm, exact=tie)),
        "fig7_user_distributions": _sweep([{"type": k, "R": 50} for k in (1, 2, 3)], trials,
                                          _xl_rows(f7, "type", trials, 33, metrics=("mrc",), exact=tie)),
    }


DATA = {"comp_rsma": comp_rsma, "mimo_capacity": mimo, "secure_ma": secure, "uplink": uplink,
        "full_duplex": full_duplex, "xlma": xlma}


# what the clear data sets give besides "reproduced" (and the noncoherent CoMP-RSMA model, not swept)
CLEAR_OTHER = {"mimo_capacity": {"M3": "not run", "M4": "not run"},       # no L / SNR axis in the default sweep
               "uplink": {"U2.3": "by construction"},
               "full_duplex": {"F-E3.2": "partly", "F-SU.3": "partly", "F-SU.2": "by construction",
                               **{c: "not run" for c in ("F-BC.1", "F-SA.1", "F-SU.5", "F-ML.1")}}}
BY_CONSTRUCTION = {"uplink": ["U2.3"], "full_duplex": ["F-SU.2"]}
# superiority claims: with every compared scheme equal on every draw none may pass
SUPERIORITY = {
    "comp_rsma": [f"{c} ({m})" for m in MODELS for c in ("C0.2", "C0.3", "C0.5", "C3.2", "C3.3", "C3.4", "C3.5",
                                                         "C4.4", "C5.1", "C5.2", "C5.3", "C6.2", "C7.2", "C7.3",
                                                         "C7.5", "T8.1")],
    "mimo_capacity": ["M1", "M2"], "secure_ma": ["S1", "S1.2"],
    "uplink": ["U0.1", "U0.2", "U2.1", "U2.3", "U2.4", "U3.2"],
    "full_duplex": ["F-E1.1", "F-E2.1", "F-E3.1", "F-E4.1", "F-SU.1", "F-SU.4", "F-MU.1"],
    "xlma": ["X2a.2", "X2b.2", "X2c.2", "X3.2", "X3.3", "X4.1", "X4.2", "X4.3", "X5.4", "X6.2", "X6.3", "X7.1",
             "X7.2"],
}
# an all-NaN grid value added to every sweep of the family (between swept values)
EXTRA = {"comp_rsma": {"fig3_power": ("pmax_dbm", 31), "fig4_rate_threshold": ("rth", 0.8), "fig5_antennas": ("I", 6),
                       "fig6_users": ("K", 3), "fig7_bss": ("N", 2.5), "fig8_rsma_regime": ("I", 2)},
         "mimo_capacity": {"capacity_vs_region": ("A", 2.5)}, "secure_ma": {"secrecy_vs_snr": ("snr_db", 5.0)},
         "uplink": {"fig2_span": ("D", 7.0), "fig3_antennas": ("M", 10)},
         "full_duplex": {"e1_ccfd_maxmin": ("si_db", -50.0), "e2_spectrum_sharing": ("inr_cap_db", 5.0),
                         "e3_null_steering": ("N", 6), "e4_multibeam": ("A", 5.5), "region_size_sweep": ("A_lambda", 3.0),
                         "p1_rate_vs_si": ("rho_db", -60.0), "p3_rate_vs_cap": ("p_th_dbm", -60.0),
                         "mu_wsr_vs_nt": ("Nt", 5)},
         "xlma": {"fig2_mrc_mmse": ("MH", 6), "fig2_region_length": ("L", 51), "fig2_rate_vs_users": ("Kbar", 5.0),
                  "fig6_rician": ("kappa_db", 25.0), "fig7_user_distributions": ("type", 4)}}
# a named point emptied: the claims at it are "not run"
NAMED = {"comp_rsma": [("fig3_power", {"pmax_dbm": 37}, ["C0.3", "C0.5", "C3.3", "C3.4", "C3.7"]),
                       ("fig5_antennas", {"I": 4}, ["C5.2", "C5.3"]), ("fig5_antennas", {"I": 12}, ["C5.3"]),
                       ("fig6_users", {"K": 6}, ["C6.2"]), ("fig7_bss", {"N": 3}, ["C7.5"]),
                       ("fig7_bss", {"N": 5}, ["C7.4"])],
         "mimo_capacity": [("capacity_vs_region", {"A": 3.0}, ["M2"])],
         "xlma": [("fig2_region_length", {"L": 61}, ["X2b.4"])]}


def _add_nan_x(res, x, value):
    """``res`` plus the grid value ``x = value`` (every other parameter combination) with all outputs NaN."""
    keys = [k for k in res.rows[0] if k not in res.params and k not in ("trial", "exitflag", "elapsed")]
    pts = [dict(q) for q in dict.fromkeys(tuple({**p, x: value}.items()) for p in res.points)]
    return SweepResult(res.rows + [{**p, "trial": t, **dict.fromkeys(keys, math.nan), "exitflag": 1, "elapsed": 0.0}
                                   for p in pts for t in range(res.trials)], res.points + pts, res.trials)


@pytest.mark.parametrize("family", list(DATA))
def test_clear_data(family):
    """The clear data sets pass every claim (the tests below can fail)."""
    other = CLEAR_OTHER.get(family, {})
    for cid, (verdict, text) in _verdicts(family, DATA[family]()).items():
        if family == "comp_rsma" and "noncoherent" in cid:
            assert verdict == "not run" and "not swept" in text, (cid, text)
        else:
            assert verdict == other.get(cid, "reproduced"), (cid, verdict, text)


@pytest.mark.parametrize("family", list(DATA))
def test_an_all_nan_point_flips_no_verdict(family):
    """An extra grid value where no trial has a number changes no verdict; the text names it."""
    clean = DATA[family]()
    nan = {**clean, **{fig: _add_nan_x(clean[fig], x, value) for fig, (x, value) in EXTRA[family].items()}}
    before, after = _verdicts(family, clean), _verdicts(family, nan)
    changed = {c: (before[c][0], after[c][0]) for c in before if before[c][0] != after[c][0]}
    assert changed == {}
    named = [c for c in after if after[c][0] not in ("not run", "by construction") and "no data" in after[c][1]]
    assert len(named) >= 2, after                       # excluded explicitly, and said so


@pytest.mark.parametrize("family", list(NAMED))
def test_a_claim_at_an_empty_named_point_is_not_run(family):
    clean = DATA[family]()
    for fig, at, cids in NAMED[family]:
        v = _verdicts(family, {**clean, fig: _blank(clean[fig], **at)})
        for cid in ([f"{c} ({m})" for c in cids for m in MODELS] if family == "comp_rsma" else cids):
            assert v[cid][0] == "not run" and "no data" in v[cid][1], (cid, v[cid])


@pytest.mark.parametrize("family", list(DATA))
def test_no_data_anywhere_is_not_run_never_not_reproduced(family):
    clean = DATA[family]()
    empty = {k: _blank(v) if isinstance(v, SweepResult) else v for k, v in clean.items()}
    claims = _claims(family)
    for cid, (verdict, text) in _verdicts(family, empty).items():
        if isinstance(clean.get(claims[cid].figure), SweepResult):
            assert verdict == "not run", (cid, verdict, text)


@pytest.mark.parametrize("family", list(DATA))
def test_an_exact_tie_never_passes_a_superiority_rule(family):
    v = _verdicts(family, DATA[family](tie=True))
    for cid in SUPERIORITY[family]:
        assert v[cid][0] not in PASS, (cid, v[cid])
    assert sum(v[c][0] == "not reproduced" for c in SUPERIORITY[family]) >= len(SUPERIORITY[family]) // 2


@pytest.mark.parametrize("family", list(DATA))
@pytest.mark.parametrize("trials", [4, 19])
def test_fewer_than_20_trials_is_never_reproduced(family, trials):
    claims = _claims(family)
    v = _verdicts(family, DATA[family](trials=trials))
    assert {c: x for c, (x, _) in v.items() if x == "reproduced" and "no trial count applies" not in claims[c].rule} == {}
    assert sum(x == "indicative" for x, _ in v.values()) >= 2
    for c, (x, text) in v.items():
        if x == "indicative":
            assert "< 20" in text, (c, text)


@pytest.mark.parametrize("family", list(DATA))
def test_a_quick_run_is_never_reproduced(family):
    rows = V.quick_rows(evaluate_claims(load_claims(family), DATA[family]()))
    assert not any(r["verdict"] == "reproduced" for r in rows)
    assert any(r["verdict"] == "indicative" and "quick run" in r["measured"] for r in rows)


@pytest.mark.parametrize("family", list(BY_CONSTRUCTION))
def test_by_construction_is_never_reproduced(family):
    for kw in ({}, {"tie": True}, {"trials": 4}):
        v = _verdicts(family, DATA[family](**kw))
        for cid in BY_CONSTRUCTION[family]:
            assert v[cid][0] != "reproduced" and v[cid][0] in ("by construction", "not reproduced", "partly"), (kw, v[cid])
    assert _verdicts(family, DATA[family]())[BY_CONSTRUCTION[family][0]][0] == "by construction"


# =========================================================================== the rules themselves
def test_rule_arithmetic():
    assert not V.greater(0.0, 0.0) and not V.greater(1e-9, 0.0)          # a tie, or a float-noise one
    assert V.greater(1.0, 0.2) and not V.greater(0.5, 0.2)                 # margin: > 3 s.e.
    assert V.not_below(0.0, 0.0) and V.not_below(-0.5, 0.2) and not V.not_below(-0.7, 0.2)
    assert V.capped("reproduced", 19, "x") == ("indicative", "x; 19 finite trials at some point (< 20): 'indicative'")
    assert V.capped("reproduced", 20, "x") == ("reproduced", "x") and V.capped("partly", 3, "x")[0] == "partly"
    assert V.by_construction(True, "x")[0] == "by construction" and V.by_construction(False, "x")[0] == "not reproduced"
    assert V.quick("reproduced", "x")[0] == "indicative" and V.quick("not run", "x") == ("not run", "x")
    flat = _sweep([{"x": v} for v in (1, 2, 3)], N, lambda p, t: {"y": 1.0 + 0.1 * (t % 3)})
    tr = V.trend(flat, "y", flat.points)
    assert tr.monotone and not tr.strict and not tr.holds                  # a flat curve does not rise
    with pytest.raises(V.NoData):
        V.paired(_blank(flat, x=2), {"x": 2}, "y")
    got, missing = V.at_points(flat.points, lambda p: V.paired(_blank(flat, x=2), p, "y"))
    assert [p["x"] for p, _ in got] == [1, 3] and missing == [{"x": 2}]
    before = V.paired(flat, {"x": 1}, "y")
    flat.rows[0] = {**flat.rows[0], "y": 50.0}                            # one trial edited: read again
    assert V.paired(flat, {"x": 1}, "y")[0] == pytest.approx(before[0] + (50.0 - 1.0) / N)


# =========================================================================== the cases
def test_comp_rsma_points_without_a_feasible_draw_do_not_flip_fig3_claims():
    """Issue 23: C3.2 / C3.3 / C3.4 (paper) read "not reproduced" because 25 and 27 dBm had no
    feasible draw (NaN) and np.all over them was False."""
    clean = comp_rsma()
    res = clean["fig3_power"]
    inf = (lambda p, t: {"RSMA-FPA": 1} if p["pmax_dbm"] in (25, 27) and p["interference"] == "paper" else {})
    pts = sorted(res.points + [{"pmax_dbm": 27, "interference": m} for m in MODELS],
                 key=lambda p: (p["interference"], p["pmax_dbm"]))
    emptied = {**clean, "fig3_power": _sweep(pts, res.trials, _rsma_rows(_f3, inf, res.trials, seed=0))}
    before, after = _verdicts("comp_rsma", clean), _verdicts("comp_rsma", emptied)
    for cid in ("C3.2 (paper)", "C3.3 (paper)", "C3.4 (paper)", "C3.5 (paper)", "C3.1 (paper)"):
        assert after[cid][0] == before[cid][0] == "reproduced", (cid, after[cid])
        assert "no data" in after[cid][1] and "25" in after[cid][1], (cid, after[cid])


def test_comp_rsma_a_tie_is_not_the_most_robust():
    """Issue 23: C4.4 (coherent) was "reproduced" with RSMA-MA and SDMA-MA tied at every R_th."""
    data, n = comp_rsma(), 2 * N
    data["fig4_rate_threshold"] = _sweep(data["fig4_rate_threshold"].points, n, _rsma_rows(
        lambda p: {**_f4(p), "SDMA-MA": _f4(p)["RSMA-MA"]}, lambda p, t: {"RSMA-FPA": int(p["rth"] >= 1.0 and t < n // 4)},
        n, seed=1, exact=True))
    v = _verdicts("comp_rsma", data)
    assert v["C4.4 (coherent)"][0] == "partly" and "['RSMA-FPA']" in v["C4.4 (coherent)"][1]
    assert _verdicts("comp_rsma", comp_rsma())["C4.4 (coherent)"][0] == "reproduced"


def test_comp_rsma_c0_3_is_checked_at_37_dbm():
    """Issue 23: C0.3 took the maximum over all points (1.56 at 25 dBm) while the claim is at 37 dBm (1.31)."""
    data = comp_rsma()                                     # RSMA-MA/RSMA-FPA 1.56 at 25 dBm, 1.31 at 37
    data["fig3_power"] = _sweep(data["fig3_power"].points, 2 * N, _rsma_rows(
        lambda p: {**_f3(p), "RSMA-FPA": _f3(p)["RSMA-MA"] / (1.56 - 0.25 * (p["pmax_dbm"] - 25) / 12)}, None, 2 * N))
    verdict, text = _verdicts("comp_rsma", data)["C0.3 (paper)"]
    assert verdict == "partly" and "at 37 dBm 1.310" in text, text


@pytest.mark.parametrize("gap, verdict", [(3.5, "reproduced"), (4.3, "reproduced"), (1.9, "partly"), (6.5, "partly"),
                                          (7.5, "not reproduced"), (0.0, "not reproduced")])
def test_uplink_u2_4_band(gap, verdict):
    """Issue 23: U2.4 accepted any gap from 1.75 to 7 bit/s/Hz; now 0.75-1.25 of 3.5 (factor 2: partly)."""
    got = _verdicts("uplink", uplink(gap2=lambda p: gap))["U2.4"]
    assert got[0] == verdict, got


def test_full_duplex_warm_start_halves_do_not_reproduce():
    """F-SU.2 is by construction; F-SU.1 / F-E2.1 pass only on their strict halves; a broken warm start fails."""
    tie = _verdicts("full_duplex", full_duplex(tie=True))
    assert tie["F-SU.2"][0] == "by construction"
    assert tie["F-SU.1"][0] == tie["F-E2.1"][0] == "not reproduced"
    assert _verdicts("full_duplex", full_duplex(broken_warm=True))["F-SU.2"][0] == "not reproduced"
