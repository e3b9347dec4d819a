"""From validated tables to the solver's batch: weights, joint order, bounds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.allocation._merge import RankMerge, merge_weights
from ibm_engine.priorities import joint_order
from ibm_engine.solve import Batch
from ibm_engine.tables import Prepared

__all__ = ["Assembled", "assemble"]


@dataclass(frozen=True, eq=False)
class Assembled:
    """The batch and how its items map back to the accepted input rows.

    ``perm[k]`` is the accepted item row of batch item ``k`` (items grouped by participant in
    joint-list order); ``weight`` is per accepted item row.
    """

    batch: Batch
    perm: IntArray
    weight: FloatArray
    explicit: BoolArray  # per participant: explicit weights given


def assemble(prep: Prepared, team_share: float, merge: RankMerge | None = None) -> Assembled:
    """Weights (explicit, or the merge's; Borda by default), joint-list order, the batch."""
    n = prep.participants.shape[0]
    owner = prep.item_owner
    m = owner.shape[0]
    by_owner = np.argsort(owner, kind="stable")
    counts = np.bincount(owner, minlength=n).astype(np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    # weights: explicit where a participant gives them for all items (the tables guarantee
    # all-or-none), else the merge over all its items (Borda by default)
    w_given = ~np.isnan(prep.weight)
    explicit = np.bincount(owner, weights=w_given, minlength=n) > 0
    merged = merge_weights(prep, merge or RankMerge(), team_share, offsets, by_owner)
    weight = np.empty(m, dtype=np.float64)
    weight[by_owner] = merged
    weight = np.where(w_given, prep.weight, weight)
    # joint-list order within participants
    order = joint_order(owner, weight, prep.team_rank)
    perm = order  # accepted item rows in batch order (grouped by owner, joint order)
    rec = prep.recommended[perm]
    lower = np.maximum(prep.min_units[perm], 1)
    batch = Batch(
        offsets=offsets,
        cost=prep.price_cents[perm],
        value=weight[perm] / rec,
        lower=lower,
        upper=prep.upper[perm],
        hours=prep.hours_per_unit[perm],
        budget=prep.budget_cents,
        hours_cap=prep.hours_cap,
    )
    return Assembled(batch=batch, perm=perm, weight=weight, explicit=explicit)
