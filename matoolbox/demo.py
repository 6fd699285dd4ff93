"""``matoolbox demo``: what moving the antennas buys (MA vs FPA) and where RSMA's common stream
earns its power (RSMA vs SDMA), on CoMP-RSMA instances solved by ``ao_solve``.

Part 1, the default instance (N = 2 BSs x I = 4 antennas, K = 4 users, 33 dBm, R_th = 0.6
bit/s/Hz, coherent joint transmission) on channel draw ``seed``, four schemes (RSMA-MA,
RSMA-FPA, SDMA-MA, SDMA-FPA; docs/theory/comp_rsma.rst: Schemes): a table (sum rate, per-user
rates c_k + R_{p,k}, feasibility, exitflag, time), a stacked bar chart ``demo_comp_rsma.png`` and
its numbers in ``demo_comp_rsma.csv``.

Part 2, three regimes (:data:`REGIMES`), each on ``draws`` channel draws ``seed, seed + 1, ...``
with the four schemes: the mean sum rates, the RSMA-MA / SDMA-MA ratio (ratio of the means over
the draws feasible for both), the common stream's share of the transmit power in RSMA-MA
(sum_n ||p_{0,n}||^2 / sum_n ||P_n||_F^2, mean over its feasible draws) and the MA / FPA ratio
(RSMA). With coherent joint transmission and N*I >= K (the default) the private precoders can
null the inter-user interference: the common stream gets no power and RSMA = SDMA. With N*I < K
(overloaded) they cannot, and in the paper's printed model (8), (10) the interference terms do not
depend on the cross gains at all; in both the common stream carries power and rate. The per-draw
numbers go to ``demo_regimes.csv``.
"""
from __future__ import annotations

import csv
import math
import time
from pathlib import Path

import numpy as np

from .core.validate import require_count, require_int

__all__ = ["run_demo", "run_regimes", "common_share", "channel_map", "SCHEMES", "REGIMES"]

SCHEMES = ("RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA")

#: name -> (keyword arguments of ``CompRsmaProblem.random``, why the common stream does or does not help)
REGIMES = {
    "default": ({}, "coherent joint transmission, N*I >= K: the private precoders can null the "
                    "inter-user interference, so the common stream has nothing to do"),
    "overloaded": ({"I": 1}, "N*I < K: too few transmit antennas to null K - 1 interferers; "
                             "the common stream decodes part of the interference"),
    "paper model": ({"preset": "paper"}, "the paper's printed (8), (10): interference terms that no "
                                         "precoder can null (each user's own stream at its own channel)"),
}

#: a common stream "earns its power" when it holds at least this share and RSMA/SDMA exceeds 1 + RATIO_MARGIN
SHARE_MIN, RATIO_MARGIN = 0.01, 0.02

_EXITFLAGS = "exitflag: 1 converged, 0 iteration limit, -2 no QoS-feasible point found (rate shown is infeasible)"


