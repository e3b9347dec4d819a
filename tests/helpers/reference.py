"""An independent reference for contract v1, written from the contract text alone.

Nothing here imports ibm_engine: the tests compare the engine with these functions.

* :func:`upper_bound` and :func:`applicable_row`: the catalogue rules (which row applies, U_i).
* :func:`borda_weights`: the default rank merge.
* :func:`priority_units`: the ``priority`` policy, item by item.
* :func:`solve_milp`: the ``optimal`` policy with scipy.optimize.milp (HiGHS), a zero relative
  gap and a scaled objective (HiGHS also stops at an absolute gap of 1e-6); every answer is
  re-checked for feasibility and its value recomputed.
* :func:`brute_force`: every feasible allocation of a tiny instance, for checking the others.

Money is in integer cents; hours are floats compared with the contract's 1e-9 tolerance.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

HOURS_TOL = 1e-9  # sum h_i u_i <= H + 1e-9, in hours
#: HiGHS allows 1e-7 of violation in a row's own units; the hours row is scaled so that this
#: is 1e-11 h, far below HOURS_TOL (the answer is re-checked with the exact rule anyway)
HOURS_ROW_SCALE = 1e4
CAP_TOL = 1e-9  # F(x) = floor(x + 1e-9)
WEIGHT_TIE = 1e-12  # weights this close count as equal in the priority order
GROUPS = ("GRT", "FT", "BSAC")


@dataclass(frozen=True)
class Problem:
    """The canonical allocation problem of one participant (contract, "one participant").

    ``hours_cap`` is family_hours_per_week * T, or None when the participant gives no limit.
    """

    price_cents: tuple[int, ...]
    weight: tuple[float, ...]
    recommended: tuple[int, ...]
    min_units: tuple[int, ...]
    upper: tuple[int, ...]
    hours: tuple[float, ...]
    budget_cents: int
    hours_cap: float | None = None
    team_rank: tuple[int, ...] | None = None

    @property
    def n(self) -> int:
        return len(self.price_cents)

    def lower(self, i: int) -> int:
        """Smallest non-zero amount of item i: max(m_i, 1)."""
        return max(self.min_units[i], 1)

    def fundable(self, i: int) -> bool:
        return self.upper[i] >= self.lower(i)

    def value(self, units: Sequence[int]) -> float:
        return math.fsum(self.weight[i] * units[i] / self.recommended[i] for i in range(self.n))

    def max_value(self) -> float:
        return math.fsum(
            self.weight[i] * self.upper[i] / self.recommended[i]
            for i in range(self.n)
            if self.fundable(i)
        )

    def violations(self, units: Sequence[int]) -> list[str]:
        """Every way ``units`` breaks the constraints (empty list: feasible)."""
        out = []
        if len(units) != self.n:
            return [f"{len(units)} units for {self.n} items"]
        for i, u in enumerate(units):
            if u != int(u):
                out.append(f"item {i}: {u} is not whole")
            if u != 0 and not self.lower(i) <= u <= self.upper[i]:
                out.append(f"item {i}: {u} outside {{0}} U [{self.lower(i)}, {self.upper[i]}]")
        spent = sum(int(c) * int(u) for c, u in zip(self.price_cents, units, strict=True))
        if spent > self.budget_cents:
            out.append(f"spends {spent} cents of {self.budget_cents}")
        if not self.within_hours(units):
            out.append(f"uses {self.hours_used(units)!r} hours of {self.hours_cap!r} (+ 1e-9)")
        return out

    def hours_used(self, units: Sequence[int]) -> float:
        """Family hours of an allocation, summed exactly (``math.fsum`` of ``h_i * u_i``)."""
        return math.fsum(h * u for h, u in zip(self.hours, units, strict=True))

    def within_hours(self, units: Sequence[int]) -> bool:
        """The contract's hours rule: ``sum h_i u_i <= H + 1e-9`` (always true without H)."""
        return self.hours_cap is None or self.hours_used(units) <= self.hours_cap + HOURS_TOL


# --------------------------------------------------------------------------- catalogue rules


def cap_floor(x: float) -> int:
    """F(x) = floor(x + 1e-9).

    >>> cap_floor(0.29 * 100), cap_floor(2.9999)
    (29, 2)
    """
    return math.floor(x + CAP_TOL)


