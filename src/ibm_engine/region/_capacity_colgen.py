"""Provider capacity by column generation (Dantzig-Wolfe): the Lagrangian bound, reached.

Each participant's feasible allocations are the columns of a master LP: choose (a convex
combination of) one allocation per participant so that the units of every capacity add up to at
most the capacity. Its duals are capacity prices; pricing at those prices is the engine's exact
core on the priced batch (values ``v_i - pi_c``), which also gives the Lagrangian bound
``sum_p z_p(pi) + pi . cap`` (valid for any ``pi >= 0``). The master's LP optimum equals the best
Lagrangian bound at convergence, so this reaches the bound that subgradient steps only approach.
Dual prices are smoothed (Wentges 1997: the pricing point is a convex combination of the master
duals and the prices of the best bound so far), which avoids the usual tailing off.

The integer allocation rounds the last master LP: participants whose LP allocation is one
column keep it; in a basic solution at most one participant per binding capacity is split
between columns, and those few are re-solved exactly by a small MILP per group of capacities
(their full item variables, the capacity left); then money and capacity freed are re-filled by
the repair. Large regions (more than ``aggregate_above`` participants under capacities), and
the region on Dask, price every participant exactly and keep only sums per group of
capacities in the master (:mod:`~ibm_engine.region._capacity_aggregate`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ibm_engine._tolerances import TIE_TILT_REL
from ibm_engine._typing import IntArray
from ibm_engine.region._capacity_aggregate import solve_aggregate
from ibm_engine.region._capacity_aggregate_run import (
    aggregate_solution,
    cell_groups,
    pricing_setup,
)
from ibm_engine.region._capacity_colgen_parts import Region, maxmin_part, whole_part
from ibm_engine.region._capacity_lagrange import CapacitySolution, groups, repair
from ibm_engine.solve import Batch, Solver, solve_optimal

__all__ = ["solve_colgen"]

#: relative tilt of the values towards earlier participants (deterministic ties)
_TIE = TIE_TILT_REL


def solve_colgen(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    *,
    cap_group: IntArray,
    max_iter: int = 60,
    rel_gap: float = 1e-3,
    time_limit: float = 5.0,
    aggregate_above: int = 8000,
    maxmin: bool = False,
    solve: Solver = solve_optimal,
    aggregate: bool | None = None,
    ids: np.ndarray | None = None,
) -> CapacitySolution:
    """Column generation with smoothed prices, then rounding (see module).

    ``maxmin``: first the largest smallest kept share (value / uncapacitated
    value) over the participants under capacities, then the largest sum with every share at
    least that (always over everybody, no sample). ``solve`` solves the participants' own
    problems (the uncapacitated optimum, the pricing): e.g. over several processes.
    ``aggregate``: price every participant and keep only sums per group in the master
    (:mod:`~ibm_engine.region._capacity_aggregate`); by default above ``aggregate_above``
    participants under capacities (not with ``maxmin``); ``ids`` (default: the batch order)
    break its ties.
    """
    k = capacity.shape[0]
    cap_f = capacity.astype(np.float64)
    original = batch
    # ties between participants go to the earlier one: values raised by at most 1e-9
    # relative (the bound of the raised problem is a bound of the original one)
    tilt = 1.0 + _TIE * (batch.n - np.arange(batch.n)) / max(batch.n, 1)
    batch = replace(batch, value=batch.value * tilt[batch.owner])
    if aggregate is None:
        n_under = int(np.unique(batch.owner[cap_of >= 0]).shape[0])
        aggregate = n_under > aggregate_above and not maxmin
    if aggregate and not maxmin:
        who = np.arange(batch.n).astype(str) if ids is None else np.asarray(ids)
        setup = pricing_setup(original, cap_of, capacity, cap_group, who, solve)
        agg = solve_aggregate(
            setup.pricer, capacity, groups(batch, cap_of, cap_group)[1],
            cell_groups(int(cap_group.max()) + 1 if k else 0), max_iter=max_iter,
            rel_gap=rel_gap,
        )  # fmt: skip
        units = setup.units(agg.rounding)
        return aggregate_solution(agg, units, setup.units0, setup.free_value, setup.free_bound)
    pg, cg = groups(batch, cap_of, cap_group)
    n_groups = int(cg.max()) + 1 if k else 0
    sol0 = solve(original)  # the tilt is uniform per participant: same optima
    units0 = sol0.units
    master = np.flatnonzero(pg < n_groups)
    free_bound = float(sol0.bound[pg >= n_groups].sum())
    units = units0.copy()
    if master.shape[0] == 0:
        value0 = float(np.dot(original.value, units0))
        kept = 1.0 if maxmin else np.nan  # nobody under capacities: nothing lost
        return CapacitySolution(
            units,
            units0,
            value0,
            free_bound,
            np.zeros(k),
            0,
            "decomposition",
            min_share=kept,
            min_share_bound=kept,
        )
    idx = batch.item_index(master)
    sub = batch.subset(master)
    cap_sub = cap_of[idx]
    reg = Region(
        sub=sub,
        plain=original.subset(master),
        cap_sub=cap_sub,
        capacity=capacity,
        cap_f=cap_f,
        grp=pg[master],
        cg=cg,
        n_groups=n_groups,
        units0=units0[idx],
        start=repair(sub, cap_sub, capacity, units0[idx]),
        max_iter=max_iter,
        rel_gap=rel_gap,
        time_limit=time_limit,
        solve=solve,
    )
    part = maxmin_part(reg) if maxmin else whole_part(reg)
    units[idx] = part.units
    group_bound, price, iterations, shares = part.bound, part.price, part.iterations, part.shares
    value = float(np.dot(original.value, units))
    group_bound = np.concatenate([group_bound, [free_bound]])
    bound = max(float(group_bound.sum()), value)
    return CapacitySolution(
        units,
        units0,
        value,
        bound,
        price,
        iterations,
        "decomposition",
        group_bound=group_bound,
        min_share=shares[0],
        min_share_bound=shares[1],
    )
