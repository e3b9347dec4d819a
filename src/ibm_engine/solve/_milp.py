"""Exact fallback for single participants: scipy.optimize.milp (HiGHS), checked.

HiGHS stops at a relative gap of 1e-4 and an absolute gap of 1e-6 by default. Here the relative
gap is 0 and the objective is scaled so that the absolute gap is far below the contract's 1e-9;
every answer is re-checked for feasibility, and its value is recomputed from the units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ibm_engine._tolerances import HOURS_TOL, MILP_HOURS_ROW_SCALE, MILP_REL_GAP, VALUE_TOL
from ibm_engine._typing import IntArray
from ibm_engine.solve._batch import Batch, within_hours

__all__ = ["MilpAnswer", "solve_one_milp"]

_SCALE_TARGET = 1e7


@dataclass(frozen=True)
class MilpAnswer:
    """Units of one participant, the proven bound and whether HiGHS proved optimality."""

    units: IntArray
    bound: float
    proven: bool


def solve_one_milp(batch: Batch, p: int, time_limit: float = 120.0) -> MilpAnswer | None:
    """Solve participant ``p`` of ``batch`` exactly; None when HiGHS gives no usable answer."""
    from scipy.optimize import Bounds, LinearConstraint, milp  # loaded when needed
    from scipy.sparse import csr_array, hstack, vstack

    lo_i, hi_i = int(batch.offsets[p]), int(batch.offsets[p + 1])
    sl = slice(lo_i, hi_i)
    fund = batch.fundable[sl]
    units = np.zeros(hi_i - lo_i, dtype=np.int64)
    idx = np.flatnonzero(fund)
    if idx.shape[0] == 0:
        return MilpAnswer(units=units, bound=0.0, proven=True)
    v = batch.value[sl][idx]
    c = batch.cost[sl][idx].astype(np.float64)
    h = batch.hours[sl][idx]
    U = batch.upper[sl][idx].astype(np.float64)
    m = batch.lower[sl][idx].astype(np.float64)
    k = idx.shape[0]
    scale = _SCALE_TARGET / float(v.max())
    obj = np.concatenate([-v * scale, np.zeros(k)])
    eye = csr_array(np.eye(k))
    rows = [csr_array(np.concatenate([c, np.zeros(k)])[None, :])]
    lo = [-np.inf]
    hi = [float(batch.budget[p])]
    if np.isfinite(batch.hours_cap[p]):
        # scaled: HiGHS's feasibility tolerance would otherwise allow 1e-7 h over the rule
        rows.append(csr_array(np.concatenate([h * MILP_HOURS_ROW_SCALE, np.zeros(k)])[None, :]))
        lo.append(-np.inf)
        hi.append((float(batch.hours_cap[p]) + HOURS_TOL) * MILP_HOURS_ROW_SCALE)
    rows.append(hstack([eye, csr_array(np.diag(-U))]))  # u - U z <= 0
    lo.extend([-np.inf] * k)
    hi.extend([0.0] * k)
    rows.append(hstack([eye, csr_array(np.diag(-m))]))  # u - m z >= 0
    lo.extend([0.0] * k)
    hi.extend([np.inf] * k)
    A = vstack(rows).tocsr()
    res = milp(
        obj,
        constraints=LinearConstraint(A, np.array(lo), np.array(hi)),
        integrality=np.ones(2 * k, dtype=np.int64),
        bounds=Bounds(np.zeros(2 * k), np.concatenate([U, np.ones(k)])),
        options={"mip_rel_gap": MILP_REL_GAP, "presolve": True, "time_limit": time_limit},
    )
    if res.x is None:
        return None
    u = np.round(res.x[:k]).astype(np.int64)
    u = np.where(u < batch.lower[sl][idx], 0, np.minimum(u, batch.upper[sl][idx]))
    units[idx] = u
    if int(np.dot(batch.cost[sl], units)) > int(batch.budget[p]) or not within_hours(
        batch.hours[sl] * units, float(batch.hours_cap[p])
    ):
        return None
    value = float(np.dot(batch.value[sl], units))
    dual = getattr(res, "mip_dual_bound", None)
    bound = value if dual is None or not np.isfinite(dual) else max(value, -float(dual) / scale)
    proven = bool(res.status == 0) and bound <= value + VALUE_TOL
    return MilpAnswer(units=units, bound=bound if not proven else value, proven=proven)
