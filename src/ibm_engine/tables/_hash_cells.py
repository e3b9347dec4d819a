"""The cells of one column as tagged 64-bit values, for the content hash (``_hash.py``).

A column becomes one of the parts of ``_hash_parts.py`` (cells per row, codes into the cells
of distinct values, or the column kept as it is until the chain asks for a range of rows).
What each kind of cell becomes is described in ``_hash.py``; this module only computes it,
column by column with numpy, and looks at single cells in Python only in mixed object columns.
"""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from ibm_engine._tolerances import CENT_TOL_CENTS
from ibm_engine.tables import _hash_parts as parts
from ibm_engine.tables._convert import Column, TextColumn, integer, money, number, text
from ibm_engine.tables._hash_bytes import Utf8, text_hashes
from ibm_engine.tables._hash_parts import ArrowTexts, Cells, Coded, Floats, Ints, Part
from ibm_engine.tables._schema import ColumnSpec

__all__ = ["ArrayLike", "by_value", "column_cells", "spec_cells"]

#: a column's values as a table stores them
ArrayLike = np.ndarray | pd.api.extensions.ExtensionArray

#: what a cell holds (the tags of ``_hash_parts``)
_NULL, _INT, _FLOAT, _TEXT, _MONEY, _BOOL, _TIME, _OTHER = (
    parts.NULL, parts.INT, parts.FLOAT, parts.TEXT, parts.MONEY, parts.BOOL, parts.TIME, parts.OTHER
)  # fmt: skip
#: largest magnitude below which an integral float is an exact int64
_INT_RANGE = 2.0**63
#: Arrow-backed texts of at most this many bytes per row on average are hashed row by row
#: (cheaper than finding the distinct texts first); longer ones per distinct text, unless the
#: column has at most ``_FEW_ROWS`` rows (then finding them costs more than hashing all)
_ROW_TEXT_BYTES = 32
_FEW_ROWS = 1024


def _text_table(texts: np.ndarray, tag: int = _TEXT, arrow: object = None) -> Cells:
    """The cells of distinct texts (all of them hashed together: see ``Utf8.hashes``), read
    from ``arrow`` (the same texts as an Arrow string array) where given."""
    if not texts.shape[0]:
        return Cells(np.zeros(0, np.uint8), np.zeros(0, np.uint64))
    got = None if arrow is None else Utf8.of_pyarrow(arrow)
    if got is not None and got[0].offsets.shape[0] == texts.shape[0] + 1 and not got[1].any():
        ha, hb = got[0].hashes()
    else:
        ha, hb = text_hashes(texts)
    return Cells(tag, ha, hb)


def _ints(vals: np.ndarray, na: np.ndarray | None, tag: int = _INT) -> Cells | Ints:
    """Whole numbers (int64 values; ``na``: null rows, whose values are ignored), one cell
    per row: the compiled chain hashes them faster than it looks up the cells of distinct
    values (``Coded``, kept for texts and categories, where hashing a value costs more)."""
    if na is None or not bool(na.any()):
        return Cells(tag, np.asarray(vals, dtype=np.int64).view(np.uint64))
    return Ints(vals, na, tag)


def _scatter(n: int, rows: np.ndarray, part: Part | None) -> Cells | None:
    """``n`` cells, null except ``rows``, which take ``part``."""
    if part is None:
        return None
    out = Cells.nulls(n)
    out.put_cells(rows, part.dense())
    return out


def _arrow_text(s: pd.Series | pd.Index | ArrayLike) -> ArrowTexts | None:
    """Short Arrow-backed texts, hashed row by row from Arrow's buffers (None/NA/blank:
    null); None for other or longer texts."""
    values = getattr(s, "array", s)
    got = Utf8.arrow_rows(values)
    if got is None:
        return None
    size = int(got[0].offsets[-1] - got[0].offsets[0])
    if size > _ROW_TEXT_BYTES * len(s) and len(s) > _FEW_ROWS:
        return None
    return ArrowTexts(got[0], got[1], values)


def _coded_text(vals: np.ndarray | pd.api.extensions.ExtensionArray) -> Coded:
    """Text cells (None/NaN/NA/blank: null); each distinct text hashed once (a string-dtype
    column is factorised as it is: Arrow-backed strings never become Python objects)."""
    codes, uniques = pd.factorize(vals, use_na_sentinel=True)  # type: ignore[arg-type]
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


def _stored(column: pd.Series | pd.Index | ArrayLike) -> ArrayLike:
    """A column's values as stored: a numpy array for numpy dtypes, else pandas' array."""
    values = column.array if isinstance(column, pd.Series | pd.Index) else column
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        return values.to_numpy()
    return values


