"""The content hash's loops, compiled (numba): the two finalisers, a column's cells into the
row digests, the hashes of texts' UTF-8 bytes (what they compute: ``_hash.py``).

One pass per column instead of about twenty numpy passes; the values are those of the numpy
reference, ``_hash_reference.py`` (tests compare them). Each kernel has one signature, given
here, so another dtype or layout is refused rather than compiled again: callers hand over
C-contiguous arrays of the signature's dtypes (read-only ones are accepted). The hash's
constants are literals inside the kernels, never module globals (numba freezes globals into
its cache, and a global imported from another file would not invalidate it). Arithmetic is on
uint64 only (numba turns a mix of int64 and uint64 into float64), and uint64 products wrap
as numpy's do.

``cache=True`` keeps the machine code between processes (``NUMBA_CACHE_DIR`` if set, else
``__pycache__`` beside this file, else the user's cache directory); where none is writable
the kernels are compiled in each process. The kernels stay in this one file, though it is
longer than the project's modules usually are: numba renews a kernel's cached machine code
only when the kernel's own file changes, so a kernel calling a finaliser or the chain from
another file could go on running their old code after they changed. This module imports
numba: ``_hash.py`` and ``_hash_bytes.py`` import it inside the functions that hash, so
``import ibm_engine`` does not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numba import types

__all__ = [
    "chain_cells",
    "chain_coded",
    "chain_floats",
    "chain_ints",
    "chain_table",
    "chain_texts",
    "halves_sums",
    "money_cells",
    "number_cells",
    "table_cells",
    "utf8_hashes",
]

F = TypeVar("F", bound=Callable[..., Any])

_U8 = types.Array(types.uint8, 1, "C", readonly=True)
_I64 = types.Array(types.int64, 1, "C", readonly=True)
_U64 = types.Array(types.uint64, 1, "C", readonly=True)
_F64 = types.Array(types.float64, 1, "C", readonly=True)
_OUT = types.Array(types.uint64, 1, "C")
_OUT_I64 = types.Array(types.int64, 1, "C")
_OUT_U8 = types.Array(types.uint8, 1, "C")


def _jit(signature: Any, inline: bool = False) -> Callable[[F], F]:
    """Compile with ``signature``, without the GIL, cached on disk where a place is writable;
    ``inline``: always inlined into its callers (the small helpers the loops call)."""

    def wrap(fn: F) -> F:
        try:
            out = numba.njit(signature, cache=True, nogil=True, forceinline=inline)(fn)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            out = numba.njit(signature, cache=False, nogil=True, forceinline=inline)(fn)
        return cast(F, out)

    return wrap


@_jit(types.uint64(types.uint64), inline=True)
def fin_a(x: np.uint64) -> np.uint64:
    """splitmix64's finaliser."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


@_jit(types.uint64(types.uint64), inline=True)
def fin_b(x: np.uint64) -> np.uint64:
    """murmur3's fmix64."""
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    x ^= x >> np.uint64(33)
    return x


@_jit(types.void(_U64, _U64, _OUT, _OUT))
def _chain(ha: np.ndarray, hb: np.ndarray, acc_a: np.ndarray, acc_b: np.ndarray) -> None:
    """``acc = fin(acc * CHAIN ^ h)``: element by element, so that the compiler vectorises it
    (the products wrap in SIMD registers as in scalar ones)."""
    chain = np.uint64(0x9E3779B97F4A7C15)
    for i in range(acc_a.shape[0]):
        acc_a[i] = fin_a((acc_a[i] * chain) ^ ha[i])
    for i in range(acc_b.shape[0]):
        acc_b[i] = fin_b((acc_b[i] * chain) ^ hb[i])


@_jit(types.void(_U8, _U64, _U64, types.uint64, types.uint64, _OUT, _OUT))
def _fold(
    tag: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    seed_a: np.uint64,
    seed_b: np.uint64,
    acc_a: np.ndarray,
    acc_b: np.ndarray,
) -> None:
    """Row ``i``'s cell (``tag[i]``, payloads ``a[i]``, ``b[i]``; a ``tag`` of one entry:
    every row's) chained into ``acc``: ``acc = fin(acc * CHAIN ^ payload ^ tag * CHAIN ^
    seed)``, what ``table_cells`` then ``_chain`` give, in one pass per half."""
    chain = np.uint64(0x9E3779B97F4A7C15)
    if tag.shape[0] == 1:  # one tag for every cell
        t = np.uint64(tag[0]) * chain
        ma, mb = t ^ seed_a, t ^ seed_b
        for i in range(acc_a.shape[0]):
            acc_a[i] = fin_a((acc_a[i] * chain) ^ a[i] ^ ma)
        for i in range(acc_b.shape[0]):
            acc_b[i] = fin_b((acc_b[i] * chain) ^ b[i] ^ mb)
    else:
        for i in range(acc_a.shape[0]):
            t = np.uint64(tag[i]) * chain
            acc_a[i] = fin_a((acc_a[i] * chain) ^ a[i] ^ t ^ seed_a)
        for i in range(acc_b.shape[0]):
            t = np.uint64(tag[i]) * chain
            acc_b[i] = fin_b((acc_b[i] * chain) ^ b[i] ^ t ^ seed_b)


