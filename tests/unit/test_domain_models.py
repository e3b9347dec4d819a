"""Unit tests of the domain models: validation rules, the catalogue rule, JSON, schemas."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from ibm_engine.domain import (
    Catalogue,
    ItemAllocation,
    Participant,
    ParticipantAllocation,
    Plan,
    PlanItem,
    Reason,
    Service,
    Status,
    json_schemas,
    write_json_schemas,
)
from ibm_engine.errors import InputError

# --------------------------------------------------------------------------- helpers


def service(**changes: Any) -> Service:
    return Service(**({"service": "care", "unit": "hour", "unit_price_eur": 8} | changes))


def participant(**changes: Any) -> Participant:
    base = {
        "participant_id": "P1",
        "target_group": "FT",
        "age": 7,
        "municipality": "Dobele",
        "budget_eur": 500,
    }
    return Participant(**(base | changes))


def item(**changes: Any) -> PlanItem:
    return PlanItem(**({"service": "care", "team_rank": 1, "recommended_units": 10} | changes))


def item_row(**changes: Any) -> dict[str, Any]:
    base = {
        "participant_id": "P1",
        "service": "psychologist",
        "units": 4,
        "unit_price_eur": 30.0,
        "cost_eur": 120.0,
        "weight": 0.5,
        "recommended_units": 8,
        "upper_units": 8,
        "coverage": 0.5,
        "reason": "partly_funded",
    }
    return base | changes


def participant_row(**changes: Any) -> dict[str, Any]:
    base = {
        "participant_id": "P1",
        "budget_eur": 150.0,
        "spent_eur": 120.0,
        "left_eur": 30.0,
        "value": 0.25,
        "max_value": 0.5,
        "bound": 0.25,
        "status": "optimal",
        "policy": "optimal",
    }
    return base | changes


def rejects(model: type[BaseModel], data: dict[str, Any], column: str | None) -> str:
    """Validate ``data``, expect a ValidationError located at ``column``; return its text."""
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    if column is not None:
        assert column in {str(e["loc"][0]) for e in info.value.errors() if e["loc"]}
    return str(info.value)


def round_trips(model: BaseModel) -> None:
    assert type(model).model_validate_json(model.model_dump_json()) == model


# --------------------------------------------------------------------------- Service

SERVICE = {"service": "care", "unit": "hour", "unit_price_eur": 8}


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"service": ""}, "service"),
        ({"service": "  "}, "service"),
        ({"service": None}, "service"),
        ({"service": 3}, "service"),
        ({"unit": "week"}, "unit"),
        ({"unit": None}, "unit"),
        ({"unit_price_eur": 0.001}, "unit_price_eur"),
        ({"unit_price_eur": 1.005}, "unit_price_eur"),
        ({"unit_price_eur": Decimal("2.345")}, "unit_price_eur"),
        ({"unit_price_eur": -0.01}, "unit_price_eur"),
        ({"unit_price_eur": -1}, "unit_price_eur"),
        ({"unit_price_eur": True}, "unit_price_eur"),
        ({"unit_price_eur": "8.00"}, "unit_price_eur"),
        ({"unit_price_eur": float("nan")}, "unit_price_eur"),
        ({"unit_price_eur": float("inf")}, "unit_price_eur"),
        ({"municipality": ""}, "municipality"),
        ({"max_units_per_week": 0}, "max_units_per_week"),
        ({"max_units_per_week": -5.0}, "max_units_per_week"),
        ({"max_units_per_week": float("inf")}, "max_units_per_week"),
        ({"max_units_per_year": 0}, "max_units_per_year"),
        ({"max_units_per_year": True}, "max_units_per_year"),
        ({"min_age": 2.5}, "min_age"),
        ({"min_age": True}, "min_age"),
        ({"min_age": -1}, "min_age"),
        ({"min_age": "3"}, "min_age"),
        ({"max_age": -1}, "max_age"),
        ({"min_age": 5, "max_age": 4}, "max_age"),
        ({"target_groups": "GRT,XYZ"}, "target_groups"),
        ({"target_groups": "GRT,,FT"}, "target_groups"),
        ({"target_groups": "FT,FT"}, "target_groups"),
        ({"target_groups": 3}, "target_groups"),
        ({"hours_per_unit": -0.5}, "hours_per_unit"),
        ({"hours_per_unit": float("inf")}, "hours_per_unit"),
        ({"effective_date": "yesterday"}, "effective_date"),
        ({"price_source": ""}, "price_source"),
        ({"notes": [1, 2]}, "notes"),
        ({"notes": float("inf")}, "notes"),
    ],
)
def test_service_rejects(changes: dict[str, Any], column: str) -> None:
    rejects(Service, SERVICE | changes, column)


@pytest.mark.parametrize("missing", ["service", "unit", "unit_price_eur"])
def test_service_requires(missing: str) -> None:
    rejects(Service, {k: v for k, v in SERVICE.items() if k != missing}, missing)


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        (25.5, Decimal("25.50")),
        (8, Decimal("8.00")),
        (np.int64(8), Decimal("8.00")),
        (np.float64(12.340000001), Decimal("12.34")),
        (12.339999999, Decimal("12.34")),
        (0.1 + 0.2, Decimal("0.30")),
        (Decimal("19.9"), Decimal("19.90")),
        (0, Decimal("0.00")),
    ],
)
def test_service_price_is_exact_cents(price: object, expected: Decimal) -> None:
    s = service(unit_price_eur=price)
    assert s.unit_price_eur == expected
    assert s.unit_price_eur.as_tuple().exponent == -2
    assert s.unit_price_cents == int(expected * 100)


def test_service_json_shows_exact_cents() -> None:
    text = service(unit_price_eur=0.1 + 0.2).model_dump_json()
    assert '"unit_price_eur":0.3,' in text
    assert '"unit_price_eur":123.45,' in service(unit_price_eur=123.45).model_dump_json()


def test_service_accepts_flexible_input_once() -> None:
    s = service(
        min_age=3.0,
        max_age=np.int64(17),
        target_groups=" FT , GRT",
        hours_per_unit=float("nan"),
        municipality=pd.NA,
        max_units_per_week=np.nan,
        effective_date="2024-01-01",
    )
    assert (s.min_age, s.max_age) == (3, 17)
    assert s.target_groups == ("GRT", "FT")
    assert s.hours_per_unit == 0.0
    assert s.municipality is None and s.max_units_per_week is None
    assert str(s.effective_date) == "2024-01-01"
    assert service(target_groups=["BSAC", "GRT"]).target_groups == ("GRT", "BSAC")
    assert service(target_groups="").target_groups == ()


def test_service_age_band_and_groups() -> None:
    s = service(min_age=5, max_age=17, target_groups="FT")
    assert s.age_band == (5, 17)
    assert s.applies_to(5, "FT") and s.applies_to(17, "FT")
    assert not s.applies_to(4, "FT") and not s.applies_to(18, "FT")
    assert not s.applies_to(10, "GRT")
    everyone = service()
    assert everyone.age_band == (0, 120) and everyone.groups == {"GRT", "FT", "BSAC"}


def test_service_keeps_extra_columns_and_is_frozen() -> None:
    s = service(rule_source="law", code=np.int64(7), day=pd.Timestamp("2024-02-01"))
    assert s.extras == {"rule_source": "law", "code": 7, "day": "2024-02-01T00:00:00"}
    assert type(s.extras["code"]) is int
    with pytest.raises(ValidationError):
        s.unit_price_eur = Decimal(1)  # type: ignore[misc]
    assert hash(s) == hash(service(rule_source="law", code=7, day="2024-02-01T00:00:00"))
    round_trips(s)


# --------------------------------------------------------------------------- Catalogue


def child_care_catalogue() -> Catalogue:
    return Catalogue(
        services=[
            service(max_age=4, max_units_per_week=50, target_groups="FT"),
            service(min_age=5, max_age=17, max_units_per_week=10, target_groups="FT"),
            service(unit_price_eur=9.5, municipality="Dobele", min_age=0, max_age=4),
            service(unit_price_eur=3, target_groups="GRT", min_age=18),
            service(service="respite_care", unit="day", unit_price_eur=45, max_units_per_year=30),
        ]
    )


@pytest.mark.parametrize(
    ("municipality", "age", "group", "expected_row"),
    [
        ("Bauska", 0, "FT", 0),
        ("Bauska", 4, "FT", 0),
        ("Bauska", 5, "FT", 1),
        ("Bauska", 17, "FT", 1),
        ("Bauska", 18, "FT", None),
        ("Bauska", 40, "GRT", 3),
        ("Bauska", 10, "BSAC", None),
        (None, 3, "FT", 0),
        # municipal rows replace the defaults, also where no municipal row matches
        ("Dobele", 3, "FT", 2),
        ("Dobele", 3, "BSAC", 2),
        ("Dobele", 10, "FT", None),
        ("Dobele", 40, "GRT", None),
    ],
)
def test_applicable_row(
    municipality: str | None, age: int, group: str, expected_row: int | None
) -> None:
    cat = child_care_catalogue()
    got = cat.applicable_row("care", municipality, age, group)
    assert got is (None if expected_row is None else cat.services[expected_row])


def test_applicable_row_other_services() -> None:
    cat = child_care_catalogue()
    assert cat.applicable_row("respite_care", "Dobele", 10, "FT") is cat.services[4]
    assert cat.applicable_row("unknown", "Dobele", 10, "FT") is None
    assert cat.rows_for("care") == cat.services[:4]
    assert cat.rows_for("unknown") == ()
    assert cat.service_codes == ("care", "respite_care")
    assert cat.municipalities == {"Dobele"}


@pytest.mark.parametrize(
    ("first", "second", "column"),
    [
        ({"max_age": 4}, {"min_age": 4}, "min_age"),
        ({}, {}, "service"),
        ({"target_groups": "FT"}, {"target_groups": "FT,GRT"}, "target_groups"),
        ({"municipality": "Dobele", "max_age": 10}, {"municipality": "Dobele"}, "min_age"),
        ({"min_age": 100}, {"max_age": 150, "min_age": 110}, "min_age"),
    ],
)
def test_overlapping_rows_are_an_input_error(
    first: dict[str, Any], second: dict[str, Any], column: str
) -> None:
    rows = [service(service="other"), service(**first), service(**second)]
    with pytest.raises(InputError) as info:
        Catalogue(services=rows)
    problems = info.value.problems
    assert problems[["table", "row", "column"]].to_dict("records") == [
        {"table": "services", "row": 3, "column": column}
    ]
    assert "overlaps row 2" in str(problems["reason"].iloc[0])


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"max_age": 4}, {"min_age": 5}),
        ({"target_groups": "FT"}, {"target_groups": "GRT,BSAC"}),
        ({}, {"municipality": "Dobele"}),
        ({"municipality": "Bauska"}, {"municipality": "Dobele"}),
        ({"min_age": 121}, {}),
        ({}, {"service": "other"}),
    ],
)
def test_rows_that_cannot_both_apply_are_fine(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    assert len(Catalogue(services=[service(**first), service(**second)]).services) == 2


def test_overlap_is_an_input_error_on_every_path() -> None:
    with pytest.raises(InputError):
        Catalogue.model_validate_json(json.dumps({"services": [SERVICE, SERVICE]}))
    with pytest.raises(InputError):
        Catalogue.model_validate({"services": [SERVICE, SERVICE]})
    with pytest.raises(InputError):
        Catalogue.from_frame(pd.DataFrame([SERVICE, SERVICE]))


def test_catalogue_field_errors_stay_validation_errors() -> None:
    with pytest.raises(ValidationError):
        Catalogue(services=[SERVICE | {"unit": "week"}])
    with pytest.raises(ValidationError):
        Catalogue(services=[], extra_field=1)


def test_catalogue_from_frame_defaults_and_extras() -> None:
    df = pd.DataFrame(
        {
            "service": ["care", "respite_care"],
            "unit": ["hour", "day"],
            "unit_price_eur": [8.0, 45.0],
            "municipality": [np.nan, "Dobele"],
            "min_age": pd.array([None, 3], dtype="Int64"),
            "hours_per_unit": [np.nan, 2.0],
            "note": ["a", None],
        }
    )
    cat = Catalogue.from_frame(df)
    care, respite = cat.services
    assert care.municipality is None and care.min_age is None and care.hours_per_unit == 0.0
    assert respite.municipality == "Dobele" and respite.min_age == 3
    assert care.extras == {"note": "a"} and respite.extras == {"note": None}


def test_catalogue_from_frame_lists_every_problem() -> None:
    df = pd.DataFrame(
        {
            "service": ["a", "b", ""],
            "unit": ["hour", "week", "day"],
            "unit_price_eur": [1.001, 2.0, np.nan],
            "min_age": [3, 2.5, np.nan],
        }
    )
    with pytest.raises(InputError) as info:
        Catalogue.from_frame(df)
    got = info.value.problems[["row", "column"]].to_dict("records")
    assert got == [
        {"row": 1, "column": "unit_price_eur"},
        {"row": 2, "column": "unit"},
        {"row": 2, "column": "min_age"},
        {"row": 3, "column": "service"},
        {"row": 3, "column": "unit_price_eur"},
    ]
    assert not any(r.startswith("Value error") for r in info.value.problems["reason"])


def test_catalogue_from_frame_missing_and_duplicate_columns() -> None:
    with pytest.raises(InputError) as info:
        Catalogue.from_frame(pd.DataFrame({"service": ["a"]}))
    assert info.value.problems["column"].tolist() == ["unit", "unit_price_eur"]
    df = pd.DataFrame([["a", "hour", 1.0, 2.0]], columns=["service", "unit", "x", "x"])
    df["unit_price_eur"] = 1.0
    with pytest.raises(InputError) as info:
        Catalogue.from_frame(df)
    assert info.value.problems["column"].tolist() == ["x"]


def test_catalogue_frame_round_trip() -> None:
    cat = Catalogue(
        services=[
            *child_care_catalogue().services,
            service(service="x", effective_date="2021-07-01", name_en="X", price_source="list"),
        ]
    )
    df = cat.to_frame()
    assert df.columns.tolist()[:10] == [
        "service",
        "unit",
        "unit_price_eur",
        "municipality",
        "max_units_per_week",
        "max_units_per_year",
        "min_age",
        "max_age",
        "target_groups",
        "hours_per_unit",
    ]
    assert str(df["min_age"].dtype) == "Int64"
    assert df["target_groups"].tolist()[0] == "FT" and df["target_groups"].isna().tolist()[4]
    assert Catalogue.from_frame(df) == cat
    assert Catalogue.from_frame(Catalogue().to_frame()) == Catalogue()


# --------------------------------------------------------------------------- Participant

PARTICIPANT = {"participant_id": "P1", "target_group": "FT", "age": 7, "municipality": "Dobele"}


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"participant_id": ""}, "participant_id"),
        ({"participant_id": 12}, "participant_id"),
        ({"target_group": "ft"}, "target_group"),
        ({"target_group": None}, "target_group"),
        ({"age": -1}, "age"),
        ({"age": 121}, "age"),
        ({"age": 7.5}, "age"),
        ({"age": True}, "age"),
        ({"age": np.nan}, "age"),
        ({"municipality": " "}, "municipality"),
        ({"municipality": None}, "municipality"),
        ({"budget_eur": -0.01}, "budget_eur"),
        ({"budget_eur": 10.001}, "budget_eur"),
        ({"budget_eur": False}, "budget_eur"),
        ({"family_hours_per_week": -1}, "family_hours_per_week"),
        ({"family_hours_per_week": float("inf")}, "family_hours_per_week"),
        ({"period_weeks": 0}, "period_weeks"),
        ({"period_weeks": 26.5}, "period_weeks"),
    ],
)
def test_participant_rejects(changes: dict[str, Any], column: str) -> None:
    rejects(Participant, PARTICIPANT | changes, column)


@pytest.mark.parametrize("missing", list(PARTICIPANT))
def test_participant_requires(missing: str) -> None:
    rejects(Participant, {k: v for k, v in PARTICIPANT.items() if k != missing}, missing)


@pytest.mark.parametrize("column", ["spent_eur", "left_eur", "value", "bound", "status"])
def test_participant_extra_column_may_not_clash_with_a_result_column(column: str) -> None:
    assert column in rejects(Participant, PARTICIPANT | {column: 1}, None)


def test_participant_optional_fields() -> None:
    p = Participant(**PARTICIPANT)
    assert (p.budget_eur, p.budget_cents, p.family_hours_per_week, p.period_weeks) == (
        None,
        None,
        None,
        None,
    )
    q = participant(budget_eur=np.float64(1200.5), period_weeks=26.0, family_hours_per_week=np.nan)
    assert q.budget_cents == 120050 and q.period_weeks == 26 and q.family_hours_per_week is None
    assert participant(age=0).age == 0 and participant(age=120).age == 120


# --------------------------------------------------------------------------- PlanItem and Plan

ITEM = {"service": "care", "team_rank": 1, "recommended_units": 10}


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"service": ""}, "service"),
        ({"team_rank": 0}, "team_rank"),
        ({"team_rank": 2.5}, "team_rank"),
        ({"team_rank": True}, "team_rank"),
        ({"team_rank": None}, "team_rank"),
        ({"family_rank": 0}, "family_rank"),
        ({"family_rank": 1.5}, "family_rank"),
        ({"weight": 0}, "weight"),
        ({"weight": -1.0}, "weight"),
        ({"weight": float("inf")}, "weight"),
        ({"recommended_units": 0}, "recommended_units"),
        ({"recommended_units": 2.5}, "recommended_units"),
        ({"min_units": -1}, "min_units"),
        ({"min_units": 1.5}, "min_units"),
        ({"max_units": -1}, "max_units"),
        ({"max_units": False}, "max_units"),
    ],
)
def test_plan_item_rejects(changes: dict[str, Any], column: str) -> None:
    rejects(PlanItem, ITEM | changes, column)


@pytest.mark.parametrize("missing", list(ITEM))
def test_plan_item_requires(missing: str) -> None:
    rejects(PlanItem, {k: v for k, v in ITEM.items() if k != missing}, missing)


@pytest.mark.parametrize("column", ["participant_id", "units", "cost_eur", "reason", "coverage"])
def test_plan_item_extra_column_may_not_clash_with_a_result_column(column: str) -> None:
    assert column in rejects(PlanItem, ITEM | {column: 1}, None)


def test_plan_item_whole_numbers_and_defaults() -> None:
    i = item(team_rank=3.0, family_rank=np.int64(2), max_units=0, min_units=np.nan)
    assert (i.team_rank, i.family_rank, i.max_units, i.min_units) == (3, 2, 0, 0)
    assert type(i.team_rank) is int and type(i.family_rank) is int
    assert item().weight is None and item(weight=0.25).weight == 0.25


def test_plan_rules() -> None:
    p = participant()
    ok = Plan(
        participant=p, items=[item(family_rank=2), item(service="b", team_rank=2, family_rank=1)]
    )
    assert [i.family_rank for i in ok.items] == [2, 1] and ok.participant_id == "P1"
    assert Plan(participant=p).items == ()
    assert (
        len(
            Plan(
                participant=p, items=[item(weight=1), item(service="b", team_rank=3, weight=1)]
            ).items
        )
        == 2
    )


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([ITEM, ITEM | {"team_rank": 2}], "service must be unique"),
        ([ITEM, ITEM | {"service": "b"}], "team_rank must be unique"),
        (
            [ITEM | {"family_rank": 1}, ITEM | {"service": "b", "team_rank": 2}],
            "family_rank is given for 1 of 2",
        ),
        (
            [ITEM | {"family_rank": 1}, ITEM | {"service": "b", "team_rank": 2, "family_rank": 1}],
            "family_rank must be unique",
        ),
        (
            [ITEM | {"weight": 1}, ITEM | {"service": "b", "team_rank": 2}],
            "weight is given for 1 of 2",
        ),
    ],
)
def test_plan_rejects(items: list[dict[str, Any]], message: str) -> None:
    assert message in rejects(Plan, {"participant": PARTICIPANT, "items": items}, None)


def test_plan_reports_every_broken_rule() -> None:
    items = [ITEM | {"weight": 1}, ITEM]
    text = rejects(Plan, {"participant": PARTICIPANT, "items": items}, None)
    assert "service must be unique" in text and "team_rank must be unique" in text
    assert "weight is given for 1 of 2" in text


def test_plan_to_frames() -> None:
    plan = Plan(
        participant=participant(budget_eur=900.1, note="x"),
        items=[item(min_units=2, source="team"), item(service="b", team_rank=2, max_units=5)],
    )
    people, items = plan.to_frames()
    assert people.columns.tolist() == [
        "participant_id", "target_group", "age", "municipality", "budget_eur",
        "family_hours_per_week", "period_weeks", "note",
    ]  # fmt: skip
    assert people.loc[0, "budget_eur"] == 900.1 and str(people["period_weeks"].dtype) == "Int64"
    assert items.columns.tolist() == [
        "participant_id", "service", "team_rank", "family_rank", "weight",
        "recommended_units", "min_units", "max_units", "source",
    ]  # fmt: skip
    assert items["participant_id"].tolist() == ["P1", "P1"]
    assert items["max_units"].tolist()[1] == 5 and pd.isna(items["max_units"].tolist()[0])
    assert str(items["family_rank"].dtype) == "Int64" and items["min_units"].tolist() == [2, 0]
    empty_people, empty_items = Plan(participant=participant()).to_frames()
    assert len(empty_people) == 1 and len(empty_items) == 0


# --------------------------------------------------------------------------- results


def test_status_and_reason_are_str_enums() -> None:
    assert [s.value for s in Status] == ["optimal", "feasible"]
    assert Status("optimal") is Status.OPTIMAL and str(Status.FEASIBLE) == "feasible"
    assert {r.value for r in Reason} == {
        "not_eligible",
        "cap_below_min",
        "funded",
        "partly_funded",
        "not_funded",
        "unavailable",
    }


@pytest.mark.parametrize(
    ("units", "upper", "reason"),
    [
        (0, 0, "not_eligible"),
        (0, 0, "cap_below_min"),
        (0, 3, "cap_below_min"),
        (8, 8, "funded"),
        (4, 8, "partly_funded"),
        (0, 8, "not_funded"),
        (2, 8, "unavailable"),
    ],
)
def test_item_allocation_reasons(units: int, upper: int, reason: str) -> None:
    row = item_row(
        units=units,
        upper_units=upper,
        reason=reason,
        cost_eur=30.0 * units,
        coverage=units / 8,
    )
    a = ItemAllocation(**row)
    assert a.reason == reason and a.cost_eur == Decimal(30 * units)
    round_trips(a)


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"units": -1}, "units"),
        ({"units": 1.5}, "units"),
        ({"unit_price_eur": 30.001}, "unit_price_eur"),
        ({"cost_eur": -1}, "cost_eur"),
        ({"weight": -0.1}, "weight"),
        ({"recommended_units": 0}, "recommended_units"),
        ({"upper_units": -1}, "upper_units"),
        ({"coverage": -0.5}, "coverage"),
        ({"reason": "lost"}, "reason"),
        ({"participant_id": ""}, "participant_id"),
    ],
)
def test_item_allocation_rejects_fields(changes: dict[str, Any], column: str) -> None:
    rejects(ItemAllocation, item_row(**changes), column)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cost_eur": 120.01}, "not units x unit_price_eur"),
        ({"upper_units": 3, "reason": "unavailable"}, "exceed upper_units"),
        ({"coverage": 0.4}, "not units / recommended_units"),
        ({"reason": "funded"}, "does not fit"),
        ({"reason": "not_funded"}, "does not fit"),
        ({"reason": "not_eligible"}, "does not fit"),
        ({"reason": "cap_below_min"}, "does not fit"),
        ({"units": 8, "cost_eur": 240.0, "coverage": 1.0}, "does not fit"),
        ({"units": 0, "cost_eur": 0, "coverage": 0.0, "upper_units": 0}, "does not fit"),
    ],
)
def test_item_allocation_rejects_inconsistent_rows(changes: dict[str, Any], message: str) -> None:
    assert message in rejects(ItemAllocation, item_row(**changes), None)


def test_participant_allocation_from_rows() -> None:
    res = ParticipantAllocation.from_rows(
        participant_row(region="Zemgale", policy=np.nan),
        [item_row(team_rank=np.int64(1), family_rank=np.nan)],
        policy="optimal",
    )
    assert res.status is Status.OPTIMAL and res.policy == "optimal"
    assert (res.budget_eur, res.spent_eur, res.left_eur) == (
        Decimal("150.00"),
        Decimal("120.00"),
        Decimal("30.00"),
    )
    assert res.extras == {"region": "Zemgale"}
    assert res.items[0].extras == {"team_rank": 1, "family_rank": None}
    row, items = res.to_rows()
    assert ParticipantAllocation.from_rows(row, items) == res
    round_trips(res)
    with pytest.raises(ValueError, match="differs"):
        ParticipantAllocation.from_rows(participant_row(), [item_row()], policy="priority")
    with pytest.raises(ValidationError):
        ParticipantAllocation.from_rows(participant_row(policy=None), [item_row()])


def test_participant_allocation_without_items() -> None:
    row = participant_row(spent_eur=0, left_eur=150, value=0, max_value=0, bound=0)
    res = ParticipantAllocation.from_rows(row, [])
    assert res.items == () and res.left_eur == res.budget_eur


@pytest.mark.parametrize(
    ("changes", "items", "message"),
    [
        ({}, [item_row(participant_id="P2")], "other participants"),
        (
            {"spent_eur": 240.0, "budget_eur": 300.0, "left_eur": 60.0, "value": 0.5},
            [item_row(), item_row()],
            "more than one item",
        ),
        ({"spent_eur": 100.0, "left_eur": 50.0}, [item_row()], "not the items' cost"),
        ({"budget_eur": 100.0, "left_eur": 0.0}, [item_row()], "exceeds budget_eur"),
        ({"left_eur": 31.0}, [item_row()], "not budget_eur - spent_eur"),
        ({"value": 0.3, "bound": 0.3}, [item_row()], "not the items' value"),
        ({"bound": 0.2}, [item_row()], "bound 0.2 is below value"),
        ({"max_value": 0.2}, [item_row()], "max_value 0.2 is below value"),
        ({"bound": 0.3}, [item_row()], "status optimal but bound"),
        ({"status": "proven"}, [item_row()], "status"),
        ({"value": float("nan")}, [item_row()], "value"),
    ],
)
def test_participant_allocation_rejects(
    changes: dict[str, Any], items: list[dict[str, Any]], message: str
) -> None:
    assert message in rejects(
        ParticipantAllocation, participant_row(**changes) | {"items": items}, None
    )


def test_participant_allocation_feasible_may_have_a_gap() -> None:
    res = ParticipantAllocation.from_rows(
        participant_row(status="feasible", bound=0.3, policy="priority"), [item_row()]
    )
    assert res.status is Status.FEASIBLE and res.bound > res.value
    assert ParticipantAllocation.from_rows(participant_row(bound=0.25 + 1e-12), [item_row()])


# --------------------------------------------------------------------------- JSON round trip

money = st.integers(0, 10**9).map(lambda cents: cents / 100)
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1).filter(
    str.strip
)
extras = st.dictionaries(
    st.sampled_from(["note", "source", "code", "flag"]),
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | text,
    max_size=2,
)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    person = Participant(
        participant_id=draw(text),
        target_group=draw(st.sampled_from(["GRT", "FT", "BSAC"])),
        age=draw(st.integers(0, 120)),
        municipality=draw(text),
        budget_eur=draw(st.none() | money),
        family_hours_per_week=draw(st.none() | st.floats(0, 200)),
        period_weeks=draw(st.none() | st.integers(1, 104)),
        **draw(extras),
    )
    services = draw(st.lists(text, unique=True, max_size=8))
    n = len(services)
    team = draw(st.permutations(range(1, n + 1))) if n else []
    family = draw(st.none() | st.permutations(range(1, n + 1)))
    weights = draw(st.none() | st.lists(st.floats(1e-6, 1e6), min_size=n, max_size=n))
    items = []
    for k, name in enumerate(services):
        items.append(
            PlanItem(
                service=name,
                team_rank=team[k],
                family_rank=None if family is None else family[k],
                weight=None if weights is None else weights[k],
                recommended_units=draw(st.integers(1, 500)),
                min_units=draw(st.integers(0, 50)),
                max_units=draw(st.none() | st.integers(0, 500)),
                **draw(extras),
            )
        )
    return Plan(participant=person, items=items)


@settings(max_examples=60, deadline=None)
@given(plans())
def test_plan_json_round_trip(plan: Plan) -> None:
    round_trips(plan)
    assert Plan.model_validate(plan.model_dump()) == plan


@settings(max_examples=60, deadline=None)
@given(money, st.floats(0, 1000) | st.integers(0, 10**6))
def test_money_json_round_trip(price: float, hours: float) -> None:
    s = service(unit_price_eur=price, hours_per_unit=hours)
    assert s.unit_price_cents == round(price * 100)
    round_trips(s)
    assert json.loads(s.model_dump_json())["unit_price_eur"] == float(s.unit_price_eur)


def test_every_model_round_trips() -> None:
    for model in [
        service(effective_date="2021-07-01", target_groups="FT", municipality="Dobele"),
        child_care_catalogue(),
        participant(period_weeks=52, note="x"),
        item(family_rank=1, weight=0.5, max_units=3),
        Plan(participant=participant(), items=[item()]),
        ItemAllocation(**item_row()),
        ParticipantAllocation.from_rows(participant_row(), [item_row()]),
    ]:
        round_trips(model)


# --------------------------------------------------------------------------- JSON Schemas

MODELS: dict[str, type[BaseModel]] = {
    "Service": Service,
    "Catalogue": Catalogue,
    "Participant": Participant,
    "PlanItem": PlanItem,
    "Plan": Plan,
    "ItemAllocation": ItemAllocation,
    "ParticipantAllocation": ParticipantAllocation,
}


@pytest.mark.parametrize("mode", ["validation", "serialization"])
def test_json_schemas(mode: Any) -> None:
    schemas = json_schemas(mode)
    assert set(schemas) == set(MODELS)
    for name, schema in schemas.items():
        assert schema["title"] == name and schema["type"] == "object"
        assert set(schema["properties"]) == set(MODELS[name].model_fields)
        assert "Examples" not in schema.get("description", "")
    assert schemas["Service"]["properties"]["unit_price_eur"]["type"] == "number"
    assert schemas["Participant"]["properties"]["age"] == {
        "description": "age at the start of the period",
        "x-unit": "years",
        "maximum": 120,
        "minimum": 0,
        "title": "Age",
        "type": "integer",
    }
    assert schemas["Plan"]["additionalProperties"] is False
    assert "additionalProperties" in schemas["PlanItem"]  # extra columns pass through
    json.dumps(schemas)


def test_write_json_schemas(tmp_path: Path) -> None:
    target = tmp_path / "schemas"
    paths = write_json_schemas(target)
    assert [p.name for p in paths] == [f"{name}.schema.json" for name in MODELS]
    schemas = json_schemas()
    for path in paths:
        assert json.loads(path.read_text(encoding="utf-8")) == schemas[path.name.split(".")[0]]
    assert write_json_schemas(target) == paths  # overwriting is fine
