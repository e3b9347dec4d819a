"""Lexicographic merges: one ranking decides, the other only breaks its ties.

All merges here work on items grouped by participant (``offsets``, ``owner``: the CSR form of
:func:`ibm_engine.priorities.borda_weights`); the items of a participant need not be contiguous
and may come in any order. A rank below 1 means "not ranked" (the convention of
``borda_weights``' ``family_rank``): unranked items come after the ranked ones of their
participant, in the order of the next key.

The output is a joint rank per item, ``1..n`` within each participant. Items that every key
ties (possible only when ``team_rank`` itself ties, which the contract rules out) share a rank,
the smallest of the positions they occupy (competition ranking ``1, 2, 2, 4``), so the result
never depends on the order of the items; the weight functions give tied items equal weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ibm_engine._typing import IntArray
from ibm_engine.errors import InputError

__all__ = ["family_first_rank", "lexicographic_rank", "team_first_rank"]

#: sort key of an item a ranker did not rank: after every real rank
_UNRANKED = np.iinfo(np.int64).max


def participant_label(p: int, participant_ids: Sequence[str] | None) -> str:
    """The participant's id when known, else ``#p`` (its 0-based position in ``offsets``)."""
    return str(participant_ids[p]) if participant_ids is not None else f"#{p}"


def plan_problem(label: str, column: str, reason: str) -> dict[str, str]:
    """One problem about participant ``label``'s plan items."""
    return {
        "table": "plan_items",
        "row": label,
        "participant_id": label,
        "column": column,
        "reason": reason,
    }


def parameter_problem(column: str, reason: str) -> InputError:
    """An :class:`InputError` about a parameter of the call (no participant)."""
    problem = {"table": "parameters", "row": "", "participant_id": "", "column": column}
    return InputError([{**problem, "reason": reason}])


def check_items(offsets: IntArray, owner: IntArray, **columns: npt.NDArray[Any]) -> None:
    """Raise :class:`InputError` unless ``owner`` and every column describe the same items."""
    m = owner.shape[0]
    problems = []
    n_part = offsets.shape[0] - 1
    if n_part < 0 or int(offsets[-1]) != m or (n_part > 0 and np.any(np.diff(offsets) < 0)):
        problems.append("offsets must rise from 0 to the number of items")
    elif m and (owner.min() < 0 or owner.max() >= n_part):
        problems.append("owner must hold participant positions 0..len(offsets)-2")
    elif np.any(np.bincount(owner, minlength=n_part) != np.diff(offsets)):
        problems.append("owner's counts per participant must match offsets")
    for name, col in columns.items():
        if col.shape[0] != m:
            problems.append(f"{name} has {col.shape[0]} entries for {m} items")
    if problems:
        raise InputError([plan_problem("", "", r) for r in problems])


def ranked_key(rank: IntArray | None, m: int) -> IntArray:
    """Sort key of a ranking: the rank itself, or after every rank where it is below 1."""
    if rank is None:
        return np.full(m, _UNRANKED, dtype=np.int64)
    key: IntArray = np.where(rank >= 1, rank, _UNRANKED).astype(np.int64)
    return key


def lexicographic_rank(offsets: IntArray, owner: IntArray, keys: Sequence[IntArray]) -> IntArray:
    """Joint rank of each item within its participant by ``keys``, the first key first.

    An item's rank is one more than the number of items of its participant with a strictly
    smaller key tuple: ``1..n`` when the keys never all tie, otherwise tied items share the
    smallest of their positions.

    Examples
    --------
    >>> import numpy as np
    >>> off = np.array([0, 3, 5]); own = np.array([0, 0, 0, 1, 1])
    >>> lexicographic_rank(off, own, [np.array([2, 1, 2, 1, 1]), np.array([5, 9, 4, 0, 0])])
    array([3, 1, 2, 1, 1])
    """
    check_items(offsets, owner, **{f"key {j}": np.asarray(k) for j, k in enumerate(keys)})
    m = owner.shape[0]
    order = np.lexsort((*reversed([np.asarray(k) for k in keys]), owner))
    o = owner[order]
    new_run = np.ones(m, dtype=bool)
    if m > 1:
        changed = o[1:] != o[:-1]
        for k in keys:
            ks = np.asarray(k)[order]
            changed |= ks[1:] != ks[:-1]
        new_run[1:] = changed
    pos = np.arange(m, dtype=np.int64) - offsets[:-1][o] if m else np.zeros(0, dtype=np.int64)
    # the first position of each run of equal keys, carried forward over the run
    first = np.maximum.accumulate(np.where(new_run, np.arange(m), 0)) if m else pos
    rank = np.empty(m, dtype=np.int64)
    rank[order] = pos[first] + 1
    return rank


def team_first_rank(
    offsets: IntArray, owner: IntArray, team_rank: IntArray, family_rank: IntArray | None
) -> IntArray:
    """The team's order; the family's ranks break ties in it (ranks below 1: no family rank).

    Examples
    --------
    >>> import numpy as np
    >>> off = np.array([0, 4]); own = np.zeros(4, dtype=np.int64)
    >>> team_first_rank(off, own, np.array([1, 2, 2, 3]), np.array([4, 3, 1, 2])).tolist()
    [1, 3, 2, 4]
    """
    m = owner.shape[0]
    check_items(offsets, owner, team_rank=team_rank)
    if family_rank is not None:
        check_items(offsets, owner, family_rank=family_rank)
    return lexicographic_rank(offsets, owner, [team_rank, ranked_key(family_rank, m)])


def family_first_rank(
    offsets: IntArray, owner: IntArray, team_rank: IntArray, family_rank: IntArray | None
) -> IntArray:
    """The family's order; the team's ranks break its ties and order the items it left unranked.

    Family ranks below 1 mean "not ranked": those items come after the family's ranked ones,
    in the team's order; a participant without family ranks gets the team's order.

    Examples
    --------
    >>> import numpy as np
    >>> off = np.array([0, 3, 6]); own = np.array([0, 0, 0, 1, 1, 1])
    >>> team = np.array([1, 2, 3, 1, 2, 3])
    >>> family_first_rank(off, own, team, np.array([2, 3, 1, 0, 0, 0])).tolist()
    [2, 3, 1, 1, 2, 3]
    """
    m = owner.shape[0]
    check_items(offsets, owner, team_rank=team_rank)
    if family_rank is not None:
        check_items(offsets, owner, family_rank=family_rank)
    return lexicographic_rank(offsets, owner, [ranked_key(family_rank, m), team_rank])
