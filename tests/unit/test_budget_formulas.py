"""Budget formulas: values checked by hand, breakdowns that sum to the cent, parameters dated."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ibm_engine.budget import (
    BudgetFormula,
    BudgetResult,
    CostedPlanBudget,
    FlatBudget,
    NeedLevelBudget,
    PointsBudget,
    RegressionBudget,
    Source,
    synthetic_assessments,
)
from ibm_engine.data import synthetic_zemgale
from ibm_engine.tables import prepare

SRC = Source("test decision", date(2024, 1, 1))
Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def people(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {"target_group": "GRT", "age": 40, "municipality": "Dobele"}
    return pd.DataFrame([{**base, **r} for r in rows])


def cents_of(result: BudgetResult) -> np.ndarray:
    """Breakdown columns in whole cents (they must be whole cents)."""
    values = result.breakdown.drop(columns="participant_id").to_numpy(dtype=float) * 100
    assert np.allclose(values, np.round(values), atol=1e-6)
    return np.round(values).astype(np.int64)


def assert_sums(result: BudgetResult) -> None:
    assert result.breakdown["participant_id"].tolist() == result.details["participant_id"].tolist()
    assert (cents_of(result).sum(axis=1) == result.budget_cents).all()
    assert result.budget_cents.dtype == np.int64
    assert (result.budget_cents >= 0).all()


def test_flat_scales_with_the_period_and_group() -> None:
    f = FlatBudget({"GRT": 2600.0, "FT": 3900.0, "BSAC": 1300.0}, SRC)
    p = people(
        [
            {"participant_id": "A", "target_group": "FT", "age": 7, "period_weeks": 52},
            {"participant_id": "B"},
            {"participant_id": "C", "target_group": "BSAC", "age": 9, "period_weeks": 10},
        ]
    )
    r = f.compute(p, period_weeks=26)
    assert r.budget_cents.tolist() == [780000, 260000, 50000]
    assert r.factors == ("target_group_amount",)
    assert_sums(r)
    assert isinstance(f, BudgetFormula)


def test_flat_with_a_missing_group_rejects_that_group_only() -> None:
    f = FlatBudget({"GRT": 100.0}, SRC)
    assert f.compute(people([{"participant_id": "A"}])).budget_cents.tolist() == [10000]
    problems = f.problems(people([{"participant_id": "A", "target_group": "FT", "age": 5}]))
    assert [(p["row"], p["column"]) for p in problems] == [("A", "target_group")]


def test_need_levels_thresholds_belong_to_the_higher_level() -> None:
    f = NeedLevelBudget([30.0, 60.0], [1000.0, 2000.0, 3000.0], SRC, multiplier=1.5)
    scores = [0.0, 29.99, 30.0, 59.5, 60.0, 100.0]
    p = people([{"participant_id": f"P{k}", "support_need_score": s} for k, s in enumerate(scores)])
    r = f.compute(p)
    assert r.details["need_level"].tolist() == [1, 1, 2, 2, 3, 3]
    assert r.budget_cents.tolist() == [150000, 150000, 300000, 300000, 450000, 450000]
    assert_sums(r)


def test_points_informal_care_is_a_visible_negative_column() -> None:
    f = PointsBudget(
        10.0, SRC, floor_eur=100.0, cap_eur=2000.0, informal_care_rate_eur_per_hour=1.0
    )
    p = people(
        [
            {"participant_id": "A", "assessment_points": 100.0, "informal_care_hours_per_week": 5},
            {"participant_id": "B", "assessment_points": 100.0, "informal_care_hours_per_week": 50},
            {"participant_id": "C", "assessment_points": 300.0},
            {"participant_id": "D", "assessment_points": 0.0, "informal_care_hours_per_week": 0},
        ]
    )
    r = f.compute(p)
    b = r.breakdown.set_index("participant_id")
    # A: 1000 - 5 h x 26 weeks x 1 EUR = 870
    assert b.loc["A", "informal_care_adjustment"] == -130.0
    assert r.budget_eur.tolist() == [870.0, 100.0, 2000.0, 100.0]
    # B: 1300 EUR of care, limited to the points amount (max_informal_share=1); then the floor
    assert b.loc["B"].tolist() == [1000.0, -1000.0, 100.0, 0.0]
    assert b.loc["C", "cap_adjustment"] == -1000.0
    assert_sums(r)


def test_points_share_limit_and_missing_hours_column() -> None:
    f = PointsBudget(10.0, SRC, informal_care_rate_eur_per_hour=1.0, max_informal_share=0.25)
    p = people([{"participant_id": "A", "assessment_points": 100.0}])
    assert f.compute(p).budget_eur.tolist() == [1000.0]  # no column: no informal care counted
    p["informal_care_hours_per_week"] = 40.0
    r = f.compute(p)
    assert r.budget_eur.tolist() == [750.0]  # 1040 EUR of care, limited to 25% of 1000
    assert_sums(r)


def test_floor_and_cap_scale_with_the_period_in_whole_cents() -> None:
    f = PointsBudget(1.0, SRC, floor_eur=100.0, cap_eur=100.0)
    p = people([{"participant_id": "A", "assessment_points": 0.0, "period_weeks": 10}])
    r = f.compute(p)
    # 100 EUR per 26 weeks is 38.4615... EUR for 10 weeks: floor rounded up, cap down
    assert r.budget_cents.tolist() == [3846]
    assert_sums(r)


def test_costed_plan_uses_the_applying_row_caps_and_spreads(tables: Callable[[], Tables]) -> None:
    participants, plan_items, services = tables()
    participants = participants.drop(columns="budget_eur")
    f = CostedPlanBudget(SRC, factor=1.0)
    r = f.compute(participants, plan_items, services, period_weeks=26)
    # P1 Dobele: physio at the municipal 31.50 x 12 + psychologist 35 x 10
    # P2 Bauska: respite 48 x min(20, 15 for 26 weeks) + psychologist at 29 x 6; P3: 29 x 4
    assert r.budget_eur.tolist() == [728.0, 894.0, 116.0]
    rec = CostedPlanBudget(SRC, units="recommended").compute(participants, plan_items, services)
    assert rec.budget_eur.tolist() == [728.0, 1134.0, 116.0]
    spread = CostedPlanBudget(SRC, plan_weeks=52, factor=0.5, floor_eur=300.0)
    s = spread.compute(participants, plan_items, services)
    assert s.budget_eur.tolist() == [300.0, 300.0, 300.0]
    assert s.breakdown["plan_cost"].tolist() == [364.0, 447.0, 58.0]
    for res in (r, rec, s):
        assert_sums(res)


def test_costed_plan_item_without_a_row_costs_nothing(tables: Callable[[], Tables]) -> None:
    participants, plan_items, services = tables()
    plan_items.loc[len(plan_items)] = {
        "participant_id": "P1",
        "service": "respite_care",  # only for FT
        "team_rank": 3,
        "recommended_units": 5,
    }
    r = CostedPlanBudget(SRC).compute(participants, plan_items, services)
    assert r.budget_eur.tolist()[0] == 728.0
    assert r.details["items_without_catalogue_row"].tolist() == [1, 0, 0]


def test_regression_attribution_is_the_shapley_value() -> None:
    f = RegressionBudget({"intercept": 10.0, "x": 2.0, "g=b": -3.0}, ["x"], {"g": ["a", "b"]}, SRC)
    p = people(
        [{"participant_id": "A", "x": 4.0, "g": "b"}, {"participant_id": "B", "x": -20.0, "g": "a"}]
    )
    r = f.compute(p)
    # A: sqrt-scale parts 10, 8, -3 -> L = 15, budget 225
    parts = {"intercept": 10.0, "x": 8.0, "g": -3.0}
    shapley = _shapley(parts)
    b = r.breakdown.set_index("participant_id")
    assert {k: b.loc["A", k] for k in parts} == pytest.approx(shapley)
    assert r.budget_eur.tolist() == [225.0, 0.0]  # B: L = -30 < 0 gives 0
    assert r.details["linear_predictor"].tolist() == [15.0, -30.0]
    assert_sums(r)


def _shapley(parts: dict[str, float]) -> dict[str, float]:
    """Shapley values of v(S) = (sum of the parts in S)^2 by enumeration."""
    from itertools import permutations

    names = list(parts)
    out = dict.fromkeys(names, 0.0)
    perms = list(permutations(names))
    for order in perms:
        acc = 0.0
        for name in order:
            out[name] += ((acc + parts[name]) ** 2 - acc**2) / len(perms)
            acc += parts[name]
    return out


def test_params_carry_date_and_source() -> None:
    f = PointsBudget(12.0, SRC, cap_eur=5000.0)
    r = f.compute(people([{"participant_id": "A", "assessment_points": 1.0}]))
    frame = r.params_frame()
    assert {"price_per_point_eur", "floor_eur", "cap_eur"} <= set(frame["name"])
    assert set(frame["effective_date"]) == {date(2024, 1, 1)}
    assert set(frame["reference"]) == {"test decision"}


def test_compute_prepared_equals_compute() -> None:
    participants, plan_items, services = synthetic_zemgale(3, n_grt=30, n_ft=30, n_bsac=20)
    participants = synthetic_assessments(participants, 3)
    prep = prepare(participants, plan_items, services, budget_required=False)
    for f in (
        CostedPlanBudget(SRC, factor=0.8, cap_eur=4000.0),
        PointsBudget(15.0, SRC, floor_eur=200.0, informal_care_rate_eur_per_hour=0.5),
        NeedLevelBudget([50.0], [1000.0, 2000.0], SRC),
    ):
        a = f.compute(participants, plan_items, services)
        b = f.compute_prepared(prep)
        assert (a.budget_cents == b.budget_cents).all()
        pd.testing.assert_frame_equal(a.breakdown, b.breakdown)
        assert_sums(a)


def test_hundred_thousand_participants_vectorised() -> None:
    """Speed sanity (not a timed assertion): 1e5 participants in one vectorised pass."""
    participants, _, _ = synthetic_zemgale(5, scale=80, family_ranks=False)
    participants = synthetic_assessments(participants, 5)
    assert len(participants) > 100_000
    f = PointsBudget(15.0, SRC, floor_eur=300.0, cap_eur=5000.0, informal_care_rate_eur_per_hour=1)
    r = f.compute(participants)
    assert r.budget_cents.shape == (len(participants),)
    assert_sums(r)
