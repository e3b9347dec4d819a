"""A programme pot with groups: protected groups keep their budgets, the others are scaled.

The formula is evaluated once at its own scale: that is each participant's *formula budget*
``F``, in whole cents (rounded half up, as ``formula.compute`` gives it and the details show
it). A protected group (``keep``) is held at ``share x F`` rounded half up, a group with a floor
at ``share x F`` rounded up or more, both computed exactly (``_shares``); these are bounds
applied after the formula, so the total stays
continuous and non-decreasing in the scale and the search of :mod:`._pot_search` serves every
pot. Each group with a sub-pot is calibrated to its own share of the pot, everyone else to the
rest (the main pot). Edge cases are statuses (:class:`PotStatus`), not exceptions:

- the protected budgets alone exceed their pot: the protection is released for that pot, whose
  participants are all scaled alike (``released``);
- every participant of a pot is protected: their budgets, the rest of the pot unspent
  (``nothing_to_scale``);
- a pot or a group without participants: ``empty`` (a sub-pot's money is then unspent).

The breakdown starts from the formula budget (the formula's own columns at its own scale) and
adds ``pot_scaling`` (what the scale changed) and ``group_protection`` (what the protection gave
back), so each row shows what the calibration changed.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.budget._base import ScaledFormula
from ibm_engine.budget._inputs import Inputs
from ibm_engine.budget._params import Parameter, Source
from ibm_engine.budget._pot_groups import PotGroups, group_labels
from ibm_engine.budget._pot_report import (
    MAIN_POT,
    PotGroupsReport,
    PotOutcome,
    PotStatus,
    calibrated_params,
    pot_parameter,
    pot_report,
    pot_status,
    scale_value,
    tables,
)
from ibm_engine.budget._pot_search import Curve, Found, Unreachable, largest_remainders
from ibm_engine.budget._result import (
    BudgetResult,
    CalibrationStatus,
    Evaluation,
    breakdown_cents,
    build,
    require_exact_cents,
    round_half_up,
)
from ibm_engine.budget._shares import Rounding, decimal_share, share_of_cents
from ibm_engine.errors import InputError


class PotSpec(Protocol):
    """What the group calibration needs of :class:`~ibm_engine.budget.PotCalibrated` (a
    protocol, so that this module does not import the formula that calls it)."""

    kind: ClassVar[str]

    @property
    def formula(self) -> ScaledFormula:
        """The formula scaled to the pot."""

    @property
    def source(self) -> Source:
        """The pot's source."""

    @property
    def pot_cents(self) -> int:
        """The pot in whole cents."""

    def calibrated_source(self) -> Source:
        """The source of the calibrated budgets."""


__all__ = ["LEFTOVER_RULE_GROUPS", "calibrate_groups"]


LEFTOVER_RULE_GROUPS = (
    "largest remainders within each pot: every budget is first rounded down to the cent; the "
    "cents left up to the pot go one each to the budgets with the largest fractions of a cent, "
    "ties by participant_id (ascending, as text); a budget that is a whole number of cents "
    "(protected, or at a floor, cap or protection bound) gets none"
)


def _bounds(groups: PotGroups, labels: np.ndarray, formula: IntArray) -> tuple[FloatArray, ...]:
    """Lower and upper bounds in whole cents (-inf / inf where a group is not protected).

    ``formula`` is the formula budget in whole cents (the figure a notice shows); a kept budget
    is ``share x`` it rounded half up, a floor ``share x`` it rounded up, both exactly.
    """
    low = np.full(formula.shape[0], -np.inf)
    high = np.full(formula.shape[0], np.inf)
    for rules, fixed in ((groups.protect, True), (groups.floors, False)):
        for group, share in rules.items():
            m = labels == str(group)
            rounding: Rounding = "half_up" if fixed else "up"
            bound = share_of_cents(decimal_share(share), formula[m], rounding)
            low[m] = bound.astype(np.float64)
            if fixed:
                high[m] = low[m]
    return low, high


