"""Issue 13's scale targets: a co-partitioned Parquet dataset allocated on a LocalCluster of 2
single-threaded workers (Parquet in, Parquet out, record included, cluster start excluded)
against the in-process ``read_parquet`` + ``ibm.allocate(workers=2)`` + ``to_parquet`` of the
same data on the same cores; and the shuffle path (inputs not co-partitioned), reported.

    .venv/bin/python benchmarks/scale.py                      # 1,000,000 participants
    .venv/bin/python benchmarks/scale.py --participants 200000

The dataset is written by ``ibm.synthetic_dataset`` (seed 2021, 50,000 per partition; timed
but not part of the target) into ``--data`` (a temporary folder by default). Wall seconds by
``time.perf_counter``; CPU seconds summed over the client and the workers (``psutil``), or
over the process and its children in-process. Both runs must give the same record id.
Writes ``benchmarks/results/<date>-<machine>-scale.json`` and prints Markdown rows for
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, _machine, _machine_slug, _versions

import ibm_engine as ibm
from ibm_engine.scale import SPAWN_ENVIRON, RepartitionWarning, worker_environ


def _disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def _worker_cpu(client: Any) -> float:
    def cpu() -> float:
        import psutil

        t = psutil.Process().cpu_times()
        return float(t.user + t.system)

    return float(sum(client.run(cpu).values()))


def _self_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _on_dask(client: Any, run: Any) -> tuple[dict[str, float], Any]:
    w0, c0, k0 = time.perf_counter(), _self_cpu(), _worker_cpu(client)
    result = run()
    wall = time.perf_counter() - w0
    cpu = _self_cpu() - c0 + _worker_cpu(client) - k0
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}, result


def _in_process(root: Path, out: Path) -> tuple[dict[str, float], str]:
    w0, c0 = time.perf_counter(), _self_cpu()
    people = pd.read_parquet(root / "participants")
    plan = pd.read_parquet(root / "plan_items")
    services = pd.read_parquet(root / "services.parquet")
    r = ibm.allocate(people, plan, services, workers=2)
    out.mkdir(parents=True)
    r.items.to_parquet(out / "items.parquet", index=False)
    r.participants.to_parquet(out / "participants.parquet", index=False)
    r.rejected.astype(str).to_parquet(out / "rejected.parquet", index=False)
    wall, cpu = time.perf_counter() - w0, _self_cpu() - c0
    assert r.record is not None
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}, r.record.id


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=1_000_000)
    ap.add_argument("--partition-size", type=int, default=50_000)
    ap.add_argument("--data", type=Path, default=None, help="folder for the data (kept)")
    ap.add_argument("--skip-shuffle", action="store_true")
    args = ap.parse_args(argv)
    from distributed import Client, LocalCluster

    tmp = Path(tempfile.mkdtemp(prefix="ibm-scale-"))
    data = args.data or tmp
    root = data / f"region-{args.participants}"
    res: dict[str, Any] = {"participants_asked": args.participants}
    t0 = time.perf_counter()
    if not root.exists():
        ibm.synthetic_dataset(root, args.participants, partition_size=args.partition_size)
    manifest = json.loads((root / "_ibm_dataset.json").read_text())
    res["generate_s"] = round(time.perf_counter() - t0, 1)
    res["partitions"] = manifest["partitions"]
    res["input_mb"] = round(_disk_mb(root), 1)
    print(f"dataset: {manifest['partitions']} partitions, {res['input_mb']} MB", flush=True)

    warnings.simplefilter("ignore", RepartitionWarning)
    import dask

    with (
        dask.config.set({SPAWN_ENVIRON: worker_environ()}),
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        small = tmp / "warm"
        ibm.synthetic_dataset(small, 200, partition_size=100)
        ibm.allocate_dataset(small, client=client)  # imports on the workers: not timed
        out = tmp / "out-dask"
        res["dask"], r = _on_dask(
            client, lambda: ibm.allocate_dataset(root, client=client, output=out)
        )
        res["dask"]["output_mb"] = round(_disk_mb(out), 1)
        res["dask"]["record_id"] = r.record.id
        res["participants"] = int(r.record.inputs["participants"].rows)
        res["plan_items"] = int(r.record.inputs["plan_items"].rows)
        print("dask", res["dask"], flush=True)
        shutil.rmtree(out)
        if not args.skip_shuffle:
            import dask.dataframe as dd

            files = sorted(str(f) for f in (root / "plan_items").glob("*.parquet"))
            items = dd.from_map(pd.read_parquet, files).repartition(
                npartitions=max(len(files) - 1, 1)
            )
            res["dask_shuffle"], r2 = _on_dask(
                client,
                lambda: ibm.allocate_dataset(
                    root / "participants",
                    items,
                    root / "services.parquet",
                    client=client,
                    output=out,
                ),
            )
            res["dask_shuffle"]["record_id"] = r2.record.id
            print("dask shuffle", res["dask_shuffle"], flush=True)
            shutil.rmtree(out)
    res["in_process"], rid = _in_process(root, tmp / "out-local")
    res["in_process"]["record_id"] = rid
    print("in-process", res["in_process"], flush=True)
    res["same_record"] = rid == res["dask"]["record_id"]
    res["ratio_wall"] = round(res["dask"]["wall_s"] / res["in_process"]["wall_s"], 2)
    shutil.rmtree(tmp, ignore_errors=True)

    machine = _machine()
    date = dt.date.today().isoformat()
    res.update(date=date, machine=machine, versions=_versions())
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{date}-{_machine_slug(machine)}-scale.json"
    path.write_text(json.dumps(res, indent=1, default=str) + "\n")
    n = res["participants"]
    print("\n| run | participants | wall (s) | CPU (s) |\n|---|---:|---:|---:|")
    print(f"| in-process (read, allocate workers=2, write) | {n:,} | "
          f"{res['in_process']['wall_s']} | {res['in_process']['cpu_s']} |")  # fmt: skip
    print(f"| LocalCluster 2 workers, co-partitioned | {n:,} | {res['dask']['wall_s']} | "
          f"{res['dask']['cpu_s']} |")  # fmt: skip
    if "dask_shuffle" in res:
        print(f"| LocalCluster 2 workers, shuffle | {n:,} | {res['dask_shuffle']['wall_s']} | "
              f"{res['dask_shuffle']['cpu_s']} |")  # fmt: skip
    print(f"\nratio {res['ratio_wall']} (target <= 1.5), same record: {res['same_record']}")
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
