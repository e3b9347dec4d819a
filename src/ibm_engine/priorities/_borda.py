"""The contract's default merge: Borda points of the team's and the family's rankings.

With ``n`` items, the team gives ``n - k + 1`` points to its ``k``-th item (ranks taken in
order, gaps closed), the family likewise (no family ranks: the team's points);
``joint = team_share * team + (1 - team_share) * family`` and ``w_i = joint_i / sum_j joint_j``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ibm_engine._tolerances import WEIGHT_TIE_TOL
from ibm_engine._typing import FloatArray, IntArray

__all__ = ["borda_weights", "joint_order", "rank_points"]

#: weights closer than this count as equal when ordering the joint list (contract)
WEIGHT_TIE = WEIGHT_TIE_TOL


def _sort_by(major: IntArray, minor: IntArray) -> IntArray:
    """``np.lexsort((minor, major))`` (stable), as one sort of a combined key when it fits."""
    if major.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    lo = int(minor.min())
    span = int(minor.max()) - lo + 1
    top = int(major.max())
    if int(major.min()) >= 0 and top < (2**62) // span:
        out: IntArray = np.argsort(major * np.int64(span) + (minor - lo), kind="stable")
        return out
    return np.lexsort((minor, major))


def rank_points(offsets: IntArray, owner: IntArray, rank: IntArray) -> FloatArray:
    """Borda points ``n - k + 1`` of each item from its rank within its participant."""
    m = owner.shape[0]
    order = _sort_by(owner, rank)
    counts = np.diff(offsets)
    pos = np.empty(m, dtype=np.int64)
    pos[order] = np.arange(m, dtype=np.int64) - np.repeat(offsets[:-1], counts)
    points: FloatArray = (counts[owner] - pos).astype(np.float64)
    return points


def borda_weights(
    offsets: IntArray,
    owner: IntArray,
    team_rank: IntArray,
    family_rank: IntArray | None,
    team_share: float,
) -> FloatArray:
    """Normalised Borda weights per item (items grouped by participant via ``offsets``).

    ``family_rank`` < 1 marks a participant without family ranks.

    Examples
    --------
    >>> import numpy as np
    >>> off = np.array([0, 3]); own = np.zeros(3, dtype=np.int64)
    >>> borda_weights(off, own, np.array([1, 2, 3]), np.array([3, 2, 1]), 0.5).tolist()
    [0.3333333333333333, 0.3333333333333333, 0.3333333333333333]
    >>> borda_weights(off, own, np.array([1, 2, 5]), None, 0.5).tolist()
    [0.5, 0.3333333333333333, 0.16666666666666666]
    """
    team = rank_points(offsets, owner, team_rank)
    if family_rank is None:
        family = team
    else:
        has = family_rank >= 1
        family = np.where(has, rank_points(offsets, owner, np.where(has, family_rank, 0)), team)
    joint = team_share * team + (1.0 - team_share) * family
    total = np.bincount(owner, weights=joint, minlength=offsets.shape[0] - 1)
    out: FloatArray = joint / total[owner]
    return out


def _by_weight(owner: IntArray, weight: FloatArray, team_rank: IntArray) -> IntArray:
    """``np.lexsort((team_rank, -weight, owner))``: weights replaced by their rank among the
    distinct weights, so that the three keys make one integer key (one sort) when it fits."""
    if owner.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    # distinct weights by hashing (few: ranks and shares), then ranked among themselves
    codes, distinct = pd.factorize(-(weight + 0.0))  # + 0.0: -0.0 is 0.0, as lexsort has it
    codes = np.asarray(codes, dtype=np.int64)
    distinct = np.asarray(distinct, dtype=np.float64)
    nu = max(int(distinct.shape[0]), 1)
    if (codes >= 0).all() and int(owner.min()) >= 0 and int(owner.max()) < (2**62) // nu:
        rank = np.empty(distinct.shape[0], dtype=np.int64)
        rank[np.argsort(distinct, kind="stable")] = np.arange(distinct.shape[0], dtype=np.int64)
        return _sort_by(owner * np.int64(nu) + rank[codes], team_rank)
    out: IntArray = np.lexsort((team_rank, -weight, owner))
    return out


def joint_order(owner: IntArray, weight: FloatArray, team_rank: IntArray) -> IntArray:
    """Item order: by participant, weight descending (within 1e-12 equal), team_rank ascending."""
    m = owner.shape[0]
    first = _by_weight(owner, weight, team_rank)
    w = weight[first]
    o = owner[first]
    new_block = np.ones(m, dtype=bool)
    if m > 1:
        new_block[1:] = (o[1:] != o[:-1]) | (w[:-1] - w[1:] > WEIGHT_TIE)
    block = np.cumsum(new_block)
    block_of = np.empty(m, dtype=np.int64)
    block_of[first] = block
    # blocks are numbered in owner order: (owner, block) sorts as block alone
    return _sort_by(block_of, team_rank)
