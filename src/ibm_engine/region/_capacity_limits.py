"""Which of a region run's MILPs stopped at their time limit (HiGHS's own status).

A MILP stopped by its ``time_limit`` may answer differently on a faster or busier machine, so
the run's record says ``limit_hit`` and ``ibm.reproduce`` reports a difference as
``may_differ``. ``allocate_region`` watches every MILP it makes (``watching_limits``); each
MILP reports its status (``note_status``). Nothing is noted outside a watch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

__all__ = ["TIME_LIMIT_STATUS", "note_status", "watching_limits"]

#: scipy.optimize.milp's status "iteration or time limit reached"
TIME_LIMIT_STATUS: Final = 1

_HITS: ContextVar[list[str] | None] = ContextVar("ibm_engine_region_limit_hits", default=None)


@contextmanager
def watching_limits() -> Iterator[list[str]]:
    """Collect, while the block runs, a line for each MILP stopped by its time limit."""
    hits: list[str] = []
    token = _HITS.set(hits)
    try:
        yield hits
    finally:
        _HITS.reset(token)


def note_status(status: int, where: str) -> None:
    """Note a MILP's status: a stop at its time limit is recorded as ``where``."""
    hits = _HITS.get()
    if hits is not None and status == TIME_LIMIT_STATUS:
        hits.append(where)
