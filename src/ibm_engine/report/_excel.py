"""An Excel report of a result: a summary sheet and one formatted sheet per table."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ibm_engine.allocation._tables import REASONS
from ibm_engine.errors import InputError
from ibm_engine.report._excel_book import Book
from ibm_engine.report._excel_cells import EUR_FORMAT, PERCENT_FORMAT, problems_of
from ibm_engine.report._format import DECIMALS, to_cents
from ibm_engine.report._labels import TEXT, VALUE_LABELS, check_lang, column_label, value_label

__all__ = ["HEADERS", "REPORT_TABLES", "write_excel_report"]

#: the result's tables written, each to the sheet of its name (``rejected`` when it has one)
REPORT_TABLES: Final = ("items", "participants", "rejected")
#: what the header row of a table sheet holds: column names, or labels in the report's language
HEADERS: Final = ("names", "labels")
_MAX_ROWS: Final = 1_048_575  # a sheet holds 1,048,576 rows, one of them the header
_BAD_SHEET: Final = re.compile(r"[\[\]:*?/\\]")


def _arg(column: str, reason: str) -> dict[str, Any]:
    return {"table": "arguments", "row": None, "participant_id": None, "column": column,
            "reason": reason}  # fmt: skip


def _collect(result: object, extra: object) -> tuple[dict[str, pd.DataFrame], list[dict[str, Any]]]:
    tables: dict[str, pd.DataFrame] = {}
    problems: list[dict[str, Any]] = []
    for name in REPORT_TABLES:
        df = getattr(result, name, None)
        if isinstance(df, pd.DataFrame):
            tables[name] = df
        elif name != "rejected":
            problems.append(_arg("result", f"has no {name} DataFrame"))
    if extra is not None and not isinstance(extra, Mapping):
        return tables, [*problems, _arg("tables", "must map sheet names to DataFrames")]
    for name, df in dict(extra or {}).items():
        if not isinstance(name, str) or not 1 <= len(name) <= 31 or _BAD_SHEET.search(name):
            problems.append(_arg("tables", f"{name!r} is not a sheet name (1-31 characters, "
                                 "none of []:*?/\\)"))  # fmt: skip
        elif name in tables or name.lower() in ("summary", "kopsavilkums"):
            problems.append(_arg("tables", f"{name!r} is already a sheet of the report"))
        elif not isinstance(df, pd.DataFrame):
            problems.append(_arg("tables", f"{name!r} is not a DataFrame"))
        else:
            tables[name] = df
    for name, df in tables.items():
        if len(df) > _MAX_ROWS:
            problems.append(_arg("tables", f"{name} has {len(df):,} rows, more than an Excel "
                                 f"sheet holds ({_MAX_ROWS:,})"))  # fmt: skip
        problems += problems_of(name, df)
    return tables, problems


_Row = tuple[str, Any, str | None]


def _summary(result: object, tables: Mapping[str, pd.DataFrame], lang: str) -> list[_Row]:
    """(label, value, number format) rows of the summary sheet."""
    t = TEXT[lang]
    p, items = tables["participants"], tables["items"]
    rows: list[_Row] = [
        (t["participants"], len(p), None),
        (t["plan_items"], len(items), None),
    ]
    for c in ("budget_eur", "spent_eur", "left_eur"):
        if c in p.columns:
            rows.append((column_label(c, lang), int(to_cents(p[c]).sum()) / 100.0, EUR_FORMAT))
    if "coverage" in p.columns and len(p):
        cov = float(np.nanmean(p["coverage"].to_numpy(dtype=np.float64, na_value=np.nan)))
        cov = round(cov, DECIMALS) + 0.0  # for people: no float noise
        label = t["mean"].format(label=column_label("coverage", lang))
        rows.append((label, cov, PERCENT_FORMAT))
    if "reason" in items.columns:
        counts = items["reason"].astype(str).value_counts()
        for r in (*REASONS, *sorted(set(counts.index) - set(REASONS))):
            if r in counts.index:
                label = f"{column_label('reason', lang)}: {value_label('reason', r, lang)}"
                rows.append((label, int(counts[r]), None))
    policy = getattr(result, "policy", None)
    if isinstance(policy, str):
        rows.append((column_label("policy", lang), value_label("policy", policy, lang), None))
    if "rejected" in tables:
        rows.append((t["rejected_count"], len(tables["rejected"]), None))
    return rows


def labelled(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``df`` with its coded values (reasons, units, statuses, policies ...) as labels in
    ``lang``, and ``rejected``'s ``column`` as column labels; codes without a label stay.

    Examples
    --------
    >>> df = pd.DataFrame({"unit": ["day", "hour"], "reason": ["funded", "something_new"]})
    >>> labelled(df, "lv").values.tolist()
    [['dienas', 'pilns finansējums'], ['stundas', 'something_new']]
    """
    out = df.copy(deep=False)
    for c in out.columns:
        names = VALUE_LABELS[lang].get(str(c))
        if names is None and c == "column" and {"table", "reason"} <= set(out.columns):
            names = {k: column_label(k, lang) for k in out[c].dropna().astype(str).unique()}
        if names is None:
            continue
        s = out[c]
        shown = s.astype(str).map(names)
        out[c] = shown.where(shown.notna() & s.notna(), s)
    return out