@_jit(types.void(_U8, _U64, _U64, _U64, _U64, _OUT, _OUT))
def table_cells(
    tag: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    mix_a: np.ndarray,
    mix_b: np.ndarray,
    out_a: np.ndarray,
    out_b: np.ndarray,
) -> None:
    """The cells as the chain takes them, ``payload ^ mix[tag]`` (``mix``: ``tag * CHAIN ^
    seed`` for each of the eight tags, so ``mix[0]`` is the seed; a ``tag`` of one entry:
    every cell's)."""
    chain = np.uint64(0x9E3779B97F4A7C15)
    seed_a, seed_b = mix_a[0], mix_b[0]  # mix[t] is t * CHAIN ^ mix[0]: computed, not looked up
    if tag.shape[0] == 1:  # one tag for every cell
        t = np.uint64(tag[0]) * chain
        for i in range(out_a.shape[0]):
            out_a[i] = a[i] ^ (t ^ seed_a)
            out_b[i] = b[i] ^ (t ^ seed_b)
    else:
        for i in range(out_a.shape[0]):
            t = np.uint64(tag[i]) * chain
            out_a[i] = a[i] ^ (t ^ seed_a)
            out_b[i] = b[i] ^ (t ^ seed_b)


@_jit(types.void(_U8, _U64, _U64, _U64, _U64, _OUT, _OUT))
def chain_cells(
    tag: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    mix_a: np.ndarray,
    mix_b: np.ndarray,
    acc_a: np.ndarray,
    acc_b: np.ndarray,
) -> None:
    """Row ``i``'s cell ``payload ^ mix[tag]`` chained into ``acc``: ``fin(acc * CHAIN ^
    cell)`` (a ``tag`` of one entry: every row's)."""
    _fold(tag, a, b, mix_a[0], mix_b[0], acc_a, acc_b)


@_jit(types.void(_I64, _U64, _U64, _OUT, _OUT))
def chain_coded(
    codes: np.ndarray, ha: np.ndarray, hb: np.ndarray, acc_a: np.ndarray, acc_b: np.ndarray
) -> None:
    """Row ``i``'s cell ``ha[codes[i]]`` chained into ``acc`` (a code outside the table wraps
    round it, as in numpy's ``take(mode="wrap")``: -1 is the last entry)."""
    n, m = acc_a.shape[0], ha.shape[0]
    ga = np.empty(2048, dtype=np.uint64)
    gb = np.empty(2048, dtype=np.uint64)
    for lo in range(0, n, 2048):
        hi = min(n, lo + 2048)
        for i in range(lo, hi):
            c = codes[i]
            if c < 0 or c >= m:  # -1 (null) mostly; wraps as numpy's take(mode="wrap")
                c %= m
            ga[i - lo] = ha[c]
            gb[i - lo] = hb[c]
        _chain(ga[: hi - lo], gb[: hi - lo], acc_a[lo:hi], acc_b[lo:hi])


@_jit(types.void(_I64, _U8, _U64, _U64, _U64, _U64, _OUT, _OUT))
def chain_table(
    codes: np.ndarray,
    tag: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    mix_a: np.ndarray,
    mix_b: np.ndarray,
    acc_a: np.ndarray,
    acc_b: np.ndarray,
) -> None:
    """Row ``i``'s cell, entry ``codes[i]`` of a table of cells (``tag``, ``a``, ``b``, as for
    ``table_cells``), chained into ``acc``; code -1 is a null cell (a code outside the table
    and the null after it wraps round them, as ``chain_coded`` does)."""
    m = a.shape[0]
    ha = np.empty(m + 1, dtype=np.uint64)
    hb = np.empty(m + 1, dtype=np.uint64)
    table_cells(tag, a, b, mix_a, mix_b, ha[:m], hb[:m])
    ha[m], hb[m] = mix_a[0], mix_b[0]  # the null cell: tag 0, payload 0
    chain_coded(codes, ha, hb, acc_a, acc_b)


