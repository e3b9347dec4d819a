"""Why each item of one participant got what it got: a frame, a summary and plain text.

For every plan item the *binding reason* (``limited_by``) is worked out from the allocation:

- ``recommendation``: the item got all recommended units;
- ``legal_cap``: the upper bound is below the recommendation because of the catalogue row's
  ``max_units_per_week`` or ``max_units_per_year`` converted to the period, and the item got
  that bound;
- ``item_max_units``: likewise because of the plan item's own ``max_units``;
- ``not_eligible``: no catalogue row applies to this age, group and municipality;
- ``minimum_does_not_fit``: the item got nothing because its minimum effective amount is above
  the upper bound, or does not fit into the money or family hours not used by the items up to
  it although one unit would;
- ``budget`` / ``family_hours``: one more unit (or the minimum, from nothing) would not fit into
  the money / family hours not used by the items up to and including it: even if every item
  after it in the joint list got nothing;
- ``trade_off``: it would fit by giving up items after it, and the proven optimum prefers
  those items; the explanation names them and re-solves once with the step forced, to show what
  the list as a whole would lose;
- ``not_proven``: as ``trade_off``, but the allocation is not proven optimal, so nothing is
  claimed about which is better.

Under ``priority``, "not used by the items up to it" is exactly what was left when the item's
turn came, so no ``trade_off`` occurs. The rule is in :mod:`ibm_engine.allocation._explain_causes`.
``next_100_eur_units`` re-solves the one participant with 100 EUR more under the same policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ibm_engine.allocation._explain_detail import detail_text
from ibm_engine.allocation._explain_facts import LIMITS, Plan
from ibm_engine.allocation._explain_model import PlanFacts
from ibm_engine.allocation._explain_text import render_text
from ibm_engine.allocation._explain_words import check_language

if TYPE_CHECKING:
    from ibm_engine.allocation._result import AllocationResult

__all__ = ["LIMITS", "explain_frame", "explain_summary", "explain_text"]


def _summary(result: AllocationResult, e: Plan) -> dict[str, Any]:
    part = result.participants.iloc[e.p]
    value = float(part["value"])
    return {
        "participant_id": e.pid,
        "policy": result.policy,
        "period_weeks": e.weeks,
        "budget_eur": e.budget / 100,
        "spent_eur": e.spent / 100,
        "left_eur": (e.budget - e.spent) / 100,
        "value": value,
        "max_value": float(part["max_value"]),
        "bound": float(part["bound"]),
        "status": str(part["status"]),
        "optimal_value": e.optimum,
        "optimal_proven": e.optimum_proven,
        "value_per_euro": e.lam * 100.0,
        "value_per_hour": e.mu,
        "value_gain_100_eur": e.value_more - value,
        "hours_used": e.hours_used,
        "hours_available": e.hours_cap if np.isfinite(e.hours_cap) else None,
        "record_id": None if result.record is None else result.record.id,
    }


def _frame(result: AllocationResult, e: Plan, facts: PlanFacts) -> pd.DataFrame:
    prep = result._solved.prep
    eligible = e.cat_row >= 0
    short = e.rec - e.units
    fam = prep.family_rank[e.rows]
    family = {"family_rank": pd.array([f if f >= 1 else None for f in fam.tolist()], "Int64")}
    columns: dict[str, Any] = {
        "service": e.items["service"].array,
        "unit": e.items["unit"].array,
        "team_rank": prep.team_rank[e.rows],
        **(family if (fam >= 1).any() else {}),
        "weight": result._solved.asm.weight[e.rows],
        "recommended_units": e.rec,
        "upper_units": e.upper,
        "units": e.units,
        "coverage": e.units / e.rec,
        "unit_price_eur": np.where(eligible, e.cost / 100, np.nan),
        "cost_eur": e.cost * e.units / 100,
        "hours": e.hours * e.units,
        "reason": e.items["reason"].array,
        "limited_by": pd.Categorical.from_codes(e.code, categories=pd.Index(LIMITS)),
        "limit_detail": [detail_text(f, facts) for f in facts.items],
        "trade_off_with": [
            ",".join(facts.items[j].service for j in f.preferred) for f in facts.items
        ],
        "forced_value": [np.nan if f.forced is None else f.forced.value for f in facts.items],
        "shortfall_units": short,
        "shortfall_eur": np.where(eligible, short * e.cost / 100, np.nan),
        "next_100_eur_units": e.next_100,
    }
    out = pd.DataFrame(columns, index=pd.Index(e.items.index, name="item"))
    out.attrs.update(_summary(result, e))
    return out


def explain_summary(result: AllocationResult, participant_id: str) -> dict[str, Any]:
    """Participant-level figures behind an explanation.

    Parameters
    ----------
    result : AllocationResult
    participant_id : str

    Returns
    -------
    dict
        ``participant_id``, ``policy``, ``period_weeks``, ``budget_eur``, ``spent_eur``,
        ``left_eur``, ``value``, ``max_value``, ``bound`` and ``status`` (as in
        ``result.participants``); ``optimal_value`` / ``optimal_proven``: the value of an
        optimal allocation of the same problem (for the ``priority`` policy re-solved with the
        optimal one) and whether it is proven; ``value_per_euro``: the value per euro at the
        margin (the LP relaxation's budget multiplier x 100); ``value_per_hour``: likewise per
        family hour; ``value_gain_100_eur``: the value gained by re-solving with 100 EUR more
        under the same policy; ``hours_used`` and ``hours_available`` (``None``: no limit);
        ``record_id``: the id of the result's record (to quote on a notice).

    Raises
    ------
    InputError
        ``participant_id`` is unknown, or was rejected (the message says why).

    Examples
    --------
    >>> from ibm_engine.allocation import allocate
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
    >>> people = [{"participant_id": "P1", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 200.0}]
    >>> plan = [{"participant_id": "P1", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12}]
    >>> s = explain_summary(allocate(people, plan, services), "P1")
    >>> s["spent_eur"], s["left_eur"], s["status"], round(s["value_gain_100_eur"], 4)
    (189.0, 11.0, 'optimal', 0.3333)
    """
    return _summary(result, Plan(result, participant_id))


def explain_frame(result: AllocationResult, participant_id: str) -> pd.DataFrame:
    """What each plan item of one participant got and why, in joint-list order.

    Parameters
    ----------
    result : AllocationResult
        What :func:`ibm_engine.allocation` returned.
    participant_id : str
        An accepted participant of ``result``.

    Returns
    -------
    DataFrame
        One row per plan item (index: the item's row in ``result.items``), in joint-list order
        (weight descending, then team_rank): ``service``, ``unit``, ``team_rank``,
        ``family_rank`` (only when the participant gives family ranks), ``weight``,
        ``recommended_units``, ``upper_units``, ``units``, ``coverage``, ``unit_price_eur``,
        ``cost_eur``, ``hours``, ``reason``, ``limited_by`` (one of :data:`LIMITS`, see the
        module docstring), ``limit_detail`` (its numbers in words), ``shortfall_units``
        (recommended - units), ``shortfall_eur`` (shortfall x price, exact cents; NaN when not
        eligible) and ``next_100_eur_units`` (units this item gains when the participant is
        re-solved with 100 EUR more under the same policy; with the ``optimal`` policy an item
        can also lose units to a better combination). ``.attrs`` holds
        :func:`explain_summary` (with ``record_id``, the id of the result's record).

    Raises
    ------
    InputError
        ``participant_id`` is unknown, or was rejected (the message says why).

    Examples
    --------
    >>> from ibm_engine.allocation import allocate
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
    ...             {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0}]
    >>> people = [{"participant_id": "P1", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 500.0}]
    >>> plan = [{"participant_id": "P1", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12},
    ...         {"participant_id": "P1", "service": "psychologist", "team_rank": 2,
    ...          "recommended_units": 10}]
    >>> f = explain_frame(allocate(people, plan, services), "P1")
    >>> f[["service", "units", "limited_by", "shortfall_eur", "next_100_eur_units"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                service  units      limited_by  shortfall_eur  next_100_eur_units
    item
    0     physiotherapy     12  recommendation            0.0                   0
    1      psychologist      5          budget          175.0                   2
    >>> f.attrs["left_eur"]
    1.0
    """
    e = Plan(result, participant_id)
    return _frame(result, e, e.facts(result))


def explain_text(result: AllocationResult, participant_id: str, language: str = "en") -> str:
    """The explanation as plain text a social worker can show a family.

    Parameters
    ----------
    result : AllocationResult
    participant_id : str
    language : {"en", "lv"}
        English, or Latvian (fixed phrases with their diacritics; service names from the
        catalogue's ``name_lv`` / ``name_en`` columns when it has them, else the codes).

    Returns
    -------
    str
        The budget and what was spent, every item in joint-list order with what it got and
        why (legal caps with their numbers, why an item is not available, what 100 EUR more
        would add), and whether the allocation is proven optimal; the last line quotes
        the id of the result's record (``Record <id>.``, Latvian ``Ieraksts <id>.``), which
        changes with the software versions.

    Raises
    ------
    InputError
        Unknown or rejected ``participant_id``, or an unknown ``language``.

    Examples
    --------
    >>> from ibm_engine.allocation import allocate
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0},
    ...             {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0}]
    >>> people = [{"participant_id": "P1", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 500.0}]
    >>> plan = [{"participant_id": "P1", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12},
    ...         {"participant_id": "P1", "service": "psychologist", "team_rank": 2,
    ...          "recommended_units": 10}]
    >>> print(explain_text(allocate(people, plan, services), "P1"))
    ... # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
    Plan of participant P1 (26-week period; optimal allocation).
    Budget 500.00 EUR; spent 499.00 EUR; left 1.00 EUR.
    Services in the order of the joint list (the assessment team's ranking and yours,
    combined; a service higher on the list counts for more):
    1. Physiotherapy: 12 of 12 sessions recommended, 324.00 EUR — fully funded.
    2. Psychologist: 5 of 10 sessions recommended, 175.00 EUR — the budget ran out: one more
       session would cost 35.00 EUR, but only 1.00 EUR is left after the services above it on
       the list and what this one already has; 100 EUR more would add 2 sessions.
    This allocation is proven optimal: no other allocation within the budget and the rules
    funds more of the joint list, counting each service by its place on the list.
    Record ....
    """
    check_language(language)
    e = Plan(result, participant_id)
    record = result.record
    return render_text(e.facts(result), language, None if record is None else record.id)
