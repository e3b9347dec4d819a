"""Latvian and English labels of the result columns, reasons, statuses and report texts.

One table for a translator to edit. Phrases the explanations already have (fully funded, the
policies, unit words) are taken from :mod:`ibm_engine.allocation._phrases`, not repeated.
"""

from __future__ import annotations

from typing import Final

from ibm_engine.allocation._phrases import PHRASES, UNIT_WORDS
from ibm_engine.errors import InputError

__all__ = [
    "COLUMN_LABELS",
    "LANGUAGES",
    "TEXT",
    "VALUE_LABELS",
    "check_lang",
    "column_label",
    "value_label",
]

#: languages of the labels
LANGUAGES: Final = ("en", "lv")

#: column -> (English, Latvian)
_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    # contract input columns
    "participant_id": ("Participant", "Dalībnieks"),
    "target_group": ("Target group", "Mērķa grupa"),
    "age": ("Age", "Vecums"),
    "municipality": ("Municipality", "Pašvaldība"),
    "budget_eur": ("Budget (EUR)", "Budžets (EUR)"),
    "family_hours_per_week": ("Family hours per week", "Ģimenes stundas nedēļā"),
    "period_weeks": ("Period (weeks)", "Periods (nedēļas)"),
    "service": ("Service", "Pakalpojums"),
    "team_rank": ("Team rank", "Komandas prioritāte"),
    "family_rank": ("Family rank", "Ģimenes prioritāte"),
    "weight": ("Weight", "Svars"),
    "recommended_units": ("Recommended units", "Ieteiktais apjoms"),
    "min_units": ("Smallest effective units", "Mazākais efektīvais apjoms"),
    "max_units": ("Maximum units", "Lielākais apjoms"),
    # items result
    "unit": ("Unit", "Mērvienība"),
    "units": ("Units funded", "Finansētais apjoms"),
    "unit_price_eur": ("Unit price (EUR)", "Vienības cena (EUR)"),
    "cost_eur": ("Cost (EUR)", "Izmaksas (EUR)"),
    "upper_units": ("Most units possible", "Lielākais iespējamais apjoms"),
    "coverage": ("Coverage", "Nodrošinājums"),
    "hours": ("Family hours", "Ģimenes stundas"),
    "reason": ("Reason", "Iemesls"),
    # participants result
    "spent_eur": ("Spent (EUR)", "Izlietots (EUR)"),
    "left_eur": ("Left (EUR)", "Atlikums (EUR)"),
    "value": ("Value", "Vērtība"),
    "max_value": ("Greatest value", "Lielākā vērtība"),
    "bound": ("Upper bound of the value", "Vērtības augšējā robeža"),
    "status": ("Status", "Statuss"),
    "policy": ("Policy", "Sadales veids"),
    "items_funded": ("Services fully funded", "Pilnībā finansēti pakalpojumi"),
    "items_partly_funded": ("Services partly funded", "Daļēji finansēti pakalpojumi"),
    "items_not_funded": ("Services not funded", "Nefinansēti pakalpojumi"),
    "hours_used": ("Family hours used", "Izmantotās ģimenes stundas"),
    "budget_source": ("Budget source", "Budžeta avots"),
    # rejected rows
    "table": ("Table", "Tabula"),
    "row": ("Row", "Rinda"),
    "column": ("Column", "Kolonna"),
    # region results
    "units_uncapacitated": ("Units without capacity limits", "Apjoms bez jaudas ierobežojuma"),
    "units_lost": ("Units lost to capacity", "Jaudas dēļ zaudētais apjoms"),
    "value_uncapacitated": ("Value without capacity limits", "Vērtība bez jaudas ierobežojuma"),
    "coverage_uncapacitated": (
        "Coverage without capacity limits",
        "Nodrošinājums bez jaudas ierobežojuma",
    ),
    "coverage_lost": ("Coverage lost to capacity", "Jaudas dēļ zaudētais nodrošinājums"),
    "capacity_units": ("Capacity (units)", "Jauda (vienības)"),
    "demand_units": ("Demand without limits (units)", "Pieprasījums bez ierobežojuma (vienības)"),
    "used_units": ("Used (units)", "Izmantots (vienības)"),
    "price": ("Shadow price (value of one more unit)", "Ēnu cena (vēl vienas vienības vērtība)"),
    # what extra money buys
    "grant": ("Grant", "Piešķīrums"),
    "grant_eur": ("Granted (EUR)", "Piešķirts (EUR)"),
    "extra_eur": ("Extra (EUR)", "Papildus (EUR)"),
    "new_budget_eur": ("New budget (EUR)", "Jaunais budžets (EUR)"),
    "value_before": ("Value before", "Vērtība pirms"),
    "value_after": ("Value after", "Vērtība pēc"),
    "value_gained": ("Value gained", "Iegūtā vērtība"),
    "grants": ("Grants", "Piešķīrumi"),
    # periods
    "period": ("Period", "Periods"),
    "participants": ("Participants", "Dalībnieki"),
    "budget": ("Period budget (EUR)", "Perioda budžets (EUR)"),
    "carried_in": ("Carried in (EUR)", "Pārnests no iepriekšējā (EUR)"),
    "available": ("Available (EUR)", "Pieejams (EUR)"),
    "spent": ("Spent in the period (EUR)", "Izlietots periodā (EUR)"),
    "forfeited": ("Forfeited (EUR)", "Zaudēts (EUR)"),
    "carried_out": ("Carried over (EUR)", "Pārnests uz nākamo (EUR)"),
    # tidy KPI frames of scenario comparisons
    "scenario": ("Scenario", "Scenārijs"),
    "kpi": ("Indicator", "Rādītājs"),
    "by": ("Grouped by", "Grupējums"),
    "group": ("Group", "Grupa"),
    "baseline_value": ("Baseline value", "Bāzes vērtība"),
    "delta": ("Change", "Izmaiņa"),
}

