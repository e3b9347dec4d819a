"""The run archive on a PostgreSQL server (psycopg 3): bulk COPY in and out, append-only.

A write takes a transaction-level advisory lock, so concurrent writers take turns on the
schema changes (a new column) and never see each other's half-written runs; the tables carry
a trigger that refuses UPDATE, DELETE and TRUNCATE, so a stored run never changes, whoever
connects.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

import pandas as pd

from ibm_engine.errors import IbmEngineError
from ibm_engine.io._archive_schema import ALL_TABLES, Transaction, create_schema, quote
from ibm_engine.io._read import _optional

__all__ = ["PostgresDatabase"]

#: ``pg_advisory_xact_lock`` key of archive writes ("ibm_arch" in ASCII)
_LOCK: Final = 0x69626D5F61726368
_NULL: Final = r"\N"
_COPY_OPTIONS: Final = rf"(FORMAT csv, NULL '{_NULL}')"

_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION ibm_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ibm_engine run archive is append-only: % on % refused',
    TG_OP, TG_TABLE_NAME;
END $$"""


def _to_pandas_dtype(sql_type: str) -> str:
    return {"bigint": "Int64", "double precision": "float64", "boolean": "boolean"}.get(
        sql_type, "str"
    )


class _PgTransaction:
    def __init__(self, cur: Any) -> None:
        self.cur = cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cur.execute(sql.replace("?", "%s"), list(params))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cur.execute(sql.replace("?", "%s"), list(params))
        return list(self.cur.fetchall())

    def _types(self, table: str) -> dict[str, str]:
        found = self.rows(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            [table],
        )
        return {r[0]: r[1] for r in found}

    def columns(self, table: str) -> set[str]:
        return set(self._types(table))

    def insert(self, table: str, frame: pd.DataFrame) -> None:
        cols = ", ".join(quote(str(c)) for c in frame.columns)
        data = frame.to_csv(header=False, index=False, na_rep=_NULL, lineterminator="\n")
        with self.cur.copy(f"COPY {table} ({cols}) FROM STDIN {_COPY_OPTIONS}") as copy:
            copy.write(data.encode("utf-8"))

    def select(self, table: str, run_id: str, columns: Sequence[str]) -> pd.DataFrame:
        if not columns:
            return pd.DataFrame(index=pd.RangeIndex(0))
        types = self._types(table)
        sql_mod = _optional("psycopg", "archive", "A run archive on PostgreSQL").sql
        query = sql_mod.SQL("COPY (SELECT {} FROM {} WHERE run_id = {} ORDER BY row_no) TO STDOUT "
                            + _COPY_OPTIONS).format(
            sql_mod.SQL(", ").join(sql_mod.Identifier(c) for c in columns),
            sql_mod.Identifier(table),
            sql_mod.Literal(run_id),
        )  # fmt: skip
        buf = io.BytesIO()
        with self.cur.copy(query) as copy:
            for block in copy:
                buf.write(block)
        buf.seek(0)
        dtypes = {c: _to_pandas_dtype(types[c]) for c in columns}
        return pd.read_csv(
            buf,
            header=None,
            names=list(columns),
            dtype=dtypes,
            na_values=[_NULL],
            keep_default_na=False,
            encoding="utf-8",
        )


class PostgresDatabase:
    """A PostgreSQL database given by its connection URL (``postgresql://...``)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = url.split("@")[-1]  # never show a password

    def _connect(self) -> Any:
        psycopg = _optional("psycopg", "archive", "A run archive on PostgreSQL")
        try:
            return psycopg.connect(self.url)
        except psycopg.OperationalError as err:
            raise IbmEngineError(
                f"cannot connect to the run archive at {self.where}: {err}"
            ) from err

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        with self._connect() as con, con.transaction(), con.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            tx = _PgTransaction(cur)
            create_schema(tx)
            if not tx.rows("SELECT 1 FROM pg_proc WHERE proname = 'ibm_append_only'"):
                cur.execute(_APPEND_ONLY)
                for table in ALL_TABLES:
                    cur.execute(
                        f"CREATE TRIGGER ibm_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION ibm_append_only()"
                    )
            yield tx

    @contextmanager
    def read(self) -> Iterator[Transaction | None]:
        with self._connect() as con, con.transaction(), con.cursor() as cur:
            tx = _PgTransaction(cur)
            yield tx if tx.columns("ibm_runs") else None
