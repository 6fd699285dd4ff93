"""matoolbox.regions: exact projection on a line, 2-D repair, random / FPA layouts, violations,
constraint rows, fit checks, candidate ports, and the families that use them."""
import numpy as np
import pytest

from matoolbox import InvalidProblemError
from matoolbox.optim.projection import project_min_spacing
from matoolbox.regions import CandidateSet, LineSegment, Rectangle, Region, min_distance
from matoolbox.regions.rectangle import (_compiled, _feasible, _feasible_batch_numpy, _feasible_numpy, _push_apart,
                                         _push_apart_numpy)


def _fd_jacobian(fun, x, h=1e-6):
    x = np.asarray(x, float)
    cols = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        cols.append((fun((x.ravel() + e).reshape(x.shape)) - fun((x.ravel() - e).reshape(x.shape))) / (2 * h))
    return np.stack(cols, axis=-1)


def _feasible_2d(box, P, tol=1e-9):
    P = np.asarray(P)
    inside = np.all(P >= [box.x_min - tol, box.y_min - tol]) and np.all(P <= [box.x_max + tol, box.y_max + tol])
    return inside and (P.shape[-2] < 2 or np.all(min_distance(P) >= box.min_spacing - tol))


# -- line segment -------------------------------------------------------------------------------
def test_line_projection_is_the_euclidean_projection(rng):
    cp = pytest.importorskip("cvxpy")
    for _ in range(12):
        n = int(rng.integers(2, 9))
        d = float(rng.uniform(0.1, 1.0))
        lo = float(rng.uniform(-3, 3))
        hi = lo + (n - 1) * d + float(rng.uniform(0.0, 3.0))
        z = rng.normal(lo + (hi - lo) / 2, hi - lo + 1.0, n)
        x = cp.Variable(n)
        cons = [x[0] >= lo, x[n - 1] <= hi, x[1:] - x[:-1] >= d]
        cp.Problem(cp.Minimize(cp.sum_squares(x - z)), cons).solve()
        p = LineSegment(lo, hi, d).project(z)
        np.testing.assert_allclose(p, x.value, atol=1e-6)
        # the same as the span-[0, hi - lo] projection shifted by lo
        np.testing.assert_allclose(p, project_min_spacing(z - lo, d, hi - lo) + lo, atol=1e-12)


def test_line_projection_feasible_idempotent_batched(rng):
    seg = LineSegment(-1.0, 5.0, 0.5)
    Z = rng.uniform(-4, 8, (6, 3, 9))
    for method in ("exact", "sequential"):
        P = seg.project(Z, method=method)
        assert P.shape == Z.shape
        assert np.all(seg.violations(P) <= 1e-12)
        assert np.all(np.diff(P, axis=-1) >= 0.5 - 1e-9) and P.min() >= -1 - 1e-12 and P.max() <= 5 + 1e-12
        np.testing.assert_allclose(seg.project(P, method=method), P, atol=1e-12)
        np.testing.assert_allclose(P[2, 1], seg.project(Z[2, 1], method=method), atol=1e-15)
    feas = seg.random_feasible(9, 0)
    out = seg.project(feas)
    assert np.array_equal(out, feas) and out is not feas


def test_line_random_fpa_bounds_and_violation(rng):
    seg = LineSegment(1.0, 7.0, 0.5)
    for s in range(20):
        x = seg.random_feasible(8, s)
        assert seg.violation(x) == 0.0 and x.shape == (8,)
    np.testing.assert_array_equal(seg.random_feasible(8, 3), seg.random_feasible(8, np.random.default_rng(3)))
    f = seg.fpa(5)
    np.testing.assert_allclose(f, [3.0, 3.5, 4.0, 4.5, 5.0])
    np.testing.assert_allclose(seg.fpa(3, spacing=2.0, layout="ula"), [2.0, 4.0, 6.0])
    lo, hi = seg.bounds(4)
    np.testing.assert_allclose(lo, [1.0, 1.5, 2.0, 2.5])
    np.testing.assert_allclose(hi, [5.5, 6.0, 6.5, 7.0])
    # planted violations: outside, too close, out of order; non-finite -> inf
    assert seg.violation([0.5, 2.0]) == pytest.approx(0.5)
    assert seg.violation([2.0, 2.2]) == pytest.approx(0.3)
    assert seg.violation([3.0, 2.0]) == pytest.approx(1.5)
    assert seg.violation([2.0, np.nan]) == np.inf
    np.testing.assert_allclose(seg.violations([[2.0, 3.0], [2.0, 2.2]]), [0.0, 0.3])
    # unbounded: whole line and half line
    whole = LineSegment(-np.inf, np.inf, 1.0)
    np.testing.assert_allclose(whole.fpa(3), [0.0, 1.0, 2.0])
    np.testing.assert_allclose(whole.project([0.0, 0.5]), [-0.25, 0.75])
    np.testing.assert_allclose(LineSegment(-np.inf, 0.0, 1.0).fpa(2), [-1.0, 0.0])
    with pytest.raises(InvalidProblemError, match="finite"):
        whole.random_feasible(3, 0)


