"""Column converters: flexible pandas input -> canonical numpy arrays, with problem masks.

Each converter returns the converted values, a mask of empty cells (NA, None, NaN or blank
text) and a mask of invalid cells (wrong type or not a whole number where one is needed).
Nothing is coerced silently: ``2.5`` is not an int, ``"3"`` is not a number, ``True`` is
neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from ibm_engine._tolerances import CENT_TOL_CENTS, INT_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.tables._arrow_text import arrow_factorize

__all__ = [
    "Codes",
    "Column",
    "TextColumn",
    "convert",
    "dates",
    "fill",
    "integer",
    "money",
    "number",
    "text",
]

#: the largest magnitude a float still holds every whole number up to (2**53)
_EXACT = 2.0**53
#: 2**53 + 1: the largest int64 whose float is not beyond ``_EXACT`` (it rounds to 2**53)
_EDGE = np.int64(2**53 + 1)


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
        except (AttributeError, TypeError):  # no text at all (numbers, bytes): none is blank
            return na
        na = na | blank.to_numpy(dtype=bool, na_value=False)
    return na


class Codes:
    """Text cells as integer codes into their distinct texts (``-1``: empty or invalid).

    Indexing gives the text of a row (or None), so a ``Codes`` can stand wherever problem
    reports need a row's id, without turning millions of cells into Python strings.
    """

    __slots__ = ("arrow", "codes", "texts")

    def __init__(self, codes: IntArray, texts: np.ndarray, arrow: Any = None) -> None:
        self.codes = codes
        self.texts = texts
        #: the distinct texts as an Arrow string array, where they came from one (the content
        #: hash reads its buffers instead of the Python strings)
        self.arrow = arrow

    def __getitem__(self, row: int) -> str | None:
        c = int(self.codes[row])
        return None if c < 0 else str(self.texts[c])

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def objects(self) -> np.ndarray:
        """Every row's text as an object array (None where empty); for small tables."""
        out = np.empty(self.codes.shape[0], dtype=object)
        has = self.codes >= 0
        out[has] = self.texts[self.codes[has]]
        return out

    def where(self, keep: BoolArray) -> Codes:
        """The same texts with the rows outside ``keep`` made empty."""
        return Codes(np.where(keep, self.codes, -1), self.texts)


class TextColumn(Column):
    """A converted text column: masks per row, values through :class:`Codes`."""

    def __init__(
        self, codes: Codes, empty: BoolArray, bad: BoolArray, spaced: BoolArray | None = None
    ) -> None:
        object.__setattr__(self, "coded", codes)
        object.__setattr__(self, "empty", empty)
        object.__setattr__(self, "bad", bad)
        if spaced is None:
            spaced = np.zeros(codes.texts.shape[0], dtype=bool)
        object.__setattr__(self, "spaced", spaced)

    coded: Codes
    #: per distinct text (``coded.texts``): whether it has surrounding whitespace
    spaced: BoolArray

    @property
    def values(self) -> np.ndarray:  # materialised on demand
        return self.coded.objects()


def _hashable(x: object) -> bool:
    try:
        hash(x)
    except Exception:  # any object may refuse: TypeError for lists, anything for odd classes
        return False
    return True


def _factorize(s: pd.Series) -> tuple[IntArray, pd.Index | np.ndarray, BoolArray | None]:
    """``pd.factorize`` of a column (codes, distinct values, mask of unhashable cells or None).

    Cells that cannot be hashed (lists, dicts, sets, arrays, frames) make ``pd.factorize``
    fail; only then are the cells looked at one by one, and those get code -1 and the mask.
    """
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        return np.asarray(codes, dtype=np.int64), uniques, None
    except (TypeError, ValueError):
        raw = s.to_numpy(dtype=object)
        odd = np.fromiter((not _hashable(x) for x in raw), dtype=bool, count=raw.shape[0])
        clean = raw.copy()
        clean[odd] = None
        c2, u2 = pd.factorize(clean, use_na_sentinel=True)
        return np.asarray(c2, dtype=np.int64), np.asarray(u2, dtype=object), odd


