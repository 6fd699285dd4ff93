"""Project promises: README commands match CI, import stays light and quiet, CLI demo works."""
import re
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    test_cmd = next(b for b in blocks if "pytest" in b)
    pytest_part = test_cmd.split("&&")[-1].strip()
    install_part = [p.strip() for p in test_cmd.split("&&") if "pip install" in p][0]
    ci = (ROOT / ".ci" / "run").read_text()
    assert pytest_part in ci and install_part in ci


def test_import_is_light_and_quiet(tmp_path):
    code = ("import sys, logging; import matoolbox as ma\n"
            "heavy = [m for m in ('cvxpy', 'pyswarms', 'numba', 'joblib', 'matplotlib') if m in sys.modules]\n"
            "print(heavy, logging.getLogger().handlers)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[] []" and out.stderr == ""
    assert list(tmp_path.iterdir()) == []


def test_example_helper_modules_do_not_collide():
    """Scripts of different families load their own helper modules in one process."""
    from matoolbox import cli

    comp = cli.load_script(ROOT / "examples" / "comp_rsma" / "fig6_users.py")
    xlma = cli.load_script(ROOT / "examples" / "xlma" / "fig5_obstacles.py")
    assert hasattr(comp.C, "solve_schemes") and hasattr(xlma.C, "design")
    helpers = sorted(p.name for p in (ROOT / "examples").glob("*/_*.py"))
    assert len(helpers) == len(set(helpers))


def test_regular_install_ships_the_figure_scripts_and_benchmarks(tmp_path):
    """What ``pip install .`` puts in the package (setup.py's build_py on a copy of the tree):
    every figure script, claims file and benchmark under matoolbox/_examples, _benchmarks."""
    import shutil

    src = tmp_path / "src"
    src.mkdir()
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("matoolbox", "examples", "benchmarks"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    lib = tmp_path / "lib"
    out = subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(lib)], cwd=src,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    built = {p.relative_to(lib).as_posix() for p in lib.rglob("*.py")}
    want = {f"matoolbox/_examples/{p.relative_to(ROOT / 'examples').as_posix()}"
            for p in (ROOT / "examples").glob("*/*.py")}
    want |= {f"matoolbox/_benchmarks/{p.name}" for p in (ROOT / "benchmarks").glob("*.py")}
    want |= {p.relative_to(ROOT).as_posix() for p in (ROOT / "matoolbox").rglob("*.py")}
    assert want - built == set()
    # the installed copy is what matoolbox.scripts finds, with the same figure list as the checkout
    from matoolbox import scripts

    installed = scripts.discover_examples(lib / "matoolbox" / "_examples")
    assert {f: list(v) for f, v in installed.items()} == {f: list(v) for f, v in scripts.discover_examples().items()}
    assert all("claims" not in figs and not any(n.startswith("_") for n in figs) for figs in installed.values())


def test_every_figure_script_takes_the_cli_keywords():
    """`matoolbox figure` / `reproduce` pass these to run(); checked on the source (no import)."""
    import ast

    from matoolbox import scripts

    want = {"quick", "trials", "workers", "seed", "out", "progress", "checkpoint"}
    missing = {}
    for fam, figs in scripts.discover_examples(ROOT / "examples").items():
        for name, path in figs.items():
            run = next(n for n in ast.parse(path.read_text()).body
                       if isinstance(n, ast.FunctionDef) and n.name == "run")
            args = {a.arg for a in run.args.args + run.args.kwonlyargs}
            if run.args.kwarg is None and want - args:
                missing[f"{fam}/{name}"] = sorted(want - args)
    assert missing == {}
