"""Words for explanations: plain text in English and Latvian, and the ``limit_detail`` column.

This module only words facts that :mod:`ibm_engine.allocation._explain` has worked out
(:class:`PlanFacts`, :class:`ItemFacts`); it knows nothing of results, tables or solvers. All
fixed phrases of a language are in one table (:data:`PHRASES`). Money is formatted from integer
cents (never from floats): Latvian with a decimal comma and a space between thousands, English
with a decimal point and a comma.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ibm_engine.allocation._phrases import OF_RECOMMENDED_LV, PHRASES, UNIT_WORDS
from ibm_engine.errors import InputError

__all__ = [
    "LANGUAGES",
    "PHRASES",
    "ItemFacts",
    "PlanFacts",
    "check_language",
    "detail_text",
    "format_money",
    "render_text",
]

#: languages of :func:`render_text`
LANGUAGES = ("en", "lv")

_SHORT = ("budget", "family_hours", "minimum_does_not_fit")


@dataclass(frozen=True)
class ItemFacts:
    """What one plan item got and why (the facts behind a row of the ``explain`` frame).

    ``cap_term`` names what sets ``upper`` below ``recommended`` (``max_units_per_week``,
    ``max_units_per_year`` or ``max_units``) and ``cap_number`` its number as given;
    ``blocked_by`` is what stopped more units (``budget``, ``family_hours``, or ``cap`` when the
    minimum is above the upper bound); ``room_cents`` / ``room_hours`` are the money and family
    hours that were left for the item. ``not_offered`` / ``ages`` / ``groups`` say why no
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
    price_cents: int
    hours_per_unit: float
    limited_by: str
    cap_term: str | None
    cap_number: float
    blocked_by: str | None
    room_cents: int
    room_hours: float
    next_100: int
    not_offered: bool = False
    ages: str = ""
    groups: str = ""


