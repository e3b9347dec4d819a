"""Numbers, money and units in words, English and Latvian: the one place explanations of every
result type (allocation, region, traditional) format them. Money is formatted from integer
cents (never from floats): Latvian with a decimal comma and a space between thousands, English
with a decimal point and a comma; unit words agree with the number (Latvian: numbers ending in
1 but not 11 take the singular)."""

from __future__ import annotations

from ibm_engine._tolerances import DISPLAY_WHOLE_TOL
from ibm_engine.allocation._phrases import OF_RECOMMENDED_LV, PHRASES, UNIT_WORDS
from ibm_engine.errors import InputError

__all__ = [
    "LANGUAGES",
    "check_language",
    "format_money",
    "hours_text",
    "number_text",
    "period_text",
    "recommended_text",
    "record_line",
    "service_label",
    "singular",
    "unit_word",
    "units_text",
]


#: languages of :func:`render_text`
LANGUAGES = ("en", "lv")


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


def number_text(x: float, language: str = "en") -> str:
    """A count, cap or number of hours: whole numbers without decimals, others with up to two."""
    whole = abs(x - round(x)) < DISPLAY_WHOLE_TOL
    out = str(round(x)) if whole else f"{x:.2f}".rstrip("0").rstrip(".")
    return out.replace(".", ",") if language == "lv" else out


def singular(n: float, language: str) -> bool:
    """Does ``n`` take the singular? (Latvian: numbers ending in 1 but not in 11.)"""
    k = round(n)
    if abs(n - k) >= DISPLAY_WHOLE_TOL:
        return False
    return k % 10 == 1 and k % 100 != 11 if language == "lv" else k == 1


def unit_word(n: float, unit: object, language: str) -> str:
    """The unit's word agreeing with ``n``: ``session`` / ``sessions``, ``diena`` / ``dienas``.

    Examples
    --------
    >>> unit_word(1, "day", "en"), unit_word(21, "day", "lv"), unit_word(11, "day", "lv")
    ('day', 'diena', 'dienas')
    """
    words = UNIT_WORDS[language].get(
        unit if isinstance(unit, str) else "", UNIT_WORDS[language][""]
    )
    return words[0] if singular(n, language) else words[1]


def service_label(code: object, language: str, names: dict[str, tuple[str, str]] | None) -> str:
    """A service's display name in ``language`` from a result's ``service_names``, else the
    code."""
    pair = (names or {}).get(str(code))
    return str(code) if pair is None else pair[1 if language == "lv" else 0]


def units_text(n: float, unit: str | None, language: str) -> str:
    """``12 sessions`` / ``21 diena``: the number with its unit word in agreement."""
    return f"{number_text(n, language)} {unit_word(n, unit, language)}"


def recommended_text(n: int, unit: str | None, language: str) -> str:
    """``12 sessions`` (en: "... of 12 sessions recommended") / ``12 ieteiktajām nodarbībām``."""
    if language == "en":
        return units_text(n, unit, language)
    sing, plur = OF_RECOMMENDED_LV.get(unit or "", OF_RECOMMENDED_LV[""])
    return f"{n} {sing if singular(n, language) else plur}"


def period_text(t: int, language: str) -> str:
    if language == "en":
        return f"{t}-week"
    return f"{t} {'nedēļa' if singular(t, language) else 'nedēļas'}"


def hours_text(x: float, language: str) -> str:
    return number_text(round(x, 2), language)


def record_line(record_id: str | None, language: str) -> list[str]:
    """The last line of every explanation: the run's record id (``Record <id>.``), so that a
    printed notice traces to its run; none without a record."""
    return [] if record_id is None else [PHRASES[language]["record"].format(id=record_id)]
