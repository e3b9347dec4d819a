"""Indicative budget formulas and calibration to a programme pot (see ``docs/budgets.md``).

Every formula is a frozen object with ``compute(participants, plan_items=None, services=None,
*, period_weeks=26) -> BudgetResult`` (and ``compute_prepared(prepared)`` for tables already
validated by ``ibm_engine.tables.prepare``). Parameters carry an effective date and a source.
"""

from ibm_engine.budget._base import BudgetFormula, Formula, ScaledFormula
from ibm_engine.budget._calibrate import LEFTOVER_RULE, PotCalibrated
from ibm_engine.budget._costed import CostedPlanBudget
from ibm_engine.budget._fit import RegressionFit, fit_regression
from ibm_engine.budget._inputs import ASSESSMENT_COLUMNS, LIVING_SETTINGS
from ibm_engine.budget._levels import FlatBudget, NeedLevelBudget
from ibm_engine.budget._params import Parameter, Source
from ibm_engine.budget._points import PointsBudget
from ibm_engine.budget._pot_groups import PotGroups
from ibm_engine.budget._pot_report import GroupStatus, PotGroupsReport, PotStatus
from ibm_engine.budget._regression import RegressionBudget
from ibm_engine.budget._result import (
    BudgetResult,
    CalibrationReport,
    CalibrationStatus,
    TransitionReport,
)
from ibm_engine.budget._synthetic import TRUE_MODEL, synthetic_assessments
from ibm_engine.budget._transition import TransitionProtected

__all__ = [
    "ASSESSMENT_COLUMNS",
    "LEFTOVER_RULE",
    "LIVING_SETTINGS",
    "TRUE_MODEL",
    "BudgetFormula",
    "BudgetResult",
    "CalibrationReport",
    "CalibrationStatus",
    "CostedPlanBudget",
    "FlatBudget",
    "Formula",
    "GroupStatus",
    "NeedLevelBudget",
    "Parameter",
    "PointsBudget",
    "PotCalibrated",
    "PotGroups",
    "PotGroupsReport",
    "PotStatus",
    "RegressionBudget",
    "RegressionFit",
    "ScaledFormula",
    "Source",
    "TransitionProtected",
    "TransitionReport",
    "fit_regression",
    "synthetic_assessments",
]
