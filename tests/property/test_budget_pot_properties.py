"""Invariants of a programme pot with protected groups and sub-pots (Hypothesis).

- the total is never above the pot, nor any pot's total above its money;
- a pot that can be reached (a participant it may scale has points, or its protected budgets
  fill it exactly) is spent to the cent;
- protected budgets are ``share x formula budget`` rounded half up (a Fraction reference), and
  floors hold, whenever the protection is not released;
- the scaled participants of a pot are scaled by one common factor up to cent rounding;
- leftover cents are deterministic, and nothing depends on row order.
"""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibm_engine.budget import (
    BudgetResult,
    PointsBudget,
    PotCalibrated,
    PotGroups,
    PotGroupsReport,
    PotStatus,
    Source,
)
from strategies import examples

SRC = Source("property tests", date(2024, 1, 1))
SETTINGS = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
GROUPS = ("FT", "GRT", "BSAC")
SHARES = st.sampled_from([0.0, 0.25, 0.5, 0.8, 0.9, 1.0])
Case = tuple[pd.DataFrame, PotCalibrated, float, float | None]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Participants (whole points, so formula budgets are whole cents), groups and a pot."""
    n = draw(st.integers(1, 10))
    rows = [
        {
            "participant_id": f"P{k:02d}",
            "target_group": draw(st.sampled_from(GROUPS)),
            "age": 30,
            "municipality": "Dobele",
            "assessment_points": float(draw(st.integers(0, 300))),
        }
        for k in range(n)
    ]
    price = draw(st.sampled_from([0.01, 1.0, 7.33, 10.0]))
    cap = draw(st.sampled_from([None, None, 5.0, 500.0, 1234.56]))
    names = draw(st.permutations(GROUPS))
    rules: dict[str, dict[str, float]] = {"protect": {}, "floors": {}, "sub_pots": {}}
    for g in names:
        kind = draw(st.sampled_from(["none", "protect", "floors"]))
        if kind != "none":
            rules[kind][g] = draw(SHARES)
    if draw(st.booleans()):
        rules["sub_pots"][names[0]] = draw(st.sampled_from([0.1, 0.3, 0.5]))
    groups = PotGroups("target_group", **rules)
    pot_cents = draw(st.integers(0, 1_000_000))
    formula = PointsBudget(price, SRC, cap_eur=cap)
    return pd.DataFrame(rows), PotCalibrated(formula, pot_cents / 100, SRC, groups), price, cap


def rep(r: BudgetResult) -> PotGroupsReport:
    assert isinstance(r.calibration, PotGroupsReport)
    return r.calibration


def formula_cents(frame: pd.DataFrame, price: float, cap: float | None) -> list[Fraction]:
    """Independent reference: points x price per point in exact cents (26-week periods), at
    most the cap."""
    p = Fraction(str(price)) * 100
    amounts = [Fraction(int(x)) * p for x in frame["assessment_points"]]
    return amounts if cap is None else [min(a, Fraction(str(cap)) * 100) for a in amounts]


def half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)) // 1)


@given(cases())
@SETTINGS
def test_pot_properties(case: Case) -> None:
    frame, f, price, cap = case
    groups = f.groups
    assert groups is not None
    r = f.compute(frame)
    report = rep(r)
    b = r.budget_cents
    pot = round(f.pot_eur * 100)
    assert int(b.sum()) <= pot
    exact = formula_cents(frame, price, cap)
    raw = formula_cents(frame, price, None)
    top = None if cap is None else int(Fraction(str(cap)) * 100)
    label = frame["target_group"].to_numpy()
    pots = report.pots.set_index("pot")
    for name, row in pots.iterrows():
        sub = str(name)[8:-1] if name != "main" else None
        if sub is not None:
            members = label == sub
        else:
            members = ~np.isin(label, [str(g) for g in groups.sub_pots])
        money = round(row["pot_eur"] * 100)
        total = int(b[members].sum())
        assert total <= money
        assert round(row["total_eur"] * 100) == total
        idx = np.flatnonzero(members)
        status = PotStatus(row["status"])
        released = status is PotStatus.RELEASED
        scalable = [i for i in idx if groups.kept(str(label[i])) is None or released]
        # the most the pot's budgets can add up to: kept budgets, and the cap (or no limit) for
        # everyone scaled who has points
        kept_total = sum(
            half_up(exact[i] * Fraction(str(groups.kept(str(label[i])))))
            for i in idx
            if i not in scalable
        )
        positive = [i for i in scalable if exact[i] > 0]
        most = math.inf if positive and top is None else kept_total + len(positive) * (top or 0)
        reachable = most >= money
        if reachable:
            assert total == money, (name, status, total, money)
        # the status says what happened
        if status in (PotStatus.EXACT, PotStatus.RELEASED):
            assert total == money
        elif status is PotStatus.EMPTY:
            assert total == 0 and idx.shape[0] == 0
        else:
            assert status in (PotStatus.CAPPED, PotStatus.NOTHING_TO_SCALE), status
            assert total < money and not reachable
        for i in idx:
            g = str(label[i])
            kept, floor = groups.kept(g), groups.floor(g)
            if released:
                assert not r.details["protected"].iloc[i]
            elif kept is not None:
                assert b[i] == half_up(exact[i] * Fraction(str(kept)))
            elif floor is not None:
                assert b[i] >= half_up(exact[i] * Fraction(str(floor)))
        # one common factor for everyone scaled freely: intervals [(b-1)/F, (b+1)/F] meet
        free = [
            i
            for i in scalable
            if exact[i] > 0
            and (top is None or b[i] < top)
            and (released or groups.floor(str(label[i])) is None
                 or b[i] > half_up(exact[i] * Fraction(str(groups.floor(str(label[i]))))))
        ]  # fmt: skip
        if free:
            lo = max(Fraction(int(b[i]) - 1) / raw[i] for i in free)
            hi = min(Fraction(int(b[i]) + 1) / raw[i] for i in free)
            assert lo <= hi, (name, [(int(b[i]), raw[i]) for i in free])
    parts = r.breakdown.drop(columns="participant_id").to_numpy(dtype=float) * 100
    assert (np.round(parts).astype(np.int64).sum(axis=1) == b).all()


@given(cases(), st.randoms(use_true_random=False))
@SETTINGS
def test_row_order_and_repeats_change_nothing(case: Case, rnd: Any) -> None:
    frame, f, _, _ = case
    first = f.compute(frame)
    again = f.compute(frame)
    assert (first.budget_cents == again.budget_cents).all()
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = f.compute(frame.iloc[order].reset_index(drop=True))
    a = dict(zip(first.breakdown["participant_id"], first.budget_cents.tolist(), strict=True))
    s = dict(zip(shuffled.breakdown["participant_id"], shuffled.budget_cents.tolist(), strict=True))
    assert a == s
    pd.testing.assert_frame_equal(rep(first).groups, rep(shuffled).groups)
    pd.testing.assert_frame_equal(rep(first).pots, rep(shuffled).pots)
