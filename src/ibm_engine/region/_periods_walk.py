"""The periods of :func:`ibm_engine.region.run_periods` walked in order: each period's tables,
its allocation, and the ledger (spent, carried in and out) booked in int64 cents."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.allocation import AllocationResult
from ibm_engine.errors import InputError
from ibm_engine.region._capacity import RegionResult
from ibm_engine.region._delivery import Delivery
from ibm_engine.region._periods_calls import allocate_period, remap_problems
from ibm_engine.region._periods_carry import CarryOver, carry_cents, plan_years
from ibm_engine.region._periods_delivery import delivered_cost
from ibm_engine.tables import prepare

__all__ = ["PeriodWalk"]


class PeriodWalk:
    """The periods walked in order: the ledger's arrays (int64 cents, one row per participant
    and period, sorted by participant then period), each period's result and delivery, and the
    problems found (after a failed period, later periods only collect their problems)."""

    def __init__(
        self,
        *,
        canon: pd.DataFrame,
        rule: CarryOver,
        spent: str,
        disr: Any,
        paus: Any,
        parts: pd.DataFrame,
        items: pd.DataFrame,
        services: object,
        ids: np.ndarray,
        item_ids: np.ndarray,
        item_period: np.ndarray,
        plan_cols: list[Any],
        options: dict[str, Any],
        caps: pd.DataFrame | None,
        cap_period: np.ndarray,
    ) -> None:
        self.canon, self.rule, self.spent, self.disr, self.paus = canon, rule, spent, disr, paus
        self.parts, self.items, self.services = parts, items, services
        self.ids, self.item_ids, self.item_period = ids, item_ids, item_period
        self.plan_cols, self.options, self.caps, self.cap_period = (
            plan_cols, options, caps, cap_period,
        )  # fmt: skip
        self.per_plan = "period" in items
        n = len(canon)
        self.budget = canon["budget_cents"].to_numpy(np.int64)
        self.carried_in = np.zeros(n, dtype=np.int64)
        self.spent_c = np.zeros(n, dtype=np.int64)
        self.carried_out = np.zeros(n, dtype=np.int64)
        self.own_choice = np.zeros(n, dtype=np.int64)
        self.period_no = canon["period"].to_numpy(np.int64)
        self.starts = canon["start_date"].to_numpy().astype("datetime64[D]")
        ends = canon["end_date"].to_numpy().astype("datetime64[D]")
        following = np.r_[self.starts[1:], np.datetime64("NaT", "D")]
        pid = canon["participant_id"].to_numpy()
        last = np.r_[pid[1:] != pid[:-1], True]
        following = np.where(last, ends + 1, following)
        month = rule.year_start_month
        self.same_year = plan_years(following, month) == plan_years(self.starts, month)
        with_caps = caps is not None and "period" in caps
        self.tagged = {t for t, has in (("plan_items", self.per_plan),
                                        ("capacities", with_caps)) if has}  # fmt: skip
        self.results: dict[int, AllocationResult | RegionResult] = {}
        self.deliveries: dict[int, tuple[Delivery, ...]] = {}
        self.problems: list[dict[str, Any]] = []

    def _tables(self, k: int, at: np.ndarray) -> tuple[Any, ...]:
        """Period ``k``'s participants (budget with what was carried in), plan items and
        capacities, and the input rows each came from (to name rows in problems)."""
        ids = self.ids
        who = pd.Index(ids).get_indexer(self.canon["participant_id"].to_numpy()[at])
        part_k = self.parts.iloc[who].reset_index(drop=True)
        part_k["budget_eur"] = (self.budget[at] + self.carried_in[at]) / 100.0
        part_k["period_weeks"] = self.canon["weeks"].to_numpy()[at]
        if self.per_plan:
            keep = self.item_period == k
        else:
            keep = pd.Index(ids[who]).get_indexer(self.item_ids) >= 0
            keep |= pd.Index(ids).get_indexer(self.item_ids) < 0  # orphans: allocate reports
        item_rows = np.flatnonzero(keep)
        items_k = self.items.iloc[item_rows].loc[:, self.plan_cols].reset_index(drop=True)
        rows = {"participants": who, "plan_items": item_rows}
        caps_k = None
        if self.caps is not None:
            cap_rows = np.flatnonzero((self.cap_period == k) | (self.cap_period == 0))
            caps_k = self.caps.iloc[cap_rows].drop(columns="period", errors="ignore")
            rows["capacities"] = cap_rows
        return part_k, items_k, caps_k, rows

    def period(self, k: int) -> None:
        """Allocate period ``k`` and book it: spent, carried out (or collect its problems)."""
        at = np.flatnonzero(self.period_no == k)
        if k > 1:  # rows are sorted by participant, then period
            self.carried_in[at] = self.carried_out[at - 1]
        part_k, items_k, caps_k, rows = self._tables(k, at)
        try:
            if self.problems:  # an earlier period failed: only collect this period's problems
                prepare(part_k, items_k, self.services, errors="raise")
                return
            result = allocate_period(part_k, items_k, self.services, self.options, caps_k)
        except InputError as err:
            for p in remap_problems(err, k, rows, self.tagged):
                if p not in self.problems:
                    self.problems.append(p)
            return
        self.results[k] = result
        cost = np.round(result.participants["spent_eur"].to_numpy(np.float64) * 100)
        self.spent_c[at] = cost.astype(np.int64)
        if self.spent == "delivered":
            months = self.canon["months"].to_numpy()[at]
            self.spent_c[at], self.own_choice[at], self.deliveries[k] = delivered_cost(
                result, self.starts[at], months, self.disr, self.paus
            )
        unspent = self.budget[at] + self.carried_in[at] - self.spent_c[at]
        self.carried_out[at] = carry_cents(
            self.rule, unspent, self.budget[at], self.same_year[at], self.own_choice[at]
        )
