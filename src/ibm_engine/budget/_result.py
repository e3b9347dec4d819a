"""What a formula returns: budgets in cents and a breakdown that sums to them to the cent.

A formula first *evaluates* to exact (unrounded) amounts in cents: base factors that add up to
a gross amount, then adjustment stages (floor, cap, transition protection), each the running
amount after that adjustment. The budget is then rounded (or, under calibration, apportioned)
to whole cents, and the breakdown in cents is derived from it:

- the rounded amount after stage k is ``R_k``; the last ``R`` is the budget itself, and an
  adjustment that did not change the amount repeats the next ``R`` (so it shows exactly 0);
- an adjustment column is ``R_k - R_(k-1)``, exact cents;
- the base factors share ``R_0`` by largest remainders: each gets the floor of its exact cents,
  and the cents left go one each to the factors with the largest fractional parts (ties to the
  earlier column).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from ibm_engine._tolerances import ROUND_NOISE_DECIMALS
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.budget._params import Parameter, params_frame
from ibm_engine.errors import InputError

__all__ = [
    "MAX_CENTS",
    "BudgetResult",
    "CalibrationReport",
    "CalibrationStatus",
    "Evaluation",
    "TransitionReport",
    "apportion",
    "breakdown_cents",
    "build",
    "exact_cents",
    "require_exact_cents",
    "round_half_up",
]


def round_half_up(cents: FloatArray) -> IntArray:
    """Nearest whole cent, halves up (after rounding away float noise below 1e-6 cent)."""
    out: IntArray = np.floor(np.round(cents, ROUND_NOISE_DECIMALS) + 0.5).astype(np.int64)
    return out


def apportion(parts: FloatArray, total: IntArray) -> IntArray:
    """Whole cents per column (rows of ``parts``) summing to ``total`` per row.

    Largest remainders: the floor of every part, then the missing cents one per part in order of
    decreasing fractional part, ties to the earlier column.

    Examples
    --------
    >>> apportion(np.array([[100.3, 50.6, 49.1], [100.4, 50.4, 49.2]]), np.array([200, 200]))
    array([[100,  51,  49],
           [101,  50,  49]])
    """
    n, k = parts.shape
    if k == 0 or n == 0:
        return np.zeros((n, k), dtype=np.int64)
    base = np.floor(parts)
    frac = np.round(parts - base, 9)  # float noise must not decide between equal remainders
    out = base.astype(np.int64)
    q, r = np.divmod(total - out.sum(axis=1), k)
    out += q[:, None]
    order = np.argsort(-frac, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(k), (n, k)), axis=1)
    out += (rank < r[:, None]).astype(np.int64)
    return out


class CalibrationStatus(StrEnum):
    """How a calibration to a programme pot ended."""

    EXACT = "exact"  #: the budgets add up to the pot to the cent
    WITHIN_TOLERANCE = "within_tolerance"  #: below the pot by less than 1 cent per participant
    CAPPED = "capped"  #: no scale reaches the pot (caps or protection bind): the most it can give


@dataclass(frozen=True)
class CalibrationReport:
    """The scale found for a programme pot and how the leftover cents were handed out."""

    parameter: str
    value: float
    scale: float
    pot_eur: float
    total_eur: float
    below_pot_eur: float
    leftover_cents: int
    participants: int
    status: CalibrationStatus
    rule: str


@dataclass(frozen=True)
class TransitionReport:
    """What transition protection changed, and what it costs."""

    max_decrease: float
    max_increase: float | None
    raised: int
    lowered: int
    cost_eur: float
    savings_eur: float
    net_eur: float


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Exact amounts in cents before rounding (see the module docstring)."""

    factors: dict[str, FloatArray]
    stages: tuple[tuple[str, FloatArray], ...]
    details: dict[str, np.ndarray]
    params: tuple[Parameter, ...]
    gross: FloatArray
    report: Callable[[dict[str, IntArray]], TransitionReport] | None = None

    @property
    def exact(self) -> FloatArray:
        """The amount after every adjustment, in cents (unrounded)."""
        return self.stages[-1][1] if self.stages else self.gross


def breakdown_cents(ev: Evaluation, budget: IntArray) -> dict[str, IntArray]:
    """Whole cents per breakdown column, summing to ``budget`` per row (module docstring)."""
    amounts = [ev.gross, *(a for _, a in ev.stages)]
    rounded: list[IntArray] = [budget] * len(amounts)
    for k in range(len(amounts) - 1, 0, -1):
        same = amounts[k] == amounts[k - 1]
        rounded[k - 1] = np.where(same, rounded[k], round_half_up(amounts[k - 1]))
    names = list(ev.factors)
    n = budget.shape[0]
    matrix = np.column_stack([ev.factors[c] for c in names]) if names else np.zeros((n, 0))
    base = apportion(matrix, rounded[0])
    out = {c: base[:, j] for j, c in enumerate(names)}
    for k, (name, _) in enumerate(ev.stages, start=1):
        out[name] = rounded[k] - rounded[k - 1]
    return out


