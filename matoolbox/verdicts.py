"""Shared arithmetic of the claims' verdict rules (``examples/<family>/claims.py``).

Strict, paired rules on a :class:`~matoolbox.results.SweepResult`: ``by_trial`` reads one output
per trial at a grid point (finite values only), ``paired`` / ``across`` give (mean, s.e., n) of a
per-trial difference at a point or between two points (common random numbers make both paired),
``stats`` raises :class:`NoData` below two finite trials (the claim is then "not run", never a
pass or a fail: wrap the check with :func:`guard`), and :func:`capped` turns "reproduced" into
"partly" when some point has fewer than :data:`MIN_TRIALS` finite trials (``--quick`` runs).
"a > b" means mean(a - b) > :data:`Z` s.e.: a tie fails.
"""
from __future__ import annotations

import functools
import math

import numpy as np

__all__ = ["MIN_TRIALS", "Z", "NoData", "point_text", "stats", "by_trial", "paired", "across", "curves",
           "capped", "guard"]

MIN_TRIALS = 10          # fewer finite trials per point than this: at most "partly"
Z = 3.0                  # significance: mean > Z s.e.


class NoData(LookupError):
    """A point (or a needed grid value) without enough finite data: the claim is "not run"."""


def point_text(p) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in p.items())


def stats(d, where):
    """(mean, s.e., n) of the finite entries of ``d``; :class:`NoData` with fewer than two."""
    d = np.asarray(d, float)
    d = d[np.isfinite(d)]
    if d.size < 2:
        raise NoData(f"no data: {d.size} finite paired trial(s) at {where} (need >= 2)")
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size)), int(d.size)


def by_trial(res, key, p) -> dict:
    """{trial: value} of output ``key`` at grid point ``p`` (finite values only)."""
    return {int(r["trial"]): float(r[key]) for r in res.rows
            if all(r.get(k) == v for k, v in p.items()) and isinstance(r.get(key), (int, float))
            and math.isfinite(float(r[key]))}


def paired(res, p, a, b=None):
    """Per-trial a - b at point ``p`` (b None: a itself, e.g. a stored difference): (mean, s.e., n)."""
    va = by_trial(res, a, p)
    vb = by_trial(res, b, p) if b is not None else None
    d = [va[t] - (vb[t] if vb is not None else 0.0) for t in va if vb is None or t in vb]
    return stats(d, point_text(p))


def across(res, key, p, q):
    """Per-trial key(q) - key(p) over the trials finite at both points: (mean, s.e., n)."""
    vp, vq = by_trial(res, key, p), by_trial(res, key, q)
    return stats([vq[t] - vp[t] for t in vp if t in vq], f"{point_text(p)} -> {point_text(q)}")


def curves(res, x):
    """[(other params, sorted x values)] of the grid: one curve per combination of the others."""
    out = {}
    for p in res.points:
        rest = {k: v for k, v in p.items() if k != x}
        out.setdefault(tuple(sorted(rest.items())), set()).add(p[x])
    return [(dict(k), sorted(v)) for k, v in out.items()]


def capped(verdict, n_min, text):
    """'reproduced' needs :data:`MIN_TRIALS` finite trials at every point; fewer caps it at 'partly'."""
    if verdict == "reproduced" and n_min < MIN_TRIALS:
        return "partly", f"{text}; only {n_min} finite trials at some point (< {MIN_TRIALS}): at most 'partly'"
    return verdict, text


def guard(check):
    """A check that hits a point without data returns ("not run", reason)."""
    @functools.wraps(check)
    def run(results):
        try:
            return check(results)
        except NoData as e:
            return "not run", str(e)
    return run
