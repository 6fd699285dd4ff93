"""The documentation works offline and links (issue 23, item 6): MathJax is bundled (no CDN), CI
builds with ``-n`` and checks every internal link and anchor of the HTML, and every public module
has a page. The full build is ``-m slow``; the rest inspects the configuration and the checker."""
import configparser
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def check_html():
    return _load("check_html_t", DOCS / "check_html.py")


def test_conf_renders_math_from_a_bundled_mathjax():
    text = (DOCS / "conf.py").read_text()
    assert '"sphinx-mathjax-offline"' in text and '"sphinx.ext.mathjax"' in text
    assert not re.search(r"(?i)cdn|jsdelivr|mathjax_path\s*=", text)   # the extension sets mathjax_path
    assert "nitpick_ignore_regex" in text
    extras = configparser.ConfigParser()
    extras.read(ROOT / "setup.cfg")
    assert "sphinx-mathjax-offline" in extras["options.extras_require"]["docs"]


def test_ci_builds_docs_nitpicky_and_checks_the_html():
    ci = (ROOT / ".ci" / "run").read_text()
    line = next(ln for ln in ci.splitlines() if ln.startswith("python -m sphinx"))
    assert all(flag in line.split() for flag in ("-E", "-W", "-n", "--keep-going"))
    assert "python docs/check_html.py docs/_build/html" in ci


def test_bundled_mathjax_is_installed_with_the_docs_extra():
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None:
        pytest.skip("the docs extra is not installed (pip install -e '.[docs]')")
    assert (Path(spec.origin).parent / "static" / "mathjax" / "tex-chtml.js").is_file()


def _tree(tmp_path, pages):
    for name, body in pages.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"<html><body>{body}</body></html>")
    return tmp_path


def test_checker_passes_a_good_tree(tmp_path, check_html):
    root = _tree(tmp_path, {
        "index.html": '<a href="api/a.html#x">a</a> <a href="https://example.org/x">out</a>'
                      '<script src="_static/m.js"></script><a href="#top" id="top">t</a>',
        "api/a.html": '<p id="x">x</p><a href="../index.html">up</a>',
        "_static/m.js": "",
    })
    assert check_html.check(root) == []
    assert check_html.main([str(root)]) == 0


def test_checker_finds_broken_anchors_pages_assets_and_cdn(tmp_path, check_html, capsys):
    root = _tree(tmp_path, {
        "index.html": '<a href="api/a.html#gone">a</a><a href="api/nope.html">b</a>'
                      '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>'
                      '<img src="_static/missing.png">',
        "api/a.html": '<p id="x">x</p>',
        "_modules/m.html": '<a class="viewcode-back" href="../api/a.html#matoolbox.problems.X">[docs]</a>',
    })
    problems = check_html.check(root)
    assert any("broken anchor api/a.html#gone" in p for p in problems)
    assert any("api/nope.html (no such page)" in p for p in problems)
    assert any("loads https://cdn.jsdelivr.net" in p for p in problems)
    assert any("missing resource _static/missing.png" in p for p in problems)
    assert any(p.startswith("_modules/m.html: broken anchor") for p in problems)
    assert len(problems) == 5 and check_html.main([str(root)]) == 1
    assert "5 problem(s)" in capsys.readouterr().out


def test_every_public_module_gets_a_page_and_every_object_a_home():
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        api = _load("matoolbox_api_t", DOCS / "_ext" / "matoolbox_api.py")
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    modules = api.public_modules(ROOT)
    on_disk = {".".join(p.relative_to(ROOT).with_suffix("").parts[:-1] if p.name == "__init__.py"
                        else p.relative_to(ROOT).with_suffix("").parts)
               for p in (ROOT / "matoolbox").rglob("*.py")}
    public = {m for m in on_disk if not any(part.startswith("_") for part in m.split("."))}
    assert set(modules) == public and "matoolbox.comp_rsma.rates" in modules and "matoolbox.demo" in modules
    home, pages, _ = api.plan(modules)
    for m, entries in pages.items():
        for name, obj, own in entries:
            if api._by_identity(obj):
                assert id(obj) in home, f"{m}.{name} has no documented home"
    assert home[id(pages["matoolbox.optim.pga"][0][1])].startswith("matoolbox.solvers.")   # facade page wins
    page = api._module_page("matoolbox.demo", pages["matoolbox.demo"])
    assert ".. automodule:: matoolbox.demo" in page and ".. autofunction:: matoolbox.demo.run_demo" in page


@pytest.mark.slow
def test_docs_build_nitpicky_offline_and_every_link_resolves(tmp_path, check_html):
    """The CI docs build (-E -W -n): no warning, no broken link or anchor, no CDN in any page."""
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    if importlib.util.find_spec("sphinx-mathjax-offline") is None:
        pytest.skip("the docs extra is not installed")
    out = tmp_path / "html"
    run = subprocess.run([sys.executable, "-m", "sphinx", "-E", "-W", "-n", "--keep-going", "-q", "-b", "html",
                          str(DOCS), str(out), "-d", str(tmp_path / "doctrees")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-4000:]
    assert check_html.check(out) == []
    for page in out.rglob("*.html"):
        assert "cdn." not in page.read_text(errors="replace").lower(), page
    assert (out / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (out / "api" / "generated" / "modules" / "matoolbox.comp_rsma.rates.html").is_file()
