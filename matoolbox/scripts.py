"""Finding and importing the figure scripts and benchmarks (for the CLI and reproduction reports).

The scripts live in ``examples/<family>/*.py`` and ``benchmarks/bench_*.py`` of a checkout. A
regular (non-editable) install ships the same files as package data ``matoolbox/_examples`` and
``matoolbox/_benchmarks``; both places are searched (environment variables
``MATOOLBOX_EXAMPLES`` / ``MATOOLBOX_BENCHMARKS`` override).
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path

__all__ = ["repo_root", "examples_root", "benchmarks_root", "discover_examples", "discover_benchmarks",
           "load_script"]

_PKG = Path(__file__).resolve().parent


def repo_root() -> Path:
    """The checkout holding the package (parent of the ``matoolbox`` folder)."""
    return _PKG.parent


def _first_dir(*cands) -> Path:
    for c in cands:
        if c.is_dir():
            return c
    return cands[-1]


def examples_root(root=None) -> Path:
    """``root``, else ``$MATOOLBOX_EXAMPLES``, else the installed copy, else ``<repo>/examples``."""
    if root or os.environ.get("MATOOLBOX_EXAMPLES"):
        return Path(root or os.environ["MATOOLBOX_EXAMPLES"])
    return _first_dir(_PKG / "_examples", repo_root() / "examples")


def benchmarks_root(root=None) -> Path:
    """``root``, else ``$MATOOLBOX_BENCHMARKS``, else the installed copy, else ``<repo>/benchmarks``."""
    if root or os.environ.get("MATOOLBOX_BENCHMARKS"):
        return Path(root or os.environ["MATOOLBOX_BENCHMARKS"])
    return _first_dir(_PKG / "_benchmarks", repo_root() / "benchmarks")


def _is_script(path: Path) -> bool:
    return (path.suffix == ".py" and not path.name.startswith(("_", ".")) and path.stem != "claims"
            and "def run(" in path.read_text(errors="replace"))


def discover_examples(root=None) -> dict[str, dict[str, Path]]:
    """``{family: {figure name (file stem): path}}`` for ``<root>/<family>/*.py`` defining ``run``
    (``claims.py`` and ``_*.py`` helpers excluded)."""
    root = examples_root(root)
    out = {}
    if root.is_dir():
        for fam in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
            figs = {p.stem: p for p in sorted(fam.glob("*.py")) if _is_script(p)}
            if figs:
                out[fam.name] = figs
    return out


def family_claims_path(family, root=None) -> Path:
    """``<examples root>/<family>/claims.py`` (may not exist)."""
    return examples_root(root) / family / "claims.py"


def discover_benchmarks(root=None) -> dict[str, Path]:
    """``{name: path}`` for ``<root>/bench_<name>.py`` defining ``run``."""
    root = benchmarks_root(root)
    if not root.is_dir():
        return {}
    return {p.stem[len("bench_"):]: p for p in sorted(root.glob("bench_*.py")) if _is_script(p)}


def load_script(path, name=None):
    """Import a script by file path as module ``name`` (default: its stem). Its folder goes on
    ``sys.path`` (as when it runs as a script) and the module is registered with cloudpickle to be
    pickled by value, so that joblib/dask workers started earlier, or elsewhere, can run its trial
    functions."""
    path = Path(path).resolve()
    name = name or path.stem
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    for cp in ("joblib.externals.cloudpickle", "cloudpickle"):   # loky's copy, dask's copy
        try:
            importlib.import_module(cp).register_pickle_by_value(module)
        except ImportError:
            continue
    return module
