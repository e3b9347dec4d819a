"""``allocate(..., budget=formula)``: the formula fills missing budgets; breakdowns shown."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.budget import CostedPlanBudget, FlatBudget, PotCalibrated, Source

SOURCE = Source("test tables", dt.date(2026, 1, 1))
FLAT = FlatBudget({"GRT": 3000, "FT": 4000, "BSAC": 2500}, SOURCE)


def _region() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return ibm.synthetic_zemgale(seed=8, n_grt=6, n_ft=6, n_bsac=3)


def test_formula_sets_every_budget_when_the_column_is_absent() -> None:
    p, i, s = _region()
    r = ibm.allocate(p.drop(columns=["budget_eur"]), i, s, budget=FLAT)
    out = r.participants
    expected = out["target_group"].map({"GRT": 3000.0, "FT": 4000.0, "BSAC": 2500.0})
    assert (out["budget_eur"] == expected).all()
    assert (out["budget_source"] == "formula").all()
    assert (out["spent_eur"] <= out["budget_eur"]).all()


def test_given_budgets_are_kept_and_the_rest_come_from_the_formula() -> None:
    p, i, s = _region()
    p = p.copy()
    p.loc[:2, "budget_eur"] = np.nan
    r = ibm.allocate(p, i, s, budget=FLAT)
    out = r.participants
    assert list(out["budget_source"][:4]) == ["formula", "formula", "formula", "given"]
    assert out["budget_eur"].iloc[3] == p["budget_eur"].iloc[3]
    assert out["budget_eur"].iloc[0] == 3000.0


def test_breakdown_sums_to_the_budget_to_the_cent() -> None:
    p, i, s = _region()
    formula = CostedPlanBudget(SOURCE, factor=0.8, floor_eur=500.0)
    r = ibm.allocate(p.drop(columns=["budget_eur"]), i, s, budget=formula)
    out = r.participants
    parts = out[[c for c in out.columns if c.startswith("budget_") and c != "budget_source"]]
    parts = parts.drop(columns=["budget_eur"])
    assert len(parts.columns) >= 1
    cents = np.round(parts.to_numpy(dtype=float) * 100).sum(axis=1)
    assert np.array_equal(cents, np.round(out["budget_eur"].to_numpy() * 100))


def test_pot_calibrated_formula_stays_within_the_pot() -> None:
    p, i, s = _region()
    pot = 40_000.0
    r = ibm.allocate(p.drop(columns=["budget_eur"]), i, s, budget=PotCalibrated(FLAT, pot, SOURCE))
    total = r.participants["budget_eur"].sum()
    assert total <= pot + 1e-9
    assert pot - total < 0.01 * len(p)


def test_without_a_formula_budget_eur_is_still_required() -> None:
    p, i, s = _region()
    with pytest.raises(ibm.InputError, match="budget_eur"):
        ibm.allocate(p.drop(columns=["budget_eur"]), i, s)


def test_corrected_assessment_score_recomputes_the_formula_budget() -> None:
    from ibm_engine.budget import NeedLevelBudget, synthetic_assessments

    p, i, s = _region()
    p = synthetic_assessments(p.drop(columns=["budget_eur"]), seed=1)
    formula = NeedLevelBudget(
        thresholds=(40.0, 70.0), amounts_eur=(1500, 3000, 6000), source=SOURCE
    )
    r = ibm.allocate(p, i, s, budget=formula)
    pid = r.participants["participant_id"].iloc[0]
    diff = r.participant(pid).what_if(participant={"support_need_score": 95.0})
    assert diff.attrs["budget_after_eur"] == 6000.0
    alone = ibm.allocate(
        p[p["participant_id"] == pid].assign(support_need_score=95.0),
        i[i["participant_id"] == pid],
        s,
        budget=formula,
    )
    assert diff.attrs["value_after"] == pytest.approx(float(alone.participants["value"].iloc[0]))
