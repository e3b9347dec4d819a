"""Delivery month by month: planned units, delivered units, underspend with reason codes.

Everything is held as item x month numpy matrices (one row per allocated item with units > 0,
one column per calendar month), so 100,000 participants x 12 months take seconds. The long
participant-item-month tables are built on demand (``.frame``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._tolerances import SHARE_TOL
from ibm_engine._typing import IntArray
from ibm_engine.errors import InputError
from ibm_engine.region._disruptions import (
    DISRUPTION_KINDS,
    month_shares,
    validate_disruptions,
    validate_pauses,
)

__all__ = [
    "UNDERSPEND_REASONS",
    "Delivery",
    "DeliveryPlan",
    "plan_delivery",
    "replan_after",
    "simulate_delivery",
    "spread_units",
]

#: underspend reason codes (index = code); "" = delivered as planned
UNDERSPEND_REASONS = ("", "closure", "provider_shortage", "participant_choice")
_NOT_HELD = (1, 2)  # closure and provider shortage are not held against the participant
#: planned x share is floored after this tolerance (3 x 1/3 must give 1), and shares this close
#: count as equal (20 of 30 days at 0.4 and 12 of 30 days at 0 are both 0.6, not 0.6 + 1e-16)
_EPS = SHARE_TOL


def spread_units(units: IntArray, months: int) -> IntArray:
    """Spread whole units evenly over ``months`` by the largest-remainder rule.

    Every month gets ``units // months``; the ``units % months`` remaining units go one each to
    the months with the largest remainders of the cumulative quota ``units x k / months`` (ties
    broken so that they fall evenly through the period, not all at its start). Each row sums to
    its units exactly.

    Examples
    --------
    >>> spread_units(np.array([3, 12, 14]), 6).tolist()
    [[0, 1, 0, 1, 0, 1], [2, 2, 2, 2, 2, 2], [2, 2, 3, 2, 2, 3]]
    """
    k = np.arange(months + 1, dtype=np.int64)
    cumulative = units.astype(np.int64)[:, None] * k[None, :] // months
    out: IntArray = np.diff(cumulative, axis=1)
    return out


@dataclass(frozen=True, eq=False)
class DeliveryPlan:
    """Planned units of every allocated item in every month of a period.

    Attributes
    ----------
    items : DataFrame
        One row per item with units > 0: ``item`` (index label in ``result.items``),
        ``participant_id``, ``municipality``, ``target_group``, ``service``, ``units``,
        ``unit_price_eur``, ``price_cents``, ``budget_cents`` (the participant's).
    months : DatetimeIndex
        First day of each calendar month of the period.
    planned : ndarray (items x months, int64)
        Planned units; each row sums to the item's units.
    """

    items: pd.DataFrame
    months: pd.DatetimeIndex
    planned: IntArray

    @property
    def frame(self) -> pd.DataFrame:
        """Participant-item-month table: planned units and cost (exact cents)."""
        return _long(self, {"planned_units": self.planned})


@dataclass(frozen=True, eq=False)
class Delivery:
    """What :func:`simulate_delivery` returns: the plan, delivered units and reason codes.

    ``reason`` holds codes into :data:`UNDERSPEND_REASONS`; ``share`` the available share used.
    """

    plan: DeliveryPlan
    delivered: IntArray
    reason: np.ndarray
    share: np.ndarray

    @property
    def frame(self) -> pd.DataFrame:
        """Participant-item-month table: planned and delivered units and cost, underspend, its
        reason and whether it is held against the participant."""
        p = self.plan
        under = p.planned - self.delivered
        out = _long(p, {"planned_units": p.planned, "delivered_units": self.delivered})
        price = np.repeat(p.items["price_cents"].to_numpy(np.int64), p.planned.shape[1])
        out["delivered_eur"] = self.delivered.ravel() * price / 100.0
        out["available_share"] = self.share.ravel()
        out["underspend_units"] = under.ravel()
        out["underspend_eur"] = under.ravel() * price / 100.0
        out["reason"] = pd.Categorical.from_codes(  # type: ignore[call-overload]  # stubs reject ndarray codes
            self.reason.ravel().astype(np.int8), categories=list(UNDERSPEND_REASONS)
        )
        out["held_against_participant"] = self.reason.ravel() == 3
        return out

    def delivered_cents(self) -> IntArray:
        """Delivered spend per item and month, in cents (int64)."""
        price = self.plan.items["price_cents"].to_numpy(np.int64)
        out: IntArray = self.delivered * price[:, None]
        return out


def _long(plan: DeliveryPlan, matrices: dict[str, IntArray]) -> pd.DataFrame:
    it = plan.items
    n, m = plan.planned.shape
    rows = np.repeat(np.arange(n), m)
    out = pd.DataFrame({"item": it["item"].to_numpy()[rows]})
    for c in ("participant_id", "municipality", "service"):
        codes, labels = pd.factorize(it[c])
        out[c] = pd.Categorical.from_codes(codes[rows], categories=labels)
    out["month"] = np.tile(plan.months.to_numpy(), n)
    price = it["price_cents"].to_numpy(np.int64)[rows]
    for name, mat in matrices.items():
        out[name] = mat.ravel()
    out["planned_eur"] = plan.planned.ravel() * price / 100.0
    return out


def _argument(column: str, reason: str) -> InputError:
    return InputError.single("arguments", column, reason)


def plan_delivery(result: Any, start: date, months: int) -> DeliveryPlan:
    """Spread each allocated item's units over the calendar months of a period.

    Parameters
    ----------
    result : AllocationResult
        From :func:`ibm_engine.allocate`; items with 0 units are left out.
    start : date
        Any day of the first month (months are calendar months).
    months : int
        Length of the period in months (>= 1).

    Examples
    --------
    See docs/delivery.md.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise _argument("months", "must be an integer >= 1")
    try:
        first = pd.Timestamp(start).to_period("M").start_time
    except (TypeError, ValueError):
        raise _argument("start", "must be a date") from None
    items = result.items
    people = result.participants.set_index("participant_id")
    keep = items["units"].to_numpy(np.int64) > 0
    sel = items.loc[keep]
    owner = people.index.get_indexer(sel["participant_id"])
    units = sel["units"].to_numpy(np.int64)
    price = np.round(sel["unit_price_eur"].to_numpy(np.float64) * 100).astype(np.int64)
    budget = np.round(people["budget_eur"].to_numpy(np.float64) * 100).astype(np.int64)
    table = pd.DataFrame(
        {
            "item": sel.index.to_numpy(),
            "participant_id": sel["participant_id"].to_numpy(),
            "municipality": people["municipality"].to_numpy()[owner],
            "target_group": people["target_group"].to_numpy()[owner]
            if "target_group" in people
            else "",
            "service": sel["service"].to_numpy(),
            "units": units,
            "unit_price_eur": price / 100.0,
            "price_cents": price,
            "budget_cents": budget[owner],
        }
    )
    month_index = pd.date_range(first, periods=months, freq="MS")
    return DeliveryPlan(table, month_index, spread_units(units, months))


def simulate_delivery(
    plan: DeliveryPlan, disruptions: object = None, pauses: object = None
) -> Delivery:
    """Delivered units per item and month under disruptions and participants' pauses.

    The available share of an item in a month is the lowest share of the disruptions that hit
    it (same service; same municipality or all) and of the participant's pauses (share 0 over
    the paused days); a month partly inside an interval uses the share of its days. Delivered
    units are ``floor(planned x share)``. Underspend gets the reason of the lower of the two
    shares (a tie goes to the disruption): ``closure``, ``provider_shortage`` (a disruption of
    kind ``shortage``) or ``participant_choice``; only the last is held against the participant.
    Shares within 1e-9 of each other are equal (the exact shares are ratios of days, which
    floating point does not always represent equally); among disruptions with equal lowest
    shares the first row counts.

    Examples
    --------
    See docs/delivery.md.
    """
    n, m = plan.planned.shape
    it = plan.items
    disr = np.ones((n, m))
    kind = np.zeros((n, m), dtype=np.int8)
    if disruptions is not None:
        d = validate_disruptions(disruptions)
        shares = month_shares(
            d["from_date"].to_numpy(), d["to_date"].to_numpy(),
            d["share_available"].to_numpy(np.float64), plan.months,
        )  # fmt: skip
        service = it["service"].to_numpy(object)
        muni = it["municipality"].to_numpy(object)
        codes = [UNDERSPEND_REASONS.index(DISRUPTION_KINDS[k]) for k in d["kind"]]
        for r in range(len(d)):
            rows = service == d["service"].iat[r]
            if d["municipality"].iat[r]:
                rows &= muni == d["municipality"].iat[r]
            lower = rows[:, None] & (shares[r][None, :] < disr - _EPS)
            disr = np.where(lower, shares[r][None, :], disr)
            kind = np.where(lower, np.int8(codes[r]), kind)
    pause = np.ones((n, m))
    if pauses is not None:
        p = validate_pauses(pauses)
        left = it[["participant_id", "service"]].reset_index(drop=True)
        left["_row"] = np.arange(n)
        hit = p.reset_index(names="_pause").merge(left, on="participant_id", suffixes=("", "_item"))
        hit = hit[(hit["service"] == "") | (hit["service"] == hit["service_item"])]
        pid = hit["_pause"].to_numpy()
        shares = month_shares(
            p["from_date"].to_numpy()[pid], p["to_date"].to_numpy()[pid], np.zeros(len(pid)),
            plan.months,
        )  # fmt: skip
        np.minimum.at(pause, hit["_row"].to_numpy(), shares)
    share = np.minimum(disr, pause)
    delivered = np.floor(plan.planned * share + _EPS).astype(np.int64)
    reason = np.where(
        delivered < plan.planned, np.where(disr <= pause + _EPS, kind, np.int8(3)), np.int8(0)
    ).astype(np.int8)
    return Delivery(plan, delivered, reason, share)


def replan_after(delivery: Delivery, month: int | date) -> DeliveryPlan:
    """Re-plan the months after ``month`` with the money a disruption left unspent.

    Rule: for each item, the cost of the units not delivered up to and including ``month``
    because of a closure or a provider shortage buys ``floor(money / unit price)`` extra units
    of the same item, spread over the remaining months by :func:`spread_units`. Extras are cut
    (in item order within a participant) so that delivered-so-far plus planned-from-now never
    exceeds the participant's budget. Past months keep their plan, so a new simulation still
    shows their reasons. Underspend by the participant's choice is not moved.

    ``month`` is a month position (0 = first month) or a date in that month.
    """
    plan = delivery.plan
    n, m = plan.planned.shape
    if isinstance(month, date):
        pos = plan.months.get_indexer(
            pd.DatetimeIndex([pd.Timestamp(month).to_period("M").start_time])
        )[0]
    else:
        pos = int(month)
    if not 0 <= pos < m:
        raise _argument("month", f"must be a month of the period (0..{m - 1})")
    price = plan.items["price_cents"].to_numpy(np.int64)
    past = slice(0, pos + 1)
    under = plan.planned[:, past] - delivery.delivered[:, past]
    freed = np.where(np.isin(delivery.reason[:, past], _NOT_HELD), under, 0).sum(axis=1) * price
    extra_cost = (freed // np.maximum(price, 1)) * price
    spent = (delivery.delivered[:, past] * price[:, None]).sum(axis=1)
    future = (plan.planned[:, pos + 1 :] * price[:, None]).sum(axis=1)
    owner = pd.factorize(plan.items["participant_id"])[0]
    per = np.bincount(owner, weights=spent + future).astype(np.int64)
    head = np.maximum(plan.items["budget_cents"].to_numpy(np.int64) - per[owner], 0)
    before = pd.Series(extra_cost).groupby(owner).cumsum().to_numpy() - extra_cost
    allowed = np.clip(head - before, 0, extra_cost)
    extra = allowed // np.maximum(price, 1)
    if pos + 1 == m:
        extra = np.zeros(n, dtype=np.int64)
    planned = plan.planned.copy()
    if pos + 1 < m:
        planned[:, pos + 1 :] += spread_units(extra, m - pos - 1)
    return replace(plan, planned=planned)
