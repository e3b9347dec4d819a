"""Reading contract tables from CSV, Excel and Parquet files without silent coercion.

Text columns of the contract are read as text, numeric columns as numbers, and a cell that is
not a number stays what it was, so that the validation in :func:`ibm_engine.allocate` reports
it with its row. Only an empty cell is missing: ``NA``, ``N/A``, ``null`` or ``#N/A`` are kept
as written (a municipality may be called ``NA``; a ``#N/A`` from a failed lookup in
``max_units`` must be reported, not read as "no cap"). Each frame records where its rows are in
the file (``DataFrame.attrs["ibm_engine_source"]``), so that problems name the file, sheet
and row the user sees.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

import pandas as pd

from ibm_engine.budget import ASSESSMENT_COLUMNS
from ibm_engine.errors import InputError
from ibm_engine.io._locale import LOCALES, LV_SEPARATOR, Locale
from ibm_engine.io._read_cells import (
    as_number,
    as_text,
    unescape_formulas,
)
from ibm_engine.io._read_grid import Grid, read_csv_grid, read_excel_grid
from ibm_engine.tables import PARTICIPANTS, PLAN_ITEMS, SERVICES
from ibm_engine.tables._columns import check_unique_columns
from ibm_engine.tables._sources import SOURCE_ATTR, describe_source

__all__ = [
    "NUMERIC_COLUMNS",
    "READ_SUFFIXES",
    "SOURCE_ATTR",
    "TEXT_COLUMNS",
    "PathLike",
    "read_table",
    "read_tables",
]

PathLike = str | os.PathLike[str]

#: the contract's columns and the assessment columns budget formulas read (``assessment_points``,
#: ``support_need_score``, ...): numbers in a CSV are numbers there too, not text
_SPECS: Final = (*PARTICIPANTS, *PLAN_ITEMS, *SERVICES, *ASSESSMENT_COLUMNS.values())

#: columns read as text: the contract's ids and codes, and the text columns of the results
TEXT_COLUMNS: Final[frozenset[str]] = frozenset(
    {s.name for s in _SPECS if s.kind in ("id", "text")}
    | {"unit", "reason", "status", "policy", "table", "column", "row"}
)

#: columns read as numbers: the contract's int, float and money columns, and the results'
NUMERIC_COLUMNS: Final[frozenset[str]] = frozenset(
    {s.name for s in _SPECS if s.kind in ("int", "float", "money")}
    | {
        "units",
        "unit_price_eur",
        "cost_eur",
        "weight",
        "upper_units",
        "coverage",
        "hours",
        "spent_eur",
        "left_eur",
        "value",
        "max_value",
        "bound",
        "items_funded",
        "items_partly_funded",
        "items_not_funded",
        "hours_used",
        # region results (allocate_region)
        "units_uncapacitated",
        "units_lost",
        "value_uncapacitated",
        "coverage_uncapacitated",
        "coverage_lost",
        "neighbour_units",
        "transport_eur",
    }
)

#: file name endings read_table understands
READ_SUFFIXES: Final = (".csv", ".xlsx", ".xlsm", ".xls", ".parquet")


def _problem(table: str, reason: str, file: str | None = None) -> InputError:
    return InputError.single(table, None, reason, file=file)


def _optional(module: str, extra: str, what: str) -> Any:
    """Import an optional dependency or raise an ImportError naming the extra to install."""
    try:
        return __import__(module)
    except ImportError:
        raise ImportError(
            f"{what} needs the optional dependency {module!r}: pip install ibm_engine[{extra}]"
        ) from None


def _read_excel(path: Path, table: str | None) -> Grid:
    if path.suffix.lower() == ".xls":
        _optional("xlrd", "excel", "Reading .xls files (or save the file as .xlsx)")
    else:
        _optional("openpyxl", "excel", "Reading Excel files")
    return read_excel_grid(path, table)


def _read_parquet(path: Path) -> pd.DataFrame:
    _optional("pyarrow", "parquet", "Reading Parquet files")
    df = pd.read_parquet(path, engine="pyarrow")
    df.attrs.pop(SOURCE_ATTR, None)  # a frame saved with its provenance: this file is the source
    return df


def _duplicates(grid: Grid, table: str, file: str) -> None:
    """Raise when a header names a column twice (pandas would rename the second one)."""
    check_unique_columns(
        grid.cells.columns, table, file=file, sheet=grid.sheet, source_row=grid.header_row
    )


def _normalise(df: pd.DataFrame, latvian: bool, csv: bool) -> pd.DataFrame:
    for c in df.columns:
        if csv and latvian and c not in NUMERIC_COLUMNS:
            df[c] = unescape_formulas(df[c])
        if c in TEXT_COLUMNS:
            df[c] = as_text(df[c])
        elif c in NUMERIC_COLUMNS:
            df[c] = as_number(df[c], latvian=latvian)
    if not csv:
        extras = [c for c in df.columns if c not in TEXT_COLUMNS and c not in NUMERIC_COLUMNS]
        if extras:
            df[extras] = df[extras].infer_objects()
    return df


def _check_locale(locale: object) -> None:
    if locale is not None and locale not in LOCALES:
        choices = ", ".join(repr(x) for x in LOCALES)
        raise InputError.single(
            "arguments", "locale", f"must be None or one of {choices} (got {locale!r})"
        )


def read_table(path: PathLike, table: str | None = None, *, locale: Locale = None) -> pd.DataFrame:
    """Read one table from a CSV, Excel (``.xlsx``, ``.xls``) or Parquet file.

    Parameters
    ----------
    path : str or os.PathLike
        The file. The format follows the ending: ``.csv`` (UTF-8, with or without a byte
        order mark; ``;`` or tab separated when the header has no comma), ``.xlsx`` /
        ``.xlsm`` / ``.xls`` or ``.parquet``. Of a workbook, the sheet named ``table`` is
        read; a workbook with one sheet is read whatever its name; a workbook with several
        sheets and none named ``table`` is an error listing its sheets (without ``table``,
        the first sheet is read).
    table : str, optional
        What the file holds (``"participants"``, ``"plan_items"``, ``"services"``, ``"items"``
        ...): names the table in error messages and picks the sheet of a workbook.
    locale : {None, "lv"}
        ``"lv"``: a Latvian CSV file (what Latvian Excel saves as "CSV"): fields separated by
        ``;``, numbers with a decimal comma and, optionally, digit groups of three separated
        by a space, U+00A0 or U+202F (``1 500,05``); ``.`` is never a group separator, so
        ``1.500,00`` is not a number. Text cells written with a formula escape (``'=...``,
        ``'+...``, ``'-...``, ``'@...``) lose the ``'`` (in columns other than the numeric ones,
        where such a cell stays text and is reported). Only numeric columns are parsed as
        numbers; ids and other text stay as written. Excel and Parquet files store numbers as
        numbers and are read the same with or without a locale. Without ``locale``, a CSV
        number with a decimal comma stays text, and its problem says to use ``locale="lv"``.

    Returns
    -------
    pandas.DataFrame
        Text columns of the contract (``participant_id``, ``service``, ``municipality``,
        ``target_group``, ``unit``, ``target_groups`` and the results' ``reason``,
        ``status`` ...) as ``str``, so ``"007"`` keeps its zeros. Numeric columns as
        ``int64``, ``Int64`` or ``float64``; a cell that is not a number (``"2.5.1"``,
        ``"NA"``, ``"2,5"``) keeps its text and the column is ``object``, for the validator
        to report.
        Other columns of a CSV stay text; of Excel and Parquet files, as stored. Only empty
        cells are missing. Empty rows (every cell empty) of a CSV file or a sheet are
        skipped; a header naming a column twice is an error.

        ``df.attrs["ibm_engine_source"]`` (:data:`SOURCE_ATTR`) says where the rows came
        from, so that :class:`~ibm_engine.InputError` names the file, sheet and row of each
        problem: a dict with ``file`` (the path as given), ``sheet`` (the sheet read, or
        None), ``rows`` (data rows read), ``source_rows`` (the row of each data row in the
        file, header = row 1, as runs ``[[data_row, source_row], ...]``; None for Parquet),
        ``blank_rows`` (empty rows skipped between the header and the last data row),
        and ``order`` (a fingerprint of the first column, to tell whether the rows were
        reordered).
        Rows are traced by their index labels: filter or sort the frame freely,
        but a ``reset_index`` after that loses the trace (the file is still named).

    Raises
    ------
    InputError
        The file is missing, empty, unreadable or of an unsupported type; a workbook has
        several sheets and none named ``table``; a header names a column twice; ``locale``
        is unknown.
    ImportError
        Reading Excel needs ``openpyxl`` (``pip install ibm_engine[excel]``), Parquet needs
        ``pyarrow`` (``pip install ibm_engine[parquet]``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "p.csv").write_text("participant_id,municipality,age\\n007,NA,2.5\\n")
    >>> df = read_table(d / "p.csv", "participants")
    >>> df.participant_id[0], df.municipality[0], df.age[0]
    ('007', 'NA', np.float64(2.5))
    >>> _ = (d / "lv.csv").write_text(
    ...     "participant_id;budget_eur\\n007;1 500,05\\n\\n'+371;1.500,00\\n", encoding="utf-8-sig")
    >>> lv = read_table(d / "lv.csv", "participants", locale="lv")
    >>> lv.participant_id.tolist(), lv.budget_eur.tolist()
    (['007', '+371'], [1500.05, '1.500,00'])
    >>> lv.attrs["ibm_engine_source"]["blank_rows"], lv.attrs["ibm_engine_source"]["source_rows"]
    (1, [[0, 2], [1, 4]])
    """
    _check_locale(locale)
    name = table or "input"
    p = Path(path)
    file = os.fspath(path)
    suffix = p.suffix.lower()
    if suffix not in READ_SUFFIXES:
        return _unsupported(name, p, file)
    if not p.is_file():
        what = "is a directory, not a file" if p.is_dir() else "file not found"
        raise _problem(name, f"{what}: {p}", file)
    latvian = locale == "lv"
    grid: Grid | None = None
    try:
        if suffix == ".csv":
            grid, _ = read_csv_grid(p, LV_SEPARATOR if latvian else None)
        elif suffix == ".parquet":
            df = _read_parquet(p)
        else:
            grid = _read_excel(p, table)
    except (ImportError, InputError):
        raise
    except pd.errors.EmptyDataError:
        raise _problem(name, f"file is empty: {p}", file) from None
    except UnicodeDecodeError as exc:
        raise _problem(name, f"is not UTF-8 text ({exc.reason}): {p}", file) from None
    except Exception as exc:
        detail = " ".join(str(exc).split())  # parser messages span lines
        raise _problem(name, f"cannot be read ({type(exc).__name__}: {detail}): {p}", file) from exc
    if grid is None:
        df = _normalise(df, latvian=False, csv=False)
        df.attrs[SOURCE_ATTR] = describe_source(df, file, None, None, 0)
        return df
    _duplicates(grid, name, file)
    csv = suffix == ".csv"
    df = _normalise(grid.cells, latvian=latvian, csv=csv)
    source = describe_source(df, file, grid.sheet, grid.source_rows, grid.blank_rows)
    df.attrs[SOURCE_ATTR] = source
    return df


def _unsupported(name: str, p: Path, file: str) -> pd.DataFrame:
    kinds = ", ".join(READ_SUFFIXES)
    raise _problem(name, f"unsupported file type {p.suffix or '(none)'!r} (use {kinds}): {p}", file)


def read_tables(
    participants: PathLike,
    plan_items: PathLike,
    services: PathLike,
    *,
    locale: Locale = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read the three input tables of :func:`ibm_engine.allocate` (see :func:`read_table`).

    The three paths may name one workbook with sheets ``participants``, ``plan_items`` and
    ``services``. ``locale="lv"`` reads Latvian CSV files (see :func:`read_table`).

    Returns
    -------
    participants, plan_items, services : pandas.DataFrame
    """
    return (
        read_table(participants, "participants", locale=locale),
        read_table(plan_items, "plan_items", locale=locale),
        read_table(services, "services", locale=locale),
    )
