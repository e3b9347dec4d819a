"""Rank merges -> value weights (no solving).

Merges turn the rankings of a participant's items into a joint rank (``1..n``); weight
functions turn a joint rank into value weights. The contract's default, ``borda_weights``,
goes straight to weights. See ``docs/merges.md`` for a worked example of each.
"""

from ibm_engine.priorities._borda import WEIGHT_TIE, borda_weights, joint_order, rank_points
from ibm_engine.priorities._kemeny import MAX_KEMENY_BLOCK, kemeny_distance, kemeny_rank
from ibm_engine.priorities._lexicographic import (
    family_first_rank,
    lexicographic_rank,
    team_first_rank,
)
from ibm_engine.priorities._tiers import ESSENTIAL, OPTIONAL, RECOMMENDED, TIERS, tiered_rank
from ibm_engine.priorities._weights import (
    WeightFunction,
    explicit_weights,
    geometric_weights,
    linear_weights,
)

__all__ = [
    "ESSENTIAL",
    "MAX_KEMENY_BLOCK",
    "OPTIONAL",
    "RECOMMENDED",
    "TIERS",
    "WEIGHT_TIE",
    "WeightFunction",
    "borda_weights",
    "explicit_weights",
    "family_first_rank",
    "geometric_weights",
    "joint_order",
    "kemeny_distance",
    "kemeny_rank",
    "lexicographic_rank",
    "linear_weights",
    "rank_points",
    "team_first_rank",
    "tiered_rank",
]
