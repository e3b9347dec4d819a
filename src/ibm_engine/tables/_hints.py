"""Help in validation messages: near-miss column names, spellings, Latvian numbers, odd cells.

Everything here runs on distinct values (column names, the distinct texts of a column, the
distinct invalid cells), never row by row, and only adds words to a problem already found:
nothing is matched, renamed or converted on the caller's behalf.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ibm_engine._typing import BoolArray, IntArray

__all__ = [
    "Shown",
    "column_hint",
    "fold",
    "near_column",
    "normalise_name",
    "number_text_hint",
    "twins",
]

#: the hint for numbers written the Latvian way (decimal comma, spaces between digit groups)
LV_HINT = "read the file with locale='lv' (CLI --locale lv)"
#: a number as Latvian Excel writes it: ``12,50``, ``-3,5``, ``1 234,50`` (space, no-break
#: space or narrow no-break space between groups of three digits)
_LV_NUMBER = re.compile(r"^\s*[+-]?\d{1,3}(?:[ \u00a0\u202f]?\d{3})*(?:,\d+)?\s*$")
#: a shown cell longer than this (characters of its repr) is shortened
_SHOWN_MAX = 60
#: how alike a column name must be to be suggested by difflib (its ratio, 0..1)
_CLOSE = 0.8


def normalise_name(name: object) -> str:
    """A column name as compared for hints: stripped, casefolded, spaces/hyphens -> ``_``.

    Examples
    --------
    >>> normalise_name(" Budget-EUR ")
    'budget_eur'
    """
    return re.sub(r"[\s\-]+", "_", str(name).strip().casefold())


def near_column(name: str, columns: Iterable[object]) -> object | None:
    """The column of ``columns`` that ``name`` was probably meant as, or None.

    First a column equal to ``name`` after :func:`normalise_name`, then difflib's closest
    match (ratio >= 0.8) of the normalised names.

    Examples
    --------
    >>> near_column("budget_eur", ["participant_id", "Budget_EUR"])
    'Budget_EUR'
    >>> near_column("team_rank", ["teem_rank", "note"])
    'teem_rank'
    >>> near_column("age", ["note"]) is None
    True
    """
    by_norm: dict[str, object] = {}
    for c in columns:
        by_norm.setdefault(normalise_name(c), c)
    if name in by_norm:
        return by_norm[name]
    close = difflib.get_close_matches(name, list(by_norm), n=1, cutoff=_CLOSE)
    return by_norm[close[0]] if close else None


def column_hint(name: str, columns: Iterable[object]) -> str:
    """Words to add to "required column is missing" (empty when there is nothing to say).

    A ``;`` in a column name that lists ``name`` means a Latvian CSV read as plain CSV.

    ``columns`` are the table's columns that are not contract columns of that table.

    Examples
    --------
    >>> column_hint("budget_eur", ["budget eur"])
    "; did you mean 'budget eur'?"
    >>> print(column_hint("age", ["participant_id;age"]))  # doctest: +ELLIPSIS
    ; the header 'participant_id;age' looks like a ';'-separated file: read the file with ...
    """
    cols = list(columns)
    for c in cols:
        if isinstance(c, str) and ";" in c and name in {normalise_name(p) for p in c.split(";")}:
            return f"; the header {c!r} looks like a ';'-separated file: {LV_HINT}"
    near = near_column(name, cols)
    return "" if near is None else f"; did you mean {near!r}?"


def fold(texts: np.ndarray) -> np.ndarray:
    """Texts as compared for spellings: ``str.strip()`` then ``casefold()`` (object array)."""
    out: np.ndarray = (
        pd.Series(texts, dtype=object).str.strip().str.casefold().to_numpy(dtype=object)
    )
    return out


def twins(texts: np.ndarray, strip_only: bool = False) -> tuple[IntArray, IntArray]:
    """Distinct texts that are the same spelling after folding (or stripping only).

    Returns, for each text, its group (codes of the folded texts) and how many distinct
    texts share that group; a text with a count above 1 has a twin.
    """
    key = (
        pd.Series(texts, dtype=object).str.strip().to_numpy(dtype=object)
        if strip_only
        else fold(texts)
    )
    codes, _ = pd.factorize(key)
    group = np.asarray(codes, dtype=np.int64)
    count = np.bincount(group, minlength=1)
    return group, np.asarray(count[group], dtype=np.int64)


def number_text_hint(cells: pd.Series, mask: BoolArray) -> tuple[BoolArray, BoolArray, BoolArray]:
    """Rows among ``mask`` holding a number written as text.

    Returns three masks: Latvian with a decimal comma (``12,50``), Latvian with spaces
    between digit groups but no comma (``1 234``), and a plain number (``"12.5"``). Checked on
    the distinct texts of the masked cells.
    """
    comma = np.zeros(mask.shape[0], dtype=bool)
    groups = np.zeros(mask.shape[0], dtype=bool)
    plain = np.zeros(mask.shape[0], dtype=bool)
    idx = np.flatnonzero(mask)
    if idx.shape[0] == 0:
        return comma, groups, plain
    raw = cells.iloc[idx].to_numpy(dtype=object)
    is_text = np.fromiter((isinstance(x, str) for x in raw), dtype=bool, count=raw.shape[0])
    if not is_text.any():
        return comma, groups, plain
    codes, uniq = pd.factorize(pd.Series(raw[is_text], dtype=object))
    u = pd.Series(uniq, dtype=object)
    lv = u.str.match(_LV_NUMBER).to_numpy(dtype=bool, na_value=False)
    has_comma = u.str.contains(",", regex=False).to_numpy(dtype=bool)
    has_space = u.str.strip().str.contains(r"\s", regex=True).to_numpy(dtype=bool)
    number = pd.to_numeric(u.str.strip(), errors="coerce").notna().to_numpy(dtype=bool)
    rows = idx[is_text]
    codes = np.asarray(codes, dtype=np.int64)
    comma[rows] = (lv & has_comma)[codes]
    groups[rows] = (lv & ~has_comma & has_space)[codes]
    plain[rows] = (number & ~(lv & (has_comma | has_space)))[codes]
    return comma, groups, plain


class Shown:
    """The cells of a column as problem reports show them: long or multi-line reprs shortened.

    Indexing by row gives the cell itself when its repr is short, else a stand-in whose repr
    is the type and the start of the cell's repr on one line (a nested table, a long list).
    """

    __slots__ = ("_cells",)

    def __init__(self, cells: pd.Series) -> None:
        self._cells = cells

    def __getitem__(self, row: int) -> object:
        x = self._cells.iloc[row]
        if isinstance(x, np.generic):
            x = x.item()
        try:
            text = repr(x)
        except Exception:  # a cell's repr may fail: show its type only
            return _Short(f"<{type(x).__name__}>")
        if len(text) <= _SHOWN_MAX and "\n" not in text:
            return x
        flat = " ".join(text.split())
        return _Short(f"<{type(x).__name__}: {flat[: _SHOWN_MAX - 20]}...>")


class _Short:
    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return self._text
