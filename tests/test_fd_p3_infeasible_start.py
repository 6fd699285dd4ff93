"""Full duplex P3 from an infeasible start (issue 22: "Full duplex P3 from an infeasible start").

The FPA solution's beamformer kept on a moved layout breaks the SI cap there. The blocks use a
phase-1 acceptance rule (``full_duplex.common.phase1_accept``): from an infeasible incumbent a
step that restores feasibility or reduces the violation is taken even at a lower objective, so
``ao_solve`` returns a feasible point at the exact P3 optimum of that layout (``p3_closed_form``).
Before the rule, ``socp_beamforming`` kept the infeasible start (its objective is higher) and
``ao_solve`` returned it with exitflag -2 on all 24 layouts below.
"""
import numpy as np
import pytest

import matoolbox as ma
from matoolbox.full_duplex import FullDuplexProblem, fd_blocks, p3_closed_form, socp_beamforming
from matoolbox.full_duplex.common import phase1_accept

SEEDS = range(24)


def _fpa_start_on_moved_layout(seed):
    """(problem, x0, exact P3 optimum at x0's layout): the FPA solution's w_t / w_r on a random
    feasible layout, where it breaks the SI cap."""
    prob = FullDuplexProblem.random(seed=seed, objective="P3")
    fpa = prob.with_(movable_tx=False, movable_rx=False)
    xf = ma.ao_solve(fpa, blocks=fd_blocks(fpa, positions=None), rng=seed).x
    x0 = {**xf, **prob.random_layout(np.random.default_rng(100 + seed))}
    a = prob.fd_arrays(x0)
    w = p3_closed_form(a["hDc"][0], a["H"], a["P"], a["p_th"])
    fopt = float(prob.objective(prob.fd_pack(x0, Wt=w[:, None])))
    return prob, x0, fopt


def test_p3_from_fpa_beamformer_on_moved_layouts_is_feasible_and_optimal():
    infeasible_starts = 0
    for seed in SEEDS:
        prob, x0, fopt = _fpa_start_on_moved_layout(seed)
        v0 = prob.violation(x0)
        infeasible_starts += v0 > 1e-6
        sol = ma.ao_solve(prob, x0=x0, blocks=fd_blocks(prob, positions=None), rng=seed)
        assert sol.violation <= 1e-6 and prob.violation(sol.x) <= 1e-6, (seed, v0, sol.violation)
        assert sol.exitflag in (0, 1), (seed, sol.exitflag, sol.message)
        assert sol.fval >= 0.99 * fopt, (seed, sol.fval, fopt)
        # the exact block alone takes the phase-1 step
        blk = socp_beamforming(prob, x0)
        assert blk.violation <= 1e-6 and blk.fval >= 0.99 * fopt, (seed, blk.violation, blk.fval, fopt)
    assert infeasible_starts == len(SEEDS)         # every start breaks the cap (the case tested)


def test_phase1_rule():
    # feasible incumbent: the objective decides, feasibility is kept
    assert phase1_accept(1.0, 0.0, 1.0, 0.0)
    assert not phase1_accept(0.9, 0.0, 1.0, 0.0)
    assert not phase1_accept(2.0, 1e-3, 1.0, 0.0)
    # infeasible incumbent: reaching feasibility or reducing the violation wins over the objective
    assert phase1_accept(0.1, 0.0, 8.5, 6.7e4)
    assert phase1_accept(0.1, 1.0, 8.5, 6.7e4)
    assert not phase1_accept(9.0, 7e4, 8.5, 6.7e4)
    assert phase1_accept(9.0, 6.7e4, 8.5, 6.7e4) and not phase1_accept(8.0, 6.7e4, 8.5, 6.7e4)
    assert not phase1_accept(float("nan"), 0.0, 8.5, 1.0)


@pytest.mark.parametrize("seed", [2, 7])
def test_fixed_layout_blocks_restore_feasibility(seed):
    """The iterative blocks with the same rule (SCA, SDR) also leave the infeasible start."""
    from matoolbox.full_duplex.sca_beamforming import sca_beamforming
    from matoolbox.full_duplex.sdr import sdr_beamforming

    prob, x0, fopt = _fpa_start_on_moved_layout(seed)
    for block in (sca_beamforming, sdr_beamforming):
        sol = block(prob, x0, rng=0)
        assert sol.violation <= 1e-6, (block.__name__, sol.violation)
        assert sol.fval <= fopt * (1 + 1e-6)
