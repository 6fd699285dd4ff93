"""XL-MA placement: bad inputs are rejected with InvalidProblemError naming the field the user
typed; extreme but valid instances never let another exception out of ao_solve."""
import numpy as np
import pytest

from matoolbox import InvalidProblemError
from matoolbox.core.solution import Solution
from matoolbox.optim.ao import ao_solve
from matoolbox.problems import XlmaPlacementProblem as X

NAN = float("nan")
_BASE = X.random_small(0)          # N = 3 of N0 = 20 candidates


def _solve(x0):
    return ao_solve(_BASE, x0=x0, max_iter=1)


CASES = [
    ("p_dbm=4000", lambda: X.random_small(0, p_dbm=4000.0), "p_dbm"),
    ("noise_dbm=-4000", lambda: X.random_small(0, noise_dbm=-4000.0), "noise_dbm"),
    ("kappa_db=4000", lambda: X.random_small(0, kappa_db=4000.0), "kappa_db"),
    ("partial_los kappa_db=4000", lambda: X.partial_los(kappa_db=4000.0), "kappa_db"),
    ("p_dbm='33'", lambda: X.random_small(0, p_dbm="33"), "p_dbm"),
    ("p_dbm='33 dBm'", lambda: X.random_small(0, p_dbm="33 dBm"), "p_dbm"),
    ("p_dbm=nan", lambda: X.random_small(0, p_dbm=NAN), "p_dbm"),
    ("fc='28e9'", lambda: X.random_small(0, fc="28e9"), "fc"),
    ("default L=0", lambda: X.default(L=0), "L"),
    ("default L=nan", lambda: X.default(L=NAN), "L"),
    ("default MH=0", lambda: X.default(MH=0), "MH"),
    ("default Kbar=-1", lambda: X.default(Kbar=-1.0), "Kbar"),
    ("default Kbar too large", lambda: X.default(Kbar=1000.0), "Kbar"),
    ("default eta=2", lambda: X.default(eta=2.0), "eta"),
    ("default mu=0", lambda: X.default(mu=0.0), "mu"),
    ("user_distribution kind=4", lambda: X.user_distribution(4), "kind"),
    ("user_distribution kind=True", lambda: X.user_distribution(True), "kind"),
    ("user_distribution Kbar='6'", lambda: X.user_distribution(1, Kbar="6"), "Kbar"),
    ("random_small seed='abc'", lambda: X.random_small("abc"), "seed"),
    ("random seed=-2", lambda: X.random(-2), "seed"),
    ("random_small N=0", lambda: X.random_small(0, N=0), "N"),
    ("random_small Nx=2.5", lambda: X.random_small(0, Nx=2.5), "Nx"),
    ("random_small random_omega='yes'", lambda: X.random_small(0, random_omega="yes"), "random_omega"),
    ("path_loss alpha=-3", lambda: X.random_small(0, path_loss=(1e-3, -3.0)), "path_loss"),
    ("ma_x text", lambda: X.random_small(0, ma_x=("-10", "10")), "ma_x"),
    ("Kx=inf", lambda: X.random_small(0, Kx=float("inf")), "Kx"),
    ("default L=None", lambda: X.default(L=None), "L"),
    ("default mu=None", lambda: X.default(mu=None), "mu"),
    ("convention=[1, 2] (unhashable)", lambda: X.random_small(0, convention=[1, 2]), "convention"),
    ("los_seed='x'", lambda: X.random_small(0, los_seed="x"), "los_seed"),
    # x0 given to ao_solve
    ("x0 selection too short", lambda: _solve({"selection": [0, 1]}), ("x0['selection']", "N = 3")),
    ("x0 selection repeated", lambda: _solve({"selection": [0, 1, 1]}), ("x0['selection']", "distinct")),
    ("x0 selection out of range", lambda: _solve({"selection": [0, 1, 20]}), ("x0['selection']", "[0, 20)")),
    ("x0 selection negative", lambda: _solve({"selection": [-1, 1, 2]}), "x0['selection']"),
    ("x0 selection fractional", lambda: _solve({"selection": [0.5, 1, 2]}), "x0['selection']"),
    ("x0 selection NaN", lambda: _solve({"selection": [NAN, 1, 2]}), "x0['selection']"),
    ("x0 selection text", lambda: _solve({"selection": ["0", "1", "2"]}), "x0['selection']"),
    ("x0 selection ragged", lambda: _solve({"selection": [1, [2, 3]]}), "x0['selection']"),
    ("x0 missing selection", lambda: _solve({"positions": [0, 1, 2]}), ("x0", "selection")),
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


def test_valid_selection_x0_is_accepted():
    sol = ao_solve(_BASE, x0={"selection": [2, 0, 1]}, max_iter=1)
    assert sol.exitflag == 1 and sorted(sol.x["selection"]) == list(sol.x["selection"])
    assert np.asarray(sol.x["selection"]).shape == (3,)


EXTREME = [
    ("very high power", dict(p_dbm=300.0)),
    ("very low power", dict(p_dbm=-300.0)),
    ("huge Rician factor", dict(kappa_db=300.0)),
    ("no LoS component", dict(kappa_db=-300.0)),
    ("N = N0", dict(N=20)),
    ("N = 1", dict(N=1)),
    ("all links blocked", dict(omega=np.zeros((16, 20)))),
    ("one active cell", dict(rho=np.r_[1.0, np.zeros(15)])),
]


@pytest.mark.parametrize("kw", [c[1] for c in EXTREME], ids=[c[0] for c in EXTREME])
def test_extreme_valid_instance_does_not_crash(kw):
    prob = X.random_small(0, **kw)
    sol = ao_solve(prob, max_iter=1, rng=0)
    assert isinstance(sol, Solution)
    assert sol.exitflag in (1, 0, -2, -3)
    assert np.isfinite(sol.fval)
    sel = np.asarray(sol.x["selection"])
    assert sel.shape == (prob.N,) and np.unique(sel).size == prob.N
