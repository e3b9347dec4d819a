"""Provider capacity (issue 4, item 1): decomposition, exact MILP, brute force, tables.

Array-level properties on random small regions: capacities and budgets never exceeded; the
decomposition's feasible value <= the exact optimum <= its proven bound; the exact MILP equals
an independent brute force on tiny regions. Frame-level: validation and result tables.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.errors import InputError
from ibm_engine.region._capacity import allocate_region, read_capacities
from ibm_engine.region._capacity_colgen import solve_colgen
from ibm_engine.region._capacity_lagrange import solve_lagrange, usage
from ibm_engine.region._capacity_milp import solve_auto, solve_exact
from ibm_engine.solve import Batch

TOL = 1e-7


def _random_region(
    rng: np.random.Generator, n: int, items: int, n_caps: int, max_upper: int
) -> tuple[Batch, np.ndarray, np.ndarray]:
    counts = rng.integers(1, items + 1, size=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    m = int(offsets[-1])
    upper = rng.integers(1, max_upper + 1, size=m).astype(np.int64)
    lower = np.minimum(rng.integers(1, 3, size=m), upper).astype(np.int64)
    cost = rng.integers(500, 5000, size=m).astype(np.int64)
    budget = (
        rng.uniform(0.3, 0.9, size=n)
        * np.bincount(np.repeat(np.arange(n), counts), weights=cost * upper, minlength=n)
    ).astype(np.int64)
    batch = Batch(
        offsets=offsets,
        cost=cost,
        value=rng.uniform(0.1, 1.0, size=m),
        lower=lower,
        upper=upper,
        hours=np.zeros(m),
        budget=budget,
        hours_cap=np.full(n, np.inf),
    )
    cap_of = rng.integers(-1, n_caps, size=m).astype(np.int64)
    demand = usage(cap_of, upper, n_caps)
    capacity = (demand * rng.uniform(0.2, 0.8, size=n_caps)).astype(np.int64)
    return batch, cap_of, capacity


def _feasible(batch: Batch, cap_of: np.ndarray, capacity: np.ndarray, units: np.ndarray) -> bool:
    return bool(batch.feasible(units).all()) and bool(
        np.all(usage(cap_of, units, capacity.shape[0]) <= capacity)
    )


def _brute_force(batch: Batch, cap_of: np.ndarray, capacity: np.ndarray) -> float:
    choices = [[0, *range(int(batch.lower[i]), int(batch.upper[i]) + 1)] for i in range(batch.m)]
    best = 0.0
    for combo in itertools.product(*choices):
        u = np.asarray(combo, dtype=np.int64)
        if _feasible(batch, cap_of, capacity, u):
            best = max(best, float(np.dot(batch.value, u)))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_exact_equals_brute_force_on_tiny_regions(seed: int) -> None:
    rng = np.random.default_rng(seed)
    batch, cap_of, capacity = _random_region(rng, n=3, items=2, n_caps=2, max_upper=3)
    sol = solve_exact(batch, cap_of, capacity)
    assert _feasible(batch, cap_of, capacity, sol.units)
    assert sol.value == pytest.approx(_brute_force(batch, cap_of, capacity), abs=TOL)
    assert sol.bound >= sol.value - TOL


@pytest.mark.parametrize("seed", range(10))
def test_decomposition_is_feasible_and_its_bound_is_valid(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    batch, cap_of, capacity = _random_region(rng, n=8, items=4, n_caps=3, max_upper=8)
    exact = solve_exact(batch, cap_of, capacity)
    dec = solve_lagrange(batch, cap_of, capacity, max_iter=40)
    assert _feasible(batch, cap_of, capacity, dec.units)
    assert dec.value == pytest.approx(float(np.dot(batch.value, dec.units)))
    assert dec.value <= exact.value + TOL
    assert exact.value <= dec.bound + TOL
    assert 0.0 <= dec.gap <= 1.0
    assert np.all(dec.price >= 0)


@pytest.mark.parametrize("seed", range(6))
def test_auto_and_grouped_exact_agree_with_one_milp(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    batch, cap_of, capacity = _random_region(rng, n=10, items=4, n_caps=4, max_upper=8)
    # capacities 0, 1 in group 0 and 2, 3 in group 1: participants must not straddle groups
    group = np.array([0, 0, 1, 1], dtype=np.int64)
    owner = batch.owner
    side = rng.integers(0, 2, size=batch.n)
    cap_of = np.where(cap_of >= 0, 2 * side[owner] + cap_of % 2, -1).astype(np.int64)
    one = solve_exact(batch, cap_of, capacity)
    grouped = solve_exact(batch, cap_of, capacity, cap_group=group)
    dec = solve_lagrange(batch, cap_of, capacity, cap_group=group, max_iter=5, rel_gap=1e-9)
    auto = solve_auto(batch, cap_of, capacity, dec, cap_group=group, rel_gap=1e-9, time_limit=10.0)
    assert grouped.value == pytest.approx(one.value, abs=TOL)
    for sol in (grouped, auto):
        assert _feasible(batch, cap_of, capacity, sol.units)
        assert sol.value <= one.value + TOL <= sol.bound + 2 * TOL
    assert auto.value == pytest.approx(one.value, abs=1e-6)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("aggregate", [False, True])
def test_column_generation_is_feasible_and_its_bound_is_valid(seed: int, aggregate: bool) -> None:
    """Column generation with a master per participant and with the aggregated master (large
    regions, Dask): value <= optimum <= bound, both feasible; the first reaches the optimum
    within its gap."""
    rng = np.random.default_rng(300 + seed)
    batch, cap_of, capacity = _random_region(rng, n=10, items=4, n_caps=4, max_upper=8)
    group = np.zeros(capacity.shape[0], dtype=np.int64)
    exact = solve_exact(batch, cap_of, capacity)
    sol = solve_colgen(batch, cap_of, capacity, cap_group=group, rel_gap=1e-9, aggregate=aggregate)
    assert _feasible(batch, cap_of, capacity, sol.units)
    assert sol.value <= exact.value + TOL <= sol.bound + 2 * TOL
    assert sol.gap == pytest.approx((sol.bound - sol.value) / sol.bound, abs=1e-12)
    assert np.all(sol.price >= 0)
    if not aggregate:  # the Lagrangian (LP) bound: never above the subgradient's best
        sub = solve_lagrange(batch, cap_of, capacity, cap_group=group, max_iter=60, rel_gap=0)
        assert sol.bound <= sub.bound + TOL


def test_column_generation_groups_are_independent() -> None:
    rng = np.random.default_rng(7)
    batch, cap_of, capacity = _random_region(rng, n=12, items=4, n_caps=4, max_upper=8)
    side = rng.integers(0, 2, size=batch.n)
    cap_of = np.where(cap_of >= 0, 2 * side[batch.owner] + cap_of % 2, -1).astype(np.int64)
    group = np.array([0, 0, 1, 1], dtype=np.int64)
    exact = solve_exact(batch, cap_of, capacity, cap_group=group)
    sol = solve_colgen(batch, cap_of, capacity, cap_group=group, rel_gap=1e-9)
    assert _feasible(batch, cap_of, capacity, sol.units)
    assert sol.group_bound is not None
    assert sol.group_bound.shape[0] == 3  # two groups and the participants without capacity
    assert sol.value <= exact.value + TOL <= sol.bound + 2 * TOL


def test_weights_tilt_the_region_towards_the_heavier_participant() -> None:
    svc = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
    people = pd.DataFrame(
        {
            "participant_id": ["P1", "P2"],
            "target_group": "GRT",
            "age": 40,
            "municipality": "Dobele",
            "budget_eur": 500.0,
            "w": [1.0, 3.0],
        }
    )
    plan = [
        {"participant_id": p, "service": "physiotherapy", "team_rank": 1, "recommended_units": 10}
        for p in ("P1", "P2")
    ]
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 12}]
    plain = allocate_region(people, plan, svc, caps)
    assert plain.items["units"].tolist() == [10, 2]  # a tie: the first in order
    for weights in ("w", {"P1": 1, "P2": 3}, pd.Series({"P1": 1.0, "P2": 3.0})):
        heavy = allocate_region(people, plan, svc, caps, weights=weights)
        assert heavy.items["units"].tolist() == [2, 10]
        assert heavy.value == pytest.approx(0.2 + 3.0, abs=1e-9)


def test_weights_are_checked() -> None:
    svc = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
    people = pd.DataFrame(
        {
            "participant_id": ["P1", "P2", "P3"],
            "target_group": "GRT",
            "age": 40,
            "municipality": "Dobele",
            "budget_eur": 500.0,
            "w": [1.0, 0.0, np.nan],
        }
    )
    plan = [
        {"participant_id": p, "service": "physiotherapy", "team_rank": 1, "recommended_units": 5}
        for p in ("P1", "P2", "P3")
    ]
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 12}]
    with pytest.raises(InputError) as err:
        allocate_region(people, plan, svc, caps, weights="w")
    frame = err.value.problems
    assert frame[["table", "row", "participant_id", "column"]].values.tolist() == [
        ["participants", 2, "P2", "w"],
        ["participants", 3, "P3", "w"],
    ]
    with pytest.raises(InputError, match="weights column is missing"):
        allocate_region(people, plan, svc, caps, weights="nope")
    with pytest.raises(InputError, match="P3"):
        allocate_region(people, plan, svc, caps, weights={"P1": 1.0, "P2": 2.0})


def test_no_capacity_gives_the_uncapacitated_optimum() -> None:
    rng = np.random.default_rng(7)
    batch, cap_of, _ = _random_region(rng, n=5, items=3, n_caps=2, max_upper=5)
    big = usage(cap_of, batch.upper, 2) + 1
    dec = solve_lagrange(batch, cap_of, big)
    assert np.array_equal(dec.units, dec.units0)
    assert dec.gap <= 1e-9


SERVICES = [
    {"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
    {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0},
]


def _tables(n: int = 6) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rng = np.random.default_rng(3)
    people = [
        {
            "participant_id": f"P{i}",
            "target_group": "GRT",
            "age": 40,
            "municipality": "Dobele" if i % 2 else "Bauska",
            "budget_eur": float(rng.integers(200, 600)),
        }
        for i in range(n)
    ]
    plan = [
        {
            "participant_id": f"P{i}",
            "service": svc,
            "team_rank": r + 1,
            "recommended_units": int(rng.integers(4, 12)),
            "min_units": 2,
        }
        for i in range(n)
        for r, svc in enumerate(("physiotherapy", "psychologist"))
    ]
    return people, plan


@pytest.mark.parametrize("method", ["decomposition", "auto", "exact"])
def test_tables_respect_capacities_and_budgets(method: str) -> None:
    people, plan = _tables()
    caps = [
        {"municipality": "Dobele", "service": "physiotherapy", "units": 9},
        {"municipality": "Bauska", "service": "psychologist", "units": 5},
    ]
    r = allocate_region(people, plan, SERVICES, caps, method=method)
    p = r.participants
    assert (p["spent_eur"] <= p["budget_eur"] + 1e-9).all()
    sp = r.shadow_prices
    assert (sp["used_units"] <= sp["capacity_units"]).all()
    used = r.items.merge(pd.DataFrame(people)[["participant_id", "municipality"]])
    got = used.groupby(["municipality", "service"])["units"].sum()
    assert got[("Dobele", "physiotherapy")] <= 9
    assert got[("Bauska", "psychologist")] <= 5
    assert r.value <= r.bound + 1e-9
    assert (r.lost["units_lost"] > 0).all()
    assert set(r.lost["reason"]) <= {"unavailable", "partly_funded", "not_funded"}
    assert (r.items["units_lost"] == r.items["units_uncapacitated"] - r.items["units"]).all()
    assert np.allclose(p["coverage_lost"], p["coverage_uncapacitated"] - p["coverage"])


def test_decomposition_close_to_exact_on_tables() -> None:
    people, plan = _tables(8)
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 11}]
    ex = allocate_region(people, plan, SERVICES, caps, method="exact")
    dec = allocate_region(people, plan, SERVICES, caps)
    assert dec.value <= ex.value + TOL <= dec.bound + 2 * TOL


def test_capacities_validation_reports_every_problem() -> None:
    caps = pd.DataFrame(
        {
            "municipality": ["Dobele", "", "Dobele", "Bauska"],
            "service": ["physiotherapy", "psychologist", "physiotherapy", "x"],
            "units": [3, 2.5, -1, True],
        }
    )
    with pytest.raises(InputError) as exc:
        read_capacities(caps)
    probs = exc.value.problems
    got = set(zip(probs["row"], probs["column"], strict=True))
    assert got == {
        (2, "municipality"),
        (2, "units"),
        (3, "units"),
        (4, "units"),
        (1, "service"),
        (3, "service"),
    }
    with pytest.raises(InputError) as exc:
        read_capacities(pd.DataFrame({"service": ["a"]}))
    assert set(exc.value.problems["column"]) == {"municipality", "units"}


def test_arguments_are_checked() -> None:
    people, plan = _tables(2)
    with pytest.raises(InputError):
        allocate_region(people, plan, SERVICES, [], weighting="max")
    with pytest.raises(InputError):
        allocate_region(people, plan, SERVICES, [], method="fast")


def _exact_maxmin(batch: Batch, cap_of: np.ndarray, capacity: np.ndarray) -> float:
    """The largest smallest kept share over participants under capacities, by brute force."""
    full = batch.evaluate(solve_exact(batch, cap_of, np.full_like(capacity, 10**6)).units)[0]
    under = np.bincount(batch.owner, weights=(cap_of >= 0).astype(float), minlength=batch.n) > 0
    on = under & (full > 0)
    if not on.any():
        return 1.0
    choices = [[0, *range(int(batch.lower[i]), int(batch.upper[i]) + 1)] for i in range(batch.m)]
    best = 0.0
    for combo in itertools.product(*choices):
        u = np.asarray(combo, dtype=np.int64)
        if _feasible(batch, cap_of, capacity, u):
            best = max(best, float((batch.evaluate(u)[0][on] / full[on]).min()))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_maxmin_share_is_feasible_and_bounded_by_brute_force(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    batch, cap_of, capacity = _random_region(rng, n=3, items=2, n_caps=2, max_upper=3)
    group = np.zeros(capacity.shape[0], dtype=np.int64)
    best = _exact_maxmin(batch, cap_of, capacity)
    sol = solve_colgen(batch, cap_of, capacity, cap_group=group, rel_gap=1e-9, maxmin=True)
    plain = solve_colgen(batch, cap_of, capacity, cap_group=group, rel_gap=1e-9)
    assert _feasible(batch, cap_of, capacity, sol.units)
    assert sol.min_share <= best + TOL <= sol.min_share_bound + 2 * TOL
    assert sol.min_share == pytest.approx(best, abs=1e-6)  # tiny regions: the rounding is exact
    assert sol.value <= plain.bound + TOL


def _guide_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The worked example of docs/capacities.md: participants, plan items, services."""
    services = pd.DataFrame(
        [
            {"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
            {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0},
        ]
    )
    people = pd.DataFrame(
        {
            "participant_id": ["A", "B", "C", "D"],
            "target_group": "GRT",
            "age": 40,
            "municipality": ["Dobele", "Dobele", "Dobele", "Bauska"],
            "budget_eur": [500.0, 300.0, 400.0, 500.0],
        }
    )
    plan = pd.DataFrame(
        {
            "participant_id": ["A", "A", "B", "B", "C", "D"],
            "service": ["physiotherapy", "psychologist"] * 2 + ["physiotherapy"] * 2,
            "team_rank": [1, 2, 1, 2, 1, 1],
            "recommended_units": [12, 6, 10, 4, 8, 12],
            "min_units": [4, 0, 4, 0, 4, 0],
        }
    )
    return people, plan, services


def test_maxmin_raises_the_worst_off_on_the_guide_example() -> None:
    people, plan, svc = _guide_tables()
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 20}]
    total = allocate_region(people, plan, svc, caps)
    fair = allocate_region(people, plan, svc, caps, objective="maxmin")
    kept = lambda r: (r.participants["coverage"] / r.participants["coverage_uncapacitated"]).min()  # noqa: E731
    assert kept(fair) == pytest.approx(fair.min_share, abs=1e-9)
    assert kept(fair) > kept(total) + 0.05
    assert fair.min_share <= fair.min_share_bound
    assert fair.value <= total.value + 1e-9
    assert np.isnan(total.min_share)
    with pytest.raises(InputError, match="maxmin needs"):
        allocate_region(people, plan, svc, caps, objective="maxmin", method="exact")
    with pytest.raises(InputError, match="objective"):
        allocate_region(people, plan, svc, caps, objective="fair")


