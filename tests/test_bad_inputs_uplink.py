"""Uplink two-timescale MA: bad inputs are rejected with InvalidProblemError naming the field the
user typed; extreme but valid instances never let another exception out of ao_solve."""
import numpy as np
import pytest

from matoolbox import InvalidProblemError
from matoolbox.core.solution import Solution
from matoolbox.optim.ao import ao_solve
from matoolbox.problems import UplinkTwoTimescaleProblem as U

NAN = float("nan")
_FAST = dict(n_eval=20, n_saa=5, restarts=0)
_BASE = U(**_FAST)


CASES = [
    ("p_db=4000", lambda: U(p_db=4000.0), "p_db"),
    ("p_db=-4000", lambda: U(p_db=-4000.0), "p_db"),
    ("p_db per user 4000", lambda: U(p_db=[10.0, 10.0, 10.0, 4000.0]), "p_db"),
    ("p_db='33'", lambda: U(p_db="33"), "p_db"),
    ("p_db='33 dB'", lambda: U(p_db="33 dB"), "p_db"),
    ("p_db=['10']*4", lambda: U(p_db=["10"] * 4), "p_db"),
    ("power=0", lambda: U(power=0.0), "power"),
    ("power=inf", lambda: U(power=float("inf")), "power"),
    ("power=1e400 (overflow)", lambda: U(power=1e400), "power"),
    ("noise=0", lambda: U(noise=0.0), "noise"),
    ("noise='1'", lambda: U(noise="1"), "noise"),
    ("beta=-1", lambda: U(beta=-1.0), "beta"),
    ("rician=-1", lambda: U(rician=-1.0), "rician"),
    ("rician=nan", lambda: U(rician=NAN), "rician"),
    ("theta='abc'", lambda: U(theta="abc"), "theta"),
    ("M=0", lambda: U(M=0), "M"),
    ("K=2.0", lambda: U(K=2.0), "K"),
    ("wavelength=nan", lambda: U(wavelength=NAN), "wavelength"),
    ("d=-1", lambda: U(d=-1.0), "d"),
    ("D=0", lambda: U(D=0.0), "D"),
    ("seed field='abc'", lambda: U(seed="abc"), "seed"),
    ("random(seed='abc')", lambda: U.random("abc"), "seed"),
    ("random(seed=-1)", lambda: U.random(-1), "seed"),
    ("random(seed=2.5)", lambda: U.random(2.5), "seed"),
    ("receiver=[1, 2] (unhashable)", lambda: U(receiver=[1, 2]), "receiver"),
    ("theta complex", lambda: U(theta=1 + 1j, K=1, M=2), "theta"),
    ("beta=1e308", lambda: U(beta=1e308), "beta"),
    ("wavelength=1e308", lambda: U(wavelength=1e308), "wavelength"),
    ("receiver='ml'", lambda: U(receiver="ml"), "receiver"),
    ("n_saa=0", lambda: U(n_saa=0), "n_saa"),
    # x0 given to ao_solve
    ("x0 missing positions", lambda: ao_solve(_BASE, x0={}, max_iter=1), ("x0", "positions")),
    ("x0 positions shape", lambda: ao_solve(_BASE, x0={"positions": np.zeros(3)}, max_iter=1),
     ("x0['positions']", "(8,)")),
    ("x0 positions NaN", lambda: ao_solve(_BASE, x0={"positions": np.full(8, NAN)}, max_iter=1), "x0['positions']"),
    ("x0 positions complex", lambda: ao_solve(_BASE, x0={"positions": np.zeros(8, complex)}, max_iter=1),
     "x0['positions']"),
    ("x0 positions text", lambda: ao_solve(_BASE, x0={"positions": ["0"] * 8}, max_iter=1), "x0['positions']"),
    ("x0 not a dict", lambda: ao_solve(_BASE, x0=np.zeros(8), max_iter=1), "x0"),
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
        assert f".{first} " in msg, msg


def test_case_table_is_large_enough():
    assert len(CASES) >= 15


def test_random_accepts_generator_and_seedsequence():
    a = U.random(np.random.SeedSequence(3), **_FAST)
    b = U.random(np.random.SeedSequence(3), **_FAST)
    assert a.seed == b.seed and isinstance(a.seed, int)
    assert isinstance(U.random(np.random.default_rng(0), **_FAST).seed, int)


EXTREME = [
    ("very high power", dict(p_db=300.0)),
    ("very low power", dict(p_db=-300.0)),
    ("tiny linear power", dict(power=1e-30)),
    ("tight span", dict(M=4, K=2, theta=(1.0, 2.0), D=1.5)),
    ("K > antennas MMSE", dict(M=2, K=4, receiver="mmse")),
    ("K > antennas MMSE-SIC", dict(M=2, K=4, receiver="mmse_sic")),
    ("single antenna", dict(M=1, K=1, theta=(1.0,), receiver="mmse_sic")),
    ("pure NLoS", dict(rician=0.0)),
    ("zero spacing", dict(d=0.0)),
]


@pytest.mark.parametrize("kw", [c[1] for c in EXTREME], ids=[c[0] for c in EXTREME])
def test_extreme_valid_instance_does_not_crash(kw):
    prob = U(**{**_FAST, **kw})
    sol = ao_solve(prob, max_iter=2, rng=0)
    assert isinstance(sol, Solution)
    assert sol.exitflag in (1, 0, -2, -3)
    assert not np.isnan(sol.fval)
    assert np.all(np.isfinite(sol.x["positions"]))
