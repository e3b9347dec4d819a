"""Running scenarios: apply, allocate (or the region), deliver; serially or in processes."""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ibm_engine.allocation import allocate
from ibm_engine.errors import InputError
from ibm_engine.region import allocate_region
from ibm_engine.scenarios._baseline import Baseline
from ibm_engine.scenarios._delivered import delivered_tables
from ibm_engine.scenarios._scenario import Scenario

__all__ = ["ScenarioRun", "run_scenario", "run_scenarios"]


@dataclass(frozen=True, eq=False)
class ScenarioRun:
    """One scenario's inputs and results.

    Attributes
    ----------
    name : str
    scenario : Scenario or None
        ``None`` for a run of the baseline itself.
    inputs : Baseline
        The baseline with the scenario's changes (budgets resolved).
    result : AllocationResult, RegionResult or TraditionalResult
        What the allocation returned.
    items, participants : DataFrame
        The result's tables, or with disruptions what is delivered (see
        :func:`run_scenario`). The KPIs are computed from these.
    """

    name: str
    scenario: Scenario | None
    inputs: Baseline
    result: Any
    items: pd.DataFrame
    participants: pd.DataFrame

    @property
    def service_names(self) -> dict[str, tuple[str, str]]:
        """Display names of the services of the run's catalogue, code -> (English, Latvian)."""
        names: dict[str, tuple[str, str]] = self.result.service_names
        return names

    @property
    def status(self) -> Any:
        """The status of the run's result."""
        return self.result.status

    @property
    def message(self) -> str:
        """The run's name and its result's message."""
        return f"{self.name}: {self.result.message}"

    def participant(self, participant_id: object) -> Any:
        """One participant of the run: the view of its result (``result.participant``)."""
        return self.result.participant(participant_id)

    def waiting_list(self, participant_id: object = None) -> pd.DataFrame:
        """The waiting list of the run's result (``result.waiting_list``)."""
        out: pd.DataFrame = self.result.waiting_list(participant_id)
        return out

    def extra_money(self, extra_eur: float, step_eur: float = 100.0, *, lookahead: int = 5) -> Any:
        """What an extra pot buys on top of the run's result (``result.extra_money``)."""
        return self.result.extra_money(extra_eur, step_eur, lookahead=lookahead)

    @property
    def rejected(self) -> pd.DataFrame:
        """The run's quarantined input problems (its result's ``rejected``)."""
        rejected: pd.DataFrame = self.result.rejected
        return rejected

    @property
    def record(self) -> Any:
        """The record of the run's allocation (``result.record``; see ``docs/records.md``)."""
        return self.result.record

    def _repr_html_(self) -> str:
        from ibm_engine.report import run_html  # display only, loaded when shown

        return run_html(self)

    def __repr__(self) -> str:
        spent = round(int((self.participants["spent_eur"] * 100).round().sum()) / 100, 2)
        return (
            f"ScenarioRun({self.name!r}, result={type(self.result).__name__}, "
            f"participants={len(self.participants)}, spent_eur={spent:.2f})"
        )


def allocate_inputs(inputs: Baseline) -> Any:
    """Allocate a baseline's tables with its settings (the region allocation with capacities)."""
    if inputs.capacities is not None:
        return allocate_region(
            inputs.participants, inputs.plan_items, inputs.services, inputs.capacities,
            period_weeks=inputs.period_weeks, team_share=inputs.team_share,
        )  # fmt: skip
    return allocate(
        inputs.participants, inputs.plan_items, inputs.services, policy=inputs.policy,
        period_weeks=inputs.period_weeks, team_share=inputs.team_share, merge=inputs.merge,
    )  # fmt: skip


def finish(name: str, scenario: Scenario | None, inputs: Baseline, result: Any) -> ScenarioRun:
    """A run from a result: delivered tables when the inputs have disruptions."""
    if inputs.disruptions is not None:
        items, people = delivered_tables(result, inputs.disruptions, inputs.start, inputs.months)
    else:
        items, people = result.items, result.participants
    return ScenarioRun(name, scenario, inputs, result, items, people)