def _empty(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN / NA
    except TypeError:
        return False


def upper_bound(
    recommended: int,
    max_units: int | None,
    row: Mapping[str, Any] | None,
    period_weeks: int,
) -> int:
    """U_i = min(r_i, max_units_i, F(per week * T), F(per year * T / 52)); 0 without a row.

    >>> upper_bound(40, None, {"max_units_per_year": 30.0}, 26)
    15
    >>> upper_bound(40, None, None, 26)
    0
    """
    if row is None:
        return 0
    terms = [recommended]
    if not _empty(max_units):
        terms.append(int(max_units))  # type: ignore[arg-type]
    week = row.get("max_units_per_week")
    if not _empty(week):
        terms.append(cap_floor(float(week) * period_weeks))
    year = row.get("max_units_per_year")
    if not _empty(year):
        terms.append(cap_floor(float(year) * period_weeks / 52))
    return min(terms)


def _row_applies(row: Mapping[str, Any], age: int, group: str) -> bool:
    lo, hi = row.get("min_age"), row.get("max_age")
    if not _empty(lo) and age < int(lo):
        return False
    if not _empty(hi) and age > int(hi):
        return False
    groups = row.get("target_groups")
    if _empty(groups) or not str(groups).strip():
        return True
    return group in [g.strip() for g in str(groups).split(",")]


def applicable_row(
    rows: Sequence[Mapping[str, Any]], service: str, municipality: str, age: int, group: str
) -> Mapping[str, Any] | None:
    """The catalogue row that applies to a participant for a service (None: not eligible).

    Municipal rows for the service, if the municipality has any, else the default rows; among
    them the one whose age band and target groups contain the participant.
    """
    mine = [r for r in rows if r["service"] == service]
    local = [
        r for r in mine if not _empty(r.get("municipality")) and r["municipality"] == municipality
    ]
    candidates = local or [r for r in mine if _empty(r.get("municipality"))]
    hits = [r for r in candidates if _row_applies(r, age, group)]
    if len(hits) > 1:
        raise ValueError(f"overlapping catalogue rows for {service!r}")
    return hits[0] if hits else None


def price_cents(eur: float) -> int:
    """Whole cents of a money value: round(x * 100)."""
    return round(eur * 100)


# --------------------------------------------------------------------------- weights


def _points(ranks: Sequence[int]) -> list[int]:
    """n - k + 1 points for the k-th item in rank order (gaps closed)."""
    n = len(ranks)
    order = sorted(range(n), key=lambda i: ranks[i])
    pts = [0] * n
    for k, i in enumerate(order, start=1):
        pts[i] = n - k + 1
    return pts


def borda_weights(
    team_rank: Sequence[int], family_rank: Sequence[int] | None, team_share: float = 0.5
) -> list[float]:
    """Default weights of one participant's items (the contract's Borda merge).

    >>> borda_weights([1, 2, 3], None)
    [0.5, 0.3333333333333333, 0.16666666666666666]
    >>> borda_weights([1, 5, 9], [3, 2, 1], team_share=1.0) == borda_weights([1, 2, 3], None)
    True
    """
    team = _points(team_rank)
    fam = team if family_rank is None else _points(family_rank)
    joint = [team_share * t + (1 - team_share) * f for t, f in zip(team, fam, strict=True)]
    total = sum(joint)
    return [j / total for j in joint]


# --------------------------------------------------------------------------- priority policy


def _most_units(p: Problem, i: int, money_left: int, hours_used: float) -> int:
    """Most units of item i (up to U_i) that fit in the money and hours left."""
    best = p.upper[i]
    c = p.price_cents[i]
    if c > 0:
        best = min(best, money_left // c)
    h = p.hours[i]
    if p.hours_cap is not None and h > 0:
        room = p.hours_cap + HOURS_TOL - hours_used
        k = max(0, min(best, math.floor(room / h) + 1))
        while k > 0 and hours_used + h * k > p.hours_cap + HOURS_TOL:
            k -= 1
        best = min(best, k)
    return max(best, 0)


def priority_order(weight: Sequence[float], team_rank: Sequence[int]) -> list[int]:
    """Joint-list order: weight descending (within 1e-12 equal), then team_rank ascending."""

    def cmp(a: int, b: int) -> int:
        if abs(weight[a] - weight[b]) > WEIGHT_TIE:
            return -1 if weight[a] > weight[b] else 1
        return (team_rank[a] > team_rank[b]) - (team_rank[a] < team_rank[b])

    return sorted(range(len(weight)), key=functools.cmp_to_key(cmp))


def priority_units(p: Problem) -> list[int]:
    """Units under the ``priority`` policy (what a social worker does by hand)."""
    ranks = p.team_rank if p.team_rank is not None else tuple(range(1, p.n + 1))
    units = [0] * p.n
    money, hours = p.budget_cents, 0.0
    for i in priority_order(p.weight, ranks):
        u = _most_units(p, i, money, hours)
        if u < p.lower(i):
            continue
        units[i] = u
        money -= u * p.price_cents[i]
        hours += u * p.hours[i]
    return units


# --------------------------------------------------------------------------- optimal policy


def solve_milp(p: Problem) -> tuple[float, list[int]]:
    """Optimal value and units of ``p`` by scipy.optimize.milp, re-checked.

    Variables u_i (integer, 0..U_i) and z_i (binary, item funded):
    L_i z_i <= u_i <= U_i z_i. The objective is scaled so that max_value maps to 1e6, which
    turns HiGHS's absolute gap of 1e-6 into 1e-12 of max_value.

    >>> p = Problem((300, 500), (0.6, 0.4), (2, 2), (0, 0), (2, 2), (0.0, 0.0), 1000)
    >>> solve_milp(p)
    (0.6, [2, 0])
    """
    n = p.n
    fundable = [p.fundable(i) for i in range(n)]
    U = np.array([p.upper[i] if fundable[i] else 0 for i in range(n)], dtype=float)
    L = np.array([p.lower(i) if fundable[i] else 0 for i in range(n)], dtype=float)
    coef = np.array([p.weight[i] / p.recommended[i] for i in range(n)], dtype=float)
    top = float(np.sum(coef * U))
    if n == 0 or top <= 0:
        return 0.0, [0] * n
    scale = 1e6 / top
    c = np.concatenate([-coef * scale, np.zeros(n)])
    eye = np.eye(n)
    rows = [np.hstack([eye, -np.diag(U)]), np.hstack([eye, -np.diag(L)])]
    lo = [np.full(n, -np.inf), np.zeros(n)]
    hi = [np.zeros(n), np.full(n, np.inf)]
    rows.append(np.concatenate([np.asarray(p.price_cents, float), np.zeros(n)])[None, :])
    lo.append(np.array([-np.inf]))
    hi.append(np.array([float(p.budget_cents)]))
    if p.hours_cap is not None:
        hours = np.asarray(p.hours, float) * HOURS_ROW_SCALE
        rows.append(np.concatenate([hours, np.zeros(n)])[None, :])
        lo.append(np.array([-np.inf]))
        hi.append(np.array([(p.hours_cap + HOURS_TOL) * HOURS_ROW_SCALE]))
    res = milp(
        c,
        constraints=LinearConstraint(np.vstack(rows), np.concatenate(lo), np.concatenate(hi)),
        integrality=np.ones(2 * n),
        bounds=Bounds(np.zeros(2 * n), np.concatenate([U, np.ones(n)])),
        options={"mip_rel_gap": 0.0},
    )
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"reference milp failed: {res.message}")
    units = [round(x) for x in res.x[:n]]
    broken = p.violations(units)
    if broken:
        raise RuntimeError(f"reference milp returned an infeasible answer: {broken}")
    value = p.value(units)
    if abs(value - (-res.fun / scale)) > 1e-6 * max(1.0, top):
        raise RuntimeError("reference milp objective does not match its units")
    return value, units


def domains(p: Problem) -> list[list[int]]:
    """The allowed unit counts of every item: {0} U [max(m, 1), U]."""
    return [[0, *range(p.lower(i), p.upper[i] + 1)] for i in range(p.n)]


def brute_force(p: Problem, limit: int = 200_000) -> tuple[float, list[list[int]]]:
    """Optimal value and every optimal allocation (within 1e-9) by full enumeration."""
    doms = domains(p)
    if math.prod(len(d) for d in doms) > limit:
        raise ValueError("instance too large for brute force")
    best = -math.inf
    winners: list[list[int]] = []
    units = [0] * p.n

    def visit(i: int, money: int) -> None:
        nonlocal best, winners
        if i == p.n:
            if p.violations(units):
                return
            v = p.value(units)
            if v > best + 1e-9:
                best, winners = v, [list(units)]
            elif v >= best - 1e-9:
                winners.append(list(units))
                best = max(best, v)
            return
        for u in doms[i]:
            if u * p.price_cents[i] > money:
                break
            units[i] = u
            visit(i + 1, money - u * p.price_cents[i])
        units[i] = 0

    visit(0, p.budget_cents)
    winners = [w for w in winners if p.value(w) >= best - 1e-9]
    return best, winners
