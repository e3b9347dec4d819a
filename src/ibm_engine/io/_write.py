"""Writing a result's tables (items, participants, rejected) to CSV, Excel or Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pandas as pd

from ibm_engine._typing import ResultTables
from ibm_engine.errors import InputError
from ibm_engine.io._locale import LOCALES, Locale
from ibm_engine.io._read import PathLike, _optional
from ibm_engine.io._write_lv import write_lv_csv
from ibm_engine.report._excel_book import Book
from ibm_engine.report._excel_cells import problems_of

__all__ = ["RESULT_TABLES", "WRITE_FORMATS", "ResultTables", "write_tables"]

#: formats write_tables can write
WRITE_FORMATS: Final = ("csv", "xlsx", "parquet")
#: the tables written, in this order (file names, or sheet names of the workbook)
RESULT_TABLES: Final = ("items", "participants", "rejected")
#: name of the workbook written with ``format="xlsx"``
WORKBOOK: Final = "allocation.xlsx"
_EXCEL_MAX_ROWS: Final = 1_048_575  # a sheet holds 1,048,576 rows, one of them the header


def _tables(result: ResultTables) -> dict[str, pd.DataFrame]:
    return {name: getattr(result, name) for name in RESULT_TABLES}


def _text_if_mixed(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns mixing text and other values (e.g. ``rejected.row``) as text."""
    out = df.copy(deep=False)
    for c in out.columns:
        s = out[c]
        if s.dtype == object and s.dropna().map(type).nunique() > 1:
            out[c] = s.astype("str")
    return out


def _write_excel(tables: dict[str, pd.DataFrame], path: Path) -> None:
    _optional("openpyxl", "excel", "Writing Excel files")
    for name, df in tables.items():
        if len(df) > _EXCEL_MAX_ROWS:
            raise ValueError(
                f"the {name} table has {len(df):,} rows, more than an Excel sheet holds "
                f"({_EXCEL_MAX_ROWS:,}); write csv or parquet instead"
            )
    problems = [p for name, df in tables.items() for p in problems_of(name, df)]
    if problems:
        raise InputError(problems)
    book = Book()
    for name, df in tables.items():
        book.add_table(name, df, [str(c) for c in df.columns])
    book.save(path)


def write_tables(
    result: ResultTables, directory: PathLike, format: str = "csv", *, locale: Locale = None
) -> list[Path]:
    """Write the ``items``, ``participants`` and ``rejected`` tables of a result.

    Parameters
    ----------
    result : AllocationResult
        Or anything with those three DataFrame attributes.
    directory : str or os.PathLike
        Created (with its parents) when missing; existing files of the same names are
        replaced.
    format : {"csv", "xlsx", "parquet"}
        ``csv``: ``items.csv``, ``participants.csv``, ``rejected.csv`` (UTF-8, empty cells for
        missing values). ``xlsx``: one workbook ``allocation.xlsx`` with a sheet per table
        (needs ``pip install ibm_engine[excel]``); text cells are always text, never
        formulas. ``parquet``: ``items.parquet``, ... (needs ``pip install ibm_engine[parquet]``).
    locale : {None, "lv"}
        CSV only. ``None``: plain CSV for programs (``,`` between fields, ``.`` as decimal
        point, every float exact). ``"lv"``: CSV that Latvian Excel opens as it is: ``;``
        between fields, decimal comma, UTF-8 with a byte order mark, no digit grouping,
        money with two decimals, other fractional numbers with at most 6 (trailing zeros
        dropped), and a ``'`` in front of text beginning with ``=``, ``+``, ``-``, ``@``, tab
        or carriage return, so Excel never runs it as a formula;
        ``read_table(path, table, locale="lv")`` reads it back. Workbooks and Parquet files
        store numbers, not text, and are the same for every locale.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    InputError
        An unknown ``format`` or ``locale``; for ``xlsx``, cells a sheet cannot hold
        (infinite numbers, control characters, texts over 32,767 characters).
    ValueError
        For ``xlsx``, a table longer than a sheet.

    Notes
    -----
    Plain CSV, Parquet and the workbook store every float exactly, so :func:`read_table` gives
    back every ``cost_eur`` exactly (to the cent and beyond). Latvian CSV is for people: money
    to the cent, other numbers to 6 decimals.

    Examples
    --------
    >>> import tempfile, ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.1}]
    >>> people = [{"participant_id": "007", "target_group": "GRT", "age": 40,
    ...            "municipality": "NA", "budget_eur": 100.0}]
    >>> plan = [{"participant_id": "007", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 12}]
    >>> result = ibm.allocate(people, plan, services)
    >>> paths = write_tables(result, tempfile.mkdtemp())
    >>> [p.name for p in paths]
    ['items.csv', 'participants.csv', 'rejected.csv']
    >>> from ibm_engine.io import read_table
    >>> read_table(paths[0], "items")[["participant_id", "units", "cost_eur"]]
      participant_id  units  cost_eur
    0            007      3      81.3
    >>> read_table(paths[1], "participants")[["municipality", "spent_eur", "left_eur"]]
      municipality  spent_eur  left_eur
    0           NA       81.3      18.7

    For Latvian Excel:

    >>> paths = write_tables(result, tempfile.mkdtemp(), locale="lv")
    >>> print(paths[1].read_text(encoding="utf-8-sig").splitlines()[1])
    007;GRT;40;NA;100,00;81,30;18,70;0,25;1;0,25;optimal;optimal;0,25;0;1;0;0
    """
    if format not in WRITE_FORMATS:
        raise InputError.single(
            "arguments", "format", f"must be one of {', '.join(WRITE_FORMATS)} (got {format!r})"
        )
    if locale is not None and locale not in LOCALES:
        raise InputError.single(
            "arguments", "locale", f"must be None or one of {', '.join(LOCALES)} (got {locale!r})"
        )
    tables = _tables(result)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    if format == "xlsx":
        path = out / WORKBOOK
        _write_excel(tables, path)
        return [path]
    if format == "parquet":
        _optional("pyarrow", "parquet", "Writing Parquet files")
    paths = []
    for name, df in tables.items():
        path = out / f"{name}.{format}"
        if format == "csv" and locale == "lv":
            write_lv_csv(df, path)
        elif format == "csv":
            df.to_csv(path, index=False, encoding="utf-8")
        else:
            _text_if_mixed(df).to_parquet(path, engine="pyarrow", index=False)
        paths.append(path)
    return paths
