"""A protected budget is its share of the formula budget *shown*, to the cent (Hypothesis).

For random formula budgets (fractional points, any period, so the exact amounts are not whole
cents) and random shares (any float in [0, 1], taken as the decimal it prints as):

- ``details.formula_budget_eur`` is what ``formula.compute`` gives;
- a kept budget is ``round_half_up(share x formula budget shown)`` and a floor holds at
  ``ceil(share x formula budget shown)``, computed here with ``Fraction``;
- every row's breakdown adds up to its budget, the formula's columns to the formula budget
  shown; the ``groups`` and ``pots`` tables reconcile to the cent.
"""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibm_engine.budget import (
    PointsBudget,
    PotCalibrated,
    PotGroups,
    PotGroupsReport,
    PotStatus,
    Source,
)

SRC = Source("property tests", date(2024, 1, 1))
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