def test_line_constraints_jacobian(rng):
    seg = LineSegment(0.0, 10.0, 0.7)
    x = np.sort(rng.uniform(0, 10, 6))
    g, J = seg.constraints(x)
    np.testing.assert_allclose(g, np.diff(x) - 0.7)
    np.testing.assert_allclose(J, _fd_jacobian(lambda v: seg.constraints(v)[0], x), atol=1e-8)
    assert J.shape == (5, 6)


def test_line_check_fits_and_validation():
    seg = LineSegment(0.0, 1.0, 0.5)
    seg.check_fits(3, "Owner", "D")
    with pytest.raises(InvalidProblemError, match=r"Owner\.D = 1\.0.*length 1 .*n = 4.*D = 0\.5"):
        seg.check_fits(4, "Owner", "D")
    with pytest.raises(InvalidProblemError, match="n = 4"):
        seg.project(np.zeros(4))
    with pytest.raises(InvalidProblemError, match="method"):
        seg.project(np.zeros(2), method="nearest")
    with pytest.raises(InvalidProblemError, match="LineSegment.hi"):
        LineSegment(1.0, 1.0)
    with pytest.raises(InvalidProblemError, match="min_spacing"):
        LineSegment(0.0, 1.0, -0.1)
    with pytest.raises(InvalidProblemError, match="spacing"):
        LineSegment(0.0, 1.0).fpa(3)
    assert isinstance(seg, Region) and seg.dim == 1


# -- rectangle ----------------------------------------------------------------------------------
def test_fpa_upa_equals_the_full_duplex_layout():
    box = Rectangle(0.0, 0.4, 0.0, 0.4, 0.05)
    np.testing.assert_array_equal(box.fpa(4), [[0.17500000000000002, 0.17500000000000002], [0.225, 0.17500000000000002],
                                               [0.17500000000000002, 0.225], [0.225, 0.225]])
    np.testing.assert_array_equal(box.fpa(5), [[0.15000000000000002, 0.17500000000000002], [0.2, 0.17500000000000002],
                                               [0.25, 0.17500000000000002], [0.15000000000000002, 0.225],
                                               [0.2, 0.225]])
    np.testing.assert_array_equal(Rectangle(0.0, 1.0, 0.0, 1.0).fpa(7, 0.3),
                                  [[0.2, 0.2], [0.5, 0.2], [0.8, 0.2], [0.2, 0.5], [0.5, 0.5], [0.8, 0.5], [0.2, 0.8]])
    sq = Rectangle.square(4.0, 0.5, center=(1.0, -1.0))
    assert (sq.x_min, sq.x_max, sq.y_min, sq.y_max) == (-1.0, 3.0, -3.0, 1.0)
    np.testing.assert_allclose(sq.fpa(3, layout="ula"), [[0.5, -1.0], [1.0, -1.0], [1.5, -1.0]])


def test_rectangle_repair_matches_the_full_duplex_numbers():
    box = Rectangle(0.0, 0.4, 0.0, 0.4, 0.05)
    P = np.array([[0.2, 0.2], [0.21, 0.2], [0.2, 0.23], [0.5, -0.1]])
    expected = [[0.17613249505446632, 0.1941987426282411], [0.23167314860428412, 0.19770780315357184],
                [0.2021943563412496, 0.2380934542181871], [0.4, 0.0]]
    np.testing.assert_allclose(box.project(P, fallback=box.fpa(4)), expected, rtol=0, atol=1e-15)


