"""Shared type aliases for ibm_engine's internals."""

from __future__ import annotations

from typing import TYPE_CHECKING, NewType, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BoolArray", "Cents", "FloatArray", "IntArray", "ParticipantId", "ResultTables"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

Cents = NewType("Cents", int)
ParticipantId = NewType("ParticipantId", str)


class ResultTables(Protocol):
    """What every result type has (allocation, region, periods, scenario run, traditional):
    the item and participant tables and the quarantined input problems. Reports, writers and
    metrics accept this, not a union of classes."""

    @property
    def items(self) -> pd.DataFrame:
        """One row per plan item."""

    @property
    def participants(self) -> pd.DataFrame:
        """One row per participant."""

    @property
    def rejected(self) -> pd.DataFrame:
        """Quarantined input problems (participant_id, table, row, column, reason)."""
