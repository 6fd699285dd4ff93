"""The shared validation helpers of matoolbox.core.validate: what they accept, what they refuse
and that every refusal is an InvalidProblemError naming owner.field."""
import numpy as np
import pytest

from matoolbox import InvalidProblemError
from matoolbox.core import validate as V

NAN = float("nan")

REFUSED = [
    ("real text", lambda: V.require_real("P", "f", "33")),
    ("real bool", lambda: V.require_real("P", "f", True)),
    ("real complex", lambda: V.require_real("P", "f", 1 + 2j)),
    ("real None", lambda: V.require_real("P", "f", None)),
    ("real list", lambda: V.require_real("P", "f", [1.0])),
    ("real nan", lambda: V.require_real("P", "f", NAN)),
    ("real below open bound", lambda: V.require_real("P", "f", 0.0, 0.0, lo_open=True)),
    ("real above bound", lambda: V.require_real("P", "f", 11.0, 0.0, 10.0)),
    ("count 0", lambda: V.require_count("P", "f", 0)),
    ("count float", lambda: V.require_count("P", "f", 2.0)),
    ("count above max", lambda: V.require_count("P", "f", 5, maximum=4)),
    ("seed text", lambda: V.require_seed("P", "f", "abc")),
    ("seed negative", lambda: V.require_seed("P", "f", -1)),
    ("seed float", lambda: V.require_seed("P", "f", 1.0)),
    ("seed None not allowed", lambda: V.require_seed("P", "f", None, allow_none=False)),
    ("db 4000", lambda: V.require_db("P", "f", 4000.0)),
    ("db -4000", lambda: V.db_to_linear("P", "f", -4000.0, offset=-30.0)),
    ("db text", lambda: V.require_db("P", "f", "33 dBm")),
    ("order", lambda: V.require_order("P", "f", 2.0, "g", 1.0)),
    ("keys missing", lambda: V.require_keys("P", "f", {"a": 1}, ["a", "b"])),
    ("keys not a dict", lambda: V.require_keys("P", "f", [1], ["a"])),
    ("array shape", lambda: V.require_array("P", "f", np.zeros(3), (2,))),
    ("array complex for real", lambda: V.require_array("P", "f", np.zeros(2, complex), (2,))),
    ("array nan", lambda: V.require_array("P", "f", [NAN, 1.0], (2,))),
    ("array text", lambda: V.require_array("P", "f", ["1", "2"], (2,))),
    ("array None", lambda: V.require_array("P", "f", None, (2,))),
    ("array bool", lambda: V.require_array("P", "f", [True, False], (2,))),
    ("as_array numeric text", lambda: V.as_array("P", "f", ["33", "1"])),
    ("choice unhashable", lambda: V.require_choice("P", "f", [1, 2], {"a", "b"})),
    ("fail ragged value", lambda: V.fail("P", "f", [1, [2, 3]], "bad")),
]


@pytest.mark.parametrize("make", [c[1] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_helper_refuses_with_field_named(make):
    with pytest.raises(InvalidProblemError) as err:
        make()
    assert str(err.value).startswith("P.f")


def test_helpers_accept_and_convert():
    assert V.require_real("P", "f", np.float32(2.5)) == 2.5
    assert V.require_real("P", "f", np.array(3)) == 3.0
    assert V.require_count("P", "f", np.int64(3)) == 3
    assert V.require_seed("P", "f", None) is None
    g = np.random.default_rng(0)
    assert V.require_seed("P", "f", g) is g
    assert V.db_to_linear("P", "f", 30.0, offset=-30.0) == pytest.approx(1.0)
    assert V.db_to_linear("P", "f", 300.0) == pytest.approx(1e30)
    a = V.require_array("P", "f", [[1, 2]], (1, None), complex)
    assert a.dtype == complex and a.shape == (1, 2)
    assert "4000" in pytest.raises(InvalidProblemError, V.require_db, "P", "f", 4000.0).value.args[0]
