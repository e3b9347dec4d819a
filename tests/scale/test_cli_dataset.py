"""``ibm-engine dataset``: a dataset folder allocated on a running scheduler, with progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.cli import main


def test_cli_allocates_a_dataset_on_a_scheduler(
    dask_client: Any,
    region: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p, i, s = region
    one = ibm.allocate(p, i, s, policy="priority")
    monkeypatch.chdir(tmp_path)  # relative paths: the workers have other working directories
    ibm.write_dataset(p, i, "ds", services=s, partition_size=50)
    address = dask_client.scheduler.address
    code = main(["dataset", "ds", "--out", "out", "--policy", "priority",
                 "--scheduler", address])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert f"record {one.record.id}" in out and "140 participants" in out
    got = pd.read_parquet(tmp_path / "out" / "participants")
    assert got["participant_id"].tolist() == one.participants["participant_id"].tolist()
    assert dask_client.status == "running"


def test_cli_reports_bad_input_with_exit_code_2(
    dask_client: Any, region: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p, i, s = region
    root = ibm.write_dataset(p.assign(age=-1), i, tmp_path / "ds", services=s)
    code = main(["dataset", str(root), "--out", str(tmp_path / "out"),
                 "--scheduler", dask_client.scheduler.address])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "140 input problems" in err
    assert f"all 140 problems are also in {tmp_path / 'out.problems.parquet'}" in err
    assert not (tmp_path / "out").exists()
