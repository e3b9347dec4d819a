"""The facts behind an explanation, worked out by :mod:`ibm_engine.allocation._explain_facts`
and worded by :mod:`ibm_engine.allocation._explain_text` (the family's text) and
:mod:`ibm_engine.allocation._explain_detail` (the frame's ``limit_detail``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ForcedFacts", "ItemFacts", "PlanFacts"]


@dataclass(frozen=True)
class ForcedFacts:
    """The best allocation that forces a trade-off item's step (one re-solve).

    ``changes`` lists ``(position, units)`` of the other items that would change (negative:
    given up), ``own_units`` the forced item's units in it (at least its step more), ``value``
    its value, ``bound`` a proven bound on the best such value and ``proven`` whether ``value``
    is proven best.
    """

    changes: tuple[tuple[int, int], ...]
    own_units: int
    value: float
    bound: float
    proven: bool


@dataclass(frozen=True)
class ItemFacts:
    """What one plan item got and why (the facts behind a row of the ``explain`` frame).

    ``cap_term`` names what sets ``upper`` below ``recommended`` (``max_units_per_week``,
    ``max_units_per_year`` or ``max_units``) and ``cap_number`` its number as given; ``step`` is
    the next amount the item could get (1 more unit, or its minimum from nothing);
    ``blocked_by`` is what stopped more units (``budget``, ``family_hours``, or ``cap`` when the
    minimum is above the upper bound); ``room_cents`` / ``room_hours`` are the money and family
    hours not used by the items up to and including this one (what it could use if every item
    after it got nothing); ``money_short`` / ``hours_short`` whether the step exceeds them;
    ``preferred`` the positions of the items after it that received what it is short of now
    (``short_now``: ``money``, ``hours`` or ``both``) in a ``trade_off``, ``forced`` the
    re-solve that forces its step. ``not_offered`` / ``ages`` / ``groups`` say why no
    catalogue row applies (empty when that criterion is not the reason).
    """

    service: str
    name_en: str
    name_lv: str
    unit: str | None
    recommended: int
    upper: int
    units: int
    lower: int
    step: int
    price_cents: int
    hours_per_unit: float
    limited_by: str
    cap_term: str | None
    cap_number: float
    blocked_by: str | None
    money_short: bool
    hours_short: bool
    room_cents: int
    room_hours: float
    preferred: tuple[int, ...]
    short_now: str | None
    forced: ForcedFacts | None
    next_100: int
    not_offered: bool = False
    ages: str = ""
    groups: str = ""


@dataclass(frozen=True)
class PlanFacts:
    """Participant-level facts (money in cents; ``hours_cap`` is ``inf`` without a limit).

    ``optimum`` is the value of an optimal allocation of the same problem (``optimum_proven``:
    proven), against which a ``priority`` allocation is judged; ``reordered``: an ``optimal``
    allocation that differs from filling the joint list from the top; ``weight_total`` the sum
    of the weights of all plan items (the value of funding every recommendation in full).
    """

    participant_id: str
    policy: str
    period_weeks: int
    age: int
    group: str
    municipality: str
    budget_cents: int
    spent_cents: int
    hours_cap: float
    hours_used: float
    value: float
    bound: float
    proven: bool
    optimum: float
    optimum_proven: bool
    reordered: bool
    weight_total: float
    items: tuple[ItemFacts, ...]
