"""Every figure a budget notice shows is the one the computation used (issue 9).

A protected group keeps ``share x`` the formula budget *as shown* (whole cents), not of the
unrounded amount behind it; floors, sub-pots and transition bounds are computed exactly from the
figures as written (no float noise decides a cent).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from ibm_engine.budget import (
    BudgetResult,
    FlatBudget,
    PointsBudget,
    PotCalibrated,
    PotGroups,
    PotGroupsReport,
    Source,
    TransitionProtected,
)

SRC = Source("test decision", date(2025, 1, 1))


def cents(values: pd.Series) -> np.ndarray:
    return np.round(values.to_numpy(dtype=float) * 100).astype(np.int64)


def report(r: BudgetResult) -> PotGroupsReport:
    assert isinstance(r.calibration, PotGroupsReport)
    return r.calibration


def person(pid: str, group: str, **extra: object) -> dict[str, object]:
    return {"participant_id": pid, "target_group": group, "age": 30, "municipality": "Dobele",
            **extra}  # fmt: skip


def check_breakdown(r: BudgetResult) -> None:
    """Rows add up to budgets; the formula's columns to the formula budget shown."""
    parts = r.breakdown.drop(columns="participant_id")
    assert (sum(cents(parts[c]) for c in parts.columns) == r.budget_cents).all()
    formula_columns = [c for c in parts.columns if c not in ("pot_scaling", "group_protection")]
    shown = cents(r.details["formula_budget_eur"])
    assert (sum(cents(parts[c]) for c in formula_columns) == shown).all()
    change = cents(parts["pot_scaling"]) + cents(parts["group_protection"])
    assert (shown + change == r.budget_cents).all()


def test_a_protected_share_is_of_the_formula_budget_shown() -> None:
    """95.4 points x 16 EUR over 10 weeks is 587.0769... EUR, shown as 587.08; 95% of the
    shown figure is 557.726, 557.73 halves up (557.72 was 95% of the unrounded amount)."""
    points = PointsBudget(price_per_point_eur=16, source=SRC)
    frame = pd.DataFrame(
        [
            person("A", "FT", assessment_points=95.4, period_weeks=10),
            person("B", "GRT", assessment_points=50.0, period_weeks=10),
        ]
    )
    assert points.compute(frame).budget_eur.tolist() == [587.08, 307.69]
    groups = PotGroups("target_group", protect={"FT": 0.95})
    r = PotCalibrated(points, 1000.0, SRC, groups).compute(frame)
    assert r.budget_cents.tolist() == [55773, 44227]
    assert r.details["formula_budget_eur"].tolist() == [587.08, 307.69]
    assert {p.name: p.value for p in r.params}["keep[FT]"] == 0.95
    ft = report(r).groups.set_index("group").loc["FT"]
    assert (ft["share"], ft["formula_eur"], ft["budget_eur"]) == (0.95, 587.08, 557.73)
    assert ft["change_eur"] == pytest.approx(-29.35)
    check_breakdown(r)


def test_a_group_floor_is_its_share_of_the_shown_formula_budget_rounded_up() -> None:
    """0.9 x 587.06 = 528.354: a floor never goes below it (528.36), a kept share rounds half
    up (528.35)."""
    flat = FlatBudget({"FT": 587.06, "GRT": 1000.0}, SRC)
    frame = pd.DataFrame([person("A", "FT"), person("B", "GRT")])
    floor = PotCalibrated(flat, 700.0, SRC, PotGroups("target_group", floors={"FT": 0.9}))
    keep = PotCalibrated(flat, 700.0, SRC, PotGroups("target_group", protect={"FT": 0.9}))
    r_floor, r_keep = floor.compute(frame), keep.compute(frame)
    assert r_floor.budget_cents.tolist() == [52836, 17164]
    assert r_keep.budget_cents.tolist() == [52835, 17165]
    assert Fraction(52836) >= Fraction(9, 10) * 58706 > Fraction(52835)
    for r in (r_floor, r_keep):
        check_breakdown(r)
        assert bool(r.details["protected"].iloc[0])