#: language -> column -> label
COLUMN_LABELS: Final[dict[str, dict[str, str]]] = {
    lang: {c: pair[k] for c, pair in _COLUMNS.items()} for k, lang in enumerate(LANGUAGES)
}

#: the breakdown columns of a budget formula (``budget_<factor>``), per language
_BUDGET_FACTOR: Final = {"en": "Budget: {factor} (EUR)", "lv": "Budžets: {factor} (EUR)"}

#: column -> value -> (English, Latvian); reasons, statuses, policies, budget sources
_VALUES: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "reason": {
        "funded": (PHRASES["en"]["full"], PHRASES["lv"]["full"]),
        "partly_funded": ("partly funded", "daļējs finansējums"),
        "not_funded": ("not funded", "nav finansēts"),
        "cap_below_min": (
            "the rules allow less than the smallest effective amount",
            "noteikumi atļauj mazāk par mazāko efektīvo apjomu",
        ),
        "not_eligible": ("not available to this person", "šai personai nav pieejams"),
        "unavailable": ("no provider capacity left", "nav pakalpojuma sniedzēju jaudas"),
    },
    "status": {
        "optimal": ("proven optimal", "pierādīti optimāls"),
        "feasible": ("not proven optimal", "nav pierādīti optimāls"),
    },
    "policy": {
        "optimal": (PHRASES["en"]["optimal"], PHRASES["lv"]["optimal"]),
        "priority": (PHRASES["en"]["priority"], PHRASES["lv"]["priority"]),
        "region": (
            "region allocation within provider capacities",
            "reģiona sadalījums pakalpojumu sniedzēju jaudu robežās",
        ),
    },
    "budget_source": {
        "given": ("given in the input", "norādīts ievadē"),
        "formula": ("by formula", "aprēķināts pēc formulas"),
    },
    "unit": {u: (UNIT_WORDS["en"][u][1], UNIT_WORDS["lv"][u][1]) for u in UNIT_WORDS["en"] if u},
    # the KPIs of a scenario comparison (ibm_engine.metrics.KPIS, winners and losers)
    "kpi": {
        "participants": ("Participants", "Dalībnieki"),
        "budget_eur": ("Budgets (EUR)", "Budžeti (EUR)"),
        "spent_eur": ("Spent (EUR)", "Izlietots (EUR)"),
        "unspent_eur": ("Unspent (EUR)", "Neizlietots (EUR)"),
        "value": ("Value", "Vērtība"),
        "max_value": ("Greatest value", "Lielākā vērtība"),
        "value_share": ("Share of the greatest value", "Daļa no lielākās vērtības"),
        "mean_coverage": ("Mean coverage", "Vidējais nodrošinājums"),
        "min_coverage": ("Lowest coverage", "Mazākais nodrošinājums"),
        "gini_coverage": ("Gini coefficient of coverage", "Nodrošinājuma Džini koeficients"),
        "items": ("Services the rules allow", "Noteikumos atļautie pakalpojumi"),
        "share_funded": ("Share fully funded", "Pilnībā finansēto daļa"),
        "share_partly_funded": ("Share partly funded", "Daļēji finansēto daļa"),
        "share_not_funded": ("Share not funded", "Nefinansēto daļa"),
        "unmet_units": ("Unmet need (units)", "Neapmierinātā vajadzība (vienības)"),
        "unmet_eur": ("Unmet need (EUR)", "Neapmierinātā vajadzība (EUR)"),
        "municipality_gap": ("Gap between municipalities", "Atšķirība starp pašvaldībām"),
        "winners": ("Participants better off", "Dalībnieki, kuriem kļuva labāk"),
        "losers": ("Participants worse off", "Dalībnieki, kuriem kļuva sliktāk"),
    },
    "by": {
        "all": ("everyone", "visi"),
        "service": ("by service", "pa pakalpojumiem"),
        "municipality": ("by municipality", "pa pašvaldībām"),
        "target_group": ("by target group", "pa mērķa grupām"),
        "age_band": ("by age band", "pa vecuma grupām"),
    },
}

#: language -> column -> value -> label
VALUE_LABELS: Final[dict[str, dict[str, dict[str, str]]]] = {
    lang: {c: {v: pair[k] for v, pair in vals.items()} for c, vals in _VALUES.items()}
    for k, lang in enumerate(LANGUAGES)
}

