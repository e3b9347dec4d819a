"""Texts as UTF-8 bytes for the hash (for ``_hash_cells.py``; what the hash is: ``_hash.py``).

All the texts of a column share one buffer of bytes (Python's ``join`` and ``encode`` once, or
the buffers of an Arrow-backed column), never text by text; their two hashes are computed by
the compiled kernel ``_hash_kernels.utf8_hashes``.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CHAIN",
    "SPACE_LEAD",
    "U64",
    "Utf8",
    "arrow_strings",
    "blank_of",
    "blanks",
    "text_hashes",
]

U64 = np.uint64
#: the multiplier that chains the cells of a row (and, in the kernels, the words of a text)
CHAIN = U64(0x9E3779B97F4A7C15)
_LITTLE = sys.byteorder == "little"


#: first UTF-8 bytes of the characters ``str.isspace`` takes as whitespace (a text can be
#: blank only if it is empty or starts with one of them)
_SPACE_LEAD = np.zeros(256, dtype=bool)
_SPACE_LEAD[
    [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0xC2, 0xE1, 0xE2, 0xE3]
] = True
#: the same, one byte each, as the kernels take it
SPACE_LEAD = _SPACE_LEAD.astype(np.uint8)


class Utf8:
    """Texts as UTF-8: the bytes and each text's offsets into them (text ``j`` is the bytes
    ``offsets[j]`` to ``offsets[j + 1]``: the texts stored one after another, as Arrow does)."""

    __slots__ = ("data", "offsets")

    def __init__(self, data: np.ndarray, offsets: np.ndarray) -> None:
        self.data, self.offsets = data, offsets

    @property
    def start(self) -> np.ndarray:
        """Where each text starts."""
        return self.offsets[:-1]

    @property
    def length(self) -> np.ndarray:
        """Each text's length in bytes."""
        return np.diff(self.offsets)

    @classmethod
    def of(cls, texts: list[Any]) -> Utf8:
        """Python texts (one join and one encode for all; other objects by their ``str``)."""
        try:
            strs, joined = texts, "".join(texts)
        except TypeError:
            strs = [str(t) for t in texts]
            joined = "".join(strs)
        data = joined.encode("utf-8")
        if len(data) == len(joined):  # ASCII: a character is a byte
            length = np.fromiter(map(len, strs), dtype=np.int64, count=len(strs))
        else:
            length = np.fromiter((len(t.encode("utf-8")) for t in strs), np.int64, len(strs))
        offsets = np.zeros(len(strs) + 1, dtype=np.int64)
        np.cumsum(length, out=offsets[1:])
        return cls(np.frombuffer(data, dtype=np.uint8), offsets)

    @classmethod
    def of_arrow(cls, values: object) -> Utf8 | None:
        """Arrow-backed texts without nulls, read from Arrow's buffers (no Python strings);
        None for any other values."""
        got = cls.arrow_rows(values)
        return None if got is None or got[1].any() else got[0]

    @classmethod
    def arrow_rows(cls, values: object) -> tuple[Utf8, np.ndarray] | None:
        """Arrow-backed texts read from Arrow's buffers, and which of them are null (a null's
        text is meaningless); None for any other values."""
        arr = arrow_strings(values)
        return None if arr is None else cls.of_pyarrow(arr)

    @classmethod
    def of_pyarrow(cls, arr: Any) -> tuple[Utf8, np.ndarray] | None:
        """A pyarrow string array (or chunked array) read from its buffers, and which of its
        texts are null; None for any other type."""
        import pyarrow as pa  # installed: the values are stored in it

        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        large = pa.types.is_large_string(arr.type)
        if not (large or pa.types.is_string(arr.type)):
            return None
        null = (
            arr.is_null().to_numpy(zero_copy_only=False)
            if arr.null_count
            else np.zeros(len(arr), dtype=bool)
        )
        _, offsets, data = arr.buffers()
        off = np.frombuffer(offsets, dtype=np.int64 if large else np.int32)
        off = np.ascontiguousarray(off[arr.offset : arr.offset + len(arr) + 1], dtype=np.int64)
        raw = np.zeros(0, np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)
        return cls(raw, off), null

    def hashes(self) -> tuple[np.ndarray, np.ndarray]:
        """Two 64-bit hashes of each text: seeded by its length in bytes (so "a" and "a\\0"
        differ), then chained over its 8-byte little-endian words (``_hash_kernels``)."""
        ha, hb, _ = self._run()
        return ha, hb

    def hashes_blank(
        self, texts: Any, skip: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The two hashes of each text and whether it is empty or whitespace only (``texts``:
        the same texts, an array or index, looked at in Python only where the first byte may
        start whitespace; not at all where ``skip``, whose rows are taken as not blank)."""
        ha, hb, may = self._run()
        return ha, hb, blank_of(texts, may, skip)

    def spans(self) -> list[tuple[np.ndarray, int, int, int]]:
        """The bytes as the kernels read them: ``(words, first, lo, hi)``, texts ``lo`` to
        ``hi`` in ``words`` (little-endian 64-bit words from byte ``first``, two words of zeros
        after the last of these texts). The bytes' own buffer where it is 8-byte aligned on a
        little-endian machine, for all texts but those ending within 24 bytes of its end (a
        text's last words are read whole); a copy of the rest."""
        off, data = self.offsets, self.data
        m = off.shape[0] - 1
        out: list[tuple[np.ndarray, int, int, int]] = []
        cut = 0
        if _LITTLE and m > 0 and data.__array_interface__["data"][0] % 8 == 0:
            whole = data.shape[0] // 8 * 8
            cut = int(np.searchsorted(off[1:], whole - 24, side="right"))
            if cut:
                out.append((data[:whole].view(np.uint64), 0, 0, cut))
        if cut < m:
            first, end = int(off[cut]) // 8 * 8, int(off[-1])
            words = np.zeros(-(-(end - first) // 8) + 2, dtype=np.uint64)
            words.view(np.uint8)[: end - first] = data[first:end]
            out.append((words if _LITTLE else words.byteswap(), first, cut, m))
        return out

    def _run(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The kernel ``utf8_hashes``: both hashes, and whether each text may be blank."""
        from ibm_engine.tables._hash_kernels import utf8_hashes  # numba: loaded when hashing

        m = self.offsets.shape[0] - 1
        ha = np.empty(m, dtype=np.uint64)
        hb = np.empty(m, dtype=np.uint64)
        may = np.empty(m, dtype=np.uint8)
        offsets = _i64(self.offsets)
        for words, first, lo, hi in self.spans():
            sub = offsets[lo : hi + 1]
            utf8_hashes(words, sub, first, SPACE_LEAD, ha[lo:hi], hb[lo:hi], may[lo:hi])
        return ha, hb, may


def arrow_strings(values: object) -> Any:
    """Texts pandas stores as Arrow strings, as one pyarrow array (chunks combined); None for
    any other values."""
    dtype = getattr(values, "dtype", None)
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    import pyarrow as pa  # installed: the values are stored in it

    arr = pa.array(getattr(values, "array", values))
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _i64(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=np.int64)


def blank_of(texts: Any, may: np.ndarray, skip: np.ndarray | None = None) -> np.ndarray:
    """Which texts are empty or whitespace only, given which ones may be (``may``, see
    ``Utf8._run``): those are looked at in Python (``texts``: an array or index; rows
    where ``skip`` are taken as not blank)."""
    maybe = np.flatnonzero(may.view(bool) if skip is None else may.view(bool) & ~skip)
    out = np.zeros(may.shape[0], dtype=bool)
    if maybe.shape[0]:
        out[maybe] = blanks(np.asarray(texts.take(maybe), dtype=object).tolist())
    return out


def blanks(texts: list[Any]) -> np.ndarray:
    """Which texts (by their ``str``) are empty or whitespace only."""
    return np.array([not (t := str(x)) or t.isspace() for x in texts], dtype=bool)


def text_hashes(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two 64-bit hashes of each text's UTF-8 bytes (see :meth:`Utf8.hashes`)."""
    return Utf8.of(texts.tolist()).hashes()
