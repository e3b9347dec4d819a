"""What an extra programme pot buys first: a greedy over participants, exact per participant.

The pot ``X`` is handed out in grants of whole steps (``step_eur``, default 100 EUR). Each
grant goes to the participant whose next ``k`` steps (``1 <= k <= lookahead``) buy the most
value per euro, where the value a budget buys is the participant's allocation re-solved
exactly under the result's policy. Ties go to the smaller ``k``, then to the participant whose
id sorts first. A remainder smaller than one step goes, as a last grant, to the participant it
buys the most value for. Money no participant gains value from stays unspent (reported).

The greedy over participants is a heuristic: it need not split ``X`` in the way that buys the
most value in total (the region-wide problem is itself a knapsack). The value of each grant
is exact. ``lookahead`` lets the rule see past lumpy prices (a unit dearer than one step);
``lookahead=1`` is the plain "next step" rule.

Vectorised: every participant's next ``lookahead`` steps are solved as one batch of budget
variants; afterwards only the chosen participant is solved again, a few steps ahead at a time.
"""

from __future__ import annotations

import heapq
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ibm_engine._typing import FloatArray, IntArray
from ibm_engine.allocation._extra_money_report import ExtraMoney, report
from ibm_engine.allocation._variants import argument_error, eur_to_cents, solver_of
from ibm_engine.solve import VALUE_TOL

if TYPE_CHECKING:
    from ibm_engine.allocation._result import AllocationResult

__all__ = ["ExtraMoney", "what_extra_money_buys"]


class _Ladder:
    """Values of each participant at budget + k steps, solved in batches and extended lazily."""

    def __init__(
        self, result: AllocationResult, step: int, cap: int, levels: int, active: IntArray
    ) -> None:
        self.step, self.cap = step, cap  # no participant can get more than ``cap`` steps
        self.batch = result._solved.asm.batch
        self.solve = solver_of(result.policy)
        n = self.batch.n
        self.values: list[FloatArray] = [result._solved.sol.value[p : p + 1] for p in range(n)]
        if levels and active.shape[0]:  # every open participant's next steps: one batch
            rep = np.repeat(active, levels)
            ks = np.tile(np.arange(1, levels + 1, dtype=np.int64), active.shape[0])
            grid = self.solve_at(rep, self.batch.budget[rep] + step * ks)
            grid = grid.reshape(active.shape[0], levels)
            for row, p in enumerate(active.tolist()):
                self.values[p] = np.concatenate([self.values[p], grid[row]])

    def solve_at(self, who: IntArray, budgets: IntArray) -> FloatArray:
        """Values of participants ``who`` at ``budgets`` (cents), one batch solve."""
        sub = replace(self.batch.subset(who), budget=budgets)
        if sub.m == 0:
            return np.zeros(who.shape[0], dtype=np.float64)
        out: FloatArray = self.solve(sub).value
        return out

    def upto(self, p: int, level: int, chunk: int) -> FloatArray:
        """Values of ``p`` at levels 0..``level`` at least (solving ``chunk`` more at once)."""
        have = self.values[p].shape[0] - 1
        if have < level:
            top = min(max(level, have + chunk), self.cap)
            ks = np.arange(have + 1, top + 1, dtype=np.int64)
            who = np.full(ks.shape[0], p, dtype=np.int64)
            more = self.solve_at(who, self.batch.budget[p] + self.step * ks)
            self.values[p] = np.concatenate([self.values[p], more])
        return self.values[p]


def _round_rate(rate: float) -> float:
    """Rates equal to 12 significant digits count as equal (float noise never decides)."""
    return float(f"{rate:.12e}")


