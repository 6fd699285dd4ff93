r"""Exhaustive search over all C(N0, N) placements (the "Optimal XL-MA" benchmark; docs/theory/xlma.rst: Exhaustive search).

Needs ``problem.N``, ``problem.N0`` and ``problem.rates_batch(selections (B, N)) -> (B,)``.
Combinations are generated in lexicographic order in batches and scored vectorised; the first
maximiser wins.  Refuses (InvalidProblemError naming ``max_combinations``) when C(N0, N) is larger
than ``ExhaustiveOptions.max_combinations``.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import time

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.options import Options, resolve_options
from ..core.solution import Solution

__all__ = ["exhaustive_placement", "ExhaustiveOptions", "n_combinations"]


@dataclasses.dataclass(frozen=True)
class ExhaustiveOptions(Options):
    """Options of :func:`exhaustive_placement`.

    max_combinations: refuse above this many subsets.
    batch:            subsets scored per vectorised call.
    """

    max_combinations: int = 10_000_000
    batch: int = 20_000


def n_combinations(N0: int, N: int) -> int:
    return math.comb(int(N0), int(N))


def exhaustive_placement(problem, x0=None, *, options=None, rng=None) -> Solution:
    """Best of all C(N0, N) selections; ``x = {"selection": sorted (N,)}``, ``output["n_combinations"]``.

    Parameters
    ----------
    problem : XlmaPlacementProblem
        The problem the block runs on.
    x0 : dict, optional
        Ignored (the search needs no start).
    options : ExhaustiveOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Unused; accepted for the solver contract.

    Returns
    -------
    Solution
        ``x = {"selection": sorted (N,)}`` with the optimal F; ``output["n_combinations"]``.

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    t0 = time.perf_counter()
    opts = resolve_options(ExhaustiveOptions, options)
    N0, N = int(problem.N0), int(problem.N)
    total = n_combinations(N0, N)
    if total > opts.max_combinations:
        raise InvalidProblemError(
            f"ExhaustiveOptions.max_combinations = {opts.max_combinations}: C({N0}, {N}) = {total} "
            "combinations exceed it (raise max_combinations or use successive_replacement)")
    it = itertools.combinations(range(N0), N)
    best_val, best_sel = -np.inf, None
    done = 0
    while done < total:
        n = min(opts.batch, total - done)
        S = np.fromiter(itertools.chain.from_iterable(itertools.islice(it, n)), dtype=np.int64,
                        count=n * N).reshape(n, N)
        vals = problem.rates_batch(S)
        j = int(np.argmax(vals))
        if vals[j] > best_val:
            best_val, best_sel = float(vals[j]), S[j].copy()
        done += n
    fval = float(problem.objective({"selection": best_sel}))
    return Solution(x={"selection": best_sel}, fval=fval, exitflag=1,
                    message=f"exhaustive search over {total} subsets", nit=total, history=[fval],
                    violation=float(problem.violation({"selection": best_sel})),
                    elapsed=time.perf_counter() - t0, solver="exhaustive_placement",
                    output={"n_combinations": total})
