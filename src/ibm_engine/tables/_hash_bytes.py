"""The hash's arithmetic on 64-bit words: the two finalisers, and the two hashes of a text's
UTF-8 bytes (for ``_hash_cells.py``; what the hash is: ``_hash.py``).

Everything is numpy over arrays, in place where it can be: a text's bytes are read eight at a
time from one buffer of all the texts (Python's ``join`` and ``encode`` once, or the buffers of
an Arrow-backed column), never text by text.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["B1", "CHAIN", "U64", "Utf8", "fin_a", "fin_b", "text_hashes"]

U64 = np.uint64
#: the two 64-bit finalisers (splitmix64 and murmur3's fmix64): shifts and multipliers
_A = (U64(30), U64(0xBF58476D1CE4E5B9), U64(27), U64(0x94D049BB133111EB), U64(31))
_B = (U64(33), U64(0xFF51AFD7ED558CCD), U64(33), U64(0xC4CEB9FE1A85EC53), U64(33))
_A2, B1, _B2 = _A[3], _B[1], _B[3]
#: the multiplier that chains words of a text and cells of a row
CHAIN = U64(0x9E3779B97F4A7C15)
_S3, _U1, _U7, _U64BITS = U64(3), U64(1), U64(7), U64(64)
_LITTLE = sys.byteorder == "little"


def _finalise(x: np.ndarray, scratch: np.ndarray | None, steps: tuple[np.uint64, ...]) -> None:
    """``x ^= x >> s1; x *= m1; x ^= x >> s2; x *= m2; x ^= x >> s3``, in place."""
    t = np.empty_like(x) if scratch is None else scratch
    s1, m1, s2, m2, s3 = steps
    np.right_shift(x, s1, out=t)
    x ^= t
    x *= m1
    np.right_shift(x, s2, out=t)
    x ^= t
    x *= m2
    np.right_shift(x, s3, out=t)
    x ^= t


def fin_a(x: np.ndarray, scratch: np.ndarray | None = None) -> None:
    """splitmix64's finaliser of every element, in place (``scratch``: same shape)."""
    _finalise(x, scratch, _A)


def fin_b(x: np.ndarray, scratch: np.ndarray | None = None) -> None:
    """murmur3's fmix64 of every element, in place (``scratch``: same shape)."""
    _finalise(x, scratch, _B)


#: first UTF-8 bytes of the characters ``str.isspace`` takes as whitespace (a text can be
#: blank only if it is empty or starts with one of them)
_SPACE_LEAD = np.zeros(256, dtype=bool)
_SPACE_LEAD[
    [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0xC2, 0xE1, 0xE2, 0xE3]
] = True


#: a 64-bit word's lowest 0, 1, ..., 8 bytes (a text's last word: zeros after its end)
_LOW_BYTES = np.array([(1 << (8 * i)) - 1 for i in range(9)], dtype=np.uint64)
#: texts hashed at a time (bounds the copy of their bytes)
_TEXT_CHUNK = 1 << 18


class Utf8:
    """Texts as UTF-8: the bytes, each text's start and length in bytes."""

    __slots__ = ("data", "length", "start")

    def __init__(self, data: np.ndarray, start: np.ndarray, length: np.ndarray) -> None:
        self.data, self.start, self.length = data, start, length

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
        return cls(np.frombuffer(data, dtype=np.uint8), np.cumsum(length) - length, length)

    @classmethod
    def of_arrow(cls, values: object) -> Utf8 | None:
        """Arrow-backed texts without nulls, read from Arrow's buffers (no Python strings);
        None for any other values."""
        dtype = getattr(values, "dtype", None)
        if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
            return None
        import pyarrow as pa  # installed: the values are stored in it

        arr = pa.array(getattr(values, "array", values))
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        large = pa.types.is_large_string(arr.type)
        if arr.null_count or not (large or pa.types.is_string(arr.type)):
            return None
        _, offsets, data = arr.buffers()
        off = np.frombuffer(offsets, dtype=np.int64 if large else np.int32)
        off = off[arr.offset : arr.offset + len(arr) + 1].astype(np.int64)
        raw = np.zeros(0, np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)
        return cls(raw, off[:-1], np.diff(off))

    def blank(self, texts: object) -> np.ndarray:
        """Whether each text is empty or whitespace only (``texts``: the same texts, looked at
        in Python only where the first byte may start whitespace)."""
        m, size = self.length.shape[0], self.data.shape[0]
        maybe = np.flatnonzero(
            (self.length == 0) | _SPACE_LEAD[self.data[np.minimum(self.start, size - 1)]]
            if size
            else np.ones(m, dtype=bool)
        )
        out = np.zeros(m, dtype=bool)
        if maybe.shape[0]:
            some = np.asarray(texts, dtype=object)[maybe].tolist()
            out[maybe] = [not (t := str(x)) or t.isspace() for x in some]
        return out

    def hashes(self) -> tuple[np.ndarray, np.ndarray]:
        """Two 64-bit hashes of each text, eight bytes at a time (vectorised).

        All texts take as many 8-byte words as the longest one (zeros after a text's end); its
        length in bytes enters first, so "a" and "a\\0" differ.
        """
        m = self.length.shape[0]
        words = -(-max(int(self.length.max()), 1) // 8)
        ha = np.empty(m, dtype=np.uint64)
        hb = np.empty(m, dtype=np.uint64)
        for lo in range(0, m, _TEXT_CHUNK):
            hi = min(m, lo + _TEXT_CHUNK)
            ha[lo:hi], hb[lo:hi] = self._span(lo, hi, words)
        return ha, hb

    def _span(self, lo: int, hi: int, words: int) -> tuple[np.ndarray, np.ndarray]:
        """The hashes of texts ``lo:hi`` (stored one after another in ``data``)."""
        length = self.length[lo:hi]
        first, end = int(self.start[lo]), int(self.start[hi - 1] + length[-1])
        buf = np.zeros(-(-(end - first) // 8) + words + 2, dtype=np.uint64)
        buf.view(np.uint8)[: end - first] = self.data[first:end]
        aligned = buf if _LITTLE else buf.byteswap()  # 64-bit words read little-endian
        pos = (self.start[lo:hi] - first).astype(np.uint64)
        ha, hb = length.astype(np.uint64) ^ _A2, length.astype(np.uint64) ^ _B2
        fin_a(ha)
        fin_b(hb)
        for k in range(words):
            p = pos + U64(8 * k)
            q, bits = p >> _S3, (p & _U7) << _S3
            # the eight bytes from p: the end of one aligned word and the start of the next
            word = aligned[q] >> bits
            word |= np.where(bits == 0, U64(0), aligned[q + _U1] << (_U64BITS - bits))
            word &= _LOW_BYTES[np.clip(length - 8 * k, 0, 8)]  # zeros after the text's end
            # a text chains over its own words only: its hash never depends on the longer
            # texts hashed with it (else partition hashes would not add up to the table's)
            own = length > 8 * k
            na = ha * CHAIN
            na ^= word
            fin_a(na)
            word += B1
            nb = hb * CHAIN
            nb ^= word
            fin_b(nb)
            ha, hb = np.where(own, na, ha), np.where(own, nb, hb)
        return ha, hb


def text_hashes(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two 64-bit hashes of each text's UTF-8 bytes (see :meth:`Utf8.hashes`)."""
    return Utf8.of(texts.tolist()).hashes()
