"""The smallest budget that funds one item of one participant in full, exact to the cent.

Funding is not monotone in the budget under either policy: under ``priority`` more money can
let a higher item reach its minimum dose and take the money a lower item had; under
``optimal`` more money can make a better combination affordable that leaves the item out. So
the answer is not found by bisection. It is found exactly, from two facts:

1. If a budget ``B`` funds item ``i`` (``u_i = U_i``), the allocation ``u`` at ``B`` is also
   the allocation at ``B' = cost(u) <= B`` (it is still affordable there, and nothing better
   became affordable; the priority fill takes the same units at every step). So the smallest
   such budget is the **cost of an allocation with** ``u_i = U_i``: ``c_i U_i`` plus a sum
   ``sum_j c_j u_j`` over the other items with ``u_j = 0`` or ``max(m_j, 1) <= u_j <= U_j``.
   Under ``priority`` only the items before ``i`` in the joint list count (the fill of the
   items up to ``i`` does not depend on the items after it).
2. From ``T = sum_j c_j U_j`` (every fundable item at its upper bound; under ``priority`` the
   items up to ``i``) on, money never binds and the allocation (of those items) no longer
   changes.

The candidate budgets, every such cost between ``c_i U_i`` and ``T`` (or the cost of the
allocation at ``T`` when that funds the item), are enumerated exactly with a bounded
subset-sum over cents, and the participant is solved once per candidate, in ascending order,
as batches of budget variants; the first candidate that funds the item is the answer. Under
``optimal`` most candidates are ruled out without solving at them, by two monotone bounds
(:mod:`ibm_engine.allocation._smallest_prune`); under ``priority`` (a cheap fill) every
candidate below the answer is solved. Memory grows with the range ``T - c_i U_i`` (about 10
bytes per cent).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ibm_engine._typing import BoolArray, IntArray
from ibm_engine.allocation._one import Items
from ibm_engine.allocation._smallest_prune import prune_optimal
from ibm_engine.allocation._variants import budget_variants
from ibm_engine.solve import HOURS_TOL, Batch
from ibm_engine.solve._greedy import fill_in_order

if TYPE_CHECKING:
    from ibm_engine.allocation._result import AllocationResult

__all__ = ["reachable_costs", "smallest_budget_for"]

#: budget variants per batch solve: the first small (the answer is often near the bottom)
_CHUNKS = (256, 2_048, 16_384, 65_536)


def reachable_costs(cost: IntArray, lower: IntArray, upper: IntArray, limit: int) -> BoolArray:
    """Which sums ``0..limit`` (cents) some allocation of the items costs exactly.

    ``out[s]`` is True when there are ``u_j = 0`` or ``lower_j <= u_j <= upper_j`` with
    ``sum_j cost_j u_j == s``. One pass per item, vectorised over the residues of its price.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array
    >>> np.flatnonzero(reachable_costs(a([300, 500]), a([2, 1]), a([3, 1]), 20_00)).tolist()
    [0, 500, 600, 900, 1100, 1400]
    """
    reach = np.zeros(limit + 1, dtype=bool)
    reach[0] = True
    for c, lo, up in zip(cost.tolist(), lower.tolist(), upper.tolist(), strict=True):
        up = min(up, limit // c) if c > 0 else 0
        if c <= 0 or up < lo:
            continue
        rows = -(-(limit + 1) // c)
        grid = np.zeros(rows * c, dtype=bool)
        grid[: limit + 1] = reach
        grid = grid.reshape(rows, c)  # grid[t, r] = reach[t * c + r]
        cs = np.zeros((rows + 1, c), dtype=np.int32)
        np.cumsum(grid, axis=0, dtype=np.int32, out=cs[1:])
        t = np.arange(rows)
        # s = t c + r is reached from s - k c, lo <= k <= up: rows t - up .. t - lo
        window = cs[np.clip(t - lo + 1, 0, rows)] - cs[np.clip(t - up, 0, rows)]
        reach = (grid | (window > 0)).ravel()[: limit + 1]
    return reach


def smallest_budget_for(
    result: AllocationResult, participant_id: object, service: str
) -> float | None:
    """The smallest budget (EUR, exact cents) at which ``service`` gets all its units.

    Under the result's policy, with everything else of the participant unchanged. "All its
    units" is the upper bound ``U`` (``upper_units``: the recommendation within the caps).

    Parameters
    ----------
    result : AllocationResult
    participant_id : str
    service : str
        A service in the participant's plan.

    Returns
    -------
    float or None
        The budget in EUR: allocating the participant with it funds the item in full, and
        no smaller budget (to the cent) does; the budget can be below the current one.
        ``None`` when no budget does: the item is not eligible or its cap is below its
        minimum, or the family's hours never leave room for it.

    Raises
    ------
    InputError
        Unknown or rejected participant, or a service not in the participant's plan.

    Notes
    -----
    Exact, not a bisection: funding is not monotone in the budget (see the module
    docstring). A budget above the answer need not fund the item.

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 100.0},
    ...             {"service": "psychologist", "unit": "session", "unit_price_eur": 50.0}]
    >>> people = [{"participant_id": "P1", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 100.0}]
    >>> plan = [{"participant_id": "P1", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 10},
    ...         {"participant_id": "P1", "service": "psychologist", "team_rank": 2,
    ...          "recommended_units": 1}]
    >>> r = ibm.allocate(people, plan, services, policy="priority")
    >>> smallest_budget_for(r, "P1", "psychologist")
    50.0

    At 50.00 EUR physiotherapy (one session: 100.00 EUR) does not fit and the psychologist
    gets its session; at 100.00 EUR physiotherapy takes all. From 1,050.00 EUR on both are
    funded again.
    """
    it = Items.of(result, participant_id)
    i = it.index_of(service)
    U, c = int(it.upper[i]), int(it.cost[i])
    if not it.eligible[i] or int(it.lower[i]) > U:
        return None
    batch = result._solved.asm.batch
    if U * float(batch.hours[it.sl][i]) > float(batch.hours_cap[it.p]) + HOURS_TOL:
        return None
    # the items that can change the answer: all of them under optimal; under priority only
    # those the fill visits before this one (the fill of the items up to i ignores the rest)
    pos = np.arange(it.units.shape[0])
    scope = (pos <= i) if result.policy == "priority" else np.ones(pos.shape[0], dtype=bool)
    fundable = (it.upper >= it.lower) & scope
    low = c * U
    top = int((it.cost * it.upper)[fundable].sum())
    _, sol = budget_variants(result, it.p, np.array([top]))
    if int(sol.units[i]) == U:
        top = int((it.cost * sol.units)[scope].sum())
    others = fundable & (pos != i)
    reach = reachable_costs(it.cost[others], it.lower[others], it.upper[others], top - low)
    candidates = low + np.flatnonzero(reach).astype(np.int64)
    if result.policy == "optimal":
        candidates = prune_optimal(result, it, i, candidates)
    return _scan(result, it, i, candidates)


def _scan(result: AllocationResult, it: Items, i: int, candidates: IntArray) -> float | None:
    """The first candidate budget (ascending) that funds item ``i``, in growing batches.

    Under ``priority`` only the items up to ``i`` are filled (the same units for them as the
    whole list, without the LP bound ``solve_priority`` adds).
    """
    U = int(it.upper[i])
    if result.policy == "priority":
        one = result._solved.asm.batch.subset(np.array([it.p], dtype=np.int64))
        head = _head(one, i + 1)
    start, size = 0, 0
    while start < candidates.shape[0]:
        size = _CHUNKS[min(_CHUNKS.index(size) + 1, len(_CHUNKS) - 1)] if size else _CHUNKS[0]
        part = candidates[start : start + size]
        if result.policy == "priority":
            batch = replace(head.subset(np.zeros(part.shape[0], dtype=np.int64)), budget=part)
            got = fill_in_order(batch, np.arange(batch.m, dtype=np.int64))[i :: i + 1]
        else:
            _, sol = budget_variants(result, it.p, part)
            got = sol.units.reshape(part.shape[0], it.units.shape[0])[:, i]
        hit = np.flatnonzero(got == U)
        if hit.shape[0]:
            return int(part[hit[0]]) / 100
        start += size
    return None


def _head(one: Batch, k: int) -> Batch:
    """A one-participant batch cut to its first ``k`` items."""
    return Batch(
        offsets=np.array([0, k], dtype=np.int64),
        cost=one.cost[:k],
        value=one.value[:k],
        lower=one.lower[:k],
        upper=one.upper[:k],
        hours=one.hours[:k],
        budget=one.budget,
        hours_cap=one.hours_cap,
    )
