"""Cells of a file as text or numbers, exactly: plain CSV, Latvian CSV, Excel and Parquet.

A number is parsed from its text in one step (a Latvian ``1 500,05`` becomes the text
``1500.05`` and then the same float a plain CSV's ``1500.05`` gives), so money is exact to the
cent. A cell that is not a number keeps its text, for the validation to report with its row.
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from ibm_engine.io._locale import ESCAPED_TEXT, LV_DECIMAL, LV_GROUP_SEPARATORS

__all__ = [
    "LV_NUMBER",
    "as_number",
    "as_text",
    "lv_number_text",
    "unescape_formulas",
]

_GROUP: Final = "[" + "".join(LV_GROUP_SEPARATORS) + "]"
#: a Latvian number: optional sign, digits (groups of three after the first 1-3 digits, each
#: group after one separator), optional decimal comma and digits; spaces around are allowed
LV_NUMBER: Final = re.compile(
    rf"\s*[+-]?(?:\d{{1,3}}(?:{_GROUP}\d{{3}})+|\d+)(?:{re.escape(LV_DECIMAL)}\d+)?\s*"
)
_ESCAPED: Final = ESCAPED_TEXT


def _is_text(s: pd.Series) -> bool:
    return pdt.is_string_dtype(s.dtype) and s.dtype != object


def unescape_formulas(s: pd.Series) -> pd.Series:
    """Text cells written as ``'=...`` (``'`` before a formula prefix) without the ``'``.

    Examples
    --------
    >>> unescape_formulas(pd.Series(["'=1+1", "'-5", "'abc", "=x", None], dtype="str")).tolist()
    ['=1+1', '-5', "'abc", '=x', nan]
    """
    escaped = s.str.match(_ESCAPED).to_numpy(dtype=bool, na_value=False)
    if not escaped.any():
        return s
    out = s.copy()
    out[escaped] = s[escaped].str.slice(1)
    return out


def lv_number_text(s: pd.Series) -> pd.Series:
    """Latvian numbers as plain number text (``"1 500,05"`` -> ``"1500.05"``), others NA.

    Examples
    --------
    >>> cells = ["1 500,05", "-0,5", "12", "1 50,00", "1.500,00", "2.5", "1\\u00a0000"]
    >>> lv_number_text(pd.Series(cells, dtype="str")).tolist()
    ['1500.05', '-0.5', '12', nan, nan, nan, '1000']
    """
    ok = s.str.fullmatch(LV_NUMBER).to_numpy(dtype=bool, na_value=False)
    plain = s.str.strip().str.replace(_GROUP, "", regex=True).str.replace(LV_DECIMAL, ".")
    return plain.where(ok)


def as_text(s: pd.Series) -> pd.Series:
    """Text cells as they are; numbers (Excel, Parquet) as their digits; empty cells NA."""
    if _is_text(s):
        return s
    raw = s.to_numpy(dtype=object)
    empty = pd.isna(raw)
    out = np.array(
        [
            None if e else x if isinstance(x, str) else _digits(x)
            for x, e in zip(raw, empty, strict=True)
        ],
        dtype=object,
    )
    return pd.Series(out, index=s.index, name=s.name, dtype="str")


def _digits(x: object) -> str:
    if isinstance(x, float | np.floating) and float(x).is_integer():
        return str(int(x))
    return str(x)


def as_number(s: pd.Series, latvian: bool = False) -> pd.Series:
    """Numbers from text cells; a cell that is not a finite number keeps its original value.

    Whole numbers become ``int64`` (``Int64`` when some cells are empty), others ``float64``;
    a column with cells that are not numbers becomes ``object`` so the validator can name them.
    With ``latvian``, text cells are read as Latvian numbers (see :func:`lv_number_text`).
    """
    if pdt.is_numeric_dtype(s.dtype) or pdt.is_bool_dtype(s.dtype):
        return s
    raw = s.to_numpy(dtype=object)
    given = ~pd.isna(raw)
    if _is_text(s):  # CSV: every cell is text
        texts, nums, text_cells = given, np.zeros(len(raw), dtype=bool), s
    else:  # Excel: numbers, text and other cells
        texts = np.fromiter((isinstance(x, str) for x in raw), dtype=bool, count=len(raw))
        nums = np.fromiter(
            (isinstance(x, int | float | np.number) and not isinstance(x, bool) for x in raw),
            dtype=bool,
            count=len(raw),
        )
        only_text = raw.copy()
        only_text[~texts] = None
        text_cells = pd.Series(only_text).astype("str")
    if latvian:
        text_cells = lv_number_text(text_cells)
    parsed = pd.to_numeric(text_cells, errors="coerce", dtype_backend="numpy_nullable")
    finite = np.isfinite(parsed.to_numpy(dtype=np.float64, na_value=np.nan))
    ok = nums | (texts & finite)
    if not ok[given].all() or nums.any():
        cells = np.where(texts & ok, parsed.to_numpy(dtype=object), raw)
        cells[~given] = None
        if not ok[given].all():
            return pd.Series(cells, index=s.index, name=s.name, dtype=object)
        parsed = pd.to_numeric(pd.Series(cells, dtype=object), dtype_backend="numpy_nullable")
    result: pd.Series
    if not pdt.is_integer_dtype(parsed.dtype):
        result = parsed.astype("float64")
    elif given.all():
        result = parsed.astype("int64")
    else:
        result = parsed.astype("Int64")
    result = result.set_axis(s.index)
    result.name = s.name
    return result
