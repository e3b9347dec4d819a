"""An independent exact region MILP, written from the contract and issue 4's definitions.

Nothing here imports ibm_engine. The region problem is built from the *tables* (participants,
plan_items, services, capacities), with the single-participant rules of
``helpers/reference.py`` (which catalogue row applies, U_i with F(x) = floor(x + 1e-9) and the
participant's own period, minimum doses, budgets in cents, family hours, eligibility, Borda
weights with ``team_share`` or explicit weights), plus one row per capacity:

    sum of u_i over the items of service s of participants of municipality m  <=  capacity(m, s)

and it maximises the sum of the participants' coverage shares ``value_p / max_value_p``
(``weighting="coverage"``; participants with max_value 0 count 0) or of their raw values
(``weighting="value"``) with scipy.optimize.milp (HiGHS, zero relative gap, objective scaled so
that its largest possible value is 1e6). Every answer is re-checked against every constraint
and its objective recomputed from the units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from helpers.reference import (
    HOURS_TOL,
    Problem,
    _empty,
    applicable_row,
    borda_weights,
    price_cents,
    upper_bound,
)

Key = tuple[str, str]  # (municipality, service)


@dataclass(frozen=True)
class RegionProblem:
    """The region problem: one :class:`Problem` per participant, coupled by capacities.

    ``keys[p][i]`` is the (municipality, service) pair of item i of participant p (the
    participant's municipality), ``capacity`` the units per period of the pairs that have a
    capacity row, ``scale[p]`` the factor of participant p's value in the objective.
    """

    participant_ids: tuple[str, ...]
    services: tuple[tuple[str, ...], ...]
    problems: tuple[Problem, ...]
    keys: tuple[tuple[Key, ...], ...]
    capacity: Mapping[Key, int]
    scale: tuple[float, ...]

    def objective(self, units: Sequence[Sequence[int]]) -> float:
        """Sum over participants of ``scale_p * value_p(units_p)``."""
        return math.fsum(
            s * p.value(u) for s, p, u in zip(self.scale, self.problems, units, strict=True)
        )

    def usage(self, units: Sequence[Sequence[int]]) -> dict[Key, int]:
        """Units used of every capacity."""
        used = dict.fromkeys(self.capacity, 0)
        for keys, u in zip(self.keys, units, strict=True):
            for key, x in zip(keys, u, strict=True):
                if key in used:
                    used[key] += int(x)
        return used

    def violations(self, units: Sequence[Sequence[int]]) -> list[str]:
        """Every way ``units`` breaks a participant's constraints or a capacity."""
        out = []
        for pid, p, u in zip(self.participant_ids, self.problems, units, strict=True):
            out += [f"{pid}: {v}" for v in p.violations(u)]
        for key, used in self.usage(units).items():
            if used > self.capacity[key]:
                out.append(f"capacity {key}: {used} units of {self.capacity[key]}")
        return out


def _text(x: Any) -> str:
    return str(x).strip()


def region_problem(
    participants: pd.DataFrame,
    plan_items: pd.DataFrame,
    services: pd.DataFrame,
    capacities: pd.DataFrame,
    *,
    period_weeks: int = 26,
    team_share: float = 0.5,
    weighting: str = "coverage",
) -> RegionProblem:
    """Build the region problem from the four tables, row by row (no ibm_engine)."""
    rows = services.to_dict("records")
    capacity: dict[Key, int] = {}
    for c in capacities.to_dict("records"):
        capacity[(_text(c["municipality"]), _text(c["service"]))] = int(c["units"])
    ids, names, problems, keys, scale = [], [], [], [], []
    for person in participants.to_dict("records"):
        pid = _text(person["participant_id"])
        muni = _text(person["municipality"])
        weeks = person.get("period_weeks")
        T = period_weeks if _empty(weeks) else int(weeks)
        mine = [r for r in plan_items.to_dict("records") if _text(r["participant_id"]) == pid]
        apply = [
            applicable_row(rows, r["service"], muni, int(person["age"]), person["target_group"])
            for r in mine
        ]
        given = [r.get("weight") for r in mine]
        if mine and all(not _empty(w) for w in given):
            weight = [float(w) for w in given]  # type: ignore[arg-type]
        else:
            fam = [r.get("family_rank") for r in mine]
            family = None if all(_empty(f) for f in fam) else [int(f) for f in fam]  # type: ignore[arg-type]
            weight = borda_weights([int(r["team_rank"]) for r in mine], family, team_share)
        hours = person.get("family_hours_per_week")
        p = Problem(
            price_cents=tuple(0 if a is None else price_cents(a["unit_price_eur"]) for a in apply),
            weight=tuple(weight),
            recommended=tuple(int(r["recommended_units"]) for r in mine),
            min_units=tuple(0 if _empty(r.get("min_units")) else int(r["min_units"]) for r in mine),
            upper=tuple(
                upper_bound(int(r["recommended_units"]), r.get("max_units"), a, T)
                for r, a in zip(mine, apply, strict=True)
            ),
            hours=tuple(
                0.0 if a is None or _empty(a.get("hours_per_unit")) else float(a["hours_per_unit"])
                for a in apply
            ),
            budget_cents=price_cents(person["budget_eur"]),
            hours_cap=None if _empty(hours) else float(hours) * T,
            team_rank=tuple(int(r["team_rank"]) for r in mine),
        )
        ids.append(pid)
        names.append(tuple(_text(r["service"]) for r in mine))
        problems.append(p)
        keys.append(tuple((muni, _text(r["service"])) for r in mine))
        top = p.max_value()
        scale.append(1.0 if weighting == "value" else (1.0 / top if top > 0 else 0.0))
    return RegionProblem(
        tuple(ids), tuple(names), tuple(problems), tuple(keys), capacity, tuple(scale)
    )


def solve_region_milp(rp: RegionProblem) -> tuple[float, list[list[int]]]:
    """Optimal objective and units of the region problem by scipy.optimize.milp, re-checked.

    Variables u_i (integer, 0..U_i) and z_i (binary, item funded) for every item of every
    participant: L_i z_i <= u_i <= U_i z_i; one budget row and (if given) one hours row per
    participant; one row per capacity.
    """
    flat = [(p, i) for p, prob in enumerate(rp.problems) for i in range(prob.n)]
    n = len(flat)
    if n == 0:
        return 0.0, [[] for _ in rp.problems]
    U = np.zeros(n)
    L = np.zeros(n)
    coef = np.zeros(n)
    for j, (p, i) in enumerate(flat):
        prob = rp.problems[p]
        if prob.fundable(i):
            U[j], L[j] = prob.upper[i], prob.lower(i)
        coef[j] = rp.scale[p] * prob.weight[i] / prob.recommended[i]
    top = float(np.sum(coef * U))
    if top <= 0:
        return 0.0, [[0] * prob.n for prob in rp.problems]
    factor = 1e6 / top
    c = np.concatenate([-coef * factor, np.zeros(n)])
    eye = np.eye(n)
    A = [np.hstack([eye, -np.diag(U)]), np.hstack([eye, -np.diag(L)])]
    lo = [np.full(n, -np.inf), np.zeros(n)]
    hi = [np.zeros(n), np.full(n, np.inf)]

    def row(values: dict[int, float], upper: float) -> None:
        r = np.zeros(2 * n)
        for j, v in values.items():
            r[j] = v
        A.append(r[None, :])
        lo.append(np.array([-np.inf]))
        hi.append(np.array([upper]))

    for p, prob in enumerate(rp.problems):
        js = [j for j, (q, _) in enumerate(flat) if q == p]
        row({j: float(prob.price_cents[flat[j][1]]) for j in js}, float(prob.budget_cents))
        if prob.hours_cap is not None:
            row({j: prob.hours[flat[j][1]] for j in js}, prob.hours_cap + HOURS_TOL)
    for key, cap in rp.capacity.items():
        js = [j for j, (p, i) in enumerate(flat) if rp.keys[p][i] == key]
        if js:
            row(dict.fromkeys(js, 1.0), float(cap))
    res = milp(
        c,
        constraints=LinearConstraint(np.vstack(A), np.concatenate(lo), np.concatenate(hi)),
        integrality=np.ones(2 * n),
        bounds=Bounds(np.zeros(2 * n), np.concatenate([U, np.ones(n)])),
        options={"mip_rel_gap": 0.0},
    )
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"reference region milp failed: {res.message}")
    units: list[list[int]] = [[0] * prob.n for prob in rp.problems]
    for j, (p, i) in enumerate(flat):
        units[p][i] = round(res.x[j])
    broken = rp.violations(units)
    if broken:
        raise RuntimeError(f"reference region milp returned an infeasible answer: {broken}")
    value = rp.objective(units)
    if abs(value - (-res.fun / factor)) > 1e-6 * max(1.0, top):
        raise RuntimeError("reference region milp objective does not match its units")
    return value, units
