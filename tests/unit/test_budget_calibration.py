"""Calibration to a programme pot and transition protection: to the cent, reported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ibm_engine.budget import (
    LEFTOVER_RULE,
    BudgetResult,
    CalibrationStatus,
    CostedPlanBudget,
    FlatBudget,
    NeedLevelBudget,
    PointsBudget,
    PotCalibrated,
    Source,
    TransitionProtected,
)
from ibm_engine.errors import InputError

SRC = Source("test decision", date(2024, 1, 1))
POT = Source("programme pot 2025", date(2025, 1, 1))
Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def people(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {"target_group": "GRT", "age": 40, "municipality": "Dobele"}
    return pd.DataFrame([{**base, **r} for r in rows])


def sums(r: BudgetResult) -> bool:
    b = r.breakdown.drop(columns="participant_id").to_numpy(dtype=float) * 100
    return bool((np.round(b).astype(np.int64).sum(axis=1) == r.budget_cents).all())


def test_leftover_cents_go_to_largest_remainders_ties_by_id() -> None:
    p = people([{"participant_id": pid, "assessment_points": 1.0} for pid in ("Z", "B", "M")])
    r = PotCalibrated(PointsBudget(1.0, SRC), 0.05, POT).compute(p)
    # 5 cents over 3 equal claims: 1 each, and the 2 left go to B and M (ids ascending)
    assert r.budget_cents.tolist() == [1, 2, 2]
    assert r.calibration is not None
    assert r.calibration.leftover_cents == 2
    assert r.calibration.status is CalibrationStatus.EXACT
    assert r.calibration.rule == LEFTOVER_RULE
    assert sums(r)


def test_calibrated_parameter_has_the_pot_as_source() -> None:
    p = people([{"participant_id": "A", "support_need_score": 70.0}])
    r = PotCalibrated(NeedLevelBudget([50.0], [100.0, 200.0], SRC), 500.0, POT).compute(p)
    assert r.budget_eur.tolist() == [500.0]
    params = {q.name: q for q in r.params}
    assert params["multiplier"].value == pytest.approx(2.5, abs=0.25 / 20000)  # < 1/4 cent
    assert params["multiplier"].effective_date == date(2025, 1, 1)
    assert "calibrated to the programme pot of 500.00 EUR" in params["multiplier"].reference
    assert params["amounts_eur"].reference == "test decision"
    assert params["pot_eur"].value == 500.0


def test_capped_when_no_scale_reaches_the_pot() -> None:
    p = people(
        [
            {"participant_id": "A", "assessment_points": 10.0},
            {"participant_id": "B", "assessment_points": 0.0},
        ]
    )
    r = PotCalibrated(PointsBudget(1.0, SRC, floor_eur=5.0, cap_eur=100.0), 1000.0, POT).compute(p)
    assert r.budget_eur.tolist() == [100.0, 5.0]
    assert r.calibration is not None
    assert r.calibration.status is CalibrationStatus.CAPPED
    assert r.calibration.below_pot_eur == 895.0
    assert r.calibration.value < 1e6  # the smallest scale that reaches the caps, not a huge one
    assert sums(r)


def test_pot_below_the_floors_is_an_input_error() -> None:
    p = people([{"participant_id": k, "assessment_points": 1.0} for k in "AB"])
    with pytest.raises(InputError) as exc:
        PotCalibrated(PointsBudget(1.0, SRC, floor_eur=100.0), 150.0, POT).compute(p)
    assert exc.value.problems[["table", "column"]].values.tolist() == [["parameters", "pot_eur"]]


def test_zero_pot_and_nobody() -> None:
    p = people([{"participant_id": "A", "assessment_points": 5.0}])
    r = PotCalibrated(PointsBudget(1.0, SRC), 0.0, POT).compute(p)
    assert r.budget_cents.tolist() == [0]
    empty = PotCalibrated(FlatBudget({"GRT": 1.0}, SRC), 10.0, POT).compute(p.iloc[:0])
    assert empty.budget_cents.shape == (0,)
    assert empty.calibration is not None
    assert empty.calibration.status is CalibrationStatus.CAPPED


def test_costed_plan_factor_calibrated(tables: Callable[[], Tables]) -> None:
    participants, plan_items, services = tables()
    f = PotCalibrated(CostedPlanBudget(SRC, cap_eur=800.0), 1234.56, POT)
    r = f.compute(participants, plan_items, services)
    assert int(r.budget_cents.sum()) == 123456
    assert r.calibration is not None and r.calibration.parameter == "factor"
    assert sums(r)


def test_transition_bounds_and_cost() -> None:
    p = people(
        [
            {"participant_id": "A", "previous_budget_eur": 2000.0},  # 1000 < 1800: raised
            {"participant_id": "B", "previous_budget_eur": 500.0},  # 1000 > 550: lowered
            {"participant_id": "C", "previous_budget_eur": 1050.0},  # within the band
            {"participant_id": "D"},  # new: not protected
            {"participant_id": "E", "previous_budget_eur": 1111.11},  # 999.999 -> 1000.00
        ]
    )
    f = TransitionProtected(FlatBudget({"GRT": 1000.0}, SRC), SRC, 0.1, 0.1)
    r = f.compute(p)
    assert r.budget_eur.tolist() == [1800.0, 550.0, 1000.0, 1000.0, 1000.0]
    assert r.breakdown["transition_protection"].tolist() == [800.0, -450.0, 0.0, 0.0, 0.0]
    t = r.transition
    assert t is not None
    assert (t.raised, t.lowered, t.cost_eur, t.savings_eur, t.net_eur) == (
        1,
        1,
        800.0,
        450.0,
        350.0,
    )
    assert r.details["protected_from_eur"].tolist()[:2] == [1800.0, 450.0]
    assert sums(r)


def test_protection_after_and_before_calibration() -> None:
    p = people(
        [
            {"participant_id": "A", "assessment_points": 10.0, "previous_budget_eur": 900.0},
            {"participant_id": "B", "assessment_points": 30.0, "previous_budget_eur": 100.0},
        ]
    )
    points = PointsBudget(10.0, SRC)
    after = TransitionProtected(PotCalibrated(points, 1000.0, POT), SRC, 0.1).compute(p)
    # calibrated 250 / 750, then A is held at 810: the protection costs 560 on top of the pot
    assert after.budget_eur.tolist() == [810.0, 750.0]
    assert after.transition is not None and after.transition.cost_eur == 560.0
    assert after.calibration is not None and after.calibration.total_eur == 1000.0
    within = PotCalibrated(TransitionProtected(points, SRC, 0.1), 1000.0, POT).compute(p)
    # the pot pays the protection: A at 810, B gets the rest
    assert within.budget_eur.tolist() == [810.0, 190.0]
    assert within.transition is not None and within.transition.raised == 1
    assert sums(after) and sums(within)


def test_absurd_parameters_are_an_input_error_not_an_overflow() -> None:
    p = people([{"participant_id": "A", "assessment_points": 100.0}])
    with pytest.raises(InputError, match="2\\^53 cents") as exc:
        PointsBudget(1e15, SRC).compute(p)
    assert exc.value.problems["table"].tolist() == ["parameters"]


def test_capped_with_a_tiny_claim_stays_exact() -> None:
    p = people(
        [
            {"participant_id": "A", "assessment_points": 1e-12},
            {"participant_id": "B", "assessment_points": 10.0},
        ]
    )
    f = PotCalibrated(PointsBudget(1.0, SRC, cap_eur=100.0), 1000.0, POT)
    r = f.compute(p)
    assert r.calibration is not None
    assert r.calibration.status is CalibrationStatus.CAPPED
    assert r.budget_eur.tolist()[1] == 100.0
    assert int(r.budget_cents.sum()) <= 100000
    assert sums(r)
