"""Write your own MA problem: the MA MIMO capacity problem from the generic layer only.

Run it: ``python docs/examples/write_your_own.py`` (``--quick`` for the tiny settings the test
suite uses). The problem code sits between the two ``# ---`` markers (the docs page counts it).
"""
from __future__ import annotations

import functools
import sys
from dataclasses import dataclass


import matoolbox as ma
from matoolbox.gml import ContractProblem, GmlOptions, gml_solve
from matoolbox.optim import AoMultistartOptions, MultistartOptions, PsoOptions, ao_multistart, multistart, pso_positions
from matoolbox.plots import save_curves
from matoolbox.sweep import run_sweep

# --- problem
from matoolbox.channels.mimo import MimoChannel
from matoolbox.core.problem import Block
from matoolbox.metrics import capacity
from matoolbox.optim import (CoordinateSearchOptions, MaProblem, PgaOptions, chain_blocks, coordinate_search, pga,
                             value_function_block, waterfill_block, waterfilling)
from matoolbox.optim.variables import Covariance, Positions
from matoolbox.regions import Rectangle


@dataclass(frozen=True)
class MyMimoCapacity(MaProblem):
    """C = log2 det(I + H Q H^H / noise), H = F(r)^H Sigma G(t): Q, t (N, 2) and r (M, 2) move."""

    channel: MimoChannel
    N: int = 4
    M: int = 4
    A: float = 3.0            # region side (wavelengths)
    snr_db: float = 15.0
    channel_args = ("positions_tx", "positions_rx")     # H = channel.H(x["positions_tx"], x["positions_rx"])
    batch_metric = True                                  # metric() takes a batch of H: (B, M, N) -> (B,)
    power = 1.0

    @property
    def noise(self):
        return self.power / 10 ** (self.snr_db / 10)

    def variables(self):
        region = Rectangle.square(self.A, min_spacing=0.5)
        return {"covariance": Covariance(self.N, self.power),
                "positions_tx": Positions(region, self.N), "positions_rx": Positions(region, self.M)}

    def metric(self, H, x, grad=False):              # value, and with grad: (value, dC/dH, {var: dC/dvar})
        if not grad:
            return capacity(H, x["covariance"], self.noise)
        c, dH, dQ = capacity(H, x["covariance"], self.noise, grad=True)
        return c, dH, {"covariance": dQ}

    def best_responses(self):                        # Q in closed form given H: positions see max_Q C
        return {"covariance": lambda H: waterfilling(H, self.power, self.noise)}

    def ao_blocks(self):                             # water-filling, then per side: grid search + gradient
        search = functools.partial(value_function_block, inner=functools.partial(
            chain_blocks, solvers=(coordinate_search, pga)))
        return [Block("covariance", waterfill_block)] + [
            Block(b, search, (CoordinateSearchOptions(block=b, points=25), PgaOptions(block=b, max_move=0.1)))
            for b in self.channel_args]

    @classmethod
    def random(cls, seed=0, L=10, **fields):
        return cls(MimoChannel.random(L, L, seed), **fields)
# --- end problem


def solve_every_way(prob, quick=False):
    """The same instance through every solver of the box; returns {solver: capacity}."""
    out = {"FPA (water-filling only)": ma.ao_solve(prob, blocks=[Block("covariance", waterfill_block)]).fval}
    out["ao_solve"] = ma.ao_solve(prob, rng=0).fval
    out["multistart (SLSQP)"] = multistart(prob, options=MultistartOptions(n_starts=2 if quick else 20), rng=0).fval
    out["ao_multistart"] = ao_multistart(prob, options=AoMultistartOptions(n_random=1 if quick else 4), rng=0).fval
    x = prob.fpa_point()
    for b in prob.channel_args:                      # PSO per side, Q re-optimised inside the fitness
        opts = PsoOptions(block=b, n_particles=10 if quick else 40, iters=5 if quick else 60,
                          inner=(Block("covariance", waterfill_block),))
        x = pso_positions(prob, x, options=opts, rng=0).x
    out["PSO + water-filling"] = prob.objective(x)
    gml = ContractProblem(prob, blocks=("positions_tx", "positions_rx", "covariance"))
    out["GML"] = gml_solve(gml, GmlOptions(n_outer=5 if quick else 100), rng=0).fval
    return out


def trial(params, rng):
    prob = MyMimoCapacity.random(seed=int(rng.integers(2**31)), A=params["A"], L=params["L"])
    return {"ma": ma.ao_solve(prob, rng=rng).fval,
            "fpa": ma.ao_solve(prob, blocks=[Block("covariance", waterfill_block)]).fval}


def main(quick=False, out="out/write_your_own"):
    prob = MyMimoCapacity.random(seed=1, L=4 if quick else 10)
    for name, c in solve_every_way(prob, quick).items():
        print(f"{name:26s} {c:7.3f} bit/s/Hz")
    res = run_sweep(trial, {"A": [1.0, 2.0] if quick else [1.0, 2.0, 3.0, 4.0], "L": [4 if quick else 10]},
                    trials=1 if quick else 10, seed=0, progress=False)
    A = sorted({p["A"] for p in res.points})
    save_curves(A, {k: [res.mean(k, A=a) for a in A] for k in ("ma", "fpa")}, f"{out}/capacity_vs_A.png",
                xlabel="region side A / wavelength", ylabel="capacity (bit/s/Hz)",
                errors={k: [res.stderr(k, A=a) for a in A] for k in ("ma", "fpa")}, n_trials=res.trials)
    return prob, res


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
