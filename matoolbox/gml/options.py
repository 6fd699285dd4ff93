"""Options of the GML solver and the ``default`` / ``paper`` presets (docs/theory/comp_rsma.rst: GML)."""
from __future__ import annotations

import dataclasses
import math

from ..core.errors import InvalidProblemError
from ..core.options import Options

__all__ = ["GmlOptions", "PRESETS"]

_CHOICES = {
    "inner_grad": ("sum", "meta"),
    "grad_input": ("fresh", "accumulated"),
    "lr_schedule": ("constant", "cosine"),
    "power_mode": ("conditional", "equality"),
    "c_polish": ("lp", "project"),
    "init_positions": ("grid", "random", "zero"),
}


@dataclasses.dataclass(frozen=True)
class GmlOptions(Options):
    """GML options.

    Generic loop (read by the driver)::

      n_outer            outer iterations N_e (one meta-loss and one Adam step each)   1000
      n_inner            inner steps N_i per block and outer iteration                  1
      n_outer_per_update outer iterations whose meta-gradients are summed per step N_o 1
      hidden, lr         None (the family's per-block defaults, Table II) or a dict block -> value
      update_every       None or a dict block -> k: that net's Adam steps every k updates
      betas, eps         Adam constants                                                (0.9, 0.999), 1e-8
      lr_schedule        "constant" (GMML) or "cosine": lr_t = lr (1 + cos(pi t / n_outer)) / 2
      output_init_scale  factor on the PyTorch init of each net's output layer (W2, b2): 0 (default)
                         makes the first iterate equal the anchors (e.g. the grid-init positions);
                         1 is PyTorch's init (GMML, the ``spec`` and ``paper`` presets)
      grad_input         "fresh" (gradient at the current inner iterate) or
                         "accumulated" (GMML code quirk: running sum of all gradients)
      max_time           wall-time limit in seconds (None: none); exitflag 0 when hit
      seed               used when ``gml_solve`` gets no ``rng``

    Family settings (read by the problem's hooks; CoMP-RSMA meanings, docs/theory/comp_rsma.rst: GML)::

      inner_grad     "sum" (gradient of minus the objective) or "meta" (of the meta-loss)
      zeta           hinge weights (QoS, c >= 0, sum c <= R_c, region)             (2, 10, 10, 1)
      qos_margin     delta added to R_th inside the QoS hinge                       0.05
      power_mode     "equality" (always scale each BS to full power, as GMML; measured mean ratio
                     0.972 vs 0.966 over 12 seeds x 6 instances) or "conditional" (scale down only
                     if over power, the paper's eq. 32; the ``spec`` and ``paper`` presets)
      c_polish       returned split: "lp" (optimal LP split) or "project" (Euclidean projection)
      init_positions "grid" (per-user channel-gain maximiser), "random" or "zero"
      grid           points per axis of the grid init                               41
    """

    n_outer: int = 1000
    n_inner: int = 1
    n_outer_per_update: int = 1
    hidden: dict | None = None
    lr: dict | None = None
    update_every: dict | None = None
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    lr_schedule: str = "constant"
    output_init_scale: float = 0.0
    grad_input: str = "fresh"
    max_time: float | None = None
    seed: int | None = None
    inner_grad: str = "sum"
    zeta: tuple = (2.0, 10.0, 10.0, 1.0)
    qos_margin: float = 0.05
    power_mode: str = "equality"
    c_polish: str = "lp"
    init_positions: str = "grid"
    grid: int = 41

    def __post_init__(self):
        name = type(self).__name__
        for f in ("n_outer", "n_inner", "n_outer_per_update", "grid"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise InvalidProblemError(f"{name}.{f} = {v!r}: must be a positive integer")
        for f, choices in _CHOICES.items():
            if getattr(self, f) not in choices:
                raise InvalidProblemError(f"{name}.{f} = {getattr(self, f)!r}: must be one of {choices}")
        for f in ("hidden", "lr", "update_every"):
            v = getattr(self, f)
            if v is not None and (not isinstance(v, dict) or not all(
                    isinstance(x, (int, float)) and math.isfinite(x) and x > 0 for x in v.values())):
                raise InvalidProblemError(f"{name}.{f} = {v!r}: must be None or a dict of positive numbers")
        if len(self.zeta) != 4 or not all(math.isfinite(z) and z >= 0 for z in self.zeta):
            raise InvalidProblemError(f"{name}.zeta = {self.zeta!r}: must be 4 non-negative numbers")
        if not (math.isfinite(self.output_init_scale) and self.output_init_scale >= 0):
            raise InvalidProblemError(f"{name}.output_init_scale = {self.output_init_scale!r}: must be >= 0")
        if not (math.isfinite(self.qos_margin) and self.qos_margin >= 0):
            raise InvalidProblemError(f"{name}.qos_margin = {self.qos_margin!r}: must be >= 0")
        b1, b2 = self.betas
        if not (0 <= b1 < 1 and 0 <= b2 < 1) or not self.eps > 0:
            raise InvalidProblemError(f"{name}.betas = {self.betas!r}: must lie in [0, 1) (and eps > 0)")
        if self.max_time is not None and not self.max_time > 0:
            raise InvalidProblemError(f"{name}.max_time = {self.max_time!r}: must be positive or None")

    @classmethod
    def preset(cls, name: str = "default", **overrides) -> "GmlOptions":
        """Named settings (``overrides`` win):

        ``"default"``: measured here (bench_gml): 1000 outer iterations, zero-initialised output
        layers, full-power scaling, the family's block defaults (CoMP-RSMA: lr (P, C, L) =
        (1.6e-3, 1e-3, 3e-5)). ``"spec"``: the GML settings of the CoMP-RSMA spec as written: 4000 outer iterations, PyTorch
        init of every layer, conditional power scaling, lr_L = 1e-4.  ``"paper"``: Tables I/II of the paper: 500 outer iterations, lr (P, C, L) =
        (1.6e-3, 1e-3, 1e-5), zeta = (1e-4, 0.01, 1.001, 1e-4), no QoS margin, random initial
        positions, PyTorch init."""
        if name not in PRESETS:
            raise InvalidProblemError(f"GmlOptions.preset = {name!r}: must be one of {tuple(PRESETS)}")
        return cls(**{**PRESETS[name], **overrides})


PRESETS = {
    "default": {},
    "spec": dict(
        n_outer=4000,
        output_init_scale=1.0,
        power_mode="conditional",
        lr={"precoders": 1.6e-3, "common": 1e-3, "positions": 1e-4},
    ),
    "paper": dict(
        n_outer=500,
        output_init_scale=1.0,
        power_mode="conditional",
        hidden={"precoders": 1000, "common": 100, "positions": 1000},
        lr={"precoders": 1.6e-3, "common": 1e-3, "positions": 1e-5},
        zeta=(1e-4, 0.01, 1.001, 1e-4),
        qos_margin=0.0,
        init_positions="random",
    ),
}
