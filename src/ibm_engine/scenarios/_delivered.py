"""What a disrupted run delivers: the result's tables with delivered units instead of planned.

The allocation is spread over the baseline's months (:func:`ibm_engine.region.plan_delivery`)
and simulated under the disruptions (:func:`ibm_engine.region.simulate_delivery`). Each item's
``units`` become the units delivered over the period, its allocation is kept in
``units_allocated``, and an item that lost units gets reason ``unavailable``. Participants'
``spent_eur``, ``left_eur``, ``value``, ``coverage`` and item counts follow the delivered units
(exact cents).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.region import plan_delivery, simulate_delivery

__all__ = ["delivered_tables"]


def delivered_tables(
    result: Any, disruptions: pd.DataFrame, start: Any, months: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items and participants tables of what is delivered under ``disruptions``."""
    plan = plan_delivery(result, start, months)
    sim = simulate_delivery(plan, disruptions.copy(deep=True))
    items = result.items.copy(deep=True)
    units = items["units"].to_numpy(np.int64)
    got = units.copy()
    got[items.index.get_indexer(plan.items["item"])] = sim.delivered.sum(axis=1)
    price = np.round(np.nan_to_num(items["unit_price_eur"].to_numpy(np.float64)) * 100)
    price_c = price.astype(np.int64)
    items["units_allocated"] = units
    items["units"] = got
    items["cost_eur"] = got * price_c / 100.0
    items["coverage"] = got / items["recommended_units"].to_numpy(np.float64)
    if "hours" in items:
        per_unit = np.divide(
            items["hours"].to_numpy(np.float64), units, out=np.zeros(len(units)), where=units > 0
        )
        items["hours"] = got * per_unit
    reason = items["reason"].astype(object).to_numpy()
    reason = np.where(got < units, "unavailable", reason)
    items["reason"] = pd.Categorical(reason, categories=items["reason"].cat.categories)

    people = result.participants.copy(deep=True)
    pid = pd.Index(people["participant_id"])
    owner = pid.get_indexer(pd.Index(items["participant_id"]))
    n = len(people)
    spent = np.zeros(n, dtype=np.int64)
    np.add.at(spent, owner, got * price_c)
    budget = np.round(people["budget_eur"].to_numpy(np.float64) * 100).astype(np.int64)
    weight = items["weight"].to_numpy(np.float64)
    rec = items["recommended_units"].to_numpy(np.float64)
    value = np.bincount(owner, weights=weight * got / rec, minlength=n)
    max_value = people["max_value"].to_numpy(np.float64)
    people["spent_eur"] = spent / 100.0
    people["left_eur"] = (budget - spent) / 100.0
    people["value"] = value
    with np.errstate(invalid="ignore", divide="ignore"):
        people["coverage"] = np.where(max_value > 0, value / max_value, 1.0)
    codes = items["reason"].astype(str).to_numpy()
    for col, code in (
        ("items_funded", "funded"),
        ("items_partly_funded", "partly_funded"),
        ("items_not_funded", "not_funded"),
    ):
        if col in people:
            people[col] = np.bincount(owner, weights=codes == code, minlength=n).astype(np.int64)
    if "items_unavailable" in people or (codes == "unavailable").any():
        people["items_unavailable"] = np.bincount(
            owner, weights=codes == "unavailable", minlength=n
        ).astype(np.int64)
    return items, people
