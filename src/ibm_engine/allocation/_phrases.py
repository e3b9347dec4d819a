"""Fixed phrases of the explanations, per language (English and Latvian).

Kept apart from the code that words the facts so that a translator edits one table.
"""

from __future__ import annotations

__all__ = [
    "CAUSE_PHRASES",
    "GLOSSARY",
    "OF_RECOMMENDED_LV",
    "ONE_LV",
    "PHRASES",
    "UNIT_WORDS",
]

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

#: Latvian "one more ..." / "one ..." per unit, nominative and accusative (the numeral agrees
#: with the unit's gender: viena nodarbība, viens brauciens)
ONE_LV: dict[str, dict[str, tuple[str, str]]] = {
    "nom": {
        "session": ("vēl viena nodarbība", "viena nodarbība"),
        "hour": ("vēl viena stunda", "viena stunda"),
        "day": ("vēl viena diena", "viena diena"),
        "trip": ("vēl viens brauciens", "viens brauciens"),
        "month": ("vēl viens mēnesis", "viens mēnesis"),
        "": ("vēl viena vienība", "viena vienība"),
    },
    "acc": {
        "session": ("vēl vienu nodarbību", "vienu nodarbību"),
        "hour": ("vēl vienu stundu", "vienu stundu"),
        "day": ("vēl vienu dienu", "vienu dienu"),
        "trip": ("vēl vienu braucienu", "vienu braucienu"),
        "month": ("vēl vienu mēnesi", "vienu mēnesi"),
        "": ("vēl vienu vienību", "vienu vienību"),
    },
}

#: the words a family reads, English -> Latvian (docs/explanations.md shows this table; a test
#: keeps the two equal and checks that the Latvian phrases use these terms)
GLOSSARY: dict[str, str] = {
    "joint list": "kopīgais saraksts",
    "assessment team": "speciālistu komanda",
    "budget": "budžets",
    "family time": "ģimenes laiks",
    "smallest effective amount": "mazākais efektīvais apjoms",
    "recommended": "ieteiktais",
    "fully funded": "pilns finansējums",
    "proven optimal": "pierādīti optimāls",
    "allocation": "sadalījums",
    "priority order": "prioritāšu secība",
}

