"""Exceptions and warnings of ibm_engine.

Every error inherits a builtin so that callers' ``except ValueError`` keeps working.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "IbmEngineError",
    "IbmEngineWarning",
    "InputError",
    "NotApplicableError",
    "SolverError",
    "SolverWarning",
    "UnknownMunicipalityWarning",
]

#: the columns of ``InputError.problems``: the contract's five, then where the problem is in
#: a file (empty for tables that were not read from a file)
PROBLEM_COLUMNS = (
    "table",
    "row",
    "participant_id",
    "column",
    "reason",
    "file",
    "sheet",
    "source_row",
)
_NUMBERS = ("row", "source_row")


def _int_or_text(x: Any) -> Any:
    """A row number as a Python int (``3``, never ``3.0``), an id as text, empty as None."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    if isinstance(x, str):
        return str(x)
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return int(x)
    if isinstance(x, numbers.Real) and float(x).is_integer():
        return int(float(x))
    try:
        import pandas as pd

        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return x


class IbmEngineError(Exception):
    """Base class of every exception raised by ibm_engine."""


class InputError(IbmEngineError, ValueError):
    """Invalid input tables or parameters.

    The message lists every problem found; :attr:`problems` holds them as a DataFrame with
    the columns ``table, row, participant_id, column, reason, file, sheet, source_row``.
    ``row`` is the participant_id where the row has one, else the 1-based row number (a
    Python int, never a float). ``file``, ``sheet`` and ``source_row`` say where a problem
    of a table read by :func:`ibm_engine.read_table` is in its file (``source_row``: the line
    of a CSV file or the row of a sheet, the header being row 1); they are empty for tables
    given as DataFrames.

    Examples
    --------
    >>> err = InputError([{"table": "participants", "row": "P1", "participant_id": "P1",
    ...                    "column": "age", "reason": "must be an integer in 0..120"}])
    >>> print(err)
    1 input problem:
      participants, row P1, column age: must be an integer in 0..120
    >>> err.problems.columns.tolist()
    ['table', 'row', 'participant_id', 'column', 'reason', 'file', 'sheet', 'source_row']
    >>> print(InputError([{"table": "services", "row": 2.0, "column": "unit",
    ...                    "reason": "must be one of session, hour, day, trip",
    ...                    "file": "s.csv", "source_row": 4}]))
    1 input problem:
      services, row 2, column unit (s.csv, line 4): must be one of session, hour, day, trip
    """

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self._problems = [
            {k: _int_or_text(v) if k in _NUMBERS else v for k, v in dict(p).items()}
            for p in problems
        ]
        super().__init__(self._format())

    @classmethod
    def single(
        cls,
        table: str,
        column: str | None,
        reason: str,
        *,
        row: Any = None,
        participant_id: str | None = None,
        file: str | None = None,
        sheet: str | None = None,
        source_row: int | None = None,
    ) -> InputError:
        """An InputError with one problem (``file``, ``sheet``, ``source_row``: where it is in a
        file read by :func:`ibm_engine.read_table`).

        Examples
        --------
        >>> print(InputError.single("arguments", "policy", "must be optimal or priority"))
        1 input problem:
          arguments, column policy: must be optimal or priority
        """
        return cls(
            [
                {
                    "table": table,
                    "row": row,
                    "participant_id": participant_id,
                    "column": column,
                    "reason": reason,
                    "file": file,
                    "sheet": sheet,
                    "source_row": source_row,
                }
            ]
        )

    def _format(self, limit: int = 50) -> str:
        n = len(self._problems)
        head = f"{n} input problem{'s' if n != 1 else ''}:"
        lines = [head]
        for p in self._problems[:limit]:
            row = p.get("row")
            where = f"{p.get('table')}" + (f", row {row}" if row not in (None, "") else "")
            col = p.get("column")
            if col not in (None, ""):
                where += f", column {col}"
            where += _in_file(p)
            lines.append(f"  {where}: {p.get('reason')}")
        if n > limit:
            lines.append(f"  ... and {n - limit} more (see InputError.problems)")
        return "\n".join(lines)

    @property
    def problems(self) -> pd.DataFrame:
        """All problems as a DataFrame (see :data:`PROBLEM_COLUMNS`).

        ``row`` and ``source_row`` are ``object`` columns of Python ints, text or None.
        """
        import pandas as pd

        df = pd.DataFrame(self._problems, columns=list(PROBLEM_COLUMNS))
        for c in _NUMBERS:
            values = [p.get(c) for p in self._problems]
            df[c] = pd.Series(values, index=df.index, dtype=object)
        return df


def _in_file(p: dict[str, Any]) -> str:
    """`` (file, sheet S, row R)``, or `` (file, line R)`` for a CSV (empty: not from a file)."""
    if str(p.get("file")) in str(p.get("reason")):
        return ""  # the reason names the file already
    where = problem_location(p)
    return f" ({where})" if where else ""


def problem_location(p: Mapping[Any, Any]) -> str:
    """Where a problem is in its file: ``file, sheet S, row R`` or ``file, line R`` for a CSV
    (header = row / line 1); empty when the table was not read from a file.

    Examples
    --------
    >>> problem_location({"file": "p.csv", "sheet": None, "source_row": 4})
    'p.csv, line 4'
    >>> problem_location({"file": "b.xlsx", "sheet": "services", "source_row": 7})
    'b.xlsx, sheet services, row 7'
    """
    file = p.get("file")
    if not isinstance(file, str) or not file:
        return ""
    parts = [file]
    sheet = p.get("sheet")
    if isinstance(sheet, str) and sheet:
        parts.append(f"sheet {sheet}")
    row = p.get("source_row")
    if row is not None and not (isinstance(row, float) and row != row):
        parts.append(f"{'row' if isinstance(sheet, str) and sheet else 'line'} {row}")
    return ", ".join(parts)


class SolverError(IbmEngineError, RuntimeError):
    """An internal solver failed in a way the library could not recover from."""


class NotApplicableError(IbmEngineError, TypeError):
    """A question that has no meaning for this kind of result (a what-if of a region run, where
    capacities tie the participants together); the message says what to do instead."""


class IbmEngineWarning(UserWarning):
    """Base class of ibm_engine's warnings."""


class UnknownMunicipalityWarning(IbmEngineWarning):
    """A participant's municipality appears in no catalogue row (often a typo)."""


class SolverWarning(IbmEngineWarning):
    """Non-fatal numerical trouble in a solver (the answer is still checked and safe)."""
