"""The content hash's arithmetic in plain numpy: the reference for its compiled kernels.

These are the numpy routines the library used before its loops were compiled
(``ibm_engine.tables._hash_kernels``): the finalisers as whole-array passes, the chain of a
column's cells into the row digests, and the texts' hashes eight bytes at a time for all texts
at once. The tests swap them in (:func:`numpy_hashing`) and compare the hashes of the same
frames both ways.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from ibm_engine.tables import _hash, _hash_parts
from ibm_engine.tables._convert import money
from ibm_engine.tables._hash_bytes import _SPACE_LEAD, CHAIN, Utf8
from ibm_engine.tables._hash_parts import Cells, Coded, Part

U64 = np.uint64
_A = (U64(30), U64(0xBF58476D1CE4E5B9), U64(27), U64(0x94D049BB133111EB), U64(31))
_B = (U64(33), U64(0xFF51AFD7ED558CCD), U64(33), U64(0xC4CEB9FE1A85EC53), U64(33))
_A2, B1, _B2 = _A[3], _B[1], _B[3]
_S3, _U1, _U7, _U64BITS = U64(3), U64(1), U64(7), U64(64)
_LOW_BYTES = np.array([(1 << (8 * i)) - 1 for i in range(9)], dtype=np.uint64)
_TAG_MIX = np.arange(8, dtype=np.uint64) * CHAIN
#: texts hashed at a time (bounds the copy of their bytes)
TEXT_CHUNK = 1 << 18


def _finalise(x: np.ndarray, steps: tuple[np.uint64, ...]) -> None:
    """``x ^= x >> s1; x *= m1; x ^= x >> s2; x *= m2; x ^= x >> s3``, in place."""
    s1, m1, s2, m2, s3 = steps
    x ^= x >> s1
    x *= m1
    x ^= x >> s2
    x *= m2
    x ^= x >> s3


def fin_a(x: np.ndarray) -> None:
    _finalise(x, _A)


def fin_b(x: np.ndarray) -> None:
    _finalise(x, _B)


def _dense(cells: Cells, seed: tuple[np.uint64, np.uint64]) -> tuple[np.ndarray, np.ndarray]:
    ha = cells.a ^ (_TAG_MIX ^ seed[0])[cells.tag]
    hb = cells.b ^ (_TAG_MIX ^ seed[1])[cells.tag]
    return ha, hb


def chain(
    cells: Part,
    seed: tuple[np.uint64, np.uint64],
    acc_a: np.ndarray,
    acc_b: np.ndarray,
) -> None:
    """What ``_hash._chain`` computes, in numpy."""
    n = acc_a.shape[0]
    if not isinstance(cells, Coded):
        cells = cells.dense()  # floats through float_cells below, when swapped in
    if isinstance(cells, Cells):
        ha, hb = _dense(Cells(np.broadcast_to(cells.tag, (n,)), cells.a, cells.b), seed)
    else:
        ta, tb = _dense(cells.table.with_null(), seed)
        ha, hb = np.take(ta, cells.codes, mode="wrap"), np.take(tb, cells.codes, mode="wrap")
    acc_a *= CHAIN
    acc_a ^= ha
    fin_a(acc_a)
    acc_b *= CHAIN
    acc_b ^= hb
    fin_b(acc_b)


def _run(utf: Utf8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What ``Utf8._run`` computes: the texts' hashes and whether each may be blank (empty,
    or its first byte starts whitespace)."""
    ha, hb = text_hashes(utf)
    size = utf.data.shape[0]
    first = utf.data[np.minimum(utf.start, size - 1)] if size else np.zeros(0, np.uint8)
    may = (utf.length == 0) | (_SPACE_LEAD[first] if size else True)
    return ha, hb, np.asarray(may, dtype=np.uint8)


