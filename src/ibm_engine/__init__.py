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
    ParticipantView,
    RankMerge,
    Record,
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
from ibm_engine.budget import (
    CostedPlanBudget,
    FlatBudget,
    NeedLevelBudget,
    PointsBudget,
    PotCalibrated,
    PotGroups,
    RegressionBudget,
    Source,
    TransitionProtected,
    fit_regression,
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
    NotApplicableError,
    SolverError,
    SolverWarning,
    UnknownMunicipalityWarning,
)
from ibm_engine.io import (
    Reproduction,
    RunArchive,
    read_table,
    read_tables,
    reproduce,
    write_tables,
)
from ibm_engine.metrics import kpis, winners_losers
from ibm_engine.region import (
    CarryOver,
    PeriodsResult,
    RegionResult,
    allocate_region,
    covid_2020_disruptions,
    plan_delivery,
    prefinancing,
    run_periods,
    simulate_delivery,
)
from ibm_engine.report import result_html, write_excel_report
from ibm_engine.scale import (
    DatasetResult,
    RepartitionWarning,
    allocate_dataset,
    allocate_region_dataset,
    synthetic_dataset,
    write_dataset,
)
from ibm_engine.scenarios import (
    MECHANISMS,
    Baseline,
    Scenario,
    ScenarioRun,
    TraditionalResult,
    compare,
    compare_mechanisms,
    run_mechanisms,
    run_scenario,
    run_scenarios,
    sweep,
    traditional,
)

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "LIMITS",
    "MECHANISMS",
    "MERGES",
    "POLICIES",
    "REASONS",
    "ZEMGALE_MUNICIPALITIES",
    "AllocationResult",
    "Baseline",
    "CarryOver",
    "Catalogue",
    "CostedPlanBudget",
    "DatasetResult",
    "ExtraMoney",
    "FlatBudget",
    "IbmEngineError",
    "IbmEngineWarning",
    "InputError",
    "ItemAllocation",
    "NeedLevelBudget",
    "NotApplicableError",
    "Participant",
    "ParticipantAllocation",
    "ParticipantView",
    "PeriodsResult",
    "Plan",
    "PlanItem",
    "PointsBudget",
    "PotCalibrated",
    "PotGroups",
    "RankMerge",
    "Reason",
    "Record",
    "RegionResult",
    "RegressionBudget",
    "RepartitionWarning",
    "Reproduction",
    "RunArchive",
    "Scenario",
    "ScenarioRun",
    "Service",
    "SolverError",
    "SolverWarning",
    "Source",
    "Status",
    "TraditionalResult",
    "TransitionProtected",
    "UnknownMunicipalityWarning",
    "__version__",
    "allocate",
    "allocate_dataset",
    "allocate_plan",
    "allocate_region",
    "allocate_region_dataset",
    "at_budget_change",
    "compare",
    "compare_mechanisms",
    "covid_2020_disruptions",
    "default_catalogue",
    "explain_frame",
    "explain_summary",
    "explain_text",
    "fit_regression",
    "json_schemas",
    "kpis",
    "plan_delivery",
    "prefinancing",
    "read_table",
    "read_tables",
    "reproduce",
    "result_html",
    "run_mechanisms",
    "run_periods",
    "run_scenario",
    "run_scenarios",
    "simulate_delivery",
    "smallest_budget_for",
    "sweep",
    "synthetic_dataset",
    "synthetic_zemgale",
    "traditional",
    "waiting_list",
    "what_extra_money_buys",
    "winners_losers",
    "with_assessment",
    "with_family_ranking",
    "write_dataset",
    "write_excel_report",
    "write_json_schemas",
    "write_tables",
]
