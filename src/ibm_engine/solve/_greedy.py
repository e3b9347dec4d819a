"""Sequential filling: the priority policy and the greedy heuristics of the optimal policy.

Items are visited in a given order per participant; each gets the most units it can (up to its
upper bound) within what is left of the money and hours, or 0 when its minimum no longer fits.
Vectorised over participants: one numpy pass per position in the order.
"""

from __future__ import annotations

import numpy as np

from ibm_engine._typing import IntArray
from ibm_engine.solve._batch import HOURS_TOL, Batch

__all__ = ["fill_in_order", "most_units"]


def most_units(
    upper: IntArray,
    cost: IntArray,
    hours: np.ndarray,
    money_left: IntArray,
    hours_left: np.ndarray,
) -> IntArray:
    """Most units affordable within the money and hours left, capped at ``upper``.

    Money is exact (integer division of cents); hours allow the contract's 1e-9 tolerance.
    """
    by_money = np.where(cost > 0, money_left // np.maximum(cost, 1), upper)
    best = np.minimum(upper, by_money)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_hours = np.floor(hours_left / hours + HOURS_TOL)
    limited = (hours > 0) & np.isfinite(hours_left)
    if limited.any():
        capped = np.minimum(best, np.where(limited, np.clip(by_hours, -1, 2**62), 2**62))
        best = capped.astype(np.int64)
    out: IntArray = np.maximum(best, 0).astype(np.int64)
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
    hours_left = batch.hours_cap.astype(np.float64).copy()
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
        best = most_units(up, c, h, money[p], hours_left[p])
        best = np.where((best >= lo) & (up >= lo), best, 0)
        units[item] = best
        money[p] -= best * c
        hours_left[p] -= best * h
    return units
