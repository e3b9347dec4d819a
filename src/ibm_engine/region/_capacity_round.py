"""Integer allocations from the master LP of column generation (see ``_capacity_colgen``).

Sum objective: participants whose LP allocation is one column keep it; the few split between
columns are re-solved exactly by a small MILP per group within the capacity left; then the
repair re-fills freed money and capacity. Max-min: every participant takes the least-capacity
column keeping the largest common share that fits (bisection), or, in small regions, the exact
max-min MILP followed by the exact sum MILP with every share kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ibm_engine._tolerances import (
    CAPACITY_UNITS_TOL,
    LP_WEIGHT_TOL,
    NOISE_TOL,
    SHARE_FLOOR_REL_SLACK,
)
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.region._capacity_lagrange import repair
from ibm_engine.region._capacity_milp import solve_compact
from ibm_engine.region._capacity_pool import Pool, column_rounds
from ibm_engine.solve import Batch

if TYPE_CHECKING:
    from scipy.sparse import csr_array

__all__ = ["exact_maxmin", "integer"]


def exact_maxmin(
    sub: Batch,
    cap_sub: IntArray,
    capacity: IntArray,
    grp: IntArray,
    full: FloatArray,
    time_limit: float,
) -> tuple[IntArray, float]:
    """Per group: the MILP of the largest smallest share, then the MILP of the largest sum
    keeping every share at least the region's smallest (time-limited HiGHS)."""
    units = np.zeros(sub.m, dtype=np.int64)
    groups_ = np.unique(grp).tolist()
    per: dict[int, tuple[IntArray, IntArray, Batch]] = {}
    kept = 1.0
    for g in groups_:
        rows = np.flatnonzero(grp == g)
        items = sub.item_index(rows)
        part = sub.subset(rows)
        per[g] = (rows, items, part)
        ans = solve_compact(part, cap_sub[items], capacity, time_limit, share_of=full[rows])
        kept = min(kept, ans.min_share)
    kept = max(kept, 0.0)
    for g in groups_:
        rows, items, part = per[g]
        floor = full[rows] * kept * (1 - SHARE_FLOOR_REL_SLACK)
        units[items] = solve_compact(part, cap_sub[items], capacity, time_limit, floor=floor).units
    got = sub.evaluate(units)[0]
    on = full > 0
    share = float((got[on] / full[on]).min()) if on.any() else 1.0
    return units, share


def integer(
    pool: Pool,
    lam: FloatArray,
    sub: Batch,
    cap_sub: IntArray,
    capacity: IntArray,
    grp: IntArray,
    time_limit: float,
    full: FloatArray | None = None,
    target: float = 0.0,
) -> IntArray:
    """Round the master LP: participants on one column keep it; the few split between columns
    (at most one per binding capacity in a basic solution) are re-solved by a small MILP per
    group within the capacity left; for max-min (``full`` given) every participant takes a
    generated column by :func:`_fit_shares`; then freed money and capacity are re-filled
    (repair)."""
    n = sub.n
    part, value, use = pool.arrays()
    col_round = column_rounds(pool)
    whole = lam >= 1.0 - LP_WEIGHT_TOL
    fixed_part = np.zeros(n, dtype=bool)
    fixed_part[part[whole]] = True
    mass = np.bincount(part, weights=lam, minlength=n)
    fixed_part |= mass <= LP_WEIGHT_TOL  # the zero allocation
    split = np.flatnonzero(~fixed_part)
    chosen = np.flatnonzero(whole)
    left = capacity.astype(np.float64) - np.asarray(use[:, chosen].sum(axis=1)).ravel()
    if full is not None:  # max-min: every participant re-chosen from its columns
        chosen = _fit_shares(part, value, use, full, capacity.astype(np.float64), target)
        split = split[:0]
    units = np.zeros(sub.m, dtype=np.int64)
    for r in np.unique(col_round[chosen]).tolist():
        mine = chosen[col_round[chosen] == r]
        items = sub.item_index(part[mine])
        units[items] = pool.rounds[r][1][items]
    room = np.floor(np.maximum(left, 0.0) + CAPACITY_UNITS_TOL).astype(np.int64)
    for g in np.unique(grp[split]).tolist():  # groups share no capacity: one MILP each
        rows = split[grp[split] == g]
        items = sub.item_index(rows)
        units[items] = solve_compact(sub.subset(rows), cap_sub[items], room, time_limit).units
    return repair(sub, cap_sub, capacity, units)


def _fit_shares(
    part: IntArray,
    value: FloatArray,
    use: csr_array,
    full: FloatArray,
    capacity: FloatArray,
    target: float,
) -> IntArray:
    """Max-min choice of one generated column per participant: the largest kept share ``t``
    (bisection below ``target``) at which every participant's least-capacity column keeping
    at least ``t`` of its value fits all together; participants without such a column get
    nothing (their share counts as 0 only where ``full`` is 0)."""
    safe = np.where(full > 0, full, 1.0)
    share = np.where(full[part] > 0, value / safe[part], 1.0)
    weight = np.asarray(use.T @ (1.0 / np.maximum(capacity, 1.0))).ravel()
    order = np.lexsort((np.arange(part.shape[0]), weight, part))  # least use first, per person

    def choose(t: float) -> IntArray:
        ok = order[share[order] >= t - NOISE_TOL]
        first = np.r_[True, part[ok][1:] != part[ok][:-1]] if ok.size else np.zeros(0, bool)
        return ok[first]

    def fits(cols: IntArray) -> bool:
        return bool(
            np.all(np.asarray(use[:, cols].sum(axis=1)).ravel() <= capacity + CAPACITY_UNITS_TOL)
        )

    lo, hi = 0.0, float(target)
    best = choose(lo)
    if fits(choose(hi)):
        return choose(hi)
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        cols = choose(mid)
        if fits(cols):
            lo, best = mid, cols
        else:
            hi = mid
    return best
