"""Region layer of ibm_engine (see docs/architecture.md): provider capacities shared by many
participants (docs/capacities.md); delivery month by month, disruptions and pauses, municipal
pre-financing and programme indicators (docs/delivery.md)."""

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

__all__ = [
    "COVID_2020_DAY_CARE_SHARE",
    "REIMBURSEMENTS",
    "SERVICE_GROUPS",
    "UNDERSPEND_REASONS",
    "CashFlow",
    "Delivery",
    "DeliveryPlan",
    "RegionResult",
    "allocate_region",
    "covid_2020_disruptions",
    "indicators",
    "plan_delivery",
    "prefinancing",
    "replan_after",
    "simulate_delivery",
    "spread_units",
    "validate_disruptions",
    "validate_pauses",
]
