"""GML block interface of the CoMP-RSMA family (spec comp_rsma_gml.md §5.2-5.4).

``CompRsmaProblem`` inherits :class:`CompRsmaMetaMixin`; the mixin adds the duck-typed hooks
that :func:`matoolbox.gml.gml_solve` calls (``gml_blocks``, ``gml_init``, ``gml_project``,
``gml_gradient``, ``gml_meta_loss``, ``gml_score``). The interface itself is documented in
``matoolbox/gml/interface.py``. This module imports nothing from ``matoolbox.gml``.
"""
from __future__ import annotations

__all__ = ["CompRsmaMetaMixin"]


class CompRsmaMetaMixin:
    """GML hooks for CoMP-RSMA (blocks ``common``, ``precoders``, ``positions``)."""