@dataclass(frozen=True)
class PlanFacts:
    """Participant-level facts (money in cents; ``hours_cap`` is ``inf`` without a limit).

    ``optimum`` is the value of an optimal allocation of the same problem (``optimum_proven``:
    proven), against which a ``priority`` allocation is judged; ``reordered``: an ``optimal``
    allocation that differs from filling the joint list from the top.
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
    items: tuple[ItemFacts, ...]


def check_language(language: object) -> None:
    """Raise :class:`~ibm_engine.InputError` unless ``language`` is one of :data:`LANGUAGES`."""
    if language not in LANGUAGES:
        reason = f"must be 'en' or 'lv' (got {language!r})"
        raise InputError.single("arguments", "language", reason)


def format_money(cents: int, language: str = "en") -> str:
    """Cents as ``1,234.50 EUR`` (en) or ``1 234,50 EUR`` (lv), exact to the cent.

    Examples
    --------
    >>> format_money(123450), format_money(-5, "lv")
    ('1,234.50 EUR', '-0,05 EUR')
    """
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    whole = f"{euros:,}"
    if language == "lv":
        return f"{sign}{whole.replace(',', ' ')},{rest:02d} EUR"
    return f"{sign}{whole}.{rest:02d} EUR"


def _num(x: float, language: str = "en") -> str:
    """A count, cap or number of hours: whole numbers without decimals, others with up to two."""
    whole = abs(x - round(x)) < 1e-9
    out = str(round(x)) if whole else f"{x:.2f}".rstrip("0").rstrip(".")
    return out.replace(".", ",") if language == "lv" else out


def _one(n: float, language: str) -> bool:
    """Does ``n`` take the singular? (Latvian: numbers ending in 1 but not in 11.)"""
    k = round(n)
    if abs(n - k) >= 1e-9:
        return False
    return k % 10 == 1 and k % 100 != 11 if language == "lv" else k == 1


def _units(n: float, unit: str | None, language: str) -> str:
    """``12 sessions`` / ``21 diena``: the number with its unit word in agreement."""
    sing, plur = UNIT_WORDS[language].get(unit or "", UNIT_WORDS[language][""])
    return f"{_num(n, language)} {sing if _one(n, language) else plur}"


def _recommended(n: int, unit: str | None, language: str) -> str:
    """``12 sessions`` (en: "... of 12 sessions recommended") / ``12 ieteiktajām nodarbībām``."""
    if language == "en":
        return _units(n, unit, language)
    sing, plur = OF_RECOMMENDED_LV.get(unit or "", OF_RECOMMENDED_LV[""])
    return f"{n} {sing if _one(n, language) else plur}"


def _weeks(t: int, language: str) -> str:
    if language == "en":
        return f"{t}-week"
    return f"{t} {'nedēļa' if _one(t, language) else 'nedēļas'}"


def _cap(it: ItemFacts, weeks: int, language: str) -> str:
    """The rule that sets the upper bound, with its numbers."""
    ph = PHRASES[language]
    got = _units(it.upper, it.unit, language)
    if it.cap_term in ("max_units_per_week", "max_units_per_year"):
        per = ph["week" if it.cap_term == "max_units_per_week" else "year"]
        cap = _units(it.cap_number, it.unit, language)
        return ph["law"].format(cap=cap, per=per, got=got, weeks=_weeks(weeks, language))
    return ph["plan_max"].format(got=got)


def _absent(it: ItemFacts, plan: PlanFacts, language: str) -> str:
    """Why no catalogue row applies."""
    ph = PHRASES[language]
    if it.not_offered:
        return ph["not_offered"].format(municipality=plan.municipality)
    parts = [ph["age"].format(age=plan.age, ages=it.ages)] if it.ages else []
    if it.groups:
        parts.append(ph["group"].format(group=plan.group, groups=it.groups))
    return "; ".join(parts) or ph["age_and_group"]


def _why(it: ItemFacts, plan: PlanFacts, language: str) -> str:
    """The clause after the dash: what limits the item."""
    ph = PHRASES[language]
    code = it.limited_by
    if code == "recommendation":
        return ph["full"]
    if code in ("legal_cap", "item_max_units"):
        return _cap(it, plan.period_weeks, language)
    least = _units(it.lower, it.unit, language)
    if code == "minimum_does_not_fit" and it.blocked_by == "cap":
        return ph["min_cap" if it.cap_term else "min_rec"].format(least=least)
    if code == "minimum_does_not_fit" and it.blocked_by == "family_hours":
        return ph["min_hours"].format(least=least, left=_num(round(it.room_hours, 2), language))
    if code == "minimum_does_not_fit":
        need = format_money(it.lower * it.price_cents, language)
        return ph["min_money"].format(
            least=least, need=need, left=format_money(it.room_cents, language)
        )
    if code == "family_hours":
        week = _num(round(plan.hours_cap / plan.period_weeks, 2), language)
        return ph["hours"].format(week=week, cap=_num(round(plan.hours_cap, 2), language))
    more = ph["more"].format(more=_units(it.next_100, it.unit, language))
    return ph["budget"] + (more if it.next_100 > 0 else "")


def _line(k: int, it: ItemFacts, plan: PlanFacts, language: str) -> str:
    ph = PHRASES[language]
    name = it.name_lv if language == "lv" else it.name_en
    if it.limited_by == "not_eligible":
        return ph["absent"].format(k=k, name=name, why=_absent(it, plan, language))
    rec = _recommended(it.recommended, it.unit, language)
    cost = format_money(it.units * it.price_cents, language)
    why = _why(it, plan, language)
    if it.cap_term and it.limited_by in _SHORT:
        why += f" ({_cap(it, plan.period_weeks, language)})"
    return ph["item"].format(k=k, name=name, units=it.units, rec=rec, cost=cost,
                             why=why) + "."  # fmt: skip


def _share(part: float, whole: float, language: str) -> str:
    """``part / whole`` in per cent, rounded down to 0.1 (never overstated)."""
    pct = 100.0 if whole <= 0 else min(100.0, math.floor(1000.0 * part / whole) / 10.0)
    return _num(pct, language)


def _closing(plan: PlanFacts, language: str) -> list[str]:
    ph = PHRASES[language]
    lines: list[str] = []
    if plan.policy == "priority":
        lines.append(ph["one_by_one"])
        best = plan.optimum_proven and plan.value >= plan.optimum - 1e-9
        if plan.proven or best:
            lines.append(ph["proven"])
        else:
            share = _share(plan.value, plan.optimum, language)
            lines.append(ph["short_of_optimum"].format(share=share))
        return lines
    if plan.proven:
        lines.append(ph["proven"])
    else:
        lines.append(ph["unproven"].format(share=_share(plan.value, plan.bound, language)))
    if plan.reordered:
        lines.append(ph["reorder"])
    return lines


def render_text(plan: PlanFacts, language: str = "en") -> str:
    """The explanation of one participant's allocation as plain text (see ``explain_text``)."""
    check_language(language)
    ph = PHRASES[language]
    money = {
        "budget": format_money(plan.budget_cents, language),
        "spent": format_money(plan.spent_cents, language),
        "left": format_money(plan.budget_cents - plan.spent_cents, language),
    }
    weeks = _weeks(plan.period_weeks, language)
    lines = [
        ph["header"].format(pid=plan.participant_id, weeks=weeks, policy=ph[plan.policy]),
        ph["money"].format(**money),
    ]
    if math.isfinite(plan.hours_cap):
        used = _num(round(plan.hours_used, 2), language)
        lines.append(ph["family"].format(used=used, cap=_num(round(plan.hours_cap, 2), language)))
    lines.append(ph["list"] if plan.items else ph["empty"])
    lines.extend(_line(k, it, plan, language) for k, it in enumerate(plan.items, start=1))
    lines.extend(_closing(plan, language))
    return "\n".join(lines)


def detail_text(it: ItemFacts, plan: PlanFacts) -> str:
    """The binding reason's numbers in short English (the ``limit_detail`` column)."""
    code = it.limited_by
    if code == "recommendation":
        return "all recommended units"
    if code in ("legal_cap", "item_max_units") and it.cap_term == "max_units":
        return f"max_units {it.upper}"
    if code in ("legal_cap", "item_max_units"):
        return f"{it.cap_term} {_num(it.cap_number)} -> {it.upper} for {plan.period_weeks} weeks"
    if code == "not_eligible":
        if it.not_offered:
            return f"no catalogue row for municipality {plan.municipality}"
        why = [f"age {plan.age} not in {it.ages}"] if it.ages else []
        why += [f"group {plan.group} not in {it.groups}"] if it.groups else []
        return "no catalogue row applies: " + ("; ".join(why) or "none fits both age and group")
    if it.blocked_by == "cap":
        return f"min_units {it.lower} > upper_units {it.upper}"
    n = 1 if it.units > 0 else it.lower
    what = "one more unit" if n == 1 else f"{n} units"
    if it.blocked_by == "family_hours":
        need = _num(round(n * it.hours_per_unit, 6))
        return f"{what} need {need} h, {_num(round(it.room_hours, 6))} h of family time left"
    need_m = format_money(n * it.price_cents)
    return f"{what} cost {need_m}, {format_money(it.room_cents)} left"
