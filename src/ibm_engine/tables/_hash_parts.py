"""A column ready for the content hash's chain (``_hash.py``): its cells for any range of rows.

:class:`Cells` hold a tag and two 64-bit payloads per row; :class:`Coded` each row's code into
the cells of the column's distinct values (``-1``: null), so that a text or a category is
hashed once however many rows hold it. :class:`Floats`, :class:`Ints` and :class:`ArrowTexts`
keep the column as it is (floats, whole numbers with null rows, Arrow-backed texts) and make
the cells of a range of rows when the chain asks (``rows``), so that hashing a table of
millions of rows never holds all its cells at once (``_hash.hash_table`` works a block of
rows at a time). ``dense()`` gives any of them as :class:`Cells`, one per row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ibm_engine.tables._hash_bytes import U64, Utf8, blanks, text_hashes

__all__ = ["ArrowTexts", "Cells", "Coded", "Floats", "Ints", "Part", "float_cells"]

#: what a cell holds; the tag enters both hashes, so 3 (an integer) and "3" (text) differ
NULL, INT, FLOAT, TEXT, MONEY, BOOL, TIME, OTHER = range(8)


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

    def rows(self, lo: int, hi: int) -> Cells:
        """The cells of rows ``lo`` to ``hi`` (views)."""
        tag = self.tag if np.ndim(self.tag) == 0 else self.tag[lo:hi]  # type: ignore[index]
        return Cells(tag, self.a[lo:hi], self.b[lo:hi])

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

    def rows(self, lo: int, hi: int) -> Coded:
        """The codes of rows ``lo`` to ``hi`` into the same cells."""
        return Coded(self.codes[lo:hi], self.table)


class Floats:
    """A column of floats whose cells (``_float_cells``) the chain computes block by block,
    never all in memory; ``money_tol``: money, as ``tables._convert.money`` reads it."""

    __slots__ = ("money_tol", "vals")

    def __init__(self, vals: np.ndarray, money_tol: float | None = None) -> None:
        self.vals = np.ascontiguousarray(vals, dtype=np.float64)
        self.money_tol = money_tol

    def dense(self) -> Cells:
        """The same cells, one per row."""
        return float_cells(self.vals, self.money_tol)

    def rows(self, lo: int, hi: int) -> Floats:
        """The floats of rows ``lo`` to ``hi``."""
        return Floats(self.vals[lo:hi], self.money_tol)


def float_cells(vals: np.ndarray, money_tol: float | None = None) -> Cells:
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


class Ints:
    """Whole numbers (int64 values) with null rows (``na``; their values are ignored)."""

    __slots__ = ("na", "tag", "vals")

    def __init__(self, vals: np.ndarray, na: np.ndarray, tag: int = INT) -> None:
        self.vals, self.na, self.tag = vals, na, tag

    def rows(self, lo: int, hi: int) -> Ints:
        """Rows ``lo`` to ``hi``."""
        return Ints(self.vals[lo:hi], self.na[lo:hi], self.tag)

    def dense(self) -> Cells:
        """The same cells, one per row: the number, or null."""
        na = self.na
        a = np.asarray(self.vals, dtype=np.int64).view(np.uint64)
        return Cells(np.where(na, NULL, self.tag).astype(np.uint8), np.where(na, U64(0), a))


class ArrowTexts:
    """Arrow-backed texts, hashed row by row from Arrow's buffers (null, NA and blank texts:
    null) when the chain asks (``_hash_kernels.chain_texts``: no array of hashes is made);
    ``array[first + i]`` is text ``i``."""

    __slots__ = ("array", "first", "null", "utf")

    def __init__(self, utf: Utf8, null: np.ndarray, array: Any, first: int = 0) -> None:
        self.utf, self.null, self.array, self.first = utf, null, array, first

    def rows(self, lo: int, hi: int) -> ArrowTexts:
        """Rows ``lo`` to ``hi`` (views)."""
        sub = Utf8(self.utf.data, self.utf.offsets[lo : hi + 1])
        return ArrowTexts(sub, self.null[lo:hi], self.array, self.first + lo)

    def _texts(self) -> Any:
        """These rows' texts (for the few looked at in Python)."""
        n = self.null.shape[0]
        return self.array if self.first == 0 and len(self.array) == n else _Shifted(self)

    def some(self, rows: np.ndarray) -> Cells:
        """The cells of some rows (not null ones; empty and whitespace-only texts: null)."""
        texts = np.asarray(self._texts().take(rows), dtype=object)
        blank = blanks(texts.tolist())
        cells = Cells.nulls(rows.shape[0])
        cells.put_texts(np.flatnonzero(~blank), texts[~blank], np.arange(int((~blank).sum())), TEXT)
        return cells

    def dense(self) -> Cells:
        """The same cells, one per row."""
        ha, hb, blank = self.utf.hashes_blank(self._texts(), skip=self.null)
        null = self.null | blank
        if not null.any():
            return Cells(TEXT, ha, hb)
        ha[null] = 0
        hb[null] = 0
        return Cells(np.where(null, np.uint8(NULL), np.uint8(TEXT)), ha, hb)


class _Shifted:
    """The texts of some rows of an :class:`ArrowTexts` (``take`` by row within them)."""

    __slots__ = ("part",)

    def __init__(self, part: ArrowTexts) -> None:
        self.part = part

    def take(self, rows: np.ndarray) -> Any:
        return self.part.array.take(rows + self.part.first)


#: a column as the chain takes it
Part = Cells | Coded | Floats | Ints | ArrowTexts
