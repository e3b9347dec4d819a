"""Invariants of the budget formulas on Hypothesis-drawn populations.

- calibration never exceeds the pot and misses it by less than one cent per participant (to the
  cent unless every budget is held at a bound); an infeasible pot is below the floors;
- every breakdown sums to its budget to the cent;
- transition protection keeps every budget within its band and reports its cost exactly;
- budgets do not depend on row order; a higher price per point never lowers a budget.
"""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ibm_engine.budget import (
    BudgetResult,
    CalibrationStatus,
    NeedLevelBudget,
    PointsBudget,
    PotCalibrated,
    Source,
    TransitionProtected,
)
from ibm_engine.errors import InputError, UnknownMunicipalityWarning
from ibm_engine.tables import Prepared, prepare
from strategies import examples

SRC = Source("property tests", date(2024, 1, 1))
SETTINGS = settings(
    max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_NO_ITEMS = pd.DataFrame(
    {"participant_id": [], "service": [], "team_rank": [], "recommended_units": []}
)
_NO_SERVICES = pd.DataFrame({"service": [], "unit": [], "unit_price_eur": []})


def prepared(frame: pd.DataFrame) -> Prepared:
    """The population validated once (formulas then read only their assessment columns)."""
    with warnings.catch_warnings():  # no catalogue: every municipality is "unknown" to it
        warnings.simplefilter("ignore", UnknownMunicipalityWarning)
        return prepare(frame, _NO_ITEMS, _NO_SERVICES, budget_required=False)


money_cents = st.integers(0, 1_000_000)
points = st.one_of(st.sampled_from([0.0, 1.0, 100.0]), st.floats(0.001, 500))


@st.composite
def populations(draw: Any) -> pd.DataFrame:
    n = draw(st.integers(1, 25))
    ids = draw(
        st.lists(st.text("ABCXYZ0123", min_size=1, max_size=4), min_size=n, max_size=n, unique=True)
    )
    rows = []
    for pid in ids:
        prev = draw(st.one_of(st.none(), money_cents))
        rows.append(
            {
                "participant_id": pid,
                "target_group": draw(st.sampled_from(["GRT", "FT", "BSAC"])),
                "age": draw(st.integers(0, 90)),
                "municipality": "Dobele",
                "period_weeks": draw(st.one_of(st.none(), st.integers(1, 104))),
                "assessment_points": draw(points),
                "support_need_score": draw(st.floats(0, 100, allow_nan=False)),
                "informal_care_hours_per_week": draw(st.one_of(st.none(), st.floats(0, 60))),
                "previous_budget_eur": None if prev is None else prev / 100,
            }
        )
    frame = pd.DataFrame(rows)
    frame["period_weeks"] = frame["period_weeks"].astype("Int64")
    return frame


@st.composite
def points_formulas(draw: Any) -> PointsBudget:
    floor = draw(st.sampled_from([0.0, 10.0, 123.45, 500.0]))
    cap = draw(st.one_of(st.none(), st.floats(0, 5000).map(lambda c: floor + c)))
    return PointsBudget(
        draw(st.floats(0.01, 50)),
        SRC,
        floor_eur=floor,
        cap_eur=cap,
        informal_care_rate_eur_per_hour=draw(st.floats(0, 3)),
        max_informal_share=draw(st.floats(0, 1)),
    )


def breakdown_cents(r: BudgetResult) -> np.ndarray:
    b = r.breakdown.drop(columns="participant_id").to_numpy(dtype=float) * 100
    assert np.allclose(b, np.round(b), atol=1e-6)
    return np.round(b).astype(np.int64)


def assert_sums(r: BudgetResult) -> None:
    assert (breakdown_cents(r).sum(axis=1) == r.budget_cents).all()
    assert (r.budget_cents >= 0).all()


@SETTINGS
@given(populations(), points_formulas(), st.integers(0, 5_000_000), st.booleans())
def test_calibration_hits_the_pot(
    frame: pd.DataFrame, formula: PointsBudget, pot_cents: int, protect: bool
) -> None:
    inner = TransitionProtected(formula, SRC, 0.1, 0.5) if protect else formula
    cal = PotCalibrated(inner, pot_cents / 100, SRC)
    prep = prepared(frame)
    try:
        r = cal.compute_prepared(prep)
    except InputError as exc:
        assert list(exc.problems["column"]) == ["pot_eur"]
        lowest = PointsBudget(0.0, SRC, floor_eur=formula.floor_eur, cap_eur=formula.cap_eur)
        low = TransitionProtected(lowest, SRC, 0.1, 0.5) if protect else lowest
        assert low.compute_prepared(prep).budget_cents.sum() > pot_cents
        return
    total = int(r.budget_cents.sum())
    report = r.calibration
    assert report is not None
    assert total <= pot_cents
    if report.status is CalibrationStatus.CAPPED:
        huge = frame.assign(assessment_points=frame["assessment_points"] * 1e9)
        at_most = inner.compute_prepared(prepared(huge))
        assert total >= int(at_most.budget_cents.sum()) - len(frame)
    else:
        assert pot_cents - total < len(frame)
        assert (report.status is CalibrationStatus.EXACT) == (total == pot_cents)
    assert round(report.total_eur * 100) == total
    assert_sums(r)


@SETTINGS
@given(populations(), points_formulas())
def test_breakdowns_sum_and_higher_price_never_lowers(frame: pd.DataFrame, f: PointsBudget) -> None:
    prep = prepared(frame)
    r = f.compute_prepared(prep)
    assert_sums(r)
    dearer = PointsBudget(
        f.price_per_point_eur * 1.5,
        SRC,
        floor_eur=f.floor_eur,
        cap_eur=f.cap_eur,
        informal_care_rate_eur_per_hour=f.informal_care_rate_eur_per_hour,
        max_informal_share=f.max_informal_share,
    ).compute_prepared(prep)
    assert (dearer.budget_cents >= r.budget_cents).all()
    levels = NeedLevelBudget([25.0, 50.0, 75.0], [100.01, 200.02, 300.03, 400.04], SRC)
    assert_sums(levels.compute_prepared(prep))


@SETTINGS
@given(
    populations(),
    points_formulas(),
    st.floats(0, 1),
    st.one_of(st.none(), st.floats(0, 2)),
)
def test_transition_band_and_cost(
    frame: pd.DataFrame, f: PointsBudget, down: float, up: float | None
) -> None:
    prep = prepared(frame)
    base = f.compute_prepared(prep).budget_cents
    r = TransitionProtected(f, SRC, down, up).compute_prepared(prep)
    prev = frame["previous_budget_eur"].to_numpy(dtype=float) * 100
    has = ~np.isnan(prev)
    b = r.budget_cents
    low = np.ceil(np.round(prev * (1 - down), 6))
    assert (b[has] >= low[has]).all()
    if up is not None:
        high = np.floor(np.round(prev * (1 + up), 6))
        assert (b[has] <= high[has]).all()
    assert (b[~has] == base[~has]).all()
    change = b - base
    # the protection moves a budget only as far as its band requires
    assert ((change == 0) | (b == low) | (up is not None and (b == high))).all()
    t = r.transition
    assert t is not None
    assert round(t.cost_eur * 100) == change[change > 0].sum()
    assert round(t.savings_eur * 100) == -change[change < 0].sum()
    assert round(t.net_eur * 100) == change.sum()
    assert_sums(r)


@SETTINGS
@given(populations(), points_formulas(), st.integers(0, 5_000_000), st.randoms())
def test_row_order_does_not_matter(
    frame: pd.DataFrame, f: PointsBudget, pot_cents: int, rnd: Any
) -> None:
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order].reset_index(drop=True)
    prep, prep_shuffled = prepared(frame), prepared(shuffled)
    for formula in (f, PotCalibrated(f, pot_cents / 100, SRC)):
        try:
            a, b = formula.compute_prepared(prep), formula.compute_prepared(prep_shuffled)
        except InputError:
            continue
        by_id_a = dict(zip(frame["participant_id"], a.budget_cents.tolist(), strict=True))
        by_id_b = dict(zip(shuffled["participant_id"], b.budget_cents.tolist(), strict=True))
        assert by_id_a == by_id_b
