"""Scenario KPIs side by side: one tidy frame against a baseline, and parameter sweeps."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine.errors import InputError
from ibm_engine.metrics import kpis, winners_losers
from ibm_engine.scenarios._baseline import Baseline
from ibm_engine.scenarios._run import ScenarioRun, run_scenario, run_scenarios
from ibm_engine.scenarios._scenario import Scenario

__all__ = ["COMPARE_COLUMNS", "SWEEPS", "compare", "sweep"]

#: the columns of :func:`compare`'s frame, in order
COMPARE_COLUMNS: Final = ("scenario", "kpi", "by", "group", "value", "baseline_value", "delta")

#: parameters :func:`sweep` knows: the scenario setting each factor goes to
SWEEPS: Final = {"price": "price_factor", "pot": "pot_factor"}

_WINNER_DIMS = ("all", "municipality", "target_group", "age_band")


def _named(results: object) -> list[tuple[str, Any]]:
    if isinstance(results, Mapping):
        return [(str(k), v) for k, v in results.items()]
    if isinstance(results, ScenarioRun):
        return [(results.name, results)]
    if isinstance(results, Sequence) and not isinstance(results, str):
        out = []
        for k, r in enumerate(results, start=1):
            if not isinstance(r, ScenarioRun):
                raise InputError.single(
                    "arguments", "results", "items must be ScenarioRun (or pass a mapping)", row=k
                )
            out.append((r.name, r))
        return out
    raise InputError.single("arguments", "results", "must be ScenarioRuns or a mapping")


def _winner_rows(result: Any, base: Any) -> pd.DataFrame:
    w = winners_losers(result, base)
    parts = []
    for by in _WINNER_DIMS:
        key = pd.Series("all", index=w.index) if by == "all" else w[by].astype(str)
        for kpi in ("winners", "losers"):
            hit = (w["outcome"] == kpi[:-1]).astype(np.float64)
            s = hit.groupby(key, sort=True).sum()
            parts.append(pd.DataFrame({"kpi": kpi, "by": by, "group": s.index.astype(str),
                                       "value": s.to_numpy(), "baseline_value": 0.0}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def compare(results: object, baseline: object = None) -> pd.DataFrame:
    """KPIs of every result next to a baseline's, as one tidy frame.

    Parameters
    ----------
    results : sequence of ScenarioRun, or mapping of name -> result
        A result is anything with ``items`` and ``participants`` tables (AllocationResult,
        RegionResult, TraditionalResult, ScenarioRun).
    baseline : str, result or None
        The name of one of ``results``, a result (named ``"baseline"``), or ``None`` for the
        first of ``results``.

    Returns
    -------
    DataFrame
        :data:`COMPARE_COLUMNS`: ``scenario``, ``kpi``, ``by``, ``group``, ``value``,
        ``baseline_value`` (NaN where the baseline has no such group) and ``delta``
        (``value - baseline_value``; for EUR KPIs exact to the cent). The KPIs are
        :data:`ibm_engine.metrics.KPIS` plus ``winners`` and ``losers``: participants whose
        coverage rose / fell against the baseline (the baseline has 0 of each).

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> people, plan, services = ibm.synthetic_zemgale(3, n_grt=4, n_ft=3, n_bsac=2)
    >>> runs = run_scenarios(Baseline(people, plan, services),
    ...                      [Scenario("now"), Scenario("dearer", price_factor=1.2)])
    >>> k = compare(runs, baseline="now")
    >>> k.columns.tolist()
    ['scenario', 'kpi', 'by', 'group', 'value', 'baseline_value', 'delta']
    >>> row = k[(k.scenario == "dearer") & (k.kpi == "losers") & (k.by == "all")]
    >>> int(row.value.item()) >= 1
    True
    """
    named = _named(results)
    if not named:
        raise InputError.single("arguments", "results", "must hold at least one result")
    names = [n for n, _ in named]
    if baseline is None:
        base = named[0][1]
    elif isinstance(baseline, str):
        if baseline not in names:
            raise InputError.single("arguments", "baseline", f"no result named {baseline!r}")
        base = named[names.index(baseline)][1]
    else:
        base = baseline
    base_k = kpis(base).rename(columns={"value": "baseline_value"})
    frames = []
    for name, r in named:
        k = kpis(r).merge(base_k, on=["kpi", "by", "group"], how="left")
        frames.append(pd.concat([k, _winner_rows(r, base)], ignore_index=True)
                      .assign(scenario=name))  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    money = out["kpi"].str.endswith("_eur").to_numpy()
    v = out["value"].to_numpy(np.float64)
    b = out["baseline_value"].to_numpy(np.float64)
    exact = (np.round(v * 100) - np.round(b * 100)) / 100.0
    out["delta"] = np.where(money, exact, v - b)
    return out[list(COMPARE_COLUMNS)]


def _compared(baseline: Baseline, base: ScenarioRun, scenario: Scenario) -> pd.DataFrame:
    """One scenario run and compared with the baseline's run (a sweep's task on a cluster):
    its rows of :func:`compare`, which depend on that run and the baseline's only."""
    return compare({scenario.name: run_scenario(baseline, scenario)}, baseline=base)


