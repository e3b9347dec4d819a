"""The run archive's tables, the same in DuckDB and PostgreSQL, and what a database offers it.

``ibm_runs``: one row per stored run (written last, in the same transaction as its tables);
``ibm_run_municipalities``: the municipalities of a run's participants (to filter on);
``ibm_columns``: the columns of each stored table of each run (name, pandas dtype, kind,
database column); the data tables ``ibm_<table>`` (``ibm_input_participants``,
``ibm_input_plan_items``, ``ibm_input_services``, the other inputs a run may have
``ibm_input_capacities``, ``_neighbours``, ``_periods``, ``_disruptions``, ``_pauses``, and the
outputs ``ibm_items``, ``ibm_participants``, ``ibm_rejected``): ``run_id``, ``row_no`` (the
row's position) and one column per stored column, added (nullable) the first time a run has it.
Tables added in a later version are created in an existing archive on its next write (same
schema version: an older archive's runs read as they were). Money is BIGINT cents.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Final, Protocol

import pandas as pd

__all__ = ["DATA_TABLES", "SCHEMA", "SCHEMA_VERSION", "Database", "Transaction", "quote"]

SCHEMA_VERSION: Final = 1

#: stored table -> database table
DATA_TABLES: Final = {
    "input_participants": "ibm_input_participants",
    "input_plan_items": "ibm_input_plan_items",
    "input_services": "ibm_input_services",
    "input_capacities": "ibm_input_capacities",
    "input_neighbours": "ibm_input_neighbours",
    "input_periods": "ibm_input_periods",
    "input_disruptions": "ibm_input_disruptions",
    "input_pauses": "ibm_input_pauses",
    "items": "ibm_items",
    "participants": "ibm_participants",
    "rejected": "ibm_rejected",
}

SCHEMA: Final = (
    """CREATE TABLE IF NOT EXISTS ibm_archive (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS ibm_runs (
        run_id TEXT PRIMARY KEY,
        stored_at TIMESTAMP NOT NULL,
        kind TEXT NOT NULL,
        policy TEXT,
        period_weeks BIGINT,
        corrects TEXT,
        pseudonymised BOOLEAN NOT NULL,
        library_version TEXT NOT NULL,
        participants BIGINT NOT NULL,
        items BIGINT NOT NULL,
        rejected BIGINT NOT NULL,
        budget_cents BIGINT,
        spent_cents BIGINT,
        note TEXT,
        record TEXT NOT NULL,
        summary TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS ibm_run_municipalities (
        run_id TEXT NOT NULL, municipality TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS ibm_columns (
        run_id TEXT NOT NULL,
        table_name TEXT NOT NULL,
        position BIGINT NOT NULL,
        name TEXT NOT NULL,
        dtype TEXT NOT NULL,
        kind TEXT NOT NULL,
        physical TEXT NOT NULL,
        categories TEXT)""",
    *(
        f"CREATE TABLE IF NOT EXISTS {t} (run_id TEXT NOT NULL, row_no BIGINT NOT NULL)"
        for t in DATA_TABLES.values()
    ),
)

#: every table of the archive
ALL_TABLES: Final = ("ibm_archive", "ibm_runs", "ibm_run_municipalities", "ibm_columns",
                     *DATA_TABLES.values())  # fmt: skip


def quote(name: str) -> str:
    """A column name as a quoted SQL identifier.

    Examples
    --------
    >>> print(quote('a"b'))
    "a""b"
    """
    return '"' + name.replace('"', '""') + '"'


class Transaction(Protocol):
    """One open transaction of a database (the statements use ``?`` for parameters)."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one query and return its rows."""

    def columns(self, table: str) -> set[str]:
        """The columns the database table has now."""

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        """Insert the frame's rows in bulk (its columns are the table's, already quoted)."""

    def select(self, table: str, run_id: str, columns: Sequence[str]) -> pd.DataFrame:
        """The run's rows of a data table in ``row_no`` order, those columns only."""


class Database(Protocol):
    """A database the archive can use: a DuckDB file or a PostgreSQL server."""

    where: str

    def write(self) -> AbstractContextManager[Transaction]:
        """A write transaction (schema created if missing); committed on a clean exit."""

    def read(self) -> AbstractContextManager[Transaction | None]:
        """A read transaction, or None where the archive does not exist yet."""


def create_schema(tx: Transaction) -> None:
    """Create the archive's tables where missing, and check the schema version."""
    for statement in SCHEMA:
        tx.execute(statement)
    found = tx.rows("SELECT value FROM ibm_archive WHERE key = 'schema_version'")
    if not found:
        tx.execute("INSERT INTO ibm_archive VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])


def chunks(frame: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    """The frame in slices of ``size`` rows (at least one slice, even when empty)."""
    for start in range(0, max(len(frame), 1), size):
        yield frame.iloc[start : start + size]
