"""The solver's problem and solution: flat numpy arrays, participants as contiguous item ranges.

A :class:`Batch` holds many independent instances of the canonical allocation problem
(contract v1): for participant ``p`` its items are ``offsets[p]:offsets[p + 1]``, in joint-list
order (the order the priority policy walks and the order ties between optima are broken in).
Nothing here knows of pandas or pydantic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ibm_engine._tolerances import FLOAT_SUM_REL_ERR, HOURS_TOL, VALUE_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray

__all__ = [
    "HOURS_TOL",
    "VALUE_TOL",
    "Batch",
    "BatchSolution",
    "segment_sum",
    "within_hours",
]


def within_hours(hours_per_item: FloatArray, hours_cap: float) -> bool:
    """The contract's family-hours rule for one allocation: ``sum h u <= H + HOURS_TOL``.

    ``hours_per_item`` holds ``h_i * u_i``; the sum is exact (``math.fsum``), the tolerance in
    hours. ``hours_cap`` is ``inf`` when the family gives no limit.

    Examples
    --------
    >>> within_hours(np.array([8.0, 8.0, 8.0]), 0.9230769228 * 26)  # 24 h > 23.9999999928 h
    False
    >>> within_hours(np.array([8.0, 8.0, 8.0]), 24.0 - 1e-10)
    True
    """
    return math.fsum(hours_per_item.tolist()) <= hours_cap + HOURS_TOL


def _fsum(owner: IntArray, x: FloatArray, n: int) -> FloatArray:
    """Float sums per participant, each summed in item order (deterministic)."""
    out: FloatArray = np.bincount(owner, weights=x, minlength=n).astype(np.float64, copy=False)
    return out


def segment_sum(x: IntArray, offsets: IntArray) -> IntArray:
    """Exact integer sums of ``x`` over the segments ``offsets[p]:offsets[p+1]``."""
    cs = np.zeros(x.shape[0] + 1, dtype=np.int64)
    np.cumsum(x, out=cs[1:])
    out: IntArray = cs[offsets[1:]] - cs[offsets[:-1]]
    return out


@dataclass(frozen=True, eq=False)
class Batch:
    """Independent allocation problems, one per participant.

    Parameters
    ----------
    offsets : int64 array (n + 1)
        Participant ``p`` owns items ``offsets[p]:offsets[p+1]``.
    cost : int64 array (m)
        Unit price in cents.
    value : float64 array (m)
        Value of one unit, ``w_i / r_i`` (> 0).
    lower : int64 array (m)
        Smallest positive amount, ``max(m_i, 1)``.
    upper : int64 array (m)
        Upper bound ``U_i``; an item with ``upper < lower`` can only get 0.
    hours : float64 array (m)
        Family hours per unit (>= 0).
    budget : int64 array (n)
        Budget in cents (>= 0).
    hours_cap : float64 array (n)
        Family hours for the period, ``inf`` when there is no limit.
    """

    offsets: IntArray
    cost: IntArray
    value: FloatArray
    lower: IntArray
    upper: IntArray
    hours: FloatArray
    budget: IntArray
    hours_cap: FloatArray

    @property
    def n(self) -> int:
        """Number of participants."""
        return int(self.offsets.shape[0] - 1)

    @property
    def m(self) -> int:
        """Number of items."""
        return int(self.cost.shape[0])

    @cached_property
    def counts(self) -> IntArray:
        """Items per participant."""
        return np.diff(self.offsets)

    @cached_property
    def owner(self) -> IntArray:
        """Participant index of every item."""
        starts = np.bincount(self.offsets[1:-1], minlength=self.m + 1)[: self.m]
        out: IntArray = np.cumsum(starts, dtype=np.int64)
        return out

    @cached_property
    def fundable(self) -> BoolArray:
        """Items that can get a positive amount at all (``lower <= upper``)."""
        out: BoolArray = self.upper >= self.lower
        return out

    def subset(self, participants: IntArray) -> Batch:
        """The batch restricted to some participants (in the given order)."""
        participants = np.asarray(participants, dtype=np.int64)
        starts = self.offsets[participants]
        counts = self.offsets[participants + 1] - starts
        new_offsets = np.zeros(participants.shape[0] + 1, dtype=np.int64)
        np.cumsum(counts, out=new_offsets[1:])
        idx = np.repeat(starts - new_offsets[:-1], counts) + np.arange(
            new_offsets[-1], dtype=np.int64
        )
        return Batch(
            offsets=new_offsets,
            cost=self.cost[idx],
            value=self.value[idx],
            lower=self.lower[idx],
            upper=self.upper[idx],
            hours=self.hours[idx],
            budget=self.budget[participants],
            hours_cap=self.hours_cap[participants],
        )

    def item_index(self, participants: IntArray) -> IntArray:
        """Flat item indices of the given participants, in order."""
        participants = np.asarray(participants, dtype=np.int64)
        starts = self.offsets[participants]
        counts = self.offsets[participants + 1] - starts
        total = int(counts.sum())
        first = np.zeros(participants.shape[0], dtype=np.int64)
        np.cumsum(counts[:-1], out=first[1:])
        out: IntArray = np.repeat(starts - first, counts) + np.arange(total, dtype=np.int64)
        return out

    def evaluate(self, units: IntArray) -> tuple[FloatArray, IntArray, FloatArray]:
        """Value, cost (cents) and family hours of an allocation, per participant."""
        owner = self.owner
        n = self.n
        value = _fsum(owner, self.value * units, n)
        spent = segment_sum(self.cost * units, self.offsets)
        hrs = _fsum(owner, self.hours * units, n)
        return value, spent, hrs

    def feasible(
        self, units: IntArray, sums: tuple[IntArray, FloatArray] | None = None
    ) -> BoolArray:
        """Per participant: is ``units`` feasible (bounds, minimums, money, hours)?

        Money is exact (int64 cents); hours follow :func:`within_hours` exactly: the float sum
        decides only where it is farther from ``H + HOURS_TOL`` than its rounding error,
        the others are summed exactly. ``sums``: the cost and hours from :meth:`evaluate`,
        when the caller has them.
        """
        ok_item = (units == 0) | ((units >= self.lower) & (units <= self.upper))
        bad = segment_sum((~ok_item).astype(np.int64), self.offsets)
        spent, hrs = self.evaluate(units)[1:] if sums is None else sums
        limit = self.hours_cap + HOURS_TOL
        hours_ok = hrs <= limit
        terms = self.hours * units
        size = _fsum(self.owner, np.abs(terms), self.n)
        err = FLOAT_SUM_REL_ERR * self.counts * size
        close = np.flatnonzero(np.isfinite(limit) & (np.abs(hrs - limit) <= err))
        for p in close.tolist():
            sl = slice(int(self.offsets[p]), int(self.offsets[p + 1]))
            hours_ok[p] = within_hours(terms[sl], float(self.hours_cap[p]))
        out: BoolArray = (bad == 0) & (spent <= self.budget) & hours_ok
        return out


@dataclass(frozen=True, eq=False)
class BatchSolution:
    """Units per item with per-participant value, proven bound and proof flag.

    ``alone`` counts the participants the search gave up on (node limit), solved alone with
    HiGHS; ``fallback`` those whose HiGHS solve gave no answer either, so that they kept the
    priority fill (feasible, not proven). The LP multipliers (value of one more
    cent or hour) are not part of a solution: :func:`ibm_engine.solve.multipliers` computes
    them when an explanation asks.
    """

    units: IntArray
    value: FloatArray
    bound: FloatArray
    proven: BoolArray
    fallback: int = 0
    alone: int = 0
