"""Sphinx configuration of the matoolbox documentation.

Build locally (from the repository root)::

    pip install -e ".[docs]"
    python -m sphinx -b html docs docs/_build/html

CI builds with warnings as errors and every cross-reference checked (nitpicky), then checks the
HTML for broken internal links and anchors and for anything loaded from the network::

    python -m sphinx -E -W -n --keep-going -q -b html docs docs/_build/html
    python docs/check_html.py docs/_build/html

Math is rendered by a MathJax bundled with the ``sphinx-mathjax-offline`` package (copied into
``_static/mathjax``): the pages need no network and no LaTeX install.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the checkout, also when the package is not installed
sys.path.insert(0, str(HERE / "_ext"))  # matoolbox_api: module pages, reference resolution
os.environ.setdefault("MPLBACKEND", "Agg")

project = "matoolbox"
author = "the matoolbox developers"
copyright = "2026, the matoolbox developers"
try:
    from matoolbox import __version__ as release
except Exception:  # pragma: no cover - the API pages will report the import error
    release = "0.1.0"
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",   # a bundled MathJax 3, served from _static/mathjax (works offline)
    "sphinx.ext.viewcode",
    "myst_parser",
    "matoolbox_api",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**/.ipynb_checkpoints"]
templates_path = ["_templates"]

# ---- API reference (autosummary + numpydoc-style docstrings through napoleon) ----------------
autosummary_generate = True
autosummary_imported_members = True
autosummary_ignore_module_all = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_mock_imports = ["mosek"]
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
# numpydoc type specs ("int, optional", "{'a', 'b'}, default 'a'"): keywords and literals become text
napoleon_preprocess_types = True

# ---- cross-references (nitpicky in CI) --------------------------------------------------------
# No inventories are fetched (the build runs offline), so references to other projects' objects
# (numpy.ndarray, pathlib.Path, ...) cannot resolve; they are listed here, and so are the plain
# words of numpydoc type specs ("array_like of shape (N, 2)"). Every matoolbox reference must resolve.
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|scipy|pathlib|os|collections|typing|matplotlib|cvxpy|numba|joblib|dask|"
               r"concurrent|threadpoolctl|tqdm|pyswarms|argparse|dataclasses|types|builtins)(\..*)?"),
    (r"py:(class|obj)", r"(array_like|array-like|ndarray|callable|sequence|iterable|mapping|shape|path-like|"
                        r"file-like|path|Path|SeedSequence|Generator|None|True|False|optional|scalar|ignored|"
                        r"[A-Za-z]|[A-Z][A-Za-z0-9]?_?[A-Za-z0-9]?|\d+|[a-z][a-z_]*)"),
    (r"py:.*", r"(abc|functools|inspect|io|json|enum|numbers|re)(\..*)?"),
    (r"py:.*", r".*\._[A-Za-z].*"),          # private names (base classes shown by show-inheritance)
    # pieces of type specs that are prose, not names: anything with a space, a bracket or a quote
    (r"py:class", r".*[\s()\[\]{}`'\",:].*"),
]

# ---- Markdown (reproduction reports are written in markdown) ---------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
# Reports are written by the figure scripts' authors; be lenient about their heading levels
# and about links to data files that live outside the documentation tree.
suppress_warnings = ["myst.header", "myst.xref_missing"]

html_theme = "alabaster"
html_title = f"matoolbox {release}"
html_static_path = []
html_theme_options = {"description": "Optimization toolbox for movable-antenna wireless systems"}


# ---- reproduction reports: list whatever exists under docs/reproduction/ ----------------------
REPORT_PLACEHOLDER = ".. matoolbox-reproduction-reports::"


def _report_docs():
    folder = HERE / "reproduction"
    if not folder.is_dir():
        return []
    docs = []
    for p in sorted(folder.rglob("*")):
        if p.suffix in (".md", ".rst") and p.is_file() and not p.name.startswith(("_", ".")):
            docs.append(p.relative_to(HERE).with_suffix("").as_posix())
    return docs


def _insert_reports(app, docname, source):
    if REPORT_PLACEHOLDER not in source[0]:
        return
    docs = _report_docs()
    if docs:
        block = ".. toctree::\n   :maxdepth: 1\n\n" + "".join(f"   /{d}\n" for d in docs)
    else:
        block = ("*No reproduction reports have been written yet.* Each report is a markdown file\n"
                 "under ``docs/reproduction/``; it appears here on the next docs build.\n")
    source[0] = source[0].replace(REPORT_PLACEHOLDER, block)


# ---- docstrings: plain-text math such as |h^H w|^2 must not be read as RST substitutions -------
_LITERAL = re.compile(r"(``.+?``|:math:`[^`]*`|`[^`]*`_?)")


def _escape_bars(line: str) -> str:
    parts = _LITERAL.split(line)
    for i in range(0, len(parts), 2):  # even parts are outside literals and roles
        parts[i] = re.sub(r"(?<!\\)\|", r"\\|", parts[i])
    return "".join(parts)


def _escape_docstring(app, what, name, obj, options, lines):
    block_indent = None  # inside a literal block / directive body (e.g. .. math::) when set
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if stripped == "|" or stripped.startswith(("| ", "+-", "+=", ">>>", "...")):
            continue  # line blocks, grid-table rows, doctest lines
        lines[i] = _escape_bars(line)
        if stripped.endswith("::"):
            block_indent = indent


def setup(app):
    app.connect("source-read", _insert_reports)
    app.connect("autodoc-process-docstring", _escape_docstring)
