"""The explanation a family reads: plain text in English and Latvian.

This module only words facts that :mod:`ibm_engine.allocation._explain_facts` has worked out
(:mod:`ibm_engine.allocation._explain_model`); it knows nothing of results, tables or solvers.
The fixed phrases of each language are in one table (``_phrases.PHRASES``), numbers, money and
units are worded by :mod:`ibm_engine.allocation._explain_words`; the frame's short
``limit_detail`` is :mod:`ibm_engine.allocation._explain_detail`.
"""

from __future__ import annotations

import math

from ibm_engine._tolerances import DISPLAY_SHARE_TOL, VALUE_TOL
from ibm_engine.allocation._explain_model import ItemFacts, PlanFacts
from ibm_engine.allocation._explain_words import (
    check_language,
    format_money,
    hours_text,
    number_text,
    period_text,
    recommended_text,
    record_line,
    units_text,
)
from ibm_engine.allocation._phrases import ONE_LV, PHRASES, UNIT_WORDS

__all__ = ["render_text"]


_SHORT = ("budget", "family_hours", "minimum_does_not_fit", "trade_off", "not_proven")


def _cap(it: ItemFacts, weeks: int, language: str) -> str:
    """The rule that sets the upper bound, with its numbers."""
    ph = PHRASES[language]
    got = units_text(it.upper, it.unit, language)
    if it.cap_term in ("max_units_per_week", "max_units_per_year"):
        per = ph["week" if it.cap_term == "max_units_per_week" else "year"]
        cap = units_text(it.cap_number, it.unit, language)
        return ph["law"].format(cap=cap, per=per, got=got, weeks=period_text(weeks, language))
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
            least=units_text(it.step, it.unit, language)
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
            f"{_name(plan.items[j], language)} ({units_text(abs(d), plan.items[j].unit, language)})"
            for j, d in it.forced.changes
            if d * sign > 0
        ]
        if listed:
            parts.append(ph[key].format(items=", ".join(listed)))
    out = ph["and"].join(parts)
    if it.forced.own_units > it.units + it.step:
        out += ph["own"].format(units=units_text(it.forced.own_units, it.unit, language))
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
    least = units_text(it.lower, it.unit, language)
    after = _after(it, k, language)
    if code == "minimum_does_not_fit" and it.blocked_by == "cap":
        return ph["min_cap" if it.cap_term else "min_rec"].format(least=least)
    if language == "lv":
        one = ONE_LV["nom"].get(it.unit or "", ONE_LV["nom"][""])[1]
    else:
        one = UNIT_WORDS[language].get(it.unit or "", UNIT_WORDS[language][""])[0]
    if code == "minimum_does_not_fit" and it.blocked_by == "family_hours":
        need_h = hours_text(it.step * it.hours_per_unit, language)
        left_h = hours_text(it.room_hours, language)
        return ph["min_hours"].format(least=least, need=need_h, left=left_h, after=after, unit=one)
    if code == "minimum_does_not_fit":
        need = format_money(it.step * it.price_cents, language)
        left = format_money(it.room_cents, language)
        return ph["min_money"].format(least=least, need=need, left=left, after=after, unit=one)
    what = _what(it, language)
    if code == "family_hours":
        return ph["hours"].format(
            week=hours_text(plan.hours_cap / plan.period_weeks, language),
            cap=hours_text(plan.hours_cap, language),
            what=what,
            need=hours_text(it.step * it.hours_per_unit, language),
            left=hours_text(it.room_hours, language),
            after=after,
        )
    if code == "budget":
        need = format_money(it.step * it.price_cents, language)
        left = format_money(it.room_cents, language)
        out = ph["budget"].format(what=what, need=need, left=left, after=after)
        if it.hours_short:
            need_h = hours_text(it.step * it.hours_per_unit, language)
            out += ph["also_hours"].format(need=need_h, left=hours_text(it.room_hours, language))
        more = ph["more"].format(more=units_text(it.next_100, it.unit, language))
        return out + (more if it.next_100 > 0 else "")
    if code == "trade_off":
        return _trade_off(it, plan, language)
    return ph["not_proven"].format(what=what)


def _line(k: int, it: ItemFacts, plan: PlanFacts, language: str) -> str:
    ph = PHRASES[language]
    name = _name(it, language)
    if it.limited_by == "not_eligible":
        return ph["absent"].format(k=k + 1, name=name, why=_absent(it, plan, language))
    rec = recommended_text(it.recommended, it.unit, language)
    cost = format_money(it.units * it.price_cents, language)
    why = _why(it, k, plan, language)
    if it.cap_term and it.limited_by in _SHORT:
        why += f" ({_cap(it, plan.period_weeks, language)})"
    return ph["item"].format(k=k + 1, name=name, units=it.units, rec=rec, cost=cost,
                             why=why) + "."  # fmt: skip


def _share(part: float, whole: float, language: str) -> str:
    """``part / whole`` in per cent, rounded down to 0.1 (never overstated)."""
    pct = 100.0 if whole <= 0 else min(100.0, math.floor(1000.0 * part / whole) / 10.0)
    return number_text(pct, language)


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
    weeks = period_text(plan.period_weeks, language)
    lines = [
        ph["header"].format(pid=plan.participant_id, weeks=weeks, policy=ph[plan.policy]),
        ph["money"].format(**money),
    ]
    if math.isfinite(plan.hours_cap):
        used = number_text(round(plan.hours_used, 2), language)
        lines.append(
            ph["family"].format(used=used, cap=number_text(round(plan.hours_cap, 2), language))
        )
    lines.append(ph["list"] if plan.items else ph["empty"])
    lines.extend(_line(k, it, plan, language) for k, it in enumerate(plan.items))
    lines.extend(_closing(plan, language))
    lines.extend(record_line(record_id, language))
    return "\n".join(lines)
