"""Issue 13's weak-scaling table: ``ibm.allocate_dataset`` Parquet to Parquet with the same data
per worker, measured on a LocalCluster of 1 and of 2 single-threaded workers, and beyond by a
model from the measured per-partition cost and the scheduler's overhead per task.

    .venv/bin/python benchmarks/scale_weak.py                  # 500,000 participants a worker
    .venv/bin/python benchmarks/scale_weak.py --per-worker 100000 --partition-size 25000

The datasets (``--per-worker`` x workers participants, ``--partition-size`` a partition) are
the cached ones of ``ibm.synthetic_dataset``: the 2-worker dataset's first half is the
1-worker dataset, file for file. Measured for each cluster size (cluster start and a warm-up
excluded): wall and CPU seconds, and from Dask's task stream the time each task computed
(the co-partitioning check ``id_hashes`` and ``allocate_partition`` per partition).
Measured once: the scheduler's overhead per task (``--noop`` tasks that do nothing, submitted
together, wall / count on the 2-worker cluster) and the client's cost per participant of the
co-partitioning check (``np.unique`` of 64-bit id hashes). The model (see
``docs/benchmarks.md``)::

    T(W) = c0 + max(p * t_part, W * p * k * s) + W * p * n * h

with ``p`` partitions per worker, ``n`` participants per partition, ``t_part`` the compute
time of one partition's tasks on a worker (measured alone, on 1 worker), ``k = 3`` tasks per
partition (check, allocate, the summary's extraction), ``s`` the scheduler's time per task
(the workers compute while the scheduler dispatches, so the run takes the longer of the two),
``h`` the client's cost per participant (the check's duplicate search over all ids, after all
the checks and before any allocation: it adds); ``c0`` (the fixed part: the client's argument
check, graph building, record, rename) is what the 1-worker measurement leaves. Not modelled:
the shared file system's bandwidth (about 10 MB read and written per partition). Writes
``benchmarks/results/<date>-<machine>-scale-weak.json``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_common import cached_dataset, cluster, disk_mb, load, manifest, save, timed, warm

import ibm_engine as ibm

#: tasks the engine runs per partition: the check, the allocation, the summary's extraction
TASKS_PER_PARTITION = 3
MODEL_WORKERS = (1, 2, 4, 8, 16, 32, 64, 128)


def _durations(stream: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Compute seconds of each task, by the task's function name."""
    out: dict[str, list[float]] = {}
    for t in stream:
        name = str(t["key"][0] if isinstance(t["key"], tuple) else t["key"]).split("-")[0]
        secs = sum(s["stop"] - s["start"] for s in t["startstops"] if s["action"] == "compute")
        out.setdefault(name, []).append(secs)
    return out


def _noop(x: int) -> int:
    return x


def scheduler_overhead(client: Any, count: int) -> float:
    """Seconds per task of ``count`` tasks that do nothing (submitted at once, gathered)."""
    client.gather(client.map(_noop, range(50), pure=False))  # warm
    t0 = time.perf_counter()
    client.gather(client.map(_noop, range(count), pure=False))
    return (time.perf_counter() - t0) / count


def client_per_participant(n: int = 2_000_000) -> float:
    """Seconds per participant of the client's part of the co-partitioning check."""
    rng = np.random.default_rng(0)
    h = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
    t0 = time.perf_counter()
    _, counts = np.unique(h, return_counts=True)
    bool((counts > 1).any())
    return (time.perf_counter() - t0) / n


