"""An analyst sweeps the price level of a region on a Dask cluster, and allocates a
partitioned Parquet dataset on it.

Run: python examples/sweep_on_cluster.py   (needs pip install 'ibm_engine[dask]')

A LocalCluster of two single-threaded workers stands in for any Dask cluster (Kubernetes, an
HPC job queue): pass its `Client` and the same calls run there. The sweep's scenarios run as
Dask tasks and give what the serial loop gives; the dataset is allocated partition by
partition and gives the record of one in-process `ibm.allocate`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import dask
from distributed import Client, LocalCluster

import ibm_engine as ibm
from ibm_engine.scale import SPAWN_ENVIRON, worker_environ


def main() -> None:
    people, plan, services = ibm.synthetic_zemgale(seed=11, scale=0.5)
    base = ibm.Baseline(people, plan, services)
    factors = [0.8, 0.9, 1.1, 1.2, 1.3, 1.5]
    with (
        dask.config.set({SPAWN_ENVIRON: worker_environ()}),  # see docs/scale.md, Memory
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter()
        swept = ibm.sweep(base, "price", factors, client=client)
        on_cluster = time.perf_counter() - start
        spend = swept[(swept.kpi == "spent_eur") & (swept.by == "all")]
        print(f"{len(people):,} participants, {len(factors)} price levels on the cluster "
              f"({on_cluster:.1f} s):")  # fmt: skip
        print(spend[["scenario", "value", "delta"]].to_string(index=False))

        with tempfile.TemporaryDirectory() as tmp:
            root = ibm.write_dataset(people, plan, Path(tmp) / "region", services=services,
                                     partition_size=200)  # fmt: skip
            result = ibm.allocate_dataset(root, client=client, output=Path(tmp) / "result")
            one = ibm.allocate(people, plan, services)
            print(f"dataset of {result.partitions} partitions: record {result.record.id}, "
                  f"same as in-process: {result.record.id == one.record.id}")  # fmt: skip


if __name__ == "__main__":
    main()