def what_extra_money_buys(
    result: AllocationResult,
    extra_eur: float,
    step_eur: float = 100.0,
    *,
    lookahead: int = 5,
) -> ExtraMoney:
    """Who an extra programme pot of ``extra_eur`` funds first, and what it buys.

    Parameters
    ----------
    result : AllocationResult
    extra_eur : float
        The extra money, whole cents, >= 0.
    step_eur : float
        Size of one budget increment, whole cents, > 0 (default 100 EUR).
    lookahead : int
        Grants may be up to this many steps at once when that buys more value per euro
        (see the module docstring); 1 gives the plain next-step rule.

    Returns
    -------
    ExtraMoney
        The grants in order, a summary per participant and the totals. Never more than
        ``extra_eur`` is granted.

    Raises
    ------
    InputError
        ``extra_eur`` or ``step_eur`` not a valid amount, ``lookahead`` not an integer >= 1.

    Examples
    --------
    >>> import ibm_engine as ibm
    >>> services = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 25.0},
    ...             {"service": "psychologist", "unit": "session", "unit_price_eur": 50.0}]
    >>> people = [{"participant_id": "A", "target_group": "GRT", "age": 40,
    ...            "municipality": "Dobele", "budget_eur": 100.0},
    ...           {"participant_id": "B", "target_group": "GRT", "age": 50,
    ...            "municipality": "Dobele", "budget_eur": 100.0}]
    >>> plan = [{"participant_id": "A", "service": "physiotherapy", "team_rank": 1,
    ...          "recommended_units": 8},
    ...         {"participant_id": "B", "service": "psychologist", "team_rank": 1,
    ...          "recommended_units": 6}]
    >>> more = what_extra_money_buys(ibm.allocate(people, plan, services), 250.0)
    >>> more.grants[["participant_id", "grant_eur", "value_gained", "units_gained"]].round(4)
      participant_id  grant_eur  value_gained          units_gained
    0              A      100.0        0.5000  {'physiotherapy': 4}
    1              B      100.0        0.3333   {'psychologist': 2}
    2              B       50.0        0.1667   {'psychologist': 1}
    >>> more.granted_eur, more.unspent_eur, round(more.value_gained, 6)
    (250.0, 0.0, 1.0)
    """
    X = eur_to_cents(extra_eur, "extra_eur")
    S = eur_to_cents(step_eur, "step_eur", positive=True)
    if isinstance(lookahead, bool) or not isinstance(lookahead, int) or lookahead < 1:
        raise argument_error("lookahead", f"must be an integer >= 1 (got {lookahead!r})")
    batch = result._solved.asm.batch
    n = batch.n
    max_value = result.participants["max_value"].to_numpy(dtype=np.float64)
    open_ = np.flatnonzero(result._solved.sol.value < max_value - VALUE_TOL)
    ladder = _Ladder(result, S, X // S, min(lookahead, X // S), open_)
    ids = result._solved.prep.participants["participant_id"].to_numpy()
    tie = np.empty(n, dtype=np.int64)
    tie[np.argsort(np.array([str(i) for i in ids.tolist()], dtype=object), kind="stable")] = (
        np.arange(n)
    )
    level = np.zeros(n, dtype=np.int64)
    left = X

    def best(p: int) -> tuple[float, int] | None:
        kmax = min(lookahead, left // S)
        if kmax < 1:
            return None
        vals = ladder.upto(p, int(level[p]) + kmax, 4 * lookahead)
        gains = vals[level[p] + 1 : level[p] + kmax + 1] - vals[level[p]]
        rates = gains / (S * np.arange(1, kmax + 1))
        k = int(np.argmax(rates))
        if gains[k] <= VALUE_TOL:
            return None
        return _round_rate(float(rates[k])), k + 1

    heap: list[tuple[float, int, int, int]] = []
    for p in open_.tolist():
        opt = best(p)
        if opt is not None:
            heap.append((-opt[0], opt[1], int(tie[p]), p))
    heapq.heapify(heap)
    grants: list[tuple[int, int, int]] = []  # (participant, budget before, budget after), cents
    while heap and left >= S:
        neg, k, t, p = heapq.heappop(heap)
        opt = best(p)
        if opt is None:
            continue
        if (-opt[0], opt[1]) != (neg, k):  # fewer steps fit now: its option got worse
            heapq.heappush(heap, (-opt[0], opt[1], t, p))
            continue
        before = int(batch.budget[p] + S * level[p])
        grants.append((p, before, before + k * S))
        level[p] += k
        left -= k * S
        opt = best(p)
        if opt is not None:
            heapq.heappush(heap, (-opt[0], opt[1], t, p))
    if 0 < left < S:
        grants += _remainder(result, ladder, level, S, left, open_, tie)
    return report(result, grants, X, S, lookahead)


def _remainder(
    result: AllocationResult,
    ladder: _Ladder,
    level: IntArray,
    S: int,
    rest: int,
    open_: IntArray,
    tie: IntArray,
) -> list[tuple[int, int, int]]:
    """The last grant: ``rest`` (< one step) to the participant it buys the most value for."""
    if open_.shape[0] == 0:
        return []
    now = result._solved.asm.batch.budget[open_] + S * level[open_]
    values = ladder.solve_at(open_, now + rest)
    base = np.array([ladder.values[p][level[p]] for p in open_.tolist()])
    gains = values - base
    order = np.lexsort((tie[open_], -np.array([_round_rate(g) for g in gains.tolist()])))
    k = int(order[0])
    if gains[k] <= VALUE_TOL:
        return []
    return [(int(open_[k]), int(now[k]), int(now[k] + rest))]
