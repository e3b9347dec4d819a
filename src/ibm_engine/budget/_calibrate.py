"""Calibration to a programme pot: the scale that spends the pot, never more.

The formula's scale (price per point, level multiplier, plan factor, intercept shift) is found by
a bracketing search on the exact (unrounded) total, which is continuous and non-decreasing in
it, until the total is below the pot by less than half a cent. The budgets are then made whole
cents by the rule below, so their sum is the pot to the cent; when no scale reaches the pot
(every budget is held at a cap or a protection bound) the formula's largest total is given
instead, and reported.

With ``groups`` (:class:`PotGroups`), protected groups keep their formula budgets (or a floor)
and groups may have sub-pots of their own (``_pot_segments``); the search itself is shared by
both (``_pot_search``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import pandas as pd

from ibm_engine._tolerances import CENT_TOL_CENTS
from ibm_engine.budget._base import Formula, ScaledFormula
from ibm_engine.budget._inputs import Inputs
from ibm_engine.budget._params import ParameterCheck, Source, finite
from ibm_engine.budget._pot_groups import PotGroups, group_problems
from ibm_engine.budget._pot_report import (
    calibrated_params,
    pot_parameter,
    pot_report,
    pot_status,
    scale_value,
)
from ibm_engine.budget._pot_search import Curve, Found, Unreachable, largest_remainders
from ibm_engine.budget._pot_segments import calibrate_groups
from ibm_engine.budget._result import BudgetResult, build, require_exact_cents
from ibm_engine.errors import InputError
from ibm_engine.tables import ColumnSpec

__all__ = ["LEFTOVER_RULE", "PotCalibrated"]

LEFTOVER_RULE = (
    "largest remainders: every budget is first rounded down to the cent; the cents left up to "
    "the pot go one each to the budgets with the largest fractions of a cent, ties by "
    "participant_id (ascending, as text); a budget that is a whole number of cents (at a floor, "
    "cap or protection bound) gets none"
)


@dataclass(frozen=True)
class PotCalibrated(Formula):
    """A formula scaled so that its budgets add up to a programme pot, to the cent.

    Parameters
    ----------
    formula : a scalable formula
        ``FlatBudget``, ``NeedLevelBudget``, ``PointsBudget``, ``CostedPlanBudget``,
        ``RegressionBudget``, or any of them under ``TransitionProtected``.
    pot_eur : float
        The programme's money for these participants and their periods (whole cents).
    source : Source
        The decision that sets the pot.
    groups : PotGroups, optional
        Groups whose budgets are protected (kept, or held at a floor) while the others are
        scaled, and groups with a sub-pot of their own; the result's ``calibration`` is then a
        :class:`PotGroupsReport` with a row per group and per pot (see ``docs/budgets.md``).

    Examples
    --------
    >>> from datetime import date
    >>> from ibm_engine.budget import PointsBudget
    >>> src = Source("illustrative", date(2024, 1, 1))
    >>> f = PotCalibrated(PointsBudget(10.0, src), pot_eur=1000.0, source=src)
    >>> people = [{"participant_id": p, "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "assessment_points": pts}
    ...           for p, pts in [("A", 10.0), ("B", 10.0), ("C", 10.0)]]
    >>> r = f.compute(people)
    >>> r.budget_eur.tolist(), int(r.budget_cents.sum())
    ([333.34, 333.33, 333.33], 100000)
    >>> r.calibration.status, round(r.calibration.value, 3), r.calibration.leftover_cents
    (<CalibrationStatus.EXACT: 'exact'>, 33.333, 1)
    """

    formula: ScaledFormula
    pot_eur: float
    source: Source
    groups: PotGroups | None = None

    kind: ClassVar[str] = "pot_calibrated"

    def __post_init__(self) -> None:
        check = ParameterCheck(self.kind)
        check.source(self.source)
        if not isinstance(self.formula, Formula) or not self.formula.scalable:
            check.add("formula", f"cannot be calibrated: {type(self.formula).__name__}")
        if check.number("pot_eur", self.pot_eur, low=0.0):
            cents = float(self.pot_eur) * 100.0
            if abs(cents - round(cents)) > CENT_TOL_CENTS:
                check.add("pot_eur", f"must be whole cents (got {self.pot_eur!r})")
        if self.groups is not None and not isinstance(self.groups, PotGroups):
            check.add("groups", f"must be PotGroups or None (got {type(self.groups).__name__})")
        check.raise_if_any()

    @property
    def pot_cents(self) -> int:
        """The pot in whole cents."""
        x = finite(self.pot_eur)
        return round((x or 0.0) * 100.0)

    def requires_plan(self) -> bool:
        return self.formula.requires_plan()

    def specs(self) -> tuple[ColumnSpec, ...]:
        return self.formula.specs()

    def problems(self, participants: pd.DataFrame) -> list[dict[str, Any]]:
        """Problems of the assessment columns and of the groups' column."""
        mine = [] if self.groups is None else group_problems(participants, self.groups)
        return [*super().problems(participants), *mine]

    def _infeasible(self, total: float) -> InputError:
        return InputError(
            [
                {
                    "table": "parameters",
                    "row": self.kind,
                    "participant_id": None,
                    "column": "pot_eur",
                    "reason": f"is below {total / 100:.2f} EUR, what the formula gives at its "
                    "lowest scale (floors, protection): no scale keeps the total within the pot",
                }
            ]
        )

    def search(self, inputs: Inputs, curve: Curve | None = None, pot: int | None = None) -> Found:
        """The scale for ``pot`` (default: the whole pot over every participant).

        Raises ``InputError`` on ``pot_eur`` when even the lowest scale exceeds it.
        """
        curve = Curve(self.formula, inputs) if curve is None else curve
        try:
            return curve.search(self.pot_cents if pot is None else pot)
        except Unreachable as exc:
            raise self._infeasible(exc.total) from None

    def calibrated_source(self) -> Source:
        """The source of a calibrated parameter: the pot's decision."""
        return Source(
            f"calibrated to the programme pot of {self.pot_cents / 100:.2f} EUR "
            f"({self.source.reference})",
            self.source.effective_date,
            self.source.note,
        )

    def compute_inputs(self, inputs: Inputs) -> BudgetResult:
        if self.groups is not None:
            return calibrate_groups(self, self.groups, inputs)
        found = self.search(inputs)
        scale, ev, target, capped = found.scale, found.ev, found.target, found.capped
        require_exact_cents(self.kind, ev)
        ids = inputs.prep.participants["participant_id"]
        budget, given = largest_remainders(ev.exact, target, ids)
        total, pot = int(budget.sum()), self.pot_cents
        name = self.formula.scale_name()
        report = pot_report(
            parameter=name,
            value=scale_value(name, ev, scale),
            scale=scale,
            pot=pot,
            total=total,
            leftover_cents=given,
            participants=inputs.n,
            status=pot_status(capped, total, pot, inputs.n),
            rule=LEFTOVER_RULE,
        )
        params = calibrated_params(ev.params, name, self.calibrated_source())
        ev = replace(ev, params=(*params, pot_parameter(pot, self.source)))
        return build(self.kind, ids, ev, budget, calibration=report)
