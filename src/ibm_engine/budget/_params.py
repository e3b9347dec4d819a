"""Policy parameters with an effective date and a source (house rule 8), and their checks.

Every formula carries one :class:`Source` (the decision, price list or data set its numbers come
from, and the date they apply from). A :class:`~ibm_engine.budget.BudgetResult` lists every
parameter it used as a :class:`Parameter`: name, value, unit, source.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.errors import InputError

__all__ = ["Parameter", "ParameterCheck", "Source", "finite", "params_frame"]


@dataclass(frozen=True)
class Source:
    """Where a formula's parameters come from, and the date from which they apply.

    Parameters
    ----------
    reference : str
        The law, regulation, price list, decision or data set, e.g. ``"LM pilot guidelines"``.
    effective_date : datetime.date
        First day the parameters apply.
    note : str, optional
        Anything a reader of a budget notice should know (e.g. "illustrative").

    Examples
    --------
    >>> from datetime import date
    >>> Source("Cabinet Regulation No. 829 (2007)", date(2007, 11, 27)).effective_date.year
    2007
    >>> Source("", date(2020, 1, 1))
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 1 input problem:
      parameters, row source, column reference: must be a non-empty text
    """

    reference: str
    effective_date: date
    note: str = ""

    def __post_init__(self) -> None:
        check = ParameterCheck("source")
        if not isinstance(self.reference, str) or not self.reference.strip():
            check.add("reference", "must be a non-empty text")
        if not isinstance(self.effective_date, date):
            check.add("effective_date", f"must be a datetime.date (got {self.effective_date!r})")
        if not isinstance(self.note, str):
            check.add("note", "must be text")
        check.raise_if_any()


@dataclass(frozen=True)
class Parameter:
    """One parameter a budget used: its value, unit and source.

    Examples
    --------
    >>> from datetime import date
    >>> p = Parameter("price_per_point_eur", 12.5, "EUR per point per 26 weeks",
    ...               Source("illustrative", date(2024, 1, 1)))
    >>> p.effective_date, p.reference
    (datetime.date(2024, 1, 1), 'illustrative')
    """

    name: str
    value: Any
    unit: str
    source: Source

    @property
    def effective_date(self) -> date:
        """The date from which the value applies."""
        return self.source.effective_date

    @property
    def reference(self) -> str:
        """The document the value comes from."""
        return self.source.reference


def params_frame(params: Iterable[Parameter]) -> pd.DataFrame:
    """Parameters as a table: name, value, unit, effective_date, reference, note."""
    rows = [
        {
            "name": p.name,
            "value": p.value,
            "unit": p.unit,
            "effective_date": p.effective_date,
            "reference": p.reference,
            "note": p.source.note,
        }
        for p in params
    ]
    cols = ["name", "value", "unit", "effective_date", "reference", "note"]
    return pd.DataFrame(rows, columns=cols)


def finite(value: object) -> float | None:
    """``value`` as a float when it is a finite real number (not a bool), else None."""
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


class ParameterCheck:
    """Collects every problem of a formula's parameters, then raises one ``InputError``.

    Problems name table ``parameters``, the formula as the row and the parameter as the column.
    """

    def __init__(self, formula: str) -> None:
        self.formula = formula
        self.problems: list[dict[str, Any]] = []

    def add(self, column: str, reason: str) -> None:
        """Record one problem of parameter ``column``."""
        self.problems.append(
            {
                "table": "parameters",
                "row": self.formula,
                "participant_id": None,
                "column": column,
                "reason": reason,
            }
        )

    def number(
        self,
        name: str,
        value: object,
        *,
        low: float | None = None,
        high: float | None = None,
        strict_low: bool = False,
        optional: bool = False,
    ) -> bool:
        """Check a finite real number within bounds; True when it is fine."""
        if value is None and optional:
            return True
        x = finite(value)
        if x is None:
            self.add(name, f"must be a finite number (got {value!r})")
            return False
        if low is not None and (x <= low if strict_low else x < low):
            self.add(name, f"must be {'>' if strict_low else '>='} {low:g} (got {x!r})")
            return False
        if high is not None and x > high:
            self.add(name, f"must be <= {high:g} (got {x!r})")
            return False
        return True

    def source(self, value: object) -> None:
        """Check that ``value`` is a :class:`Source`."""
        if not isinstance(value, Source):
            self.add("source", f"must be a Source(reference, effective_date) (got {value!r})")

    def raise_if_any(self) -> None:
        """Raise ``InputError`` listing every problem recorded (nothing when none)."""
        if self.problems:
            raise InputError(self.problems)
