"""Shared pieces of the waiting lists and counterfactuals: one participant's items, budget
variants of one participant solved as one batch, item reasons from arrays, argument checks.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ibm_engine._tolerances import CENT_TOL_CENTS
from ibm_engine._typing import BoolArray, IntArray
from ibm_engine.allocation._tables import REASONS
from ibm_engine.errors import InputError
from ibm_engine.solve import Batch, BatchSolution, solve_optimal, solve_priority

if TYPE_CHECKING:
    from collections.abc import Callable

    from ibm_engine.allocation._result import AllocationResult

__all__ = [
    "argument_error",
    "budget_variants",
    "eur_to_cents",
    "reason_categorical",
    "solver_of",
]


def argument_error(column: str, reason: str) -> InputError:
    """An InputError about an argument of the call (table ``arguments``)."""
    return InputError.single("arguments", column, reason)


def eur_to_cents(value: object, column: str, *, positive: bool = False) -> int:
    """A money argument in EUR as whole cents (within 1e-6 EUR of a cent, as the contract)."""
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    x = float(value) if ok else math.nan  # type: ignore[arg-type]  # checked just above
    if not math.isfinite(x) or x < 0 or (positive and x <= 0):
        sign = "> 0" if positive else ">= 0"
        raise argument_error(column, f"must be a number {sign} in EUR (got {value!r})")
    cents = round(x * 100)
    if abs(x * 100 - cents) > CENT_TOL_CENTS:
        raise argument_error(column, f"must be whole cents (got {value!r})")
    return int(cents)


def solver_of(policy: str) -> Callable[[Batch], BatchSolution]:
    """The batch solver of a policy."""
    return solve_optimal if policy == "optimal" else solve_priority


def reason_categorical(
    units: IntArray, upper: IntArray, lower: IntArray, eligible: BoolArray
) -> pd.Categorical:
    """The contract's item reasons from arrays (as ``result.items["reason"]``)."""
    code = np.select(
        [~eligible, upper < lower, units == upper, units > 0], [0, 1, 2, 3], default=4
    ).astype(np.int8)
    out: pd.Categorical = pd.Categorical.from_codes(code, categories=list(REASONS))  # type: ignore[call-overload]  # stubs reject ndarray codes
    return out


def budget_variants(
    result: AllocationResult, p: int, budgets: IntArray
) -> tuple[Batch, BatchSolution]:
    """Participant ``p`` once per budget (cents), solved as one batch with the result's policy.

    Variant ``v`` owns items ``v * k : (v + 1) * k`` (``k`` items, joint-list order).
    """
    budgets = np.asarray(budgets, dtype=np.int64)
    batch = result._solved.asm.batch.subset(np.full(budgets.shape[0], p, dtype=np.int64))
    batch = replace(batch, budget=budgets)
    if batch.m == 0:  # nothing to solve (and the solvers need items)
        n = budgets.shape[0]
        zero = np.zeros(n, dtype=np.float64)
        empty = np.zeros(0, dtype=np.int64)
        return batch, BatchSolution(empty, zero, zero, np.ones(n, bool))
    return batch, solver_of(result.policy)(batch)
