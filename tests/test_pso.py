"""pyswarms adapter: seeded, clipped bounds, repair, particle 0 = x0, no logging or file side effects."""
import dataclasses
import subprocess
import sys

import numpy as np
import pytest

import matoolbox as ma
from matoolbox.solvers import PsoOptions, pso_positions


@dataclasses.dataclass(frozen=True)
class _Box(ma.Problem):
    """max -||p - target||^2 over p in [0, 1]^(3x2), target partly outside the box; optional
    constraint p[0, 0] <= cap; project() clips (the repair)."""

    target: tuple = ((1.3, 0.2), (0.5, -0.4), (0.9, 0.1))
    cap: float = 2.0

    def objective(self, x):
        return float(-np.sum((x["positions"] - np.asarray(self.target)) ** 2))

    def objective_batch(self, block, values, x):
        return -np.sum((values - np.asarray(self.target)) ** 2, axis=(1, 2))

    def violation(self, x):
        return max(0.0, float(x["positions"][0, 0]) - self.cap)

    def bounds(self, block):
        return np.zeros((3, 2)), np.ones((3, 2))

    def project(self, block, value):
        return np.clip(value, 0.0, 1.0)


OPT = np.clip(np.asarray(_Box.target), 0, 1)


def test_pso_finds_the_clipped_optimum_on_the_boundary():
    sol = pso_positions(_Box(), {"positions": np.full((3, 2), 0.5)},
                        options=PsoOptions(n_particles=40, iters=150), rng=0)
    assert sol.x["positions"].shape == (3, 2)
    assert np.all((sol.x["positions"] >= 0) & (sol.x["positions"] <= 1))
    # coordinates whose target lies outside the box end exactly on the bound (clipping, no wrap)
    assert sol.x["positions"][0, 0] == 1.0 and sol.x["positions"][1, 1] == 0.0
    assert sol.fval >= _Box().objective({"positions": OPT}) - 0.02
    # best fitness is non-decreasing over iterations
    assert np.all(np.diff(sol.history) >= -1e-12)


def test_pso_is_seeded_and_restores_numpy_global_state():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    a = pso_positions(_Box(), {"positions": np.full((3, 2), 0.5)}, options={"iters": 20}, rng=7)
    assert np.array_equal(np.random.get_state()[1], before)
    b = pso_positions(_Box(), {"positions": np.full((3, 2), 0.5)}, options={"iters": 20}, rng=7)
    c = pso_positions(_Box(), {"positions": np.full((3, 2), 0.5)}, options={"iters": 20}, rng=8)
    assert np.array_equal(a.x["positions"], b.x["positions"]) and a.history == b.history
    assert not np.array_equal(a.x["positions"], c.x["positions"])


def test_pso_never_worse_than_x0_and_respects_constraint():
    x0 = {"positions": OPT.copy()}
    sol = pso_positions(_Box(), x0, options={"iters": 5, "n_particles": 5}, rng=1)
    assert sol.fval >= _Box().objective(x0) - 1e-12
    sol = pso_positions(_Box(cap=0.3), {"positions": np.full((3, 2), 0.2)},
                        options={"iters": 60}, rng=2)
    assert sol.violation == 0.0 and sol.x["positions"][0, 0] <= 0.3 + 1e-12
    assert sol.x["positions"][0, 0] == pytest.approx(0.3, abs=0.02)


def test_pso_without_batch_hook_matches_batch_path():
    @dataclasses.dataclass(frozen=True)
    class NoBatch(_Box):
        objective_batch = None

    a = pso_positions(_Box(), {"positions": np.full((3, 2), 0.5)}, options={"iters": 15}, rng=3)
    b = pso_positions(NoBatch(), {"positions": np.full((3, 2), 0.5)}, options={"iters": 15}, rng=3)
    np.testing.assert_allclose(a.x["positions"], b.x["positions"], rtol=1e-12)


def test_bad_option_is_rejected():
    with pytest.raises(ma.InvalidProblemError, match="nope"):
        pso_positions(_Box(), {"positions": np.zeros((3, 2))}, options={"nope": 1})


