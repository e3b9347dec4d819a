"""One participant of an allocation result: where it is, and its items in joint-list order.

The one place that slices a participant out of a result's solved state; explanations, waiting
lists and counterfactuals all start here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ibm_engine._typing import BoolArray, IntArray
from ibm_engine.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ibm_engine.allocation._result import AllocationResult

__all__ = ["Items", "canonical_id", "position", "unknown_services"]


def unknown_services(pid: str, names: Iterable[str], known: Iterable[str]) -> InputError:
    """An InputError naming services that are not in the participant's plan."""
    listed = ", ".join(repr(n) for n in names)
    have = ", ".join(sorted(known))
    reason = f"not in the plan of participant {pid!r}: {listed} (the plan has {have})"
    return InputError(
        [
            {
                "table": "plan_items",
                "row": pid,
                "participant_id": pid,
                "column": "service",
                "reason": reason,
            }
        ]
    )


def _no_such(pid: str, reason: str) -> InputError:
    return InputError.single("participants", "participant_id", reason, row=pid, participant_id=pid)


def canonical_id(value: object) -> str:
    """An id as the tables read it: text, or an integer as its digits."""
    return str(int(value)) if isinstance(value, int | np.integer) else str(value)


def position(result: AllocationResult, participant_id: object) -> int:
    """Index of the participant among the accepted ones; InputError if unknown or rejected."""
    if isinstance(participant_id, bool) or not isinstance(participant_id, str | int | np.integer):
        raise _no_such(repr(participant_id), "participant_id must be text")
    pid = canonical_id(participant_id)
    raw = result._solved.prep.participants["participant_id"].to_numpy(dtype=object)
    hits = np.flatnonzero(raw == pid)  # one C loop, no per-row Python
    if hits.shape[0] == 0 and pid.lstrip("-").isdigit():  # integer ids (kept as given)
        hits = np.flatnonzero(raw == int(pid))
    if hits.shape[0]:
        return int(hits[0])
    rej = result.rejected
    mine = rej[rej["participant_id"] == pid]
    if len(mine):
        why = "; ".join(f"{r.table}, column {r.column}: {r.reason}" for r in mine.itertuples())
        raise _no_such(pid, f"participant {pid!r} was rejected: {why}")
    raise _no_such(pid, f"unknown participant_id {pid!r}: not among the participants")


@dataclass(frozen=True, eq=False)
class Items:
    """One participant's items in joint-list order (the batch's order).

    ``rows`` are the item rows of ``result.items``; ``sl`` the slice of the batch.
    """

    p: int
    pid: str
    rows: IntArray
    sl: slice
    service: list[str]
    units: IntArray
    upper: IntArray
    lower: IntArray
    cost: IntArray
    eligible: BoolArray
    budget: int

    @classmethod
    def of(cls, result: AllocationResult, participant_id: object) -> Items:
        """The items of ``participant_id`` (InputError when unknown or rejected)."""
        p = position(result, participant_id)
        batch = result._solved.asm.batch
        sl = slice(int(batch.offsets[p]), int(batch.offsets[p + 1]))
        rows = result._solved.asm.perm[sl]
        raw = result._solved.prep.participants["participant_id"].iloc[p]
        return cls(
            p=p,
            pid=canonical_id(raw),
            rows=rows,
            sl=sl,
            service=[str(s) for s in result.items["service"].to_numpy()[rows].tolist()],
            units=result._solved.sol.units[sl],
            upper=batch.upper[sl],
            lower=batch.lower[sl],
            cost=batch.cost[sl],
            eligible=result._solved.prep.row[rows] >= 0,
            budget=int(batch.budget[p]),
        )

    def index_of(self, service: object) -> int:
        """Position of a service in the joint list (InputError when not in the plan)."""
        if isinstance(service, str) and service in self.service:
            return self.service.index(service)
        raise unknown_services(self.pid, [str(service)], self.service)
