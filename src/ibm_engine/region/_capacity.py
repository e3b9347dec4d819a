"""``allocate_region``: every participant's budget and every provider capacity at once.

The capacities table (municipality, service, units per period) couples participants: the total
units of a service that participants of a municipality get may not exceed its capacity. The
region maximises the sum of the participants' coverage shares (value / max_value, so explicit
weights of different scales do not tilt it) or of their raw values, by Lagrangian decomposition
with a proven gap (``method="decomposition"``) or by one exact MILP (``method="exact"``, small
regions only). See ``docs/capacities.md``.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.allocation._merge import RankMerge
from ibm_engine.allocation._pipeline import add_budget_columns, check_workers, stage
from ibm_engine.allocation._record import build_record, hash_inputs, hash_outputs
from ibm_engine.region._capacity_colgen import solve_colgen
from ibm_engine.region._capacity_input import CAPACITY_COLUMNS, read_capacities
from ibm_engine.region._capacity_lagrange import CapacitySolution, solve_lagrange
from ibm_engine.region._capacity_limits import watching_limits
from ibm_engine.region._capacity_milp import solve_auto, solve_exact
from ibm_engine.region._capacity_neighbours import (
    Arcs,
    NeighbourUse,
    arcs,
    neighbour_bound,
    read_neighbours,
    use_neighbours,
)
from ibm_engine.region._capacity_result import RegionResult, region_result
from ibm_engine.region._capacity_setup import (
    back_to_batch,
    check_arguments,
    region_arrays,
    region_parameters,
)
from ibm_engine.solve import Batch, in_threads, solve_optimal

__all__ = ["CAPACITY_COLUMNS", "RegionResult", "allocate_region", "read_capacities"]


def allocate_region(
    participants: object,
    plan_items: object,
    services: object,
    capacities: object,
    *,
    period_weeks: int = 26,
    team_share: float = 0.5,
    weighting: str = "coverage",
    method: str = "decomposition",
    max_iter: int = 60,
    rel_gap: float = 1e-3,
    milp_seconds: float = 5.0,
    weights: object = None,
    objective: str = "sum",
    budget: Any = None,
    neighbours: object = None,
    errors: str = "raise",
    merge: str | RankMerge = "borda",
    workers: int = 1,
    master: str = "auto",
) -> RegionResult:
    """Allocate a whole region within every budget and every provider capacity.

    Parameters
    ----------
    participants, plan_items, services : contract-v1 tables (as for ``allocate``)
    capacities : DataFrame or anything ``pd.DataFrame`` accepts
        ``municipality``, ``service``, ``units`` (per period). Services of a municipality
        without a row are not limited.
    weighting : {"coverage", "value"}
        Maximise the sum of coverage shares (default) or of raw values.
    method : {"decomposition", "auto", "exact", "subgradient"}
        ``"decomposition"`` (default): column generation with capacity prices, which reaches
        the Lagrangian bound, then the master LP rounded (participants split between
        allocations re-solved by a small MILP per municipality) and repaired; see ``master``
        for large regions.
        ``"auto"``: the same, then a MILP limited to ``milp_seconds`` for each municipality
        still above ``rel_gap``. ``"exact"``: one MILP per municipality without a time limit
        worth the name (small regions only). ``"subgradient"``: the earlier price search by
        deflected subgradient steps (kept for comparison; weaker bounds).
    max_iter, rel_gap : int, float
        Price iterations and the gap at which the price search stops.
    milp_seconds : float
        Time limit of each MILP (rounding and ``"auto"``).
    objective : {"sum", "maxmin"}
        ``"sum"`` (default) maximises the region's total. ``"maxmin"`` raises the worst-off
        first: it maximises the smallest kept share (coverage / uncapacitated coverage) over
        the participants under capacities, then the total with every share at least that
        (``min_share`` and its bound ``min_share_bound`` in the result; the gap is that of the
        second stage). Both stages solve the whole region (no sample): regions up to some
        10,000 participants.
    budget : budget formula, optional
        As for ``allocate``: a formula of :mod:`ibm_engine.budget` (e.g. ``PotCalibrated`` for a
        programme pot, with protected groups) sets the budgets of participants without
        ``budget_eur``; the participants table shows ``budget_source`` and the breakdown, and
        ``budget_result`` holds the formula's result and calibration report.
    neighbours : DataFrame, optional
        ``municipality``, ``neighbour``, ``transport_eur`` (per unit, paid from the
        participant's budget): participants whose provider is full may buy units from a
        neighbour's provider with room. Items show ``neighbour_units``,
        ``neighbour_municipality`` and ``transport_eur`` (in ``cost_eur``); the bound covers
        the problem with neighbours. See the guide.
    weights : str or mapping, optional
        A participants column, or a mapping participant_id -> weight, of weights > 0 that
        multiply each participant's objective (coverage share or value).
    errors : {"raise", "quarantine"}
        As for ``allocate``: ``quarantine`` sets aside the participants with problems
        (``result.rejected``) and allocates the region without them.
    merge : str or RankMerge
        As for ``allocate``: how rankings become weights (default the contract's Borda).
    workers : int
        Threads for the participants' own solves (the uncapacitated optimum and each price
        step's pricing); the answer does not change.
    master : {"auto", "participants", "aggregate"}
        The decomposition's master LP. ``"participants"``: a column per participant and
        allocation (rounded by small MILPs). ``"aggregate"``: every participant priced
        exactly, the master holding only sums per municipality and bucket of participants,
        the allocation that of the pricing problem at prices where everything fits, then
        filled; the same answer on Dask (``ibm.allocate_region_dataset``). ``"auto"``
        (default): ``"aggregate"`` above 8,000 participants under capacities. Not used by
        ``objective="maxmin"`` (always per participant).

    Examples
    --------
    >>> svc = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
    >>> people = [{"participant_id": p, "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 500.0} for p in ("P1", "P2")]
    >>> plan = [{"participant_id": p, "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 10} for p in ("P1", "P2")]
    >>> caps = [{"municipality": "Dobele", "service": "physiotherapy", "units": 12}]
    >>> r = allocate_region(people, plan, svc, caps)
    >>> r.items[["participant_id", "units", "units_lost", "reason"]]
      participant_id  units  units_lost       reason
    0             P1     10           0       funded
    1             P2      2           8  unavailable
    >>> r.gap < 1e-8  # proven optimal (a tie: the id that sorts first gets the units)
    True
    """
    check_arguments(weighting, method, objective, master, max_iter)
    caps = read_capacities(capacities)
    nb = None if neighbours is None else read_neighbours(neighbours)
    t0 = time.perf_counter()
    staged = stage(
        participants,
        plan_items,
        services,
        period_weeks=period_weeks,
        team_share=team_share,
        errors=errors,
        budget=budget,
        merge=merge,
        hash_tables=True,  # the three tables hashed from the columns prepare converted
    )
    hashes = {
        **staged.input_hashes,
        **hash_inputs(capacities=capacities, neighbours=neighbours),
    }
    workers = check_workers(workers)
    prep, asm = staged.prep, staged.asm
    arr = region_arrays(staged, caps, weighting, weights)
    at = arr.at
    with watching_limits() as hits:
        sol, near = _solve(
            arr.batch,
            arr.cap_of,
            arr.capacity,
            caps,
            arr.group,
            nb,
            method=method,
            objective=objective,
            max_iter=max_iter,
            rel_gap=rel_gap,
            milp_seconds=milp_seconds,
            workers=workers,
            master=master,
            ids=arr.ids,
        )
    sol = replace(sol, units=back_to_batch(sol.units, at), units0=back_to_batch(sol.units0, at))
    if near is not None:
        use, a = near
        back = [back_to_batch(x, at) for x in (use.units, use.extra, use.arc)]
        near = (NeighbourUse(*back), a)
    seconds = time.perf_counter() - t0
    out = region_result(
        prep, asm, caps, arr.cap_of_staged, arr.capacity, sol, weighting, objective, seconds, near
    )
    add_budget_columns(out.participants, staged)
    record = build_record(
        "region",
        region_parameters(
            staged.team_share, staged.merge, period_weeks=period_weeks, weighting=weighting,
            method=method, max_iter=max_iter, rel_gap=rel_gap, milp_seconds=milp_seconds,
            master=master, weights=weights, objective=objective, budget=budget, errors=errors,
        ),
        hashes,
        hash_outputs(
            staged.input_texts,
            items=out.items, participants=out.participants, shadow_prices=out.shadow_prices,
            lost=out.lost, rejected=staged.rejected,
        ),
        services=services,
        limit_hit=bool(hits),  # HiGHS said a MILP stopped at its time limit
    )  # fmt: skip
    return replace(
        out,
        rejected=staged.rejected,
        budget_result=staged.formula_result,
        record=record,
        service_names=staged.prep.catalogue.names(),
    )


def _solve(
    batch: Batch,
    cap_of: IntArray,
    capacity: IntArray,
    caps: pd.DataFrame,
    group: IntArray,
    nb: pd.DataFrame | None,
    *,
    method: str,
    objective: str,
    max_iter: int,
    rel_gap: float,
    milp_seconds: float,
    workers: int = 1,
    master: str = "auto",
    ids: np.ndarray | None = None,
) -> tuple[CapacitySolution, tuple[NeighbourUse, Arcs] | None]:
    """The region's allocation by ``method`` (and the neighbours' part, if any)."""
    solve = in_threads(solve_optimal, workers)
    if method == "exact":
        sol = solve_exact(batch, cap_of, capacity, cap_group=group, solve=solve)
    elif method == "subgradient":
        sol = solve_lagrange(
            batch,
            cap_of,
            capacity,
            cap_group=group,
            max_iter=max_iter,
            rel_gap=rel_gap,
            solve=solve,
        )
    else:
        sol = solve_colgen(
            batch,
            cap_of,
            capacity,
            cap_group=group,
            max_iter=max_iter,
            rel_gap=rel_gap,
            time_limit=milp_seconds,
            maxmin=objective == "maxmin",
            solve=solve,
            aggregate=None if master == "auto" else master == "aggregate",
            ids=ids,
        )
        if method == "auto" and objective == "sum":
            sol = solve_auto(
                batch,
                cap_of,
                capacity,
                sol,
                cap_group=group,
                rel_gap=rel_gap,
                time_limit=milp_seconds,
            )
    near = None
    if nb is not None:  # neighbours' providers for what a full capacity cut
        a = arcs(caps, nb)
        use = use_neighbours(batch, cap_of, capacity, sol.units, a)
        total = use.units + use.extra
        value = float(np.dot(batch.value, total))
        top = neighbour_bound(
            batch, cap_of, capacity, sol.price, a, value, max_iter=max_iter, rel_gap=rel_gap
        )
        sol = replace(sol, units=total, value=value, bound=max(top, value), group_bound=None)
        near = (use, a)
    return sol, near
