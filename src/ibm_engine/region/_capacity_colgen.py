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
from scipy.optimize import linprog
from scipy.sparse import coo_array, csr_array, hstack, vstack

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.region._capacity_lagrange import (
    CapacitySolution,
    groups,
    priced,
    repair,
)
from ibm_engine.region._capacity_milp import solve_compact
from ibm_engine.solve import Batch, solve_optimal

__all__ = ["solve_colgen"]

#: weight of the best-bound prices in the pricing point (Wentges smoothing)
_SMOOTH = 0.5
#: reduced cost a new column must have (relative to the largest participant value)
_RC_TOL = 1e-9
#: regions with at most this many participants under capacities get the exact max-min (MILP)
_EXACT_MAXMIN = 300
#: relative tilt of the values towards earlier participants (deterministic ties)
_TIE = 1e-9


@dataclass
class _Pool:
    """Generated columns: participant (local index), value, capacity use, and units per round."""

    part: list[IntArray]
    value: list[FloatArray]
    use: list[csr_array]  # k x columns of the round
    rounds: list[tuple[IntArray, IntArray]]  # (local participants of the round, their units)

    def add(self, part: IntArray, value: FloatArray, use: csr_array, units: IntArray) -> None:
        self.part.append(part)
        self.value.append(value)
        self.use.append(use)
        self.rounds.append((part, units))

    def arrays(self) -> tuple[IntArray, FloatArray, csr_array]:
        return (
            np.concatenate(self.part),
            np.concatenate(self.value),
            csr_array(hstack(self.use, format="csr")),
        )


def _columns(
    sub: Batch, cap_sub: IntArray, k: int, units: IntArray, rows: IntArray
) -> tuple[FloatArray, csr_array]:
    """Values and capacity use (k x len(rows)) of the allocations ``units`` of ``rows``."""
    idx = sub.item_index(rows)
    local = np.repeat(np.arange(rows.shape[0], dtype=np.int64), sub.counts[rows])
    u = units[idx]
    value = np.bincount(local, weights=sub.value[idx] * u, minlength=rows.shape[0])
    on = (cap_sub[idx] >= 0) & (u > 0)
    use = csr_array(
        coo_array(
            (u[on].astype(np.float64), (cap_sub[idx][on], local[on])), shape=(k, rows.shape[0])
        )
    )
    return value.astype(np.float64), use


@dataclass(frozen=True)
class Fairness:
    """Kept shares in the master: ``share_p = value_p / full_p`` (``full_p`` the participant's
    uncapacitated value). ``maxmin``: maximise the smallest share (stage 1); ``floor``:
    maximise the sum with every share at least ``floor_p`` (stage 2)."""

    full: FloatArray
    maxmin: bool = False
    floor: FloatArray | None = None

    def shares(self, part: IntArray, value: FloatArray) -> FloatArray:
        full = self.full[part]
        out: FloatArray = np.where(full > 0, value / np.where(full > 0, full, 1.0), 0.0)
        return out

    def multiplier(self, rho: FloatArray) -> FloatArray:
        """Per participant: what a unit of value is worth in pricing at share duals ``rho``."""
        per: FloatArray = np.where(self.full > 0, rho / np.where(self.full > 0, self.full, 1), 0)
        return per if self.maxmin else 1.0 + per


@dataclass(frozen=True)
class _Master:
    lam: FloatArray
    price: FloatArray  # per capacity, >= 0
    sigma: FloatArray  # per participant (convexity), >= 0
    rho: FloatArray  # per participant (share rows), >= 0
    contrib: FloatArray  # objective per column (sum mode)
    objective: float