def write_excel_report(
    result: object,
    path: str | Path,
    *,
    lang: str = "en",
    headers: str | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write a formatted Excel workbook: a summary sheet, then one sheet per table.

    Sheets ``items``, ``participants`` and ``rejected`` (when the result has it), then every
    table of ``tables``, each under its name. Every sheet has a styled, frozen header row, an
    autofilter and column widths fitted to its contents. Numbers stay numbers (money with a
    EUR number format, coverage as a percentage, never text), missing values are empty cells,
    and text stays text: a cell beginning with ``=`` is never a formula.

    Two kinds of sheet: for programs (``headers="names"``) every value reads back exactly as
    it was (money to the cent, floats to the last bit, codes as codes); for people
    (``headers="labels"``) the headers and the coded values (reasons, units, statuses,
    policies, budget sources) are labels in ``lang``, money is rounded to the cent and other
    fractional numbers to 6 decimals (``0.9999999999999999`` shows as ``1``).

    Parameters
    ----------
    result : AllocationResult or RegionResult
        Anything with ``items`` and ``participants`` DataFrames (``rejected`` optional).
    path : str or pathlib.Path
        The ``.xlsx`` file written (replaced when it exists; missing folders are created).
    lang : {"en", "lv"}
        Language of the summary sheet and, with ``headers="labels"``, of the headers and
        coded values.
    headers : {"names", "labels"}, optional
        ``names``: column names and codes as they are (so :func:`ibm_engine.read_table` reads
        a sheet back); ``labels``: the columns' labels and the values' labels in ``lang``
        (see :func:`column_label`, :func:`value_label`), numbers rounded for display. Default
        ``names`` for ``lang="en"``, ``labels`` for ``lang="lv"``.
    tables : mapping of str to DataFrame, optional
        More sheets, e.g. ``{"kpis": compare(...), "shadow_prices": region.shadow_prices}``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        Bad arguments, a sheet name Excel refuses, too many rows, or cells Excel cannot hold
        (infinite numbers, control characters): every problem at once.
    ImportError
        openpyxl is not installed (``pip install ibm_engine[excel]``).

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl, ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.1}]
    >>> people = [{"participant_id": "007", "target_group": "GRT", "age": 40,
    ...            "municipality": "Bauska", "budget_eur": 100.0}]
    >>> plan = [{"participant_id": "007", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12}]
    >>> result = ibm.allocate(people, plan, services)
    >>> path = write_excel_report(result, pathlib.Path(tempfile.mkdtemp()) / "report.xlsx")
    >>> book = openpyxl.load_workbook(path)
    >>> book.sheetnames
    ['Summary', 'items', 'participants', 'rejected']
    >>> sheet = book["participants"]
    >>> [c.value for c in sheet[1]][5:7], [c.value for c in sheet[2]][5:7]
    (['spent_eur', 'left_eur'], [81.3, 18.7])
    >>> sheet["F2"].number_format, sheet.freeze_panes
    ('#,##0.00 "EUR"', 'A2')

    In Latvian, for people:

    >>> path = write_excel_report(result, path.parent / "atskaite.xlsx", lang="lv")
    >>> items = openpyxl.load_workbook(path)["items"]
    >>> [c.value for c in items[1]][4:6], [c.value for c in items[2]][4:6]
    (['Mērvienība', 'Finansētais apjoms'], ['nodarbības', 3])
    """
    check_lang(lang)
    if headers is None:
        headers = "labels" if lang == "lv" else "names"
    problems = [] if headers in HEADERS else [_arg("headers", f"must be one of {HEADERS}")]
    found, more = _collect(result, tables)
    problems += more
    if problems:
        raise InputError(problems)
    book = Book("Writing Excel reports")
    rows = _summary(result, found, lang)
    heads = (column_label("kpi", lang), column_label("value", lang))
    book.add_summary(TEXT[lang]["summary_sheet"], heads, rows)
    for name, df in found.items():
        names = [str(c) for c in df.columns]
        if headers == "names":
            book.add_table(name, df, names)
        else:
            labels = [column_label(c, lang) for c in names]
            book.add_table(name, labelled(df, lang), labels, display=True)
    return book.save(path)
