"""``matoolbox demo``: the default CoMP-RSMA instance solved by ``ao_solve`` for the four schemes.

RSMA-MA, RSMA-FPA, SDMA-MA and SDMA-FPA (docs/theory/comp_rsma.rst: Schemes) on one channel draw of the
default instance (N = 2 BSs x I = 4 antennas, K = 4 users, 33 dBm, R_th = 0.6 bit/s/Hz). Prints a
table (sum rate, per-user rates c_k + R_{p,k}, feasibility, time) and saves a stacked bar chart
(per-user rates) as ``demo_comp_rsma.png`` with the numbers in ``demo_comp_rsma.csv``.
"""
from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np

from .core.validate import require_count, require_int

__all__ = ["run_demo", "channel_map", "SCHEMES"]

SCHEMES = ("RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA")


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


def run_demo(out="out/demo", seed=0, quick=False, verbose=True) -> dict:
    """Solve the default instance (channel draw ``seed``) for the four schemes with ``ao_solve``.

    ``quick`` caps the AO at 5 outer iterations. Prints the table when ``verbose``; writes
    ``demo_comp_rsma.png`` and ``.csv`` into ``out``. Returns ``{"rows": [...], "png": path,
    "csv": path}``, one row per scheme with ``scheme``, ``sum_rate``, ``rates`` (K,), ``common``
    (K,), ``feasible``, ``exitflag``, ``nit``, ``time`` (s) and the ``solution``.
    """
    from .optim.ao import ao_solve
    from .comp_rsma import CompRsmaProblem

    seed = require_int("demo", "seed", seed, minimum=0)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    base = CompRsmaProblem.random(seed=seed)
    rows = []
    for scheme in SCHEMES:
        prob = base.variant(scheme)
        t0 = time.perf_counter()
        sol = ao_solve(prob, max_iter=5 if quick else None, rng=seed)
        ev = prob.evaluate(sol.x)
        rows.append({"scheme": scheme, "sum_rate": float(sol.fval), "rates": np.asarray(ev["rates"]),
                     "common": np.asarray(ev["common"]), "feasible": bool(sol.violation <= 1e-6 and sol.exitflag != -2),
                     "exitflag": int(sol.exitflag), "nit": int(sol.nit), "time": time.perf_counter() - t0,
                     "solution": sol})
    K = base.K
    csv_path = out / "demo_comp_rsma.csv"
    with open(csv_path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["scheme", "sum_rate", *[f"rate_{k + 1}" for k in range(K)],
                    *[f"common_{k + 1}" for k in range(K)], "feasible", "exitflag", "nit", "time_s"])
        for r in rows:
            w.writerow([r["scheme"], f"{r['sum_rate']:.6f}", *[f"{v:.6f}" for v in r["rates"]],
                        *[f"{v:.6f}" for v in r["common"]], r["feasible"], r["exitflag"], r["nit"], f"{r['time']:.3f}"])
    title = (f"CoMP-RSMA default instance (seed {seed}): N={base.N}, I={base.I}, K={K}, "
             f"{float(base.pmax_dbm):g} dBm, R_th={base.rth:g}")
    png = _bar_chart(rows, out / "demo_comp_rsma.png", title)
    if verbose:
        print(title)
        head = f"{'scheme':<10}{'sum rate':>10}  {'per-user rates c_k + R_p,k':<32}{'feasible':>9}{'iters':>7}{'time (s)':>10}"
        print(head)
        print("-" * len(head))
        for r in rows:
            rates = " ".join(f"{v:6.3f}" for v in r["rates"])
            print(f"{r['scheme']:<10}{r['sum_rate']:>10.3f}  {rates:<32}{str(r['feasible']):>9}{r['nit']:>7}{r['time']:>10.2f}")
        ma_gain = rows[0]["sum_rate"] / rows[1]["sum_rate"] if rows[1]["sum_rate"] > 0 else float("nan")
        print(f"MA / FPA (RSMA): {ma_gain:.2f}x;  RSMA - SDMA (MA): {rows[0]['sum_rate'] - rows[2]['sum_rate']:+.3f} bit/s/Hz")
        print(f"wrote {png} and {csv_path}")
    return {"rows": rows, "png": png, "csv": csv_path}


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
