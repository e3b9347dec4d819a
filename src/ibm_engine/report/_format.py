"""Numbers for people: euros to the cent, counts and shares, in English or Latvian style.

English writes ``1,234.50 EUR``, Latvian ``1 234,50 EUR`` (space between thousands, decimal
comma). Amounts are turned into whole cents first, so a total is the exact sum of its parts.

Written for people (the Latvian CSV, a report's labelled sheets), numbers have a fixed
precision: money ``MONEY_DECIMALS`` (exact cents), other fractional numbers (coverage, value,
weight, hours ...) at most ``DECIMALS`` decimals, so ``0.9999999999999999`` shows as ``1``.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from ibm_engine._typing import IntArray

__all__ = [
    "DECIMALS",
    "MONEY_DECIMALS",
    "count",
    "eur",
    "is_money",
    "percent",
    "rounded",
    "to_cents",
]

#: decimals of money written for people: whole cents
MONEY_DECIMALS: Final = 2
#: most decimals of the other fractional numbers written for people (coverage, value, weight,
#: hours ...): 6 decimals tell 0.0001 % of coverage apart and hide float noise
DECIMALS: Final = 6


def is_money(column: str) -> bool:
    """Whether a column holds EUR amounts: ``*_eur`` and a budget formula's ``budget_*``.

    Examples
    --------
    >>> is_money("cost_eur"), is_money("budget_base"), is_money("budget_source")
    (True, True, False)
    """
    return column.endswith("_eur") or (column.startswith("budget_") and column != "budget_source")


def rounded(column: str, s: pd.Series) -> pd.Series:
    """A float column at the precision written for people; other columns unchanged.

    Money (see :func:`is_money`) to the cent, other floats to ``DECIMALS`` decimals; missing
    and infinite values stay as they are.

    Examples
    --------
    >>> rounded("coverage", pd.Series([0.9999999999999999, 1 / 3, None])).tolist()
    [1.0, 0.333333, nan]
    >>> rounded("cost_eur", pd.Series([0.1 + 0.2, 81.3])).tolist()
    [0.3, 81.3]
    """
    if not pdt.is_float_dtype(s.dtype):
        return s
    x = s.to_numpy(dtype=np.float64, na_value=np.nan)
    out = np.rint(x * 100.0) / 100.0 if is_money(column) else np.round(x, DECIMALS)
    out = np.where(np.isfinite(x), out, x) + 0.0  # + 0.0: -0.0 shows as 0
    return pd.Series(out, index=s.index, name=s.name)


def to_cents(eur: object) -> IntArray:
    """EUR amounts (floats with at most cent precision) as int64 cents; missing counts as 0.

    Examples
    --------
    >>> to_cents([0.1, 0.2, 81.3, None]).tolist()
    [10, 20, 8130, 0]
    """
    x = pd.to_numeric(pd.Series(eur), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    out: IntArray = np.rint(np.nan_to_num(x, nan=0.0) * 100.0).astype(np.int64)
    return out


def _group(digits: str, lang: str) -> str:
    sep = " " if lang == "lv" else ","
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[k : k + 3] for k in range(head, len(digits), 3)]
    return sep.join(parts)


def eur(cents: int, lang: str = "en") -> str:
    """An amount in cents as text with two decimals and ``EUR``.

    Examples
    --------
    >>> eur(123450), eur(123450, "lv"), eur(-5)
    ('1,234.50 EUR', '1 234,50 EUR', '-0.05 EUR')
    """
    c = int(cents)
    whole, frac = divmod(abs(c), 100)
    point = "," if lang == "lv" else "."
    sign = "-" if c < 0 else ""
    return f"{sign}{_group(str(whole), lang)}{point}{frac:02d} EUR"


def count(n: int, lang: str = "en") -> str:
    """A whole number with thousands separated.

    Examples
    --------
    >>> count(1288), count(1288, "lv")
    ('1,288', '1 288')
    """
    k = int(n)
    return ("-" if k < 0 else "") + _group(str(abs(k)), lang)


def percent(share: float, lang: str = "en", digits: int = 1) -> str:
    """A share (0.934) as a percentage (``93.4%``); NaN as an en dash.

    Examples
    --------
    >>> percent(0.934), percent(0.934, "lv"), percent(float("nan"))
    ('93.4%', '93,4%', '–')
    """
    if not np.isfinite(share):
        return "–"
    text = f"{100.0 * share:.{digits}f}%"
    return text.replace(".", ",") if lang == "lv" else text
