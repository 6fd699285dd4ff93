"""benchmarks/bench_reproduce.py: the extrapolation of a report's time from probe trials."""
import textwrap
import time

import pytest

from matoolbox.scripts import benchmarks_root, load_script

FIG = textwrap.dedent('''
    import time
    from matoolbox.sweep import run_sweep

    _CACHE = {}


    def trial(params, rng):
        if params["x"] not in _CACHE:          # a per-process design cache, paid once per point
            time.sleep(0.3)
            _CACHE[params["x"]] = True
        time.sleep(0.03)
        return {"y": 1.0, "time A": 0.02, "time B": 0.01}


    def run(quick=False, trials=None, workers=1, seed=0, out="o", progress=False, checkpoint=None):
        return run_sweep(trial, {"x": [1.0, 2.0]}, trials or 2, seed, workers=workers, progress=False)
''')


@pytest.fixture(scope="module")
def bench():
    return load_script(benchmarks_root() / "bench_reproduce.py")


def test_probe_counts_the_first_trial_apart_and_extrapolates(bench, tmp_path):
    path = tmp_path / "fig_fake.py"
    path.write_text(FIG)
    t = bench.probe_figure(path, 3)
    assert t["points"] == 2 and t["rows"] == 6
    assert t["first"] == pytest.approx(2 * 0.33, abs=0.06)          # cache + trial, per point
    assert t["rest"] == pytest.approx(2 * 0.03, abs=0.02)
    assert t["schemes"] == pytest.approx({"A": 0.12 / (6 * 0.03 + 0.6), "B": 0.06 / (6 * 0.03 + 0.6)}, rel=0.3)
    # the extrapolation of 20 trials matches a real 20-trial run (serial) within 20 %
    est = bench.extrapolate(t, 20, workers=1)
    module = load_script(path)
    module._CACHE.clear()
    t0 = time.perf_counter()
    module.run(trials=20)
    real = time.perf_counter() - t0
    assert est == pytest.approx(real, rel=0.2)
    # the naive rule (every trial at the mean per-trial time) would be far off: the cache is counted once
    naive = t["fixed"] + 20 * (t["first"] + 2 * t["rest"]) / 3       # points * trials * mean row time
    assert abs(naive - real) > abs(est - real)
    # two workers at efficiency 1 halve the per-trial part only
    assert bench.extrapolate(t, 20, workers=2, efficiency=1.0) == pytest.approx(
        t["fixed"] + t["first"] + 19 * t["rest"] / 2)