def test_rectangle_project_feasible_idempotent_and_batched(rng):
    box = Rectangle(-0.2, 0.2, -0.1, 0.3, 0.05)
    V = np.concatenate([rng.uniform(-0.3, 0.4, (40, 6, 2)), 0.05 + 0.01 * rng.standard_normal((40, 6, 2))])
    Q = box.project(V)
    assert Q.shape == V.shape
    for q in Q:
        assert _feasible_2d(box, q) and box.violation(q) <= 1e-9
    np.testing.assert_array_equal(box.project(Q), Q)
    np.testing.assert_array_equal(Q[7], box.project(V[7]))
    feas = box.random_feasible(6, 1)
    out = box.project(feas)
    assert np.array_equal(out, feas) and out is not feas


def test_rectangle_greedy_grid_and_fallback():
    # 9 antennas at one point of [0, 2]^2, D = 1: only the 3 x 3 grid at spacing exactly D fits
    box = Rectangle(0.0, 2.0, 0.0, 2.0, 1.0)
    Q = box.project(np.full((9, 2), 1.0), sweeps=3)
    assert box.violation(Q) == 0.0
    fb = box.fpa(9)
    np.testing.assert_array_equal(Q, fb)                                 # greedy grid full -> FPA
    # a roomier box: the greedy grid places the antennas near where they were
    big = Rectangle(0.0, 4.0, 0.0, 4.0, 1.0)
    Q = big.project(np.full((5, 2), 2.0), sweeps=1)
    assert _feasible_2d(big, Q) and big.violation(Q) == 0.0


def test_push_apart_numba_matches_numpy(rng):
    for _ in range(30):
        P = rng.uniform(0, 0.4, (int(rng.integers(2, 8)), 2))
        a, b = P.copy(), P.copy()
        ra = _push_apart(a, 0.0, 0.4, 0.0, 0.3, 0.1, 0.1 * (1 + 1e-9), 20)
        rb = _push_apart_numpy(b, 0.0, 0.4, 0.0, 0.3, 0.1, 0.1 * (1 + 1e-9), 20)
        assert ra == rb
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
        box = Rectangle(0.0, 0.4, 0.0, 0.3, 0.1)
        for Q in (P, a):
            f = _feasible(Q, 0.0, 0.4, 0.0, 0.3, 0.1)
            assert f == _feasible_numpy(Q, 0.0, 0.4, 0.0, 0.3, 0.1) == (box.violation(Q) == 0.0)


def test_batched_feasibility_kernel_matches_the_one_layout_test(rng):
    """project() screens a batch with one kernel call: it must agree with the per-layout test
    (inside, on the box edge, spacing exactly D, just below D, NaN), compiled and as plain Python.
    The edge rows are exactly representable and feasible but for the one property they test."""
    box = (0.0, 0.5, 0.0, 0.5, 0.125)
    P = rng.uniform(-0.05, 0.55, (300, 4, 2))
    P[:20] = Rectangle(*box).random_feasible(4, 0)
    edge = np.array([[[0.5, 0.5], [0.0, 0.0], [0.25, 0.0], [0.0, 0.25]],        # corners: feasible
                     [[0.0, 0.0], [0.125, 0.0], [0.25, 0.0], [0.375, 0.0]],    # spacing exactly D: feasible
                     [[0.0, 0.0], [0.125 - 2.0 ** -30, 0.0], [0.25, 0.0], [0.5, 0.0]],   # just below D
                     [[0.5 + 2.0 ** -30, 0.5], [0.0, 0.0], [0.25, 0.0], [0.0, 0.25]],   # just outside
                     [[np.nan, 0.5], [0.0, 0.0], [0.25, 0.0], [0.0, 0.25]]])            # NaN
    P[20:25] = edge
    ref = np.array([_feasible_numpy(p, *box) for p in P])
    np.testing.assert_array_equal(ref[20:25], [True, True, False, False, False])
    assert 20 <= ref.sum() < 300
    np.testing.assert_array_equal(_compiled(_feasible_batch_numpy)(P, *box), ref)
    np.testing.assert_array_equal(_feasible_batch_numpy(P, *box), ref)