#: texts of the reports (``str.format`` fields in braces), per language
TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {
        "summary": "Participants: {n}; plan items: {items}; budget {budget}, spent {spent}, "
        "left {left}; mean coverage {coverage}.",
        "summary_sheet": "Summary",
        "shown": "Participants shown: the first {shown} of {n}.",
        "items_shown": "Plan items shown: the first {shown} of these participants' {n}.",
        "rows_shown": "The first {shown} of {n} shown.",
        "region": "Region allocation ({method}): value {value}, proven upper bound {bound}, "
        "proven gap {gap}.",
        "capacities": "Provider capacities, the highest shadow price first",
        "lost": "Who lost what to the shortage",
        "run": "Scenario run: {name}",
        "extra_money": "Extra money {pot}: {granted} granted to {n} participants, {unspent} "
        "unspent; value gained {gained}.",
        "grants": "Grants, in the order they were made",
        "periods": "{n} participants over {periods} periods.",
        "spent_of": "{spent} of {budget} spent, {left} left",
        "no_participants": "No participants.",
        "rejected": "Input problems set aside: {n} (see .rejected).",
        "spend_by_service": "Spend by service",
        "unfunded": "Recommended, not funded",
        "spent": "Spent",
        "coverage_distribution": "Coverage of the participants' plans",
        "participants": "Participants",
        "by_municipality": "{measure}, by municipality",
        "mean": "{label}, mean",
        "total": "{label}, total",
        "deltas": "{kpi}: change against the baseline",
        "plan_items": "Plan items",
        "rejected_count": "Input problems set aside",
    },
    "lv": {
        "summary": "Dalībnieki: {n}; plāna pakalpojumi: {items}; budžets {budget}, izlietots "
        "{spent}, atlikums {left}; vidējais nodrošinājums {coverage}.",
        "summary_sheet": "Kopsavilkums",
        "shown": "Parādīti dalībnieki: pirmie {shown} no {n}.",
        "items_shown": "Parādīti šo dalībnieku plāna pakalpojumi: pirmie {shown} no {n}.",
        "rows_shown": "Parādīti pirmie {shown} no {n}.",
        "region": "Reģiona sadalījums ({method}): vērtība {value}, pierādītā augšējā robeža "
        "{bound}, pierādītā atšķirība {gap}.",
        "capacities": "Pakalpojumu sniedzēju jaudas, augstākā ēnu cena vispirms",
        "lost": "Kas ko zaudēja jaudas trūkuma dēļ",
        "run": "Scenārija aprēķins: {name}",
        "extra_money": "Papildu nauda {pot}: piešķirts {granted} dalībniekiem ({n}), neizlietots "
        "{unspent}; iegūtā vērtība {gained}.",
        "grants": "Piešķīrumi to secībā",
        "periods": "Dalībnieki: {n}; periodi: {periods}.",
        "spent_of": "izlietots {spent} no {budget}, atlikums {left}",
        "no_participants": "Nav dalībnieku.",
        "rejected": "Malā atliktās ievades problēmas: {n} (skat. .rejected).",
        "spend_by_service": "Izlietojums pa pakalpojumiem",
        "unfunded": "Ieteikts, bet nav finansēts",
        "spent": "Izlietots",
        "coverage_distribution": "Dalībnieku plānu nodrošinājums",
        "participants": "Dalībnieki",
        "by_municipality": "{measure}, pa pašvaldībām",
        "mean": "{label}, vidēji",
        "total": "{label}, kopā",
        "deltas": "{kpi}: izmaiņa pret bāzes scenāriju",
        "plan_items": "Plāna pakalpojumi",
        "rejected_count": "Malā atliktās ievades problēmas",
    },
}


def check_lang(lang: object) -> str:
    """``lang`` if it is a known language, else an InputError naming the choices.

    Examples
    --------
    >>> check_lang("lv")
    'lv'
    """
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise InputError.single(
            "arguments", "lang", f"must be one of {', '.join(LANGUAGES)} (got {lang!r})"
        )
    return lang


def column_label(column: str, lang: str = "en") -> str:
    """The label of a result column; a column without one keeps its name.

    Examples
    --------
    >>> column_label("spent_eur", "lv")
    'Izlietots (EUR)'
    >>> column_label("budget_base")
    'Budget: base (EUR)'
    >>> column_label("my_own_column")
    'my_own_column'
    """
    check_lang(lang)
    found = COLUMN_LABELS[lang].get(column)
    if found is not None:
        return found
    if column.startswith("budget_"):
        return _BUDGET_FACTOR[lang].format(factor=column.removeprefix("budget_"))
    return column


def value_label(column: str, value: object, lang: str = "en") -> str:
    """The label of a coded value (a reason, status, policy, ...); others as ``str(value)``.

    Examples
    --------
    >>> value_label("reason", "partly_funded", "lv")
    'daļējs finansējums'
    >>> value_label("status", "optimal")
    'proven optimal'
    """
    check_lang(lang)
    found = VALUE_LABELS[lang].get(column, {}).get(str(value))
    return found if found is not None else str(value)
