"""Participant weights of a region run: a participants column or a mapping by participant_id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import FloatArray
from ibm_engine.errors import InputError

__all__ = ["participant_weights"]


def participant_weights(participants: pd.DataFrame, weights: object) -> FloatArray:
    """One weight > 0 per participant row, from a column name or a mapping by participant_id.

    Every problem is reported (participants table, 1-based row, the weights column; or the
    ``weights`` argument for a mapping without a participant).

    Examples
    --------
    >>> people = pd.DataFrame({"participant_id": ["A", "B"], "priority_weight": [1.0, 2.5]})
    >>> participant_weights(people, "priority_weight").tolist()
    [1.0, 2.5]
    >>> participant_weights(people, {"A": 3, "B": 1}).tolist()
    [3.0, 1.0]
    >>> participant_weights(people, {"A": 3})
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 1 input problem:
      arguments, column weights: participant B has no weight
    """
    ids = participants["participant_id"].astype(str).to_numpy()
    if isinstance(weights, str):
        if weights not in participants.columns:
            raise InputError.single("participants", weights, "weights column is missing")
        raw = participants[weights]
        table, column = "participants", weights
    elif isinstance(weights, Mapping | pd.Series):
        lookup = pd.Series(weights, dtype=object)
        lookup.index = lookup.index.astype(str)
        missing = ~np.isin(ids, lookup.index.to_numpy())
        if missing.any():
            raise InputError(
                [
                    _problem("arguments", None, pid, "weights", f"participant {pid} has no weight")
                    for pid in ids[missing].tolist()
                ]
            )
        raw = pd.Series(lookup.reindex(pd.Index(ids)).to_numpy(), index=participants.index)
        table, column = "arguments", "weights"
    else:
        raise InputError.single(
            "arguments", "weights", "must be a participants column name or a mapping"
        )
    is_bool = np.array([isinstance(x, bool | np.bool_) for x in raw], dtype=bool)
    num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = is_bool | ~np.isfinite(num) | ~(num > 0)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise InputError(
            [
                _problem(
                    table,
                    int(r) + 1 if table == "participants" else None,
                    str(ids[r]),
                    column,
                    "must be a number > 0",
                )
                for r in rows.tolist()
            ]
        )
    return num


def _problem(
    table: str, row: int | None, participant_id: str, column: str, reason: str
) -> dict[str, Any]:
    return {
        "table": table,
        "row": row,
        "participant_id": participant_id,
        "column": column,
        "reason": reason,
    }
