"""Sphinx extension of the matoolbox docs: one page per public module, and references that resolve.

* ``builder-inited``: writes ``api/generated/modules/<module>.rst`` for every public module of the
  package (no path part starting with ``_``) and ``api/generated/modules/index.rst``. A module page
  holds the module docstring and its public names (``__all__``, else the functions and classes
  defined in it). Each object gets one documented home: the name the facade pages of
  ``api/index.rst`` give it (``matoolbox.solvers.pga``), else the public module that defines it,
  else the first public module that exports it; every other page links to that home.
* ``missing-reference``: a reference to an object under another of its names (a docstring that
  says ``matoolbox.optim.multistart.multistart`` where the page is ``matoolbox.solvers.multistart``,
  or a short name such as ``Paths``) is resolved by identity to the object's home. Anything that
  is not a matoolbox object stays unresolved, so ``-n`` still reports it.
* ``build-finished``: ``sphinx.ext.viewcode`` keeps one module prefix per source file for its
  "[docs]" back-links, so a file whose objects are documented under two facades
  (``matoolbox.problems`` and ``matoolbox.solvers``) gets anchors that do not exist; the
  back-links are pointed at the anchor that the target page does hold for that object.
"""
from __future__ import annotations

import builtins
import importlib
import inspect
import re
from pathlib import Path

PACKAGE = "matoolbox"
#: the facade modules whose pages api/index.rst generates with autosummary (their __all__ names)
FACADES = (
    "matoolbox", "matoolbox.problems", "matoolbox.solvers", "matoolbox.gml", "matoolbox.sweep", "matoolbox.cli",
    "matoolbox.regions", "matoolbox.optim.maproblem", "matoolbox.optim.variables", "matoolbox.channels.fixed",
    "matoolbox.channels.field_response", "matoolbox.channels.rician_ula", "matoolbox.channels.nearfield",
    "matoolbox.channels.self_interference", "matoolbox.channels.paths", "matoolbox.channels.mimo",
    "matoolbox.channels.multilink", "matoolbox.metrics", "matoolbox.core.cvx", "matoolbox.results",
    "matoolbox.plots",
)
OUT = Path("api") / "generated" / "modules"


def public_modules(root: Path) -> list[str]:
    """Dotted names of every module and package under ``root/PACKAGE`` with no part starting with ``_``."""
    pkg = root / PACKAGE
    out = []
    for p in sorted(pkg.rglob("*.py")):
        rel = p.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(x.startswith("_") for x in parts) or not (p.parent / "__init__.py").exists():
            continue
        out.append(".".join(parts))
    return sorted(set(out))


def _public_names(mod) -> list[str]:
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n, v in vars(mod).items() if not n.startswith("_")
                 and (inspect.isclass(v) or inspect.isfunction(v)) and getattr(v, "__module__", None) == mod.__name__]
    return [n for n in names if hasattr(mod, n)]


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if callable(obj):
        return "function"
    return "data"


def _documentable(obj) -> bool:
    """Classes, functions and module-level data; modules re-exported as attributes are skipped."""
    return not inspect.ismodule(obj)


def _by_identity(obj) -> bool:
    """Classes and functions have one home found by identity; data (ints, strings, tuples may be
    shared objects) is documented wherever it is public."""
    return _documentable(obj) and _kind(obj) != "data"


def plan(modules: list[str]) -> tuple[dict, dict]:
    """``(home, pages)``: ``home[id(obj)] = documented dotted name``; ``pages[module] = [(name, obj, home_here)]``."""
    home: dict[int, str] = {}
    keep: dict[int, object] = {}              # keeps the objects alive while ids are used as keys
    for fac in FACADES:
        mod = importlib.import_module(fac)
        for n in getattr(mod, "__all__", []):
            obj = getattr(mod, n, None)
            if obj is None or not _by_identity(obj):
                continue
            home.setdefault(id(obj), f"{fac}.{n}")
            keep[id(obj)] = obj
    loaded = {m: importlib.import_module(m) for m in modules}
    names = {m: _public_names(mod) for m, mod in loaded.items()}
    # objects without a facade page: the public module defining them, else the first exporting one
    for m in modules:
        for n in names[m]:
            obj = getattr(loaded[m], n)
            if _by_identity(obj) and id(obj) not in home and getattr(obj, "__module__", None) == m:
                home[id(obj)] = f"{m}.{n}"
                keep[id(obj)] = obj
    for m in modules:
        for n in names[m]:
            obj = getattr(loaded[m], n)
            if _by_identity(obj) and id(obj) not in home:
                home[id(obj)] = f"{m}.{n}"
                keep[id(obj)] = obj
    pages = {m: [(n, getattr(loaded[m], n), not _by_identity(getattr(loaded[m], n))
                  or home.get(id(getattr(loaded[m], n))) == f"{m}.{n}")
                 for n in names[m] if _documentable(getattr(loaded[m], n))] for m in modules}
    return home, pages, keep