def test_programme_pot_in_a_region_run() -> None:
    """A pot-calibrated formula with a protected group sets the budgets of a region run: the
    budgets add up to the pot to the cent, FT keeps its formula budget, capacities hold."""
    from datetime import date

    import ibm_engine as ibm
    from ibm_engine.budget import PointsBudget, PotCalibrated, PotGroups, Source

    people, plan, services = ibm.synthetic_zemgale(5, n_grt=20, n_ft=15, n_bsac=0)
    people = people.drop(columns=["budget_eur"]).assign(
        assessment_points=np.linspace(5.0, 40.0, len(people))
    )
    src = Source("illustrative", date(2024, 1, 1))
    formula = PointsBudget(40.0, src)
    pot = PotCalibrated(
        formula, 25_000.0, src, groups=PotGroups("target_group", protect={"FT": 1.0})
    )
    first = ibm.allocate(people, plan, services, budget=formula)
    demand = first.items.groupby(["service"], as_index=False)["units"].sum()
    caps = pd.DataFrame(
        {
            "municipality": people["municipality"].iloc[0],
            "service": demand["service"],
            "units": (demand["units"] // 3).astype(int),
        }
    )
    r = allocate_region(people, plan, services, caps, budget=pot)
    parts = r.participants
    cents = np.round(parts["budget_eur"].to_numpy() * 100).astype(np.int64)
    assert int(cents.sum()) == 2_500_000
    ft = parts["target_group"].to_numpy() == "FT"
    own = np.round(first.participants["budget_eur"].to_numpy() * 100).astype(np.int64)
    assert np.array_equal(cents[ft], own[ft])
    assert (parts["budget_source"] == "formula").all()
    assert r.budget_result is not None and r.budget_result.calibration is not None
    assert (parts["spent_eur"] <= parts["budget_eur"] + 1e-9).all()
    assert (r.shadow_prices["used_units"] <= r.shadow_prices["capacity_units"]).all()


def _brute_force_neighbours(
    batch: Batch, cap_of: np.ndarray, capacity: np.ndarray, to: np.ndarray, transport: np.ndarray
) -> float:
    """Optimum with neighbours: each item of capacity 0 split freely into home units and units
    bought from the neighbour capacity ``to[0]`` (``-1``: not limited) at ``transport[0]``."""
    choices = []
    for i in range(batch.m):
        c = int(cap_of[i])
        opts = []
        for h in range(int(batch.upper[i]) + 1):
            for e in range(int(batch.upper[i]) - h + 1):
                t = h + e
                if (0 < t < batch.lower[i]) or (e > 0 and c != 0):
                    continue
                opts.append((h, e))
        choices.append(opts)
    best = 0.0
    k = capacity.shape[0]
    for combo in itertools.product(*choices):
        h = np.array([x[0] for x in combo], dtype=np.int64)
        e = np.array([x[1] for x in combo], dtype=np.int64)
        extra_cost = np.where(cap_of == 0, transport[0] * e, 0)
        spent = np.bincount(
            batch.owner, weights=batch.cost * (h + e) + extra_cost, minlength=batch.n
        )
        if np.any(spent > batch.budget):
            continue
        load = usage(cap_of, h, k).astype(np.int64)
        dest = np.where(cap_of == 0, to[0], -1)
        on = dest >= 0
        load += np.bincount(dest[on], weights=e[on], minlength=k).astype(np.int64)
        if np.any(load > capacity):
            continue
        best = max(best, float(np.dot(batch.value, h + e)))
    return best


@pytest.mark.parametrize("seed", range(16))
def test_neighbours_are_feasible_and_bounded_by_brute_force(seed: int) -> None:
    from ibm_engine.region._capacity_neighbours import Arcs, neighbour_bound, use_neighbours

    rng = np.random.default_rng(700 + seed)
    batch, cap_of, capacity = _random_region(rng, n=3, items=2, n_caps=2, max_upper=3)
    # capacity 0 may buy from capacity 1 (or from a provider without a capacity row)
    to = np.array([1 if seed % 2 == 0 else -1, -1], dtype=np.int64)
    transport = np.array([int(rng.integers(0, 800)), 0], dtype=np.int64)
    a = Arcs(np.array([0]), to[:1], transport[:1], np.array(["N"], dtype=object))
    group = np.zeros(capacity.shape[0], dtype=np.int64)
    sol = solve_colgen(batch, cap_of, capacity, cap_group=group, rel_gap=1e-9)
    use = use_neighbours(batch, cap_of, capacity, sol.units, a)
    total = use.units + use.extra
    spent = np.bincount(
        batch.owner,
        weights=batch.cost * total + np.where(use.arc >= 0, transport[0] * use.extra, 0),
        minlength=batch.n,
    )
    assert np.all(spent <= batch.budget)
    dose = (total == 0) | ((total >= batch.lower) & (total <= batch.upper))
    assert np.all(dose)
    load = usage(cap_of, use.units, 2) + use.incoming(a, 2)
    assert np.all(load <= capacity)
    value = float(np.dot(batch.value, total))
    assert value >= sol.value - TOL  # neighbours never make anybody worse off
    best = _brute_force_neighbours(batch, cap_of, capacity, to, transport)
    bound = neighbour_bound(batch, cap_of, capacity, sol.price, a, value, rel_gap=0.0)
    assert value <= best + TOL <= bound + 2 * TOL


def test_neighbours_on_the_guide_example() -> None:
    people, plan, services = _guide_tables()
    caps = pd.DataFrame(
        {"municipality": ["Dobele", "Bauska"], "service": "physiotherapy", "units": [20, 16]}
    )
    nb = pd.DataFrame({"municipality": ["Dobele"], "neighbour": ["Bauska"], "transport_eur": [6.0]})
    alone = allocate_region(people, plan, services, caps)
    r = allocate_region(people, plan, services, caps, neighbours=nb)
    assert r.value >= alone.value
    assert r.value <= r.bound and r.gap < 0.02
    items = r.items
    assert int(items["neighbour_units"].sum()) == 4  # Bauska's 4 free sessions, to Dobele
    bought = items[items["neighbour_units"] > 0]
    assert (bought["neighbour_municipality"] == "Bauska").all()
    cents = np.round(items["cost_eur"].to_numpy() * 100).astype(np.int64)
    price = np.where(items["service"] == "physiotherapy", 2700, 3500)
    transport = np.round(items["transport_eur"].to_numpy() * 100).astype(np.int64)
    assert np.array_equal(cents, items["units"].to_numpy() * price + transport)
    assert np.array_equal(transport, items["neighbour_units"].to_numpy() * 600)
    parts = r.participants
    spent = np.round(parts["spent_eur"].to_numpy() * 100).astype(np.int64)
    per = items.groupby("participant_id", sort=False)["cost_eur"].sum().round(2)
    assert np.array_equal(spent, np.round(per.to_numpy() * 100).astype(np.int64))
    assert (parts["spent_eur"] <= parts["budget_eur"]).all()
    assert (r.shadow_prices["used_units"] <= r.shadow_prices["capacity_units"]).all()
    assert r.shadow_prices["used_units"].tolist() == [20, 16]
    with pytest.raises(InputError) as err:
        allocate_region(
            people,
            plan,
            services,
            caps,
            neighbours=[{"municipality": "Dobele", "neighbour": "", "transport_eur": -1}],
        )
    assert [p["column"] for p in err.value.problems.to_dict("records")] == [
        "neighbour",
        "transport_eur",
    ]


# ----------------------------------------------- one pipeline with allocate (issue 10)


def _two_in_dobele() -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    svc = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
    people = [
        {"participant_id": p, "target_group": "GRT", "age": 40, "municipality": "Dobele",
         "budget_eur": 500.0}
        for p in ("P1", "P2", "P3")
    ]  # fmt: skip
    plan = [
        {"participant_id": p, "service": "physiotherapy", "team_rank": 1, "recommended_units": 10}
        for p in ("P1", "P2", "P3")
    ]
    caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 12}]
    return people, plan, svc, caps


