"""A programme pot with groups: protected groups, floors, sub-pots, edge statuses, the report."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.budget import (
    BudgetResult,
    CalibrationStatus,
    FlatBudget,
    GroupStatus,
    PointsBudget,
    PotCalibrated,
    PotGroups,
    PotGroupsReport,
    PotStatus,
    Source,
)
from ibm_engine.errors import InputError

SRC = Source("test decision", date(2024, 1, 1))
POT = Source("programme pot 2025", date(2025, 1, 1))
POINTS = PointsBudget(10.0, SRC)

#: (id, group, age, points): formula budgets 1000, 500, 800, 300, 600 EUR
ROWS = [("A", "FT", 7, 100), ("B", "FT", 12, 50), ("C", "GRT", 40, 80), ("D", "GRT", 50, 30),
        ("E", "BSAC", 10, 60)]  # fmt: skip


def people(rows: list[tuple[str, str, int, int]] = ROWS) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"participant_id": p, "target_group": g, "age": a, "municipality": "Dobele",
             "assessment_points": float(pts)}
            for p, g, a, pts in rows
        ]
    )  # fmt: skip


def run(pot: float, groups: PotGroups, frame: pd.DataFrame | None = None) -> BudgetResult:
    return PotCalibrated(POINTS, pot, POT, groups).compute(people() if frame is None else frame)


def report(r: BudgetResult) -> PotGroupsReport:
    assert isinstance(r.calibration, PotGroupsReport)
    return r.calibration


def cents(values: pd.Series) -> np.ndarray:
    return np.round(values.to_numpy(dtype=float) * 100).astype(np.int64)


def by_id(r: BudgetResult) -> dict[str, int]:
    ids = r.breakdown["participant_id"].astype(str)
    return dict(zip(ids, r.budget_cents.tolist(), strict=True))


def check_reconciles(r: BudgetResult, pot: float) -> None:
    """Rows add up to budgets, groups to the total and pots to the pot, in whole cents."""
    rep = report(r)
    parts = r.breakdown.drop(columns="participant_id")
    matrix = np.column_stack([cents(parts[c]) for c in parts.columns])
    assert (matrix.sum(axis=1) == r.budget_cents).all()
    assert cents(rep.groups["budget_eur"]).sum() == r.budget_cents.sum()
    assert cents(rep.pots["total_eur"]).sum() == r.budget_cents.sum()
    assert cents(rep.pots["pot_eur"]).sum() == round(pot * 100)
    assert round(rep.total_eur * 100) == r.budget_cents.sum()
    assert round(rep.below_pot_eur * 100) == round(pot * 100) - r.budget_cents.sum()
    assert rep.groups["participants"].sum() == len(r.budget_cents)
    formula = cents(r.details["formula_budget_eur"])
    change = cents(parts["pot_scaling"]) + cents(parts["group_protection"])
    assert (formula + change == r.budget_cents).all()  # what the calibration changed


def test_protected_group_keeps_its_formula_budget_and_others_share_the_rest() -> None:
    plain = POINTS.compute(people())
    r = run(2000.0, PotGroups("target_group", protect={"FT": 1.0}))
    b, formula = by_id(r), by_id(plain)
    assert b["A"] == formula["A"] and b["B"] == formula["B"]
    assert r.budget_cents.sum() == 200000
    # the others share 2000 - 1500 = 500 EUR in proportion to 800 : 300 : 600
    for pid, f in (("C", 80000), ("D", 30000), ("E", 60000)):
        exact = Fraction(50000) * f / 170000
        assert abs(b[pid] - exact) < 1
    rep = report(r)
    assert rep.status is CalibrationStatus.EXACT
    groups = rep.groups.set_index("group")
    assert groups.loc["FT", "status"] == GroupStatus.PROTECTED
    assert groups.loc["FT", "change_eur"] == 0.0
    assert groups.loc["GRT", "status"] == GroupStatus.SCALED
    assert groups.loc["GRT", "formula_eur"] == 1100.0
    assert r.details["protected"].tolist() == [True, True, False, False, False]
    check_reconciles(r, 2000.0)


def test_breakdown_starts_from_the_formula_and_shows_the_change() -> None:
    plain = POINTS.compute(people())
    r = run(2000.0, PotGroups("target_group", protect={"FT": 1.0}))
    for c in plain.factors:
        assert (cents(r.breakdown[c]) == cents(plain.breakdown[c])).all()
    scaling = cents(r.breakdown["pot_scaling"])
    protection = cents(r.breakdown["group_protection"])
    assert (scaling[:2] < 0).all() and (protection[:2] == -scaling[:2]).all()
    assert (protection[2:] == 0).all()


def test_a_share_keeps_that_share_and_a_floor_holds_only_when_it_binds() -> None:
    r = run(2000.0, PotGroups("target_group", protect={"FT": 0.75}))
    assert by_id(r)["A"] == 75000 and by_id(r)["B"] == 37500
    check_reconciles(r, 2000.0)
    low = run(2000.0, PotGroups("target_group", floors={"FT": 0.9}))
    assert by_id(low)["A"] == 90000 and by_id(low)["B"] == 45000
    high = run(3000.0, PotGroups("target_group", floors={"FT": 0.9}))
    plain = PotCalibrated(POINTS, 3000.0, POT).compute(people())
    assert by_id(high) == by_id(plain)  # scale 0.9375 is above the floor: nobody is held
    assert report(high).groups.set_index("group").loc["FT", "status"] == GroupStatus.PROTECTED
    check_reconciles(high, 3000.0)


def test_sub_pot_is_calibrated_on_its_own() -> None:
    r = run(2000.0, PotGroups("target_group", protect={"FT": 1.0}, sub_pots={"BSAC": 0.2}))
    b = by_id(r)
    assert b["E"] == 40000  # 20% of the pot, BSAC's only participant
    assert b["A"] + b["B"] + b["C"] + b["D"] == 160000
    pots = report(r).pots.set_index("pot")
    assert pots.loc["sub_pot[BSAC]", "pot_eur"] == 400.0
    assert pots.loc["main", "status"] == PotStatus.EXACT
    params = {p.name: p for p in r.params}
    assert (
        "calibrated to the programme pot" in params["price_per_point_eur[sub_pot[BSAC]]"].reference
    )
    assert params["sub_pot[BSAC]"].value == 0.2
    check_reconciles(r, 2000.0)


def test_protection_beyond_the_pot_is_released_and_said_so() -> None:
    groups = PotGroups("target_group", protect={"FT": 1.0})
    r = run(1400.0, groups)  # FT alone needs 1500
    plain = PotCalibrated(POINTS, 1400.0, POT).compute(people())
    assert by_id(r) == by_id(plain)  # the pot is then calibrated as without protection
    rep = report(r)
    assert rep.pots.loc[0, "status"] == PotStatus.RELEASED
    assert rep.groups.set_index("group").loc["FT", "status"] == GroupStatus.RELEASED
    assert rep.status is CalibrationStatus.EXACT
    assert not r.details["protected"].any()
    check_reconciles(r, 1400.0)


def test_nothing_left_to_scale_leaves_the_rest_of_the_pot_unspent() -> None:
    every = {"FT": 1.0, "GRT": 1.0, "BSAC": 1.0}
    r = run(4000.0, PotGroups("target_group", protect=every))
    assert by_id(r) == by_id(POINTS.compute(people()))
    rep = report(r)
    assert rep.pots.loc[0, "status"] == PotStatus.NOTHING_TO_SCALE
    assert rep.status is CalibrationStatus.CAPPED
    assert rep.below_pot_eur == 800.0
    check_reconciles(r, 4000.0)
    exact = run(3200.0, PotGroups("target_group", protect=every))
    assert report(exact).pots.loc[0, "status"] == PotStatus.EXACT
    released = run(3199.99, PotGroups("target_group", protect=every))
    assert report(released).pots.loc[0, "status"] == PotStatus.RELEASED
    assert released.budget_cents.sum() == 319999


def test_empty_groups_are_reported_and_an_empty_sub_pot_is_unspent() -> None:
    r = run(2000.0, PotGroups("target_group", protect={"XX": 1.0}, sub_pots={"YY": 0.1}))
    rep = report(r)
    groups = rep.groups.set_index("group")
    assert groups.loc["XX", "status"] == GroupStatus.EMPTY
    assert groups.loc["XX", "participants"] == 0
    assert groups.loc["YY", "status"] == GroupStatus.EMPTY
    pots = rep.pots.set_index("pot")
    assert pots.loc["sub_pot[YY]", "status"] == PotStatus.EMPTY
    assert pots.loc["sub_pot[YY]", "below_eur"] == 200.0
    assert r.budget_cents.sum() == 180000
    assert rep.status is CalibrationStatus.CAPPED
    check_reconciles(r, 2000.0)


def test_no_protected_group_is_the_plain_calibration() -> None:
    for pot in (0.0, 0.07, 1234.56, 9999.99):
        r = run(pot, PotGroups("target_group"))
        assert by_id(r) == by_id(PotCalibrated(POINTS, pot, POT).compute(people()))


def test_age_bands_and_boolean_columns_are_groups() -> None:
    r = run(3000.0, PotGroups("age_band", protect={"5-17": 1.0}))
    assert [by_id(r)[p] for p in "ABE"] == [100000, 50000, 60000]
    assert report(r).groups["group"].tolist() == ["18-64", "5-17"]
    frame = people().assign(priority_case=[True, False, False, True, False])
    r = run(2000.0, PotGroups("priority_case", protect={True: 1.0}), frame)
    assert by_id(r)["A"] == 100000 and by_id(r)["D"] == 30000
    assert report(r).groups["group"].tolist() == ["False", "True"]


def test_a_sub_pot_below_its_floors_is_an_input_error() -> None:
    floored = PointsBudget(10.0, SRC, floor_eur=500.0)
    groups = PotGroups("target_group", sub_pots={"FT": 0.1})
    with pytest.raises(InputError, match=r"groups\.sub_pots\[FT\]"):
        PotCalibrated(floored, 5000.0, POT, groups).compute(people())


def test_group_column_problems_are_all_collected() -> None:
    frame = people().assign(priority_case=[True, None, False, None, True])
    f = PotCalibrated(POINTS, 100.0, POT, PotGroups("priority_case", protect={True: 1.0}))
    with pytest.raises(InputError) as err:
        f.compute(frame)
    problems = err.value.problems
    assert problems["row"].tolist() == ["B", "D"]
    assert set(problems["column"]) == {"priority_case"}
    assert [p["row"] for p in f.problems(frame)] == ["B", "D"]
    missing = PotCalibrated(POINTS, 100.0, POT, PotGroups("nope"))
    with pytest.raises(InputError, match="column nope: required column is missing"):
        missing.compute(people())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"protect": {"FT": 1.5}}, r"protect\[FT\]: must be <= 1"),
        ({"floors": {"FT": -0.1}}, r"floors\[FT\]: must be >= 0"),
        ({"protect": {"FT": 1.0}, "floors": {"FT": 0.5}}, "also in protect"),
        ({"sub_pots": {"FT": 0.6, "GRT": 0.5}}, "more than the whole pot"),
        ({"sub_pots": [("FT", 0.5)]}, "must be a mapping"),
    ],
)
def test_bad_group_rules_are_input_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        PotGroups("target_group", **kwargs)  # type: ignore[arg-type]


def test_groups_must_be_pot_groups() -> None:
    with pytest.raises(InputError, match="column groups"):
        PotCalibrated(POINTS, 100.0, POT, {"FT": 1.0})  # type: ignore[arg-type]


def test_allocate_shows_the_calibration_change_per_participant() -> None:
    services = pd.DataFrame(
        [{"service": "psychologist", "unit": "session", "unit_price_eur": 30.0}]
    )
    items = pd.DataFrame(
        [{"participant_id": p, "service": "psychologist", "team_rank": 1, "recommended_units": 10}
         for p, *_ in ROWS]
    )  # fmt: skip
    flat = FlatBudget({"FT": 300.0, "GRT": 200.0, "BSAC": 100.0}, SRC)
    formula = PotCalibrated(flat, 1000.0, POT, PotGroups("target_group", protect={"FT": 1.0}))
    result = ibm.allocate(people(), items, services, budget=formula)
    parts = result.participants
    assert parts["budget_eur"].sum() == pytest.approx(1000.0)
    assert parts["budget_eur"].tolist()[:2] == [300.0, 300.0]
    assert {"budget_pot_scaling", "budget_group_protection"} <= set(parts.columns)


def test_quarantine_sets_aside_participants_without_a_group() -> None:
    services = pd.DataFrame(
        [{"service": "psychologist", "unit": "session", "unit_price_eur": 30.0}]
    )
    items = pd.DataFrame(
        [{"participant_id": p, "service": "psychologist", "team_rank": 1, "recommended_units": 10}
         for p, *_ in ROWS]
    )  # fmt: skip
    frame = people().assign(priority_case=[True, None, False, False, True])
    groups = PotGroups("priority_case", protect={True: 1.0})
    formula = PotCalibrated(POINTS, 2000.0, POT, groups)
    result = ibm.allocate(frame, items, services, budget=formula, errors="quarantine")
    assert result.rejected["participant_id"].tolist() == ["B"]
    assert result.rejected["column"].tolist() == ["priority_case"]
    parts = result.participants
    budgets = dict(zip(parts["participant_id"], parts["budget_eur"], strict=True))
    assert budgets["A"] == 1000.0 and budgets["E"] == 600.0  # protected: their formula budgets
    assert sum(budgets.values()) == pytest.approx(2000.0)


def test_a_pot_no_scale_reaches_is_capped() -> None:
    capped = PointsBudget(10.0, SRC, cap_eur=400.0)  # at most 5 x 400 = 2000 EUR
    r = PotCalibrated(capped, 2500.0, POT, PotGroups("target_group", protect={"FT": 1.0})).compute(
        people()
    )
    rep = report(r)
    assert rep.pots.loc[0, "status"] == PotStatus.CAPPED
    assert rep.status is CalibrationStatus.CAPPED
    assert by_id(r) == {"A": 40000, "B": 40000, "C": 40000, "D": 40000, "E": 40000}
    assert rep.groups.set_index("group").loc["GRT", "status"] == GroupStatus.CAPPED
    check_reconciles(r, 2500.0)
