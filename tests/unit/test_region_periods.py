"""Consecutive plan periods: validation, carry-over, the ledger, instalments, delivery.

Expected figures come from independent computations (a direct ``allocate`` per period, a
hand ledger in Decimal, ``plan_delivery`` + ``simulate_delivery``), never from the code under
test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.errors import InputError
from ibm_engine.region import plan_delivery, simulate_delivery
from ibm_engine.region._periods import PeriodsResult, run_periods
from ibm_engine.region._periods_carry import CarryOver, carry_cents, plan_years
from ibm_engine.region._periods_release import instalment_frame
from ibm_engine.region._periods_table import validate_periods

SERVICES = pd.DataFrame(
    {
        "service": ["physiotherapy", "psychologist", "speech_therapy"],
        "unit": ["session"] * 3,
        "unit_price_eur": [27.0, 35.0, 30.0],
    }
)
PEOPLE = pd.DataFrame(
    {
        "participant_id": ["C1", "C2", "C3"],
        "target_group": ["FT"] * 3,
        "age": [6, 9, 12],
        "municipality": ["Jelgava", "Dobele", "Bauska"],
        "budget_eur": [1000.0, 800.0, 650.55],
    }
)
# the child pilot: two 6-month periods, a reassessment in February re-made the plans
PILOT = pd.DataFrame(
    {
        "period": [1, 2],
        "start_date": ["2018-09-01", "2019-03-01"],
        "end_date": ["2019-02-28", "2019-08-31"],
    }
)
PLAN = pd.DataFrame(
    {
        "participant_id": ["C1", "C1", "C2", "C3", "C1", "C2", "C3", "C3"],
        "period": [1, 1, 1, 1, 2, 2, 2, 2],
        "service": ["physiotherapy", "psychologist", "physiotherapy", "speech_therapy",
                    "speech_therapy", "psychologist", "physiotherapy", "psychologist"],
        "team_rank": [1, 2, 1, 1, 1, 1, 1, 2],
        "recommended_units": [20, 6, 10, 12, 30, 40, 9, 8],
    }
)  # fmt: skip

RULES = [
    CarryOver.none(),
    CarryOver.plan_year(year_start_month=9),
    CarryOver.plan_year(),
    CarryOver.capped(eur=100),
    CarryOver.capped(share=0.05),
    CarryOver.capped(eur="75.5", share=0.5, within_plan_year=True, year_start_month=9),
]


def _cents(x: object) -> int:
    return int(Decimal(str(x)) * 100)


def _problems(err: pytest.ExceptionInfo[InputError]) -> set[tuple[object, object, object]]:
    return {(p["table"], p["row"], p["column"]) for p in err.value.problems.to_dict("records")}


# --- the child pilot as a worked case --------------------------------------------------------


def test_child_pilot_two_periods_match_direct_allocations() -> None:
    r = run_periods(PEOPLE, PLAN, SERVICES, PILOT, CarryOver.plan_year(year_start_month=9))
    led = r.ledger
    assert led[["weeks", "months"]].drop_duplicates().to_numpy().tolist() == [[26, 6]]
    assert set(led["plan_year"]) == {2018}
    plan1 = PLAN[PLAN["period"] == 1].drop(columns="period")
    first = ibm.allocate(PEOPLE, plan1, SERVICES, period_weeks=26)
    spent1 = [_cents(x) for x in first.participants["spent_eur"]]
    budget = [_cents(x) for x in PEOPLE["budget_eur"]]
    p1 = led[led["period"] == 1]
    assert p1["spent_cents"].tolist() == spent1
    assert p1["carried_out_cents"].tolist() == [b - s for b, s in zip(budget, spent1, strict=True)]
    # the reassessment: period 2 is the new plan with the budget plus what period 1 left
    people2 = PEOPLE.assign(
        budget_eur=[(2 * b - s) / 100 for b, s in zip(budget, spent1, strict=True)]
    )
    plan2 = PLAN[PLAN["period"] == 2].drop(columns="period")
    second = ibm.allocate(people2, plan2, SERVICES, period_weeks=26)
    pd.testing.assert_frame_equal(
        r.results[2].items.reset_index(drop=True), second.items.reset_index(drop=True)
    )
    p2 = led[led["period"] == 2]
    assert p2["carried_in_cents"].tolist() == p1["carried_out_cents"].tolist()
    # the plan year ends on 2019-08-31: nothing is carried beyond the pilot
    assert p2["carried_out_cents"].tolist() == [0, 0, 0]
    assert r.totals()["reconciles"].all()


def test_same_plan_for_every_period_without_a_period_column() -> None:
    plan = PLAN[PLAN["period"] == 1].drop(columns="period")
    r = run_periods(PEOPLE, plan, SERVICES, PILOT)
    a, b = r.results[1].items, r.results[2].items
    assert a["service"].tolist() == b["service"].tolist() == plan["service"].tolist()
    assert r.items["period"].tolist() == [1] * len(plan) + [2] * len(plan)


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_ledger_reconciles_to_the_cent_for_every_rule(rule: CarryOver) -> None:
    periods = pd.DataFrame(
        {
            "period": [1, 2, 3, 4],
            "start_date": ["2019-07-01", "2019-10-01", "2020-01-01", "2020-04-01"],
            "end_date": ["2019-09-30", "2019-12-31", "2020-03-31", "2020-06-30"],
            "budget_eur": [300.10, 250.0, None, 120.33],
        }
    )
    plan = PLAN[PLAN["period"] == 1].drop(columns="period")
    r = run_periods(PEOPLE, plan, SERVICES, periods, rule)
    led = r.ledger
    for name in ("budget", "carried_in", "available", "spent", "unspent", "carried_out"):
        assert (led[f"{name}_eur"] * 100).round().astype(np.int64).tolist() == led[
            f"{name}_cents"
        ].tolist()
    assert (led["available_cents"] == led["budget_cents"] + led["carried_in_cents"]).all()
    assert (led["unspent_cents"] == led["available_cents"] - led["spent_cents"]).all()
    assert (led["forfeited_cents"] >= 0).all() and (led["carried_out_cents"] >= 0).all()
    assert (led["spent_cents"] <= led["available_cents"]).all()
    # the empty budget_eur of period 3 takes the participant's own budget
    p3 = led[led["period"] == 3]
    assert p3["budget_cents"].tolist() == [_cents(x) for x in PEOPLE["budget_eur"]]
    assert set(p3["budget_source"]) == {"participants"}
    # a hand ledger: carried in = carried out of the period before; totals reconcile
    for _pid, g in led.groupby("participant_id"):
        assert g["carried_in_cents"].iloc[0] == 0
        assert g["carried_in_cents"].iloc[1:].tolist() == g["carried_out_cents"].iloc[:-1].tolist()
        total = (
            g["spent_cents"].sum() + g["forfeited_cents"].sum() + g["carried_out_cents"].iloc[-1]
        )
        assert total == g["budget_cents"].sum()
    t = r.totals()
    assert t["reconciles"].all()
    assert t["budget_cents"].sum() == led["budget_cents"].sum()
    if rule.kind == "none":
        assert (led["carried_out_cents"] == 0).all()


def test_plan_year_rule_never_crosses_a_year_end() -> None:
    periods = pd.DataFrame(
        {
            "period": [1, 2, 3],
            "start_date": ["2019-07-01", "2019-09-30", "2020-01-01"],
            "end_date": [None, "2019-12-31", None],
            "weeks": [13, None, 26],
        }
    )
    plan = PLAN[PLAN["period"] == 1].drop(columns="period")
    r = run_periods(PEOPLE, plan, SERVICES, periods, CarryOver.plan_year())
    led = r.ledger
    p = {k: led[led["period"] == k] for k in (1, 2, 3)}
    # weeks only: the end is start + 7 x weeks - 1, and the next period starts the day after
    assert str(p[1]["end_date"].iloc[0].date()) == "2019-09-29"
    assert (p[1]["carried_out_cents"] == p[1]["unspent_cents"]).all()  # same year 2019
    assert (p[2]["carried_out_cents"] == 0).all()  # 2019 -> 2020: forfeited
    assert (p[2]["forfeited_cents"] == p[2]["unspent_cents"]).all()
    assert (p[3]["carried_in_cents"] == 0).all()


def test_periods_table_with_weeks_only_is_consecutive_by_days() -> None:
    periods = pd.DataFrame({"period": [1, 2], "start_date": ["2019-01-01", "2019-01-29"],
                            "weeks": [4, 4]})  # fmt: skip
    canon = validate_periods(periods, PEOPLE)
    assert canon["months"].tolist() == [1, 2] * 3  # 2019-01-29 .. 2019-02-25


def test_capped_never_carries_more_than_the_cap() -> None:
    periods = pd.DataFrame({"period": [1, 2, 3], "start_date": ["2019-01-01", "2019-04-01",
                            "2019-07-01"], "end_date": ["2019-03-31", "2019-06-30",
                            "2019-09-30"]})  # fmt: skip
    plan = PLAN[PLAN["period"] == 1].drop(columns="period")
    for rule in (CarryOver.capped(eur=40), CarryOver.capped(share="0.035")):
        led = run_periods(PEOPLE, plan, SERVICES, periods, rule).ledger
        cap = np.minimum(
            _cents(rule.cap_eur) if rule.cap_eur is not None else 10**15,
            (led["budget_cents"] * Decimal(rule.cap_share or 1)).map(int)
            if rule.cap_share is not None
            else 10**15,
        )
        assert (led["carried_out_cents"] <= cap).all()
        assert (led["carried_out_cents"] == np.minimum(led["unspent_cents"], cap)).all()
        assert (led["carried_out_cents"] > 0).any()  # the cap is reached, not just respected


def test_participant_rows_replace_the_rows_for_all() -> None:
    periods = pd.DataFrame(
        {
            "participant_id": [None, None, "C2"],
            "period": [1, 2, 1],
            "start_date": ["2018-09-01", "2019-03-01", "2018-10-01"],
            "end_date": ["2019-02-28", "2019-08-31", "2019-09-30"],
            "budget_eur": [None, 500.0, 1999.99],
        }
    )
    plan = PLAN[PLAN["period"] == 1].drop(columns="period")
    r = run_periods(PEOPLE, plan, SERVICES, periods)
    led = r.ledger
    assert led[["participant_id", "period"]].to_numpy().tolist() == [
        ["C1", 1], ["C1", 2], ["C2", 1], ["C3", 1], ["C3", 2],
    ]  # fmt: skip
    c2 = led[led["participant_id"] == "C2"].iloc[0]
    assert (c2["budget_cents"], c2["weeks"], c2["months"]) == (199999, 52, 12)
    assert led["budget_source"].tolist() == ["participants", "periods", "periods",
                                             "participants", "periods"]  # fmt: skip
    assert r.results[2].participants["participant_id"].tolist() == ["C1", "C3"]


# --- delivery: a closure's underspend carries over ---------------------------------------------


def test_delivered_spend_comes_from_the_delivery_simulation() -> None:
    closure = pd.DataFrame({"service": ["physiotherapy"], "from_date": ["2018-12-01"],
                            "to_date": ["2019-01-31"], "share_available": [0.0]})  # fmt: skip
    rule = CarryOver.plan_year(year_start_month=9)
    plan = PLAN[PLAN["period"] == 1].drop(columns="period")
    r = run_periods(PEOPLE, plan, SERVICES, PILOT, rule, spent="delivered", disruptions=closure)
    alloc = run_periods(PEOPLE, plan, SERVICES, PILOT, rule)
    first = r.results[1]
    sim = simulate_delivery(plan_delivery(first, pd.Timestamp("2018-09-01").date(), 6), closure)
    f = sim.frame
    delivered = f["delivered_units"] * (f["planned_eur"] / f["planned_units"]).fillna(0)
    expected = (
        delivered.groupby(f["participant_id"], observed=True)
        .sum()
        .reindex(PEOPLE["participant_id"], fill_value=0.0)
    )
    led = r.ledger
    p1 = led[led["period"] == 1]
    assert p1["spent_cents"].tolist() == [round(x * 100) for x in expected]
    a1 = alloc.ledger[alloc.ledger["period"] == 1]
    # the closure leaves money unspent, and it moves to period 2 (same plan year)
    assert (p1["carried_out_cents"].to_numpy() >= a1["carried_out_cents"].to_numpy()).all()
    assert (p1["carried_out_cents"].to_numpy() > a1["carried_out_cents"].to_numpy()).any()
    assert len(r.deliveries[1]) == 1 and r.totals()["reconciles"].all()


def test_delivery_groups_participants_by_their_own_period_dates() -> None:
    periods = pd.DataFrame(
        {
            "participant_id": [None, None, "C2"],
            "period": [1, 2, 1],
            "start_date": [date(2020, 1, 1), date(2020, 7, 1), date(2020, 2, 15)],
            "end_date": [date(2020, 6, 30), date(2020, 12, 31), date(2020, 8, 14)],
        }
    )
    plan = PLAN[PLAN["period"] == 1].drop(columns="period")
    closure = ibm.region.covid_2020_disruptions()
    r = run_periods(PEOPLE, plan, SERVICES, periods, spent="delivered", disruptions=closure)
    sims = r.deliveries[1]
    assert len(sims) == 2  # C1 and C3 from January (6 months), C2 from February (7 months)
    assert sorted(len(s.plan.months) for s in sims) == [6, 7]
    delivered = sum(int(s.delivered_cents().sum()) for s in sims)
    led = r.ledger
    assert led.loc[led["period"] == 1, "spent_cents"].sum() == delivered
    assert delivered < led.loc[led["period"] == 1, "available_cents"].sum()
    assert r.totals()["reconciles"].all()


def test_tables_may_be_records_and_ids_must_be_unique() -> None:
    records = [
        {"period": 1, "start_date": date(2018, 9, 1), "end_date": date(2019, 2, 28)},
        {"period": 2, "start_date": date(2019, 3, 1), "weeks": 26},
    ]
    led = run_periods(PEOPLE.to_dict("records"), PLAN, SERVICES, records).ledger
    assert led["end_date"].dt.strftime("%Y-%m-%d").tolist()[:2] == ["2019-02-28", "2019-08-29"]
    twice = pd.concat([PEOPLE, PEOPLE.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError) as err:
        run_periods(twice, PLAN, SERVICES, PILOT)
    assert _problems(err) == {("participants", 4, "participant_id")}


# --- instalments --------------------------------------------------------------------------------


@pytest.mark.parametrize("schedule", ["single", "monthly", "quarterly"])
def test_instalments_sum_exactly_and_are_even(schedule: str) -> None:
    periods = pd.DataFrame({"period": [1, 2], "start_date": ["2019-01-15", "2019-06-01"],
                            "end_date": ["2019-05-31", "2019-12-31"],
                            "budget_eur": [1000.01, 777.77]})  # fmt: skip
    plan = PLAN[PLAN["period"] == 1].drop(columns="period")
    r = run_periods(PEOPLE, plan, SERVICES, periods, CarryOver.plan_year())
    inst = r.instalments(schedule)
    key = ["participant_id", "period"]
    sums = inst.groupby(key, sort=False)["released_cents"].sum().to_numpy()
    assert sums.tolist() == r.ledger["available_cents"].tolist()
    months = inst.groupby(key, sort=False).size().to_numpy()
    assert months.tolist() == r.ledger["months"].tolist() == [5, 7] * 3
    assert str(inst["month"].iloc[0].date()) == "2019-01-01"
    for (_, _), g in inst.groupby(key):
        paid = g.loc[g["instalment"] > 0, "released_cents"].to_numpy()
        assert (g.loc[g["instalment"] == 0, "released_cents"] == 0).all()
        assert g["cumulative_cents"].tolist() == np.cumsum(g["released_cents"]).tolist()
        n = len(g)
        if schedule == "single":
            assert len(paid) == 1
        elif schedule == "monthly":
            assert len(paid) == n and paid.max() - paid.min() <= 1
        else:
            assert g["instalment"].to_numpy().nonzero()[0].tolist() == list(range(0, n, 3))
            covered = np.minimum(np.arange(3, n + 3, 3), n) - np.arange(0, n, 3)
            quota = g["released_cents"].sum() * covered / n
            assert (np.abs(paid - quota) < 1).all()


def test_instalment_schedule_is_checked() -> None:
    led = pd.DataFrame({"participant_id": ["A"], "period": [1], "months": [2],
                        "start_date": pd.to_datetime(["2020-01-01"]),
                        "available_cents": [5]})  # fmt: skip
    with pytest.raises(InputError, match="schedule"):
        instalment_frame(led, "weekly")
    assert instalment_frame(led, "monthly")["released_cents"].tolist() == [2, 3]


# --- validation -------------------------------------------------------------------------------


def test_every_row_rule_is_reported_at_once_with_row_and_column() -> None:
    periods = pd.DataFrame(
        {
            "participant_id": ["C1", "C1", "C2", "C3", "ZZ", "C3"],
            "period": [1, 0, 1, 1, 1, 2.5],
            "start_date": ["2019-01-01", "2019-02-01", "not a date", "2019-03-01", "2019-01-01",
                           "2019-04-01"],
            "end_date": ["2019-01-31", "2019-02-28", "2019-02-28", "2019-02-01", None, None],
            "weeks": [None, None, None, None, 0, 3],
            "budget_eur": [1.0, 1.0, -5.0, 1.001, 1.0, 1.0],
        }
    )  # fmt: skip
    with pytest.raises(InputError) as err:
        validate_periods(periods, PEOPLE)
    assert _problems(err) >= {
        ("periods", 2, "period"),
        ("periods", 3, "start_date"),
        ("periods", 3, "budget_eur"),
        ("periods", 4, "end_date"),
        ("periods", 4, "budget_eur"),
        ("periods", 5, "weeks"),
        ("periods", 6, "period"),
    }
    assert ("periods", 5, "participant_id") in _problems(err)  # ZZ is not a participant


@pytest.mark.parametrize(
    ("rows", "where", "text"),
    [
        ({"period": [1, 1], "start_date": ["2019-01-01", "2019-02-01"]}, (2, "period"), "twice"),
        ({"period": [1, 3], "start_date": ["2019-01-01", "2019-02-01"]}, (2, "period"),
         "period 2 is missing"),
        ({"period": [1, 2], "start_date": ["2019-01-01", "2019-01-20"]}, (2, "start_date"),
         "overlaps period 1"),
        ({"period": [1, 2], "start_date": ["2019-01-01", "2019-02-02"]}, (2, "start_date"),
         "gap after period 1"),
        ({"period": [2, 1], "start_date": ["2019-02-01", "2019-01-20"]}, (1, "start_date"),
         "overlaps period 1"),
    ],
)  # fmt: skip
def test_periods_must_be_numbered_and_consecutive(
    rows: dict[str, list[object]], where: tuple[int, str], text: str
) -> None:
    table = pd.DataFrame({**rows, "end_date": ["2019-01-31", "2019-02-28"]})
    if rows["period"] == [2, 1]:
        table["end_date"] = ["2019-02-28", "2019-02-05"]
    with pytest.raises(InputError, match=text) as err:
        validate_periods(table, PEOPLE)
    assert _problems(err) == {("periods", *where)}


def test_table_level_problems() -> None:
    with pytest.raises(InputError) as err:
        validate_periods(pd.DataFrame({"period": [1]}), PEOPLE)
    assert _problems(err) == {("periods", None, "start_date"), ("periods", None, "end_date")}
    only_c1 = pd.DataFrame({"participant_id": ["C1"], "period": [1], "start_date": ["2019-01-01"],
                            "weeks": [4]})  # fmt: skip
    with pytest.raises(InputError, match="has no period") as err:
        validate_periods(only_c1, PEOPLE)
    assert set(err.value.problems["participant_id"]) == {"C2", "C3"}
    no_budget = PEOPLE.assign(budget_eur=[1.0, None, 2.0])
    with pytest.raises(InputError, match=r"participants\.budget_eur of C2") as err:
        validate_periods(PILOT, no_budget)
    assert _problems(err) == {("periods", 1, "budget_eur"), ("periods", 2, "budget_eur")}


def test_plan_item_periods_are_checked_and_rows_are_the_callers() -> None:
    bad = PLAN.assign(period=[1, 1, 1, 1, 2, 2, 3, "x"])
    with pytest.raises(InputError) as err:
        run_periods(PEOPLE, bad, SERVICES, PILOT)
    assert _problems(err) == {("plan_items", 7, "period"), ("plan_items", 8, "period")}
    # an allocate problem of period 2 names the row of the caller's plan_items table
    rank = PLAN.assign(team_rank=[1, 2, 1, 1, 1, 1, 1, 0])
    with pytest.raises(InputError, match=r"\(period 2\)") as err:
        run_periods(PEOPLE, rank, SERVICES, PILOT)
    probs = err.value.problems
    assert probs[["row", "column"]].to_numpy().tolist() == [["C3", "team_rank"]]
    assert "[row 8] (period 2)" in probs["reason"].iloc[0]  # row 4 of period 2's own table
    # an item without a participant goes to its period's allocation, which reports it
    anon = PLAN.assign(participant_id=[*PLAN["participant_id"][:7], None])
    with pytest.raises(InputError) as err:
        run_periods(PEOPLE, anon, SERVICES, PILOT)
    assert _problems(err) == {("plan_items", 8, "participant_id")}


def test_problems_of_several_periods_are_collected() -> None:
    bad = PLAN.assign(recommended_units=[20, 0, 10, 12, 30, 40, 9, -1])
    with pytest.raises(InputError) as err:
        run_periods(PEOPLE, bad, SERVICES, PILOT)
    reasons = err.value.problems["reason"].tolist()
    assert any("(period 1)" in x for x in reasons) and any("(period 2)" in x for x in reasons)


@pytest.mark.parametrize(
    ("make", "column"),
    [
        (lambda: CarryOver("sometimes"), "kind"),
        (lambda: CarryOver.capped(), "cap_eur"),
        (lambda: CarryOver.capped(eur=-1), "cap_eur"),
        (lambda: CarryOver.capped(eur=1.005), "cap_eur"),
        (lambda: CarryOver.capped(eur=True), "cap_eur"),
        (lambda: CarryOver.capped(share=1.5), "cap_share"),
        (lambda: CarryOver.capped(share=0.1234567), "cap_share"),
        (lambda: CarryOver.capped(share="ten"), "cap_share"),
        (lambda: CarryOver("none", cap_eur=Decimal(5)), "cap_eur"),
        (lambda: CarryOver.plan_year(year_start_month=13), "year_start_month"),
        (lambda: CarryOver("none", within_plan_year=True), "within_plan_year"),
        (lambda: CarryOver("none", forfeit_own_choice=True), "forfeit_own_choice"),
        (lambda: CarryOver.plan_year(forfeit_own_choice=1), "forfeit_own_choice"),  # type: ignore[arg-type]
    ],
)
def test_carry_over_rules_are_validated(make: object, column: str) -> None:
    with pytest.raises(InputError) as err:
        make()  # type: ignore[operator]
    assert _problems(err) == {("carry_over", None, column)}


def test_arguments_are_checked() -> None:
    with pytest.raises(InputError, match="spent"):
        run_periods(PEOPLE, PLAN, SERVICES, PILOT, spent="planned")
    with pytest.raises(InputError, match="need spent='delivered'"):
        run_periods(PEOPLE, PLAN, SERVICES, PILOT, pauses=pd.DataFrame())
    with pytest.raises(InputError, match="carry_over"):
        run_periods(PEOPLE, PLAN, SERVICES, PILOT, "plan_year")  # type: ignore[arg-type]


# --- the rule objects -------------------------------------------------------------------------


def test_carry_cents_and_plan_years() -> None:
    unspent = np.array([0, 100, 5000, 99999])
    budget = np.array([1000, 1000, 1000, 100000])
    same = np.array([True, True, False, True])
    assert carry_cents(CarryOver.none(), unspent, budget, same).tolist() == [0, 0, 0, 0]
    got = carry_cents(CarryOver.capped(eur=20, share=0.5), unspent, budget, same)
    assert got.tolist() == [0, 100, 500, 2000]
    got = carry_cents(CarryOver.capped(eur=20, within_plan_year=True), unspent, budget, same)
    assert got.tolist() == [0, 100, 0, 2000]
    d = np.array(["2018-08-31", "2018-09-01", "2019-08-31"], dtype="datetime64[D]")
    assert plan_years(d, 9).tolist() == [2017, 2018, 2018]
    assert CarryOver.capped(eur=5, share="0.25") == CarryOver.capped(eur="5.00", share=0.25)


def test_repr_shows_the_reconciliation() -> None:
    r = run_periods(PEOPLE, PLAN, SERVICES, PILOT, CarryOver.capped(share=0.1))
    assert isinstance(r, PeriodsResult)
    text = repr(r)
    led = r.ledger
    last = led.groupby("participant_id")["carried_out_cents"].last().sum()
    assert "3 participants, periods 1..2" in text
    assert f"carried out after the last period {last / 100:,.2f}" in text
    assert f"budget {led['budget_cents'].sum() / 100:,.2f} EUR" in text


def test_own_pauses_can_be_forfeited_while_closures_carry_over() -> None:
    closure = pd.DataFrame({"service": ["speech_therapy"], "from_date": ["2018-10-01"],
                            "to_date": ["2018-11-30"], "share_available": [0.0]})  # fmt: skip
    pauses = pd.DataFrame({"participant_id": ["C1"], "from_date": ["2018-12-01"],
                           "to_date": ["2019-01-31"]})  # fmt: skip
    plan = PLAN[PLAN["period"] == 1].drop(columns="period")
    args = (PEOPLE, plan, SERVICES, PILOT)
    kw = {"spent": "delivered", "disruptions": closure, "pauses": pauses}
    keep = run_periods(*args, CarryOver.plan_year(9), **kw)
    drop = run_periods(*args, CarryOver.plan_year(9, forfeit_own_choice=True), **kw)
    f = keep.deliveries[1][0].frame
    held = f[f["held_against_participant"]].groupby("participant_id", observed=True)
    own = (held["underspend_eur"].sum() * 100).round().astype(int)
    p1 = drop.ledger[drop.ledger["period"] == 1].set_index("participant_id")
    assert own.to_dict() == {"C1": p1.loc["C1", "own_choice_cents"]} and own["C1"] > 0
    assert p1.loc[["C2", "C3"], "own_choice_cents"].tolist() == [0, 0]
    k1 = keep.ledger[keep.ledger["period"] == 1].set_index("participant_id")
    # C1's own pause is forfeited; C3's closure underspend still moves on under both rules
    assert k1.loc["C1", "carried_out_cents"] == k1.loc["C1", "unspent_cents"]
    assert p1.loc["C1", "carried_out_cents"] == p1.loc["C1", "unspent_cents"] - own["C1"]
    assert p1.loc["C1", "forfeited_cents"] == own["C1"]
    assert p1.loc["C3", "carried_out_cents"] == k1.loc["C3", "carried_out_cents"] > 0
    assert drop.totals()["reconciles"].all()
    assert (
        repr(drop.carry_over) == "CarryOver.plan_year(year_start_month=9, forfeit_own_choice=True)"
    )


# --- capacities: each period allocated as a region ----------------------------------------------

CAPS = pd.DataFrame(
    {
        "municipality": ["Jelgava", "Dobele", "Jelgava"],
        "service": ["physiotherapy", "psychologist", "speech_therapy"],
        "units": [5, 3, 7],
        "period": [1, 2, 2],
    }
)


def test_capacities_allocate_each_period_as_a_region() -> None:
    rule = CarryOver.plan_year(year_start_month=9)
    r = run_periods(PEOPLE, PLAN, SERVICES, PILOT, rule, capacities=CAPS)
    assert all(isinstance(x, ibm.region.RegionResult) for x in r.results.values())
    plan1 = PLAN[PLAN["period"] == 1].drop(columns="period")
    direct = ibm.region.allocate_region(
        PEOPLE, plan1, SERVICES, CAPS[CAPS["period"] == 1].drop(columns="period")
    )
    pd.testing.assert_frame_equal(
        r.results[1].items.reset_index(drop=True), direct.items.reset_index(drop=True)
    )
    muni = PEOPLE.set_index("participant_id")["municipality"]
    for k, res in r.results.items():
        it = res.items.assign(municipality=res.items["participant_id"].map(muni))
        for _, cap in CAPS[CAPS["period"] == k].iterrows():
            used = it.loc[(it["municipality"] == cap["municipality"])
                          & (it["service"] == cap["service"]), "units"].sum()  # fmt: skip
            assert used <= cap["units"]
    led = r.ledger
    # money the shortage left unspent in period 1 moves to period 2 (same plan year)
    p1 = led[led["period"] == 1]
    assert p1.set_index("participant_id").loc["C1", "unspent_cents"] > 0
    assert p1["carried_out_cents"].tolist() == p1["unspent_cents"].tolist()
    assert r.totals()["reconciles"].all()


def test_capacity_problems_name_the_callers_row_and_options_are_checked() -> None:
    bad = CAPS.assign(units=[5, 3, -7])
    with pytest.raises(InputError, match=r"\(period 2\)") as err:
        run_periods(PEOPLE, PLAN, SERVICES, PILOT, capacities=bad)
    assert _problems(err) == {("capacities", 3, "units")}
    with pytest.raises(InputError) as err:
        run_periods(PEOPLE, PLAN, SERVICES, PILOT, capacities=CAPS.assign(period=[1, 2, 3]))
    assert _problems(err) == {("capacities", 3, "period")}
    with pytest.raises(InputError, match="policy='optimal'"):
        run_periods(PEOPLE, PLAN, SERVICES, PILOT, capacities=CAPS, policy="priority")
    with pytest.raises(InputError, match="unknown option"):
        run_periods(PEOPLE, PLAN, SERVICES, PILOT, capacities=CAPS, region={"speed": 2})
    exact = run_periods(PEOPLE, PLAN, SERVICES, PILOT, capacities=CAPS, region={"method": "exact"})
    assert {x.method for x in exact.results.values()} == {"exact"}
