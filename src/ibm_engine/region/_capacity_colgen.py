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
the repair. Large regions (more than ``sample`` participants under capacities) take their
prices from column generation on a seeded random sample with capacities scaled by its share;
the Lagrangian bound at those prices is then computed over everybody (valid for any prices),
and the allocation is the repaired pricing solution.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import csr_array

from ibm_engine._tolerances import DIVISOR_FLOOR, LP_WEIGHT_TOL, NOISE_TOL, RC_REL_TOL, TIE_TILT_REL
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.region._capacity_lagrange import CapacitySolution, groups, priced, repair
from ibm_engine.region._capacity_pool import Fairness, Pool, columns, master
from ibm_engine.region._capacity_round import exact_maxmin, integer
from ibm_engine.solve import Batch, Solver, solve_optimal

__all__ = ["solve_colgen"]

#: weight of the best-bound prices in the pricing point (Wentges smoothing)
_SMOOTH = 0.5
#: reduced cost a new column must have (relative to the largest participant value)
_RC_TOL = RC_REL_TOL
#: regions with at most this many participants under capacities get the exact max-min (MILP)
_EXACT_MAXMIN = 300
#: relative tilt of the values towards earlier participants (deterministic ties)
_TIE = TIE_TILT_REL


@dataclass(frozen=True)
class _Generated:
    """What column generation leaves: the pool, the last master LP and the best bound."""

    pool: Pool
    lam: FloatArray
    lp_value: FloatArray  # per group
    bound: FloatArray  # per group: the best Lagrangian bound (+inf if none computed)
    price: FloatArray  # per capacity: the prices of the best bound
    iterations: int


def _generate(
    sub: Batch,
    cap_sub: IntArray,
    capacity: FloatArray,
    grp: IntArray,
    cg: IntArray,
    starts: list[IntArray] | Pool,
    max_iter: int,
    rel_gap: float,
    fair: Fairness | None = None,
    solve: Solver = solve_optimal,
) -> _Generated:
    """Column generation over the participants of ``sub`` (all in capacity groups).

    With ``fair.maxmin`` the groups are one (the smallest share couples them all): pass
    ``grp`` and ``cg`` of zeros.
    """
    k, n, n_groups = capacity.shape[0], sub.n, int(cg.max()) + 1
    rows = np.arange(n, dtype=np.int64)
    if isinstance(starts, Pool):
        pool = starts
    else:
        pool = Pool([], [], [], [])
        for u in starts:
            val, use = columns(sub, cap_sub, k, u, rows)
            pool.add(rows, val, use, u)
    tol = _RC_TOL * max(float(pool.value[0].max(initial=0.0)), DIVISOR_FLOOR)
    if fair is not None and fair.maxmin:
        tol = _RC_TOL
    best_bound = np.full(n_groups, np.inf)
    best_price = np.zeros(k)
    best_rho = np.zeros(n)
    it = 0
    while True:
        part, value, use = pool.arrays()
        mst = master(part, value, use, capacity, n, fair)
        if fair is not None and fair.maxmin:
            lp_value = np.full(1, mst.objective)
        else:
            lp_value = np.bincount(grp[part], weights=mst.contrib, minlength=n_groups)
            lp_value = lp_value.astype(np.float64)
        done = np.isfinite(best_bound) & (
            best_bound - lp_value <= 0.25 * rel_gap * np.maximum(np.abs(best_bound), DIVISOR_FLOOR)
        )
        if it >= max_iter or bool(done.all()):
            break
        it += 1
        smooth = np.isfinite(best_bound[cg])
        point = np.where(smooth, _SMOOTH * best_price + (1 - _SMOOTH) * mst.price, mst.price)
        rho = mst.rho
        if fair is not None and bool(np.isfinite(best_bound).all()):
            rho = _SMOOTH * best_rho + (1 - _SMOOTH) * mst.rho
        mult = np.ones(n) if fair is None else fair.multiplier(rho)
        weighted = replace(sub, value=sub.value * mult[sub.owner])
        sol = solve(priced(weighted, cap_sub, point))
        bound_g = np.bincount(grp, weights=sol.bound, minlength=n_groups).astype(np.float64)
        bound_g += np.bincount(cg, weights=point * capacity, minlength=n_groups)
        if fair is not None and fair.maxmin:  # t <= 1: the part of t no share row prices
            bound_g += max(0.0, 1.0 - float(rho.sum()))
        if fair is not None and fair.floor is not None:  # - sum rho_p floor_p, per group
            bound_g -= np.bincount(grp, weights=rho * fair.floor, minlength=n_groups)
        better = bound_g < best_bound
        best_bound = np.where(better, bound_g, best_bound)
        best_price = np.where(better[cg], point, best_price)
        if bool(better.any()):
            best_rho = rho
        val, use_new = columns(sub, cap_sub, k, sol.units, rows)
        mult_m = np.ones(n) if fair is None else fair.multiplier(mst.rho)
        new = np.flatnonzero(mult_m * val - use_new.T @ mst.price - mst.sigma > tol)
        if new.shape[0] == 0 and not better.any():
            break
        if new.shape[0]:
            keep = np.repeat(np.isin(rows, new), sub.counts)
            pool.add(new, val[new], csr_array(use_new[:, new]), np.where(keep, sol.units, 0))
    return _Generated(pool, mst.lam, lp_value, best_bound, best_price, it)


