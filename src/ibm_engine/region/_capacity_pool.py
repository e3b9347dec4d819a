"""Column generation for provider capacities: the column pool and the master LP.

A column is one participant's feasible allocation (its value and its use of each capacity).
The master LP chooses a convex combination of columns per participant within every capacity;
:class:`Fairness` adds kept-share rows (max-min, or floors). See ``_capacity_colgen``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.solve import Batch

if TYPE_CHECKING:
    from scipy.sparse import csr_array

__all__ = ["Fairness", "Master", "Pool", "column_rounds", "columns", "master"]


@dataclass
class Pool:
    """Generated columns: participant (local index), value, capacity use, and units per round."""

    part: list[IntArray]
    value: list[FloatArray]
    use: list[csr_array]  # k x columns of the round
    rounds: list[tuple[IntArray, IntArray]]  # (local participants of the round, their units)

    def add(self, part: IntArray, value: FloatArray, use: csr_array, units: IntArray) -> None:
        self.part.append(part)
        self.value.append(value)
        self.use.append(use)
        self.rounds.append((part, units))

    def arrays(self) -> tuple[IntArray, FloatArray, csr_array]:
        from scipy.sparse import csr_array, hstack  # loaded when a region is solved

        return (
            np.concatenate(self.part),
            np.concatenate(self.value),
            csr_array(hstack(self.use, format="csr")),
        )


def columns(
    sub: Batch, cap_sub: IntArray, k: int, units: IntArray, rows: IntArray
) -> tuple[FloatArray, csr_array]:
    """Values and capacity use (k x len(rows)) of the allocations ``units`` of ``rows``."""
    from scipy.sparse import coo_array, csr_array

    idx = sub.item_index(rows)
    local = np.repeat(np.arange(rows.shape[0], dtype=np.int64), sub.counts[rows])
    u = units[idx]
    value = np.bincount(local, weights=sub.value[idx] * u, minlength=rows.shape[0])
    on = (cap_sub[idx] >= 0) & (u > 0)
    use = csr_array(
        coo_array(
            (u[on].astype(np.float64), (cap_sub[idx][on], local[on])), shape=(k, rows.shape[0])
        )
    )
    return value.astype(np.float64), use


@dataclass(frozen=True)
class Fairness:
    """Kept shares in the master: ``share_p = value_p / full_p`` (``full_p`` the participant's
    uncapacitated value). ``maxmin``: maximise the smallest share (stage 1); ``floor``:
    maximise the sum with every share at least ``floor_p`` (stage 2)."""

    full: FloatArray
    maxmin: bool = False
    floor: FloatArray | None = None

    def shares(self, part: IntArray, value: FloatArray) -> FloatArray:
        full = self.full[part]
        out: FloatArray = np.where(full > 0, value / np.where(full > 0, full, 1.0), 0.0)
        return out

    def multiplier(self, rho: FloatArray) -> FloatArray:
        """Per participant: what a unit of value is worth in pricing at share duals ``rho``."""
        per: FloatArray = np.where(self.full > 0, rho / np.where(self.full > 0, self.full, 1), 0)
        return per if self.maxmin else 1.0 + per


@dataclass(frozen=True)
class Master:
    lam: FloatArray
    price: FloatArray  # per capacity, >= 0
    sigma: FloatArray  # per participant (convexity), >= 0
    rho: FloatArray  # per participant (share rows), >= 0
    contrib: FloatArray  # objective per column (sum mode)
    objective: float


def master(
    part: IntArray,
    value: FloatArray,
    use: csr_array,
    capacity: FloatArray,
    n: int,
    fair: Fairness | None = None,
) -> Master:
    """Master LP over the generated columns: max value . lam (or the smallest share), use lam
    <= cap, sum of a participant's lam <= 1, shares >= floors (see :class:`Fairness`)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_array, csr_array, hstack, vstack

    cols = value.shape[0]
    k = capacity.shape[0]
    conv = csr_array(coo_array((np.ones(cols), (part, np.arange(cols))), shape=(n, cols)))
    blocks = [use, conv]
    rhs = [capacity, np.ones(n)]
    cost = -value
    rows = np.zeros(0, dtype=np.int64)
    if fair is not None:
        rows = np.flatnonzero(fair.full > 0)
        if fair.floor is not None:
            rows = rows[fair.floor[rows] > 0]
        local = np.full(n, -1, dtype=np.int64)
        local[rows] = np.arange(rows.shape[0])
        on = local[part] >= 0
        share = coo_array(
            (-fair.shares(part, value)[on], (local[part][on], np.flatnonzero(on))),
            shape=(rows.shape[0], cols),
        )
        blocks.append(csr_array(share))
        if fair.maxmin:
            rhs.append(np.zeros(rows.shape[0]))
            cost = np.concatenate([np.zeros(cols), [-1.0]])
        else:
            rhs.append(-np.asarray(fair.floor)[rows])
    a = vstack(blocks, format="csr")
    if fair is not None and fair.maxmin:  # one more column: t, in every share row; maximise t
        t_col = np.concatenate([np.zeros(k + n), np.ones(rows.shape[0])])
        a = csr_array(hstack([a, csr_array(t_col[:, None])], format="csr"))
    b = np.concatenate(rhs)
    upper = None if fair is None or not fair.maxmin else [(0, None)] * cols + [(0, 1)]
    # interior point with crossover: fastest here, and a basic solution (few split participants)
    res = linprog(cost, A_ub=a, b_ub=b, bounds=upper or (0, None), method="highs-ipm")
    if res.status != 0:  # pragma: no cover - the zero allocation keeps the master feasible
        raise RuntimeError(f"master LP failed: {res.message}")
    marg = -np.asarray(res.ineqlin.marginals, dtype=np.float64)
    x = np.asarray(res.x, dtype=np.float64)
    lam = x[:cols]
    rho = np.zeros(n)
    rho[rows] = np.maximum(marg[k + n :], 0.0)
    return Master(
        lam,
        np.maximum(marg[:k], 0.0),
        np.maximum(marg[k : k + n], 0.0),
        rho,
        value * lam,
        -float(res.fun or 0.0),
    )


def column_rounds(pool: Pool) -> IntArray:
    """For each column in pool order: the round that generated it."""
    return np.concatenate(
        [np.full(rows.shape[0], r, dtype=np.int64) for r, (rows, _) in enumerate(pool.rounds)]
    )