def text_hashes(utf: Utf8, chunk: int = TEXT_CHUNK) -> tuple[np.ndarray, np.ndarray]:
    """What ``Utf8.hashes`` computes: all texts take as many 8-byte words as the longest one,
    and a text's chain stops at its own last word."""
    m = utf.length.shape[0]
    words = -(-max(int(utf.length.max()), 1) // 8) if m else 0
    ha = np.empty(m, dtype=np.uint64)
    hb = np.empty(m, dtype=np.uint64)
    for lo in range(0, m, chunk):
        hi = min(m, lo + chunk)
        ha[lo:hi], hb[lo:hi] = _span(utf, lo, hi, words)
    return ha, hb


def _span(utf: Utf8, lo: int, hi: int, words: int) -> tuple[np.ndarray, np.ndarray]:
    length = utf.length[lo:hi]
    first, end = int(utf.start[lo]), int(utf.start[hi - 1] + length[-1])
    buf = np.zeros(-(-(end - first) // 8) + words + 2, dtype=np.uint64)
    buf.view(np.uint8)[: end - first] = utf.data[first:end]
    aligned = buf if sys.byteorder == "little" else buf.byteswap()
    pos = (utf.start[lo:hi] - first).astype(np.uint64)
    ha, hb = length.astype(np.uint64) ^ _A2, length.astype(np.uint64) ^ _B2
    fin_a(ha)
    fin_b(hb)
    for k in range(words):
        p = pos + U64(8 * k)
        q, bits = p >> _S3, (p & _U7) << _S3
        word = aligned[q] >> bits
        word |= np.where(bits == 0, U64(0), aligned[q + _U1] << (_U64BITS - bits))
        word &= _LOW_BYTES[np.clip(length - 8 * k, 0, 8)]
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


def numbers(vals: np.ndarray) -> Cells:
    """Floats in numpy: NaN null, integral values as integers (3.0 == 3), others by bits."""
    vals = np.asarray(vals, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # NaN, inf and huge values: not whole, cast unused
        ints = vals.astype(np.int64)
    whole = (ints.astype(np.float64) == vals) & (np.abs(vals) < 2.0**63)
    tag = np.where(whole, np.uint8(1), np.uint8(2))
    a = np.where(whole, ints.view(np.uint64), vals.view(np.uint64))
    nan = np.isnan(vals)
    tag[nan] = 0
    a[nan] = 0
    return Cells(tag, a)


def float_cells(vals: np.ndarray, money_tol: float | None = None) -> Cells:
    """What ``_hash_parts.float_cells`` computes, in numpy; money through
    ``tables._convert.money`` (the validation's reading), invalid money by its own value."""
    cells = numbers(vals)
    if money_tol is None:
        return cells
    col = money(pd.Series(vals, dtype=np.float64))
    good = ~col.empty & ~col.bad
    cells.tag[good] = 4  # type: ignore[index]  # an array: made by numbers()
    cells.a[good] = col.values[good].view(np.uint64)
    return cells


@contextlib.contextmanager
def numpy_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Within: the content hash computed by these numpy routines instead of the kernels."""
    with monkeypatch.context() as m:
        m.setattr(_hash, "_chain", chain)
        m.setattr(Utf8, "_run", _run)
        m.setattr(_hash_parts, "float_cells", float_cells)
        yield


_WORDS = ["a", "", "  ", "ZG-GRT-000001", "ūdens", "Ö😀", "\u3000", "a\0", "b\x1c", "žīds " * 9]


def random_texts(rng: np.random.Generator, n: int) -> list[object]:
    """Texts around the 8-byte word boundaries, blanks, non-ASCII, None."""
    out: list[object] = []
    for _ in range(n):
        r = rng.random()
        if r < 0.1:
            out.append(None)
        elif r < 0.5:
            out.append(_WORDS[rng.integers(len(_WORDS))])
        else:  # random lengths 0..70 around the 8-byte word boundaries, some non-ASCII
            k = int(rng.integers(0, 71))
            chars = rng.choice(list("abcxyz09 -āčēģ€😀"), size=k)
            out.append("".join(chars.tolist()))
    return out


def random_frame(seed: int, n: int) -> pd.DataFrame:
    """A frame of every kind of column the hash takes (texts in every storage, nulls, -0.0,
    integral floats, money, nullable integers, categories, mixed objects, times)."""
    rng = np.random.default_rng(seed)
    floats = rng.normal(size=n) * 10.0 ** rng.integers(-3, 8, n)
    whole = rng.random(n) < 0.2
    floats[whole] = np.round(floats[whole])  # integral floats: hashed as integers
    floats[rng.random(n) < 0.1] = np.nan
    floats[rng.random(n) < 0.1] = -0.0
    texts = random_texts(rng, n)
    cents = rng.integers(-(10**6), 10**6, n)
    money = cents / 100
    money[rng.random(n) < 0.05] = np.nan
    nullable = pd.array(rng.integers(0, 40, n), dtype="Int64")
    nullable[rng.random(n) < 0.2] = pd.NA
    return pd.DataFrame(
        {
            "small_int": rng.integers(0, 9, n),
            "wide_int": rng.integers(-(2**62), 2**62, n),
            "nullable_int": nullable,
            "float": floats,
            "budget_eur": money,
            "text_object": pd.Series(texts, dtype=object),
            "text_arrow": pd.Series(texts, dtype=pd.StringDtype("pyarrow")),
            "text_python": pd.Series(texts, dtype=pd.StringDtype("python")),
            "text_str": pd.Series(texts, dtype="str"),
            "category": pd.Categorical(rng.choice(["x", "y", "ž", None], n)),
            "boolean": rng.random(n) < 0.5,
            "mixed": pd.Series([[1, 2.5, "t", None, True][i % 5] for i in range(n)], dtype=object),
            "when": pd.to_datetime(rng.integers(0, 10**9, n), unit="s"),
        }
    )