def test_region_quarantines_like_allocate() -> None:
    people, plan, svc, caps = _two_in_dobele()
    people[2]["age"] = 200  # P3 is invalid
    with pytest.raises(ibm.InputError, match="age"):
        ibm.allocate_region(people, plan, svc, caps)
    r = ibm.allocate_region(people, plan, svc, caps, errors="quarantine")
    assert r.participants["participant_id"].tolist() == ["P1", "P2"]
    assert r.rejected["participant_id"].tolist() == ["P3"]
    assert r.rejected["column"].tolist() == ["age"]
    plain = ibm.allocate(people, plan, svc, errors="quarantine")
    pd.testing.assert_frame_equal(r.rejected, plain.rejected)
    assert int(r.items["units"].sum()) == 12  # the capacity, shared by the two accepted


def test_region_checks_its_arguments_like_allocate() -> None:
    people, plan, svc, caps = _two_in_dobele()
    for kw, column in (
        ({"team_share": 1.5}, "team_share"),
        ({"errors": "ignore"}, "errors"),
        ({"workers": 0}, "workers"),
    ):
        with pytest.raises(ibm.InputError) as info:
            ibm.allocate_region(people, plan, svc, caps, **kw)  # type: ignore[arg-type]
        assert info.value.problems["column"].tolist() == [column]


