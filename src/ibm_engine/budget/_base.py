"""The common protocol of budget formulas, and the base classes that implement it.

Every formula is a frozen object with

- ``compute(participants, plan_items=None, services=None, *, period_weeks=26)``: validate the
  tables (contract v1 plus the formula's assessment columns) and return a ``BudgetResult``;
- ``compute_prepared(prepared)``: the same from tables already validated by
  :func:`ibm_engine.tables.prepare` (the seam for ``allocate(..., budget=formula)``);
- ``problems(participants)``: the problems of the formula's assessment columns, without raising
  (for quarantining participants).

A :class:`ScaledFormula` also evaluates at any value of its scale (price per point, level
multiplier, plan factor, intercept shift), which is what calibration to a pot searches over.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from ibm_engine._typing import FloatArray
from ibm_engine.budget._inputs import Inputs, from_prepared, load, problems_of
from ibm_engine.budget._params import Parameter, Source
from ibm_engine.budget._result import BudgetResult, Evaluation, build
from ibm_engine.budget._shares import decimal_share, share_of_cents
from ibm_engine.tables import ColumnSpec, Prepared

__all__ = ["BudgetFormula", "Formula", "ScaledFormula", "clamp_stages", "per_period"]


@runtime_checkable
class BudgetFormula(Protocol):
    """What ``allocate(..., budget=...)`` and the wrappers need of a formula."""

    def compute(
        self,
        participants: object,
        plan_items: object | None = None,
        services: object | None = None,
        *,
        period_weeks: int = 26,
    ) -> BudgetResult:
        """Budgets of the participants (validating all three tables)."""
        ...

    def compute_prepared(self, prepared: Prepared) -> BudgetResult:
        """Budgets of participants already validated by ``tables.prepare``."""
        ...

    def problems(self, participants: pd.DataFrame) -> list[dict[str, Any]]:
        """Problems of the formula's assessment columns (an empty list when none)."""
        ...


class Formula(ABC):
    """Shared implementation of :class:`BudgetFormula` (subclasses are frozen dataclasses)."""

    kind: ClassVar[str] = "formula"
    needs_plan: ClassVar[bool] = False

    @abstractmethod
    def specs(self) -> tuple[ColumnSpec, ...]:
        """The assessment columns this formula reads."""

    @abstractmethod
    def compute_inputs(self, inputs: Inputs) -> BudgetResult:
        """Budgets from validated inputs."""

    @property
    def scalable(self) -> bool:
        """Whether the formula can be calibrated to a pot."""
        return False

    def requires_plan(self) -> bool:
        """Whether the formula reads plan items and the catalogue."""
        return self.needs_plan

    def compute(
        self,
        participants: object,
        plan_items: object | None = None,
        services: object | None = None,
        *,
        period_weeks: int = 26,
    ) -> BudgetResult:
        """Validate the tables and compute every participant's budget.

        Parameters
        ----------
        participants : DataFrame or anything ``pd.DataFrame`` accepts
            Contract-v1 participants (``budget_eur`` not needed) with the assessment columns
            the formula reads (see ``docs/budgets.md``).
        plan_items, services : DataFrame, optional
            Needed only by formulas that cost the plan.
        period_weeks : int
            Period of participants without their own ``period_weeks``.

        Returns
        -------
        BudgetResult

        Raises
        ------
        InputError
            Listing every problem of the tables and of the assessment columns.
        """
        inputs = load(
            participants, plan_items, services, period_weeks, self.specs(), self.requires_plan()
        )
        return self.compute_inputs(inputs)

    def compute_prepared(self, prepared: Prepared) -> BudgetResult:
        """Budgets of the participants of ``prepared`` (``tables.prepare``'s output).

        Only the formula's assessment columns are read and checked here; the contract columns
        were checked by ``prepare``. Raises ``InputError`` if an assessment column is bad.
        """
        return self.compute_inputs(from_prepared(prepared, self.specs()))

    def problems(self, participants: pd.DataFrame) -> list[dict[str, Any]]:
        """Problems of the assessment columns of ``participants``, as ``InputError`` rows."""
        return problems_of(participants, self.specs())


class ScaledFormula(Formula):
    """A formula whose amounts grow with one scale parameter (calibration searches it).

    ``scale`` multiplies the scaled parameter (``additive_scale`` False, identity 1) or is
    added to it (True, identity 0). Amounts must be continuous and non-decreasing in it.
    """

    scale_parameter: ClassVar[str] = ""
    additive_scale: ClassVar[bool] = False
    source: Source

    @abstractmethod
    def evaluate(self, inputs: Inputs, scale: float) -> Evaluation:
        """Exact amounts in cents at ``scale`` (see ``_result``)."""

    @property
    def scalable(self) -> bool:
        return True

    def scale_name(self) -> str:
        """Name of the parameter the scale sets (as in ``BudgetResult.params``)."""
        return self.scale_parameter

    def is_additive(self) -> bool:
        """Whether the scale is added to its parameter (else it multiplies it)."""
        return self.additive_scale

    @property
    def identity(self) -> float:
        """The scale at which the formula gives its own parameters' budgets."""
        return 0.0 if self.is_additive() else 1.0

    def compute_inputs(self, inputs: Inputs) -> BudgetResult:
        ev = self.evaluate(inputs, self.identity)
        return build(self.kind, inputs.prep.participants["participant_id"], ev)

    def param(self, name: str, value: Any, unit: str) -> Parameter:
        """A parameter of this formula, with the formula's source."""
        return Parameter(name, value, unit, self.source)


def per_period(amount_eur: float, weeks: FloatArray) -> FloatArray:
    """An amount per 26 weeks as exact cents for each participant's period."""
    out: FloatArray = amount_eur * 100.0 * weeks / 26.0
    return out


def clamp_stages(
    gross: FloatArray, floor_eur: float, cap_eur: float | None, inputs: Inputs
) -> tuple[tuple[str, FloatArray], ...]:
    """Floor and cap (EUR per 26 weeks, scaled to the period, made whole cents inwards).

    ``ceil(floor_eur x 100 x T / 26)`` and ``floor(cap_eur x 100 x T / 26)`` cents, computed
    exactly from the amounts as written. The floor is never below 0, so no budget is negative.
    The bounds are computed once per ``inputs`` (calibration evaluates many scales).
    """
    key = ("clamp", floor_eur, cap_eur)
    if key not in inputs.memo:
        weeks = np.asarray(inputs.prep.period_weeks, dtype=np.int64)
        per_week = decimal_share(max(floor_eur, 0.0)) * 100 / 26
        low = share_of_cents(per_week, weeks, "up").astype(np.float64)
        high = np.full(inputs.n, np.inf)
        if cap_eur is not None:
            per_week = decimal_share(max(cap_eur, 0.0)) * 100 / 26
            high = share_of_cents(per_week, weeks, "down").astype(np.float64)
        inputs.memo[key] = np.vstack([np.minimum(low, high), high])
    low, high = inputs.memo[key]
    after_floor = np.maximum(gross, low)
    if cap_eur is None:
        return (("floor_adjustment", after_floor),)
    return (("floor_adjustment", after_floor), ("cap_adjustment", np.minimum(after_floor, high)))