def _bar_chart(rows, path, title):
    from .plots import _plt

    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    names = [r["scheme"] for r in rows]
    bottom = np.zeros(len(rows))
    K = len(rows[0]["rates"])
    for k in range(K):
        vals = np.array([r["rates"][k] for r in rows])
        ax.bar(names, vals, bottom=bottom, label=f"user {k + 1}")
        bottom += vals
    for i, r in enumerate(rows):
        ax.text(i, bottom[i], f"{r['sum_rate']:.2f}" + ("" if r["feasible"] else " (infeasible)"),
                ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("sum rate (bit/s/Hz)")
    ax.set_title(title, fontsize=9)
    ax.set_ylim(0, max(bottom.max(), 1e-9) * 1.3)
    ax.legend(fontsize=8, loc="upper center", ncol=K)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def common_share(precoders) -> float:
    """Fraction of the transmit power on the common stream: sum |P[:, :, 0]|^2 / sum |P|^2 (0 if P = 0)."""
    P = np.asarray(precoders)
    total = float(np.sum(np.abs(P) ** 2))
    return float(np.sum(np.abs(P[:, :, 0]) ** 2)) / total if total > 0 else 0.0


def _solve_schemes(base, max_iter, rng):
    """ao_solve of the four schemes on one instance: one row per scheme."""
    from .optim.ao import ao_solve

    rows = []
    for scheme in SCHEMES:
        prob = base.variant(scheme)
        t0 = time.perf_counter()
        sol = ao_solve(prob, max_iter=max_iter, rng=rng)
        ev = prob.evaluate(sol.x)
        rows.append({"scheme": scheme, "sum_rate": float(sol.fval), "rates": np.asarray(ev["rates"]),
                     "common": np.asarray(ev["common"]),
                     "feasible": bool(sol.violation <= 1e-6 and sol.exitflag != -2),
                     "share": common_share(sol.x["precoders"]) if prob.rsma else 0.0,
                     "exitflag": int(sol.exitflag), "nit": int(sol.nit), "time": time.perf_counter() - t0,
                     "solution": sol})
    return rows


def _ratio(a, b, both):
    """mean(a) / mean(b) over the draws ``both`` (NaN when there is none)."""
    if not np.any(both):
        return math.nan
    den = float(np.mean(b[both]))
    return float(np.mean(a[both])) / den if den > 0 else math.nan


def _summarise(name, kw, why, draws_rows, seeds, base):
    """One regime's summary from its per-draw rows (list over draws of {scheme: row})."""
    rate = {s: np.array([d[s]["sum_rate"] for d in draws_rows]) for s in SCHEMES}
    ok = {s: np.array([d[s]["feasible"] for d in draws_rows], bool) for s in SCHEMES}
    both = ok["RSMA-MA"] & ok["SDMA-MA"]
    ratios = rate["RSMA-MA"][both] / rate["SDMA-MA"][both]
    shares = np.array([d["RSMA-MA"]["share"] for d in draws_rows])[ok["RSMA-MA"]]
    ratio = _ratio(rate["RSMA-MA"], rate["SDMA-MA"], both)
    share = float(np.mean(shares)) if shares.size else math.nan
    if not math.isfinite(ratio) or not math.isfinite(share):
        verdict = "no draw feasible for both RSMA-MA and SDMA-MA"
    elif share >= SHARE_MIN and ratio > 1 + RATIO_MARGIN:
        verdict = "the common stream earns its power"
    elif share < SHARE_MIN and abs(ratio - 1) <= RATIO_MARGIN:
        verdict = "the common stream stays idle (RSMA = SDMA)"
    else:
        verdict = "the common stream carries power but gains little"
    return {
        "regime": name, "overrides": dict(kw), "why": why, "seeds": list(seeds),
        "N": base.N, "I": base.I, "K": base.K, "interference": base.interference,
        "mean": {s: (float(np.mean(rate[s][ok[s]])) if np.any(ok[s]) else math.nan) for s in SCHEMES},
        "feasible": {s: int(np.sum(ok[s])) for s in SCHEMES},
        "ratio": ratio, "ratio_range": (float(ratios.min()), float(ratios.max())) if ratios.size else (math.nan,) * 2,
        "share": share,
        "ratio_fpa": _ratio(rate["RSMA-FPA"], rate["SDMA-FPA"], ok["RSMA-FPA"] & ok["SDMA-FPA"]),
        "ma_fpa": _ratio(rate["RSMA-MA"], rate["RSMA-FPA"], ok["RSMA-MA"] & ok["RSMA-FPA"]),
        "verdict": verdict, "draws": draws_rows,
    }


def run_regimes(seed=0, draws=1, quick=False, regimes=None, known=None) -> list[dict]:
    """RSMA vs SDMA and MA vs FPA in each regime of :data:`REGIMES` (or the names in ``regimes``),
    each on the channel draws ``seed .. seed + draws - 1``. ``quick`` caps the AO at 5 outer
    iterations. Returns one summary per regime: ``regime``, ``N``, ``I``, ``K``,
    ``interference``, ``mean`` (scheme -> mean sum rate over its feasible draws), ``feasible``
    (scheme -> number of feasible draws), ``ratio`` (mean RSMA-MA / mean SDMA-MA over the draws
    feasible for both; NaN if none), ``ratio_range`` (per-draw min, max), ``share`` (mean common
    power share of RSMA-MA), ``ratio_fpa`` (the same ratio for FPA), ``ma_fpa`` (RSMA-MA /
    RSMA-FPA), ``verdict``, ``why`` and ``draws`` (per draw: scheme -> row). ``known``: rows
    already solved, ``{(regime, seed): [row per scheme]}`` (the demo passes its default-instance
    table), reused instead of solving again."""
    from .comp_rsma import CompRsmaProblem

    seed = require_int("demo", "seed", seed, minimum=0)
    draws = require_count("demo", "draws", draws, minimum=1)
    names = list(REGIMES) if regimes is None else list(regimes)
    out = []
    for name in names:
        kw, why = REGIMES[name]
        seeds = [seed + d for d in range(draws)]
        rows, base = [], None
        for s in seeds:
            base = CompRsmaProblem.random(seed=s, **kw)
            done = (known or {}).get((name, s))
            rows.append({r["scheme"]: r for r in (done or _solve_schemes(base, 5 if quick else None, s))})
        out.append(_summarise(name, kw, why, rows, seeds, base))
    return out


def _pct(v):
    return "n/a" if not math.isfinite(v) else f"{100 * v:.1f} %"


def _num(v, fmt="{:.2f}"):
    return "n/a" if not math.isfinite(v) else fmt.format(v)


def _print_regimes(regs):
    n = len(regs[0]["seeds"])
    print(f"\nWhere the common stream earns its power (RSMA vs SDMA), {n} channel draw(s) per regime "
          f"(seeds {regs[0]['seeds'][0]}..{regs[0]['seeds'][-1]}):")
    head = (f"{'regime':<13}{'N*I vs K':<10}{'model':<10}{'RSMA-MA':>9}{'SDMA-MA':>9}{'RSMA/SDMA':>11}"
            f"{'common share':>14}{'RSMA/SDMA FPA':>15}{'MA/FPA':>8}")
    print(head)
    print("-" * len(head))
    for r in regs:
        NI, K = r["N"] * r["I"], r["K"]
        rel = f"{NI} {'>=' if NI >= K else '<'} {K}"
        print(f"{r['regime']:<13}{rel:<10}{r['interference']:<10}{_num(r['mean']['RSMA-MA']):>9}"
              f"{_num(r['mean']['SDMA-MA']):>9}{_num(r['ratio']):>11}{_pct(r['share']):>14}"
              f"{_num(r['ratio_fpa']):>15}{_num(r['ma_fpa']):>8}")
    for r in regs:
        lo, hi = r["ratio_range"]
        spread = f"; per draw {lo:.2f}..{hi:.2f}" if n > 1 and math.isfinite(lo) else ""
        bad = [f"{s} {n - c}/{n}" for s, c in r["feasible"].items() if c < n]
        print(f"  {r['regime']}: {r['verdict']} (RSMA/SDMA {_num(r['ratio'])}, common share "
              f"{_pct(r['share'])}{spread}): {r['why']}."
              + (f" Infeasible draws: {', '.join(bad)}." if bad else ""))
    print("  Means over the feasible draws; RSMA/SDMA and MA/FPA: ratio of the means over the draws "
          "feasible for both schemes; common share: RSMA-MA's power on the common stream.")


def _write_regimes_csv(regs, path):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["regime", "N", "I", "K", "interference", "seed", "scheme", "sum_rate", "feasible",
                    "exitflag", "common_share", "time_s"])
        for r in regs:
            for s, draw in zip(r["seeds"], r["draws"]):
                for sc in SCHEMES:
                    row = draw[sc]
                    w.writerow([r["regime"], r["N"], r["I"], r["K"], r["interference"], s, sc,
                                f"{row['sum_rate']:.6f}", row["feasible"], row["exitflag"],
                                f"{row['share']:.6f}", f"{row['time']:.3f}"])
    return path


