"""``ibm.allocate``: validate -> budget -> weights -> solve -> result tables (contract v1)."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd

from ibm_engine.allocation._budget import apply_formula, budget_columns, screen_participants
from ibm_engine.allocation._merge import RankMerge
from ibm_engine.allocation._problem import assemble
from ibm_engine.allocation._record import build_record, hash_inputs, hash_outputs
from ibm_engine.allocation._result import AllocationResult
from ibm_engine.allocation._tables import item_table, participant_table
from ibm_engine.budget import BudgetFormula
from ibm_engine.errors import InputError
from ibm_engine.solve import solve_in_processes, solve_optimal, solve_priority
from ibm_engine.solve._milp import solve_one_milp
from ibm_engine.tables import prepare
from ibm_engine.tables._columns import as_frame

__all__ = ["POLICIES", "allocate"]

POLICIES = ("optimal", "priority")
#: the time limit of the MILP that proves the participants the enumeration leaves (its default)
MILP_TIME_LIMIT = float(inspect.signature(solve_one_milp).parameters["time_limit"].default)


def _argument_error(column: str, reason: str) -> InputError:
    return InputError.single("arguments", column, reason)


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
        Processes to solve in (participants are split into chunks; the answer does not
        change). Worth it from some tens of thousands of participants.

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
    if policy not in POLICIES:
        raise _argument_error("policy", f"must be one of {', '.join(POLICIES)} (got {policy!r})")
    if (
        isinstance(team_share, bool)
        or not isinstance(team_share, int | float | np.floating)
        or not (0.0 <= float(team_share) <= 1.0)
    ):
        raise _argument_error("team_share", f"must be a number in [0, 1] (got {team_share!r})")
    hashes = hash_inputs(participants=participants, plan_items=plan_items, services=services)
    screened = None
    if budget is not None and errors == "quarantine":
        participants, plan_items, screened = screen_participants(
            budget, as_frame(participants, "participants"), as_frame(plan_items, "plan_items")
        )
    prep = prepare(
        participants,
        plan_items,
        services,
        period_weeks=period_weeks,
        errors=errors,
        budget_required=budget is None,
    )
    formula_result = None
    if budget is not None:
        prep, formula_result = apply_formula(prep, budget)
    spec = merge if isinstance(merge, RankMerge) else RankMerge(kind=str(merge))
    asm = assemble(prep, float(team_share), spec)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise _argument_error("workers", f"must be an integer >= 1 (got {workers!r})")
    solver = solve_optimal if policy == "optimal" else solve_priority
    sol = solve_in_processes(asm.batch, solver, workers)
    items = item_table(prep, asm, sol)
    parts = participant_table(prep, asm, sol, policy, items)
    rejected = prep.rejected
    if formula_result is not None:
        extra = budget_columns(prep, formula_result)
        for c in extra.columns:
            if c not in parts.columns:
                parts[c] = extra[c].to_numpy()
    if screened is not None and len(screened):
        rejected = pd.concat([rejected, screened], ignore_index=True)
    status = parts["status"].to_numpy()
    record = build_record(
        "allocate",
        {
            "policy": policy,
            "period_weeks": int(period_weeks),
            "team_share": float(team_share),
            "errors": errors,
            "merge": spec,
            "budget": budget,
            "milp_time_limit_seconds": MILP_TIME_LIMIT,
        },
        hashes,
        hash_outputs(items=items, participants=parts, rejected=rejected),
        services=services,
        # a participant not proven optimal fell back to a time-limited MILP
        limit_hit=policy == "optimal" and bool((status != "optimal").any()),
    )
    return AllocationResult(
        items=items,
        participants=parts,
        rejected=rejected,
        policy=policy,
        period_weeks=int(period_weeks),
        team_share=float(team_share),
        merge=spec,
        budget=budget,
        _prep=prep,
        _asm=asm,
        _sol=sol,
        record=record,
    )
