"""JSON Schemas (draft 2020-12) of the contract's tables, generated from their column specs.

Each table is a JSON array of row objects. The input tables (``services``, ``participants``,
``plan_items``) come from the :class:`~ibm_engine.tables.ColumnSpec` tuples of ``_schema``: the
kind gives the JSON type, ``required`` the required keys (an optional column may be ``null``),
``choices`` an ``enum`` and the rule's text (``must be >= 0``, ``must be > 0``, ``must be
between 0 and 120``) the bounds. The result tables (``result_items``, ``result_participants``)
are the input columns passed through plus the result columns (``ITEM_RESULT_COLUMNS``,
``PARTICIPANT_RESULT_COLUMNS``), typed by the result row models of ``ibm_engine.domain``; the
few result columns those models do not hold are typed here. Rules across rows (unique ids,
ranks, the catalogue rule) are stated in each schema's description, not as keywords.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Final

from ibm_engine.domain import ItemAllocation, ParticipantAllocation
from ibm_engine.tables._schema import (
    ITEM_RESULT_COLUMNS,
    PARTICIPANT_RESULT_COLUMNS,
    PARTICIPANTS,
    PLAN_ITEMS,
    SERVICES,
    UNITS,
    ColumnSpec,
)

__all__ = ["TABLE_SCHEMAS", "column_json_schema", "table_json_schemas", "write_table_json_schemas"]

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

#: the tables with a schema, in the order the files are written
TABLE_SCHEMAS: Final = (
    "services",
    "participants",
    "plan_items",
    "result_items",
    "result_participants",
)

_TYPES: Final = {
    "id": ["string", "integer"],
    "text": ["string"],
    "int": ["integer"],
    "float": ["number"],
    "money": ["number"],
}
_KINDS: Final = {
    "id": "identifier: text, or a whole number read as its digits",
    "text": "text",
    "int": "whole number (integral numbers such as 3.0 are accepted)",
    "float": "number",
    "money": "EUR in whole cents (within 1e-6 EUR of a whole number of cents)",
}
_BOUNDS: Final = (
    (re.compile(r"^must be >= (-?[\d.]+)$"), ("minimum",)),
    (re.compile(r"^must be > (-?[\d.]+)$"), ("exclusiveMinimum",)),
    (re.compile(r"^must be between (-?[\d.]+) and (-?[\d.]+)$"), ("minimum", "maximum")),
    (re.compile(r"^must be in (-?[\d.]+)\.\.(-?[\d.]+)$"), ("minimum", "maximum")),
)

#: result columns the result row models do not hold (``ItemAllocation``,
#: ``ParticipantAllocation``), typed like the input columns
_RESULT_ONLY: Final = (
    ColumnSpec("unit", "text", False, choices=UNITS),
    ColumnSpec("hours", "float", True, None, "must be >= 0"),
    ColumnSpec("coverage", "float", True, None, "must be between 0 and 1"),
    ColumnSpec("items_funded", "int", True, None, "must be >= 0"),
    ColumnSpec("items_partly_funded", "int", True, None, "must be >= 0"),
    ColumnSpec("items_not_funded", "int", True, None, "must be >= 0"),
    ColumnSpec("hours_used", "float", True, None, "must be >= 0"),
)

_DESCRIPTIONS: Final = {
    "services": "Contract v1 services (the catalogue), one object per row. Several rows may "
    "share a service (per municipality, age band, target groups); two rows that could both "
    "apply to one participant are an input error. Extra keys are passed by.",
    "participants": "Contract v1 participants, one object per row; participant_id is unique. "
    "budget_eur is required unless a budget formula is given. Extra keys are kept, except "
    "names of result columns.",
    "plan_items": "Contract v1 plan items (the joint service list), one object per row: "
    "participant_id must exist in participants; (participant_id, service), team_rank and "
    "family_rank are unique within a participant; family_rank and weight are given for all or "
    "none of a participant's items. Extra keys are kept, except names of result columns.",
    "result_items": "The items result of ibm_engine.allocate: the plan_items columns as given "
    "plus the result columns, one object per plan item in input order.",
    "result_participants": "The participants result of ibm_engine.allocate: the participants "
    "columns as given plus the result columns, one object per participant in input order.",
}


def _number(text: str) -> int | float:
    x = float(text)
    return int(x) if x.is_integer() else x


def column_json_schema(spec: ColumnSpec) -> dict[str, Any]:
    """The JSON Schema of one column's cells (``null`` allowed when the column is optional).

    Raises ``ValueError`` if the spec's rule text is not one the generator can express (so a
    new rule cannot be left out of the schemas unnoticed).

    Examples
    --------
    >>> from ibm_engine.tables import PARTICIPANTS
    >>> column_json_schema(PARTICIPANTS[2])
    {'type': 'integer', 'description': 'whole number (integral numbers such as 3.0 are \
accepted)', 'x-kind': 'int', 'minimum': 0, 'maximum': 120}
    >>> column_json_schema(PARTICIPANTS[1])["enum"]
    ['GRT', 'FT', 'BSAC']
    """
    types = list(_TYPES[spec.kind]) + ([] if spec.required else ["null"])
    out: dict[str, Any] = {
        "type": types[0] if len(types) == 1 else types,
        "description": _KINDS[spec.kind],
        "x-kind": spec.kind,
    }
    if spec.kind in ("id", "text") and spec.required:
        out["pattern"] = r"\S"  # blank text counts as empty
    if spec.choices:
        out["enum"] = [*spec.choices, *([] if spec.required else [None])]
    if spec.rule_text:
        for pattern, keys in _BOUNDS:
            m = pattern.match(spec.rule_text)
            if m is not None:
                out.update({k: _number(v) for k, v in zip(keys, m.groups(), strict=True)})
                break
        else:
            raise ValueError(f"column {spec.name}: cannot express rule {spec.rule_text!r}")
    return out


def _plain(schema: Any, defs: dict[str, Any]) -> Any:
    """A model property's schema with ``$ref`` inlined and titles and defaults left out."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _plain(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _plain(v, defs) for k, v in schema.items() if k not in ("title", "default")}
    if isinstance(schema, list):
        return [_plain(v, defs) for v in schema]
    return schema