def run_scenario(baseline: Baseline, scenario: Scenario | None = None) -> ScenarioRun:
    """Apply a scenario to a baseline and allocate; the baseline is never modified.

    With capacities, :func:`ibm_engine.region.allocate_region` allocates; otherwise
    :func:`ibm_engine.allocate`. With disruptions the run's ``items`` and ``participants``
    show what is delivered over the baseline's months (``units`` delivered,
    ``units_allocated`` planned, reason ``unavailable`` where units were lost).

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> people, plan, services = ibm.synthetic_zemgale(3, n_grt=4, n_ft=3, n_bsac=2)
    >>> base = Baseline(people, plan, services)
    >>> run = run_scenario(base, Scenario("dearer", price_factor=1.2))
    >>> run.name, bool((run.participants.spent_eur <= run.participants.budget_eur).all())
    ('dearer', True)
    """
    if not isinstance(baseline, Baseline):
        raise InputError.single("arguments", "baseline", "must be a Baseline")
    if scenario is not None and not isinstance(scenario, Scenario):
        raise InputError.single("arguments", "scenario", "must be a Scenario or None")
    inputs = (scenario or Scenario("baseline")).apply(baseline)
    name = "baseline" if scenario is None else scenario.name
    return finish(name, scenario, inputs, allocate_inputs(inputs))


def run_scenarios(
    baseline: Baseline, scenarios: Sequence[Scenario], workers: int = 1, *, client: Any = None
) -> tuple[ScenarioRun, ...]:
    """Run independent scenarios, serially, in ``workers`` processes or as tasks on a Dask
    cluster (same results).

    Parameters
    ----------
    baseline : Baseline
    scenarios : sequence of Scenario
        Names must be unique.
    workers : int
        With more than 1, scenarios run in a :class:`concurrent.futures.ProcessPoolExecutor`
        of at most that many processes (forked where the platform allows); results come back
        in the order given. Worth it when each scenario takes seconds: starting workers and
        sending the results back costs about as much as a small run.
    client : distributed.Client, optional
        Run each scenario as a task on this Dask cluster (``workers`` is then not used): the
        baseline is sent to every worker once, results come back in the order given. The
        client is used, never closed (see ``docs/scale.md``).

    Returns
    -------
    tuple of ScenarioRun

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> base = Baseline(*ibm.synthetic_zemgale(3, n_grt=2, n_ft=2, n_bsac=1))
    >>> runs = run_scenarios(base, [Scenario("a"), Scenario("b", pot_factor=0.5)], workers=2)
    >>> [r.name for r in runs]
    ['a', 'b']
    >>> serial = run_scenarios(base, [Scenario("b", pot_factor=0.5)])
    >>> serial[0].items.equals(runs[1].items)
    True
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError.single(
            "arguments", "workers", f"must be an integer >= 1 (got {workers!r})"
        )
    if not isinstance(baseline, Baseline):
        raise InputError.single("arguments", "baseline", "must be a Baseline")
    todo = list(scenarios)
    problems = []
    seen: set[str] = set()
    for k, s in enumerate(todo, start=1):
        if not isinstance(s, Scenario):
            reason = f"must be a Scenario (got {type(s).__name__})"
        elif s.name in seen:
            reason = f"duplicate scenario name {s.name!r}"
        else:
            seen.add(s.name)
            continue
        problems.append({"table": "arguments", "row": k, "participant_id": None,
                         "column": "scenarios", "reason": reason})  # fmt: skip
    if problems:
        raise InputError(problems)
    # the function as the module registry has it (pytest may import a module twice)
    fn = getattr(sys.modules[__name__], "run_scenario", run_scenario)
    if client is not None and todo:
        base = client.scatter(baseline, broadcast=True)
        futures = [client.submit(fn, base, s, pure=False) for s in todo]
        return tuple(client.gather(futures))
    if workers == 1 or len(todo) < 2:
        return tuple(run_scenario(baseline, s) for s in todo)
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"  # as solve/ does
    pool_size = min(workers, len(todo))
    with ProcessPoolExecutor(max_workers=pool_size, mp_context=mp.get_context(method)) as pool:
        return tuple(pool.map(fn, [baseline] * len(todo), todo))
