"""The capacities table (municipality, service, units per period), validated column-wise."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine.errors import InputError
from ibm_engine.tables import ColumnSpec
from ibm_engine.tables._columns import as_frame, check_columns
from ibm_engine.tables._problems import ProblemLog
from ibm_engine.tables._sources import file_sources

__all__ = ["CAPACITIES", "CAPACITY_COLUMNS", "problem", "read_capacities"]

#: the capacities table's columns, defined once (validation reads these specs)
CAPACITIES: Final = (
    ColumnSpec("municipality", "text", True, description="the municipality of the providers"),
    ColumnSpec("service", "text", True, description="the service they provide"),
    ColumnSpec("units", "int", True, ge=0, description="units they can provide in the period"),
)
CAPACITY_COLUMNS = tuple(spec.name for spec in CAPACITIES)


def problem(row: int | None, column: str, reason: str, table: str = "capacities") -> dict[str, Any]:
    return {"table": table, "row": row, "participant_id": None, "column": column, "reason": reason}


def read_capacities(capacities: object) -> pd.DataFrame:
    """Validate the capacities table column-wise; every problem is reported (1-based rows).

    Returns a frame with ``municipality`` and ``service`` (text) and ``units`` (int64 >= 0).
    """
    df = as_frame(capacities, "capacities").reset_index(drop=True)
    log = ProblemLog(sources=file_sources(capacities=capacities))
    cols = check_columns(df, "capacities", CAPACITIES, log, None, attributable=False)
    text = {
        c: df[c].map(lambda x: x.strip() if isinstance(x, str) else x).to_numpy(dtype=object)
        for c in ("municipality", "service")
        if c in df.columns
    }
    if len(text) == 2:  # one capacity per municipality and service
        pairs = pd.DataFrame({c: pd.Series(v, dtype=object).astype(str) for c, v in text.items()})
        dup = pairs.duplicated(keep=False).to_numpy()
        log.add_rows(
            "capacities", "service", dup, "(municipality, service) is not unique", None,
            attributable=False,
        )  # fmt: skip
    if log:
        raise InputError(log.records)
    return pd.DataFrame(
        {
            "municipality": text["municipality"].astype(str),
            "service": text["service"].astype(str),
            "units": np.asarray(cols["units"].values, dtype=np.int64),
        }
    )
