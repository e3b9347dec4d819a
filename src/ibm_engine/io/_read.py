"""Reading contract tables from CSV, Excel and Parquet files without silent coercion.

Text columns of the contract are read as text, numeric columns as numbers, and a cell that is
not a number stays what it was, so that the validation in :func:`ibm_engine.allocate` reports
it with its row. Only an empty cell is missing: ``NA``, ``N/A``, ``null`` or ``#N/A`` are kept
as written (a municipality may be called ``NA``; a ``#N/A`` from a failed lookup in
``max_units`` must be reported, not read as "no cap").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from ibm_engine.errors import InputError
from ibm_engine.tables import PARTICIPANTS, PLAN_ITEMS, SERVICES

__all__ = [
    "NUMERIC_COLUMNS",
    "READ_SUFFIXES",
    "TEXT_COLUMNS",
    "PathLike",
    "read_table",
    "read_tables",
]

PathLike = str | os.PathLike[str]

_SPECS: Final = (*PARTICIPANTS, *PLAN_ITEMS, *SERVICES)

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
    }
)

#: file name endings read_table understands
READ_SUFFIXES: Final = (".csv", ".xlsx", ".xlsm", ".xls", ".parquet")


def _problem(table: str, reason: str) -> InputError:
    return InputError(
        [{"table": table, "row": None, "participant_id": None, "column": None, "reason": reason}]
    )


def _optional(module: str, extra: str, what: str) -> Any:
    """Import an optional dependency or raise an ImportError naming the extra to install."""
    try:
        return __import__(module)
    except ImportError:
        raise ImportError(
            f"{what} needs the optional dependency {module!r}: pip install ibm_engine[{extra}]"
        ) from None


def _separator(path: Path) -> str:
    """``;`` or tab when the header line uses it and no comma (spreadsheet exports), else ``,``."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        header = f.readline()
    if "," not in header:
        for sep in (";", "\t"):
            if sep in header:
                return sep
    return ","


def _read_csv(path: Path) -> pd.DataFrame:
    # Everything as text, and only an empty cell is missing; numbers are parsed below.
    return pd.read_csv(
        path,
        sep=_separator(path),
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
    )


def _read_excel(path: Path, table: str | None) -> pd.DataFrame:
    if path.suffix.lower() == ".xls":
        _optional("xlrd", "excel", "Reading .xls files (or save the file as .xlsx)")
        engine: Literal["xlrd", "openpyxl"] = "xlrd"
    else:
        _optional("openpyxl", "excel", "Reading Excel files")
        engine = "openpyxl"
    with pd.ExcelFile(path, engine=engine) as book:
        names = [str(n) for n in book.sheet_names]
        sheet = table if table in names else names[0]
        df = pd.read_excel(
            book, sheet_name=sheet, dtype=object, keep_default_na=False, na_values=[""]
        )
    extras = [c for c in df.columns if c not in TEXT_COLUMNS and c not in NUMERIC_COLUMNS]
    if extras:
        df[extras] = df[extras].infer_objects()
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    _optional("pyarrow", "parquet", "Reading Parquet files")
    return pd.read_parquet(path, engine="pyarrow")


def _as_text(s: pd.Series) -> pd.Series:
    """Text cells as they are; numbers (Excel, Parquet) as their digits; empty cells NA."""
    if pdt.is_string_dtype(s.dtype) and s.dtype != object:
        return s
    raw = s.to_numpy(dtype=object)
    empty = pd.isna(raw)
    out = np.array(
        [
            None if e else x if isinstance(x, str) else _digits(x)
            for x, e in zip(raw, empty, strict=True)
        ],
        dtype=object,
    )
    return pd.Series(out, index=s.index, name=s.name, dtype="str")


def _digits(x: object) -> str:
    if isinstance(x, float | np.floating) and float(x).is_integer():
        return str(int(x))
    return str(x)


