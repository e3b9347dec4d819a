"""Both cores: the participants of a batch split into chunks solved in worker processes.

Participants are independent, so the answer is the same as one process's (row for row);
only the wall time changes. Workers are forked where the platform allows (no re-import).
"""

from __future__ import annotations

import multiprocessing as mp
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from itertools import pairwise

import numpy as np

from ibm_engine._typing import IntArray
from ibm_engine.errors import SolverWarning
from ibm_engine.solve._batch import Batch, BatchSolution
from ibm_engine.solve._optimal import warn_fallback

__all__ = ["solve_in_processes"]

#: below this many participants a single process is faster than starting workers
MIN_PARTICIPANTS = 20_000


def _split(batch: Batch, parts: int) -> list[IntArray]:
    """Contiguous participant ranges with about equal numbers of items."""
    cum = batch.offsets[1:]
    targets = np.linspace(0, batch.m, parts + 1)[1:-1]
    cuts = np.searchsorted(cum, targets)
    edges = np.concatenate(([0], cuts, [batch.n])).astype(np.int64)
    return [np.arange(a, b, dtype=np.int64) for a, b in pairwise(edges.tolist()) if b > a]


#: a solver of a batch (``solve_optimal``, ``solve_priority``, or one of them in processes)
Solver = Callable[[Batch], BatchSolution]


def in_processes(solve: Solver, workers: int) -> Solver:
    """``solve`` over ``workers`` processes (``solve`` itself for one worker)."""
    return solve if workers <= 1 else partial(solve_in_processes, solve=solve, workers=workers)


def solve_in_processes(
    batch: Batch, solve: Callable[[Batch], BatchSolution], workers: int
) -> BatchSolution:
    """``solve(batch)`` over ``workers`` processes (one process when the batch is small)."""
    if workers <= 1 or batch.n < MIN_PARTICIPANTS:
        return solve(batch)
    chunks = _split(batch, workers)
    subs = [batch.subset(c) for c in chunks]
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method)) as pool:
        sols = list(pool.map(partial(_quietly, solve), subs))
    sol = BatchSolution(
        units=np.concatenate([s.units for s in sols]),
        value=np.concatenate([s.value for s in sols]),
        bound=np.concatenate([s.bound for s in sols]),
        proven=np.concatenate([s.proven for s in sols]),
        lam=np.concatenate([s.lam for s in sols]),
        mu=np.concatenate([s.mu for s in sols]),
        fallback=sum(s.fallback for s in sols),
    )
    warn_fallback(sol)  # once for the whole call, not once per worker
    return sol


def _quietly(solve: Callable[[Batch], BatchSolution], batch: Batch) -> BatchSolution:
    """``solve(batch)`` in a worker: its solver warnings are issued once by the parent."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolverWarning)
        return solve(batch)
