"""The package's import graph obeys the layering rules (walked with ``ast``, no third-party tool).

core <- channels <- optim / gml <- family packages <- top level (facades, sweep, plots, cli, demo).
A family never imports another family; nothing inside the package imports the facades; no
function-local import of an internal module outside the CLI / demo entry points.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "matoolbox"

FAMILIES = ("comp_rsma", "uplink", "xlma", "full_duplex", "mimo_capacity", "secure_ma")
# generic layer: regions (geometry of antenna positions) and metrics (figures of merit of a
# channel with their d/dH*) sit beside channels; optim composes them
LAYER = {"core": 0, "channels": 1, "regions": 1, "metrics": 1, "optim": 2, "gml": 2,
         **{f: 3 for f in FAMILIES}}
TOP = 4                                  # top-level modules: problems, solvers, sweep, plots, cli, ...
FACADES = ("matoolbox.problems", "matoolbox.solvers")
LOCAL_IMPORT_OK = ("matoolbox.cli", "matoolbox.demo")   # lazy on purpose: CLI start-up time
MAX_LINES = 530


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _unit(mod: str) -> str:
    """The layer unit of a module: its subpackage (``matoolbox.optim``) or the module itself."""
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else ""


def _layer(mod: str) -> int:
    return LAYER.get(_unit(mod), TOP)


def _imports(path: Path, mod: str):
    """(target module, line, function-local?) for every import of a matoolbox module in ``path``."""
    tree = ast.parse(path.read_text(), str(path))
    is_pkg = path.name == "__init__.py"
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    local_nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    local_nodes.add(id(sub))
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)]
                prefix = ".".join(anchor + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            if node.module is None or node.level and not node.module:
                targets = [f"{prefix}.{a.name}" for a in node.names]
            else:
                targets = [prefix]
        for t in targets:
            if t == "matoolbox" or t.startswith("matoolbox."):
                yield t, node.lineno, id(node) in local_nodes


def _all_modules():
    return sorted(PKG.rglob("*.py"))


def _violations():
    bad = []
    for path in _all_modules():
        mod = _module_name(path)
        for target, line, local in _imports(path, mod):
            where = f"{path.relative_to(PKG.parent)}:{line} imports {target}"
            if any(target == f or target.startswith(f + ".") for f in FACADES):
                bad.append(f"{where}: nothing inside the package imports the facades")
                continue
            if target == "matoolbox":
                bad.append(f"{where}: import the defining module, not the package root")
                continue
            src_unit, dst_unit = _unit(mod), _unit(target)
            src, dst = _layer(mod), _layer(target)
            if local and mod not in LOCAL_IMPORT_OK:
                bad.append(f"{where}: function-local import of an internal module")
            if src_unit == dst_unit and src < TOP:
                continue                                     # inside one subpackage
            if src < TOP and dst >= src:
                kind = "cross-family" if src == dst == 3 else "sideways" if src == dst else "upward"
                bad.append(f"{where}: {kind} import (layer {src} -> {dst})")
    return bad


def test_import_graph_points_down():
    assert _violations() == []


def test_every_family_is_a_package_with_a_docstring():
    for unit in ("core", "channels", "regions", "metrics", "optim", "gml", *FAMILIES):
        init = PKG / unit / "__init__.py"
        assert init.exists(), unit
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and len(doc.splitlines()[0]) > 20, f"{unit}/__init__.py needs a one-line docstring"


def test_no_file_over_the_size_limit():
    long = {str(p.relative_to(PKG.parent)): n for p in _all_modules()
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


@pytest.mark.parametrize("src, target, expect", [
    ("matoolbox/core/x.py", "from ..channels import field_response", "upward"),
    ("matoolbox/comp_rsma/x.py", "from ..uplink import problem", "cross-family"),
    ("matoolbox/optim/x.py", "from ..gml import driver", "sideways"),
    ("matoolbox/xlma/x.py", "from ..problems import CompRsmaProblem", "facades"),
    ("matoolbox/xlma/x.py", "def f():\n    from ..optim import pga\n", "function-local"),
    ("matoolbox/channels/x.py", "from ..plots import save_map", "upward"),
    ("matoolbox/full_duplex/x.py", "from ..optim.ao import ao_solve", None),
    ("matoolbox/sweep_x.py", "from .comp_rsma import CompRsmaProblem", None),
])
def test_the_checker_catches_bad_imports(tmp_path, monkeypatch, src, target, expect):
    """The checker itself can fail: plant one import in a copy of the tree's shape."""
    root = tmp_path / "matoolbox"
    for unit in ("core", "channels", "optim", "gml", *FAMILIES):
        (root / unit).mkdir(parents=True)
        (root / unit / "__init__.py").write_text('"""x"""\n')
    (root / "__init__.py").write_text("")
    f = tmp_path / src
    f.write_text(target + "\n")
    monkeypatch.setattr(__import__(__name__), "PKG", root)
    bad = _violations()
    if expect is None:
        assert bad == []
    else:
        assert len(bad) == 1 and expect in bad[0], bad
