"""The cells of one column as tagged 64-bit values, for the content hash (``_hash.py``).

A column becomes :class:`Cells` (per row: a tag and two 64-bit payloads) or :class:`Coded`
(each row's code into the cells of the column's distinct values, ``-1`` for null), so that a
text or a category is encoded and hashed once however many rows hold it. What each kind of
cell becomes is described in ``_hash.py``; this module only computes it, column by column with
numpy, and looks at single cells in Python only in mixed object columns.
"""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from ibm_engine._tolerances import CENT_TOL_CENTS
from ibm_engine.tables._convert import Column, TextColumn, integer, money, number, text
from ibm_engine.tables._hash_bytes import U64, Utf8, text_hashes
from ibm_engine.tables._schema import ColumnSpec

__all__ = ["Cells", "Coded", "Floats", "by_value", "spec_cells"]

#: what a cell holds; the tag enters both hashes, so 3 (an integer) and "3" (text) differ
_NULL, _INT, _FLOAT, _TEXT, _MONEY, _BOOL, _TIME, _OTHER = range(8)
#: largest magnitude below which an integral float is an exact int64
_INT_RANGE = 2.0**63
#: Arrow-backed texts of at most this many bytes per row on average are hashed row by row
#: (cheaper than finding the distinct texts first); longer ones per distinct text
_ROW_TEXT_BYTES = 32


class Cells:
    """Per row: tag (an array, or one int for every row) and two 64-bit payloads."""

    __slots__ = ("a", "b", "tag")

    def __init__(self, tag: np.ndarray | int, a: np.ndarray, b: np.ndarray | None = None) -> None:
        self.tag = tag
        self.a = a
        self.b = a if b is None else b

    @classmethod
    def nulls(cls, n: int) -> Cells:
        """``n`` null cells (to fill with :meth:`put`)."""
        return cls(np.zeros(n, dtype=np.uint8), np.zeros(n, np.uint64), np.zeros(n, np.uint64))

    def _own(self) -> None:
        """Separate arrays for tag, a and b before writing into them."""
        n = self.a.shape[0]
        self.tag = np.array(np.broadcast_to(self.tag, (n,)), dtype=np.uint8)
        self.a, self.b = self.a.copy(), self.b.copy()

    def put(self, rows: np.ndarray, tag: int, a: np.ndarray, b: np.ndarray | None = None) -> None:
        self.tag[rows] = tag  # type: ignore[index]  # an array: made by nulls() or _own()
        self.a[rows] = a
        self.b[rows] = a if b is None else b

    def put_cells(self, rows: np.ndarray, other: Cells) -> None:
        """Rows ``rows`` take ``other``'s cells (one per row)."""
        self._own()
        self.put(rows, 0, other.a, other.b)
        self.tag[rows] = other.tag  # type: ignore[index]  # an array after _own()

    def put_texts(self, rows: np.ndarray, texts: np.ndarray, codes: np.ndarray, tag: int) -> None:
        """Rows holding ``texts[codes]`` (each distinct text hashed once)."""
        if texts.shape[0]:
            ha, hb = text_hashes(texts)
            self.put(rows, tag, ha[codes], hb[codes])

    def dense(self) -> Cells:
        """These cells (one per row already)."""
        return self

    def with_null(self) -> Cells:
        """These cells and one null cell after them (where code -1 points)."""
        tag = np.broadcast_to(self.tag, self.a.shape)
        return Cells(np.append(tag, 0), np.append(self.a, U64(0)), np.append(self.b, U64(0)))


class Coded:
    """Each row's code into ``table``, the cells of the distinct values (-1: null)."""

    __slots__ = ("codes", "table")

    def __init__(self, codes: np.ndarray, table: Cells) -> None:
        self.codes = codes
        self.table = table

    def dense(self) -> Cells:
        """The same cells, one per row."""
        t = self.table.with_null()  # code -1 takes the null cell at the end
        tag = np.take(np.asarray(t.tag), self.codes, mode="wrap")
        return Cells(
            tag, np.take(t.a, self.codes, mode="wrap"), np.take(t.b, self.codes, mode="wrap")
        )


class Floats:
    """A column of floats whose cells (``_float_cells``) the chain computes block by block,
    never all in memory; ``money_tol``: money, as ``tables._convert.money`` reads it."""

    __slots__ = ("money_tol", "vals")

    def __init__(self, vals: np.ndarray, money_tol: float | None = None) -> None:
        self.vals = np.ascontiguousarray(vals, dtype=np.float64)
        self.money_tol = money_tol

    def dense(self) -> Cells:
        """The same cells, one per row."""
        return _float_cells(self.vals, self.money_tol)


def _text_table(texts: np.ndarray, tag: int = _TEXT) -> Cells:
    """The cells of distinct texts (all of them hashed together: see ``Utf8.hashes``)."""
    if not texts.shape[0]:
        return Cells(np.zeros(0, np.uint8), np.zeros(0, np.uint64))
    ha, hb = text_hashes(texts)
    return Cells(tag, ha, hb)


