"""JSON Schemas (draft 2020-12) of the domain models and of the contract's tables.

One generator: both come from the column specs of ``domain._contract`` through one mapping of
kinds, bounds and choices (``domain._columns``). The models' fields carry the specs' bounds and
descriptions (:func:`~ibm_engine.domain._columns.field`), so ``model_json_schema`` shows the
same keywords as the tables' schemas.

Each table is a JSON array of row objects: the input tables (``services``, ``participants``,
``plan_items``) from their specs, the result tables (``result_items``,
``result_participants``) the input columns passed through plus the result columns
(``ITEM_RESULTS``, ``PARTICIPANT_RESULTS``). Rules across rows (unique ids, ranks, the
catalogue rule) are stated in each schema's description, not as keywords.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from ibm_engine.domain._catalogue import Catalogue
from ibm_engine.domain._columns import ColumnSpec, by_name, column_json_schema, names
from ibm_engine.domain._contract import (
    ITEM_RESULTS,
    PARTICIPANT_RESULTS,
    PARTICIPANTS,
    PLAN_ITEMS,
    SERVICES,
)
from ibm_engine.domain._participant import Participant
from ibm_engine.domain._plan import Plan, PlanItem
from ibm_engine.domain._result import ItemAllocation, ParticipantAllocation
from ibm_engine.domain._service import Service

__all__ = [
    "TABLE_SCHEMAS",
    "json_schemas",
    "table_json_schemas",
    "write_json_schemas",
    "write_table_json_schemas",
]

MODELS: Final[tuple[type[BaseModel], ...]] = (
    Service,
    Catalogue,
    Participant,
    PlanItem,
    Plan,
    ItemAllocation,
    ParticipantAllocation,
)
JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

#: the tables with a schema, in the order the files are written
TABLE_SCHEMAS: Final = (
    "services",
    "participants",
    "plan_items",
    "result_items",
    "result_participants",
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


def json_schemas(mode: JsonSchemaMode = "validation") -> dict[str, dict[str, Any]]:
    """The JSON Schema of every domain model, keyed by model name.

    Parameters
    ----------
    mode
        ``"validation"`` (what the models accept) or ``"serialization"`` (what
        ``model_dump_json`` writes).

    Returns
    -------
    dict of str to dict
        One JSON Schema (draft 2020-12) per model.

    Examples
    --------
    >>> schemas = json_schemas()
    >>> sorted(schemas)[:3]
    ['Catalogue', 'ItemAllocation', 'Participant']
    >>> schemas["PlanItem"]["properties"]["team_rank"]["minimum"]
    1
    """
    return {
        model.__name__: {"$schema": JSON_SCHEMA_DIALECT, **model.model_json_schema(mode=mode)}
        for model in MODELS
    }


def _write(schemas: Mapping[str, dict[str, Any]], directory: str | os.PathLike[str]) -> list[Path]:
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in schemas.items():
        path = target / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def write_json_schemas(
    directory: str | os.PathLike[str], mode: JsonSchemaMode = "validation"
) -> list[Path]:
    """Write one ``<Model>.schema.json`` file per domain model into ``directory``.

    The directory is created if needed; existing files of the same names are replaced.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of :func:`json_schemas`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_json_schemas(tmp)
    ...     [p.name for p in paths][:2]
    ['Service.schema.json', 'Catalogue.schema.json']
    """
    return _write(json_schemas(mode), directory)


def _table(
    name: str, specs: tuple[ColumnSpec, ...], forbidden: Sequence[str] = ()
) -> dict[str, Any]:
    """A table's schema: its columns (a later spec of a name replaces an earlier one)."""
    columns = by_name(specs)
    props = {s.name: column_json_schema(s) for s in columns.values()}
    required = [s.name for s in columns.values() if s.required]
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

    def forbidden(specs: tuple[ColumnSpec, ...], results: tuple[ColumnSpec, ...]) -> list[str]:
        return [c for c in names(results) if c not in names(specs)]

    return {
        "services": _table("services", SERVICES),
        "participants": _table(
            "participants", PARTICIPANTS, forbidden(PARTICIPANTS, PARTICIPANT_RESULTS)
        ),
        "plan_items": _table("plan_items", PLAN_ITEMS, forbidden(PLAN_ITEMS, ITEM_RESULTS)),
        "result_items": _table("result_items", PLAN_ITEMS + ITEM_RESULTS),
        "result_participants": _table("result_participants", PARTICIPANTS + PARTICIPANT_RESULTS),
    }


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
    return _write(table_json_schemas(), directory)
