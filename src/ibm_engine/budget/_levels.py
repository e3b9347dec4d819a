"""Flat amounts per target group, and need levels from an assessment score.

Amounts are per 26 weeks (the pilots' half-year period) and scale linearly with each
participant's ``period_weeks``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from ibm_engine.budget._base import ScaledFormula, per_period
from ibm_engine.budget._inputs import Inputs, spec_for
from ibm_engine.budget._params import ParameterCheck, Source
from ibm_engine.budget._result import Evaluation
from ibm_engine.tables import GROUPS, ColumnSpec

__all__ = ["FlatBudget", "NeedLevelBudget"]


@dataclass(frozen=True)
class FlatBudget(ScaledFormula):
    """The same amount for everyone in a target group, scaled to the period length.

    Parameters
    ----------
    amounts_eur : mapping of target group -> float
        EUR per 26 weeks for ``GRT``, ``FT`` and/or ``BSAC``. A participant of a group without an
        amount is an input error naming ``target_group``.
    source : Source
    multiplier : float, default 1
        Scales every amount (what calibration to a pot sets).

    Examples
    --------
    >>> from datetime import date
    >>> f = FlatBudget({"GRT": 2600.0, "FT": 3900.0}, Source("illustrative", date(2024, 1, 1)))
    >>> people = [{"participant_id": "A", "target_group": "FT", "age": 7,
    ...            "municipality": "Bauska", "period_weeks": 52},
    ...           {"participant_id": "B", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele"}]
    >>> f.compute(people, period_weeks=26).table()
      participant_id  budget_eur  target_group_amount
    0              A      7800.0               7800.0
    1              B      2600.0               2600.0
    """

    amounts_eur: Mapping[str, float]
    source: Source
    multiplier: float = 1.0

    kind: ClassVar[str] = "flat"
    scale_parameter: ClassVar[str] = "multiplier"

    def __post_init__(self) -> None:
        check = ParameterCheck(self.kind)
        check.source(self.source)
        if not isinstance(self.amounts_eur, Mapping) or not self.amounts_eur:
            check.add("amounts_eur", "must be a non-empty mapping of target group -> EUR")
        else:
            object.__setattr__(self, "amounts_eur", dict(self.amounts_eur))
            for group, amount in self.amounts_eur.items():
                if group not in GROUPS:
                    check.add("amounts_eur", f"unknown target group {group!r}")
                check.number(f"amounts_eur[{group}]", amount, low=0.0)
        check.number("multiplier", self.multiplier, low=0.0)
        check.raise_if_any()

    def specs(self) -> tuple[ColumnSpec, ...]:
        groups = tuple(g for g in GROUPS if g in self.amounts_eur)
        if groups == GROUPS:  # every valid group has an amount: prepare's check suffices
            return ()
        return (ColumnSpec("target_group", "text", True, choices=groups),)

    def evaluate(self, inputs: Inputs, scale: float) -> Evaluation:
        codes, texts = pd.factorize(inputs.prep.group)
        table = np.array([self.amounts_eur.get(str(t), 0.0) for t in texts], dtype=float)
        amount = table[np.maximum(codes, 0)] if table.shape[0] else np.zeros(inputs.n)
        m = self.multiplier * scale
        cents = per_period(1.0, inputs.weeks) * amount * m
        params = (
            *(
                self.param(f"amount_eur[{g}]", float(a), "EUR per 26 weeks")
                for g, a in self.amounts_eur.items()
            ),
            self.param("multiplier", m, "factor"),
        )
        details = {"period_weeks": inputs.prep.period_weeks}
        return Evaluation({"target_group_amount": cents}, (), details, params, cents)


def _score_spec(name: str) -> ColumnSpec:
    return spec_for(name, "float")


@dataclass(frozen=True)
class NeedLevelBudget(ScaledFormula):
    """Need levels: a score mapped to levels by thresholds, each level with an amount.

    Level 1 is a score below ``thresholds[0]``; a score equal to a threshold belongs to the
    higher level; level ``k + 1`` is a score at or above the last of the ``k`` thresholds.

    Parameters
    ----------
    thresholds : sequence of float
        Strictly increasing score thresholds.
    amounts_eur : sequence of float
        EUR per 26 weeks of each level, one more than the thresholds.
    source : Source
    multiplier : float, default 1
        Scales every level amount (what calibration to a pot sets).
    score_column : str, default ``support_need_score``

    Examples
    --------
    >>> from datetime import date
    >>> f = NeedLevelBudget([30, 60], [1000.0, 2500.0, 4000.0],
    ...                     Source("illustrative", date(2024, 1, 1)))
    >>> people = [{"participant_id": p, "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "support_need_score": s}
    ...           for p, s in [("A", 12.0), ("B", 60.0), ("C", 95.5)]]
    >>> r = f.compute(people)
    >>> r.table()
      participant_id  budget_eur  need_level_amount
    0              A      1000.0             1000.0
    1              B      4000.0             4000.0
    2              C      4000.0             4000.0
    >>> r.details.need_level.tolist()
    [1, 3, 3]
    """

    thresholds: Sequence[float]
    amounts_eur: Sequence[float]
    source: Source
    multiplier: float = 1.0
    score_column: str = "support_need_score"

    kind: ClassVar[str] = "need_levels"
    scale_parameter: ClassVar[str] = "multiplier"

    def __post_init__(self) -> None:
        check = ParameterCheck(self.kind)
        check.source(self.source)
        t = tuple(self.thresholds) if isinstance(self.thresholds, Sequence) else ()
        a = tuple(self.amounts_eur) if isinstance(self.amounts_eur, Sequence) else ()
        object.__setattr__(self, "thresholds", t)
        object.__setattr__(self, "amounts_eur", a)
        ok = all(check.number(f"thresholds[{k}]", x) for k, x in enumerate(t))
        if ok and any(b <= a_ for a_, b in itertools.pairwise(t)):
            check.add("thresholds", "must be strictly increasing")
        for k, x in enumerate(a):
            check.number(f"amounts_eur[{k}]", x, low=0.0)
        if len(a) != len(t) + 1:
            check.add("amounts_eur", f"needs {len(t) + 1} amounts (one more than thresholds)")
        check.number("multiplier", self.multiplier, low=0.0)
        if not isinstance(self.score_column, str) or not self.score_column:
            check.add("score_column", "must be a column name")
        check.raise_if_any()

    def specs(self) -> tuple[ColumnSpec, ...]:
        return (_score_spec(self.score_column),)

    def evaluate(self, inputs: Inputs, scale: float) -> Evaluation:
        score = inputs.floats(self.score_column)
        level = np.searchsorted(np.asarray(self.thresholds, float), score, side="right")
        m = self.multiplier * scale
        cents = per_period(1.0, inputs.weeks) * np.asarray(self.amounts_eur, float)[level] * m
        params = (
            self.param("thresholds", self.thresholds, f"{self.score_column} points"),
            self.param("amounts_eur", self.amounts_eur, "EUR per 26 weeks, by level"),
            self.param("multiplier", m, "factor"),
        )
        details = {
            self.score_column: score,
            "need_level": (level + 1).astype(np.int64),
            "period_weeks": inputs.prep.period_weeks,
        }
        return Evaluation({"need_level_amount": cents}, (), details, params, cents)
