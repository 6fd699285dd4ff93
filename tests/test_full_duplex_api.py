"""One API across families for the full-duplex problems (issue 23, item 5): ``variant("MA"/"FPA")``,
"P1"/"P2"/"P3" as objective names, a problem without paths refused."""
import numpy as np
import pytest

from matoolbox import InvalidProblemError
from matoolbox.full_duplex import FullDuplexMultiUserProblem, FullDuplexProblem


@pytest.mark.parametrize("cls", [FullDuplexProblem, FullDuplexMultiUserProblem])
def test_variant_ma_fpa(cls):
    prob = cls.random(seed=0)
    assert prob.variant("MA") is prob
    fpa = prob.variant("fpa")
    assert (fpa.movable_tx, fpa.movable_rx) == (False, False)
    assert fpa.variant("FPA") is fpa
    assert fpa.variant("MA") == prob
    x = fpa.initial_point(0)
    assert np.allclose(x["positions_tx"], prob.fpa["positions_tx"])
    assert np.allclose(x["positions_rx"], prob.fpa["positions_rx"])
    half = prob.with_(movable_rx=False)
    assert (half.variant("MA").movable_rx, half.variant("FPA").movable_tx) == (True, False)


def test_variant_unknown_scheme_names_field():
    with pytest.raises(InvalidProblemError, match=r"variant\.scheme.*FPA.*MA"):
        FullDuplexProblem.random(seed=0).variant("RSMA-MA")


@pytest.mark.parametrize("alias, name", [("P1", "weighted"), ("p2", "maxmin"), ("P3", "dl_si_cap")])
def test_objective_p1_p2_p3(alias, name):
    prob = FullDuplexProblem.random(seed=0, objective=alias)
    assert prob.objective_kind == name
    assert prob == FullDuplexProblem.random(seed=0, objective=name)
    again = prob.with_(objective_kind=alias)
    assert again.objective_kind == name and again == prob


def test_objective_unknown_refused():
    with pytest.raises(InvalidProblemError, match="objective"):
        FullDuplexProblem.random(seed=0, objective="P4")


def test_objective_alias_round_trip(tmp_path):
    prob = FullDuplexProblem.random(seed=0, objective="P3")
    prob.to_json(tmp_path / "p.json")
    assert FullDuplexProblem.from_json(tmp_path / "p.json") == prob


@pytest.mark.parametrize("link", ["dl", "ul"])
def test_problem_without_paths_refused(link):
    prob = FullDuplexProblem.random(seed=0)
    with pytest.raises(InvalidProblemError, match=f"{link}_dirs"):
        prob.with_(**{f"{link}_dirs": np.zeros((0, 2)), f"{link}_gains": np.zeros(0, complex)})


def test_multiuser_without_paths_refused():
    prob = FullDuplexMultiUserProblem.random(seed=0)
    K = prob.dl_dirs.shape[0]
    with pytest.raises(InvalidProblemError, match="dl_dirs"):
        prob.with_(dl_dirs=np.zeros((K, 0, 2)), dl_gains=np.zeros((K, 0), complex))
