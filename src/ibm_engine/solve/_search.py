"""The compiled exact search over a whole :class:`Batch`, in threads over participant chunks.

Items in Lagrangian density order ``(v - mu* h) / c`` (``mu*`` the LP's hours multiplier, 0 when
the hours do not bind), each trying its largest feasible count first. Before a count ``t`` is
tried, the bound of everything left with that item at most ``t`` is compared with the incumbent;
when it cannot come within ``VALUE_TOL``, smaller counts cannot either and the level closes.
Bounds: the money LP (Martello-Toth tightened), with a family-hours cap also the Lagrangian at
``mu*`` (times each of ``MU_FACTORS``) and the hours LP; the money left is rounded down to the gcd
of the prices still to decide, the hours left to the gcd of their hours in exact power-of-two
quanta. When everything left fits, its best leaf is taken at once.

Ties (contract): among allocations worth at least ``V* - VALUE_TOL``, the most units of the first
joint-list item, then the second, ... The search visits every leaf within the tolerance of the
incumbent and keeps them (a few); the tie rule picks among those worth ``V* - VALUE_TOL``. When
more tie than are kept, a second search walks the items in joint-list order, largest counts
first, pruning below the floor: its first leaf is the answer (value summed in joint-list order,
as :meth:`Batch.evaluate` sums it). Limits are node counts, never time: a participant over
``node_limit`` gets a status for the exact fallback (HiGHS). Money is exact int64 cents; hours
use the contract's tolerance plus a tiny search slack (every answer is re-checked by the caller).

A participant over the node limit is searched once more with its lumpiest items (largest
minimum spend) first, keeping the incumbent. The kernels (``_kernel``, numba) are loaded on the
first call, not at import. Arrays are handed over contiguous, writable and of one dtype each, so
every kernel has exactly one signature (read-only, strided or Arrow-backed inputs are copied,
never compiled for again). The kernel releases the GIL: ``workers`` threads solve disjoint
participant ranges into shared outputs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from ibm_engine._tolerances import HOURS_TOL, SEARCH_HOURS_SLACK, SEARCH_VALUE_REL_TOL, VALUE_TOL
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.solve._batch import Batch

__all__ = [
    "DONE",
    "NODE_LIMIT",
    "OVER_LIMIT_TIES",
    "OVER_LIMIT_VALUE",
    "contiguous",
    "kernel_arrays",
    "run_search",
]

#: per participant and phase: nodes the search may visit before the participant goes to the
#: exact fallback (a limit in nodes, never in time, so that results never depend on the machine)
NODE_LIMIT = 10_000
#: multiples of the LP's hours multiplier at which Lagrangian bounds are taken (the first is
#: the one whose density order the search follows)
MU_FACTORS = (1.0,)
#: bisection steps of the hours multiplier
MU_STEPS = 30
#: leaves within the tolerance of the best the search keeps for the tie rule (more: a second
#: search in joint-list order breaks the tie)
TIES_KEPT = 32
#: participants per chunk handed to one thread
CHUNK = 20_000

# the kernel's statuses (``_kernel`` defines them; repeated here so that importing this module
# does not load numba)
DONE, OVER_LIMIT_VALUE, OVER_LIMIT_TIES = 0, 1, 2


def contiguous(x: Any, dtype: type) -> Any:
    """``x`` as a C-contiguous, writable array of ``dtype`` (copied only when it is not)."""
    return np.require(x, dtype=dtype, requirements=["C", "W", "A"])


def needs_compiling() -> bool:
    """Will the first solve of this process compile the search (no usable cache on disk)?

    Loads numba (about a third of a second). A cache written for other source files may still
    be found stale when the kernel is loaded: then the answer was optimistic.
    """
    from ibm_engine.solve._kernel import solve_range

    dispatcher: Any = solve_range  # a numba dispatcher, not a plain function
    if dispatcher.signatures:  # compiled or loaded in this process already
        return False
    try:
        index = Path(dispatcher._cache._cache_file._index_path)
    except AttributeError:  # no cache location (numba's NullCache): compiled in every process
        return True
    return not index.exists()


def kernel_arrays(batch: Batch) -> tuple[Any, ...]:
    """The batch's arrays as the kernel takes them (one dtype each, contiguous, writable)."""
    return (
        contiguous(batch.offsets, np.int64),
        contiguous(batch.cost, np.int64),
        contiguous(batch.value, np.float64),
        contiguous(batch.lower, np.int64),
        contiguous(batch.upper, np.int64),
        contiguous(batch.hours, np.float64),
        contiguous(batch.budget, np.int64),
        contiguous(batch.hours_cap, np.float64),
    )


def run_search(
    batch: Batch,
    workers: int = 1,
    node_limit: int = NODE_LIMIT,
    known: FloatArray | None = None,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Units, status and optimal value per participant (see ``_kernel``).

    ``known``: optimal values found otherwise (NaN where unknown); the search then only breaks
    the ties.
    """
    from ibm_engine.solve._kernel import solve_range  # numba: loaded on the first solve

    n, m = batch.n, batch.m
    units = np.zeros(m, dtype=np.int64)
    status = np.zeros(n, dtype=np.int64)
    nodes = np.zeros(n, dtype=np.int64)
    vstar = np.zeros(n, dtype=np.float64)
    args = kernel_arrays(batch)
    vknown = np.full(n, np.nan) if known is None else contiguous(known, np.float64)
    tols = np.array([VALUE_TOL, HOURS_TOL, SEARCH_HOURS_SLACK, SEARCH_VALUE_REL_TOL])
    factors = np.array(MU_FACTORS, dtype=np.float64)

    def run(lo_hi: tuple[int, int]) -> None:
        lo, hi = lo_hi
        solve_range(*args, lo, hi, vknown, tols, factors, MU_STEPS, node_limit, TIES_KEPT, *out)  # type: ignore[no-untyped-call,call-arg]

    out = (units, status, nodes, vstar)
    edges = [*range(0, n, CHUNK), n]
    ranges = list(pairwise(edges)) if n else []
    if workers <= 1 or len(ranges) <= 1:
        for r in ranges:
            run(r)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, ranges))
    return units, status, vstar
