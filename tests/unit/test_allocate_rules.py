"""The allocation rules of contract v1: catalogue rows, caps, reasons, result definitions.

Small hand-made tables with answers worked out from the contract text, plus one Hypothesis test
that checks the catalogue rules on random catalogues against the independent reference.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import ibm_engine as ibm
from helpers.reference import (
    Problem,
    applicable_row,
    borda_weights,
    price_cents,
    solve_milp,
    upper_bound,
)
from strategies import CatalogueCase, catalogue_cases

MUNIS = ("Dobele", "Bauska", "Jelgava")

# --------------------------------------------------------------------------- builders


def svc(service: str, price: float, unit: str = "session", **kw: Any) -> dict[str, Any]:
    return {"service": service, "unit": unit, "unit_price_eur": price} | kw


def person(pid: str, budget: float = 1000.0, **kw: Any) -> dict[str, Any]:
    base = {"participant_id": pid, "target_group": "GRT", "age": 40, "municipality": "Dobele"}
    return base | {"budget_eur": budget} | kw


def item(pid: str, service: str, rank: int, rec: int, **kw: Any) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "service": service,
        "team_rank": rank,
        "recommended_units": rec,
    } | kw


def run(
    people: list[dict[str, Any]],
    items: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    **kw: Any,
) -> ibm.AllocationResult:
    """allocate() on the given rows; a free marker row per municipality keeps it warning-free."""
    markers = [svc("registration", 0.0, "month", municipality=m) for m in MUNIS]
    services = pd.DataFrame(rows + markers)
    for col in ("min_age", "max_age"):
        if col in services:
            services[col] = services[col].astype("Int64")
    plan = pd.DataFrame(items)
    for col in ("family_rank", "min_units", "max_units"):
        if col in plan:
            plan[col] = plan[col].astype("Int64")
    parts = pd.DataFrame(people)
    if "period_weeks" in parts:
        parts["period_weeks"] = parts["period_weeks"].astype("Int64")
    return ibm.allocate(parts, plan, services, **kw)


def cell(res: ibm.AllocationResult, pid: str, service: str, column: str) -> Any:
    it = res.items
    row = it[(it["participant_id"] == pid) & (it["service"] == service)]
    assert len(row) == 1
    return row.iloc[0][column]


def units(res: ibm.AllocationResult) -> dict[tuple[str, str], int]:
    it = res.items
    return {
        (p, s): int(u)
        for p, s, u in zip(it["participant_id"], it["service"], it["units"], strict=True)
    }


def part(res: ibm.AllocationResult, pid: str) -> pd.Series:
    p = res.participants
    return p[p["participant_id"] == pid].iloc[0]


POLICIES = pytest.mark.parametrize("policy", ["optimal", "priority"])

# --------------------------------------------------------------------------- which row applies

CHILD_CARE = [
    svc("child_social_care", 6.80, "hour", max_units_per_week=50.0, max_age=4, target_groups="FT"),
    svc(
        "child_social_care",
        7.10,
        "hour",
        max_units_per_week=10.0,
        min_age=5,
        max_age=17,
        target_groups="FT,BSAC",
    ),
]


@pytest.mark.parametrize(
    ("age", "group", "price", "upper"),
    [
        (0, "FT", 6.80, 1300),  # 50 h/week x 26
        (4, "FT", 6.80, 1300),  # bands are inclusive
        (5, "FT", 7.10, 260),  # 10 h/week x 26
        (17, "BSAC", 7.10, 260),
        (4, "BSAC", None, 0),  # the 0-4 band is for FT only
        (18, "FT", None, 0),  # no band for adults
        (30, "GRT", None, 0),
    ],
)
def test_child_social_care_age_bands(age: int, group: str, price: float | None, upper: int) -> None:
    res = run(
        [person("K", 1_000_000.0, age=age, target_group=group)],
        [item("K", "child_social_care", 1, 2000)],
        CHILD_CARE,
    )
    assert cell(res, "K", "child_social_care", "upper_units") == upper
    if price is None:
        assert cell(res, "K", "child_social_care", "reason") == "not_eligible"
        assert cell(res, "K", "child_social_care", "units") == 0
    else:
        assert cell(res, "K", "child_social_care", "unit_price_eur") == price
        assert cell(res, "K", "child_social_care", "units") == upper
        assert cell(res, "K", "child_social_care", "reason") == "funded"


def test_municipal_rows_replace_defaults_per_service() -> None:
    rows = [
        svc("physiotherapy", 27.00),
        svc("psychologist", 35.00),
        svc("physiotherapy", 31.50, municipality="Dobele"),
    ]
    res = run(
        [person("D", municipality="Dobele"), person("B", municipality="Bauska")],
        [
            item(p, s, k, 2)
            for p in "DB"
            for k, s in enumerate(["physiotherapy", "psychologist"], 1)
        ],
        rows,
    )
    assert cell(res, "D", "physiotherapy", "unit_price_eur") == 31.50  # municipal row
    assert cell(res, "D", "psychologist", "unit_price_eur") == 35.00  # no Dobele row: default
    assert cell(res, "B", "physiotherapy", "unit_price_eur") == 27.00
    assert cell(res, "D", "physiotherapy", "cost_eur") == 63.0


def test_municipal_rows_replace_defaults_even_when_none_applies() -> None:
    """Dobele has child care rows (ages 0-4 only): a 10-year-old there is not eligible,
    although a default row covers ages 5-17."""
    rows = [*CHILD_CARE, svc("child_social_care", 6.00, "hour", max_age=4, municipality="Dobele")]
    kids = [
        person("D", age=10, target_group="FT"),
        person("B", age=10, target_group="FT", municipality="Bauska"),
    ]
    res = run(kids, [item(p, "child_social_care", 1, 100) for p in "DB"], rows)
    assert cell(res, "D", "child_social_care", "reason") == "not_eligible"
    assert cell(res, "B", "child_social_care", "unit_price_eur") == 7.10
    res = run(
        [person("D", age=3, target_group="GRT")], [item("D", "child_social_care", 1, 9)], rows
    )
    assert cell(res, "D", "child_social_care", "unit_price_eur") == 6.00  # no caps, all groups
    assert cell(res, "D", "child_social_care", "units") == 9


def test_row_applies_in_full_price_caps_and_hours() -> None:
    rows = [
        svc("aba", 40.0, hours_per_unit=1.5, max_units_per_week=1.0, target_groups="FT"),
        svc("aba", 30.0, hours_per_unit=0.5, max_units_per_week=3.0, target_groups="GRT,BSAC"),
    ]
    people = [
        person("F", target_group="FT", family_hours_per_week=100.0),
        person("G", target_group="GRT", family_hours_per_week=100.0),
    ]
    res = run(people, [item(p, "aba", 1, 200) for p in "FG"], rows)
    assert (cell(res, "F", "aba", "unit_price_eur"), cell(res, "F", "aba", "upper_units")) == (
        40.0,
        26,
    )
    assert (cell(res, "G", "aba", "unit_price_eur"), cell(res, "G", "aba", "upper_units")) == (
        30.0,
        78,
    )
    assert cell(res, "F", "aba", "hours") == 1.5 * 25  # 1000 EUR buys 25 sessions
    assert part(res, "G")["hours_used"] == 0.5 * 33  # 33 x 30 = 990


# --------------------------------------------------------------------------- legal caps


@pytest.mark.parametrize(("weeks", "upper"), [(26, 15), (52, 30), (10, 5), (1, 0), (104, 40)])
def test_respite_30_days_per_year_over_the_period(weeks: int, upper: int) -> None:
    rows = [svc("respite_care", 48.0, "day", max_units_per_year=30.0)]
    res = run([person("R", 10_000.0)], [item("R", "respite_care", 1, 40)], rows, period_weeks=weeks)
    assert cell(res, "R", "respite_care", "upper_units") == upper
    assert cell(res, "R", "respite_care", "units") == upper
    reason = "funded" if upper >= 1 else "cap_below_min"
    assert cell(res, "R", "respite_care", "reason") == reason


@pytest.mark.parametrize(
    ("call", "own", "upper"), [(26, None, 52), (13, None, 26), (26, 4, 8), (4, 52, 104)]
)
def test_weekly_cap_uses_the_participants_own_period(
    call: int, own: int | None, upper: int
) -> None:
    rows = [svc("psychologist", 35.0, max_units_per_week=2.0)]
    res = run(
        [person("W", 100_000.0, period_weeks=own)],
        [item("W", "psychologist", 1, 500)],
        rows,
        period_weeks=call,
    )
    assert cell(res, "W", "psychologist", "upper_units") == upper


def test_per_participant_periods_in_one_call() -> None:
    rows = [svc("respite_care", 48.0, "day", max_units_per_year=30.0)]
    people = [
        person("A", 10_000.0, period_weeks=52),
        person("B", 10_000.0),
        person("C", 10_000.0, period_weeks=13),
    ]
    res = run(people, [item(p, "respite_care", 1, 100) for p in "ABC"], rows, period_weeks=26)
    assert res.items["upper_units"].tolist() == [30, 15, 7]


@pytest.mark.parametrize(
    ("week", "year", "weeks", "upper"),
    [
        (1.16, None, 25, 29),  # 1.16 * 25 = 28.999999999999996: F gives 29
        (0.58, None, 50, 29),
        (None, 67.6, 30, 39),  # 67.6 * 30 / 52 = 38.99999999999999
        (2.9999, None, 1, 2),  # a real shortfall is floored
        (None, 51.9, 1, 0),
        (2.0, 30.0, 26, 15),  # both caps: the smaller
        (0.5, 365.0, 26, 13),
    ],
)
def test_caps_floor_with_tolerance(
    week: float | None, year: float | None, weeks: int, upper: int
) -> None:
    row = svc("care", 1.0, "hour")
    if week is not None:
        row["max_units_per_week"] = week
    if year is not None:
        row["max_units_per_year"] = year
    res = run([person("F", 10_000.0)], [item("F", "care", 1, 1000)], [row], period_weeks=weeks)
    assert cell(res, "F", "care", "upper_units") == upper


@pytest.mark.parametrize(
    ("rec", "max_units", "upper"), [(10, None, 10), (10, 4, 4), (3, 8, 3), (60, 20, 15), (10, 0, 0)]
)
def test_upper_is_the_smallest_term(rec: int, max_units: int | None, upper: int) -> None:
    rows = [svc("respite_care", 48.0, "day", max_units_per_year=30.0)]
    it = item("R", "respite_care", 1, rec, max_units=max_units)
    res = run([person("R", 10_000.0)], [it], rows)
    assert cell(res, "R", "respite_care", "upper_units") == upper


# --------------------------------------------------------------------------- reasons


@POLICIES
def test_every_reason(policy: str) -> None:
    rows = [
        svc("a", 10.0),
        svc("b", 10.0),
        svc("c", 10.0),
        svc("d", 10.0, target_groups="FT"),
        svc("e", 10.0, max_units_per_week=0.1),
        svc("f", 10.0),
    ]
    items = [
        item("P", "a", 1, 5),  # funded: 50
        item("P", "b", 2, 10, max_units=6),  # funded at 6 < 10 recommended: 60
        item("P", "c", 3, 10),  # partly: 2 units with the 20 left
        item("P", "d", 4, 5),  # not eligible
        item("P", "e", 5, 5, min_units=3),  # U = F(2.6) = 2 < 3: cap_below_min
        item("P", "f", 6, 5, min_units=4),  # fundable, but 40 no longer fit: not_funded
    ]
    res = run([person("P", 130.0)], items, rows, policy=policy)
    got = dict(zip(res.items["service"], res.items["reason"].astype(str), strict=True))
    assert got == {
        "a": "funded",
        "b": "funded",
        "c": "partly_funded",
        "d": "not_eligible",
        "e": "cap_below_min",
        "f": "not_funded",
    }
    assert res.items["units"].tolist() == [5, 6, 2, 0, 0, 0]
    assert res.items["coverage"].tolist() == [1.0, 0.6, 0.2, 0.0, 0.0, 0.0]
    assert set(res.items["reason"].astype(str)) <= set(ibm.REASONS)


def test_cap_below_min_when_max_units_is_zero() -> None:
    res = run([person("P")], [item("P", "a", 1, 5, max_units=0)], [svc("a", 1.0)])
    assert (cell(res, "P", "a", "reason"), cell(res, "P", "a", "units")) == ("cap_below_min", 0)


@POLICIES
def test_min_units_all_or_nothing(policy: str) -> None:
    """Money for 3 sessions, minimum dose 4: the item gets 0 and the money goes elsewhere."""
    rows = [svc("aba", 40.0), svc("transport", 10.0, "trip")]
    items = [item("P", "aba", 1, 10, min_units=4), item("P", "transport", 2, 20)]
    res = run([person("P", 150.0)], items, rows, policy=policy)
    assert units(res) == {("P", "aba"): 0, ("P", "transport"): 15}
    assert cell(res, "P", "aba", "reason") == "not_funded"
    res = run([person("P", 160.0)], items, rows, policy=policy)
    assert units(res)[("P", "aba")] in (0, 4)
    assert units(res)[("P", "aba")] * 40 + units(res)[("P", "transport")] * 10 <= 160


@POLICIES
def test_zero_budget_funds_only_free_items(policy: str) -> None:
    rows = [svc("a", 10.0), svc("free", 0.0)]
    res = run(
        [person("P", 0.0)], [item("P", "a", 1, 5), item("P", "free", 2, 7)], rows, policy=policy
    )
    assert units(res) == {("P", "a"): 0, ("P", "free"): 7}
    assert cell(res, "P", "a", "reason") == "not_funded"
    assert cell(res, "P", "free", "reason") == "funded"
    assert (part(res, "P")["spent_eur"], part(res, "P")["left_eur"]) == (0.0, 0.0)


@POLICIES
def test_zero_price_item_gets_its_upper_bound(policy: str) -> None:
    rows = [svc("free", 0.0, max_units_per_week=1.0), svc("a", 5.0)]
    res = run(
        [person("P", 12.0)], [item("P", "a", 1, 4), item("P", "free", 2, 100)], rows, policy=policy
    )
    assert units(res) == {("P", "a"): 2, ("P", "free"): 26}


@POLICIES
def test_family_hours_bind(policy: str) -> None:
    """3 h/week over 26 weeks = 78 hours; therapy takes 1.5 h a session, transport none."""
    rows = [svc("therapy", 20.0, hours_per_unit=1.5), svc("transport", 5.0, "trip")]
    items = [item("P", "therapy", 1, 100), item("P", "transport", 2, 10)]
    res = run([person("P", 10_000.0, family_hours_per_week=3.0)], items, rows, policy=policy)
    assert units(res) == {("P", "therapy"): 52, ("P", "transport"): 10}
    assert cell(res, "P", "therapy", "reason") == "partly_funded"
    assert part(res, "P")["hours_used"] == 78.0
    res = run(
        [person("P", 10_000.0, family_hours_per_week=3.0, period_weeks=4)],
        items,
        rows,
        policy=policy,
    )
    assert units(res)[("P", "therapy")] == 8  # 12 hours


@POLICIES
def test_family_hours_empty_means_no_limit(policy: str) -> None:
    rows = [svc("therapy", 20.0, hours_per_unit=1.5)]
    people = [
        person("P", 10_000.0, family_hours_per_week=None),
        person("Q", 10_000.0, family_hours_per_week=0.0),
    ]
    res = run(people, [item(p, "therapy", 1, 100) for p in "PQ"], rows, policy=policy)
    assert units(res) == {("P", "therapy"): 100, ("Q", "therapy"): 0}


@POLICIES
def test_family_hours_cap_is_exact_at_the_boundary(policy: str) -> None:
    """0.1 h/week x 30 weeks = 3.0000000000000004 h; a 0.75 h unit: exactly 4 fit."""
    rows = [svc("therapy", 1.0, hours_per_unit=0.75)]
    res = run(
        [person("P", 100.0, family_hours_per_week=0.1, period_weeks=30)],
        [item("P", "therapy", 1, 10)],
        rows,
        policy=policy,
    )
    assert units(res) == {("P", "therapy"): 4}


# --------------------------------------------------------------------------- money


@POLICIES
@pytest.mark.parametrize(
    ("price", "n"), [(0.1, 3), (0.7, 7), (11.55, 13), (0.29, 100), (6.2, 49), (1234.57, 3)]
)
def test_cost_is_exact_to_the_cent(policy: str, price: float, n: int) -> None:
    cents = price_cents(price)
    res = run(
        [person("P", cents * n / 100)], [item("P", "x", 1, n + 5)], [svc("x", price)], policy=policy
    )
    cost = cell(res, "P", "x", "cost_eur")
    assert cell(res, "P", "x", "units") == n  # the budget buys exactly n units
    assert round(cost * 100) == cents * n
    assert cost == cents * n / 100
    p = part(res, "P")
    assert p["spent_eur"] == cents * n / 100 and p["left_eur"] == 0.0


@POLICIES
def test_spent_and_left_are_sums_of_cents(policy: str) -> None:
    rows = [svc("a", 0.1), svc("b", 0.7), svc("c", 11.55)]
    items = [item("P", "a", 1, 7), item("P", "b", 2, 9), item("P", "c", 3, 3)]
    res = run([person("P", 40.0)], items, rows, policy=policy)
    it = res.items
    cents = int(
        sum(u * price_cents(p) for u, p in zip(it["units"], it["unit_price_eur"], strict=True))
    )
    p = part(res, "P")
    assert round(p["spent_eur"] * 100) == cents
    assert round(p["left_eur"] * 100) == 4000 - cents
    assert cents == 70 + 630 + 2 * 1155  # c: 3 x 11.55 no longer fits


# --------------------------------------------------------------------------- result definitions


def _check_definitions(res: ibm.AllocationResult) -> None:
    it, ps = res.items, res.participants
    for pid in ps["participant_id"]:
        mine = it[it["participant_id"] == pid]
        p = part(res, pid)
        w, u = mine["weight"].to_numpy(float), mine["units"].to_numpy(int)
        r, U = mine["recommended_units"].to_numpy(int), mine["upper_units"].to_numpy(int)
        mins = mine["min_units"].fillna(0).to_numpy(int) if "min_units" in mine else 0 * U
        fund = np.maximum(mins, 1) <= U
        assert math.isclose(p["value"], math.fsum(w * u / r), abs_tol=1e-12)
        assert math.isclose(p["max_value"], math.fsum((w * U / r)[fund]), abs_tol=1e-12)
        assert p["bound"] >= p["value"] - 1e-12
        if p["status"] == "optimal":
            assert p["bound"] == p["value"]
        else:
            assert p["status"] == "feasible"
        assert np.array_equal(mine["coverage"].to_numpy(float), u / r)
        assert math.isclose(p["budget_eur"] - p["spent_eur"], p["left_eur"], abs_tol=1e-9)


@POLICIES
def test_value_max_value_bound_status(policy: str) -> None:
    rows = [svc("a", 10.0), svc("b", 7.0), svc("c", 3.0, target_groups="FT"), svc("d", 1.0)]
    items = [
        item("P", "a", 1, 4, weight=3.0),
        item("P", "b", 2, 5, weight=1.0),
        item("P", "c", 3, 5, weight=2.0),
        item("P", "d", 4, 2, weight=0.5, min_units=3),
        item("Q", "a", 1, 4, weight=1.0),
        item("Q", "b", 2, 2, weight=1.0),
    ]
    res = run([person("P", 50.0), person("Q", 10.0)], items, rows, policy=policy)
    _check_definitions(res)
    p = part(res, "P")
    assert p["max_value"] == 3.0 + 1.0  # c not eligible, d below its minimum
    if policy == "optimal":
        assert p["status"] == "optimal" and p["value"] == p["bound"]
        # best: a x4 (40, value 3) + b x1 (7, 0.2); or a x3 + b x2 = 44: 2.25 + 0.4
        assert units(res)[("P", "a")] == 4 and units(res)[("P", "b")] == 1
        assert math.isclose(p["value"], 3.2, abs_tol=1e-12)


def test_weights_used_as_given_not_normalised() -> None:
    res = run(
        [person("P", 1.0)],
        [item("P", "a", 1, 4, weight=7.5), item("P", "b", 2, 4, weight=2.5)],
        [svc("a", 1.0), svc("b", 1.0)],
    )
    assert res.items["weight"].tolist() == [7.5, 2.5]
    assert part(res, "P")["value"] == 7.5 / 4


# --------------------------------------------------------------------------- policies


def test_optimal_beats_priority_on_a_classic_trap() -> None:
    """Priority buys the single most important item; the optimum buys the two next ones."""
    rows = [svc("a", 60.0), svc("b", 50.0), svc("c", 50.0)]
    items = [
        item("P", "a", 1, 1, weight=0.4),
        item("P", "b", 2, 1, weight=0.3),
        item("P", "c", 3, 1, weight=0.3),
    ]
    pri = run([person("P", 100.0)], items, rows, policy="priority")
    opt = run([person("P", 100.0)], items, rows, policy="optimal")
    assert pri.items["units"].tolist() == [1, 0, 0]
    assert opt.items["units"].tolist() == [0, 1, 1]
    assert math.isclose(part(opt, "P")["value"], 0.6) and math.isclose(part(pri, "P")["value"], 0.4)
    assert opt.participants["status"].tolist() == ["optimal"]


def test_priority_skips_an_item_whose_minimum_no_longer_fits() -> None:
    rows = [svc("a", 30.0), svc("b", 25.0), svc("c", 10.0)]
    items = [item("P", "a", 1, 3), item("P", "b", 2, 4, min_units=2), item("P", "c", 3, 5)]
    res = run([person("P", 130.0)], items, rows, policy="priority")
    # a: 3 x 30 = 90; 40 left: b can have 1 < 2 -> 0; c: 4 x 10
    assert res.items["units"].tolist() == [3, 0, 4]


def test_priority_ties_broken_by_team_rank() -> None:
    rows = [svc("a", 10.0), svc("b", 10.0), svc("c", 10.0)]
    eps = 1e-13  # within 1e-12: counts as equal
    items = [
        item("P", "a", 3, 1, weight=0.5 + eps),
        item("P", "b", 1, 1, weight=0.5),
        item("P", "c", 2, 1, weight=0.5 - eps),
    ]
    res = run([person("P", 10.0)], items, rows, policy="priority")
    assert res.items["units"].tolist() == [0, 1, 0]
    items[0]["weight"] = 0.5 + 1e-9  # now really heavier
    res = run([person("P", 10.0)], items, rows, policy="priority")
    assert res.items["units"].tolist() == [1, 0, 0]


def test_priority_order_is_weight_then_team_rank() -> None:
    rows = [svc(s, 10.0) for s in "abcd"]
    items = [
        item("P", "a", 1, 2, weight=0.1),
        item("P", "b", 2, 2, weight=0.9),
        item("P", "c", 4, 2, weight=0.5),
        item("P", "d", 3, 2, weight=0.5),
    ]
    res = run([person("P", 50.0)], items, rows, policy="priority")
    assert res.items["units"].tolist() == [0, 2, 1, 2]  # b, d, c (partly), a


# --------------------------------------------------------------------------- weights, team_share


def test_default_weights_are_the_borda_merge_with_gaps_closed() -> None:
    rows = [svc(s, 1.0) for s in "abcd"] + [svc("e", 1.0, target_groups="FT")]
    ranks = {"a": 10, "b": 3, "c": 7, "d": 20, "e": 15}
    fam = {"a": 2, "b": 5, "c": 1, "d": 3, "e": 4}
    items = [item("P", s, ranks[s], 1, family_rank=fam[s]) for s in "abcde"]
    items += [item("Q", s, ranks[s], 1) for s in "abcde"]
    for share in (0.5, 0.0, 1.0, 0.3):
        res = run([person("P"), person("Q")], items, rows, team_share=share)
        w = res.items["weight"].tolist()
        tr = [ranks[s] for s in "abcde"]
        expect_p = borda_weights(tr, [fam[s] for s in "abcde"], share)
        expect_q = borda_weights(tr, None, share)  # no family ranks: family = team points
        assert w[:5] == pytest.approx(expect_p, abs=1e-12)
        assert w[5:] == pytest.approx(expect_q, abs=1e-12)
        assert math.isclose(sum(w[:5]), 1.0) and math.isclose(sum(w[5:]), 1.0)
    # by hand, share 0.5: team points b5 c4 a3 e2 d1; family c5 a4 d3 e2 b1 (of 15 + 15)
    res = run([person("P"), person("Q")], items, rows)
    assert res.items["weight"].tolist()[:5] == pytest.approx(
        [7 / 30, 6 / 30, 9 / 30, 4 / 30, 4 / 30], abs=1e-12
    )


def test_team_share_decides_whose_order_wins() -> None:
    rows = [svc("a", 10.0), svc("b", 10.0)]
    items = [item("P", "a", 1, 1, family_rank=2), item("P", "b", 2, 1, family_rank=1)]
    for share, winner in ((1.0, [1, 0]), (0.8, [1, 0]), (0.2, [0, 1]), (0.0, [0, 1])):
        for policy in ("optimal", "priority"):
            res = run([person("P", 10.0)], items, rows, team_share=share, policy=policy)
            assert res.items["units"].tolist() == winner, (share, policy)


# --------------------------------------------------------------------------- order, pass-through


@POLICIES
def test_output_rows_in_input_order(policy: str) -> None:
    rows = [svc(s, 3.0) for s in "abc"]
    people = [person("Z", 20.0), person("A", 5.0), person("M", 50.0)]
    items = [
        item("M", "c", 1, 3),
        item("Z", "b", 2, 4),
        item("A", "a", 1, 3),
        item("Z", "a", 1, 2),
        item("M", "a", 2, 5),
    ]
    res = run(people, items, rows, policy=policy)
    assert res.participants["participant_id"].tolist() == ["Z", "A", "M"]
    got = list(zip(res.items["participant_id"], res.items["service"], strict=True))
    assert got == [(i["participant_id"], i["service"]) for i in items]
    assert res.items["team_rank"].tolist() == [1, 2, 1, 1, 2]


# --------------------------------------------------------------------------- random catalogues


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(catalogue_cases())
def test_catalogue_rules_match_the_reference(case: CatalogueCase) -> None:
    """Row choice, U_i, prices, not_eligible, and the optimum, on random catalogues."""
    res = ibm.allocate(
        case.participants, case.plan_items, case.services, period_weeks=case.period_weeks
    )
    rows = case.services.to_dict("records")
    it = res.items
    for p in case.participants.to_dict("records"):
        pid = p["participant_id"]
        weeks = case.period_weeks if pd.isna(p["period_weeks"]) else int(p["period_weeks"])
        mine = it[it["participant_id"] == pid]
        assert len(mine) == (case.plan_items["participant_id"] == pid).sum()
        prices, uppers, hours = [], [], []
        for r in mine.to_dict("records"):
            row = applicable_row(rows, r["service"], p["municipality"], p["age"], p["target_group"])
            mx = None if pd.isna(r["max_units"]) else int(r["max_units"])
            U = upper_bound(int(r["recommended_units"]), mx, row, weeks)
            assert r["upper_units"] == U, (r, row)
            if row is None:
                assert r["reason"] == "not_eligible" and r["units"] == 0
                prices.append(0)
                hours.append(0.0)
            else:
                assert r["reason"] != "not_eligible"
                assert price_cents(r["unit_price_eur"]) == price_cents(row["unit_price_eur"])
                assert r["cost_eur"] * 100 == pytest.approx(r["units"] * prices_of(row), abs=1e-6)
                prices.append(prices_of(row))
                hours.append(float(row.get("hours_per_unit") or 0.0))
            uppers.append(U)
        problem = Problem(
            price_cents=tuple(prices),
            weight=tuple(mine["weight"].to_numpy(float)),
            recommended=tuple(mine["recommended_units"].astype(int)),
            min_units=tuple(mine["min_units"].fillna(0).astype(int)),
            upper=tuple(uppers),
            hours=tuple(hours),
            budget_cents=price_cents(p["budget_eur"]),
        )
        given = case.plan_items.loc[case.plan_items["participant_id"] == pid, "weight"]
        if given.isna().all():  # Borda over all items, eligible or not
            expect_w = borda_weights(mine["team_rank"].astype(int).tolist(), None)
        else:
            expect_w = given.astype(float).tolist()
        assert list(problem.weight) == pytest.approx(expect_w, abs=1e-12)
        value, _ = solve_milp(problem)
        got = float(part(res, pid)["value"])
        assert got == pytest.approx(value, abs=1e-9)
        assert not problem.violations(mine["units"].astype(int).tolist())


def prices_of(row: dict[str, Any]) -> int:
    return price_cents(float(row["unit_price_eur"]))


# --------------------------------------------------------------------------- result tables

ITEM_COLUMNS = [
    "participant_id",
    "service",
    "units",
    "unit_price_eur",
    "cost_eur",
    "weight",
    "recommended_units",
    "upper_units",
    "coverage",
    "reason",
]
PARTICIPANT_COLUMNS = [
    "participant_id",
    "budget_eur",
    "spent_eur",
    "left_eur",
    "value",
    "max_value",
    "bound",
    "status",
]


@POLICIES
def test_result_columns(policy: str) -> None:
    res = run([person("P", 30.0)], [item("P", "a", 1, 4)], [svc("a", 10.0)], policy=policy)
    assert set(ITEM_COLUMNS) <= set(res.items.columns)
    assert set(PARTICIPANT_COLUMNS) <= set(res.participants.columns)
    assert pd.api.types.is_integer_dtype(res.items["units"])
    assert pd.api.types.is_integer_dtype(res.items["upper_units"])
    assert {"participant_id", "table", "column", "reason"} <= set(res.rejected.columns)


@POLICIES
@pytest.mark.parametrize("order", [["P", "Q"], ["Q", "P"], ["Q", "P", "R"], ["Q", "R"]])
def test_participant_without_plan_items_gets_a_row(policy: str, order: list[str]) -> None:
    """Q and R have no plan items: each still gets its row (nothing funded, value 0)."""
    items = [item("P", "a", 1, 4)] if "P" in order else []
    people = [person(pid, 30.0 if pid == "P" else 20.0) for pid in order]
    services = pd.DataFrame([svc("a", 10.0)])
    plan = pd.DataFrame(
        items, columns=["participant_id", "service", "team_rank", "recommended_units"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ibm.UnknownMunicipalityWarning)  # not the point here
        res = ibm.allocate(pd.DataFrame(people), plan, services, policy=policy)
    assert res.participants["participant_id"].tolist() == order
    for pid in ("Q", "R"):
        if pid in order:
            q = part(res, pid)
            assert (q["spent_eur"], q["left_eur"], q["value"], q["max_value"], q["bound"]) == (
                0.0,
                20.0,
                0.0,
                0.0,
                0.0,
            )
    if "P" in order:
        assert res.items["units"].tolist() == [3]
