"""The periods ledger: budget, carried in, available, spent, unspent, carried out, forfeited.

Every amount is int64 cents (EUR columns are the same divided by 100), so a participant's
budgets always equal spent + forfeited + what the last period carries out, to the cent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.errors import InputError
from ibm_engine.region._periods_carry import CarryOver, plan_years
from ibm_engine.tables._convert import integer, text

__all__ = ["LEDGER_AMOUNTS", "ledger_frame", "plan_item_periods", "totals_frame"]

#: the amounts of a ledger row, each as ``<name>_eur`` and ``<name>_cents``
LEDGER_AMOUNTS = (
    "budget", "carried_in", "available", "spent", "unspent", "own_choice", "carried_out",
    "forfeited",
)  # fmt: skip


def plan_item_periods(items: pd.DataFrame, canon: pd.DataFrame) -> IntArray:
    """The period of each plan item (0 for every item when there is no ``period`` column).

    A ``period`` must be a whole number >= 1 naming a period of the item's participant; every
    problem is collected before one InputError names them (1-based row numbers).

    Examples
    --------
    >>> canon = pd.DataFrame({"participant_id": ["A", "A"], "period": [1, 2]})
    >>> items = pd.DataFrame({"participant_id": ["A", "A", "A"], "period": [1, 2, 3]})
    >>> plan_item_periods(items, canon)
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 1 input problem:
      plan_items, row 3, column period: participant A has no period 3
    """
    if "period" not in items:
        return np.zeros(len(items), dtype=np.int64)
    col = integer(items["period"])
    bad = col.empty | col.bad | (col.values < 1)
    given = items.get("participant_id", pd.Series([None] * len(items), dtype=object))
    pid_col = text(given, allow_int=True)
    pids = np.where(pid_col.empty | pid_col.bad, "", pid_col.values).astype(object)
    known = pd.MultiIndex.from_arrays(
        [canon["participant_id"].astype(str).to_numpy(object), canon["period"].to_numpy()]
    )
    wanted = pd.MultiIndex.from_arrays([pids, col.values])
    # an item without a valid participant_id goes to its period's allocation, which names it
    missing = ~bad & (pids != "") & (known.get_indexer(wanted) < 0)
    problems = []
    for r in np.flatnonzero(bad | missing):
        reason = (
            "must be a whole number >= 1"
            if bad[r]
            else f"participant {pids[r]} has no period {col.values[r]}"
        )
        problems.append(
            {"table": "plan_items", "row": int(r) + 1, "participant_id": pids[r] or None,
             "column": "period", "reason": reason}
        )  # fmt: skip
    if problems:
        raise InputError(problems)
    out: IntArray = col.values.astype(np.int64)
    return out


def ledger_frame(
    canon: pd.DataFrame,
    rule: CarryOver,
    carried_in: IntArray,
    spent: IntArray,
    carried_out: IntArray,
    own_choice: IntArray,
) -> pd.DataFrame:
    """One row per participant and period with every amount in EUR and in cents
    (``own_choice``: the part of the unspent money left by the participant's own pauses)."""
    budget = canon["budget_cents"].to_numpy(np.int64)
    available = budget + carried_in
    unspent = available - spent
    cents = {
        "budget": budget,
        "carried_in": carried_in,
        "available": available,
        "spent": spent,
        "unspent": unspent,
        "own_choice": own_choice,
        "carried_out": carried_out,
        "forfeited": unspent - carried_out,
    }
    start = canon["start_date"].to_numpy().astype("datetime64[D]")
    out = pd.DataFrame(
        {
            "participant_id": canon["participant_id"].to_numpy(),
            "period": canon["period"].to_numpy(np.int64),
            "start_date": start.astype("datetime64[ns]"),
            "end_date": canon["end_date"]
            .to_numpy()
            .astype("datetime64[D]")
            .astype("datetime64[ns]"),
            "plan_year": plan_years(start, rule.year_start_month),
            "weeks": canon["weeks"].to_numpy(np.int64),
            "months": canon["months"].to_numpy(np.int64),
            "budget_source": canon["budget_source"].to_numpy(),
        }
    )
    for name in LEDGER_AMOUNTS:
        out[f"{name}_eur"] = cents[name] / 100.0
    for name in LEDGER_AMOUNTS:
        out[f"{name}_cents"] = np.asarray(cents[name], dtype=np.int64)
    return out


def totals_frame(ledger: pd.DataFrame) -> pd.DataFrame:
    """Per participant: ``budget``, ``spent``, ``forfeited`` and ``carried_out_last`` (EUR and
    cents) and ``reconciles`` (budget = spent + forfeited + carried out of the last period).

    Examples
    --------
    >>> led = pd.DataFrame({"participant_id": ["A", "A"], "budget_cents": [1000, 1000],
    ...     "spent_cents": [600, 1300], "forfeited_cents": [0, 0],
    ...     "carried_out_cents": [400, 100]})
    >>> totals_frame(led)[["participant_id", "budget_eur", "carried_out_last_eur", "reconciles"]]
      participant_id  budget_eur  carried_out_last_eur  reconciles
    0              A        20.0                   1.0        True
    """
    g = ledger.groupby("participant_id", sort=False)
    sums = g[["budget_cents", "spent_cents", "forfeited_cents"]].sum()
    sums["carried_out_last_cents"] = g["carried_out_cents"].last()
    out = sums.reset_index()
    out["reconciles"] = out["budget_cents"] == (
        out["spent_cents"] + out["forfeited_cents"] + out["carried_out_last_cents"]
    )
    for name in ("budget", "spent", "forfeited", "carried_out_last"):
        out.insert(len(out.columns) - 1, f"{name}_eur", out[f"{name}_cents"] / 100.0)
    return out
