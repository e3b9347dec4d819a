"""The frame and object APIs: validate -> budget -> weights -> solve -> result tables;
explanations of one participant's allocation; waiting lists and counterfactuals.

The ``(result, participant_id, ...)`` functions are deprecated aliases of the result's methods
(``allocation._deprecated``)."""

from ibm_engine.allocation._allocate import POLICIES, allocate
from ibm_engine.allocation._deprecated import (
    at_budget_change,
    explain_frame,
    explain_summary,
    explain_text,
    smallest_budget_for,
    waiting_list,
    what_extra_money_buys,
    with_assessment,
    with_family_ranking,
)
from ibm_engine.allocation._explain import LIMITS
from ibm_engine.allocation._extra_money import ExtraMoney
from ibm_engine.allocation._merge import MERGES, RankMerge
from ibm_engine.allocation._record import Record
from ibm_engine.allocation._result import AllocationResult
from ibm_engine.allocation._single import allocate_plan
from ibm_engine.allocation._tables import REASONS
from ibm_engine.allocation._view import ParticipantView

__all__ = [
    "LIMITS",
    "MERGES",
    "POLICIES",
    "REASONS",
    "AllocationResult",
    "ExtraMoney",
    "ParticipantView",
    "RankMerge",
    "Record",
    "allocate",
    "allocate_plan",
    "at_budget_change",
    "explain_frame",
    "explain_summary",
    "explain_text",
    "smallest_budget_for",
    "waiting_list",
    "what_extra_money_buys",
    "with_assessment",
    "with_family_ranking",
]
