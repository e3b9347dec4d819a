"""The contract's tie rule with HiGHS, for the rare participant the search gives up on.

Among allocations worth at least ``V* - VALUE_TOL``: the most units of the first joint-list
item, then of the second, ... One MILP per fundable item, in joint-list order: maximise its units
subject to the value floor, the items before it fixed at what their own MILP gave.
"""

from __future__ import annotations

import numpy as np

from ibm_engine._tolerances import VALUE_TOL
from ibm_engine._typing import IntArray
from ibm_engine.solve._batch import Batch
from ibm_engine.solve._milp import MilpModel

__all__ = ["break_ties_milp"]


def break_ties_milp(one: Batch, best: float) -> IntArray | None:
    """Units of the only participant of ``one`` by the tie rule at optimal value ``best``."""
    model = MilpModel.of(one, 0)
    k = model.k
    fixed = np.zeros(0, dtype=np.int64)
    units: IntArray | None = np.zeros(int(one.m), dtype=np.int64)
    for j in range(k):
        obj = np.zeros(2 * k)
        obj[j] = -1.0
        res = model.solve(obj, value_floor=best - VALUE_TOL, fixed=fixed)
        units = model.units(res.x)
        if units is None or res.status != 0:
            return None
        fixed = units[model.idx[: j + 1]]
    return units
