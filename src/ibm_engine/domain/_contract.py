"""The contract's tables, each defined once as :class:`ColumnSpec` tuples.

The input tables (``SERVICES``, ``PARTICIPANTS``, ``PLAN_ITEMS``) and the columns the result
tables add (``ITEM_RESULTS``, ``PARTICIPANT_RESULTS``). The validation of ``ibm_engine.tables``,
the domain models' fields, the JSON Schemas and the column tables of ``docs/contract.md`` are
all derived from these tuples.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal, get_args

from ibm_engine.domain._columns import ColumnSpec, names

__all__ = [
    "GROUPS",
    "ITEM_RESULTS",
    "ITEM_RESULT_COLUMNS",
    "MAX_AGE",
    "PARTICIPANTS",
    "PARTICIPANT_RESULTS",
    "PARTICIPANT_RESULT_COLUMNS",
    "PLAN_ITEMS",
    "SERVICES",
    "TARGET_GROUPS",
    "UNITS",
    "Reason",
    "Status",
    "TargetGroup",
    "Unit",
]

TargetGroup = Literal["GRT", "FT", "BSAC"]
#: the target groups of the contract, in this order (the one definition: ``TargetGroup``)
TARGET_GROUPS: Final[tuple[TargetGroup, ...]] = get_args(TargetGroup)
GROUPS: Final[tuple[str, ...]] = TARGET_GROUPS
Unit = Literal["session", "hour", "day", "trip", "month"]
#: the units of the contract, in this order (the one definition: ``Unit``)
UNITS: Final[tuple[Unit, ...]] = get_args(Unit)
MAX_AGE: Final = 120


class Status(StrEnum):
    """Whether a participant's value is proven optimal."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"


class Reason(StrEnum):
    """Why a plan item got the units it got (the contract's ``reason`` column)."""

    NOT_ELIGIBLE = "not_eligible"
    CAP_BELOW_MIN = "cap_below_min"
    FUNDED = "funded"
    PARTLY_FUNDED = "partly_funded"
    NOT_FUNDED = "not_funded"
    UNAVAILABLE = "unavailable"


SERVICES: Final = (
    ColumnSpec("service", "text", True, description="service code, e.g. `physiotherapy`"),
    ColumnSpec("unit", "text", True, choices=UNITS, description="unit of the price"),
    ColumnSpec(
        "unit_price_eur", "money", True, ge=0, unit="EUR", description="price of one unit"
    ),
    ColumnSpec(
        "municipality", "text", False, empty="a default row",
        description="the row applies only in this municipality",
    ),
    ColumnSpec(
        "max_units_per_week", "float", False, gt=0, empty="no cap", unit="units per week",
        description="legal cap per week, e.g. child social care 50 hours a week up to age 4",
    ),
    ColumnSpec(
        "max_units_per_year", "float", False, gt=0, empty="no cap", unit="units per year",
        description="legal cap per year, e.g. respite care 30 days a year",
    ),
    ColumnSpec(
        "min_age", "int", False, ge=0, empty="no bound", unit="years",
        description="the row applies from this age on, inclusive",
    ),
    ColumnSpec(
        "max_age", "int", False, ge=0, empty="no bound", unit="years",
        description="the row applies up to this age, inclusive",
    ),
    ColumnSpec(
        "target_groups", "text", False, empty="all groups",
        description="comma-separated subset of `GRT,FT,BSAC`",
    ),
    ColumnSpec(
        "hours_per_unit", "float", False, ge=0, empty="0", unit="hours",
        description="time the person or family spends per unit",
    ),
)  # fmt: skip

PARTICIPANTS: Final = (
    ColumnSpec("participant_id", "id", True, description="unique"),
    ColumnSpec(
        "target_group", "text", True, choices=GROUPS,
        description="the participant's target group",
    ),
    ColumnSpec(
        "age", "int", True, ge=0, le=MAX_AGE, unit="years",
        description="age at the start of the period",
    ),
    ColumnSpec("municipality", "text", True, description="selects municipal catalogue rows"),
    ColumnSpec(
        "budget_eur", "money", True, ge=0, unit="EUR",
        description="indicative budget for the period; may be empty or absent when a budget "
        "formula is given",
    ),
    ColumnSpec(
        "family_hours_per_week", "float", False, ge=0, empty="no limit", unit="hours per week",
        description="time the person or family can give to services per week",
    ),
    ColumnSpec(
        "period_weeks", "int", False, ge=1, empty="the call's `period_weeks`", unit="weeks",
        description="this participant's plan period",
    ),
)  # fmt: skip