def _as_number(s: pd.Series) -> pd.Series:
    """Numbers from text cells; a cell that is not a finite number keeps its original value.

    Whole numbers become ``int64`` (``Int64`` when some cells are empty), others ``float64``;
    a column with cells that are not numbers becomes ``object`` so the validator can name them.
    """
    if pdt.is_numeric_dtype(s.dtype) or pdt.is_bool_dtype(s.dtype):
        return s
    raw = s.to_numpy(dtype=object)
    given = ~pd.isna(raw)
    if pdt.is_string_dtype(s.dtype) and s.dtype != object:  # CSV: every cell is text
        texts, nums, text_cells = given, np.zeros(len(raw), dtype=bool), s
    else:  # Excel: numbers, text and other cells
        texts = np.fromiter((isinstance(x, str) for x in raw), dtype=bool, count=len(raw))
        nums = np.fromiter(
            (isinstance(x, int | float | np.number) and not isinstance(x, bool) for x in raw),
            dtype=bool,
            count=len(raw),
        )
        only_text = raw.copy()
        only_text[~texts] = None
        text_cells = pd.Series(only_text).astype("str")
    parsed = pd.to_numeric(text_cells, errors="coerce", dtype_backend="numpy_nullable")
    finite = np.isfinite(parsed.to_numpy(dtype=np.float64, na_value=np.nan))
    ok = nums | (texts & finite)
    if not ok[given].all() or nums.any():
        cells = np.where(texts & ok, parsed.to_numpy(dtype=object), raw)
        cells[~given] = None
        if not ok[given].all():
            return pd.Series(cells, index=s.index, name=s.name, dtype=object)
        parsed = pd.to_numeric(pd.Series(cells, dtype=object), dtype_backend="numpy_nullable")
    result: pd.Series
    if not pdt.is_integer_dtype(parsed.dtype):
        result = parsed.astype("float64")
    elif given.all():
        result = parsed.astype("int64")
    else:
        result = parsed.astype("Int64")
    result = result.set_axis(s.index)
    result.name = s.name
    return result


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    for c in df.columns:
        if c in TEXT_COLUMNS:
            df[c] = _as_text(df[c])
        elif c in NUMERIC_COLUMNS:
            df[c] = _as_number(df[c])
    return df


def read_table(path: PathLike, table: str | None = None) -> pd.DataFrame:
    """Read one table from a CSV, Excel (``.xlsx``, ``.xls``) or Parquet file.

    Parameters
    ----------
    path : str or os.PathLike
        The file. The format follows the ending: ``.csv`` (UTF-8, with or without a byte
        order mark; ``;`` or tab separated when the header has no comma), ``.xlsx`` /
        ``.xlsm`` / ``.xls`` (the sheet named ``table`` if there is one, else the first
        sheet) or ``.parquet``.
    table : str, optional
        What the file holds (``"participants"``, ``"plan_items"``, ``"services"``, ``"items"``
        ...): names the table in error messages and picks the sheet of a workbook.

    Returns
    -------
    pandas.DataFrame
        Text columns of the contract (``participant_id``, ``service``, ``municipality``,
        ``target_group``, ``unit``, ``target_groups`` and the results' ``reason``,
        ``status`` ...) as ``str``, so ``"007"`` keeps its zeros. Numeric columns as
        ``int64``, ``Int64`` or ``float64``; a cell that is not a number (``"2,5"``, ``"NA"``)
        keeps its text and the column is ``object``, for the validator to report. Other
        columns of a CSV stay text; of Excel and Parquet files, as stored. Only empty cells
        are missing.

    Raises
    ------
    InputError
        The file is missing, empty, unreadable or of an unsupported type.
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
    """
    name = table or "input"
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in READ_SUFFIXES:
        return _unsupported(name, p)
    if not p.is_file():
        what = "is a directory, not a file" if p.is_dir() else "file not found"
        raise _problem(name, f"{what}: {p}")
    try:
        if suffix == ".csv":
            df = _read_csv(p)
        elif suffix == ".parquet":
            df = _read_parquet(p)
        else:
            df = _read_excel(p, table)
    except ImportError:
        raise
    except pd.errors.EmptyDataError:
        raise _problem(name, f"file is empty: {p}") from None
    except UnicodeDecodeError as exc:
        raise _problem(name, f"is not UTF-8 text ({exc.reason}): {p}") from None
    except Exception as exc:
        detail = " ".join(str(exc).split())  # parser messages span lines
        raise _problem(name, f"cannot be read ({type(exc).__name__}: {detail}): {p}") from exc
    return _normalise(df)


def _unsupported(name: str, p: Path) -> pd.DataFrame:
    kinds = ", ".join(READ_SUFFIXES)
    raise _problem(name, f"unsupported file type {p.suffix or '(none)'!r} (use {kinds}): {p}")


def read_tables(
    participants: PathLike, plan_items: PathLike, services: PathLike
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read the three input tables of :func:`ibm_engine.allocate` (see :func:`read_table`).

    The three paths may name one workbook with sheets ``participants``, ``plan_items`` and
    ``services``.

    Returns
    -------
    participants, plan_items, services : pandas.DataFrame
    """
    return (
        read_table(participants, "participants"),
        read_table(plan_items, "plan_items"),
        read_table(services, "services"),
    )
