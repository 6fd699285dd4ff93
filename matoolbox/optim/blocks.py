"""Family-agnostic block solvers that wrap others: :func:`reduced_block` (solve on
``problem.as_reduced()``), :func:`chain_blocks` (several solvers in a row on one block) and
:func:`grid_search_positions` (per-row coordinate grid search via ``problem.score_batch``)."""
from __future__ import annotations

import dataclasses

import numpy as np

from ..core.errors import InvalidProblemError
from ..core.options import Options
from ..core.solution import Solution
from ..core.validate import fail
from .grid_search import _search

__all__ = ["reduced_block", "chain_blocks", "grid_search_positions", "GridSearchOptions"]


def reduced_block(problem, x0, *, options=None, rng=None, inner=None) -> Solution:
    """Run the block solver ``inner`` (e.g. pga, pso_positions) on ``problem.as_reduced()`` (objective
    V(P, r), split eliminated), then set ``common`` to the optimal LP split of the new point.

    Parameters
    ----------
    problem : CompRsmaProblem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : Options of ``inner`` or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.
    inner : callable
        The block solver run on ``problem.as_reduced()`` (e.g. ``pga``, ``pso_positions``).

    Returns
    -------
    Solution
        The full ``x`` with the block updated and ``common`` set to the optimal LP split.
    """
    sol = inner(problem.as_reduced(), x0, options=options, rng=rng)
    x = {**dict(x0), **sol.x}
    x["common"] = problem.lp_split(x)
    sol.x = x
    sol.fval = problem.objective(x)
    sol.violation = problem.violation(x)
    return sol


@dataclasses.dataclass(frozen=True)
class GridSearchOptions(Options):
    """Options of :func:`grid_search_positions`: ``n`` x ``n`` grid per row of the block, ``sweeps``
    passes over the rows, ``block`` name, ``feas_tol`` on the violation."""

    n: int = 21
    sweeps: int = 1
    block: str = "positions"
    feas_tol: float = 1e-9

    def __post_init__(self):
        if not isinstance(self.n, (int, np.integer)) or self.n < 2:
            fail("GridSearchOptions", "n", self.n, "must be an integer >= 2")
        if not isinstance(self.sweeps, (int, np.integer)) or self.sweeps < 1:
            fail("GridSearchOptions", "sweeps", self.sweeps, "must be an integer >= 1")


def grid_search_positions(problem, x0, *, options=None, rng=None) -> Solution:
    """Block-coordinate grid search: for each row k of ``x[block]`` (one user's (x, y)), evaluate
    the objective on an n x n grid of its box ``problem.bounds(block)`` with the other rows fixed
    (one ``score_batch`` call) and move row k to the best point if it improves the objective and
    keeps the violation <= max(violation(x0), feas_tol). Monotone; global along each row.
    This is :func:`~matoolbox.optim.grid_search.coordinate_search` on the per-row boxes of
    ``problem.bounds(block)`` (no region, no spacing filter).

    Parameters
    ----------
    problem : Problem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : GridSearchOptions or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.

    Returns
    -------
    Solution
        The full ``x`` with the block updated row by row (monotone).

    Raises
    ------
    InvalidProblemError
        If ``options`` is not an instance of its Options class, a dict of its fields or None, or an option value is invalid.
    """
    opts = options if options is not None else GridSearchOptions()
    return _search(problem, x0, opts.block, opts.n, opts.sweeps, opts.feas_tol, None, "grid_search_positions")


def chain_blocks(problem, x0, *, options=None, rng=None, solvers=()) -> Solution:
    """Run block solvers one after the other on the same block (``options`` aligned with
    ``solvers``); returns the last Solution with the final x and the concatenated history.

    Parameters
    ----------
    problem : Problem
        The problem the block runs on.
    x0 : dict
        Full variable dict; only this block's entries change.
    options : sequence of Options or dict, optional
        Block settings (see the class for defaults).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the block's random choices.
    solvers : sequence of callable
        Block solvers run in order, each ``solver(problem, x, options=..., rng=...)``.

    Returns
    -------
    Solution
        The last solver's Solution with the final ``x`` and the concatenated history.
    """
    opts = tuple(options) if options is not None else (None,) * len(solvers)
    x, history, sol = dict(x0), [], None
    for solver, o in zip(solvers, opts):
        sol = solver(problem, x, options=o, rng=rng)
        if sol.exitflag == -3 or not sol.x:
            continue
        x = {**x, **sol.x}
        history.extend(sol.history)
    if sol is None:
        raise InvalidProblemError("chain_blocks.solvers = (): needs at least one solver")
    sol.x, sol.history = x, history
    sol.fval = float(problem.objective(x))
    sol.violation = float(problem.violation(x))
    return sol
