"""Disruption and pause tables: validation (every problem at once) and month shares.

A *disruption* makes a service (in one municipality, or everywhere) partly or wholly
unavailable between two dates: a closure (COVID-19) or a provider shortage. A *pause* is a
participant's own choice to stop one service (or all) for a while.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from ibm_engine._typing import FloatArray
from ibm_engine.errors import InputError
from ibm_engine.tables import ColumnSpec, ProblemLog
from ibm_engine.tables._columns import check_columns, check_unique_columns
from ibm_engine.tables._convert import Column
from ibm_engine.tables._sources import file_sources

__all__ = [
    "COVID_2020_DAY_CARE_SHARE",
    "DISRUPTIONS",
    "DISRUPTION_KINDS",
    "PAUSES",
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

#: the disruptions table's columns, defined once (validation and the docs' table read these)
DISRUPTIONS: Final = (
    ColumnSpec("service", "text", True, description="the service that is disrupted"),
    ColumnSpec(
        "municipality", "text", False, empty="every municipality",
        description="the municipality whose providers are disrupted",
    ),
    ColumnSpec("from_date", "date", True, description="first day of the disruption"),
    ColumnSpec(
        "to_date", "date", True, description="last day (inclusive); not before `from_date`"
    ),
    ColumnSpec(
        "share_available", "float", True, ge=0, le=1,
        description="share of the planned units that can still be delivered (0 = none)",
    ),
    ColumnSpec(
        "kind", "text", False, choices=tuple(DISRUPTION_KINDS), empty="`closure`",
        description="`closure` (reason `closure`) or `shortage` (reason `provider_shortage`)",
    ),
)  # fmt: skip

#: the pauses table's columns
PAUSES: Final = (
    ColumnSpec("participant_id", "id", True, description="the participant who pauses"),
    ColumnSpec(
        "service",
        "text",
        False,
        empty="every service of the participant",
        description="the service paused",
    ),
    ColumnSpec("from_date", "date", True, description="first day of the pause"),
    ColumnSpec("to_date", "date", True, description="last day (inclusive); not before `from_date`"),
)


def _check(table: str, given: object, specs: tuple[ColumnSpec, ...]) -> dict[str, Column]:
    """Check a table column by column and its dates' order; returns the converted columns, or
    raises one InputError naming every problem (row = the 1-based row number, as for every
    table of the contract)."""
    if not isinstance(given, pd.DataFrame):
        raise InputError.single(table, "", "must be a pandas DataFrame")
    # ``from`` / ``to`` are accepted as short names of ``from_date`` / ``to_date``
    df = given.rename(columns={k: v for k, v in _ALIASES.items() if k in given and v not in given})
    check_unique_columns(df.columns, table)
    log = ProblemLog(sources=file_sources(**{table: given}))
    cols = check_columns(df.reset_index(drop=True), table, specs, log, None, attributable=False)
    if "from_date" in cols and "to_date" in cols:
        start, end = cols["from_date"], cols["to_date"]
        ok = ~(start.empty | start.bad | end.empty | end.bad)
        log.add_rows(table, "to_date", ok & (end.values < start.values),
                     "must not be before from_date", None, attributable=False)  # fmt: skip
    if log:
        raise InputError(log.records)  # rows 1-based, as every table's problems
    return cols


def _texts(cols: dict[str, Column], name: str, default: str) -> np.ndarray:
    """A text column's values with ``default`` in its empty cells (all of them if absent)."""
    n = next(iter(cols.values())).empty.shape[0]
    col = cols.get(name)
    if col is None:
        return np.full(n, default, dtype=object).astype(str)
    return np.where(col.empty, default, col.values).astype(str)


def validate_disruptions(table: object) -> pd.DataFrame:
    """Check a disruptions table column by column and return its canonical form.

    Columns: ``service`` (required), ``municipality`` (empty = all), ``from_date``,
    ``to_date`` (inclusive, ``to_date >= from_date``), ``share_available`` (0..1) and ``kind``
    (``closure``, the default, or ``shortage``). Every problem is collected before an
    :class:`~ibm_engine.errors.InputError` names them (1-based row number and column).

    Examples
    --------
    >>> bad = covid_2020_disruptions().assign(share_available=[0, 0, 0, 0, 0, 1.5])
    >>> validate_disruptions(bad)
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 1 input problem:
      disruptions, row 6, column share_available: must be between 0 and 1 (got 1.5)
    """
    cols = _check("disruptions", table, DISRUPTIONS)
    return pd.DataFrame(
        {
            "service": _texts(cols, "service", ""),
            "municipality": _texts(cols, "municipality", ""),
            "from_date": cols["from_date"].values,
            "to_date": cols["to_date"].values,
            "share_available": np.asarray(cols["share_available"].values, dtype=np.float64),
            "kind": _texts(cols, "kind", "closure"),
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
      pauses, row 1, column to_date: must not be before from_date
    """
    cols = _check("pauses", table, PAUSES)
    return pd.DataFrame(
        {
            "participant_id": _texts(cols, "participant_id", ""),
            "service": _texts(cols, "service", ""),
            "from_date": cols["from_date"].values,
            "to_date": cols["to_date"].values,
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
