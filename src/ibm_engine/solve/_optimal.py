"""The two policies on a :class:`Batch`: ``optimal`` (proven) and ``priority`` (by hand).

``solve_optimal``: greedy incumbents -> Lagrangian bound -> reduced-cost enumeration over all
participants at once (proves the optimum for nearly all) -> the same enumeration with room for
larger regions on the few left -> scipy.optimize.milp for any still unproven, re-checked.
"""

from __future__ import annotations

import warnings

import numpy as np

from ibm_engine._tolerances import VALUE_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.errors import SolverWarning
from ibm_engine.solve._batch import Batch, BatchSolution
from ibm_engine.solve._bound import Multipliers, multipliers
from ibm_engine.solve._enumerate import enumerate_optimum
from ibm_engine.solve._greedy import fill_in_order
from ibm_engine.solve._milp import solve_one_milp

__all__ = ["solve_optimal", "solve_priority", "warn_fallback"]

#: Passes of the enumeration: (participants per chunk, node cap per participant, frontier cap
#: per chunk, beam, strong). A cheap exact pass proves most participants; a beam search finds
#: good incumbents for the rest; a strong exact pass proves nearly all of those; milp last.
_PASSES = (
    (20_000, 60, 2_000_000, False, False),
    (5_000, 30, 2_000_000, True, True),
    (2_000, 2_000, 2_000_000, False, True),
)


def _order_by(batch: Batch, key: FloatArray) -> IntArray:
    """Item order that sorts each participant's items by ``key`` descending (stable)."""
    out: IntArray = np.lexsort((np.arange(batch.m), -key, batch.owner))
    return out


def _best_of(batch: Batch, candidates: list[IntArray]) -> tuple[IntArray, FloatArray]:
    """Per participant the best of several feasible allocations (first wins ties)."""
    owner = batch.owner
    best_units = candidates[0].copy()
    best_val, _, _ = batch.evaluate(best_units)
    for cand in candidates[1:]:
        val, _, _ = batch.evaluate(cand)
        better = val > best_val + VALUE_TOL
        if better.any():
            take = better[owner]
            best_units = np.where(take, cand, best_units)
            best_val = np.where(better, val, best_val)
    return best_units, best_val


def _incumbent(batch: Batch, mult: Multipliers | None) -> tuple[IntArray, FloatArray]:
    cost = batch.cost.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        eff = np.where(cost > 0, batch.value / cost, np.inf)
    cands = [
        fill_in_order(batch, np.arange(batch.m, dtype=np.int64)),
        fill_in_order(batch, _order_by(batch, eff)),
    ]
    if mult is not None and np.isfinite(batch.hours_cap).any():
        owner = batch.owner
        price = mult.lam[owner] * cost + mult.mu[owner] * batch.hours
        with np.errstate(divide="ignore", invalid="ignore"):
            eff2 = np.where(price > 0, batch.value / price, np.inf)
        cands.append(fill_in_order(batch, _order_by(batch, eff2)))
    return _best_of(batch, cands)


def solve_priority(batch: Batch) -> BatchSolution:
    """The priority policy: fill items in the batch's (joint-list) order.

    ``bound`` is the LP bound of the optimum; ``proven`` says the value reaches it.
    """
    units = fill_in_order(batch, np.arange(batch.m, dtype=np.int64))
    value, _, _ = batch.evaluate(units)
    mult = multipliers(batch)
    bound = np.maximum(mult.bound, value)
    proven: BoolArray = value >= bound - VALUE_TOL
    return BatchSolution(
        units=units, value=value, bound=bound, proven=proven, lam=mult.lam, mu=mult.mu
    )


def solve_optimal(batch: Batch) -> BatchSolution:
    """A proven optimum for every participant (see module docstring)."""
    mult = multipliers(batch)
    units, inc_val = _incumbent(batch, mult)
    proven = np.zeros(batch.n, dtype=bool)
    todo = np.arange(batch.n, dtype=np.int64)
    for chunk_size, node_cap, frontier_cap, beam, strong in _PASSES:
        left: list[IntArray] = []
        for s in range(0, todo.shape[0], chunk_size):
            part = todo[s : s + chunk_size]
            sub = batch.subset(part)
            sub_mult = _sub_mult(mult, batch, part)
            idx = batch.item_index(part)
            res = enumerate_optimum(
                sub, sub_mult, units[idx], inc_val[part], node_cap, frontier_cap, beam, strong
            )
            units[idx] = res.units
            proven[part] = res.proven
            left.append(part[~res.proven])
            if beam:
                inc_val[part], _, _ = sub.evaluate(res.units)
        todo = np.concatenate(left) if left else todo[:0]
        if todo.shape[0] == 0:
            break
    value, _, _ = batch.evaluate(units)
    bound = np.where(proven, value, np.maximum(mult.bound, value))
    fallback = 0
    for p in todo.tolist():
        ans = solve_one_milp(batch, p)
        if ans is None:  # keep the best greedy fill (feasible, not proven)
            fallback += 1
            continue
        sl = slice(int(batch.offsets[p]), int(batch.offsets[p + 1]))
        v_new = float(np.dot(batch.value[sl], ans.units))
        if v_new >= value[p] - VALUE_TOL:
            units[sl] = ans.units
            value[p] = v_new
        bound[p] = min(bound[p], max(ans.bound, value[p]))
        proven[p] = ans.proven and bound[p] <= value[p] + VALUE_TOL
    value, _, _ = batch.evaluate(units)
    bound = np.where(proven, value, np.maximum(bound, value))
    ok = batch.feasible(units)
    if not ok.all():  # never hand out an infeasible answer: fall back to the priority fill
        safe = fill_in_order(batch, np.arange(batch.m, dtype=np.int64))
        units = np.where(ok[batch.owner], units, safe)
        proven &= ok
        value, _, _ = batch.evaluate(units)
    sol = BatchSolution(
        units=units,
        value=value,
        bound=bound,
        proven=proven,
        lam=mult.lam,
        mu=mult.mu,
        fallback=fallback,
    )
    warn_fallback(sol)
    return sol


def warn_fallback(sol: BatchSolution) -> None:
    """One :class:`SolverWarning` for all participants that kept the greedy fill, if any."""
    if sol.fallback:
        k = sol.fallback
        warnings.warn(
            f"the exact solver (HiGHS) gave no answer for {k} participant"
            f"{'s' if k != 1 else ''}: {'they keep' if k != 1 else 'it keeps'} the best greedy "
            "allocation (feasible, not proven optimal: status 'feasible', bound from the LP)",
            SolverWarning,
            stacklevel=3,
        )


def _sub_mult(mult: Multipliers, batch: Batch, part: IntArray) -> Multipliers:
    idx = batch.item_index(part)
    return Multipliers(
        lam=mult.lam[part], mu=mult.mu[part], bound=mult.bound[part], rc=mult.rc[idx]
    )
