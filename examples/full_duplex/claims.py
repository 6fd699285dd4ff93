"""Claims of the full-duplex review (review 004) checked on the data of the examples/full_duplex scripts.

Ids and rules follow the "Full duplex" section of the project's claims list. The review has no
simulations of its own: its claims are trends it attributes to reviewed works, mapped to the
project problems (P1-P3, MU, E1-E4). Every verdict is computed from the sweep data by the rule
written next to the claim; "s.e." is the standard error over trials of the paired per-trial
difference (the schemes of one trial share the channel draw). Claims without a project script are
listed with verdict "not run".
"""
from __future__ import annotations

import math

import numpy as np

from matoolbox.reproduce import Claim

E1, E2, E3, E4 = "e1_ccfd_maxmin", "e2_spectrum_sharing", "e3_null_steering", "e4_multibeam"
P1, P3, MU, REGION = "p1_rate_vs_si", "p3_rate_vs_cap", "mu_wsr_vs_nt", "region_size_sweep"
NONE = "no_project_script"


def xs(res, x, **p):
    return sorted({pt[x] for pt in res.points if all(pt.get(k) == v for k, v in p.items())})


def diff(res, a, b, **p):
    """Paired per-trial difference a - b at one point: (mean, s.e., min)."""
    d = res.values(a, **p) - res.values(b, **p)
    d = d[np.isfinite(d)]
    se = float(np.std(d, ddof=1) / math.sqrt(len(d))) if len(d) > 1 else 0.0
    return float(np.mean(d)), se, float(np.min(d))


def _verdict(n_ok, n, n_strict=None):
    if n_ok == n and (n_strict is None or n_strict == n):
        return "reproduced"
    return "partly" if n_ok > 0 else "not reproduced"


def _gain_everywhere(res, a, b, x, extra=None, margin=0.0):
    """mean(a) > mean(b) + margin at every x (reproduced when also > 2 s.e. everywhere)."""
    parts, ok, strict, n = [], 0, 0, 0
    combos = extra or [{}]
    for c in combos:
        for v in xs(res, x, **c):
            m, se, _ = diff(res, a, b, **{x: v}, **c)
            n += 1
            ok += m > margin
            strict += m > margin and m > 2 * se
            tag = ", ".join(f"{k}={w}" for k, w in c.items())
            parts.append(f"{x}={v:g}{' ' + tag if tag else ''}: {m:+.3g} ± {se:.2g}")
    return _verdict(ok, n, strict), f"{a} - {b}: " + "; ".join(parts)


def f_e1_1(results):
    return _gain_everywhere(results[E1], "ppso", "fpa", "si_db")


def f_e2_1(results):
    res = results[E2]
    worst = min(float(np.min(res.values("ma_snr_db", K=k) - res.values("fpa_snr_db", K=k))) for k in (1, 3))
    cap = max(float(np.max(r["max_inr_db"] - r["inr_cap_db"])) for r in res.rows)
    ok = worst >= -1e-6 and cap <= 1e-6
    v, m = _gain_everywhere(res, "ma_snr_db", "fpa_snr_db", "inr_cap_db", extra=[{"K": 1}, {"K": 3}])
    return (v if ok else "not reproduced"), (f"worst per-trial MA - FPA {worst:+.3g} dB, worst cap excess "
                                               f"{cap:+.2g} dB; " + m)


def f_e3_1(results):
    res = results[E3]
    rel = max(abs(10 ** (r["ma_gain_db"] / 10) - r["N"]) / r["N"] for r in res.rows)
    null = max(r["max_null_gain"] / r["N"] for r in res.rows)
    beat = min(r["ma_gain_db"] - r["fpa_zf_gain_db"] for r in res.rows)
    ok = [rel <= 1e-9, null <= 1e-12, beat > 0]
    return _verdict(sum(ok), 3), (f"max |G(theta_0) - N|/N = {rel:.1e}, max null gain / N = {null:.1e}, "
                                  f"min MA - FPA-ZF = {beat:+.3g} dB over {len(res.rows)} trials")


def f_e3_2(results):
    res = results[E3]
    lo = min(r["finite_gain_db"] - r["fpa_zf_gain_db"] for r in res.rows)
    hi = max(r["finite_gain_db"] - r["bound_db"] for r in res.rows)
    sizes = sorted({r["region"] for r in res.rows})
    ok = lo >= -1e-9 and hi <= 1e-9
    verdict = ("partly" if ok else "not reproduced") if len(sizes) < 2 else ("reproduced" if ok else "not reproduced")
    return verdict, (f"min finite - FPA-ZF = {lo:+.3g} dB, max finite - 10 log10 N = {hi:+.2g} dB; region sizes "
                     f"{sizes} (monotonicity in the region size needs >= 2 sizes)")