def _float_cells(vals: np.ndarray, money_tol: float | None = None) -> Cells:
    """Floats in one compiled pass (``_hash_kernels.number_cells``): NaN null, integral
    values as integers (3.0 == 3), others as float64 bits; with ``money_tol``, money as
    ``tables._convert.money`` reads it (whole cents; invalid money by its own value)."""
    from ibm_engine.tables import _hash_kernels as k  # numba: loaded when hashing

    vals = np.ascontiguousarray(vals, dtype=np.float64)
    n = vals.shape[0]
    tag, a = np.empty(n, dtype=np.uint8), np.empty(n, dtype=np.int64)
    if money_tol is None:
        k.number_cells(vals, vals.view(np.int64), tag, a)
    else:
        k.money_cells(vals, vals.view(np.int64), money_tol, tag, a)
    return Cells(tag, a.view(np.uint64))


def _ints(vals: np.ndarray, na: np.ndarray | None, tag: int = _INT) -> Cells:
    """Whole numbers (int64 values; ``na``: null rows, whose values are ignored), one cell
    per row: the compiled chain hashes them faster than it looks up the cells of distinct
    values (``Coded``, kept for texts and categories, where hashing a value costs more)."""
    a = np.asarray(vals, dtype=np.int64).view(np.uint64)
    if na is None or not bool(na.any()):
        return Cells(tag, a)
    return Cells(np.where(na, _NULL, tag).astype(np.uint8), np.where(na, U64(0), a))


def _scatter(n: int, rows: np.ndarray, part: Cells | Coded | Floats | None) -> Cells | None:
    """``n`` cells, null except ``rows``, which take ``part``."""
    if part is None:
        return None
    out = Cells.nulls(n)
    out.put_cells(rows, part.dense())
    return out


def _arrow_text(s: pd.Series) -> Cells | None:
    """Short Arrow-backed texts hashed row by row from Arrow's buffers (None/NA/blank: null);
    None for other or longer texts."""
    got = Utf8.arrow_rows(s.array)
    if got is None or int(got[0].offsets[-1] - got[0].offsets[0]) > _ROW_TEXT_BYTES * len(s):
        return None
    utf, null = got
    ha, hb, blank = utf.hashes_blank(s.array, skip=null)
    null |= blank
    if not null.any():
        return Cells(_TEXT, ha, hb)
    ha[null] = 0
    hb[null] = 0
    return Cells(np.where(null, np.uint8(_NULL), np.uint8(_TEXT)), ha, hb)


