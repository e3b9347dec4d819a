"""Both cores for the table work: independent pieces run in a pool of ``workers`` threads.

The pieces are numpy, pandas and Arrow work on large arrays, which release the GIL, so two
threads use two cores. Every piece is a pure function of its own input and the answers are
collected in the order the pieces were given, so the result is the same for any number of
workers (only the wall time changes); problems are still reported afterwards, in order, by
the one thread that collects them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import TypeVar

import numpy as np

__all__ = ["in_threads", "row_chunks"]

T = TypeVar("T")
R = TypeVar("R")

#: rows per chunk of a table's row-wise work: arrays of a few MB, which the allocator reuses
#: from chunk to chunk (fresh pages of large arrays cost system time on first touch)
CHUNK_ROWS = 1 << 19


def in_threads(fn: Callable[[T], R], pieces: Sequence[T], workers: int) -> list[R]:
    """``[fn(p) for p in pieces]``, with up to ``workers`` threads (one: no pool)."""
    if workers <= 1 or len(pieces) <= 1:
        return [fn(p) for p in pieces]
    with ThreadPoolExecutor(max_workers=min(workers, len(pieces))) as pool:
        return list(pool.map(fn, pieces))


def row_chunks(n: int, rows: int | None = None) -> list[tuple[int, int]]:
    """Bounds ``(lo, hi)`` of consecutive chunks of ``range(n)`` of about :data:`CHUNK_ROWS`
    rows each; ``rows``: how many rows the ``n`` stand for (participants for their items).
    The chunks do not depend on the number of workers."""
    k = max(1, -(-(n if rows is None else rows) // CHUNK_ROWS))
    k = min(k, max(n, 1))
    b = np.linspace(0, n, k + 1).astype(np.int64).tolist()
    return list(pairwise(b))
