"""Exceptions and warnings of ibm_engine.

Every error inherits a builtin so that callers' ``except ValueError`` keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "IbmEngineError",
    "IbmEngineWarning",
    "InputError",
    "SolverError",
    "SolverWarning",
    "UnknownMunicipalityWarning",
]

PROBLEM_COLUMNS = ("table", "row", "participant_id", "column", "reason")


class IbmEngineError(Exception):
    """Base class of every exception raised by ibm_engine."""


class InputError(IbmEngineError, ValueError):
    """Invalid input tables or parameters.

    The message lists every problem found; :attr:`problems` holds them as a DataFrame with
    the columns ``table, row, participant_id, column, reason``.

    Examples
    --------
    >>> err = InputError([{"table": "participants", "row": "P1", "participant_id": "P1",
    ...                    "column": "age", "reason": "must be an integer in 0..120"}])
    >>> print(err)
    1 input problem:
      participants, row P1, column age: must be an integer in 0..120
    >>> err.problems.columns.tolist()
    ['table', 'row', 'participant_id', 'column', 'reason']
    """

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self._problems = [dict(p) for p in problems]
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
    ) -> InputError:
        """An InputError with one problem.

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
            lines.append(f"  {where}: {p.get('reason')}")
        if n > limit:
            lines.append(f"  ... and {n - limit} more (see InputError.problems)")
        return "\n".join(lines)

    @property
    def problems(self) -> pd.DataFrame:
        """All problems as a DataFrame (table, row, participant_id, column, reason)."""
        import pandas as pd

        return pd.DataFrame(self._problems, columns=list(PROBLEM_COLUMNS))


class SolverError(IbmEngineError, RuntimeError):
    """An internal solver failed in a way the library could not recover from."""


class IbmEngineWarning(UserWarning):
    """Base class of ibm_engine's warnings."""


class UnknownMunicipalityWarning(IbmEngineWarning):
    """A participant's municipality appears in no catalogue row (often a typo)."""


class SolverWarning(IbmEngineWarning):
    """Non-fatal numerical trouble in a solver (the answer is still checked and safe)."""
