"""Argument checks shared by the scenario objects: every problem collected, then raised."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from ibm_engine.errors import InputError

__all__ = ["Problems", "frame_copy"]


class Problems:
    """Collects argument problems (table ``arguments`` unless told) and raises them at once."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, column: str, reason: str, *, table: str = "arguments", row: Any = None) -> None:
        self.items.append(
            {"table": table, "row": row, "participant_id": None, "column": column,
             "reason": reason}
        )  # fmt: skip

    def number(
        self, column: str, x: object, *, low: float, high: float = np.inf, open_low: bool = False
    ) -> bool:
        """True when ``x`` is a real number in the range (else records why)."""
        ok = isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)
        if ok:
            v = float(x)  # type: ignore[arg-type]  # checked just above
            ok = bool(np.isfinite(v)) and (v > low if open_low else v >= low) and v <= high
        if not ok:
            lo = f"> {low:g}" if open_low else f">= {low:g}"
            hi = "" if high == np.inf else f" and <= {high:g}"
            self.add(column, f"must be a number {lo}{hi} (got {x!r})")
        return ok

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)


def frame_copy(table: object, name: str) -> pd.DataFrame:
    """A deep copy of a table as a DataFrame (the caller's object is never kept)."""
    try:
        frame = (
            table.copy(deep=True)
            if isinstance(table, pd.DataFrame)
            else pd.DataFrame(cast(Any, table))
        )
    except (TypeError, ValueError) as exc:
        raise InputError.single("arguments", name, f"is not a table ({exc})") from None
    return frame.copy(deep=True)
