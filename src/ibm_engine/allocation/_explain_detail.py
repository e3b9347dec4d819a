"""The ``limit_detail`` column of an explanation frame: each cause's numbers in short English."""

from __future__ import annotations

from ibm_engine._tolerances import VALUE_TOL
from ibm_engine.allocation._explain_model import ItemFacts, PlanFacts
from ibm_engine.allocation._explain_words import format_money, number_text

__all__ = ["detail_text"]


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
        cap = number_text(it.cap_number)
        return f"{it.cap_term} {cap} -> {it.upper} for {plan.period_weeks} weeks"
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
        need_h = number_text(round(it.step * it.hours_per_unit, 6))
        return f"need{s} {need_h} h, {number_text(round(it.room_hours, 6))} h of family time {room}"

    if it.blocked_by == "family_hours":
        return f"{what} {hours_words()}{one}"
    money = f"{format_money(it.step * it.price_cents)}, {format_money(it.room_cents)} {room}"
    hours = f"; and {hours_words()}" if it.hours_short else ""
    return f"{what} cost{s} {money}{hours}{one}"
