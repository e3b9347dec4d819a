"""The aggregated master's run over one batch of participants: what a process (or one Dask
partition) prepares for pricing, and the region's solution from the aggregates.

:func:`pricing_setup` takes the participants of a batch (in-process: the whole region; on
Dask: one partition), solves their uncapacitated optimum, sums the values and bounds of those
without a capacity exactly, and keeps the others in a :class:`PricingPart`.
:func:`aggregate_solution` turns the master's aggregates into the region's value and bound,
the same floats however the participants were partitioned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.region._capacity_aggregate import Aggregate
from ibm_engine.region._capacity_exact_sum import ExactSum, exact_sum
from ibm_engine.region._capacity_lagrange import CapacitySolution, groups, usage
from ibm_engine.region._capacity_pricing import PricingPart, Rounding, cells
from ibm_engine.solve import Batch, Solver, solve_optimal

__all__ = [
    "BUCKETS",
    "PricingSetup",
    "aggregate_solution",
    "aggregate_totals",
    "cell_groups",
    "pricing_setup",
]

#: buckets of each group's participants in the aggregated master (a column per bucket)
BUCKETS = 32


def cell_groups(n_groups: int) -> IntArray:
    """The group of each cell (a bucket of a group's participants)."""
    return np.arange(n_groups * BUCKETS, dtype=np.int64) // BUCKETS


@dataclass(eq=False)
class PricingSetup:
    """One batch prepared for the aggregated master: the pricing part (participants under
    capacities), the uncapacitated optimum, the exact sums of the values and bounds of the
    participants without a capacity, the items of the priced participants, the demand."""

    pricer: PricingPart
    units0: IntArray
    free_value: ExactSum
    free_bound: ExactSum
    idx: IntArray
    demand: IntArray

    def units(self, r: Rounding) -> IntArray:
        """Every item's units: the rounding's for the priced participants."""
        out = self.units0.copy()
        out[self.idx] = self.pricer.units(r)
        return out


def pricing_setup(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    cap_group: IntArray,
    ids: np.ndarray,
    solve: Solver = solve_optimal,
) -> PricingSetup:
    """Prepare ``batch`` (values in the objective's scale, no tie tilt) for pricing."""
    k = capacity.shape[0]
    n_groups = int(cap_group.max()) + 1 if k else 0
    pg, _ = groups(batch, cap_of, cap_group)
    sol0 = solve(batch)
    free = pg >= n_groups
    zero = np.zeros(int(free.sum()), dtype=np.int64)
    under = np.flatnonzero(~free)
    idx = batch.item_index(under)
    pricer = PricingPart(
        batch.subset(under),
        cap_of[idx],
        cells(np.asarray(ids)[under], pg[under], BUCKETS),
        np.asarray(ids)[under],
        k,
        n_groups * BUCKETS,
        solve,
    )
    return PricingSetup(
        pricer,
        sol0.units,
        exact_sum(batch.evaluate(sol0.units)[0][free], zero, 1),
        exact_sum(sol0.bound[free], zero, 1),
        idx,
        usage(cap_of, sol0.units, k),
    )


def aggregate_totals(
    agg: Aggregate, free_value: ExactSum, free_bound: ExactSum
) -> tuple[float, float, FloatArray]:
    """The region's value, bound and bound per group (the last: participants without a
    capacity) from the master's aggregates and the exact sums of those without a capacity."""
    group_bound = np.concatenate([agg.bound, free_bound.totals()])
    value = math.fsum([*agg.value.tolist(), *free_value.totals().tolist()])
    return value, max(math.fsum(group_bound.tolist()), value), group_bound


def aggregate_solution(
    agg: Aggregate, units: IntArray, units0: IntArray, free_value: ExactSum, free_bound: ExactSum
) -> CapacitySolution:
    """The region's solution from the aggregated master and the participants without a
    capacity (their values and bounds as exact sums): the same floats on one process and on
    any partitioning."""
    value, bound, group_bound = aggregate_totals(agg, free_value, free_bound)
    return CapacitySolution(
        units, units0, value, bound, agg.price, agg.iterations, "decomposition",
        group_bound=group_bound,
    )  # fmt: skip
