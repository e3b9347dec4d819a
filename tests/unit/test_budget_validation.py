"""Bad parameters and bad assessment inputs raise InputError naming table, row and column."""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ibm_engine.budget import (
    CostedPlanBudget,
    FlatBudget,
    NeedLevelBudget,
    PointsBudget,
    PotCalibrated,
    RegressionBudget,
    Source,
    TransitionProtected,
    fit_regression,
)
from ibm_engine.errors import InputError, UnknownMunicipalityWarning
from ibm_engine.tables import prepare

SRC = Source("test decision", date(2024, 1, 1))


def people(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {"target_group": "GRT", "age": 40, "municipality": "Dobele"}
    return pd.DataFrame([{**base, **r} for r in rows])


def where(exc: pytest.ExceptionInfo[InputError]) -> set[tuple[Any, ...]]:
    p = exc.value.problems
    return set(zip(p["table"], p["row"], p["column"], strict=True))


@pytest.mark.parametrize(
    ("make", "column"),
    [
        (lambda: PointsBudget(-1.0, SRC), "price_per_point_eur"),
        (lambda: PointsBudget(float("nan"), SRC), "price_per_point_eur"),
        (lambda: PointsBudget(True, SRC), "price_per_point_eur"),  # type: ignore[arg-type]
        (lambda: PointsBudget(1.0, SRC, floor_eur=10.0, cap_eur=5.0), "cap_eur"),
        (lambda: PointsBudget(1.0, SRC, max_informal_share=1.5), "max_informal_share"),
        (lambda: PointsBudget(1.0, "LM"), "source"),  # type: ignore[arg-type]
        (lambda: FlatBudget({"XYZ": 1.0}, SRC), "amounts_eur"),
        (lambda: FlatBudget({"GRT": "10"}, SRC), "amounts_eur[GRT]"),  # type: ignore[dict-item]
        (lambda: NeedLevelBudget([50.0, 40.0], [1.0, 2.0, 3.0], SRC), "thresholds"),
        (lambda: NeedLevelBudget([50.0], [1.0], SRC), "amounts_eur"),
        (lambda: CostedPlanBudget(SRC, units="max"), "units"),
        (lambda: CostedPlanBudget(SRC, plan_weeks=0), "plan_weeks"),
        (lambda: CostedPlanBudget(SRC, factor=-0.5), "factor"),
        (lambda: RegressionBudget({"intercept": 1.0}, ["x"], {}, SRC), "coefficients[x]"),
        (lambda: RegressionBudget({"intercept": 1.0, "y": 2.0}, [], {}, SRC), "coefficients[y]"),
        (lambda: PotCalibrated(FlatBudget({"GRT": 1.0}, SRC), 10.005, SRC), "pot_eur"),
        (lambda: TransitionProtected(FlatBudget({"GRT": 1.0}, SRC), SRC, 1.5), "max_decrease"),
    ],
)
def test_bad_parameters_name_the_parameter(make: Any, column: str) -> None:
    with pytest.raises(InputError) as exc:
        make()
    assert column in {c for t, _, c in where(exc) if t == "parameters"}, exc.value


def test_all_parameter_problems_listed_at_once() -> None:
    with pytest.raises(InputError) as exc:
        PointsBudget(-1.0, SRC, floor_eur=-2.0, informal_care_rate_eur_per_hour=-1.0)
    assert {c for *_, c in where(exc)} == {
        "price_per_point_eur",
        "floor_eur",
        "informal_care_rate_eur_per_hour",
    }
    assert {r for _, r, _ in where(exc)} == {"points"}


def test_source_needs_a_date_and_a_reference() -> None:
    with pytest.raises(InputError) as exc:
        Source(" ", "2024-01-01")  # type: ignore[arg-type]
    assert {c for *_, c in where(exc)} == {"reference", "effective_date"}


def test_calibration_and_protection_need_suitable_formulas() -> None:
    flat = FlatBudget({"GRT": 1.0}, SRC)
    pot = PotCalibrated(flat, 10.0, SRC)
    with pytest.raises(InputError, match="cannot be calibrated"):
        PotCalibrated(pot, 10.0, SRC)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="already transition protected"):
        TransitionProtected(PotCalibrated(TransitionProtected(flat, SRC), 1.0, SRC), SRC)


