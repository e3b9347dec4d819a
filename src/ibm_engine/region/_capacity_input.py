"""The capacities table (municipality, service, units per period), validated column-wise."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.errors import InputError
from ibm_engine.tables._columns import as_frame

__all__ = ["CAPACITY_COLUMNS", "problem", "read_capacities"]

CAPACITY_COLUMNS = ("municipality", "service", "units")


def problem(row: int | None, column: str, reason: str, table: str = "capacities") -> dict[str, Any]:
    return {"table": table, "row": row, "participant_id": None, "column": column, "reason": reason}


def read_capacities(capacities: object) -> pd.DataFrame:
    """Validate the capacities table column-wise; every problem is reported (1-based rows).

    Returns a frame with ``municipality`` and ``service`` (text) and ``units`` (int64 >= 0).
    """
    df = as_frame(capacities, "capacities").reset_index(drop=True)
    problems: list[dict[str, Any]] = []
    for c in CAPACITY_COLUMNS:
        if c not in df.columns:
            problems.append(problem(None, c, "required column is missing"))
    rows = np.arange(1, len(df) + 1)
    out = pd.DataFrame(index=df.index)
    for c in ("municipality", "service"):
        if c not in df.columns:
            continue
        col = df[c]
        ok = np.array([isinstance(x, str) and x.strip() != "" for x in col], dtype=bool)
        for r in rows[~ok].tolist():
            problems.append(problem(r, c, "must be non-empty text"))
        out[c] = [x.strip() if isinstance(x, str) else "" for x in col]
    if "units" in df.columns:
        raw = df["units"]
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        is_bool = np.array([isinstance(x, bool | np.bool_) for x in raw], dtype=bool)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(num) | (num < 0) | (num != np.floor(num)) | is_bool
        for r in rows[bad].tolist():
            problems.append(problem(r, "units", "must be a whole number of units >= 0"))
        out["units"] = np.where(bad, 0, np.nan_to_num(num)).astype(np.int64)
    if "municipality" in out.columns and "service" in out.columns:
        dup = out.duplicated(["municipality", "service"], keep=False).to_numpy()
        for r in rows[dup].tolist():
            problems.append(problem(r, "service", "(municipality, service) is not unique"))
    if problems:
        raise InputError(problems)
    return out
