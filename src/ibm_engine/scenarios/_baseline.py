"""The baseline of a set of scenarios: the input tables and the allocation settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from ibm_engine.allocation import POLICIES, RankMerge
from ibm_engine.scenarios._checks import Problems, frame_copy

__all__ = ["Baseline"]


@dataclass(frozen=True, eq=False)
class Baseline:
    """The input tables and settings every scenario starts from (never modified).

    The tables are deep-copied when the baseline is made, so later changes to the caller's
    frames do not reach it, and every scenario works on copies of its own.

    Parameters
    ----------
    participants, plan_items, services : DataFrame or anything ``pd.DataFrame`` accepts
        The contract-v1 tables.
    capacities : table, optional
        Provider capacities (``municipality, service, units``); the run then uses
        :func:`ibm_engine.region.allocate_region` (which maximises coverage, policy
        ``optimal`` and the Borda merge only).
    disruptions : table, optional
        Disruptions as for :func:`ibm_engine.region.simulate_delivery`; the run's tables
        then show what is delivered (see :func:`run_scenario`).
    policy, period_weeks, team_share, merge
        As for :func:`ibm_engine.allocate`.
    budget : budget formula, optional
        A formula of :mod:`ibm_engine.budget`; when given it sets every participant's budget
        (any ``budget_eur`` column is replaced).
    start, months : date, int
        The delivery period used with disruptions: its first month and its length. The
        default, January to June 2020, contains the 2020 emergency
        (:func:`ibm_engine.region.covid_2020_disruptions`).

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> people, plan, services = ibm.synthetic_zemgale(3, n_grt=4, n_ft=3, n_bsac=2)
    >>> Baseline(people, plan, services)
    Baseline(participants=9, plan_items=69, policy='optimal', period_weeks=26)
    """

    participants: pd.DataFrame
    plan_items: pd.DataFrame
    services: pd.DataFrame
    capacities: pd.DataFrame | None = None
    disruptions: pd.DataFrame | None = None
    policy: str = "optimal"
    period_weeks: int = 26
    team_share: float = 0.5
    merge: str | RankMerge = "borda"
    budget: Any = field(default=None)
    start: date = date(2020, 1, 1)
    months: int = 6

    def __post_init__(self) -> None:
        for name in ("participants", "plan_items", "services"):
            object.__setattr__(self, name, frame_copy(getattr(self, name), name))
        for name in ("capacities", "disruptions"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, frame_copy(getattr(self, name), name))
        check_settings(self)

    def __repr__(self) -> str:
        extra = "".join(
            f", {n}={len(getattr(self, n))}"
            for n in ("capacities", "disruptions")
            if getattr(self, n) is not None
        )
        return (
            f"Baseline(participants={len(self.participants)}, "
            f"plan_items={len(self.plan_items)}{extra}, policy={self.policy!r}, "
            f"period_weeks={self.period_weeks})"
        )


def check_settings(b: Baseline) -> None:
    """Every problem with a baseline's settings, raised at once as an InputError."""
    p = Problems()
    if b.policy not in POLICIES:
        p.add("policy", f"must be one of {', '.join(POLICIES)} (got {b.policy!r})")
    for name in ("period_weeks", "months"):
        v = getattr(b, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            p.add(name, f"must be an integer >= 1 (got {v!r})")
    p.number("team_share", b.team_share, low=0.0, high=1.0)
    if not isinstance(b.merge, str | RankMerge):
        p.add("merge", f"must be a merge name or a RankMerge (got {b.merge!r})")
    if not isinstance(b.start, date):
        p.add("start", f"must be a date (got {b.start!r})")
    if b.budget is not None and not callable(getattr(b.budget, "compute", None)):
        p.add("budget", "must be a budget formula of ibm_engine.budget")
    if b.capacities is not None:
        if b.policy != "optimal":
            p.add("policy", "must be 'optimal' with capacities (allocate_region optimises)")
        merge = b.merge.kind if isinstance(b.merge, RankMerge) else b.merge
        if merge != "borda":
            p.add("merge", "must be 'borda' with capacities (allocate_region's merge)")
    p.raise_if_any()
