"""Column converters: flexible pandas input -> canonical numpy arrays, with problem masks.

Each converter returns the converted values, a mask of empty cells (NA, None, NaN or blank
text) and a mask of invalid cells (wrong type or not a whole number where one is needed).
Nothing is coerced silently: ``2.5`` is not an int, ``"3"`` is not a number, ``True`` is
neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from ibm_engine._typing import BoolArray, FloatArray, IntArray

__all__ = ["Column", "fill", "integer", "money", "number", "text"]

#: tolerance of "whole cents" (contract: within 1e-6 EUR of a whole number of cents)
CENT_TOL = 1e-4
#: tolerance of "whole number" for int columns given as floats
INT_TOL = 0.0


@dataclass(frozen=True, eq=False)
class Column:
    """A converted column."""

    values: np.ndarray
    empty: BoolArray
    bad: BoolArray


def _blank(s: pd.Series) -> BoolArray:
    na = s.isna().to_numpy(dtype=bool)
    if pdt.is_string_dtype(s.dtype) or s.dtype == object:
        try:
            blank = s.str.strip().eq("")
        except AttributeError:  # an object column without any text: nothing can be blank
            return na
        na = na | blank.fillna(False).to_numpy(dtype=bool)
    return na


def text(s: pd.Series, *, allow_int: bool = False) -> Column:
    """Text cells (ids, codes). With ``allow_int``, integers are accepted as their digits."""
    empty = _blank(s)
    n = len(s)
    if pdt.is_string_dtype(s.dtype) and s.dtype != object:
        vals = fill(s.to_numpy(dtype=object), empty, None)
        return Column(vals, empty, np.zeros(n, dtype=bool))
    if allow_int and pdt.is_integer_dtype(s.dtype):
        vals = fill(s.astype("string").to_numpy(dtype=object), empty, None)
        return Column(vals, empty, np.zeros(n, dtype=bool))
    if s.dtype != object:
        return Column(np.full(n, None, dtype=object), empty, ~empty)
    raw = s.to_numpy(dtype=object)
    ok_types = (str, int, np.integer) if allow_int else (str,)
    good = np.fromiter(
        (isinstance(x, ok_types) and not isinstance(x, bool | np.bool_) for x in raw),
        dtype=bool,
        count=n,
    )
    bad = ~good & ~empty
    vals = np.array(
        [
            x if isinstance(x, str) else str(x) if g else None
            for x, g in zip(raw, good, strict=True)
        ],
        dtype=object,
    )
    return Column(vals, empty, bad)


def number(s: pd.Series) -> Column:
    """Real numbers (float64; NaN where empty or invalid). Non-finite values are invalid."""
    empty = _blank(s)
    n = len(s)
    if pdt.is_bool_dtype(s.dtype):
        return Column(np.full(n, np.nan), empty, ~empty)
    if pdt.is_numeric_dtype(s.dtype):
        vals = s.to_numpy(dtype=np.float64, na_value=np.nan)
    elif s.dtype == object:
        raw = s.to_numpy(dtype=object)
        isnum = np.fromiter(
            (
                isinstance(x, int | float | np.integer | np.floating)
                and not isinstance(x, bool | np.bool_)
                for x in raw
            ),
            dtype=bool,
            count=n,
        )
        vals = np.full(n, np.nan)
        if isnum.any():
            vals[isnum] = np.asarray(raw[isnum], dtype=np.float64)
        bad = ~isnum & ~empty
        bad |= isnum & ~np.isfinite(vals)
        return Column(vals, empty, bad)
    else:
        return Column(np.full(n, np.nan), empty, ~empty)
    bad = ~empty & ~np.isfinite(vals)
    return Column(vals, empty, bad)


def integer(s: pd.Series) -> Column:
    """Whole numbers (int64; 0 where empty or invalid); integral floats such as 3.0 accepted."""
    num = number(s)
    vals = num.values
    frac = ~num.empty & ~num.bad & (np.abs(vals - np.round(vals)) > INT_TOL)
    huge = ~num.empty & ~num.bad & (np.abs(vals) > 2.0**53)
    bad = num.bad | frac | huge
    ints = np.where(num.empty | bad, 0, np.round(np.nan_to_num(vals))).astype(np.int64)
    if pdt.is_integer_dtype(s.dtype) and not num.empty.any():
        ints = s.to_numpy(dtype=np.int64)
    return Column(ints, num.empty, bad)


def money(s: pd.Series) -> Column:
    """Money in EUR -> int64 cents; a value must be within 1e-6 EUR of a whole cent."""
    num = number(s)
    with np.errstate(invalid="ignore"):
        cents_f = num.values * 100.0
        rounded = np.round(cents_f)
        ok = num.empty | num.bad | (np.abs(cents_f - rounded) <= CENT_TOL)
    bad = num.bad | ~ok | (~num.empty & ~num.bad & (np.abs(rounded) > 2.0**53))
    cents: IntArray = np.where(num.empty | bad, 0, np.nan_to_num(rounded)).astype(np.int64)
    return Column(cents, num.empty, bad)


def fill(values: np.ndarray, mask: BoolArray, default: object) -> np.ndarray:
    """A copy of ``values`` with ``default`` where ``mask`` (object arrays stay object)."""
    out = np.array(values, copy=True)
    if default is None and out.dtype != object:
        out = out.astype(object)
    out[mask] = default
    return out


def floats(col: Column) -> FloatArray:
    """The float values of a converted column."""
    out: FloatArray = np.asarray(col.values, dtype=np.float64)
    return out
