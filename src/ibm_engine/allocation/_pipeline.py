"""The one pipeline every allocation starts with: check the arguments, validate the tables,
set budgets by formula, merge rankings into weights.

``allocate`` and ``allocate_region`` both call :func:`stage`; what they do after it (solve per
participant, or solve a region under capacities) is theirs. Budget columns are added to a
participants table by :func:`add_budget_columns`, the same way for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.allocation._budget import apply_formula, budget_columns, screen_participants
from ibm_engine.allocation._merge import RankMerge
from ibm_engine.allocation._problem import Assembled, assemble
from ibm_engine.allocation._record import hash_inputs
from ibm_engine.budget import BudgetResult
from ibm_engine.errors import InputError
from ibm_engine.tables import Prepared, prepare
from ibm_engine.tables._columns import as_frame
from ibm_engine.tables._convert import Column
from ibm_engine.tables._hash import TableHash, TextParts

__all__ = [
    "ERRORS",
    "Staged",
    "add_budget_columns",
    "argument_error",
    "check_workers",
    "stage",
    "table_workers",
]

#: what ``errors=`` accepts
ERRORS = ("raise", "quarantine")


def argument_error(column: str, reason: str) -> InputError:
    """An InputError about an argument of the call (table ``arguments``)."""
    return InputError.single("arguments", column, reason)


def _workers(workers: object) -> int | None:
    """``workers`` when it is an int >= 1, else None."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        return None
    return workers


def check_workers(workers: object) -> int:
    """``workers`` as an int >= 1, else an InputError."""
    valid = _workers(workers)
    if valid is None:
        raise argument_error("workers", f"must be an integer >= 1 (got {workers!r})")
    return valid


def table_workers(workers: object) -> int:
    """The threads the table stages may use: ``workers`` when valid, else 1 (an invalid
    value is reported by :func:`check_workers`, after the tables, as before)."""
    return _workers(workers) or 1


def _check_team_share(team_share: object) -> float:
    if (
        isinstance(team_share, bool)
        or not isinstance(team_share, int | float | np.floating)
        or not (0.0 <= float(team_share) <= 1.0)
    ):
        raise argument_error("team_share", f"must be a number in [0, 1] (got {team_share!r})")
    return float(team_share)


@dataclass(frozen=True, eq=False)
class Staged:
    """Validated tables (``prep``), canonical arrays with weights (``asm``), the budget
    formula's result (None without a formula), the quarantined rows and the merge used; with
    ``stage(..., hash_tables=True)`` the content hashes of the three tables as given."""

    prep: Prepared
    asm: Assembled
    formula_result: BudgetResult | None
    rejected: pd.DataFrame
    merge: RankMerge
    team_share: float
    input_hashes: dict[str, TableHash] = field(default_factory=dict)
    #: the inputs' Arrow text columns as hashed, for the result tables' hashes
    input_texts: TextParts | None = None


def stage(
    participants: object,
    plan_items: object,
    services: object,
    *,
    period_weeks: int,
    team_share: object,
    errors: object,
    budget: Any,
    merge: str | RankMerge,
    budget_required: bool | None = None,
    hash_tables: bool = False,
    workers: int = 1,
) -> Staged:
    """Arguments checked, tables validated, budgets set, weights merged (see module docstring).

    ``errors="quarantine"`` sets aside the participants with problems (also those a budget
    formula cannot compute a budget for); ``"raise"`` raises one InputError with every problem.
    ``budget_required`` (default: when no formula is given) makes ``budget_eur`` required.
    ``hash_tables`` adds the record's content hashes of the three tables, from the columns
    validation has converted. ``workers``: threads for the table work (same answer).
    """
    if errors not in ERRORS:
        raise argument_error("errors", f"must be 'raise' or 'quarantine' (got {errors!r})")
    share = _check_team_share(team_share)
    given = {"participants": participants, "plan_items": plan_items, "services": services}
    screened = None
    if budget is not None and errors == "quarantine":
        participants, plan_items, screened = screen_participants(
            budget, as_frame(participants, "participants"), as_frame(plan_items, "plan_items")
        )
    converted: dict[str, tuple[pd.DataFrame, dict[str, Column]]] = {}
    prep = prepare(
        participants,
        plan_items,
        services,
        period_weeks=period_weeks,
        errors=str(errors),
        budget_required=budget is None if budget_required is None else budget_required,
        converted=converted,
        workers=workers,
    )
    # screening validated other tables than those given: then hash them from the start
    texts = TextParts() if hash_tables else None
    hashes = {}
    if texts is not None:
        hashes = hash_inputs(converted if screened is None else None, texts, **given)
    del converted  # the converted columns are not kept
    formula_result = None
    if budget is not None:
        prep, formula_result = apply_formula(prep, budget)
    spec = merge if isinstance(merge, RankMerge) else RankMerge(kind=str(merge))
    asm = assemble(prep, share, spec)
    rejected = prep.rejected
    if screened is not None and len(screened):
        rejected = pd.concat([rejected, screened], ignore_index=True)
    return Staged(prep, asm, formula_result, rejected, spec, share, hashes, texts)


def add_budget_columns(parts: pd.DataFrame, staged: Staged) -> None:
    """With a budget formula: ``budget_source`` and the breakdown columns on ``parts``."""
    if staged.formula_result is None:
        return
    extra = budget_columns(staged.prep, staged.formula_result)
    for c in extra.columns:
        if c not in parts.columns:
            parts[c] = extra[c].to_numpy()
