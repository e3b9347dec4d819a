"""JSON Schemas of the domain models, for services written in other languages."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from ibm_engine.domain._catalogue import Catalogue
from ibm_engine.domain._participant import Participant
from ibm_engine.domain._plan import Plan, PlanItem
from ibm_engine.domain._result import ItemAllocation, ParticipantAllocation
from ibm_engine.domain._service import Service

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
    >>> schemas["PlanItem"]["properties"]["team_rank"]
    {'minimum': 1, 'title': 'Team Rank', 'type': 'integer'}
    """
    return {
        model.__name__: {"$schema": JSON_SCHEMA_DIALECT, **model.model_json_schema(mode=mode)}
        for model in MODELS
    }


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
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in json_schemas(mode).items():
        path = target / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
