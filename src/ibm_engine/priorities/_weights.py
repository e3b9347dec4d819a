"""Weight functions: a joint rank per item -> a value weight per item.

Every function takes the joint rank of each item within its participant (``1..n``, from any
merge; ranks are taken in order, gaps closed, as the contract does for Borda points), gives the
item at position ``k`` (1-based) the raw weight of that position, and normalises the weights of
each participant to sum to 1 (``explicit_weights`` can keep the raw weights instead).

Tied ranks share a weight: the mean of the raw weights of the positions they span, so the
result never depends on the order of the items and the sum is unchanged.

- ``linear_weights``: ``n - k + 1`` (Borda points of the joint order);
- ``geometric_weights``: ``ratio ** (k - 1)``, each position worth ``ratio`` times the one above;
- ``explicit_weights``: a given vector of raw weights by position.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.errors import InputError
from ibm_engine.priorities._lexicographic import (
    check_items,
    parameter_problem,
    participant_label,
    plan_problem,
)

__all__ = ["WeightFunction", "explicit_weights", "geometric_weights", "linear_weights"]

#: what the merges' ranks are turned into weights with: ``f(offsets, owner, rank) -> weights``
WeightFunction = Callable[[IntArray, IntArray, IntArray], FloatArray]


def _positions(offsets: IntArray, owner: IntArray, rank: IntArray) -> tuple[IntArray, IntArray]:
    """(0-based position of each item within its participant, its tie-group id).

    The tie groups are numbered in sorted order; items of one participant with equal ranks share
    one. Positions among tied items are arbitrary, but only their mean is ever used.
    """
    check_items(offsets, owner, rank=rank)
    m = owner.shape[0]
    order = np.lexsort((rank, owner))
    o = owner[order]
    r = rank[order]
    pos = np.empty(m, dtype=np.int64)
    pos[order] = np.arange(m, dtype=np.int64) - offsets[:-1][o]
    new_group = np.ones(m, dtype=bool)
    if m > 1:
        new_group[1:] = (o[1:] != o[:-1]) | (r[1:] != r[:-1])
    group = np.empty(m, dtype=np.int64)
    group[order] = np.cumsum(new_group) - 1
    return pos, group


def _finish(
    offsets: IntArray, owner: IntArray, group: IntArray, raw: FloatArray, normalise: bool
) -> FloatArray:
    """Tied items get the mean of their raw weights; then each participant's sum is 1."""
    n_groups = int(group.max()) + 1 if group.size else 0
    size = np.bincount(group, minlength=n_groups)
    mean = np.bincount(group, weights=raw, minlength=n_groups) / np.maximum(size, 1)
    w: FloatArray = mean[group]
    if normalise:
        total = np.bincount(owner, weights=w, minlength=offsets.shape[0] - 1)
        w = w / total[owner]
    return w


def linear_weights(offsets: IntArray, owner: IntArray, rank: IntArray) -> FloatArray:
    """Borda-like weights ``(n - k + 1) / (n (n + 1) / 2)`` of the item at position ``k``.

    With the team's ranks as the joint rank this is the contract's Borda merge of two rankings
    that agree.

    Examples
    --------
    >>> import numpy as np
    >>> off = np.array([0, 3]); own = np.zeros(3, dtype=np.int64)
    >>> linear_weights(off, own, np.array([2, 1, 3])).tolist()
    [0.3333333333333333, 0.5, 0.16666666666666666]
    >>> linear_weights(off, own, np.array([1, 1, 3])).tolist()  # a tie shares (3 + 2) / 2
    [0.4166666666666667, 0.4166666666666667, 0.16666666666666666]
    """
    pos, group = _positions(offsets, owner, rank)
    n = np.diff(offsets)[owner]
    return _finish(offsets, owner, group, (n - pos).astype(np.float64), True)


def geometric_weights(
    offsets: IntArray, owner: IntArray, rank: IntArray, ratio: float = 0.5
) -> FloatArray:
    """Weights ``ratio ** (k - 1)`` of the item at position ``k``, normalised.

    ``ratio`` must be in ``(0, 1]``: 1 gives equal weights, a small ratio makes the top of the
    list count for nearly everything (with ``ratio = 0.5`` the first item outweighs all the
    others together). Use it as a :data:`WeightFunction` with ``functools.partial``.

    Examples
    --------
    >>> import numpy as np
    >>> off = np.array([0, 3]); own = np.zeros(3, dtype=np.int64)
    >>> geometric_weights(off, own, np.array([1, 2, 3])).tolist()
    [0.5714285714285714, 0.2857142857142857, 0.14285714285714285]
    """
    if not (isinstance(ratio, numbers.Real) and math.isfinite(ratio) and 0.0 < ratio <= 1.0):
        raise parameter_problem("ratio", f"the geometric ratio must be in (0, 1], got {ratio!r}")
    pos, group = _positions(offsets, owner, rank)
    raw: FloatArray = np.power(float(ratio), pos.astype(np.float64))
    return _finish(offsets, owner, group, raw, True)


def explicit_weights(
    offsets: IntArray,
    owner: IntArray,
    rank: IntArray,
    by_position: npt.ArrayLike,
    *,
    normalise: bool = True,
    participant_ids: Sequence[str] | None = None,
) -> FloatArray:
    """Weights read from ``by_position[k - 1]`` for the item at position ``k``.

    ``by_position`` holds finite positive numbers, at least as many as the longest list. With
    ``normalise=False`` the weights are used as given (like the contract's ``weight`` column);
    otherwise each participant's weights are divided by their sum.

    Raises
    ------
    InputError
        ``by_position`` is not finite and positive, or is shorter than some participant's list
        (the problem names those participants).

    Examples
    --------
    >>> import numpy as np
    >>> off = np.array([0, 3]); own = np.zeros(3, dtype=np.int64)
    >>> explicit_weights(off, own, np.array([3, 1, 2]), [5, 3, 2]).tolist()
    [0.2, 0.5, 0.3]
    >>> explicit_weights(off, own, np.array([3, 1, 2]), [5, 3, 2, 1], normalise=False).tolist()
    [2.0, 5.0, 3.0]
    """
    vec = np.asarray(by_position, dtype=np.float64).ravel()
    if not np.all(np.isfinite(vec) & (vec > 0)):
        raise parameter_problem("by_position", "explicit weights must be finite and > 0")
    counts = np.diff(offsets)
    problems = [
        plan_problem(
            participant_label(p, participant_ids),
            "by_position",
            f"{int(counts[p])} items but only {vec.size} explicit weights",
        )
        for p in np.flatnonzero(counts > vec.size).tolist()
    ]
    if problems:
        raise InputError(problems)
    pos, group = _positions(offsets, owner, rank)
    return _finish(offsets, owner, group, vec[pos], normalise)