def _pots(groups: PotGroups, labels: np.ndarray, pot: int) -> list[tuple[str, BoolArray, int]]:
    """(name, members, money in cents) of the main pot and of every sub-pot.

    A sub-pot is ``share x`` the pot rounded down to the cent, exactly.
    """
    rest = np.ones(labels.shape[0], dtype=bool)
    subs = []
    for group, share in sorted(groups.sub_pots.items(), key=lambda gs: str(gs[0])):
        m = labels == str(group)
        rest &= ~m
        money = share_of_cents(decimal_share(share), np.array([pot], dtype=np.int64), "down")
        subs.append((f"sub_pot[{group}]", m, int(money[0])))
    return [(MAIN_POT, rest, pot - sum(c for _, _, c in subs)), *subs]


def _unreachable(pc: PotSpec, name: str, total: float) -> InputError:
    column = "pot_eur" if name == MAIN_POT else f"groups.sub_pots[{name.removeprefix('sub_pot[')}"
    return InputError.single(
        "parameters",
        column,
        f"{name} is below {total / 100:.2f} EUR, what the formula gives at its lowest scale "
        "(its floors, transition protection) even without the groups' protection: no scale "
        "keeps the total within it",
        row=pc.kind,
    )


def calibrate_groups(pc: PotSpec, groups: PotGroups, inputs: Inputs) -> BudgetResult:
    """Budgets within ``pc``'s pot with ``groups`` protected or given sub-pots (module doc)."""
    f = pc.formula
    labels = group_labels(inputs.prep, groups)
    ids = inputs.prep.participants["participant_id"].reset_index(drop=True)
    ev0 = f.evaluate(inputs, f.identity)
    require_exact_cents(pc.kind, ev0)
    low, high = _bounds(groups, labels, round_half_up(ev0.exact))
    state = _State(
        scaled=ev0.exact.copy(),
        final=np.minimum(np.maximum(ev0.exact, low), high),
        budget=np.zeros(inputs.n, dtype=np.int64),
        held=np.isfinite(low),
    )
    outcomes: list[PotOutcome] = []
    main_ev = ev0
    for name, mask, target in _pots(groups, labels, pc.pot_cents):
        found, status, given = None, PotStatus.EMPTY, 0
        if mask.any():
            found, status, given = _one_pot(pc, inputs, ids, name, mask, target, low, high, state)
        ev, scale = (found.ev, found.scale) if found is not None else (ev0, f.identity)
        value = scale_value(f.scale_name(), ev, scale)
        outcomes.append(PotOutcome(name, mask, target, scale, value, status, given))
        if name == MAIN_POT:
            main_ev = ev
    return _result(pc, groups, inputs, labels, ev0, main_ev, state, outcomes)


@dataclass(frozen=True, eq=False)
class _State:
    """Per participant: formula at its pot's scale, after protection, budget, protection held."""

    scaled: FloatArray
    final: FloatArray
    budget: IntArray
    held: BoolArray


def _one_pot(
    pc: PotSpec,
    inputs: Inputs,
    ids: pd.Series,
    name: str,
    mask: BoolArray,
    target: int,
    low: FloatArray,
    high: FloatArray,
    state: _State,
) -> tuple[Found | None, PotStatus, int]:
    """Calibrate the participants of ``mask`` to ``target`` cents; fill ``state`` for them."""
    f, n = pc.formula, int(mask.sum())
    fixed = bool(np.all(low[mask] == high[mask]))
    need = float(low[mask].sum()) if fixed else np.inf
    found: Found | None = None
    released = False
    if not fixed:
        with contextlib.suppress(Unreachable):
            found = Curve(f, inputs, mask, low, high).search(target)
    if found is None and need > target:  # the protection alone exceeds the pot
        try:
            found = Curve(f, inputs, mask).search(target)
        except Unreachable as exc:
            raise _unreachable(pc, name, exc.total) from None
        released = True
        state.held[mask] = False
    if found is not None:
        ev = found.ev.exact
        bounded = np.where(state.held, np.minimum(np.maximum(ev, low), high), ev)
        state.scaled[mask] = ev[mask]
        state.final[mask] = bounded[mask]
    reach = found.target if found is not None else int(need)
    state.budget[mask], given = largest_remainders(state.final[mask], reach, ids[mask])
    total = int(state.budget[mask].sum())
    if found is None:
        status = PotStatus.NOTHING_TO_SCALE if total < target else PotStatus.EXACT
    else:
        status = PotStatus(pot_status(found.capped, total, target, n).value)
        status = PotStatus.RELEASED if released else status
    return found, status, given


