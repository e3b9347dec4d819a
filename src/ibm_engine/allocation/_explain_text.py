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

from ibm_engine._tolerances import DISPLAY_SHARE_TOL, DISPLAY_WHOLE_TOL, VALUE_TOL
from ibm_engine.allocation._phrases import OF_RECOMMENDED_LV, ONE_LV, PHRASES, UNIT_WORDS
from ibm_engine.errors import InputError

__all__ = [
    "LANGUAGES",
    "PHRASES",
    "ForcedFacts",
    "ItemFacts",
    "PlanFacts",
    "check_language",
    "detail_text",
    "format_money",
    "render_text",
]

#: languages of :func:`render_text`
LANGUAGES = ("en", "lv")

_SHORT = ("budget", "family_hours", "minimum_does_not_fit", "trade_off", "not_proven")


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
    whole = abs(x - round(x)) < DISPLAY_WHOLE_TOL
    out = str(round(x)) if whole else f"{x:.2f}".rstrip("0").rstrip(".")
    return out.replace(".", ",") if language == "lv" else out


def _one(n: float, language: str) -> bool:
    """Does ``n`` take the singular? (Latvian: numbers ending in 1 but not in 11.)"""
    k = round(n)
    if abs(n - k) >= DISPLAY_WHOLE_TOL:
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


def _what(it: ItemFacts, language: str, case: str = "nom") -> str:
    """The step in words: "one more session", "one session" or the smallest effective amount."""
    ph = PHRASES[language]
    if it.step > 1:
        return ph["least_acc" if case == "acc" else "least"].format(
            least=_units(it.step, it.unit, language)
        )
    if language == "lv":
        forms = ONE_LV[case].get(it.unit or "", ONE_LV[case][""])
        return forms[0] if it.units > 0 else forms[1]
    word = UNIT_WORDS[language].get(it.unit or "", UNIT_WORDS[language][""])[0]
    return ph["one_more" if it.units > 0 else "one"].format(unit=word)


def _after(it: ItemFacts, k: int, language: str) -> str:
    """What the room is left after: the services above it, and what this one already has."""
    keys = ("", "after_above", "after_own", "after_above_own")
    key = keys[2 * (it.units > 0) + (k > 0)]
    return PHRASES[language][key] if key else ""


def _hours(x: float, language: str) -> str:
    return _num(round(x, 2), language)


def _name(it: ItemFacts, language: str) -> str:
    return it.name_lv if language == "lv" else it.name_en


def _changes(it: ItemFacts, plan: PlanFacts, language: str) -> str:
    """The other items that forcing the step changes: "giving up A (2 sessions) and adding B"."""
    ph = PHRASES[language]
    parts: list[str] = []
    if it.forced is None:  # only a trade-off has its re-solve
        return ""
    for key, sign in (("give_up", -1), ("add", 1)):
        listed = [
            f"{_name(plan.items[j], language)} ({_units(abs(d), plan.items[j].unit, language)})"
            for j, d in it.forced.changes
            if d * sign > 0
        ]
        if listed:
            parts.append(ph[key].format(items=", ".join(listed)))
    out = ph["and"].join(parts)
    if it.forced.own_units > it.units + it.step:
        out += ph["own"].format(units=_units(it.forced.own_units, it.unit, language))
    return out


def _pcts(a: float, b: float, language: str) -> tuple[str, str]:
    """Two shares in per cent with as many decimals (1 to 6) as it takes to tell them apart."""
    digits = 1
    while digits < 6 and round(a, digits) == round(b, digits) and abs(a - b) > DISPLAY_SHARE_TOL:
        digits += 1
    out = (f"{a:.{digits}f}", f"{b:.{digits}f}")
    return (out[0].replace(".", ","), out[1].replace(".", ",")) if language == "lv" else out


def _trade_off(it: ItemFacts, plan: PlanFacts, language: str) -> str:
    """Where the money or time went instead, and what forcing the step would cost the list."""
    ph = PHRASES[language]
    if it.short_now is None or it.forced is None:
        return ph["trade_tiny"].format(what=_what(it, language))
    names = ", ".join(_name(plan.items[j], language) for j in it.preferred)
    out = ph[f"trade_{'both' if it.short_now == 'both' else it.short_now}"].format(names=names)
    fz, whole = it.forced, plan.weight_total
    if whole <= 0:
        return out
    changes = _changes(it, plan, language)
    what = _what(it, language, "acc")
    if fz.value >= plan.value - VALUE_TOL:
        optimum = _pcts(100 * plan.value / whole, 100 * plan.value / whole, language)[0]
        return out + ph["trade_tie"].format(what=what, changes=changes, optimum=optimum)
    best = fz.value if fz.proven else min(fz.bound, plan.value)
    forced, optimum = _pcts(100 * best / whole, 100 * plan.value / whole, language)
    key = "trade_cost" if fz.proven else "trade_cost_at_most"
    return out + ph[key].format(what=what, changes=changes, forced=forced, optimum=optimum)


