"""Region layer of ibm_engine (see docs/architecture.md): provider capacities shared by many
participants (docs/capacities.md); delivery month by month, disruptions and pauses, municipal
pre-financing and programme indicators (docs/delivery.md); consecutive plan periods, carry-over
and instalments (docs/periods.md)."""

from ibm_engine.region._capacity import RegionResult, allocate_region
from ibm_engine.region._cashflow import REIMBURSEMENTS, CashFlow, prefinancing
from ibm_engine.region._delivery import (
    UNDERSPEND_REASONS,
    Delivery,
    DeliveryPlan,
    plan_delivery,
    replan_after,
    simulate_delivery,
    spread_units,
)
from ibm_engine.region._disruptions import (
    COVID_2020_DAY_CARE_SHARE,
    covid_2020_disruptions,
    validate_disruptions,
    validate_pauses,
)
from ibm_engine.region._indicators import SERVICE_GROUPS, indicators
from ibm_engine.region._periods import SPENT_BASES, PeriodsResult, run_periods
from ibm_engine.region._periods_carry import CARRY_OVER_KINDS, CarryOver
from ibm_engine.region._periods_release import INSTALMENT_SCHEDULES
from ibm_engine.region._periods_table import validate_periods

__all__ = [
    "CARRY_OVER_KINDS",
    "COVID_2020_DAY_CARE_SHARE",
    "INSTALMENT_SCHEDULES",
    "REIMBURSEMENTS",
    "SERVICE_GROUPS",
    "SPENT_BASES",
    "UNDERSPEND_REASONS",
    "CarryOver",
    "CashFlow",
    "Delivery",
    "DeliveryPlan",
    "PeriodsResult",
    "RegionResult",
    "allocate_region",
    "covid_2020_disruptions",
    "indicators",
    "plan_delivery",
    "prefinancing",
    "replan_after",
    "run_periods",
    "simulate_delivery",
    "spread_units",
    "validate_disruptions",
    "validate_pauses",
    "validate_periods",
]
