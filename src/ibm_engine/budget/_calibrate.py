"""Calibration to a programme pot: the scale that spends the pot, never more.

The formula's scale (price per point, level multiplier, plan factor, intercept shift) is found by
a bracketing search on the exact (unrounded) total, which is continuous and non-decreasing in
it, until the total is below the pot by less than half a cent. The budgets are then made whole
cents by the rule below, so their sum is the pot to the cent; when no scale reaches the pot
(every budget is held at a cap or a protection bound) the formula's largest total is given
instead, and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.budget._base import Formula, ScaledFormula
from ibm_engine.budget._inputs import Inputs
from ibm_engine.budget._params import Parameter, ParameterCheck, Source, finite
from ibm_engine.budget._result import (
    MAX_CENTS,
    BudgetResult,
    CalibrationReport,
    CalibrationStatus,
    Evaluation,
    build,
    exact_cents,
    require_exact_cents,
)
from ibm_engine.errors import InputError, SolverError
from ibm_engine.tables import ColumnSpec

__all__ = ["LEFTOVER_RULE", "PotCalibrated"]

LEFTOVER_RULE = (
    "largest remainders: every budget is first rounded down to the cent; the cents left up to "
    "the pot go one each to the budgets with the largest fractions of a cent, ties by "
    "participant_id (ascending, as text); a budget that is a whole number of cents (at a floor, "
    "cap or protection bound) gets none"
)
_FAR = 2.0**64  # farthest a scale is pushed looking for the ends of the pot's bracket
_ITERATIONS = 400
_GRID = float(2**30)


def _total(f: ScaledFormula, inputs: Inputs, scale: float) -> tuple[float, Evaluation]:
    """The exact total in cents, summed in integers so that the row order cannot change it.

    Whole cents are summed exactly; the fractions on a grid of 2^-30 cent (so the total is at
    most 0.001 cent low for a million participants).
    """
    ev = f.evaluate(inputs, scale)
    exact = ev.exact
    if not bool(np.all(np.abs(exact) < MAX_CENTS)):  # not exact anyway: rejected or too big
        return float(np.sum(exact)), ev
    whole = np.floor(exact)
    grid = np.floor((exact - whole) * _GRID).astype(np.int64)
    return int(whole.astype(np.int64).sum()) + int(grid.sum()) / _GRID, ev


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

    kind: ClassVar[str] = "pot_calibrated"

    def __post_init__(self) -> None:
        check = ParameterCheck(self.kind)
        check.source(self.source)
        if not isinstance(self.formula, Formula) or not self.formula.scalable:
            check.add("formula", f"cannot be calibrated: {type(self.formula).__name__}")
        if check.number("pot_eur", self.pot_eur, low=0.0):
            cents = float(self.pot_eur) * 100.0
            if abs(cents - round(cents)) > 1e-4:
                check.add("pot_eur", f"must be whole cents (got {self.pot_eur!r})")
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

    def _bracket(self, inputs: Inputs, pot: int) -> tuple[float, float, int, bool]:
        """Scales ``lo`` (total <= target) and ``hi``, the target, and whether it is capped."""
        f, ident, add = self.formula, self.formula.identity, self.formula.is_additive()
        step = 1.0
        s_ident, _ = _total(f, inputs, ident)
        if s_ident <= pot:
            tried = [(ident, s_ident)]
            while step <= _FAR:
                hi = ident + step if add else ident * (1.0 + step)
                total, ev = _total(f, inputs, hi)
                if total > pot:
                    return tried[-1][0], hi, pot, False
                if not exact_cents(ev):  # further scales cannot be exact to the cent
                    break
                tried.append((hi, total))
                step *= 2.0
            # no scale reaches the pot: aim at the most the formula gives
            target = int(np.floor(tried[-1][1] + 1e-6))
            below = [s for s, total in tried if total < target]
            lo = below[-1] if below else ident
            hi = next(s for s, total in tried if total >= target)
            return lo, hi, target, True
        lo, hi = ident, ident
        s_lo = s_ident
        while s_lo > pot:
            if step > _FAR or (not add and lo == 0.0):
                raise self._infeasible(s_lo)
            hi, lo = lo, (ident - step if add else max(ident * (1.0 - step), 0.0))
            s_lo, _ = _total(f, inputs, lo)
            step *= 2.0
        return lo, hi, pot, False

    def _search(self, inputs: Inputs) -> tuple[float, Evaluation, int, bool]:
        """The scale whose exact total is below the target by less than half a cent.

        Bracketing steps: linear interpolation aiming a quarter cent below the target (exact on
        a linear piece of the total), with a bisection every third step so kinks cannot stall.
        """
        lo, hi, target, capped = self._bracket(inputs, self.pot_cents)
        s_lo, ev = _total(self.formula, inputs, lo)
        if s_lo >= target:  # the lower end already gives the (capped) target
            return lo, ev, target, capped
        s_hi, _ = _total(self.formula, inputs, hi)
        for step in range(_ITERATIONS):
            if target - s_lo < 0.5:
                break
            mid = lo + (hi - lo) / 2.0
            if step % 3 != 2 and s_hi > s_lo:
                guess = lo + (hi - lo) * ((target - 0.25 - s_lo) / (s_hi - s_lo))
                mid = guess if lo < guess < hi else mid
            if mid in (lo, hi):
                break
            s_mid, ev_mid = _total(self.formula, inputs, mid)
            if s_mid < target:
                lo, s_lo, ev = mid, s_mid, ev_mid
            else:
                hi, s_hi = mid, s_mid
        return lo, ev, target, capped

    def compute_inputs(self, inputs: Inputs) -> BudgetResult:
        scale, ev, target, capped = self._search(inputs)
        require_exact_cents(self.kind, ev)
        ids = inputs.prep.participants["participant_id"]
        budget, given = _largest_remainders(ev, target, ids)
        total, pot = int(budget.sum()), self.pot_cents
        if total > pot or (not capped and pot - total >= max(inputs.n, 1)):
            raise SolverError(f"calibration missed the pot: total {total}, pot {pot} cents")
        status = (
            CalibrationStatus.CAPPED
            if capped and total < pot
            else CalibrationStatus.EXACT
            if total == pot
            else CalibrationStatus.WITHIN_TOLERANCE
        )
        name = self.formula.scale_name()
        value = next((float(p.value) for p in ev.params if p.name == name), scale)
        calibrated = Source(
            f"calibrated to the programme pot of {pot / 100:.2f} EUR ({self.source.reference})",
            self.source.effective_date,
            self.source.note,
        )
        params = tuple(replace(p, source=calibrated) if p.name == name else p for p in ev.params)
        pot_param = Parameter("pot_eur", pot / 100, "EUR for these participants", self.source)
        report = CalibrationReport(
            parameter=name,
            value=value,
            scale=scale,
            pot_eur=pot / 100,
            total_eur=total / 100,
            below_pot_eur=(pot - total) / 100,
            leftover_cents=given,
            participants=inputs.n,
            status=status,
            rule=LEFTOVER_RULE,
        )
        ev = replace(ev, params=(*params, pot_param))
        return build(self.kind, ids, ev, budget, calibration=report)


def _largest_remainders(ev: Evaluation, target: int, ids: pd.Series) -> tuple[IntArray, int]:
    """Budgets in whole cents by :data:`LEFTOVER_RULE`; and how many cents were handed out.

    Fractions are compared to 1e-9 cent (float noise does not decide); ids are looked at only
    for the budgets tied at the last fraction that gets a cent.
    """
    exact = np.maximum(ev.exact, 0.0)
    base = np.floor(exact)
    frac = exact - base
    budget = base.astype(np.int64)
    left = target - int(budget.sum())
    if left < 0:
        raise SolverError(f"calibration overshot the target by {-left} cents")
    eligible = np.flatnonzero(frac > 0)
    give = min(left, int(eligible.shape[0]))
    if give == eligible.shape[0]:
        budget[eligible] += 1
    elif give:
        key = np.round(frac[eligible], 9)
        cut = np.partition(key, key.shape[0] - give)[key.shape[0] - give]
        sure = eligible[key > cut]
        tied = eligible[key == cut]
        names = ids.iloc[tied].astype(str).to_numpy(dtype=object)
        chosen = tied[np.argsort(names, kind="stable")[: give - sure.shape[0]]]
        budget[sure] += 1
        budget[chosen] += 1
    return budget, give
