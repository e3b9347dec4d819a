"""The record on every result: which inputs, parameters and versions made it (issue 10).

A :class:`Record` is frozen and JSON-serialisable; its ``id`` is derived from the input
hashes, the parameters and the versions (never from the time), so the same run on the same
software always has the same id. :func:`build_record` is the one builder every result calls.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import functools
import hashlib
import json
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from ibm_engine.tables import PARTICIPANTS, PLAN_ITEMS, SERVICES, ColumnSpec
from ibm_engine.tables._columns import as_frame
from ibm_engine.tables._convert import Column
from ibm_engine.tables._hash import TableHash, TextParts, hash_table

__all__ = [
    "INPUT_SPECS",
    "Record",
    "TableDigest",
    "build_record",
    "hash_inputs",
    "hash_outputs",
    "jsonable",
    "record_json_schema",
    "software_versions",
]

#: the contract columns of each input table, hashed by their validated values
INPUT_SPECS: dict[str, tuple[ColumnSpec, ...]] = {
    "participants": PARTICIPANTS,
    "plan_items": PLAN_ITEMS,
    "services": SERVICES,
}
#: result columns whose name ends so hold money (hashed in cents)
MONEY_SUFFIX = "_eur"
#: catalogue columns that date and source its rows (see ``data/catalogue_sources.json``)
CATALOGUE_DATE_COLUMN = "effective_date"
CATALOGUE_SOURCE_COLUMNS = ("price_source", "rule_source", "source")
RECORD_ID_HEX = 16

Kind = Literal["allocate", "region", "periods", "traditional"]


class TableDigest(BaseModel):
    """The content hash of one table (see :func:`ibm_engine.tables._hash.hash_table`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hash: str = Field(pattern="^[0-9a-f]{32}$", description="sum of row digests mod 2**128")
    rows: int = Field(ge=0)
    columns: tuple[str, ...] = Field(description="hashed columns, sorted")
    not_hashed: tuple[str, ...] = Field(default=(), description="columns left out")

    @classmethod
    def of(cls, h: TableHash) -> TableDigest:
        """The digest of a :class:`TableHash`."""
        return cls(hash=h.hex, rows=h.rows, columns=h.columns, not_hashed=h.not_hashed)


class Record(BaseModel):
    """What made a result: inputs, parameters, versions; and what it gave.

    Attributes
    ----------
    id : str
        16 hexadecimal digits derived from ``kind``, the input hashes, the parameters and the
        versions (not the time): quote it on a notice to trace the run.
    kind : {"allocate", "region", "periods", "traditional"}
        The function that made the result.
    library_version : str
    versions : dict of str to str
        Python, numpy, pandas, scipy and HiGHS (the one inside scipy).
    created_utc : str
        When the run finished (ISO 8601, UTC).
    parameters : dict
        Every parameter of the call: policy, period_weeks, team_share, merge, budget formula
        (with its parameters, sources and effective dates), capacities method, seeds, limits.
    inputs, outputs : dict of str to TableDigest
        The content hash of each input and output table.
    catalogue : dict
        The catalogue's ``effective_dates`` and ``sources`` (where it has such columns).
    limit_hit : bool
        Whether a solve may have stopped at a time limit: then the result may not reproduce
        on another machine (``reproduce`` says so instead of failing).
    parts : dict of str to str
        The ids of the records of the runs this one is made of (periods: one per period).

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> p, i, s = ibm.synthetic_zemgale(seed=1, n_grt=2, n_ft=1, n_bsac=1)
    >>> rec = ibm.allocate(p, i, s).record
    >>> len(rec.id), rec.kind, rec.parameters["policy"], sorted(rec.inputs)
    (16, 'allocate', 'optimal', ['participants', 'plan_items', 'services'])
    >>> ibm.Record.from_json(rec.to_json()) == rec
    True
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern="^[0-9a-f]{16}$")
    kind: Kind
    library_version: str
    versions: dict[str, str]
    created_utc: str
    parameters: dict[str, JsonValue]
    inputs: dict[str, TableDigest]
    outputs: dict[str, TableDigest]
    catalogue: dict[str, list[str]]
    limit_hit: bool = False
    parts: dict[str, str] = Field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-compatible Python values."""
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        """The record as JSON text."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Record:
        """A record from :meth:`to_dict`'s output (validated)."""
        return cls.model_validate(dict(data))

    @classmethod
    def from_json(cls, text: str) -> Record:
        """A record from :meth:`to_json`'s output (validated)."""
        return cls.model_validate_json(text)

    def __str__(self) -> str:
        v = ", ".join(f"{k} {x}" for k, x in self.versions.items())
        lines = [
            f"Record {self.id} ({self.kind}, ibm_engine {self.library_version}, "
            f"{self.created_utc})",
            f"  software: {v}",
            "  parameters: " + json.dumps(self.parameters, sort_keys=True, ensure_ascii=False),
        ]
        for title, tables in (("input", self.inputs), ("output", self.outputs)):
            for name, d in tables.items():
                left = f", not hashed: {', '.join(d.not_hashed)}" if d.not_hashed else ""
                lines.append(f"  {title} {name}: {d.rows} rows, hash {d.hash}{left}")
        for key, values in self.catalogue.items():
            lines.append(f"  catalogue {key}: {'; '.join(values)}")
        for name, rid in self.parts.items():
            lines.append(f"  part {name}: record {rid}")
        if self.limit_hit:
            lines.append("  a solve may have stopped at a time limit: may not reproduce elsewhere")
        return "\n".join(lines)


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`Record` (committed as ``docs/schemas/Record.schema.json``).

    Examples
    --------
    >>> sorted(record_json_schema()["properties"])[:4]
    ['catalogue', 'created_utc', 'id', 'inputs']
    """
    schema = Record.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def software_versions() -> dict[str, str]:
    """Python, numpy, pandas, scipy and HiGHS versions of this process (looked up once)."""
    return dict(_versions())


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    """The versions, found once per process: reading HiGHS's loads scipy.optimize, which
    ``import ibm_engine`` leaves out, and package metadata is read from disk."""
    import scipy

    out = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
    }
    try:  # the HiGHS inside scipy; its module is private, so only where it is found
        from scipy.optimize._highspy import _core  # type: ignore[import-not-found]  # private

        out["highs"] = ".".join(
            str(getattr(_core, f"HIGHS_VERSION_{p}")) for p in ("MAJOR", "MINOR", "PATCH")
        )
    except (ImportError, AttributeError):
        out["highs"] = f"scipy {scipy.__version__}"
    return tuple(out.items())


@functools.cache
def _library_version() -> str:
    try:
        return metadata.version("ibm_engine")
    except metadata.PackageNotFoundError:  # running from a source tree without installing
        return "unknown"


def jsonable(obj: object) -> JsonValue:
    """A parameter value as JSON: dataclasses (formulas, merges, sources) field by field,
    decimals and dates as text, tables by their content hash, other objects by their ``repr``."""
    if obj is None or isinstance(obj, bool | str | int):
        return obj
    if isinstance(obj, float | np.floating):
        f = float(obj)
        return f if np.isfinite(f) else repr(f)
    if isinstance(obj, np.integer | np.bool_):
        return obj.item()
    if isinstance(obj, enum.Enum):
        return jsonable(obj.value)
    if isinstance(obj, decimal.Decimal):
        return str(obj)  # exact: "12.34", not a float
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, pd.DataFrame):
        return {"table_hash": hash_table(obj, money_suffix=MONEY_SUFFIX).hex, "rows": len(obj)}
    if isinstance(obj, pd.Series | np.ndarray):
        return jsonable(np.asarray(obj).tolist())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, JsonValue] = {"type": type(obj).__name__}
        for fld in dataclasses.fields(obj):
            if not fld.name.startswith("_"):
                out[fld.name] = jsonable(getattr(obj, fld.name))
        return out
    if isinstance(obj, BaseModel):
        return {"type": type(obj).__name__, **obj.model_dump(mode="json")}
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        seq = sorted(obj, key=repr) if isinstance(obj, set | frozenset) else obj
        return [jsonable(x) for x in seq]
    return repr(obj)


def hash_inputs(
    converted: Mapping[str, tuple[pd.DataFrame, Mapping[str, Column]]] | None = None,
    texts: TextParts | None = None,
    /,
    **tables: object,
) -> dict[str, TableHash]:
    """Content hashes of input tables (contract columns by validated value); None skipped.

    ``converted``: tables as ``tables.prepare`` read them, with the contract columns it
    converted (its ``converted`` argument); those are hashed without converting again.
    ``texts``: keeps their Arrow text columns for :func:`hash_outputs`.
    """
    done = converted or {}
    out = {}
    for name, t in tables.items():
        if t is None:
            continue
        frame, columns = done[name] if name in done else (as_frame(t, name), None)
        specs = INPUT_SPECS.get(name, ())
        out[name] = hash_table(
            frame, specs, money_suffix=MONEY_SUFFIX, converted=columns, texts=texts
        )
    return out


def hash_outputs(
    texts: TextParts | None = None, /, **tables: pd.DataFrame | None
) -> dict[str, TableHash]:
    """Content hashes of result tables (money columns in cents); None skipped. ``texts``:
    the inputs' text columns (:func:`hash_inputs`), reused where a column repeats one."""
    return {
        name: hash_table(t, money_suffix=MONEY_SUFFIX, texts=texts)
        for name, t in tables.items()
        if t is not None
    }


def _catalogue(services: object) -> dict[str, list[str]]:
    """The catalogue's effective dates and sources, where it has such columns."""
    if services is None:
        return {}
    cat = as_frame(services, "services")
    out: dict[str, list[str]] = {}

    def distinct(cols: list[str]) -> list[str]:
        vals = pd.concat([cat[c] for c in cols], ignore_index=True).dropna().astype(str)
        return sorted({v.strip() for v in vals if v.strip()})

    if CATALOGUE_DATE_COLUMN in cat.columns:
        out["effective_dates"] = distinct([CATALOGUE_DATE_COLUMN])
    sources = [c for c in CATALOGUE_SOURCE_COLUMNS if c in cat.columns]
    if sources:
        out["sources"] = distinct(sources)
    return out


def record_id(
    kind: str, library: str, versions: Mapping[str, str], parameters: Any, inputs: Any
) -> str:
    """The id: a SHA-256 of what made the run (never the time), 16 hex digits."""
    canon = json.dumps(
        {
            "kind": kind,
            "library": library,
            "versions": dict(versions),
            "parameters": parameters,
            "inputs": inputs,
        },
        sort_keys=True,
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canon.encode("ascii")).hexdigest()[:RECORD_ID_HEX]


def build_record(
    kind: Kind,
    parameters: Mapping[str, object],
    inputs: Mapping[str, TableHash],
    outputs: Mapping[str, TableHash],
    *,
    services: object = None,
    limit_hit: bool = False,
    parts: Mapping[str, str] | None = None,
) -> Record:
    """The record of a run (the one builder every result calls).

    Parameters
    ----------
    kind : {"allocate", "region", "periods", "traditional"}
    parameters : mapping
        Every parameter of the call (values made JSON by :func:`jsonable`).
    inputs, outputs : mapping of str to TableHash
        See :func:`hash_inputs` and :func:`hash_outputs`.
    services : table, optional
        The catalogue, for its effective dates and sources.
    limit_hit : bool
        Whether a solve may have stopped at a time limit.
    parts : mapping of str to str, optional
        Record ids of the runs this one is made of.
    """
    params = {str(k): jsonable(v) for k, v in parameters.items()}
    digests = {k: TableDigest.of(h) for k, h in inputs.items()}
    versions = software_versions()
    library = _library_version()
    ident = record_id(
        kind,
        library,
        versions,
        {**params, "parts": dict(parts or {})},
        {k: d.model_dump(mode="json") for k, d in digests.items()},
    )
    return Record(
        id=ident,
        kind=kind,
        library_version=library,
        versions=versions,
        created_utc=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        parameters=params,
        inputs=digests,
        outputs={k: TableDigest.of(h) for k, h in outputs.items()},
        catalogue=_catalogue(services),
        limit_hit=bool(limit_hit),
        parts=dict(parts or {}),
    )