def f_e4_1(results):
    res = results[E4]
    cap = max(r["max_null_db"] - r["xi_db"] for r in res.rows)
    v, m = _gain_everywhere(res, "ma_db", "fpa_db", "A")
    return (v if cap <= 1e-6 else "not reproduced"), f"worst null excess over xi {cap:+.2g} dB; " + m


def f_su_1(results):
    res = results[REGION]
    sizes = xs(res, "A_lambda")
    g = [diff(res, "ma_pso", "fpa", A_lambda=a) for a in sizes]
    ge = all(m >= -1e-7 for m, _, _ in g)
    steps = [(g[i + 1][0] - g[i][0], 2 * math.hypot(g[i + 1][1], g[i][1])) for i in range(len(g) - 1)]
    mono = all(s >= -tol for s, tol in steps)
    verdict = "reproduced" if ge and mono else ("partly" if ge else "not reproduced")
    return verdict, ("ma_pso - fpa vs A: " + "; ".join(f"{a:g}: {m:+.3g} ± {se:.2g}" for a, (m, se, _) in zip(sizes, g))
                     + f"; gain non-decreasing within 2 s.e.: {mono}")


def f_su_2(results):
    worst = []
    for stem in (P1, P3):
        if stem in results:
            res = results[stem]
            worst.append((stem, float(np.min([r["fd_ma"] - r["fd_fpa"] for r in res.rows]))))
    ok = all(w >= -1e-7 for _, w in worst)
    gains = [f"{s}: worst per-trial fd_ma - fd_fpa {w:+.3g}" for s, w in worst]
    v1, m1 = _gain_everywhere(results[P1], "fd_ma", "fd_fpa", "rho_db")
    verdict = ("reproduced" if len(worst) == 2 else "partly") if ok else "not reproduced"
    return verdict, "; ".join(gains) + f"; P1 {m1}"


def f_su_3(results):
    res = results[P1]
    out, ok, n = [], 0, 0
    for nr in xs(res, "Nr"):
        rhos = xs(res, "rho_db", Nr=nr)
        ratio = [res.mean("fd_fpa", rho_db=r, Nr=nr) / res.mean("hd_fpa", rho_db=r, Nr=nr) for r in rhos]
        n += 1
        ok += all(q <= 2 for q in ratio) and ratio[-1] <= ratio[0]
        out.append(f"Nr={nr}: FD-FPA/HD-FPA " + ", ".join(f"{q:.2f}" for q in ratio) + f" at rho {rhos}")
    verdict = "partly" if ok == n else "not reproduced"   # the IUI -> 0 limit is not in the script (INR 0 dB)
    return verdict, "; ".join(out) + "; the limit 2 needs IUI -> 0, not swept (partly at best)"


def _reach(res, key, frac=0.95):
    caps = xs(res, "p_th_dbm")
    m = [res.mean(key, p_th_dbm=c) for c in caps]
    return next(c for c, v in zip(caps, m) if v >= frac * m[-1])


def f_su_4(results):
    res3, res1 = results[P3], results[P1]
    c_ma, c_fpa = _reach(res3, "fd_ma"), _reach(res3, "fd_fpa")
    parts, ok = [f"P3: fd_ma reaches 95 % at p_th = {c_ma:g} dBm, fd_fpa at {c_fpa:g} dBm"], [c_ma < c_fpa]
    for nr in xs(res1, "Nr"):
        rhos = xs(res1, "rho_db", Nr=nr)
        loss = {k: res1.mean(k, rho_db=rhos[0], Nr=nr) - res1.mean(k, rho_db=rhos[-1], Nr=nr) for k in ("fd_ma", "fd_fpa")}
        ok.append(loss["fd_ma"] < loss["fd_fpa"])
        parts.append(f"P1 Nr={nr}: loss from rho {rhos[0]:g} to {rhos[-1]:g} dB: MA {loss['fd_ma']:.3g}, "
                     f"FPA {loss['fd_fpa']:.3g}")
    return _verdict(sum(ok), len(ok)), "; ".join(parts)


