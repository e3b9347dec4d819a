"""Delivery month by month: spreading, the 2020 closure replay, pauses, shortages, re-planning,
validation and indicators.

The hand case (12 months from 2020-01-01, budgets large enough for everything):
A (Dobele): physiotherapy 12 x 27.00 -> 1 a month; psychologist 6 x 35.00 -> every 2nd month.
B (Bauska): day_care_centre 24 x 10.00 -> 2 a month; physiotherapy 3 -> months 4, 8, 12.
The closure 2020-03-12 .. 2020-06-09: March keeps 11/31 of its days, June 21/30; physiotherapy
(share 0) delivers floor(1 x 11/31) = 0 in March and floor(1 x 21/30) = 0 in June; day care
(share 0.1) floor(2 x (1 - 20/31 x 0.9)) = 0 in March, 0 in April and May, floor(2 x 0.73) = 1
in June.
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
    indicators,
    plan_delivery,
    replan_after,
    simulate_delivery,
    spread_units,
)

SERVICES = pd.DataFrame(
    [
        {"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
        {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0},
        {"service": "day_care_centre", "unit": "day", "unit_price_eur": 10.0},
    ]
)
PEOPLE = pd.DataFrame(
    [
        {"participant_id": "A", "target_group": "GRT", "age": 40, "municipality": "Dobele",
         "budget_eur": 534.0},
        {"participant_id": "B", "target_group": "FT", "age": 9, "municipality": "Bauska",
         "budget_eur": 1000.0},
    ]
)  # fmt: skip
PLAN = pd.DataFrame(
    [
        {"participant_id": "A", "service": "physiotherapy", "team_rank": 1,
         "recommended_units": 12},
        {"participant_id": "A", "service": "psychologist", "team_rank": 2, "recommended_units": 6},
        {"participant_id": "B", "service": "day_care_centre", "team_rank": 1,
         "recommended_units": 24},
        {"participant_id": "B", "service": "physiotherapy", "team_rank": 2, "recommended_units": 3},
    ]
)  # fmt: skip
START = date(2020, 1, 1)


@pytest.fixture(scope="module")
def hand() -> ibm.AllocationResult:
    return ibm.allocate(PEOPLE, PLAN, SERVICES, period_weeks=52)


@pytest.fixture(scope="module")
def region() -> ibm.AllocationResult:
    return ibm.allocate(*ibm.synthetic_zemgale(seed=3, n_grt=40, n_ft=40, n_bsac=10))


def _row(frame: pd.DataFrame, pid: str, service: str, col: str) -> list[object]:
    sel = frame[(frame["participant_id"] == pid) & (frame["service"] == service)]
    return sel[col].tolist()


def test_spread_is_even_and_exact() -> None:
    units = np.arange(0, 200, dtype=np.int64)
    for months in (1, 5, 6, 12):
        s = spread_units(units, months)
        assert (s.sum(axis=1) == units).all()
        assert (s >= units[:, None] // months).all()
        assert (s <= -(-units[:, None] // months)).all()


def test_planned_sums_to_allocated_units_exactly(region: ibm.AllocationResult) -> None:
    plan = plan_delivery(region, date(2021, 3, 15), 7)
    assert plan.months[0] == pd.Timestamp("2021-03-01")
    frame = plan.frame
    per_item = frame.groupby("item")["planned_units"].sum()
    items = region.items
    allocated = items.loc[items["units"] > 0, "units"]
    assert per_item.sort_index().tolist() == allocated.sort_index().tolist()
    assert int(frame["planned_units"].sum()) == int(items["units"].sum())
    cents = round(float(frame["planned_eur"].sum()) * 100)
    assert cents == round(float(items["cost_eur"].sum()) * 100)


def test_hand_plan(hand: ibm.AllocationResult) -> None:
    f = plan_delivery(hand, START, 12).frame
    assert _row(f, "A", "physiotherapy", "planned_units") == [1] * 12
    assert _row(f, "A", "psychologist", "planned_units") == [0, 1] * 6
    assert _row(f, "B", "physiotherapy", "planned_units") == [0, 0, 0, 1] * 3


def test_covid_replay_reason_codes(hand: ibm.AllocationResult) -> None:
    f = simulate_delivery(plan_delivery(hand, START, 12), covid_2020_disruptions()).frame
    closure = ["", "", "closure", "closure", "closure", "closure"] + [""] * 6
    assert _row(f, "A", "physiotherapy", "reason") == closure
    assert _row(f, "A", "physiotherapy", "delivered_units") == [1, 1, 0, 0, 0, 0] + [1] * 6
    assert set(_row(f, "A", "psychologist", "reason")) == {""}
    assert _row(f, "B", "day_care_centre", "delivered_units") == [2, 2, 0, 0, 0, 1] + [2] * 6
    assert _row(f, "B", "physiotherapy", "reason")[3] == "closure"
    assert not f["held_against_participant"].any()
    under = f.loc[f["participant_id"] == "A", "underspend_eur"].sum()
    assert under == 4 * 27.0


def test_covid_replay_region(region: ibm.AllocationResult) -> None:
    f = simulate_delivery(plan_delivery(region, START, 12), covid_2020_disruptions()).frame
    months = f["month"].dt.month
    hit = f[f["reason"] == "closure"]
    assert set(hit["month"].dt.month) <= {3, 4, 5, 6}
    assert {"physiotherapy", "speech_therapy", "day_care_centre"} <= set(hit["service"])
    assert not ((f["service"] == "psychologist") & (f["reason"] != "")).any()
    closed = (f["service"] == "physiotherapy") & months.isin([4, 5])
    assert (f.loc[closed, "delivered_units"] == 0).all()


def test_pauses_and_shortage(hand: ibm.AllocationResult) -> None:
    plan = plan_delivery(hand, START, 12)
    shortage = pd.DataFrame(
        {"service": ["day_care_centre"], "municipality": ["Bauska"],
         "from_date": ["2020-09-01"], "to_date": ["2020-10-31"], "share_available": [0.5],
         "kind": ["shortage"]}
    )  # fmt: skip
    pauses = pd.DataFrame(
        {"participant_id": ["A", "B"], "service": ["", "physiotherapy"],
         "from_date": ["2020-08-01", "2020-12-01"], "to_date": ["2020-08-31", "2020-12-31"]}
    )  # fmt: skip
    f = simulate_delivery(plan, shortage, pauses).frame
    assert _row(f, "B", "day_care_centre", "reason")[8:10] == ["provider_shortage"] * 2
    assert _row(f, "B", "day_care_centre", "delivered_units")[8:10] == [1, 1]
    assert _row(f, "A", "physiotherapy", "reason")[7] == "participant_choice"
    assert _row(f, "A", "psychologist", "reason")[7] == "participant_choice"
    assert _row(f, "B", "physiotherapy", "reason")[11] == "participant_choice"
    held = f[f["held_against_participant"]]
    assert set(held["reason"]) == {"participant_choice"}
    assert not f.loc[f["reason"] == "provider_shortage", "held_against_participant"].any()


def test_delivered_never_exceeds_planned(region: ibm.AllocationResult) -> None:
    plan = plan_delivery(region, START, 12)
    rng = np.random.default_rng(5)
    ids = region.participants["participant_id"].to_numpy()
    pick = rng.choice(ids, 30)
    pauses = pd.DataFrame(
        {"participant_id": pick, "service": "", "from_date": "2020-01-20",
         "to_date": "2020-02-10"}
    )  # fmt: skip
    d = simulate_delivery(plan, covid_2020_disruptions(), pauses)
    assert (d.delivered <= plan.planned).all() and (d.delivered >= 0).all()
    assert ((d.delivered < plan.planned) == (d.reason > 0)).all()


def test_replan_moves_closure_money_within_budget(hand: ibm.AllocationResult) -> None:
    plan = plan_delivery(hand, START, 12)
    d = simulate_delivery(plan, covid_2020_disruptions())
    new = replan_after(d, date(2020, 6, 15))
    f = new.frame
    # A lost 4 physiotherapy sessions; they go to July..December (6 months)
    assert _row(f, "A", "physiotherapy", "planned_units") == [1] * 6 + [1, 2, 2, 1, 2, 2]
    assert (new.planned[:, :6] == plan.planned[:, :6]).all()
    price = new.items["price_cents"].to_numpy()
    after = (d.delivered[:, :6] * price[:, None]).sum(1) + (
        new.planned[:, 6:] * price[:, None]
    ).sum(1)
    per = pd.Series(after).groupby(new.items["participant_id"].to_numpy()).sum()
    budget = hand.participants.set_index("participant_id")["budget_eur"] * 100
    assert (per <= budget.reindex(per.index)).all()
    # A's budget is exactly what was allocated: moving the closure money back fits exactly
    assert per["A"] == budget["A"]


def test_replan_never_exceeds_a_tight_budget(hand: ibm.AllocationResult) -> None:
    plan = plan_delivery(hand, START, 12)
    d = simulate_delivery(plan, covid_2020_disruptions())
    budget = plan.items["budget_cents"].to_numpy().copy()
    budget[plan.items["participant_id"].to_numpy() == "A"] = 0
    tight = type(plan)(plan.items.assign(budget_cents=budget), plan.months, plan.planned)
    d2 = type(d)(tight, d.delivered, d.reason, d.share)
    new = replan_after(d2, 5)
    a = (new.items["participant_id"] == "A").to_numpy()
    assert (new.planned[a] == plan.planned[a]).all()
    assert (new.planned[~a, 6:] >= plan.planned[~a, 6:]).all()


def test_disruption_validation_names_rows_and_columns() -> None:
    bad = pd.DataFrame(
        {"service": ["physiotherapy", ""], "from_date": ["2020-03-12", "not a date"],
         "to_date": ["2020-03-01", "2020-04-01"], "share_available": [1.2, 0.5],
         "kind": ["closure", "strike"]}
    )  # fmt: skip
    with pytest.raises(InputError) as err:
        simulate_delivery(plan_delivery_empty(), bad)
    got = err.value.problems[["row", "column"]].to_numpy().tolist()
    assert sorted(map(tuple, got)) == sorted(
        [(1, "to_date"), (1, "share_available"), (2, "service"), (2, "from_date"), (2, "kind")]
    )  # 1-based row numbers, as every table's problems
    with pytest.raises(InputError, match="column share_available"):
        simulate_delivery(plan_delivery_empty(), bad.drop(columns="share_available"))
    with pytest.raises(ValueError, match="pauses, row 1, column participant_id"):
        simulate_delivery(
            plan_delivery_empty(),
            pauses=pd.DataFrame({"participant_id": [None], "from_date": ["2020-01-01"],
                                 "to_date": ["2020-01-02"]}),
        )  # fmt: skip


def plan_delivery_empty() -> ibm.region.DeliveryPlan:
    return plan_delivery(ibm.allocate(PEOPLE, PLAN.iloc[:1], SERVICES), START, 3)


def test_arguments_are_checked(hand: ibm.AllocationResult) -> None:
    with pytest.raises(InputError, match="column months"):
        plan_delivery(hand, START, 0)
    with pytest.raises(InputError, match="column month"):
        replan_after(simulate_delivery(plan_delivery(hand, START, 3)), 3)


def test_indicators_against_targets(hand: ibm.AllocationResult) -> None:
    targets = pd.DataFrame(
        {"target_group": ["FT", "FT", "", "GRT"],
         "service_group": ["day_care", "social_rehabilitation", "", ""],
         "service": ["", "", "physiotherapy", "psychologist"], "target_count": [1, 2, 2, 1]}
    )  # fmt: skip
    got = indicators(hand, targets)
    assert got["participants"].tolist() == [1, 1, 2, 1]
    assert got["met"].tolist() == [True, False, True, True]
    assert got["share"].tolist() == [1.0, 0.5, 1.0, 1.0]
    # nothing delivered to A's physiotherapy if A pauses all year
    pauses = pd.DataFrame({"participant_id": ["A"], "service": ["physiotherapy"],
                           "from_date": ["2020-01-01"], "to_date": ["2020-12-31"]})  # fmt: skip
    d = simulate_delivery(plan_delivery(hand, START, 12), pauses=pauses)
    assert indicators(d, targets)["participants"].tolist() == [1, 1, 1, 1]
    counts = indicators(d)
    assert set(counts.columns) == {"target_group", "service", "participants"}


def test_indicator_targets_validation(hand: ibm.AllocationResult) -> None:
    bad = pd.DataFrame(
        {"service_group": ["respite", "day_care"], "service": ["", "day_care_centre"],
         "target_count": [-1, 3]}
    )  # fmt: skip
    with pytest.raises(InputError) as err:
        indicators(hand, bad)
    got = err.value.problems[["row", "column"]].to_numpy().tolist()
    assert sorted(map(tuple, got)) == [
        (1, "service_group"), (1, "target_count"), (2, "service_group")
    ]  # fmt: skip
    reasons = set(err.value.problems["reason"])
    assert "give exactly one of service_group and service" in reasons
    assert "must be >= 0" in " ".join(reasons)
    with pytest.raises(InputError, match="target_group: must be one of GRT, FT, BSAC"):
        indicators(hand, pd.DataFrame({"target_group": ["XX"], "service": ["respite_care"],
                                       "target_count": [1]}))  # fmt: skip


def test_100000_participants_x_12_months_in_seconds() -> None:
    import time
    from types import SimpleNamespace

    rng = np.random.default_rng(0)
    n, k = 100_000, 8
    services = np.array(["physiotherapy", "psychologist", "day_care_centre", "assistant",
                         "montessori", "speech_therapy", "home_care", "respite_care"])  # fmt: skip
    ids = np.char.add("P", np.arange(n).astype(str))
    items = pd.DataFrame(
        {"participant_id": np.repeat(ids, k), "service": np.tile(services, n),
         "units": rng.integers(0, 40, n * k),
         "unit_price_eur": np.round(rng.uniform(5, 40, n * k), 2)}
    )  # fmt: skip
    people = pd.DataFrame(
        {"participant_id": ids, "municipality": rng.choice(["Dobele", "Bauska"], n),
         "target_group": "GRT", "budget_eur": 20000.0}
    )  # fmt: skip
    pauses = pd.DataFrame(
        {"participant_id": ids[:10_000], "service": "", "from_date": "2020-02-01",
         "to_date": "2020-02-20"}
    )  # fmt: skip
    t = time.perf_counter()
    plan = plan_delivery(SimpleNamespace(items=items, participants=people), START, 12)
    d = simulate_delivery(plan, covid_2020_disruptions(), pauses)
    replan_after(d, 5)
    elapsed = time.perf_counter() - t
    assert int(plan.planned.sum()) == int(items["units"].sum())
    assert elapsed < 30, elapsed


def test_from_and_to_are_short_names(hand: ibm.AllocationResult) -> None:
    plan = plan_delivery(hand, START, 12)
    short = pd.DataFrame({"participant_id": ["A"], "from": ["2020-08-01"], "to": ["2020-08-31"]})
    long = short.rename(columns={"from": "from_date", "to": "to_date"})
    assert (simulate_delivery(plan, pauses=short).delivered == simulate_delivery(
        plan, pauses=long).delivered).all()  # fmt: skip
    assert simulate_delivery(plan, pauses=short).delivered.sum() < plan.planned.sum()
