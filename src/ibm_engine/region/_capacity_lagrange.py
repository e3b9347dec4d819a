"""Provider capacity by Lagrangian decomposition: prices per capacity, repair, proven gap.

A price ``pi_c >= 0`` per unit of capacity ``c`` turns the coupled region problem back into
independent participant problems (values ``v_i - pi_c``), solved together by
:func:`~ibm_engine.solve.solve_optimal`. ``L(pi) = sum_p bound_p(pi) + sum_c pi_c cap_c`` is an
upper bound of the region optimum for every ``pi >= 0``; projected subgradient steps (Polyak
step towards the best feasible value) lower it. Each price vector's allocation is repaired to
feasibility (trim over-used capacities, lowest value per unit first, then re-fill freed money
and capacity participant by participant), which gives the lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ibm_engine._tolerances import (
    DIVISOR_FLOOR,
    NOISE_TOL,
    STEP_MIN_LAGRANGE,
    SUBGRADIENT_GAP_REL_FLOOR,
)
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.solve import Batch, Solver, solve_optimal

__all__ = ["CapacitySolution", "groups", "priced", "repair", "solve_lagrange", "usage"]

#: adjusted values at or below this are treated as worthless (the item gets 0 units)
_MIN_VALUE = NOISE_TOL
#: share of the previous direction kept in the next (deflected subgradient)
_DEFLECT = 0.7
#: repair the price solution every this many iterations (and at the first and last)
_REPAIR_EVERY = 2


@dataclass(frozen=True, eq=False)
class CapacitySolution:
    """A feasible region allocation with a proven upper bound of the region optimum.

    ``value`` and ``bound`` are in the batch's value scale; ``price`` is per capacity (value
    of one more unit of it at the best dual prices found); ``units0`` is the uncapacitated
    optimum (for the report of who lost what).
    """

    units: IntArray
    units0: IntArray
    value: float
    bound: float
    price: FloatArray
    iterations: int
    method: str
    #: upper bound per group of :func:`groups` (the last: participants without a capacity)
    group_bound: FloatArray | None = None
    #: max-min runs: the smallest kept share (value / uncapacitated value) reached, and its
    #: proven upper bound
    min_share: float = float("nan")
    min_share_bound: float = float("nan")

    @property
    def gap(self) -> float:
        """Proven relative gap ``(bound - value) / bound`` (0 when the bound is 0)."""
        return 0.0 if self.bound <= 0 else max(0.0, (self.bound - self.value) / self.bound)


def usage(cap_of: IntArray, units: IntArray, k: int) -> IntArray:
    """Units used of each of the ``k`` capacities (items with ``cap_of < 0`` are free)."""
    on = cap_of >= 0
    out: IntArray = np.bincount(cap_of[on], weights=units[on], minlength=k).astype(np.int64)
    return out


def priced(batch: Batch, cap_of: IntArray, price: FloatArray) -> Batch:
    """The batch with values ``v_i - pi_c``; items left without positive value get 0 units."""
    pen = np.where(cap_of >= 0, price[np.maximum(cap_of, 0)] if price.shape[0] else 0.0, 0.0)
    adj = batch.value - pen
    pos = adj > _MIN_VALUE
    return replace(batch, value=np.where(pos, adj, 1.0), upper=np.where(pos, batch.upper, 0))


def _trim(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    units: IntArray,
    cut_first: FloatArray | None = None,
) -> IntArray:
    """Cut over-used capacities: lowest value per unit first (or highest ``cut_first`` per
    item first), minimum doses kept (0 or >= m)."""
    units = units.copy()
    k = capacity.shape[0]
    excess = usage(cap_of, units, k) - capacity
    key = batch.value if cut_first is None else -cut_first
    for c in np.flatnonzero(excess > 0).tolist():
        idx = np.flatnonzero((cap_of == c) & (units > 0))
        idx = idx[np.lexsort((-idx, key[idx]))]  # lowest key, later items first
        e = int(excess[c])
        for i in idx.tolist():  # first down to the minimum dose
            t = min(e, int(units[i] - batch.lower[i]))
            if t > 0:
                units[i] -= t
                e -= t
            if e == 0:
                break
        for i in idx.tolist():  # then whole items
            if e <= 0:
                break
            e -= int(units[i])
            units[i] = 0
    return units


def repair(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    units: IntArray,
    rounds: int = 30,
    cut_first: FloatArray | None = None,
) -> IntArray:
    """A capacity-feasible allocation near ``units`` (feasible per participant already).

    After the trim (``cut_first``: per item, larger is cut first; default lowest value per
    unit first), participants re-solve with their capacitated items bounded by the room left
    (all at once), and are accepted one by one while their extra use still fits.
    """
    k = capacity.shape[0]
    if k == 0:
        return units.copy()
    trimmed = _trim(batch, cap_of, capacity, units, cut_first)
    owner = batch.owner
    # candidates: participants who were cut (money freed) or who have a capacitated item that
    # could get more of a capacity with room left
    room0 = capacity - usage(cap_of, trimmed, k)
    open_item = (cap_of >= 0) & (trimmed < batch.upper)
    open_item &= room0[np.maximum(cap_of, 0)] > 0
    cand = np.unique(owner[open_item | (trimmed < units)])
    units = trimmed
    values = batch.value * units
    for _ in range(rounds):
        if cand.shape[0] == 0:
            break
        room = capacity - usage(cap_of, units, k)
        idx = batch.item_index(cand)
        sub_cap = cap_of[idx]
        cap_room = np.where(sub_cap >= 0, room[np.maximum(sub_cap, 0)], 0)
        sub = batch.subset(cand)
        upper = np.where(sub_cap >= 0, np.minimum(sub.upper, units[idx] + cap_room), sub.upper)
        sol = solve_optimal(replace(sub, upper=upper))
        local = np.repeat(np.arange(cand.shape[0], dtype=np.int64), sub.counts)
        old_val = np.bincount(local, weights=values[idx], minlength=cand.shape[0])
        better = sol.value > old_val + NOISE_TOL
        left: list[int] = []
        for j in np.flatnonzero(better).tolist():
            sl = slice(int(sub.offsets[j]), int(sub.offsets[j + 1]))
            it = idx[sl]
            new = sol.units[sl]
            delta = usage(cap_of[it], new - units[it], k)
            if np.all(delta <= room):
                units[it] = new
                values[it] = batch.value[it] * new
                room = room - delta
            else:
                left.append(int(cand[j]))
        cand = np.asarray(left, dtype=np.int64)
    return units


def groups(batch: Batch, cap_of: IntArray, cap_group: IntArray) -> tuple[IntArray, IntArray]:
    """Participant and capacity groups that share nothing (one extra group: no capacity).

    Falls back to a single group when a participant's capacities lie in different groups.
    """
    k = cap_group.shape[0]
    n_groups = int(cap_group.max()) + 1 if k else 0
    on = cap_of >= 0
    owner = batch.owner
    pg = np.full(batch.n, n_groups, dtype=np.int64)
    pg[owner[on]] = cap_group[cap_of[on]]
    if np.any(pg[owner[on]] != cap_group[cap_of[on]]):
        cap_group = np.zeros(k, dtype=np.int64)
        return groups(batch, cap_of, cap_group)
    return pg, cap_group


def solve_lagrange(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    *,
    cap_group: IntArray | None = None,
    max_iter: int = 60,
    rel_gap: float = 1e-3,
    solve: Solver = solve_optimal,
) -> CapacitySolution:
    """Subgradient search of capacity prices with a repair at every step (see module).

    ``cap_group`` (e.g. the municipality of each capacity) splits the region into independent
    parts: each part has its own step length, bound and best repaired allocation.
    """
    k = capacity.shape[0]
    cap_f = capacity.astype(np.float64)
    pg, cg = groups(batch, cap_of, np.zeros(k, np.int64) if cap_group is None else cap_group)
    n_g = int(pg.max()) + 1 if batch.n else 1
    owner = batch.owner

    def per_group(part_values: FloatArray, price: FloatArray) -> FloatArray:
        out: FloatArray = np.bincount(pg, weights=part_values, minlength=n_g).astype(np.float64)
        return out + np.bincount(cg, weights=price * cap_f, minlength=n_g)

    sol0 = solve(batch)
    units0 = sol0.units
    best = repair(batch, cap_of, capacity, units0)
    zero = np.zeros(k, dtype=np.float64)
    lb = per_group(batch.evaluate(best)[0], zero)
    ub = per_group(sol0.bound, zero)
    price = zero.copy()
    best_price = zero.copy()
    direction = zero.copy()
    theta = np.ones(n_g, dtype=np.float64)
    stall = np.zeros(n_g, dtype=np.int64)
    it = 0
    sol = sol0
    while it < max_iter and ub.sum() - lb.sum() > rel_gap * max(float(ub.sum()), DIVISOR_FLOOR):
        if it > 0:
            sol = solve(priced(batch, cap_of, price))
        it += 1
        dual = per_group(sol.bound, price)
        better = dual < ub - NOISE_TOL
        ub = np.where(better, dual, ub)
        best_price = np.where(better[cg], price, best_price)
        stall = np.where(better, 0, stall + 1)
        theta = np.where(stall >= 3, theta / 2.0, theta)
        stall = np.where(stall >= 3, 0, stall)
        g = cap_f - usage(cap_of, sol.units, k).astype(np.float64)
        if it % _REPAIR_EVERY == 1 or it == max_iter or not np.any(g < 0):
            cand = repair(batch, cap_of, capacity, sol.units)
            val = per_group(batch.evaluate(cand)[0], zero)
            up = val > lb
            lb = np.where(up, val, lb)
            best = np.where(up[pg[owner]], cand, best)
        # deflected subgradient (Camerini, Fratta, Maffioli 1975): damps the zig-zag
        direction = np.where((price <= 0) & (g > 0), 0.0, g) + _DEFLECT * direction
        norm2 = np.bincount(cg, weights=direction * direction, minlength=n_g)
        active = (norm2 > 0) & (theta >= STEP_MIN_LAGRANGE) & (ub - lb > NOISE_TOL)
        if not active.any():
            break
        gap = np.maximum(dual - lb, SUBGRADIENT_GAP_REL_FLOOR * np.maximum(np.abs(dual), 1.0))
        step = np.where(active, theta * gap / np.where(norm2 > 0, norm2, 1.0), 0.0)
        price = np.maximum(0.0, price - step[cg] * direction)
    value = float(np.dot(batch.value, best))
    return CapacitySolution(
        units=best,
        units0=units0,
        value=value,
        bound=max(float(ub.sum()), value),
        price=best_price,
        iterations=it,
        method="decomposition",
        group_bound=np.maximum(ub, per_group(batch.evaluate(best)[0], zero)),
    )
