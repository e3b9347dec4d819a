"""Delivered cost of a period: the period's allocation followed month by month.

Participants of a period may start in different months or have periods of different lengths;
each group sharing both is planned and simulated together (a loop over the few groups).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.allocation import AllocationResult
from ibm_engine.region._capacity import RegionResult
from ibm_engine.region._delivery import (
    UNDERSPEND_REASONS,
    Delivery,
    plan_delivery,
    simulate_delivery,
)

__all__ = ["delivered_cost"]


class _Subset:
    """The items and participants of some participants of a result (what plan_delivery reads)."""

    def __init__(self, result: AllocationResult | RegionResult, keep: np.ndarray) -> None:
        self.participants = result.participants.loc[keep]
        ids = self.participants["participant_id"]
        self.items = result.items.loc[result.items["participant_id"].isin(ids)]


def delivered_cost(
    result: AllocationResult | RegionResult,
    starts: np.ndarray,
    months: IntArray,
    disr: Any,
    paus: Any,
) -> tuple[IntArray, IntArray, tuple[Delivery, ...]]:
    """Delivered cost and the underspend by the participant's own choice (cents, per
    participant in the result's order), and the simulations: one per group of participants
    sharing the start month and the number of months."""
    first = starts.astype("datetime64[M]")
    key = pd.DataFrame({"m": first.astype(np.int64), "n": months})
    groups, uniq = pd.factorize(pd.MultiIndex.from_frame(key))
    ids = result.participants["participant_id"].to_numpy()
    out = np.zeros(len(ids), dtype=np.int64)
    own = np.zeros(len(ids), dtype=np.int64)
    sims = []
    for g in range(len(uniq)):
        keep = groups == g
        plan = plan_delivery(
            _Subset(result, keep), pd.Timestamp(first[keep][0]).date(), int(months[keep][0])
        )
        sim = simulate_delivery(plan, disr, paus)
        owner = pd.Index(ids).get_indexer(plan.items["participant_id"])
        np.add.at(out, owner, sim.delivered_cents().sum(axis=1))
        price = plan.items["price_cents"].to_numpy(np.int64)
        under = (plan.planned - sim.delivered) * price[:, None]
        choice = UNDERSPEND_REASONS.index("participant_choice")
        np.add.at(own, owner, np.where(sim.reason == choice, under, 0).sum(axis=1))
        sims.append(sim)
    return out, own, tuple(sims)