def measure(workers: int, root: Path, scratch: Path) -> dict[str, Any]:
    from distributed import get_task_stream

    with cluster(workers) as client:
        warm(client, scratch)
        out = scratch / f"out-{workers}"
        with get_task_stream(client) as ts:
            fig, r = timed(client, lambda: ibm.allocate_dataset(root, client=client, output=out))
        shutil.rmtree(out)
        d = _durations(ts.data)
        fig["participants"] = int(r.record.inputs["participants"].rows)
        fig["partitions"] = int(r.partitions)
        fig["task_seconds"] = {k: round(sum(v), 2) for k, v in d.items()}
        fig["task_count"] = {k: len(v) for k, v in d.items()}
        fig["allocate_partition_median_s"] = round(statistics.median(d["allocate_partition"]), 3)
        fig["id_hashes_median_s"] = round(statistics.median(d["id_hashes"]), 4)
        fig["record_id"] = r.record.id
        return fig


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-worker", type=int, default=500_000)
    ap.add_argument("--partition-size", type=int, default=50_000)
    ap.add_argument("--noop", type=int, default=2000, help="no-op tasks timed")
    args = ap.parse_args(argv)

    res: dict[str, Any] = {"per_worker": args.per_worker, "partition_size": args.partition_size,
                           "load_start": load(), "measured": {}}  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="ibm-scale-weak-"))
    try:
        for w in (1, 2):
            root = cached_dataset(w * args.per_worker, args.partition_size)
            fig = measure(w, root, tmp)
            fig["input_mb"] = round(disk_mb(root), 1)
            fig["seed"] = manifest(root)["seed"]
            res["measured"][str(w)] = fig
            print(w, "workers", fig, flush=True)
        with cluster(2) as client:
            res["scheduler_s_per_task"] = round(scheduler_overhead(client, args.noop), 6)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["client_s_per_participant"] = client_per_participant()

    one = res["measured"]["1"]
    p = one["partitions"]
    n = one["participants"] / p
    t_part = (one["task_seconds"]["allocate_partition"] + one["task_seconds"]["id_hashes"]) / p
    s, h = res["scheduler_s_per_task"], res["client_s_per_participant"]

    def t_model(w: int, c0: float = 0.0) -> float:
        return c0 + max(p * t_part, w * p * TASKS_PER_PARTITION * s) + w * p * n * h

    c0 = one["wall_s"] - t_model(1)
    model = {w: t_model(w, c0) for w in MODEL_WORKERS}
    two = res["measured"].get("2")
    res["model"] = {
        "formula": "T(W) = c0 + max(p * t_part, W * p * k * s) + W * p * n * h",
        "p": p, "n": n, "k": TASKS_PER_PARTITION, "t_part_s": round(t_part, 3),
        "s_per_task": s, "h_per_participant": h, "c0_s": round(c0, 2),
        "T_s": {str(w): round(t, 1) for w, t in model.items()},
        "efficiency": {str(w): round(model[1] / t, 3) for w, t in model.items()},
        "t_part_s_on_2_workers": None if two is None else round(
            (two["task_seconds"]["allocate_partition"] + two["task_seconds"]["id_hashes"])
            / two["partitions"], 3),
    }  # fmt: skip
    save("scale-weak", res)

    print("\n| workers | participants | partitions | wall (s) | CPU (s) | efficiency | load |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for w in MODEL_WORKERS:
        m = res["measured"].get(str(w))
        if m is not None:
            print(f"| {w} (measured) | {m['participants']:,} | {m['partitions']} | "
                  f"{m['wall_s']} | {m['cpu_s']} | {one['wall_s'] / m['wall_s']:.2f} | "
                  f"{m['load_before'][0]} / {m['load_after'][0]} |")  # fmt: skip
        print(f"| {w} (model) | {round(w * p * n):,} | {w * p} | {model[w]:.1f} | | "
              f"{model[1] / model[w]:.2f} | |")  # fmt: skip
    print(f"\nT(W) = {c0:.2f} + max({p} x {t_part:.3f}, W x {p} x {TASKS_PER_PARTITION} x "
          f"{s * 1e3:.2f} ms) + W x {p} x {n:,.0f} x {h * 1e9:.1f} ns; one partition's tasks "
          f"took {res['model']['t_part_s_on_2_workers']} s each on 2 workers")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
