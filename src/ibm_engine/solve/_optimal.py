"""The two policies on a :class:`Batch`: ``optimal`` (proven) and ``priority`` (by hand).

``solve_optimal``: the compiled branch and bound (``_kernel``) on every participant, in
``workers`` threads; the rare participant over its node limit is solved by HiGHS (``_milp``),
ties included; every answer is re-checked for feasibility and value.
"""

from __future__ import annotations

import warnings

import numpy as np

from ibm_engine._tolerances import FLOAT_SUM_REL_ERR, HOURS_TOL, VALUE_TOL
from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.errors import SolverWarning
from ibm_engine.solve._batch import Batch, BatchSolution, within_hours
from ibm_engine.solve._bound import multipliers
from ibm_engine.solve._greedy import fill_in_order
from ibm_engine.solve._milp import solve_one_milp
from ibm_engine.solve._milp_ties import break_ties_milp
from ibm_engine.solve._search import DONE, OVER_LIMIT_TIES, contiguous, kernel_arrays, run_search

__all__ = ["recheck", "solve_optimal", "solve_priority", "warn_fallback"]

#: node limit of the tie-breaking search of a participant whose optimal value HiGHS found (the
#: first search uses ``_search.NODE_LIMIT``)
RETRY_NODE_LIMIT = 100_000


def solve_priority(batch: Batch, workers: int = 1) -> BatchSolution:
    """The priority policy: fill items in the batch's (joint-list) order.

    ``bound`` is the LP bound of the optimum; ``proven`` says the value reaches it. The fill is
    vectorised over participants (``workers`` is accepted for the common solver signature).
    """
    del workers
    units = fill_in_order(batch, np.arange(batch.m, dtype=np.int64))
    value, _, _ = batch.evaluate(units)
    bound = np.maximum(multipliers(batch).bound, value)
    proven: BoolArray = value >= bound - VALUE_TOL
    return BatchSolution(units=units, value=value, bound=bound, proven=proven)


def solve_optimal(batch: Batch, workers: int = 1) -> BatchSolution:
    """A proven optimum for every participant, ties broken as the contract says.

    Parameters
    ----------
    batch : Batch
    workers : int
        Threads the search runs in (the compiled search releases the GIL).

    Examples
    --------
    >>> b = Batch(offsets=np.array([0, 3]), cost=np.array([6000, 5000, 5000]),
    ...           value=np.array([0.4, 0.3, 0.3]), lower=np.ones(3, dtype=np.int64),
    ...           upper=np.ones(3, dtype=np.int64), hours=np.zeros(3),
    ...           budget=np.array([10000]), hours_cap=np.array([np.inf]))
    >>> solve_optimal(b).units.tolist()
    [0, 1, 1]
    """
    units, status, vstar = run_search(batch, workers)
    value, ok = recheck(batch, units)
    ok &= (status == DONE) & (np.abs(value - vstar) <= VALUE_TOL)
    proven = ok.copy()
    bound = value.copy()
    fallback = 0
    for p in np.flatnonzero(~ok).tolist():
        sl = slice(int(batch.offsets[p]), int(batch.offsets[p + 1]))
        one = batch.subset(np.array([p], dtype=np.int64))
        got = _solve_alone(batch, p, int(status[p]), float(vstar[p]))
        if got is None:  # keep the priority fill (feasible, not proven), with the LP bound
            fallback += 1
            got = fill_in_order(one, np.arange(one.m, dtype=np.int64))
            bound[p] = float(multipliers(one).bound[0])
        else:
            proven[p] = True
        units[sl] = got
        value[p] = float(one.evaluate(got)[0][0])
        bound[p] = value[p] if proven[p] else max(bound[p], value[p])
    alone = int((~ok).sum())
    sol = BatchSolution(units, value, bound, proven, fallback=fallback, alone=alone)
    warn_fallback(sol)
    return sol


def recheck(batch: Batch, units: IntArray) -> tuple[FloatArray, BoolArray]:
    """Value and feasibility per participant, as :meth:`Batch.evaluate` and
    :meth:`Batch.feasible` give them, in one compiled pass (``_check``)."""
    from ibm_engine.solve._check import CLOSE, OK, check_all  # numba: loaded on the first solve

    n = batch.n
    value, hrs = np.zeros(n), np.zeros(n)
    spent, flag = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    args = (*kernel_arrays(batch), contiguous(units, np.int64), HOURS_TOL, FLOAT_SUM_REL_ERR)
    check_all(*args, value, spent, hrs, flag)  # type: ignore[call-arg]
    ok: BoolArray = flag == OK
    for p in np.flatnonzero(flag == CLOSE).tolist():  # the hours rule, summed exactly
        sl = slice(int(batch.offsets[p]), int(batch.offsets[p + 1]))
        ok[p] = within_hours(batch.hours[sl] * units[sl], float(batch.hours_cap[p]))
    return value, ok


def _solve_alone(batch: Batch, p: int, status: int, vstar: float) -> IntArray | None:
    """Participant ``p`` again: its optimal value by HiGHS (unless the search found it), the tie
    rule by the search with a larger node limit, else by HiGHS; the answer checked."""
    one = batch.subset(np.array([p], dtype=np.int64))
    if status != OVER_LIMIT_TIES:
        ans = solve_one_milp(batch, p)
        if ans is None or not ans.proven:
            return None
        vstar = float(one.evaluate(ans.units)[0][0])
    units, st, _ = run_search(one, 1, RETRY_NODE_LIMIT, np.array([vstar]))
    if int(st[0]) == DONE and _checked(one, units, vstar):
        return units
    tied = break_ties_milp(one, vstar)
    return tied if tied is not None and _checked(one, tied, vstar) else None


def _checked(one: Batch, units: IntArray, best: float) -> bool:
    """Feasible, and worth the optimal value (within the contract's tolerance)."""
    value, _, _ = one.evaluate(units)
    return bool(one.feasible(units)[0]) and float(value[0]) >= best - VALUE_TOL


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
