"""Build script: the configuration is in setup.cfg; this file only adds the figure scripts and
benchmarks to the package, so that a regular ``pip install .`` ships them.

``examples/<family>/*.py`` become ``matoolbox/_examples/<family>/*.py`` and ``benchmarks/*.py``
``matoolbox/_benchmarks/*.py`` in the installed package (``matoolbox.scripts`` looks there when
the checkout's folders are not beside the package), with the instance library
``benchmarks/instances/<family>/*.json`` as package data. The folders stay plain script folders
in the checkout.
"""
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent


def _script_packages(src: str, dst: str) -> dict:
    """``{dotted package name: source folder}`` for ``src`` and its sub-folders holding .py files."""
    root = HERE / src
    out = {}
    if not root.is_dir():
        return out
    for d in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        rel = d.relative_to(root)
        if any(part.startswith((".", "_")) for part in rel.parts) or not any(d.glob("*.py")):
            continue
        out[".".join((dst, *rel.parts))] = Path(src, *rel.parts).as_posix()
    return out


SCRIPTS = {**_script_packages("examples", "matoolbox._examples"),
           **_script_packages("benchmarks", "matoolbox._benchmarks")}

# the instance library (benchmarks/instances/<family>/*.json) ships as package data
setup(packages=find_packages(include=["matoolbox", "matoolbox.*"]) + list(SCRIPTS), package_dir=SCRIPTS,
      package_data={"matoolbox._benchmarks": ["instances/*/*.json"]})
