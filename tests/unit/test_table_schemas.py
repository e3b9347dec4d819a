"""JSON Schemas of the contract tables: fresh on disk, agreeing with the validator, and met by
the embedded Zemgale tables and by the results of allocating them.

``jsonschema`` is not a dependency: :func:`problems` below is a small independent checker of
the keywords the generator uses (type, required, enum, minimum, maximum, exclusiveMinimum,
minLength, pattern, anyOf, not).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.data import synthetic_zemgale
from ibm_engine.tables import (
    ITEM_RESULT_COLUMNS,
    PARTICIPANT_RESULT_COLUMNS,
    PARTICIPANTS,
    PLAN_ITEMS,
    SERVICES,
    TABLE_SCHEMAS,
    ColumnSpec,
    column_json_schema,
    table_json_schemas,
    write_table_json_schemas,
)

DIRECTORY = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "tables"


def _is(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, int | float) and math.isfinite(value)
    if kind == "string":
        return isinstance(value, str)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    raise AssertionError(f"unknown type {kind}")


def problems(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """What ``value`` breaks in ``schema`` (an empty list when nothing)."""
    out: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, k) for k in kinds):
            return [f"{where}: {value!r} is not {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{where}: {value} > {schema['maximum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            out.append(f"{where}: {value} <= {schema['exclusiveMinimum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            out.append(f"{where}: shorter than {schema['minLength']}")
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            out.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if "anyOf" in schema and all(problems(value, s, where) for s in schema["anyOf"]):
        out.append(f"{where}: matches none of anyOf")
    if "not" in schema and not problems(value, schema["not"], where):
        out.append(f"{where}: matches a schema it must not")
    if isinstance(value, dict):
        out += [f"{where}: {k} is required" for k in schema.get("required", []) if k not in value]
        for k, sub in schema.get("properties", {}).items():
            if k in value:
                out += problems(value[k], sub, f"{where}.{k}")
    if isinstance(value, list) and "items" in schema:
        for k, item in enumerate(value):
            out += problems(item, schema["items"], f"{where}[{k}]")
    return out


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON rows (empty cells are null), as another service would send it."""
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", double_precision=15))
    return out


@pytest.fixture(scope="module")
def zemgale() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return synthetic_zemgale(seed=2021)


def test_files_on_disk_are_what_the_generator_writes(tmp_path: Path) -> None:
    written = write_table_json_schemas(tmp_path)
    assert [p.name for p in written] == [f"{t}.schema.json" for t in TABLE_SCHEMAS]
    on_disk = sorted(p.name for p in DIRECTORY.glob("*.json"))
    assert on_disk == sorted(p.name for p in written), "regenerate docs/schemas/tables"
    for p in written:
        assert (DIRECTORY / p.name).read_bytes() == p.read_bytes(), f"{p.name} is stale"


def test_every_contract_column_is_in_its_schema() -> None:
    schemas = table_json_schemas()
    tables: dict[str, tuple[tuple[ColumnSpec, ...], tuple[str, ...]]] = {
        "services": (SERVICES, ()),
        "participants": (PARTICIPANTS, ()),
        "plan_items": (PLAN_ITEMS, ()),
        "result_items": (PLAN_ITEMS, ITEM_RESULT_COLUMNS),
        "result_participants": (PARTICIPANTS, PARTICIPANT_RESULT_COLUMNS),
    }
    for name, (specs, results) in tables.items():
        schema = schemas[name]
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["type"] == "array"
        props = schema["items"]["properties"]
        assert set(props) == {s.name for s in specs} | set(results)
        required = set(schema["items"]["required"])
        assert {s.name for s in specs if s.required} <= required
        assert required <= set(props)
        for s in specs:
            if s.name not in results:
                assert (s.name in required) == s.required
                assert ("null" in props[s.name]["type"]) == (not s.required)


@pytest.mark.parametrize("spec", [s for s in (*PARTICIPANTS, *PLAN_ITEMS, *SERVICES) if s.rule])
def test_bounds_agree_with_the_validator_rule(spec: ColumnSpec) -> None:
    """At and around each bound, the schema and the validator's rule say the same."""
    schema = column_json_schema(spec)
    assert spec.rule is not None
    edges = [schema[k] for k in ("minimum", "maximum", "exclusiveMinimum") if k in schema]
    assert edges, f"{spec.name}: the rule {spec.rule_text!r} gave no bound"
    step = 1 if spec.kind == "int" else 1e-6
    probe = np.array(sorted({e + d for e in edges for d in (-step, 0, step)} | {0, 1, 1e6}))
    rule_bad = np.asarray(spec.rule(probe), dtype=bool)
    schema_bad = np.array([bool(problems(float(x), schema)) for x in probe])
    assert (rule_bad == schema_bad).all(), (spec.name, probe[rule_bad != schema_bad])


def test_zemgale_tables_meet_their_schemas(
    zemgale: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    schemas = table_json_schemas()
    participants, plan_items, services = zemgale
    for name, frame in (
        ("participants", participants),
        ("plan_items", plan_items),
        ("services", services),
    ):
        found = problems(rows(frame), schemas[name])
        assert found == [], found[:5]


def test_allocation_results_meet_their_schemas(
    zemgale: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    schemas = table_json_schemas()
    participants, plan_items, services = zemgale
    keep = participants["participant_id"].head(200)
    items = plan_items[plan_items["participant_id"].isin(keep)]
    result = ibm.allocate(participants.head(200), items, services, policy="priority")
    for name, frame in (
        ("result_items", result.items),
        ("result_participants", result.participants),
    ):
        found = problems(rows(frame), schemas[name])
        assert found == [], found[:5]
    reasons = set(result.items["reason"].astype(str))
    assert reasons <= set(schemas["result_items"]["items"]["properties"]["reason"]["enum"])


def test_broken_rows_are_caught(zemgale: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    """The schemas (and the checker) can fail: every kind of broken cell is reported."""
    schemas = table_json_schemas()
    good = rows(zemgale[0].head(1))[0]
    broken = [
        {**good, "age": 121},
        {**good, "age": 3.5},
        {**good, "target_group": "XX"},
        {**good, "participant_id": "   "},
        {**good, "budget_eur": -0.01},
        {**good, "period_weeks": 0},
        {**good, "municipality": None},
        {k: v for k, v in good.items() if k != "participant_id"},
        {**good, "spent_eur": 10.0},  # a result column in the input
    ]
    for row in broken:
        assert problems([row], schemas["participants"]), row
    assert problems([good], schemas["participants"]) == []
    item = rows(zemgale[1].head(1))[0]
    for row in ({**item, "weight": 0.0}, {**item, "team_rank": 0}, {**item, "units": 3}):
        assert problems([row], schemas["plan_items"]), row
    assert problems([{**item, "weight": 0.5, "family_rank": None}], schemas["plan_items"]) == []


def test_an_unknown_rule_text_is_not_silently_dropped() -> None:
    with pytest.raises(ValueError, match="cannot express rule"):
        column_json_schema(ColumnSpec("x", "float", True, None, "must be prime"))
