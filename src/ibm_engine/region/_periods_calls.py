"""One period's calls: its allocation (alone, or as a region within capacities) and the
problems of its tables, renumbered to the rows of the caller's tables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.allocation import AllocationResult, allocate
from ibm_engine.errors import InputError
from ibm_engine.region._capacity import RegionResult, allocate_region
from ibm_engine.tables._columns import as_frame
from ibm_engine.tables._convert import integer

__all__ = ["allocate_period", "region_options", "remap_problems"]


def allocate_period(
    participants: pd.DataFrame,
    plan_items: pd.DataFrame,
    services: object,
    options: dict[str, Any],
    capacities: pd.DataFrame | None,
) -> AllocationResult | RegionResult:
    """The one place a period is allocated: alone, or as a region within capacities."""
    if capacities is None:
        return allocate(participants, plan_items, services, **options)
    return allocate_region(participants, plan_items, services, capacities, **options)


_ROW_TAG = re.compile(r"\[row (\d+)\]")


def remap_problems(
    err: InputError, period: int, rows: dict[str, IntArray], tag: set[str]
) -> list[dict[str, Any]]:
    """The problems of one period's tables, with row numbers of the caller's tables; row
    problems of the tables in ``tag`` (those with a ``period`` column) name the period."""
    frame = err.problems.astype(object)
    out: list[dict[str, Any]] = []
    for rec in frame.where(frame.notna(), None).to_dict("records"):
        p = {str(k): v for k, v in rec.items()}
        table_rows = rows.get(str(p["table"]))
        if table_rows is not None:
            t = table_rows

            def caller_row(m: re.Match[str], t: IntArray = t) -> str:
                return f"[row {int(t[int(m.group(1)) - 1]) + 1}]"

            row = p["row"]
            if isinstance(row, int | float | np.integer) and not isinstance(row, bool):
                p["row"] = int(t[int(row) - 1]) + 1
            p["reason"] = _ROW_TAG.sub(caller_row, str(p["reason"]))
            if p["table"] in tag and p["row"] is not None:
                p["reason"] = f"{p['reason']} (period {period})"
        out.append(p)
    return out


def region_options(
    options: dict[str, Any], capacities: object, region: Mapping[str, Any] | None,
    canon: pd.DataFrame,
) -> tuple[dict[str, Any], pd.DataFrame, IntArray]:  # fmt: skip
    """Options of allocate_region, the capacities table and the period of each of its rows
    (0 = every period)."""
    if options["policy"] != "optimal" or options["merge"] != "borda":
        raise InputError.single(
            "arguments", "capacities", "the region allocation takes policy='optimal' and "
            "merge='borda' only",
        )  # fmt: skip
    extra = dict(region or {})
    allowed = {"weighting", "method", "max_iter", "rel_gap", "milp_seconds"}
    unknown = sorted(set(extra) - allowed)
    if unknown:
        raise InputError.single(
            "arguments", "region", f"unknown option(s) {unknown}; allowed: {sorted(allowed)}"
        )
    caps = as_frame(capacities, "capacities")
    periods = set(canon["period"].tolist())
    if "period" not in caps:
        return {"team_share": options["team_share"], **extra}, caps, np.zeros(len(caps), np.int64)
    col = integer(caps["period"])
    bad = col.empty | col.bad | ~np.isin(col.values, list(periods))
    if bad.any():
        raise InputError(
            [
                {"table": "capacities", "row": int(r) + 1, "participant_id": None,
                 "column": "period", "reason": "must be the number of a period"}
                for r in np.flatnonzero(bad)
            ]
        )  # fmt: skip
    out: IntArray = col.values.astype(np.int64)
    return {"team_share": options["team_share"], **extra}, caps, out
