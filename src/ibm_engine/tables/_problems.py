"""Collecting input problems, vectorised: every problem of every table before raising.

Tables read from files (see :mod:`ibm_engine.tables._sources`) also say where each problem is
in the file: ``file``, ``sheet`` and ``source_row``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray
from ibm_engine.tables._sources import FileSource

__all__ = ["REJECTED_COLUMNS", "ProblemLog"]

#: the columns of ``result.rejected``; ``file, sheet, source_row`` follow when an input table
#: was read from a file
REJECTED_COLUMNS = ("participant_id", "table", "row", "column", "reason")
_FILE_COLUMNS = ("file", "sheet", "source_row")


@dataclass
class ProblemLog:
    """Problems found in the input tables.

    Each problem names the table, the row (participant_id where the row has one, else the
    1-based row number), the participant_id (or None), the column and the reason; for a
    table in ``sources`` (read from a file), also the file, sheet and source row.
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    #: per problem, whether it belongs to a participant that can be quarantined
    attributable: list[bool] = field(default_factory=list)
    #: the tables read from files, by table name (see ``tables._sources.file_sources``)
    sources: dict[str, FileSource] = field(default_factory=dict)

    def add(
        self,
        table: str,
        column: str | None,
        reason: str,
        *,
        row_number: int | None = None,
        participant_id: str | None = None,
        attributable: bool = True,
    ) -> None:
        """Record one problem."""
        number = None if row_number is None else int(row_number)
        row: Any = participant_id if participant_id is not None else number
        record: dict[str, Any] = {
            "table": table,
            "row": row,
            "participant_id": participant_id,
            "column": column,
            "reason": reason,
        }
        source = self.sources.get(table)
        if source is not None:
            record.update(source.locate(number))
        self.records.append(record)
        self.attributable.append(attributable and participant_id is not None)

    def add_rows(
        self,
        table: str,
        column: str | None,
        mask: BoolArray,
        reason: str | Any,
        pids: Any,
        *,
        detail: Any = None,
        attributable: bool = True,
        with_row: bool = False,
    ) -> None:
        """Record one problem per row in ``mask``.

        ``pids`` are the rows' participant ids, indexable by row (None/empty where missing);
        ``detail`` an optional per-row value (indexable by row) shown as ``(got ...)``;
        ``with_row`` adds the row number to the
        reason (for tables with several rows per participant).
        """
        rows = np.flatnonzero(mask)
        if rows.shape[0] == 0:
            return
        for r in rows.tolist():
            pid = None if pids is None else _clean_id(pids[r])
            text = reason
            if detail is not None:
                got = detail.iloc[r] if isinstance(detail, pd.Series) else detail[r]
                if isinstance(got, np.generic):  # show 2.5, not np.float64(2.5)
                    got = got.item()
                text = f"{reason} (got {got!r})"
            if with_row and pid is not None:  # the row column shows the id: add the number
                text = f"{text} [row {r + 1}]"
            self.add(
                table,
                column,
                text,
                row_number=r + 1,
                participant_id=pid,
                attributable=attributable,
            )

    def __bool__(self) -> bool:
        return bool(self.records)

    def fatal(self) -> list[dict[str, Any]]:
        """The problems that belong to no participant."""
        return [r for r, a in zip(self.records, self.attributable, strict=True) if not a]

    def by_participant(self) -> list[dict[str, Any]]:
        """The problems that belong to a participant."""
        return [r for r, a in zip(self.records, self.attributable, strict=True) if a]

    def rejected(self) -> pd.DataFrame:
        """The problems that belong to a participant as ``result.rejected`` rows.

        ``row`` holds Python ints or text (never floats); ``file, sheet, source_row`` are added
        when an input table was read from a file.
        """
        records = self.by_participant()
        columns = REJECTED_COLUMNS + (_FILE_COLUMNS if self.sources else ())
        df = pd.DataFrame(records, columns=list(columns))
        for c in ("row", "source_row"):
            if c in columns:
                df[c] = pd.Series([r.get(c) for r in records], index=df.index, dtype=object)
        return df


def _clean_id(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return None
    s = str(x)
    return s if s.strip() else None
