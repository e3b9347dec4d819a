"""Under the ``optimal`` policy: rule out most candidate budgets of
:func:`~ibm_engine.allocation.smallest_budget_for` without solving at them.

Two monotone functions of the budget ``B`` bound what can happen between two candidates
``B_p < B_q``: the optimal value ``V(B)`` never falls as ``B`` grows, and neither does
``V_i(B)``, the optimal value with the item forced to its upper bound (the participant
without the item, with ``c_i U_i`` less money and ``h_i U_i`` fewer hours, plus the item's
value). An optimal allocation at ``B`` funds the item only if ``V_i(B) >= V(B)`` (within the
value tolerance). So when the proven upper bound of ``V_i(B_q)`` is below the value found at
``B_p``, no budget between them funds the item. Intervals that survive are split (all their
midpoints solved as one batch) until they are empty or hold a handful of candidates, which are
solved one by one (again as one batch). The result is exact: every candidate is either solved
or ruled out by the two bounds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.allocation._one import Items
from ibm_engine.allocation._variants import budget_variants
from ibm_engine.solve import VALUE_TOL, Batch, solve_optimal

if TYPE_CHECKING:
    from ibm_engine.allocation._result import AllocationResult

__all__ = ["prune_optimal"]

#: margin of the elimination test: the solver's optimum is within VALUE_TOL of the best
_MARGIN = 2 * VALUE_TOL
#: candidates solved per batch round, at most (one round may finish small intervals beyond)
_ROUND = 4_096
#: intervals with at most this many candidates inside are solved whole
_SMALL = 16
#: points solved inside a larger interval per round
_SPLIT = 8


class _Forced:
    """``V_i``: the participant with item ``i`` fixed at its upper bound."""

    def __init__(self, result: AllocationResult, it: Items, i: int) -> None:
        one = result._solved.asm.batch.subset(np.array([it.p], dtype=np.int64))
        U = int(it.upper[i])
        keep = np.arange(one.m) != i
        self.fixed_value = float(one.value[i]) * U
        self.fixed_cost = int(one.cost[i]) * U
        self.base = Batch(
            offsets=np.array([0, int(keep.sum())], dtype=np.int64),
            cost=one.cost[keep],
            value=one.value[keep],
            lower=one.lower[keep],
            upper=one.upper[keep],
            hours=one.hours[keep],
            budget=one.budget,
            hours_cap=one.hours_cap - float(one.hours[i]) * U,
        )

    def upper_bound(self, budgets: IntArray) -> FloatArray:
        """A proven upper bound of ``V_i`` at each budget (cents, all >= c_i U_i)."""
        if self.base.m == 0:
            return np.full(budgets.shape[0], self.fixed_value)
        sub = self.base.subset(np.zeros(budgets.shape[0], dtype=np.int64))
        sol = solve_optimal(replace(sub, budget=budgets - self.fixed_cost))
        out: FloatArray = sol.bound + self.fixed_value
        return out


def _next_points(alive: list[tuple[int, int]]) -> IntArray:
    """Candidate indices to solve next: the first surviving intervals, ascending."""
    picked: list[IntArray] = []
    count = 0
    for p, q in alive:
        inside = q - p - 1
        if inside <= _SMALL:
            pts = np.arange(p + 1, q, dtype=np.int64)
        else:
            pts = np.unique(np.linspace(p + 1, q - 1, _SPLIT).round().astype(np.int64))
        picked.append(pts)
        count += pts.shape[0]
        if count >= _ROUND:
            break
    return np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)


def prune_optimal(result: AllocationResult, it: Items, i: int, candidates: IntArray) -> IntArray:
    """The candidate budgets (sorted) that may still be the answer: at most one, or none.

    Every other candidate was solved and does not fund the item, or was ruled out by the
    bounds (see the module docstring); the one returned was solved and funds it.
    """
    n = candidates.shape[0]
    if n <= _SMALL:
        return candidates
    forced = _Forced(result, it, i)
    k, U = it.units.shape[0], int(it.upper[i])
    value = np.zeros(n)
    bound = np.zeros(n)
    funded = np.zeros(n, dtype=bool)
    done = np.zeros(n, dtype=bool)
    todo = np.unique(np.linspace(0, n - 1, 4 * _SPLIT + 1).round().astype(np.int64))
    while todo.shape[0]:
        budgets = candidates[todo]
        _, sol = budget_variants(result, it.p, budgets)
        value[todo] = sol.value
        funded[todo] = sol.units.reshape(todo.shape[0], k)[:, i] == U
        bound[todo] = forced.upper_bound(budgets)
        done[todo] = True
        solved = np.flatnonzero(done)
        hits = solved[funded[solved]]
        last = int(hits[0]) if hits.shape[0] else n - 1
        solved = solved[solved <= last]
        p, q = solved[:-1], solved[1:]
        keep = (q - p > 1) & (bound[q] >= value[p] - _MARGIN)
        todo = _next_points(list(zip(p[keep].tolist(), q[keep].tolist(), strict=True)))
    first = np.flatnonzero(done & funded)
    out: IntArray = candidates[first[:1]]
    return out