def f_mu_1(results):
    res = results[MU]
    v, m = _gain_everywhere(res, "fd_ma", "fd_fpa", "Nt")
    tx = all(res.mean("ma_tx_only", Nt=n) >= res.mean("fd_fpa", Nt=n) - 1e-7 and
             res.mean("ma_tx_only", Nt=n) <= res.mean("fd_ma", Nt=n) + 1e-7 for n in xs(res, "Nt"))
    half = all(diff(res, "fd_ma", "fd_fpa", Nt=n)[0] >= 0.5 for n in xs(res, "Nt"))
    return v, m + f"; MA-Tx-only between them: {tx}; mean gain >= 0.5 at every N_t: {half}"


def _no_script(_results):
    return "not run", "no project script for this setting"


CLAIMS = [
    Claim("F-E1.1", E1, "MA positioning raises the minimum achievable rate over TAS (two-terminal CCFD).",
          "mean(ppso) > mean(fpa) at every SI level (reproduced when > 2 s.e. of the paired difference everywhere)",
          f_e1_1),
    Claim("F-E2.1", E2, "MAs effectively mitigate co-channel interference (spectrum sharing).",
          "ma_snr_db >= fpa_snr_db per trial at every Gamma and K, every primary cap met to 1e-6 dB; "
          "reproduced when the mean gain is also > 2 s.e. everywhere", f_e2_1),
    Claim("F-E3.1", E3, "Full array gain toward the desired direction with nulls toward all undesired ones.",
          "MA gain = N to 1e-9 relative, gain at every null <= 1e-12 N, MA > FPA-ZF (dB), every trial", f_e3_1),
    Claim("F-E3.2", E3, "A small region may force a trade-off, but MAs still beat fixed arrays.",
          "fpa_zf_gain_db <= finite_gain_db <= 10 log10 N every trial, finite gain non-decreasing in region "
          "size (partly when only one size is swept)", f_e3_2),
    Claim("F-E4.1", E4, "MAs significantly raise the max-min beam gain with interference suppression vs TAS.",
          "mean(ma_db) > mean(fpa_db) at every span A (> 2 s.e. for reproduced), every undesired gain <= xi",
          f_e4_1),
    Claim("F-BC.1", NONE, "MA beam coverage significantly outperforms TAS.",
          "min gain over the coverage region higher for MA than FPA (no project script)", _no_script),
    Claim("F-SA.1", NONE, "A single MA can reach performance comparable to SIMO beamforming.",
          "report SNR of one MA at its best position / SNR of N-antenna SIMO MRC (no project script)", _no_script),
    Claim("F-SU.1", REGION, "MAS-MIMO capacity is well above TAS, especially for large regions.",
          "ma_pso >= fpa at every A and ma_pso - fpa non-decreasing in A (steps >= -2 s.e.; partly when only "
          "the first part holds)", f_su_1),
    Claim("F-SU.2", P1, "FD with MAs should beat TAS thanks to the extra position freedom (P1, P3).",
          "fd_ma >= fd_fpa - 1e-7 per trial at every point of p1_rate_vs_si and p3_rate_vs_cap (MA warm-started "
          "from the FPA solution)", f_su_2),
    Claim("F-SU.3", P1, "FD in theory doubles spectral efficiency (ideal SIC, negligible IUI).",
          "FD-FPA / HD-FPA <= 2 at every rho and falls as rho grows; approaching 2 needs IUI -> 0, which the "
          "script does not sweep (partly at best)", f_su_3),
    Claim("F-SU.4", P3, "MA-FD needs less SI cancellation than TAS.",
          "P3: smallest p_th where fd_ma reaches 95 % of its value at the largest p_th is below that of fd_fpa; "
          "P1: fd_ma loses less than fd_fpa from rho_min to rho_max (each Nr)", f_su_4),
    Claim("F-SU.5", NONE, "The sum secrecy rate improves significantly with MAS-MIMO (secure FD).",
          "SSR(MA) > SSR(FPA) (secure FD out of scope; no project script)", _no_script),
    Claim("F-MU.1", MU, "The multi-user extension reaches the same conclusions (MA > TAS).",
          "mean(fd_ma) > mean(fd_fpa) at every N_t (> 2 s.e. of the paired difference for reproduced); "
          "also reported: MA-Tx-only between them, mean gain >= 0.5 bit/s/Hz", f_mu_1),
    Claim("F-ML.1", NONE, "ML performs comparably to traditional optimization at lower online cost.",
          "report only; the nearest project check is C0.1 (GML vs the reference)", _no_script),
]
