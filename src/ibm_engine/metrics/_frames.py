"""Canonical KPI inputs from a result's tables: one frame per participant and one per item.

A *result* is anything with ``items`` and ``participants`` tables in the shape of
:class:`ibm_engine.AllocationResult` (``RegionResult`` and the scenario runs have the same core
columns). Money is taken to whole cents once, here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import ResultTables
from ibm_engine.errors import InputError
from ibm_engine.metrics._bands import age_band

__all__ = ["FUNDABLE_REASONS", "item_frame", "participant_frame"]

#: reasons of items the rules allow to fund (the others cannot be funded by any budget)
FUNDABLE_REASONS = ("funded", "partly_funded", "not_funded", "unavailable")

_PARTICIPANT_COLUMNS = (
    "participant_id", "municipality", "target_group", "age", "budget_eur", "spent_eur",
    "value", "max_value",
)  # fmt: skip
_ITEM_COLUMNS = (
    "participant_id", "service", "units", "unit_price_eur", "cost_eur", "upper_units", "reason",
)  # fmt: skip


def _table(result: Any, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = getattr(result, name, None)
    if not isinstance(frame, pd.DataFrame):
        raise InputError.single("arguments", "result", f"has no {name} table (a DataFrame)")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            [
                {"table": f"result.{name}", "row": None, "participant_id": None, "column": c,
                 "reason": "required for the KPIs but missing"}
                for c in missing
            ]
        )  # fmt: skip
    return frame


def cents(eur: pd.Series) -> np.ndarray:
    """EUR amounts (whole cents) as int64 cents; NaN counts as 0."""
    x = np.asarray(pd.to_numeric(eur, errors="coerce"), dtype=np.float64)
    return np.round(np.nan_to_num(x) * 100.0).astype(np.int64)


def _category(s: pd.Series) -> pd.Categorical:
    """Text labels (stripped) as a categorical: grouping by codes is fast."""
    codes, labels = pd.factorize(s, use_na_sentinel=False)
    text = pd.Index(labels).astype(str).str.strip()
    fixed, uniq = pd.factorize(text, sort=True)
    return pd.Categorical.from_codes(fixed[codes], categories=uniq)


def _take(s: pd.Series, rows: np.ndarray) -> pd.Categorical:
    cat = s.array
    return pd.Categorical.from_codes(
        np.asarray(cat.codes)[rows], categories=cat.categories, ordered=cat.ordered
    )


def participant_frame(result: ResultTables) -> pd.DataFrame:
    """One row per participant: the grouping columns, money in cents, value and coverage.

    ``coverage`` is ``value / max_value``; NaN for participants with nothing the rules allow
    to fund (``max_value == 0``), who are left out of the coverage measures.
    """
    p = _table(result, "participants", _PARTICIPANT_COLUMNS)
    value = np.asarray(p["value"], dtype=np.float64)
    max_value = np.asarray(p["max_value"], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(max_value > 0, value / max_value, np.nan)
    return pd.DataFrame(
        {
            "participant_id": p["participant_id"].astype(str).to_numpy(),
            "municipality": _category(p["municipality"]),
            "target_group": _category(p["target_group"]),
            "age_band": age_band(p["age"].to_numpy()),
            "budget_c": cents(p["budget_eur"]),
            "spent_c": cents(p["spent_eur"]),
            "value": value,
            "max_value": max_value,
            "coverage": coverage,
        }
    )


def item_frame(result: ResultTables, people: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per plan item: service, the owner's grouping columns, cents and unmet need.

    Unmet need of an item the rules allow to fund is ``upper_units - units`` (the recommended
    units capped by the law's caps and the item's ``max_units``, less what was funded), and in
    cents that times the unit price. Items not eligible, or whose cap is below their minimum,
    have no unmet need (no budget can fund them) and count in none of the funded shares.
    """
    it = _table(result, "items", _ITEM_COLUMNS)
    if people is None:
        people = participant_frame(result)
    owner = pd.Index(people["participant_id"]).get_indexer(it["participant_id"].astype(str))
    if (owner < 0).any():
        row = int(np.flatnonzero(owner < 0)[0]) + 1
        raise InputError.single(
            "result.items", "participant_id", "not in result.participants", row=row
        )
    units = np.asarray(it["units"], dtype=np.int64)
    upper = np.asarray(it["upper_units"], dtype=np.int64)
    price = cents(it["unit_price_eur"])
    fundable = np.isin(np.asarray(it["reason"].astype(str)), FUNDABLE_REASONS)
    unmet = np.where(fundable, np.maximum(upper - units, 0), 0)
    return pd.DataFrame(
        {
            "service": _category(it["service"]),
            "municipality": _take(people["municipality"], owner),
            "target_group": _take(people["target_group"], owner),
            "age_band": _take(people["age_band"], owner),
            "cost_c": cents(it["cost_eur"]),
            "fundable": fundable,
            "full": fundable & (units >= upper),
            "partly": fundable & (units > 0) & (units < upper),
            "none": fundable & (units == 0),
            "unmet_units": unmet,
            "unmet_c": unmet * price,
        }
    )
