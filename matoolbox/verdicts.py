"""Shared verdict rules of the claims (``examples/<family>/claims.py``): one arithmetic for every family.

The rules, in words (each claims file writes the rule of each claim next to it):

* **No data.** A grid point where an output has fewer than two finite trials (no feasible draw,
  a failed trial) has *no data* for it. "At every point" rules skip such points explicitly and
  say so in the measured text ("no data at ...: excluded"); a claim whose *needed* point (a named
  point; or all the points of an "every point" rule) has no data raises :class:`NoData`, and
  :func:`guard` turns it into "not run", never "not reproduced". Trends step between consecutive
  points *with* data.
* **Superiority needs a margin.** "a > b" means the mean of the per-trial difference a - b is
  above :data:`Z` standard errors and above :data:`EPS` (:func:`greater`): an exact tie never
  passes. "a >= b" (non-inferiority, a non-decreasing step) means the mean is not below -Z s.e.
  (:func:`not_below`). "Rises" (:class:`Trend`) needs both: no step down by more than Z s.e. and
  one step (or the end-to-end change) up by more than Z s.e.: a flat curve does not rise.
* **Paired.** The schemes of one trial share its channel draw and one trial index is the same
  draw at every grid point (common random numbers of :func:`matoolbox.sweep.run_sweep`), so
  differences at one point (:func:`paired`) and between two points (:func:`across`) are per trial.
  With a single trial the Monte Carlo s.e. of the rows (``<key>_se``) stands in, where present.
* **Named points** are looked up, never replaced by the nearest swept value (:func:`point`).
* **By construction.** A comparison that starts one scheme from the other's answer cannot fail:
  :func:`by_construction` labels it "by construction" (or "not reproduced" when even the built-in
  inequality breaks); it never gives "reproduced".
* **Indicative.** "reproduced" needs :data:`MIN_TRIALS` finite trials at every point a rule
  used; fewer give "indicative" (:func:`capped`), and so does every quick run (:func:`quick`,
  :func:`quick_rows`, applied to a report's rows by the caller that knows the run was quick).
"""
from __future__ import annotations

import functools
import math
import weakref

import numpy as np

__all__ = ["MIN_TRIALS", "Z", "EPS", "NoData", "Key", "key", "diff", "ratio", "exact", "point_text", "stats",
           "by_trial", "paired", "across", "means", "curves", "point", "greater", "not_below", "has_data",
           "at_points", "Trend", "trend", "Tally", "finish", "capped", "by_construction", "quick", "quick_rows",
           "guard", "nodata_text"]

#: Fewer finite trials than this at some point a rule used: "indicative", not "reproduced".
MIN_TRIALS = 20
#: Significance: "a > b" needs mean(a - b) > Z s.e.
Z = 3.0
#: A mean difference at or below this is a tie, whatever its s.e.
EPS = 1e-6


class NoData(LookupError):
    """A point (or a needed grid value) without enough finite data: the claim is "not run"."""


# ------------------------------------------------------------------------------- per-trial keys
class Key:
    """A per-trial quantity of a sweep row: ``value(row)``, and its Monte Carlo s.e. ``se(row)``
    (NaN when the row carries none). Build with :func:`key`, :func:`diff`, :func:`ratio`, :func:`exact`."""

    def __init__(self, name, value, se=None):
        self.name, self.value = name, value
        self.se = se or (lambda row: math.nan)

    def __repr__(self):
        return f"Key({self.name!r})"


def _num(row, k):
    v = row.get(k)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan


def key(k) -> Key:
    """Output ``k`` of a row (a :class:`Key` is returned as is); MC s.e. from ``<k>_se`` if present."""
    if isinstance(k, Key):
        return k
    return Key(k, lambda row: _num(row, k), lambda row: _num(row, f"{k}_se"))


def exact(k) -> Key:
    """Output ``k`` computed in closed form (the same in every trial): its s.e. is 0."""
    return Key(k, lambda row: _num(row, k), lambda row: 0.0)


