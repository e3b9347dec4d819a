"""Issue 13's second scale target: 10,000,000 participants (about 79M plan lines, written once
by the chunked seeded generator ``ibm.synthetic_dataset`` into ``benchmarks/data-cache/``)
allocated from and to Parquet on a LocalCluster of 2 single-threaded workers with
``memory_limit="4GB"``, with no worker restarted or killed.

    .venv/bin/python benchmarks/scale_10m.py                       # 10,000,000 participants
    .venv/bin/python benchmarks/scale_10m.py --participants 200000 --memory-limit 1GB

Reported: wall and CPU seconds (cluster start and a warm-up excluded, record included); the
peak resident memory of each worker process (sampled every 0.25 s with ``psutil``) and of the
client; the disk needed (the dataset, the result, and their sum: the result is written into a
staging folder beside the output and renamed); whether any worker was restarted or killed:
the worker processes' ids before and after, the nannies' and the scheduler's logs searched
for restarts, kills, memory-limit terminations and pauses. Writes
``benchmarks/results/<date>-<machine>-scale-10m.json``.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_common import (
    MemorySampler,
    cached_dataset,
    cluster,
    disk_mb,
    load,
    manifest,
    save,
    timed,
    warm,
    worker_pids,
)

import ibm_engine as ibm

#: log lines that mean a worker was restarted or killed (by its nanny, for its memory or not)
TROUBLE = re.compile(
    r"restart|killed|terminat|exceeded|died|lost|unexpected|exit|remove worker", re.IGNORECASE
)
#: log lines about memory that stop no worker (a pause, high unmanaged memory): reported apart
MEMORY = re.compile(r"paus|unmanaged memory|memory use is high|spill", re.IGNORECASE)


def _logs(client: Any) -> list[str]:
    """The scheduler's, the workers' and the nannies' log lines."""
    lines = [f"scheduler: {msg}" for _, msg in client.get_scheduler_logs(n=10_000)]
    for nanny in (False, True):
        who = "nanny" if nanny else "worker"
        for addr, entries in client.get_worker_logs(n=10_000, nanny=nanny).items():
            lines += [f"{who} {addr}: {msg}" for _, msg in entries]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=10_000_000)
    ap.add_argument("--partition-size", type=int, default=50_000)
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--timeout", type=float, default=1500, help="seconds; then a failure")
    args = ap.parse_args(argv)

    free_gb = shutil.disk_usage(Path(__file__).resolve().parent).free / 1e9
    need_gb = args.participants * 220 / 1e9  # dataset about 54 B, result about 155 B a person
    print(f"disk free {free_gb:.1f} GB, about {need_gb:.1f} GB needed", flush=True)
    if free_gb < 2 * need_gb:
        print("not enough free disk", file=sys.stderr)
        return 2
    root = cached_dataset(args.participants, args.partition_size)
    m = manifest(root)
    res: dict[str, Any] = {
        "dataset": root.name, "participants": m["participants"], "partitions": m["partitions"],
        "seed": m["seed"], "input_mb": round(disk_mb(root), 1), "workers": 2,
        "threads_per_worker": 1, "memory_limit": args.memory_limit, "load_start": load(),
    }  # fmt: skip
    print(f"dataset: {m['partitions']} partitions, {res['input_mb']} MB", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="ibm-scale-10m-", dir=root.parent))
    try:
        with cluster(2, memory_limit=args.memory_limit) as client:
            pool = ThreadPoolExecutor(1)
            pool.submit(warm, client, tmp).result(timeout=300)
            before = worker_pids(client)
            logs_before = len(_logs(client))
            out = tmp / "out"
            error = None
            with MemorySampler(before) as mem:
                job = pool.submit(
                    timed, client, lambda: ibm.allocate_dataset(root, client=client, output=out)
                )
                try:
                    fig, r = job.result(timeout=args.timeout)
                except FutureTimeout:  # e.g. workers paused for their memory, for good
                    error = f"not done after {args.timeout} s"
                except Exception as e:  # a worker killed too often (KilledWorker), ...
                    error = f"{type(e).__name__}: {e}"
                pool.shutdown(wait=False)
            after = worker_pids(client)
            logs = _logs(client)
            res["error"] = error
            if error is None:
                res.update(fig)
                res["plan_items"] = int(r.record.inputs["plan_items"].rows)
                res["items_rows"] = int(r.record.outputs["items"].rows)
                res["record_id"] = r.record.id
                res["output_mb"] = round(disk_mb(out), 1)
                res["disk_needed_mb"] = round(res["input_mb"] + res["output_mb"], 1)
            res["peak_rss_mb_per_worker"] = {k: round(v) for k, v in mem.peaks.items()}
            res["peak_rss_mb_workers_sum"] = round(mem.peak_sum)
            res["memory_samples"] = mem.samples
            res["client_peak_rss_mb"] = round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
            )
            res["worker_pids_before"] = before
            res["worker_pids_after"] = after
            res["trouble_log_lines"] = [x for x in logs if TROUBLE.search(x)]
            res["memory_log_lines"] = [x for x in logs if MEMORY.search(x)]
            res["log_lines"] = len(logs)
            res["log_lines_before_run"] = logs_before
            res["no_worker_restarted"] = before == after and not res["trouble_log_lines"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    save("scale-10m", res)
    if res["error"] is not None:
        print(f"failed: {res['error']}\n" + "\n".join(res["trouble_log_lines"]), file=sys.stderr)
        return 1
    print(
        f"\n| participants | plan lines | partitions | wall (s) | CPU (s) | peak RSS per worker "
        f"(MB) | disk in + out (MB) | restarts |\n|---:|---:|---:|---:|---:|---|---|---|\n"
        f"| {res['participants']:,} | {res['plan_items']:,} | {res['partitions']} | "
        f"{res['wall_s']} | {res['cpu_s']} | "
        f"{', '.join(str(v) for v in res['peak_rss_mb_per_worker'].values())} | "
        f"{res['input_mb']} + {res['output_mb']} | "
        f"{'none' if res['no_worker_restarted'] else res['trouble_log_lines']} |"
    )
    print(f"load before / after {res['load_before']} / {res['load_after']}")
    print(f"memory log lines (no restart): {len(res['memory_log_lines'])}")
    return 0 if res["no_worker_restarted"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
