"""The facts behind an explanation: one participant's items in joint-list order, the binding
reason of each and what 100 EUR more would buy (see :mod:`ibm_engine.allocation._explain`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ibm_engine._typing import IntArray
from ibm_engine.allocation._explain_causes import LIMITS, find_causes, forced_allocations
from ibm_engine.allocation._explain_model import ForcedFacts, ItemFacts, PlanFacts
from ibm_engine.allocation._one import Items
from ibm_engine.solve import Batch, BatchSolution, multipliers, solve_optimal, solve_priority
from ibm_engine.tables import CAP_TOL, GROUP_BITS

if TYPE_CHECKING:
    from ibm_engine.allocation._result import AllocationResult

__all__ = ["EXTRA_CENTS", "LIMITS", "Plan"]

#: the extra money of ``next_100_eur_units``, in cents
EXTRA_CENTS = 10_000


class Plan:
    """One participant's items in joint-list order: the binding reason of each (arrays)."""

    def __init__(self, result: AllocationResult, participant_id: object) -> None:
        it = Items.of(result, participant_id)  # the one slicing of a participant
        prep, asm, sol = result._solved.prep, result._solved.asm, result._solved.sol
        batch, p, sl = asm.batch, it.p, it.sl
        self.p, self.policy, self.prep, self.pid = p, result.policy, prep, it.pid
        self.municipality = str(prep.participants["municipality"].iloc[p])
        self.age, self.group, self.weeks = (
            int(prep.age[p]),
            str(prep.group[p]),
            int(prep.period_weeks[p]),
        )
        self.rows = it.rows
        self.items = result.items[["service", "unit", "reason"]].iloc[self.rows]
        self.units, self.cost, self.hours = it.units, it.cost, batch.hours[sl]
        self.lower, self.upper = it.lower, it.upper
        self.rec, self.cat_row = prep.recommended[self.rows], prep.row[self.rows]
        self.budget, self.hours_cap = int(prep.budget_cents[p]), float(prep.hours_cap[p])
        one = batch.subset(np.array([p], dtype=np.int64))
        mult = multipliers(one)  # the LP's value of a cent and of an hour, asked for here
        self.lam, self.mu = float(mult.lam[0]), float(mult.mu[0])
        _, spent, used = one.evaluate(self.units)
        self.spent, self.hours_used = int(spent[0]), float(used[0])
        self.weight_total = float(result._solved.asm.weight[self.rows].sum())
        self._resolve(one, sol, p)
        self._caps()
        self._limits(one, proven=self.policy == "priority" or bool(sol.proven[p]))

    def _resolve(self, one: Batch, sol: BatchSolution, p: int) -> None:
        """Re-solve with 100 EUR more (same policy); the optimum a priority fill is judged by."""
        self.next_100: IntArray = np.zeros_like(self.units)
        self.value_more = self.optimum = float(sol.value[p])
        self.optimum_proven, self.reordered = bool(sol.proven[p]), False
        if one.m == 0:  # nothing to re-solve (and the solvers need items)
            return
        solve = solve_optimal if self.policy == "optimal" else solve_priority
        more = solve(replace(one, budget=one.budget + EXTRA_CENTS))
        self.next_100, self.value_more = more.units - self.units, float(more.value[0])
        if self.policy == "optimal":  # does it differ from filling the list from the top?
            self.reordered = bool((solve_priority(one).units != self.units).any())
        elif not sol.proven[p]:  # a priority fill below the LP bound: find the optimum
            best = solve_optimal(one)
            self.optimum, self.optimum_proven = float(best.value[0]), bool(best.proven[0])

    def _caps(self) -> None:
        """Which term sets the upper bound below the recommendation, with its number."""
        cat, k = self.prep.catalogue, self.rows.shape[0]
        r = np.maximum(self.cat_row, 0)
        wk = cat.max_week[r] if cat.max_week.shape[0] else np.full(k, np.nan)
        yr = cat.max_year[r] if cat.max_year.shape[0] else np.full(k, np.nan)
        mx = self.prep.max_units[self.rows]
        with np.errstate(invalid="ignore"):
            by_week = np.floor(wk * self.weeks + CAP_TOL)
            by_year = np.floor(yr * self.weeks / 52 + CAP_TOL)
        below = (self.upper < self.rec) & (self.cat_row >= 0)
        self.cap_term = np.full(k, None, dtype=object)
        self.cap_number = np.full(k, np.nan)
        for term, units, number in (  # later terms win ties: the law before the plan
            ("max_units", mx, mx.astype(np.float64)),
            ("max_units_per_year", by_year, yr),
            ("max_units_per_week", by_week, wk),
        ):
            hit = below & (units == self.upper)
            self.cap_term = np.where(hit, term, self.cap_term)
            self.cap_number = np.where(hit, number, self.cap_number)

    def _limits(self, one: Batch, proven: bool) -> None:
        """The cause of every item (:func:`find_causes`) and the re-solve behind a trade-off."""
        legal = np.isin(self.cap_term, ["max_units_per_week", "max_units_per_year"])
        self.causes = find_causes(
            units=self.units,
            cost=self.cost,
            hours=self.hours,
            lower=self.lower,
            upper=self.upper,
            recommended=self.rec,
            eligible=self.cat_row >= 0,
            legal_cap=legal,
            budget=self.budget,
            hours_cap=self.hours_cap,
            proven=proven,
        )
        self.code: IntArray = self.causes.code
        trade = np.flatnonzero(self.causes.is_("trade_off"))
        self.forced = None
        if trade.shape[0]:
            self.forced = forced_allocations(one, trade, self.causes.step, self.units)

    def _names(self, service: str, row: int) -> tuple[str, str]:
        """Display names (English, Latvian): the catalogue's name_en / name_lv, else the code."""
        frame, cat = self.prep.catalogue.frame, self.prep.catalogue
        if row < 0:  # not eligible: any row of the service has its names
            row = int(np.flatnonzero(cat.service == service)[0]) if service in cat.services else -1
        out = []
        for col, default in (
            ("name_en", service.replace("_", " ").capitalize()),
            ("name_lv", service),
        ):
            name = frame[col].iloc[row] if col in frame.columns and row >= 0 else None
            out.append(name.strip() if isinstance(name, str) and name.strip() else default)
        return out[0], out[1]

    def _eligibility(self, service: str) -> dict[str, Any]:
        """Why no row applies: not offered in the municipality, or the ages / groups that fail."""
        cat = self.prep.catalogue
        rows = np.flatnonzero((cat.service == service) & (cat.municipality == self.municipality))
        if rows.shape[0] == 0:
            rows = np.flatnonzero((cat.service == service) & pd.isna(cat.municipality))
        if rows.shape[0] == 0:
            return {"not_offered": True}
        lo, hi, grp = cat.min_age[rows], cat.max_age[rows], cat.groups[rows]
        out: dict[str, Any] = {}
        if not ((lo <= self.age) & (self.age <= hi)).any():
            bands = sorted({(max(int(a), 0), int(b)) for a, b in zip(lo, hi, strict=True)})
            out["ages"] = ", ".join(f"{a}-{b}" if b < 10**9 else f"{a}+" for a, b in bands)
        if not (grp & GROUP_BITS.get(self.group, 0)).any():
            allowed = int(np.bitwise_or.reduce(grp))
            out["groups"] = ", ".join(g for g, bit in GROUP_BITS.items() if allowed & bit)
        return out

    def _forced_facts(self) -> list[ForcedFacts | None]:
        """What forcing each trade-off item's step would change (None for the other items)."""
        out: list[ForcedFacts | None] = [None] * self.units.shape[0]
        fz = self.forced
        if fz is None:
            return out
        for r, k in enumerate(fz.items.tolist()):
            delta = fz.units[r] - self.units
            delta[k] = 0
            out[k] = ForcedFacts(
                changes=tuple((j, int(delta[j])) for j in np.flatnonzero(delta).tolist()),
                own_units=int(fz.units[r, k]),
                value=float(fz.value[r]),
                bound=float(fz.bound[r]),
                proven=bool(fz.proven[r]),
            )
        return out

    def facts(self, result: AllocationResult) -> PlanFacts:
        """Everything the words need (see :class:`PlanFacts`)."""
        c = self.causes
        cols: dict[str, list[Any]] = {
            "service": [str(s) for s in self.items["service"].tolist()],
            "unit": [u if isinstance(u, str) else None for u in self.items["unit"].tolist()],
            "recommended": self.rec.tolist(),
            "upper": self.upper.tolist(),
            "units": self.units.tolist(),
            "lower": self.lower.tolist(),
            "step": c.step.tolist(),
            "price_cents": self.cost.tolist(),
            "hours_per_unit": self.hours.tolist(),
            "limited_by": [LIMITS[k] for k in self.code.tolist()],
            "cap_term": self.cap_term.tolist(),
            "cap_number": self.cap_number.tolist(),
            "blocked_by": c.blocked_by,
            "money_short": c.money_short.tolist(),
            "hours_short": c.hours_short.tolist(),
            "room_cents": c.money_room.tolist(),
            "room_hours": c.hours_room.tolist(),
            "preferred": c.preferred,
            "short_now": c.short_now,
            "forced": self._forced_facts(),
            "next_100": self.next_100.tolist(),
        }
        lines = []
        for k in range(self.rows.shape[0]):
            row = {name: col[k] for name, col in cols.items()}
            name_en, name_lv = self._names(row["service"], int(self.cat_row[k]))
            why = self._eligibility(row["service"]) if row["limited_by"] == "not_eligible" else {}
            lines.append(ItemFacts(name_en=name_en, name_lv=name_lv, **row, **why))
        part = result.participants.iloc[self.p]
        return PlanFacts(
            participant_id=self.pid,
            policy=self.policy,
            period_weeks=self.weeks,
            age=self.age,
            group=self.group,
            municipality=self.municipality,
            budget_cents=self.budget,
            spent_cents=self.spent,
            hours_cap=self.hours_cap,
            hours_used=self.hours_used,
            value=float(part["value"]),
            bound=float(part["bound"]),
            proven=str(part["status"]) == "optimal",
            optimum=self.optimum,
            optimum_proven=self.optimum_proven,
            reordered=self.reordered,
            weight_total=self.weight_total,
            items=tuple(lines),
        )