def _result_columns(model: Any, names: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    full = model.model_json_schema(mode="serialization")
    defs, props = full.get("$defs", {}), full["properties"]
    required = set(full.get("required", []))
    extra = {s.name: s for s in _RESULT_ONLY}
    out: dict[str, Any] = {}
    need = []
    for name in names:
        if name in props:
            out[name] = _plain(props[name], defs)
            if name in required:
                need.append(name)
        elif name in extra:
            out[name] = column_json_schema(extra[name])
            if extra[name].required:
                need.append(name)
        else:
            raise ValueError(f"result column {name} has no type")
    return out, need


def _table(name: str, specs: tuple[ColumnSpec, ...], forbidden: tuple[str, ...]) -> dict[str, Any]:
    props = {s.name: column_json_schema(s) for s in specs}
    required = [s.name for s in specs if s.required]
    row: dict[str, Any] = {"type": "object", "properties": props, "required": required}
    if forbidden:
        row["not"] = {"anyOf": [{"required": [c]} for c in forbidden]}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": name,
        "description": _DESCRIPTIONS[name],
        "type": "array",
        "items": row,
    }


def _with_results(base: dict[str, Any], name: str, model: Any, cols: tuple[str, ...]) -> None:
    props, need = _result_columns(model, cols)
    row = base["items"]
    row["properties"].update(props)  # a result column replaces an input column of its name
    row["required"] = list(dict.fromkeys([*row["required"], *need]))
    base["title"], base["description"] = name, _DESCRIPTIONS[name]


def table_json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every contract table, keyed by the names of :data:`TABLE_SCHEMAS`.

    Examples
    --------
    >>> schemas = table_json_schemas()
    >>> list(schemas) == list(TABLE_SCHEMAS)
    True
    >>> row = schemas["plan_items"]["items"]
    >>> row["required"]
    ['participant_id', 'service', 'team_rank', 'recommended_units']
    >>> row["properties"]["weight"]["type"], row["properties"]["weight"]["exclusiveMinimum"]
    (['number', 'null'], 0)
    >>> schemas["result_items"]["items"]["properties"]["reason"]["enum"][:2]
    ['not_eligible', 'cap_below_min']
    """

    def forbidden(specs: tuple[ColumnSpec, ...], result: tuple[str, ...]) -> tuple[str, ...]:
        names = {s.name for s in specs}
        return tuple(c for c in result if c not in names)

    out = {
        "services": _table("services", SERVICES, ()),
        "participants": _table(
            "participants", PARTICIPANTS, forbidden(PARTICIPANTS, PARTICIPANT_RESULT_COLUMNS)
        ),
        "plan_items": _table("plan_items", PLAN_ITEMS, forbidden(PLAN_ITEMS, ITEM_RESULT_COLUMNS)),
    }
    items = _table("plan_items", PLAN_ITEMS, ())
    _with_results(items, "result_items", ItemAllocation, ITEM_RESULT_COLUMNS)
    people = _table("participants", PARTICIPANTS, ())
    _with_results(people, "result_participants", ParticipantAllocation, PARTICIPANT_RESULT_COLUMNS)
    out["result_items"], out["result_participants"] = items, people
    return out


def write_table_json_schemas(directory: str | os.PathLike[str]) -> list[Path]:
    """Write ``<table>.schema.json`` for every table of :func:`table_json_schemas`.

    The directory is created if needed; files of the same names are replaced.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_table_json_schemas(tmp)][:2]
    ['services.schema.json', 'participants.schema.json']
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in table_json_schemas().items():
        path = target / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
