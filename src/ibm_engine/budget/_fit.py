"""Fitting the square-root regression on historical spend (Florida iBudget-like).

Least squares of ``sqrt(spend per 26 weeks)`` on an intercept, numeric columns and dummies of
categorical columns (the alphabetically first level of each is the reference). Reported:
coefficients with standard errors, t and p values; R-squared overall and by target group,
municipality and age band, on the square-root scale and in EUR; and the outliers, rows whose
externally studentised residual exceeds the threshold in absolute value. Outliers are listed,
never dropped silently: with ``drop_outliers=True`` the model is refitted without them and the
list says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import FloatArray
from ibm_engine.budget._fit_stats import Ols, age_bands, ols, r2_table
from ibm_engine.budget._inputs import spec_for
from ibm_engine.budget._params import ParameterCheck, Source
from ibm_engine.budget._regression import RESERVED, RegressionBudget, terms
from ibm_engine.errors import InputError
from ibm_engine.tables import ColumnSpec, ProblemLog
from ibm_engine.tables._columns import as_frame, check_columns
from ibm_engine.tables._convert import Codes, Column, TextColumn, text
from ibm_engine.tables._sources import file_sources

__all__ = ["RegressionFit", "fit_regression"]

_GROUP_SPECS = (
    ColumnSpec("target_group", "text", False),
    ColumnSpec("municipality", "text", False),
    ColumnSpec("age", "int", False, lambda v: (v < 0) | (v > 120), "must be between 0 and 120"),
    ColumnSpec("period_weeks", "int", False, lambda v: v < 1, "must be >= 1"),
)


@dataclass(frozen=True, eq=False)
class RegressionFit:
    """A fitted square-root regression (see :func:`fit_regression`).

    Attributes
    ----------
    coefficients : DataFrame
        ``term, coef, std_error, t_value, p_value`` (square-root scale, per 26 weeks).
    r2, r2_eur : float
        R-squared of the rows fitted, on the square-root scale and in EUR.
    r2_by_group : DataFrame
        ``grouping`` (``all``, ``target_group``, ``municipality``, ``age_band``), ``group``,
        ``n``, ``r2_sqrt``, ``r2_eur``.
    outliers : DataFrame
        ``participant_id, studentised_residual, leverage, observed_eur, fitted_eur, dropped``
        (spend and prediction per 26 weeks).
    n_obs : int
        Rows the coefficients were fitted on.
    sigma : float
        Residual standard error on the square-root scale.
    """

    coefficients: pd.DataFrame
    r2: float
    r2_eur: float
    r2_by_group: pd.DataFrame
    outliers: pd.DataFrame
    n_obs: int
    sigma: float
    numeric: tuple[str, ...]
    levels: dict[str, tuple[str, ...]]
    source: Source
    drop_outliers: bool

    def budget(self) -> RegressionBudget:
        """The budget formula with these coefficients (and this fit's source)."""
        coefs = dict(zip(self.coefficients["term"], self.coefficients["coef"], strict=True))
        return RegressionBudget(
            {str(k): float(v) for k, v in coefs.items()}, self.numeric, self.levels, self.source
        )


def _check_args(
    numeric: Sequence[str],
    categorical: Sequence[str],
    source: object,
    period_weeks: object,
    bands: Sequence[int],
    threshold: object,
) -> None:
    check = ParameterCheck("regression_fit")
    check.source(source)
    names = [*numeric, *categorical]
    for name in names:
        if not isinstance(name, str) or not name or name in RESERVED:
            check.add("numeric" if name in numeric else "categorical", f"bad column {name!r}")
    if len(set(names)) != len(names):
        check.add("categorical", "a column appears twice among numeric and categorical")
    pw = period_weeks
    if isinstance(pw, bool) or not isinstance(pw, int) or pw < 1:
        check.add("period_weeks", f"must be an integer >= 1 (got {pw!r})")
    ok = all(isinstance(b, int) and not isinstance(b, bool) for b in bands) and len(bands) > 0
    if not ok or bands[0] != 0 or any(b <= a for a, b in itertools.pairwise(bands)):
        check.add("age_bands", "must be increasing whole ages starting at 0")
    check.number("outlier_threshold", threshold, low=0.0, strict_low=True)
    check.raise_if_any()


def _read(
    frame: pd.DataFrame, target: str, numeric: Sequence[str], categorical: Sequence[str]
) -> tuple[dict[str, Column], Codes]:
    log = ProblemLog(sources=file_sources(participants=frame))
    pids = (
        text(frame["participant_id"], allow_int=True).coded
        if "participant_id" in frame.columns
        else None
    )
    specs = [
        ColumnSpec("participant_id", "id", True),
        spec_for(target, "money"),
        *(spec_for(c, "float") for c in numeric),
        *(spec_for(c, "text") for c in categorical),
        *(s for s in _GROUP_SPECS if s.name not in (*numeric, *categorical)),
    ]
    cols = check_columns(frame, "participants", specs, log, pids)
    if pids is not None:
        has = pids.codes >= 0
        count = np.bincount(pids.codes[has], minlength=pids.texts.shape[0])
        dup = has & (count[np.maximum(pids.codes, 0)] > 1) if count.shape[0] else has
        log.add_rows("participants", "participant_id", dup, "participant_id is not unique", pids)
    if log or pids is None:
        raise InputError(log.records)
    return cols, pids


def _design(
    cols: dict[str, Column], numeric: Sequence[str], categorical: Sequence[str]
) -> tuple[FloatArray, dict[str, tuple[str, ...]]]:
    n = next(iter(cols.values())).empty.shape[0]
    x = [np.ones(n)] + [np.asarray(cols[c].values, dtype=np.float64) for c in numeric]
    levels: dict[str, tuple[str, ...]] = {}
    for c in categorical:
        col = cols[c]
        if not isinstance(col, TextColumn):
            raise TypeError(f"{c} is not a text column")
        texts = col.coded.texts.astype(str)
        order = np.argsort(texts, kind="stable")
        levels[c] = tuple(texts[order].tolist())
        for code in order[1:].tolist():
            x.append((col.coded.codes == code).astype(np.float64))
    return np.column_stack(x), levels


def fit_regression(
    frame: object,
    *,
    source: Source,
    numeric: Sequence[str] = ("support_need_score",),
    categorical: Sequence[str] = ("living_setting",),
    target: str = "historical_spend_eur",
    period_weeks: int = 26,
    age_band_edges: Sequence[int] = (0, 5, 18, 65),
    drop_outliers: bool = False,
    outlier_threshold: float = 3.0,
) -> RegressionFit:
    """Fit ``sqrt(spend per 26 weeks)`` on the given columns by least squares.

    Parameters
    ----------
    frame : DataFrame
        One row per person: ``participant_id``, the target (EUR spent in the person's
        ``period_weeks``, else in ``period_weeks`` weeks), the numeric and categorical columns;
        ``target_group``, ``municipality`` and ``age`` (if present) give R-squared by group.
    source : Source
        What the data are and the date the fitted coefficients apply from.
    numeric, categorical : sequence of str
        Model columns; each categorical column's alphabetically first level is the reference.
    target : str
    period_weeks : int
        Period of rows without their own ``period_weeks``.
    age_band_edges : sequence of int
        Lower ages of the age bands for R-squared by age band.
    drop_outliers : bool, default False
        Refit without the outliers (they stay listed, marked ``dropped``).
    outlier_threshold : float, default 3

    Returns
    -------
    RegressionFit

    Examples
    --------
    >>> from datetime import date
    >>> rng = np.random.default_rng(0)
    >>> score = rng.uniform(0, 100, 400)
    >>> spend = np.round((10 + 0.5 * score + rng.normal(0, 2, 400)) ** 2, 2)
    >>> frame = pd.DataFrame({"participant_id": [f"P{i}" for i in range(400)],
    ...                       "support_need_score": score, "historical_spend_eur": spend})
    >>> fit = fit_regression(frame, categorical=(), source=Source("synthetic", date(2024, 1, 1)))
    >>> fit.coefficients.round(2)
                     term   coef  std_error  t_value  p_value
    0           intercept  10.04       0.21    48.43      0.0
    1  support_need_score   0.50       0.00   146.25      0.0
    >>> round(fit.r2, 3)
    0.982
    >>> fit.outliers[["participant_id", "studentised_residual", "dropped"]].round(2)
      participant_id  studentised_residual  dropped
    0            P21                 -3.00    False
    1            P86                 -3.94    False
    """
    numeric, categorical = tuple(numeric), tuple(categorical)
    _check_args(numeric, categorical, source, period_weeks, age_band_edges, outlier_threshold)
    df = as_frame(frame, "participants")
    cols, pids = _read(df, target, numeric, categorical)
    x, levels = _design(cols, numeric, categorical)
    names = terms(numeric, levels)
    weeks_col = cols.get("period_weeks")
    weeks = np.full(x.shape[0], float(period_weeks))
    if weeks_col is not None:
        weeks = np.where(weeks_col.empty, weeks, np.asarray(weeks_col.values, dtype=np.float64))
    y = np.sqrt(np.asarray(cols[target].values, dtype=np.float64) / 100.0 * 26.0 / weeks)
    first = ols(x, y, names)
    flagged = np.abs(np.nan_to_num(first.studentised)) > outlier_threshold
    fit: Ols = ols(x[~flagged], y[~flagged], names) if drop_outliers and flagged.any() else first
    keep = ~flagged if drop_outliers else np.ones(y.shape[0], dtype=bool)
    fitted_all = x @ fit.coef
    groups: dict[str, Any] = {}
    for g in ("target_group", "municipality"):
        if g in cols:
            groups[g] = np.asarray(cols[g].values, dtype=object)
    if "age" in cols:
        groups["age_band"] = age_bands(np.asarray(cols["age"].values), age_band_edges)
    table = r2_table(y[keep], fitted_all[keep], {k: v[keep] for k, v in groups.items()})
    outliers = pd.DataFrame(
        {
            "participant_id": pids.objects()[flagged],
            "studentised_residual": first.studentised[flagged],
            "leverage": first.leverage[flagged],
            "observed_eur": y[flagged] ** 2,
            "fitted_eur": np.maximum(first.fitted[flagged], 0.0) ** 2,
            "dropped": np.full(int(flagged.sum()), bool(drop_outliers)),
        }
    )
    overall = table.iloc[0]
    return RegressionFit(
        coefficients=fit.frame(),
        r2=float(overall["r2_sqrt"]),
        r2_eur=float(overall["r2_eur"]),
        r2_by_group=table,
        outliers=outliers,
        n_obs=int(keep.sum()),
        sigma=fit.sigma,
        numeric=numeric,
        levels=levels,
        source=source,
        drop_outliers=bool(drop_outliers),
    )
