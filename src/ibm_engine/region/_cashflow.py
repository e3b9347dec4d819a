"""Municipal pre-financing: municipalities pay providers, the project reimburses later.

A municipality pays its providers in the month of delivery (delivered units x unit price).
The project reimburses what a report covers ``lag_months`` after the report's last month:
monthly reports cover one month, quarterly reports a calendar quarter. Everything is counted
in integer cents, so paid, reimbursed and delivered spend reconcile to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.errors import InputError
from ibm_engine.region._delivery import Delivery

__all__ = ["REIMBURSEMENTS", "CashFlow", "prefinancing"]

REIMBURSEMENTS = ("monthly", "quarterly")


@dataclass(frozen=True, eq=False)
class CashFlow:
    """What :func:`prefinancing` returns.

    Attributes
    ----------
    monthly : DataFrame
        One row per municipality and month (the period, then until the last reimbursement):
        ``paid_cents``, ``reimbursed_cents``, ``outstanding_cents`` (int64) and the same in EUR.
    peaks : DataFrame
        Per municipality: ``peak_outstanding_eur``, ``peak_month`` (first month at the peak),
        ``paid_eur``, ``reimbursed_eur``.
    """

    monthly: pd.DataFrame
    peaks: pd.DataFrame


def _argument(column: str, reason: str) -> InputError:
    return InputError.single("arguments", column, reason)


def prefinancing(
    delivery: Delivery, reimbursement: str = "monthly", lag_months: int = 1
) -> CashFlow:
    """Outstanding pre-financing per municipality per month, and its peak.

    Parameters
    ----------
    delivery : Delivery
        From :func:`simulate_delivery`.
    reimbursement : {"monthly", "quarterly"}
        How often the municipality reports (a quarter is a calendar quarter).
    lag_months : int
        Months from the end of a report's period to its reimbursement (>= 0).

    Examples
    --------
    See docs/delivery.md.
    """
    if reimbursement not in REIMBURSEMENTS:
        raise _argument("reimbursement", "must be 'monthly' or 'quarterly'")
    if isinstance(lag_months, bool) or not isinstance(lag_months, int) or lag_months < 0:
        raise _argument("lag_months", "must be an integer >= 0")
    plan = delivery.plan
    months = plan.months
    m = len(months)
    town, towns = pd.factorize(plan.items["municipality"].astype(str), sort=True)
    spend = delivery.delivered_cents()
    paid = np.zeros((len(towns), m), dtype=np.int64)
    np.add.at(paid, town, spend)
    if reimbursement == "monthly":
        report_end = np.arange(m)
    else:
        # month position of the last month of each month's calendar quarter
        report_end = np.arange(m) + (2 - (months.month.to_numpy() - 1) % 3)
    due = report_end + lag_months
    horizon = max(m, int(due.max()) + 1) if m else 0
    paid_all = np.zeros((len(towns), horizon), dtype=np.int64)
    paid_all[:, :m] = paid
    reimbursed: IntArray = np.zeros((len(towns), horizon), dtype=np.int64)
    np.add.at(reimbursed.T, due, paid.T)
    outstanding = np.cumsum(paid_all, axis=1) - np.cumsum(reimbursed, axis=1)
    axis = pd.date_range(months[0], periods=horizon, freq="MS") if m else months
    monthly = pd.DataFrame(
        {
            "municipality": np.repeat(np.asarray(towns, dtype=object), horizon),
            "month": np.tile(axis.to_numpy(), len(towns)),
            "paid_cents": paid_all.ravel(),
            "reimbursed_cents": reimbursed.ravel(),
            "outstanding_cents": outstanding.ravel(),
        }
    )
    for c in ("paid", "reimbursed", "outstanding"):
        monthly[f"{c}_eur"] = monthly[f"{c}_cents"] / 100.0
    top = outstanding.argmax(axis=1) if horizon else np.zeros(len(towns), dtype=np.int64)
    peaks = pd.DataFrame(
        {
            "municipality": np.asarray(towns, dtype=object),
            "peak_outstanding_eur": outstanding.max(axis=1, initial=0) / 100.0,
            "peak_month": axis.to_numpy()[top] if horizon else pd.NaT,
            "paid_eur": paid_all.sum(axis=1) / 100.0,
            "reimbursed_eur": reimbursed.sum(axis=1) / 100.0,
        }
    )
    return CashFlow(monthly, peaks)
