"""Same-numbers shortcuts, each timed on and off in one run (ratios), with its result checked equal.

Each shortcut is optional for the solver that uses it, so a wrapper that hides it gives the path
without it; both paths run one after the other on the same inputs and must return identical
results (the script stops otherwise):

* ``multistart``: SLSQP's line-search points take the value-only hooks ``nlp_value`` /
  ``nlp_constraint_values`` (off: every point computes the derivatives too). CoMP-RSMA, 20 starts,
  three library-like instances (coherent default, paper model, I = 2 with R_th = 1.4). The
  vectorised constraint Jacobian is in both paths.
* ``pso_positions``: the swarm repaired by ``project_batch`` in one call (off: ``project`` per
  particle). Full-duplex P1 transmit block, 40 particles x 100 iterations.
* ``fp_beamforming``: each FP step scored from the block arrays by ``tx_score`` (off: objective and
  violation of the packed point, channels recomputed). Full-duplex P1 and multi-user problems.
* ``p3_closed_form_batch``: the bisection stops at its fixed point (off: ``early_stop=False``,
  all 100 halvings). 40-particle batches, as in the PSO fitness of P3.
* ``p3 bisection kernel``: the bisection row by row in a numba kernel (off: the vectorised NumPy
  loop it replaced, kept here as the reference). Same batches.
* ``Rectangle.project``: steps 1-2 of the repair for every infeasible layout in one compiled call
  (off: ``_repair`` per layout). A 40-particle swarm of 4 antennas in a 1-wavelength square.
* ``mm_positions``: the compiled MM step model cached per sizes and constants (off: compiled in
  every call, as before). Full-duplex P1 transmit positions, 5 MM steps.

Every case runs once untimed first (numba kernels, imports, caches). Times are wall seconds of
one call (mean over the repeats), so compare the on/off ratio of one run, not across runs.

    python benchmarks/bench_same_numbers.py [--quick]
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

import matoolbox as ma
from matoolbox.full_duplex import positions as fd_positions
from matoolbox.full_duplex.fp import fp_beamforming
from matoolbox.full_duplex.positions import mm_positions
from matoolbox.full_duplex.socp import _p3_bisect_numpy, _p3_bisect_vectorised, p3_closed_form_batch
from matoolbox.core.jit import compiled
from matoolbox.regions import Rectangle
from matoolbox.regions.rectangle import _feasible_numpy
from matoolbox.optim.multistart import multistart
from matoolbox.optim.pso import PsoOptions, pso_positions
from matoolbox.problems import CompRsmaProblem, FullDuplexMultiUserProblem, FullDuplexProblem


class _Hide:
    """The wrapped problem without the attributes in ``hidden`` (the shortcut's hook)."""

    def __init__(self, problem, hidden):
        self._p, self._hidden = problem, frozenset(hidden)

    def __getattr__(self, name):
        if name in self._hidden:
            raise AttributeError(name)
        return getattr(self._p, name)


def _timed(fn, repeat):
    fn()                                  # warm-up: numba kernels, imports, caches
    t0 = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    return out, (time.perf_counter() - t0) / repeat


def _same(a, b, what):
    if isinstance(a, dict):
        for k in a:
            _same(a[k], b[k], f"{what}[{k}]")
        return
    if not np.array_equal(np.asarray(a), np.asarray(b)):
        raise AssertionError(f"{what}: the shortcut changed the result")


def _rows(quick):
    starts = 5 if quick else 20
    for name, kw in (("default", {}), ("paper", {"interference": "paper"}), ("i2_rth1.4", {"I": 2, "rth": 1.4})):
        p = CompRsmaProblem.random(seed=2, **kw)
        on, t_on = _timed(lambda: multistart(p, n_starts=starts, rng=0), 1)
        off, t_off = _timed(lambda: multistart(_Hide(p, {"nlp_value", "nlp_constraint_values"}),
                                               n_starts=starts, rng=0), 1)
        _same(on.fval, off.fval, "multistart fval")
        _same(on.x, off.x, "multistart x")
        yield "multistart value hooks", f"comp_rsma {name}, {starts} starts", t_off, t_on
    iters = 30 if quick else 100
    for Nr in (1, 4):
        prob = FullDuplexProblem.random(5, Nr=Nr)
        x0 = {**prob.initial_point(0), **prob.fpa}
        opts = PsoOptions(block="positions_tx", n_particles=40, iters=iters)
        on, t_on = _timed(lambda: pso_positions(prob, x0, options=opts, rng=3), 1)
        off, t_off = _timed(lambda: pso_positions(_Hide(prob, {"project_batch"}), x0, options=opts, rng=3), 1)
        _same(on.x, off.x, "pso x")
        yield "pso project_batch", f"full_duplex P1 Nr={Nr}, 40 x {iters}", t_off, t_on
    for label, prob in (("P1 Nr=4", FullDuplexProblem.random(6, Nr=4)), ("MU", FullDuplexMultiUserProblem.random(6))):
        x0 = {**prob.initial_point(0), **prob.fpa}
        rep = 2 if quick else 5
        on, t_on = _timed(lambda: fp_beamforming(prob, x0), rep)
        off, t_off = _timed(lambda: fp_beamforming(_Hide(prob, {"tx_score"}), x0), rep)
        _same(on.x, off.x, "fp x")
        yield "fp tx_score", f"full_duplex {label}, {on.nit} FP steps", t_off, t_on
    rng = np.random.default_rng(0)
    B, Nt, Nr = 40, 4, 4
    hc = rng.standard_normal((B, Nt)) + 1j * rng.standard_normal((B, Nt))
    H = (rng.standard_normal((B, Nr, Nt)) + 1j * rng.standard_normal((B, Nr, Nt))) * np.geomspace(0.01, 10, B)[:, None, None]
    rep = 200 if quick else 2000
    on, t_on = _timed(lambda: p3_closed_form_batch(hc, H, 2.0, 0.05), rep)
    off, t_off = _timed(lambda: p3_closed_form_batch(hc, H, 2.0, 0.05, early_stop=False), rep)
    _same(on, off, "p3 batch")
    yield "p3 bisection early stop", f"batch of {B}, per call", t_off, t_on
    G = np.einsum("brm,brn->bmn", H.conj(), H)
    sv, U = np.linalg.eigh(G)
    sv = np.maximum(sv, 0.0)
    b2 = np.abs(np.einsum("bnm,bn->bm", U.conj(), hc.conj())) ** 2
    smax = np.maximum(sv.max(axis=1), 1e-300)
    p_th = 0.5 * float(np.min(2.0 * np.sum(sv * b2, axis=1) / np.sum(b2, axis=1)))
    on, t_on = _timed(lambda: compiled(_p3_bisect_numpy)(sv, b2, smax, 2.0, p_th, 100, True), rep)
    off, t_off = _timed(lambda: _p3_bisect_vectorised(sv, b2, smax, 2.0, p_th, 100, True), rep)
    _same(on[0], off[0], "p3 bisection")
    yield "p3 bisection kernel", f"batch of {B}, per call", t_off, t_on
    box = Rectangle.square(1.0, min_spacing=0.5)
    V = rng.uniform(-0.2, 1.2, (40, 4, 2)) - 0.5
    fb = box.fpa(4)

    def one_by_one():
        out = V.copy()
        for i in range(len(V)):
            if not _feasible_numpy(V[i], box.x_min, box.x_max, box.y_min, box.y_max, box.min_spacing):
                out[i] = box._repair(V[i], fb, 100)
        return out
    rep = 20 if quick else 200
    on, t_on = _timed(lambda: box.project(V, fallback=fb), rep)
    off, t_off = _timed(one_by_one, rep)
    _same(on, off, "rectangle repair")
    yield "Rectangle.project batch", "40 layouts of 4 antennas, per call", t_off, t_on
    prob = FullDuplexProblem.random(5, Nr=1)
    x0 = ma.ao_solve(prob.with_(movable_tx=False, movable_rx=False), rng=0, max_iter=3).x
    opts = {"block": "positions_tx", "max_steps": 5}
    rep = 5 if quick else 30
    on, t_on = _timed(lambda: mm_positions(prob, x0, options=opts), rep)
    cached = fd_positions.cached_model
    fd_positions.cached_model = lambda key, build, maxsize=32: build()      # compile in every call
    try:
        off, t_off = _timed(lambda: mm_positions(prob, x0, options=opts), rep)
    finally:
        fd_positions.cached_model = cached
    _same(on.x, off.x, "mm x")
    yield "mm model cache", f"full_duplex P1 Nr=1, {on.nit} MM steps", t_off, t_on


def run(quick=False):
    """Print the table; returns its rows (shortcut, case, seconds off, seconds on)."""
    rows = []
    print(f"{'shortcut':26s} {'case':38s} {'off s':>8s} {'on s':>8s} {'on/off':>7s}  result")
    for shortcut, case, t_off, t_on in _rows(quick):
        rows.append((shortcut, case, t_off, t_on))
        print(f"{shortcut:26s} {case:38s} {t_off:8.4f} {t_on:8.4f} {t_on / t_off:7.2f}  identical", flush=True)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    run(ap.parse_args().quick)
