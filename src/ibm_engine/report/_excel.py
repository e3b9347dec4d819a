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
from ibm_engine.report._excel_cells import EUR_FORMAT, PERCENT_FORMAT, column_cells, problems_of
from ibm_engine.report._format import to_cents
from ibm_engine.report._labels import TEXT, check_lang, column_label, value_label

__all__ = ["HEADERS", "REPORT_TABLES", "write_excel_report"]

#: the result's tables written, each to the sheet of its name (``rejected`` when it has one)
REPORT_TABLES: Final = ("items", "participants", "rejected")
#: what the header row of a table sheet holds: column names, or labels in the report's language
HEADERS: Final = ("names", "labels")
_MAX_ROWS: Final = 1_048_575  # a sheet holds 1,048,576 rows, one of them the header
_BAD_SHEET: Final = re.compile(r"[\[\]:*?/\\]")
_HEADER_FILL: Final = "FF3572B0"


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


def write_excel_report(
    result: object,
    path: str | Path,
    *,
    lang: str = "en",
    headers: str = "names",
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write a formatted Excel workbook: a summary sheet, then one sheet per table.

    Sheets ``items``, ``participants`` and ``rejected`` (when the result has it), then every
    table of ``tables``, each under its name. Every sheet has a styled, frozen header row, an
    autofilter and column widths fitted to its contents. Numbers stay numbers (money with a
    EUR number format, coverage as a percentage, never text), missing values are empty cells,
    and every value reads back exactly as it was (money to the cent, floats to the last bit).

    Parameters
    ----------
    result : AllocationResult or RegionResult
        Anything with ``items`` and ``participants`` DataFrames (``rejected`` optional).
    path : str or pathlib.Path
        The ``.xlsx`` file written (replaced when it exists; missing folders are created).
    lang : {"en", "lv"}
        Language of the summary sheet and, with ``headers="labels"``, of the headers.
    headers : {"names", "labels"}
        ``names``: the column names (so :func:`ibm_engine.read_table` reads a sheet back);
        ``labels``: the columns' labels in ``lang`` (see :func:`column_label`).
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
    """
    check_lang(lang)
    problems = [] if headers in HEADERS else [_arg("headers", f"must be one of {HEADERS}")]
    found, more = _collect(result, tables)
    problems += more
    if problems:
        raise InputError(problems)
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter
    except ImportError as exc:
        raise ImportError(
            "Writing Excel reports needs openpyxl: pip install ibm_engine[excel]"
        ) from exc
    font = Font(bold=True, color="FFFFFFFF")
    fill = PatternFill("solid", fgColor=_HEADER_FILL)
    book = Workbook(write_only=True)

    def header(ws: Any, labels: list[str]) -> list[Any]:
        cells = []
        for text in labels:
            cell = WriteOnlyCell(ws, value=text)
            cell.font, cell.fill, cell.data_type = font, fill, "s"
            cells.append(cell)
        return cells

    def start(ws: Any, widths: list[int], n_rows: int) -> None:
        # a write-only sheet writes its view and columns before the first row
        for k, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(k)].width = float(min(max(w + 2, 8), 50))
        ws.freeze_panes = "A2"
        if widths:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{n_rows + 1}"

    ws = book.create_sheet(TEXT[lang]["summary_sheet"])
    rows = _summary(result, found, lang)
    heads = [column_label("kpi", lang), column_label("value", lang)]
    start(ws, [max(len(heads[0]), *(len(r[0]) for r in rows)), 18], len(rows))
    ws.append(header(ws, heads))
    for label, value, fmt in rows:
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, float):
            cell._value = repr(value)  # exact, and a float reads back as a float
        if fmt is not None:
            cell.number_format = fmt
        ws.append([label, cell])
    for name, df in found.items():
        ws = book.create_sheet(name)
        names = [str(c) for c in df.columns]
        labels = names if headers == "names" else [column_label(c, lang) for c in names]
        columns, widths = [], []
        for c, label in zip(df.columns, labels, strict=True):
            cells, width = column_cells(ws, str(c), df[c], WriteOnlyCell)
            columns.append(cells)
            widths.append(max(width, len(label)))
        start(ws, widths, len(df))
        ws.append(header(ws, labels))
        for row in zip(*columns, strict=True):
            ws.append(list(row))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
