"""Sweep results: :class:`SweepResult` (rows, aggregates, CSV/MAT export) and the plotting
helpers :func:`plot_sweep` / :func:`save_sweep`."""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np

from . import plots

__all__ = ["SweepResult", "plot_sweep", "save_sweep"]

RESERVED = ("trial", "exitflag", "elapsed", "error")

# ----------------------------------------------------------------------------- normalisation
def _plain(value):
    """JSON ``default`` hook: NumPy scalars -> Python scalars, arrays -> lists; else TypeError."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"value of type {type(value).__name__} is not JSON-serialisable: {value!r:.60}")


def _json_roundtrip(obj):
    """Normalise through JSON (tuples become lists, NumPy types Python types), so that fresh and
    checkpointed rows compare equal."""
    return json.loads(json.dumps(obj, default=_plain))


# ----------------------------------------------------------------------------- result
def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, str)


def _stats(values):
    """mean, standard error (std with ddof=1 over sqrt(n); NaN for n < 2) and n of finite values."""
    x = np.asarray([float(v) for v in values if v is not None and math.isfinite(float(v))], float)
    n = int(x.size)
    mean = float(x.mean()) if n else math.nan
    se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return mean, se, n


class SweepResult:
    """Tidy sweep table.

    ``rows``: one dict per trial (grid params, ``trial``, outputs, ``exitflag``, ``elapsed``,
    ``error`` when the trial raised), ordered point-major, trial-minor. ``aggregate``: one dict per
    grid point and numeric output key (params, ``key``, ``mean``, ``stderr``, ``n``, ``infeasible``,
    ``failed``); mean and stderr over the finite values of that key (a trial marks a value as not
    counted by returning NaN or None); non-numeric outputs are skipped.
    """

    def __init__(self, rows, points, trials, seed=None, trial_name="", fingerprint="", n_resumed=0,
                 wall_time=math.nan):
        self.rows = list(rows)
        self.points = list(points)
        self.trials = int(trials)
        self.seed = seed
        self.trial_name = trial_name
        self.fingerprint = fingerprint
        self.n_resumed = int(n_resumed)
        self.wall_time = float(wall_time)
        self.params = list(dict.fromkeys(k for p in self.points for k in p))
        self._aggregate = None

    # -- columns
    @property
    def columns(self) -> list[str]:
        """Row columns in a stable order: params, trial, outputs, exitflag, elapsed, error."""
        keys = dict.fromkeys(self.params + ["trial"])
        for r in self.rows:
            keys.update(dict.fromkeys(k for k in r if k not in RESERVED))
        keys.update(dict.fromkeys(["exitflag", "elapsed"]))
        if any("error" in r for r in self.rows):
            keys["error"] = None
        return list(keys)

    @property
    def output_keys(self) -> list[str]:
        """Numeric output keys (aggregated), including ``elapsed``."""
        skip = set(self.params) | {"trial", "exitflag", "error"}
        keys = []
        for k in self.columns:
            if k in skip:
                continue
            vals = [r[k] for r in self.rows if r.get(k) is not None]
            if vals and all(_is_number(v) for v in vals):
                keys.append(k)
        return keys

    # -- selection
    def _select(self, params):
        unknown = [k for k in params if k not in self.params]
        if unknown:
            raise KeyError(f"unknown grid parameter(s) {unknown}; the grid has {self.params}")
        params = _json_roundtrip(params)
        sel = [r for r in self.rows if all(r.get(k) == v for k, v in params.items())]
        if not sel and params:
            raise KeyError(f"no trial matches {params}")
        return sel

    def values(self, key, **params) -> np.ndarray:
        """Array of ``key`` over the trials matching ``params`` (NaN where missing)."""
        sel = self._select(params)
        if not any(key in r for r in self.rows):
            raise KeyError(f"no output {key!r}; outputs are {self.output_keys}")
        return np.array([r[key] if _is_number(r.get(key)) else math.nan for r in sel], float)

    def mean(self, key, **params) -> float:
        """Mean of the finite values of ``key`` over the trials matching ``params`` (all given
        params: one grid point; fewer: pooled over the matching points)."""
        return _stats(self.values(key, **params))[0]

    def stderr(self, key, **params) -> float:
        """Standard error of :meth:`mean`."""
        return _stats(self.values(key, **params))[1]

    def infeasible(self, **params) -> int:
        """Number of trials with ``exitflag == -2`` among those matching ``params``."""
        return sum(r["exitflag"] == -2 for r in self._select(params))

    def failed(self, **params) -> int:
        """Number of trials with ``exitflag == -3`` (raised or reported failure)."""
        return sum(r["exitflag"] == -3 for r in self._select(params))

    @property
    def errors(self) -> list[dict]:
        """Rows of trials that raised (their ``error`` strings)."""
        return [r for r in self.rows if "error" in r]

    # -- aggregate
    @property
    def aggregate(self) -> list[dict]:
        if self._aggregate is None:
            keys = self.output_keys
            by_point = {}
            for r in self.rows:
                by_point.setdefault(tuple(json.dumps(r.get(k)) for k in self.params), []).append(r)
            agg = []
            for p in self.points:
                rows = by_point.get(tuple(json.dumps(p.get(k)) for k in self.params), [])
                inf = sum(r["exitflag"] == -2 for r in rows)
                bad = sum(r["exitflag"] == -3 for r in rows)
                for k in keys:
                    m, se, n = _stats([r.get(k) for r in rows])
                    agg.append({**p, "key": k, "mean": m, "stderr": se, "n": n, "infeasible": inf,
                                "failed": bad})
            self._aggregate = agg
        return self._aggregate

    # -- export
    def to_csv(self, path, *, aggregate=False):
        """Write the rows (or the aggregate) as CSV; lists are JSON strings, None is empty."""
        if aggregate:
            table, cols = self.aggregate, self.params + ["key", "mean", "stderr", "n", "infeasible", "failed"]
        else:
            table, cols = self.rows, self.columns
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for r in table:
                w.writerow(["" if r.get(c) is None else json.dumps(r[c]) if isinstance(r[c], list)
                            else repr(r[c]) if isinstance(r[c], float) else r[c] for c in cols])
        return path

    def to_mat(self, path):
        """Write ``rows`` and ``aggregate`` as MATLAB structs of columns (``scipy.io.savemat``):
        numeric columns are double vectors (NaN where missing), others cell arrays of strings."""
        from scipy.io import savemat

        def columns(table, cols):
            out = {}
            for c in cols:
                vals = [r.get(c) for r in table]
                if all(v is None or _is_number(v) for v in vals):
                    arr = np.array([math.nan if v is None else float(v) for v in vals], float)
                else:
                    arr = np.empty(len(vals), object)
                    arr[:] = ["" if v is None else v if isinstance(v, str) else json.dumps(v) for v in vals]
                out[_mat_name(c)] = arr
            return out

        agg_cols = self.params + ["key", "mean", "stderr", "n", "infeasible", "failed"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        savemat(path, {"rows": columns(self.rows, self.columns),
                       "aggregate": columns(self.aggregate, agg_cols),
                       "trials": self.trials, "trial_name": self.trial_name}, oned_as="column")
        return path

    def summary(self, keys=None) -> str:
        """Text table of mean ± stderr per grid point, with the infeasible and failed counts and a
        ``status`` column that marks a point with infeasible or failed trials in capitals
        ("2/5 INFEASIBLE", "ALL INFEASIBLE", "1/5 FAILED"); a mean over fewer finite values
        than trials says ``[n=k/T]``, a point without any finite value says ``no data``; a legend
        line follows when any point is marked."""
        keys = list(keys) if keys is not None else [k for k in self.output_keys if k != "elapsed"]
        agg = {(json.dumps([a.get(p) for p in self.params]), a["key"]): a for a in self.aggregate}
        head = self.params + keys + ["infeasible", "failed", "status"]
        lines, marked = [], False
        for p in self.points:
            pk = json.dumps([p.get(k) for k in self.params])
            rows = [r for r in self.rows if all(r.get(k) == v for k, v in p.items())]
            cells = [str(p.get(k)) for k in self.params]
            for k in keys:
                cells.append(_cell(agg.get((pk, k)), len(rows)))
            inf, bad = _status_counts(rows)
            status = _status(inf, bad, len(rows))
            marked |= status != "ok" or any("[n=" in c or c == "no data" for c in cells)
            lines.append(cells + [str(inf), str(bad), status])
        widths = [max(len(h), *(len(c[i]) for c in lines)) for i, h in enumerate(head)]
        fmt = "  ".join(f"{{:>{w}}}" for w in widths[:-1]) + "  {}"
        out = [fmt.format(*head)] + [fmt.format(*c) for c in lines]
        if marked:
            out += ["INFEASIBLE: trials with exitflag -2 (no feasible point); FAILED: raised or exitflag -3 (.errors)",
                    "means over the finite values only: [n=k/T] k of T trials counted; no data: none"]
        return "\n".join(out)

    def rows_table(self, keys=None) -> str:
        """Text table of the trial rows (grid parameters, trial, ``keys``) with a ``status`` column:
        ``ok``, ``INFEASIBLE`` (exitflag -2) or ``FAILED: <error>`` (raised / exitflag -3)."""
        keys = list(keys) if keys is not None else [k for k in self.output_keys if k != "elapsed"]
        head = self.params + ["trial"] + keys + ["status"]
        lines = []
        for r in self.rows:
            cells = [str(r.get(k)) for k in self.params] + [str(r.get("trial"))]
            cells += [f"{r[k]:.4g}" if _is_number(r.get(k)) else "-" for k in keys]
            flag = r.get("exitflag")
            status = ("INFEASIBLE" if flag == -2 else "FAILED" if flag == -3 else "ok")
            if flag in (-2, -3) and r.get("error"):
                status += f": {str(r['error'])[:60]}"
            lines.append(cells + [status])
        widths = [max(len(h), *(len(c[i]) for c in lines)) if lines else len(h) for i, h in enumerate(head)]
        fmt = "  ".join(f"{{:>{w}}}" for w in widths[:-1]) + "  {}"
        return "\n".join([fmt.format(*head)] + [fmt.format(*c) for c in lines])

    def __len__(self):
        return len(self.rows)

    def __repr__(self):
        return (f"SweepResult({len(self.points)} points x {self.trials} trials, outputs={self.output_keys}, "
                f"infeasible={self.infeasible()}, failed={self.failed()})")


def _status_counts(rows):
    return sum(r["exitflag"] == -2 for r in rows), sum(r["exitflag"] == -3 for r in rows)


def _status(inf, bad, n) -> str:
    """Status words of a grid point with ``inf`` infeasible and ``bad`` failed trials of ``n``."""
    if n and inf == n:
        return "ALL INFEASIBLE"
    if n and bad == n:
        return "ALL FAILED"
    parts = ([f"{inf}/{n} INFEASIBLE"] if inf else []) + ([f"{bad}/{n} FAILED"] if bad else [])
    return ", ".join(parts) or "ok"


def _cell(a, n_rows) -> str:
    """``mean ± se`` of one aggregate entry; ``[n=k/T]`` when fewer values count, ``no data`` if none."""
    if a is None:
        return "-"
    if a["n"] == 0:
        return "no data"
    text = f"{a['mean']:.4g}" + (f" ± {a['stderr']:.2g}" if math.isfinite(a["stderr"]) else "")
    return text + (f" [n={a['n']}/{n_rows}]" if a["n"] < n_rows else "")


def _mat_name(name: str) -> str:
    s = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    return s if s[:1].isalpha() else "v_" + s


# ----------------------------------------------------------------------------- plotting
def plot_sweep(result: SweepResult, x, keys, path, *, xlabel=None, ylabel="", title="", labels=None,
               formats=None, panel=None, missing_label=None, **fixed):
    """Plot mean ± standard error of each output in ``keys`` against grid parameter ``x``.

    Other grid parameters are fixed with keyword arguments (``K=4``); those left free that take
    several values among the selected points give one curve per value combination, labelled
    ``"key (K=4)"``; those taking a single value are simply held (they need not be passed).
    Every curve is the mean over the finite trial values at each x; the shaded band is ± 1
    standard error, named in the legend with the number of trials. A point without any finite
    value is marked on the plot (an ``x`` at the bottom, ``missing_label`` in the legend), not
    left out silently.

    Parameters
    ----------
    result : SweepResult
        The sweep.
    x : str
        Grid parameter on the x-axis (numeric values).
    keys : sequence of str
        Outputs to plot.
    path : str or Path
        Figure file (PNG unless another suffix is given).
    xlabel, ylabel, title : str, optional
        Axis labels (with units) and title, in words.
    labels : dict, optional
        Legend text per key.
    formats : sequence of str, optional
        Formats saved beside ``path``, e.g. ``("png", "pdf")`` (default: PNG, see
        :func:`matoolbox.plots.use_formats`).
    panel : str, optional
        A grid parameter drawn as one panel per value (e.g. ``"interference"``) instead of one
        curve per value; the legend then names the schemes only.
    missing_label : str, optional
        What a point without finite values means (default: "no feasible draw" when the sweep
        has infeasible trials, else "no finite value").
    **fixed
        Values of the other grid parameters.

    Returns
    -------
    Path
        The figure path.

    Raises
    ------
    KeyError
        Unknown ``x``, key or fixed value.
    ValueError
        A curve without any finite point (in every panel; the message names the curve, the x
        values and the fixed parameters, and counts the failed / infeasible trials).
    """
    if x not in result.params:
        raise KeyError(f"x={x!r} is not a grid parameter; the grid has {result.params}")
    if panel is not None and (panel == x or panel not in result.params or panel in fixed):
        raise KeyError(f"panel={panel!r} must be a free grid parameter other than x; the grid has {result.params}")
    keys = [keys] if isinstance(keys, str) else list(keys)
    missing = [k for k in keys if k not in result.output_keys]
    if missing:
        raise KeyError(f"no numeric output(s) {missing}; outputs are {result.output_keys}")
    unknown = [k for k in fixed if k not in result.params]
    if unknown:
        raise KeyError(f"fixed parameter(s) {unknown} are not grid parameters; the grid has {result.params}")
    labels = dict(labels or {})
    fixed = _json_roundtrip(fixed)
    pts = [p for p in result.points if all(p.get(k) == v for k, v in fixed.items())]
    if not pts:
        raise KeyError(f"no grid point matches {fixed}")
    xs = [json.loads(v) for v in dict.fromkeys(json.dumps(p[x]) for p in pts)]
    if not all(_is_number(v) for v in xs):
        raise TypeError(f"x={x!r} must take numeric values, got {xs}")
    xs = sorted(xs)
    # free parameters that vary among the selected points split the curves (constant ones do not)
    others = [k for k in result.params if k != x and k not in fixed
              and len({json.dumps(p.get(k)) for p in pts}) > 1]
    combos = [json.loads(c) for c in dict.fromkeys(json.dumps({k: p.get(k) for k in others}) for p in pts)]
    held = {k: pts[0].get(k) for k in result.params if k != x and k not in fixed and k not in others}

    def match(a, want):
        return all(json.dumps(a.get(k)) == json.dumps(v) for k, v in want.items())

    def words(items):
        return ", ".join(f"{k}={v}" for k, v in items)

    curves, errors, panels, display, empty = {}, {}, {}, {}, {}
    for combo in combos:
        suffix = words(combo.items())
        shown = words((k, v) for k, v in combo.items() if k != panel)
        for key in keys:
            label = labels.get(key, key) + (f" ({suffix})" if suffix else "")
            display[label] = labels.get(key, key) + (f" ({shown})" if shown else "")
            if panel is not None:
                panels[label] = f"{panel} = {combo[panel] if panel in combo else held[panel]}"
            sel = []
            for xv in xs:
                want = {**held, **combo, **fixed, x: xv}
                hits = [a for a in result.aggregate if a["key"] == key and match(a, want)]
                sel.append(hits[0] if hits else None)
            curves[label] = [math.nan if a is None else a["mean"] for a in sel]
            errors[label] = [math.nan if a is None else a["stderr"] for a in sel]
            if not any(math.isfinite(v) for v in curves[label]):
                empty.setdefault(display[label], []).append((label, combo))
    for shown, parts in empty.items():          # no finite point in any panel: a bug, not a sparse grid
        if sum(1 for lb in display.values() if lb == shown) == len(parts):
            label, combo = parts[0]
            sub = {**held, **combo, **fixed}
            rows = [r for r in result.rows if match(r, sub)]
            raise ValueError(
                f"plot_sweep: curve {label!r} has no finite point over {x} = {xs} "
                f"(grid parameters {result.params}, held at {sub}); of its {len(rows)} trials "
                f"{sum(r['exitflag'] == -3 for r in rows)} failed and {sum(r['exitflag'] == -2 for r in rows)} "
                f"were infeasible (see SweepResult.errors)")
    if missing_label is None:
        missing_label = "no feasible draw" if result.infeasible() else "no finite value"
    return plots.save_curves(xs, curves, path, xlabel=x if xlabel is None else xlabel, ylabel=ylabel,
                             title=title, errors=errors, n_trials=result.trials, formats=formats,
                             panels=panels or None, display=display, missing_label=missing_label)


def save_sweep(result, out, stem, *, x, keys, **plot_kwargs) -> Path:
    """Write ``<stem>.csv`` (one row per trial), ``<stem>_mean.csv`` (per-point aggregate) and
    ``<stem>.png`` (mean ± standard error of ``keys`` against ``x``, see :func:`plot_sweep`; a PDF
    beside it with ``formats=("png", "pdf")``) into the folder ``out`` (created). Returns the PNG path.

    Parameters
    ----------
    result : SweepResult
        The sweep.
    out : str or Path
        Output folder (created).
    stem : str
        File stem.
    x : str
        Grid parameter on the x-axis.
    keys : sequence of str
        Outputs to plot.
    **plot_kwargs
        Passed to :func:`plot_sweep`.

    Returns
    -------
    Path
        The PNG path.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result.to_csv(out / f"{stem}.csv")
    result.to_csv(out / f"{stem}_mean.csv", aggregate=True)
    png = out / f"{stem}.png"
    plot_sweep(result, x=x, keys=keys, path=png, **plot_kwargs)
    return png
