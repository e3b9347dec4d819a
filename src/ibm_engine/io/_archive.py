"""``ibm.RunArchive``: store runs in DuckDB or PostgreSQL, list, load, diff and reproduce them."""

from __future__ import annotations

import importlib
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.errors import InputError
from ibm_engine.io._archive_codec import key_bytes, pseudonymise
from ibm_engine.io._archive_diff import diff_items
from ibm_engine.io._archive_duckdb import DuckDatabase
from ibm_engine.io._archive_inputs import MAIN_INPUTS, run_inputs
from ibm_engine.io._archive_postgres import PostgresDatabase
from ibm_engine.io._archive_run import StoredRun, check_key, record_of, summary_of
from ibm_engine.io._archive_schema import Database
from ibm_engine.io._archive_store import RUN_COLUMNS, list_runs, read_run, write_run
from ibm_engine.tables import PARTICIPANTS, PLAN_ITEMS

__all__ = ["RunArchive", "StoredRun"]


def _cents(df: pd.DataFrame, column: str) -> int | None:
    if column not in df.columns:
        return None
    x = np.nan_to_num(df[column].to_numpy(dtype=np.float64, na_value=np.nan))
    return int(np.round(x * 100).astype(np.int64).sum())


class RunArchive:
    """An append-only archive of allocation runs in a DuckDB file or a PostgreSQL database.

    Parameters
    ----------
    where : str or os.PathLike
        A file path (a DuckDB file, created on the first store) or a PostgreSQL URL
        (``postgresql://user@host:port/dbname``). Needs ``pip install ibm_engine[archive]``.
    lock_timeout : float
        DuckDB only: seconds to keep retrying while another process holds the file.

    Notes
    -----
    Every store is one transaction: a process killed mid-write leaves no partial run. A stored
    run never changes (PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the archive's tables);
    a correction is a new run naming the one it corrects. See ``docs/archive.md``.

    Examples
    --------
    >>> import tempfile, pathlib, ibm_engine as ibm
    >>> p, i, s = ibm.synthetic_zemgale(seed=7, n_grt=3, n_ft=3, n_bsac=2)
    >>> result = ibm.allocate(p, i, s)
    >>> archive = ibm.RunArchive(pathlib.Path(tempfile.mkdtemp()) / "runs.duckdb")
    >>> run_id = archive.store(result, p, i, s, note="first run")
    >>> archive.runs()[["policy", "participants", "note"]]
        policy  participants       note
    0  optimal             8  first run
    >>> run = archive.load(run_id)
    >>> run.items.equals(result.items), run.participants.equals(result.participants)
    (True, True)
    """

    def __init__(self, where: str | os.PathLike[str], *, lock_timeout: float = 60.0) -> None:
        text = os.fspath(where)
        if (
            isinstance(lock_timeout, bool)
            or not isinstance(lock_timeout, int | float)
            or (lock_timeout < 0)
        ):
            raise InputError.single(
                "arguments", "lock_timeout", f"must be a number >= 0 (got {lock_timeout!r})"
            )
        self._db: Database
        if text.startswith(("postgresql://", "postgres://")):
            self._db = PostgresDatabase(text)
        else:
            self._db = DuckDatabase(Path(text), float(lock_timeout))

    def __repr__(self) -> str:
        return f"RunArchive({self._db.where!r})"

    def store(
        self,
        result: Any,
        participants: object,
        plan_items: object,
        services: object,
        *,
        corrects: str | None = None,
        key: str | bytes | None = None,
        note: str | None = None,
        **inputs: object,
    ) -> str:
        """Store a run: its input tables, output tables and record, in one transaction.

        Parameters
        ----------
        result : AllocationResult or RegionResult
            Anything with ``items``, ``participants`` and ``rejected`` tables (a result
            without ``rejected`` stores an empty one).
        participants, plan_items, services : DataFrame or records
            The input tables the result was computed from (checked against the result's
            record: the same content hashes, row and column order aside).
        corrects : str, optional
            The id of a stored run this run corrects.
        key : str or bytes, optional
            At least 16 bytes, never stored: participant ids are replaced by
            HMAC-SHA256(key, id) (32 hex digits) in every table, and columns the contract does
            not define are not stored.
        note : str, optional
            Free text shown by :meth:`runs`.
        **inputs : DataFrame or records
            The run's other input tables, each one its record names: ``capacities`` and
            ``neighbours`` (a region run), ``periods``, ``capacities``, ``disruptions``,
            ``pauses`` (a periods run). Stored too, so the run reproduces from the archive.

        Returns
        -------
        str
            The run id (the record's ``id``).

        Raises
        ------
        IbmEngineError
            A run with that id is already stored, or the DuckDB file stayed locked.
        InputError
            ``corrects`` names no stored run, a short key, tables that are not tables; an input
            table that is not the one the result was computed from, or one the record names
            but not given.
        """
        secret = None if key is None else key_bytes(key)
        record = record_of(result)
        given = dict(zip(MAIN_INPUTS, (participants, plan_items, services), strict=True))
        tables = run_inputs(record, {**given, **inputs})
        for name in ("items", "participants", "rejected"):
            table = getattr(result, name, None)
            if table is None and name == "rejected":
                table = pd.DataFrame({"participant_id": pd.Series([], dtype=object)})
            if not isinstance(table, pd.DataFrame):
                raise InputError.single(
                    "arguments", "result", f"must have a DataFrame {name} (got {type(result)})"
                )
            tables[name] = table
        if secret is not None:
            contract = {c.name for c in (*PARTICIPANTS, *PLAN_ITEMS)}
            extra = {
                str(c)
                for n in ("input_participants", "input_plan_items")
                for c in tables[n].columns
                if c not in contract
            }
            tables = pseudonymise(tables, secret, extra)
        parts = tables["participants"]
        params = record.get("parameters", record)  # the result's record, or a minimal one
        # the record's id names the decision (inputs, parameters, versions); a run is one
        # storing of it, so the run id adds a unique suffix: the same decision stored twice
        # (a re-run, a correction with the same inputs) is two runs
        run_id = f"{record['id']}-{secrets.token_hex(4)}"
        run = {
            "run_id": run_id,
            "stored_at": datetime.now(UTC).replace(tzinfo=None),
            "kind": str(record.get("kind", "allocation")),
            "policy": params.get("policy"),
            "period_weeks": params.get("period_weeks"),
            "corrects": corrects,
            "pseudonymised": key is not None,
            "library_version": str(record.get("library_version", "")),
            "participants": len(parts),
            "items": len(tables["items"]),
            "rejected": len(tables["rejected"]),
            "budget_cents": _cents(parts, "budget_eur"),
            "spent_cents": _cents(parts, "spent_eur"),
            "note": note,
            "record": json.dumps(record, sort_keys=True, default=str),
            "summary": json.dumps(summary_of(tables["items"], parts)),
        }
        with self._db.write() as tx:
            write_run(tx, run, tables)
        return run_id

    def runs(
        self,
        *,
        since: object = None,
        until: object = None,
        municipality: str | None = None,
        policy: str | None = None,
    ) -> pd.DataFrame:
        """The stored runs, oldest first, filtered by every argument given.

        Parameters
        ----------
        since, until : date, datetime or ISO text, optional
            Stored on or after / on or before (a date includes the whole day; UTC).
        municipality : str, optional
            Runs with at least one participant of that municipality.
        policy : str, optional
            ``"optimal"`` or ``"priority"``.

        Returns
        -------
        DataFrame
            run_id, stored_at, kind, policy, period_weeks, corrects, corrected_by (the latest
            run correcting it), pseudonymised, participants, items, rejected, budget_eur,
            spent_eur, municipalities, note.
        """
        with self._db.read() as tx:
            if tx is None:
                return pd.DataFrame({c: [] for c in RUN_COLUMNS})
            return list_runs(tx, since, until, municipality, policy)

    def load(self, run_id: str) -> StoredRun:
        """One stored run: its record, summary, input and output tables (see StoredRun)."""
        with self._db.read() as tx:
            if tx is None:
                raise InputError.single("arguments", "run_id", f"names no run: {run_id!r}")
            row, tables = read_run(tx, str(run_id))
        return StoredRun(
            run_id=row["run_id"],
            stored_at=row["stored_at"],
            kind=row["kind"],
            corrects=row["corrects"],
            pseudonymised=bool(row["pseudonymised"]),
            note=row["note"],
            record=row["record"],
            summary=row["summary"],
            items=tables["items"],
            participants=tables["participants"],
            rejected=tables["rejected"],
            inputs={
                n.removeprefix("input_"): t for n, t in tables.items() if n.startswith("input_")
            },
        )

    def diff(self, before: str, after: str) -> pd.DataFrame:
        """Who gained or lost what from run ``before`` to run ``after``.

        Returns
        -------
        DataFrame
            One row per (participant_id, service) whose units, cost or reason changed:
            units_before, units_after, units_change, cost_eur_before, cost_eur_after,
            cost_eur_change (exact cents), reason_before, reason_after.

        Raises
        ------
        InputError
            One run is pseudonymised and the other is not (their ids cannot be matched).
        """
        a, b = self.load(before), self.load(after)
        if a.pseudonymised != b.pseudonymised:
            raise InputError.single(
                "arguments",
                "after",
                "one run is pseudonymised and the other is not: their participants cannot be "
                "matched",
            )
        return diff_items(a.items, b.items)

    def reproduce(
        self,
        run_id: str,
        participants: object = None,
        plan_items: object = None,
        services: object = None,
        *,
        key: str | bytes | None = None,
        **kwargs: Any,
    ) -> Any:
        """Reproduce a stored run with :func:`ibm_engine.reproduce` and return its report.

        The stored input tables (the contract's and the run's other tables) are used unless
        given; ``kwargs`` pass objects the record only describes (``budget=``,
        ``carry_over=``). A pseudonymised run needs the original tables and its key (checked
        against the stored pseudonyms first).
        """
        reproduce = getattr(importlib.import_module("ibm_engine"), "reproduce", None)
        if reproduce is None:
            raise NotImplementedError(
                "RunArchive.reproduce needs ibm_engine.reproduce (issue 10, section 2), which "
                "this version does not have; StoredRun.rebuild() re-runs allocate from the "
                "stored tables and checks the outputs meanwhile"
            )
        run = self.load(run_id)
        given = (participants, plan_items, services)
        if run.pseudonymised:
            check_key(run, participants, plan_items, services, key)
        tables = [g if g is not None else run.inputs[n] for g, n in zip(given, MAIN_INPUTS,
                                                                         strict=True)]  # fmt: skip
        others = {n: t for n, t in run.inputs.items() if n not in MAIN_INPUTS}
        return reproduce(run.record, *tables, **{**others, **kwargs})