#: every fixed phrase, per language (``str.format`` fields in braces). The clause after an
#: item's dash has one phrase per cause of ``limited_by`` (``CAUSE_PHRASES``).
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "header": "Plan of participant {pid} ({weeks} period; {policy}).",
        "record": "Record {id}.",
        "optimal": "optimal allocation",
        "priority": "priority order",
        "money": "Budget {budget}; spent {spent}; left {left}.",
        "family": "Family time: {used} of {cap} available hours used.",
        "list": "Services in the order of the joint list (the assessment team's ranking and "
        "yours, combined; a service higher on the list counts for more):",
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
        "min_hours": "the smallest effective amount ({least}, {need} h) did not fit into the "
        "family time left{after} ({left} h), although one {unit} would have",
        "min_money": "the smallest effective amount ({least}, {need}) did not fit into what was "
        "left of the budget{after} ({left}), although one {unit} would have",
        "budget": "the budget ran out: {what} would cost {need}, but only {left} is left{after}",
        "also_hours": "; it would also need {need} h of family time, and only {left} h is left",
        "hours": "the family's available time ran out ({week} h a week, {cap} h for the period):"
        " {what} would need {need} h, but only {left} h is left{after}",
        "after_above": " after the services above it on the list",
        "after_above_own": " after the services above it on the list and what this one already has",
        "after_own": " after what this service already has",
        "one_more": "one more {unit}",
        "one": "one {unit}",
        "least": "the smallest effective amount ({least})",
        "least_acc": "the smallest effective amount ({least})",
        "trade_money": "the rest of the budget went to services lower on the joint list ({names})",
        "trade_hours": "the rest of the family time went to services lower on the joint list "
        "({names})",
        "trade_both": "the rest of the budget and of the family time went to services lower on "
        "the joint list ({names})",
        "trade_cost": "; funding {what} would mean {changes}, and the list as a whole "
        "would then be funded to {forced}% instead of {optimum}% of what was recommended",
        "trade_cost_at_most": "; funding {what} would mean {changes}, and the list as a "
        "whole would then be funded to at most {forced}% instead of {optimum}% of what was "
        "recommended",
        "trade_tie": "; funding {what} is possible with the list as a whole funded "
        "equally well ({optimum}% of what was recommended) by {changes}; between equally good "
        "allocations, the one that gives more to the services higher on the list is chosen",
        "trade_tiny": "{what} would still fit, but would add almost nothing to the list as a "
        "whole (less than the optimiser counts as a difference)",
        "give_up": "giving up {items}",
        "add": "adding {items}",
        "own": "; the best allocation that does so gives it {units} in all",
        "and": " and ",
        "not_proven": "{what} would fit if services lower on the list got less; this allocation "
        "is not proven optimal, so it is not known whether that would fund the list better",
        "more": "; 100 EUR more would add {more}",
        "absent": "{k}. {name}: not available to this person — {why}.",
        "not_offered": "not offered in {municipality}",
        "age": "age {age} is outside the ages it is for ({ages})",
        "group": "target group {group} is not among those it is for ({groups})",
        "age_and_group": "no catalogue entry matches both this age and this target group",
        "one_by_one": "Services were funded one by one in the order of the joint list.",
        "proven": "This allocation is proven optimal: no other allocation within the budget and "
        "the rules funds more of the joint list, counting each service by its place on the "
        "list.",
        "unproven": "This allocation is not proven optimal: it funds at least {share}% as much "
        "of the joint list as the best possible allocation.",
        "short_of_optimum": "An optimal allocation would fund more of the joint list: this one "
        "reaches {share}% of what it reaches.",
        "reorder": "This differs from funding the list one by one from the top: here, funding "
        "some services lower on the list instead of higher ones funds more of the list as a "
        "whole.",
    },
    "lv": {
        "header": "Dalībnieka {pid} plāns (periods: {weeks}; {policy}).",
        "record": "Ieraksts {id}.",
        "optimal": "optimālais sadalījums",
        "priority": "prioritāšu secība",
        "money": "Budžets {budget}; izlietots {spent}; atlikums {left}.",
        "family": "Ģimenes laiks: izmantotas {used} h no pieejamajām {cap} h.",
        "list": "Pakalpojumi kopīgā saraksta secībā (speciālistu komandas un jūsu prioritātes "
        "apvienotas; augstāk sarakstā esošs pakalpojums sver vairāk):",
        "empty": "Plānā nav pakalpojumu.",
        "item": "{k}. {name}: {units} no {rec}, {cost} — {why}",
        "full": "pilns finansējums",
        "law": "likumā noteikts ne vairāk kā {cap} {per}: šim periodam ({weeks}) — {got}",
        "week": "nedēļā",
        "year": "gadā",
        "plan_max": "plānā noteiktais maksimums: {got}",
        "min_cap": "mazākais efektīvais apjoms ({least}) pārsniedz šim periodam atļauto",
        "min_rec": "mazākais efektīvais apjoms ({least}) pārsniedz ieteikto",
        "min_hours": "mazākais efektīvais apjoms ({least}, {need} h) neietilpa ģimenes laikā, "
        "kas palika{after} ({left} h), lai gan {unit} ietilptu",
        "min_money": "mazākais efektīvais apjoms ({least}, {need}) neietilpa budžetā, kas "
        "palika{after} ({left}), lai gan {unit} ietilptu",
        "budget": "budžeta nepietika: {what} maksātu {need}, bet{after} palika tikai {left}",
        "also_hours": "; tai vajadzētu arī {need} h ģimenes laika, bet palika tikai {left} h",
        "hours": "ģimenes laika nepietika ({week} h nedēļā, {cap} h periodā): {what} prasītu "
        "{need} h, bet{after} palika tikai {left} h",
        "after_above": " pēc augstāk sarakstā esošajiem pakalpojumiem",
        "after_above_own": " pēc augstāk sarakstā esošajiem pakalpojumiem un šim pakalpojumam "
        "jau piešķirtā",
        "after_own": " pēc šim pakalpojumam jau piešķirtā",
        "one_more": "{unit}",
        "one": "{unit}",
        "least": "mazākais efektīvais apjoms ({least})",
        "least_acc": "mazāko efektīvo apjomu ({least})",
        "trade_money": "atlikušais budžets tika piešķirts zemāk kopīgajā sarakstā esošiem "
        "pakalpojumiem ({names})",
        "trade_hours": "atlikušais ģimenes laiks tika piešķirts zemāk kopīgajā sarakstā esošiem "
        "pakalpojumiem ({names})",
        "trade_both": "atlikušais budžets un ģimenes laiks tika piešķirti zemāk kopīgajā sarakstā "
        "esošiem pakalpojumiem ({names})",
        "trade_cost": "; lai finansētu {what}, būtu {changes}, un viss saraksts kopumā tad būtu "
        "finansēts par {forced}%, nevis {optimum}% no ieteiktā",
        "trade_cost_at_most": "; lai finansētu {what}, būtu {changes}, un viss saraksts kopumā "
        "tad būtu finansēts ne vairāk kā par {forced}%, nevis {optimum}% no ieteiktā",
        "trade_tie": "; finansēt {what} var, saglabājot visa saraksta finansējumu tikpat labu "
        "({optimum}% no ieteiktā), ja {changes}; starp vienlīdz labiem sadalījumiem izvēlas to, "
        "kas vairāk dod augstāk sarakstā esošajiem pakalpojumiem",
        "trade_tiny": "{what} vēl ietilptu, taču sarakstam kopumā gandrīz neko nepievienotu "
        "(mazāk, nekā optimizētājs uzskata par atšķirību)",
        "give_up": "jāatsakās no: {items}",
        "add": "jāpiešķir vairāk: {items}",
        "own": "; labākajā šādā sadalījumā tam kopā ir {units}",
        "and": " un ",
        "not_proven": "{what} ietilptu, ja zemāk sarakstā esošie pakalpojumi saņemtu mazāk; šis "
        "sadalījums nav pierādīti optimāls, tāpēc nav zināms, vai tā sarakstu finansētu labāk",
        "more": "; ar 100 EUR vairāk būtu vēl {more}",
        "absent": "{k}. {name}: pakalpojums šai personai nav pieejams — {why}.",
        "not_offered": "netiek piedāvāts pašvaldībā {municipality}",
        "age": "vecums {age} neatbilst (vecums: {ages})",
        "group": "mērķa grupa {group} neatbilst ({groups})",
        "age_and_group": "neviens kataloga ieraksts neatbilst vienlaikus vecumam un mērķa grupai",
        "one_by_one": "Pakalpojumi finansēti pēc kārtas kopīgā saraksta secībā.",
        "proven": "Šis sadalījums ir pierādīti optimāls: neviens cits sadalījums budžeta un "
        "noteikumu robežās nefinansē lielāku kopīgā saraksta daļu, vērtējot katru pakalpojumu "
        "pēc tā vietas sarakstā.",
        "unproven": "Šis sadalījums nav pierādīti optimāls: tas finansē vismaz {share}% no tā, "
        "ko finansētu labākais iespējamais sadalījums.",
        "short_of_optimum": "Optimāls sadalījums finansētu lielāku kopīgā saraksta daļu: šis "
        "sasniedz {share}% no tā.",
        "reorder": "Tas atšķiras no finansēšanas pēc kārtas no saraksta augšas: šeit, finansējot "
        "dažus zemāk sarakstā esošus pakalpojumus augstāk esošo vietā, sarakstu kopumā finansē "
        "vairāk.",
    },
}

#: the phrase that opens the clause of each cause of ``limited_by`` (tests check that every
#: cause has one in every language and that the text uses it)
CAUSE_PHRASES: dict[str, tuple[str, ...]] = {
    "recommendation": ("full",),
    "legal_cap": ("law",),
    "item_max_units": ("plan_max",),
    "not_eligible": ("absent",),
    "minimum_does_not_fit": ("min_cap", "min_rec", "min_hours", "min_money"),
    "budget": ("budget",),
    "family_hours": ("hours",),
    "trade_off": ("trade_money", "trade_hours", "trade_both", "trade_tiny"),
    "not_proven": ("not_proven",),
}