def _master(
    part: IntArray,
    value: FloatArray,
    use: csr_array,
    capacity: FloatArray,
    n: int,
    fair: Fairness | None = None,
) -> _Master:
    """Master LP over the generated columns: max value . lam (or the smallest share), use lam
    <= cap, sum of a participant's lam <= 1, shares >= floors (see :class:`Fairness`)."""
    cols = value.shape[0]
    k = capacity.shape[0]
    conv = csr_array(coo_array((np.ones(cols), (part, np.arange(cols))), shape=(n, cols)))
    blocks = [use, conv]
    rhs = [capacity, np.ones(n)]
    cost = -value
    rows = np.zeros(0, dtype=np.int64)
    if fair is not None:
        rows = np.flatnonzero(fair.full > 0)
        if fair.floor is not None:
            rows = rows[fair.floor[rows] > 0]
        local = np.full(n, -1, dtype=np.int64)
        local[rows] = np.arange(rows.shape[0])
        on = local[part] >= 0
        share = coo_array(
            (-fair.shares(part, value)[on], (local[part][on], np.flatnonzero(on))),
            shape=(rows.shape[0], cols),
        )
        blocks.append(csr_array(share))
        if fair.maxmin:
            rhs.append(np.zeros(rows.shape[0]))
            cost = np.concatenate([np.zeros(cols), [-1.0]])
        else:
            rhs.append(-np.asarray(fair.floor)[rows])
    a = vstack(blocks, format="csr")
    if fair is not None and fair.maxmin:  # one more column: t, in every share row; maximise t
        t_col = np.concatenate([np.zeros(k + n), np.ones(rows.shape[0])])
        a = csr_array(hstack([a, csr_array(t_col[:, None])], format="csr"))
    b = np.concatenate(rhs)
    upper = None if fair is None or not fair.maxmin else [(0, None)] * cols + [(0, 1)]
    # interior point with crossover: fastest here, and a basic solution (few split participants)
    res = linprog(cost, A_ub=a, b_ub=b, bounds=upper or (0, None), method="highs-ipm")
    if res.status != 0:  # pragma: no cover - the zero allocation keeps the master feasible
        raise RuntimeError(f"master LP failed: {res.message}")
    marg = -np.asarray(res.ineqlin.marginals, dtype=np.float64)
    x = np.asarray(res.x, dtype=np.float64)
    lam = x[:cols]
    rho = np.zeros(n)
    rho[rows] = np.maximum(marg[k + n :], 0.0)
    return _Master(
        lam,
        np.maximum(marg[:k], 0.0),
        np.maximum(marg[k : k + n], 0.0),
        rho,
        value * lam,
        -float(res.fun or 0.0),
    )