def _coded_text(vals: np.ndarray | pd.Series) -> Coded:
    """Text cells (None/NaN/NA/blank: null); each distinct text hashed once (a string-dtype
    Series is factorised as it is: Arrow-backed strings never become Python objects)."""
    codes, uniques = pd.factorize(vals, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    if not len(uniques):
        return Coded(codes, Cells(np.zeros(0, np.uint8), np.zeros(0, np.uint64)))
    utf = Utf8.of_arrow(uniques)
    if utf is None:
        strs = np.array([str(u) for u in np.asarray(uniques, dtype=object).tolist()], object)
        utf = Utf8.of(strs.tolist())
        ha, hb, blank = utf.hashes_blank(strs)
    else:
        ha, hb, blank = utf.hashes_blank(uniques)
    if blank.any():
        codes = np.where((codes >= 0) & blank[np.maximum(codes, 0)], -1, codes)
    return Coded(codes, Cells(_TEXT, ha, hb))


def _scalar_key(x: object) -> tuple[int, object] | None:
    """One object cell as (tag, value) for the cell-by-cell path; None when not hashable."""
    if x is None or x is pd.NA or x is pd.NaT:
        return (_NULL, 0)
    if isinstance(x, bool | np.bool_):
        return (_BOOL, int(x))
    if isinstance(x, int | np.integer):
        return (_INT, int(x)) if -(2**63) <= int(x) < 2**63 else (_OTHER, f"int:{x}")
    if isinstance(x, float | np.floating):
        return (_FLOAT, float(x))
    if isinstance(x, str):
        return (_TEXT, x) if x.strip() else (_NULL, 0)
    if isinstance(x, dt.date | dt.time | decimal.Decimal | pd.Timestamp):
        return (_OTHER, f"{type(x).__name__}:{x.isoformat() if hasattr(x, 'isoformat') else x}")
    return None


def _objects(vals: np.ndarray) -> Cells | None:
    """Object cells one by one (mixed columns only); None when a cell is not hashable."""
    keys = [_scalar_key(x) for x in vals.tolist()]
    if any(k is None for k in keys):
        return None
    cells = Cells.nulls(len(keys))
    tags = np.array([k[0] for k in keys if k is not None], dtype=np.int64)
    payload = [k[1] for k in keys if k is not None]
    for tag in (_INT, _BOOL):
        on = np.flatnonzero(tags == tag)
        vals_on = np.array([payload[i] for i in on.tolist()], dtype=np.int64)
        cells.put(on, tag, vals_on.view(np.uint64))
    on = np.flatnonzero(tags == _FLOAT)
    cells.put_cells(on, _float_cells(np.array([payload[i] for i in on.tolist()], dtype=np.float64)))
    for tag in (_TEXT, _OTHER):
        on = np.flatnonzero(tags == tag)
        sub = np.array([payload[i] for i in on.tolist()], dtype=object)
        codes, uniques = pd.factorize(sub) if sub.shape[0] else (np.zeros(0, np.int64), [])
        cells.put_texts(on, np.asarray(uniques, dtype=object), np.asarray(codes), tag)
    return cells


def by_value(s: pd.Series) -> Cells | Coded | Floats | None:
    """Any column by value; None when some cell cannot be hashed."""
    dtype = s.dtype
    n = len(s)
    if isinstance(dtype, pd.CategoricalDtype):
        sub = by_value(pd.Series(dtype.categories))
        if sub is None:
            return None
        table = sub.dense()
        return Coded(np.asarray(s.cat.codes.to_numpy(), dtype=np.int64), table)
    if pdt.is_float_dtype(dtype):
        return Floats(s.to_numpy(dtype=np.float64, na_value=np.nan))
    if pdt.is_string_dtype(dtype) and not pdt.is_object_dtype(dtype):  # pandas/Arrow text
        return _arrow_text(s) or _coded_text(s)
    if isinstance(dtype, np.dtype) and dtype.kind == "i":  # numpy integers: never null
        return _ints(s.to_numpy(), None)
    na = s.isna().to_numpy(dtype=bool)  # the other kinds need the null rows
    if pdt.is_integer_dtype(dtype) and not pdt.is_unsigned_integer_dtype(dtype):
        if not na.any():
            return _ints(s.to_numpy(), None)
        data = getattr(s.array, "_data", None)  # a masked array's values (null rows: any)
        if not (isinstance(data, np.ndarray) and data.shape == (n,)):
            data = s.to_numpy(dtype=np.int64, na_value=0)
        return _ints(data, na)
    present = np.flatnonzero(~na)
    if pdt.is_bool_dtype(dtype):
        cells = Cells.nulls(n)
        vals = s.to_numpy(dtype=object)[present].astype(np.int64)
        cells.put(present, _BOOL, vals.view(np.uint64))
        return cells
    if pdt.is_integer_dtype(dtype):  # unsigned: beyond 2**63 by their value as objects
        if present.shape[0] and int(s.max()) >= 2**63:
            return _scatter(n, present, _objects(s.to_numpy(dtype=object)[present]))
        return _ints(s.to_numpy(dtype=np.int64, na_value=0), na)
    if pdt.is_datetime64_any_dtype(dtype) or pdt.is_timedelta64_dtype(dtype):
        if isinstance(dtype, pd.DatetimeTZDtype):  # an instant: the same in every zone
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        unit = "datetime64[ns]" if pdt.is_datetime64_any_dtype(s.dtype) else "timedelta64[ns]"
        cells = Cells.nulls(n)
        cells.put(present, _TIME, s.to_numpy(dtype=unit)[present].view(np.uint64))
        return cells
    kind = pd.api.types.infer_dtype(s, skipna=True)
    raw = s.to_numpy(dtype=object)
    if kind in ("string", "empty"):
        raw = raw.copy()  # to_numpy may share the caller's cells
        raw[na] = None
        return _coded_text(raw)
    if kind == "integer":
        try:
            return _scatter(n, present, _ints(raw[present].astype(np.int64), None))
        except OverflowError:
            return _scatter(n, present, _objects(raw[present]))
    if kind in ("floating", "mixed-integer-float"):
        return _float_cells(np.where(na, np.nan, raw).astype(np.float64))
    return _scatter(n, present, _objects(raw[present]))


def _convert(s: pd.Series, spec: ColumnSpec) -> Column:
    if spec.kind in ("id", "text"):
        return text(s, allow_int=spec.kind == "id")
    return {"int": integer, "float": number, "money": money}[spec.kind](s)


def spec_cells(
    s: pd.Series, spec: ColumnSpec, conv: Column | None = None
) -> Cells | Coded | Floats | None:
    """A contract column by its converted value (``conv``: the conversion already made);
    invalid cells by their own value; None when one of those cannot be hashed."""
    if conv is None and spec.kind in ("float", "money") and s.dtype == np.float64:
        # plain floats: converted and hashed in one pass (the values of the general path)
        return Floats(s.to_numpy(), CENT_TOL_CENTS if spec.kind == "money" else None)
    col = _convert(s, spec) if conv is None else conv
    out: Cells | Coded
    if isinstance(col, TextColumn):
        out = Coded(col.coded.codes, _text_table(col.coded.texts))
    else:
        ok = ~col.empty & ~col.bad
        if spec.kind == "float":
            out = _float_cells(np.where(ok, col.values, np.nan))
        else:
            out = _ints(col.values, ~ok, _MONEY if spec.kind == "money" else _INT)
    wrong = np.flatnonzero(col.bad)
    if not wrong.shape[0]:
        return out
    # invalid cells (quarantined rows): hashed by their own value
    bad = by_value(s.iloc[wrong].reset_index(drop=True))
    if bad is None:
        return None
    dense = out.dense()
    dense.put_cells(wrong, bad.dense())
    return dense
