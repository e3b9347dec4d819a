"""The single-participant API for services: one :class:`~ibm_engine.domain.Plan` in, one
serialisable :class:`~ibm_engine.domain.ParticipantAllocation` out.

It goes through exactly the same path as the frame API (the plan becomes one-row tables), so
its answer is identical to the frame API's rows for that participant.
"""

from __future__ import annotations

import pandas as pd

from ibm_engine.allocation._allocate import allocate
from ibm_engine.domain import Catalogue, ParticipantAllocation, Plan

__all__ = ["allocate_plan"]


def allocate_plan(
    plan: Plan,
    catalogue: Catalogue | pd.DataFrame,
    *,
    policy: str = "optimal",
    period_weeks: int = 26,
    team_share: float = 0.5,
) -> ParticipantAllocation:
    """Allocate one participant's plan; the result serialises to JSON.

    Parameters
    ----------
    plan : Plan
        The participant and the joint service list.
    catalogue : Catalogue or DataFrame
        The services (a DataFrame in the contract's ``services`` columns is accepted too).
    policy, period_weeks, team_share
        As for :func:`ibm_engine.allocation`.

    Returns
    -------
    ParticipantAllocation

    Examples
    --------
    >>> from ibm_engine.domain import Participant, Plan, PlanItem
    >>> from ibm_engine.data import default_catalogue
    >>> plan = Plan(
    ...     participant=Participant(participant_id="P1", target_group="GRT", age=40,
    ...                             municipality="Dobele", budget_eur=300),
    ...     items=(PlanItem(service="physiotherapy", team_rank=1, recommended_units=12),
    ...            PlanItem(service="psychologist", team_rank=2, recommended_units=6)))
    >>> res = allocate_plan(plan, default_catalogue())
    >>> res.status.value, [(i.service, i.units, i.reason.value) for i in res.items]
    ('optimal', [('physiotherapy', 11, 'partly_funded'), ('psychologist', 0, 'not_funded')])
    >>> ParticipantAllocation.model_validate_json(res.model_dump_json()) == res
    True
    """
    participants, items = plan.to_frames()
    services = catalogue.to_frame() if isinstance(catalogue, Catalogue) else catalogue
    result = allocate(
        participants,
        items,
        services,
        policy=policy,
        period_weeks=period_weeks,
        team_share=team_share,
    )
    prow = {str(k): v for k, v in result.participants.iloc[0].to_dict().items()}
    irows = [{str(k): v for k, v in r.items()} for r in result.items.to_dict(orient="records")]
    return ParticipantAllocation.from_rows(prow, irows, policy=policy)
