"""``matoolbox`` command line: ``demo``, ``figure``, ``reproduce``, ``bench`` (thin argparse layer).

Every numeric option is validated by argparse (one-line error, exit code 2, no traceback); an
output folder that cannot be created is reported before any work; Ctrl-C during a checkpointed
figure says how many trials are saved and how to resume.
"""
from __future__ import annotations

import argparse
import contextlib
import inspect
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from . import __version__
from .core.procexit import skip_exit_collection
from .scripts import (benchmarks_root, discover_benchmarks, discover_examples, examples_root, load_script,
                      repo_root)

__all__ = ["main", "build_parser", "run_example", "discover_examples", "discover_benchmarks", "examples_root",
           "benchmarks_root", "repo_root", "load_script"]

_SOLVER_LOGGERS = ("cvxpy", "numba", "pyswarms", "highspy", "clarabel", "scs", "matplotlib")


class CliError(Exception):
    """A user error reported as one line with exit code 2."""


# ----------------------------------------------------------------------------- argument types
def _int(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None


def _int_type(ok, what):
    """An argparse type: an integer v with ``ok(v)``, else the one-line error "must be <what>"."""
    def parse(text):
        v = _int(text)
        if not ok(v):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text}")
        return v
    return parse


positive_int = _int_type(lambda v: v >= 1, "a positive integer")
seed_int = _int_type(lambda v: v >= 0, "an integer >= 0")
workers_int = _int_type(lambda v: v >= 1 or v == -1, "a positive integer or -1 (all cores)")
grid_int = _int_type(lambda v: v >= 2, "an integer >= 2")


def formats_list(text):
    from .plots import check_formats

    try:
        return check_formats(text)
    except ValueError:
        from .plots import FORMATS

        raise argparse.ArgumentTypeError(f"must be a comma-separated list of {', '.join(FORMATS)}, got {text!r}") \
            from None


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (no usage block)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def add_run_options(p, *, script_defaults=False, default_out=None):
    """The options of a figure run (``matoolbox figure`` and the scripts' own ``__main__``):
    ``--quick --trials --workers --seed --out --checkpoint --resume --format``. With
    ``script_defaults`` the values a script uses by itself are the defaults (workers 1, seed 0)."""
    p.add_argument("--quick", action="store_true", help="small version (see the README table for the times)")
    p.add_argument("--trials", type=positive_int, help="Monte Carlo trials per grid point (default: the script's)")
    p.add_argument("--workers", type=workers_int, default=1 if script_defaults else None,
                   help="parallel worker processes, or -1 for all cores (default: 1)")
    p.add_argument("--seed", type=seed_int, default=0 if script_defaults else None,
                   help="master seed, an integer >= 0 (default: 0)")
    p.add_argument("--out", default=default_out,
                   help=f"output folder for figures and CSV (default: {default_out or 'the script’s, out/FAMILY'})")
    p.add_argument("--checkpoint", metavar="PATH",
                   help="write every finished trial to PATH (JSON lines); rerunning the same command resumes")
    p.add_argument("--resume", action="store_true",
                   help="checkpoint to OUT/checkpoints/FIG.jsonl and resume from it if present")
    p.add_argument("--format", type=formats_list, metavar="FMT[,FMT]",
                   help="figure formats, e.g. png,pdf (default: png)")
    return p


def call_run(run, kwargs, ck, label):
    """``run(**kwargs)``; on Ctrl-C print how many trials the checkpoint ``ck`` holds (one line,
    no traceback) and return ``(None, 130)``; else ``(result, 0)``. A checkpoint of another sweep
    or an invalid argument raises :class:`CliError` (one line, exit code 2)."""
    from .core.errors import InvalidProblemError
    from .checkpoint import CheckpointError

    if ck is not None:
        _writable_dir(Path(ck).parent)
    try:
        return run(**kwargs), 0
    except (CheckpointError, InvalidProblemError) as e:
        raise CliError(f"{label}: {e}") from None
    except KeyboardInterrupt:
        if ck is None:
            print(f"\ninterrupted: {label} was not checkpointed; rerun with --resume "
                  "(or --checkpoint PATH) to make it resumable", file=sys.stderr)
        else:
            n, m = _saved_counts(Path(ck))
            print(f"\ninterrupted: {n} of {m} trials saved to {ck}; rerun the same command to resume",
                  file=sys.stderr)
        return None, 130


