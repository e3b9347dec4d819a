"""Result tables of an allocation: one row per plan item and one per participant."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.allocation._problem import Assembled
from ibm_engine.domain._result import Reason
from ibm_engine.solve import BatchSolution
from ibm_engine.tables import Prepared
from ibm_engine.tables._threads import in_threads, row_chunks

__all__ = ["REASONS", "item_table", "participant_table"]

#: reasons of the item rows (contract v1), in the order of the ``Reason`` enum (their definition)
REASONS = tuple(r.value for r in Reason)


def _cents_to_eur(c: IntArray) -> np.ndarray:
    return c.astype(np.float64) / 100.0


def _reason_codes(reason: pd.Series) -> np.ndarray:
    """Each row's index in ``REASONS`` (``len(REASONS)`` where none), from the categorical's
    codes: no text per row (int8)."""
    cats = reason.astype("category").cat
    to_ours = np.append(pd.Index(REASONS).get_indexer(cats.categories), -1)
    to_ours = np.where(to_ours < 0, len(REASONS), to_ours).astype(np.int8)
    return to_ours[cats.codes.to_numpy()]


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


def item_table(
    prep: Prepared, asm: Assembled, sol: BatchSolution, workers: int = 1
) -> pd.DataFrame:
    """The items result: the input columns plus units, price, cost, weight, U, coverage, reason.

    Row-wise, in chunks of rows over ``workers`` threads (each cell depends on its row only,
    so the table is the same for any ``workers``).
    """
    units = item_units(asm, sol)
    m = units.shape[0]
    codes = np.empty(m, dtype=np.int8)
    price, cost, coverage, hours, weight = (np.empty(m, dtype=np.float64) for _ in range(5))
    upper = np.empty(m, dtype=np.int64)

    def rows(bounds: tuple[int, int]) -> None:
        sl = slice(*bounds)
        u, up, pc = units[sl], prep.upper[sl], prep.price_cents[sl]
        no_row = prep.row[sl] < 0
        # the first that holds of: no row, cap below minimum, all, some, none (REASONS' order)
        c = codes[sl]
        c[:] = 4
        c[u > 0] = 3
        c[u == up] = 2
        c[up < np.maximum(prep.min_units[sl], 1)] = 1
        c[no_row] = 0
        np.divide(pc, 100.0, out=price[sl])  # cents as EUR (float64)
        price[sl][no_row] = np.nan
        np.divide(u * pc, 100.0, out=cost[sl])
        np.divide(u, prep.recommended[sl], out=coverage[sl])
        np.multiply(u, prep.hours_per_unit[sl], out=hours[sl])
        weight[sl] = asm.weight[sl]  # the result's own: asm keeps its weights
        upper[sl] = up

    in_threads(rows, row_chunks(m), workers)
    # the catalogue's few units as strings, taken per row (-1: no row): no text per row
    units_text = pd.array(list(prep.catalogue.unit), dtype="string")
    new = {
        "unit": units_text.take(prep.row, allow_fill=True),
        "units": units,
        "unit_price_eur": price,
        "cost_eur": cost,
        "weight": weight,
        "upper_units": upper,
        "coverage": coverage,
        "hours": hours,
        "reason": pd.Categorical.from_codes(codes, categories=list(REASONS)),  # type: ignore[call-overload]  # stubs reject ndarray codes
    }
    return _with_columns(prep.items, new)


def _participant_sums(
    prep: Prepared, asm: Assembled, sol: BatchSolution, workers: int
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
    """Per participant: spent (cents), hours used, value and the largest value possible.

    The items are summed in batch (joint-list) order, each participant's in one piece, so
    the float sums are the same whatever the chunks of participants and ``workers``.
    """
    batch = asm.batch
    n, off = batch.n, batch.offsets
    spent = np.empty(n, dtype=np.int64)
    hrs, value, max_value = (np.empty(n, dtype=np.float64) for _ in range(3))

    def participants(bounds: tuple[int, int]) -> None:
        a, b = bounds
        i0, i1 = int(off[a]), int(off[b])
        items = slice(i0, i1)
        owner = np.repeat(np.arange(b - a, dtype=np.int64), np.diff(off[a : b + 1]))
        perm = asm.perm[items]
        u, up = sol.units[items], prep.upper[perm]
        rec = prep.recommended[perm]
        w = asm.weight[perm]
        cs = np.zeros(i1 - i0 + 1, dtype=np.int64)
        np.cumsum(batch.cost[items] * u, out=cs[1:])
        spent[a:b] = cs[off[a + 1 : b + 1] - i0] - cs[off[a:b] - i0]
        hrs[a:b] = np.bincount(owner, weights=batch.hours[items] * u, minlength=b - a)
        wu = w * u
        wu /= rec
        value[a:b] = np.bincount(owner, weights=wu, minlength=b - a)
        wu = w * up
        wu /= rec
        wu[up < np.maximum(prep.min_units[perm], 1)] = 0.0  # cannot be funded: adds nothing
        max_value[a:b] = np.bincount(owner, weights=wu, minlength=b - a)

    parts = row_chunks(n, rows=asm.perm.shape[0])
    in_threads(participants, parts, workers)
    return spent, hrs, value, max_value


def participant_table(
    prep: Prepared,
    asm: Assembled,
    sol: BatchSolution,
    policy: str,
    items: pd.DataFrame,
    workers: int = 1,
) -> pd.DataFrame:
    """The participants result: input columns plus spend, value, bound, status and counts.

    Sums per participant in chunks of participants over ``workers`` threads (the same table
    for any ``workers``).
    """
    n = asm.batch.n
    spent, hrs, value, max_value = _participant_sums(prep, asm, sol, workers)
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
    owner = prep.item_owner
    for name, code in (
        ("items_funded", "funded"),
        ("items_partly_funded", "partly_funded"),
        ("items_not_funded", "not_funded"),
    ):
        counted = np.bincount(owner[reason == REASONS.index(code)], minlength=n)
        out[name] = counted.astype(np.int64, copy=False)
    out["hours_used"] = hrs
    return out
