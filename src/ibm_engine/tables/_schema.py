"""Contract v1 tables: columns, kinds, whether required, and value rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ibm_engine._typing import BoolArray
from ibm_engine.domain._service import TARGET_GROUPS, UNITS

__all__ = [
    "GROUPS",
    "ITEM_RESULT_COLUMNS",
    "PARTICIPANTS",
    "PARTICIPANT_RESULT_COLUMNS",
    "PLAN_ITEMS",
    "SERVICES",
    "UNITS",
    "ColumnSpec",
]

#: target groups and units of the contract: defined once, by the domain models' types
GROUPS: tuple[str, ...] = TARGET_GROUPS

Rule = Callable[[np.ndarray], BoolArray]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a contract table.

    ``kind``: ``id`` (text, integers accepted as their digits), ``text``, ``int``, ``float``
    or ``money``; ``rule`` marks invalid converted values, explained by ``rule_text``.
    """

    name: str
    kind: str
    required: bool
    rule: Rule | None = None
    rule_text: str = ""
    choices: tuple[str, ...] = ()


def _ge(x: float) -> Rule:
    return lambda v: np.asarray(v < x, dtype=bool)


def _gt(x: float) -> Rule:
    return lambda v: np.asarray(v <= x, dtype=bool)


PARTICIPANTS = (
    ColumnSpec("participant_id", "id", True),
    ColumnSpec("target_group", "text", True, choices=GROUPS),
    ColumnSpec("age", "int", True, lambda v: (v < 0) | (v > 120), "must be between 0 and 120"),
    ColumnSpec("municipality", "text", True),
    ColumnSpec("budget_eur", "money", True, _ge(0), "must be >= 0"),
    ColumnSpec("family_hours_per_week", "float", False, _ge(0), "must be >= 0"),
    ColumnSpec("period_weeks", "int", False, _ge(1), "must be >= 1"),
)

PLAN_ITEMS = (
    ColumnSpec("participant_id", "id", True),
    ColumnSpec("service", "text", True),
    ColumnSpec("team_rank", "int", True, _ge(1), "must be >= 1"),
    ColumnSpec("family_rank", "int", False, _ge(1), "must be >= 1"),
    ColumnSpec("weight", "float", False, _gt(0), "must be > 0"),
    ColumnSpec("recommended_units", "int", True, _ge(1), "must be >= 1"),
    ColumnSpec("min_units", "int", False, _ge(0), "must be >= 0"),
    ColumnSpec("max_units", "int", False, _ge(0), "must be >= 0"),
)

SERVICES = (
    ColumnSpec("service", "text", True),
    ColumnSpec("unit", "text", True, choices=UNITS),
    ColumnSpec("unit_price_eur", "money", True, _ge(0), "must be >= 0"),
    ColumnSpec("municipality", "text", False),
    ColumnSpec("max_units_per_week", "float", False, _gt(0), "must be > 0"),
    ColumnSpec("max_units_per_year", "float", False, _gt(0), "must be > 0"),
    ColumnSpec("min_age", "int", False, _ge(0), "must be >= 0"),
    ColumnSpec("max_age", "int", False, _ge(0), "must be >= 0"),
    ColumnSpec("target_groups", "text", False),
    ColumnSpec("hours_per_unit", "float", False, _ge(0), "must be >= 0"),
)

#: columns the result tables add (an input column with such a name is an error)
ITEM_RESULT_COLUMNS = (
    "units",
    "unit_price_eur",
    "cost_eur",
    "weight",
    "upper_units",
    "coverage",
    "reason",
    "unit",
    "hours",
)
PARTICIPANT_RESULT_COLUMNS = (
    "spent_eur",
    "left_eur",
    "value",
    "max_value",
    "bound",
    "status",
    "policy",
    "coverage",
    "items_funded",
    "items_partly_funded",
    "items_not_funded",
    "hours_used",
)
