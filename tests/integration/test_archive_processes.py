"""The run archive across processes: a writer killed mid-write leaves no partial run; two
writers at once both succeed (DuckDB: they take turns on the file lock); a lock held too long
gives a clear error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ibm_engine as ibm

pytest.importorskip("duckdb")

#: stores one run; with a marker file given, stops for good after the first data table
#: (inside the transaction) once it has written the marker
_WRITER = """
import sys, time, pathlib
import ibm_engine as ibm
from ibm_engine.io import _archive_store
where, marker = sys.argv[1], sys.argv[2]
if marker != "-":
    original = _archive_store.encode
    def encode_then_hang(df, calls=[]):
        calls.append(1)
        if len(calls) == 2:
            pathlib.Path(marker).write_text("in the transaction")
            time.sleep(600)
        return original(df)
    _archive_store.encode = encode_then_hang
p, i, s = ibm.synthetic_zemgale(seed=5, n_grt=20, n_ft=20, n_bsac=10)
ibm.RunArchive(where, lock_timeout=120).store(ibm.allocate(p, i, s), p, i, s, note=sys.argv[3])
"""


@pytest.fixture(params=["duckdb", "postgres"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "duckdb":
        return str(tmp_path / "runs.duckdb")
    return str(request.getfixturevalue("postgres_db"))


def _writer(where: str, marker: str, note: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", _WRITER, where, marker, note])


def test_a_killed_writer_leaves_no_partial_run(where: str, tmp_path: Path, tables) -> None:
    p, i, s = tables()
    archive = ibm.RunArchive(where)
    archive.store(ibm.allocate(p, i, s), p, i, s, note="before")
    marker = tmp_path / "marker"
    proc = _writer(where, str(marker), "killed")
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, "the writer ended before the marker"
        assert time.monotonic() < deadline, "the writer never reached its first table"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert archive.runs()["note"].tolist() == ["before"]
    archive.store(ibm.allocate(p, i, s), p, i, s, note="after")
    runs = archive.runs()
    assert runs["note"].tolist() == ["before", "after"]
    assert [len(archive.load(r).items) for r in runs["run_id"]] == [5, 5]


def test_two_writers_at_once_both_succeed(where: str) -> None:
    procs = [_writer(where, "-", f"writer {k}") for k in (1, 2)]
    assert [proc.wait(timeout=300) for proc in procs] == [0, 0]
    runs = ibm.RunArchive(where).runs()
    assert sorted(runs["note"]) == ["writer 1", "writer 2"]
    assert runs["participants"].tolist() == [50, 50]


def test_a_lock_held_too_long_is_a_clear_error(tmp_path: Path, tables) -> None:
    where = tmp_path / "runs.duckdb"
    p, i, s = tables()
    ibm.RunArchive(where).store(ibm.allocate(p, i, s), p, i, s)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); time.sleep(600)", str(where)],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"open"
        with pytest.raises(ibm.IbmEngineError, match="stayed locked by another process"):
            ibm.RunArchive(where, lock_timeout=0.5).runs()
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
