"""``matoolbox`` command line: ``demo``, ``figure``, ``bench`` (thin argparse layer)."""
from __future__ import annotations

import argparse
import importlib.util
import inspect
import os
import sys
import time
from pathlib import Path


def _demo(args) -> int:
    """The main job: the default CoMP-RSMA instance solved by ``ao_solve`` for the four schemes."""
    from .demo import run_demo

    run_demo(out=args.out, seed=args.seed, quick=args.quick)
    if args.channel_map:
        _channel_map(Path(args.out), args.seed, args.grid)
    return 0


def _channel_map(out: Path, seed: int, n: int) -> None:
    """Draw a default field-response channel; save the channel-gain map over the MA region."""
    import numpy as np

    from .channels import field_response as fr
    from .plots import save_map

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
                   title="normalized channel gain ‖h(r)‖² over the MA region", colorbar="gain / max")
    np.savetxt(out / "demo_channel_gain.csv", np.column_stack([grid / lam, gain.ravel()]),
               delimiter=",", header="x_over_lambda,y_over_lambda,gain", comments="")
    print(f"channel gain over the region: max/min {gain.max() / gain.min():.2f} "
          f"({10 * np.log10(gain.max() / gain.min()):.1f} dB); wrote {png}")


def repo_root() -> Path:
    """The checkout holding the package (parent of the ``matoolbox`` folder)."""
    return Path(__file__).resolve().parent.parent


def examples_root(root=None) -> Path:
    """``root``, else ``$MATOOLBOX_EXAMPLES``, else ``<repo>/examples``."""
    return Path(root or os.environ.get("MATOOLBOX_EXAMPLES") or repo_root() / "examples")


def benchmarks_root(root=None) -> Path:
    """``root``, else ``$MATOOLBOX_BENCHMARKS``, else ``<repo>/benchmarks``."""
    return Path(root or os.environ.get("MATOOLBOX_BENCHMARKS") or repo_root() / "benchmarks")


def _is_script(path: Path) -> bool:
    return (path.suffix == ".py" and not path.name.startswith(("_", "."))
            and "def run(" in path.read_text(errors="replace"))


def discover_examples(root=None) -> dict[str, dict[str, Path]]:
    """``{family: {figure name (file stem): path}}`` for ``<root>/<family>/*.py`` defining ``run``."""
    root = examples_root(root)
    out = {}
    if root.is_dir():
        for fam in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
            figs = {p.stem: p for p in sorted(fam.glob("*.py")) if _is_script(p)}
            if figs:
                out[fam.name] = figs
    return out


def discover_benchmarks(root=None) -> dict[str, Path]:
    """``{name: path}`` for ``<root>/bench_<name>.py`` defining ``run``."""
    root = benchmarks_root(root)
    if not root.is_dir():
        return {}
    return {p.stem[len("bench_"):]: p for p in sorted(root.glob("bench_*.py")) if _is_script(p)}


def load_script(path):
    """Import a script by file path as module ``<stem>``. Its folder goes on ``sys.path`` (as when
    it runs as a script) and the module is registered with cloudpickle to be pickled by value, so
    that joblib/dask workers started earlier, or elsewhere, can run its trial functions."""
    path = Path(path).resolve()
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(path.stem, None)
        raise
    for cp in ("joblib.externals.cloudpickle", "cloudpickle"):   # loky's copy, dask's copy
        try:
            importlib.import_module(cp).register_pickle_by_value(module)
        except ImportError:
            continue
    return module


def _match_figures(figs: dict, name: str) -> list[str]:
    """``all``, an exact stem, or a prefix ending at ``_`` (``fig3`` -> ``fig3_power``)."""
    if name == "all":
        return list(figs)
    if name in figs:
        return [name]
    return [f for f in figs if f.startswith(name + "_")]


def _print_listing(title, items, hint):
    print(title)
    for line in items:
        print(f"  {line}")
    print(hint)


def _summarize(result) -> None:
    from .sweep import SweepResult

    if isinstance(result, SweepResult):
        print(result.summary())
    elif isinstance(result, dict):
        for name, res in result.items():
            if isinstance(res, SweepResult):
                print(f"[{name}]")
                print(res.summary())


