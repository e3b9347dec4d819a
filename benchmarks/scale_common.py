"""What the scale benchmarks (issue 13, ``make bench-scale``) share: the cached synthetic
datasets, the LocalCluster they run on, CPU and memory sampling, the load average and the
results file.

Datasets are written once by ``ibm.synthetic_dataset`` (the chunked, seeded generator) into
``benchmarks/data-cache/`` (git-ignored) and reused when present: the same arguments write the
same files, so a cached folder is the one the arguments would write. A folder is written under
a temporary name and renamed when complete, so an interrupted write is never reused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, _machine, _machine_slug, _versions

import ibm_engine as ibm
from ibm_engine.scale import SPAWN_ENVIRON, worker_environ

#: where the synthetic datasets are kept between runs (git-ignored)
CACHE = Path(__file__).resolve().parent / "data-cache"
SEED = 2021


def disk_mb(path: Path) -> float:
    """Bytes of the files under ``path``, in MB."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages (``uptime``)."""
    return [round(x, 2) for x in os.getloadavg()]


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def cached_dataset(n: int, partition_size: int = 50_000, seed: int = SEED) -> Path:
    """The synthetic dataset of ``n`` participants in the cache, written first if absent."""
    root = CACHE / f"region-{n}-p{partition_size}-s{seed}"
    if (root / "_ibm_dataset.json").is_file():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = CACHE / f".{root.name}.writing-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.perf_counter()
    ibm.synthetic_dataset(tmp, n, seed=seed, partition_size=partition_size)
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)
    secs = time.perf_counter() - t0
    print(f"wrote {root} ({disk_mb(root):.1f} MB) in {secs:.1f} s", flush=True)
    return root


def manifest(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "_ibm_dataset.json").read_text())
    return data


def self_cpu() -> float:
    """CPU seconds of this process and its waited-for children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _cpu_here() -> float:
    import psutil

    t = psutil.Process().cpu_times()
    return float(t.user + t.system)


def workers_cpu(client: Any) -> float:
    """CPU seconds of the worker processes so far (summed)."""
    return float(sum(client.run(_cpu_here).values()))


def worker_pids(client: Any) -> dict[str, int]:
    """Worker address -> process id."""
    return {str(k): int(v) for k, v in client.run(os.getpid).items()}


@contextmanager
def cluster(workers: int = 2, memory_limit: str | None = None) -> Iterator[Any]:
    """A LocalCluster of ``workers`` single-threaded worker processes (with the allocator
    setting the library's embedded cluster uses) and its client."""
    import dask
    from distributed import Client, LocalCluster

    kw: dict[str, Any] = {} if memory_limit is None else {"memory_limit": memory_limit}
    with (
        dask.config.set({SPAWN_ENVIRON: worker_environ()}),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, **kw
        ) as c,
        Client(c) as client,
    ):
        yield client


def warm(client: Any, scratch: Path) -> None:
    """Imports and the compiled solver's cache loaded on every worker (not timed)."""
    small = scratch / "warm"
    if not small.exists():
        ibm.synthetic_dataset(small, 400, seed=1, partition_size=50)
    ibm.allocate_dataset(small, client=client)


class MemorySampler:
    """Resident memory of some processes, sampled every ``every`` seconds in a thread; the
    peak of each (``peaks``, MB) and of their sum."""

    def __init__(self, pids: dict[str, int], every: float = 0.25) -> None:
        import psutil

        self.procs = {k: psutil.Process(p) for k, p in pids.items()}
        self.peaks = {k: 0.0 for k in pids}
        self.peak_sum = 0.0
        self.samples = 0
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0.0
            for k, p in self.procs.items():
                try:
                    rss = p.memory_info().rss / 1e6
                except Exception:  # a process gone: the caller's restart check reports it
                    continue
                self.peaks[k] = max(self.peaks[k], rss)
                total += rss
            self.peak_sum = max(self.peak_sum, total)
            self.samples += 1
            self._stop.wait(self.every)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(client: Any | None, run: Callable[[], Any]) -> tuple[dict[str, Any], Any]:
    """Wall and CPU seconds of ``run()`` (CPU of this process, its children and, with a
    client, the workers), with the load average before and after."""
    before = load()
    k0 = workers_cpu(client) if client is not None else 0.0
    w0, c0 = time.perf_counter(), self_cpu()
    out = run()
    wall, cpu = time.perf_counter() - w0, self_cpu() - c0
    if client is not None:
        cpu += workers_cpu(client) - k0
    fig = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "load_before": before,
           "load_after": load(), "at": now_utc()}  # fmt: skip
    return fig, out


def save(kind: str, res: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<date>-<machine>-<kind>.json`` (machine and versions added)."""
    machine = _machine()
    date = dt.date.today().isoformat()
    res = {**res, "date": date, "finished": now_utc(), "machine": machine,
           "versions": versions()}  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{date}-{_machine_slug(machine)}-{kind}.json"
    path.write_text(json.dumps(res, indent=1, default=str) + "\n")
    print(f"written {path}", flush=True)
    return path


def versions() -> dict[str, str]:
    import dask
    import distributed
    import pyarrow

    return {**_versions(), "dask": dask.__version__, "distributed": distributed.__version__,
            "pyarrow": pyarrow.__version__}  # fmt: skip