def diff(a, b) -> Key:
    """Per-trial ``a - b``."""
    ka, kb = key(a), key(b)
    return Key(f"{ka.name} - {kb.name}", lambda row: ka.value(row) - kb.value(row),
               lambda row: math.hypot(ka.se(row), kb.se(row)))


def ratio(a, b) -> Key:
    """Per-trial ``a / b`` (first-order MC s.e.)."""
    ka, kb = key(a), key(b)

    def value(row):
        d = kb.value(row)
        return ka.value(row) / d if d != 0 else math.nan

    def se(row):
        va, vb = ka.value(row), kb.value(row)
        return abs(va / vb) * math.hypot(ka.se(row) / va, kb.se(row) / vb) if va and vb else math.nan
    return Key(f"{ka.name}/{kb.name}", value, se)


# ------------------------------------------------------------------------------- selection
def point_text(p) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in p.items())


def nodata_text(points) -> str:
    """"; no data (no finite trial) at <points>: excluded" or ""."""
    pts = [point_text(p) if isinstance(p, dict) else str(p) for p in points]
    return f"; no data (< 2 finite trials) at {' | '.join(pts)}: excluded" if pts else ""


_INDEX = weakref.WeakKeyDictionary()       # res -> (row identities, params, {point key: rows}); rows are read often


def _rows(res, p):
    """The rows of ``res`` at (the points matching) ``p``."""
    params = tuple(getattr(res, "params", ()))
    if set(p) == set(params):
        try:
            ids, ps, index = _INDEX.get(res, (None, None, None))
            now = [id(r) for r in res.rows]             # a row replaced or added rebuilds the index
            if ids != now or ps != params:
                index = {}
                for r in res.rows:
                    index.setdefault(tuple(r.get(k) for k in params), []).append(r)
                _INDEX[res] = (now, params, index)
            return index.get(tuple(p[k] for k in params), [])
        except TypeError:                   # unhashable values or an object without weak references
            pass
    return [r for r in res.rows if all(r.get(k) == v for k, v in p.items())]


def _series(res, k, p) -> dict:
    """{trial: (value, MC s.e.)} of key ``k`` at point ``p``, finite values only."""
    kk = key(k)
    out = {}
    for r in _rows(res, p):
        v = kk.value(r)
        if math.isfinite(v):
            out[int(r["trial"])] = (v, kk.se(r))
    return out


def by_trial(res, k, p) -> dict:
    """{trial: value} of key ``k`` (an output name or a :class:`Key`) at grid point ``p`` (finite only)."""
    return {t: v for t, (v, _) in _series(res, k, p).items()}


def stats(d, where, se1=math.nan):
    """(mean, s.e., n) of the finite entries of ``d``. One entry: its MC s.e. ``se1`` if finite;
    otherwise (and with none) :class:`NoData`."""
    d = np.asarray(d, float)
    d = d[np.isfinite(d)]
    if d.size == 1 and math.isfinite(se1):
        return float(d[0]), float(se1), 1
    if d.size < 2:
        raise NoData(f"no data: {d.size} finite trial(s) at {where} (need >= 2)")
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size)), int(d.size)


def paired(res, p, a, b=None):
    """Per-trial ``a - b`` at point ``p`` (``b`` None: ``a`` itself): (mean, s.e., n)."""
    s = _series(res, key(a) if b is None else diff(a, b), p)
    vals = [v for v, _ in s.values()]
    return stats(vals, point_text(p), next(iter(s.values()))[1] if len(s) == 1 else math.nan)


def across(res, k, p, q):
    """Per-trial ``k(q) - k(p)`` over the trials finite at both points: (mean, s.e., n)."""
    sp, sq = _series(res, k, p), _series(res, k, q)
    common = [t for t in sp if t in sq]
    se1 = math.hypot(sp[common[0]][1], sq[common[0]][1]) if len(common) == 1 else math.nan
    return stats([sq[t][0] - sp[t][0] for t in common], f"{point_text(p)} -> {point_text(q)}", se1)