@dataclass(frozen=True)
class _Generated:
    """What column generation leaves: the pool, the last master LP and the best bound."""

    pool: _Pool
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
    starts: list[IntArray] | _Pool,
    max_iter: int,
    rel_gap: float,
    fair: Fairness | None = None,
) -> _Generated:
    """Column generation over the participants of ``sub`` (all in capacity groups).

    With ``fair.maxmin`` the groups are one (the smallest share couples them all): pass
    ``grp`` and ``cg`` of zeros.
    """
    k, n, n_groups = capacity.shape[0], sub.n, int(cg.max()) + 1
    rows = np.arange(n, dtype=np.int64)
    if isinstance(starts, _Pool):
        pool = starts
    else:
        pool = _Pool([], [], [], [])
        for u in starts:
            val, use = _columns(sub, cap_sub, k, u, rows)
            pool.add(rows, val, use, u)
    tol = _RC_TOL * max(float(pool.value[0].max(initial=0.0)), 1e-300)
    if fair is not None and fair.maxmin:
        tol = _RC_TOL
    best_bound = np.full(n_groups, np.inf)
    best_price = np.zeros(k)
    best_rho = np.zeros(n)
    it = 0
    while True:
        part, value, use = pool.arrays()
        mst = _master(part, value, use, capacity, n, fair)
        if fair is not None and fair.maxmin:
            lp_value = np.full(1, mst.objective)
        else:
            lp_value = np.bincount(grp[part], weights=mst.contrib, minlength=n_groups)
            lp_value = lp_value.astype(np.float64)
        done = np.isfinite(best_bound) & (
            best_bound - lp_value <= 0.25 * rel_gap * np.maximum(np.abs(best_bound), 1e-300)
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
        sol = solve_optimal(priced(weighted, cap_sub, point))
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
        val, use_new = _columns(sub, cap_sub, k, sol.units, rows)
        mult_m = np.ones(n) if fair is None else fair.multiplier(mst.rho)
        new = np.flatnonzero(mult_m * val - use_new.T @ mst.price - mst.sigma > tol)
        if new.shape[0] == 0 and not better.any():
            break
        if new.shape[0]:
            keep = np.repeat(np.isin(rows, new), sub.counts)
            pool.add(new, val[new], csr_array(use_new[:, new]), np.where(keep, sol.units, 0))
    return _Generated(pool, mst.lam, lp_value, best_bound, best_price, it)


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
) -> CapacitySolution:
    """Column generation with smoothed prices, then rounding (see module).

    Regions with more than ``sample`` participants in capacity groups take their prices from
    column generation on a seeded random sample (capacities scaled by its share); the bound is
    the Lagrangian bound at those prices over everybody, the allocation the repair of the
    pricing solution. ``maxmin``: first the largest smallest kept share (value / uncapacitated
    value) over the participants under capacities, then the largest sum with every share at
    least that (always over everybody, no sample).
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
    sol0 = solve_optimal(batch)
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
        floor = np.where(full > 0, full * gen1.lp_value[0] * (1 - 1e-7), 0.0)
        fair = Fairness(full, floor=floor / np.where(full > 0, full, 1.0))
        gen = _generate(sub, cap_sub, cap_f, grp, cg, gen1.pool, max_iter, rel_gap, fair)
        on = full > 0
        kept = -1.0
        for way in (full, None):  # max-min choice of columns, or the rounding of the sum LP
            cand = _integer(
                gen.pool, gen.lam, sub, cap_sub, capacity, grp, time_limit, way, gen1.lp_value[0]
            )
            got = sub.evaluate(cand)[0]
            share = float((got[on] / full[on]).min()) if on.any() else 1.0
            if share > kept:
                kept, units[idx] = share, cand
        if sub.n <= _EXACT_MAXMIN:  # small regions: the exact max-min, then the exact sum
            cand, share = _exact_maxmin(sub, cap_sub, capacity, grp, full, time_limit)
            if share > kept + 1e-12:
                kept, units[idx] = share, cand
        shares = (kept, float(min(gen1.bound[0], 1.0)))
        group_bound, price, iterations = gen.bound, gen.price, gen1.iterations + gen.iterations
    elif master.shape[0] <= sample:
        gen = _generate(sub, cap_sub, cap_f, grp, cg, [units0[idx], start], max_iter, rel_gap)
        units[idx] = _integer(gen.pool, gen.lam, sub, cap_sub, capacity, grp, time_limit)
        group_bound = gen.bound
        price, iterations = gen.price, gen.iterations
    else:
        pick = _sample(grp, sample, seed)
        part_items = sub.item_index(pick)
        small = sub.subset(pick)
        drawn = np.bincount(grp[pick], minlength=n_groups) / np.bincount(grp, minlength=n_groups)
        cap_s = cap_f * drawn[cg]
        u0 = units0[idx][part_items]
        gen = _generate(small, cap_sub[part_items], cap_s, grp[pick], cg, [u0], max_iter, rel_gap)
        price, iterations = gen.price, gen.iterations
        sol = solve_optimal(priced(sub, cap_sub, price))
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


def _exact_maxmin(
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
        floor = full[rows] * kept * (1 - 1e-9)
        units[items] = solve_compact(part, cap_sub[items], capacity, time_limit, floor=floor).units
    got = sub.evaluate(units)[0]
    on = full > 0
    share = float((got[on] / full[on]).min()) if on.any() else 1.0
    return units, share


def _integer(
    pool: _Pool,
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
    col_round = _column_rounds(pool)
    whole = lam >= 1.0 - 1e-7
    fixed_part = np.zeros(n, dtype=bool)
    fixed_part[part[whole]] = True
    mass = np.bincount(part, weights=lam, minlength=n)
    fixed_part |= mass <= 1e-7  # the zero allocation
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
    room = np.floor(np.maximum(left, 0.0) + 1e-9).astype(np.int64)
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
        ok = order[share[order] >= t - 1e-12]
        first = np.r_[True, part[ok][1:] != part[ok][:-1]] if ok.size else np.zeros(0, bool)
        return ok[first]

    def fits(cols: IntArray) -> bool:
        return bool(np.all(np.asarray(use[:, cols].sum(axis=1)).ravel() <= capacity + 1e-9))

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


def _column_rounds(pool: _Pool) -> IntArray:
    """For each column in pool order: the round that generated it."""
    return np.concatenate(
        [np.full(rows.shape[0], r, dtype=np.int64) for r, (rows, _) in enumerate(pool.rounds)]
    )
