"""The result of an allocation: item and participant tables, rejected rows, and context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ibm_engine.allocation._status import all_optimal, count, rejected_count
from ibm_engine.domain._result import Status

if TYPE_CHECKING:
    from ibm_engine.allocation._extra_money_report import ExtraMoney
    from ibm_engine.allocation._record import Record
    from ibm_engine.allocation._solved import Solved
    from ibm_engine.allocation._view import ParticipantView

__all__ = ["AllocationResult"]


@dataclass(frozen=True, eq=False)
class AllocationResult:
    """What :func:`ibm_engine.allocation` returns.

    Attributes
    ----------
    items : DataFrame
        One row per accepted plan item, in input order: the input columns plus ``units``,
        ``unit``, ``unit_price_eur``, ``cost_eur``, ``weight``, ``upper_units``, ``coverage``,
        ``hours`` and ``reason``.
    participants : DataFrame
        One row per accepted participant, in input order: the input columns plus
        ``spent_eur``, ``left_eur``, ``value``, ``max_value``, ``bound``, ``status``,
        ``policy``, ``coverage``, ``items_funded``, ``items_partly_funded``,
        ``items_not_funded`` and ``hours_used``.
    rejected : DataFrame
        Quarantined input problems (``errors="quarantine"``): participant_id, table, row,
        column, reason; one row per problem.
    policy : str
        ``"optimal"`` or ``"priority"``.
    record : Record
        What made this result: input hashes, parameters, versions, output hashes, and an id
        (see ``docs/records.md``).
    """

    items: pd.DataFrame
    participants: pd.DataFrame
    rejected: pd.DataFrame
    policy: str
    period_weeks: int
    team_share: float
    merge: Any
    budget: Any
    #: the solved state (validated tables, canonical arrays, solution): explanations and
    #: what-ifs work from it (see :mod:`ibm_engine.allocation._solved`)
    _solved: Solved = field(repr=False)
    #: what made this result (inputs, parameters, versions) and its output hashes
    record: Record | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        n = len(self.participants)
        return (
            f"AllocationResult(policy={self.policy!r}, participants={n}, "
            f"items={len(self.items)}, rejected={self.rejected['participant_id'].nunique()})"
        )

    def _repr_html_(self) -> str:
        """What a notebook shows: summary, budget bars and item table (see
        :func:`ibm_engine.report.result_html`)."""
        from ibm_engine.report import result_html  # the sanctioned display exception (STYLE.md)

        return result_html(self)

    def summary(self) -> dict[str, Any]:
        """Headline figures: participants, budget, spent, value / max_value, items by reason."""
        p = self.participants
        reasons = self.items["reason"].value_counts().to_dict()
        return {
            "participants": len(p),
            "budget_eur": round(float(p["budget_eur"].sum()), 2),
            "spent_eur": round(float(p["spent_eur"].sum()), 2),
            "value": float(p["value"].sum()),
            "max_value": float(p["max_value"].sum()),
            "proven_optimal": int((p["status"] == "optimal").sum()),
            **{f"items_{k}": int(v) for k, v in reasons.items()},
        }

    @property
    def service_names(self) -> dict[str, tuple[str, str]]:
        """Display names of the catalogue's services, code -> (English, Latvian)."""
        return self._solved.prep.catalogue.names()

    @property
    def status(self) -> Status:
        """``optimal`` when every participant's allocation is proven optimal, else
        ``feasible`` (see :mod:`ibm_engine.allocation._status`)."""
        return all_optimal(self.participants["status"].tolist())

    @property
    def message(self) -> str:
        """The result in one line: who was allocated, how many proven optimal, rejected."""
        p = self.participants
        proven = int((p["status"].astype(str) == "optimal").sum())
        return (
            f"{count(len(p), 'participant')} allocated ({self.policy}), {proven:,} proven "
            f"optimal; {count(rejected_count(self.rejected), 'participant')} rejected"
        )

    def participant(self, participant_id: object) -> ParticipantView:
        """One participant: its rows, ``explain()``, ``text(lang)`` and what-ifs
        (:class:`~ibm_engine.allocation.ParticipantView`)."""
        from ibm_engine.allocation._view import ParticipantView

        return ParticipantView(self, participant_id)

    def extra_money(
        self, extra_eur: float, step_eur: float = 100.0, *, lookahead: int = 5
    ) -> ExtraMoney:
        """Who an extra programme pot funds first, and what it buys
        (an :class:`ExtraMoney`)."""
        from ibm_engine.allocation._extra_money import what_extra_money_buys

        return what_extra_money_buys(self, extra_eur, step_eur, lookahead=lookahead)

    def explain(self, participant_id: str) -> pd.DataFrame:
        """What each item of one participant got and why (see :mod:`ibm_engine.allocation`)."""
        from ibm_engine.allocation._explain import explain_frame

        return explain_frame(self, participant_id)

    def waiting_list(self, participant_id: object = None) -> pd.DataFrame:
        """Items not funded in full, with the money that funds each next: one participant, or
        everyone (``None``) in the order of ``participants``."""
        from ibm_engine.allocation._waiting import waiting_list

        return waiting_list(self, participant_id)

    def smallest_budget_for(self, participant_id: object, service: str) -> float | None:
        """The smallest budget (EUR, exact cents) that funds ``service`` in full."""
        from ibm_engine.allocation._smallest_budget import smallest_budget_for

        return smallest_budget_for(self, participant_id, service)

    def explain_text(self, participant_id: str, language: str = "en") -> str:
        """The explanation as plain text a social worker can show a family."""
        from ibm_engine.allocation._explain import explain_text

        return explain_text(self, participant_id, language=language)
