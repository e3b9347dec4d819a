"""Weighted Kemeny merge of several rankings (team, each parent, the young person, ...).

Ranker ``k`` (a column of ``rankings``, weight ``w_k``) ranks some or all of a participant's
items; a rank below 1 means "not ranked by this ranker". For two items ``a, b`` let
``C[a, b]`` be the total weight of the rankers that ranked both and put ``a`` strictly before
``b``. A joint order that puts ``a`` before ``b`` pays ``C[b, a]``; a Kemeny order is an order
of least total payment (the weighted Kendall distance to the rankings). A ranker that ranked
none of a participant's items is absent for that participant; one that ranked only some of
them speaks only about the pairs it ranked.

Exact and deterministic:

1. The items split into *blocks* along the weighted majority: every item of an earlier block
   beats every item of a later one by a strict majority. Every optimal order keeps the blocks
   in that order (moving a later block's items behind an earlier block's, keeping the rest of
   the order, strictly lowers the payment), so a strict transitive majority is the unique
   answer, and only the blocks (majority cycles and ties) need a search.
2. A block whose pairs all tie keeps the team's order; any other block is solved exactly by
   dynamic programming over subsets (``2^b`` prefix sets, ``O(2^b b)`` work for ``b`` items).
3. Among the optimal orders the one whose sequence of ``team_rank`` is lexicographically
   smallest is returned; payments within ``1e-9`` times the participant's total pairwise
   weight count as equal.

Everything is vectorised over participants: the loops run over list lengths, block sizes and
chunks (bounded memory), never over participants. A block of more than
:data:`MAX_KEMENY_BLOCK` items (a majority cycle through more than 15 items, which short plans
do not produce) raises :class:`InputError` naming the participant.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from ibm_engine._tolerances import KEMENY_COST_REL_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.errors import InputError
from ibm_engine.priorities._lexicographic import (
    check_items,
    parameter_problem,
    participant_label,
    plan_problem,
)

__all__ = ["MAX_KEMENY_BLOCK", "kemeny_distance", "kemeny_rank"]

#: the largest block of items the exact subset search takes (2^15 prefix sets)
MAX_KEMENY_BLOCK = 15
#: numbers per chunk of the batched arrays (bounds the memory to a few tens of MB)
_CHUNK = 1 << 21


def _check(
    offsets: IntArray, owner: IntArray, rankings: IntArray, ranker_weight: npt.ArrayLike
) -> FloatArray:
    """Check the shapes and the ranker weights; return the weights as floats."""
    if rankings.ndim != 2:
        raise parameter_problem("rankings", "rankings must be a 2-D array (items x rankers)")
    check_items(offsets, owner, rankings=rankings)
    w = np.asarray(ranker_weight, dtype=np.float64).ravel()
    if w.shape[0] != rankings.shape[1]:
        reason = f"{w.shape[0]} ranker weights for {rankings.shape[1]} rankers"
        raise parameter_problem("ranker_weight", reason)
    if not np.all(np.isfinite(w) & (w >= 0)):
        raise parameter_problem("ranker_weight", "ranker weights must be finite and >= 0")
    return w


def _by_length(
    offsets: IntArray, owner: IntArray, team_rank: IntArray, width: int
) -> Iterator[tuple[IntArray, IntArray]]:
    """(participants, their items in team order as a ``(B, n)`` matrix), per list length n."""
    by_team = np.lexsort((team_rank, owner))
    counts = np.diff(offsets)
    for n in np.unique(counts[counts > 0]).tolist():
        parts = np.flatnonzero(counts == n)
        step = max(1, _CHUNK // (n * n * max(width, 1)))
        for lo in range(0, parts.shape[0], step):
            p = parts[lo : lo + step]
            yield p, by_team[offsets[p][:, None] + np.arange(n)]


def _matrix(rankings: IntArray, w: FloatArray, items: IntArray) -> FloatArray:
    """``C[:, a, b]``: weight of the rankers putting item ``a`` strictly before item ``b``."""
    r = rankings[items]
    ra, rb = r[:, :, None, :], r[:, None, :, :]
    before: BoolArray = (ra >= 1) & (rb >= 1) & (ra < rb)
    out: FloatArray = before.astype(np.float64) @ w
    return out


def kemeny_distance(
    offsets: IntArray,
    owner: IntArray,
    rankings: IntArray,
    ranker_weight: npt.ArrayLike,
    rank: IntArray,
) -> FloatArray:
    """Weighted Kendall distance of each participant's joint ``rank`` to the rankings.

    The sum over pairs of the weight of the rankers the joint order contradicts; a pair the
    joint ``rank`` ties pays half of each side.

    Examples
    --------
    >>> import numpy as np
    >>> off = np.array([0, 3]); own = np.zeros(3, dtype=np.int64)
    >>> r = np.array([[1, 2, 1], [2, 1, 2], [3, 3, 3]])  # three rankers, one per column
    >>> kemeny_distance(off, own, r, [1.0, 1.0, 1.0], np.array([1, 2, 3])).tolist()
    [1.0]
    """
    w = _check(offsets, owner, rankings, ranker_weight)
    check_items(offsets, owner, rank=rank)
    out = np.zeros(offsets.shape[0] - 1)
    for parts, items in _by_length(offsets, owner, rank, rankings.shape[1]):
        C = _matrix(rankings, w, items)
        r = rank[items]
        ahead = (r[:, :, None] < r[:, None, :]) + 0.5 * (r[:, :, None] == r[:, None, :])
        out[parts] = (ahead * C.transpose(0, 2, 1)).sum(axis=(1, 2))
    return out


def _best_orders(C: FloatArray, tol: FloatArray) -> IntArray:
    """Per block (batched), the lexicographically smallest order of least payment (DP)."""
    B, n = C.shape[:2]
    size = 1 << n
    bits = np.int64(1) << np.arange(n, dtype=np.int64)
    count = np.zeros(size, dtype=np.int64)
    for k in range(n):
        count[1 << k : 1 << (k + 1)] = count[: 1 << k] + 1
    layers = [np.flatnonzero(count == p) for p in range(n + 1)]
    out = np.empty((B, n), dtype=np.int64)
    step_b = max(1, _CHUNK // (size * n))
    for lo in range(0, B, step_b):
        c, t = C[lo : lo + step_b], tol[lo : lo + step_b]
        k_, ar = c.shape[0], np.arange(c.shape[0])
        inner = np.zeros((k_, size, n))  # inner[:, S, j] = sum over i in S of C[:, i, j]
        for k in range(n):
            inner[:, 1 << k : 1 << (k + 1)] = inner[:, : 1 << k] + c[:, k][:, None, :]
        column = c.sum(axis=1)
        # rest[:, S]: least payment for the items outside the prefix set S; placing j right
        # after S pays column[j] - inner[S, j] (the rankers preferring a later item to j)
        rest = np.zeros((k_, size))
        for p in range(n - 1, -1, -1):
            S = layers[p]
            step = column[:, None, :] - inner[:, S] + rest[:, S[:, None] | bits]
            rest[:, S] = np.where((S[:, None] & bits) == 0, step, np.inf).min(axis=2)
        now = np.zeros(k_, dtype=np.int64)
        for pos in range(n):
            step = column - inner[ar, now] + rest[ar[:, None], now[:, None] | bits]
            ok = ((now[:, None] & bits) == 0) & (step <= (rest[ar, now] + t)[:, None])
            j = ok.argmax(axis=1)  # the first (smallest team rank) optimal next item
            out[lo : lo + k_, pos] = j
            now |= bits[j]
    return out


def _joint_orders(C: FloatArray, tol: FloatArray) -> tuple[IntArray, BoolArray]:
    """(each participant's items, as positions in team order, in joint order; too big)."""
    B, n = C.shape[:2]
    margin = C - C.transpose(0, 2, 1)
    reach = (margin >= -tol[:, None, None]) | np.eye(n, dtype=bool)  # ties or beats
    while True:  # transitive closure by squaring
        r = reach.astype(np.float64)
        nxt = (r @ r) > 0
        if np.array_equal(nxt, reach):
            break
        reach = nxt
    # an earlier block reaches strictly more items; inside a block, the team's order
    won = reach.sum(axis=2)
    order = np.argsort((n - won) * n + np.arange(n), axis=1)
    won_sorted = np.take_along_axis(won, order, axis=1)
    start = np.ones((B, n), dtype=bool)
    start[:, 1:] = won_sorted[:, 1:] != won_sorted[:, :-1]
    rows, first = np.nonzero(start)
    sizes = np.diff(np.append(rows * n + first, B * n))
    too_big = np.zeros(B, dtype=bool)
    for b in np.unique(sizes[sizes >= 3]).tolist():
        sel = sizes == b
        rr, cols = rows[sel], first[sel][:, None] + np.arange(b)
        members = order[rr[:, None], cols]
        sub = C[rr[:, None, None], members[:, :, None], members[:, None, :]]
        flat = np.all(np.abs(sub - sub.transpose(0, 2, 1)) <= tol[rr, None, None], axis=(1, 2))
        need = ~flat  # a block whose pairs all tie keeps the team's order
        if b > MAX_KEMENY_BLOCK:
            too_big[rr[need]] = True
        elif np.any(need):
            perm = _best_orders(sub[need], tol[rr[need]])
            order[rr[need][:, None], cols[need]] = np.take_along_axis(members[need], perm, 1)
    return order, too_big


def kemeny_rank(
    offsets: IntArray,
    owner: IntArray,
    rankings: IntArray,
    ranker_weight: npt.ArrayLike,
    team_rank: IntArray,
    *,
    participant_ids: Sequence[str] | None = None,
) -> IntArray:
    """Joint rank ``1..n`` per item: the weighted Kemeny order of the rankers' rankings.

    Parameters
    ----------
    offsets, owner
        The items grouped by participant, in any item order.
    rankings
        ``(items, rankers)`` ranks, 1 = first; below 1 = not ranked by that ranker.
    ranker_weight
        One finite weight ``>= 0`` per ranker (column).
    team_rank
        Unique within each participant; the tie-break among optimal orders (the smallest
        sequence of team ranks wins). Include the team as a column of ``rankings`` if it votes.
    participant_ids
        Names of the participants for error messages (default: ``#p``, the position).

    Raises
    ------
    InputError
        Bad shapes or ranker weights; ``team_rank`` repeated within a participant; a majority
        cycle through more than ``MAX_KEMENY_BLOCK`` items. Every such participant is named.

    Examples
    --------
    Team, mother, father and the young person, weights 2, 1, 1, 1:

    >>> import numpy as np
    >>> off = np.array([0, 3]); own = np.zeros(3, dtype=np.int64)
    >>> r = np.array([[1, 3, 2, 3], [2, 1, 1, 2], [3, 2, 3, 1]])
    >>> kemeny_rank(off, own, r, [2, 1, 1, 1], np.array([1, 2, 3])).tolist()
    [2, 1, 3]
    """
    w = _check(offsets, owner, rankings, ranker_weight)
    check_items(offsets, owner, team_rank=team_rank)
    by_team = np.lexsort((team_rank, owner))
    o, t = owner[by_team], team_rank[by_team]
    repeated = np.zeros(offsets.shape[0] - 1, dtype=bool)
    repeated[o[1:][(o[1:] == o[:-1]) & (t[1:] == t[:-1])]] = True
    problems = [
        plan_problem(participant_label(p, participant_ids), "team_rank", "team ranks repeat")
        for p in np.flatnonzero(repeated).tolist()
    ]
    rank = np.zeros(owner.shape[0], dtype=np.int64)
    too_big: list[int] = []
    for parts, items in _by_length(offsets, owner, team_rank, rankings.shape[1]):
        keep = ~repeated[parts]
        C = _matrix(rankings, w, items[keep])
        tol = KEMENY_COST_REL_TOL * np.maximum(1.0, C.sum(axis=(1, 2)))
        order, big = _joint_orders(C, tol)
        too_big.extend(parts[keep][big].tolist())
        rank[np.take_along_axis(items[keep], order, axis=1)] = np.arange(1, items.shape[1] + 1)
    reason = f"a majority cycle through more than {MAX_KEMENY_BLOCK} items (the exact limit)"
    problems += [
        plan_problem(participant_label(p, participant_ids), "rankings", reason)
        for p in sorted(too_big)
    ]
    if problems:
        raise InputError(problems)
    return rank
