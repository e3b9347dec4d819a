"""Collecting input problems, vectorised: every problem of every table before raising."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray

__all__ = ["ProblemLog"]


@dataclass
class ProblemLog:
    """Problems found in the input tables.

    Each problem names the table, the row (participant_id where the row has one, else the
    1-based row number), the participant_id (or None), the column and the reason.
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    #: per problem, whether it belongs to a participant that can be quarantined
    attributable: list[bool] = field(default_factory=list)

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
        row: Any = participant_id if participant_id is not None else row_number
        self.records.append(
            {
                "table": table,
                "row": row,
                "participant_id": participant_id,
                "column": column,
                "reason": reason,
            }
        )
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


def _clean_id(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return None
    s = str(x)
    return s if s.strip() else None