def run_demo(out="out/demo", seed=0, quick=False, verbose=True, draws=None) -> dict:
    """The demo: part 1 (the default instance, channel draw ``seed``, four schemes) and part 2
    (:func:`run_regimes` on ``draws`` draws per regime; default 2 with ``quick``, else 6).

    ``quick`` caps the AO at 5 outer iterations. Prints both tables when ``verbose``; writes
    ``demo_comp_rsma.png``, ``demo_comp_rsma.csv`` and ``demo_regimes.csv`` into ``out``. Returns
    ``{"rows": [...], "regimes": [...], "png", "csv", "regimes_csv", "elapsed"}``: one row per
    scheme with ``scheme``, ``sum_rate``, ``rates`` (K,), ``common`` (K,), ``share`` (common power
    share; 0 for SDMA), ``feasible``, ``exitflag``, ``nit``, ``time`` (s) and the ``solution``;
    ``regimes`` as returned by :func:`run_regimes`.
    """
    from .comp_rsma import CompRsmaProblem

    t_start = time.perf_counter()
    seed = require_int("demo", "seed", seed, minimum=0)
    draws = require_count("demo", "draws", (2 if quick else 6) if draws is None else draws, minimum=1)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    base = CompRsmaProblem.random(seed=seed)
    rows = _solve_schemes(base, 5 if quick else None, seed)
    K = base.K
    csv_path = out / "demo_comp_rsma.csv"
    with open(csv_path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["scheme", "sum_rate", *[f"rate_{k + 1}" for k in range(K)],
                    *[f"common_{k + 1}" for k in range(K)], "common_share", "feasible", "exitflag", "nit", "time_s"])
        for r in rows:
            w.writerow([r["scheme"], f"{r['sum_rate']:.6f}", *[f"{v:.6f}" for v in r["rates"]],
                        *[f"{v:.6f}" for v in r["common"]], f"{r['share']:.6f}", r["feasible"], r["exitflag"],
                        r["nit"], f"{r['time']:.3f}"])
    title = (f"CoMP-RSMA default instance (seed {seed}): N={base.N}, I={base.I}, K={K}, "
             f"{float(base.pmax_dbm):g} dBm, R_th={base.rth:g}")
    png = _bar_chart(rows, out / "demo_comp_rsma.png", title)
    if verbose:
        _print_table(rows, title)
    regs = run_regimes(seed=seed, draws=draws, quick=quick, known={("default", seed): rows})
    reg_csv = _write_regimes_csv(regs, out / "demo_regimes.csv")
    elapsed = time.perf_counter() - t_start
    if verbose:
        _print_regimes(regs)
        print(f"wrote {png}, {csv_path} and {reg_csv} ({elapsed:.1f} s)")
    return {"rows": rows, "regimes": regs, "png": png, "csv": csv_path, "regimes_csv": reg_csv, "elapsed": elapsed}


