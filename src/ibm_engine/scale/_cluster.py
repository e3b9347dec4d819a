"""The Dask client of a call: the caller's (used, never closed) or an embedded LocalCluster
(started for the call, sized to the machine, closed after it); and the progress display."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

__all__ = [
    "MMAP_THRESHOLD",
    "SPAWN_ENVIRON",
    "local_cluster_size",
    "require_dask",
    "session",
    "show_progress",
    "worker_environ",
]

#: the Dask setting of the environment a nanny gives the worker processes it starts
SPAWN_ENVIRON = "distributed.nanny.pre-spawn-environ"
#: glibc's mmap threshold (bytes) in worker processes: Dask sets MALLOC_TRIM_THRESHOLD_, which
#: turns off glibc's adaptive mmap threshold, so every array above 128 KiB was mmapped and
#: unmapped again: a partition's allocation spent as much time in page faults as in its work
#: (measured: 2.4 s of system time on 2.3 s of user time for 25,000 participants; 0.2 s with
#: this). 32 MiB is glibc's largest value on 64-bit.
MMAP_THRESHOLD = 32 * 1024 * 1024


def worker_environ() -> dict[str, object]:
    """Dask's environment for new worker processes, with :data:`MMAP_THRESHOLD` (give it to
    clusters you start yourself: ``dask.config.set({SPAWN_ENVIRON: worker_environ()})``)."""
    import dask

    env = dict(dask.config.get(SPAWN_ENVIRON, default={}) or {})
    env.setdefault("MALLOC_MMAP_THRESHOLD_", MMAP_THRESHOLD)
    return env


def require_dask(what: str) -> None:
    """Raise an ImportError naming the extra when dask or distributed is not installed."""
    missing = [m for m in ("dask", "distributed") if importlib.util.find_spec(m) is None]
    if missing:
        raise ImportError(f"{what} needs {' and '.join(missing)}: pip install 'ibm_engine[dask]'")


def local_cluster_size() -> int:
    """Workers of the embedded cluster: one single-threaded worker per core this process may
    use (the solver is single-threaded; processes avoid Python's lock)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


@contextmanager
def session(client: Any = None) -> Iterator[Any]:
    """The client to run on: ``client`` as given, or a LocalCluster for this call only."""
    if client is not None:
        yield client
        return
    require_dask("Running on Dask")
    import dask
    from distributed import Client, LocalCluster

    with (
        dask.config.set({SPAWN_ENVIRON: worker_environ()}),
        LocalCluster(
            n_workers=local_cluster_size(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never clashes with a running cluster
        ) as cluster,
        Client(cluster) as embedded,
    ):
        yield embedded


def show_progress(client: Any, futures: Sequence[Any], out: TextIO | None = None) -> None:
    """The dashboard link and a progress bar of ``futures`` (a widget in Jupyter, text in a
    terminal); returns when they are done."""
    from distributed import progress, wait

    services = client.scheduler_info().get("services", {})
    if "dashboard" in services:
        print(f"Dask dashboard: {client.dashboard_link}", file=out or sys.stderr, flush=True)
    from distributed.utils import is_kernel

    shown = False
    if is_kernel():  # Jupyter: a widget, shown here (not the cell's last value)
        try:
            from IPython.display import display

            display(progress(list(futures), notebook=True))  # type: ignore[no-untyped-call]
            shown = True
        except ImportError:  # no ipywidgets: the text bar
            pass
    if not shown:
        progress(list(futures), notebook=False)  # blocks until done
    wait(list(futures))
