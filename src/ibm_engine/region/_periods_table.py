"""The ``periods`` table: validation (every problem at once) and one row per participant and period.

Columns: ``participant_id`` (optional; empty = every participant without rows of its own),
``period`` (1, 2, ...), ``start_date``, ``end_date`` (inclusive) and / or ``weeks``,
``budget_eur`` (optional; empty = the participant's ``budget_eur``).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray, IntArray
from ibm_engine.errors import InputError
from ibm_engine.tables import ColumnSpec, ProblemLog
from ibm_engine.tables._columns import as_frame, check_columns
from ibm_engine.tables._convert import Column, money
from ibm_engine.tables._sources import file_sources

__all__ = ["PERIODS", "PERIOD_COLUMNS", "validate_periods"]

#: columns of the canonical periods table, one row per participant and period
PERIOD_COLUMNS = (
    "participant_id", "period", "start_date", "end_date", "weeks", "months", "budget_cents",
    "budget_source", "row",
)  # fmt: skip

_NAME = "periods"


#: the periods table's columns, defined once (validation and the docs' table read these specs)
PERIODS: Final = (
    ColumnSpec(
        "participant_id", "id", False, empty="every participant without rows of its own",
        description="the participant the row is for",
    ),
    ColumnSpec(
        "period", "int", True, ge=1, description="1, 2, ... within a participant, without gaps"
    ),
    ColumnSpec("start_date", "date", True, description="first day of the period"),
    ColumnSpec(
        "end_date", "date", False, empty="`start_date` + 7 x `weeks` - 1 day",
        description="last day (inclusive); give `end_date` or `weeks` (or both)",
    ),
    ColumnSpec(
        "weeks", "int", False, ge=1, empty="the days from start to end in whole weeks",
        unit="weeks", description="length in weeks: the allocation's `period_weeks`",
    ),
    ColumnSpec(
        "budget_eur", "money", False, ge=0, empty="the participant's `budget_eur`", unit="EUR",
        description="the period's budget",
    ),
)  # fmt: skip


def _problem(row: int | None, column: str, reason: str, pid: str | None = None) -> dict[str, Any]:
    return {"table": _NAME, "row": row, "participant_id": pid, "column": column, "reason": reason}


def _months(start: np.ndarray, end: np.ndarray) -> IntArray:
    m0 = start.astype("datetime64[M]").astype(np.int64)
    out: IntArray = end.astype("datetime64[M]").astype(np.int64) - m0 + 1
    return out


def _absent(n: int, kind: str) -> Column:
    """An absent optional column: every cell empty."""
    if kind == "date":
        values = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    else:
        values = np.zeros(n, dtype=np.int64)
    return Column(values, np.ones(n, dtype=bool), np.zeros(n, dtype=bool))


def _row_checks(df: pd.DataFrame, log: ProblemLog) -> dict[str, Any]:
    """Column-wise checks; returns the converted columns (values of bad rows are junk)."""
    n = len(df)
    got = check_columns(df, _NAME, PERIODS, log, None, attributable=False)
    if "end_date" not in df and "weeks" not in df:
        log.add(_NAME, "end_date", "required column is missing (give end_date or weeks)",
                attributable=False)  # fmt: skip
    if any(p["row"] is None for p in log.records):  # a column is missing
        raise InputError(log.records)
    cols = {s.name: got.get(s.name) or _absent(n, s.kind) for s in PERIODS}
    pid, start, end = cols["participant_id"], cols["start_date"], cols["end_date"]
    weeks, budget = cols["weeks"], cols["budget_eur"]
    log.add_rows(_NAME, "end_date", end.empty & weeks.empty, "give end_date or weeks (both empty)",
                 None, attributable=False)  # fmt: skip
    ok_dates = ~(start.empty | start.bad | end.empty | end.bad)
    log.add_rows(_NAME, "end_date", ok_dates & (end.values < start.values),
                 "must not be before start_date", None, attributable=False)  # fmt: skip
    # derived: the end from the weeks, or the weeks from the days (rounded to whole weeks)
    days = np.where(ok_dates, (end.values - start.values).astype(np.int64) + 1, 7)
    weeks_out = np.where(weeks.empty, np.maximum((days + 3) // 7, 1), weeks.values)
    fill_end = end.empty & ~start.bad & ~start.empty
    end_out = np.where(fill_end, start.values + 7 * weeks_out - 1, end.values)
    return {
        "pid": np.where(pid.empty | pid.bad, "", pid.values).astype(object),
        "period": cols["period"].values,
        "start": start.values,
        "end": end_out.astype("datetime64[D]"),
        "weeks": weeks_out.astype(np.int64),
        "budget_empty": budget.empty,
        "budget": budget.values,
    }


def _clean(problems: list[dict[str, Any]], n: int, columns: tuple[str, ...]) -> BoolArray:
    """Rows without a problem in any of ``columns``."""
    bad = [p["row"] - 1 for p in problems if p["row"] is not None and p["column"] in columns]
    out = np.ones(n, dtype=bool)
    out[np.asarray(bad, dtype=np.int64)] = False
    return out


def _group_checks(
    cols: dict[str, Any], keyed: BoolArray, dated: BoolArray, problems: list[dict[str, Any]]
) -> None:
    """Duplicates and numbering 1..n (rows with a valid participant and period) and
    consecutive dates (pairs of rows with valid dates) within each group: a participant or the
    rows for all participants. A row with a bad date is not compared with its neighbours."""
    idx = np.flatnonzero(keyed)
    g = pd.DataFrame(
        {
            "key": cols["pid"][idx],
            "period": cols["period"][idx],
            "start": cols["start"][idx],
            "end": cols["end"][idx],
            "dated": dated[idx],
            "row": idx + 1,
        }
    ).sort_values(["key", "period", "row"], kind="stable")
    dup = g.duplicated(["key", "period"]).to_numpy()
    for row, key, per in g.loc[dup, ["row", "key", "period"]].itertuples(index=False):
        whom = f"participant {key}" if key else "all participants"
        problems.append(_problem(int(row), "period", f"period {per} given twice for {whom}"))
    g = g.loc[~dup]
    who = g["key"].to_numpy(object)
    expected = g.groupby("key", sort=False).cumcount().to_numpy() + 1
    gap = g["period"].to_numpy() != expected
    first_gap = gap & (pd.Series(gap).groupby(who).cumsum().to_numpy() == 1)
    for row, key, exp in zip(g["row"].to_numpy()[first_gap], who[first_gap],
                             expected[first_gap], strict=True):  # fmt: skip
        problems.append(
            _problem(
                int(row),
                "period",
                f"periods must be numbered 1, 2, ...: period {exp} is missing",
                key or None,
            )
        )
    same = np.r_[False, who[1:] == who[:-1]]
    end = g["end"].to_numpy().astype("datetime64[D]")
    prev_end = np.r_[np.datetime64("NaT", "D"), end[:-1]]
    start = g["start"].to_numpy().astype("datetime64[D]")
    ok = g["dated"].to_numpy(bool)
    same &= ok & np.r_[False, ok[:-1]]
    overlap = same & (start <= prev_end)
    hole = same & (start > prev_end + 1)
    prev_period = np.r_[0, g["period"].to_numpy()[:-1]]
    for mask, what in ((overlap, "overlaps"), (hole, "leaves a gap after")):
        for row, key, p, e in zip(g["row"].to_numpy()[mask], who[mask], prev_period[mask],
                                  prev_end[mask], strict=True):  # fmt: skip
            problems.append(
                _problem(
                    int(row),
                    "start_date",
                    f"{what} period {p} (ends {e})",
                    key or None,
                )
            )


def _unique_ids(parts: pd.DataFrame) -> None:
    """Participant ids must be unique (each later row of an id is named)."""
    ids = parts["participant_id"].astype(str).to_numpy(object)
    again = np.flatnonzero(pd.Series(ids).duplicated().to_numpy()).tolist()
    if again:
        raise InputError(
            [
                {"table": "participants", "row": r + 1, "participant_id": ids[r],
                 "column": "participant_id", "reason": f"{ids[r]} appears more than once"}
                for r in again
            ]
        )  # fmt: skip


def validate_periods(table: object, participants: pd.DataFrame) -> pd.DataFrame:
    """Check a periods table and expand it to one row per participant and period.

    A participant with rows of its own uses only those; every other participant uses the rows
    whose ``participant_id`` is empty. ``weeks`` (the allocation's ``period_weeks``) defaults to
    the days from start to end rounded to whole weeks; ``end_date`` defaults to ``start_date +
    7 x weeks - 1`` days. Within a participant, periods are numbered 1, 2, ... and each starts
    the day after the previous one ends. An empty ``budget_eur`` takes the participant's
    ``budget_eur``. Every problem is collected before one :class:`InputError` names them
    (row = 1-based row number of the periods table).

    Examples
    --------
    >>> people = pd.DataFrame({"participant_id": ["A", "B"], "budget_eur": [100.0, 200.0]})
    >>> t = pd.DataFrame({"period": [1, 2], "start_date": ["2018-09-01", "2019-03-01"],
    ...                   "end_date": ["2019-02-28", "2019-08-31"]})
    >>> validate_periods(t, people)[["participant_id", "period", "weeks", "months"]]
      participant_id  period  weeks  months
    0              A       1     26       6
    1              A       2     26       6
    2              B       1     26       6
    3              B       2     26       6
    >>> validate_periods(t.assign(start_date=["2018-09-01", "2019-02-01"]), people)
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 1 input problem:
      periods, row 2, column start_date: overlaps period 1 (ends 2019-02-28)
    """
    _unique_ids(participants)
    df = as_frame(table, _NAME)
    log = ProblemLog(sources=file_sources(periods=table))
    cols = _row_checks(df, log)
    problems = log.records
    n = len(df)
    _group_checks(cols, _clean(problems, n, ("participant_id", "period")),
                  _clean(problems, n, ("start_date", "end_date", "weeks")), problems)  # fmt: skip
    ids = participants["participant_id"].astype(str).to_numpy(object)
    known = pd.Index(ids)
    pid = cols["pid"]
    unknown = (pid != "") & (known.get_indexer(pid) < 0)
    for r in np.flatnonzero(unknown):
        problems.append(
            _problem(int(r) + 1, "participant_id", f"{pid[r]} is not in participants", pid[r])
        )
    own = set(pid[pid != ""].tolist())
    has_all = bool((pid == "").any())
    for p in ids:
        if p not in own and not has_all:
            problems.append(
                _problem(
                    None,
                    "participant_id",
                    f"participant {p} has no period (no row of its own, none for all)",
                    str(p),
                )
            )
    if problems:
        raise InputError(problems)
    return _expand(cols, ids, participants, problems)


def _expand(
    cols: dict[str, Any], ids: np.ndarray, participants: pd.DataFrame,
    problems: list[dict[str, Any]],
) -> pd.DataFrame:  # fmt: skip
    pid = cols["pid"]
    n = pid.shape[0]
    rows = pd.DataFrame(
        {
            "participant_id": pid,
            "period": cols["period"],
            "start_date": cols["start"],
            "end_date": cols["end"],
            "weeks": cols["weeks"],
            "months": _months(cols["start"], cols["end"]),
            "budget_cents": cols["budget"],
            "budget_empty": cols["budget_empty"],
            "row": np.arange(1, n + 1),
        }
    )
    own = rows[pid != ""]
    others = pd.DataFrame({"participant_id": ids[~pd.Index(ids).isin(own["participant_id"])]})
    shared = others.merge(rows[pid == ""].drop(columns="participant_id"), how="cross")
    out = pd.concat([own, shared], ignore_index=True)
    order = pd.Index(ids).get_indexer(out["participant_id"])
    out = out.iloc[np.lexsort((out["period"].to_numpy(), order))].reset_index(drop=True)
    empty = out["budget_empty"].to_numpy(bool)
    if empty.any():
        given = participants.get("budget_eur", None)
        own_budget = money(given if given is not None else pd.Series([None] * len(ids)))
        bad_own = own_budget.empty | own_budget.bad | (own_budget.values < 0)
        at = pd.Index(ids).get_indexer(out["participant_id"])
        missing = empty & bad_own[at]
        for r, p in out.loc[missing, ["row", "participant_id"]].itertuples(index=False):
            problems.append(
                _problem(
                    int(r),
                    "budget_eur",
                    f"empty, and participants.budget_eur of {p} is not a valid amount",
                    str(p),
                )
            )
        if problems:
            raise InputError(problems)
        values = out["budget_cents"].to_numpy(np.int64)
        out["budget_cents"] = np.where(empty, own_budget.values[at], values)
    out["budget_source"] = np.where(empty, "participants", "periods")
    canonical: pd.DataFrame = out.loc[:, list(PERIOD_COLUMNS)]
    return canonical
