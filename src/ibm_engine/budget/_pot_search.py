"""The search for the scale that spends a pot, and the leftover cents (shared by every pot).

A :class:`Curve` is a scalable formula's exact budgets as a function of its scale, over some of
the participants (a mask), optionally held within per-participant bounds in whole cents
(protected groups). Its exact total is continuous and non-decreasing in the scale; the search
brackets the pot and narrows the bracket until the total is below the pot by less than half a
cent. :func:`largest_remainders` then makes the budgets whole cents adding up to the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ibm_engine._tolerances import CENT_NOISE_CENTS
from ibm_engine._typing import BoolArray, FloatArray, IntArray
from ibm_engine.budget._base import ScaledFormula
from ibm_engine.budget._inputs import Inputs
from ibm_engine.budget._result import MAX_CENTS, Evaluation, exact_cents
from ibm_engine.errors import SolverError

__all__ = ["Curve", "Found", "Unreachable", "largest_remainders"]

_FAR = 2.0**64  # farthest a scale is pushed looking for the ends of the pot's bracket
_ITERATIONS = 400
_GRID = float(2**30)


class Unreachable(Exception):  # noqa: N818 - a search outcome, caught inside the package
    """No scale keeps the total within the target; ``total`` is the lowest total (cents)."""

    def __init__(self, total: float) -> None:
        super().__init__(total)
        self.total = total


@dataclass(frozen=True)
class Found:
    """The scale found, the formula's evaluation there, the target reached and if capped."""

    scale: float
    ev: Evaluation
    target: int
    capped: bool


@dataclass(frozen=True, eq=False)
class Curve:
    """Exact budgets of ``formula`` at a scale, over ``mask``, held within ``low``..``high``."""

    formula: ScaledFormula
    inputs: Inputs
    mask: BoolArray | None = None
    low: FloatArray | None = None
    high: FloatArray | None = None

    def exact(self, ev: Evaluation) -> FloatArray:
        """The amounts of ``ev`` after the bounds (every participant, unrounded cents)."""
        out = ev.exact
        if self.low is not None:
            out = np.maximum(out, self.low)
        if self.high is not None:
            out = np.minimum(out, self.high)
        return out

    def total(self, scale: float) -> tuple[float, Evaluation]:
        """The exact total in cents, summed in integers so that the row order cannot change it.

        Whole cents are summed exactly; the fractions on a grid of 2^-30 cent (so the total is
        at most 0.001 cent low for a million participants).
        """
        ev = self.formula.evaluate(self.inputs, scale)
        exact = self.exact(ev)
        if self.mask is not None:
            exact = exact[self.mask]
        if not bool(np.all(np.abs(exact) < MAX_CENTS)):  # not exact anyway: rejected or too big
            return float(np.sum(exact)), ev
        whole = np.floor(exact)
        grid = np.floor((exact - whole) * _GRID).astype(np.int64)
        return int(whole.astype(np.int64).sum()) + int(grid.sum()) / _GRID, ev

    def _bracket(self, pot: int) -> tuple[float, float, int, bool]:
        """Scales ``lo`` (total <= target) and ``hi``, the target, and whether it is capped."""
        ident, add = self.formula.identity, self.formula.is_additive()
        step = 1.0
        s_ident, _ = self.total(ident)
        if s_ident <= pot:
            tried = [(ident, s_ident)]
            while step <= _FAR:
                hi = ident + step if add else ident * (1.0 + step)
                total, ev = self.total(hi)
                if total > pot:
                    return tried[-1][0], hi, pot, False
                if not exact_cents(ev):  # further scales cannot be exact to the cent
                    break
                tried.append((hi, total))
                step *= 2.0
            # no scale reaches the pot: aim at the most the formula gives
            target = int(np.floor(tried[-1][1] + CENT_NOISE_CENTS))
            below = [s for s, total in tried if total < target]
            lo = below[-1] if below else ident
            hi = next(s for s, total in tried if total >= target)
            return lo, hi, target, True
        lo, hi = ident, ident
        s_lo = s_ident
        while s_lo > pot:
            if step > _FAR or (not add and lo == 0.0):
                raise Unreachable(s_lo)
            hi, lo = lo, (ident - step if add else max(ident * (1.0 - step), 0.0))
            s_lo, _ = self.total(lo)
            step *= 2.0
        return lo, hi, pot, False

    def search(self, pot: int) -> Found:
        """The scale whose exact total is below ``pot`` (or the most reachable) by < 1/2 cent.

        Bracketing steps: linear interpolation aiming a quarter cent below the target (exact on
        a linear piece of the total), with a bisection every third step so kinks cannot stall.
        Raises :class:`Unreachable` when even the lowest scale gives more than ``pot``.
        """
        lo, hi, target, capped = self._bracket(pot)
        s_lo, ev = self.total(lo)
        if s_lo >= target:  # the lower end already gives the (capped) target
            return Found(lo, ev, target, capped)
        s_hi, _ = self.total(hi)
        for step in range(_ITERATIONS):
            if target - s_lo < 0.5:
                break
            mid = lo + (hi - lo) / 2.0
            if step % 3 != 2 and s_hi > s_lo:
                guess = lo + (hi - lo) * ((target - 0.25 - s_lo) / (s_hi - s_lo))
                mid = guess if lo < guess < hi else mid
            if mid in (lo, hi):
                break
            s_mid, ev_mid = self.total(mid)
            if s_mid < target:
                lo, s_lo, ev = mid, s_mid, ev_mid
            else:
                hi, s_hi = mid, s_mid
        return Found(lo, ev, target, capped)


def largest_remainders(exact: FloatArray, target: int, ids: pd.Series) -> tuple[IntArray, int]:
    """Budgets in whole cents by the leftover rule; and how many cents were handed out.

    Every amount is rounded down; the cents left up to ``target`` go one each to the largest
    fractions of a cent (compared to 1e-9 cent, so float noise does not decide); ids are
    looked at only for the budgets tied at the last fraction that gets a cent.

    Examples
    --------
    >>> b, given = largest_remainders(np.array([1.5, 1.5, 2.0]), 6, pd.Series(["Z", "B", "M"]))
    >>> b.tolist(), given
    ([2, 2, 2], 2)
    >>> largest_remainders(np.array([1.5, 1.5, 2.0]), 5, pd.Series(["Z", "B", "M"]))[0].tolist()
    [1, 2, 2]
    """
    exact = np.maximum(exact, 0.0)
    base = np.floor(exact)
    frac = exact - base
    budget = base.astype(np.int64)
    left = target - int(budget.sum())
    if left < 0:
        raise SolverError(f"calibration overshot the target by {-left} cents")
    eligible = np.flatnonzero(frac > 0)
    give = min(left, int(eligible.shape[0]))
    if give == eligible.shape[0]:
        budget[eligible] += 1
    elif give:
        key = np.round(frac[eligible], 9)
        cut = np.partition(key, key.shape[0] - give)[key.shape[0] - give]
        sure = eligible[key > cut]
        tied = eligible[key == cut]
        names = ids.iloc[tied].astype(str).to_numpy(dtype=object)
        chosen = tied[np.argsort(names, kind="stable")[: give - sure.shape[0]]]
        budget[sure] += 1
        budget[chosen] += 1
    return budget, give
