"""Funding mechanisms side by side: the IBM (optimal), the IBM by hand (priority) and the
traditional mechanism, on the same population with the same money."""

from __future__ import annotations

from typing import Final

import pandas as pd

from ibm_engine.errors import InputError
from ibm_engine.scenarios._baseline import Baseline
from ibm_engine.scenarios._compare import compare
from ibm_engine.scenarios._run import ScenarioRun, finish, run_scenarios
from ibm_engine.scenarios._scenario import Scenario
from ibm_engine.scenarios._traditional import traditional

__all__ = ["MECHANISMS", "compare_mechanisms", "run_mechanisms"]

#: the mechanisms, in the order they are run and reported
MECHANISMS: Final = ("ibm_optimal", "ibm_priority", "traditional")


def run_mechanisms(baseline: Baseline, workers: int = 1) -> tuple[ScenarioRun, ...]:
    """The three mechanisms on the baseline's population and money.

    ``ibm_optimal`` and ``ibm_priority`` allocate each participant's budget (policies
    ``optimal`` and ``priority``); ``traditional`` (:func:`traditional`) puts the same money,
    the sum of those budgets, in one pot. Disruptions, when the baseline has them, apply to
    all three. Provider capacities are not supported here (the priority policy has no
    region form).

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> base = Baseline(*ibm.synthetic_zemgale(3, n_grt=2, n_ft=2, n_bsac=1))
    >>> runs = run_mechanisms(base)
    >>> [r.name for r in runs]
    ['ibm_optimal', 'ibm_priority', 'traditional']
    >>> runs[2].result.spent_eur <= runs[2].result.pot_eur
    True
    """
    if not isinstance(baseline, Baseline):
        raise InputError.single("arguments", "baseline", "must be a Baseline")
    if baseline.capacities is not None:
        raise InputError.single(
            "arguments", "capacities", "the mechanisms are compared without provider capacities"
        )
    ibm = run_scenarios(
        baseline,
        [Scenario("ibm_optimal", policy="optimal"), Scenario("ibm_priority", policy="priority")],
        workers=workers,
    )
    inputs = Scenario("traditional").apply(baseline)
    result = traditional(
        inputs.participants, inputs.plan_items, inputs.services,
        period_weeks=inputs.period_weeks, team_share=inputs.team_share, merge=inputs.merge,
    )  # fmt: skip
    return (*ibm, finish("traditional", None, inputs, result))


def compare_mechanisms(
    baseline: Baseline, reference: str = "traditional", workers: int = 1
) -> pd.DataFrame:
    """KPIs of the three mechanisms side by side (:func:`compare`'s frame, scenario = the
    mechanism), against ``reference`` (one of :data:`MECHANISMS`).

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> base = Baseline(*ibm.synthetic_zemgale(3, n_grt=2, n_ft=2, n_bsac=1))
    >>> k = compare_mechanisms(base)
    >>> money = k[(k.kpi == "budget_eur") & (k.by == "all")]
    >>> money.scenario.tolist(), money.delta.tolist()
    (['ibm_optimal', 'ibm_priority', 'traditional'], [0.0, 0.0, 0.0])
    """
    if reference not in MECHANISMS:
        raise InputError.single("arguments", "reference", f"must be one of {', '.join(MECHANISMS)}")
    return compare(run_mechanisms(baseline, workers=workers), baseline=reference)
