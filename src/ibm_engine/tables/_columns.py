"""Column-wise validation of one table against its contract columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from ibm_engine.tables._convert import Column, TextColumn, integer, money, number, text
from ibm_engine.tables._problems import ProblemLog
from ibm_engine.tables._schema import ColumnSpec

__all__ = ["as_frame", "check_columns"]

_KIND_TEXT = {
    "id": "must be text",
    "text": "must be text",
    "int": "must be a whole number",
    "float": "must be a finite number",
    "money": "must be a finite amount in EUR with whole cents",
}


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
    if df.columns.duplicated().any():
        dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise InputError(
            [
                {
                    "table": table,
                    "row": None,
                    "participant_id": None,
                    "column": c,
                    "reason": "column appears more than once",
                }
                for c in dup
            ]
        )
    return df.reset_index(drop=True)


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
) -> dict[str, Column]:
    """Convert and check every contract column of ``df``; problems go to ``log``.

    A missing required column is a problem that belongs to no participant. Returns the
    converted columns present (absent optional columns are left out).
    """
    out: dict[str, Column] = {}
    for spec in specs:
        if spec.name in skip:
            continue
        if spec.name not in df.columns:
            if spec.required:
                log.add(table, spec.name, "required column is missing", attributable=False)
            continue
        s = df[spec.name]
        col: Column
        if spec.kind in ("id", "text"):
            col = text(s, allow_int=spec.kind == "id")
        elif spec.kind == "int":
            col = integer(s)
        elif spec.kind == "float":
            col = number(s)
        else:
            col = money(s)
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
        log.add_rows(
            table,
            spec.name,
            col.bad,
            _KIND_TEXT[spec.kind],
            pids,
            detail=s,
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
                detail=s,
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
                detail=s,
                attributable=attributable,
                with_row=with_row,
            )
    return out
