"""Writing one run and reading runs back, in one transaction of either database."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine.errors import IbmEngineError, InputError
from ibm_engine.io._archive_codec import SQL_TYPES, Column, decode, encode
from ibm_engine.io._archive_schema import DATA_TABLES, Transaction, quote

__all__ = ["RUN_COLUMNS", "list_runs", "read_run", "write_run"]

#: the columns of :meth:`RunArchive.runs`
RUN_COLUMNS: Final = (
    "run_id",
    "stored_at",
    "kind",
    "policy",
    "period_weeks",
    "corrects",
    "corrected_by",
    "pseudonymised",
    "participants",
    "items",
    "rejected",
    "budget_eur",
    "spent_eur",
    "municipalities",
    "note",
)


def _add_columns(tx: Transaction, table: str, columns: list[Column]) -> None:
    have = tx.columns(table)
    for c in columns:
        if c.physical not in have:
            tx.execute(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {quote(c.physical)} "
                f"{SQL_TYPES[c.kind]}"
            )
            have.add(c.physical)


def write_run(tx: Transaction, run: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]) -> None:
    """Store the run's tables, their columns, municipalities, then its ``ibm_runs`` row."""
    run_id = str(run["run_id"])
    if tx.rows("SELECT stored_at FROM ibm_runs WHERE run_id = ?", [run_id]):
        raise IbmEngineError(
            f"run {run_id} is already in the archive; a stored run never changes (store a "
            "correction as a new run with corrects=<run id>)"
        )
    corrects = run.get("corrects")
    if corrects is not None and not tx.rows("SELECT 1 FROM ibm_runs WHERE run_id = ?", [corrects]):
        raise InputError.single(
            "arguments", "corrects", f"names no run of the archive (got {corrects!r})"
        )
    column_rows = []
    for name, df in tables.items():
        values, columns = encode(df.reset_index(drop=True))
        table = DATA_TABLES[name]
        _add_columns(tx, table, columns)
        values.insert(0, "row_no", np.arange(len(values), dtype=np.int64))
        values.insert(0, "run_id", run_id)
        tx.insert(table, values)
        column_rows += [
            (run_id, name, j, c.name, c.dtype, c.kind, c.physical, c.categories)
            for j, c in enumerate(columns)
        ]
    tx.insert(
        "ibm_columns",
        pd.DataFrame(
            column_rows,
            columns=["run_id", "table_name", "position", "name", "dtype", "kind", "physical",
                     "categories"],
        ),
    )  # fmt: skip
    munis = tables["participants"].get("municipality", pd.Series([], dtype=object))
    names = sorted({str(m) for m in munis.dropna().unique()})
    if names:
        tx.insert("ibm_run_municipalities", pd.DataFrame({"run_id": run_id, "municipality": names}))
    fields = [k for k in run if k != "run_id"]
    tx.execute(
        f"INSERT INTO ibm_runs (run_id, {', '.join(fields)}) VALUES (?{', ?' * len(fields)})",
        [run_id, *(run[k] for k in fields)],
    )


def read_run(tx: Transaction, run_id: str) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The ``ibm_runs`` row (record and summary parsed) and the stored tables of one run."""
    names = [
        "run_id", "stored_at", "kind", "policy", "period_weeks", "corrects", "pseudonymised",
        "library_version", "note", "record", "summary",
    ]  # fmt: skip
    found = tx.rows(f"SELECT {', '.join(names)} FROM ibm_runs WHERE run_id = ?", [run_id])
    if not found:
        raise InputError.single("arguments", "run_id", f"names no run of the archive: {run_id!r}")
    row = dict(zip(names, found[0], strict=True))
    row["record"] = json.loads(row["record"])
    row["summary"] = json.loads(row["summary"])
    described = tx.rows(
        "SELECT table_name, name, dtype, kind, physical, categories FROM ibm_columns "
        "WHERE run_id = ? ORDER BY table_name, position",
        [run_id],
    )
    by_table: dict[str, list[Column]] = {}
    for table, *rest in described:
        by_table.setdefault(table, []).append(Column(*rest))
    tables = {}
    for name, columns in by_table.items():
        values = tx.select(DATA_TABLES[name], run_id, [c.physical for c in columns])
        tables[name] = decode(values, columns)
    return row, tables


def _moment(x: object, end: bool) -> datetime:
    """A date (the whole day) or datetime bound of a filter, as naive UTC."""
    if isinstance(x, str):
        x = datetime.fromisoformat(x) if "T" in x or " " in x else date.fromisoformat(x)
    if isinstance(x, datetime):
        return x if x.tzinfo is None else x.astimezone(UTC).replace(tzinfo=None)
    if isinstance(x, date):
        return datetime.combine(x, time.max if end else time.min)
    raise InputError.single(
        "arguments", "until" if end else "since", f"must be a date, datetime or ISO text: {x!r}"
    )


def list_runs(
    tx: Transaction,
    since: object = None,
    until: object = None,
    municipality: str | None = None,
    policy: str | None = None,
) -> pd.DataFrame:
    """The runs matching every filter given, oldest first (see :meth:`RunArchive.runs`)."""
    where: list[str] = ["TRUE"]
    params: list[object] = []
    if since is not None:
        where.append("r.stored_at >= ?")
        params.append(_moment(since, end=False))
    if until is not None:
        where.append("r.stored_at <= ?")
        params.append(_moment(until, end=True))
    if policy is not None:
        where.append("r.policy = ?")
        params.append(policy)
    if municipality is not None:
        where.append(
            "EXISTS (SELECT 1 FROM ibm_run_municipalities m "
            "WHERE m.run_id = r.run_id AND m.municipality = ?)"
        )
        params.append(municipality)
    sql = f"""
        SELECT r.run_id, r.stored_at, r.kind, r.policy, r.period_weeks, r.corrects,
            (SELECT c.run_id FROM ibm_runs c WHERE c.corrects = r.run_id
               ORDER BY c.stored_at DESC LIMIT 1),
            r.pseudonymised, r.participants, r.items, r.rejected,
            r.budget_cents, r.spent_cents,
            (SELECT string_agg(m.municipality, ', ' ORDER BY m.municipality)
               FROM ibm_run_municipalities m WHERE m.run_id = r.run_id),
            r.note
        FROM ibm_runs r WHERE {" AND ".join(where)}
        ORDER BY r.stored_at, r.run_id"""
    out = pd.DataFrame(tx.rows(sql, params), columns=list(RUN_COLUMNS))
    for c in ("budget_eur", "spent_eur"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64") / 100.0
    for c in ("period_weeks", "participants", "items", "rejected"):
        out[c] = out[c].astype("Int64")
    out["stored_at"] = pd.to_datetime(out["stored_at"])
    out["pseudonymised"] = out["pseudonymised"].astype(bool)
    return out
