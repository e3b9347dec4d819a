"""Re-allocating one participant with changed input rows, and the diff against the result."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ibm_engine._tolerances import WEIGHT_TIE_TOL
from ibm_engine.allocation._allocate import allocate
from ibm_engine.allocation._one import Items
from ibm_engine.allocation._variants import argument_error
from ibm_engine.budget import ASSESSMENT_COLUMNS, PotCalibrated
from ibm_engine.errors import IbmEngineError, UnknownMunicipalityWarning

if TYPE_CHECKING:
    from ibm_engine.allocation._result import AllocationResult

__all__ = ["ITEM_CHANGES", "PARTICIPANT_CHANGES", "diff_frame", "rerun"]

#: plan-item columns a corrected assessment may change
ITEM_CHANGES = ("recommended_units", "min_units", "max_units", "team_rank", "family_rank")
#: participant columns a corrected assessment may change
PARTICIPANT_CHANGES = (
    "budget_eur",
    "family_hours_per_week",
    "period_weeks",
    "age",
    "target_group",
    "municipality",
    *ASSESSMENT_COLUMNS,
)
_RANKS = ("team_rank", "family_rank")


def _column(values: list[Any]) -> Any:
    """A column from Python values, ``None`` as empty (nullable dtypes, no silent casts)."""
    if all(v is None for v in values):
        return np.full(len(values), np.nan)
    return pd.array(values)


def _tables(
    result: AllocationResult,
    it: Items,
    changes: dict[str, Any],
    participant: dict[str, Any],
    keep_weights: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    prep = result._solved.prep
    people = prep.participants.iloc[[it.p]].reset_index(drop=True)
    people["budget_eur"] = it.budget / 100
    for col, value in participant.items():
        people[col] = _column([value])
    if _formula_again(result, it, participant):
        people["budget_eur"] = np.nan  # the result's budget formula sets it anew
    rows = np.sort(it.rows)  # input order
    items = prep.items.iloc[rows].reset_index(drop=True)
    if keep_weights:
        items["weight"] = result._solved.asm.weight[rows]
    service = [str(s) for s in items["service"].tolist()]
    for col in sorted({c for ch in changes.values() for c in ch}):
        values = items[col].tolist() if col in items.columns else [None] * len(service)
        values = [None if v is None or v is pd.NA or v != v else v for v in values]
        for k, s in enumerate(service):
            if col in changes.get(s, {}):
                values[k] = changes[s][col]
        items[col] = _column(values)
    return people, items


def _formula_again(result: AllocationResult, it: Items, participant: dict[str, Any]) -> bool:
    """Whether the participant's budget came from the result's formula and the changes touch
    what the formula reads (a corrected assessment score, age, group, ...).

    A pot-calibrated formula is not re-run for one participant (the pot belongs to the whole
    run): the participant keeps the calibrated budget.
    """
    formula = getattr(result, "budget", None)
    if formula is None or isinstance(formula, PotCalibrated) or "budget_eur" in participant:
        return False
    if "budget_source" not in result.participants.columns:
        return False
    if result.participants["budget_source"].iloc[it.p] != "formula":
        return False
    return any(c != "budget_eur" for c in participant)


def _allocate(result: AllocationResult, people: pd.DataFrame, items: pd.DataFrame) -> Any:
    merge = getattr(result, "merge", None)  # recorded by results that know their merge
    with warnings.catch_warnings():  # the result's own run warned already
        warnings.simplefilter("ignore", UnknownMunicipalityWarning)
        return allocate(
            people,
            items,
            result._solved.prep.catalogue.frame,
            policy=result.policy,
            period_weeks=result.period_weeks,
            team_share=result.team_share,
            merge=merge if merge is not None else "borda",
            budget=getattr(result, "budget", None),
        )


def rerun(
    result: AllocationResult,
    it: Items,
    changes: dict[str, Any],
    participant: dict[str, Any],
) -> AllocationResult:
    """The participant allocated again, alone, with the changes applied.

    Weights from a rank merge are passed on as explicit weights unless a rank changes; then
    the ranks are merged again, after checking that the unchanged ranks give the result's
    weights back.
    """
    for s, ch in changes.items():
        bad = sorted(set(ch) - set(ITEM_CHANGES))
        if bad:
            raise argument_error(
                "changes",
                f"cannot change {', '.join(bad)} of {s!r}; changeable: {', '.join(ITEM_CHANGES)}",
            )
    ranks = any(c in _RANKS for ch in changes.values() for c in ch)
    explicit = bool(result._solved.asm.explicit[it.p])
    if ranks and not explicit:
        same = _allocate(result, *_tables(result, it, {}, {}, keep_weights=False))
        mine = result._solved.asm.weight[np.sort(it.rows)]
        if not np.allclose(same._solved.asm.weight, mine, rtol=0.0, atol=WEIGHT_TIE_TOL):
            raise IbmEngineError(
                f"the ranks of participant {it.pid!r} do not give the result's weights "
                "again (was the result allocated with another rank merge?); changing ranks "
                "needs the merge the result was allocated with"
            )
    people, items = _tables(
        result, it, changes, participant, keep_weights=not explicit and not ranks
    )
    return _allocate(result, people, items)  # type: ignore[no-any-return]  # AllocationResult


def diff_frame(result: AllocationResult, it: Items, after: AllocationResult) -> pd.DataFrame:
    """Before (the result) against after (a re-run of the participant alone), per item."""
    perm, batch = after._solved.asm.perm, after._solved.asm.batch
    after_service = [str(s) for s in after.items["service"].to_numpy()[perm].tolist()]
    k = len(after_service)
    before_at = {s: j for j, s in enumerate(it.service)}
    b = np.array([before_at[s] for s in after_service], dtype=np.int64)
    units_b, units_a = it.units[b], after._solved.sol.units
    cost_b, cost_a = (it.units * it.cost)[b], units_a * batch.cost
    reason_b = result.items["reason"].to_numpy()[it.rows][b]
    reason_a = after.items["reason"].to_numpy()[perm]
    frame = pd.DataFrame(
        {
            "service": after_service,
            "position_before": b + 1,
            "position_after": np.arange(1, k + 1),
            "weight_before": result._solved.asm.weight[it.rows][b],
            "weight_after": after._solved.asm.weight[perm],
            "units_before": units_b,
            "units_after": units_a,
            "cost_before_eur": cost_b / 100,
            "cost_after_eur": cost_a / 100,
            "reason_before": pd.Categorical(
                reason_b, categories=result.items["reason"].cat.categories
            ),
            "reason_after": pd.Categorical(
                reason_a, categories=after.items["reason"].cat.categories
            ),
            "changed": (units_b != units_a) | (cost_b != cost_a) | (reason_b != reason_a),
        }
    )
    before_row, after_row = result.participants.iloc[it.p], after.participants.iloc[0]
    frame.attrs.update(
        {
            "participant_id": it.pid,
            "value_before": float(before_row["value"]),
            "value_after": float(after_row["value"]),
            "budget_before_eur": float(before_row["budget_eur"]),
            "budget_after_eur": float(after_row["budget_eur"]),
            "spent_before_eur": float(before_row["spent_eur"]),
            "spent_after_eur": float(after_row["spent_eur"]),
        }
    )
    return frame
