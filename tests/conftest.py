import os

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def grid_start_only(monkeypatch):
    """CoMP-RSMA AO start from the grid-gain positions alone: no random-position draws and no
    MMSE-proxy refinement (both escape the traps the tests using this fixture set up; they are
    tested on their own in test_library and test_mmse_positions)."""
    import importlib

    aom = importlib.import_module("matoolbox.comp_rsma.ao")
    monkeypatch.setattr(aom, "_POSITION_DRAWS", 0)
    monkeypatch.setattr(aom, "_PROXY_DRAWS", 0)
    monkeypatch.setattr(aom.CompRsmaAoMixin, "proxy_positions",
                        lambda self, r0, score=False: (np.array(r0, float), 0.0) if score else np.array(r0, float))
    return monkeypatch
