"""Pricing of one set of participants at given capacity prices, answered as aggregates.

A :class:`PricingPart` holds some of the region's participants under capacities (all of them
in-process, one partition on Dask) and answers, for a vector of capacity prices, only what the
master problem needs: per capacity group the exact sum of the participants' priced optima and
of their values, and the units used of each capacity. The prices' allocations are kept (the
last few), so the rounding asks for them again without solving. Nothing here imports dask.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.region._capacity_exact_sum import ExactSum, exact_sum, merge_sums
from ibm_engine.region._capacity_lagrange import priced
from ibm_engine.solve import Batch, BatchSolution, Solver, solve_optimal
from ibm_engine.solve._batch import segment_sum

__all__ = [
    "Candidates",
    "Priced",
    "PricingPart",
    "Rounding",
    "cells",
    "merge_candidates",
    "merge_priced",
]

#: allocations kept per part (the rounding asks for the last two price vectors again)
_KEEP = 6


@dataclass(frozen=True)
class Priced:
    """One pricing pass: per cell (a group of capacities and a bucket of its participants)
    the exact sums of the priced optima (``bound``, without ``price x capacity``) and of the
    allocations' values; units used per cell and capacity (``use[cell, capacity]``)."""

    bound: ExactSum
    value: ExactSum
    use: IntArray


@dataclass(frozen=True)
class Candidates:
    """Participants whose allocation at the lower prices differs from the one at the fitting
    prices: their ids, value gained and extra units per capacity (``row``, ``cap``, ``units``
    in coordinates; ``row`` indexes ``ids``)."""

    ids: np.ndarray
    gain: FloatArray
    row: IntArray
    cap: IntArray
    units: IntArray


@dataclass(frozen=True)
class Rounding:
    """An allocation of the pricing problem: everybody's optimum at the prices ``fit``,
    then each step's accepted ids take their optimum at the step's prices (``"price"``, once
    per participant) or within the room it left (``"fill"``)."""

    fit: FloatArray
    steps: tuple[tuple[str, FloatArray | IntArray, np.ndarray], ...] = ()


def cells(ids: np.ndarray, grp: IntArray, buckets: int) -> IntArray:
    """Each participant's cell: its group times ``buckets`` plus a bucket drawn from a hash of
    its id (the same in every process and partition)."""
    from pandas.util import hash_array

    h = hash_array(np.asarray(ids, dtype=str).astype(object))
    out: IntArray = grp.astype(np.int64) * buckets + (h % np.uint64(buckets)).astype(np.int64)
    return out


def merge_priced(parts: list[Priced], n_groups: int) -> Priced:
    """Several parts' answers as one (exact sums; integer units)."""
    use: IntArray = np.sum(np.stack([p.use for p in parts]), axis=0, dtype=np.int64)
    return Priced(
        merge_sums([p.bound for p in parts], n_groups),
        merge_sums([p.value for p in parts], n_groups),
        use,
    )


def merge_candidates(parts: list[Candidates]) -> Candidates:
    """Several parts' candidates as one (rows renumbered)."""
    start = np.cumsum([0] + [p.ids.shape[0] for p in parts])
    return Candidates(
        np.concatenate([p.ids for p in parts] + [np.zeros(0, dtype=object)]).astype(object),
        np.concatenate([p.gain for p in parts] + [np.zeros(0)]),
        np.concatenate([p.row + s for p, s in zip(parts, start, strict=False)] + [_I0]),
        np.concatenate([p.cap for p in parts] + [_I0]),
        np.concatenate([p.units for p in parts] + [_I0]),
    )


_I0 = np.zeros(0, dtype=np.int64)


