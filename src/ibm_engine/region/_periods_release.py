"""Release of a period's money in instalments: one sum, monthly or quarterly, exact to the cent."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.errors import InputError

__all__ = ["INSTALMENT_SCHEDULES", "instalment_frame", "released_cumulative"]

#: release schedules of :func:`instalment_frame`
INSTALMENT_SCHEDULES = ("single", "monthly", "quarterly")
_EVERY = {"single": None, "monthly": 1, "quarterly": 3}  # months an instalment covers


def released_cumulative(
    amount: IntArray, months: IntArray, month: IntArray, every: int | None
) -> IntArray:
    """Cents released up to and including month ``month`` (0-based) of each period.

    An instalment covers ``every`` months (the last one may cover fewer; ``None``: one sum in
    the first month). The cumulative release after month ``j`` is
    ``floor(amount x covered_j / months)``, ``covered_j`` being the months paid for so far, so
    each instalment is its exact share rounded down or up by less than one cent, the sum is
    exactly ``amount`` and the money released never runs ahead of the months paid for.

    Examples
    --------
    >>> a, m = np.array([100, 100, 100]), np.array([6, 6, 6])
    >>> j = np.array([0, 1, 5])
    >>> released_cumulative(a, m, j, 1).tolist(), released_cumulative(a, m, j, 3).tolist()
    ([16, 33, 100], [50, 50, 100])
    """
    if every is None:
        out: IntArray = np.asarray(amount, dtype=np.int64).copy()
        return out
    covered = np.minimum((month // every + 1) * every, months)
    out = np.asarray(amount, dtype=np.int64) * covered // months
    return out


def instalment_frame(ledger: pd.DataFrame, schedule: str) -> pd.DataFrame:
    """One row per participant, period and calendar month: what is released and when.

    ``ledger`` needs ``participant_id``, ``period``, ``start_date``, ``months`` and
    ``available_cents``. Returns ``participant_id``, ``period``, ``month`` (first day),
    ``instalment`` (its number within the period, 0 in months without a release),
    ``released_cents``, ``cumulative_cents`` (within the period) and the same in EUR.

    Examples
    --------
    >>> ledger = pd.DataFrame({"participant_id": ["A"], "period": [1],
    ...     "start_date": pd.to_datetime(["2018-09-01"]), "months": [6],
    ...     "available_cents": [100_001]})
    >>> instalment_frame(ledger, "quarterly")[["month", "instalment", "released_eur"]]
           month  instalment  released_eur
    0 2018-09-01           1        500.00
    1 2018-10-01           0          0.00
    2 2018-11-01           0          0.00
    3 2018-12-01           2        500.01
    4 2019-01-01           0          0.00
    5 2019-02-01           0          0.00
    """
    if schedule not in INSTALMENT_SCHEDULES:
        raise InputError.single(
            "arguments",
            "schedule",
            f"must be one of {', '.join(INSTALMENT_SCHEDULES)} (got {schedule!r})",
        )
    every = _EVERY[schedule]
    months = ledger["months"].to_numpy(np.int64)
    rows = np.repeat(np.arange(len(ledger)), months)
    first = np.cumsum(months) - months
    j = np.arange(rows.shape[0], dtype=np.int64) - first[rows]
    amount = ledger["available_cents"].to_numpy(np.int64)[rows]
    m = months[rows]
    cum = released_cumulative(amount, m, j, every)
    before = np.where(j > 0, released_cumulative(amount, m, np.maximum(j - 1, 0), every), 0)
    released = cum - before
    step = every if every is not None else int(months.max(initial=1))
    starts = j % step == 0
    start_month = ledger["start_date"].to_numpy().astype("datetime64[M]")[rows]
    out = pd.DataFrame(
        {
            "participant_id": ledger["participant_id"].to_numpy()[rows],
            "period": ledger["period"].to_numpy()[rows],
            "month": (start_month + j).astype("datetime64[ns]"),
            "instalment": np.where(starts, j // step + 1, 0),
            "released_cents": released,
            "cumulative_cents": cum,
        }
    )
    out["released_eur"] = released / 100.0
    out["cumulative_eur"] = cum / 100.0
    return out