def means(res, p, *keys):
    """(mean of each key over the trials finite for all of them, n); :class:`NoData` below two."""
    s = [_series(res, k, p) for k in keys]
    common = [t for t in s[0] if all(t in x for x in s[1:])]
    if len(common) < 2 and not (len(common) == 1 and all(math.isfinite(x[common[0]][1]) for x in s)):
        raise NoData(f"no data: {len(common)} trial(s) finite for {[key(k).name for k in keys]} at {point_text(p)}")
    return tuple(float(np.mean([x[t][0] for t in common])) for x in s) + (len(common),)


def has_data(res, p, *keys) -> bool:
    """Whether point ``p`` has data (two finite trials, or one with an MC s.e.) for all ``keys`` jointly."""
    try:
        means(res, p, *keys)
    except NoData:
        return False
    return True


def curves(res, x):
    """[(other params, sorted x values)] of the grid: one curve per combination of the others."""
    out = {}
    for p in res.points:
        rest = {k: v for k, v in p.items() if k != x}
        out.setdefault(tuple(sorted(rest.items(), key=lambda kv: kv[0])), set()).add(p[x])
    return [(dict(k), sorted(v)) for k, v in out.items()]


def point(pts, x, value):
    """The point of ``pts`` with ``x == value`` (a claim's named point); :class:`NoData` if not swept."""
    for p in pts:
        if isinstance(p.get(x), (int, float)) and math.isclose(p[x], value, rel_tol=1e-9, abs_tol=1e-12):
            return p
    raise NoData(f"no data: the claim is at {x}={value:g}, which the sweep does not have "
                 f"({x} = {sorted({p.get(x) for p in pts})})")


def at_points(pts, fn):
    """([(p, fn(p))] for the points (or any items) where ``fn`` has data, [those without]);
    :class:`NoData` if none has."""
    got, missing = [], []
    for p in pts:
        try:
            got.append((p, fn(p)))
        except NoData:
            missing.append(p)
    if not got:
        raise NoData("no data at any of: " + " | ".join(point_text(p) if isinstance(p, dict) else str(p) for p in pts))
    return got, missing


# ------------------------------------------------------------------------------- rules
def greater(m, s) -> bool:
    """Mean difference ``m`` (s.e. ``s``) is a strict gain: m > Z s and m > EPS (a tie fails)."""
    return bool(m > Z * s and m > EPS)


def not_below(m, s) -> bool:
    """Mean difference ``m`` is not significantly negative: m >= -(Z s + EPS)."""
    return bool(m >= -(Z * s + EPS))


class Trend:
    """Steps of a per-trial key along ordered points, between consecutive points with data.

    ``sign`` +1 for "rises / non-decreasing", -1 for "falls / non-increasing". ``monotone``: no
    step against the direction by more than Z s.e.; ``strict``: some step, or the first-to-last
    change, in the direction by more than Z s.e.; ``holds`` = both. ``missing``: points without
    data (excluded); ``gaps``: consecutive points with data but no trial finite at both."""

    def __init__(self, res, k, pts, sign=+1):
        self.key, self.sign = key(k), sign
        have = [p for p in pts if has_data(res, p, self.key)]
        self.missing = [p for p in pts if p not in have]
        if len(have) < 2:
            raise NoData(f"no data: {self.key.name} has data at {len(have)} point(s) of {len(pts)} (a trend needs 2)")
        self.steps, self.gaps = [], []
        for p, q in zip(have, have[1:]):
            try:
                self.steps.append((p, q) + across(res, self.key, p, q))
            except NoData:
                self.gaps.append((p, q))
        try:
            self.end = across(res, self.key, have[0], have[-1])
        except NoData:
            self.end = None
        if not self.steps and self.end is None:
            raise NoData(f"no data: no trial of {self.key.name} is finite at two points")
        self.first, self.last = have[0], have[-1]
        self.n_min = min([n for *_, n in self.steps] + ([self.end[2]] if self.end else []))
        self.monotone = all(not_below(sign * m, s) for *_, m, s, _ in self.steps)
        self.strict = (any(greater(sign * m, s) for *_, m, s, _ in self.steps)
                       or (self.end is not None and greater(sign * self.end[0], self.end[1])))
        self.holds = self.monotone and self.strict

    def text(self, x=None) -> str:
        worst = min((self.sign * m / s if s > 0 else math.copysign(math.inf, self.sign * m) if m else 0.0)
                    for *_, m, s, _ in self.steps) if self.steps else math.nan
        out = f"{self.key.name}: worst step {worst:+.2g} s.e."
        if self.end is not None:
            out += f", first -> last {self.end[0]:+.3g} ± {self.end[1]:.2g}"
        if self.gaps:
            out += f", {len(self.gaps)} step(s) without a trial finite at both ends (unchecked)"
        if self.missing and x:
            out += f", no data at {x} = {[p[x] for p in self.missing]} (excluded)"
        return out


