"""Transition protection: no budget falls (or rises) too far from the previous one at once.

With a previous budget ``P`` (``previous_budget_eur``, for a period of the same length), the
new budget is kept in ``[ceil(P * (1 - max_decrease)), floor(P * (1 + max_increase))]`` (whole
cents, computed exactly from ``P`` in cents and the shares as written; no upper bound without
``max_increase``). Participants without a previous budget (empty
cell, or no column) are not protected. The ``transition_protection`` breakdown column is what
the protection added (positive) or took away (negative) for each participant, to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.budget._base import Formula, ScaledFormula
from ibm_engine.budget._inputs import ASSESSMENT_COLUMNS, Inputs, merged
from ibm_engine.budget._params import Parameter, ParameterCheck, Source
from ibm_engine.budget._result import BudgetResult, Evaluation, TransitionReport
from ibm_engine.budget._shares import decimal_share, share_of_cents
from ibm_engine.tables import ColumnSpec

__all__ = ["TransitionProtected"]

_PREV = "previous_budget_eur"
_COLUMN = "transition_protection"


@dataclass(frozen=True)
class TransitionProtected(ScaledFormula):
    """Any formula, with each budget's change against a previous budget capped.

    Parameters
    ----------
    formula : a budget formula
        The formula whose budgets are protected (it may itself be calibrated to a pot: the
        protection then comes on top of the pot; calibrating a protected formula instead keeps
        the total, protection included, within the pot).
    source : Source
        The decision that sets the protection.
    max_decrease : float in [0, 1], default 0.10
    max_increase : float >= 0, optional
        No limit on increases by default.

    Examples
    --------
    >>> from datetime import date
    >>> from ibm_engine.budget import FlatBudget
    >>> src = Source("illustrative", date(2024, 1, 1))
    >>> f = TransitionProtected(FlatBudget({"GRT": 1000.0}, src), src, max_decrease=0.1,
    ...                         max_increase=0.05)
    >>> people = [{"participant_id": p, "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "previous_budget_eur": prev}
    ...           for p, prev in [("A", 1500.0), ("B", 900.0), ("C", None), ("D", 1050.0)]]
    >>> r = f.compute(people)
    >>> r.table()
      participant_id  budget_eur  target_group_amount  transition_protection
    0              A      1350.0               1000.0                  350.0
    1              B       945.0               1000.0                  -55.0
    2              C      1000.0               1000.0                    0.0
    3              D      1000.0               1000.0                    0.0
    >>> r.transition
    TransitionReport(max_decrease=0.1, max_increase=0.05, raised=1, lowered=1, cost_eur=350.0, \
savings_eur=55.0, net_eur=295.0)
    """

    formula: Formula
    source: Source
    max_decrease: float = 0.10
    max_increase: float | None = None

    kind: ClassVar[str] = "transition_protected"

    def __post_init__(self) -> None:
        check = ParameterCheck(self.kind)
        check.source(self.source)
        if not isinstance(self.formula, Formula):
            check.add("formula", f"must be a budget formula (got {type(self.formula).__name__})")
        else:
            inner: object = self.formula
            while isinstance(inner, Formula):
                if isinstance(inner, TransitionProtected):
                    check.add("formula", "is already transition protected")
                    break
                inner = getattr(inner, "formula", None)
        check.number("max_decrease", self.max_decrease, low=0.0, high=1.0)
        check.number("max_increase", self.max_increase, low=0.0, optional=True)
        check.raise_if_any()

    @property
    def scalable(self) -> bool:
        return self.formula.scalable

    def _inner(self) -> ScaledFormula:
        if not isinstance(self.formula, ScaledFormula) or not self.formula.scalable:
            raise TypeError(f"{type(self.formula).__name__} cannot be scaled")
        return self.formula

    def scale_name(self) -> str:
        return self._inner().scale_name()

    def is_additive(self) -> bool:
        return self._inner().is_additive()

    def requires_plan(self) -> bool:
        return self.formula.requires_plan()

    def specs(self) -> tuple[ColumnSpec, ...]:
        return merged((*self.formula.specs(), ASSESSMENT_COLUMNS[_PREV]))

    def _bounds(self, inputs: Inputs) -> tuple[FloatArray, FloatArray, dict[str, FloatArray]]:
        """Lower and upper bounds in cents (and their details), once per ``inputs``."""
        key = ("transition", self.max_decrease, self.max_increase)
        if key not in inputs.memo:
            low, high, details = self._compute_bounds(inputs)
            inputs.memo[key] = np.vstack([low, high, *details.values()])
        low, high, *rest = inputs.memo[key]
        return (
            low,
            high,
            dict(zip((_PREV, "protected_from_eur", "protected_to_eur"), rest, strict=True)),
        )

    def _compute_bounds(
        self, inputs: Inputs
    ) -> tuple[FloatArray, FloatArray, dict[str, FloatArray]]:
        prev, given = inputs.cents(_PREV) if _PREV in inputs.columns else (None, None)
        if prev is None or given is None:
            prev, given = np.zeros(inputs.n, dtype=np.int64), np.zeros(inputs.n, dtype=bool)
        down = share_of_cents(1 - decimal_share(self.max_decrease), prev, "up")
        low = np.where(given, down, 0).astype(np.float64)
        high = np.full(inputs.n, np.inf)
        if self.max_increase is not None:
            up = share_of_cents(1 + decimal_share(self.max_increase), prev, "down")
            high = np.where(given, up.astype(np.float64), np.inf)
        details = {
            _PREV: np.where(given, prev / 100.0, np.nan),
            "protected_from_eur": np.where(given, low / 100.0, np.nan),
            "protected_to_eur": np.where(given, high / 100.0, np.nan),
        }
        return low, high, details

    def _params(self) -> tuple[Parameter, ...]:
        return (
            self.param("max_decrease", self.max_decrease, "share of the previous budget"),
            self.param("max_increase", self.max_increase, "share (None: no limit)"),
        )

    def report(self, cents: dict[str, IntArray]) -> TransitionReport:
        """What the protection changed (from the breakdown column, in cents)."""
        c = cents[_COLUMN]
        return TransitionReport(
            max_decrease=float(self.max_decrease),
            max_increase=None if self.max_increase is None else float(self.max_increase),
            raised=int((c > 0).sum()),
            lowered=int((c < 0).sum()),
            cost_eur=int(c[c > 0].sum()) / 100.0,
            savings_eur=-int(c[c < 0].sum()) / 100.0,
            net_eur=int(c.sum()) / 100.0,
        )

    def evaluate(self, inputs: Inputs, scale: float) -> Evaluation:
        ev = self._inner().evaluate(inputs, scale)
        low, high, details = self._bounds(inputs)
        protected = np.minimum(np.maximum(ev.exact, low), high)
        return replace(
            ev,
            stages=(*ev.stages, (_COLUMN, protected)),
            details={**ev.details, **details},
            params=(*ev.params, *self._params()),
            report=self.report,
        )

    def compute_inputs(self, inputs: Inputs) -> BudgetResult:
        if self.scalable:
            return super().compute_inputs(inputs)
        res = self.formula.compute_inputs(inputs)
        low, high, details = self._bounds(inputs)
        budget = np.minimum(np.maximum(res.budget_cents, low), high).astype(np.int64)
        change = budget - res.budget_cents
        breakdown = res.breakdown.assign(**{_COLUMN: change / 100.0})
        return BudgetResult(
            formula=self.kind,
            budget_cents=budget,
            breakdown=breakdown,
            params=(*res.params, *self._params()),
            details=res.details.assign(**details),
            calibration=res.calibration,
            transition=self.report({_COLUMN: change}),
            factors=(*res.factors, _COLUMN),
        )
