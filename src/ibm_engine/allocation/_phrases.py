"""Fixed phrases of the explanations, per language (English and Latvian).

Kept apart from the code that words the facts so that a translator edits one table.
"""

from __future__ import annotations

__all__ = ["OF_RECOMMENDED_LV", "PHRASES", "UNIT_WORDS"]

#: unit -> (singular, plural) per language
UNIT_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "session": ("session", "sessions"),
        "hour": ("hour", "hours"),
        "day": ("day", "days"),
        "trip": ("trip", "trips"),
        "month": ("month", "months"),
        "": ("unit", "units"),
    },
    "lv": {
        "session": ("nodarbība", "nodarbības"),
        "hour": ("stunda", "stundas"),
        "day": ("diena", "dienas"),
        "trip": ("brauciens", "braucieni"),
        "month": ("mēnesis", "mēneši"),
        "": ("vienība", "vienības"),
    },
}
#: Latvian "(5) of the N recommended ...": after "no", genitive singular / dative plural
OF_RECOMMENDED_LV: dict[str, tuple[str, str]] = {
    "session": ("ieteiktās nodarbības", "ieteiktajām nodarbībām"),
    "hour": ("ieteiktās stundas", "ieteiktajām stundām"),
    "day": ("ieteiktās dienas", "ieteiktajām dienām"),
    "trip": ("ieteiktā brauciena", "ieteiktajiem braucieniem"),
    "month": ("ieteiktā mēneša", "ieteiktajiem mēnešiem"),
    "": ("ieteiktās vienības", "ieteiktajām vienībām"),
}

#: every fixed phrase, per language (``str.format`` fields in braces)
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "header": "Plan of participant {pid} ({weeks} period; {policy}).",
        "optimal": "optimal allocation",
        "priority": "priority order",
        "money": "Budget {budget}; spent {spent}; left {left}.",
        "family": "Family time: {used} of {cap} available hours used.",
        "list": "Services in the order of the joint list:",
        "empty": "The plan lists no services.",
        "item": "{k}. {name}: {units} of {rec} recommended, {cost} — {why}",
        "full": "fully funded",
        "law": "limited by law to {cap} {per}: {got} for this {weeks} period",
        "week": "a week",
        "year": "a year",
        "plan_max": "the plan sets a maximum of {got}",
        "min_cap": "the smallest effective amount ({least}) is more than the rules allow for "
        "this period",
        "min_rec": "the smallest effective amount ({least}) is more than the recommendation",
        "min_hours": "the smallest effective amount ({least}) did not fit into the family time "
        "that was left ({left} hours)",
        "min_money": "the smallest effective amount ({least}, {need}) did not fit into what was "
        "left of the budget ({left})",
        "hours": "the family's available time ran out ({week} hours a week, {cap} for the period)",
        "budget": "the budget ran out",
        "more": "; 100 EUR more would add {more}",
        "absent": "{k}. {name}: not available to this person — {why}.",
        "not_offered": "not offered in {municipality}",
        "age": "age {age} is outside the ages it is for ({ages})",
        "group": "target group {group} is not among those it is for ({groups})",
        "age_and_group": "no catalogue entry matches both this age and this target group",
        "one_by_one": "Services were funded one by one in the order of the joint list.",
        "proven": "This allocation is proven optimal: no other allocation within the budget and "
        "the rules gives the joint list more value.",
        "unproven": "This allocation is not proven optimal: it reaches at least {share}% of the "
        "best possible value.",
        "short_of_optimum": "An optimal allocation would give the joint list more value: this "
        "one reaches {share}% of it.",
        "reorder": "This differs from funding the list one by one from the top: the optimal "
        "allocation may fund a service lower on the list instead of a higher one when that gives "
        "the plan as a whole more value.",
    },
    "lv": {
        "header": "Dalībnieka {pid} plāns (periods: {weeks}; {policy}).",
        "optimal": "optimālais sadalījums",
        "priority": "prioritāšu secība",
        "money": "Budžets {budget}; izlietots {spent}; atlikums {left}.",
        "family": "Ģimenes laiks: izmantotas {used} h no pieejamajām {cap} h.",
        "list": "Pakalpojumi kopīgā saraksta secībā:",
        "empty": "Plānā nav pakalpojumu.",
        "item": "{k}. {name}: {units} no {rec}, {cost} — {why}",
        "full": "pilns finansējums",
        "law": "likumā noteikts ne vairāk kā {cap} {per}: šim periodam ({weeks}) — {got}",
        "week": "nedēļā",
        "year": "gadā",
        "plan_max": "plānā noteiktais maksimums: {got}",
        "min_cap": "mazākais efektīvais apjoms ({least}) pārsniedz šim periodam atļauto",
        "min_rec": "mazākais efektīvais apjoms ({least}) pārsniedz ieteikto",
        "min_hours": "mazākais efektīvais apjoms ({least}) neietilpa atlikušajā ģimenes laikā "
        "({left} h)",
        "min_money": "mazākais efektīvais apjoms ({least}, {need}) neietilpa atlikušajā "
        "budžetā ({left})",
        "hours": "ģimenes laika nepietika ({week} h nedēļā, {cap} h periodā)",
        "budget": "budžeta nepietika",
        "more": "; ar 100 EUR vairāk būtu vēl {more}",
        "absent": "{k}. {name}: pakalpojums šai personai nav pieejams — {why}.",
        "not_offered": "netiek piedāvāts pašvaldībā {municipality}",
        "age": "vecums {age} neatbilst (vecums: {ages})",
        "group": "mērķa grupa {group} neatbilst ({groups})",
        "age_and_group": "neviens kataloga ieraksts neatbilst vienlaikus vecumam un mērķa grupai",
        "one_by_one": "Pakalpojumi finansēti pēc kārtas kopīgā saraksta secībā.",
        "proven": "Šis sadalījums ir pierādīti optimāls: neviens cits sadalījums budžeta un "
        "noteikumu robežās nedod kopīgajam sarakstam lielāku vērtību.",
        "unproven": "Šis sadalījums nav pierādīti optimāls: tas sasniedz vismaz {share}% no "
        "labākā iespējamā.",
        "short_of_optimum": "Optimāls sadalījums kopīgajam sarakstam dotu lielāku vērtību: šis "
        "sasniedz {share}% no tā.",
        "reorder": "Tas atšķiras no finansēšanas pēc kārtas no saraksta augšas: optimālais "
        "sadalījums var finansēt kādu zemāk sarakstā esošu pakalpojumu augstāka vietā, ja tā "
        "plāns kopumā iegūst vairāk.",
    },
}
