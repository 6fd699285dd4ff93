"""Issue 23 item 5: a failed solve says so in the first line of its printout; every writer of
problems and solutions names a bad path."""
import numpy as np
import pytest

import matoolbox as ma
from matoolbox.full_duplex import FullDuplexProblem


def _sol(flag, message=""):
    return ma.Solution(x={"positions": np.zeros((2, 2))}, fval=13.68, exitflag=flag, message=message,
                       solver="ao_solve")


@pytest.mark.parametrize("flag, word", [(-2, "INFEASIBLE"), (-3, "FAILED")])
def test_failed_solution_first_line(flag, word):
    first = str(_sol(flag, "QoS infeasible: no feasible iterate found")).splitlines()[0]
    assert first == f"{word} (exitflag {flag}): QoS infeasible: no feasible iterate found"
    assert repr(_sol(flag)).splitlines()[0] == f"{word} (exitflag {flag}): {ma.EXITFLAGS[flag]}"


@pytest.mark.parametrize("flag", [1, 0])
def test_successful_solution_starts_with_solver(flag):
    text = str(_sol(flag, "ok"))
    assert text.splitlines()[0].strip() == "solver: 'ao_solve'"
    assert "INFEASIBLE" not in text and "FAILED" not in text


@pytest.mark.parametrize("writer", ["sol.to_json", "sol.to_mat", "prob.to_json", "prob.to_mat"])
def test_writer_names_missing_folder(tmp_path, writer):
    obj = {"sol": _sol(1), "prob": FullDuplexProblem.random(seed=0)}[writer.split(".")[0]]
    path = tmp_path / "missing" / "dir" / "x.out"
    with pytest.raises(FileNotFoundError, match=r"cannot write '.*x\.out': folder '.*dir' does not exist"):
        getattr(obj, writer.split(".")[1])(path)
    file = tmp_path / "file"
    file.write_text("")
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        getattr(obj, writer.split(".")[1])(file / "x.out")


@pytest.mark.parametrize("suffix", [".mat", ".npz", ".json"])
def test_paths_save_names_missing_folder(tmp_path, suffix):
    from matoolbox.channels.paths import Paths

    path = tmp_path / "missing" / f"p{suffix}"
    with pytest.raises(FileNotFoundError, match=r"cannot write '.*p\.\w+': folder '.*missing' does not exist"):
        Paths.random((1,), L=2, rng=0).save(path)
