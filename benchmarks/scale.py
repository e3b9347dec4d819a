"""Issue 13's first scale target: a co-partitioned Parquet dataset of 1,000,000 participants
allocated on a LocalCluster of 2 single-threaded workers (Parquet in, Parquet out, record
included, cluster start excluded) against the in-process ``read_parquet`` +
``ibm.allocate(workers=2)`` + ``to_parquet`` of the same data on the same 2 cores; and the
shuffle path (the plan items cut into one partition fewer, so not co-partitioned), reported.

    .venv/bin/python benchmarks/scale.py                      # 1,000,000 participants
    .venv/bin/python benchmarks/scale.py --participants 100000 --repeat 1

The dataset is written once by ``ibm.synthetic_dataset`` (seed 2021, 50,000 per partition)
into ``benchmarks/data-cache/`` and reused. The runs alternate, ``--repeat`` rounds of
in-process, co-partitioned, shuffle, so that a change of the machine's other load touches
both sides. Wall seconds by ``time.perf_counter``; CPU seconds summed over the client and the
workers (``psutil``), or over the process and its children in-process; the load average
before and after each run. All runs must give the same record id. Writes
``benchmarks/results/<date>-<machine>-scale.json`` and prints Markdown rows.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_common import cached_dataset, cluster, disk_mb, load, manifest, save, timed, warm

import ibm_engine as ibm
from ibm_engine.scale import RepartitionWarning


def in_process(root: Path, out: Path) -> str:
    """Read both tables, ``ibm.allocate(workers=2)``, write the three result tables."""
    people = pd.read_parquet(root / "participants")
    plan = pd.read_parquet(root / "plan_items")
    services = pd.read_parquet(root / "services.parquet")
    r = ibm.allocate(people, plan, services, workers=2)
    out.mkdir(parents=True)
    r.items.to_parquet(out / "items.parquet", index=False)
    r.participants.to_parquet(out / "participants.parquet", index=False)
    r.rejected.astype(str).to_parquet(out / "rejected.parquet", index=False)
    if r.record is None:
        raise RuntimeError("no record")
    return r.record.id


def shuffled_items(root: Path) -> Any:
    """The plan items as a dask DataFrame of one partition fewer: not co-partitioned."""
    import dask.dataframe as dd

    files = sorted(str(f) for f in (root / "plan_items").glob("*.parquet"))
    frame = dd.from_map(pd.read_parquet, files)
    return frame.repartition(npartitions=max(len(files) - 1, 1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=1_000_000)
    ap.add_argument("--partition-size", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=2, help="rounds of the three runs")
    ap.add_argument("--skip-shuffle", action="store_true")
    args = ap.parse_args(argv)

    root = cached_dataset(args.participants, args.partition_size)
    m = manifest(root)
    res: dict[str, Any] = {
        "dataset": str(root.name), "partitions": m["partitions"], "seed": m["seed"],
        "input_mb": round(disk_mb(root), 1), "load_start": load(),
        "in_process": [], "dask": [], "dask_shuffle": [],
    }  # fmt: skip
    print(f"dataset: {m['partitions']} partitions, {res['input_mb']} MB", flush=True)
    warnings.simplefilter("ignore", RepartitionWarning)
    tmp = Path(tempfile.mkdtemp(prefix="ibm-scale-"))
    ids: set[str] = set()
    try:
        with cluster(2) as client:
            warm(client, tmp)
            out = tmp / "out"
            items = None if args.skip_shuffle else shuffled_items(root)
            for rnd in range(args.repeat):
                fig, rid = timed(None, lambda: in_process(root, out))
                fig["output_mb"] = round(disk_mb(out), 1)
                shutil.rmtree(out)
                res["in_process"].append(fig)
                ids.add(rid)
                print(rnd, "in-process", fig, flush=True)

                fig, r = timed(
                    client, lambda: ibm.allocate_dataset(root, client=client, output=out)
                )
                fig["output_mb"] = round(disk_mb(out), 1)
                shutil.rmtree(out)
                res["dask"].append(fig)
                ids.add(r.record.id)
                res["participants"] = int(r.record.inputs["participants"].rows)
                res["plan_items"] = int(r.record.inputs["plan_items"].rows)
                print(rnd, "dask", fig, flush=True)

                if items is not None:
                    fig, r = timed(
                        client,
                        lambda: ibm.allocate_dataset(
                            root / "participants", items, root / "services.parquet",
                            client=client, output=out,
                        ),
                    )  # fmt: skip
                    shutil.rmtree(out)
                    if not r.repartitioned:
                        raise RuntimeError("the shuffle run was not repartitioned")
                    res["dask_shuffle"].append(fig)
                    ids.add(r.record.id)
                    print(rnd, "dask shuffle", fig, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    res["same_record"] = len(ids) == 1
    res["record_id"] = sorted(ids)
    med = {k: statistics.median(f["wall_s"] for f in res[k]) for k in ("in_process", "dask")}
    res["ratio_wall_median"] = round(med["dask"] / med["in_process"], 2)
    res["ratio_wall_rounds"] = [
        round(d["wall_s"] / p["wall_s"], 2)
        for p, d in zip(res["in_process"], res["dask"], strict=True)
    ]
    save("scale", res)

    n = res["participants"]
    print(f"\n{n:,} participants, {res['plan_items']:,} plan lines")
    print("| run | wall (s) | CPU (s) | load (1 min, before / after) | wall / in-process |")
    print("|---|---:|---:|---|---:|")
    base = {i: f["wall_s"] for i, f in enumerate(res["in_process"])}
    for key, label in (
        ("in_process", "in-process: read, `allocate(workers=2)`, write"),
        ("dask", "`LocalCluster`, 2 workers, co-partitioned"),
        ("dask_shuffle", "`LocalCluster`, 2 workers, shuffle first"),
    ):
        for i, f in enumerate(res[key]):
            print(f"| {label} (round {i + 1}) | {f['wall_s']} | {f['cpu_s']} | "
                  f"{f['load_before'][0]} / {f['load_after'][0]} | "
                  f"{f['wall_s'] / base[i]:.2f} |")  # fmt: skip
    print(f"\nratio of medians {res['ratio_wall_median']} (target <= 1.5), per round "
          f"{res['ratio_wall_rounds']}; same record: {res['same_record']}")  # fmt: skip
    return 0 if res["same_record"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