def _print_table(rows, title):
    print(title)
    head = (f"{'scheme':<10}{'sum rate':>10}  {'per-user rates c_k + R_p,k':<32}{'common':>8}{'feasible':>9}"
            f"{'exit':>5}{'iters':>6}{'time (s)':>9}")
    print(head)
    print("-" * len(head))
    for r in rows:
        rates = " ".join(f"{v:6.3f}" for v in r["rates"])
        share = f"{100 * r['share']:.1f}%" if r["scheme"].startswith("RSMA") else "-"
        print(f"{r['scheme']:<10}{r['sum_rate']:>10.3f}  {rates:<32}{share:>8}{str(r['feasible']):>9}"
              f"{r['exitflag']:>5}{r['nit']:>6}{r['time']:>9.2f}")
    print(f"({_EXITFLAGS}; common: RSMA's share of the transmit power on the common stream)")
    by = {r["scheme"]: r for r in rows}
    gain = {a: by[f"{a}-MA"]["sum_rate"] / by[f"{a}-FPA"]["sum_rate"] if by[f"{a}-FPA"]["sum_rate"] > 0 else math.nan
            for a in ("RSMA", "SDMA")}
    print(f"MA / FPA: {gain['RSMA']:.2f}x (RSMA), {gain['SDMA']:.2f}x (SDMA): moving each user's antenna "
          "within its 2-wavelength square finds a stronger channel.")
    diff = round(by["RSMA-MA"]["sum_rate"] - by["SDMA-MA"]["sum_rate"], 3) + 0.0
    print(f"RSMA - SDMA (MA): {diff:+.3f} bit/s/Hz with {100 * by['RSMA-MA']['share']:.1f} % of the power "
          "on the common stream; the regimes below show when that changes.")


def channel_map(out, seed: int = 0, n: int = 81, verbose=True) -> Path:
    """Draw a default field-response channel (``seed``) and save the normalized channel-gain map
    ``|h(r)|^2 / max`` over the MA region on an ``n`` x ``n`` grid (PNG + CSV). Returns the PNG path."""
    from .channels import field_response as fr
    from .plots import save_map

    seed = require_int("demo", "seed", seed, minimum=0)
    n = require_count("demo", "grid", n, minimum=2)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    lam, A, L, I = 0.01, 2 * 0.01, 6, 4
    theta_t, phi_t = fr.random_angles(rng, L)
    theta_r, phi_r = fr.random_angles(rng, L)
    Sigma = fr.random_prm(rng, L)
    G = fr.field_response_matrix(fr.directions(theta_t, phi_t), fr.ula_positions(I, lam / 2), lam)
    Wr = fr.directions(theta_r, phi_r)
    grid = fr.region_grid(A, n)
    hH = fr.steer_sum(Wr[None], (Sigma @ G)[None], grid[:, None, :], lam, sign=-1)[:, 0, :]
    gain = np.sum(np.abs(hH) ** 2, axis=-1).reshape(n, n)
    png = save_map(gain / gain.max(), extent=(-A / 2 / lam, A / 2 / lam, -A / 2 / lam, A / 2 / lam),
                   path=out / "demo_channel_gain.png", xlabel="x / λ", ylabel="y / λ",
                   title="Normalized channel gain over the MA region", colorbar="gain / max gain")
    np.savetxt(out / "demo_channel_gain.csv", np.column_stack([grid / lam, gain.ravel()]),
               delimiter=",", header="x_over_lambda,y_over_lambda,gain", comments="")
    if verbose:
        print(f"channel gain over the region: max/min {gain.max() / gain.min():.2f} "
              f"({10 * np.log10(gain.max() / gain.min()):.1f} dB); wrote {png}")
    return png