def _module_page(m: str, entries) -> str:
    lines = [m, "=" * len(m), "", f".. automodule:: {m}", ""]
    here = [(n, obj) for n, obj, own in entries if own]
    there = [(n, obj) for n, obj, own in entries if not own]
    if there:
        lines += ["Documented on their own pages:", ""]
        lines += [f"* :py:obj:`{n} <{_HOME[id(obj)]}>`" for n, obj in there]
        lines.append("")
    for n, obj in here:
        kind = _kind(obj)
        lines.append(f".. auto{kind}:: {m}.{n}")
        if kind in ("class", "exception"):
            lines += ["   :members:", "   :inherited-members: dict, Exception, BaseException, object",
                      "   :show-inheritance:"]
        lines.append("")
    return "\n".join(lines)


_HOME: dict[int, str] = {}
_KEEP: dict[int, object] = {}
_BY_NAME: dict[str, str] = {}


def write_pages(app) -> None:
    src = Path(app.srcdir)
    modules = public_modules(src.parent)
    home, pages, keep = plan(modules)
    _HOME.clear()
    _HOME.update(home)
    _KEEP.clear()
    _KEEP.update(keep)
    _BY_NAME.clear()
    shorts: dict[str, list] = {}
    for name in home.values():
        shorts.setdefault(name.rsplit(".", 1)[-1], []).append(name)
    _BY_NAME.update({k: v[0] for k, v in shorts.items() if len(set(v)) == 1})
    out = src / OUT
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.rst"):
        old.unlink()
    generated = src / "api" / "generated"      # autosummary's pages (written before this handler runs)
    own = [m for m in modules if m not in FACADES and not (generated / f"{m}.rst").exists()]
    for m in own:
        (out / f"{m}.rst").write_text(_module_page(m, pages[m]) + "\n")
    index = ["Every module", "============", "",
             "Every public module of the package (no part of its name starts with ``_``), with its",
             "docstring and its public names. An object with a page of its own (a facade name such as",
             "``matoolbox.solvers.pga``) is linked from the module that defines it; the others are",
             "documented on their module's page.", "",
             ".. toctree::", "   :hidden:", ""]
    index += [f"   {m}" for m in own]
    index += ["", *[f"* :py:mod:`{m}`" for m in modules]]
    (out / "index.rst").write_text("\n".join(index) + "\n")


