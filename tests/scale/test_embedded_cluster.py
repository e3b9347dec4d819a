"""With no client, allocate_dataset starts a LocalCluster for the call and closes it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import ibm_engine as ibm


def test_no_client_starts_and_closes_a_local_cluster(region: Any, tmp_path: Path) -> None:
    from distributed.core import Status
    from distributed.deploy.spec import SpecCluster

    before = set(SpecCluster._instances)
    p, i, s = region
    one = ibm.allocate(p, i, s)
    root = ibm.write_dataset(p, i, tmp_path / "ds", services=s, partition_size=70)
    r = ibm.allocate_dataset(root, progress=io.StringIO())
    assert r.record.id == one.record.id
    started = [c for c in SpecCluster._instances if c not in before]
    assert len(started) == 1 and started[0].status == Status.closed
    # the tables of a run on an embedded cluster are lazy: computed again where asked
    # (here on dask's local threads), the same rows
    again = r.compute()
    assert again.items.equals(one.items) and again.participants.equals(one.participants)
