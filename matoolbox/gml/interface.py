"""The block interface between :func:`matoolbox.gml.gml_solve` and a problem family.

The GML driver never imports a problem family. A problem becomes solvable by GML by defining
these methods (duck typing; CoMP-RSMA implements them in ``CompRsmaMetaMixin`` of
``matoolbox/comp_rsma/meta.py`` (:mod:`matoolbox.comp_rsma.meta`), the worked example to copy;
:class:`matoolbox.gml.adapter.ContractProblem` derives them for any problem with the shared
``objective`` / ``gradient`` / ``project`` contract):

``gml_blocks(options) -> list of mappings``
    The optimised blocks in phase order (one phase per block per outer iteration). Keys:
    ``name`` (variable name, a key of the ``x`` dicts), ``layout`` (``"vector"``: the whole
    gradient, flattened C-order, is one net sample; ``"rows"``: the last axis is the feature axis
    and every other index is one batch sample through the shared net, GMML's row-wise use),
    ``hidden`` (default hidden width), ``lr`` (default Adam step) and optionally
    ``update_every`` (Adam step of this net every that many meta-updates; default 1).
    Complex blocks are fed as ``[Re, Im]`` (concatenated on the feature axis) and the net output
    is mapped back the same way.

``gml_init(rng, options) -> dict``
    The anchor values ``x^(0)`` of every block (raw, i.e. before projection). Each outer
    iteration starts every block's inner loop from its anchor (GMML): ``x_b = x_b^(0) + sum_i
    net_b(g_b^(i))``.

``gml_project(name, value, options) -> value``
    Map a raw block value onto its feasible set (used between inner steps when
    ``n_inner > 1``; for blocks without a hard projection, the identity).

``gml_gradient(name, x, options) -> array``
    The inner gradient fed to the net of block ``name`` at the raw point ``x`` (all blocks;
    ``x[name]`` is the current inner iterate, the others their latest values): the gradient of
    the family's inner loss (a loss to *minimise*, e.g. minus the objective) with respect to
    ``x[name]``, evaluated at the projected point. Same shape and dtype as ``x[name]``; complex
    blocks use ``dF/dRe + 1j dF/dIm``.

``gml_meta_loss(x, options) -> dict``
    At the raw point ``x`` after all phases: ``loss`` (float, the differentiable meta-loss:
    minus objective plus penalties, evaluated after projection), ``grads`` (dict name ->
    d loss / d x[name] through the projection; first-order, i.e. x[name] is treated as
    ``anchor + net output``), ``value`` (the objective of the projected, polished point, finite)
    and ``feasible`` (bool). The driver keeps the raw ``x`` with the best feasible ``value``.

``gml_finalize(x, options) -> dict``
    The returned variable dict (projected and polished) for the raw point ``x``; the driver
    then reports ``problem.objective`` and ``problem.violation`` of it.

``gml_from_x(x) -> dict`` (optional)
    Map a solution dict of the problem (e.g. ``Solution.x`` of another solver, passed as
    ``gml_solve(..., x0=x)``) to raw GML variables (e.g. metres -> wavelengths).

Adopting it. A family whose solvers already use the shared contract (``objective``,
``gradient(block, x)``, ``project(block, value)``, ``violation``, ``initial_point``; e.g. the
uplink and full-duplex families) gets GML without new code through
:class:`matoolbox.gml.ContractProblem` (straight-through projection, quadratic pull-back). For
hard projections with a known Jacobian and family-specific penalties (as CoMP-RSMA's power
scaling, region clip and QoS hinges), implement the hooks above in a mixin of the problem class.

Options that only a family interprets (penalty weights, init rule, polish) travel in
:class:`~matoolbox.gml.GmlOptions` and are read by these hooks; a family ignores the rest.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ..core.errors import InvalidProblemError

__all__ = ["GmlBlock", "REQUIRED_HOOKS", "check_interface", "to_features", "from_features"]

REQUIRED_HOOKS = ("gml_blocks", "gml_init", "gml_project", "gml_gradient", "gml_meta_loss",
                  "gml_finalize")


@dataclasses.dataclass(frozen=True)
class GmlBlock:
    """Normalised block spec (see the module docstring)."""

    name: str
    layout: str = "vector"
    hidden: int = 100
    lr: float = 1e-3
    update_every: int = 1

    @classmethod
    def from_spec(cls, spec) -> "GmlBlock":
        if isinstance(spec, cls):
            blk = spec
        else:
            try:
                blk = cls(**dict(spec))
            except TypeError as err:
                raise InvalidProblemError(f"gml_blocks() entry = {spec!r}: {err}") from None
        if blk.layout not in ("vector", "rows"):
            raise InvalidProblemError(f"GmlBlock.layout = {blk.layout!r}: must be 'vector' or 'rows'")
        if int(blk.hidden) < 1 or not float(blk.lr) > 0 or int(blk.update_every) < 1:
            raise InvalidProblemError(f"GmlBlock = {blk!r}: hidden, lr and update_every must be positive")
        return blk


def check_interface(problem) -> None:
    """Raise InvalidProblemError if ``problem`` lacks a GML hook.

    Parameters
    ----------
    problem : object
        The problem to check.

    Returns
    -------
    None

    Raises
    ------
    InvalidProblemError
        If a GML hook is missing.
    """
    missing = [h for h in REQUIRED_HOOKS if not callable(getattr(problem, h, None))]
    if missing:
        raise InvalidProblemError(
            f"gml_solve.problem = {type(problem).__name__}: does not implement the GML block "
            f"interface (missing {', '.join(missing)}; see matoolbox/gml/interface.py)")


def to_features(value: np.ndarray, layout: str) -> np.ndarray:
    """Array -> net input ``(B, F)``: ``vector`` gives one row, ``rows`` one row per leading index.

    Complex arrays become ``[Re, Im]`` along the feature axis.

    Parameters
    ----------
    value : numpy.ndarray
        A block value (real or complex).
    layout : {"vector", "rows"}
        One row, or one row per leading index.

    Returns
    -------
    numpy.ndarray
        Net input (B, F).
    """
    value = np.asarray(value)
    rows = value.reshape(1, -1) if layout == "vector" else value.reshape(-1, value.shape[-1])
    if np.iscomplexobj(rows):
        return np.concatenate([rows.real, rows.imag], axis=1)
    return np.asarray(rows, dtype=float)


def from_features(y: np.ndarray, shape: tuple, is_complex: bool) -> np.ndarray:
    """Inverse of :func:`to_features` for a net output ``y (B, F)``.

    Parameters
    ----------
    y : numpy.ndarray
        Net output (B, F).
    shape : tuple
        Shape of the block value.
    is_complex : bool
        Whether the value is complex ([Re, Im] features).

    Returns
    -------
    numpy.ndarray
        The block value of shape ``shape``.
    """
    if is_complex:
        half = y.shape[1] // 2
        y = y[:, :half] + 1j * y[:, half:]
    return y.reshape(shape)
