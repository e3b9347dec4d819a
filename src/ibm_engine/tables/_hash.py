"""Content hash of a table: of its validated values, independent of row and column order.

Every cell becomes a tagged value: ids and text as text; money (contract money columns and
result columns ending in ``_eur``) in whole cents; integers and integral floats alike
(``3 == 3.0``); other floats as float64 with ``-0.0`` taken as ``0.0``; NaN, None, ``pd.NA``
and empty (or blank) text as one null; categorical, string and object columns by value. A
cell is a tag (what it holds) and a 64-bit payload per half: a number's 64 bits, or a text's
two independent 64-bit hashes (two different 64-bit finalisers chained over its UTF-8 bytes).
The cells of a row are chained in sorted column order into the two halves of a 128-bit row
digest, ``h = fin(h * CHAIN ^ payload ^ tag * CHAIN ^ seed)`` with the column's seed (from
BLAKE2b of its name) and each half's finaliser; the rows are **added** modulo 2**128: the
table is a multiset of rows, so the hashes of the parts of a table add up to the table's hash
and a duplicated row counts twice (XOR would cancel it). (Until 2026-12-05 each cell's value
was put through the finaliser once more before the chain: every digest changed then.)

The hash depends on no library's hashing (BLAKE2b is in Python's standard library and the
finalisers are written here), so it stays the same across pandas and numpy versions. It is a
fingerprint for audits, not a cryptographic commitment: the finalisers are not collision
resistant against a forger. Columns whose cells cannot be hashed by value (lists, dicts,
arbitrary objects) are left out and named in ``not_hashed``.

How it is computed (the values above do not depend on it): a column's cells come from
:mod:`ibm_engine.tables._hash_cells`, per row or, for text and categories, per distinct value
with each row's code; a text is hashed once per distinct value where there are codes.
The finalisers, the chain of a column's cells into the row digests and the hashes of texts are
compiled (:mod:`ibm_engine.tables._hash_kernels`, numba): one pass per column. Contract columns
that ``tables.prepare`` has already converted are hashed from its conversion (``converted``),
and a result column with the same texts as such an input column from the input's
(:class:`TextParts`).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ibm_engine.tables._convert import Column, TextColumn
from ibm_engine.tables._hash_bytes import CHAIN, SPACE_LEAD, U64, arrow_strings
from ibm_engine.tables._hash_cells import ArrayLike, column_cells
from ibm_engine.tables._hash_parts import ArrowTexts, Cells, Coded, Floats, Ints, Part
from ibm_engine.tables._schema import ColumnSpec

__all__ = ["TableHash", "TextParts", "hash_table", "row_digests"]

_MOD = 1 << 128
#: ``tag * CHAIN`` for each tag (an array product: wraps without a scalar overflow warning)
_TAG_MIX = np.arange(8, dtype=np.uint64) * CHAIN
#: room for the rows that may hold blank texts, which the text kernel sets aside (at least
#: its block of 2,048 rows)
_ASIDE = 4096
#: each tag as a one-entry array (the kernels' "every cell has this tag")
_ONE_TAG = tuple(np.full(1, t, dtype=np.uint8) for t in range(8))
#: input text columns of at most this many rows are kept for the outputs (``TextParts``: a
#: few MB at most; a 20,000-participant run has 158,224 plan lines, and in much larger runs
#: hashing is a smaller share of the time and memory is dearer)
_KEEP_ROWS = 1 << 18
#: tables of more rows than this are hashed a block of rows at a time (bounds the memory)
_BLOCK_ROWS = 1 << 20


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


class TextParts:
    """Arrow text columns of input tables as hashed from their conversion (codes into the
    cells of their distinct texts), kept so that a result table's column of the same name,
    length and texts (Arrow's ``equals``: the whole column compared) is chained from them
    instead of hashing every row's text again; the cells are the same either way (an Arrow
    text column's conversion keeps each text as it is, blank ones as null). Only columns of
    at most ``_KEEP_ROWS`` rows are kept (their codes stay in memory until the outputs are
    hashed)."""

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: dict[tuple[str, int], list[tuple[object, Coded]]] = {}

    def add(self, name: str, values: ArrayLike, part: Coded) -> None:
        arrow = arrow_strings(values)
        if arrow is not None and len(values) <= _KEEP_ROWS:
            self._kept.setdefault((name, len(values)), []).append((arrow, part))

    def get(self, name: str, values: ArrayLike) -> Coded | None:
        """The kept part of a column with the same texts as ``values``, if any."""
        kept = self._kept.get((name, len(values)))
        arrow = None if kept is None else arrow_strings(values)
        if arrow is None or kept is None:
            return None
        for other, part in kept:
            if arrow.equals(other):
                return part
        return None


def _as_given(conv: Column | None) -> bool:
    """Whether a converted column holds each text as given (Arrow texts, none invalid)."""
    return isinstance(conv, TextColumn) and conv.coded.arrow is not None and not conv.bad.any()


@functools.lru_cache(maxsize=4096)
def _seed(name: str) -> tuple[np.uint64, np.uint64]:
    """The column's two seeds: the halves of BLAKE2b of its name."""
    d = hashlib.blake2b(b"column\x00" + name.encode("utf-8"), digest_size=16).digest()
    return U64(int.from_bytes(d[:8], "little")), U64(int.from_bytes(d[8:], "little"))


@functools.lru_cache(maxsize=4096)
def _mixes(seed: tuple[np.uint64, np.uint64]) -> tuple[np.ndarray, np.ndarray]:
    """``tag * CHAIN ^ seed`` for each of the eight tags, for each half (read-only)."""
    out = _TAG_MIX ^ seed[0], _TAG_MIX ^ seed[1]
    for x in out:
        x.flags.writeable = False
    return out


def _u64(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.uint64)


def _kernel_cells(cells: Cells) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tag, a and b as the kernels take them: contiguous uint8, uint64, uint64, one per cell
    (the tag: one entry when every cell has it)."""
    tag = _ONE_TAG[int(cells.tag)] if np.ndim(cells.tag) == 0 else cells.tag
    return np.ascontiguousarray(tag, dtype=np.uint8), _u64(cells.a), _u64(cells.b)


def _chain(
    cells: Part,
    seed: tuple[np.uint64, np.uint64],
    acc_a: np.ndarray,
    acc_b: np.ndarray,
) -> None:
    """Chain a column's cells ``payload ^ seed ^ tag * CHAIN`` into the row digests:
    ``acc = fin(acc * CHAIN ^ cell)``; with codes, the cells of the distinct values are
    made once and looked up (code -1, null: the last entry)."""
    from ibm_engine.tables import _hash_kernels as k  # numba: loaded when hashing

    mix_a, mix_b = _mixes(seed)
    if isinstance(cells, Floats):  # cells made block by block inside the kernel
        tol = -1.0 if cells.money_tol is None else cells.money_tol
        k.chain_floats(cells.vals, cells.vals.view(np.int64), tol, mix_a, mix_b, acc_a, acc_b)
        return
    if isinstance(cells, ArrowTexts):  # hashed block by block inside the kernel
        _chain_texts(cells, mix_a, mix_b, acc_a, acc_b)
        return
    if isinstance(cells, Ints):  # cells made block by block inside the kernel
        vals = np.ascontiguousarray(cells.vals, dtype=np.int64)
        null = np.ascontiguousarray(cells.na).view(np.uint8)
        k.chain_ints(vals, null, int(cells.tag), mix_a, mix_b, acc_a, acc_b)
        return
    if not isinstance(cells, Coded):  # one cell per row
        k.chain_cells(*_kernel_cells(cells.dense()), mix_a, mix_b, acc_a, acc_b)
        return
    codes = np.ascontiguousarray(cells.codes, dtype=np.int64)
    k.chain_table(codes, *_kernel_cells(cells.table), mix_a, mix_b, acc_a, acc_b)


def _arrays(df: pd.DataFrame) -> list[ArrayLike]:
    """Each column's values as stored (numpy arrays, pandas' extension arrays), without making
    a Series of each (pandas' own iterator where it has one)."""
    own = getattr(df, "_iter_column_arrays", None)
    if own is not None:
        return list(own())
    return [s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array for _, s in df.items()]


def _chain_texts(
    cells: ArrowTexts, mix_a: np.ndarray, mix_b: np.ndarray, acc_a: np.ndarray, acc_b: np.ndarray
) -> None:
    """Arrow texts into the row digests (``_hash_kernels.chain_texts``); the texts that may be
    blank, which the kernel sets aside, looked at in Python and chained afterwards."""
    from ibm_engine.tables import _hash_kernels as k  # numba: loaded when hashing

    null = np.ascontiguousarray(cells.null).view(np.uint8)
    offsets = np.ascontiguousarray(cells.utf.offsets, dtype=np.int64)
    left = np.empty(_ASIDE, dtype=np.int64)
    keep_a, keep_b = np.empty(_ASIDE, dtype=np.uint64), np.empty(_ASIDE, dtype=np.uint64)
    for words, first, lo, hi in cells.utf.spans():
        while lo < hi:
            count, done = k.chain_texts(words, offsets[lo : hi + 1], first, null[lo:hi],
                                        SPACE_LEAD, mix_a, mix_b, acc_a[lo:hi], acc_b[lo:hi],
                                        left, keep_a, keep_b)  # fmt: skip
            if count:  # texts that may be blank: looked at, then chained
                rows = left[:count] + lo
                sub_a, sub_b = acc_a[rows], acc_b[rows]
                k.chain_cells(*_kernel_cells(cells.some(rows)), mix_a, mix_b, sub_a, sub_b)
                acc_a[rows], acc_b[rows] = sub_a, sub_b
            lo += done


def _columns(
    df: pd.DataFrame,
    specs: Sequence[ColumnSpec],
    money_suffix: str | None,
    converted: Mapping[str, Column] | None,
    texts: TextParts | None = None,
) -> tuple[list[tuple[Part, tuple[np.uint64, np.uint64]]], tuple[str, ...], tuple[str, ...]]:
    """Each hashable column as a part for the chain with its seed, in sorted column order;
    the hashed and the unhashable columns. ``texts``: Arrow text columns hashed from their
    conversion are kept there, and columns without a spec taken from there when it has
    their texts."""
    by_name = {spec.name: spec for spec in specs}
    known = converted or {}
    hashed: list[str] = []
    skipped: list[str] = []
    parts: list[tuple[Part, tuple[np.uint64, np.uint64]]] = []
    # the columns by position (each once, however named), in the order of their names
    names = df.columns.tolist()
    columns = [(str(name), values) for name, values in zip(names, _arrays(df), strict=True)]
    for name, values in sorted(columns, key=lambda c: c[0]):
        spec = by_name.get(name)
        if spec is None and money_suffix is not None and name.endswith(money_suffix):
            spec = ColumnSpec(name, "money", False)
        conv = known.get(name)
        cells: Part | None = None
        if texts is not None and spec is None:
            cells = texts.get(name, values)
        if cells is None:
            cells = column_cells(values, spec, conv)
            if texts is not None and isinstance(cells, Coded) and _as_given(conv):
                texts.add(name, values, cells)
        if cells is None:
            skipped.append(name)
            continue
        hashed.append(name)
        parts.append((cells, _seed(name)))
    return parts, tuple(hashed), tuple(skipped)


def _chain_rows(
    parts: Sequence[tuple[Part, tuple[np.uint64, np.uint64]]],
    lo: int,
    hi: int,
    whole: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The two halves of the digests of rows ``lo`` to ``hi``: every column chained in
    (``whole``: these are all the rows of the parts)."""
    acc_a = np.zeros(hi - lo, dtype=np.uint64)
    acc_b = np.zeros(hi - lo, dtype=np.uint64)
    for cells, seed in parts:
        _chain(cells if whole else cells.rows(lo, hi), seed, acc_a, acc_b)
    return acc_a, acc_b


def row_digests(
    df: pd.DataFrame,
    specs: Sequence[ColumnSpec] = (),
    *,
    money_suffix: str | None = None,
    converted: Mapping[str, Column] | None = None,
    texts: TextParts | None = None,
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """The two 64-bit halves of every row's digest, the hashed and the unhashable columns.

    ``specs``: contract columns hashed by their converted values (``converted``: conversions
    already made, by name); ``money_suffix``: other columns whose name ends so are money
    (whole cents where every cell is, else by value).
    """
    n = len(df)
    parts, hashed, skipped = _columns(df, specs, money_suffix, converted, texts)
    acc_a, acc_b = _chain_rows(parts, 0, n, whole=True)
    return acc_a, acc_b, hashed, skipped


def _sum128(a: np.ndarray, b: np.ndarray) -> int:
    """Sum of the 128-bit numbers ``a * 2**64 + b`` modulo 2**128 (exact: the sums of the
    32-bit halves of each word fit in 64 bits)."""

    from ibm_engine.tables import _hash_kernels as k  # numba: loaded when hashing

    sums = np.zeros(2, dtype=np.uint64)

    def total(x: np.ndarray) -> int:
        k.halves_sums(_u64(x), sums)
        return int(sums[0]) + (int(sums[1]) << 32)

    return ((total(a) << 64) + total(b)) % _MOD


def hash_table(
    df: pd.DataFrame,
    specs: Sequence[ColumnSpec] = (),
    *,
    money_suffix: str | None = None,
    converted: Mapping[str, Column] | None = None,
    texts: TextParts | None = None,
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
    converted : mapping of str to Column, optional
        Contract columns of ``df`` already converted by their spec's converter (what
        ``tables.prepare`` made while validating), used instead of converting again.
    texts : TextParts, optional
        Keeps the Arrow text columns hashed from their conversion, and gives them back for
        columns of the same name and texts (how ``allocate`` hashes its result tables'
        columns that repeat its inputs'); the hash does not depend on it.

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
    n = len(df)
    if n == 0:  # no cells: every column can be hashed, and the sum of no rows is 0
        return TableHash(0, 0, tuple(sorted(str(c) for c in df.columns.tolist())))
    if n <= _BLOCK_ROWS:
        a, b, hashed, skipped = row_digests(
            df, specs, money_suffix=money_suffix, converted=converted, texts=texts
        )
        return TableHash(_sum128(a, b), n, hashed, skipped)
    # a block of rows at a time: the digests of the blocks add up to the table's, and no
    # column's cells are all in memory at once
    parts, hashed, skipped = _columns(df, specs, money_suffix, converted, texts)
    total = 0
    for lo in range(0, n, _BLOCK_ROWS):
        total += _sum128(*_chain_rows(parts, lo, min(n, lo + _BLOCK_ROWS)))
    return TableHash(total % _MOD, n, hashed, skipped)
