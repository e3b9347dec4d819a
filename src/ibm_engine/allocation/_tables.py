"""Result tables of an allocation: one row per plan item and one per participant."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.allocation._problem import Assembled
from ibm_engine.domain._result import Reason
from ibm_engine.solve import BatchSolution
from ibm_engine.tables import Prepared

__all__ = ["REASONS", "item_table", "participant_table"]

#: reasons of the item rows (contract v1), in the order of the ``Reason`` enum (their definition)
REASONS = tuple(r.value for r in Reason)


def _cents_to_eur(c: IntArray) -> np.ndarray:
    return c.astype(np.float64) / 100.0


def _reason_codes(reason: pd.Series) -> IntArray:
    """Each row's index in ``REASONS`` (``len(REASONS)`` where none), from the categorical's
    codes: no text per row."""
    cats = reason.astype("category").cat
    to_ours = np.append(pd.Index(REASONS).get_indexer(cats.categories), -1)
    out = to_ours[np.asarray(cats.codes.to_numpy(), dtype=np.int64)]
    return np.where(out < 0, len(REASONS), out).astype(np.int64)


def _extended(frame: pd.DataFrame) -> pd.DataFrame:
    """A new frame of the input's columns, to add the result columns to. The data is not
    copied: columns are only added or replaced as a whole (``out[name] = ...``), which
    leaves the input frame as it was (pandas >= 2), so the tables cost one copy of the input
    (``as_frame``'s, none under copy-on-write)."""
    return frame.copy(deep=False)


def _with_columns(frame: pd.DataFrame, new: dict[str, Any]) -> pd.DataFrame:
    """``frame`` with the columns ``new`` (arrays made for the result, not copied again):
    those of the same name replaced where they stand, the others appended in order."""
    out = _extended(frame)
    for name in [c for c in new if c in frame.columns]:
        out[name] = new.pop(name)
    if not new:
        return out
    added = pd.DataFrame(new, index=frame.index, copy=False)
    return pd.concat([out, added], axis=1)


def item_units(asm: Assembled, sol: BatchSolution) -> IntArray:
    """Units per accepted item row (input order)."""
    units = np.empty(asm.perm.shape[0], dtype=np.int64)
    units[asm.perm] = sol.units
    return units


def item_table(prep: Prepared, asm: Assembled, sol: BatchSolution) -> pd.DataFrame:
    """The items result: the input columns plus units, price, cost, weight, U, coverage, reason."""
    units = item_units(asm, sol)
    has_row = prep.row >= 0
    lower = np.maximum(prep.min_units, 1)
    upper = prep.upper
    # the first that holds of: no row, cap below minimum, all, some, none (REASONS' order)
    codes = np.full(units.shape[0], 4, dtype=np.int8)
    codes[units > 0] = 3
    codes[units == upper] = 2
    codes[upper < lower] = 1
    codes[~has_row] = 0
    price = np.where(has_row, _cents_to_eur(prep.price_cents), np.nan)
    # the catalogue's few units as strings, taken per row (-1: none): no text per row
    units_text = pd.array(list(prep.catalogue.unit), dtype="string")
    new = {
        "unit": units_text.take(np.where(has_row, prep.row, -1), allow_fill=True),
        "units": units,
        "unit_price_eur": price,
        "cost_eur": _cents_to_eur(units * prep.price_cents),
        "weight": asm.weight.copy(),  # the result's own: asm keeps its weights
        "upper_units": upper.copy(),
        "coverage": units / prep.recommended,
        "hours": units * prep.hours_per_unit,
        "reason": pd.Categorical.from_codes(codes, categories=list(REASONS)),  # type: ignore[call-overload]  # stubs reject ndarray codes
    }
    return _with_columns(prep.items, new)


def participant_table(
    prep: Prepared, asm: Assembled, sol: BatchSolution, policy: str, items: pd.DataFrame
) -> pd.DataFrame:
    """The participants result: input columns plus spend, value, bound, status and counts."""
    batch = asm.batch
    n = batch.n
    _, spent, hrs = batch.evaluate(sol.units)
    owner = prep.item_owner
    w = asm.weight
    fundable = prep.upper >= np.maximum(prep.min_units, 1)
    units = items["units"].to_numpy()
    # values summed in joint-list order (content order, so row order cannot change them)
    value = np.bincount(
        owner[asm.perm], weights=(w * units / prep.recommended)[asm.perm], minlength=n
    ).astype(np.float64)
    max_value = np.bincount(
        owner[asm.perm],
        weights=np.where(fundable, w * prep.upper / prep.recommended, 0.0)[asm.perm],
        minlength=n,
    ).astype(np.float64)
    bound = np.where(sol.proven, value, np.maximum(sol.bound, value))
    reason = _reason_codes(items["reason"])
    out = _extended(prep.participants)
    out["budget_eur"] = _cents_to_eur(prep.budget_cents)
    out["spent_eur"] = _cents_to_eur(spent)
    out["left_eur"] = _cents_to_eur(prep.budget_cents - spent)
    out["value"] = value
    out["max_value"] = max_value
    out["bound"] = bound
    status = np.where(sol.proven, 0, 1).astype(np.int8)
    out["status"] = pd.Categorical.from_codes(status, categories=["optimal", "feasible"])  # type: ignore[call-overload]  # stubs reject ndarray codes
    # the policy's one text taken n times (what assigning the scalar gives, without n strings)
    out["policy"] = pd.Series([policy]).array.take(np.zeros(n, dtype=np.intp))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["coverage"] = np.where(max_value > 0, value / max_value, 1.0)
    width = len(REASONS) + 1
    per_reason = np.bincount(owner * width + reason, minlength=n * width)
    per_reason = per_reason.reshape(n, width).astype(np.int64)
    for name, code in (
        ("items_funded", "funded"),
        ("items_partly_funded", "partly_funded"),
        ("items_not_funded", "not_funded"),
    ):
        out[name] = per_reason[:, REASONS.index(code)]
    out["hours_used"] = hrs
    return out
