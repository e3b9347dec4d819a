"""Where the rows of a table read from a file are in that file: file, sheet and source row.

:func:`ibm_engine.read_table` records it in ``DataFrame.attrs[SOURCE_ATTR]`` (a JSON-safe dict,
so that pandas can copy it cheaply and ``to_parquet`` can store it); the validation reads it
back with :meth:`FileSource.of` to say where each problem is in the file.

A data row is traced back to its source row by the index label ``read_table`` gave it
(``0 .. rows-1``), so a subset or a reordering that keeps the labels is still traced. Rows that
cannot be traced for sure get no source row (the file and sheet are still named): a shorter
frame with a fresh ``0 .. k-1`` index (``head`` or ``reset_index`` after a filter cannot be
told apart), or a frame of the original length whose first column no longer reads the same,
top to bottom (rows reordered and then re-indexed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray

__all__ = ["SOURCE_ATTR", "FileSource", "describe_source", "file_sources"]

#: the key of ``DataFrame.attrs`` under which ``read_table`` records where the rows came from
SOURCE_ATTR: Final = "ibm_engine_source"


def _runs(source_rows: IntArray) -> list[list[int]]:
    """``[[data_row, source_row], ...]``: from each data row on, source rows count up by one."""
    n = source_rows.shape[0]
    if n == 0:
        return []
    starts = np.flatnonzero(np.r_[True, np.diff(source_rows) != 1])
    return [[int(k), int(source_rows[k])] for k in starts]


def _unrun(runs: list[list[int]], n: int) -> IntArray:
    """The source row of each of the ``n`` data rows (inverse of :func:`_runs`)."""
    out = np.arange(n, dtype=np.int64)
    if n == 0:
        return out
    starts = np.array([r[0] for r in runs], dtype=np.int64)
    firsts = np.array([r[1] for r in runs], dtype=np.int64)
    run = np.searchsorted(starts, out, side="right") - 1
    result: IntArray = firsts[run] + (out - starts[run])
    return result


def _digest(column: pd.Series) -> str:
    """An order-sensitive fingerprint of a column's cells, as text."""
    hashes = pd.util.hash_pandas_object(column, index=False).to_numpy()
    return hashlib.blake2b(hashes.tobytes(), digest_size=8).hexdigest()


def describe_source(
    df: pd.DataFrame,
    file: str,
    sheet: str | None,
    source_rows: IntArray | None,
    blank_rows: int,
) -> dict[str, Any]:
    """The record ``read_table`` stores in ``df.attrs[SOURCE_ATTR]`` for the frame it read.

    Keys: ``file`` (the path as given), ``sheet`` (the workbook sheet read, or None), ``rows``
    (data rows read), ``source_rows`` (the source row of each data row, header = row 1, as
    runs ``[[data_row, source_row], ...]``: from data row ``data_row`` (0-based) on, the rows
    are consecutive from ``source_row`` until the next run; None when the format has no rows
    a user sees, e.g. Parquet), ``blank_rows`` (empty rows skipped) and a fingerprint of the
    first column that tells whether the rows are still in the order read (``order``). (A
    decimal comma in a CSV read without ``locale="lv"`` is hinted by the validation itself,
    for files and frames alike: ``tables/_hints.py``.)

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"participant_id": ["P1", "P2", "P3"]})
    >>> d = describe_source(df, "p.csv", None, np.array([2, 4, 5]), blank_rows=1)
    >>> d["source_rows"], d["blank_rows"]
    ([[0, 2], [1, 4]], 1)
    >>> df.attrs[SOURCE_ATTR] = d
    >>> FileSource.of(df.iloc[[2, 0]]).locate(1)
    {'file': 'p.csv', 'sheet': None, 'source_row': 5}
    """
    first = str(df.columns[0]) if len(df.columns) else None
    return {
        "file": file,
        "sheet": sheet,
        "rows": len(df),
        "source_rows": None if source_rows is None else _runs(source_rows),
        "blank_rows": int(blank_rows),
        "order": None if first is None else [first, _digest(df[first])],
    }


@dataclass(frozen=True, eq=False)
class FileSource:
    """File, sheet and, per row of a frame (by position), its source row (-1: unknown)."""

    file: str
    sheet: str | None
    source_rows: IntArray

    @classmethod
    def of(cls, frame: object) -> FileSource | None:
        """The provenance of a frame ``read_table`` read (None for other frames)."""
        if not isinstance(frame, pd.DataFrame):
            return None
        d = frame.attrs.get(SOURCE_ATTR)
        if not isinstance(d, Mapping) or not isinstance(d.get("file"), str):
            return None
        sheet = d.get("sheet")
        try:
            rows = _traced(frame, d)
        except (TypeError, ValueError, KeyError, IndexError):  # attrs edited by hand
            rows = None
        if rows is None:
            rows = np.full(len(frame), -1, dtype=np.int64)
        return cls(d["file"], sheet if isinstance(sheet, str) else None, rows)

    def locate(self, row_number: int | None) -> dict[str, Any]:
        """``file``, ``sheet`` and ``source_row`` of the 1-based row ``row_number``."""
        row = None
        if row_number is not None and 1 <= row_number <= self.source_rows.shape[0]:
            found = int(self.source_rows[row_number - 1])
            row = found if found >= 1 else None
        return {"file": self.file, "sheet": self.sheet, "source_row": row}


def _traced(frame: pd.DataFrame, d: Mapping[str, Any]) -> IntArray | None:
    """Source rows by position of ``frame``, or None when they cannot be traced for sure."""
    n_read = int(d["rows"])
    if d.get("source_rows") is None:
        return None
    index = frame.index
    fresh = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    if fresh and len(frame) == n_read:
        order = d.get("order")
        if order is None or order[0] not in frame.columns or not _same(frame, order):
            return None
        return _unrun(d["source_rows"], n_read)
    if fresh or not index.is_unique or not pd.api.types.is_integer_dtype(index.dtype):
        return None
    labels = index.to_numpy(dtype=np.int64)
    if labels.shape[0] and (labels.min() < 0 or labels.max() >= n_read):
        return None
    traced: IntArray = _unrun(d["source_rows"], n_read)[labels]
    return traced


def _same(frame: pd.DataFrame, order: list[str]) -> bool:
    column = frame[order[0]]
    return isinstance(column, pd.Series) and _digest(column) == order[1]


def file_sources(**frames: object) -> dict[str, FileSource]:
    """The provenance of each table (by name) that was read from a file."""
    out = {}
    for name, frame in frames.items():
        src = FileSource.of(frame)
        if src is not None:
            out[name] = src
    return out
