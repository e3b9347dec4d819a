"""The result of an allocation on Dask: the three tables as dask DataFrames and the record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ibm_engine.allocation import AllocationResult, ParticipantView, Record
from ibm_engine.errors import IbmEngineWarning, NotApplicableError
from ibm_engine.io import AllocationTables
from ibm_engine.scale._layout import part_path
from ibm_engine.scale._partition import RESULT_TABLES, read_part

__all__ = ["DatasetResult", "RepartitionWarning", "lazy_tables"]


class RepartitionWarning(IbmEngineWarning):
    """The inputs were not co-partitioned by participant, so they were shuffled."""


@dataclass(frozen=True, eq=False)
class DatasetResult:
    """What :func:`ibm_engine.allocate_dataset` returns.

    Attributes
    ----------
    items, participants, rejected : dask DataFrame
        The result tables, one partition per input partition, in partition order (within a
        partition, rows in input order). Read from ``path`` when the result was written.
    record : Record
        The same id and hashes as one ``ibm.allocate`` call on the same tables.
    path : Path or None
        The folder written (``output=``).
    partitions : int
    repartitioned : bool
        Whether the inputs were shuffled by participant first.
    """

    items: Any
    participants: Any
    rejected: Any
    record: Record
    path: Path | None
    partitions: int
    repartitioned: bool
    _one: Callable[[object], AllocationResult] | None = field(default=None, repr=False)

    def participant(self, participant_id: object) -> ParticipantView:
        """One participant: its rows, ``explain()``, ``text(lang)`` and what-ifs.

        The participant's rows are found in the inputs (a scan of the ``participant_id``
        columns) and allocated again in-process: an allocation depends on a participant's
        own rows only, so the rows are this run's, and the explanation quotes this run's
        record id. (``explain()``'s ``item`` index counts the participant's own plan items
        from 0, not their rows in the whole dataset.)
        """
        if self._one is None:
            raise NotApplicableError("this result does not keep its inputs")
        return self._one(participant_id).participant(participant_id)

    def compute(self) -> AllocationTables:
        """The three tables gathered as pandas frames (only when asked: they may be large)."""
        import dask

        items, people, rejected = dask.compute(self.items, self.participants, self.rejected)
        return AllocationTables(
            items.reset_index(drop=True),
            people.reset_index(drop=True),
            rejected.reset_index(drop=True),
            self.record,
        )

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path is not None else ""
        return f"DatasetResult(record={self.record.id!r}, partitions={self.partitions}{where})"


def _table(pair: tuple[Any, dict[str, pd.DataFrame] | None], name: str) -> pd.DataFrame:
    tables = pair[1]
    if tables is None:
        raise ValueError("this partition's tables were written, not kept")
    return tables[name]


def lazy_tables(
    source: Path | Sequence[Any], n: int, meta: dict[str, pd.DataFrame]
) -> dict[str, Any]:
    """Each result table as a dask DataFrame: from the files of a written result, or from
    the partitions' futures (or delayed tasks, recomputed when used)."""
    import dask
    import dask.dataframe as dd

    out = {}
    for name in RESULT_TABLES:
        empty = meta.get(name, pd.DataFrame())
        if isinstance(source, Path):
            files = [str(part_path(source, name, k)) for k in range(n)]
            out[name] = dd.from_map(read_part, files, meta=empty, enforce_metadata=False)
        else:
            parts = [dask.delayed(_table)(x, name) for x in source]
            out[name] = dd.from_delayed(parts, meta=empty, verify_meta=False)
    return out
