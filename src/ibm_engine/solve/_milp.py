"""Exact fallback for single participants: scipy.optimize.milp (HiGHS), checked.

HiGHS stops at a relative gap of 1e-4 and an absolute gap of 1e-6 by default. Here the relative
gap is 0 and the objective is scaled so that the absolute gap is far below the contract's 1e-9;
every answer is re-checked for feasibility, and its value is recomputed from the units.
The model: integers ``u_i`` and binaries ``z_i`` of the fundable items, ``m_i z_i <= u_i <=
U_i z_i``, money in cents, the family hours (row scaled, see ``MILP_HOURS_ROW_SCALE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ibm_engine._tolerances import HOURS_TOL, MILP_HOURS_ROW_SCALE, MILP_REL_GAP, VALUE_TOL
from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.solve._batch import Batch, within_hours

__all__ = ["MilpAnswer", "MilpModel", "solve_one_milp"]

#: the objective's largest coefficient after scaling (HiGHS's absolute gap of 1e-6 is then
#: about 1e-13 of the value scale)
SCALE_TARGET = 1e7


@dataclass(frozen=True)
class MilpAnswer:
    """Units of one participant, the proven bound and whether HiGHS proved optimality."""

    units: IntArray
    bound: float
    proven: bool


@dataclass(frozen=True, eq=False)
class MilpModel:
    """Participant ``p``'s constraints in HiGHS's form, over its fundable items ``idx``."""

    batch: Batch
    p: int
    idx: IntArray
    rows: list[Any]
    lo: list[float]
    hi: list[float]
    scale: float

    @classmethod
    def of(cls, batch: Batch, p: int) -> MilpModel:
        from scipy.sparse import csr_array, hstack  # loaded when needed

        sl = slice(int(batch.offsets[p]), int(batch.offsets[p + 1]))
        idx = np.flatnonzero(batch.fundable[sl])
        k = idx.shape[0]
        c = batch.cost[sl][idx].astype(np.float64)
        h = batch.hours[sl][idx]
        eye = csr_array(np.eye(k))
        rows: list[Any] = [csr_array(np.concatenate([c, np.zeros(k)])[None, :])]
        lo, hi = [-np.inf], [float(batch.budget[p])]
        if np.isfinite(batch.hours_cap[p]):
            # scaled: HiGHS's feasibility tolerance would otherwise allow 1e-7 h over the rule
            rows.append(csr_array(np.concatenate([h * MILP_HOURS_ROW_SCALE, np.zeros(k)])[None]))
            lo.append(-np.inf)
            hi.append((float(batch.hours_cap[p]) + HOURS_TOL) * MILP_HOURS_ROW_SCALE)
        up = batch.upper[sl][idx].astype(np.float64)
        low = batch.lower[sl][idx].astype(np.float64)
        rows.append(hstack([eye, csr_array(np.diag(-up))]))  # u - U z <= 0
        lo.extend([-np.inf] * k)
        hi.extend([0.0] * k)
        rows.append(hstack([eye, csr_array(np.diag(-low))]))  # u - m z >= 0
        lo.extend([0.0] * k)
        hi.extend([np.inf] * k)
        v = batch.value[sl][idx]
        scale = SCALE_TARGET / float(v.max()) if k else 1.0
        return cls(batch, p, idx, rows, lo, hi, scale)

    @property
    def k(self) -> int:
        return int(self.idx.shape[0])

    def solve(
        self,
        objective: FloatArray,
        value_floor: float | None = None,
        fixed: IntArray | None = None,
        time_limit: float = 120.0,
    ) -> Any:
        """HiGHS on ``min objective . (u, z)``; optionally value >= floor, first units fixed."""
        from scipy.optimize import Bounds, LinearConstraint, milp  # loaded when needed
        from scipy.sparse import csr_array, vstack

        k, sl = self.k, self.slice
        rows, lo, hi = list(self.rows), list(self.lo), list(self.hi)
        if value_floor is not None:
            v = self.batch.value[sl][self.idx] * self.scale
            rows.append(csr_array(np.concatenate([v, np.zeros(k)])[None, :]))
            lo.append(value_floor * self.scale)
            hi.append(np.inf)
        lb = np.zeros(2 * k)
        ub = np.concatenate([self.batch.upper[sl][self.idx].astype(np.float64), np.ones(k)])
        if fixed is not None:
            j = fixed.shape[0]
            lb[:j] = ub[:j] = fixed
            lb[k : k + j] = ub[k : k + j] = (fixed > 0).astype(np.float64)
        return milp(
            objective,
            constraints=LinearConstraint(vstack(rows).tocsr(), np.array(lo), np.array(hi)),
            integrality=np.ones(2 * k, dtype=np.int64),
            bounds=Bounds(lb, ub),
            options={"mip_rel_gap": MILP_REL_GAP, "presolve": True, "time_limit": time_limit},
        )

    @property
    def slice(self) -> slice:
        return slice(int(self.batch.offsets[self.p]), int(self.batch.offsets[self.p + 1]))

    def units(self, x: FloatArray | None) -> IntArray | None:
        """All items' units from HiGHS's ``x``, or None when they break a constraint."""
        if x is None:
            return None
        b, sl = self.batch, self.slice
        units = np.zeros(sl.stop - sl.start, dtype=np.int64)
        u = np.round(x[: self.k]).astype(np.int64)
        u = np.where(u < b.lower[sl][self.idx], 0, np.minimum(u, b.upper[sl][self.idx]))
        units[self.idx] = u
        if int(np.dot(b.cost[sl], units)) > int(b.budget[self.p]) or not within_hours(
            b.hours[sl] * units, float(b.hours_cap[self.p])
        ):
            return None
        return units


def solve_one_milp(batch: Batch, p: int, time_limit: float = 120.0) -> MilpAnswer | None:
    """Solve participant ``p`` of ``batch`` exactly; None when HiGHS gives no usable answer."""
    model = MilpModel.of(batch, p)
    k = model.k
    if k == 0:
        return MilpAnswer(np.zeros(int(batch.counts[p]), dtype=np.int64), 0.0, True)
    v = batch.value[model.slice][model.idx]
    res = model.solve(np.concatenate([-v * model.scale, np.zeros(k)]), time_limit=time_limit)
    units = model.units(res.x)
    if units is None:
        return None
    value = float(np.dot(batch.value[model.slice], units))
    dual = getattr(res, "mip_dual_bound", None)
    scale = model.scale
    bound = value if dual is None or not np.isfinite(dual) else max(value, -float(dual) / scale)
    proven = bool(res.status == 0) and bound <= value + VALUE_TOL
    return MilpAnswer(units=units, bound=bound if not proven else value, proven=proven)