#: charges per capacity unit, as shares of the mean value of a unit of that capacity, at which
#: every participant's allocation is added to a max-min pool (low-use alternatives)
_FRONTIER = (0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0, 1.5)


def pool_size(pool: Pool) -> int:
    """Number of columns in the pool."""
    return int(sum(p.shape[0] for p in pool.part))


def _frontier_columns(
    pool: Pool, sub: Batch, cap_sub: IntArray, k: int, solve: Solver = solve_optimal
) -> None:
    """Add each participant's optimum at a grid of uniform capacity charges: allocations
    trading value for capacity, from which the max-min rounding picks the least-use one
    keeping a share."""
    on = cap_sub >= 0
    per_unit = np.bincount(cap_sub[on], weights=sub.value[on], minlength=k)
    count = np.bincount(cap_sub[on], minlength=k)
    mean = per_unit / np.maximum(count, 1)
    rows = np.arange(sub.n, dtype=np.int64)
    for share in _FRONTIER:
        sol = solve(priced(sub, cap_sub, share * mean))
        val, use = columns(sub, cap_sub, k, sol.units, rows)
        pool.add(rows, val, use, sol.units)


def _sample(grp: IntArray, size: int, seed: int) -> IntArray:
    """A seeded random sample of about ``size`` participants, the same share of every group."""
    rng = np.random.default_rng(seed)
    share = size / grp.shape[0]
    keep = rng.random(grp.shape[0]) < share
    for g in np.unique(grp).tolist():  # at least one participant of every group
        mine = np.flatnonzero(grp == g)
        if not keep[mine].any():
            keep[mine[0]] = True
    return np.flatnonzero(keep)