def test_import_and_pso_leave_root_logger_and_cwd_untouched(tmp_path):
    code = (
        "import logging, os, numpy as np\n"
        "root = logging.getLogger(); h0, l0 = list(root.handlers), root.level\n"
        "import matoolbox\n"
        "from matoolbox.solvers import pso_positions\n"
        "class P:\n"
        "    def objective(self, x): return -float(np.sum(x['positions']**2))\n"
        "    def violation(self, x): return 0.0\n"
        "    def bounds(self, b): return -np.ones(2), np.ones(2)\n"
        "pso_positions(P(), {'positions': np.ones(2)}, options={'iters': 3}, rng=0)\n"
        "assert list(root.handlers) == h0 and root.level == l0, (root.handlers, root.level)\n"
        "print('OK', sorted(os.listdir('.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "OK []" and out.stderr == ""


def test_inertia_decays_linearly_from_0_9_to_0_4_and_velocity_is_clamped():
    from matoolbox.optim.pso import _LinearInertia

    opts = PsoOptions()
    assert (opts.w, opts.w_end, opts.velocity_clamp) == (0.9, 0.4, 0.2)
    oh = _LinearInertia(0.9, 0.4)
    ws = [oh({"w": 0.9, "c1": 1.5, "c2": 1.5}, iternow=i, itermax=10)["w"] for i in range(11)]
    np.testing.assert_allclose(ws, np.linspace(0.9, 0.4, 11))
    moves = []
    prev = {}

    def cb(it, pos, fit):
        if "p" in prev:
            moves.append(float(np.max(np.abs(pos - prev["p"]))))
        prev["p"] = pos.copy()

    sol = pso_positions(_Box(), {"positions": np.full((3, 2), 0.5)}, options={"iters": 20, "velocity_clamp": 0.05},
                        rng=0, callback=cb)
    assert sol.output["velocity_clamp"] == (-0.05, 0.05) and sol.output["w"] == (0.9, 0.4)
    assert max(moves) <= 0.05 + 1e-12          # box width 1: |v| <= 0.05 per coordinate and iteration


def test_init_points_join_the_swarm():
    # a single iteration: the result is the best of x0, the init point and random particles
    sol = pso_positions(_Box(), {"positions": np.full((3, 2), 0.5)},
                        options={"iters": 1, "n_particles": 3, "init_points": (OPT,)}, rng=0)
    assert sol.fval == pytest.approx(_Box().objective({"positions": OPT}), abs=1e-12)
    with pytest.raises(ma.InvalidProblemError, match="init_points"):
        pso_positions(_Box(), {"positions": np.full((3, 2), 0.5)}, options={"init_points": (np.ones(5),)})


# -- inner blocks re-run inside the fitness ---------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Inner(ma.Problem):
    """f(a, q) = a - 4 (q - a)^2 on a in [0, 1]^1: with q fixed at 0 the best layout is a = 1/8
    (f = 1/16); with q re-optimised (q = a) the value function is a, best at a = 1."""

    def objective(self, x):
        a, q = float(np.ravel(x["positions"])[0]), float(x["q"])
        return a - 4.0 * (q - a) ** 2

    def bounds(self, block):
        return np.zeros(1), np.ones(1)

    def project(self, block, value):
        return np.clip(value, 0.0, 1.0)


def _q_block(problem, x0, *, options=None, rng=None):
    shift = 0.0 if options is None else options
    x = {**x0, "q": float(np.ravel(x0["positions"])[0]) + shift}
    _q_block.calls += 1
    return ma.Solution(x=x, fval=problem.objective(x), exitflag=1)


_q_block.calls = 0


@dataclasses.dataclass(frozen=True)
class _InnerBatch(_Inner):
    """Adds the vectorised value function objective_batch(..., inner=True)."""

    def objective_batch(self, block, values, x, inner=False):
        a = np.asarray(values, float).reshape(len(values))
        q = a if inner else np.full_like(a, float(x["q"]))
        return a - 4.0 * (q - a) ** 2


def test_pso_inner_blocks_reoptimise_inside_the_fitness_and_are_returned():
    x0 = {"positions": np.array([0.5]), "q": 0.0}
    opts = {"iters": 30, "n_particles": 15}
    fixed = pso_positions(_Inner(), x0, options=opts, rng=0)
    assert fixed.x["positions"][0] == pytest.approx(0.125, abs=0.01) and fixed.x["q"] == 0.0
    _q_block.calls = 0
    sol = pso_positions(_Inner(), x0, options={**opts, "inner": (("q", _q_block),)}, rng=0)
    assert _q_block.calls >= 15 * 30                            # generic path: per particle
    assert sol.x["positions"][0] == pytest.approx(1.0, abs=1e-6)
    assert sol.x["q"] == pytest.approx(sol.x["positions"][0])   # the winner's inner variable
    assert sol.fval == pytest.approx(_Inner().objective(sol.x)) and sol.fval > 0.99
    assert sol.output["inner"] == ["q"]
    # vectorised value function: same winner, the block only runs for it
    _q_block.calls = 0
    vec = pso_positions(_InnerBatch(), x0, options={**opts, "inner": (ma.Block("q", _q_block),)}, rng=0)
    assert _q_block.calls == 1
    np.testing.assert_allclose(vec.x["positions"], sol.x["positions"], atol=1e-9)
    assert vec.x["q"] == pytest.approx(vec.x["positions"][0])


def test_pso_inner_keeps_the_incumbent_when_the_inner_result_is_worse():
    x0 = {"positions": np.array([0.5]), "q": 0.5}              # f(x0) = 0.5
    bad = (ma.Block("q", _q_block, 1.0),)                        # q = a + 1: f = a - 4 <= -3
    sol = pso_positions(_Inner(), x0, options={"iters": 5, "n_particles": 5, "inner": bad}, rng=1)
    assert sol.output["incumbent_kept"] and sol.x["q"] == 0.5 and sol.fval == pytest.approx(0.5)
    with pytest.raises(ma.InvalidProblemError, match=r"PsoOptions.inner\[0\]"):
        PsoOptions(inner=(1,))


def test_swarm_repair_by_project_batch_matches_one_by_one():
    """A full-duplex problem repairs the whole swarm with project_batch (its rectangle with a
    minimum spacing): the same layouts as project() one by one, and the same PSO result."""
    from matoolbox.full_duplex import fd_blocks  # noqa: F401  (registers the family)
    from matoolbox.problems import FullDuplexProblem

    prob = FullDuplexProblem.random(3, Nr=2)
    V = np.random.default_rng(0).uniform(-0.01, prob.region_size + 0.01, (60, prob.Nt, 2))
    one = np.stack([prob.project("positions_tx", v) for v in V])
    np.testing.assert_array_equal(prob.project_batch("positions_tx", V), one)
    assert np.any(one != V)                                         # some particles were repaired
    frozen = prob.with_(movable_rx=False)
    np.testing.assert_array_equal(frozen.project_batch("positions_rx", V[:, :2]),
                                  np.stack([frozen.project("positions_rx", v) for v in V[:, :2]]))

    class OneByOne:
        def __init__(self, p):
            self.p = p

        def __getattr__(self, name):
            if name == "project_batch":
                raise AttributeError(name)
            return getattr(self.p, name)

    calls = {"project": 0, "project_batch": 0}

    class Counting:
        def __init__(self, p):
            self.p = p

        def __getattr__(self, name):
            return getattr(self.p, name)

        def project(self, block, value):
            calls["project"] += 1
            return self.p.project(block, value)

        def project_batch(self, block, values):
            calls["project_batch"] += 1
            return self.p.project_batch(block, values)

    x0 = {**prob.initial_point(), **prob.fpa}
    opts = PsoOptions(block="positions_tx", n_particles=12, iters=8)
    a = pso_positions(Counting(prob), x0, options=opts, rng=5)
    assert calls["project_batch"] >= opts.iters and calls["project"] == 0      # the swarm in one call
    b = pso_positions(OneByOne(prob), x0, options=opts, rng=5)
    assert a.fval == b.fval and a.history == b.history
    np.testing.assert_array_equal(a.x["positions_tx"], b.x["positions_tx"])
