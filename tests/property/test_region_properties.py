"""Properties of the region layer (issue 4) on random small regions (Hypothesis).

Capacities (``allocate_region``, both weightings), checked from the tables against the
independent region MILP of ``tests/helpers/region_reference.py``: every method keeps every
budget, every participant's rules and every capacity; ``method="exact"`` reaches the reference
optimum; the decomposition and ``auto`` give value <= optimum <= bound with
``gap = (bound - value) / bound``; capacities at or above the uncapacitated demand give
``ibm_engine.allocate``'s values; row order does not matter; ``lost`` reconciles with the
items; shadow prices are >= 0.

Delivery and cash flow, checked against reimplementations with calendar dates and exact
fractions: pre-financing reconciles with delivered spend to the cent for any lag and reporting
frequency; closures, shortages and pauses give delivered units ``floor(planned x share)`` with
exactly the reason codes of the rules, and nothing but a pause is held against the participant;
re-planning keeps every budget.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ibm_engine as ibm
from helpers.region_reference import RegionProblem, region_problem, solve_region_milp
from ibm_engine.region import (
    allocate_region,
    plan_delivery,
    prefinancing,
    replan_after,
    simulate_delivery,
)
from strategies import examples

REL = 1e-9  # values and bounds are compared with this relative tolerance
SETTINGS = settings(
    deadline=None,
    max_examples=examples(25),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
METHODS = ("decomposition", "auto", "exact")
SERVICES = ("physiotherapy", "psychologist", "day_care_centre", "speech_therapy")
TOWNS = ("Dobele", "Bauska", "Tukums")
PRICES = (0, 70, 1155, 2700, 3500, 4800)  # cents; 0.70 and 11.55 EUR are not binary fractions
HOURS = (0.0, 0.5, 1.0, 2.0)
Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def close(a: float, b: float) -> bool:
    return abs(a - b) <= REL * max(1.0, abs(a), abs(b))


def at_most(a: float, b: float) -> bool:
    return a <= b + REL * max(1.0, abs(a), abs(b))


# --------------------------------------------------------------------------- region tables


@st.composite
def region_tables(draw: st.DrawFn) -> Tables:
    """participants, plan_items, services of a small region (2-6 participants, 1-3
    municipalities, 1-4 services), with municipal price rows, weekly caps, family hours,
    minimum doses, eligibility by target group, family ranks and own periods."""
    towns = TOWNS[: draw(st.integers(1, 3))]
    names = SERVICES[: draw(st.integers(1, 4))]
    rows = []
    for s in names:
        rows.append(
            {
                "service": s,
                "unit": "session",
                "unit_price_eur": draw(st.sampled_from(PRICES)) / 100,
                "municipality": None,
                "max_units_per_week": draw(st.sampled_from([None, None, 0.25, 0.5, 1.0])),
                "target_groups": draw(st.sampled_from([None, None, "GRT,FT", "BSAC"])),
                "hours_per_unit": draw(st.sampled_from(HOURS)),
            }
        )
        if draw(st.booleans()):  # a municipal row replacing the defaults there
            rows.append(
                {
                    "service": s,
                    "unit": "session",
                    "unit_price_eur": draw(st.sampled_from(PRICES)) / 100,
                    "municipality": draw(st.sampled_from(towns)),
                    "max_units_per_week": None,
                    "target_groups": None,
                    "hours_per_unit": draw(st.sampled_from(HOURS)),
                }
            )
    people, plan = [], []
    for k in range(draw(st.integers(2, 6))):
        pid = f"P{k + 1}"
        mine = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
        n = len(mine)
        team = draw(st.permutations(range(1, n + 1)))
        family = draw(st.none() | st.permutations(range(1, n + 1)))
        weights = draw(
            st.none() | st.lists(st.sampled_from([0.5, 1.0, 3.0]), min_size=n, max_size=n)
        )
        for i, s in enumerate(mine):
            rec = draw(st.integers(1, 8))
            plan.append(
                {
                    "participant_id": pid,
                    "service": s,
                    "team_rank": team[i],
                    "family_rank": None if family is None else family[i],
                    "weight": None if weights is None else weights[i],
                    "recommended_units": rec,
                    "min_units": draw(st.sampled_from([None, 0, 1, 2, 3])),
                    "max_units": draw(st.none() | st.integers(0, rec + 1)),
                }
            )
        people.append(
            {
                "participant_id": pid,
                "target_group": draw(st.sampled_from(["GRT", "FT", "BSAC"])),
                "age": draw(st.integers(3, 60)),
                "municipality": draw(st.sampled_from(towns)),
                "budget_eur": draw(st.integers(0, 40_000)) / 100,
                "family_hours_per_week": draw(st.sampled_from([None, None, 0.0, 0.25, 1.0])),
                "period_weeks": draw(st.sampled_from([None, None, 8, 13])),
            }
        )
    participants = pd.DataFrame(people)
    participants["period_weeks"] = participants["period_weeks"].astype("Int64")
    items = pd.DataFrame(plan)
    for c in ("family_rank", "min_units", "max_units"):
        items[c] = items[c].astype("Int64")
    items["weight"] = items["weight"].astype("Float64")
    return participants, items, pd.DataFrame(rows)


def _demand(rp: RegionProblem) -> dict[tuple[str, str], int]:
    """Sum of the upper bounds U_i per (municipality, service): no allocation uses more."""
    out: dict[tuple[str, str], int] = {}
    for keys, p in zip(rp.keys, rp.problems, strict=True):
        for i, key in enumerate(keys):
            out[key] = out.get(key, 0) + (p.upper[i] if p.fundable(i) else 0)
    return out


@st.composite
def regions(draw: st.DrawFn) -> tuple[Tables, pd.DataFrame]:
    """Region tables and a capacities table: a random subset of the (municipality, service)
    pairs, each from 0 to above the largest possible demand."""
    tables = draw(region_tables())
    towns = sorted(set(tables[0]["municipality"]))
    services = sorted(set(tables[2]["service"]))
    demand = _demand(region_problem(*tables, pd.DataFrame(columns=["municipality", "units"])))
    rows = []
    for t in towns:
        for s in services:
            if draw(st.booleans()):
                top = demand.get((t, s), 0)
                units = st.integers(0, top // 2) | st.integers(0, top + 2)  # often binding
                rows.append({"municipality": t, "service": s, "units": draw(units)})
    caps = pd.DataFrame(rows, columns=["municipality", "service", "units"])
    return tables, caps


def _run(tables: Tables, caps: pd.DataFrame, method: str, weighting: str = "coverage") -> object:
    return allocate_region(*tables, caps, method=method, period_weeks=26, weighting=weighting)


def _units(rp: RegionProblem, items: pd.DataFrame, column: str = "units") -> list[list[int]]:
    got = {
        (str(p), str(s)): int(u)
        for p, s, u in zip(items["participant_id"], items["service"], items[column], strict=True)
    }
    return [
        [got[(pid, s)] for s in names]
        for pid, names in zip(rp.participant_ids, rp.services, strict=True)
    ]


# --------------------------------------------------------------------------- capacities


@settings(SETTINGS, max_examples=examples(20))
@given(regions(), st.sampled_from(["coverage", "coverage", "value"]))
def test_every_method_is_feasible_and_brackets_the_reference_optimum(
    region: tuple[Tables, pd.DataFrame], weighting: str
) -> None:
    tables, caps = region
    rp = region_problem(*tables, caps, weighting=weighting)
    best, _ = solve_region_milp(rp)
    for method in METHODS:
        r = _run(tables, caps, method, weighting)
        units = _units(rp, r.items)
        assert rp.violations(units) == [], (method, rp.violations(units))
        # the reported value is the objective of the reported units
        assert close(r.value, rp.objective(units)), (method, r.value, rp.objective(units))
        assert at_most(r.value, best), (method, r.value, best)
        assert at_most(best, r.bound), (method, best, r.bound)
        expected_gap = 0.0 if r.bound <= 0 else max(0.0, (r.bound - r.value) / r.bound)
        assert abs(r.gap - expected_gap) <= 1e-12, (method, r.gap, expected_gap)
        if method == "exact":
            assert close(r.value, best), (r.value, best)
        _check_tables(rp, r, caps, method)


def _check_tables(rp: RegionProblem, r: object, caps: pd.DataFrame, method: str) -> None:
    """``lost`` reconciles with the items; shadow prices: usage as the items say, >= 0."""
    it = r.items  # type: ignore[attr-defined]
    assert (it["units_lost"] == it["units_uncapacitated"] - it["units"]).all()
    cut = it[it["units"] < it["units_uncapacitated"]]
    lost = r.lost  # type: ignore[attr-defined]
    cols = ["participant_id", "service", "units_uncapacitated", "units", "units_lost"]
    want = sorted(map(tuple, cut[cols].astype(str).to_numpy().tolist()))
    assert sorted(map(tuple, lost[cols].astype(str).to_numpy().tolist())) == want
    assert (lost["units_lost"] > 0).all()
    # the uncapacitated units keep each participant's own rules
    for p, u in zip(rp.problems, _units(rp, it, "units_uncapacitated"), strict=True):
        assert p.violations(u) == []
    sp = r.shadow_prices  # type: ignore[attr-defined]
    assert len(sp) == len(caps)
    used = rp.usage(_units(rp, it))
    for row in sp.itertuples():
        assert row.used_units == used[(row.municipality, row.service)]
        assert row.used_units <= row.capacity_units
    prices = sp["price"].to_numpy(dtype=float)
    assert (prices[~np.isnan(prices)] >= 0).all()
    if method != "exact":
        assert not np.isnan(prices).any()


@settings(SETTINGS, max_examples=examples(20))
@given(region_tables(), st.integers(0, 3), st.sampled_from(METHODS), st.data())
def test_capacities_at_or_above_demand_give_allocate_per_participant(
    tables: Tables, extra: int, method: str, data: st.DataObject
) -> None:
    alone = ibm.allocate(*tables, period_weeks=26)
    it = alone.items.merge(tables[0][["participant_id", "municipality"]], on="participant_id")
    demand = it.groupby(["municipality", "service"], as_index=False)["units"].sum()
    keep = data.draw(st.lists(st.booleans(), min_size=len(demand), max_size=len(demand)))
    caps = demand[np.asarray(keep, dtype=bool)]
    caps = caps.assign(units=caps["units"] + extra)
    mine = alone.participants.set_index("participant_id")
    r = _run(tables, caps, method)
    got = r.participants.set_index("participant_id")
    for pid in mine.index:
        assert close(float(got.at[pid, "value"]), float(mine.at[pid, "value"])), pid
    assert (r.items["units_uncapacitated"].to_numpy() == alone.items["units"].to_numpy()).all()
    assert r.lost.empty
    assert close(r.value, r.bound), (r.value, r.bound)


@settings(SETTINGS, max_examples=examples(20))
@given(regions(), st.sampled_from(METHODS), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(
    region: tuple[Tables, pd.DataFrame], method: str, rnd: object
) -> None:
    (people, items, services), caps = region

    def shuffled(df: pd.DataFrame) -> pd.DataFrame:
        order = list(range(len(df)))
        rnd.shuffle(order)  # type: ignore[attr-defined]
        return df.iloc[order].reset_index(drop=True)

    other = (shuffled(people), shuffled(items), shuffled(services))
    caps2 = shuffled(caps)
    a = _run((people, items, services), caps, method)
    b = _run(other, caps2, method)
    assert close(a.value, b.value), (a.value, b.value)
    assert close(a.bound, b.bound), (a.bound, b.bound)
    if method != "exact":  # the exact MILP may pick another optimum among ties
        key = ["participant_id", "service"]
        ua = a.items.sort_values(key)[[*key, "units"]].reset_index(drop=True)
        ub = b.items.sort_values(key)[[*key, "units"]].reset_index(drop=True)
        assert ua.astype(str).equals(ub.astype(str))


# --------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class Interval:
    """A disruption (kind closure/shortage) or a pause (kind pause, share 0)."""

    service: str  # "" = all services (pauses only)
    key: str  # municipality for a disruption ("" = all), participant for a pause
    start: date
    end: date
    share: Fraction
    kind: str


def _months(first: date, n: int) -> list[date]:
    out = []
    y, m = first.year, first.month
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _share(iv: Interval, month: date) -> Fraction:
    """1 - days inside / days in the month x (1 - share), with calendar dates."""
    days = calendar.monthrange(month.year, month.month)[1]
    last = month + timedelta(days=days - 1)
    inside = max(0, (min(iv.end, last) - max(iv.start, month)).days + 1)
    return 1 - Fraction(inside, days) * (1 - iv.share)


@st.composite
def allocations(draw: st.DrawFn) -> object:
    """An allocation result of a small region (real ``ibm.allocate`` output)."""
    tables = draw(region_tables())
    return ibm.allocate(*tables, period_weeks=52)


@st.composite
def intervals(draw: st.DrawFn, first: date, months: int, towns: list[str], pids: list[str],
              services: list[str], pause: bool) -> Interval:  # fmt: skip
    """A disruption or pause; often whole calendar months (so shares of 0 tie)."""
    cal = _months(first, months + 1)
    if draw(st.booleans()):
        k = draw(st.integers(0, months - 1))
        a = cal[k]
        b = cal[min(k + draw(st.integers(1, 3)), months)] - timedelta(days=1)
    else:
        a = first + timedelta(days=draw(st.integers(-20, (cal[-1] - first).days)))
        b = a + timedelta(days=draw(st.integers(0, 120)))
    if pause:
        return Interval(draw(st.sampled_from(["", *services])), draw(st.sampled_from(pids)),
                        a, b, Fraction(0), "pause")  # fmt: skip
    tenths = st.sampled_from([0, 0, 5]) | st.integers(0, 10)
    return Interval(
        draw(st.sampled_from(services)),
        draw(st.sampled_from(["", *towns])),
        a,
        b,
        Fraction(draw(tenths), 10),
        draw(st.sampled_from(["closure", "shortage"])),
    )


def _tables(ivs: list[Interval]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    dis = [iv for iv in ivs if iv.kind != "pause"]
    pau = [iv for iv in ivs if iv.kind == "pause"]
    d = pd.DataFrame(
        {"service": [i.service for i in dis], "municipality": [i.key for i in dis],
         "from_date": [i.start for i in dis], "to_date": [i.end for i in dis],
         "share_available": [float(i.share) for i in dis], "kind": [i.kind for i in dis]}
    )  # fmt: skip
    p = pd.DataFrame(
        {"participant_id": [i.key for i in pau], "service": [i.service for i in pau],
         "from": [i.start for i in pau], "to": [i.end for i in pau]}
    )  # fmt: skip
    return (d if dis else None), (p if pau else None)


CODES = {"closure": "closure", "shortage": "provider_shortage", "pause": "participant_choice"}


@settings(SETTINGS, max_examples=examples(30))
@given(allocations(), st.data())
def test_disruptions_and_pauses_give_the_expected_reason_codes(
    result: object, data: st.DataObject
) -> None:
    first = data.draw(st.dates(date(2019, 6, 1), date(2021, 6, 1)))
    months = data.draw(st.integers(1, 14))
    plan = plan_delivery(result, first, months)
    it = plan.items
    towns = sorted(set(it["municipality"])) or ["Dobele"]
    pids = sorted(set(it["participant_id"])) or ["P1"]
    names = sorted(set(it["service"])) or ["physiotherapy"]
    start = date(first.year, first.month, 1)
    n_dis = data.draw(st.integers(0, 3))
    n_pause = data.draw(st.integers(0, 3))
    ivs = [data.draw(intervals(start, months, towns, pids, names, False)) for _ in range(n_dis)]
    ivs += [data.draw(intervals(start, months, towns, pids, names, True)) for _ in range(n_pause)]
    dis, pau = _tables(ivs)
    d = simulate_delivery(plan, dis, pau)
    f = d.frame
    cal = _months(start, months)
    assert [m.date() for m in plan.months] == cal
    for k, row in enumerate(it.itertuples()):
        for j, month in enumerate(cal):
            planned = int(plan.planned[k, j])
            lowest = {"disruption": (Fraction(1), ""), "pause": (Fraction(1), "")}
            for iv in ivs:
                if iv.kind == "pause":
                    hits = iv.key == row.participant_id and iv.service in ("", row.service)
                    slot = "pause"
                else:
                    hits = iv.service == row.service and iv.key in ("", row.municipality)
                    slot = "disruption"
                s = _share(iv, month)
                if hits and s < lowest[slot][0]:
                    lowest[slot] = (s, iv.kind)
            (sd, kd), (sp, _) = lowest["disruption"], lowest["pause"]
            delivered = math.floor(planned * min(sd, sp))
            reason = "" if delivered == planned else CODES[kd] if sd <= sp else CODES["pause"]
            r = f.iloc[k * months + j]
            assert (r["participant_id"], r["service"]) == (row.participant_id, row.service)
            assert int(r["delivered_units"]) == delivered, (row, month, ivs)
            assert r["reason"] == reason, (row, month, r["reason"], reason, ivs)
            assert bool(r["held_against_participant"]) == (reason == "participant_choice")
    under = f["planned_units"] - f["delivered_units"]
    assert ((under > 0) == (f["reason"] != "")).all()


@settings(SETTINGS, max_examples=examples(30))
@given(allocations(), st.data())
def test_prefinancing_reconciles_with_delivered_spend_to_the_cent(
    result: object, data: st.DataObject
) -> None:
    first = data.draw(st.dates(date(2019, 6, 1), date(2021, 6, 1)))
    months = data.draw(st.integers(1, 14))
    lag = data.draw(st.integers(0, 7))
    freq = data.draw(st.sampled_from(["monthly", "quarterly"]))
    plan = plan_delivery(result, first, months)
    covid = data.draw(st.booleans())
    d = simulate_delivery(plan, ibm.region.covid_2020_disruptions() if covid else None)
    cash = prefinancing(d, freq, lag)
    m = cash.monthly
    # delivered spend per municipality and month, in cents, from the long table
    f = d.frame
    cents = f["delivered_units"].to_numpy() * plan.items["price_cents"].to_numpy().repeat(months)
    spend = pd.DataFrame({"municipality": f["municipality"].astype(str),
                          "month": f["month"], "cents": cents})  # fmt: skip
    want_paid = spend.groupby(["municipality", "month"])["cents"].sum()
    # with no disruption the delivered spend is the allocation's cost, to the cent
    if not covid:
        total = sum(round(x * 100) for x in result.items["cost_eur"])  # type: ignore[attr-defined]
        assert int(cents.sum()) == total
    # reimbursement month of each delivery month: end of its report + lag
    due: dict[tuple[str, pd.Timestamp], int] = {}
    for (town, month), c in want_paid.items():
        end = month.month if freq == "monthly" else 3 * ((month.month - 1) // 3 + 1)
        offset = end - month.month + lag
        key = (town, month + pd.DateOffset(months=offset))
        due[key] = due.get(key, 0) + int(c)
    for town, g in m.groupby("municipality"):
        g = g.sort_values("month")
        assert g["outstanding_cents"].iloc[-1] == 0
        assert g["paid_cents"].sum() == g["reimbursed_cents"].sum()
        assert g["paid_cents"].sum() == want_paid[town].sum()
        assert (g["outstanding_cents"] >= 0).all()
        assert (g["outstanding_cents"] == g["paid_cents"].cumsum() - g["reimbursed_cents"]
                .cumsum()).all()  # fmt: skip
        for row in g.itertuples():
            assert row.paid_cents == int(want_paid.get((town, row.month), 0))
            assert row.reimbursed_cents == due.get((town, row.month), 0)
        assert (g["paid_eur"] * 100).round().astype(np.int64).tolist() == g["paid_cents"].tolist()
        peak = cash.peaks.set_index("municipality").loc[town]
        assert round(peak["peak_outstanding_eur"] * 100) == g["outstanding_cents"].max()
        assert round(peak["paid_eur"] * 100) == g["paid_cents"].sum()
    assert sorted(m["municipality"].unique()) == sorted(
        want_paid.index.get_level_values(0).unique()
    )


@settings(SETTINGS, max_examples=examples(25))
@given(allocations(), st.data())
def test_replan_keeps_budgets_and_the_past(result: object, data: st.DataObject) -> None:
    months = data.draw(st.integers(2, 12))
    plan = plan_delivery(result, date(2020, 1, 1), months)
    d = simulate_delivery(plan, ibm.region.covid_2020_disruptions())
    pos = data.draw(st.integers(0, months - 1))
    new = replan_after(d, pos)
    price = plan.items["price_cents"].to_numpy(np.int64)
    assert (new.planned[:, : pos + 1] == plan.planned[:, : pos + 1]).all()
    assert (new.planned >= plan.planned).all()
    spent = (d.delivered[:, : pos + 1] * price[:, None]).sum(1)
    future = (new.planned[:, pos + 1 :] * price[:, None]).sum(1)
    per = pd.Series(spent + future).groupby(plan.items["participant_id"].to_numpy()).sum()
    budget = plan.items.groupby("participant_id")["budget_cents"].first()
    assert (per <= budget.reindex(per.index)).all()
    # extra units only for items that lost units to the closure, and never more than it freed
    lost = ((plan.planned - d.delivered)[:, : pos + 1] * (d.reason[:, : pos + 1] == 1)).sum(1)
    extra = new.planned.sum(1) - plan.planned.sum(1)
    assert (extra <= lost).all()


def test_equal_shares_go_to_the_disruption_despite_floating_point() -> None:
    """20 of April's 30 days at share 0.4 and a 12-day pause both leave exactly 0.6 of the
    month (1 - 20/30 x 0.6 = 1 - 12/30); in floating point the first is 0.6000000000000001."""
    people = pd.DataFrame({"participant_id": ["A"], "target_group": ["GRT"], "age": [40],
                           "municipality": ["Dobele"], "budget_eur": [1000.0]})  # fmt: skip
    plan_items = pd.DataFrame({"participant_id": ["A"], "service": ["physiotherapy"],
                               "team_rank": [1], "recommended_units": [12]})  # fmt: skip
    services = pd.DataFrame({"service": ["physiotherapy"], "unit": ["session"],
                             "unit_price_eur": [27.0]})  # fmt: skip
    plan = plan_delivery(ibm.allocate(people, plan_items, services), date(2020, 1, 1), 12)
    for kind, code in (("closure", "closure"), ("shortage", "provider_shortage")):
        dis = pd.DataFrame({"service": ["physiotherapy"], "from_date": ["2020-04-01"],
                            "to_date": ["2020-04-20"], "share_available": [0.4],
                            "kind": [kind]})  # fmt: skip
        pause = pd.DataFrame({"participant_id": ["A"], "from": ["2020-04-01"],
                              "to": ["2020-04-12"]})  # fmt: skip
        f = simulate_delivery(plan, dis, pause).frame
        april = f[f["month"] == pd.Timestamp("2020-04-01")].iloc[0]
        assert (april["delivered_units"], april["reason"]) == (0, code)
        assert not april["held_against_participant"]