def test_region_with_workers_gives_the_same_answer() -> None:
    people, plan, svc, caps = _two_in_dobele()
    one = ibm.allocate_region(people, plan, svc, caps)
    two = ibm.allocate_region(people, plan, svc, caps, workers=2)
    pd.testing.assert_frame_equal(one.items, two.items)
    assert one.value == two.value and one.bound == two.bound


def test_region_result_is_written_like_any_result(tmp_path: Path) -> None:
    people, plan, svc, caps = _two_in_dobele()
    r = ibm.allocate_region(people, plan, svc, caps, errors="quarantine")
    paths = ibm.write_tables(r, tmp_path, "csv")
    assert [p.name for p in paths] == ["items.csv", "participants.csv", "rejected.csv"]
    back = ibm.read_table(tmp_path / "items.csv", "items")
    assert back["units_lost"].tolist() == r.items["units_lost"].tolist()


def test_the_record_says_limit_hit_only_when_highs_stopped_at_its_time_limit() -> None:
    """limit_hit comes from HiGHS's status, not from the run's elapsed time: a MILP given a
    microsecond stops at its limit (the record says so, and the answer is still feasible and
    bounded); the same run with a minute does not."""
    people, plan, services = ibm.synthetic_zemgale(seed=3, n_grt=3, n_ft=3, n_bsac=2)
    lines = plan.merge(people[["participant_id", "municipality"]])
    demand = lines.groupby(["municipality", "service"], as_index=False)["recommended_units"].sum()
    caps = demand.assign(units=(demand["recommended_units"] * 0.6).astype(int))
    caps = caps[["municipality", "service", "units"]]
    rushed = ibm.allocate_region(people, plan, services, caps, method="auto", milp_seconds=1e-6)
    assert rushed.record.limit_hit
    assert rushed.gap >= 0
    calm = ibm.allocate_region(people, plan, services, caps, method="auto", milp_seconds=60.0)
    assert not calm.record.limit_hit
    assert calm.value >= rushed.value - 1e-9


def test_limits_are_noted_only_while_watched() -> None:
    from ibm_engine.region._capacity_limits import TIME_LIMIT_STATUS, note_status, watching_limits

    note_status(TIME_LIMIT_STATUS, "outside")  # nothing watches: nothing kept, no error
    with watching_limits() as hits:
        note_status(0, "optimal MILP")
        note_status(TIME_LIMIT_STATUS, "stopped MILP")
        with watching_limits() as inner:
            note_status(TIME_LIMIT_STATUS, "inner")
    assert hits == ["stopped MILP"] and inner == ["inner"]
