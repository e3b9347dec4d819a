"""The run archive in a DuckDB file: one connection per operation, retried while locked.

DuckDB lets one process at a time open a file for writing (readers share it with each other
but not with a writer). Each operation opens the file, runs one transaction and closes it, so
two processes take turns; a process that finds the file locked retries until ``lock_timeout``
seconds have passed, then raises :class:`~ibm_engine.IbmEngineError`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from ibm_engine.errors import IbmEngineError
from ibm_engine.io._archive_schema import Transaction, create_schema, quote
from ibm_engine.io._read import _optional

__all__ = ["DuckDatabase"]

_FRAME = "ibm_engine_frame"  # name of the registered pandas frame during an insert


class _DuckTransaction:
    def __init__(self, con: Any) -> None:
        self.con = con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.con.execute(sql, list(params)).fetchall())

    def columns(self, table: str) -> set[str]:
        found = self.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
        )
        return {r[0] for r in found}

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        cols = ", ".join(quote(str(c)) for c in frame.columns)
        self.con.register(_FRAME, frame)
        try:
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {_FRAME}")
        finally:
            self.con.unregister(_FRAME)

    def select(self, table: str, run_id: str, columns: Sequence[str]) -> pd.DataFrame:
        cols = ", ".join(quote(c) for c in columns) or "row_no"
        sql = f"SELECT {cols} FROM {table} WHERE run_id = ? ORDER BY row_no"
        frame: pd.DataFrame = self.con.execute(sql, [run_id]).df()
        return frame[list(columns)]


class DuckDatabase:
    """A DuckDB file (created with the archive's tables on the first write)."""

    def __init__(self, path: Path, lock_timeout: float) -> None:
        self.path = path
        self.where = str(path)
        self.lock_timeout = lock_timeout

    def _connect(self, read_only: bool) -> Any:
        duckdb = _optional("duckdb", "archive", "A run archive in a DuckDB file")
        deadline = time.monotonic() + self.lock_timeout
        pause = 0.01
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.IOException as err:
                if "lock" not in str(err).lower():
                    raise IbmEngineError(f"cannot open the run archive {self.path}: {err}") from err
                if time.monotonic() >= deadline:
                    raise IbmEngineError(
                        f"the run archive {self.path} stayed locked by another process for "
                        f"{self.lock_timeout:g} s (DuckDB lets one process write at a time); "
                        "try again later or give RunArchive a longer lock_timeout"
                    ) from err
                time.sleep(pause * (1 + random.random()))
                pause = min(pause * 2, 0.5)

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        con = self._connect(read_only=False)
        try:
            con.execute("BEGIN TRANSACTION")
            tx = _DuckTransaction(con)
            create_schema(tx)
            yield tx
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    @contextmanager
    def read(self) -> Iterator[Transaction | None]:
        if not self.path.exists():
            yield None
            return
        con = self._connect(read_only=True)
        try:
            tables = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'ibm_runs'"
            ).fetchone()
            yield _DuckTransaction(con) if tables and tables[0] else None
        finally:
            con.close()