def run_example(run, doc=None, default_out="out", argv=None):
    """The ``__main__`` of an example script: parse ``--quick --trials --workers --seed --out
    --checkpoint --resume --format --verbose`` (validated as in ``matoolbox figure``: a bad value
    exits with a one-line error and code 2), call ``run(..., progress=True)`` and return
    ``(args, result)``. Ctrl-C prints how many trials the checkpoint holds and exits with code 130.

    Parameters
    ----------
    run : callable
        The script's ``run(quick, trials, workers, seed, out, progress[, checkpoint])``.
    doc : str, optional
        The script's docstring; its first line is the ``--help`` description.
    default_out : str, default "out"
        Default of ``--out``.
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    tuple
        ``(args, result)``: the parsed arguments and what ``run`` returned.
    """
    skip_exit_collection()
    ap = _Parser(description=(doc or "").strip().splitlines()[0] if doc else None)
    add_run_options(ap, script_defaults=True, default_out=default_out)
    ap.add_argument("--verbose", action="store_true", help="show solver output and logs (default: quiet)")
    a = ap.parse_args(argv)
    kwargs = dict(quick=a.quick, trials=a.trials, workers=a.workers, seed=a.seed, out=a.out, progress=True)
    stem = Path(sys.argv[0]).stem
    ck = a.checkpoint or (str(Path(a.out) / "checkpoints" / f"{stem}.jsonl") if a.resume else None)
    if ck is not None:
        kwargs["checkpoint"] = ck
    with _quiet(a.verbose), _formats(a):
        try:
            result, rc = call_run(run, kwargs, ck, stem or "the script")
        except CliError as e:
            print(f"{ap.prog}: error: {e}", file=sys.stderr)
            raise SystemExit(2) from None
    if rc:
        raise SystemExit(rc)
    return a, result


# ----------------------------------------------------------------------------- helpers
def _writable_dir(path) -> Path:
    """Create ``path`` (and parents) and check that a file can be written there; CliError otherwise."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".matoolbox-write-test"):
            pass
    except OSError as e:
        raise CliError(f"output folder {str(path)!r} cannot be created or written: "
                       f"{e.strerror or type(e).__name__}") from None
    return path


@contextlib.contextmanager
def _quiet(verbose):
    """Solver loggers at WARNING unless ``verbose`` (then INFO, printed to stderr, and CVXPY
    solvers run with ``verbose=True`` through ``$MATOOLBOX_VERBOSE``)."""
    old = {n: logging.getLogger(n).level for n in _SOLVER_LOGGERS}
    for n in _SOLVER_LOGGERS:
        logging.getLogger(n).setLevel(logging.INFO if verbose else logging.WARNING)
    old_env = os.environ.get("MATOOLBOX_VERBOSE")
    handler = logging.StreamHandler(sys.stderr)
    if verbose:                        # solve_cvx reads the variable (also in worker processes)
        for n in _SOLVER_LOGGERS:
            logging.getLogger(n).addHandler(handler)
        os.environ["MATOOLBOX_VERBOSE"] = "1"
    try:
        yield
    finally:
        for n, lvl in old.items():
            logging.getLogger(n).setLevel(lvl)
            logging.getLogger(n).removeHandler(handler)
        if verbose:
            if old_env is None:
                os.environ.pop("MATOOLBOX_VERBOSE", None)
            else:
                os.environ["MATOOLBOX_VERBOSE"] = old_env


def _formats(args):
    from .plots import use_formats

    return use_formats(args.format) if getattr(args, "format", None) else contextlib.nullcontext()


def _checkpoint_files(path: Path) -> list[Path]:
    """``path`` and the per-sweep files a script derived from it (``<stem>_*<suffix>``)."""
    if path is None:
        return []
    files = [path] if path.is_file() else []
    files += sorted(p for p in path.parent.glob(f"{path.stem}_*{path.suffix}") if p.is_file())
    return files


def _saved_counts(path):
    """(saved trials, total trials) over a figure's checkpoint file(s)."""
    from .checkpoint import CheckpointError, load_checkpoint

    n = m = 0
    for f in _checkpoint_files(path):
        try:
            res = load_checkpoint(f)
        except CheckpointError:
            continue
        n += len(res.rows)
        m += len(res.points) * res.trials
    return n, m


