"""The cells of a CSV file or a workbook sheet as the user sees them, with their row numbers.

A file is read as a grid of cells without a header, so that nothing is renamed (pandas would
turn a second ``budget_eur`` into ``budget_eur.1``) and every row keeps the number the user
sees: the line of a CSV file (a quoted cell may span lines) or the row of a sheet, both 1-based.
The header is the first row that is not empty; empty rows after it are skipped (those before
the last data row are counted). A row is empty when every cell is empty or only whitespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray, IntArray
from ibm_engine.errors import InputError

__all__ = ["Grid", "csv_separator", "read_csv_grid", "read_excel_grid"]


@dataclass(frozen=True)
class Grid:
    """A table's cells, named by its header row, and where they are in the file."""

    #: the data rows (index 0..n-1), columns named as in the header (duplicates kept)
    cells: pd.DataFrame
    #: the sheet read (None for CSV)
    sheet: str | None
    #: 1-based row (CSV: line) of the header
    header_row: int
    #: 1-based row (CSV: line) of each data row
    source_rows: IntArray
    #: empty rows skipped between the header and the last data row (trailing ones not counted)
    blank_rows: int


def _empty(raw: pd.DataFrame) -> BoolArray:
    """Per row of ``raw``: every cell empty or only whitespace."""
    empty = np.ones(len(raw), dtype=bool)
    for k in range(raw.shape[1]):
        col = raw.iloc[:, k]
        missing = col.isna().to_numpy()
        if _is_text(col):
            blank = col.str.strip().eq("").to_numpy(dtype=bool, na_value=False)
        else:
            values = col.to_numpy(dtype=object)
            blank = np.array([isinstance(x, str) and not x.strip() for x in values], dtype=bool)
        empty &= missing | blank
    return empty


def _is_text(col: pd.Series) -> bool:
    """A column of the string dtype (every cell text or missing)."""
    return pd.api.types.is_string_dtype(col.dtype) and col.dtype != object


def _grid(raw: pd.DataFrame, rows: IntArray, sheet: str | None) -> Grid:
    """Header and data rows of ``raw`` whose row ``k`` is source row ``rows[k]``."""
    empty = _empty(raw)
    filled = np.flatnonzero(~empty)
    if filled.shape[0] == 0:
        raise pd.errors.EmptyDataError("no header row")
    top, last = int(filled[0]), int(filled[-1])
    body = filled[filled > top]
    header = raw.iloc[top].to_numpy(dtype=object)
    names = [
        f"Unnamed: {k}" if pd.isna(x) or not str(x).strip() else _name(x)
        for k, x in enumerate(header)
    ]
    cells = raw.iloc[body].reset_index(drop=True)
    cells.columns = pd.Index(names, dtype=object)
    # a column with neither a name nor a value (a trailing ";" on every line) holds nothing
    unnamed = [pd.isna(x) or not str(x).strip() for x in header]
    keep = [not (u and bool(cells.iloc[:, k].isna().all())) for k, u in enumerate(unnamed)]
    if not all(keep):
        cells = cells.iloc[:, np.flatnonzero(keep)]
    return Grid(
        cells=cells,
        sheet=sheet,
        header_row=int(rows[top]),
        source_rows=rows[body],
        blank_rows=int(empty[top : last + 1].sum()),
    )


def _name(x: Any) -> str:
    """A header cell as a column name (a number such as ``2024`` as its digits)."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _leading_blank_lines(path: Path) -> tuple[int, str]:
    """Number of empty lines before the header, and the header line."""
    n = 0
    with path.open(encoding="utf-8-sig", newline="") as f:
        for line in f:
            if line.strip():
                return n, line
            n += 1
    return n, ""


def csv_separator(header: str) -> str:
    """``;`` or tab when the header line uses it and no comma (spreadsheet exports), else ``,``."""
    if "," not in header:
        for sep in (";", "\t"):
            if sep in header:
                return sep
    return ","


def read_csv_grid(path: Path, sep: str | None) -> tuple[Grid, str]:
    """The grid of a CSV file and the separator used (guessed from the header when None)."""
    skip, header = _leading_blank_lines(path)
    if not header:
        raise pd.errors.EmptyDataError("no header row")
    used = sep if sep is not None else csv_separator(header)
    raw = pd.read_csv(
        path,
        sep=used,
        header=None,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
        skiprows=skip,
        skip_blank_lines=False,
    )
    # a record's line is one past the previous record's, plus the line breaks inside quotes
    breaks = np.zeros(len(raw), dtype=np.int64)
    for k in range(raw.shape[1]):
        col = raw.iloc[:, k]
        if bool(col.str.contains("\n", regex=False).any()):
            breaks += col.str.count("\n").fillna(0).to_numpy(dtype=np.int64)
    lines = skip + 1 + np.arange(len(raw), dtype=np.int64) + np.cumsum(breaks) - breaks
    return _grid(raw, lines, None), used


def pick_sheet(names: list[str], table: str | None, file: str) -> str:
    """The sheet named ``table``; the only sheet; without ``table``, the first; else an error."""
    if table in names:
        return table
    if len(names) == 1 or (table is None and names):
        return names[0]
    listed = ", ".join(repr(n) for n in names)
    near = [n for n in names if table is not None and n.strip().casefold() == table.casefold()]
    hint = f" (rename {near[0]!r} to {table!r})" if near else ""
    reason = f"the workbook has no sheet named {table!r}{hint}; its sheets: {listed}"
    if table is None:  # and no sheet at all
        reason = "the workbook has no sheets"
    raise InputError.single(table or "", None, reason, file=file)


def read_excel_grid(path: Path, table: str | None) -> Grid:
    """The grid of the sheet of a workbook that holds ``table`` (see :func:`pick_sheet`)."""
    engine: Literal["xlrd", "openpyxl"] = "xlrd" if path.suffix.lower() == ".xls" else "openpyxl"
    with pd.ExcelFile(path, engine=engine) as book:
        sheet = pick_sheet([str(n) for n in book.sheet_names], table, str(path))
        raw = pd.read_excel(
            book,
            sheet_name=sheet,
            header=None,
            dtype=object,
            keep_default_na=False,
            na_values=[""],
        )
    rows = 1 + np.arange(len(raw), dtype=np.int64)  # pandas keeps a sheet's empty rows
    return _grid(raw, rows, sheet)