@_jit(types.void(types.float64, types.int64, types.intp, _OUT_U8, _OUT_I64), inline=True)
def _number(v: float, bits: int, i: int, tag: np.ndarray, a: np.ndarray) -> None:
    """Cell ``i`` of a float ``v`` (``bits``: its float64 bits): NaN null (tag 0), a whole
    value below 2**63 an integer (tag 1; -0.0 is 0), any other its bits (tag 2)."""
    if v != v:
        tag[i] = 0
        a[i] = 0
    elif abs(v) < 9.223372036854775808e18 and np.float64(np.int64(v)) == v:
        tag[i] = 1
        a[i] = np.int64(v)
    else:
        tag[i] = 2
        a[i] = bits


@_jit(types.void(_F64, _I64, _OUT_U8, _OUT_I64))
def number_cells(vals: np.ndarray, bits: np.ndarray, tag: np.ndarray, a: np.ndarray) -> None:
    """The cells of floats ``vals`` (``bits``: the same as int64) in one pass; see ``_number``."""
    for i in range(vals.shape[0]):
        _number(vals[i], bits[i], i, tag, a)


@_jit(types.void(_F64, _I64, types.float64, _OUT_U8, _OUT_I64))
def money_cells(
    vals: np.ndarray, bits: np.ndarray, tol: float, tag: np.ndarray, a: np.ndarray
) -> None:
    """Money in EUR as ``tables._convert.money`` reads it, in one pass: NaN null; within
    ``tol`` cents of a whole cent and at most 2**53 cents, whole cents (tag 4); any other
    value (off the cent, huge, infinite: invalid money) by its own value, as ``_number``."""
    for i in range(vals.shape[0]):
        v = vals[i]
        c = v * 100.0
        r = np.rint(c)  # half to even, as numpy's round
        if v == v and abs(c - r) <= tol and abs(r) <= 9007199254740992.0:
            tag[i] = 4
            a[i] = np.int64(r)
        else:
            _number(v, bits[i], i, tag, a)


_SEEN = types.UniTuple(_OUT, 2)  # type: ignore[no-untyped-call]


@_jit(_SEEN(), inline=True)
def _seen() -> tuple[np.ndarray, np.ndarray]:
    """An empty table of 4,096 recent short texts: per slot, its two words and its length
    (four words, the length ``2**64 - 1`` in an empty slot), and its two hashes."""
    seen_w = np.zeros(4 * 4096, dtype=np.uint64)
    seen_w[2::4] = ~np.uint64(0)
    return seen_w, np.zeros(2 * 4096, dtype=np.uint64)


@_jit(
    types.void(_U64, _I64, types.int64, _U8, _OUT, _OUT, _OUT, _OUT, _OUT_U8),
    inline=True,
)
def _utf8_into(
    words: np.ndarray,
    offsets: np.ndarray,
    first: int,
    lead: np.ndarray,
    seen_w: np.ndarray,
    seen_h: np.ndarray,
    out_a: np.ndarray,
    out_b: np.ndarray,
    may: np.ndarray,
) -> None:
    """``utf8_hashes`` with the table of recent short texts handed in (``_seen``), so that
    ``chain_texts`` keeps it from one block of rows to the next."""
    chain = np.uint64(0x9E3779B97F4A7C15)
    plus = np.uint64(0xFF51AFD7ED558CCD)
    zero, one, two = np.uint64(0), np.uint64(1), np.uint64(2)
    three, eight = np.uint64(3), np.uint64(8)
    full = ~zero
    base = np.uint64(first)
    for j in range(out_a.shape[0]):  # unsigned arithmetic: no index checks for negatives
        start, end = np.uint64(offsets[j]), np.uint64(offsets[j + 1])
        p = start - base
        n = end - start
        q = p >> three
        bits = (p & np.uint64(7)) << three
        left = np.uint64(63) - bits  # then one more: a shift by 64 is none, not zero
        x1 = words[q + one]
        w0 = (words[q] >> bits) | ((x1 << left) << one)
        may[j] = 1 if n == zero else lead[w0 & np.uint64(0xFF)]
        if n <= np.uint64(16):  # its two words, read whole (zeros after the texts)
            w1 = (x1 >> bits) | ((words[q + two] << left) << one)
            n0 = min(n, eight)
            n1 = n - n0
            w0 &= full if n0 == eight else (one << (n0 << three)) - one  # past the end: 0
            w1 &= full if n1 == eight else (one << (n1 << three)) - one
            slot = ((w0 ^ (w1 * chain) ^ n) * plus) >> np.uint64(52)
            at = slot << two  # a slot: the two words, the length, one unused
            if seen_w[at] == w0 and seen_w[at + one] == w1 and seen_w[at + two] == n:
                ha, hb = seen_h[slot << one], seen_h[(slot << one) + one]
            else:
                ha = fin_a(n ^ np.uint64(0x94D049BB133111EB))
                hb = fin_b(n ^ np.uint64(0xC4CEB9FE1A85EC53))
                if n != zero:
                    ha = fin_a((ha * chain) ^ w0)
                    hb = fin_b((hb * chain) ^ (w0 + plus))
                if n > eight:
                    ha = fin_a((ha * chain) ^ w1)
                    hb = fin_b((hb * chain) ^ (w1 + plus))
                seen_w[at], seen_w[at + one], seen_w[at + two] = w0, w1, n
                seen_h[slot << one], seen_h[(slot << one) + one] = ha, hb
        else:
            ha = fin_a(n ^ np.uint64(0x94D049BB133111EB))
            hb = fin_b(n ^ np.uint64(0xC4CEB9FE1A85EC53))
            k = zero
            while k < n:
                word = (words[q] >> bits) | ((words[q + one] << left) << one)
                if n - k < eight:  # zeros after the text's end
                    word &= (one << ((n - k) << three)) - one
                q += one
                k += eight
                ha = fin_a((ha * chain) ^ word)
                hb = fin_b((hb * chain) ^ (word + plus))
        out_a[j] = ha
        out_b[j] = hb


