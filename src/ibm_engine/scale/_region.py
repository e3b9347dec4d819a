"""``ibm.allocate_region_dataset``: ``allocate_region`` with the pricing over the partitions
of a dataset, on Dask.

check (ids only) -> repartition if needed -> one task per partition stages it and solves its
uncapacitated optimum; the prepared partitions stay in their workers' memory -> the aggregated
master (:mod:`ibm_engine.region._capacity_aggregate`) runs on the client, each pricing pass a
task per partition answering sums per group (exact, so the order of the partitions does not
matter) -> each partition's result tables from the broadcast rounding -> the tables gathered
in partition order, the record. See ``docs/scale.md``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.allocation._merge import RankMerge
from ibm_engine.allocation._record import build_record, hash_inputs, hash_outputs
from ibm_engine.budget import BudgetFormula
from ibm_engine.errors import InputError
from ibm_engine.region._capacity_aggregate import solve_aggregate
from ibm_engine.region._capacity_aggregate_run import aggregate_totals, cell_groups
from ibm_engine.region._capacity_exact_sum import merge_sums
from ibm_engine.region._capacity_input import read_capacities
from ibm_engine.region._capacity_pricing import (
    Candidates,
    Priced,
    Rounding,
    merge_candidates,
    merge_priced,
)
from ibm_engine.region._capacity_result import RegionResult
from ibm_engine.region._capacity_setup import arg_error, check_arguments, region_parameters
from ibm_engine.scale._cluster import require_dask, session
from ibm_engine.scale._engine import _inputs, _per_participant, co_partitioned
from ibm_engine.scale._finish import _records, _total, problems_of
from ibm_engine.scale._region_part import (
    RegionSettings,
    RegionStart,
    candidates_part,
    final_part,
    prepare_region_part,
    price_part,
    tables_part,
)

__all__ = ["allocate_region_dataset"]


@dataclass(frozen=True, eq=False)
class _DaskPricer:
    """The pricing passes as one task per prepared partition; answers merged exactly."""

    client: Any
    parts: list[Any]  # futures of the prepared partitions
    n_cells: int

    def _each(self, fn: Any, *args: Any) -> list[Any]:
        futures = [self.client.submit(fn, f, *args, pure=False) for f in self.parts]
        return list(self.client.gather(futures))

    def price(self, point: FloatArray) -> Priced:
        return merge_priced(self._each(price_part, point), self.n_cells)

    def candidates(self, r: Rounding, kind: str, vec: FloatArray | IntArray) -> Candidates:
        return merge_candidates(self._each(candidates_part, r, kind, vec))

    def final(self, r: Rounding) -> Priced:
        return merge_priced(self._each(final_part, r), self.n_cells)


def allocate_region_dataset(
    participants: object,
    plan_items: object = None,
    services: object = None,
    capacities: object = None,
    *,
    period_weeks: int = 26,
    team_share: float = 0.5,
    weighting: str = "coverage",
    max_iter: int = 60,
    rel_gap: float = 1e-3,
    weights: object = None,
    budget: BudgetFormula | None = None,
    errors: str = "raise",
    merge: str | RankMerge = "borda",
    client: Any = None,
) -> RegionResult:
    """:func:`ibm_engine.allocate_region` with the pricing on Dask (``docs/scale.md``).

    The same result as ``allocate_region(..., master="aggregate")`` on the same tables:
    identical tables, value, bound and status. Every participant is priced exactly, partition
    by partition, where the partition lives; the master problem and the rounding run on the
    client and hold only sums per municipality (and bucket of participants) and the few
    participants the rounding's steps accept.

    Parameters
    ----------
    participants, plan_items, services
        As for :func:`ibm_engine.allocate_dataset` (dask DataFrames or Parquet folders,
        co-partitioned by participant, or repartitioned with a :class:`RepartitionWarning`).
    capacities : DataFrame
        As for ``allocate_region`` (small: sent to every worker once).
    period_weeks, team_share, weighting, max_iter, rel_gap, weights, budget, errors, merge
        As for ``allocate_region`` (``weights``: a participants column or a mapping; a budget
        formula must be per participant, as for ``allocate_dataset``). The method is the
        decomposition with the aggregated master; ``objective="maxmin"`` and neighbours are
        in-process only.
    client : distributed.Client, optional
        Used and never closed; without one a LocalCluster is started for the call.

    Returns
    -------
    RegionResult
        The tables gathered on the client in partition order (within a partition, rows in
        input order); ``budget_result`` is None (each partition has its own).
    """
    require_dask("allocate_region_dataset")
    import dask

    t0 = time.perf_counter()
    check_arguments(weighting, "decomposition", "sum", "aggregate", max_iter)
    if capacities is None:
        raise arg_error("capacities", "the capacities table is required")
    caps = read_capacities(capacities)
    if budget is not None and not _per_participant(budget):
        raise arg_error("budget", "a programme pot needs the whole population: calibrate it first")
    p, i, services = _inputs(participants, plan_items, services)
    settings = RegionSettings(
        int(period_weeks), team_share, errors, merge, budget, weighting, weights, caps
    )
    k = len(caps)
    group = pd.factorize(caps["municipality"])[0].astype(np.int64)
    n_groups = int(group.max()) + 1 if k else 0
    capacity = caps["units"].to_numpy(dtype=np.int64)
    with session(client) as c:
        p_parts, i_parts, p_off, i_off, _ = co_partitioned(c, p, i)
        cat = dask.delayed(services, pure=True)
        tasks = [
            dask.delayed(prepare_region_part, pure=True)(
                j, a, b, cat, settings, int(p_off[j]), int(i_off[j])
            )
            for j, (a, b) in enumerate(zip(p_parts, i_parts, strict=True))
        ]
        futures: list[Any] = c.compute(tasks)
        try:
            heads = c.gather(c.map(_head, futures, pure=False))
            problems = problems_of([s for s, _ in heads])
            if len(problems):
                raise InputError(_records(problems))
            starts: list[RegionStart] = [st for _, st in heads if st is not None]
            pricer = _DaskPricer(c, futures, cell_groups(n_groups).shape[0])
            agg = solve_aggregate(
                pricer, capacity, group, cell_groups(n_groups), max_iter=max_iter, rel_gap=rel_gap
            )
            value, bound, group_bound = aggregate_totals(
                agg,
                merge_sums([s.free_value for s in starts], 1),
                merge_sums([s.free_bound for s in starts], 1),
            )
            used = pricer.final(agg.rounding).use.sum(axis=0).astype(np.int64)
            demand = np.sum([s.demand for s in starts], axis=0, dtype=np.int64)
            solution = {
                "value": value, "bound": bound, "price": agg.price,
                "iterations": agg.iterations, "method": "decomposition",
                "group_bound": group_bound,
            }  # fmt: skip
            parts = c.gather(
                [
                    c.submit(tables_part, f, agg.rounding, solution, (used, demand), pure=False)
                    for f in futures
                ]
            )
        finally:
            c.cancel(futures)
    for message in {(w[0], w[1]): w for s, _ in heads for w in s.warnings}.values():
        warnings.warn(message[1], message[0], stacklevel=2)
    tables = {name: _concat([t[name] for t in parts]) for name in _TABLES}
    shadow = parts[0]["shadow_prices"]
    first = starts[0]
    inputs = {  # the partitioned tables' hashes add up; the catalogue is hashed once
        name: _total([s.inputs[name] for s, _ in heads]) for name in ("participants", "plan_items")
    }
    record = build_record(
        "region",
        region_parameters(
            first.team_share, first.merge, period_weeks=period_weeks, weighting=weighting,
            method="decomposition", max_iter=max_iter, rel_gap=rel_gap, milp_seconds=5.0,
            master="aggregate", weights=weights, objective="sum", budget=budget, errors=errors,
        ),
        {**inputs, **hash_inputs(services=services, capacities=capacities, neighbours=None)},
        hash_outputs(
            items=tables["items"], participants=tables["participants"], shadow_prices=shadow,
            lost=tables["lost"], rejected=tables["rejected"],
        ),
        services=services,
        limit_hit=False,  # no MILP in the aggregated master's run
    )  # fmt: skip
    gap = 0.0 if bound <= 0 else max(0.0, (bound - value) / bound)
    return RegionResult(
        items=tables["items"],
        participants=tables["participants"],
        shadow_prices=shadow,
        lost=tables["lost"],
        value=value,
        bound=bound,
        gap=gap,
        method="decomposition",
        weighting=weighting,
        iterations=agg.iterations,
        seconds=time.perf_counter() - t0,
        rejected=tables["rejected"],
        record=record,
        service_names=first.service_names,
    )


_TABLES = ("items", "participants", "lost", "rejected")


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Partitions' tables in partition order (the empty ones left out, as pandas asks)."""
    full = [f for f in frames if len(f)]
    if not full:
        return frames[0].iloc[:0].reset_index(drop=True)
    return pd.concat(full, ignore_index=True) if len(full) > 1 else full[0].reset_index(drop=True)


def _head(prepared: Any) -> tuple[Any, RegionStart | None]:
    return prepared[0], prepared[1]