def _figure(args) -> int:
    examples = discover_examples()
    if args.family is None:
        _print_listing(f"figure scripts under {examples_root()}:",
                       [f"{fam}: {' '.join(figs)}" for fam, figs in examples.items()] or ["(none)"],
                       "run one with: matoolbox figure FAMILY FIG [--quick] [--trials N] [--workers N] [--out DIR]")
        return 0
    if args.family not in examples:
        print(f"unknown family {args.family!r}; available: {', '.join(examples) or '(none)'}", file=sys.stderr)
        return 2
    figs = examples[args.family]
    if args.fig is None:
        _print_listing(f"figures of {args.family}:", list(figs),
                       f"run one with: matoolbox figure {args.family} FIG [--quick] (or FIG = all)")
        return 0
    names = _match_figures(figs, args.fig)
    if len(names) != 1 and args.fig != "all":
        why = "matches several" if names else "matches no"
        print(f"{args.fig!r} {why} figure of {args.family}: {', '.join(names or figs)}", file=sys.stderr)
        return 2
    given = {k: getattr(args, k) for k in ("quick", "trials", "workers", "seed", "out")
             if getattr(args, k) not in (None, False)}
    for name in names:
        module = load_script(figs[name])
        params = inspect.signature(module.run).parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        unknown = [k for k in given if k not in params and not takes_any]
        if unknown:
            print(f"{args.family}/{name}: run() does not accept {', '.join('--' + k for k in unknown)}",
                  file=sys.stderr)
            return 2
        kwargs = dict(given)
        if "progress" in params or takes_any:
            kwargs["progress"] = True
        out = Path(kwargs.get("out", params["out"].default if "out" in params else "."))
        print(f"== figure {args.family}/{name} ==", flush=True)
        t0 = time.time()
        result = module.run(**kwargs)
        _summarize(result)
        written = sorted(p for p in out.rglob("*") if p.is_file() and p.stat().st_mtime >= t0 - 1) \
            if out.is_dir() else []
        for p in written:
            print(f"wrote {p}")
        print(f"done in {time.time() - t0:.1f} s")
    return 0


def _bench(args) -> int:
    benches = discover_benchmarks()
    if not args.names or args.list:
        _print_listing(f"benchmarks under {benchmarks_root()}:", list(benches) or ["(none)"],
                       "run one with: matoolbox bench NAME [NAME ...] [--quick]")
        if args.list:
            return 0
    names = list(benches) if args.names in ([], ["all"]) else args.names
    unknown = [n for n in names if n not in benches and n.removeprefix("bench_") not in benches]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(benches) or '(none)'}",
              file=sys.stderr)
        return 2
    for name in names:
        name = name.removeprefix("bench_") if name not in benches else name
        module = load_script(benches[name])
        print(f"== bench {name} ==", flush=True)
        t0 = time.time()
        module.run(quick=args.quick)
        print(f"done in {time.time() - t0:.1f} s", flush=True)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="matoolbox", description="Movable-antenna optimization toolbox")
    sub = p.add_subparsers(dest="command")
    d = sub.add_parser("demo", help="solve the default CoMP-RSMA instance for the four schemes")
    d.add_argument("--out", default="out/demo", help="output folder (PNG + CSV)")
    d.add_argument("--seed", type=int, default=0, help="channel draw")
    d.add_argument("--quick", action="store_true", help="at most 5 AO iterations per scheme")
    d.add_argument("--channel-map", action="store_true", help="also save the channel-gain map")
    d.add_argument("--grid", type=int, default=81, help="channel-map grid points per axis")
    d.set_defaults(func=_demo)

    f = sub.add_parser("figure", help="run a paper-figure script (examples/FAMILY/FIG*.py); no FIG lists them")
    f.add_argument("family", nargs="?", help="problem family (folder under examples/)")
    f.add_argument("fig", nargs="?", help="figure: file name or its prefix before '_' (fig3), or 'all'")
    f.add_argument("--quick", action="store_true", help="small version (< 2 min on 2 cores)")
    f.add_argument("--trials", type=int, help="Monte Carlo trials per grid point")
    f.add_argument("--workers", type=int, help="parallel workers (joblib n_jobs, -1: all cores)")
    f.add_argument("--seed", type=int)
    f.add_argument("--out", help="output folder (PNG + CSV)")
    f.set_defaults(func=_figure)

    b = sub.add_parser("bench", help="run benchmark scripts (benchmarks/bench_NAME.py); no NAME: list, then run all")
    b.add_argument("names", nargs="*", help="benchmark names, or 'all' (the default)")
    b.add_argument("--list", action="store_true", help="only list the benchmarks")
    b.add_argument("--quick", action="store_true")
    b.set_defaults(func=_bench)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
