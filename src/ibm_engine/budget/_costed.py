"""The costed plan: how the Latvian child pilot set budgets.

The assessment team's plan is priced: recommended units x the unit price of the catalogue row
that applies to the participant (municipal rows replace the defaults, contract v1), summed over
the plan, spread over the participant's period, times a factor, between a floor and a cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ibm_engine._typing import FloatArray
from ibm_engine.budget._base import ScaledFormula, clamp_stages
from ibm_engine.budget._inputs import Inputs
from ibm_engine.budget._params import ParameterCheck, Source
from ibm_engine.budget._result import Evaluation
from ibm_engine.tables import ColumnSpec

__all__ = ["CostedPlanBudget"]

UNITS = ("upper", "recommended")


@dataclass(frozen=True)
class CostedPlanBudget(ScaledFormula):
    """The cost of the plan the assessment found necessary, times a factor, floor and cap.

    ``plan_cost`` is the sum over the participant's plan items of units x unit price (in whole
    cents, from the catalogue row that applies; an item no row applies to costs nothing). With
    ``plan_weeks`` the plan's units are for ``plan_weeks`` weeks and the cost is spread over the
    participant's period: x ``period_weeks / plan_weeks``. ``factor_adjustment`` is
    ``(factor - 1) x plan_cost``; floor and cap are EUR per 26 weeks, scaled to the period.

    Parameters
    ----------
    source : Source
    factor : float, default 1
        What calibration to a pot sets.
    floor_eur, cap_eur : float, optional
        EUR per 26 weeks; no cap by default.
    units : {"upper", "recommended"}
        ``upper`` (default): the contract's ``U_i``, the recommendation within the legal caps
        and the item's ``max_units``; ``recommended``: ``recommended_units`` as given.
    plan_weeks : int, optional
        Weeks the plan's units are for; by default the participant's own period.

    Examples
    --------
    >>> from datetime import date
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
    ...             {"service": "physiotherapy", "unit": "session", "unit_price_eur": 31.5,
    ...              "municipality": "Dobele"},
    ...             {"service": "respite_care", "unit": "day", "unit_price_eur": 48.0,
    ...              "max_units_per_year": 30.0}]
    >>> people = [{"participant_id": "A", "target_group": "FT", "age": 7,
    ...            "municipality": "Dobele"},
    ...           {"participant_id": "B", "target_group": "FT", "age": 9,
    ...            "municipality": "Dobele"}]
    >>> plan = [{"participant_id": "A", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12},
    ...         {"participant_id": "B", "service": "respite_care", "team_rank": 1,
    ...          "recommended_units": 20}]
    >>> f = CostedPlanBudget(Source("LM child pilot, 2018", date(2018, 9, 1)), factor=0.9)
    >>> f.compute(people, plan, services).table()[["participant_id", "budget_eur", "plan_cost",
    ...                                            "factor_adjustment"]]
      participant_id  budget_eur  plan_cost  factor_adjustment
    0              A       340.2      378.0              -37.8
    1              B       648.0      720.0              -72.0
    """

    source: Source
    factor: float = 1.0
    floor_eur: float = 0.0
    cap_eur: float | None = None
    units: str = "upper"
    plan_weeks: int | None = None

    kind: ClassVar[str] = "costed_plan"
    needs_plan: ClassVar[bool] = True
    scale_parameter: ClassVar[str] = "factor"

    def __post_init__(self) -> None:
        check = ParameterCheck(self.kind)
        check.source(self.source)
        check.number("factor", self.factor, low=0.0)
        floor_ok = check.number("floor_eur", self.floor_eur, low=0.0)
        cap_ok = check.number("cap_eur", self.cap_eur, low=0.0, optional=True)
        if floor_ok and cap_ok and self.cap_eur is not None and self.cap_eur < self.floor_eur:
            check.add("cap_eur", f"must be >= floor_eur ({self.floor_eur:g})")
        if self.units not in UNITS:
            check.add("units", f"must be one of {', '.join(UNITS)} (got {self.units!r})")
        pw = self.plan_weeks
        if pw is not None and (isinstance(pw, bool) or not isinstance(pw, int) or pw < 1):
            check.add("plan_weeks", f"must be an integer >= 1 (got {pw!r})")
        check.raise_if_any()

    def specs(self) -> tuple[ColumnSpec, ...]:
        return ()

    @staticmethod
    def _counts(inputs: Inputs) -> dict[str, np.ndarray]:
        prep = inputs.prep
        if "plan_items" not in inputs.memo:
            counted = np.bincount(prep.item_owner, minlength=inputs.n)[: inputs.n]
            priced = np.bincount(prep.item_owner[prep.row >= 0], minlength=inputs.n)[: inputs.n]
            inputs.memo["plan_items"] = counted.astype(np.int64)
            inputs.memo["items_without_catalogue_row"] = (counted - priced).astype(np.int64)
        return {k: inputs.memo[k] for k in ("plan_items", "items_without_catalogue_row")}

    def evaluate(self, inputs: Inputs, scale: float) -> Evaluation:
        prep = inputs.prep
        weeks = inputs.weeks
        key = ("plan_cost", self.units)
        if key not in inputs.memo:  # calibration evaluates many scales: cost the plans once
            units = prep.upper if self.units == "upper" else prep.recommended
            item_cost = (units * prep.price_cents).astype(np.float64)
            summed = np.bincount(prep.item_owner, weights=item_cost, minlength=inputs.n)
            inputs.memo[key] = np.asarray(summed[: inputs.n], dtype=np.float64)
        plan: FloatArray = inputs.memo[key]
        if self.plan_weeks is not None:
            plan = plan * weeks / float(self.plan_weeks)
        factor = self.factor * scale
        gross: FloatArray = plan * factor
        stages = clamp_stages(gross, self.floor_eur, self.cap_eur, inputs)
        details = {**self._counts(inputs), "period_weeks": prep.period_weeks}
        params = (
            self.param("factor", factor, "factor"),
            self.param("floor_eur", self.floor_eur, "EUR per 26 weeks"),
            self.param("cap_eur", self.cap_eur, "EUR per 26 weeks (None: no cap)"),
            self.param("units", self.units, "units costed per plan item"),
            self.param("plan_weeks", self.plan_weeks, "weeks (None: the participant's period)"),
            self.param(
                "unit_price_eur", "catalogue row that applies", "EUR per unit (services table)"
            ),
        )
        adjustment: FloatArray = plan * (factor - 1.0)
        factors = {"plan_cost": plan, "factor_adjustment": adjustment}
        return Evaluation(factors, stages, details, params, gross)
