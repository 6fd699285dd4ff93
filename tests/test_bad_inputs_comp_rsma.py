"""CoMP-RSMA: bad inputs are rejected with InvalidProblemError naming the field the user typed;
extreme but valid instances never let another exception out of ao_solve."""
import numpy as np
import pytest

from matoolbox import InvalidProblemError
from matoolbox.core.solution import Solution
from matoolbox.optim.ao import ao_solve
from matoolbox.problems import CompRsmaProblem as C

NAN = float("nan")
_BASE = C.random(0, N=2, I=2, K=2, L=2)
_X = _BASE.initial_point()


def _x(**changes):
    return {**_X, **changes}


def _drop(key):
    return {k: v for k, v in _X.items() if k != key}


# (id, thunk, substrings the message must contain)
CASES = [
    ("pmax_dbm=4000", lambda: C.random(0, pmax_dbm=4000), "pmax_dbm"),
    ("pmax_dbm=-4000", lambda: C.random(0, pmax_dbm=-4000), "pmax_dbm"),
    ("noise_dbm=-4000", lambda: C.random(0, noise_dbm=-4000), "noise_dbm"),
    ("field pmax_dbm=4000", lambda: _BASE.with_(pmax_dbm=4000.0), "pmax_dbm"),
    ("field noise_dbm=inf", lambda: _BASE.with_(noise_dbm=float("inf")), "noise_dbm"),
    ("pmax_dbm='33'", lambda: C.random(0, pmax_dbm="33"), "pmax_dbm"),
    ("pmax_dbm='33 dBm'", lambda: C.random(0, pmax_dbm="33 dBm"), "pmax_dbm"),
    ("pmax_dbm=['33','30']", lambda: C.random(0, pmax_dbm=["33", "30"]), "pmax_dbm"),
    ("pmax_dbm wrong shape", lambda: C.random(0, pmax_dbm=[30.0, 30.0, 30.0]), "pmax_dbm"),
    ("pmax_w=0", lambda: C.random(0, pmax_w=0.0), "pmax_w"),
    ("seed='abc'", lambda: C.random("abc"), "seed"),
    ("seed=-1", lambda: C.random(-1), "seed"),
    ("seed=1.5", lambda: C.random(1.5), "seed"),
    ("alpha=nan", lambda: C.random(0, alpha=NAN), "alpha"),
    ("alpha=-3", lambda: C.random(0, alpha=-3.0), "alpha"),
    ("alpha='3.9'", lambda: C.random(0, alpha="3.9"), "alpha"),
    ("L=0", lambda: C.random(0, L=0), "L"),
    ("K=0", lambda: C.random(0, K=0), "K"),
    ("K=2.0", lambda: C.random(0, K=2.0), "K"),
    ("I=True", lambda: C.random(0, I=True), "I"),
    ("Q=0", lambda: C.random(0, Q=0), "Q"),
    ("wavelength=0", lambda: C.random(0, wavelength=0.0), "wavelength"),
    ("wavelength=nan", lambda: C.random(0, wavelength=NAN), "wavelength"),
    ("region=-1", lambda: C.random(0, region=-1.0), "region"),
    ("bs_radius=0", lambda: C.random(0, bs_radius=0.0), "bs_radius"),
    ("user_radius=-10", lambda: C.random(0, user_radius=-10.0), "user_radius"),
    ("rth=-1", lambda: C.random(0, rth=-1.0), "rth"),
    ("g0=0", lambda: C.random(0, g0=0.0), "g0"),
    ("access='noma'", lambda: C.random(0, access="noma"), "access"),
    ("access=[1, 2] (unhashable)", lambda: C.random(0, access=[1, 2]), "access"),
    ("wavelength=1e308", lambda: C.random(0, wavelength=1e308), "wavelength"),
    ("region=1e308", lambda: C.random(0, region=1e308), "region"),
    ("g0=1e308", lambda: C.random(0, g0=1e308), "g0"),
    ("shared_rx_angles='yes'", lambda: C.random(0, shared_rx_angles="yes"), "shared_rx_angles"),
    # x0 given to ao_solve
    ("x0 missing precoders", lambda: ao_solve(_BASE, x0=_drop("precoders"), max_iter=1, rng=0), ("x0", "precoders")),
    ("x0 precoders shape", lambda: ao_solve(_BASE, x0=_x(precoders=np.zeros((2, 2, 2))), max_iter=1, rng=0),
     ("x0['precoders']", "(2, 2, 3)")),
    ("x0 precoders NaN", lambda: ao_solve(_BASE, x0=_x(precoders=np.full((2, 2, 3), NAN)), max_iter=1, rng=0),
     "x0['precoders']"),
    ("x0 positions shape", lambda: ao_solve(_BASE, x0=_x(positions=np.zeros(2)), max_iter=1, rng=0), "x0['positions']"),
    ("x0 positions complex", lambda: ao_solve(_BASE, x0=_x(positions=np.zeros((2, 2), complex)), max_iter=1, rng=0),
     "x0['positions']"),
    ("x0 common NaN", lambda: ao_solve(_BASE, x0=_x(common=np.array([NAN, 0.0])), max_iter=1, rng=0), "x0['common']"),
    ("x0 not a dict", lambda: ao_solve(_BASE, x0=[1, 2, 3], max_iter=1, rng=0), "x0"),
    ("x0 text", lambda: ao_solve(_BASE, x0=_x(precoders="zeros"), max_iter=1, rng=0), "x0['precoders']"),
]


@pytest.mark.parametrize("make, names", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_naming_the_field(make, names):
    with pytest.raises(InvalidProblemError) as err:
        make()
    msg = str(err.value)
    for name in (names,) if isinstance(names, str) else names:
        assert name in msg, msg
    first = names if isinstance(names, str) else names[0]
    if not first.startswith("x0"):
        assert f".{first} " in msg or f".{first}," in msg or f".{first}[" in msg, msg


def test_case_table_is_large_enough():
    assert len(CASES) >= 15


def test_valid_x0_passes_check_x():
    y = _BASE.check_x(_X)
    assert y["precoders"].dtype == complex and y["precoders"].shape == (2, 2, 3)


EXTREME = [
    ("very high power", dict(pmax_dbm=300.0)),
    ("very low power", dict(pmax_dbm=-300.0)),
    ("tiny region", dict(region=1e-9)),
    ("zero region", dict(region=0.0)),
    ("K > antennas", dict(N=1, I=1, K=3)),
    ("SDMA high power", dict(access="sdma", pmax_dbm=200.0)),
    ("QoS infeasible", dict(rth=50.0)),
]


@pytest.mark.parametrize("kw", [c[1] for c in EXTREME], ids=[c[0] for c in EXTREME])
def test_extreme_valid_instance_does_not_crash(kw):
    kw = {"N": 2, "I": 2, "K": 2, "L": 2, **kw}
    prob = C.random(0, **kw)
    sol = ao_solve(prob, max_iter=1, rng=0)
    assert isinstance(sol, Solution)
    assert sol.exitflag in (1, 0, -2, -3)
    assert not np.isnan(sol.fval)
    for key, val in sol.x.items():
        assert np.all(np.isfinite(np.asarray(val))), key
