"""Rules of the plan_items table that span rows: uniqueness and all-or-none columns.

Everything runs on integer codes (participant ids and services factorised once), so the
checks cost a few hash passes however many millions of plan lines there are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray, IntArray
from ibm_engine.tables._catalogue import Catalogue
from ibm_engine.tables._convert import Codes, Column, TextColumn
from ibm_engine.tables._problems import ProblemLog

__all__ = ["check_plan_rules"]

_T = "plan_items"


def _dup_pairs(a: IntArray, b: IntArray, ok: BoolArray) -> BoolArray:
    """Rows (among ``ok``) whose pair ``(a, b)`` occurs more than once."""
    out = np.zeros(a.shape[0], dtype=bool)
    every = bool(ok.all())
    idx = np.arange(0) if every else np.flatnonzero(ok)
    if (a.shape[0] if every else idx.shape[0]) < 2:
        return out
    aa, bb = (a, b) if every else (a[idx], b[idx])
    span = int(bb.max()) - int(bb.min()) + 1
    if span > 0 and int(aa.max()) < (2**62) // span:
        key = aa * np.int64(span) + (bb - bb.min())
        top = int(key.max()) + 1
        if top <= max(4 * key.shape[0], 1 << 20):  # few distinct keys: count them (no hash)
            dup = np.bincount(key, minlength=top)[key] > 1
        else:
            dup = pd.Series(key).duplicated(keep=False).to_numpy(dtype=bool)
    else:
        dup = pd.DataFrame({"a": aa, "b": bb}).duplicated(keep=False).to_numpy(dtype=bool)
    if every:
        return np.asarray(dup, dtype=bool)
    out[idx] = dup
    return out


def check_plan_rules(
    cols: dict[str, Column],
    pid: Codes,
    attributable: Codes,
    cat: Catalogue,
    log: ProblemLog,
) -> None:
    """Record the cross-row problems of the plan items (see CONTRACT.md, plan_items).

    ``pid`` are the items' participant ids as written; ``attributable`` the same ids where
    they name a participant of the participants table (problems elsewhere are fatal).
    """
    has_pid = pid.codes >= 0
    svc = cols.get("service")
    if isinstance(svc, TextColumn):
        codes = svc.coded.codes
        ok = codes >= 0
        services = cat.services
        known = np.array([t in services for t in svc.coded.texts], dtype=bool)
        unknown = ok & ~(known[np.maximum(codes, 0)] if known.shape[0] else ok)
        log.add_rows(
            _T,
            "service",
            unknown,
            "service is not in the catalogue",
            attributable,
            detail=svc.coded,
            with_row=True,
        )
        dup = _dup_pairs(pid.codes, codes, ok & has_pid)
        log.add_rows(
            _T,
            "service",
            dup,
            "service appears more than once in the participant's plan",
            attributable,
            detail=svc.coded,
            with_row=True,
        )
    for name in ("team_rank", "family_rank"):
        c = cols.get(name)
        if c is None:
            continue
        ok = ~c.empty & ~c.bad & has_pid
        dup = _dup_pairs(pid.codes, np.asarray(c.values, dtype=np.int64), ok)
        log.add_rows(
            _T,
            name,
            dup,
            f"{name} is not unique within the participant",
            attributable,
            detail=c.values,
            with_row=True,
        )
    n_ids = int(pid.texts.shape[0])
    for name in ("family_rank", "weight"):
        c = cols.get(name)
        if c is None or n_ids == 0:
            continue
        safe = np.where(has_pid, pid.codes, 0)
        given = np.bincount(safe, weights=(~c.empty & has_pid), minlength=n_ids)
        total = np.bincount(safe, weights=has_pid, minlength=n_ids)
        partial = has_pid & c.empty & (given[safe] > 0) & (given[safe] < total[safe])
        log.add_rows(
            _T,
            name,
            partial,
            f"{name} is given for some but not all of the participant's items",
            attributable,
            with_row=True,
        )