@_jit(types.void(_U64, _I64, types.int64, _U8, _OUT, _OUT, _OUT_U8))
def utf8_hashes(
    words: np.ndarray,
    offsets: np.ndarray,
    first: int,
    lead: np.ndarray,
    out_a: np.ndarray,
    out_b: np.ndarray,
    may: np.ndarray,
) -> None:
    """Two hashes of each text ``j``, bytes ``offsets[j] - first`` to ``offsets[j + 1] -
    first`` of ``words`` (the texts' bytes as little-endian 64-bit words, two words of zeros
    after them): seeded by its length, then chained over its 8-byte words (the last one padded
    with zeros; ``fmix64``'s chain takes each word plus its first multiplier).

    ``may``: whether the text may be blank (empty, or its first byte is one of ``lead``, the
    first bytes of whitespace), for the caller to look at those only.

    Texts of at most 16 bytes (ids, codes, units) are looked up first in a table of 4,096
    recent texts by their bytes, so a repeated text is hashed once (the values do not depend on
    it)."""
    seen_w, seen_h = _seen()
    _utf8_into(words, offsets, first, lead, seen_w, seen_h, out_a, out_b, may)


@_jit(types.UniTuple(types.int64, 2)(  # type: ignore[no-untyped-call]
    _U64, _I64, types.int64, _U8, _U8, _U64, _U64, _OUT, _OUT, _OUT_I64, _OUT, _OUT
))  # fmt: skip
def chain_texts(
    words: np.ndarray,
    offsets: np.ndarray,
    first: int,
    null: np.ndarray,
    lead: np.ndarray,
    mix_a: np.ndarray,
    mix_b: np.ndarray,
    acc_a: np.ndarray,
    acc_b: np.ndarray,
    left: np.ndarray,
    keep_a: np.ndarray,
    keep_b: np.ndarray,
) -> tuple[int, int]:
    """Row ``i``'s text (bytes ``offsets[i] - first`` to ``offsets[i + 1] - first`` of
    ``words``, as for ``utf8_hashes``; a null cell where ``null[i]``) chained into ``acc`` as
    ``chain_cells`` does, its hashes those of ``utf8_hashes``; 2,048 rows at a time, so no
    array of a row's size is made.

    Texts that may be blank (``may`` of ``utf8_hashes``: empty, or the first byte one of
    ``lead``) and are not null are left out, ``acc`` as it was: their rows go to ``left`` (at
    least 2,048 places; ``keep``: room for their digests), for the caller to chain them as null
    or as text once it has looked at them. Returns how many rows were left out and how many
    rows were done: all, or fewer when ``left`` would have overflowed (call again for the
    rest)."""
    n = acc_a.shape[0]
    seen_w, seen_h = _seen()
    tags = np.empty(2048, dtype=np.uint8)
    ta = np.empty(2048, dtype=np.uint64)
    tb = np.empty(2048, dtype=np.uint64)
    may = np.empty(2048, dtype=np.uint8)
    count = 0
    for lo in range(0, n, 2048):
        hi = min(n, lo + 2048)
        m = hi - lo
        if count + m > left.shape[0]:  # this block might not fit: the caller takes them first
            return count, lo
        _utf8_into(words, offsets[lo : hi + 1], first, lead, seen_w, seen_h,
                   ta[:m], tb[:m], may[:m])  # fmt: skip
        none = null[lo:hi]
        some = np.int64(0)
        for i in range(m):  # vectorised
            some += np.int64(may[i] & (none[i] ^ np.uint8(1)))
        was = count
        if some:  # rare: those rows kept aside
            for i in range(m):
                if may[i] != 0 and none[i] == 0:
                    left[count] = lo + i
                    keep_a[count], keep_b[count] = acc_a[lo + i], acc_b[lo + i]
                    count += 1
        for i in range(m):  # selects, not branches: vectorised
            tags[i] = 0 if none[i] != 0 else 3
            ta[i] = np.uint64(0) if none[i] != 0 else ta[i]
            tb[i] = np.uint64(0) if none[i] != 0 else tb[i]
        _fold(tags[:m], ta[:m], tb[:m], mix_a[0], mix_b[0], acc_a[lo:hi], acc_b[lo:hi])
        for k in range(was, count):  # the rows left out: as they were
            acc_a[left[k]], acc_b[left[k]] = keep_a[k], keep_b[k]
    return count, n


