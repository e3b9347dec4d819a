"""LP bounds of the undecided items at every node of the enumeration.

For participant ``p`` whose items are decided in the order ``order`` (positions ``0..nf-1``),
the items not yet decided at depth ``s`` are positions ``s..nf-1``. For every such suffix the
items are sorted by value per unit of a resource (money, or family hours), so that the
fractional-knapsack optimum for any amount of the resource left is one binary search away.
``bound(node) = value so far + LP(suffix, resource left)`` is a valid upper bound (the
suffix's minimums and the other resource are relaxed), usually far tighter than the fixed
Lagrangian penalty once a node has moved away from the LP solution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ibm_engine._tolerances import SUFFIX_LP_MARGIN_ABS, SUFFIX_LP_MARGIN_REL
from ibm_engine._typing import FloatArray, IntArray

__all__ = ["SuffixLP"]


@dataclass(frozen=True, eq=False)
class SuffixLP:
    """Sorted suffixes of one resource; ``seg_start[p] + s`` is the suffix ``(p, s)``."""

    seg_first: IntArray  # first element of each segment (len n_seg + 1)
    seg_of_p: IntArray  # first segment of each participant
    key: IntArray | FloatArray  # segment-shifted cumulative use (inclusive), for searchsorted
    use_excl: FloatArray  # cumulative use before the element, within its segment
    val_excl: FloatArray  # cumulative value before the element
    unit_use: FloatArray  # resource per unit of the element
    unit_val: FloatArray  # value per unit
    cap: FloatArray  # units of the element
    shift: float

    @staticmethod
    def build(
        order: IntArray,
        starts: IntArray,
        nf: IntArray,
        use: FloatArray,
        value: FloatArray,
        upper: IntArray,
    ) -> SuffixLP:
        """Sorted suffix lists for items ``order[starts[p] + j]``, ``j < nf[p]``."""
        n = nf.shape[0]
        seg_len = _suffix_lengths(nf)  # per segment: nf - s
        seg_p = np.repeat(np.arange(n, dtype=np.int64), nf)
        seg_s = np.arange(seg_len.shape[0], dtype=np.int64) - np.repeat(np.cumsum(nf) - nf, nf)
        seg_first = np.zeros(seg_len.shape[0] + 1, dtype=np.int64)
        np.cumsum(seg_len, out=seg_first[1:])
        seg_of_p = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(nf, out=seg_of_p[1:])
        total = int(seg_first[-1])
        el_seg = np.repeat(np.arange(seg_len.shape[0], dtype=np.int64), seg_len)
        el_j = np.arange(total, dtype=np.int64) - seg_first[el_seg] + seg_s[el_seg]
        item = order[starts[seg_p[el_seg]] + el_j]
        u_use = use[item]
        u_val = value[item]
        with np.errstate(divide="ignore", invalid="ignore"):
            eff = np.where(u_use > 0, u_val / np.where(u_use > 0, u_use, 1.0), np.inf)
        srt = np.lexsort((item, -eff, el_seg))
        item, u_use, u_val, el_seg = item[srt], u_use[srt], u_val[srt], el_seg[srt]
        cap = upper[item].astype(np.float64)
        full_use = u_use * cap
        full_val = u_val * cap
        cu = np.cumsum(full_use)
        cv = np.cumsum(full_val)
        base_u = np.concatenate(([0.0], cu))[seg_first[:-1]]
        base_v = np.concatenate(([0.0], cv))[seg_first[:-1]]
        incl = cu - base_u[el_seg]
        use_excl = incl - full_use
        val_excl = (cv - base_v[el_seg]) - full_val
        shift = float(incl.max(initial=0.0)) * 2.0 + 1.0
        key = incl + el_seg * shift
        return SuffixLP(seg_first, seg_of_p, key, use_excl, val_excl, u_use, u_val, cap, shift)

    def bound(self, p: IntArray, s: IntArray, left: FloatArray, nf: IntArray) -> FloatArray:
        """LP value of the items at positions ``>= s`` of ``p`` with ``left`` of the resource."""
        out = np.zeros(p.shape[0])
        has = s < nf[p]
        if not has.any():
            return out
        seg = self.seg_of_p[p[has]] + s[has]
        lo = self.seg_first[seg]
        hi = self.seg_first[seg + 1]
        room = np.maximum(left[has], 0.0)
        # first element whose inclusive cumulative use exceeds the room (the break element)
        # a small margin can only pick a later break element: a larger, still valid bound
        margin = SUFFIX_LP_MARGIN_REL * self.shift + SUFFIX_LP_MARGIN_ABS
        brk = np.searchsorted(self.key, seg * self.shift + room + margin, side="right")
        brk = np.minimum(brk, hi)
        inside = brk < hi
        e = np.minimum(brk, hi - 1)
        base = np.where(inside, self.val_excl[e], self.val_excl[e] + self.unit_val[e] * self.cap[e])
        used = np.where(inside, self.use_excl[e], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(
                inside & (self.unit_use[e] > 0),
                np.minimum(
                    (room - used) / np.where(self.unit_use[e] > 0, self.unit_use[e], 1.0),
                    self.cap[e],
                ),
                0.0,
            )
        out[has] = base + np.where(inside, self.unit_val[e] * np.maximum(frac, 0.0), 0.0)
        del lo
        return out


def _suffix_lengths(nf: IntArray) -> IntArray:
    """For every participant and every s in 0..nf-1, the suffix length nf - s."""
    total = int(nf.sum())
    first = np.repeat(np.cumsum(nf) - nf, nf)
    s = np.arange(total, dtype=np.int64) - first
    out: IntArray = np.repeat(nf, nf) - s
    return out
