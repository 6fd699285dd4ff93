"""Instances and solutions on disk: exact JSON / .mat round trips of every family (same fields,
same objective, same ao_solve result with the same seed), the Solution struct, structured errors
on malformed files, and sweeps saving each trial's instance."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import scipy.io

import matoolbox as ma
from matoolbox import problems
from matoolbox.problems import (
    CompRsmaProblem, FullDuplexMultiUserProblem, FullDuplexProblem, UplinkTwoTimescaleProblem, XlmaPlacementProblem,
)
from matoolbox.sweep import run_sweep


def _fields_equal(a, b):
    assert type(a) is type(b)
    for f in dataclasses.fields(a):
        u, v = getattr(a, f.name), getattr(b, f.name)
        if dataclasses.is_dataclass(u):
            _fields_equal(u, v)
        elif isinstance(u, np.ndarray):
            assert isinstance(v, np.ndarray) and u.dtype == v.dtype and u.shape == v.shape, f.name
            assert np.array_equal(u, v), f.name
        else:
            assert type(u) is type(v) and (u == v or (u != u and v != v)), f.name


def _instances():
    return {
        "comp_rsma": CompRsmaProblem.random(seed=1, N=1, I=2, K=2, L=3),
        "comp_rsma_fpa": CompRsmaProblem.from_channel(np.eye(2, 4) + 0.5j, I=2, snr_db=10.0),
        "uplink": UplinkTwoTimescaleProblem.random(seed=2, n_saa=10, restarts=0, receiver="mmse"),
        "uplink_los": UplinkTwoTimescaleProblem.from_channel(np.exp(1j * np.arange(8).reshape(4, 2)), rician=3.0),
        "xlma": XlmaPlacementProblem.random_small(seed=0),
        "xlma_points": XlmaPlacementProblem.from_paths(users=[[-3.0, 8.0, 1.5], [4.0, 9.0, 1.5]], rho=[0.4, 0.9],
                                                       candidates=[[x, 0.0, 5.0] for x in range(-4, 5, 2)], N=2, MH=2),
        "fd": FullDuplexProblem.random(seed=3, si_model="rician"),
        "fd_mu": FullDuplexMultiUserProblem.random(seed=4, K_D=1, K_U=1, Nt=3, Nr=3),
        **{name: getattr(problems, name).random(seed=0) for name in
           ("CcfdMaxMinProblem", "MultiBeamProblem", "NullSteeringProblem", "SpectrumSharingProblem")},
    }


INSTANCES = _instances()


@pytest.mark.parametrize("fmt", ["json", "mat"])
@pytest.mark.parametrize("name", list(INSTANCES))
def test_round_trip_exact_fields_and_objective(tmp_path, name, fmt):
    prob = INSTANCES[name]
    path = getattr(prob, f"to_{fmt}")(tmp_path / f"p.{fmt}")
    back = getattr(type(prob), f"from_{fmt}")(path)
    _fields_equal(prob, back)
    x = prob.initial_point(np.random.default_rng(0))
    assert back.objective(x) == prob.objective(x)
    assert back.violation(x) == prob.violation(x)
    # also through the base class (the file names the class)
    assert type(ma.Problem.from_json(prob.to_json(tmp_path / "q.json"))) is type(prob)


@pytest.mark.parametrize("name", ["comp_rsma", "uplink", "xlma", "fd"])
def test_reloaded_instance_gives_the_same_ao_result(tmp_path, name):
    prob = INSTANCES[name]
    # one run first: a CVXPY subproblem built in this process (the SCA fallback, cached per size)
    # gives answers that differ at 1e-5 from those of one built after other CVXPY objects
    # (variable ordering), so the comparison starts once the cache holds it
    ma.ao_solve(prob, rng=7, max_iter=2)
    a = ma.ao_solve(prob, rng=7, max_iter=2)
    for fmt in ("json", "mat"):
        back = getattr(type(prob), f"from_{fmt}")(getattr(prob, f"to_{fmt}")(tmp_path / f"p.{fmt}"))
        b = ma.ao_solve(back, rng=7, max_iter=2)
        assert b.fval == a.fval and b.exitflag == a.exitflag
        for k, v in a.x.items():
            assert np.array_equal(b.x[k], v), k


# ----------------------------------------------------------------------------- Solution struct
def _sol():
    return ma.Solution(x={"positions": np.arange(8.0).reshape(4, 2), "precoders": np.ones((1, 2, 3)) * (1 - 2j),
                          "selection": np.array([0, 3])},
                       fval=3.25, exitflag=1, message="ok", nit=4, history=[1.0, 2.0, 3.25], violation=0.0,
                       elapsed=0.5, solver="ao_solve", output={"cvx attempts": [{"solver": "CLARABEL", "ok": True}],
                                                              "best": np.inf})


def test_solution_to_mat_is_one_struct_with_the_problem(tmp_path):
    prob = INSTANCES["comp_rsma"]
    path = _sol().to_mat(tmp_path / "s.mat", problem=prob)
    m = scipy.io.loadmat(path, simplify_cells=True)
    assert [k for k in m if not k.startswith("__")] == ["sol"]
    sol = m["sol"]
    np.testing.assert_array_equal(sol["x"]["positions"], np.arange(8.0).reshape(4, 2))
    assert sol["fval"] == 3.25 and sol["exitflag"] == 1 and sol["message"] == "ok"
    np.testing.assert_array_equal(sol["problem"]["Sigma"], prob.Sigma.squeeze())     # simplify_cells squeezes
    t, q = ma.Solution.from_mat(path, with_problem=True)
    assert t.fval == 3.25 and t.exitflag == 1 and t.history == [1.0, 2.0, 3.25] and t.output["best"] == np.inf
    assert t.output["cvx attempts"] == [{"solver": "CLARABEL", "ok": True}]
    for k, v in _sol().x.items():
        assert t.x[k].dtype == v.dtype and np.array_equal(t.x[k], v)
    _fields_equal(prob, q)
    assert ma.Solution.from_mat(_sol().to_mat(tmp_path / "n.mat"), with_problem=True)[1] is None


def _bad_json(tmp_path, mutate):
    d = json.loads(_sol().to_json(tmp_path / "s.json").read_text())
    mutate(d)
    (tmp_path / "b.json").write_text(json.dumps(d))
    return tmp_path / "b.json"


@pytest.mark.parametrize("mutate,match", [
    (lambda d: d["x"]["precoders"].pop("imag"), r"file\.x\['precoders'\]: the array has no 'imag' entry"),
    (lambda d: d["x"]["positions"]["data"].pop(), r"file\.x\['positions'\]\['data'\] holds 7 values, shape \(4, 2\) needs 8"),
    (lambda d: d["x"]["positions"].update(shape="4x2"), r"file\.x\['positions'\]\['shape'\] = '4x2'"),
    (lambda d: d["x"]["positions"]["data"].__setitem__(0, "a"), r"file\.x\['positions'\]\['data'\] holds 'a'"),
    (lambda d: d.update(fval="high"), r"file\.fval = 'high': must be a real number"),
    (lambda d: d.update(exitflag=1.5), r"file\.exitflag = 1\.5: must be an integer"),
    (lambda d: d.update(x=[1, 2]), r"file\.x = list: must be a struct"),
], ids=["no_imag", "size", "shape", "text", "fval", "exitflag", "x_list"])
def test_solution_from_json_structured_errors(tmp_path, mutate, match):
    with pytest.raises(ValueError, match=match):
        ma.Solution.from_json(_bad_json(tmp_path, mutate))


def test_problem_files_malformed(tmp_path):
    prob = INSTANCES["uplink"]
    good = json.loads(prob.to_json(tmp_path / "p.json").read_text())
    cases = [
        (lambda d: d.pop("matoolbox_class"), r"file\.matoolbox_class: missing"),
        (lambda d: d.update(matoolbox_class="os:system"), r"only matoolbox classes, or the class that loads the file"),
        (lambda d: d["fields"].update(colour=1), r"unknown field\(s\) \['colour'\] for UplinkTwoTimescaleProblem"),
        (lambda d: d["fields"].update(M=-1), r"UplinkTwoTimescaleProblem\.M = -1"),
    ]
    for mutate, match in cases:
        d = json.loads(json.dumps(good))
        mutate(d)
        (tmp_path / "b.json").write_text(json.dumps(d))
        with pytest.raises(ma.InvalidProblemError, match=match):
            UplinkTwoTimescaleProblem.from_json(tmp_path / "b.json")
    with pytest.raises(ma.InvalidProblemError, match=r"is not a CompRsmaProblem"):
        CompRsmaProblem.from_json(tmp_path / "p.json")
    (tmp_path / "t.json").write_text("{not json")
    with pytest.raises(ma.InvalidProblemError, match=r"not valid JSON"):
        UplinkTwoTimescaleProblem.from_json(tmp_path / "t.json")
    scipy.io.savemat(tmp_path / "m.mat", {"problem": {"M": 4.0}})
    with pytest.raises(ma.InvalidProblemError, match=r"file\.problem\.matoolbox_class: missing"):
        UplinkTwoTimescaleProblem.from_mat(tmp_path / "m.mat")
    with pytest.raises(ma.InvalidProblemError, match=r"no variable 'instance'"):
        UplinkTwoTimescaleProblem.from_mat(prob.to_mat(tmp_path / "p.mat"), name="instance")


# ----------------------------------------------------------------------------- sweeps
def _trial(params, rng):
    prob = UplinkTwoTimescaleProblem.random(seed=int(rng.integers(1000)), M=params["M"], n_saa=5)
    return {"rate": prob.objective({"positions": prob.fpa_positions()}), "instance": prob}


def test_sweep_saves_each_trial_instance(tmp_path):
    res = run_sweep(_trial, {"M": [5, 6]}, trials=2, seed=0, progress=False, save_instances=tmp_path / "inst")
    assert len(res.rows) == 4 and all(r["exitflag"] == 1 for r in res.rows)
    paths = {r["instance"] for r in res.rows}
    assert len(paths) == 4
    for r in res.rows:
        back = UplinkTwoTimescaleProblem.from_json(r["instance"])
        assert back.M == r["M"]
        assert back.objective({"positions": back.fpa_positions()}) == r["rate"]
