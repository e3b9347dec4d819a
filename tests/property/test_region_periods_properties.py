"""Properties of consecutive periods, carry-over and instalments (Hypothesis).

The ledger is checked against an independent reference written with Python ints, Decimal and
datetime one participant and period at a time; instalments against exact Fraction quotas.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ibm_engine.errors import InputError
from ibm_engine.region._periods import run_periods
from ibm_engine.region._periods_carry import CarryOver, carry_cents
from ibm_engine.region._periods_release import INSTALMENT_SCHEDULES, instalment_frame
from ibm_engine.region._periods_table import validate_periods
from strategies import examples

SERVICES = pd.DataFrame(
    {
        "service": ["physiotherapy", "psychologist", "speech_therapy"],
        "unit": ["session"] * 3,
        "unit_price_eur": [27.0, 35.5, 30.01],
    }
)


@st.composite
def rules(draw: st.DrawFn) -> CarryOver:
    kind = draw(st.sampled_from(["none", "plan_year", "capped"]))
    month = draw(st.integers(1, 12))
    if kind == "none":
        return CarryOver.none()
    own = draw(st.booleans())
    if kind == "plan_year":
        return CarryOver.plan_year(year_start_month=month, forfeit_own_choice=own)
    eur = draw(st.one_of(st.none(), st.integers(0, 50_000).map(lambda c: Decimal(c) / 100)))
    share = draw(st.one_of(st.none(), st.integers(0, 1000).map(lambda s: Decimal(s) / 1000)))
    if eur is None and share is None:
        share = Decimal("0.1")
    return CarryOver.capped(
        eur=eur,
        share=share,
        within_plan_year=draw(st.booleans()),
        year_start_month=month,
        forfeit_own_choice=own,
    )


def _plan_year(d: dt.date, month: int) -> int:
    return d.year if d.month >= month else d.year - 1


def _reference_carry(
    rule: CarryOver, unspent: int, budget: int, same_year: bool, own: int = 0
) -> int:
    if rule.kind == "none" or (rule.within_plan_year and not same_year):
        return 0
    cap = unspent - own if rule.forfeit_own_choice else unspent
    if rule.cap_eur is not None:
        cap = min(cap, int(rule.cap_eur * 100))
    if rule.cap_share is not None:
        cap = min(cap, int((rule.cap_share * budget).to_integral_value(rounding=ROUND_FLOOR)))
    return max(cap, 0)


@st.composite
def cases(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, CarryOver]:
    n = draw(st.integers(1, 3))
    ids = [f"P{i}" for i in range(n)]
    people = pd.DataFrame(
        {
            "participant_id": ids,
            "target_group": ["FT"] * n,
            "age": [8] * n,
            "municipality": ["Dobele"] * n,
            "budget_eur": [draw(st.integers(0, 200_000)) / 100 for _ in ids],
        }
    )
    k = draw(st.integers(1, 4))
    start = dt.date(2018, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    rows = []
    for p in range(1, k + 1):
        days = draw(st.integers(20, 250))
        end = start + dt.timedelta(days=days - 1)
        budget = draw(st.one_of(st.none(), st.integers(0, 150_000).map(lambda c: c / 100)))
        rows.append({"period": p, "start_date": str(start), "end_date": str(end),
                     "budget_eur": budget})  # fmt: skip
        start = end + dt.timedelta(days=1)
    periods = pd.DataFrame(rows)
    per_period = draw(st.booleans())
    items = []
    for pid in ids:
        for p in range(1, k + 1) if per_period else [0]:
            chosen = draw(st.lists(st.sampled_from(list(SERVICES["service"])), max_size=3,
                                   unique=True))  # fmt: skip
            for rank, service in enumerate(chosen, start=1):
                row = {"participant_id": pid, "service": service, "team_rank": rank,
                       "recommended_units": draw(st.integers(1, 40))}  # fmt: skip
                if per_period:
                    row["period"] = p
                items.append(row)
    cols = ["participant_id", "service", "team_rank", "recommended_units"]
    plan = pd.DataFrame(items, columns=[*cols, "period"] if per_period else cols)
    return people, plan, periods, draw(rules())


@settings(max_examples=examples(20), deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_ledger_equals_an_independent_reference(case: tuple, rnd: object) -> None:
    people, plan, periods, rule = case
    r = run_periods(people, plan, SERVICES, periods, rule)
    led = r.ledger
    # the same rows in another order give the same ledger
    shuffled = periods.sample(frac=1.0, random_state=rnd.randint(0, 10**6))  # type: ignore[attr-defined]
    again = run_periods(people, plan, SERVICES, shuffled, rule).ledger
    pd.testing.assert_frame_equal(led, again)
    starts = [dt.date.fromisoformat(s) for s in periods["start_date"]]
    ends = [dt.date.fromisoformat(s) for s in periods["end_date"]]
    k = len(periods)
    for pid, own in zip(people["participant_id"], people["budget_eur"], strict=True):
        g = led[led["participant_id"] == pid].reset_index(drop=True)
        carried = 0
        for p in range(k):
            b = periods["budget_eur"].iloc[p]
            budget = round((own if b is None or pd.isna(b) else b) * 100)
            available = budget + carried
            alloc = r.results[p + 1].participants.set_index("participant_id").loc[pid]
            assert round(alloc["budget_eur"] * 100) == available  # allocated with its money
            spent = round(alloc["spent_eur"] * 100)
            nxt = starts[p + 1] if p + 1 < k else ends[p] + dt.timedelta(days=1)
            same = _plan_year(nxt, rule.year_start_month) == _plan_year(
                starts[p], rule.year_start_month
            )
            out = _reference_carry(rule, available - spent, budget, same)
            row = g.iloc[p]
            assert (row["budget_cents"], row["carried_in_cents"], row["spent_cents"]) == (
                budget,
                carried,
                spent,
            )
            assert (row["carried_out_cents"], row["forfeited_cents"]) == (
                out,
                available - spent - out,
            )
            carried = out
        assert g["budget_cents"].sum() == (
            g["spent_cents"].sum() + g["forfeited_cents"].sum() + g["carried_out_cents"].iloc[-1]
        )
    assert r.totals()["reconciles"].all()


@settings(max_examples=examples(150), deadline=None)
@given(
    rules(),
    st.lists(
        st.tuples(st.integers(0, 10**9), st.integers(0, 10**9), st.booleans(), st.floats(0, 1)),
        min_size=1,
        max_size=20,
    ),
)
def test_carry_cents_matches_the_reference(rule: CarryOver, rows: list) -> None:
    unspent = np.array([u for u, _, _, _ in rows], dtype=np.int64)
    budget = np.array([b for _, b, _, _ in rows], dtype=np.int64)
    same = np.array([s for _, _, s, _ in rows])
    own = np.array([int(u * f) for u, _, _, f in rows], dtype=np.int64)  # a part of unspent
    got = carry_cents(rule, unspent, budget, same, own).tolist()
    want = [_reference_carry(rule, int(u), int(b), bool(s), int(o))
            for (u, b, s, _), o in zip(rows, own, strict=True)]  # fmt: skip
    assert got == want
    assert all(c <= u for c, u in zip(got, unspent, strict=True))
    if rule.kind == "capped":
        assert all(c <= rule.cap_cents(budget)[i] for i, c in enumerate(got))
    if rule.within_plan_year:
        assert all(c == 0 for c, s in zip(got, same, strict=True) if not s)


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10**10), st.integers(1, 36)), min_size=1, max_size=5),
    st.sampled_from(INSTALMENT_SCHEDULES),
    st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
)
def test_instalments_are_exact_even_and_never_ahead(
    rows: list[tuple[int, int]], schedule: str, start: dt.date
) -> None:
    ledger = pd.DataFrame(
        {
            "participant_id": [f"P{i}" for i in range(len(rows))],
            "period": 1,
            "start_date": pd.to_datetime([start] * len(rows)),
            "months": [m for _, m in rows],
            "available_cents": [a for a, _ in rows],
        }
    )
    out = instalment_frame(ledger, schedule)
    every = {"single": None, "monthly": 1, "quarterly": 3}[schedule]
    for i, (amount, months) in enumerate(rows):
        g = out[out["participant_id"] == f"P{i}"]
        assert len(g) == months
        assert g["month"].iloc[0] == pd.Timestamp(start.year, start.month, 1)
        released = g["released_cents"].to_numpy()
        assert released.sum() == amount and (released >= 0).all()
        assert g["cumulative_cents"].tolist() == np.cumsum(released).tolist()
        step = months if every is None else every
        paid = [j for j in range(months) if released[j] or j % step == 0]
        assert set(paid) <= set(range(0, months, step))
        for n_inst, j in enumerate(range(0, months, step), start=1):
            covered = min(j + step, months) - j
            quota = Fraction(amount * covered, months)
            assert abs(released[j] - quota) < 1  # within one cent of its exact share
            assert g["instalment"].iloc[j] == n_inst
            # never ahead of the months paid for, never a cent behind
            ahead = Fraction(amount * min(j + step, months), months)
            assert ahead - 1 < g["cumulative_cents"].iloc[j] <= ahead
        if schedule == "monthly":
            assert released.max() - released.min() <= 1


@st.composite
def period_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[dt.date], list[dt.date]]:
    k = draw(st.integers(2, 6))
    start = draw(st.dates(dt.date(2015, 1, 1), dt.date(2030, 1, 1)))
    starts, ends = [], []
    for _ in range(k):
        end = start + dt.timedelta(days=draw(st.integers(1, 400)) - 1)
        starts.append(start)
        ends.append(end)
        start = end + dt.timedelta(days=1)
    table = pd.DataFrame(
        {"period": range(1, k + 1), "start_date": [str(s) for s in starts],
         "end_date": [str(e) for e in ends]}
    )  # fmt: skip
    return table, starts, ends


PEOPLE = pd.DataFrame({"participant_id": ["A", "B"], "budget_eur": [10.0, 20.0]})


@settings(max_examples=examples(60), deadline=None)
@given(period_tables(), st.randoms(use_true_random=False))
def test_consecutive_periods_in_any_row_order_are_accepted(case: tuple, rnd: object) -> None:
    table, starts, ends = case
    order = list(range(len(table)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    canon = validate_periods(table.iloc[order], PEOPLE)
    assert canon["period"].tolist() == list(range(1, len(table) + 1)) * 2
    got = canon["start_date"].dt.date.tolist()[: len(table)]
    assert got == starts
    days = [(e - s).days + 1 for s, e in zip(starts, ends, strict=True)]
    assert canon["weeks"].tolist()[: len(table)] == [max(round(d / 7), 1) for d in days]


@settings(max_examples=examples(60), deadline=None)
@given(period_tables(), st.data())
def test_a_moved_start_is_named_by_row_and_column(case: tuple, data: st.DataObject) -> None:
    table, starts, _ = case
    p = data.draw(st.integers(1, len(table) - 1))  # a later period, 0-based row
    shift = data.draw(st.integers(-30, 30).filter(lambda d: d != 0))
    moved = starts[p] + dt.timedelta(days=shift)
    bad = table.copy()
    bad.loc[p, "start_date"] = str(moved)
    problems = []
    try:
        validate_periods(bad, PEOPLE)
    except InputError as err:
        problems = err.problems[["row", "column"]].to_numpy().tolist()
    if moved > dt.date.fromisoformat(bad.loc[p, "end_date"]):
        assert problems == [[p + 1, "end_date"]]  # the period now ends before it starts
    else:
        assert problems == [[p + 1, "start_date"]]  # an overlap or a gap, on the moved row