def test_rectangle_random_feasible_violation_and_bounds(rng):
    box = Rectangle.square(1.0, 0.2)
    for s in range(10):
        P = box.random_feasible(8, s)
        assert P.shape == (8, 2) and _feasible_2d(box, P) and box.violation(P) == 0.0
    np.testing.assert_array_equal(box.random_feasible(5, 4), box.random_feasible(5, np.random.default_rng(4)))
    # tight box: rejection fails, sequential addition / repair still give a feasible layout
    tight = Rectangle(0.0, 1.0, 0.0, 1.0, 0.3)
    assert tight.violation(tight.random_feasible(12, 0)) == 0.0
    # planted violations
    assert box.violation([[0.0, 0.0], [0.1, 0.0]]) == pytest.approx(0.1)
    assert box.violation([[0.8, 0.0], [0.0, 0.0]]) == pytest.approx(0.3)
    assert box.violation([[0.0, np.nan]]) == np.inf
    lo, hi = box.bounds(3)
    np.testing.assert_array_equal(lo, np.full((3, 2), -0.5))
    np.testing.assert_array_equal(hi, np.full((3, 2), 0.5))


def test_rectangle_constraints_jacobian(rng):
    box = Rectangle.square(1.0, 0.3)
    P = rng.uniform(-0.5, 0.5, (5, 2))
    g, J = box.constraints(P)
    i, j = np.triu_indices(5, 1)
    np.testing.assert_allclose(g, np.sum((P[i] - P[j]) ** 2, axis=-1) - 0.09)
    assert J.shape == (10, 10)
    np.testing.assert_allclose(J, _fd_jacobian(lambda v: box.constraints(v)[0], P), atol=1e-7)


def test_rectangle_check_fits():
    box = Rectangle.square(1.0, 0.6)
    box.check_fits(4, "Owner", "region")
    with pytest.raises(InvalidProblemError, match=r"Owner\.region = .*1 x 1 rectangle.*n = 9.*D = 0\.6"):
        box.check_fits(9, "Owner", "region")
    # the UPA does not fit a long thin strip, but a random layout does: no error
    Rectangle(0.0, 10.0, 0.0, 0.1, 1.0).check_fits(4, "Owner", "region")
    with pytest.raises(InvalidProblemError, match="x_max"):
        Rectangle(1.0, 0.0, 0.0, 1.0)
    with pytest.raises(InvalidProblemError, match="layout"):
        box.fpa(2, layout="hex")


# -- candidate set ------------------------------------------------------------------------------
def test_candidate_set_line():
    ports = CandidateSet(np.arange(0.0, 2.01, 0.5), min_spacing=1.0)
    assert ports.dim == 1 and ports.size == 5
    np.testing.assert_array_equal(ports.project([0.4, 0.6]), [0.5, 1.5])
    np.testing.assert_array_equal(ports.fpa(2), [0.0, 1.0])
    np.testing.assert_array_equal(ports.project([0.0, 1.0]), [0.0, 1.0])     # feasible: kept
    assert ports.violation([0.0, 1.0]) == 0.0
    assert ports.violation([0.5, 0.5]) == pytest.approx(1.0)                 # one port twice
    assert ports.violation([0.0, 1.2]) == pytest.approx(0.2)                 # off the ports
    np.testing.assert_array_equal(ports.nearest([0.1, 1.6]), [0, 3])
    for s in range(10):
        x = ports.random_feasible(3, s)
        assert ports.violation(x) == 0.0 and set(x) <= set(ports.points)
    with pytest.raises(InvalidProblemError, match="not smooth"):
        ports.constraints([0.0, 1.0])
    with pytest.raises(InvalidProblemError, match=r"5 candidate ports .*n = 4.*D = 1"):
        ports.check_fits(4, "Owner", "points")
    with pytest.raises(InvalidProblemError, match="n = 6"):
        ports.check_fits(6, "Owner", "points")
    with pytest.raises(InvalidProblemError, match="distinct"):
        CandidateSet([0.0, 0.0, 1.0])
    # D = 0: still one antenna per port
    free = CandidateSet([0.0, 1.0, 2.0])
    np.testing.assert_array_equal(free.project([0.1, 0.2, 0.3]), [0.0, 1.0, 2.0])
    assert free.violation([1.0, 1.0]) == pytest.approx(1.0) and free.violation([1.0, 2.0]) == 0.0


