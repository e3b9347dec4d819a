"""The frame and object APIs: validate -> budget -> weights -> solve -> result tables;
explanations of one participant's allocation; waiting lists and counterfactuals."""

from ibm_engine.allocation._allocate import POLICIES, allocate
from ibm_engine.allocation._counterfactual import (
    at_budget_change,
    with_assessment,
    with_family_ranking,
)
from ibm_engine.allocation._explain import LIMITS, explain_frame, explain_summary, explain_text
from ibm_engine.allocation._extra_money import ExtraMoney, what_extra_money_buys
from ibm_engine.allocation._merge import MERGES, RankMerge
from ibm_engine.allocation._record import Record
from ibm_engine.allocation._result import AllocationResult
from ibm_engine.allocation._single import allocate_plan
from ibm_engine.allocation._smallest_budget import smallest_budget_for
from ibm_engine.allocation._tables import REASONS
from ibm_engine.allocation._view import ParticipantView
from ibm_engine.allocation._waiting import waiting_list

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
