"""Columns of a DataFrame as Excel cells that read back exactly: numbers as numbers (money with a
EUR format, coverage as a percentage), text as text, missing values as empty cells.

openpyxl writes floats with 16 significant digits, which can lose the last bit of a float; a
float here is written as its shortest exact representation (``repr``), so reading the workbook
back gives the very same float.

Text is always text: openpyxl would store a text beginning with ``=`` as a live formula (a
participant id ``=HYPERLINK(...)`` becoming a link) and ``#N/A`` as an error value; such cells
are written with the string data type set explicitly (``TEXT_AS_IS`` lists what openpyxl would
otherwise interpret).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from ibm_engine.report._format import is_money, rounded

__all__ = [
    "EUR_FORMAT",
    "MAX_TEXT",
    "PERCENT_FORMAT",
    "TEXT_AS_IS",
    "column_cells",
    "is_money",
    "problems_of",
    "text_cell",
]

#: number format of money cells
EUR_FORMAT: Final = '#,##0.00 "EUR"'
#: number format of coverage cells
PERCENT_FORMAT: Final = "0.0%"
#: first characters of a text openpyxl would not store as text (``=`` a formula, ``#`` an error
#: code such as ``#N/A``): such cells get the string data type explicitly
TEXT_AS_IS: Final = ("=", "#")
#: most characters of text an Excel cell holds
MAX_TEXT: Final = 32_767
#: characters an Excel cell cannot hold as they are: control characters other than tab and
#: line feed (a carriage return would read back as a line feed)
_ILLEGAL: Final = re.compile(r"[\000-\010\013-\037]")


def _is_share(column: str) -> bool:
    return column == "coverage" or column.startswith("coverage_")


def problems_of(name: str, df: pd.DataFrame) -> list[dict[str, Any]]:
    """Cells an Excel sheet cannot hold as they are: infinite numbers, control characters,
    texts longer than ``MAX_TEXT`` characters (openpyxl would cut them short silently)."""
    out: list[dict[str, Any]] = []
    ids = df["participant_id"].to_numpy() if "participant_id" in df.columns else None
    for c in df.columns:
        s = df[c]
        checks: list[tuple[Any, str]] = []
        if pdt.is_float_dtype(s.dtype):
            bad = np.isinf(s.to_numpy(dtype=np.float64, na_value=np.nan))
            checks.append((bad, "is infinite; an Excel cell cannot hold it"))
        elif pdt.is_object_dtype(s.dtype) or pdt.is_string_dtype(s.dtype):
            text = s.astype(str)  # non-text cells have no control characters either
            bad = text.str.contains(_ILLEGAL.pattern, regex=True).to_numpy(dtype=bool)
            why = "has a control character (or a carriage return) an Excel cell cannot hold"
            checks.append((bad, why))
            long = (text.str.len() > MAX_TEXT).to_numpy(dtype=bool)
            checks.append((long, f"is longer than the {MAX_TEXT:,} characters an Excel cell holds"))
        for bad, why in checks:
            out += [
                {
                    "table": name,
                    "row": int(k) + 1,
                    "participant_id": None if ids is None else str(ids[k]),
                    "column": str(c),
                    "reason": why,
                }
                for k in np.flatnonzero(bad)
            ]
    return out


def _floats(s: pd.Series) -> list[Any]:
    x = s.to_numpy(dtype=np.float64, na_value=np.nan)
    return [None if v != v else repr(v) for v in x.tolist()]


def _ints(s: pd.Series) -> list[Any]:
    x = s.astype(object).where(s.notna(), None)
    return [None if v is None else str(int(v)) for v in x.tolist()]


def _objects(s: pd.Series) -> list[Any]:
    values = s.astype(object).tolist()
    out: list[Any] = []
    for v in values:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
            out.append(None)
        elif isinstance(v, bool | np.bool_):
            out.append(bool(v))
        elif isinstance(v, int | np.integer | float | np.floating | pd.Timestamp):
            out.append(v)
        else:
            out.append(str(v))
    return out


def _plain(text: str) -> bool:
    """Whether openpyxl's own 16-digit writing keeps this number (and its int/float kind)."""
    if text.lstrip("-").isdigit():
        return len(text.lstrip("-")) <= 15
    x = float(text)
    short = "%.16g" % x  # noqa: UP031  # openpyxl's own format, reproduced exactly
    return float(short) == x and any(ch in short for ch in ".eE")


def text_cell(ws: Any, text: str, make: Callable[..., Any]) -> Any:
    """``text`` as it is, or a write-only cell forced to text when openpyxl would read it as
    a formula or an error code (see ``TEXT_AS_IS``)."""
    if not text.startswith(TEXT_AS_IS):
        return text
    cell = make(ws, value=text)
    cell.data_type = "s"  # never a formula, never an error value
    return cell


def column_cells(
    ws: Any, column: str, s: pd.Series, make: Callable[..., Any], *, display: bool = False
) -> tuple[list[Any], int]:
    """The cells of one column and the width (characters) the column needs.

    ``make(ws, value)`` builds a write-only cell. Numbers become numeric cells holding their
    exact text (with ``display``, first rounded as :func:`~ibm_engine.report._format.rounded`
    does); text cells are always text (``=1+2`` is not a formula, ``#N/A`` not an error).
    """
    fmt = EUR_FORMAT if is_money(column) else PERCENT_FORMAT if _is_share(column) else None
    numeric = pdt.is_numeric_dtype(s.dtype) and not pdt.is_bool_dtype(s.dtype)
    if numeric and display:
        s = rounded(column, s)
    if numeric:
        raw = _ints(s) if pdt.is_integer_dtype(s.dtype) else _floats(s)
        cells: list[Any] = []
        for v in raw:
            if v is None:
                cells.append(None)
                continue
            if fmt is None and _plain(v):
                cells.append(int(v) if v.lstrip("-").isdigit() else float(v))
                continue
            cell = make(ws, value=0)
            cell._value = v  # exact digits; data_type stays "n" (see the module docstring)
            if fmt is not None:
                cell.number_format = fmt
            cells.append(cell)
        sample = [len(v) for v in raw[:1000] if v is not None]
        width = min(max(sample, default=0), 16) + (4 if fmt == EUR_FORMAT else 0)
        return cells, width
    if pdt.is_bool_dtype(s.dtype):
        values: list[Any] = [None if v is pd.NA else bool(v) for v in s.astype(object).tolist()]
        return values, 5
    values = _objects(s)
    cells = [text_cell(ws, v, make) if isinstance(v, str) else v for v in values]
    sample = [len(str(v)) for v in values[:1000] if v is not None]
    return cells, max(sample, default=0)