def trend(res, k, pts, sign=+1) -> Trend:
    return Trend(res, k, pts, sign)


class Tally:
    """Outcomes of one rule over its comparisons: passes, count, fewest finite trials, notes, no-data points."""

    def __init__(self):
        self.ok, self.n, self.n_min, self.notes, self.nodata = 0, 0, math.inf, [], []

    def add(self, passed, n=None, note=None):
        self.ok += bool(passed)
        self.n += 1
        if n is not None:
            self.n_min = min(self.n_min, n)
        if note:
            self.notes.append(note)
        return bool(passed)

    def trials(self, n):
        self.n_min = min(self.n_min, n)

    def skip(self, points):
        self.nodata.extend(p for p in points if p not in self.nodata)

    @property
    def all(self):
        return self.n > 0 and self.ok == self.n

    def verdict(self, partly_at=1e-12) -> str:
        """"reproduced" if every comparison passed, "partly" if at least ``partly_at`` of them did."""
        if self.all:
            return "reproduced"
        return "partly" if self.n and self.ok >= max(partly_at * self.n, 1) else "not reproduced"


def finish(verdict, text, n_min=None, nodata=()):
    """Append the no-data note and apply the trial cap (``n_min`` None: a deterministic rule, no cap)."""
    text = text + nodata_text(nodata)
    return capped(verdict, n_min, text) if n_min is not None else (verdict, text)


def capped(verdict, n_min, text):
    """'reproduced' needs :data:`MIN_TRIALS` finite trials at every point used; fewer give 'indicative'."""
    if verdict == "reproduced" and n_min < MIN_TRIALS:
        return "indicative", f"{text}; {int(n_min)} finite trials at some point (< {MIN_TRIALS}): 'indicative'"
    return verdict, text


def by_construction(holds, text, why="one scheme starts from the other's answer"):
    """A comparison that cannot fail: "by construction" if its built-in inequality holds, else "not reproduced"."""
    if holds:
        return "by construction", f"{text} (by construction: {why}; it cannot fail)"
    return "not reproduced", f"{text} (the built-in inequality broke although {why})"


def quick(verdict, text):
    """A quick run never gives 'reproduced': it gives 'indicative'."""
    if verdict == "reproduced":
        return "indicative", f"{text}; quick run: 'indicative'"
    return verdict, text


def quick_rows(rows):
    """:func:`quick` on every row (``verdict``, ``measured``) of :func:`matoolbox.reproduce.evaluate_claims`."""
    out = []
    for r in rows:
        v, m = quick(r["verdict"], r["measured"])
        out.append({**r, "verdict": v, "measured": m})
    return out


def guard(check):
    """A check that hits a point without data returns ("not run", reason)."""
    @functools.wraps(check)
    def run(results):
        try:
            return check(results)
        except NoData as e:
            return "not run", str(e)
    return run