def _takes(func, name) -> bool:                  # run() accepts the keyword name (or **kwargs)
    params = inspect.signature(func).parameters
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _print_listing(title, items, hint):
    print(title)
    for line in items:
        print(f"  {line}")
    print(hint)


def _summarize(result) -> None:
    from .results import SweepResult

    if isinstance(result, SweepResult):
        print(result.summary())
    elif isinstance(result, dict):
        for name, res in result.items():
            if isinstance(res, SweepResult):
                print(f"[{name}]")
                print(res.summary())


def _match_figures(figs: dict, name: str) -> list[str]:
    """``all``, an exact stem, or a prefix ending at ``_`` (``fig3`` -> ``fig3_power``)."""
    if name == "all":
        return list(figs)
    if name in figs:
        return [name]
    return [f for f in figs if f.startswith(name + "_")]


# ----------------------------------------------------------------------------- demo
def _demo(args) -> int:
    """The main job: the four CoMP-RSMA schemes on the default instance, then three regimes."""
    from .demo import channel_map, run_demo

    out = _writable_dir(args.out)
    run_demo(out=out, seed=args.seed, quick=args.quick)
    if args.channel_map:
        channel_map(out, args.seed, args.grid)
    return 0


# ----------------------------------------------------------------------------- figure
def _figure(args) -> int:
    examples = discover_examples()
    if args.family is None:
        _print_listing(f"figure scripts under {examples_root()}:",
                       [f"{fam}: {' '.join(figs)}" for fam, figs in examples.items()] or ["(none)"],
                       "run one with: matoolbox figure FAMILY FIG [--quick] [--trials N] [--workers N] [--seed S]\n"
                       "              [--resume | --checkpoint PATH] [--format png,pdf] [--out DIR]   (see --help)")
        return 0
    if args.family not in examples:
        raise CliError(f"unknown family {args.family!r}; available: {', '.join(examples) or '(none)'}")
    figs = examples[args.family]
    if args.fig is None:
        _print_listing(f"figures of {args.family}:", list(figs),
                       f"run one with: matoolbox figure {args.family} FIG [--quick] (or FIG = all)")
        return 0
    names = _match_figures(figs, args.fig)
    if len(names) != 1 and args.fig != "all":
        why = "matches several figures" if names else "matches no figure"
        raise CliError(f"{args.fig!r} {why} of {args.family}: {', '.join(names or figs)}")
    if args.out is not None:
        _writable_dir(args.out)
    given = {k: getattr(args, k) for k in ("quick", "trials", "workers", "seed", "out")
             if getattr(args, k) not in (None, False)}
    modules = {}
    for name in names:                     # check every script's signature before running any
        module = load_script(figs[name])
        params = inspect.signature(module.run).parameters
        wanted = list(given) + (["checkpoint"] if args.checkpoint or args.resume else [])
        unknown = [k for k in wanted if not _takes(module.run, k)]
        if unknown:
            raise CliError(f"{args.family}/{name}: run() does not accept {', '.join('--' + k for k in unknown)}")
        modules[name] = (module, params)
    for name, (module, params) in modules.items():
        kwargs = dict(given)
        if _takes(module.run, "progress"):
            kwargs["progress"] = True
        out = Path(kwargs.get("out", params["out"].default if "out" in params else "."))
        if "out" not in given:
            _writable_dir(out)
        ck = None
        if args.checkpoint:
            ck = Path(args.checkpoint)
            if len(names) > 1:
                ck = ck.with_name(f"{ck.stem}_{name}{ck.suffix or '.jsonl'}")
        elif args.resume:
            ck = out / "checkpoints" / f"{name}.jsonl"
        if ck is not None:
            kwargs["checkpoint"] = str(ck)
        print(f"== figure {args.family}/{name} ==" + (f" (checkpoint {ck})" if ck else ""), flush=True)
        t0 = time.time()
        result, rc = call_run(module.run, kwargs, ck, f"{args.family}/{name}")
        if rc:
            return rc
        _summarize(result)
        written = sorted(p for p in out.rglob("*") if p.is_file() and p.stat().st_mtime >= t0 - 1
                         and "checkpoints" not in p.parts) if out.is_dir() else []
        for p in written:
            print(f"wrote {p}")
        print(f"done in {time.time() - t0:.1f} s")
    return 0


