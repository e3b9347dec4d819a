"""Provider capacity, exact: one scipy.optimize.milp over all participants (small regions).

Branch and bound over many participants at once stalls (docs/capacities.md): this is the
reference for tests and small regions. The relative gap is 0, the objective is scaled, and
the answer is re-checked (bounds, minimum doses, budgets, hours, capacities) and re-valued.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ibm_engine._tolerances import (
    DIVISOR_FLOOR,
    HOURS_TOL,
    MILP_HOURS_ROW_SCALE,
    MILP_REL_GAP,
    SHARE_FLOOR_REL_SLACK,
)
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.region._capacity_lagrange import CapacitySolution, groups, solve_lagrange, usage
from ibm_engine.region._capacity_limits import note_status
from ibm_engine.solve import Batch, Solver, solve_optimal

if TYPE_CHECKING:
    from scipy.sparse import csr_array

__all__ = ["solve_auto", "solve_compact", "solve_exact"]

_SCALE_TARGET = 1e6


def _rows(group: IntArray, coef: np.ndarray, cols: IntArray, n_rows: int, n_cols: int) -> csr_array:
    from scipy.sparse import coo_array, csr_array  # loaded when a region is solved

    return csr_array(coo_array((coef, (group, cols)), shape=(n_rows, n_cols)))


def solve_exact(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    *,
    cap_group: IntArray | None = None,
    time_limit: float = 60.0,
    solve: Solver = solve_optimal,
) -> CapacitySolution:
    """The region optimum: one MILP per independent group of capacities (``cap_group``, e.g.
    municipalities); participants without a capacity are solved alone (by ``solve``)."""
    k = capacity.shape[0]
    pg, cg = groups(batch, cap_of, np.zeros(k, np.int64) if cap_group is None else cap_group)
    sol0 = solve(batch)
    units = sol0.units.copy()
    free = np.flatnonzero(pg == (int(cg.max()) + 1 if k else 0))
    bound = float(sol0.bound[free].sum())
    for g in range(int(cg.max()) + 1 if k else 0):
        part = np.flatnonzero(pg == g)
        caps = np.flatnonzero(cg == g)
        if part.shape[0] == 0:
            continue
        local = np.full(k, -1, dtype=np.int64)
        local[caps] = np.arange(caps.shape[0])
        idx = batch.item_index(part)
        sub_cap = np.where(cap_of[idx] >= 0, local[np.maximum(cap_of[idx], 0)], -1)
        ans = solve_compact(batch.subset(part), sub_cap, capacity[caps], time_limit)
        units[idx] = ans.units
        bound += ans.bound
    value = float(np.dot(batch.value, units))
    return CapacitySolution(
        units, sol0.units, value, max(bound, value), np.full(k, np.nan), 0, "exact"
    )


def solve_auto(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    dec: CapacitySolution,
    *,
    cap_group: IntArray,
    rel_gap: float,
    time_limit: float,
) -> CapacitySolution:
    """A decomposition's solution ``dec``, then a time-limited MILP for each group still above
    ``rel_gap``; per group the better allocation is kept and the smaller of the two bounds."""
    if dec.gap <= rel_gap or dec.group_bound is None:
        return dec
    k = capacity.shape[0]
    pg, cg = groups(batch, cap_of, cap_group)
    units = dec.units.copy()
    part_value = batch.evaluate(units)[0]
    bound = dec.group_bound.copy()
    for g in range(int(cg.max()) + 1 if k else 0):
        part = np.flatnonzero(pg == g)
        lb = float(part_value[part].sum())
        if part.shape[0] == 0 or bound[g] - lb <= rel_gap * bound[g]:
            continue
        caps = np.flatnonzero(cg == g)
        local = np.full(k, -1, dtype=np.int64)
        local[caps] = np.arange(caps.shape[0])
        idx = batch.item_index(part)
        sub_cap = np.where(cap_of[idx] >= 0, local[np.maximum(cap_of[idx], 0)], -1)
        ans = solve_compact(batch.subset(part), sub_cap, capacity[caps], time_limit)
        if ans.value > lb:
            units[idx] = ans.units
        bound[g] = min(bound[g], max(ans.bound, ans.value))
    value = float(np.dot(batch.value, units))
    return CapacitySolution(
        units,
        dec.units0,
        value,
        max(float(bound.sum()), value),
        dec.price,
        dec.iterations,
        "auto",
        bound,
    )


def solve_compact(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    time_limit: float,
    *,
    floor: FloatArray | None = None,
    share_of: FloatArray | None = None,
) -> CapacitySolution:
    """One MILP over the participants of one group; the decomposition if HiGHS fails.

    ``floor``: per participant, the least value it must keep (dropped when infeasible).
    ``share_of``: maximise instead the smallest share ``value_p / share_of_p`` (over the
    participants with ``share_of_p > 0``), reported as ``min_share``."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import vstack

    m, n, k = batch.m, batch.n, capacity.shape[0]
    owner = batch.owner
    fund = np.flatnonzero(batch.fundable & (batch.upper > 0))
    f = fund.shape[0]
    units0 = solve_optimal(batch).units
    if f == 0:
        zero = np.zeros(m, dtype=np.int64)
        return CapacitySolution(zero, units0, 0.0, 0.0, np.zeros(k), 0, "exact")
    v = batch.value[fund]
    U = batch.upper[fund].astype(np.float64)
    lo_dose = batch.lower[fund].astype(np.float64)
    scale = _SCALE_TARGET / max(float(np.dot(v, U)), DIVISOR_FLOOR)
    obj = np.concatenate([-v * scale, np.zeros(f)])
    cols = np.arange(f, dtype=np.int64)
    nc = 2 * f + (share_of is not None)
    if share_of is not None:  # one more column, t: the smallest share; the only objective
        obj = np.concatenate([np.zeros(2 * f), [-1.0]])
    blocks = [_rows(owner[fund], batch.cost[fund].astype(np.float64), cols, n, nc)]
    lo = [np.full(n, -np.inf)]
    hi = [batch.budget.astype(np.float64)]
    hcap = np.flatnonzero(np.isfinite(batch.hours_cap))
    if hcap.shape[0]:
        row_of = np.full(n, -1, dtype=np.int64)
        row_of[hcap] = np.arange(hcap.shape[0])
        on = row_of[owner[fund]] >= 0
        hrs = batch.hours[fund][on] * MILP_HOURS_ROW_SCALE  # HiGHS's tolerance: 1e-11 h
        blocks.append(_rows(row_of[owner[fund]][on], hrs, cols[on], hcap.shape[0], nc))
        lo.append(np.full(hcap.shape[0], -np.inf))
        hi.append((batch.hours_cap[hcap] + HOURS_TOL) * MILP_HOURS_ROW_SCALE)
    on = cap_of[fund] >= 0
    if k:
        blocks.append(_rows(cap_of[fund][on], np.ones(int(on.sum())), cols[on], k, nc))
        lo.append(np.full(k, -np.inf))
        hi.append(capacity.astype(np.float64))
    if floor is not None and np.any(floor > 0):
        blocks.append(_rows(owner[fund], v, cols, n, nc))
        lo.append(np.maximum(floor - SHARE_FLOOR_REL_SLACK * np.maximum(floor, 1.0), 0.0))
        hi.append(np.full(n, np.inf))
    if share_of is not None:
        rows = np.flatnonzero(share_of > 0)
        row_of = np.full(n, -1, dtype=np.int64)
        row_of[rows] = np.arange(rows.shape[0])
        on = row_of[owner[fund]] >= 0
        r_idx = np.concatenate([row_of[owner[fund]][on], np.arange(rows.shape[0])])
        c_idx = np.concatenate([cols[on], np.full(rows.shape[0], nc - 1)])
        coef = np.concatenate([v[on], -share_of[rows]])
        blocks.append(_rows(r_idx, coef, c_idx, rows.shape[0], nc))  # value - t full >= 0
        lo.append(np.zeros(rows.shape[0]))
        hi.append(np.full(rows.shape[0], np.inf))
    both = np.concatenate([cols, cols])
    pair = np.concatenate([cols, cols + f])
    blocks.append(_rows(both, np.concatenate([np.ones(f), -U]), pair, f, nc))  # u - U z <= 0
    lo.append(np.full(f, -np.inf))
    hi.append(np.zeros(f))
    blocks.append(_rows(both, np.concatenate([np.ones(f), -lo_dose]), pair, f, nc))  # u >= m z
    lo.append(np.zeros(f))
    hi.append(np.full(f, np.inf))
    res = milp(
        obj,
        constraints=LinearConstraint(
            vstack(blocks).tocsr(), np.concatenate(lo), np.concatenate(hi)
        ),
        integrality=np.concatenate([np.ones(2 * f), np.zeros(nc - 2 * f)]).astype(np.int64),
        bounds=Bounds(np.zeros(nc), np.concatenate([U, np.ones(f), np.ones(nc - 2 * f)])),
        options={"mip_rel_gap": MILP_REL_GAP, "presolve": True, "time_limit": time_limit},
    )
    note_status(int(res.status), f"capacity MILP over {n} participants ({time_limit:g} s limit)")
    if res.x is None:
        if floor is not None:  # the floors cannot all be kept: the best without them
            return solve_compact(batch, cap_of, capacity, time_limit)
        return solve_lagrange(batch, cap_of, capacity)
    units = np.zeros(m, dtype=np.int64)
    u = np.round(res.x[:f]).astype(np.int64)
    units[fund] = np.where(u < batch.lower[fund], 0, np.minimum(u, batch.upper[fund]))
    ok = bool(batch.feasible(units).all()) and bool(np.all(usage(cap_of, units, k) <= capacity))
    if not ok:
        return solve_lagrange(batch, cap_of, capacity)
    value = float(np.dot(batch.value, units))
    dual = getattr(res, "mip_dual_bound", None)
    if share_of is not None:
        got = batch.evaluate(units)[0]
        on = share_of > 0
        kept = float((got[on] / share_of[on]).min()) if on.any() else 1.0
        top = kept if dual is None or not np.isfinite(dual) else max(kept, -float(dual))
        return CapacitySolution(
            units,
            units0,
            value,
            value,
            np.full(k, np.nan),
            0,
            "exact",
            min_share=kept,
            min_share_bound=top,
        )
    bound = value if dual is None or not np.isfinite(dual) else max(value, -float(dual) / scale)
    return CapacitySolution(units, units0, value, bound, np.full(k, np.nan), 0, "exact")
