"""The binding cause of every plan item of one participant, and the re-solve behind a trade-off.

The rule (items in joint-list order, for an item with ``units < upper``):

- ``step`` = 1 unit if the item has units, else its minimum ``max(min_units, 1)``;
- ``M`` = the cents left plus the cost of every item after it in the joint list (setting all of
  them to 0 is always allowed: a minimum means "0 or at least m"), i.e. the budget less what the
  items up to and including this one cost;
- ``Hh`` = ``H + HOURS_TOL`` less the hours of the items up to and including this one;
- ``budget`` iff ``step x price > M``; ``family_hours`` iff ``step x hours > Hh``; both:
  ``budget`` (the detail names both); ``minimum_does_not_fit`` iff the item has no units and one
  unit passes both tests but the step does not;
- otherwise ``trade_off``: the money and hours would allow the step (by giving up items after
  it), and a proven optimum preferred those items; ``not_proven`` when the allocation is not
  proven optimal (then nothing is claimed about which is better).

Under ``priority``, ``M`` and ``Hh`` are exactly what was left when the item's turn came, so a
priority allocation has no ``trade_off``. A ``trade_off`` is explained by one re-solve that forces
the step (:func:`forced_allocations`): its value is never above the optimum.

Arrays are the participant's items in joint-list order; this module knows nothing of tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ibm_engine._tolerances import HOURS_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.solve import Batch, solve_optimal

__all__ = ["LIMITS", "Causes", "Forced", "find_causes", "forced_allocations"]

#: binding causes of the ``limited_by`` column (see the module docstring and docs/explanations)
LIMITS = (
    "recommendation",
    "legal_cap",
    "item_max_units",
    "not_eligible",
    "minimum_does_not_fit",
    "budget",
    "family_hours",
    "trade_off",
    "not_proven",
)
_CODE = {name: k for k, name in enumerate(LIMITS)}


@dataclass(frozen=True, eq=False)
class Causes:
    """Per item (joint-list order): the cause and the figures that decide it.

    ``money_room`` is ``M`` in cents; ``hours_room`` is ``Hh - HOURS_TOL`` (the family hours the
    item could still use, ``inf`` without a limit); ``money_short`` / ``hours_short`` the two
    tests; ``blocked_by`` what stopped the item (``budget``, ``family_hours``, ``cap`` or None);
    ``preferred`` for a ``trade_off`` / ``not_proven`` item, the positions of the items after it
    that received a resource the item is short of now, and ``short_now`` which resource that is
    (``money``, ``hours``, ``both``; None: the step fits into what is left).
    """

    code: IntArray
    step: IntArray
    money_room: IntArray
    hours_room: FloatArray
    money_short: BoolArray
    hours_short: BoolArray
    blocked_by: list[str | None]
    preferred: list[tuple[int, ...]]
    short_now: list[str | None]

    def is_(self, name: str) -> BoolArray:
        """Items whose cause is ``name`` (one of :data:`LIMITS`)."""
        out: BoolArray = self.code == _CODE[name]
        return out


def _hours_before(hours: FloatArray, units: IntArray, cap: float) -> FloatArray:
    """Hours of the items before each one (exact sums; 0 without a limit)."""
    if not math.isfinite(cap):
        return np.zeros(units.shape[0])
    use = (hours * units).tolist()
    return np.array([math.fsum(use[:k]) for k in range(len(use))])


def find_causes(
    *,
    units: IntArray,
    cost: IntArray,
    hours: FloatArray,
    lower: IntArray,
    upper: IntArray,
    recommended: IntArray,
    eligible: BoolArray,
    legal_cap: BoolArray,
    budget: int,
    hours_cap: float,
    proven: bool,
) -> Causes:
    """The cause of every item (see the module docstring).

    ``legal_cap`` marks items whose upper bound comes from the catalogue's weekly or yearly cap
    (else from the plan's ``max_units``); ``proven``: the allocation is a proven optimum (or a
    priority fill: then no item can be a trade-off).
    """
    step = np.where(units > 0, 1, lower).astype(np.int64)
    money_room = budget - np.cumsum(cost * units)
    # the contract's hours rule as the priority fill applies it: the hours before the item plus
    # the item's with the step must stay within H + HOURS_TOL (the tolerance in hours)
    before = _hours_before(hours, units, hours_cap)
    limit = hours_cap + HOURS_TOL
    hours_room = hours_cap - (before + hours * units)  # inf without a limit
    money_short = step * cost > money_room
    hours_short = before + hours * (units + step) > limit
    one_fits = (cost <= money_room) & (before + hours * (units + 1) <= limit)
    cap_below = eligible & (upper < lower)
    short = eligible & ~cap_below & (units < upper)
    min_short = short & (units == 0) & (step > 1) & one_fits & (money_short | hours_short)
    choice = short & ~min_short & ~money_short & ~hours_short
    preferred, short_now = _preferred(choice, step, units, cost, hours, budget, hours_cap)
    cap_code = np.where(legal_cap, _CODE["legal_cap"], _CODE["item_max_units"])
    conditions = [
        ~eligible,
        cap_below & (upper > 0),
        cap_below,
        min_short,
        short & money_short,
        short & hours_short,
        choice,
        upper < recommended,
    ]
    codes: list[IntArray | int] = [
        _CODE["not_eligible"],
        _CODE["minimum_does_not_fit"],
        cap_code,
        _CODE["minimum_does_not_fit"],
        _CODE["budget"],
        _CODE["family_hours"],
        _CODE["trade_off" if proven else "not_proven"],
        cap_code,
    ]
    code: IntArray = np.select(conditions, codes, default=_CODE["recommendation"])
    code = code.astype(np.int64)
    blocked: list[str | None] = [None] * units.shape[0]
    for k in np.flatnonzero(min_short | (short & (money_short | hours_short))).tolist():
        blocked[k] = "budget" if money_short[k] else "family_hours"
    for k in np.flatnonzero(cap_below & (upper > 0)).tolist():
        blocked[k] = "cap"
    return Causes(
        code=code,
        step=step,
        money_room=money_room.astype(np.int64),
        hours_room=hours_room,
        money_short=money_short & short,
        hours_short=hours_short & short,
        blocked_by=blocked,
        preferred=preferred,
        short_now=short_now,
    )


def _preferred(
    choice: BoolArray,
    step: IntArray,
    units: IntArray,
    cost: IntArray,
    hours: FloatArray,
    budget: int,
    hours_cap: float,
) -> tuple[list[tuple[int, ...]], list[str | None]]:
    """For each trade-off item, the items after it that use a resource it is short of now."""
    out: list[tuple[int, ...]] = [() for _ in range(units.shape[0])]
    which: list[str | None] = [None] * units.shape[0]
    left_cents = budget - int((cost * units).sum())
    left_hours = math.fsum([hours_cap, *(-x for x in (hours * units).tolist())])
    for k in np.flatnonzero(choice).tolist():
        money_now = int(step[k] * cost[k]) > left_cents
        hours_now = math.isfinite(hours_cap) and step[k] * hours[k] > left_hours + HOURS_TOL
        after = np.arange(units.shape[0]) > k
        uses = (money_now & (cost > 0)) | (hours_now & (hours > 0))
        out[k] = tuple(np.flatnonzero(after & (units > 0) & uses).tolist())
        both, one = money_now and hours_now, "money" if money_now else "hours"
        which[k] = "both" if both else (one if money_now or hours_now else None)
    return out, which


@dataclass(frozen=True, eq=False)
class Forced:
    """The best allocation that forces one item's step, per forced item (rows of ``units``).

    ``value`` is the forced allocation's value, ``bound`` a proven upper bound on the best such
    value, ``proven`` whether ``value`` is proven best; ``feasible`` re-checks each allocation
    against the original problem (money, hours, minimums, bounds).
    """

    items: IntArray
    units: IntArray
    value: FloatArray
    bound: FloatArray
    proven: BoolArray
    feasible: BoolArray


def forced_allocations(one: Batch, items: IntArray, step: IntArray, units: IntArray) -> Forced:
    """Re-solve a one-participant batch once per item, forcing ``units + step`` on that item.

    The item's units are written ``f + v`` with ``f = units + step`` fixed and ``v >= 0`` free:
    its cost and hours leave the budget and the hours, its bounds shift by ``f``; the other items
    keep their rules. All forced problems are solved as one batch by the exact optimal solver.
    """
    t, n = int(items.shape[0]), one.m
    f = units[items] + step[items]
    flat = np.arange(t, dtype=np.int64) * n + items
    lower, upper = np.tile(one.lower, t), np.tile(one.upper, t)
    lower[flat], upper[flat] = 1, one.upper[items] - f
    offsets = np.arange(t + 1, dtype=np.int64) * n
    tiled = {name: np.tile(getattr(one, name), t) for name in ("cost", "value", "hours")}
    forced = Batch(
        offsets=offsets,
        lower=lower,
        upper=upper,
        budget=one.budget[0] - f * one.cost[items],
        hours_cap=one.hours_cap[0] - f * one.hours[items],
        **tiled,
    )
    sol = solve_optimal(forced)
    out_units = sol.units.copy()
    out_units[flat] += f
    original = Batch(
        offsets=offsets,
        lower=np.tile(one.lower, t),
        upper=np.tile(one.upper, t),
        budget=np.repeat(one.budget, t),
        hours_cap=np.repeat(one.hours_cap, t),
        **tiled,
    )
    value, _, _ = original.evaluate(out_units)
    return Forced(
        items=items,
        units=out_units.reshape(t, n),
        value=value,
        bound=np.maximum(sol.bound + f * one.value[items], value),
        proven=sol.proven.copy(),
        feasible=original.feasible(out_units),
    )
