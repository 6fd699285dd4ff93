"""XL-MA building blocks: :class:`Layout` (a placement to evaluate), FPA index patterns and the
incremental :class:`RateState` used by successive replacement (see the XL-MA theory page)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..channels import nearfield as nf
from ..core import validate as V

__all__ = ["Layout", "RateState", "fpa_indices"]

_OWNER = "XlmaPlacementProblem"


@dataclass(frozen=True, eq=False)
class Layout:
    """A placement to evaluate: subarray centres (P, 3) with MH x MV elements each.

    ``selection`` holds the candidate indices when the centres are candidate positions (None for
    off-grid arrays such as the dense ULA / UPA baselines)."""

    name: str
    centres: np.ndarray
    MH: int
    MV: int
    selection: np.ndarray | None = None

    @property
    def M(self) -> int:
        return self.MH * self.MV


def _ev(P: int, n: int) -> np.ndarray:
    """Evenly spread 0-based indices ev(P, n) of the FPA baselines: round(q (n-1)/(P-1)), q = 0..P-1."""
    if P == 1:
        return np.array([math.ceil(n / 2) - 1])
    return np.floor(np.arange(P) * (n - 1) / (P - 1) + 0.5).astype(int)


def fpa_indices(kind: str, N: int, Nx: int, Nz: int) -> np.ndarray:
    """Candidate indices (sorted) of the sparse FPA layouts (0-based; docs/theory/xlma.rst: FPA baselines).

    ``"sparse"`` 4 x 2 (needs N = 8), ``"horizontal_sparse"`` (row ceil(Nz/2)), ``"vertical_sparse"``
    (column ceil(Nx/2), needs Nz >= N)."""
    jc = math.ceil(Nz / 2) - 1
    ic = math.ceil(Nx / 2) - 1
    if kind == "sparse":
        if N != 8 or Nx < 4 or Nz < 2:
            raise ValueError(f"sparse 4x2 layout needs N = 8, Nx >= 4, Nz >= 2 (got N={N}, Nx={Nx}, Nz={Nz})")
        I, J = np.meshgrid(_ev(4, Nx), _ev(2, Nz))
        idx = nf.candidate_index(I.ravel(), J.ravel(), Nx)
    elif kind == "horizontal_sparse":
        if Nx < N:
            raise ValueError(f"horizontal sparse layout needs Nx >= N (got Nx={Nx}, N={N})")
        idx = nf.candidate_index(_ev(N, Nx), jc, Nx)
    elif kind == "vertical_sparse":
        if Nz < N:
            raise ValueError(f"vertical sparse layout needs Nz >= N (got Nz={Nz}, N={N})")
        idx = nf.candidate_index(ic, _ev(N, Nz), Nx)
    else:
        raise ValueError(f"kind = {kind!r}: must be 'sparse', 'horizontal_sparse' or 'vertical_sparse'")
    return np.sort(np.asarray(idx, int))


class RateState:
    """Incremental evaluation of F for one selection: keeps s_b = B z, s_g = G z, s_e = E z (K,).

    ``removal_values()`` F(S minus one entry) for each entry (N,); ``swap_values(i)`` F when entry i
    is replaced by each unselected candidate, O(K N0); ``swap(i, new)`` applies a replacement.
    """

    def __init__(self, problem, selection):
        st = problem._stats
        self._B, self._G, self._E = st["B"], st["G"], st["E"]
        self._f = problem._rate_from_sums
        self.N0 = problem.N0
        self.selection = np.array(selection, int)
        self.sb = self._B[:, self.selection].sum(axis=1)
        self.sg = self._G[:, self.selection].sum(axis=1)
        self.se = self._E[:, self.selection].sum(axis=1)

    @property
    def value(self) -> float:
        return float(self._f(self.sb, self.sg, self.se))

    def removal_values(self) -> np.ndarray:
        s = self.selection
        return self._f(self.sb[:, None] - self._B[:, s], self.sg[:, None] - self._G[:, s],
                       self.se[:, None] - self._E[:, s])

    def swap_values(self, i: int):
        """(candidates (C,), F values (C,)) for replacing ``selection[i]`` by every unselected candidate."""
        old = self.selection[i]
        mask = np.ones(self.N0, bool)
        mask[self.selection] = False
        cand = np.flatnonzero(mask)
        sb = (self.sb - self._B[:, old])[:, None] + self._B[:, cand]
        sg = (self.sg - self._G[:, old])[:, None] + self._G[:, cand]
        se = (self.se - self._E[:, old])[:, None] + self._E[:, cand]
        return cand, self._f(sb, sg, se)

    def swap(self, i: int, new: int) -> None:
        old = self.selection[i]
        self.sb = self.sb - self._B[:, old] + self._B[:, new]
        self.sg = self.sg - self._G[:, old] + self._G[:, new]
        self.se = self.se - self._E[:, old] + self._E[:, new]
        self.selection = self.selection.copy()
        self.selection[i] = new


def _pair(owner_field, value):
    arr = V.as_array(_OWNER, owner_field, value)
    if arr.shape != (2,):
        V.fail(_OWNER, owner_field, value, "must be a pair (min, max)")
    V.require_finite(_OWNER, owner_field, arr)
    if arr[0] > arr[1]:
        V.fail(_OWNER, owner_field, value, "min must not exceed max")
    return tuple(float(v) for v in arr)
