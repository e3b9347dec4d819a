"""The tables of :func:`~ibm_engine.allocation.what_extra_money_buys`: grants in order and a
summary per participant, from one batch solve of every budget a grant starts or ends at."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.allocation._variants import solver_of

if TYPE_CHECKING:
    from ibm_engine.allocation._result import AllocationResult

__all__ = ["ExtraMoney", "report"]

GRANT_COLUMNS = (
    "grant",
    "participant_id",
    "grant_eur",
    "budget_before_eur",
    "budget_after_eur",
    "value_before",
    "value_after",
    "value_gained",
    "value_per_eur",
    "units_gained",
)
PARTICIPANT_COLUMNS = (
    "participant_id",
    "budget_eur",
    "extra_eur",
    "new_budget_eur",
    "value_before",
    "value_after",
    "value_gained",
    "grants",
    "units_gained",
)


@dataclass(frozen=True, eq=False)
class ExtraMoney:
    """What :func:`what_extra_money_buys` returns.

    Attributes
    ----------
    grants : DataFrame
        The grants in the order they were made: ``grant`` (1, 2, ...), ``participant_id``,
        ``grant_eur``, ``budget_before_eur``, ``budget_after_eur``, ``value_before``,
        ``value_after``, ``value_gained``, ``value_per_eur`` and ``units_gained`` (a dict
        service -> change in units; under ``optimal`` a service can also lose units).
    participants : DataFrame
        One row per participant that got money, in the order of ``result.participants``:
        ``participant_id``, ``budget_eur``, ``extra_eur``, ``new_budget_eur``,
        ``value_before``, ``value_after``, ``value_gained``, ``grants`` and
        ``units_gained`` (net, per service).
    extra_eur, granted_eur, unspent_eur : float
        The pot, what was handed out and what no participant gained value from.
    value_gained : float
        Total value gained (the sum of the grants' ``value_gained``).
    policy : str
    step_eur : float
    lookahead : int
    """

    grants: pd.DataFrame
    participants: pd.DataFrame
    extra_eur: float
    granted_eur: float
    unspent_eur: float
    value_gained: float
    policy: str
    step_eur: float
    lookahead: int

    def _repr_html_(self) -> str:
        from ibm_engine.report import extra_money_html  # display only, loaded when shown

        return extra_money_html(self)

    def __repr__(self) -> str:
        return (
            f"ExtraMoney(extra_eur={self.extra_eur:.2f}, granted_eur={self.granted_eur:.2f}, "
            f"participants={len(self.participants)}, grants={len(self.grants)}, "
            f"value_gained={self.value_gained:.6f})"
        )


class _States:
    """Value and units of participants at given budgets: the result's at their own budget,
    one batch solve for all the others."""

    def __init__(self, result: AllocationResult, pairs: list[tuple[int, int]]) -> None:
        self.result = result
        batch = result._solved.asm.batch
        self.pairs = sorted({(p, b) for p, b in pairs if b != int(batch.budget[p])})
        self.at = {pair: j for j, pair in enumerate(self.pairs)}
        who = np.array([p for p, _ in self.pairs], dtype=np.int64)
        self.sub = replace(
            batch.subset(who), budget=np.array([b for _, b in self.pairs], dtype=np.int64)
        )
        self.sol = solver_of(result.policy)(self.sub) if self.sub.m else None

    def __call__(self, p: int, budget: int) -> tuple[float, IntArray]:
        j = self.at.get((p, budget))
        if j is None or self.sol is None:
            batch = self.result._solved.asm.batch
            sl = slice(int(batch.offsets[p]), int(batch.offsets[p + 1]))
            return float(self.result._solved.sol.value[p]), self.result._solved.sol.units[sl]
        sl = slice(int(self.sub.offsets[j]), int(self.sub.offsets[j + 1]))
        return float(self.sol.value[j]), self.sol.units[sl]


def _gained(services: list[str], before: IntArray, after: IntArray) -> dict[str, int]:
    return {s: int(d) for s, d in zip(services, (after - before).tolist(), strict=True) if d}


def report(
    result: AllocationResult, grants: list[tuple[int, int, int]], X: int, S: int, lookahead: int
) -> ExtraMoney:
    """The :class:`ExtraMoney` of a sequence of grants ``(participant, before, after)`` (cents)."""
    batch = result._solved.asm.batch
    state = _States(result, [(p, b) for p, b0, b1 in grants for b in (b0, b1)])
    ids = result._solved.prep.participants["participant_id"].to_numpy()
    services = result.items["service"].to_numpy()

    def names(p: int) -> list[str]:
        sl = slice(int(batch.offsets[p]), int(batch.offsets[p + 1]))
        return [str(s) for s in services[result._solved.asm.perm[sl]].tolist()]

    rows = []
    for g, (p, b0, b1) in enumerate(grants, start=1):
        (v0, u0), (v1, u1) = state(p, b0), state(p, b1)
        rows.append(
            (g, ids[p], (b1 - b0) / 100, b0 / 100, b1 / 100, v0, v1, v1 - v0,
             (v1 - v0) / ((b1 - b0) / 100), _gained(names(p), u0, u1))
        )  # fmt: skip
    per: list[tuple[object, ...]] = []
    for p in sorted({p for p, _, _ in grants}):
        mine = [(b0, b1) for q, b0, b1 in grants if q == p]
        start, end = int(batch.budget[p]), max(b1 for _, b1 in mine)
        (v0, u0), (v1, u1) = state(p, start), state(p, end)
        per.append(
            (ids[p], start / 100, (end - start) / 100, end / 100, v0, v1, v1 - v0, len(mine),
             _gained(names(p), u0, u1))
        )  # fmt: skip
    granted = sum(b1 - b0 for _, b0, b1 in grants)
    return ExtraMoney(
        grants=pd.DataFrame(rows, columns=list(GRANT_COLUMNS)),
        participants=pd.DataFrame(per, columns=list(PARTICIPANT_COLUMNS)),
        extra_eur=X / 100,
        granted_eur=granted / 100,
        unspent_eur=(X - granted) / 100,
        value_gained=math.fsum(r[7] for r in rows),
        policy=result.policy,
        step_eur=S / 100,
        lookahead=lookahead,
    )