def text(s: pd.Series, *, allow_int: bool = False) -> TextColumn:
    """Text cells (ids, codes). With ``allow_int``, integers are accepted as their digits.

    Checks run on the distinct values only (one factorisation of the column), so a column of
    millions of ids costs one hash pass. Cells that are not text (numbers, bytes, lists, dicts,
    arrays, ...) are invalid.
    """
    fast = arrow_factorize(s)
    if fast is not None:  # Arrow strings: Arrow factorises them
        return _text_column(*fast)
    raw_codes, uniques, odd = _factorize(s)
    uniq = np.asarray(uniques, dtype=object)
    if pdt.is_string_dtype(s.dtype) and s.dtype != object:  # all text: vectorised checks
        u_series = pd.Series(uniques, copy=False)  # keeps the column's string storage
        u_stripped = u_series.str.strip()
        u_blank = u_stripped.eq("").to_numpy(dtype=bool)
        u_spaced = (u_stripped != u_series).to_numpy(dtype=bool)
        # distinct strings are distinct texts: no second factorisation
        return _text_column(raw_codes, uniq, u_blank, u_spaced)
    else:
        ok_types = (str, int, np.integer) if allow_int else (str,)
        u_good = np.array(
            [isinstance(x, ok_types) and not isinstance(x, bool | np.bool_) for x in uniq],
            dtype=bool,
        )
        u_blank = np.array([isinstance(x, str) and not x.strip() for x in uniq], dtype=bool)
        u_spaced = np.array([isinstance(x, str) and x != x.strip() for x in uniq], dtype=bool)
        u_text = np.array([x if isinstance(x, str) else str(x) for x in uniq], dtype=object)
    # different raw values with the same text (7 and "7") are one id
    t_codes, t_uniq = pd.factorize(u_text) if u_text.shape[0] else (np.zeros(0, np.int64), [])
    t_codes = np.asarray(t_codes, dtype=np.int64)
    has = raw_codes >= 0
    safe = np.where(has, raw_codes, 0)
    empty = ~has | (u_blank[safe] if uniq.shape[0] else np.zeros(has.shape[0], dtype=bool))
    bad = ~empty & (~u_good[safe] if uniq.shape[0] else np.zeros(has.shape[0], dtype=bool))
    if odd is not None:  # unhashable cells (a list, a dict, an array, ...) are invalid, not empty
        empty &= ~odd
        bad |= odd
    codes = np.where(empty | bad, -1, t_codes[safe] if uniq.shape[0] else -1).astype(np.int64)
    t_texts = np.asarray(t_uniq, dtype=object)
    spaced: BoolArray = np.zeros(t_texts.shape[0], dtype=np.bool_)
    if uniq.shape[0]:
        spaced[t_codes[u_spaced & u_good & ~u_blank]] = True
    return TextColumn(Codes(codes, t_texts), empty, bad, spaced)


def _text_column(
    raw_codes: IntArray,
    uniq: np.ndarray,
    u_blank: BoolArray,
    u_spaced: BoolArray,
    arrow: Any = None,
) -> TextColumn:
    """A text column of distinct strings ``uniq`` (all valid text) from its raw codes."""
    has = raw_codes >= 0
    if u_blank.any():
        empty = ~has | u_blank[np.where(has, raw_codes, 0)]
        code_of = np.where(u_blank, -1, np.arange(uniq.shape[0], dtype=np.int64))
        codes = np.where(has, code_of[np.where(has, raw_codes, 0)], -1)
    else:  # no blank text: the raw codes are the codes (-1 where missing)
        empty, codes = ~has, raw_codes
    spaced: BoolArray = u_spaced & ~u_blank
    no_bad = np.zeros(has.shape[0], dtype=bool)
    return TextColumn(Codes(codes, uniq, arrow), empty, no_bad, spaced)


def _to_float(raw: np.ndarray) -> FloatArray:
    """Python/numpy numbers as float64; an int too large for a float becomes inf (invalid)."""
    try:
        out: FloatArray = np.asarray(raw, dtype=np.float64)
    except OverflowError:  # rare: only then one by one
        out = np.array([_one_float(x) for x in raw.tolist()], dtype=np.float64)
    return out


def _one_float(x: object) -> float:
    try:
        return float(x)  # type: ignore[arg-type]
    except OverflowError:
        return float("inf")


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
            vals[isnum] = _to_float(raw[isnum])
        bad = ~isnum & ~empty
        bad |= isnum & ~np.isfinite(vals)
        return Column(vals, empty, bad)
    else:
        return Column(np.full(n, np.nan), empty, ~empty)
    bad = ~empty & ~np.isfinite(vals)
    return Column(vals, empty, bad)


