"""Rank merges in ``allocate``: which merge turns the plan's rankings into value weights.

The contract's default is the Borda merge of the team's and the family's ranks with
``team_share``. :class:`RankMerge` selects another merge of :mod:`ibm_engine.priorities`
(team tiers then family order, lexicographic either way, weighted Kemeny of several rankers)
and a weight function (linear or geometric) for the joint rank it gives. Participants that
give explicit ``weight`` values keep them, whatever the merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.errors import InputError
from ibm_engine.priorities import (
    TIERS,
    borda_weights,
    family_first_rank,
    geometric_weights,
    kemeny_rank,
    linear_weights,
    team_first_rank,
    tiered_rank,
)
from ibm_engine.tables import Prepared
from ibm_engine.tables._convert import integer, text

__all__ = ["MERGES", "RankMerge", "merge_weights"]

MERGES = ("borda", "tiers", "team_first", "family_first", "kemeny")


@dataclass(frozen=True)
class RankMerge:
    """How the rankings of a participant's plan become value weights.

    Parameters
    ----------
    kind : {"borda", "tiers", "team_first", "family_first", "kemeny"}
        ``borda``: the contract's default (uses ``team_share``). ``tiers``: the team's tier
        (plan_items column ``tier_column``: essential / recommended / optional) then the
        family's order within a tier. ``team_first`` / ``family_first``: one ranking, the
        other breaking ties. ``kemeny``: the weighted Kemeny order of the rankers in
        ``rankers`` (plan_items rank columns; ``team_rank`` and ``family_rank`` may be named).
    weights : {"linear", "geometric"}
        Weight function of the joint rank (not used by ``borda``).
    ratio : float
        Ratio of the geometric weights, in (0, 1].
    rankers, ranker_weights
        Kemeny's rank columns and their weights (default: all 1).
    tier_column : str
        The plan_items column with the team's tier.

    Examples
    --------
    >>> m = RankMerge("kemeny", rankers=("team_rank", "family_rank", "rank_young_person"),
    ...               ranker_weights=(2, 1, 1))
    >>> m.kind, m.weights
    ('kemeny', 'linear')
    >>> RankMerge("votes")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ibm_engine.errors.InputError: 1 input problem:
      arguments, column merge.kind: must be one of borda, tiers, ... (got 'votes')
    """

    kind: str = "borda"
    weights: str = "linear"
    ratio: float = 0.5
    rankers: tuple[str, ...] = ("team_rank", "family_rank")
    ranker_weights: tuple[float, ...] | None = None
    tier_column: str = "team_tier"

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in MERGES:
            problems.append(("kind", f"must be one of {', '.join(MERGES)} (got {self.kind!r})"))
        if self.weights not in ("linear", "geometric"):
            problems.append(("weights", f"must be 'linear' or 'geometric' (got {self.weights!r})"))
        if not (isinstance(self.ratio, int | float) and 0 < float(self.ratio) <= 1):
            problems.append(("ratio", f"must be in (0, 1] (got {self.ratio!r})"))
        if self.ranker_weights is not None and len(self.ranker_weights) != len(self.rankers):
            problems.append(("ranker_weights", "needs one weight per ranker"))
        if problems:
            raise InputError(
                [
                    {
                        "table": "arguments",
                        "row": None,
                        "participant_id": None,
                        "column": f"merge.{c}",
                        "reason": r,
                    }
                    for c, r in problems
                ]
            )


def _column_problem(column: str, reason: str) -> InputError:
    return InputError.single("plan_items", column, reason)


def _rank_column(items: pd.DataFrame, name: str, prep: Prepared, rows: IntArray) -> IntArray:
    """A rank column of the accepted items (0 = not ranked), checked whole numbers >= 1."""
    if name == "team_rank":
        return prep.team_rank[rows]
    if name == "family_rank":
        return np.maximum(prep.family_rank[rows], 0)
    if name not in items.columns:
        raise _column_problem(name, "rank column named by the merge is missing")
    col = integer(items[name])
    bad = col.bad | (~col.empty & (col.values < 1))
    if bad.any():
        raise _column_problem(
            name, f"ranks must be whole numbers >= 1 (row {int(np.argmax(bad)) + 1})"
        )
    out: IntArray = np.where(col.empty, 0, col.values)[rows]
    return out


def _tiers(items: pd.DataFrame, column: str, rows: IntArray) -> IntArray:
    if column not in items.columns:
        raise _column_problem(column, "the tiers merge needs the team's tier of every item")
    col = text(items[column])
    codes = np.array(
        [TIERS.index(t) if t in TIERS else -1 for t in col.coded.texts], dtype=np.int64
    )
    tier = np.where(
        col.coded.codes >= 0, codes[np.maximum(col.coded.codes, 0)] if codes.shape[0] else -1, -1
    )
    if (tier < 0).any():
        raise _column_problem(
            column, f"must be one of {', '.join(TIERS)} (row {int(np.argmax(tier < 0)) + 1})"
        )
    out: IntArray = tier[rows]
    return out


def merge_weights(
    prep: Prepared, merge: RankMerge, team_share: float, offsets: IntArray, by_owner: IntArray
) -> FloatArray:
    """Weights of the accepted items (grouped by participant as ``by_owner``), by ``merge``."""
    o = prep.item_owner[by_owner]
    team = prep.team_rank[by_owner]
    fam = prep.family_rank[by_owner]
    if merge.kind == "borda":
        return borda_weights(offsets, o, team, fam if (fam >= 1).any() else None, team_share)
    items = prep.items
    ids: Any = prep.participants["participant_id"].astype(str).tolist()
    if merge.kind == "tiers":
        rank = tiered_rank(
            offsets,
            o,
            _tiers(items, merge.tier_column, by_owner),
            team,
            np.maximum(fam, 0),
            participant_ids=ids,
        )
    elif merge.kind == "team_first":
        rank = team_first_rank(offsets, o, team, np.maximum(fam, 0))
    elif merge.kind == "family_first":
        rank = family_first_rank(offsets, o, team, np.maximum(fam, 0))
    else:
        cols = np.stack([_rank_column(items, r, prep, by_owner) for r in merge.rankers], axis=1)
        w = merge.ranker_weights or tuple(1.0 for _ in merge.rankers)
        rank = kemeny_rank(offsets, o, cols, list(w), team, participant_ids=ids)
    if merge.weights == "geometric":
        return geometric_weights(offsets, o, rank, float(merge.ratio))
    return linear_weights(offsets, o, rank)
