"""Random-number handling: every random draw takes a seed or a ``numpy.random.Generator``."""
from __future__ import annotations

import numpy as np

__all__ = ["as_generator", "spawn_generators", "spawn_seeds"]


def as_generator(rng=None) -> np.random.Generator:
    """Return a Generator from ``None`` (fresh entropy), an int seed, a SeedSequence or a Generator.

    A Generator is returned as is (shared state), so that a caller's stream advances.

    Parameters
    ----------
    rng : None, int, SeedSequence or Generator, optional
        None gives fresh entropy.

    Returns
    -------
    numpy.random.Generator
        A Generator (the same object when one is given).
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.RandomState):
        raise TypeError("rng: legacy RandomState is not supported; pass a seed or numpy.random.Generator")
    return np.random.default_rng(rng)


def spawn_seeds(seed, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent child SeedSequences of ``seed`` (int, SeedSequence or Generator).

    For an int seed the i-th child depends only on ``seed`` and ``i``, never on scheduling: this is
    what makes serial and parallel Monte Carlo runs give identical numbers. A SeedSequence or
    Generator advances its child counter (``SeedSequence.spawn``), so a second call on the same
    object gives new children; pass a fresh copy where the children must not depend on what was
    spawned before (as :func:`~matoolbox.sweep.run_sweep` does for each trial).

    Parameters
    ----------
    seed : int, SeedSequence or Generator
        Parent seed.
    n : int
        Number of children.

    Returns
    -------
    list of numpy.random.SeedSequence
        The children, in order.
    """
    if isinstance(seed, np.random.Generator):
        ss = seed.bit_generator.seed_seq
    elif isinstance(seed, np.random.SeedSequence):
        ss = seed
    else:
        ss = np.random.SeedSequence(seed)
    return ss.spawn(int(n))


def spawn_generators(seed, n: int) -> list[np.random.Generator]:
    """``n`` independent Generators, one per trial (see :func:`spawn_seeds`).

    Parameters
    ----------
    seed : int, SeedSequence or Generator
        Parent seed.
    n : int
        Number of generators.

    Returns
    -------
    list of numpy.random.Generator
        One Generator per child seed.
    """
    return [np.random.default_rng(s) for s in spawn_seeds(seed, n)]
