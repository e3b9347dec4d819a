"""A worker killed mid-run (from inside a task, once) loses and duplicates no participant:
the scheduler reruns the lost tasks on a worker the nanny restarts, and a rerun partition
overwrites its own files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import ibm_engine as ibm

dd = pytest.importorskip("dask.dataframe")


def test_a_worker_killed_in_a_partition_task_loses_and_duplicates_nothing(
    dask_client: Any, region: Any, tmp_path: Path
) -> None:
    p, i, s = region
    one = ibm.allocate(p, i, s)
    root = ibm.write_dataset(p, i, tmp_path / "ds", partition_size=40)
    marker = tmp_path / "built"
    chosen = 2
    files = sorted(str(f) for f in (root / "participants").iterdir())

    def people(k: int) -> pd.DataFrame:
        # partition `chosen` is built twice (the id check, then the allocation); the second
        # time, once, its worker process dies on the spot
        if k == chosen:
            builds = int(marker.read_text()) if marker.exists() else 0
            marker.write_text(str(builds + 1))
            if builds == 1:
                os._exit(1)
        return pd.read_parquet(files[k])

    frame = dd.from_map(people, range(len(files)), meta=p.iloc[:0], enforce_metadata=False)
    workers = set(dask_client.scheduler_info()["workers"])
    r = ibm.allocate_dataset(frame, root / "plan_items", s, client=dask_client,
                             output=tmp_path / "out")  # fmt: skip
    assert int(marker.read_text()) >= 3  # built, killed, built again
    dask_client.wait_for_workers(2)
    assert set(dask_client.scheduler_info()["workers"]) != workers  # one was replaced
    got = pd.read_parquet(tmp_path / "out" / "participants")
    assert got["participant_id"].is_unique
    assert got["participant_id"].tolist() == one.participants["participant_id"].tolist()
    assert len(pd.read_parquet(tmp_path / "out" / "items")) == len(one.items)
    assert r.record.id == one.record.id and r.record.outputs == one.record.outputs
    assert sorted(f.name for f in (tmp_path / "out" / "items").iterdir()) == [
        f"part-00000{k}.parquet" for k in range(4)
    ]  # no stray temporary file
