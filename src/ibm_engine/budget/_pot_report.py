"""The reports of a calibration to a programme pot: the parts every pot's report shares (its
status, the calibrated parameter and its value, the pot, the totals), and, for a pot with
groups, a row per group and per (sub-)pot, in cents that reconcile.

Used by :mod:`._calibrate` (one pot) and :mod:`._pot_segments` (a pot with groups), so both
report the same way; neither is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import StrEnum

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray, IntArray
from ibm_engine.budget._params import Parameter, Source
from ibm_engine.budget._pot_groups import PotGroups
from ibm_engine.budget._result import CalibrationReport, CalibrationStatus, Evaluation
from ibm_engine.errors import SolverError

__all__ = [
    "MAIN_POT",
    "GroupStatus",
    "PotGroupsReport",
    "PotOutcome",
    "PotStatus",
    "calibrated_params",
    "pot_parameter",
    "pot_report",
    "pot_status",
    "scale_value",
    "tables",
]

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

    @classmethod
    def of(
        cls, report: CalibrationReport, column: str, groups: pd.DataFrame, pots: pd.DataFrame
    ) -> PotGroupsReport:
        """``report`` (the whole pot's) with the groups' and the pots' tables."""
        whole = {f.name: getattr(report, f.name) for f in fields(CalibrationReport)}
        return cls(**whole, column=column, groups=groups, pots=pots)


def pot_status(capped: bool, total: int, target: int, n: int) -> CalibrationStatus:
    """How the calibration of ``n`` participants to ``target`` cents ended, their budgets
    adding up to ``total``; above the target, or below it by a cent per participant or more
    where no cap binds, is a ``SolverError``."""
    if total > target or (not capped and target - total >= max(n, 1)):
        raise SolverError(f"calibration missed the pot: total {total}, pot {target} cents")
    if capped and total < target:
        return CalibrationStatus.CAPPED
    return CalibrationStatus.EXACT if total == target else CalibrationStatus.WITHIN_TOLERANCE


def scale_value(name: str, ev: Evaluation, scale: float) -> float:
    """The calibrated parameter ``name`` as ``ev`` states it (else the scale itself)."""
    return next((float(p.value) for p in ev.params if p.name == name), scale)


def calibrated_params(
    params: tuple[Parameter, ...], name: str, source: Source, *, moved: bool = True
) -> tuple[Parameter, ...]:
    """``params`` with the calibrated one (``name``) sourced to the pot (where it ``moved``)."""
    return tuple(replace(p, source=source) if p.name == name and moved else p for p in params)


def pot_parameter(pot: int, source: Source) -> Parameter:
    """The pot (``pot`` cents) as a parameter, with its decision as source."""
    return Parameter("pot_eur", pot / 100, "EUR for these participants", source)


def pot_report(
    *,
    parameter: str,
    value: float,
    scale: float,
    pot: int,
    total: int,
    leftover_cents: int,
    participants: int,
    status: CalibrationStatus,
    rule: str,
) -> CalibrationReport:
    """The report of a pot of ``pot`` cents whose budgets add up to ``total`` cents."""
    return CalibrationReport(
        parameter=parameter,
        value=value,
        scale=scale,
        pot_eur=pot / 100,
        total_eur=total / 100,
        below_pot_eur=(pot - total) / 100,
        leftover_cents=leftover_cents,
        participants=participants,
        status=status,
        rule=rule,
    )


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
