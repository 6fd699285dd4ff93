"""One API across families (issue 23, item 5): ``scheme`` and ``variant(...)`` on every problem that
has an MA / FPA choice, the FPA variant solved by ``ao_solve`` keeps the fixed layout, and the
full-duplex objective names ("weighted" / "P1", ...) agree between the single- and multi-user problems."""
import numpy as np
import pytest

import matoolbox as ma
from matoolbox.core.errors import InvalidProblemError
from matoolbox.problems import (
    CcfdMaxMinProblem, CompRsmaProblem, FullDuplexMultiUserProblem, FullDuplexProblem, MimoCapacityProblem,
    MultiBeamProblem, NullSteeringProblem, SecureMaProblem, SpectrumSharingProblem, UplinkTwoTimescaleProblem,
    XlmaPlacementProblem,
)

# class -> (a small instance, its schemes, the FPA scheme's name)
CASES = {
    "comp_rsma": (lambda: CompRsmaProblem.random(seed=0, K=2), ["RSMA-MA", "RSMA-FPA", "SDMA-MA", "SDMA-FPA"], "RSMA-FPA"),
    "uplink": (lambda: UplinkTwoTimescaleProblem.random(seed=0), ["MA", "FPA"], "FPA"),
    "xlma": (lambda: XlmaPlacementProblem.random(seed=0), ["MA", "FPA"], "FPA"),
    "full_duplex": (lambda: FullDuplexProblem.random(seed=0), ["MA", "FPA", "MA-Tx", "MA-Rx"], "FPA"),
    "full_duplex_mu": (lambda: FullDuplexMultiUserProblem.random(seed=0), ["MA", "FPA", "MA-Tx", "MA-Rx"], "FPA"),
    "mimo_capacity": (lambda: MimoCapacityProblem.random(seed=0), ["MA", "TMA", "RMA", "FPA"], "FPA"),
    "secure_ma": (lambda: SecureMaProblem.random(seed=0), ["MA", "FPA"], "FPA"),
    "fd_e1_ccfd": (lambda: CcfdMaxMinProblem.random(seed=0), ["MA", "FPA"], "FPA"),
    "fd_e2_spectrum": (lambda: SpectrumSharingProblem.random(seed=0), ["MA", "FPA"], "FPA"),
    "fd_e3_null": (lambda: NullSteeringProblem.random(seed=0), ["MA", "FPA"], "FPA"),
    "fd_e4_multibeam": (lambda: MultiBeamProblem.random(seed=0), ["MA", "FPA"], "FPA"),
}


@pytest.mark.parametrize("family", list(CASES))
def test_scheme_and_variant(family):
    make, schemes, _ = CASES[family]
    prob = make()
    assert prob.scheme == schemes[0]
    assert prob.variant(prob.scheme) is prob and prob.variant(prob.scheme.lower()) is prob
    for s in schemes:
        v = prob.variant(s)
        assert type(v) is type(prob) and v.scheme == s
        assert v.variant(schemes[0]) == prob                      # same instance, only the scheme changed
    with pytest.raises(InvalidProblemError, match=r"variant\.scheme = 'nope'"):
        prob.variant("nope")


def test_every_problem_class_is_covered():
    """Every class of matoolbox.problems has scheme / variant and a case above."""
    from matoolbox import problems

    covered = {type(make()).__name__ for make, _, _ in CASES.values()}
    assert covered == set(problems.__all__)
    for name in problems.__all__:
        cls = getattr(problems, name)
        assert callable(getattr(cls, "variant", None)) and hasattr(cls, "scheme"), name


