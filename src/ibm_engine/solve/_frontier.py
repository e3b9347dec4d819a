"""Frontier bookkeeping of the enumeration: children ranges, suffix sums, dominance, beams.

Small vectorised helpers over participants' segments, used by ``_enumerate``.
"""

from __future__ import annotations

import numpy as np

from ibm_engine._tolerances import VALUE_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.solve._batch import Batch

__all__ = [
    "children",
    "hours_free",
    "suffix_sum",
    "suffix_sum_f",
    "top_per_participant",
    "undominated",
]


def children(counts: IntArray) -> tuple[IntArray, IntArray]:
    """(parent, offset within parent) for ``counts[i]`` children of every parent ``i``."""
    total = int(counts.sum())
    parent = np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts)
    first = np.zeros(counts.shape[0], dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    offset = np.arange(total, dtype=np.int64) - first[parent]
    return parent, offset


def suffix_sum(x: IntArray, offsets: IntArray) -> IntArray:
    """Per position, the sum of ``x`` from there to the end of its participant (plus a 0 pad)."""
    cs = np.zeros(x.shape[0] + 1, dtype=np.int64)
    np.cumsum(x, out=cs[1:])
    owner = np.repeat(np.arange(offsets.shape[0] - 1), np.diff(offsets))
    out = np.zeros(x.shape[0] + 1, dtype=np.int64)
    out[:-1] = cs[offsets[1:]][owner] - cs[:-1]
    return out


def suffix_sum_f(x: FloatArray, offsets: IntArray) -> FloatArray:
    """Float version of :func:`_suffix` (summed per participant from the back, exactly)."""
    out = np.zeros(x.shape[0] + 1)
    counts = np.diff(offsets)
    kmax = int(counts.max()) if counts.shape[0] else 0
    run = np.zeros(counts.shape[0])
    for back in range(1, kmax + 1):
        p = np.flatnonzero(counts >= back)
        pos = offsets[p + 1] - back
        run[p] += x[pos]
        out[pos] = run[p]
    return out


def hours_free(batch: Batch, owner: IntArray, n: int) -> BoolArray:
    """Participants none of whose fundable items use family hours."""
    uses = np.bincount(owner, weights=(batch.hours > 0) & batch.fundable, minlength=n)
    out: BoolArray = uses == 0
    return out


def undominated(
    p: IntArray, cost: IntArray, hrs: FloatArray, val: FloatArray, no_hours: BoolArray
) -> BoolArray:
    """Nodes not dominated by another node of the same participant.

    Node ``A`` dominates ``B`` when it costs no more, uses the same family hours (where they
    are limited; elsewhere hours play no part) and is worth more than ``VALUE_TOL`` more:
    every completion of ``B`` is open to ``A`` at a higher value, so ``B`` leads neither to
    an optimum nor to a tie within the tolerance.
    """
    keep = np.ones(p.shape[0], dtype=bool)
    if p.shape[0] < 2:
        return keep
    limited = ~no_hours[p]
    # group = (participant, exact hours used where hours are limited), as one integer
    if limited.any():
        hbits = np.where(limited, hrs, 0.0).astype(np.float64).view(np.int64)  # exact, >= 0
        _, hrank = np.unique(hbits, return_inverse=True)
        levels = np.int64(int(hrank.max()) + 1)
    else:
        hrank = np.zeros(p.shape[0], dtype=np.int64)
        levels = np.int64(1)
    group = p.astype(np.int64) * levels + hrank.astype(np.int64)
    span = np.int64(int(cost.max()) + 1) if cost.shape[0] else np.int64(1)
    if int(group.max()) < (2**62) // int(span):
        order = np.lexsort((-val, group * span + cost))
    else:
        order = np.lexsort((-val, cost, group))
    gs, vs = group[order], val[order]
    newgrp = np.ones(gs.shape[0], dtype=bool)
    newgrp[1:] = gs[1:] != gs[:-1]
    seg = np.cumsum(newgrp) - 1
    # exact running maximum of the values before each node, within its group (integer ranks
    # of the values, shifted per group, so one accumulate serves every group)
    big = np.int64(vs.shape[0] + 1)
    vorder = np.argsort(vs, kind="stable")
    vrank = np.empty(vs.shape[0], dtype=np.int64)
    vrank[vorder] = np.arange(vs.shape[0], dtype=np.int64)
    run = np.maximum.accumulate(vrank + seg * big)
    prev_rank = np.full(vs.shape[0], -1, dtype=np.int64)
    prev_rank[1:] = run[:-1] - seg[1:] * big
    valid = ~newgrp & (prev_rank >= 0)
    prev_val = np.where(valid, vs[vorder][np.clip(prev_rank, 0, None)], -np.inf)
    dominated = valid & (prev_val > vs + VALUE_TOL)
    keep[order[dominated]] = False
    return keep


def top_per_participant(p: IntArray, score: FloatArray, cap: int) -> BoolArray:
    """The ``cap`` nodes with the highest score of every participant."""
    order = np.lexsort((-score, p))
    ps = p[order]
    first = np.ones(ps.shape[0], dtype=bool)
    first[1:] = ps[1:] != ps[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(ps.shape[0]), 0))
    keep = np.zeros(p.shape[0], dtype=bool)
    keep[order[(np.arange(ps.shape[0]) - start) < cap]] = True
    return keep
