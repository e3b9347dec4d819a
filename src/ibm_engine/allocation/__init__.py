"""The frame and object APIs: validate -> budget -> weights -> solve -> result tables;
explanations of one participant's allocation."""

from ibm_engine.allocation._allocate import POLICIES, allocate
from ibm_engine.allocation._explain import LIMITS, explain_frame, explain_summary, explain_text
from ibm_engine.allocation._merge import MERGES, RankMerge
from ibm_engine.allocation._result import AllocationResult
from ibm_engine.allocation._single import allocate_plan
from ibm_engine.allocation._tables import REASONS

__all__ = [
    "LIMITS",
    "MERGES",
    "POLICIES",
    "REASONS",
    "AllocationResult",
    "RankMerge",
    "allocate",
    "allocate_plan",
    "explain_frame",
    "explain_summary",
    "explain_text",
]
