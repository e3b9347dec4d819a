"""Disruption and pause tables: validation (every problem at once) and month shares.

A *disruption* makes a service (in one municipality, or everywhere) partly or wholly
unavailable between two dates: a closure (COVID-19) or a provider shortage. A *pause* is a
participant's own choice to stop one service (or all) for a while.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import FloatArray
from ibm_engine.errors import InputError

__all__ = [
    "COVID_2020_DAY_CARE_SHARE",
    "DISRUPTION_KINDS",
    "covid_2020_disruptions",
    "month_shares",
    "validate_disruptions",
    "validate_pauses",
]

#: kinds of a disruption row and the underspend reason code each gives
DISRUPTION_KINDS = {"closure": "closure", "shortage": "provider_shortage"}

#: assumption: "day care only in single cases" during the 2020 emergency -> 10% available
COVID_2020_DAY_CARE_SHARE = 0.1

_COVID_CLOSED = (
    "physiotherapy",
    "occupational_therapy",
    "speech_therapy",
    "montessori",
    "pedagogue",
)


def covid_2020_disruptions() -> pd.DataFrame:
    """The 2020-03-12 .. 2020-06-09 emergency as a disruptions table (all municipalities).

    Physiotherapy, occupational and speech therapy, Montessori and pedagogue sessions could not
    be delivered (share 0); day care centres only in single cases (share
    :data:`COVID_2020_DAY_CARE_SHARE`, an assumption). Psychologist, assistant and support
    person continued and are not in the table. Source: GRT pilot report (DOMAIN.md).

    Examples
    --------
    >>> t = covid_2020_disruptions()
    >>> t[["service", "share_available"]].tail(2).to_numpy().tolist()
    [['pedagogue', 0.0], ['day_care_centre', 0.1]]
    """
    services = [*_COVID_CLOSED, "day_care_centre"]
    shares = [0.0] * len(_COVID_CLOSED) + [COVID_2020_DAY_CARE_SHARE]
    n = len(services)
    return pd.DataFrame(
        {
            "service": services,
            "municipality": [""] * n,
            "from_date": [date(2020, 3, 12)] * n,
            "to_date": [date(2020, 6, 9)] * n,
            "share_available": shares,
            "kind": ["closure"] * n,
        }
    )


_ALIASES = {"from": "from_date", "to": "to_date"}


def _problem(table: str, row: object, column: str, reason: str) -> dict[str, Any]:
    return {"table": table, "row": row, "participant_id": None, "column": column, "reason": reason}


def _blank(values: pd.Series) -> np.ndarray:
    """True where a cell is missing or an empty string (meaning "all")."""
    s = values.astype(object)
    return np.asarray(s.isna() | (s.astype(str).str.strip() == ""), dtype=bool)


def _dates(table: str, df: pd.DataFrame, column: str, problems: list[dict[str, Any]]) -> pd.Series:
    parsed = pd.to_datetime(df[column], errors="coerce")
    for label in df.index[parsed.isna().to_numpy()]:
        problems.append(_problem(table, label, column, "must be a date"))
    return parsed


def _common(
    table: str, df: object, required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    if not isinstance(df, pd.DataFrame):
        raise InputError([_problem(table, None, "", "must be a pandas DataFrame")])
    # ``from`` / ``to`` are accepted as short names of ``from_date`` / ``to_date``
    df = df.rename(columns={k: v for k, v in _ALIASES.items() if k in df and v not in df})
    problems = [_problem(table, None, c, "missing column") for c in required if c not in df]
    if problems:
        raise InputError(problems)
    out = df.copy()
    for c in optional:
        if c not in out:
            out[c] = ""
    return out, problems


def validate_disruptions(table: object) -> pd.DataFrame:
    """Check a disruptions table column by column and return its canonical form.

    Columns: ``service`` (required), ``municipality`` (empty = all), ``from_date``,
    ``to_date`` (inclusive, ``to_date >= from_date``), ``share_available`` (0..1) and ``kind``
    (``closure``, the default, or ``shortage``). Every problem is collected before an
    :class:`~ibm_engine.errors.InputError` names them (row label and column).

    Examples
    --------
    >>> bad = covid_2020_disruptions().assign(share_available=[0, 0, 0, 0, 0, 1.5])
    >>> validate_disruptions(bad)
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 1 input problem:
      disruptions, row 5, column share_available: must be a number in 0..1
    """
    name = "disruptions"
    df, problems = _common(
        name,
        table,
        ("service", "from_date", "to_date", "share_available"),
        ("municipality", "kind"),
    )
    for label in df.index[_blank(df["service"])]:
        problems.append(_problem(name, label, "service", "must be a service name"))
    start = _dates(name, df, "from_date", problems)
    end = _dates(name, df, "to_date", problems)
    for label in df.index[(end < start).to_numpy()]:
        problems.append(_problem(name, label, "to_date", "must not be before from_date"))
    share = pd.to_numeric(df["share_available"], errors="coerce")
    bad = share.isna() | (share < 0) | (share > 1)
    for label in df.index[bad.to_numpy()]:
        problems.append(_problem(name, label, "share_available", "must be a number in 0..1"))
    kind = df["kind"].astype(object).where(~_blank(df["kind"]), "closure")
    for label in df.index[~kind.isin(list(DISRUPTION_KINDS)).to_numpy()]:
        problems.append(_problem(name, label, "kind", "must be 'closure' or 'shortage'"))
    if problems:
        raise InputError(problems)
    muni = df["municipality"].astype(object).where(~_blank(df["municipality"]), "")
    return pd.DataFrame(
        {
            "service": df["service"].astype(str).to_numpy(),
            "municipality": muni.astype(str).to_numpy(),
            "from_date": start.to_numpy(dtype="datetime64[D]"),
            "to_date": end.to_numpy(dtype="datetime64[D]"),
            "share_available": share.to_numpy(dtype=np.float64),
            "kind": kind.astype(str).to_numpy(),
        }
    )


def validate_pauses(table: object) -> pd.DataFrame:
    """Check a pauses table: ``participant_id``, ``service`` (empty = all), ``from_date``,
    ``to_date`` (inclusive); returns the canonical form or raises one InputError.

    Examples
    --------
    >>> validate_pauses(pd.DataFrame({"participant_id": ["P1"], "from_date": ["2020-04-01"],
    ...                               "to_date": ["2020-03-01"]}))
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 1 input problem:
      pauses, row 0, column to_date: must not be before from_date
    """
    name = "pauses"
    df, problems = _common(name, table, ("participant_id", "from_date", "to_date"), ("service",))
    for label in df.index[_blank(df["participant_id"])]:
        problems.append(_problem(name, label, "participant_id", "must be a participant id"))
    start = _dates(name, df, "from_date", problems)
    end = _dates(name, df, "to_date", problems)
    for label in df.index[(end < start).to_numpy()]:
        problems.append(_problem(name, label, "to_date", "must not be before from_date"))
    if problems:
        raise InputError(problems)
    service = df["service"].astype(object).where(~_blank(df["service"]), "")
    return pd.DataFrame(
        {
            "participant_id": df["participant_id"].astype(str).to_numpy(),
            "service": service.astype(str).to_numpy(),
            "from_date": start.to_numpy(dtype="datetime64[D]"),
            "to_date": end.to_numpy(dtype="datetime64[D]"),
        }
    )


def month_shares(
    start: np.ndarray, end: np.ndarray, share: FloatArray, months: pd.DatetimeIndex
) -> FloatArray:
    """Available share of each (interval, month): ``1 - days_inside / days_in_month x (1 -
    share)``, so a month partly inside an interval uses the share of its days.

    Examples
    --------
    >>> m = pd.date_range("2020-03-01", periods=2, freq="MS")
    >>> s = month_shares(np.array(["2020-03-12"], "datetime64[D]"),
    ...                  np.array(["2020-06-09"], "datetime64[D]"), np.array([0.0]), m)
    >>> (s * 31).round(6).tolist()
    [[11.0, 0.0]]
    """
    first = months.to_numpy(dtype="datetime64[D]")
    last = (months + pd.offsets.MonthEnd(0)).to_numpy(dtype="datetime64[D]")
    days = (last - first).astype(np.int64) + 1
    lo = np.maximum(start.astype("datetime64[D]")[:, None], first[None, :])
    hi = np.minimum(end.astype("datetime64[D]")[:, None], last[None, :])
    inside = np.clip((hi - lo).astype(np.int64) + 1, 0, None)
    out: FloatArray = 1.0 - inside / days[None, :] * (1.0 - share[:, None])
    return out
