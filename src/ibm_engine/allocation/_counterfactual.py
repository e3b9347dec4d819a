"""Counterfactuals for appeals and planning, one participant at a time.

- :func:`at_budget_change`: the allocation at the budget changed by some percentages (all
  variants solved as one batch);
- :func:`with_assessment` / :func:`with_family_ranking`: the participant re-allocated with a
  corrected assessment or another family ranking, as a diff against the result.

The smallest budget that funds an item is :func:`~ibm_engine.allocation.smallest_budget_for`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ibm_engine.allocation._one import Items, unknown_services
from ibm_engine.allocation._rerun import PARTICIPANT_CHANGES, diff_frame, rerun
from ibm_engine.allocation._variants import argument_error, budget_variants
from ibm_engine.allocation._variants import reason_categorical as _reasons

if TYPE_CHECKING:
    from ibm_engine.allocation._result import AllocationResult

__all__ = ["at_budget_change", "with_assessment", "with_family_ranking"]


def _percentages(pct: object) -> list[float]:
    values = list(pct) if isinstance(pct, Iterable) and not isinstance(pct, str) else [pct]
    out = []
    for v in values:
        number = isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
        x = float(v) if number else math.nan  # type: ignore[arg-type]  # checked just above
        if not math.isfinite(x) or x < -100:
            raise argument_error("pct", f"must be numbers >= -100 (got {v!r})")
        out.append(x)
    if not out:
        raise argument_error("pct", "give at least one percentage")
    return out


def at_budget_change(
    result: AllocationResult, participant_id: object, pct: float | Iterable[float]
) -> pd.DataFrame:
    """The participant's allocation with the budget changed by ``pct`` percent.

    Parameters
    ----------
    result : AllocationResult
    participant_id : str
    pct : float or list of float
        Budget changes in percent (``-10`` = 10% less, ``25`` = 25% more), each >= -100.
        The new budget is rounded half up to whole cents.

    Returns
    -------
    DataFrame
        One row per variant and plan item, variants in the order given, items in joint-list
        order: ``pct``, ``budget_eur``, ``spent_eur`` and ``value`` of the variant, then
        ``service``, ``upper_units``, ``units``, ``units_change`` (against the result),
        ``cost_eur`` and ``reason``. Under the result's policy; all variants are solved as
        one batch.

    Raises
    ------
    InputError
        Unknown participant, or a percentage that is not a number >= -100.

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
    ...             {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0}]
    >>> people = [{"participant_id": "P1", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 500.0}]
    >>> plan = [{"participant_id": "P1", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12},
    ...         {"participant_id": "P1", "service": "psychologist", "team_rank": 2,
    ...          "recommended_units": 10}]
    >>> r = ibm.allocate(people, plan, services)
    >>> at_budget_change(r, "P1", [-20, 20])[["pct", "budget_eur", "service", "units",
    ...                                       "units_change", "reason"]]
        pct  budget_eur        service  units  units_change         reason
    0 -20.0       400.0  physiotherapy     12             0         funded
    1 -20.0       400.0   psychologist      2            -3  partly_funded
    2  20.0       600.0  physiotherapy     12             0         funded
    3  20.0       600.0   psychologist      7             2  partly_funded
    """
    it = Items.of(result, participant_id)
    pcts = _percentages(pct)
    budgets = np.array(
        [math.floor(it.budget * (100.0 + x) / 100.0 + 0.5) for x in pcts], dtype=np.int64
    )
    batch, sol = budget_variants(result, it.p, budgets)
    k, v = it.units.shape[0], budgets.shape[0]
    units = sol.units.reshape(v, k)
    _, spent, _ = batch.evaluate(sol.units) if batch.m else (None, np.zeros(v, np.int64), None)
    tile = np.tile
    return pd.DataFrame(
        {
            "pct": np.repeat(pcts, k),
            "budget_eur": np.repeat(budgets, k) / 100,
            "spent_eur": np.repeat(spent, k) / 100,
            "value": np.repeat(sol.value, k),
            "service": tile(np.array(it.service, dtype=object), v),
            "upper_units": tile(it.upper, v),
            "units": units.ravel(),
            "units_change": (units - it.units).ravel(),
            "cost_eur": (units * it.cost).ravel() / 100,
            "reason": _reasons(
                units.ravel(), tile(it.upper, v), tile(it.lower, v), tile(it.eligible, v)
            ),
        }
    )


def with_assessment(
    result: AllocationResult,
    participant_id: object,
    changes: Mapping[str, Mapping[str, object]] | None = None,
    *,
    participant: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """The participant re-allocated with a corrected assessment, as a diff.

    The participant's own rows (input columns, with the result's budget in cents) are
    allocated again with :func:`ibm_engine.allocate` and the result's policy, period and
    ``team_share``: without changes this gives exactly the result's rows for the participant
    (each participant is its own problem). Weights that came from a rank merge are passed on
    as they are unless a rank changes (then the ranks are merged again).

    Parameters
    ----------
    result : AllocationResult
    participant_id : str
    changes : mapping of service -> mapping of column -> value, optional
        New values of plan-item columns, per service: ``recommended_units``, ``min_units``,
        ``max_units``, ``team_rank``, ``family_rank`` (``None`` empties an optional one).
    participant : mapping of column -> value, optional
        New values of participant columns: one of
        ``budget_eur``, ``family_hours_per_week``, ``period_weeks``, ``age``,
        ``target_group``, ``municipality``.

    Returns
    -------
    DataFrame
        One row per plan item in the new joint-list order: ``service``, ``position_before``
        and ``position_after`` (joint-list positions), ``weight_before`` / ``weight_after``,
        ``units_before`` / ``units_after``, ``cost_before_eur`` / ``cost_after_eur``,
        ``reason_before`` / ``reason_after`` and ``changed`` (units, cost or reason differ).
        ``.attrs``: ``participant_id``, ``value_before``, ``value_after``, ``budget_before_eur``,
        ``budget_after_eur``, ``spent_before_eur``, ``spent_after_eur``.

    Raises
    ------
    InputError
        Unknown participant, a service not in the plan, a column that cannot be changed, or a
        new value the contract rejects (the message of :func:`ibm_engine.allocate`).

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
    ...             {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0}]
    >>> people = [{"participant_id": "P1", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 500.0}]
    >>> plan = [{"participant_id": "P1", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12},
    ...         {"participant_id": "P1", "service": "psychologist", "team_rank": 2,
    ...          "recommended_units": 10}]
    >>> r = ibm.allocate(people, plan, services)
    >>> d = with_assessment(r, "P1", {"physiotherapy": {"recommended_units": 8}})
    >>> d[["service", "units_before", "units_after", "cost_after_eur", "changed"]]
             service  units_before  units_after  cost_after_eur  changed
    0  physiotherapy            12            8           216.0     True
    1   psychologist             5            8           280.0     True
    >>> round(d.attrs["value_before"], 4), round(d.attrs["value_after"], 4)
    (0.8333, 0.9333)
    """
    it = Items.of(result, participant_id)
    changes = dict(changes or {})
    unknown = [s for s in changes if s not in it.service]
    if unknown:
        raise unknown_services(it.pid, unknown, it.service)
    bad = sorted(set(participant or {}) - set(PARTICIPANT_CHANGES))
    if bad:
        raise argument_error(
            "participant",
            f"cannot change {', '.join(bad)}; changeable: {', '.join(PARTICIPANT_CHANGES)}",
        )
    after = rerun(result, it, changes, dict(participant or {}))
    return diff_frame(result, it, after)


def with_family_ranking(
    result: AllocationResult, participant_id: object, family_rank: Mapping[str, int]
) -> pd.DataFrame:
    """The participant re-allocated with another family ranking, as a diff.

    Parameters
    ----------
    result : AllocationResult
    participant_id : str
    family_rank : mapping of service -> int
        The family's new order: a rank >= 1 for every service of the plan (the contract:
        a participant ranks all its items or none), each rank once.

    Returns
    -------
    DataFrame
        As :func:`with_assessment`.

    Raises
    ------
    InputError
        Unknown participant, services not in the plan or missing from ``family_rank``, or
        ranks the contract rejects.

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
    ...             {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0},
    ...             {"service": "music_therapy", "unit": "session", "unit_price_eur": 30.0}]
    >>> people = [{"participant_id": "P1", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 500.0}]
    >>> plan = [{"participant_id": "P1", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12},
    ...         {"participant_id": "P1", "service": "psychologist", "team_rank": 2,
    ...          "recommended_units": 10},
    ...         {"participant_id": "P1", "service": "music_therapy", "team_rank": 3,
    ...          "recommended_units": 6}]
    >>> r = ibm.allocate(people, plan, services, policy="priority")
    >>> d = with_family_ranking(r, "P1", {"music_therapy": 1, "physiotherapy": 2,
    ...                                   "psychologist": 3})
    >>> d[["service", "position_before", "position_after", "units_before", "units_after"]]
             service  position_before  position_after  units_before  units_after
    0  physiotherapy                1               1            12           12
    1  music_therapy                3               2             0            5
    2   psychologist                2               3             5            0
    """
    it = Items.of(result, participant_id)
    given = dict(family_rank)
    unknown = [s for s in given if s not in it.service]
    if unknown:
        raise unknown_services(it.pid, unknown, it.service)
    missing = [s for s in it.service if s not in given]
    if missing:
        raise argument_error(
            "family_rank",
            f"rank every service of the plan of {it.pid!r}; missing: {', '.join(missing)}",
        )
    return with_assessment(
        result, participant_id, {s: {"family_rank": r} for s, r in given.items()}
    )
