"""Content hash of a table: of its validated values, independent of row and column order.

Every cell becomes a tagged value: ids and text as text; money (contract money columns and
result columns ending in ``_eur``) in whole cents; integers and integral floats alike
(``3 == 3.0``); other floats as float64 with ``-0.0`` taken as ``0.0``; NaN, None, ``pd.NA``
and empty (or blank) text as one null; categorical, string and object columns by value. Each
cell gives two independent 64-bit hashes (two different 64-bit finalisers chained over a
text's UTF-8 bytes or applied to a number's 64 bits), seeded by the column's name (BLAKE2b);
the cells of a row are chained in sorted column order into a 128-bit row digest, and the
rows are **added** modulo 2**128: the table is a multiset of rows, so the hashes of the parts
of a table add up to the table's hash and a duplicated row counts twice (XOR would cancel
it).

The hash depends on no library's hashing (BLAKE2b is in Python's standard library and the
finalisers are written here), so it stays the same across pandas and numpy versions. It is a
fingerprint for audits, not a cryptographic commitment: the finalisers are not collision
resistant against a forger. Columns whose cells cannot be hashed by value (lists, dicts,
arbitrary objects) are left out and named in ``not_hashed``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from ibm_engine.tables._convert import integer, money, number, text
from ibm_engine.tables._schema import ColumnSpec

__all__ = ["TableHash", "hash_table", "row_digests"]

_MOD = 1 << 128
_U64 = np.uint64
_M32 = _U64(0xFFFFFFFF)
#: the two 64-bit finalisers (splitmix64 and murmur3's fmix64) and the row-chaining multiplier
_A1, _A2 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)
_B1, _B2 = _U64(0xFF51AFD7ED558CCD), _U64(0xC4CEB9FE1A85EC53)
_CHAIN = _U64(0x9E3779B97F4A7C15)
#: what a cell holds; the tag enters both hashes, so 3 (an integer) and "3" (text) differ
_NULL, _INT, _FLOAT, _TEXT, _MONEY, _BOOL, _TIME, _OTHER = range(8)
#: largest magnitude below which an integral float is an exact int64
_INT_RANGE = 2.0**63


@dataclass(frozen=True)
class TableHash:
    """The content hash of a table.

    Attributes
    ----------
    digest : int
        Sum of the 128-bit row digests modulo 2**128.
    rows : int
    columns : tuple of str
        The hashed columns, sorted.
    not_hashed : tuple of str
        Columns left out because some cell cannot be hashed by value.
    """

    digest: int
    rows: int
    columns: tuple[str, ...]
    not_hashed: tuple[str, ...] = ()

    @property
    def hex(self) -> str:
        """The digest as 32 hexadecimal digits."""
        return f"{self.digest:032x}"

    def __add__(self, other: TableHash) -> TableHash:
        """The hash of two parts of one table (same columns) taken together."""
        if self.columns != other.columns:
            raise ValueError("parts of one table must have the same hashed columns")
        return TableHash(
            (self.digest + other.digest) % _MOD,
            self.rows + other.rows,
            self.columns,
            tuple(sorted(set(self.not_hashed) | set(other.not_hashed))),
        )


def _fin_a(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> _U64(30))
    x = x * _A1
    x = x ^ (x >> _U64(27))
    x = x * _A2
    out: np.ndarray = x ^ (x >> _U64(31))
    return out


def _fin_b(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> _U64(33))
    x = x * _B1
    x = x ^ (x >> _U64(33))
    x = x * _B2
    out: np.ndarray = x ^ (x >> _U64(33))
    return out


def _blake(data: bytes) -> tuple[int, int]:
    """A text's two 64-bit halves of BLAKE2b (column names: few, hashed one by one)."""
    d = hashlib.blake2b(data, digest_size=16).digest()
    return int.from_bytes(d[:8], "little"), int.from_bytes(d[8:], "little")


