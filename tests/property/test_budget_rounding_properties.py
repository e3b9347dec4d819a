"""A protected budget is its share of the formula budget *shown*, to the cent (Hypothesis).

For random formula budgets (fractional points, any period, so the exact amounts are not whole
cents) and random shares (any float in [0, 1], taken as the decimal it prints as):

- ``details.formula_budget_eur`` is what ``formula.compute`` gives;
- a kept budget is ``round_half_up(share x formula budget shown)`` and a floor holds at
  ``ceil(share x formula budget shown)``, computed here with ``Fraction``;
- every row's breakdown adds up to its budget, the formula's columns to the formula budget
  shown; the ``groups`` and ``pots`` tables reconcile to the cent;
- budgets never fall as a formula's scale grows; a bigger pot lowers no budget by more than
  the one cent the leftover rule may move.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibm_engine.budget import (
    FlatBudget,
    NeedLevelBudget,
    PointsBudget,
    PotCalibrated,
    PotGroups,
    PotGroupsReport,
    PotStatus,
    Source,
    TransitionProtected,
)
from strategies import examples

SRC = Source("property tests", date(2024, 1, 1))
SETTINGS = settings(
    max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
GROUPS = ("FT", "GRT", "BSAC")
SHARES = st.one_of(
    st.floats(0.0, 1.0, allow_nan=False),
    st.integers(0, 100).map(lambda k: k / 100),
)
Case = tuple[pd.DataFrame, PotCalibrated]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n = draw(st.integers(1, 8))
    rows = [
        {
            "participant_id": f"P{k:02d}",
            "target_group": draw(st.sampled_from(GROUPS)),
            "age": 30,
            "municipality": "Dobele",
            "assessment_points": draw(st.integers(0, 3000)) / 10,
            "period_weeks": draw(st.integers(1, 52)),
        }
        for k in range(n)
    ]
    price = draw(st.sampled_from([0.01, 7.33, 12.345, 16.0]))
    rules: dict[str, dict[str, float]] = {"protect": {}, "floors": {}, "sub_pots": {}}
    for g in draw(st.permutations(GROUPS)):
        kind = draw(st.sampled_from(["none", "protect", "floors"]))
        if kind != "none":
            rules[kind][g] = draw(SHARES)
    if draw(st.booleans()):
        rules["sub_pots"][draw(st.sampled_from(GROUPS))] = draw(SHARES)
    pot = draw(st.integers(0, 2_000_000)) / 100
    formula = PointsBudget(price, SRC)
    return pd.DataFrame(rows), PotCalibrated(formula, pot, SRC, PotGroups("target_group", **rules))


def cents(values: pd.Series) -> np.ndarray:
    return np.round(values.to_numpy(dtype=float) * 100).astype(np.int64)


@given(cases())
@SETTINGS
def test_protected_budgets_are_shares_of_the_formula_budget_shown(case: Case) -> None:
    frame, f = case
    groups = f.groups
    assert groups is not None
    r = f.compute(frame)
    report = r.calibration
    assert isinstance(report, PotGroupsReport)
    shown = f.formula.compute(frame).budget_cents
    assert (cents(r.details["formula_budget_eur"]) == shown).all()
    b = r.budget_cents
    label = frame["target_group"].astype(str).to_numpy()
    pot_of = r.details["pot"].to_numpy()
    status = dict(zip(report.pots["pot"], report.pots["status"], strict=True))
    for i, g in enumerate(label):
        if PotStatus(status[pot_of[i]]) is PotStatus.RELEASED:
            assert not r.details["protected"].iloc[i]
            continue
        kept, floor = groups.kept(g), groups.floor(g)
        if kept is not None:
            exact = Fraction(str(kept)) * int(shown[i])
            assert b[i] == math.floor(exact + Fraction(1, 2)), (g, kept, shown[i], b[i])
        elif floor is not None:
            assert b[i] >= math.ceil(Fraction(str(floor)) * int(shown[i])), (g, floor, b[i])
    # the breakdown and the report reconcile to the cent
    parts = r.breakdown.drop(columns="participant_id")
    assert (sum(cents(parts[c]) for c in parts.columns) == b).all()
    change = cents(parts["pot_scaling"]) + cents(parts["group_protection"])
    assert (sum(cents(parts[c]) for c in parts.columns) - change == shown).all()
    rows = report.groups.set_index("group")
    for g, row in rows.iterrows():
        m = label == g
        assert round(row["formula_eur"] * 100) == int(shown[m].sum())
        assert round(row["budget_eur"] * 100) == int(b[m].sum())
        assert round(row["change_eur"] * 100) == int(b[m].sum() - shown[m].sum())
        assert row["participants"] == int(m.sum())
    assert cents(report.groups["budget_eur"]).sum() == b.sum()
    assert cents(report.pots["total_eur"]).sum() == b.sum()
    assert cents(report.pots["pot_eur"]).sum() == f.pot_cents
    for _, row in report.pots.iterrows():
        m = pot_of == row["pot"]
        assert round(row["total_eur"] * 100) == int(b[m].sum()) <= round(row["pot_eur"] * 100)
    for g, share in groups.sub_pots.items():
        money = report.pots.set_index("pot").loc[f"sub_pot[{g}]", "pot_eur"]
        assert round(money * 100) == math.floor(Fraction(str(share)) * f.pot_cents)
    assert round(report.total_eur * 100) == b.sum() <= f.pot_cents


# -- what docs/budgets.md says about scales and pots ------------------------------------

PEOPLE = st.lists(
    st.tuples(
        st.sampled_from(GROUPS),
        st.integers(0, 3000),
        st.integers(1, 52),
        st.integers(0, 100),
        st.one_of(st.none(), st.integers(0, 300_000)),
    ),
    min_size=1,
    max_size=6,
)


def _frame(rows: list[tuple[str, int, int, int, int | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"participant_id": f"P{k:02d}", "target_group": g, "age": 30,
             "municipality": "Dobele", "assessment_points": pts / 10, "period_weeks": w,
             "support_need_score": float(score),
             "previous_budget_eur": None if prev is None else prev / 100}
            for k, (g, pts, w, score, prev) in enumerate(rows)
        ]
    )  # fmt: skip


@given(PEOPLE, st.lists(st.floats(0.0, 5.0), min_size=2, max_size=5))
@SETTINGS
def test_budgets_never_fall_as_the_scale_grows(rows: list[Any], scales: list[float]) -> None:
    """docs/budgets.md, section 6: the exact amounts (so the budgets, rounded half up) are
    non-decreasing in the scale, with floors, caps and transition protection."""
    frame = _frame(rows)
    points = PointsBudget(16.0, SRC, floor_eur=150.0, cap_eur=4000.0,
                          informal_care_rate_eur_per_hour=1.5, max_informal_share=0.3)  # fmt: skip
    flat = FlatBudget({"FT": 3000.0, "GRT": 2400.0, "BSAC": 1800.0}, SRC)
    levels = NeedLevelBudget([25.0, 50.0, 75.0], [600.0, 1500.0, 2700.0, 4200.0], SRC)
    protected = TransitionProtected(points, SRC, max_decrease=0.1, max_increase=0.25)
    for scale_of in (
        lambda s: replace(points, price_per_point_eur=16.0 * s),
        lambda s: replace(flat, multiplier=s),
        lambda s: replace(levels, multiplier=s),
        lambda s: replace(protected, formula=replace(points, price_per_point_eur=16.0 * s)),
    ):
        budgets = [scale_of(s).compute(frame).budget_cents for s in sorted(scales)]
        for low, high in itertools.pairwise(budgets):
            assert (low <= high).all()


@given(PEOPLE, st.integers(0, 500_000), st.integers(1, 1000))
@SETTINGS
def test_a_bigger_pot_lowers_no_budget_by_more_than_a_cent(
    rows: list[Any], pot: int, more: int
) -> None:
    """docs/budgets.md, section 6: the leftover cents can move (a cent), the scale cannot."""
    frame = _frame(rows)
    points = PointsBudget(16.0, SRC, cap_eur=4000.0)
    small, big = (
        PotCalibrated(points, cents / 100, SRC).compute(frame).budget_cents
        for cents in (pot, pot + more)
    )
    assert (big >= small - 1).all()
