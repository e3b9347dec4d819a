"""The aggregated master of large regions (and of the region on Dask): exact sums that do not
depend on partitioning, the same answer from any split of the participants, from any row
order and any number of threads; capacities kept, value <= optimum <= bound."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ibm_engine as ibm
from ibm_engine.region._capacity_aggregate import solve_aggregate
from ibm_engine.region._capacity_aggregate_run import cell_groups, pricing_setup
from ibm_engine.region._capacity_exact_sum import exact_sum, merge_sums
from ibm_engine.region._capacity_lagrange import usage
from ibm_engine.region._capacity_pricing import (
    Candidates,
    Priced,
    PricingPart,
    Rounding,
    merge_candidates,
    merge_priced,
)
from ibm_engine.solve import Batch

floats = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(floats, max_size=200), st.integers(0, 2**32 - 1))
def test_exact_sums_are_correctly_rounded_and_add_up_in_any_split(
    xs: list[float], seed: int
) -> None:
    x = np.asarray(xs, dtype=np.float64)
    rng = np.random.default_rng(seed)
    grp = rng.integers(0, 3, x.shape[0])
    whole = exact_sum(x, grp, 3).totals()
    assert [whole[g] for g in range(3)] == [math.fsum(x[grp == g].tolist()) for g in range(3)]
    cuts = np.sort(rng.integers(0, x.shape[0] + 1, 3))
    order = rng.permutation(x.shape[0])
    parts = [exact_sum(x[s], grp[s], 3) for s in np.split(order, cuts)]
    rng.shuffle(parts)
    assert np.array_equal(merge_sums(parts, 3).totals(), whole)


@pytest.fixture(scope="module")
def region() -> tuple[Any, ...]:
    p, i, s = ibm.synthetic_zemgale(seed=4, n_grt=50, n_ft=40, n_bsac=30)
    one = ibm.allocate(p, i, s)
    items = one.items.merge(p[["participant_id", "municipality"]], on="participant_id")
    demand = items.groupby(["municipality", "service"], as_index=False)["units"].sum()
    demand = demand[demand["units"] > 0].reset_index(drop=True)
    demand["units"] = demand["units"] * 7 // 10
    return p, i, s, demand


def test_aggregated_master_keeps_every_capacity_and_brackets_the_optimum(
    region: tuple[Any, ...],
) -> None:
    p, i, s, caps = region
    agg = ibm.allocate_region(p, i, s, caps, master="aggregate")
    exact = ibm.allocate_region(p, i, s, caps, method="exact")
    items = agg.items.merge(p[["participant_id", "municipality"]], on="participant_id")
    used = items.groupby(["municipality", "service"])["units"].sum()
    cap = caps.set_index(["municipality", "service"])["units"]
    assert (used.reindex(cap.index, fill_value=0) <= cap).all()
    assert agg.value <= exact.value + 1e-9 <= agg.bound + 2e-9
    assert (agg.shadow_prices["used_units"] <= agg.shadow_prices["capacity_units"]).all()


def test_row_order_and_threads_do_not_change_the_answer(region: tuple[Any, ...]) -> None:
    p, i, s, caps = region
    one = ibm.allocate_region(p, i, s, caps, master="aggregate")
    rng = np.random.default_rng(11)
    mixed = ibm.allocate_region(
        p.iloc[rng.permutation(len(p))], i.iloc[rng.permutation(len(i))], s, caps,
        master="aggregate", workers=2,
    )  # fmt: skip
    key = ["participant_id", "service"]
    a = one.items.sort_values(key).reset_index(drop=True)
    b = mixed.items.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert (one.value, one.bound, one.iterations) == (mixed.value, mixed.bound, mixed.iterations)


@dataclass
class _Split:
    """The pricer of several parts, merged as the Dask run merges them."""

    parts: list[PricingPart]
    n_cells: int

    def price(self, point: Any) -> Priced:
        return merge_priced([q.price(point) for q in self.parts[::-1]], self.n_cells)

    def candidates(self, r: Rounding, kind: str, vec: Any) -> Candidates:
        return merge_candidates([q.candidates(r, kind, vec) for q in self.parts[::-1]])

    def final(self, r: Rounding) -> Priced:
        return merge_priced([q.final(r) for q in self.parts[::-1]], self.n_cells)


def test_any_split_of_the_participants_gives_the_same_run() -> None:
    """The master's bound, prices, value and rounding from one pricing part equal those from
    three parts answering in reverse order (what the partitions of a Dask run do)."""
    rng = np.random.default_rng(21)
    n = 60
    counts = rng.integers(1, 5, size=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    m = int(offsets[-1])
    upper = rng.integers(1, 9, size=m).astype(np.int64)
    cost = rng.integers(500, 5000, size=m).astype(np.int64)
    owner = np.repeat(np.arange(n), counts)
    full = np.bincount(owner, weights=cost * upper, minlength=n)
    batch = Batch(
        offsets=offsets, cost=cost, value=rng.uniform(0.1, 1.0, size=m),
        lower=np.minimum(rng.integers(1, 3, size=m), upper).astype(np.int64), upper=upper,
        hours=np.zeros(m), budget=(rng.uniform(0.3, 0.9, size=n) * full).astype(np.int64),
        hours_cap=np.full(n, np.inf),
    )  # fmt: skip
    side = rng.integers(0, 2, size=n)  # two municipalities of two capacities each
    cap_of = np.where(rng.random(m) < 0.7, 2 * side[owner] + rng.integers(0, 2, m), -1)
    capacity = (usage(cap_of, upper, 4) * 0.5).astype(np.int64)
    group = np.array([0, 0, 1, 1], dtype=np.int64)
    ids = np.array([f"P{j:03d}" for j in range(batch.n)])
    whole = pricing_setup(batch, cap_of, capacity, group, ids)
    one = solve_aggregate(whole.pricer, capacity, group, cell_groups(2), max_iter=30, rel_gap=1e-4)
    pieces = []
    for rows in np.array_split(np.arange(batch.n), 3):
        items = batch.item_index(rows)
        pieces.append(
            pricing_setup(batch.subset(rows), cap_of[items], capacity, group, ids[rows]).pricer
        )
    split = _Split(pieces, whole.pricer.n_cells)
    many = solve_aggregate(split, capacity, group, cell_groups(2), max_iter=30, rel_gap=1e-4)
    assert np.array_equal(one.bound, many.bound) and np.array_equal(one.price, many.price)
    assert np.array_equal(one.value, many.value) and one.iterations == many.iterations
    assert np.array_equal(one.rounding.fit, many.rounding.fit)
    for (k1, v1, a1), (k2, v2, a2) in zip(one.rounding.steps, many.rounding.steps, strict=True):
        assert k1 == k2 and np.array_equal(v1, v2) and sorted(a1) == sorted(a2)


def test_master_argument_is_checked(region: tuple[Any, ...]) -> None:
    p, i, s, caps = region
    with pytest.raises(ibm.InputError, match="master"):
        ibm.allocate_region(p, i, s, caps, master="sampled")
    with pytest.raises(ibm.InputError, match="maxmin"):
        ibm.allocate_region(p, i, s, caps, master="aggregate", objective="maxmin")


@pytest.mark.parametrize("ids", [("P1", "P2"), ("P2", "P1"), ("B", "A", "C")])
def test_ties_between_participants_go_to_the_id_sorting_first(ids: tuple[str, ...]) -> None:
    svc = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
    people = [
        {"participant_id": p, "target_group": "GRT", "age": 40, "municipality": "Dobele"}
        | {"budget_eur": 500.0}
        for p in ids
    ]
    plan = [
        {"participant_id": p, "service": "physiotherapy", "team_rank": 1, "recommended_units": 10}
        for p in ids
    ]
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 12}]
    with warnings.catch_warnings():  # the tiny catalogue has no municipality rows
        warnings.simplefilter("ignore")
        r = ibm.allocate_region(people, plan, svc, caps, master="aggregate")
    got = dict(zip(r.items["participant_id"], r.items["units"], strict=True))
    first, second, *rest = sorted(ids)
    assert got[first] == 10 and got[second] == 2 and all(got[p] == 0 for p in rest)
    assert r.gap < 1e-8  # proven optimal
