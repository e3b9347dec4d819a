"""Exact sums of floats per group that add up across partitions in any order.

A float is ``mantissa x 2**exponent`` with an integer mantissa of 53 bits. Per group and
exponent, the mantissas (split into two 27-bit halves so that every partial sum stays exact in
float64) are summed; partial sums of partitions merge by adding integers, and the total is
rounded once (correctly) at the end. So a region's per-group sums of the participants' priced
optima are the same float whether the participants were in one process or spread over any
number of partitions, in any order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ibm_engine._typing import FloatArray, IntArray

__all__ = ["ExactSum", "exact_sum", "merge_sums"]

_HALF = 26
_EXP_SPAN = 4096  # frexp exponents lie in [-1073, 1024]
_EXP_OFFSET = 2048


@dataclass(frozen=True)
class ExactSum:
    """Partial sums of one or more partitions: keys ``group * 4096 + exponent + 2048`` and the
    integer sums of the high and low mantissa halves of each key."""

    key: IntArray
    high: IntArray
    low: IntArray
    n_groups: int

    def totals(self) -> FloatArray:
        """The correctly rounded sum of each group."""
        out = np.zeros(self.n_groups)
        grp = self.key // _EXP_SPAN
        for g in np.unique(grp).tolist():  # per group and exponent: a few dozen keys
            on = grp == g
            exps = (self.key[on] % _EXP_SPAN - _EXP_OFFSET - 53).tolist()
            base = min(exps)
            total = 0
            for e, hi, lo in zip(exps, self.high[on].tolist(), self.low[on].tolist(), strict=True):
                total += ((hi << _HALF) + lo) << (e - base)
            out[g] = total * 2.0**base if base >= 0 else total / (1 << -base)
        return out


def exact_sum(x: FloatArray, grp: IntArray, n_groups: int) -> ExactSum:
    """Exact partial sums of ``x`` per group ``grp`` (finite values)."""
    mant, exp = np.frexp(np.asarray(x, dtype=np.float64))
    whole = (mant * 2.0**53).astype(np.int64)  # exact: 53-bit integers
    high = whole >> _HALF
    low = whole - (high << _HALF)  # in [0, 2**26)
    if exp.shape[0] == 0:
        return merge_sums([], n_groups)
    e0 = int(exp.min())
    span = int(exp.max()) - e0 + 1
    local = grp.astype(np.int64) * span + (exp - e0)
    size = n_groups * span
    # |high| < 2**27 and |low| < 2**26: float sums of fewer than 2**26 of them are exact
    hs = np.bincount(local, weights=high, minlength=size).astype(np.int64)
    ls = np.bincount(local, weights=low, minlength=size).astype(np.int64)
    on = np.flatnonzero((hs != 0) | (ls != 0))
    key = (on // span) * _EXP_SPAN + (on % span) + e0 + _EXP_OFFSET
    return ExactSum(key, hs[on], ls[on], n_groups)


def _reduce(key: IntArray, high: IntArray, low: IntArray, n_groups: int) -> ExactSum:
    uniq, inv = np.unique(key, return_inverse=True)
    hs = np.zeros(uniq.shape[0], dtype=np.int64)
    ls = np.zeros(uniq.shape[0], dtype=np.int64)
    np.add.at(hs, inv, high)  # integers: exact in any order
    np.add.at(ls, inv, low)
    return ExactSum(uniq, hs, ls, n_groups)


def merge_sums(parts: list[ExactSum], n_groups: int) -> ExactSum:
    """The partial sums of several partitions as one (exact: integer additions)."""
    if not parts:
        none = np.zeros(0, np.int64)
        return ExactSum(none, none, none, n_groups)
    return _reduce(
        np.concatenate([p.key for p in parts]),
        np.concatenate([p.high for p in parts]),
        np.concatenate([p.low for p in parts]),
        n_groups,
    )