@_jit(types.void(_F64, _I64, types.float64, _U64, _U64, _OUT, _OUT))
def chain_floats(
    vals: np.ndarray,
    bits: np.ndarray,
    tol: float,
    mix_a: np.ndarray,
    mix_b: np.ndarray,
    acc_a: np.ndarray,
    acc_b: np.ndarray,
) -> None:
    """The cells of floats (``number_cells``; money as ``money_cells`` when ``tol >= 0``)
    chained into ``acc`` as ``chain_cells`` does, 2,048 rows at a time: the cells are never
    all in memory."""
    n = acc_a.shape[0]
    tag = np.empty(2048, dtype=np.uint8)
    a = np.empty(2048, dtype=np.int64)
    for lo in range(0, n, 2048):
        hi = min(n, lo + 2048)
        m = hi - lo
        if tol < 0:
            number_cells(vals[lo:hi], bits[lo:hi], tag[:m], a[:m])
        else:
            money_cells(vals[lo:hi], bits[lo:hi], tol, tag[:m], a[:m])
        au = a[:m].view(np.uint64)
        _fold(tag[:m], au, au, mix_a[0], mix_b[0], acc_a[lo:hi], acc_b[lo:hi])


@_jit(types.void(_I64, _U8, types.uint8, _U64, _U64, _OUT, _OUT))
def chain_ints(
    vals: np.ndarray,
    null: np.ndarray,
    tag: int,
    mix_a: np.ndarray,
    mix_b: np.ndarray,
    acc_a: np.ndarray,
    acc_b: np.ndarray,
) -> None:
    """Whole numbers ``vals`` with null rows (``null``: 1; their values ignored) chained into
    ``acc`` as ``chain_cells`` does, the cells (``tag``, the value; null: 0, 0) made 2,048
    rows at a time."""
    n = acc_a.shape[0]
    tags = np.empty(2048, dtype=np.uint8)
    a = np.empty(2048, dtype=np.uint64)
    for lo in range(0, n, 2048):
        hi = min(n, lo + 2048)
        m = hi - lo
        v = vals[lo:hi]
        none = null[lo:hi]
        for i in range(m):  # selects, not branches: vectorised
            tags[i] = 0 if none[i] != 0 else tag
            a[i] = np.uint64(0) if none[i] != 0 else np.uint64(v[i])
        _fold(tags[:m], a[:m], a[:m], mix_a[0], mix_b[0], acc_a[lo:hi], acc_b[lo:hi])


@_jit(types.void(_U64, _OUT))
def halves_sums(x: np.ndarray, out: np.ndarray) -> None:
    """``out[0]``: the sum of the low 32 bits of ``x``'s entries, ``out[1]``: of the high 32
    bits (each fits in 64 bits for fewer than 2**32 entries), in one pass."""
    low = np.uint64(0)
    high = np.uint64(0)
    mask = np.uint64(0xFFFFFFFF)
    for i in range(x.shape[0]):
        low += x[i] & mask
        high += x[i] >> np.uint64(32)
    out[0] = low
    out[1] = high
