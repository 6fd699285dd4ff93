"""Process exit without the final garbage collection of the imported libraries' heap.

At interpreter exit CPython collects garbage once more, walking every object alive: after a
figure that imported SciPy, CVXPY and matplotlib that took 0.9 s of the process's 1 s from the
end of its work to its exit (measured on a CoMP-RSMA figure; a joblib worker the same, and the
parent waits for its workers). :func:`skip_exit_collection` registers ``gc.freeze`` as an exit
handler, once per process: every object then sits in the permanent generation, which that
collection skips. Exit handlers registered before it still run after it, and streams are flushed
as before; only cyclic garbage left at exit is not finalised (CPython does not promise that).
The command line and the worker processes of :func:`matoolbox.sweep.run_sweep` call it; a
library call in a user's own process does not.
"""
from __future__ import annotations

import atexit
import gc

__all__ = ["skip_exit_collection"]

_REGISTERED = []


def skip_exit_collection() -> None:
    """Register ``gc.freeze`` to run at interpreter exit (once per process; later calls do nothing)."""
    if not _REGISTERED:
        atexit.register(gc.freeze)
        _REGISTERED.append(True)
