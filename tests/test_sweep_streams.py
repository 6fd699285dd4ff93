"""run_sweep's random streams and rounding: the same numbers serial, parallel and per point when
a trial spawns child streams, one BLAS thread in a serial run as in a worker, and the master
seed's pool_size in the checkpoint fingerprint."""
import os

import numpy as np
import pytest

from matoolbox.sweep import CheckpointError, run_sweep


def pid_trial(params, rng):
    return {"z": rng.standard_normal(), "pid": str(os.getpid())}


def spawning_trial(params, rng):
    """Draws from a child stream (as gml_solve does with ``rng.spawn``)."""
    child, = rng.spawn(1)
    return {"z": child.standard_normal()}


def blas_threads_trial(params, rng):
    """The BLAS thread counts this trial runs under."""
    from threadpoolctl import threadpool_info

    return {"blas": max([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] or [1])}


def test_trials_that_spawn_get_the_same_streams_serial_parallel_and_per_point():
    """rng.spawn() inside a trial must not change what the next grid point's trial t draws
    (trial t's SeedSequence is shared along the grid): serial == parallel == one point at a time."""
    grid = {"p": [0, 10, 20]}
    serial = run_sweep(spawning_trial, grid, trials=3, seed=5, workers=1, progress=False)
    par = run_sweep(spawning_trial, grid, trials=3, seed=5, workers=2, progress=False)
    alone = [r for p in grid["p"] for r in run_sweep(spawning_trial, {"p": [p]}, trials=3, seed=5,
                                                     workers=1, progress=False).rows]
    z = [[r["z"] for r in rows] for rows in (serial.rows, par.rows, alone)]
    assert z[0] == z[1] == z[2]
    assert z[0][:3] == z[0][3:6] == z[0][6:]          # common random numbers along the grid
    assert len(set(z[0][:3])) == 3


def test_serial_run_uses_one_blas_thread_like_a_worker_and_restores_it():
    """BLAS-threaded sums round differently with 1 and 2 threads (XL-MA figures differed by
    2e-14 between --workers 1 and 2): a serial run uses one BLAS thread, as a worker does."""
    from threadpoolctl import threadpool_info, threadpool_limits

    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    if not blas:
        pytest.skip("no BLAS library seen by threadpoolctl")
    with threadpool_limits(limits=2, user_api="blas"):
        before = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
        if before < 2:
            pytest.skip("BLAS runs one thread here: nothing to limit")
        serial = run_sweep(blas_threads_trial, {"p": [0, 1]}, trials=2, seed=0, workers=1, progress=False)
        after = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
    assert {r["blas"] for r in serial.rows} == {1}
    assert after == before
    par = run_sweep(blas_threads_trial, {"p": [0]}, trials=2, seed=0, workers=2, progress=False)
    assert {r["blas"] for r in par.rows} == {1}


def test_checkpoint_of_another_pool_size_is_not_resumed(tmp_path):
    """The master seed's pool_size changes every stream: a checkpoint written with the default
    pool size must not be resumed by a run with another one (it was: the fingerprint left it out)."""
    ck = tmp_path / "ck.jsonl"
    run_sweep(pid_trial, {"p": [0]}, trials=2, seed=np.random.SeedSequence(0), checkpoint=ck, progress=False)
    with pytest.raises(CheckpointError):
        run_sweep(pid_trial, {"p": [0]}, trials=2, seed=np.random.SeedSequence(0, pool_size=8),
                  checkpoint=ck, progress=False)
    again = run_sweep(pid_trial, {"p": [0]}, trials=2, seed=np.random.SeedSequence(0), checkpoint=ck, progress=False)
    assert again.n_resumed == 2


def exit_hook_trial(params, rng):
    from matoolbox.core import procexit
    return {"hooked": len(procexit._REGISTERED), "pid": str(os.getpid())}


def test_worker_processes_skip_the_exit_collection_and_the_callers_process_is_left_alone(monkeypatch):
    from matoolbox.core import procexit
    monkeypatch.setattr(procexit, "_REGISTERED", [])
    ser = run_sweep(exit_hook_trial, {"p": [0, 1]}, trials=2, seed=0, workers=1, progress=False)
    assert procexit._REGISTERED == [] and {r["hooked"] for r in ser.rows} == {0}
    par = run_sweep(exit_hook_trial, {"p": [0, 1]}, trials=2, seed=0, workers=2, progress=False)
    assert procexit._REGISTERED == []                       # still not in this process
    assert {r["hooked"] for r in par.rows} == {1} and str(os.getpid()) not in {r["pid"] for r in par.rows}
    import joblib
    with joblib.parallel_config(backend="threading"):       # tasks in this process: no hook here
        thr = run_sweep(exit_hook_trial, {"p": [0, 1]}, trials=2, seed=0, workers=2, progress=False)
    assert procexit._REGISTERED == [] and {r["pid"] for r in thr.rows} == {str(os.getpid())}
