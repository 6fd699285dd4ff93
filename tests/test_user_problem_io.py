"""A user's own Problem subclass (defined here, outside matoolbox) round-trips through JSON and
.mat with ``MyProblem.from_json`` / ``from_mat``; problems with array fields compare and hash."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from matoolbox.core.errors import InvalidProblemError
from matoolbox.core.problem import Problem


@dataclasses.dataclass(frozen=True, eq=False)
class Geometry:
    side: float
    centre: tuple = (0.0, 0.0)


@dataclasses.dataclass(frozen=True)
class MyProblem(Problem):
    H: np.ndarray
    power: float = 1.0
    geometry: Geometry = Geometry(2.0)
    label: str = "mine"

    def objective(self, x):
        w = np.asarray(x["w"])
        return float(np.abs(self.H @ w).sum())


@dataclasses.dataclass(frozen=True)
class MySubProblem(MyProblem):
    extra: int = 3


@dataclasses.dataclass(frozen=True)
class Other(Problem):
    a: int = 1


def _prob(seed=0, cls=MyProblem, **kw):
    rng = np.random.default_rng(seed)
    return cls(H=rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2)), **kw)


@pytest.mark.parametrize("fmt", ["json", "mat"])
def test_user_subclass_round_trips(tmp_path, fmt):
    p = _prob(geometry=Geometry(3.5, (1.0, -1.0)))
    path = getattr(p, f"to_{fmt}")(tmp_path / f"p.{fmt}")
    q = getattr(MyProblem, f"from_{fmt}")(path)
    assert type(q) is MyProblem and q == p and hash(q) == hash(p)
    assert q.H.dtype == p.H.dtype and np.array_equal(q.H, p.H)
    assert isinstance(q.geometry, Geometry) and q.geometry.centre == (1.0, -1.0)
    x = {"w": np.array([1.0, -2.0])}
    assert q.objective(x) == p.objective(x)


def test_a_subclass_file_loads_through_the_base_and_the_base_file_not_through_the_subclass(tmp_path):
    sub = _prob(cls=MySubProblem, extra=7)
    back = MyProblem.from_json(sub.to_json(tmp_path / "s.json"))
    assert type(back) is MySubProblem and back.extra == 7 and back == sub
    with pytest.raises(InvalidProblemError, match="is not a MySubProblem|only matoolbox classes"):
        MySubProblem.from_json(_prob().to_json(tmp_path / "b.json"))
    with pytest.raises(InvalidProblemError, match="only matoolbox classes"):
        Other.from_json(tmp_path / "b.json")


def test_a_file_cannot_choose_an_import_or_an_arbitrary_class(tmp_path):
    d = json.loads(_prob().to_json(tmp_path / "p.json").read_text())
    for name in ("os:system", "json:JSONDecoder", "some_unimported_module:Evil"):
        d["matoolbox_class"] = name
        (tmp_path / "e.json").write_text(json.dumps(d))
        with pytest.raises(InvalidProblemError, match="only matoolbox classes"):
            MyProblem.from_json(tmp_path / "e.json")
    d = json.loads(_prob().to_json(tmp_path / "p.json").read_text())
    d["fields"]["geometry"]["__dataclass__"] = "subprocess:Popen"
    (tmp_path / "n.json").write_text(json.dumps(d))
    with pytest.raises(InvalidProblemError, match="only matoolbox classes"):
        MyProblem.from_json(tmp_path / "n.json")


def test_equality_and_hash_with_array_fields():
    p, q, r = _prob(0), _prob(0), _prob(1)
    assert p == q and hash(p) == hash(q) and p is not q
    assert p != r and hash(p) != hash(r)
    assert p != p.with_(power=2.0) and p != p.with_(geometry=Geometry(2.0, (0.0, 1.0)))
    assert p != p.with_(H=p.H.astype(np.complex64))          # dtype matters
    assert len({p, q, r}) == 2 and {p: 1}[q] == 1
    assert p != _prob(0, cls=MySubProblem)                    # class matters
    nan = p.with_(H=np.full((3, 2), np.nan + 0j))
    assert nan == nan.with_() and hash(nan) == hash(nan.with_())


def test_matoolbox_problem_classes_compare_and_hash():
    from matoolbox.uplink import UplinkTwoTimescaleProblem

    a = UplinkTwoTimescaleProblem.random(seed=0)
    b = UplinkTwoTimescaleProblem.random(seed=0)
    c = UplinkTwoTimescaleProblem.random(seed=1)
    assert a == b and hash(a) == hash(b) and a != c


@pytest.mark.parametrize("fmt", ["json", "mat"])
@pytest.mark.parametrize("name", ["matoolbox.cli:os.system", "matoolbox.core.io:importlib.import_module",
                                  "matoolbox.core.io:json.JSONDecoder", "matoolbox.core.io:resolve_class",
                                  "test_user_problem_io:np.random.Generator"])
def test_a_nested_entry_cannot_reach_functions_or_imported_names(tmp_path, fmt, name):
    """A nested dataclass tag naming a path through a module's imports, or a function, is refused
    (it used to run: ``matoolbox.cli:os.system`` with fields {"command": ...} executed a shell command)."""
    import scipy.io

    marker = tmp_path / "PWNED"
    name = name.replace("test_user_problem_io", __name__)
    p = _prob()
    if fmt == "json":
        d = json.loads(p.to_json(tmp_path / "p.json").read_text())
        d["fields"]["geometry"] = {"__dataclass__": name, "fields": {"command": f"touch {marker}"}}
        (tmp_path / "e.json").write_text(json.dumps(d))
        load = lambda: MyProblem.from_json(tmp_path / "e.json")           # noqa: E731
    else:
        p.to_mat(tmp_path / "p.mat")
        raw = scipy.io.loadmat(tmp_path / "p.mat", simplify_cells=True)["problem"]
        types = json.loads(raw["matoolbox_types"])
        types["geometry"] = {"t": "dataclass", "cls": name, "items": {"command": {"t": "str"}}}
        raw["matoolbox_types"] = json.dumps(types)
        raw["geometry"] = {"command": f"touch {marker}"}
        scipy.io.savemat(tmp_path / "e.mat", {"problem": raw}, long_field_names=True)
        load = lambda: MyProblem.from_mat(tmp_path / "e.mat")              # noqa: E731
    with pytest.raises(InvalidProblemError, match="no such class|only matoolbox classes"):
        load()
    assert not marker.exists()


def test_matoolbox_nested_dataclasses_still_load(tmp_path):
    from matoolbox.problems import MimoCapacityProblem
    from matoolbox.regions import Rectangle

    p = MimoCapacityProblem.random(seed=0, L=3, region_tx=Rectangle(0.0, 2.0, 0.0, 2.0, 0.5))
    for fmt in ("json", "mat"):
        q = getattr(MimoCapacityProblem, f"from_{fmt}")(getattr(p, f"to_{fmt}")(tmp_path / f"p.{fmt}"))
        assert q == p and isinstance(q.region_tx, Rectangle)


def test_equal_problems_hash_equal_with_signed_zeros_and_nans():
    p = _prob(0)
    q = p.with_(H=p.H * 0.0, power=0.0)
    r = p.with_(H=-(p.H * 0.0), power=-0.0)
    assert q == r and hash(q) == hash(r)
    n1 = p.with_(power=float("nan"))
    n2 = p.with_(power=-float("nan"))
    assert n1 == n2 and hash(n1) == hash(n2)