@dataclass(eq=False)
class PricingPart:
    """Participants under capacities: their batch (values in the objective's scale),
    capacity of each item (``-1``: none), cell (see :func:`cells`), and ids (ties go to the
    id sorting first)."""

    batch: Batch
    cap_of: IntArray
    cell: IntArray
    ids: np.ndarray
    k: int
    n_cells: int
    solve: Solver = solve_optimal
    _kept: OrderedDict[bytes, BatchSolution] = field(default_factory=OrderedDict)

    def solution(self, point: FloatArray) -> BatchSolution:
        """The participants' exact optima at the prices ``point`` (kept for reuse)."""
        point = np.asarray(point, dtype=np.float64)
        return self._kept_or(b"p" + point.tobytes(), lambda: priced(self.batch, self.cap_of, point))

    def _fill(self, units: IntArray, room: IntArray, step: int) -> BatchSolution:
        """Everybody's optimum (unpriced values) with each capacitated item's units bounded
        by its units now plus the room left in its capacity."""

        def bounded() -> Batch:
            r = np.where(self.cap_of >= 0, room[np.maximum(self.cap_of, 0)], 0)
            upper = np.where(self.cap_of >= 0, np.minimum(self.batch.upper, units + r), units)
            return replace(self.batch, upper=np.maximum(upper, units))

        return self._kept_or(b"f%d" % step + room.tobytes(), bounded)

    def _kept_or(self, key: bytes, make: Callable[[], Batch]) -> BatchSolution:
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        sol = self.solve(make())
        self._kept[key] = sol
        while len(self._kept) > _KEEP:
            self._kept.popitem(last=False)
        return sol

    def price(self, point: FloatArray) -> Priced:
        """Aggregates of the optima at ``point``."""
        sol = self.solution(point)
        return self._aggregate(sol.bound, sol.units)

    def _aggregate(self, bound: FloatArray, units: IntArray) -> Priced:
        value = self.batch.evaluate(units)[0]
        on = (self.cap_of >= 0) & (units > 0)
        key = self.cell[self.batch.owner[on]] * self.k + self.cap_of[on]
        size = self.n_cells * self.k
        use = np.bincount(key, weights=units[on], minlength=size).astype(np.int64)
        return Priced(
            exact_sum(bound, self.cell, self.n_cells),
            exact_sum(value, self.cell, self.n_cells),
            use.reshape(self.n_cells, self.k),
        )

    def _units(self, r: Rounding, upto: int) -> tuple[IntArray, BoolArray]:
        units = self.solution(r.fit).units
        taken = np.zeros(self.batch.n, dtype=bool)
        for i, (kind, vec, ids) in enumerate(r.steps[:upto]):
            new = self._step(kind, vec, units, i)
            take = np.isin(self.ids.astype(str), np.asarray(ids, dtype=str))
            take &= ~taken if kind == "price" else True
            units = np.where(take[self.batch.owner], new, units)
            taken |= take
        return units, taken

    def _step(self, kind: str, vec: FloatArray | IntArray, units: IntArray, i: int) -> IntArray:
        if kind == "price":
            return self.solution(vec.astype(np.float64)).units
        return self._fill(units, vec.astype(np.int64), i).units

    def candidates(self, r: Rounding, kind: str, vec: FloatArray | IntArray) -> Candidates:
        """Participants gaining value by a next step (``"price"``: their optimum at the prices
        ``vec``, for those not yet moved; ``"fill"``: their optimum within the room ``vec``
        left), with their extra units."""
        a, taken = self._units(r, len(r.steps))
        b = self._step(kind, vec, a, len(r.steps))
        differ = segment_sum((a != b).astype(np.int64), self.batch.offsets) > 0
        value = self.batch.evaluate(b)[0] - self.batch.evaluate(a)[0]
        free = ~taken if kind == "price" else np.ones(self.batch.n, dtype=bool)
        who = np.flatnonzero(differ & (value > 0) & free)
        local = np.full(self.batch.n, -1, dtype=np.int64)
        local[who] = np.arange(who.shape[0])
        row = local[self.batch.owner]
        on = (row >= 0) & (self.cap_of >= 0) & (a != b)
        key = row[on] * self.k + self.cap_of[on]
        uniq, inv = np.unique(key, return_inverse=True)
        extra = np.zeros(uniq.shape[0], dtype=np.int64)
        np.add.at(extra, inv, (b - a)[on])
        return Candidates(
            self.ids[who].astype(object), value[who], uniq // self.k, uniq % self.k, extra
        )

    def units(self, r: Rounding) -> IntArray:
        """The allocation: per participant the first step's prices that accepted it, else the
        fitting prices'."""
        return self._units(r, len(r.steps))[0]

    def final(self, r: Rounding) -> Priced:
        """Aggregates of :meth:`units` (``bound`` holds the values too)."""
        units = self.units(r)
        return self._aggregate(self.batch.evaluate(units)[0], units)
