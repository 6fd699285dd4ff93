"""Full duplex (P1-P3, multi-user, E1-E4): bad inputs are rejected with InvalidProblemError naming
the field the user typed; extreme but valid instances never let another exception out of ao_solve."""
import math

import numpy as np
import pytest

from matoolbox import InvalidProblemError
from matoolbox.core.solution import Solution
from matoolbox.optim.ao import ao_solve
from matoolbox.problems import FullDuplexMultiUserProblem as M
from matoolbox.problems import FullDuplexProblem as F
from matoolbox.full_duplex.scenarios import (CcfdMaxMinProblem as E1, MultiBeamProblem as E4,
                                             NullSteeringProblem as E3, SpectrumSharingProblem as E2)

NAN = float("nan")
_SMALL = dict(L=2, L_si=2)
_F = F.random(0, **_SMALL)
_XF = _F.ao_initial_point(0)
_M = M.random(0, Nt=3, Nr=3, **_SMALL)
_XM = _M.ao_initial_point(0)
_E2 = E2.random(0)
_XE2 = _E2.initial_point(0)
_E4 = E4.random(0)
_XE4 = _E4.initial_point(0)


def _with(x, **changes):
    return {**x, **changes}


def _drop(x, key):
    return {k: v for k, v in x.items() if k != key}


def _solve(prob, x0):
    return ao_solve(prob, x0=x0, max_iter=1)


