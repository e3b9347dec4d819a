"""Both cores: a solver run with ``workers`` threads.

The compiled search releases the GIL, so ``solve_optimal`` runs its participant chunks in a
thread pool (``_search``); participants are independent, so the answer is the same as with one
thread (row for row), only the wall time changes. No processes, no pickling.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

from ibm_engine.solve._batch import Batch, BatchSolution

__all__ = ["Solver", "ThreadedSolver", "in_threads", "solve_in_threads"]

#: a solver of a batch (``solve_optimal``, ``solve_priority``, or one of them with threads)
Solver = Callable[[Batch], BatchSolution]


class ThreadedSolver(Protocol):
    """``solve_optimal`` or ``solve_priority``: a batch and a number of threads."""

    def __call__(self, batch: Batch, workers: int = 1) -> BatchSolution: ...


def in_threads(solve: ThreadedSolver, workers: int) -> Solver:
    """``solve`` with ``workers`` threads (``solve`` itself for one worker)."""
    return solve if workers <= 1 else partial(solve, workers=workers)


def solve_in_threads(batch: Batch, solve: ThreadedSolver, workers: int) -> BatchSolution:
    """``solve(batch)`` with ``workers`` threads."""
    return solve(batch, workers=workers)