# ---------------------------------------------------------------------------------- references
def _lookup(path: str):
    """The object at a dotted path (module import, then attributes), or None."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:  # noqa: BLE001 - not a module at this depth
            continue
        try:
            for p in parts[i:]:
                obj = getattr(obj, p)
        except AttributeError:
            return None
        return obj
    return None


def _host(cls, attr):
    """The documented class that has ``attr``: ``cls`` itself, else the one documented subclass that
    has it (a mixin's docstring naming a method of the problem class it is mixed into)."""
    if id(cls) in _HOME and hasattr(cls, attr):
        return f"{_HOME[id(cls)]}.{attr}"
    subs = {_HOME[id(c)] for c in _KEEP.values() if inspect.isclass(c) and c is not cls
            and issubclass(c, cls) and hasattr(c, attr) and not hasattr(cls, attr)}
    return f"{subs.pop()}.{attr}" if len(subs) == 1 else None


def _documented_name(target: str, node) -> tuple[str, str] | None:
    """``(role, name)``: where ``target`` (seen from the node's module / class context) is
    documented, or None. A module-level constant without a page of its own resolves to its module."""
    target = target.lstrip("~.")
    candidates = [target]
    mod, cls = node.get("py:module"), node.get("py:class")
    if mod:
        if cls:
            candidates.append(f"{mod}.{cls}.{target}")
        candidates.append(f"{mod}.{target}")
    head, _, rest = target.partition(".")
    if rest and _BY_NAME.get(head):                   # "Paths.from_sionna"
        candidates.append(f"{_BY_NAME[head]}.{rest}")
    for cand in candidates:
        if not cand.startswith(PACKAGE + ".") and cand != PACKAGE:
            continue
        owner_path, _, attr = cand.rpartition(".")
        obj = _lookup(cand)
        if inspect.ismodule(obj):
            return "mod", obj.__name__
        if obj is not None and id(obj) in _HOME:
            return "obj", _HOME[id(obj)]
        owner = _lookup(owner_path) if owner_path else None
        if owner is not None and inspect.isclass(owner):
            host = _host(owner, attr)                   # a method or attribute of a documented class
            if host:
                return "obj", host
        if obj is not None and inspect.ismodule(owner) and not inspect.isclass(obj) and not callable(obj):
            return "mod", owner.__name__                # a constant: its module's page
    if "." not in target and _BY_NAME.get(target):
        return "obj", _BY_NAME[target]
    return None


def resolve(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    found = _documented_name(target, node)
    if not found or found[1] == target:
        return None
    role, name = found
    py = env.domains["py"]
    for typ in ((node["reftype"], "obj") if role == "obj" else ("mod",)):
        ref = py.resolve_xref(env, node["refdoc"], app.builder, typ, name, node, contnode)
        if ref is not None:
            return ref
    return None


# ---------------------------------------------------------------------------------- viewcode
_BACK = re.compile(r'(<a class="viewcode-back" href=")([^"#]+)#([^"]+)(")')
_IDS = re.compile(r'\bid="([^"]+)"')


def fix_viewcode_backlinks(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    ids_cache: dict[Path, set] = {}

    def ids(page: Path) -> set:
        if page not in ids_cache:
            ids_cache[page] = set(_IDS.findall(page.read_text(errors="replace"))) if page.exists() else set()
        return ids_cache[page]

    for src in (outdir / "_modules").rglob("*.html"):
        text = src.read_text()

        def fix(m):
            page = (src.parent / m.group(2)).resolve()
            anchor = m.group(3)
            have = ids(page)
            if anchor in have:
                return m.group(0)
            parts = anchor.split(".")
            for k in range(1, len(parts)):          # the longest qualified tail with one match
                tail = ".".join(parts[k:])
                hits = [i for i in have if i == tail or i.endswith("." + tail)]
                if len(hits) == 1:
                    return f"{m.group(1)}{m.group(2)}#{hits[0]}{m.group(4)}"
            return m.group(0)

        new = _BACK.sub(fix, text)
        if new != text:
            src.write_text(new)


def clear_type_docstrings(app, what, name, obj, options, lines):
    """A constant without a doc comment shows its type's docstring (dict's, tuple's): drop it."""
    if what in ("data", "attribute") and lines and not inspect.isclass(obj) and not callable(obj):
        if inspect.getdoc(type(obj)) and "\n".join(lines).strip() == inspect.cleandoc(type(obj).__doc__ or "").strip():
            lines[:] = []


_TYPE_LINE = re.compile(r"^:type: (?::py:class:`~?)?(\w+)`?$")


def restore_labels(app, what, name, obj, options, lines):
    """napoleon reads a constant's doc comment ``#: Label: text`` as ``type: description``; when
    ``Label`` names no type (a builtin or a documented class), put the words back together."""
    if what not in ("data", "attribute"):
        return
    for i, line in enumerate(lines):
        m = _TYPE_LINE.match(line)
        if m and not (hasattr(builtins, m.group(1)) or m.group(1) in _BY_NAME):
            del lines[i]
            if i > 0 and not lines[i - 1].strip():
                del lines[i - 1]
            first = next((j for j, t in enumerate(lines) if t.strip()), None)
            if first is not None:
                lines[first] = f"{m.group(1)}: {lines[first].lstrip()}"
            return


def setup(app):
    app.connect("builder-inited", write_pages)
    app.connect("autodoc-process-docstring", clear_type_docstrings)
    app.connect("autodoc-process-docstring", restore_labels, priority=600)   # after napoleon (500)
    app.connect("missing-reference", resolve)
    app.connect("build-finished", fix_viewcode_backlinks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
