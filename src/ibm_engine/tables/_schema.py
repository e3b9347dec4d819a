"""Contract v1 tables: columns, kinds, whether required, and value rules.

Defined once, in ``ibm_engine.domain._contract`` (the domain models are built from the same
specs); re-exported here for the validation of this layer.
"""

from __future__ import annotations

from ibm_engine.domain._columns import ColumnSpec
from ibm_engine.domain._contract import (
    GROUPS,
    ITEM_RESULT_COLUMNS,
    ITEM_RESULTS,
    PARTICIPANT_RESULT_COLUMNS,
    PARTICIPANT_RESULTS,
    PARTICIPANTS,
    PLAN_ITEMS,
    SERVICES,
    UNITS,
)

__all__ = [
    "GROUPS",
    "ITEM_RESULTS",
    "ITEM_RESULT_COLUMNS",
    "PARTICIPANTS",
    "PARTICIPANT_RESULTS",
    "PARTICIPANT_RESULT_COLUMNS",
    "PLAN_ITEMS",
    "SERVICES",
    "UNITS",
    "ColumnSpec",
]
