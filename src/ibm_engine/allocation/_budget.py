"""Budgets from a formula in ``allocate(..., budget=formula)``.

Rows of the participants table that give ``budget_eur`` keep it; the formula supplies the
others (all of them when the column is absent). The participants result shows where each
budget came from (``budget_source``) and the formula's breakdown in EUR (``budget_<factor>``
columns, summing to the budget to the cent for formula budgets).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.budget import BudgetFormula, BudgetResult
from ibm_engine.errors import InputError
from ibm_engine.tables import Prepared

__all__ = ["apply_formula", "budget_columns", "screen_participants"]


def screen_participants(
    formula: BudgetFormula, participants: pd.DataFrame, plan_items: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Quarantine: set aside participants whose assessment inputs the formula rejects.

    Problems that belong to no participant (a missing column, a bad parameter) still raise.
    Returns the remaining participants and plan items and the rejected rows.
    """
    problems: list[dict[str, Any]] = formula.problems(participants)
    fatal = [p for p in problems if p.get("participant_id") is None]
    if fatal:
        raise InputError(fatal)
    bad = sorted({str(p["participant_id"]) for p in problems})
    rejected = pd.DataFrame(
        problems, columns=["participant_id", "table", "row", "column", "reason"]
    )
    if not bad or "participant_id" not in participants.columns:
        return participants, plan_items, rejected
    keep_p = ~participants["participant_id"].astype(str).isin(bad)
    keep_i = (
        ~plan_items["participant_id"].astype(str).isin(bad)
        if "participant_id" in plan_items.columns
        else pd.Series(True, index=plan_items.index)
    )
    return participants.loc[keep_p], plan_items.loc[keep_i], rejected


def apply_formula(prep: Prepared, formula: BudgetFormula) -> tuple[Prepared, BudgetResult]:
    """The prepared tables with the formula's budgets where ``budget_eur`` was not given."""
    res = formula.compute_prepared(prep)
    cents = np.where(prep.budget_given, prep.budget_cents, np.asarray(res.budget_cents))
    return replace(prep, budget_cents=cents.astype(np.int64)), res


def budget_columns(prep: Prepared, res: BudgetResult) -> pd.DataFrame:
    """``budget_source`` and the breakdown columns (``budget_<factor>``) per participant."""
    given = prep.budget_given
    out = pd.DataFrame({"budget_source": np.where(given, "given", "formula")})
    factors = [c for c in res.breakdown.columns if c != "participant_id"]
    for c in factors:
        values = res.breakdown[c].to_numpy(dtype=np.float64)
        out[f"budget_{c}"] = np.where(given, np.nan, values)
    return out