# ----------------------------------------------------------------------------- reproduce
def _reproduce(args) -> int:
    from .reproduce import load_claims, reproduce

    examples = discover_examples()
    if args.family not in examples:
        raise CliError(f"unknown family {args.family!r}; available: {', '.join(examples) or '(none)'}")
    if args.source is not None:
        return _reproduce_from(args)
    out = _writable_dir(args.out or "out/reproduction")
    try:
        claims = load_claims(args.family)
    except FileNotFoundError as e:
        raise CliError(str(e)) from None
    ck_dir = out / args.family / "checkpoints" if args.resume else None
    try:
        path = reproduce(args.family, examples[args.family], claims, out=out, quick=args.quick,
                         trials=args.trials, workers=args.workers, seed=args.seed, progress=True,
                         log=lambda s: print(s, flush=True), checkpoint_dir=ck_dir)
    except KeyboardInterrupt:
        if ck_dir is None:
            print(f"\ninterrupted: no report written for {args.family} (use --resume to make the run resumable)",
                  file=sys.stderr)
        else:
            n = m = 0
            for f in sorted(ck_dir.glob("*.jsonl")):
                a, b = _saved_counts(f)
                n, m = n + a, m + b
            print(f"\ninterrupted: {n} of {m} trials saved to {ck_dir}; rerun the same command to resume",
                  file=sys.stderr)
        return 130
    _print_summary(path)
    print(f"raw data (per-trial rows) in {path.parent / 'raw'}")
    return 0


def _print_summary(path):
    print(next((ln for ln in path.read_text().splitlines() if ln.startswith("- summary:")), "").removeprefix("- "))
    print(f"wrote {path}")


def _reproduce_from(args) -> int:
    """``reproduce FAMILY --from DIR``: the verdicts recomputed from saved raw data, nothing run."""
    from .rawdata import RawDataError, find_raw
    from .reproduce import load_claims, reproduce_from

    clash = [f"--{k}" for k in ("quick", "trials", "workers", "seed", "resume", "format") if getattr(args, k)]
    if clash:
        raise CliError(f"--from recomputes the verdicts from saved data and runs nothing: {', '.join(clash)} "
                       "cannot be used with it")
    try:
        raw, claims, changed = find_raw(args.source, args.family), load_claims(args.family), []
        if args.out is not None:
            _writable_dir(Path(args.out) / args.family)
        print(f"recomputing the verdicts of {args.family} from {raw} (no script is run)", flush=True)
        path = reproduce_from(args.family, raw, out=args.out, claims=claims, log=changed.append)
    except (RawDataError, FileNotFoundError) as e:
        raise CliError(str(e)) from None
    for line in changed or ["every verdict is the one of the original run"]:
        print(f"  {'changed from the original run: ' if changed else ''}{line}")
    _print_summary(path)
    return 0


# ----------------------------------------------------------------------------- bench
def _bench(args) -> int:
    benches = discover_benchmarks()
    if not args.names or args.list:
        _print_listing(f"benchmarks under {benchmarks_root()}:", list(benches) or ["(none)"],
                       "run one with: matoolbox bench NAME [NAME ...] [--quick] [--family F]  (or NAME = all)")
        return 0
    names = list(benches) if args.names == ["all"] else args.names
    unknown = [n for n in names if n not in benches and n.removeprefix("bench_") not in benches]
    if unknown:
        raise CliError(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(benches) or '(none)'}")
    # load every script (and check --family) before running any
    modules = {n: load_script(benches[n]) for n in (n if n in benches else n.removeprefix("bench_") for n in names)}
    kwargs = {"quick": args.quick} if args.family is None else {"quick": args.quick, "family": args.family}
    if args.family is not None:
        takers = [n for n, m in modules.items() if _takes(m.run, "family")]
        refuse = [n for n in modules if n not in takers]
        if not takers or refuse and args.names != ["all"]:      # all --family F: those that take one
            raise CliError(f"--family: run() of benchmark(s) {', '.join(refuse)} takes no family "
                           f"(benchmarks that do: {', '.join(takers) or 'none'})")
        modules = {n: modules[n] for n in takers}
    for name, module in modules.items():
        print(f"== bench {name} ==" + (f" (family {args.family})" if args.family else ""), flush=True)
        t0 = time.time()
        module.run(**kwargs)
        print(f"done in {time.time() - t0:.1f} s", flush=True)
    return 0