class _Cells:
    """Per row: tag and two 64-bit payloads of one column's cells."""

    __slots__ = ("a", "b", "tag")

    def __init__(self, n: int) -> None:
        self.tag = np.zeros(n, dtype=np.uint64)
        self.a = np.zeros(n, dtype=np.uint64)
        self.b = np.zeros(n, dtype=np.uint64)

    def put(self, rows: np.ndarray, tag: int, a: np.ndarray, b: np.ndarray | None = None) -> None:
        self.tag[rows] = _U64(tag)
        self.a[rows] = a
        self.b[rows] = a if b is None else b

    def put_texts(self, rows: np.ndarray, texts: np.ndarray, codes: np.ndarray, tag: int) -> None:
        """Rows holding ``texts[codes]`` (each distinct text hashed once)."""
        if texts.shape[0]:
            ha, hb = _text_hashes(texts)
            self.put(rows, tag, ha[codes], hb[codes])


def _text_hashes(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two 64-bit hashes of each text's UTF-8 bytes, eight bytes at a time (vectorised)."""
    encoded = [str(t).encode("utf-8") for t in texts.tolist()]
    raw = np.array(encoded, dtype=bytes)  # numpy drops trailing NUL bytes: lengths below
    width = max(raw.dtype.itemsize, 1)
    padded = -(-width // 8) * 8
    buf = np.zeros((raw.shape[0], padded), dtype=np.uint8)
    if raw.dtype.itemsize:
        buf[:, : raw.dtype.itemsize] = raw.view(np.uint8).reshape(raw.shape[0], -1)
    words = buf.view("<u8").astype(np.uint64)
    length = np.array([len(b) for b in encoded], dtype=np.uint64)  # "a" and "a\0" differ
    ha, hb = _fin_a(length ^ _A2), _fin_b(length ^ _B2)
    used = (length + _U64(7)) // _U64(8)  # a text's own words: its hash is not the batch's
    for k in range(words.shape[1]):
        on = used > _U64(k)
        ha = np.where(on, _fin_a((ha * _CHAIN) ^ words[:, k]), ha)
        hb = np.where(on, _fin_b((hb * _CHAIN) ^ (words[:, k] + _B1)), hb)
    return ha, hb


def _numbers(cells: _Cells, rows: np.ndarray, vals: np.ndarray) -> None:
    """Floats: NaN null, integral values as integers (3.0 == 3), others as float64 bits."""
    vals = np.asarray(vals, dtype=np.float64)
    nan = np.isnan(vals)
    with np.errstate(invalid="ignore"):
        whole = ~nan & (vals == np.round(vals)) & (np.abs(vals) < _INT_RANGE)
    w = np.flatnonzero(whole)
    cells.put(rows[w], _INT, vals[w].astype(np.int64).view(np.uint64))
    f = np.flatnonzero(~nan & ~whole)
    cells.put(rows[f], _FLOAT, (vals[f] + 0.0).view(np.uint64))  # -0.0 is whole: already 0


def _ints(cells: _Cells, rows: np.ndarray, vals: np.ndarray) -> None:
    cells.put(rows, _INT, np.asarray(vals, dtype=np.int64).view(np.uint64))


def _text_values(cells: _Cells, rows: np.ndarray, vals: np.ndarray | pd.Series) -> None:
    """Text cells (None/NaN/NA/blank: null); each distinct text hashed once (a string-dtype
    Series is factorised as it is: Arrow-backed strings never become Python objects)."""
    codes, uniques = pd.factorize(vals, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    blank = np.array([not str(u).strip() for u in uniq.tolist()], dtype=bool)
    codes = np.asarray(codes, dtype=np.int64)
    keep = codes >= 0
    if blank.shape[0]:
        keep &= ~blank[np.maximum(codes, 0)]
    cells.put_texts(rows[keep], uniq, codes[keep], _TEXT)


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


def _objects(cells: _Cells, rows: np.ndarray, vals: np.ndarray) -> bool:
    """Object cells one by one (mixed columns only); False when a cell is not hashable."""
    keys = [_scalar_key(x) for x in vals.tolist()]
    if any(k is None for k in keys):
        return False
    tags = np.array([k[0] for k in keys if k is not None], dtype=np.int64)
    payload = [k[1] for k in keys if k is not None]
    for tag in (_INT, _BOOL):
        on = np.flatnonzero(tags == tag)
        vals_on = np.array([payload[i] for i in on.tolist()], dtype=np.int64)
        cells.put(rows[on], tag, vals_on.view(np.uint64))
    on = np.flatnonzero(tags == _FLOAT)
    _numbers(cells, rows[on], np.array([payload[i] for i in on.tolist()], dtype=np.float64))
    for tag in (_TEXT, _OTHER):
        on = np.flatnonzero(tags == tag)
        sub = np.array([payload[i] for i in on.tolist()], dtype=object)
        codes, uniques = pd.factorize(sub) if sub.shape[0] else (np.zeros(0, np.int64), [])
        cells.put_texts(rows[on], np.asarray(uniques, dtype=object), np.asarray(codes), tag)
    return True


def _generic(cells: _Cells, rows: np.ndarray, s: pd.Series) -> bool:
    """Any column by value; False when some cell cannot be hashed."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = np.asarray(s.cat.codes.to_numpy(), dtype=np.int64)
        sub = _Cells(len(dtype.categories))
        if not _generic(sub, np.arange(len(dtype.categories)), pd.Series(dtype.categories)):
            return False
        on = codes >= 0
        cells.tag[rows[on]] = sub.tag[codes[on]]
        cells.a[rows[on]] = sub.a[codes[on]]
        cells.b[rows[on]] = sub.b[codes[on]]
        return True
    na = s.isna().to_numpy(dtype=bool)
    present = np.flatnonzero(~na)
    if pdt.is_bool_dtype(dtype):
        _ints(cells, rows[present], s.to_numpy(dtype=object)[present].astype(np.int64))
        cells.tag[rows[present]] = _U64(_BOOL)
        return True
    if pdt.is_integer_dtype(dtype):
        vals = s.to_numpy(dtype=object)[present] if na.any() else s.to_numpy()
        if pdt.is_unsigned_integer_dtype(dtype) and len(vals) and int(np.max(vals)) >= 2**63:
            return _objects(cells, rows[present], np.asarray(vals, dtype=object))
        _ints(cells, rows[present], np.asarray(vals).astype(np.int64))
        return True
    if pdt.is_float_dtype(dtype):
        _numbers(cells, rows, s.to_numpy(dtype=np.float64, na_value=np.nan))
        return True
    if pdt.is_datetime64_any_dtype(dtype) or pdt.is_timedelta64_dtype(dtype):
        if isinstance(dtype, pd.DatetimeTZDtype):  # an instant: the same in every zone
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        unit = "datetime64[ns]" if pdt.is_datetime64_any_dtype(s.dtype) else "timedelta64[ns]"
        ns = s.to_numpy(dtype=unit)[present].view(np.int64)
        cells.put(rows[present], _TIME, ns.view(np.uint64))
        return True
    if pdt.is_string_dtype(dtype) and not pdt.is_object_dtype(dtype):  # pandas/Arrow text
        _text_values(cells, rows, s)
        return True
    kind = pd.api.types.infer_dtype(s, skipna=True)
    raw = s.to_numpy(dtype=object)
    if kind in ("string", "empty"):
        raw = raw.copy()  # to_numpy may share the caller's cells
        raw[na] = None
        _text_values(cells, rows, raw)
        return True
    if kind in ("integer", "floating", "mixed-integer-float"):
        if kind == "integer":
            try:
                _ints(cells, rows[present], raw[present].astype(np.int64))
                return True
            except OverflowError:
                return _objects(cells, rows[present], raw[present])
        _numbers(cells, rows, np.where(na, np.nan, raw).astype(np.float64))
        return True
    return _objects(cells, rows[present], raw[present])


def _spec_column(cells: _Cells, s: pd.Series, spec: ColumnSpec) -> bool:
    """A contract column by its converted value; invalid cells by their own value."""
    rows = np.arange(len(s))
    bad: np.ndarray
    if spec.kind in ("id", "text"):
        col = text(s, allow_int=spec.kind == "id")
        ok = np.flatnonzero(col.coded.codes >= 0)
        cells.put_texts(ok, col.coded.texts, col.coded.codes[ok], _TEXT)
        bad = col.bad
    else:
        conv = {"int": integer, "float": number, "money": money}[spec.kind](s)
        ok = np.flatnonzero(~conv.empty & ~conv.bad)
        if spec.kind == "float":
            _numbers(cells, ok, np.asarray(conv.values)[ok])
        else:
            tag = _MONEY if spec.kind == "money" else _INT
            cells.put(ok, tag, np.asarray(conv.values, dtype=np.int64)[ok].view(np.uint64))
        bad = conv.bad
    wrong = np.flatnonzero(bad)
    if wrong.shape[0]:  # invalid cells (quarantined rows): hashed by their own value
        return _generic(cells, rows[wrong], s.iloc[wrong].reset_index(drop=True))
    return True


def _seed(name: str) -> tuple[np.uint64, np.uint64]:
    a, b = _blake(b"column\x00" + name.encode("utf-8"))
    return _U64(a), _U64(b)


def row_digests(
    df: pd.DataFrame, specs: Sequence[ColumnSpec] = (), *, money_suffix: str | None = None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """The two 64-bit halves of every row's digest, the hashed and the unhashable columns.

    ``specs``: contract columns hashed by their converted values; ``money_suffix``: other
    columns whose name ends so are money (whole cents where every cell is, else by value).
    """
    n = len(df)
    by_name = {spec.name: spec for spec in specs}
    names = sorted((str(c), c) for c in df.columns)
    acc_a = np.zeros(n, dtype=np.uint64)
    acc_b = np.zeros(n, dtype=np.uint64)
    hashed: list[str] = []
    skipped: list[str] = []
    for name, col in names:
        s = df[col].reset_index(drop=True)
        cells = _Cells(n)
        spec = by_name.get(name)
        if spec is None and money_suffix is not None and name.endswith(money_suffix):
            spec = ColumnSpec(name, "money", False)
        ok = _spec_column(cells, s, spec) if spec is not None else _generic(cells, np.arange(n), s)
        if not ok:
            skipped.append(name)
            continue
        hashed.append(name)
        sa, sb = _seed(name)
        tag = cells.tag * _CHAIN
        acc_a = _fin_a((acc_a * _CHAIN) ^ _fin_a(cells.a ^ sa ^ tag))
        acc_b = _fin_b((acc_b * _CHAIN) ^ _fin_b(cells.b ^ sb ^ tag))
    return acc_a, acc_b, tuple(hashed), tuple(skipped)


def _sum128(a: np.ndarray, b: np.ndarray) -> int:
    """Sum of the 128-bit numbers ``a * 2**64 + b`` modulo 2**128 (exact, vectorised)."""

    def total(x: np.ndarray) -> int:
        lo = int(np.sum(x & _M32, dtype=np.uint64))
        hi = int(np.sum(x >> _U64(32), dtype=np.uint64))
        return lo + (hi << 32)

    return ((total(a) << 64) + total(b)) % _MOD


def hash_table(
    df: pd.DataFrame, specs: Sequence[ColumnSpec] = (), *, money_suffix: str | None = None
) -> TableHash:
    """The content hash of ``df`` (see the module docstring).

    Parameters
    ----------
    df : DataFrame
    specs : sequence of ColumnSpec
        Contract columns, hashed by their validated values (ids as text, money in cents);
        other columns are hashed by value.
    money_suffix : str, optional
        Columns not in ``specs`` whose name ends so (``"_eur"`` for result tables) are money.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1, 2], "y": ["p", None]})
    >>> b = pd.DataFrame({"y": ["", "p"], "x": [2.0, 1.0]})  # other order, 2.0, "" for None
    >>> hash_table(a) == hash_table(b)
    True
    >>> whole = hash_table(a)
    >>> (hash_table(a.iloc[:1]) + hash_table(a.iloc[1:])).digest == whole.digest
    True
    >>> len(whole.hex), whole.rows, whole.columns
    (32, 2, ('x', 'y'))
    """
    a, b, hashed, skipped = row_digests(df, specs, money_suffix=money_suffix)
    return TableHash(_sum128(a, b), len(df), hashed, skipped)
