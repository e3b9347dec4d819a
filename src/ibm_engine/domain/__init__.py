"""Domain layer: frozen pydantic models of the contract's rows, plans, catalogue and results.

No solving happens here. Every model validates its input by the rules of contract v1 and
round-trips through JSON (``Model.model_validate_json(m.model_dump_json()) == m``).
"""

from __future__ import annotations

from ibm_engine.domain._catalogue import Catalogue
from ibm_engine.domain._participant import Participant
from ibm_engine.domain._plan import Plan, PlanItem
from ibm_engine.domain._result import ItemAllocation, ParticipantAllocation, Reason, Status
from ibm_engine.domain._schemas import json_schemas, write_json_schemas
from ibm_engine.domain._service import Service

__all__ = [
    "Catalogue",
    "ItemAllocation",
    "Participant",
    "ParticipantAllocation",
    "Plan",
    "PlanItem",
    "Reason",
    "Service",
    "Status",
    "json_schemas",
    "write_json_schemas",
]