@pytest.mark.parametrize("family", ["fd_e1_ccfd", "fd_e2_spectrum", "fd_e3_null", "fd_e4_multibeam"])
def test_fd_scenario_fpa_variant_keeps_the_fpa_layout(family):
    prob = CASES[family][0]()
    fpa = prob.variant("FPA")
    sol = ma.ao_solve(fpa, rng=0)
    np.testing.assert_array_equal(sol.x["positions"], prob.fpa_positions())
    assert sol.exitflag == 1 and sol.violation <= 1e-6 and np.isfinite(sol.fval)
    blocks = [b.name for b in fpa.ao_blocks()]
    assert blocks.count("positions") <= 1 and all(b.solver.__name__ == "_fpa_positions_block"
                                                   for b in fpa.ao_blocks() if b.name == "positions")
    if family == "fd_e3_null":                       # the FPA-ZF baseline; the MA problem has its own solvers
        assert sol.fval == pytest.approx(prob.objective(prob.fpa_zf()))
        with pytest.raises(InvalidProblemError, match="null_steering_layout"):
            ma.ao_solve(prob, rng=0)
    with pytest.raises(InvalidProblemError, match="movable"):
        prob.with_(movable=1)


def test_uplink_fpa_variant_solves_to_the_fixed_array():
    prob = UplinkTwoTimescaleProblem.random(seed=0)
    fpa = prob.variant("FPA")
    assert not fpa.movable and np.all(fpa.gradient("positions", {"positions": fpa.fpa_positions()}) == 0)
    sol = ma.ao_solve(fpa, rng=0)
    np.testing.assert_array_equal(sol.x["positions"], prob.fpa_positions())
    assert sol.exitflag == 1 and sol.fval == pytest.approx(prob.objective({"positions": prob.fpa_positions()}))
    best = ma.ao_solve(prob, rng=0)
    assert best.fval > sol.fval + 1.0                                # MA gains over FPA on this instance
    assert sol.output["surrogate_fpa"] == pytest.approx(sol.fval)
    with pytest.raises(InvalidProblemError, match="movable"):
        prob.with_(movable="no")


def test_xlma_fpa_variant_solves_to_the_sparse_layout():
    prob = XlmaPlacementProblem.random(seed=0)
    fpa = prob.variant("fpa")
    name, sel = fpa.fpa_selection()
    assert name == "horizontal_sparse"
    np.testing.assert_array_equal(sel, prob.fpa_layouts()[name].selection)
    sol = ma.ao_solve(fpa, rng=0)
    np.testing.assert_array_equal(sol.x["selection"], sel)
    assert sol.exitflag == 1 and "FPA layout 'horizontal_sparse'" in sol.message
    assert sol.fval == pytest.approx(prob.layout_rate(prob.fpa_layouts()[name]))
    assert ma.ao_solve(prob, rng=0).fval > sol.fval
    with pytest.raises(InvalidProblemError, match=r"scheme = 'FPA': no sparse FPA layout of N=6"):
        XlmaPlacementProblem.random(seed=0, N=6, scheme="FPA")
    with pytest.raises(InvalidProblemError, match=r"scheme = 'fpa'"):
        XlmaPlacementProblem.random(seed=0, scheme="fpa")           # the field itself takes the canonical name


def test_xlma_round_trip_keeps_the_scheme(tmp_path):
    fpa = XlmaPlacementProblem.random(seed=0).variant("FPA")
    assert XlmaPlacementProblem.from_json(fpa.to_json(tmp_path / "x.json")) == fpa
    up = UplinkTwoTimescaleProblem.random(seed=0).variant("FPA")
    assert UplinkTwoTimescaleProblem.from_json(up.to_json(tmp_path / "u.json")) == up


@pytest.mark.parametrize("alias", ["weighted", "P1", "p1"])
def test_full_duplex_multiuser_objective_names(alias):
    mu = FullDuplexMultiUserProblem.random(seed=0, objective=alias)
    su = FullDuplexProblem.random(seed=0, objective=alias)
    assert mu.objective_kind == mu.kind == su.objective_kind == su.kind == "weighted"


@pytest.mark.parametrize("name", ["P2", "maxmin", "P3", "dl_si_cap", "P4", 3])
def test_full_duplex_multiuser_refuses_single_user_objectives(name):
    with pytest.raises(InvalidProblemError, match=r"objective = .*the weighted sum rate: 'weighted' \(or 'P1'\)"):
        FullDuplexMultiUserProblem.random(seed=0, objective=name)