def test_formula_columns_show_the_formula_budget_when_the_scale_is_one() -> None:
    """26 budgets of 1.153846... EUR add up to the pot of 30.00 exactly, so the scale is 1; the
    leftover cents the pot gives are its change (``pot_scaling``), not the formula's."""
    points = PointsBudget(10.0, SRC)
    frame = pd.DataFrame(
        [person(f"P{k:02d}", "GRT", assessment_points=1.0, period_weeks=3) for k in range(26)]
    )
    r = PotCalibrated(points, 30.0, SRC, PotGroups("target_group", protect={"XX": 1.0})).compute(
        frame
    )
    assert report(r).scale == 1.0
    assert r.budget_cents.sum() == 3000
    assert (r.details["formula_budget_eur"] == 1.15).all()
    assert (cents(r.breakdown["points_amount"]) == 115).all()
    assert cents(r.breakdown["pot_scaling"]).tolist() == [1] * 10 + [0] * 16
    grt = report(r).groups.set_index("group").loc["GRT"]
    assert (grt["formula_eur"], grt["budget_eur"]) == (29.9, 30.0)
    check_breakdown(r)


def test_a_sub_pot_is_its_share_of_the_pot_rounded_down_exactly() -> None:
    """0.35 x 436,953,510.00 EUR is 152,933,728.50 EUR exactly (float gave 152,933,728.49)."""
    flat = FlatBudget({"FT": 1000.0, "GRT": 1000.0}, SRC)
    frame = pd.DataFrame([person("A", "FT"), person("B", "GRT")])
    groups = PotGroups("target_group", sub_pots={"FT": 0.35})
    r = PotCalibrated(flat, 436_953_510.00, SRC, groups).compute(frame)
    pots = report(r).pots.set_index("pot")["pot_eur"]
    assert round(pots["sub_pot[FT]"] * 100) == 15_293_372_850
    assert round(pots["main"] * 100) == 43_695_351_000 - 15_293_372_850


def test_transition_bounds_are_exact_from_the_previous_budget() -> None:
    """P = 59,838,118.00 EUR: +13% is 67,617,073.34 EUR exactly (float gave .33), -13% is
    52,059,162.66."""
    flat = FlatBudget({"GRT": 100_000_000.0, "FT": 1.0}, SRC)
    frame = pd.DataFrame(
        [
            person("A", "GRT", previous_budget_eur=59_838_118.00),
            person("B", "FT", previous_budget_eur=59_838_118.00),
        ]
    )
    r = TransitionProtected(flat, SRC, max_decrease=0.13, max_increase=0.13).compute(frame)
    assert r.budget_cents.tolist() == [6_761_707_334, 5_205_916_266]
    details = r.details.set_index("participant_id")
    assert round(details.loc["A", "protected_to_eur"] * 100) == 6_761_707_334
    assert round(details.loc["B", "protected_from_eur"] * 100) == 5_205_916_266


@pytest.mark.parametrize("weeks", [1, 3, 7, 13, 26, 52, 104])
def test_floors_and_caps_for_a_period_are_exact(weeks: int) -> None:
    """``ceil(floor x T / 26)`` and ``floor(cap x T / 26)`` cents from the amounts as written."""
    floor_eur, cap_eur = 39_657_959.59, 75_469_527.99
    points = PointsBudget(1.0, SRC, floor_eur=floor_eur, cap_eur=cap_eur)
    frame = pd.DataFrame(
        [
            person("low", "GRT", assessment_points=0.0, period_weeks=weeks),
            person("high", "GRT", assessment_points=1e9, period_weeks=weeks),
        ]
    )
    r = points.compute(frame)
    low = Fraction(3_965_795_959) * weeks / 26
    high = Fraction(7_546_952_799) * weeks / 26
    assert r.budget_cents.tolist() == [-((-low.numerator) // low.denominator), int(high)]
