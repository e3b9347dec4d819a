"""Column-wise validation of one table against its contract columns."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from ibm_engine.domain._columns import KINDS
from ibm_engine.errors import IbmEngineWarning, InputError
from ibm_engine.tables._convert import Column, TextColumn, convert
from ibm_engine.tables._hints import LV_HINT, Shown, column_hint, normalise_name, number_text_hint
from ibm_engine.tables._problems import ProblemLog
from ibm_engine.tables._schema import ColumnSpec

__all__ = ["as_frame", "check_columns"]


def as_frame(obj: object, table: str) -> pd.DataFrame:
    """Anything ``pd.DataFrame(...)`` accepts, as a DataFrame with a fresh 0..n-1 index."""
    from ibm_engine.errors import InputError

    try:
        df = obj if isinstance(obj, pd.DataFrame) else pd.DataFrame(cast(Any, obj))
    except Exception as exc:
        raise InputError(
            [
                {
                    "table": table,
                    "row": None,
                    "participant_id": None,
                    "column": None,
                    "reason": f"cannot be read as a table: {exc}",
                }
            ]
        ) from exc
    check_unique_columns(df.columns, table)
    return df.reset_index(drop=True)


def check_unique_columns(columns: pd.Index, table: str, **where: object) -> None:
    """Raise one InputError naming every column that appears more than once (``where``: the
    file, sheet and header row of a table read from a file)."""
    names = columns
    if not names.duplicated().any():
        return
    dup = sorted({str(c) for c in names[names.duplicated()]})
    raise InputError(
        [
            {
                "table": table,
                "row": None,
                "participant_id": None,
                "column": c,
                "reason": "column appears more than once",
                **where,
            }
            for c in dup
        ]
    )


def check_columns(
    df: pd.DataFrame,
    table: str,
    specs: Sequence[ColumnSpec],
    log: ProblemLog,
    pids: Any,
    *,
    attributable: bool = True,
    with_row: bool = False,
    skip: Sequence[str] = (),
    converted: Mapping[str, Column] | None = None,
) -> dict[str, Column]:
    """Convert and check every contract column of ``df``; problems go to ``log``.

    A missing required column is a problem that belongs to no participant (its reason
    suggests a column of the table with a near-miss name); an absent optional column with such
    a near miss among the extra columns is warned about. Returns the converted columns present
    (absent optional columns are left out). ``converted`` holds columns the caller has already
    converted by their kind (the ids): they are checked, not converted again.
    """
    out: dict[str, Column] = {}
    known = {spec.name for spec in specs}
    extra = [c for c in df.columns if c not in known]
    for spec in specs:
        if spec.name in skip:
            continue
        if spec.name not in df.columns:
            if spec.required:
                log.add(
                    table,
                    spec.name,
                    "required column is missing" + column_hint(spec.name, extra),
                    attributable=False,
                )
            else:
                _warn_near_miss(table, spec.name, extra)
            continue
        s = df[spec.name]
        done = converted.get(spec.name) if converted is not None else None
        col = done if done is not None else convert(spec.kind, s)
        out[spec.name] = col
        if spec.required:
            log.add_rows(
                table,
                spec.name,
                col.empty,
                "is required but empty",
                pids,
                attributable=attributable,
                with_row=with_row,
            )
        shown = Shown(s)
        for mask, reason in _bad_reasons(spec, s, col):
            log.add_rows(
                table,
                spec.name,
                mask,
                reason,
                pids,
                detail=shown,
                attributable=attributable,
                with_row=with_row,
            )
        ok = ~col.empty & ~col.bad
        if spec.choices and isinstance(col, TextColumn):
            allowed = np.array([t in spec.choices for t in col.coded.texts], dtype=bool)
            codes = col.coded.codes
            bad = ok & ~(allowed[np.maximum(codes, 0)] if allowed.shape[0] else ok)
            log.add_rows(
                table,
                spec.name,
                bad,
                f"must be one of {', '.join(spec.choices)}",
                pids,
                detail=shown,
                attributable=attributable,
                with_row=with_row,
            )
        if spec.rule is not None:
            with np.errstate(invalid="ignore"):
                broken = ok & spec.rule(np.asarray(col.values))
            log.add_rows(
                table,
                spec.name,
                broken,
                spec.rule_text,
                pids,
                detail=shown,
                attributable=attributable,
                with_row=with_row,
            )
    return out


def _bad_reasons(spec: ColumnSpec, cells: pd.Series, col: Column) -> list[tuple[Any, str]]:
    """The invalid cells of a column split by what to tell about them (masks and reasons)."""
    base = KINDS[spec.kind].problem
    if spec.kind in ("id", "text", "date") or not col.bad.any():
        return [(col.bad, base)]
    comma, groups, plain = number_text_hint(cells, col.bad)
    return [
        (col.bad & ~comma & ~groups & ~plain, base),
        (comma, f"{base}; text with a decimal comma: {LV_HINT}"),
        (groups, f"{base}; text with spaces between digit groups: {LV_HINT}"),
        (plain, f"{base}; a number written as text: give numbers, not text"),
    ]


def _warn_near_miss(table: str, name: str, extra: Sequence[object]) -> None:
    """Warn when an extra column is an absent optional column spelled differently."""
    near = [c for c in extra if normalise_name(c) == name]
    if near:
        warnings.warn(
            f"{table}: column {near[0]!r} is kept as an extra column and not read as "
            f"{name!r}; rename it to {name!r} if that is what it holds",
            IbmEngineWarning,
            stacklevel=5,
        )
