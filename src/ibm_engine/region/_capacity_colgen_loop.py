"""The column generation loop of :mod:`ibm_engine.region._capacity_colgen`: master LP, smoothed
prices (Wentges), exact pricing at those prices, the Lagrangian bound; and the pool's helpers
(frontier columns for max-min).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ibm_engine._tolerances import DIVISOR_FLOOR, RC_REL_TOL
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.region._capacity_lagrange import priced
from ibm_engine.region._capacity_pool import Fairness, Pool, columns, master
from ibm_engine.solve import Batch, Solver, solve_optimal

__all__ = ["Generated", "frontier_columns", "generate", "pool_size"]

#: weight of the best-bound prices in the pricing point (Wentges smoothing)
_SMOOTH = 0.5
#: reduced cost a new column must have (relative to the largest participant value)
_RC_TOL = RC_REL_TOL


@dataclass(frozen=True)
class Generated:
    """What column generation leaves: the pool, the last master LP and the best bound."""

    pool: Pool
    lam: FloatArray
    lp_value: FloatArray  # per group
    bound: FloatArray  # per group: the best Lagrangian bound (+inf if none computed)
    price: FloatArray  # per capacity: the prices of the best bound
    iterations: int


def generate(
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
) -> Generated:
    """Column generation over the participants of ``sub`` (all in capacity groups).

    With ``fair.maxmin`` the groups are one (the smallest share couples them all): pass
    ``grp`` and ``cg`` of zeros.
    """
    from scipy.sparse import csr_array  # loaded when a region is solved

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
    return Generated(pool, mst.lam, lp_value, best_bound, best_price, it)


#: charges per capacity unit, as shares of the mean value of a unit of that capacity, at which
#: every participant's allocation is added to a max-min pool (low-use alternatives)
_FRONTIER = (0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0, 1.5)


def pool_size(pool: Pool) -> int:
    """Number of columns in the pool."""
    return int(sum(p.shape[0] for p in pool.part))


def frontier_columns(
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
