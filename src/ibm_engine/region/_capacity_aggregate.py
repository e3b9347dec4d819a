"""Column generation with an aggregated master: every participant priced exactly, the master
LP holding only sums per capacity group (large regions, and the region on Dask).

Each pricing pass (every participant's exact optimum at the capacity prices, by the compiled
core) gives, per group of capacities (a municipality), one column: the sum of the
participants' values and their units of each capacity. The master LP chooses a convex
combination of each group's columns within the capacities; its duals are the next prices
(smoothed with the best bound's, Wentges 1997). ``sum_p z_p(pi) + pi . cap`` is a proven bound
for any prices; the master LP's value is the value of a fractional allocation, and the loop
stops when they are within a quarter of ``rel_gap``. The LP has a few hundred rows and columns
whatever the number of participants (scipy's HiGHS takes no starting basis, so it is solved
from scratch each time; at this size that costs milliseconds).

The integer allocation is an allocation of the pricing problem itself: prices are raised per
capacity (bisection) until every participant's optimum fits all capacities together; then the
participants who would take more at the prices just below (the last over-used ones) are
accepted, largest gain first (ties: the id sorting first), while their extra units fit. Each
participant's units are a function of its own problem, the broadcast prices and the accepted
ids, and every sum is exact, so partitioning the participants changes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ibm_engine._tolerances import DIVISOR_FLOOR, RC_REL_TOL
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.region._capacity_pricing import Candidates, Priced, Rounding

__all__ = ["Aggregate", "Pricer", "solve_aggregate"]

#: weight of the best-bound prices in the pricing point (Wentges smoothing)
_SMOOTH = 0.5
#: uniform starting prices per group: shares of the group's value per unit of capacity used
_START = 0.5
#: pricing passes of the starting bisection
START_ROUNDS = 8
#: pricing passes to find the prices at which every optimum fits the capacities
FIT_ROUNDS = 16
#: rounds of the fill: everybody re-solved within the room left, accepted while it fits
FILL_ROUNDS = 2
#: a price that no capacitated item's value reaches (nobody takes a unit)
_SHUT = 1e300


class Pricer(Protocol):
    """Prices every participant under capacities (one process or partitions on Dask)."""

    def price(self, point: FloatArray) -> Priced: ...

    def candidates(self, r: Rounding, kind: str, vec: FloatArray | IntArray) -> Candidates: ...

    def final(self, r: Rounding) -> Priced: ...


@dataclass(frozen=True)
class Aggregate:
    """The prices of the best bound, the bound and the allocation's value per group, the
    rounding that makes the allocation, the iterations and a trace of ``(seconds, bound,
    master LP value)`` per iteration."""

    bound: FloatArray
    price: FloatArray
    value: FloatArray
    rounding: Rounding
    iterations: int
    trace: list[tuple[float, float, float]] = field(default_factory=list)


def _master(
    value: list[FloatArray],
    use: list[IntArray],
    cell: list[IntArray],
    capacity: FloatArray,
    n_cells: int,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Aggregated master LP: per-cell values of its solution, capacity and cell duals."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_array, csr_array, vstack

    k = capacity.shape[0]
    v = np.concatenate(value)
    u = np.concatenate(use)  # columns x k
    c = np.concatenate(cell)
    cols = v.shape[0]
    r, q = np.nonzero(u)
    a_use = coo_array((u[r, q].astype(np.float64), (q, r)), shape=(k, cols))
    a_conv = coo_array((np.ones(cols), (c, np.arange(cols))), shape=(n_cells, cols))
    a: Any = csr_array(vstack([a_use, a_conv], format="csr"))  # scipy's stubs: dense only
    b = np.concatenate([capacity, np.ones(n_cells)])
    # dual simplex without presolve: the fastest here (a few hundred rows; measured)
    res = linprog(
        -v, A_ub=a, b_ub=b, bounds=(0, None), method="highs-ds", options={"presolve": False}
    )
    if res.status != 0:  # pragma: no cover - the zero allocation keeps the master feasible
        raise RuntimeError(f"aggregated master LP failed: {res.message}")
    marg = -np.asarray(res.ineqlin.marginals, dtype=np.float64)
    per_cell = np.bincount(c, weights=v * np.asarray(res.x), minlength=n_cells)
    return per_cell.astype(np.float64), np.maximum(marg[:k], 0.0), np.maximum(marg[k:], 0.0)


def solve_aggregate(
    pricer: Pricer,
    capacity: IntArray,
    cg: IntArray,
    cell_group: IntArray,
    *,
    max_iter: int,
    rel_gap: float,
    fit_rounds: int = FIT_ROUNDS,
) -> Aggregate:
    """Column generation with the aggregated master, then the fitting prices (see module).

    ``cg``: the group of each capacity; ``cell_group``: the group of each cell (the pricer's
    sums are per cell, a bucket of a group's participants: one master column per cell and
    pass, so the master's model of each group is finer than one column per pass)."""
    t0 = time.perf_counter()
    k = capacity.shape[0]
    n_cells = cell_group.shape[0]
    n_groups = int(cg.max()) + 1 if k else 0
    cap_f = capacity.astype(np.float64)
    values: list[FloatArray] = []
    uses: list[IntArray] = []
    col_cell: list[IntArray] = []

    def add(pr: Priced, which: IntArray) -> None:
        values.append(pr.value.totals()[which])
        uses.append(pr.use[which])
        col_cell.append(which)

    def bound_at(pr: Priced, point: FloatArray) -> FloatArray:
        out = np.bincount(cell_group, weights=pr.bound.totals(), minlength=n_groups)
        out += np.bincount(cg, weights=point * cap_f, minlength=n_groups)
        return np.asarray(out, dtype=np.float64)

    zero = np.zeros(k)
    everyone = np.arange(n_cells)
    first = pricer.price(zero)  # the uncapacitated optimum
    add(first, everyone)
    best_bound = bound_at(first, zero)
    best_price = zero.copy()
    used: IntArray = first.use.sum(axis=0)
    over = used > capacity
    total = np.bincount(cell_group, weights=first.value.totals(), minlength=n_groups)
    per_unit = total / np.maximum(np.bincount(cg, weights=used, minlength=n_groups), 1)
    # starting columns: market-clearing prices by bisection per capacity (a capacity's price
    # rises while its optima over-use it, falls while they leave room), from a share of its
    # group's value per unit used; every pass is a column and a bound
    lo = np.zeros(k)
    hi = np.where(over, np.inf, 0.0)
    guess = _START * per_unit[cg]  # where a price starts from 0
    point = np.where(over, guess, 0.0)
    for _ in range(START_ROUNDS):
        pr = pricer.price(point)
        add(pr, everyone)
        bound_g = bound_at(pr, point)
        better = bound_g < best_bound
        best_bound = np.where(better, bound_g, best_bound)
        best_price = np.where(better[cg], point, best_price)
        busy = pr.use.sum(axis=0) > capacity
        lo = np.where(busy, point, lo)
        hi = np.where(busy, hi, np.minimum(hi, point))
        point = np.where(np.isfinite(hi), 0.5 * (lo + hi), 2.0 * point)
    tol = RC_REL_TOL * max(float(np.abs(best_bound).max(initial=0.0)), DIVISOR_FLOOR)
    trace: list[tuple[float, float, float]] = []
    it = 0
    smooth = _SMOOTH
    while True:
        lp_cell, dual, sigma = _master(values, uses, col_cell, cap_f, n_cells)
        lp_value = np.bincount(cell_group, weights=lp_cell, minlength=n_groups)
        trace.append((time.perf_counter() - t0, float(best_bound.sum()), float(lp_value.sum())))
        done = best_bound - lp_value <= 0.25 * rel_gap * np.maximum(
            np.abs(best_bound), DIVISOR_FLOOR
        )
        if it >= max_iter or bool(done.all()):
            break
        it += 1
        point = smooth * best_price + (1 - smooth) * dual
        pr = pricer.price(point)
        bound_g = bound_at(pr, point)
        better = bound_g < best_bound
        best_bound = np.where(better, bound_g, best_bound)
        best_price = np.where(better[cg], point, best_price)
        rc = pr.value.totals() - pr.use @ dual - sigma
        new = np.flatnonzero(rc > tol)
        if new.shape[0] == 0 and not better.any():
            if smooth == 0.0:  # no column prices out at the master's own duals: converged
                break
            smooth = 0.0  # a mis-price of the smoothed point: next at the master's duals
            continue
        smooth = _SMOOTH
        add(pr, new)
    fit, below = _fit(pricer, best_price, capacity, cg, cell_group, fit_rounds, guess)
    r = Rounding(fit)
    room = capacity - pricer.price(fit).use.sum(axis=0)
    steps: list[tuple[str, FloatArray | None]] = [
        ("price", np.minimum(below, fit)),
        ("price", np.minimum(best_price, fit)),
    ]
    steps += [("fill", None)] * FILL_ROUNDS
    for kind, low in steps:
        vec = room.copy() if low is None else low
        accepted, room = _accept(pricer.candidates(r, kind, vec), room)
        r = Rounding(fit, (*r.steps, (kind, vec, accepted)))
    end = pricer.final(r)
    if np.any(end.use.sum(axis=0) > capacity):  # pragma: no cover - accepted while it fits
        raise RuntimeError("the aggregated rounding exceeded a capacity")
    value = np.bincount(cell_group, weights=end.value.totals(), minlength=n_groups)
    return Aggregate(best_bound, best_price, np.asarray(value, np.float64), r, it, trace)


def _fit(
    pricer: Pricer,
    start: FloatArray,
    capacity: IntArray,
    cg: IntArray,
    cell_group: IntArray,
    rounds: int,
    guess: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Prices at which every optimum fits every capacity, per group the best such by value.

    From the best bound's prices, the over-used capacities' prices are raised (doubled, or set
    to ``guess`` from 0) until
    the group fits; then each price moves halfway back towards the highest price at which its
    capacity was over-used, a group's move kept when the whole group still fits (groups share
    no capacity, so each is decided alone)."""
    k = capacity.shape[0]
    n_groups = int(cg.max()) + 1 if k else 0
    lo = start.copy()
    hi = np.full(k, np.inf)
    best = np.full(n_groups, -np.inf)
    point = start.copy()
    for _ in range(rounds):
        pr = pricer.price(point)
        over = pr.use.sum(axis=0) > capacity
        val = np.bincount(cell_group, weights=pr.value.totals(), minlength=n_groups)
        fits = (np.bincount(cg, weights=over, minlength=n_groups) == 0) & (val >= best)
        best = np.where(fits, val, best)
        hi = np.where(fits[cg], point, hi)
        lo = np.where(over, np.maximum(lo, point), lo)
        found = np.isfinite(hi)
        raise_ = np.where(over, np.where(point > 0, 2.0 * point, guess), point)
        step = np.where(found, np.where(hi > lo, 0.5 * (lo + hi), hi), raise_)
        if np.array_equal(step, point):  # converged to the floats' resolution
            break
        point = step
    # no fit found: nobody gets a unit there; and the highest over-used prices below
    return np.where(np.isfinite(hi), hi, _SHUT), lo


def _accept(c: Candidates, room: IntArray) -> tuple[np.ndarray, IntArray]:
    """Accept candidates, largest gain first (ties: the id sorting first), each while its
    extra units fit the room left; those needing more of a capacity than is left are set
    aside at each round (the rare candidate freeing units does not bring them back).

    Vectorised by rounds: the longest run of candidates whose running extra units fit every
    capacity is accepted at once, the first that does not fit is refused, and the rest go on
    to the next round."""
    room = room.astype(np.int64).copy()
    n = c.ids.shape[0]
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((c.ids.astype(str), -c.gain))] = np.arange(n)
    pos, cap, extra = rank[c.row], c.cap, c.units  # one entry per candidate and capacity
    by = np.lexsort((pos, cap))  # per capacity, in acceptance order
    pos, cap, extra = pos[by], cap[by], extra[by]
    alive = np.ones(n, dtype=bool)  # by rank: not yet accepted, refused or set aside
    taken = np.zeros(n, dtype=bool)
    while True:
        alive[pos[extra > room[cap]]] = False  # needs more than is left: never fits now
        on = alive[pos]
        if not alive.any():
            break
        p, q, e = pos[on], cap[on], extra[on]
        run = np.cumsum(e)
        first = np.r_[True, q[1:] != q[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(q.shape[0]), 0))
        before = (run - e)[start]  # the running sum where its capacity's entries start
        over = p[(run - before) > room[q]]  # running use of its capacity past the room
        stop = int(over.min()) if over.shape[0] else n
        take = alive & (np.arange(n) < stop)
        taken |= take
        room -= np.bincount(q, weights=e * take[p], minlength=room.shape[0]).astype(np.int64)
        alive &= ~take
        if stop < n:
            alive[stop] = False  # the first that does not fit: refused
    return c.ids[np.flatnonzero(taken[rank])], room