def _why(it: ItemFacts, k: int, plan: PlanFacts, language: str) -> str:
    """The clause after the dash: what limits the item (``k``: its position in the list)."""
    ph = PHRASES[language]
    code = it.limited_by
    if code == "recommendation":
        return ph["full"]
    if code in ("legal_cap", "item_max_units"):
        return _cap(it, plan.period_weeks, language)
    least = _units(it.lower, it.unit, language)
    after = _after(it, k, language)
    if code == "minimum_does_not_fit" and it.blocked_by == "cap":
        return ph["min_cap" if it.cap_term else "min_rec"].format(least=least)
    if language == "lv":
        one = ONE_LV["nom"].get(it.unit or "", ONE_LV["nom"][""])[1]
    else:
        one = UNIT_WORDS[language].get(it.unit or "", UNIT_WORDS[language][""])[0]
    if code == "minimum_does_not_fit" and it.blocked_by == "family_hours":
        need_h = _hours(it.step * it.hours_per_unit, language)
        left_h = _hours(it.room_hours, language)
        return ph["min_hours"].format(least=least, need=need_h, left=left_h, after=after, unit=one)
    if code == "minimum_does_not_fit":
        need = format_money(it.step * it.price_cents, language)
        left = format_money(it.room_cents, language)
        return ph["min_money"].format(least=least, need=need, left=left, after=after, unit=one)
    what = _what(it, language)
    if code == "family_hours":
        return ph["hours"].format(
            week=_hours(plan.hours_cap / plan.period_weeks, language),
            cap=_hours(plan.hours_cap, language),
            what=what,
            need=_hours(it.step * it.hours_per_unit, language),
            left=_hours(it.room_hours, language),
            after=after,
        )
    if code == "budget":
        need = format_money(it.step * it.price_cents, language)
        left = format_money(it.room_cents, language)
        out = ph["budget"].format(what=what, need=need, left=left, after=after)
        if it.hours_short:
            need_h = _hours(it.step * it.hours_per_unit, language)
            out += ph["also_hours"].format(need=need_h, left=_hours(it.room_hours, language))
        more = ph["more"].format(more=_units(it.next_100, it.unit, language))
        return out + (more if it.next_100 > 0 else "")
    if code == "trade_off":
        return _trade_off(it, plan, language)
    return ph["not_proven"].format(what=what)


def _line(k: int, it: ItemFacts, plan: PlanFacts, language: str) -> str:
    ph = PHRASES[language]
    name = _name(it, language)
    if it.limited_by == "not_eligible":
        return ph["absent"].format(k=k + 1, name=name, why=_absent(it, plan, language))
    rec = _recommended(it.recommended, it.unit, language)
    cost = format_money(it.units * it.price_cents, language)
    why = _why(it, k, plan, language)
    if it.cap_term and it.limited_by in _SHORT:
        why += f" ({_cap(it, plan.period_weeks, language)})"
    return ph["item"].format(k=k + 1, name=name, units=it.units, rec=rec, cost=cost,
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
        best = plan.optimum_proven and plan.value >= plan.optimum - VALUE_TOL
        if plan.proven or best:
            lines.append(ph["proven"])
        else:
            share = _share(plan.value, plan.optimum, language)
            lines.append(ph["short_of_optimum"].format(share=share))
        return lines
    if plan.proven:
        lines.append(ph["proven"])
        if plan.reordered:
            lines.append(ph["reorder"])
    else:
        lines.append(ph["unproven"].format(share=_share(plan.value, plan.bound, language)))
    return lines


def render_text(plan: PlanFacts, language: str = "en", record_id: str | None = None) -> str:
    """The explanation of one participant's allocation as plain text (see ``explain_text``);
    with ``record_id``, a last line quotes the run's record (``Record <id>.``)."""
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
    lines.extend(_line(k, it, plan, language) for k, it in enumerate(plan.items))
    lines.extend(_closing(plan, language))
    if record_id is not None:
        lines.append(ph["record"].format(id=record_id))
    return "\n".join(lines)


def _step_words(it: ItemFacts) -> tuple[str, str]:
    """The step in short English with its verb ending: ("one more unit", "s") / ("4 units", "")."""
    if it.step > 1:
        return f"{it.step} units (the minimum)", ""
    return ("one more unit" if it.units > 0 else "1 unit"), "s"


def _trade_detail(it: ItemFacts, plan: PlanFacts) -> str:
    what, s = _step_words(it)
    need = format_money(it.step * it.price_cents)
    fits = f"{what} fit{s}: {need} of {format_money(it.room_cents)} not used by the items up to it"
    if it.limited_by == "not_proven":
        return f"{fits}; allocation not proven optimal"
    if it.short_now is None or it.forced is None:
        return f"{fits}; it adds less value than the tolerance"
    res = {"money": "money", "hours": "family hours", "both": "money and family hours"}
    went = ", ".join(plan.items[j].service for j in it.preferred)
    fz = it.forced
    if fz.value >= plan.value - VALUE_TOL:
        result = f"forcing it: equal value {fz.value:.6f} (ties go to items higher on the list)"
    elif fz.proven:
        result = f"forcing it: value {fz.value:.6f} < optimum {plan.value:.6f}"
    else:
        result = f"forcing it: value at most {min(fz.bound, plan.value):.6f} < {plan.value:.6f}"
    return f"{fits}; {res[it.short_now]} went to {went}; {result}"


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
    if code in ("trade_off", "not_proven"):
        return _trade_detail(it, plan)
    what, s = _step_words(it)
    room = "not used by the items up to it"
    one = "; 1 unit would fit" if code == "minimum_does_not_fit" else ""

    def hours_words() -> str:
        need_h = _num(round(it.step * it.hours_per_unit, 6))
        return f"need{s} {need_h} h, {_num(round(it.room_hours, 6))} h of family time {room}"

    if it.blocked_by == "family_hours":
        return f"{what} {hours_words()}{one}"
    money = f"{format_money(it.step * it.price_cents)}, {format_money(it.room_cents)} {room}"
    hours = f"; and {hours_words()}" if it.hours_short else ""
    return f"{what} cost{s} {money}{hours}{one}"