PLAN_ITEMS: Final = (
    ColumnSpec("participant_id", "id", True, description="must exist in `participants`"),
    ColumnSpec("service", "text", True, description="must exist in the catalogue"),
    ColumnSpec(
        "team_rank", "int", True, ge=1,
        description="the assessment team's priority, 1 = most important; unique within a "
        "participant",
    ),
    ColumnSpec(
        "family_rank", "int", False, ge=1, empty="no family ranking",
        description="the person's or parents' own order; unique within a participant; given "
        "for some but not all of a participant's items is an error",
    ),
    ColumnSpec(
        "weight", "float", False, gt=0, empty="the Borda merge",
        description="explicit value weight, used as given (not normalised); given for all of "
        "a participant's items it replaces the rank merge; given for some but not all is an "
        "error",
    ),
    ColumnSpec(
        "recommended_units", "int", True, ge=1, unit="units per period",
        description="intensity the team recommends, units per period",
    ),
    ColumnSpec(
        "min_units", "int", False, ge=0, empty="0", unit="units per period",
        description="smallest effective amount: the item gets 0 or at least this",
    ),
    ColumnSpec(
        "max_units", "int", False, ge=0, empty="no cap", unit="units per period",
        description="an extra cap for this item (e.g. a provider shortage)",
    ),
)  # fmt: skip

#: the columns ``result.items`` adds to the plan items, in their order (an input column so
#: named is an error)
ITEM_RESULTS: Final = (
    ColumnSpec(
        "unit", "text", False, choices=UNITS, empty="no row applies",
        description="unit of the row that applies",
    ),
    ColumnSpec("units", "int", True, ge=0, description="units funded"),
    ColumnSpec(
        "unit_price_eur", "money", False, ge=0, unit="EUR", empty="no row applies",
        description="price of the row that applies",
    ),
    ColumnSpec(
        "cost_eur", "money", True, ge=0, unit="EUR",
        description="`units * unit_price_eur`, exact to the cent",
    ),
    ColumnSpec("weight", "float", True, ge=0, description="the weight used (Borda or explicit)"),
    ColumnSpec("upper_units", "int", True, ge=0, description="`U_i`, the most the rules allow"),
    ColumnSpec("coverage", "float", True, ge=0, description="`units / recommended_units`"),
    ColumnSpec(
        "hours", "float", True, ge=0, unit="hours",
        description="`units * hours_per_unit` (family hours for the period)",
    ),
    ColumnSpec(
        "reason", "text", True, choices=tuple(r.value for r in Reason),
        description="why the item got its units",
    ),
)  # fmt: skip

#: the columns ``result.participants`` adds to the participants
PARTICIPANT_RESULTS: Final = (
    ColumnSpec(
        "spent_eur", "money", True, ge=0, unit="EUR", description="sum of the items' `cost_eur`"
    ),
    ColumnSpec(
        "left_eur", "money", True, ge=0, unit="EUR", description="`budget_eur - spent_eur`"
    ),
    ColumnSpec("value", "float", True, ge=0, description="`sum_i w_i * units_i / r_i`"),
    ColumnSpec(
        "max_value", "float", True, ge=0,
        description="the value if every fundable item got its upper bound",
    ),
    ColumnSpec(
        "bound", "float", True,
        description="a proven upper bound on the optimal value; equal to `value` when the "
        "optimum is proven",
    ),
    ColumnSpec(
        "status", "text", True, choices=tuple(s.value for s in Status),
        description="`optimal` when `value` is proven optimal",
    ),
    ColumnSpec("policy", "text", True, description="the policy used"),
    ColumnSpec(
        "coverage", "float", True, ge=0, le=1,
        description="`value / max_value`; 1.0 when `max_value` is 0",
    ),
    ColumnSpec("items_funded", "int", True, ge=0, description="items with reason `funded`"),
    ColumnSpec(
        "items_partly_funded", "int", True, ge=0, description="items with reason `partly_funded`"
    ),
    ColumnSpec(
        "items_not_funded", "int", True, ge=0, description="items with reason `not_funded`"
    ),
    ColumnSpec(
        "hours_used", "float", True, ge=0, unit="hours",
        description="family hours the allocation uses for the period",
    ),
)  # fmt: skip

#: names of the columns the result tables add (an input column with such a name is an error)
ITEM_RESULT_COLUMNS: Final = names(ITEM_RESULTS)
PARTICIPANT_RESULT_COLUMNS: Final = names(PARTICIPANT_RESULTS)
