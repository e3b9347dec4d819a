"""The ``status`` and ``message`` every result type answers the same way.

``status`` is the domain's :class:`~ibm_engine.Status`: ``optimal`` when the whole result is
proven optimal (every participant of an allocation, the region's gap, every period), else
``feasible`` (within every budget and rule, no optimality claimed; the traditional mechanism is
always ``feasible``: a queue makes no claim). ``message`` says it in one line.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ibm_engine.domain._result import Status

__all__ = ["all_optimal", "count", "rejected_count"]


def count(n: int, noun: str) -> str:
    """``n`` and ``noun``, with an ``s`` unless ``n`` is 1 (English messages).

    Examples
    --------
    >>> count(1, "participant"), count(1288, "plan item"), count(0, "week")
    ('1 participant', '1,288 plan items', '0 weeks')
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def rejected_count(rejected: pd.DataFrame) -> int:
    """Participants set aside (one or more problem rows each)."""
    if len(rejected) == 0 or "participant_id" not in rejected.columns:
        return 0
    return int(rejected["participant_id"].nunique())


def all_optimal(statuses: Iterable[object]) -> Status:
    """``optimal`` when every status given is, else ``feasible``."""
    ok = all(str(s) == Status.OPTIMAL.value for s in statuses)
    return Status.OPTIMAL if ok else Status.FEASIBLE
