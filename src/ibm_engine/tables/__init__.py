"""Contract-v1 validation (every problem collected), catalogue row matching, frames -> arrays."""

from ibm_engine.tables._catalogue import GROUP_BITS, Catalogue, read_catalogue
from ibm_engine.tables._prepare import CAP_TOL, Prepared, prepare
from ibm_engine.tables._problems import ProblemLog
from ibm_engine.tables._schema import (
    GROUPS,
    ITEM_RESULT_COLUMNS,
    PARTICIPANT_RESULT_COLUMNS,
    PARTICIPANTS,
    PLAN_ITEMS,
    SERVICES,
    UNITS,
    ColumnSpec,
)

__all__ = [
    "CAP_TOL",
    "GROUPS",
    "GROUP_BITS",
    "ITEM_RESULT_COLUMNS",
    "PARTICIPANTS",
    "PARTICIPANT_RESULT_COLUMNS",
    "PLAN_ITEMS",
    "SERVICES",
    "UNITS",
    "Catalogue",
    "ColumnSpec",
    "Prepared",
    "ProblemLog",
    "prepare",
    "read_catalogue",
]
