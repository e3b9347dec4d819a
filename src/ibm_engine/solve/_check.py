"""The re-check of every answer in one compiled pass (numba): value, money, hours, bounds.

The same sums and rules as :meth:`Batch.evaluate` and :meth:`Batch.feasible` (which stay the
definition; tests keep the two equal), without the dozen full-length numpy temporaries: each
participant's value and hours are summed in item order from 0.0 as ``np.bincount`` sums them
(the same floats), money in exact int64 cents. Where the float hours sum is closer to
``H + HOURS_TOL`` than its rounding error the rule is left to the caller (``math.fsum``).
"""

from __future__ import annotations

import math

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.solve._jit import kernel

__all__ = ["BAD", "CLOSE", "OK", "check_all"]

#: ``ok_out``: infeasible, feasible, and hours too close to the limit to decide in floats
BAD, OK, CLOSE = 0, 1, 2


@kernel
def check_all(
    offsets: IntArray,
    cost: IntArray,
    value: FloatArray,
    lower: IntArray,
    upper: IntArray,
    hours: FloatArray,
    budget: IntArray,
    hcap: FloatArray,
    units: IntArray,
    hours_tol: float,
    rel_err: float,
    value_out: FloatArray,
    spent_out: IntArray,
    hours_out: FloatArray,
    ok_out: IntArray,
) -> None:
    """Per participant: value, money and hours of ``units``, and ``BAD``/``OK``/``CLOSE``.

    ``hours_tol``: the contract's ``HOURS_TOL``; ``rel_err``: ``FLOAT_SUM_REL_ERR``.
    """
    for p in range(offsets.shape[0] - 1):
        val, spent, hrs, size = 0.0, 0, 0.0, 0.0
        good = True
        for g in range(offsets[p], offsets[p + 1]):
            u = units[g]
            if u != 0 and (u < lower[g] or u > upper[g]):
                good = False
            val += value[g] * u
            spent += cost[g] * u
            t = hours[g] * u
            hrs += t
            size += abs(t)
        value_out[p], spent_out[p], hours_out[p] = val, spent, hrs
        limit = hcap[p] + hours_tol
        err = rel_err * (offsets[p + 1] - offsets[p]) * size
        if not good or spent > budget[p]:
            ok_out[p] = BAD
        elif math.isfinite(limit) and abs(hrs - limit) <= err:
            ok_out[p] = CLOSE
        else:
            ok_out[p] = OK if hrs <= limit else BAD
