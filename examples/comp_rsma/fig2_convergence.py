"""Fig. 2 of Amhaz et al. (CoMP-RSMA with MAs): GML sum rate vs outer iteration.

Two curves: the sum rate V(P, r) of the current GML iterate (LP-polished split, spec §2.4; QoS not
checked) and of the best feasible iterate so far, both averaged over the trials (independent
channel draws of the default instance: N = 2 BSs, I = 4, K = 4, 33 dBm, R_th = 0.6). The paper
plots one draw; ``--trials`` averages several. Default GmlOptions with 2000 outer iterations
(twice the default, to show the plateau); ``--quick`` runs 500.

    python examples/comp_rsma/fig2_convergence.py --quick
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

import matoolbox as ma
from matoolbox.gml import GmlOptions, gml_solve
from matoolbox.plots import save_curves
from matoolbox.problems import CompRsmaProblem


def trial(seedseq, n_outer):
    """One channel draw and one GML run: returns the per-iteration histories and the result."""
    s_prob, s_gml = seedseq.spawn(2)
    prob = CompRsmaProblem.random(seed=np.random.default_rng(s_prob))
    sol = gml_solve(prob, GmlOptions(n_outer=n_outer), rng=np.random.default_rng(s_gml))
    best = np.array(sol.output["history_best"], float)
    best[~np.isfinite(best)] = np.nan
    return {"current": np.array(sol.history, float), "best": best, "fval": sol.fval,
            "exitflag": sol.exitflag, "violation": sol.violation, "elapsed": sol.elapsed}


def run(quick=False, trials=None, workers=1, seed=0, out="out/comp_rsma", progress=False, checkpoint=None,
        n_outer=None):
    """Run GML on ``trials`` draws; saves fig2_convergence.png/.csv into ``out``; returns a dict with
    ``iteration``, ``current`` and ``best`` (mean curves), ``per_trial`` (list of trial dicts).
    ``checkpoint`` is accepted for CLI parity and ignored (no sweep: one GML run per draw);
    ``n_outer`` overrides the number of outer iterations (quick 500, else twice the default)."""
    n_outer = int(n_outer) if n_outer is not None else (500 if quick else 2 * GmlOptions().n_outer)
    trials = int(trials) if trials is not None else 1
    seeds = ma.spawn_seeds(seed, trials)
    if workers > 1:
        from joblib import Parallel, delayed

        per_trial = Parallel(n_jobs=workers)(delayed(trial)(s, n_outer) for s in seeds)
    else:
        it = seeds
        if progress:
            from tqdm import tqdm

            it = tqdm(seeds, desc="fig2 trials")
        per_trial = [trial(s, n_outer) for s in it]
    iteration = np.arange(1, n_outer + 1)
    current = np.mean([t["current"] for t in per_trial], axis=0)
    best_all = np.array([t["best"] for t in per_trial])
    best = np.full(n_outer, np.nan)
    have = np.any(np.isfinite(best_all), axis=0)
    best[have] = np.nanmean(best_all[:, have], axis=0)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "fig2_convergence.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["iteration", "current_mean", "best_mean"] + [f"current_{i}" for i in range(trials)])
        for j in range(n_outer):
            w.writerow([iteration[j], current[j], best[j]] + [t["current"][j] for t in per_trial])
    step = max(1, n_outer // 200)
    sel = slice(step - 1, None, step)
    save_curves(iteration[sel], {"current iterate": current[sel], "best feasible so far": best[sel]},
                out / "fig2_convergence.png", xlabel="outer iteration", ylabel="sum rate (bit/s/Hz)",
                title=f"Fig. 2: GML convergence (RSMA-MA, {trials} draw(s))")
    return {"iteration": iteration, "current": current, "best": best, "per_trial": per_trial}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--trials", type=int, default=None)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="out/comp_rsma")
    a = ap.parse_args()
    res = run(quick=a.quick, trials=a.trials, workers=a.workers, seed=a.seed, out=a.out, progress=True)
    n = len(res["iteration"])
    marks = [m for m in (10, 100, 500, 1000, 2000, 4000) if m <= n]
    print("outer iteration: " + ", ".join(f"{m}: {res['best'][m - 1]:.2f}" for m in marks) + " (best, bit/s/Hz)")
    flags = [t["exitflag"] for t in res["per_trial"]]
    print(f"final best {np.mean([t['fval'] for t in res['per_trial']]):.3f} bit/s/Hz over {len(flags)} draw(s); "
          f"infeasible: {sum(f == -2 for f in flags)}; mean time {np.mean([t['elapsed'] for t in res['per_trial']]):.1f} s")
    print(f"wrote {a.out}/fig2_convergence.png and .csv")
