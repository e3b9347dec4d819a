"""Municipal pre-financing: totals reconcile with delivered spend to the cent; hand-checked
monthly and quarterly timelines; the examples of docs/delivery.md run and print what it shows.

Hand case (12 months from 2020-01-01): Dobele pays physiotherapy 27.00 every month and a
psychologist 35.00 in every second month (Feb, Apr, ...): quarters 116.00, 151.00, 116.00,
151.00. Quarterly reports with a lag of one month: the outstanding amount peaks at 151.00, first
at the end of June; the last quarter is reimbursed in January 2021 (13 months on the axis).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine import InputError
from ibm_engine.region import (
    covid_2020_disruptions,
    plan_delivery,
    prefinancing,
    simulate_delivery,
)

SERVICES = pd.DataFrame(
    {"service": ["physiotherapy", "psychologist"], "unit": ["session", "session"],
     "unit_price_eur": [27.0, 35.0]}
)  # fmt: skip
PEOPLE = pd.DataFrame(
    {"participant_id": ["A"], "target_group": ["GRT"], "age": [40], "municipality": ["Dobele"],
     "budget_eur": [534.0]}
)  # fmt: skip
PLAN = pd.DataFrame(
    {"participant_id": ["A", "A"], "service": ["physiotherapy", "psychologist"],
     "team_rank": [1, 2], "recommended_units": [12, 6]}
)  # fmt: skip


def _hand(start: date = date(2020, 1, 1)) -> ibm.region.Delivery:
    result = ibm.allocate(PEOPLE, PLAN, SERVICES, period_weeks=52)
    return simulate_delivery(plan_delivery(result, start, 12))


def test_monthly_lag_one_outstanding_is_last_month() -> None:
    cash = prefinancing(_hand(), "monthly", 1)
    m = cash.monthly
    assert len(m) == 13
    paid = [27.0, 62.0] * 6 + [0.0]
    assert m["paid_eur"].tolist() == paid
    assert m["reimbursed_eur"].tolist() == [0.0, *paid[:12]]
    assert m["outstanding_eur"].tolist() == paid
    assert cash.peaks["peak_outstanding_eur"].tolist() == [62.0]


def test_quarterly_hand_case() -> None:
    cash = prefinancing(_hand(), "quarterly", 1)
    m = cash.monthly
    assert m["month"].iloc[-1] == pd.Timestamp("2021-01-01")
    reimbursed = m.set_index("month")["reimbursed_eur"]
    assert reimbursed[reimbursed > 0].to_dict() == {
        pd.Timestamp("2020-04-01"): 116.0,
        pd.Timestamp("2020-07-01"): 151.0,
        pd.Timestamp("2020-10-01"): 116.0,
        pd.Timestamp("2021-01-01"): 151.0,
    }
    peak = cash.peaks.iloc[0]
    assert (peak["peak_outstanding_eur"], peak["peak_month"]) == (151.0, pd.Timestamp("2020-06-01"))
    assert m["outstanding_cents"].iloc[-1] == 0


def test_quarter_of_a_period_starting_mid_quarter() -> None:
    cash = prefinancing(_hand(date(2020, 2, 10)), "quarterly", 0)
    m = cash.monthly.set_index("month")
    # February and March form the first (calendar) quarter's report, paid in March (lag 0)
    assert m.loc["2020-03-01", "reimbursed_eur"] == 27.0 + 62.0
    assert m.loc["2020-03-01", "outstanding_eur"] == 0.0


@pytest.mark.parametrize("how", ["monthly", "quarterly"])
@pytest.mark.parametrize("lag", [0, 1, 3])
def test_totals_reconcile_to_the_cent(how: str, lag: int) -> None:
    result = ibm.allocate(*ibm.synthetic_zemgale(seed=4, n_grt=30, n_ft=30, n_bsac=10))
    d = simulate_delivery(plan_delivery(result, date(2020, 1, 1), 12), covid_2020_disruptions())
    cash = prefinancing(d, how, lag)
    m = cash.monthly
    spend = int(d.delivered_cents().sum())
    assert int(m["paid_cents"].sum()) == spend == int(m["reimbursed_cents"].sum())
    last = m.groupby("municipality")["outstanding_cents"].last()
    assert (last == 0).all()
    assert (m["outstanding_cents"] >= 0).all()
    f = d.frame
    by_town = (
        (
            f["delivered_units"]
            * np.round(
                f["planned_eur"] * 100 / f["planned_units"].where(f["planned_units"] > 0)
            ).fillna(0)
        )
        .groupby(f["municipality"], observed=True)
        .sum()
    )
    paid = cash.peaks.set_index("municipality")["paid_eur"] * 100
    assert (paid.round().astype(np.int64) == by_town.reindex(paid.index).astype(np.int64)).all()
    assert round(float(f["delivered_eur"].sum()) * 100) == spend


def test_arguments_are_checked() -> None:
    with pytest.raises(InputError, match="column reimbursement"):
        prefinancing(_hand(), "yearly")
    with pytest.raises(InputError, match="column lag_months"):
        prefinancing(_hand(), "monthly", -1)
