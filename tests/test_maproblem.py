"""MaProblem's derived pieces: the value-function view and block, the local SLSQP block, the
screened AO start, batch scoring (each test fails when its piece is made a no-op or its sign flips)."""
from __future__ import annotations

import functools

import numpy as np
import pytest

from matoolbox.core.gradcheck import check_gradient
from matoolbox.metrics import capacity
from matoolbox.optim import NlpBlockOptions, PgaOptions, ValueFunction, nlp_block, pga, value_function_block
from matoolbox.optim.waterfill import waterfilling
from matoolbox.problems import MimoCapacityProblem, SecureMaProblem


@pytest.fixture(scope="module")
def prob():
    return MimoCapacityProblem.random(seed=5, L=6)


def test_value_function_is_max_over_q_and_its_gradient_is_the_envelope(prob):
    view = ValueFunction(prob)
    x = prob.initial_point(0)
    H = prob.channel_matrix(x)
    assert view.objective(x) == pytest.approx(capacity(H, waterfilling(H, 1.0, prob.noise), prob.noise))
    assert view.objective(x) > prob.objective(x) + 0.1                    # x's random Q is not optimal
    for b in ("positions_tx", "positions_rx"):
        res = check_gradient(lambda v: view.objective({**x, b: v}), lambda v: view.gradient(b, {**x, b: v}),
                             x[b], rng=0)
        assert res.ok, res
    vals = np.stack([prob.initial_point(s)["positions_tx"] for s in range(4)])
    batch = view.objective_batch("positions_tx", vals, x)
    assert np.allclose(batch, [view.objective({**x, "positions_tx": v}) for v in vals])


def test_value_function_block_climbs_and_sets_the_best_response(prob):
    x = prob.initial_point(1)
    block = functools.partial(value_function_block, inner=pga)
    sol = block(prob, x, options=PgaOptions(block="positions_rx", max_iter=30, max_move=0.1))
    H = prob.channel_matrix(sol.x)
    assert np.allclose(sol.x["covariance"], waterfilling(H, 1.0, prob.noise))
    start = ValueFunction(prob).objective(x)
    assert sol.fval > start + 0.2                          # a no-op or a descent direction stays at start
    assert sol.violation <= 1e-9 and np.array_equal(sol.x["positions_tx"], x["positions_tx"])


def test_nlp_block_moves_only_its_variables_and_improves():
    p = SecureMaProblem.random(seed=2, M=4, K=2, J=1, snr_db=10)
    x = p.fpa_point()
    sol = nlp_block(p, x, options=NlpBlockOptions(blocks=("precoders",)))
    assert np.array_equal(sol.x["positions"], x["positions"])
    assert sol.fval > p.objective(x) + 0.5 and sol.violation <= 1e-6
    assert np.sum(np.abs(sol.x["precoders"]) ** 2) <= p.power * (1 + 1e-6)


def test_screened_start_uses_rng_and_beats_the_fpa_value(prob):
    starts = [prob.ao_initial_point(s) for s in (0, 1)]
    assert not np.allclose(starts[0]["positions_tx"], starts[1]["positions_tx"])   # rng explores
    fpa = ValueFunction(prob).objective(prob.fpa_point())
    for x in starts:
        assert prob.objective(x) > fpa + 1.0 and prob.violation(x) <= 1e-9
    pts = [prob.fpa_point(), prob.initial_point(3)]
    f = prob.score_points(pts)
    assert np.allclose(f, [ValueFunction(prob).objective(x) for x in pts])


def test_precoder_null_space_starts_leak_nothing():
    from matoolbox.optim.variables import Precoders
    rng = np.random.default_rng(0)
    var = Precoders(6, 2, 4.0)
    H = rng.standard_normal((2, 6)) + 1j * rng.standard_normal((2, 6))
    G = rng.standard_normal((3, 6)) + 1j * rng.standard_normal((3, 6))
    starts = var.null_space_starts(H, G)
    assert set(starts) == {"ns_mrt", "ns_rzf"}
    for W in starts.values():
        assert W.shape == (6, 2) and np.max(np.abs(G @ W)) < 1e-10
        assert np.sum(np.abs(W) ** 2) == pytest.approx(4.0)
        assert np.all(np.abs(np.diag(H @ W)) > 1e-3)                 # every user still served
    assert var.null_space_starts(H, np.ones((6, 6))) == {}           # no null space left


def test_nlp_value_is_nlp_funs_value_and_follows_an_override():
    """multistart's line-search hook: MaProblem.nlp_value is nlp_fun(z)[0] (in-repo metrics give
    the same value with and without grad), also over a block view; a subclass that overrides
    nlp_fun gets its own objective back, not the metric's."""
    import dataclasses

    from matoolbox.optim.maproblem import _BlockNlp
    from matoolbox.problems import MimoCapacityProblem, SecureMaProblem

    rng = np.random.default_rng(0)
    for prob in (MimoCapacityProblem.random(seed=1), SecureMaProblem.random(seed=2).variant("MA")):
        for _ in range(5):
            x = prob.initial_point(rng)
            z = prob.nlp_pack(x)
            assert prob.nlp_value(z) == prob.nlp_fun(z)[0]
        view = _BlockNlp(prob, x, (prob._movable()[0],))
        zb = view.nlp_pack(x)
        assert view.nlp_value(zb) == view.nlp_fun(zb)[0]

    @dataclasses.dataclass(frozen=True, eq=False)
    class Penalised(MimoCapacityProblem):
        def nlp_fun(self, z, names=None, base=None):
            f, g = super().nlp_fun(z, names, base)
            return f + float(np.sum(z ** 2)), g + 2 * z

    base = MimoCapacityProblem.random(seed=1)
    pen = Penalised(**{f.name: getattr(base, f.name) for f in dataclasses.fields(base) if f.init})
    z = pen.nlp_pack(pen.initial_point(rng))
    assert pen.nlp_value(z) == pen.nlp_fun(z)[0] != -pen.objective(pen.nlp_unpack(z))
