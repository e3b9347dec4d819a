"""Rules of the plan_items table that span rows: uniqueness and all-or-none columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ibm_engine.tables._catalogue import Catalogue
from ibm_engine.tables._convert import Column, fill
from ibm_engine.tables._problems import ProblemLog

__all__ = ["check_plan_rules"]

_T = "plan_items"


def _dup_within(pid: pd.Series, values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Rows whose value repeats another row's of the same participant."""
    frame = pd.DataFrame({"p": pid, "v": values})
    dup: np.ndarray = frame.duplicated(keep=False).to_numpy(dtype=bool) & ok
    return dup & pid.notna().to_numpy(dtype=bool)


def check_plan_rules(
    items: pd.DataFrame,
    cols: dict[str, Column],
    pids: np.ndarray | None,
    cat: Catalogue,
    log: ProblemLog,
) -> None:
    """Record the cross-row problems of the plan items (see CONTRACT.md, plan_items)."""
    if pids is None or "participant_id" not in items.columns:
        return
    raw_pid = items["participant_id"].to_numpy(dtype=object)
    key = pd.Series(fill(pids, pd.isna(pids), None), dtype="object")
    svc = cols.get("service")
    if svc is not None:
        ok = ~svc.empty & ~svc.bad
        unknown = ok & ~pd.Series(svc.values, dtype=object).isin(list(cat.services)).to_numpy()
        log.add_rows(
            _T,
            "service",
            unknown,
            "service is not in the catalogue",
            pids,
            detail=svc.values,
            with_row=True,
        )
        dup = _dup_within(key, svc.values, ok)
        log.add_rows(
            _T,
            "service",
            dup,
            "service appears more than once in the participant's plan",
            pids,
            detail=svc.values,
            with_row=True,
        )
    for name in ("team_rank", "family_rank"):
        c = cols.get(name)
        if c is None:
            continue
        ok = ~c.empty & ~c.bad
        dup = _dup_within(key, np.where(ok, c.values, -1), ok)
        log.add_rows(
            _T,
            name,
            dup,
            f"{name} is not unique within the participant",
            pids,
            detail=c.values,
            with_row=True,
        )
    for name in ("family_rank", "weight"):
        c = cols.get(name)
        if c is None:
            continue
        given = pd.Series(~c.empty)
        n_given = given.groupby(key.fillna("\x00missing"), sort=False).transform("sum")
        n_all = given.groupby(key.fillna("\x00missing"), sort=False).transform("size")
        partial = ((n_given > 0) & (n_given < n_all)).to_numpy() & c.empty & key.notna().to_numpy()
        log.add_rows(
            _T,
            name,
            partial,
            f"{name} is given for some but not all of the participant's items",
            pids,
            with_row=True,
        )
    del raw_pid
