"""The spreadsheet conventions ibm_engine reads and writes: Latvian CSV and formula escaping.

One definition of each fact, used by the readers (:func:`ibm_engine.read_table`), the writers
(:func:`ibm_engine.write_tables`, the Excel report) and the command line (``--locale lv``).
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = [
    "ESCAPED_TEXT",
    "FORMULA_ESCAPE",
    "FORMULA_PREFIXES",
    "LOCALES",
    "LV_CSV_ENCODING",
    "LV_DECIMAL",
    "LV_GROUP_SEPARATORS",
    "LV_SEPARATOR",
    "NEEDS_ESCAPE",
    "Locale",
]

#: the locales the CSV readers and writers understand: ``None`` is plain CSV (``,`` between
#: fields, ``.`` as decimal point); ``"lv"`` is what Latvian Excel writes and opens
Locale = Literal["lv"] | None
LOCALES: Final = ("lv",)

#: Latvian CSV: fields separated by ``;``
LV_SEPARATOR: Final = ";"
#: Latvian CSV: decimal comma
LV_DECIMAL: Final = ","
#: Latvian CSV: digit group separators accepted when reading numbers (space, no-break space
#: U+00A0, narrow no-break space U+202F), in groups of three; ``.`` is never one
LV_GROUP_SEPARATORS: Final = (" ", "\u00a0", "\u202f")
#: Latvian CSV is written with a UTF-8 byte order mark, so Excel reads the text as UTF-8
LV_CSV_ENCODING: Final = "utf-8-sig"

#: a text cell beginning with one of these is taken by a spreadsheet as a formula (OWASP's
#: CSV-injection guidance); written for Excel it is neutralised by a leading ``FORMULA_ESCAPE``
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ESCAPE: Final = "'"

_PREFIX_CLASS: Final = "[" + "".join(re.escape(p) for p in FORMULA_PREFIXES) + "]"
#: text written for Excel gets one more ``FORMULA_ESCAPE`` in front when it begins with any
#: number of escapes followed by a formula prefix (``=1``, ``'=1``, ``''=1``) ...
NEEDS_ESCAPE: Final = re.compile(re.escape(FORMULA_ESCAPE) + "*" + _PREFIX_CLASS)
#: ... and text read back loses one when it begins with at least one escape followed by a
#: prefix: the two rules undo each other for every text (``'=1`` -> ``''=1`` -> ``'=1``), and
#: text that begins otherwise (``'abc``, ``O'Brien``) is never touched
ESCAPED_TEXT: Final = re.compile(re.escape(FORMULA_ESCAPE) + "+" + _PREFIX_CLASS)
