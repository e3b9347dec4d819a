"""The square-root regression: known coefficients, outliers reported, R-squared by group."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ibm_engine.budget import (
    TRUE_MODEL,
    PotCalibrated,
    Source,
    fit_regression,
    synthetic_assessments,
)
from ibm_engine.data import synthetic_zemgale
from ibm_engine.errors import InputError

SRC = Source("synthetic history", date(2023, 1, 1))


def synthetic(n: int, a: float, b: float, sd: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, n)
    spend = np.round(np.maximum(a + b * x + rng.normal(0, sd, n), 0) ** 2, 2)
    return pd.DataFrame(
        {
            "participant_id": [f"P{k:05d}" for k in range(n)],
            "support_need_score": x,
            "historical_spend_eur": spend,
        }
    )


@pytest.mark.parametrize(("a", "b", "seed"), [(10.0, 0.5, 1), (30.0, 0.2, 2), (5.0, 1.0, 3)])
def test_recovers_known_coefficients(a: float, b: float, seed: int) -> None:
    fit = fit_regression(synthetic(3000, a, b, 2.0, seed), categorical=(), source=SRC)
    c = fit.coefficients.set_index("term")
    # within 4 standard errors (and the standard errors are small)
    assert abs(c.loc["intercept", "coef"] - a) < 4 * c.loc["intercept", "std_error"]
    assert (
        abs(c.loc["support_need_score", "coef"] - b) < 4 * c.loc["support_need_score", "std_error"]
    )
    assert c.loc["support_need_score", "std_error"] < 0.01
    assert fit.sigma == pytest.approx(2.0, rel=0.1)
    assert fit.n_obs == 3000


def test_standard_errors_match_the_textbook_formula() -> None:
    frame = synthetic(200, 10.0, 0.5, 3.0, 7)
    fit = fit_regression(frame, categorical=(), source=SRC)
    x = np.column_stack([np.ones(200), frame["support_need_score"].to_numpy()])
    y = np.sqrt(frame["historical_spend_eur"].to_numpy())
    coef, rss, *_ = np.linalg.lstsq(x, y, rcond=None)
    cov = rss[0] / (200 - 2) * np.linalg.inv(x.T @ x)
    assert fit.coefficients["coef"].to_numpy() == pytest.approx(coef)
    assert fit.coefficients["std_error"].to_numpy() == pytest.approx(np.sqrt(np.diag(cov)))


def test_recovers_the_synthetic_model_with_categories() -> None:
    participants, _, _ = synthetic_zemgale(11, scale=4, family_ranks=False)
    frame = synthetic_assessments(participants, 11)
    fit = fit_regression(frame, categorical=("living_setting", "target_group"), source=SRC)
    c = fit.coefficients.set_index("term")
    assert set(c.index) == set(TRUE_MODEL)
    for term, value in TRUE_MODEL.items():
        # the 1% outliers pull the estimates a little: 6 standard errors
        assert abs(c.loc[term, "coef"] - value) < 6 * c.loc[term, "std_error"] + 0.3, term
    groupings = set(fit.r2_by_group["grouping"])
    assert groupings == {"all", "target_group", "municipality", "age_band"}
    ages = fit.r2_by_group.query("grouping == 'age_band'")
    assert set(ages["group"]) <= {"0-4", "5-17", "18-64", "65+"}
    assert ages["n"].sum() == len(frame)
    assert 0.5 < fit.r2 < 1.0


def test_outliers_are_listed_not_dropped_unless_asked() -> None:
    frame = synthetic(500, 10.0, 0.5, 1.0, 5)
    frame.loc[[3, 77], "historical_spend_eur"] *= 9  # three times the square root
    kept = fit_regression(frame, categorical=(), source=SRC)
    assert {"P00003", "P00077"} <= set(kept.outliers["participant_id"])
    assert not kept.outliers["dropped"].any()
    assert (kept.outliers["studentised_residual"].abs() > 3).all()
    assert kept.n_obs == 500
    dropped = fit_regression(frame, categorical=(), source=SRC, drop_outliers=True)
    assert dropped.outliers["dropped"].all()
    assert dropped.n_obs == 500 - len(dropped.outliers)
    assert dropped.sigma < kept.sigma
    c = dropped.coefficients.set_index("term")["coef"]
    assert c["support_need_score"] == pytest.approx(0.5, abs=0.01)


def test_collinear_and_too_few_rows_are_input_errors() -> None:
    frame = synthetic(50, 10.0, 0.5, 1.0, 9)
    frame["twice"] = 2 * frame["support_need_score"]
    with pytest.raises(InputError, match="twice"):
        fit_regression(frame, numeric=("support_need_score", "twice"), categorical=(), source=SRC)
    with pytest.raises(InputError, match="too few rows"):
        fit_regression(frame.head(3), categorical=(), source=SRC)


def test_fitted_formula_budgets_and_calibration_by_intercept() -> None:
    participants, _, _ = synthetic_zemgale(12, n_grt=120, n_ft=120, n_bsac=60, family_ranks=False)
    frame = synthetic_assessments(participants, 12)
    fit = fit_regression(frame, categorical=("living_setting",), source=SRC)
    formula = fit.budget()
    r = formula.compute(frame)
    lp = r.details["linear_predictor"].to_numpy()
    assert r.budget_eur == pytest.approx(np.maximum(lp, 0) ** 2, abs=0.006)
    sqrt_parts = r.details[[f"{f}_sqrt" for f in r.factors]].to_numpy()
    assert sqrt_parts.sum(axis=1) == pytest.approx(lp)
    eur = r.breakdown[list(r.factors)].to_numpy()
    assert np.round(eur.sum(axis=1) * 100).astype(np.int64).tolist() == r.budget_cents.tolist()
    pot = round(float(r.budget_eur.sum()) * 0.9, 2)
    cal = PotCalibrated(formula, pot, Source("pot decision", date(2024, 1, 1))).compute(frame)
    assert cal.budget_cents.sum() == round(pot * 100)
    assert cal.calibration is not None and cal.calibration.parameter == "coefficient[intercept]"
    shift = cal.calibration.value - formula.coefficients["intercept"]
    assert shift == pytest.approx(cal.calibration.scale) and shift < 0
    intercept = next(p for p in cal.params if p.name == "coefficient[intercept]")
    assert intercept.reference.startswith("calibrated to the programme pot")
