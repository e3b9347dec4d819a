"""ibm_engine: individual budgets for community-based social services.

The whole public surface is re-exported here; see ``docs/api.md``.

Examples
--------
>>> import ibm_engine as ibm
>>> participants, plan_items, services = ibm.synthetic_zemgale(seed=7, n_grt=3, n_ft=3, n_bsac=2)
>>> result = ibm.allocate(participants, plan_items, services)
>>> bool((result.participants["spent_eur"] <= result.participants["budget_eur"]).all())
True
>>> set(result.participants["status"]) == {"optimal"}
True
"""

from __future__ import annotations

import logging

from ibm_engine.allocation import (
    LIMITS,
    MERGES,
    POLICIES,
    REASONS,
    AllocationResult,
    ExtraMoney,
    RankMerge,
    allocate,
    allocate_plan,
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
from ibm_engine.data import ZEMGALE_MUNICIPALITIES, default_catalogue, synthetic_zemgale
from ibm_engine.domain import (
    Catalogue,
    ItemAllocation,
    Participant,
    ParticipantAllocation,
    Plan,
    PlanItem,
    Reason,
    Service,
    Status,
    json_schemas,
    write_json_schemas,
)
from ibm_engine.errors import (
    IbmEngineError,
    IbmEngineWarning,
    InputError,
    SolverError,
    SolverWarning,
    UnknownMunicipalityWarning,
)
from ibm_engine.io import read_table, read_tables, write_tables

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "LIMITS",
    "MERGES",
    "POLICIES",
    "REASONS",
    "ZEMGALE_MUNICIPALITIES",
    "AllocationResult",
    "Catalogue",
    "ExtraMoney",
    "IbmEngineError",
    "IbmEngineWarning",
    "InputError",
    "ItemAllocation",
    "Participant",
    "ParticipantAllocation",
    "Plan",
    "PlanItem",
    "RankMerge",
    "Reason",
    "Service",
    "SolverError",
    "SolverWarning",
    "Status",
    "UnknownMunicipalityWarning",
    "__version__",
    "allocate",
    "allocate_plan",
    "at_budget_change",
    "default_catalogue",
    "explain_frame",
    "explain_summary",
    "explain_text",
    "json_schemas",
    "read_table",
    "read_tables",
    "smallest_budget_for",
    "synthetic_zemgale",
    "waiting_list",
    "what_extra_money_buys",
    "with_assessment",
    "with_family_ranking",
    "write_json_schemas",
    "write_tables",
]