def sweep(
    baseline: Baseline,
    parameter: str,
    values: Sequence[float],
    workers: int = 1,
    *,
    client: Any = None,
) -> pd.DataFrame:
    """Run the baseline with a parameter at each value and compare every run with it.

    Parameters
    ----------
    baseline : Baseline
    parameter : {"price", "pot"}
        ``price``: every price times the value (``Scenario.price_factor``); ``pot``: the
        budgets scaled to the value times their total (``Scenario.pot_factor``).
    values : sequence of float > 0
        The factors, e.g. ``[1.0, 1.05, 1.1, 1.15, 1.2]`` for prices +0..20%.
    workers : int
        Processes for the runs (see :func:`run_scenarios`).
    client : distributed.Client, optional
        Run and compare each scenario as a task on this Dask cluster (the baseline and its
        run are sent to every worker once; only the KPI rows come back). Used, never closed.

    Returns
    -------
    DataFrame
        :func:`compare`'s columns against the unchanged baseline (scenario names such as
        ``"price x1.1"``), then ``parameter`` and ``factor``.

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> base = Baseline(*ibm.synthetic_zemgale(3, n_grt=2, n_ft=2, n_bsac=1))
    >>> s = sweep(base, "pot", [0.5, 1.0])
    >>> total = s[(s.kpi == "budget_eur") & (s.by == "all")]
    >>> total[["scenario", "factor", "delta"]].to_numpy().tolist() == [
    ...     ["pot x0.5", 0.5, round(-0.5 * total.baseline_value.iat[0], 2)],
    ...     ["pot x1", 1.0, 0.0]]
    True
    """
    if parameter not in SWEEPS:
        raise InputError.single(
            "arguments", "parameter", f"must be one of {', '.join(SWEEPS)} (got {parameter!r})"
        )
    if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray) or not len(values):
        raise InputError.single("arguments", "values", "must be a non-empty sequence of factors")
    factors = [float(v) if isinstance(v, int | float | np.number) else v for v in values]
    scenarios = [
        Scenario(f"{parameter} x{f:g}", **{SWEEPS[parameter]: f})  # type: ignore[arg-type]  # checked by Scenario
        for f in factors
    ]
    base = run_scenario(baseline)
    if client is not None:  # each scenario compared where it ran: only KPI rows come back
        inputs = client.scatter(baseline, broadcast=True)
        reference = client.scatter(base, broadcast=True)
        fn = getattr(sys.modules[__name__], "_compared", _compared)  # as the workers import it
        futures = [client.submit(fn, inputs, reference, s, pure=False) for s in scenarios]
        frames: list[pd.DataFrame] = client.gather(futures)
        out = pd.concat(frames, ignore_index=True)
    else:
        runs = run_scenarios(baseline, scenarios, workers=workers)
        out = compare({r.name: r for r in runs}, baseline=base)
    by_name = {s.name: f for s, f in zip(scenarios, factors, strict=True)}
    out["parameter"] = parameter
    out["factor"] = out["scenario"].map(by_name).astype(np.float64)
    return out