def _categorical(values: ArrayLike) -> Part | None:
    """A categorical column: each row's code into the cells of its categories."""
    cats = values.dtype.categories  # type: ignore[union-attr]
    sub = by_value(cats)
    if sub is None:
        return None
    return Coded(np.asarray(values.codes, dtype=np.int64), sub.dense())  # type: ignore[union-attr]


def _nullable_ints(values: pd.api.extensions.ExtensionArray, na: np.ndarray) -> Cells | Ints:
    """Signed whole numbers that may be null (``na``)."""
    if not na.any():
        return _ints(values.to_numpy(dtype=np.int64), None)
    data = getattr(values, "_data", None)  # a masked array's values (null rows: any)
    if not (isinstance(data, np.ndarray) and data.shape == na.shape):
        data = values.to_numpy(dtype=np.int64, na_value=0)
    return _ints(data, na)


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
    cells.put_cells(
        on, parts.float_cells(np.array([payload[i] for i in on.tolist()], dtype=np.float64))
    )
    for tag in (_TEXT, _OTHER):
        on = np.flatnonzero(tags == tag)
        sub = np.array([payload[i] for i in on.tolist()], dtype=object)
        codes, uniques = pd.factorize(sub) if sub.shape[0] else (np.zeros(0, np.int64), [])
        cells.put_texts(on, np.asarray(uniques, dtype=object), np.asarray(codes), tag)
    return cells


def by_value(column: pd.Series | ArrayLike) -> Part | None:
    """Any column (a Series, or its values as a table stores them) by value; None when some
    cell cannot be hashed. The common kinds (numpy numbers, categories, pandas' floats and
    texts, nullable integers) are read from the stored values, without making a Series."""
    values = _stored(column)
    dtype = values.dtype
    if isinstance(values, np.ndarray) and dtype.kind in "fi":  # numpy numbers: never null
        return Floats(values) if dtype.kind == "f" else _ints(values, None)
    if isinstance(dtype, pd.CategoricalDtype):
        return _categorical(values)
    if not isinstance(values, np.ndarray):  # pandas' own (extension) dtypes
        if pdt.is_float_dtype(dtype):
            return Floats(values.to_numpy(dtype=np.float64, na_value=np.nan))
        if pdt.is_string_dtype(dtype):  # pandas/Arrow text
            return _arrow_text(values) or _coded_text(values)
        if pdt.is_signed_integer_dtype(dtype):
            return _nullable_ints(values, np.asarray(values.isna(), dtype=bool))
    s = column if isinstance(column, pd.Series) else pd.Series(values, copy=False)
    n = len(s)
    na = np.asarray(s.array.isna(), dtype=bool)  # the other kinds need the null rows
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
        return parts.float_cells(np.where(na, np.nan, raw).astype(np.float64))
    return _scatter(n, present, _objects(raw[present]))


def _convert(s: pd.Series, spec: ColumnSpec) -> Column:
    if spec.kind in ("id", "text"):
        return text(s, allow_int=spec.kind == "id")
    return {"int": integer, "float": number, "money": money}[spec.kind](s)


def _converted(col: Column, spec: ColumnSpec) -> Part:
    """The cells of a converted contract column (its invalid cells as empty ones)."""
    if isinstance(col, TextColumn):
        return Coded(col.coded.codes, _text_table(col.coded.texts, arrow=col.coded.arrow))
    ok = ~col.empty & ~col.bad
    if spec.kind == "float":
        return parts.float_cells(np.where(ok, col.values, np.nan))
    return _ints(col.values, ~ok, _MONEY if spec.kind == "money" else _INT)


def spec_cells(s: pd.Series, spec: ColumnSpec, conv: Column | None = None) -> Part | None:
    """A contract column by its converted value (``conv``: the conversion already made);
    invalid cells by their own value; None when one of those cannot be hashed."""
    if conv is None and spec.kind in ("float", "money") and s.dtype == np.float64:
        # plain floats: converted and hashed in one pass (the values of the general path)
        return Floats(s.to_numpy(), CENT_TOL_CENTS if spec.kind == "money" else None)
    col = _convert(s, spec) if conv is None else conv
    out = _converted(col, spec)
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


def column_cells(values: ArrayLike, spec: ColumnSpec | None, conv: Column | None) -> Part | None:
    """A column's values (as the table stores them) as :func:`spec_cells` or, without a spec,
    :func:`by_value` take them; the common kinds (see :func:`by_value`; converted columns
    without invalid cells) without making a Series of them."""
    if spec is None:
        return by_value(values)
    if conv is not None and not conv.bad.any():
        return _converted(conv, spec)  # every cell is in the conversion
    if conv is None and spec.kind in ("float", "money") and values.dtype == np.float64:
        return Floats(values, CENT_TOL_CENTS if spec.kind == "money" else None)  # as spec_cells
    return spec_cells(pd.Series(values, copy=False), spec, conv)
