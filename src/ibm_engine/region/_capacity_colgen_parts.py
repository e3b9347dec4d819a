"""The ways column generation with a master per participant allocates the participants under
capacities: the largest smallest kept share first (``objective="maxmin"``) or the whole
region. See :mod:`ibm_engine.region._capacity_colgen` (large regions:
:mod:`~ibm_engine.region._capacity_aggregate`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ibm_engine._tolerances import LP_WEIGHT_TOL, NOISE_TOL
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.region._capacity_colgen_loop import (
    frontier_columns,
    generate,
    pool_size,
)
from ibm_engine.region._capacity_lagrange import priced
from ibm_engine.region._capacity_pool import Fairness
from ibm_engine.region._capacity_round import exact_maxmin, integer
from ibm_engine.solve import Batch, Solver

__all__ = [
    "EXACT_MAXMIN",
    "Part",
    "Region",
    "maxmin_part",
    "whole_part",
]

#: regions with at most this many participants under capacities get the exact max-min (MILP)
EXACT_MAXMIN = 300


@dataclass(frozen=True, eq=False)
class Region:
    """The participants under capacities (``sub``; ``plain`` without the tie tilt), their
    capacity of each item, groups, uncapacitated optimum and repaired start, and the options."""

    sub: Batch
    plain: Batch
    cap_sub: IntArray
    capacity: IntArray
    cap_f: FloatArray
    grp: IntArray
    cg: IntArray
    n_groups: int
    units0: IntArray
    start: IntArray
    max_iter: int
    rel_gap: float
    time_limit: float
    solve: Solver


@dataclass(frozen=True, eq=False)
class Part:
    """The allocation of the participants under capacities, the bound per group, the prices,
    the iterations and (max-min) the smallest kept share with its bound."""

    units: IntArray
    bound: FloatArray
    price: FloatArray
    iterations: int
    shares: tuple[float, float] = (np.nan, np.nan)


def maxmin_part(r: Region) -> Part:
    """The largest smallest kept share first, then the largest sum keeping it."""
    k = r.capacity.shape[0]
    full = r.sub.evaluate(r.units0)[0]
    one = np.zeros(r.sub.n, dtype=np.int64)
    gen1 = generate(
        r.sub,
        r.cap_sub,
        r.cap_f,
        one,
        np.zeros(k, np.int64),
        [r.units0, r.start],
        r.max_iter,
        r.rel_gap,
        Fairness(full, maxmin=True),
    )
    floor = np.where(full > 0, full * gen1.lp_value[0] * (1 - LP_WEIGHT_TOL), 0.0)
    fair = Fairness(full, floor=floor / np.where(full > 0, full, 1.0))
    gen = generate(
        r.sub, r.cap_sub, r.cap_f, r.grp, r.cg, gen1.pool, r.max_iter, r.rel_gap, fair, r.solve
    )
    frontier_columns(gen.pool, r.sub, r.cap_sub, k, r.solve)
    lam = np.zeros(pool_size(gen.pool))  # the new columns are not in the LP solution
    lam[: gen.lam.shape[0]] = gen.lam
    on = full > 0
    kept, units = -1.0, r.start
    for way in (full, None):  # max-min choice of columns, or the rounding of the sum LP
        cand = integer(
            gen.pool, lam, r.sub, r.cap_sub, r.capacity, r.grp, r.time_limit, way,
            gen1.lp_value[0],
        )  # fmt: skip
        got = r.sub.evaluate(cand)[0]
        share = float((got[on] / full[on]).min()) if on.any() else 1.0
        if share > kept:
            kept, units = share, cand
    if r.sub.n <= EXACT_MAXMIN:  # small regions: the exact max-min, then the exact sum
        cand, share = exact_maxmin(r.sub, r.cap_sub, r.capacity, r.grp, full, r.time_limit)
        if share > kept + NOISE_TOL:
            kept, units = share, cand
    shares = (kept, float(min(gen1.bound[0], 1.0)))
    return Part(units, gen.bound, gen.price, gen1.iterations + gen.iterations, shares)


def whole_part(r: Region) -> Part:
    """Column generation over every participant under capacities, then its rounding."""
    gen = generate(
        r.sub, r.cap_sub, r.cap_f, r.grp, r.cg, [r.units0, r.start], r.max_iter, r.rel_gap,
        solve=r.solve,
    )  # fmt: skip
    units = integer(gen.pool, gen.lam, r.sub, r.cap_sub, r.capacity, r.grp, r.time_limit)
    # the bound at the best prices without the tilt (the tilted one is up to 1e-9 higher)
    again = r.solve(priced(r.plain, r.cap_sub, gen.price))
    plain = np.bincount(r.grp, weights=again.bound, minlength=r.n_groups).astype(np.float64)
    plain += np.bincount(r.cg, weights=gen.price * r.cap_f, minlength=r.n_groups)
    return Part(units, np.minimum(gen.bound, plain), gen.price, gen.iterations)
