"""Tables as Latvian CSV: what Latvian Excel opens with the right columns and numbers.

``;`` between fields, decimal comma, no digit grouping, UTF-8 with a byte order mark, the
contract's column names; money with exactly two decimals, other fractional numbers with at most
``DECIMALS`` (trailing zeros dropped), whole numbers as they are. A text cell beginning with one
of ``FORMULA_PREFIXES`` gets a leading ``FORMULA_ESCAPE`` (OWASP's CSV-injection guidance), so
Excel shows it instead of computing it; ``read_table(..., locale="lv")`` takes it off again.
Numbers are never escaped: ``-5`` in a numeric column is the number minus five.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from ibm_engine.io._locale import (
    FORMULA_ESCAPE,
    LV_CSV_ENCODING,
    LV_DECIMAL,
    LV_SEPARATOR,
    NEEDS_ESCAPE,
)
from ibm_engine.report._format import DECIMALS, is_money, rounded

__all__ = ["escape_formulas", "lv_column", "write_lv_csv"]


def escape_formulas(s: pd.Series) -> pd.Series:
    """Text cells a spreadsheet would take as a formula, with ``FORMULA_ESCAPE`` in front;
    every other cell (numbers included) unchanged.

    Examples
    --------
    >>> escape_formulas(pd.Series(["=1+2", "-1", "Bauska", -1, None, "'=x", "'a"])).tolist()
    ["'=1+2", "'-1", 'Bauska', -1, None, "''=x", "'a"]
    """
    text = s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)  # strings only, never numbers
    if not text.any():
        return s
    out = s.astype(object).copy()
    t = out[text].astype(str)
    hit = t.str.match(NEEDS_ESCAPE).to_numpy(dtype=bool)
    out.loc[t.index[hit]] = FORMULA_ESCAPE + t[hit]
    return out


def _decimals(x: np.ndarray, digits: int, trim: bool) -> pd.Series:
    """Finite floats as fixed-point text with a decimal comma, ``digits`` decimals (trailing
    zeros and a bare comma dropped when ``trim``)."""
    text = pd.Series(np.char.mod(f"%.{digits}f", x), dtype=object)
    if trim:
        text = text.str.rstrip("0").str.rstrip(".")
    text = text.where(text != "-0", "0")
    return text.str.replace(".", LV_DECIMAL, regex=False)


def lv_column(column: str, s: pd.Series) -> pd.Series:
    """One column as the text of its Latvian CSV cells (None where the cell is empty).

    Examples
    --------
    >>> lv_column("cost_eur", pd.Series([81.3, 0.1 + 0.2, -5.0, None])).tolist()
    ['81,30', '0,30', '-5,00', None]
    >>> lv_column("coverage", pd.Series([0.9999999999999999, 1 / 3, 0.25])).tolist()
    ['1', '0,333333', '0,25']
    >>> lv_column("participant_id", pd.Series(["=HYPERLINK(1)", "007"])).tolist()
    ["'=HYPERLINK(1)", '007']
    """
    index = s.index
    if pdt.is_bool_dtype(s.dtype) or not pdt.is_numeric_dtype(s.dtype):
        out = escape_formulas(s.astype(object))
        out = out.where(out.notna(), None)
        kind = out.map(lambda v: isinstance(v, float | np.floating))
        floats = kind.to_numpy(dtype=bool)
        if floats.any():  # numbers in a text column: the same decimal comma
            x = out[floats].to_numpy(dtype=np.float64)
            out.loc[floats] = lv_column("", pd.Series(x)).to_numpy()
        return out.set_axis(index)
    if pdt.is_integer_dtype(s.dtype):
        ints = s.astype("string").astype(object)
        return ints.where(s.notna(), None)
    x = rounded(column, s).to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(x)
    text = _decimals(np.where(finite, x, 0.0), 2 if is_money(column) else DECIMALS,
                     trim=not is_money(column))  # fmt: skip
    text = text.where(finite, pd.Series(x.astype(str), dtype=object))  # inf, -inf, nan
    text = text.where(~np.isnan(x), None)
    return text.set_axis(index)


def write_lv_csv(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as Latvian CSV (see the module docstring)."""
    cells = pd.DataFrame({k: lv_column(str(c), df[c]) for k, c in enumerate(df.columns)})
    cells.columns = escape_formulas(pd.Series([str(c) for c in df.columns], dtype=object))
    cells.to_csv(path, sep=LV_SEPARATOR, index=False, encoding=LV_CSV_ENCODING, na_rep="")
