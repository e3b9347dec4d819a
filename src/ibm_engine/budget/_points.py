"""Points x price per point, with a visible informal-care adjustment, a floor and a cap.

As UK resource allocation systems do: an assessment gives points, a price per point turns them
into money, and the help family and friends give unpaid (informal care) reduces the amount.
Here that reduction is never hidden: it is its own (negative) breakdown column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ibm_engine.budget._base import ScaledFormula, clamp_stages, per_period
from ibm_engine.budget._inputs import ASSESSMENT_COLUMNS, Inputs, spec_for
from ibm_engine.budget._params import ParameterCheck, Source
from ibm_engine.budget._result import Evaluation
from ibm_engine.tables import ColumnSpec

__all__ = ["PointsBudget"]

_HOURS = "informal_care_hours_per_week"


@dataclass(frozen=True)
class PointsBudget(ScaledFormula):
    """Assessment points x price per point, less informal care, between a floor and a cap.

    For a participant with period ``T`` weeks (amounts in EUR):

    - ``points_amount = points * price_per_point_eur * T / 26``
    - ``informal_care_adjustment = -min(informal_care_rate_eur_per_hour * hours_per_week * T,
      max_informal_share * points_amount)``
    - then the floor and the cap (EUR per 26 weeks, scaled to ``T``); the budget is never
      negative.

    Parameters
    ----------
    price_per_point_eur : float
        EUR per point per 26 weeks (what calibration to a pot sets).
    source : Source
    floor_eur, cap_eur : float, optional
        EUR per 26 weeks; no cap by default.
    informal_care_rate_eur_per_hour : float, default 0
        Reduction per hour of weekly informal care (``informal_care_hours_per_week``; an empty
        cell or a missing column counts no informal care).
    max_informal_share : float in [0, 1], default 1
        The reduction is at most this share of the points amount.
    points_column : str, default ``assessment_points``

    Examples
    --------
    >>> from datetime import date
    >>> f = PointsBudget(20.0, Source("illustrative", date(2024, 1, 1)), floor_eur=500.0,
    ...                  cap_eur=3000.0, informal_care_rate_eur_per_hour=2.0,
    ...                  max_informal_share=0.5)
    >>> people = [{"participant_id": p, "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "assessment_points": pts,
    ...            "informal_care_hours_per_week": h}
    ...           for p, pts, h in [("A", 100.0, 10.0), ("B", 10.0, 0.0), ("C", 400.0, 0.0)]]
    >>> f.compute(people).table().set_index("participant_id").T
    participant_id                 A      B       C
    budget_eur                1480.0  500.0  3000.0
    points_amount             2000.0  200.0  8000.0
    informal_care_adjustment  -520.0    0.0     0.0
    floor_adjustment             0.0  300.0     0.0
    cap_adjustment               0.0    0.0 -5000.0
    """

    price_per_point_eur: float
    source: Source
    floor_eur: float = 0.0
    cap_eur: float | None = None
    informal_care_rate_eur_per_hour: float = 0.0
    max_informal_share: float = 1.0
    points_column: str = "assessment_points"

    kind: ClassVar[str] = "points"
    scale_parameter: ClassVar[str] = "price_per_point_eur"

    def __post_init__(self) -> None:
        check = ParameterCheck(self.kind)
        check.source(self.source)
        check.number("price_per_point_eur", self.price_per_point_eur, low=0.0)
        floor_ok = check.number("floor_eur", self.floor_eur, low=0.0)
        cap_ok = check.number("cap_eur", self.cap_eur, low=0.0, optional=True)
        if floor_ok and cap_ok and self.cap_eur is not None and self.cap_eur < self.floor_eur:
            check.add("cap_eur", f"must be >= floor_eur ({self.floor_eur:g})")
        check.number("informal_care_rate_eur_per_hour", self.informal_care_rate_eur_per_hour, low=0)
        check.number("max_informal_share", self.max_informal_share, low=0.0, high=1.0)
        if not isinstance(self.points_column, str) or not self.points_column:
            check.add("points_column", "must be a column name")
        check.raise_if_any()

    def specs(self) -> tuple[ColumnSpec, ...]:
        return (spec_for(self.points_column), ASSESSMENT_COLUMNS[_HOURS])

    def evaluate(self, inputs: Inputs, scale: float) -> Evaluation:
        weeks = inputs.weeks
        points = inputs.floats(self.points_column)
        ppp = self.price_per_point_eur * scale
        amount = points * per_period(ppp, weeks)
        hours = inputs.floats(_HOURS, 0.0) if _HOURS in inputs.columns else np.zeros(inputs.n)
        informal = np.minimum(
            self.informal_care_rate_eur_per_hour * 100.0 * hours * weeks,
            self.max_informal_share * amount,
        )
        gross = amount - informal
        stages = clamp_stages(gross, self.floor_eur, self.cap_eur, inputs)
        params = (
            self.param("price_per_point_eur", ppp, "EUR per point per 26 weeks"),
            self.param("floor_eur", self.floor_eur, "EUR per 26 weeks"),
            self.param("cap_eur", self.cap_eur, "EUR per 26 weeks (None: no cap)"),
            self.param(
                "informal_care_rate_eur_per_hour",
                self.informal_care_rate_eur_per_hour,
                "EUR per hour of weekly informal care, per week",
            ),
            self.param("max_informal_share", self.max_informal_share, "share of points_amount"),
        )
        details = {
            self.points_column: points,
            _HOURS: hours,
            "period_weeks": inputs.prep.period_weeks,
        }
        factors = {"points_amount": amount, "informal_care_adjustment": -informal}
        return Evaluation(factors, stages, details, params, gross)
