"""Scenarios layer of ibm_engine (see docs/architecture.md and docs/scenarios.md): a scenario
is a baseline plus changes and never mutates the baseline; runs (serial or in processes),
KPI comparisons, parameter sweeps and the funding mechanisms side by side."""

from ibm_engine.scenarios._baseline import Baseline
from ibm_engine.scenarios._compare import COMPARE_COLUMNS, SWEEPS, compare, sweep
from ibm_engine.scenarios._mechanisms import MECHANISMS, compare_mechanisms, run_mechanisms
from ibm_engine.scenarios._pot import POT_RULE
from ibm_engine.scenarios._run import ScenarioRun, run_scenario, run_scenarios
from ibm_engine.scenarios._scenario import Scenario
from ibm_engine.scenarios._traditional import ORDER_COLUMN, TraditionalResult, traditional

__all__ = [
    "COMPARE_COLUMNS",
    "MECHANISMS",
    "ORDER_COLUMN",
    "POT_RULE",
    "SWEEPS",
    "Baseline",
    "Scenario",
    "ScenarioRun",
    "TraditionalResult",
    "compare",
    "compare_mechanisms",
    "run_mechanisms",
    "run_scenario",
    "run_scenarios",
    "sweep",
    "traditional",
]