def test_candidate_set_plane(rng):
    g = np.linspace(0.0, 1.0, 5)
    ports = CandidateSet(np.stack(np.meshgrid(g, g), -1).reshape(-1, 2), min_spacing=0.3)
    assert ports.dim == 2
    V = rng.uniform(0, 1, (8, 4, 2))
    Q = ports.project(V)
    for q in Q:
        assert ports.violation(q) == 0.0 and min_distance(q) >= 0.3
    np.testing.assert_array_equal(ports.project(Q), Q)
    f = ports.fpa(4)
    assert ports.violation(f) == 0.0
    assert np.all(np.linalg.norm(f - 0.5, axis=-1) <= 0.5 + 1e-12)
    lo, hi = ports.bounds(4)
    assert lo.shape == (4, 2) and np.all(lo == 0) and np.all(hi == 1)


# -- the families use the regions ---------------------------------------------------------------
def test_families_use_the_regions(rng):
    from matoolbox.problems import FullDuplexProblem, UplinkTwoTimescaleProblem

    fd = FullDuplexProblem.random(seed=0)
    V = rng.uniform(0, fd.region_size, (4, 2))
    np.testing.assert_array_equal(fd.project("positions_tx", V), fd.region.project(V, fallback=fd.fpa["positions_tx"]))
    up = UplinkTwoTimescaleProblem()
    assert (up.region.lo, up.region.hi, up.region.min_spacing) == (0.0, up.D, up.d)
    x = up.random_feasible("positions", 5)
    assert up.violation({"positions": x}) == 0.0
    np.testing.assert_array_equal(x, up.random_positions(5))
    z = rng.uniform(-1, 7, up.M)
    np.testing.assert_array_equal(up.project("positions", z), project_min_spacing(z, up.d, up.D))


def test_batched_repair_kernel_gives_the_one_layout_repair(rng):
    """project() runs steps 1-2 of the repair for all infeasible layouts of a batch in one compiled
    call (_clip_push_batch_numpy) and steps 3-4 from the original layout where they fail: the
    result must be bitwise the per-layout _repair's, for layouts that the sweeps fix, crowded ones
    that need the greedy grid or the fallback, out-of-box ones, n = 1 and non-finite ones."""
    from matoolbox.regions.rectangle import _clip_push_batch_numpy

    box = Rectangle(0.0, 0.5, 0.0, 0.4, 0.125)
    P = rng.uniform(-0.1, 0.6, (200, 5, 2))
    P[:30] = 0.25 + 0.01 * rng.standard_normal((30, 5, 2))        # crowded: sweeps may fail
    P[30:40] = box.random_feasible(5, 1)
    P[40, 2, 0] = np.nan
    P[41, 0, 1] = np.inf
    P[42, 0] = [-0.0, 0.3]                       # on the box edge with a negative zero (np.clip: +0.0)
    P[42, 1:] = box.random_feasible(5, 2)[1:]
    P[42, 1, 0] = -0.0
    P[42, 1, 1] = 0.31
    fb = box.fpa(5)

    def one_by_one(V, sweeps):
        out = V.copy()
        for b in range(len(V)):
            if not _feasible_numpy(V[b], 0.0, 0.5, 0.0, 0.4, 0.125):
                out[b] = box._repair(V[b].copy(), fb, sweeps)
        return out
    for sweeps in (3, 100):
        ref = one_by_one(P, sweeps)
        got = box.project(P, fallback=fb, sweeps=sweeps)
        np.testing.assert_array_equal(got, ref)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(ref))     # bitwise, signed zeros too
    # the kernel reports failures (crowded, 3 sweeps) and leaves non-finite layouts untouched
    V = P.copy()
    idx = np.arange(len(V))
    done = _clip_push_batch_numpy(V, idx, 0.0, 0.5, 0.0, 0.4, 0.125 * (1 + 1e-10), 0.125 * (1 + 1e-9), 3)
    assert 0 < done.sum() < len(V) and not done[40] and not done[41]
    np.testing.assert_array_equal(V[40], P[40])
    np.testing.assert_array_equal(_compiled(_clip_push_batch_numpy)(P.copy(), idx, 0.0, 0.5, 0.0, 0.4,
                                                                   0.125 * (1 + 1e-10), 0.125 * (1 + 1e-9), 3), done)
    one = Rectangle(0.0, 1.0, 0.0, 1.0, 0.5)
    np.testing.assert_array_equal(one.project(np.array([[[1.5, -0.5]]])), [[[1.0, 0.0]]])