def _result(
    pc: PotSpec,
    groups: PotGroups,
    inputs: Inputs,
    labels: np.ndarray,
    ev0: Evaluation,
    main_ev: Evaluation,
    state: _State,
    outcomes: list[PotOutcome],
) -> BudgetResult:
    """The budget result: breakdown from the formula budget, details, params and the report."""
    pot = pc.pot_cents
    formula_cents = round_half_up(ev0.exact)
    name = pc.formula.scale_name()
    main = outcomes[0]
    calibrated = pc.calibrated_source()
    moved = main.status is not PotStatus.EMPTY and main.status is not PotStatus.NOTHING_TO_SCALE
    params = calibrated_params(main_ev.params, name, calibrated, moved=moved)
    extra = [
        Parameter(f"{name}[{o.name}]", o.value, "calibrated to the sub-pot", calibrated)
        for o in outcomes[1:]
    ]
    extra.append(pot_parameter(pot, pc.source))
    for rule, shares in (("keep", groups.protect), ("floor", groups.floors)):
        unit = "share of the formula budget"
        extra += [Parameter(f"{rule}[{g}]", float(s), unit, pc.source) for g, s in shares.items()]
    extra += [
        Parameter(f"sub_pot[{g}]", float(s), "share of the pot", pc.source)
        for g, s in groups.sub_pots.items()
    ]
    pot_of = np.full(inputs.n, MAIN_POT, dtype=object)
    for o in outcomes[1:]:
        pot_of[o.mask] = o.name
    ev = Evaluation(
        factors=ev0.factors,
        stages=(*ev0.stages, ("pot_scaling", state.scaled), ("group_protection", state.final)),
        details={
            **ev0.details,
            "pot_group": labels,
            "pot": pot_of,
            "protected": state.held,
            "formula_budget_eur": formula_cents / 100.0,
        },
        params=(*params, *extra),
        gross=ev0.gross,
        report=ev0.report,
    )
    budget = state.budget
    group_table, pot_table = tables(groups, labels, outcomes, budget, formula_cents)
    total = int(budget.sum())
    short = (PotStatus.CAPPED, PotStatus.NOTHING_TO_SCALE, PotStatus.EMPTY)
    capped = any(o.status in short for o in outcomes)
    status = (
        CalibrationStatus.EXACT
        if total == pot
        else CalibrationStatus.CAPPED
        if capped
        else CalibrationStatus.WITHIN_TOLERANCE
    )
    whole = pot_report(
        parameter=name,
        value=main.value,
        scale=main.scale,
        pot=pot,
        total=total,
        leftover_cents=sum(o.leftover_cents for o in outcomes),
        participants=inputs.n,
        status=status,
        rule=LEFTOVER_RULE_GROUPS,
    )
    report = PotGroupsReport.of(whole, groups.column, group_table, pot_table)
    cents = _breakdown(ev0, formula_cents, state)
    return build(pc.kind, inputs.prep.participants["participant_id"], ev, budget, report, cents)


def _breakdown(ev0: Evaluation, formula: IntArray, state: _State) -> dict[str, IntArray]:
    """Whole cents per column: the formula's columns add up to the formula budget ``formula``
    (the figure ``formula_budget_eur`` shows), ``pot_scaling`` and ``group_protection`` to the
    change from it to the budget.

    ``pot_scaling`` ends at the scaled amount rounded half up, or at the budget itself where the
    protection did not change the scaled amount (leftover cents then count as scaling).
    """
    out = breakdown_cents(ev0, formula)
    budget = state.budget
    scaled = np.where(state.final == state.scaled, budget, round_half_up(state.scaled))
    out["pot_scaling"] = scaled - formula
    out["group_protection"] = budget - scaled
    return out