CASES = [
    # FullDuplexProblem.random
    ("F p_max_dbm=4000", lambda: F.random(0, p_max_dbm=4000.0), "p_max_dbm"),
    ("F noise_dbm=-4000", lambda: F.random(0, noise_dbm=-4000.0), "noise_dbm"),
    ("F p_ul_dbm=4000", lambda: F.random(0, p_ul_dbm=4000.0), "p_ul_dbm"),
    ("F rho_db=4000", lambda: F.random(0, rho_db=4000.0), "rho_db"),
    ("F p_max_dbm='33'", lambda: F.random(0, p_max_dbm="33"), "p_max_dbm"),
    ("F p_max_dbm='33 dBm'", lambda: F.random(0, p_max_dbm="33 dBm"), "p_max_dbm"),
    ("F seed='abc'", lambda: F.random("abc"), "seed"),
    ("F seed=-1", lambda: F.random(-1), "seed"),
    ("F alpha=nan", lambda: F.random(0, alpha=NAN), "alpha"),
    ("F alpha=-3", lambda: F.random(0, alpha=-3.0), "alpha"),
    ("F distance=-10", lambda: F.random(0, distance=-10.0), "distance"),
    ("F distance=0", lambda: F.random(0, distance=0.0), "distance"),
    ("F L=0", lambda: F.random(0, L=0), "L"),
    ("F L_si=0", lambda: F.random(0, L_si=0), "L_si"),
    ("F Nt=0", lambda: F.random(0, Nt=0), "Nt"),
    ("F region_lambda=nan", lambda: F.random(0, region_lambda=NAN), "region_lambda"),
    ("F k_factor=-1", lambda: F.random(0, k_factor=-1.0), "k_factor"),
    ("F movable='yes'", lambda: F.random(0, movable="yes"), "movable"),
    ("F weights='abc'", lambda: F.random(0, weights="abc"), "weights"),
    ("F weights=0.5 (scalar)", lambda: F.random(0, weights=0.5), "weights"),
    ("F distance=[1, 2]", lambda: F.random(0, distance=[1.0, 2.0]), "distance"),
    ("F p_max_dbm=None", lambda: F.random(0, p_max_dbm=None), "p_max_dbm"),
    ("F region_lambda=1e308", lambda: F.random(0, region_lambda=1e308), "region_lambda"),
    ("M r_max=1e308", lambda: M.random(0, r_max=1e308), "r_max"),
    ("E2 distance scalar", lambda: E2.random(0, distance=60.0), "distance"),
    ("E3 d_min=1e308", lambda: E3.random(0, d_min=1e308), "d_min"),
    ("E4 region=[1, 2]", lambda: E4.random(0, region=[1.0, 2.0]), "region"),
    ("F field p_max=inf", lambda: _F.with_(p_max=math.inf), "p_max"),
    # FullDuplexMultiUserProblem.random
    ("M r_min > r_max", lambda: M.random(0, r_min=200.0, r_max=100.0), "r_min"),
    ("M r_max=nan", lambda: M.random(0, r_max=NAN), "r_max"),
    ("M L=0", lambda: M.random(0, L=0), "L"),
    ("M K_U=0", lambda: M.random(0, K_U=0), "K_U"),
    ("M p_ul_max_dbm=4000", lambda: M.random(0, p_ul_max_dbm=4000.0), "p_ul_max_dbm"),
    ("M seed='abc'", lambda: M.random("abc"), "seed"),
    ("M alpha=-3", lambda: M.random(0, alpha=-3.0), "alpha"),
    # E1-E4
    ("E1 p_t_dbm=4000", lambda: E1.random(0, p_t_dbm=4000.0), "p_t_dbm"),
    ("E1 si_db=4000", lambda: E1.random(0, si_db=4000.0), "si_db"),
    ("E1 distance=0", lambda: E1.random(0, distance=0.0), "distance"),
    ("E1 alpha=nan", lambda: E1.random(0, alpha=NAN), "alpha"),
    ("E1 seed='abc'", lambda: E1.random("abc"), "seed"),
    ("E1 wavelength='0.1'", lambda: E1.random(0, wavelength="0.1"), "wavelength"),
    ("E2 power_dbm=4000", lambda: E2.random(0, power_dbm=4000.0), "power_dbm"),
    ("E2 inr_cap_db=4000", lambda: E2.random(0, inr_cap_db=4000.0), "inr_cap_db"),
    ("E2 distance reversed", lambda: E2.random(0, distance=(100.0, 50.0)), "distance[0]"),
    ("E2 c0_db=nan", lambda: E2.random(0, c0_db=NAN), "c0_db"),
    ("E3 min_separation=5", lambda: E3.random(0, min_separation=5.0), "min_separation"),
    ("E3 theta0='x'", lambda: E3.random(0, theta0="x"), "theta0"),
    ("E3 seed=1.5", lambda: E3.random(1.5), "seed"),
    ("E4 xi_db=4000", lambda: E4.random(0, xi_db=4000.0), "xi_db"),
    ("E4 min_separation=1", lambda: E4.random(0, min_separation=1.0), "min_separation"),
    ("E4 n_beams=0", lambda: E4.random(0, n_beams=0), "n_beams"),
    # x0 given to ao_solve
    ("F x0 missing w_t", lambda: _solve(_F, _drop(_XF, "w_t")), ("x0", "w_t")),
    ("F x0 w_t shape", lambda: _solve(_F, _with(_XF, w_t=np.ones(3, complex))), ("x0['w_t']", "(4,)")),
    ("F x0 positions_tx shape", lambda: _solve(_F, _with(_XF, positions_tx=np.zeros((4, 3)))),
     ("x0['positions_tx']", "(4, 2)")),
    ("F x0 positions_rx NaN", lambda: _solve(_F, _with(_XF, positions_rx=np.full((4, 2), NAN))),
     "x0['positions_rx']"),
    ("F x0 w_r NaN", lambda: _solve(_F, _with(_XF, w_r=np.full(4, NAN, complex))), "x0['w_r']"),
    ("M x0 W_t shape", lambda: _solve(_M, _with(_XM, W_t=np.ones((3, 3), complex))), ("x0['W_t']", "(3, 2)")),
    ("M x0 missing p_u", lambda: _solve(_M, _drop(_XM, "p_u")), ("x0", "p_u")),
    ("M x0 p_u complex", lambda: _solve(_M, _with(_XM, p_u=np.ones(2, complex))), "x0['p_u']"),
    ("M x0 W_r NaN", lambda: _solve(_M, _with(_XM, W_r=np.full((3, 2), NAN, complex))), "x0['W_r']"),
    ("E2 x0 positions shape", lambda: _solve(_E2, _with(_XE2, positions=np.zeros(4))), "x0['positions']"),
    ("E4 x0 precoders NaN", lambda: _solve(_E4, _with(_XE4, precoders=np.full(8, NAN, complex))),
     "x0['precoders']"),
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


def test_check_x_accepts_the_problem_own_points():
    for prob, x in ((_F, _XF), (_M, _XM), (_E2, _XE2), (_E4, _XE4)):
        y = prob.check_x(x)
        assert set(y) == set(x)
    e1 = E1.random(0)
    e1.check_x(e1.initial_point(0))
    e3 = E3.random(0)
    e3.check_x(e3.initial_point(0))


EXTREME = [
    ("P1 very high power", lambda: F.random(0, p_max_dbm=300.0, **_SMALL)),
    ("P1 very low power", lambda: F.random(0, p_max_dbm=-300.0, **_SMALL)),
    ("P1 no SI cancellation", lambda: F.random(0, rho_db=0.0, **_SMALL)),
    ("P1 huge SI", lambda: F.random(0, rho_db=300.0, **_SMALL)),
    ("P2 no SI cancellation", lambda: F.random(0, "maxmin", rho_db=0.0, **_SMALL)),
    ("P3 tiny SI cap", lambda: F.random(0, "dl_si_cap", p_th_dbm=-300.0, **_SMALL)),
    ("P1 tiny region, one antenna", lambda: F.random(0, Nt=1, Nr=1, region_lambda=1e-6, **_SMALL)),
    ("MU very high power", lambda: M.random(0, p_max_dbm=300.0, Nt=2, Nr=2, K_D=2, K_U=3, **_SMALL)),
    ("MU K_U > Nr", lambda: M.random(0, Nt=2, Nr=1, K_D=2, K_U=3, **_SMALL)),
    ("E1 no SI cancellation", lambda: E1.random(0, si_db=0.0)),
    ("E2 exact nulls", lambda: E2.random(0, inr_cap_db=-math.inf, n_primary=5)),
    ("E4 tight region", lambda: E4.random(0, n_antennas=2, region=0.5)),
]


@pytest.mark.parametrize("make", [c[1] for c in EXTREME], ids=[c[0] for c in EXTREME])
def test_extreme_valid_instance_does_not_crash(make):
    prob = make()
    sol = ao_solve(prob, max_iter=1, rng=0)
    assert isinstance(sol, Solution)
    assert sol.exitflag in (1, 0, -2, -3)
    assert not np.isnan(sol.fval)
    for key, val in sol.x.items():
        assert np.all(np.isfinite(np.asarray(val))), key