def _signed_ints(s: pd.Series) -> Column | None:
    """A column of (nullable) signed integers, or unsigned up to 32 bits, without a float
    round trip; None for any other dtype."""
    dtype = s.dtype
    kind = getattr(dtype, "kind", "")
    if not pdt.is_integer_dtype(dtype) or pdt.is_bool_dtype(dtype):
        return None
    if kind not in ("i", "u") or (kind == "u" and int(getattr(dtype, "itemsize", 8)) > 4):
        return None
    empty = s.isna().to_numpy(dtype=bool)
    has_na = bool(empty.any())
    vals = s.to_numpy(dtype=np.int64, na_value=0) if has_na else s.to_numpy(np.int64)
    # as number() + integer() do: |float(v)| > 2**53, i.e. |v| > 2**53 + 1 (which rounds to
    # 2**53), without a float copy of the column
    huge = (vals > _EDGE) | (vals < -_EDGE)
    if has_na or huge.any():  # as integer() does then, through the float: 0 where empty or
        vals = np.where(huge | empty, 0, vals)  # huge, +-(2**53 + 1) rounded; a new array (the
        vals[vals == _EDGE] = _EDGE - 1  # column's own may be the input's buffer)
        vals[vals == -_EDGE] = 1 - _EDGE
    return Column(vals, empty, huge)


def integer(s: pd.Series) -> Column:
    """Whole numbers (int64; 0 where empty or invalid); integral floats such as 3.0 accepted."""
    fast = _signed_ints(s)
    if fast is not None:
        return fast
    num = number(s)
    vals = num.values
    with np.errstate(invalid="ignore"):  # inf - inf in cells already marked invalid
        frac = ~num.empty & ~num.bad & (np.abs(vals - np.round(vals)) > INT_TOL)
        huge = ~num.empty & ~num.bad & (np.abs(vals) > _EXACT)
    bad = num.bad | frac | huge
    ints = np.round(np.where(num.empty | bad, 0.0, vals)).astype(np.int64)
    if pdt.is_integer_dtype(s.dtype) and not num.empty.any() and not bad.any():
        ints = s.to_numpy(dtype=np.int64)
    return Column(ints, num.empty, bad)


def money(s: pd.Series) -> Column:
    """Money in EUR -> int64 cents; a value must be within 1e-6 EUR of a whole cent."""
    num = number(s)
    skip = num.empty | num.bad
    with np.errstate(invalid="ignore", over="ignore"):  # huge values are flagged below
        work = num.values * 100.0  # cents as floats (one scratch array, reused in place)
        rounded = np.round(work)
        np.subtract(work, rounded, out=work)
        np.abs(work, out=work)
        ok = skip | (work <= CENT_TOL_CENTS)
        np.abs(rounded, out=work)
        huge = ~skip & (work > _EXACT)
    del work
    bad = num.bad | ~ok | huge
    np.nan_to_num(rounded, copy=False)
    rounded[num.empty | bad] = 0.0
    cents: IntArray = rounded.astype(np.int64)
    return Column(cents, num.empty, bad)


def dates(s: pd.Series) -> Column:
    """Calendar dates (datetime64[D]; NaT where empty or invalid): date, datetime and
    Timestamp cells, ``numpy.datetime64`` and text pandas reads as a date (``2020-03-12``).
    Numbers and booleans are not dates."""
    empty = _blank(s)
    n = len(s)
    if pdt.is_datetime64_any_dtype(s.dtype):
        given = s
        odd = np.zeros(n, dtype=bool)
    elif pdt.is_numeric_dtype(s.dtype) or pdt.is_bool_dtype(s.dtype):
        return Column(np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"), empty, ~empty)
    else:
        raw = s.to_numpy(dtype=object)
        odd = np.fromiter(
            (isinstance(x, int | float | bool | np.number | np.bool_) for x in raw),
            dtype=bool,
            count=n,
        )
        given = s.where(~empty & ~odd)
    parsed = pd.to_datetime(given, errors="coerce")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    values = parsed.to_numpy(dtype="datetime64[D]")
    bad = ~empty & (odd | np.isnat(values))
    return Column(values, empty, bad)


def convert(kind: str, s: pd.Series) -> Column:
    """A column converted by its kind (``id``, ``text``, ``int``, ``float``, ``money``,
    ``date``)."""
    if kind in ("id", "text"):
        return text(s, allow_int=kind == "id")
    return {"int": integer, "float": number, "money": money, "date": dates}[kind](s)


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
