"""Sequential filling: the priority policy and the greedy heuristics of the optimal policy.

Items are visited in a given order per participant; each gets the most units it can (up to its
upper bound) within what is left of the money and hours, or 0 when its minimum no longer fits.
Vectorised over participants: one numpy pass per position in the order.
"""

from __future__ import annotations

import numpy as np

from ibm_engine._tolerances import HOURS_TOL
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.solve._batch import Batch

__all__ = ["fill_in_order", "most_units"]

#: more units than any plan holds: stands for "no limit" in int64 arithmetic
_NO_LIMIT = 2**62


def most_units(
    upper: IntArray,
    cost: IntArray,
    hours: FloatArray,
    money_left: IntArray,
    hours_used: FloatArray,
    hours_cap: FloatArray,
) -> IntArray:
    """Most units affordable within the money and hours left, capped at ``upper``.

    Money is exact (integer division of cents). Hours follow the contract's rule
    ``hours_used + hours * k <= hours_cap + HOURS_TOL``, the tolerance in hours (never in
    units): the largest such ``k`` is found from the quotient and then checked with the rule
    itself, so float rounding of the quotient never lets one unit too many through.
    ``hours_cap`` is ``inf`` where the family gives no limit.
    """
    by_money = np.where(cost > 0, money_left // np.maximum(cost, 1), upper)
    best = np.maximum(np.minimum(upper, by_money), 0)
    limited = (hours > 0) & np.isfinite(hours_cap)
    if limited.any():
        limit = hours_cap + HOURS_TOL
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            quotient = np.floor((limit - hours_used) / np.where(limited, hours, 1.0)) + 1.0
        k = np.where(limited, np.clip(quotient, 0, _NO_LIMIT), _NO_LIMIT).astype(np.int64)
        k = np.minimum(best, k)
        over = limited & (k > 0) & (hours_used + hours * k > limit)
        while over.any():  # at most a step or two: the quotient is off by rounding only
            k = np.where(over, k - 1, k)
            over &= (k > 0) & (hours_used + hours * k > limit)
        best = k
    out: IntArray = best.astype(np.int64)
    return out


def fill_in_order(batch: Batch, order: IntArray) -> IntArray:
    """Units per item from filling each participant's items in ``order``.

    Parameters
    ----------
    batch : Batch
    order : int64 array (m)
        A permutation of the item indices that keeps each participant's items inside its own
        range ``offsets[p]:offsets[p+1]`` (only the order within a participant changes).

    Returns
    -------
    int64 array (m): units per item (in the batch's item order).
    """
    units = np.zeros(batch.m, dtype=np.int64)
    counts = batch.counts
    money = batch.budget.copy()
    hours_cap = batch.hours_cap.astype(np.float64)
    hours_used = np.zeros(batch.n, dtype=np.float64)
    starts = batch.offsets[:-1]
    # participants sorted by item count, so that the active ones at step k are a suffix
    by_count = np.argsort(counts, kind="stable")
    sorted_counts = counts[by_count]
    kmax = int(sorted_counts[-1]) if sorted_counts.shape[0] else 0
    for k in range(kmax):
        first = int(np.searchsorted(sorted_counts, k, side="right"))
        p = by_count[first:]
        item = order[starts[p] + k]
        up = batch.upper[item]
        lo = batch.lower[item]
        c = batch.cost[item]
        h = batch.hours[item]
        best = most_units(up, c, h, money[p], hours_used[p], hours_cap[p])
        best = np.where((best >= lo) & (up >= lo), best, 0)
        units[item] = best
        money[p] -= best * c
        hours_used[p] += best * h
    return units
