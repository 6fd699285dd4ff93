"""Default AO blocks of the full-duplex problems (:func:`fd_blocks`) and the baselines of the
FD figures (:func:`fd_baselines`)."""
from __future__ import annotations



from ..core.problem import Block
from ..core.rng import as_generator
from ..core.validate import (
    require_choice,
)
from ..optim.ao import ao_solve
from .common import (POS_BLOCKS)
from .combiner import rx_comb_block
from .fp import fp_beamforming, fp_power
from .positions import FdPositionOptions, fd_positions
from .sca_beamforming import sca_beamforming
from .sdr import sdr_beamforming
from .socp import socp_beamforming

__all__ = ["fd_blocks", "fd_baselines"]


def fd_blocks(problem, *, tx_bf=None, positions="pso", position_options=None, fp_options=None,
              fitness=None):
    """Default AO blocks (docs/theory/full_duplex.rst: AO driver) as a list of :class:`~matoolbox.core.Block`.

    tx_bf: "fp" (P1/MU default), "socp" (P2/P3 default, exact), "sca", "sdr".
    positions: "pso" (default), "mm" (monotone gradient/MM step), "pga", or None (fixed layout).
    position_options: options of the position solver (e.g. ``{"n_particles": 20, "iters": 30}``).
    fitness: PSO fitness "inner_bf" (default, every problem: each particle is scored with its
    re-optimised MMSE combiners, P3 also with the closed-form capped w_t) or "fixed_bf".
    Measured mean MA gain over FPA (4 seeds, defaults, ao_solve from the FPA layout):
    P1 inner_bf +1.54 / fixed_bf +1.41 / mm +1.06; P2 +1.75 / +1.58 / +0.94; MU +1.73 / +1.30 /
    +1.10 bit/s/Hz (docs/theory/full_duplex.rst: Position blocks).
    Order: P1/P2: rx_comb -> tx_bf -> positions; P3: tx_bf -> positions -> rx_comb;
    MU: rx_comb -> tx_bf -> ul_power -> positions.

    Parameters
    ----------
    problem : FullDuplexProblem or FullDuplexMultiUserProblem
        The problem (its kind picks the defaults).
    tx_bf : {"fp", "socp", "sca", "sdr"}, optional
        Transmit-beamformer block.
    positions : {"pso", "mm", "pga", None}, default "pso"
        Position block (None: fixed layout).
    position_options : dict or Options, optional
        Options of the position solver.
    fp_options : FpOptions or dict, optional
        Options of the FP block.
    fitness : {"fixed_bf", "inner_bf"}, optional
        PSO fitness mode.

    Returns
    -------
    list of Block
        The blocks in AO order.

    Raises
    ------
    InvalidProblemError
        If ``tx_bf`` or ``positions`` is not one of the choices.
    """
    kind = problem.kind
    if tx_bf is None:
        tx_bf = "fp" if kind == "weighted" else "socp"
    require_choice("fd_blocks", "tx_bf", tx_bf, ("fp", "socp", "sca", "sdr"))
    require_choice("fd_blocks", "positions", positions, ("pso", "mm", "pga", None))
    if tx_bf == "fp":
        bf = Block("tx_bf", fp_beamforming, fp_options)
    elif tx_bf == "socp":
        bf = Block("tx_bf", socp_beamforming, None)
    elif tx_bf == "sca":
        bf = Block("tx_bf", sca_beamforming, None)
    else:
        bf = Block("tx_bf", sdr_beamforming, None)
    rx = Block("rx_comb", rx_comb_block, None)
    pos = []
    if positions is not None:
        if fitness is None:
            fitness = "inner_bf"
        for block in POS_BLOCKS:
            if problem._movable(block):
                opts = FdPositionOptions(block=block, method=positions, fitness=fitness,
                                         solver_options=dict(position_options or {}))
                pos.append(Block(block, fd_positions, opts))
    if kind == "dl_si_cap":
        return [bf, *pos, rx]
    if problem._power_free():
        return [rx, bf, Block("ul_power", fp_power, None), *pos]
    return [rx, bf, *pos]


def fd_baselines(problem, *, rng=None, x_start=None, n_random=20, position_options=None,
                 max_iter=None):
    """Baselines (docs/theory/full_duplex.rst: AO driver) for ``problem`` (values of its objective, all from AO with the
    same beamforming blocks): "fpa", "ma" (warm-started from the FPA solution), "ma_tx_only",
    "ma_rx_only", "random_best" (best of ``n_random`` random feasible layouts, beamformers
    optimised), and "hd" (half duplex at the FPA layout, single-user problems only).
    Returns a dict name -> Solution (``hd``: float).

    Parameters
    ----------
    problem : FullDuplexProblem or FullDuplexMultiUserProblem
        The MA problem.
    rng : int or numpy.random.Generator, optional
        Seed or generator (random layouts, PSO).
    x_start : dict, optional
        Start of the FPA run (default: the problem's initial point).
    n_random : int, default 20
        Random feasible layouts for ``random_best``.
    position_options : dict, optional
        Options of the position solver.
    max_iter : int, optional
        AO iterations per run.

    Returns
    -------
    dict
        Name -> Solution (``hd``: a float).
    """
    rng = as_generator(rng)
    out = {}
    fpa_prob = problem.with_(movable_tx=False, movable_rx=False)
    out["fpa"] = ao_solve(fpa_prob, x0=x_start, rng=rng, max_iter=max_iter)
    kw = dict(position_options=position_options)
    out["ma"] = ao_solve(problem, x0=out["fpa"].x, rng=rng, max_iter=max_iter,
                         blocks=fd_blocks(problem, **kw))
    for name, mt, mr in (("ma_tx_only", True, False), ("ma_rx_only", False, True)):
        p = problem.with_(movable_tx=mt, movable_rx=mr)
        out[name] = ao_solve(p, x0=out["fpa"].x, rng=rng, max_iter=max_iter, blocks=fd_blocks(p, **kw))
    best = None
    for _ in range(int(n_random)):
        x = {**out["fpa"].x, **problem.random_layout(rng)}
        s = ao_solve(problem, x0=x, rng=rng, max_iter=max_iter, blocks=fd_blocks(problem, positions=None))
        if best is None or s.fval > best.fval:
            best = s
    if best is not None:
        out["random_best"] = best
    if hasattr(problem, "half_duplex"):
        out["hd"] = problem.half_duplex(problem.fpa)
    return out
