"""What runs on a worker in a region run on Dask: one partition staged and prepared for
pricing (kept in the worker's memory for the whole run), its pricing passes answered as
aggregates, and its result tables at the end.

Nothing here imports dask: every task is a plain function, as in ``_partition``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.allocation._pipeline import Staged, add_budget_columns, stage
from ibm_engine.region._capacity_aggregate_run import PricingSetup, pricing_setup
from ibm_engine.region._capacity_exact_sum import ExactSum
from ibm_engine.region._capacity_lagrange import CapacitySolution
from ibm_engine.region._capacity_pricing import Candidates, Priced, Rounding
from ibm_engine.region._capacity_result import region_result
from ibm_engine.region._capacity_setup import Arrays, back_to_batch, region_arrays
from ibm_engine.scale._partition import PartitionSummary, run_part

__all__ = [
    "RegionPart",
    "RegionSettings",
    "RegionStart",
    "candidates_part",
    "final_part",
    "prepare_region_part",
    "price_part",
    "tables_part",
]


@dataclass(frozen=True)
class RegionSettings:
    """The arguments of a region run every partition gets (a picklable bundle)."""

    period_weeks: int
    team_share: float
    errors: str
    merge: Any
    budget: Any
    weighting: str
    weights: object
    caps: pd.DataFrame


@dataclass(frozen=True)
class RegionStart:
    """What the client needs of a prepared partition: the exact sums of the values and bounds
    of its participants without a capacity, its uncapacitated use of each capacity, and what
    the record and the result take from staging."""

    free_value: ExactSum
    free_bound: ExactSum
    demand: IntArray
    team_share: float
    merge: object
    service_names: dict[str, tuple[str, str]]


@dataclass(eq=False)
class RegionPart:
    """A prepared partition, kept on its worker: the staged tables, the region's arrays, the
    pricing part and the run's settings."""

    staged: Staged
    arrays: Arrays
    setup: PricingSetup
    settings: RegionSettings


Prepared = tuple[PartitionSummary, RegionStart | None, RegionPart | None]


def prepare_region_part(
    k: int,
    p_source: object,
    i_source: object,
    services: pd.DataFrame,
    settings: RegionSettings,
    p_offset: int = 0,
    i_offset: int = 0,
) -> Prepared:
    """Stage partition ``k`` as ``allocate_region`` stages the whole region, then prepare it
    for pricing (its uncapacitated optimum solved here)."""
    s = settings

    def staged_arrays(people: pd.DataFrame, items: pd.DataFrame) -> tuple[Staged, Arrays]:
        staged = stage(
            people, items, services, period_weeks=s.period_weeks, team_share=s.team_share,
            errors=s.errors, budget=s.budget, merge=s.merge, hash_tables=True,
        )  # fmt: skip
        return staged, region_arrays(staged, s.caps, s.weighting, s.weights)

    got = run_part(k, p_source, i_source, p_offset, i_offset, staged_arrays)
    if isinstance(got, PartitionSummary):  # input problems
        return got, None, None
    (staged, arrays), seen = got
    setup = pricing_setup(arrays.batch, arrays.cap_of, arrays.capacity, arrays.group, arrays.ids)
    summary = PartitionSummary(k, inputs=dict(staged.input_hashes), warnings=seen)
    start = RegionStart(
        setup.free_value,
        setup.free_bound,
        setup.demand,
        staged.team_share,
        staged.merge,
        staged.prep.catalogue.names(),
    )
    return summary, start, RegionPart(staged, arrays, setup, settings)


def _part(prepared: Prepared) -> RegionPart:
    part = prepared[2]
    if part is None:  # pragma: no cover - the client stops at the partitions' problems
        raise RuntimeError("a partition with input problems was asked to price")
    return part


def price_part(prepared: Prepared, point: FloatArray) -> Priced:
    """The partition's aggregates at the prices ``point``."""
    return _part(prepared).setup.pricer.price(point)


def candidates_part(
    prepared: Prepared, r: Rounding, kind: str, vec: FloatArray | IntArray
) -> Candidates:
    """The partition's candidates of the rounding's next step."""
    return _part(prepared).setup.pricer.candidates(r, kind, vec)


def final_part(prepared: Prepared, r: Rounding) -> Priced:
    """The partition's aggregates of the rounding's allocation."""
    return _part(prepared).setup.pricer.final(r)


def tables_part(
    prepared: Prepared,
    r: Rounding,
    solution: dict[str, Any],
    totals: tuple[IntArray, IntArray],
) -> dict[str, pd.DataFrame]:
    """The partition's result tables (items, participants, lost, rejected; shadow prices the
    whole region's), as ``allocate_region`` makes them for the whole region."""
    part = _part(prepared)
    a, staged = part.arrays, part.staged
    sol = CapacitySolution(
        back_to_batch(part.setup.units(r), a.at), back_to_batch(part.setup.units0, a.at), **solution
    )
    out = region_result(
        staged.prep, staged.asm, part.settings.caps, a.cap_of_staged, a.capacity, sol,
        part.settings.weighting, "sum", 0.0, None, totals,
    )  # fmt: skip
    add_budget_columns(out.participants, staged)
    return {
        "items": out.items,
        "participants": out.participants,
        "lost": out.lost,
        "rejected": staged.rejected,
        "shadow_prices": out.shadow_prices,
    }