def solve_colgen(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    *,
    cap_group: IntArray,
    max_iter: int = 60,
    rel_gap: float = 1e-3,
    time_limit: float = 5.0,
    sample: int = 8000,
    seed: int = 0,
    maxmin: bool = False,
    solve: Solver = solve_optimal,
) -> CapacitySolution:
    """Column generation with smoothed prices, then rounding (see module).

    Regions with more than ``sample`` participants in capacity groups take their prices from
    column generation on a seeded random sample (capacities scaled by its share); the bound is
    the Lagrangian bound at those prices over everybody, the allocation the repair of the
    pricing solution. ``maxmin``: first the largest smallest kept share (value / uncapacitated
    value) over the participants under capacities, then the largest sum with every share at
    least that (always over everybody, no sample). ``solve`` solves the participants' own
    problems (the uncapacitated optimum, the pricing): e.g. over several processes.
    """
    k = capacity.shape[0]
    cap_f = capacity.astype(np.float64)
    original = batch
    # ties between participants go to the earlier one: values raised by at most 1e-9
    # relative (the bound of the raised problem is a bound of the original one)
    tilt = 1.0 + _TIE * (batch.n - np.arange(batch.n)) / max(batch.n, 1)
    batch = replace(batch, value=batch.value * tilt[batch.owner])
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
    grp = pg[master]
    start = repair(sub, cap_sub, capacity, units0[idx])
    shares: tuple[float, float] = (np.nan, np.nan)
    if maxmin:
        full = sub.evaluate(units0[idx])[0]
        one = np.zeros(sub.n, dtype=np.int64)
        gen1 = _generate(
            sub,
            cap_sub,
            cap_f,
            one,
            np.zeros(k, np.int64),
            [units0[idx], start],
            max_iter,
            rel_gap,
            Fairness(full, maxmin=True),
        )
        floor = np.where(full > 0, full * gen1.lp_value[0] * (1 - LP_WEIGHT_TOL), 0.0)
        fair = Fairness(full, floor=floor / np.where(full > 0, full, 1.0))
        gen = _generate(sub, cap_sub, cap_f, grp, cg, gen1.pool, max_iter, rel_gap, fair, solve)
        _frontier_columns(gen.pool, sub, cap_sub, k, solve)
        lam = np.zeros(pool_size(gen.pool))  # the new columns are not in the LP solution
        lam[: gen.lam.shape[0]] = gen.lam
        on = full > 0
        kept = -1.0
        for way in (full, None):  # max-min choice of columns, or the rounding of the sum LP
            cand = integer(
                gen.pool, lam, sub, cap_sub, capacity, grp, time_limit, way, gen1.lp_value[0]
            )
            got = sub.evaluate(cand)[0]
            share = float((got[on] / full[on]).min()) if on.any() else 1.0
            if share > kept:
                kept, units[idx] = share, cand
        if sub.n <= _EXACT_MAXMIN:  # small regions: the exact max-min, then the exact sum
            cand, share = exact_maxmin(sub, cap_sub, capacity, grp, full, time_limit)
            if share > kept + NOISE_TOL:
                kept, units[idx] = share, cand
        shares = (kept, float(min(gen1.bound[0], 1.0)))
        group_bound, price, iterations = gen.bound, gen.price, gen1.iterations + gen.iterations
    elif master.shape[0] <= sample:
        gen = _generate(
            sub, cap_sub, cap_f, grp, cg, [units0[idx], start], max_iter, rel_gap, solve=solve
        )
        units[idx] = integer(gen.pool, gen.lam, sub, cap_sub, capacity, grp, time_limit)
        price, iterations = gen.price, gen.iterations
        # the bound at the best prices without the tilt (the tilted one is up to 1e-9 higher)
        again = solve(priced(original.subset(master), cap_sub, price))
        plain = np.bincount(grp, weights=again.bound, minlength=n_groups).astype(np.float64)
        plain += np.bincount(cg, weights=price * cap_f, minlength=n_groups)
        group_bound = np.minimum(gen.bound, plain)
    else:
        pick = _sample(grp, sample, seed)
        part_items = sub.item_index(pick)
        small = sub.subset(pick)
        drawn = np.bincount(grp[pick], minlength=n_groups) / np.bincount(grp, minlength=n_groups)
        cap_s = cap_f * drawn[cg]
        u0 = units0[idx][part_items]
        gen = _generate(
            small, cap_sub[part_items], cap_s, grp[pick], cg, [u0], max_iter, rel_gap, solve=solve
        )
        price, iterations = gen.price, gen.iterations
        sol = solve(priced(original.subset(master), cap_sub, price))
        group_bound = np.bincount(grp, weights=sol.bound, minlength=n_groups).astype(np.float64)
        group_bound += np.bincount(cg, weights=price * cap_f, minlength=n_groups)
        found = repair(sub, cap_sub, capacity, sol.units)
        better = np.bincount(grp, weights=sub.evaluate(found)[0], minlength=n_groups) > (
            np.bincount(grp, weights=sub.evaluate(start)[0], minlength=n_groups)
        )
        units[idx] = np.where(better[grp][sub.owner], found, start)
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