def _euros(cents: IntArray) -> FloatArray:
    out: FloatArray = cents / 100.0
    return out


@dataclass(frozen=True, eq=False)
class BudgetResult:
    """Budgets of the participants (in input order) with the factors that set them.

    Attributes
    ----------
    budget_cents : numpy.ndarray of int64
        One budget per participant row, in whole cents.
    breakdown : pandas.DataFrame
        ``participant_id`` and one column per factor in EUR (whole cents); the factor columns of
        a row add up to its budget to the cent.
    params : tuple of Parameter
        Every parameter used, with its effective date and source.
    details : pandas.DataFrame
        ``participant_id`` and what else explains the budget (need level, points, previous
        budget, square-root-scale contributions ...).
    calibration, transition : report or None
        Present when the formula was calibrated to a pot or protected against a previous budget.

    Examples
    --------
    >>> from datetime import date
    >>> from ibm_engine.budget import FlatBudget, Source
    >>> flat = FlatBudget({"GRT": 100.0}, Source("illustrative", date(2024, 1, 1)))
    >>> r = flat.compute([{"participant_id": "A", "target_group": "GRT", "age": 30,
    ...                    "municipality": "Bauska"}])
    >>> r.budget_cents, r.factors
    (array([10000]), ('target_group_amount',))
    >>> r.params_frame()[["name", "value", "effective_date"]]
                  name  value effective_date
    0  amount_eur[GRT]  100.0     2024-01-01
    1       multiplier    1.0     2024-01-01
    """

    formula: str
    budget_cents: IntArray
    breakdown: pd.DataFrame
    params: tuple[Parameter, ...]
    details: pd.DataFrame
    calibration: CalibrationReport | None = None
    transition: TransitionReport | None = None
    factors: tuple[str, ...] = field(default=())

    @property
    def budget_eur(self) -> FloatArray:
        """The budgets in EUR."""
        return _euros(self.budget_cents)

    def params_frame(self) -> pd.DataFrame:
        """The parameters as a table (name, value, unit, effective_date, reference, note)."""
        return params_frame(self.params)

    def table(self) -> pd.DataFrame:
        """``participant_id``, ``budget_eur`` and the breakdown columns."""
        out = self.breakdown.copy()
        out.insert(1, "budget_eur", self.budget_eur)
        return out


#: amounts at or beyond this many cents cannot be held to the cent in float64
MAX_CENTS = 2.0**53


def exact_cents(ev: Evaluation) -> bool:
    """Whether every amount of ``ev`` is finite and below :data:`MAX_CENTS` in magnitude."""
    arrays = [ev.gross, *ev.factors.values(), *(a for _, a in ev.stages)]
    return all(bool(np.all(np.abs(a) < MAX_CENTS)) for a in arrays)


def require_exact_cents(formula: str, ev: Evaluation) -> None:
    """Raise ``InputError`` (table ``parameters``) if an amount is beyond :data:`MAX_CENTS`."""
    if not exact_cents(ev):
        raise InputError(
            [
                {
                    "table": "parameters",
                    "row": formula,
                    "participant_id": None,
                    "column": None,
                    "reason": "gives amounts beyond 2^53 cents (about 90 trillion EUR), "
                    "which cannot be exact to the cent: check the parameters",
                }
            ]
        )


def build(
    formula: str,
    ids: pd.Series,
    ev: Evaluation,
    budget: IntArray | None = None,
    calibration: CalibrationReport | None = None,
    cents: dict[str, IntArray] | None = None,
) -> BudgetResult:
    """The result of an evaluation apportioned to ``budget`` (default: each amount rounded).

    ``cents`` (the breakdown in whole cents, default :func:`breakdown_cents`) is for callers
    whose columns must start from other rounded amounts (a pot with groups).
    """
    require_exact_cents(formula, ev)
    if budget is None:
        budget = round_half_up(ev.exact)
    if cents is None:
        cents = breakdown_cents(ev, budget)
    euros = {name: _euros(c) for name, c in cents.items()}
    ids = ids.reset_index(drop=True)
    breakdown = pd.DataFrame({"participant_id": ids, **euros})
    details = pd.DataFrame({"participant_id": ids, **ev.details})
    return BudgetResult(
        formula=formula,
        budget_cents=budget,
        breakdown=breakdown,
        params=ev.params,
        details=details,
        calibration=calibration,
        transition=ev.report(cents) if ev.report is not None else None,
        factors=tuple(cents),
    )
