"""A plan line whose cost cannot be counted in int64 cents is an input error, not an overflow."""

from __future__ import annotations

import pandas as pd
import pytest

import ibm_engine as ibm

SERVICES = pd.DataFrame(
    {"service": ["care", "cheap"], "unit": ["hour", "hour"], "unit_price_eur": [1e13, 10.0]}
)
PARTICIPANTS = pd.DataFrame(
    {
        "participant_id": ["A", "B"],
        "target_group": ["GRT", "GRT"],
        "age": [40, 40],
        "municipality": ["Jelgava", "Jelgava"],
        "budget_eur": [100.0, 100.0],
    }
)


def _items(units: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "participant_id": ["A", "A", "B"],
            "service": ["care", "cheap", "care"],
            "team_rank": [1, 2, 1],
            "recommended_units": [units, 10**9, 1],
        }
    )


def test_line_cost_beyond_int64_cents_is_named() -> None:
    with pytest.raises(ibm.InputError) as err:
        ibm.allocate(PARTICIPANTS, _items(1000), SERVICES)
    probs = err.value.problems
    assert len(probs) == 1  # A's first line only: 1e15 cents x 1000; B's line and "cheap" fit
    row = probs.iloc[0]
    assert (row["table"], row["participant_id"], row["column"]) == (
        "plan_items",
        "A",
        "recommended_units",
    )
    assert "90 trillion EUR" in row["reason"] and "[row 1]" in row["reason"]


def test_line_cost_at_the_limit_is_accepted() -> None:
    res = ibm.allocate(PARTICIPANTS, _items(9), SERVICES)  # 9e15 cents < 2**53
    assert res.items["units"].tolist() == [0, 10, 0]
