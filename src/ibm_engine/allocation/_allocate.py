"""``ibm.allocate``: validate -> budget -> weights -> solve -> result tables (contract v1)."""

from __future__ import annotations

import inspect
import os

from ibm_engine.allocation._merge import RankMerge
from ibm_engine.allocation._pipeline import (
    add_budget_columns,
    argument_error,
    check_workers,
    stage,
    table_workers,
)
from ibm_engine.allocation._record import build_record, hash_outputs
from ibm_engine.allocation._result import AllocationResult
from ibm_engine.allocation._solved import Solved
from ibm_engine.allocation._tables import item_table, participant_table
from ibm_engine.budget import BudgetFormula
from ibm_engine.solve import solve_in_threads, solve_optimal, solve_priority
from ibm_engine.solve._milp import solve_one_milp

__all__ = ["POLICIES", "allocate"]

POLICIES = ("optimal", "priority")
#: the time limit of the MILP that proves the participants the enumeration leaves (its default)
MILP_TIME_LIMIT = float(inspect.signature(solve_one_milp).parameters["time_limit"].default)


def _not_distributed(*tables: object) -> None:
    """Dask frames and Parquet dataset folders are for ``ibm.allocate_dataset`` (the scale-out
    layer, ``docs/scale.md``); named here so they are not taken for tables (no dask import)."""
    for name, t in zip(("participants", "plan_items"), tables, strict=True):
        if isinstance(t, str | os.PathLike) or type(t).__module__.split(".")[0] == "dask":
            raise argument_error(
                name,
                f"is a {'dask DataFrame' if not isinstance(t, str | os.PathLike) else 'path'}: "
                "ibm.allocate takes tables in memory; dask DataFrames and Parquet datasets "
                "go to ibm.allocate_dataset",
            )


def allocate(
    participants: object,
    plan_items: object,
    services: object,
    policy: str = "optimal",
    period_weeks: int = 26,
    team_share: float = 0.5,
    errors: str = "raise",
    *,
    merge: str | RankMerge = "borda",
    budget: BudgetFormula | None = None,
    workers: int = 1,
) -> AllocationResult:
    """Fund each participant's joint service list within its budget.

    Parameters
    ----------
    participants, plan_items, services : DataFrame or anything ``pd.DataFrame`` accepts
        The contract-v1 tables (see ``docs/contract.md``).
    policy : {"optimal", "priority"}
        ``optimal``: a proven optimum of the canonical problem; ``priority``: items in
        joint-list order, each given the most units that still fit (what a social worker does).
    period_weeks : int
        Plan period in weeks for participants without their own ``period_weeks``.
    team_share : float in [0, 1]
        Share of the assessment team in the default Borda merge.
    errors : {"raise", "quarantine"}
        ``raise``: any invalid row raises :class:`~ibm_engine.InputError` listing every
        problem. ``quarantine``: invalid participants go to ``result.rejected``.
    merge : str or RankMerge
        How rankings become value weights where no explicit ``weight`` is given: the
        contract's ``"borda"`` (default), ``"tiers"``, ``"team_first"``, ``"family_first"``,
        ``"kemeny"``, or a :class:`RankMerge` with its options (see ``docs/merges.md``).
    budget : budget formula, optional
        A formula of :mod:`ibm_engine.budget` that sets the budget of participants without
        ``budget_eur`` (all of them when the column is absent); the participants result then
        shows ``budget_source`` and the breakdown in ``budget_<factor>`` columns.
    workers : int
        Threads to solve in (the compiled search releases the GIL; participants are split into
        chunks of 20,000) and to convert the input columns and build the result tables in
        (numpy, pandas and Arrow release the GIL); the answer does not change.

    Returns
    -------
    AllocationResult

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
    ...             {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0}]
    >>> participants = [{"participant_id": "P1", "target_group": "GRT", "age": 40,
    ...                  "municipality": "Dobele", "budget_eur": 500.0}]
    >>> plan = [{"participant_id": "P1", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12},
    ...         {"participant_id": "P1", "service": "psychologist", "team_rank": 2,
    ...          "recommended_units": 10}]
    >>> r = ibm.allocate(participants, plan, services)
    >>> r.items[["service", "units", "cost_eur", "reason"]]
             service  units  cost_eur         reason
    0  physiotherapy     12     324.0         funded
    1   psychologist      5     175.0  partly_funded
    >>> r.participants[["spent_eur", "left_eur", "status"]]
       spent_eur  left_eur   status
    0      499.0       1.0  optimal
    """
    _not_distributed(participants, plan_items)
    if policy not in POLICIES:
        raise argument_error("policy", f"must be one of {', '.join(POLICIES)} (got {policy!r})")
    staged = stage(
        participants,
        plan_items,
        services,
        period_weeks=period_weeks,
        team_share=team_share,
        errors=errors,
        budget=budget,
        merge=merge,
        hash_tables=True,
        workers=table_workers(workers),
    )
    workers = check_workers(workers)
    prep, asm = staged.prep, staged.asm
    solver = solve_optimal if policy == "optimal" else solve_priority
    sol = solve_in_threads(asm.batch, solver, workers)
    items = item_table(prep, asm, sol, workers)
    parts = participant_table(prep, asm, sol, policy, items, workers)
    add_budget_columns(parts, staged)
    status = parts["status"].to_numpy()
    record = build_record(
        "allocate",
        {
            "policy": policy,
            "period_weeks": int(period_weeks),
            "team_share": staged.team_share,
            "errors": errors,
            "merge": staged.merge,
            "budget": budget,
            "milp_time_limit_seconds": MILP_TIME_LIMIT,
        },
        staged.input_hashes,
        hash_outputs(staged.input_texts, items=items, participants=parts, rejected=staged.rejected),
        services=services,
        # a participant not proven optimal fell back to a time-limited MILP
        limit_hit=policy == "optimal" and bool((status != "optimal").any()),
    )
    return AllocationResult(
        items=items,
        participants=parts,
        rejected=staged.rejected,
        policy=policy,
        period_weeks=int(period_weeks),
        team_share=staged.team_share,
        merge=staged.merge,
        budget=budget,
        _solved=Solved(prep, asm, sol, policy),
        record=record,
    )
