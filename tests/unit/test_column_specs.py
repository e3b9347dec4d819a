"""Column specs are the one definition of each table's columns: the models, the schemas and the
validation agree with them, and the ``date`` kind converts as the other kinds do."""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel, ValidationError

import ibm_engine as ibm
from ibm_engine.domain import _contract
from ibm_engine.domain._columns import ColumnSpec, bound_keywords
from ibm_engine.tables import (
    ITEM_RESULT_COLUMNS,
    PARTICIPANT_RESULT_COLUMNS,
    PARTICIPANTS,
    PLAN_ITEMS,
    SERVICES,
)
from ibm_engine.tables._convert import convert, dates

#: each row model and the specs of its fields (a later spec of a name wins)
MODELS: list[tuple[type[BaseModel], tuple[ColumnSpec, ...]]] = [
    (ibm.Service, SERVICES),
    (ibm.Participant, PARTICIPANTS),
    (ibm.PlanItem, PLAN_ITEMS),
    (ibm.ItemAllocation, PLAN_ITEMS + _contract.ITEM_RESULTS),
    (ibm.ParticipantAllocation, PARTICIPANTS + _contract.PARTICIPANT_RESULTS),
]


def _branch(prop: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of a model property's schema."""
    for b in prop.get("anyOf", [prop]):
        if b.get("type") != "null":
            return b
    raise AssertionError(prop)


@pytest.mark.parametrize(("model", "specs"), MODELS, ids=[m.__name__ for m, _ in MODELS])
def test_model_fields_carry_their_specs(model: type[BaseModel], specs: Any) -> None:
    props = model.model_json_schema()["properties"]
    fields = {s.name: s for s in specs}
    shared = set(fields) & set(model.model_fields)
    assert shared, model
    for name in shared:
        spec = fields[name]
        branch = _branch(props[name])
        want = {k: v for k, v in bound_keywords(spec).items() if k != "enum"}
        got = {k: branch[k] for k in ("minimum", "maximum", "exclusiveMinimum") if k in branch}
        assert got == want, (model.__name__, name)
        assert props[name].get("description") == (spec.description or None), name


@pytest.mark.parametrize(
    ("model", "data", "column", "value"),
    [
        (ibm.Participant, {"participant_id": "P", "target_group": "FT", "municipality": "M"},
         "age", 121),
        (ibm.Participant, {"participant_id": "P", "target_group": "FT", "municipality": "M",
                           "age": 3}, "period_weeks", 0),
        (ibm.PlanItem, {"service": "s", "recommended_units": 1}, "team_rank", 0),
        (ibm.PlanItem, {"service": "s", "team_rank": 1, "recommended_units": 1}, "weight", 0.0),
        (ibm.Service, {"service": "s", "unit": "hour"}, "unit_price_eur", -0.01),
    ],
)  # fmt: skip
def test_models_reject_what_the_table_rule_rejects(
    model: type[BaseModel], data: dict[str, Any], column: str, value: object
) -> None:
    spec = {s.name: s for s in (*PARTICIPANTS, *PLAN_ITEMS, *SERVICES)}[column]
    cells = convert(spec.kind, pd.Series([value]))
    assert spec.rule is not None and bool(spec.rule(cells.values)[0])
    with pytest.raises(ValidationError, match=column):
        model.model_validate({**data, column: value})


def test_result_columns_are_defined_once() -> None:
    assert ITEM_RESULT_COLUMNS is _contract.ITEM_RESULT_COLUMNS
    assert PARTICIPANT_RESULT_COLUMNS is _contract.PARTICIPANT_RESULT_COLUMNS
    assert set(PARTICIPANT_RESULT_COLUMNS) <= ibm.Participant.reserved_columns
    assert set(ITEM_RESULT_COLUMNS) <= ibm.PlanItem.reserved_columns


def test_spec_words_and_rules() -> None:
    age = ColumnSpec("age", "int", True, ge=0, le=120)
    assert (age.rule_text, age.type_text) == ("must be between 0 and 120", "int, 0..120")
    price = ColumnSpec("p", "money", True, ge=0.5)
    assert price.rule is not None
    assert price.rule(np.array([49, 50])).tolist() == [True, False]  # cents
    assert ColumnSpec("g", "text", True, choices=("a", "b")).type_text == "`a` or `b`"
    assert ColumnSpec("w", "float", False, gt=0).rule_text == "must be > 0"
    assert age == ColumnSpec("age", "int", True, ge=0, le=120)  # equal specs, equal rules
    with pytest.raises(ValueError, match="unknown kind"):
        ColumnSpec("x", "complex", True)


def test_dates() -> None:
    s = pd.Series(
        ["2020-03-12", "not a date", None, " ", 5, datetime.date(2020, 1, 2), True], dtype=object
    )
    col = dates(s)
    assert col.empty.tolist() == [False, False, True, True, False, False, False]
    assert col.bad.tolist() == [False, True, False, False, True, False, True]
    assert str(col.values[0]) == "2020-03-12" and str(col.values[5]) == "2020-01-02"
    typed = dates(pd.Series(pd.to_datetime(["2020-02-29", None])))
    assert typed.empty.tolist() == [False, True] and not typed.bad.any()
    assert dates(pd.Series([1.0, np.nan])).bad.tolist() == [True, False]
