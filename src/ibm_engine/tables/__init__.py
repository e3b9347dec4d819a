"""Contract-v1 validation (every problem collected), catalogue row matching, frames -> arrays."""

from ibm_engine.tables._catalogue import GROUP_BITS, Catalogue, read_catalogue
from ibm_engine.tables._json_schema import (
    TABLE_SCHEMAS,
    column_json_schema,
    table_json_schemas,
    write_table_json_schemas,
)
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
    "TABLE_SCHEMAS",
    "UNITS",
    "Catalogue",
    "ColumnSpec",
    "Prepared",
    "ProblemLog",
    "column_json_schema",
    "prepare",
    "read_catalogue",
    "table_json_schemas",
    "write_table_json_schemas",
]
