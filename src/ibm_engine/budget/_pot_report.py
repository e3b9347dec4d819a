"""The report of a pot with groups: a row per group and per (sub-)pot, in cents that reconcile."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray, IntArray
from ibm_engine.budget._pot_groups import PotGroups
from ibm_engine.budget._result import CalibrationReport

__all__ = ["MAIN_POT", "GroupStatus", "PotGroupsReport", "PotOutcome", "PotStatus", "tables"]

#: the name of the pot shared by every participant without a sub-pot
MAIN_POT = "main"


class PotStatus(StrEnum):
    """How the calibration of one pot (the main pot or a group's sub-pot) ended."""

    EXACT = "exact"  #: its budgets add up to it to the cent
    WITHIN_TOLERANCE = "within_tolerance"  #: below it by less than 1 cent per participant
    CAPPED = "capped"  #: no scale reaches it (caps or floors bind): the most the formula gives
    NOTHING_TO_SCALE = "nothing_to_scale"  #: all its participants are protected; rest unspent
    RELEASED = "released"  #: protected budgets alone exceed it: protection dropped, all scaled
    EMPTY = "empty"  #: it has no participants: unspent


class GroupStatus(StrEnum):
    """What the pot did to one group."""

    SCALED = "scaled"  #: scaled with the others of its pot
    PROTECTED = "protected"  #: its protection held (kept share, or floor)
    RELEASED = "released"  #: protected, but its pot could not pay for it: scaled like the rest
    CAPPED = "capped"  #: scaled, but its pot was not reached (caps bind)
    EMPTY = "empty"  #: named by the rules but no participant is in it


@dataclass(frozen=True)
class PotOutcome:
    """One pot's calibration: its participants, money, scale and status."""

    name: str
    mask: BoolArray
    target_cents: int
    scale: float
    value: float
    status: PotStatus
    leftover_cents: int


@dataclass(frozen=True, eq=False)
class PotGroupsReport(CalibrationReport):
    """A :class:`CalibrationReport` (of the main pot's scale, the whole pot's totals) with
    ``groups`` (one row per group) and ``pots`` (one row per pot); both reconcile to the cent:
    ``pots.pot_eur`` adds up to ``pot_eur`` and ``groups.budget_eur`` to ``total_eur``."""

    column: str
    groups: pd.DataFrame
    pots: pd.DataFrame


def _sums(codes: IntArray, k: int, cents: IntArray) -> IntArray:
    out = np.zeros(k, dtype=np.int64)
    np.add.at(out, codes, cents)
    return out


def _group_status(rule: str, n: int, pot: PotOutcome) -> GroupStatus:
    if n == 0:
        return GroupStatus.EMPTY
    if rule != "scaled":
        return GroupStatus.RELEASED if pot.status is PotStatus.RELEASED else GroupStatus.PROTECTED
    return GroupStatus.CAPPED if pot.status is PotStatus.CAPPED else GroupStatus.SCALED


def tables(
    groups: PotGroups,
    labels: np.ndarray,
    pots: list[PotOutcome],
    budget: IntArray,
    formula: IntArray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``groups`` and ``pots`` tables (money in EUR from integer cents)."""
    names = sorted({*pd.unique(labels).tolist(), *groups.named()})
    codes = pd.Categorical(labels, categories=names).codes.astype(np.int64)
    k = len(names)
    count = np.bincount(codes, minlength=k)
    f_sum, b_sum = _sums(codes, k, formula), _sums(codes, k, budget)
    by_name = {p.name: p for p in pots}
    rows = []
    for j, g in enumerate(names):  # one row per group (a few), not per participant
        kept, floor, sub = groups.kept(g), groups.floor(g), groups.sub_pot_share(g)
        rule = "keep" if kept is not None else "floor" if floor is not None else "scaled"
        pot = by_name[f"sub_pot[{g}]" if sub is not None else MAIN_POT]
        rows.append(
            {
                "group": g,
                "participants": int(count[j]),
                "rule": rule,
                "share": kept if kept is not None else floor if floor is not None else np.nan,
                "pot": pot.name,
                "formula_eur": int(f_sum[j]) / 100,
                "budget_eur": int(b_sum[j]) / 100,
                "change_eur": int(b_sum[j] - f_sum[j]) / 100,
                "ratio": int(b_sum[j]) / int(f_sum[j]) if f_sum[j] else np.nan,
                "value": pot.value,
                "scale": pot.scale,
                "status": _group_status(rule, int(count[j]), pot).value,
            }
        )
    pot_rows = []
    for p in pots:
        total = int(budget[p.mask].sum())
        pot_rows.append(
            {
                "pot": p.name,
                "participants": int(p.mask.sum()),
                "pot_eur": p.target_cents / 100,
                "total_eur": total / 100,
                "below_eur": (p.target_cents - total) / 100,
                "value": p.value,
                "scale": p.scale,
                "leftover_cents": p.leftover_cents,
                "status": p.status.value,
            }
        )
    return pd.DataFrame(rows), pd.DataFrame(pot_rows)