def test_bad_assessment_inputs_name_row_and_column() -> None:
    p = people(
        [
            {"participant_id": "A", "support_need_score": 101.0},
            {"participant_id": "B", "support_need_score": "high"},
            {"participant_id": "C", "support_need_score": None},
            {"participant_id": "D", "support_need_score": 50.0},
        ]
    )
    f = NeedLevelBudget([50.0], [1.0, 2.0], SRC)
    with pytest.raises(InputError) as exc:
        f.compute(p)
    assert where(exc) == {
        ("participants", "A", "support_need_score"),
        ("participants", "B", "support_need_score"),
        ("participants", "C", "support_need_score"),
    }
    assert len(f.problems(p)) == 3


def test_assessment_and_contract_problems_in_one_error() -> None:
    p = people(
        [
            {"participant_id": "A", "age": 200, "assessment_points": -1.0},
            {"participant_id": "B", "assessment_points": 5.0, "informal_care_hours_per_week": 200},
            {"participant_id": "C", "assessment_points": 5.0, "previous_budget_eur": 1.001},
        ]
    )
    f = TransitionProtected(PointsBudget(1.0, SRC), SRC)
    with pytest.raises(InputError) as exc:
        f.compute(p)
    assert where(exc) == {
        ("participants", "A", "age"),
        ("participants", "A", "assessment_points"),
        ("participants", "B", "informal_care_hours_per_week"),
        ("participants", "C", "previous_budget_eur"),
    }


def test_missing_required_assessment_column() -> None:
    with pytest.raises(InputError) as exc:
        PointsBudget(1.0, SRC).compute(people([{"participant_id": "A"}]))
    assert where(exc) == {("participants", None, "assessment_points")}
    assert "required column is missing" in str(exc.value)


def test_living_setting_choices_and_unknown_regression_level() -> None:
    f = RegressionBudget(
        {"intercept": 1.0, "living_setting=group_home": 1.0},
        [],
        {"living_setting": ["family", "group_home"]},
        SRC,
    )
    p = people(
        [
            {"participant_id": "A", "living_setting": "institution"},
            {"participant_id": "B", "living_setting": "palace"},
        ]
    )
    with pytest.raises(InputError) as exc:
        f.compute(p)
    assert where(exc) == {
        ("participants", "A", "living_setting"),
        ("participants", "B", "living_setting"),
    }


def test_costed_plan_needs_the_plan_tables() -> None:
    with pytest.raises(InputError) as exc:
        CostedPlanBudget(SRC).compute(people([{"participant_id": "A"}]))
    assert {t for t, *_ in where(exc)} == {"plan_items", "services"}


def test_compute_prepared_checks_only_the_assessment_columns() -> None:
    p = people([{"participant_id": "A", "assessment_points": -3.0}])
    empty_items = pd.DataFrame(
        {"participant_id": [], "service": [], "team_rank": [], "recommended_units": []}
    )
    services = pd.DataFrame({"service": [], "unit": [], "unit_price_eur": []})
    with warnings.catch_warnings():  # no catalogue row names Dobele (a warning, or not)
        warnings.simplefilter("ignore", UnknownMunicipalityWarning)
        prep = prepare(p, empty_items, services, budget_required=False)
    with pytest.raises(InputError) as exc:
        PointsBudget(1.0, SRC).compute_prepared(prep)
    assert where(exc) == {("participants", "A", "assessment_points")}


def test_fit_regression_bad_inputs() -> None:
    frame = pd.DataFrame(
        {
            "participant_id": ["A", "B", "B", "D"],
            "support_need_score": [1.0, np.inf, 3.0, 4.0],
            "historical_spend_eur": [10.0, -1.0, 5.0, 1.234],
        }
    )
    with pytest.raises(InputError) as exc:
        fit_regression(frame, categorical=(), source=SRC)
    got = where(exc)
    assert ("participants", "B", "participant_id") in got
    assert ("participants", "B", "support_need_score") in got
    assert ("participants", "B", "historical_spend_eur") in got
    assert ("participants", "D", "historical_spend_eur") in got
    with pytest.raises(InputError) as exc:
        fit_regression(frame, source=SRC, outlier_threshold=0, age_band_edges=(5, 18))
    assert {c for t, _, c in where(exc) if t == "parameters"} == {
        "outlier_threshold",
        "age_bands",
    }


def test_formulas_without_a_plan_do_not_warn_about_municipalities() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FlatBudget({"GRT": 1.0}, SRC).compute(people([{"participant_id": "A"}]))
