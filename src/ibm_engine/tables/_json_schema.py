"""JSON Schemas (draft 2020-12) of the contract's tables.

Generated, with the domain models' schemas, by one generator from the column specs:
see ``ibm_engine.domain._schemas``; re-exported here with the tables they describe.
"""

from __future__ import annotations

from ibm_engine.domain._columns import column_json_schema
from ibm_engine.domain._schemas import (
    TABLE_SCHEMAS,
    table_json_schemas,
    write_table_json_schemas,
)

__all__ = ["TABLE_SCHEMAS", "column_json_schema", "table_json_schemas", "write_table_json_schemas"]