# ----------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="matoolbox", description="Movable-antenna optimization toolbox: a demo solve, the "
                "papers' figures, reproduction reports and benchmarks.")
    p.add_argument("--version", action="version", version=f"matoolbox {__version__}",
                   help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", help="show solver output and logs (default: quiet)")

    d = sub.add_parser("demo", parents=[common], help="CoMP-RSMA: MA vs FPA, RSMA vs SDMA, where each helps",
                       description="ao_solve on the default CoMP-RSMA instance for RSMA/SDMA x MA/FPA, then three "
                       "regimes (default, overloaded, paper model) with the common stream's power share.")
    d.add_argument("--out", default="out/demo", help="output folder for PNG + CSV (default: out/demo)")
    d.add_argument("--seed", type=seed_int, default=0, help="channel draw, an integer >= 0 (default: 0)")
    d.add_argument("--quick", action="store_true", help="at most 5 AO iterations per scheme")
    d.add_argument("--channel-map", action="store_true", help="also save the channel-gain map over the MA region")
    d.add_argument("--grid", type=grid_int, default=81,
                   help="channel-map grid points per axis, an integer >= 2 (default: 81)")
    d.set_defaults(func=_demo)

    f = sub.add_parser("figure", parents=[common], help="run a paper-figure script; no FIG: list them",
                       description="Run a paper-figure script (examples/FAMILY/FIG.py): its sweep, figure "
                       "(PNG, optionally PDF) and CSV. Without FAMILY/FIG: list the scripts.")
    f.add_argument("family", nargs="?", help="problem family (folder of figure scripts)")
    f.add_argument("fig", nargs="?", help="figure: file name or its prefix before '_' (fig3), or 'all'")
    add_run_options(f)
    f.set_defaults(func=_figure)

    r = sub.add_parser("reproduce", parents=[common], help="run a family's figures and write REPRODUCTION.md",
                       description="Run the figure scripts a family's claims need, check every claim of the "
                       "papers by its rule and write OUT/FAMILY/REPRODUCTION.md beside the figures, with every "
                       "figure's per-trial rows in OUT/FAMILY/raw/. With --from DIR: run nothing, recompute "
                       "the verdicts from the raw data saved in DIR.")
    r.add_argument("family", help="problem family (folder with claims.py)")
    r.add_argument("--quick", action="store_true", help="quick versions of the figure scripts")
    r.add_argument("--trials", type=positive_int, help="Monte Carlo trials per grid point (default: the scripts')")
    r.add_argument("--workers", type=workers_int, help="parallel worker processes, or -1 for all cores (default: 1)")
    r.add_argument("--seed", type=seed_int, help="master seed, an integer >= 0 (default: 0)")
    r.add_argument("--out", help="output root (default: out/reproduction; with --from: the report is "
                   "rewritten beside the raw data)")
    r.add_argument("--format", type=formats_list, metavar="FMT[,FMT]", help="figure formats, e.g. png,pdf")
    r.add_argument("--resume", action="store_true",
                   help="checkpoint every figure to OUT/FAMILY/checkpoints/FIG.jsonl and resume from there")
    r.add_argument("--from", dest="source", metavar="DIR",
                   help="run nothing: recompute every verdict from the raw data a report saved in DIR "
                   "(DIR/raw/manifest.json; DIR may be the report folder, its raw/ folder or the output root)")
    r.set_defaults(func=_reproduce)

    b = sub.add_parser("bench", parents=[common], help="list benchmarks (no NAME) or run them",
                       description="Benchmark scripts (benchmarks/bench_NAME.py). Without NAME: list them; "
                       "NAME = all runs every one.")
    b.add_argument("names", nargs="*", metavar="NAME", help="benchmark names, or 'all'")
    b.add_argument("--list", action="store_true", help="only list the benchmarks")
    b.add_argument("--quick", action="store_true", help="small problem sizes and few repeats (a smoke run)")
    b.add_argument("--family", metavar="F", help="pass family=F to the benchmarks whose run() takes one "
                   "(with NAME = all: run only those)")
    b.set_defaults(func=_bench)
    return p


def main(argv=None) -> int:
    """Run the command line; returns the exit code (2: bad usage, 130: interrupted)."""
    skip_exit_collection()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:            # --help / --version (0) and usage errors (2)
        return int(e.code or 0)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    try:
        with _quiet(getattr(args, "verbose", False)), _formats(args):
            return int(args.func(args) or 0)
    except CliError as e:
        print(f"matoolbox {args.command}: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:            # output piped into `head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
