"""The assessment columns of the participants table, and reading them once at the boundary.

A formula names the columns it needs as :class:`~ibm_engine.tables.ColumnSpec`; they are
converted and checked column-wise (every problem of every row collected) together with the
contract-v1 validation of :func:`ibm_engine.tables.prepare`, so one ``InputError`` lists all.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.errors import InputError, UnknownMunicipalityWarning
from ibm_engine.tables import ColumnSpec, Prepared, ProblemLog, prepare
from ibm_engine.tables._columns import as_frame, check_columns
from ibm_engine.tables._convert import Codes, Column, TextColumn, text
from ibm_engine.tables._sources import file_sources

__all__ = [
    "ASSESSMENT_COLUMNS",
    "LIVING_SETTINGS",
    "Inputs",
    "from_prepared",
    "load",
    "merged",
    "problems_of",
    "spec_for",
]

#: where the person lives (``living_setting``)
LIVING_SETTINGS = ("family", "independent", "group_home", "institution")


def _outside(low: float, high: float) -> Any:
    return lambda v: np.asarray((v < low) | (v > high), dtype=bool)


#: the assessment columns a formula may need, by name (all optional in contract v1)
ASSESSMENT_COLUMNS: dict[str, ColumnSpec] = {
    s.name: s
    for s in (
        ColumnSpec("support_need_score", "float", True, _outside(0, 100), "must be in 0..100"),
        ColumnSpec("living_setting", "text", True, choices=LIVING_SETTINGS),
        ColumnSpec(
            "informal_care_hours_per_week", "float", False, _outside(0, 168), "must be in 0..168"
        ),
        ColumnSpec("assessment_points", "float", True, _outside(0, np.inf), "must be >= 0"),
        ColumnSpec("previous_budget_eur", "money", False, _outside(0, np.inf), "must be >= 0"),
        ColumnSpec("historical_spend_eur", "money", True, _outside(0, np.inf), "must be >= 0"),
    )
}


def spec_for(name: str, kind: str = "float") -> ColumnSpec:
    """The documented spec of an assessment column, else a required column of ``kind``."""
    return ASSESSMENT_COLUMNS.get(name, ColumnSpec(name, kind, True))


@dataclass(frozen=True, eq=False)
class Inputs:
    """Validated participants (``prep``) with their converted assessment columns."""

    prep: Prepared
    columns: dict[str, Column]
    memo: dict[object, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of participants."""
        return int(self.prep.period_weeks.shape[0])

    @property
    def weeks(self) -> FloatArray:
        """Each participant's period in weeks."""
        out: FloatArray = self.prep.period_weeks.astype(np.float64)
        return out

    def floats(self, name: str, default: float = np.nan) -> FloatArray:
        """A number column, ``default`` where empty."""
        col = self.columns[name]
        out: FloatArray = np.where(col.empty, default, np.asarray(col.values, dtype=np.float64))
        return out

    def cents(self, name: str) -> tuple[IntArray, BoolArray]:
        """A money column in cents (0 where empty) and whether each cell was given."""
        col = self.columns[name]
        return np.asarray(col.values, dtype=np.int64), ~col.empty

    def codes(self, name: str) -> Codes:
        """A text column as codes into its distinct texts."""
        col = self.columns[name]
        if not isinstance(col, TextColumn):  # specs of text columns always give TextColumn
            raise TypeError(f"column {name} is not text")
        return col.coded


def merged(specs: Iterable[ColumnSpec]) -> tuple[ColumnSpec, ...]:
    """Specs without repeats (the first spec of a name wins)."""
    seen: dict[str, ColumnSpec] = {}
    for s in specs:
        seen.setdefault(s.name, s)
    return tuple(seen.values())


def _ids(frame: pd.DataFrame) -> Codes:
    if "participant_id" in frame.columns:
        return text(frame["participant_id"], allow_int=True).coded
    return Codes(np.full(len(frame), -1, dtype=np.int64), np.zeros(0, dtype=object))


def _read(
    frame: pd.DataFrame, specs: Sequence[ColumnSpec]
) -> tuple[dict[str, Column], list[dict[str, Any]]]:
    """Converted columns and their problems (ids are looked up only when there are problems;
    a table read from a file names its file, sheet and source row)."""
    log = ProblemLog()
    cols = check_columns(frame, "participants", specs, log, None)
    if log:
        log = ProblemLog(sources=file_sources(participants=frame))
        cols = check_columns(frame, "participants", specs, log, _ids(frame))
    return cols, log.records


def _empty_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    items = pd.DataFrame(
        {
            "participant_id": pd.Series([], dtype=object),
            "service": pd.Series([], dtype=object),
            "team_rank": pd.Series([], dtype=np.int64),
            "recommended_units": pd.Series([], dtype=np.int64),
        }
    )
    services = pd.DataFrame(
        {
            "service": pd.Series([], dtype=object),
            "unit": pd.Series([], dtype=object),
            "unit_price_eur": pd.Series([], dtype=np.float64),
        }
    )
    return items, services


def _records(exc: InputError) -> list[dict[str, Any]]:
    df = exc.problems.astype(object)
    return [
        {str(k): v for k, v in r.items()} for r in df.where(df.notna(), None).to_dict("records")
    ]


def load(
    participants: object,
    plan_items: object | None,
    services: object | None,
    period_weeks: int,
    specs: Sequence[ColumnSpec],
    needs_plan: bool,
) -> Inputs:
    """Validate the tables (contract v1 and the formula's assessment columns) in one pass.

    Raises ``InputError`` listing every problem; a problem of a contract column that
    :func:`~ibm_engine.tables.prepare` reports is not repeated for the same row and column.
    """
    frame = as_frame(participants, "participants")
    cols, mine = _read(frame, specs)
    missing = []
    for name, table in (("plan_items", plan_items), ("services", services)):
        if needs_plan and table is None:
            missing.append(
                {
                    "table": name,
                    "row": None,
                    "participant_id": None,
                    "column": None,
                    "reason": "is required by this budget formula",
                }
            )
    empty_items, empty_services = _empty_tables()
    items = empty_items if plan_items is None or not needs_plan else plan_items
    svc = empty_services if services is None or not needs_plan else services
    try:
        with warnings.catch_warnings():
            if not needs_plan:  # no catalogue is read: a municipality cannot be unknown to it
                warnings.simplefilter("ignore", UnknownMunicipalityWarning)
            prep = prepare(frame, items, svc, period_weeks=period_weeks, budget_required=False)
    except InputError as exc:
        theirs = _records(exc)
        seen = {(p["row"], p["column"]) for p in theirs}
        rest = [p for p in mine if (p["row"], p["column"]) not in seen]
        raise InputError(theirs + rest + missing) from None
    if mine or missing:
        raise InputError(mine + missing)
    return Inputs(prep, cols)


def problems_of(participants: pd.DataFrame, specs: Sequence[ColumnSpec]) -> list[dict[str, Any]]:
    """The problems of the assessment columns of ``participants`` (none: an empty list)."""
    return _read(as_frame(participants, "participants"), specs)[1]


def from_prepared(prep: Prepared, specs: Sequence[ColumnSpec]) -> Inputs:
    """The assessment columns of already validated participants; ``InputError`` if any is bad."""
    cols, records = _read(prep.participants, specs)
    if records:
        raise InputError(records)
    return Inputs(prep, cols)
