"""Off-the-shelf peers for ``ibm.allocate(policy="optimal")``: one solver call per participant.

Both peers solve the canonical problem of contract v1 for one participant at a time, as an
analyst would write it first:

    maximise   sum_i w_i u_i / r_i
    subject to sum_i c_i u_i <= B                    (cents)
               sum_i h_i u_i <= H * T + 1e-9          (only when family hours are given)
               u_i - U_i z_i <= 0,  u_i - m_i z_i >= 0,  z_i binary,  u_i integer

with ``m_i = max(min_units, 1)`` and items with ``U_i < m_i`` left out (they can only get 0).

The per-participant problems are built from the *result tables* of the engine (prices from
``unit_price_eur``, ``weight``, ``recommended_units``, ``upper_units``, ``min_units``; hours
per unit from ``hours / units`` or, where no unit was funded, from the catalogue) and from the
participants table (``budget_eur``, ``family_hours_per_week`` times the period). Building these
arrays is not timed; only each peer's modelling + solving loop is.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "CPSAT_SCALE_BITS",
    "HOURS_SCALE",
    "PeerRun",
    "Problem",
    "check_units",
    "problems_from_tables",
    "run_cpsat",
    "run_milp",
]

#: the contract's tolerance on the family-hours constraint
HOURS_TOL = 1e-9
#: HiGHS objective scale: the largest objective coefficient becomes this (NOTES: with the
#: default absolute gap of 1e-6 this leaves a value gap far below the contract's 1e-9)
MILP_SCALE_TARGET = 1e7
#: CP-SAT objective: coefficient_i = round(v_i * 2**CPSAT_SCALE_BITS / max_j v_j)
CPSAT_SCALE_BITS = 40
#: CP-SAT hours: hours per unit and the cap are multiplied by this and must then be integers
HOURS_SCALE = 1000


@dataclass(frozen=True)
class Problem:
    """One participant's problem, restricted to the items that can be funded at all."""

    pid: str
    item_rows: np.ndarray  # positions of the fundable items in the participant's item rows
    n_rows: int  # all item rows of the participant
    value: np.ndarray  # w_i / r_i per unit
    cost: np.ndarray  # int64 cents per unit
    hours: np.ndarray  # float hours per unit
    lower: np.ndarray  # int64 max(min_units, 1)
    upper: np.ndarray  # int64 U_i
    budget: int  # cents
    hours_cap: float  # inf when not given (without the 1e-9 tolerance)
    weight: np.ndarray  # w_i of all item rows (for the value, in row order)
    recommended: np.ndarray  # r_i of all item rows


def _hours_per_unit(items: pd.DataFrame, services: pd.DataFrame) -> np.ndarray:
    """Hours per unit of every item row: ``hours / units`` where units > 0, else the catalogue.

    The catalogue value is used only where every row of the service has the same
    ``hours_per_unit`` (true of the default catalogue); otherwise the item must have units.
    """
    units = items["units"].to_numpy(np.int64)
    hours = items["hours"].to_numpy(np.float64)
    if "hours_per_unit" in services.columns:
        hpu = services["hours_per_unit"].astype("Float64").fillna(0.0).astype(float)
        per = pd.DataFrame({"service": services["service"].astype(str), "h": hpu})
        agg = per.groupby("service")["h"].agg(["min", "max"])
        single = agg.loc[agg["min"] == agg["max"], "min"]
        from_cat = items["service"].astype(str).map(single).to_numpy(np.float64)
    else:
        from_cat = np.zeros(units.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(units > 0, hours / np.maximum(units, 1), from_cat)
    unknown = np.isnan(out) & (items["upper_units"].to_numpy(np.int64) > 0)
    if unknown.any():
        raise ValueError(f"hours per unit unknown for {int(unknown.sum())} fundable item rows")
    return np.nan_to_num(out, nan=0.0)


def problems_from_tables(
    items: pd.DataFrame,
    participants: pd.DataFrame,
    services: pd.DataFrame,
    period_weeks: int,
    pids: list[str] | None = None,
) -> list[Problem]:
    """Per-participant problems from the engine's result tables (see module docstring)."""
    if pids is not None:
        keep = set(pids)
        items = items[items["participant_id"].astype(str).isin(keep)]
        participants = participants[participants["participant_id"].astype(str).isin(keep)]
    items = items.reset_index(drop=True)
    hpu = _hours_per_unit(items, services)
    price = items["unit_price_eur"].to_numpy(np.float64)
    cost = np.where(np.isnan(price), 0, np.round(np.nan_to_num(price) * 100)).astype(np.int64)
    weight = items["weight"].to_numpy(np.float64)
    rec = items["recommended_units"].to_numpy(np.int64)
    upper = items["upper_units"].to_numpy(np.int64)
    if "min_units" in items.columns:
        mins = items["min_units"].astype("Float64").fillna(0.0).to_numpy(np.float64)
    else:
        mins = np.zeros(items.shape[0])
    lower = np.maximum(mins, 1).astype(np.int64)
    fund = upper >= lower
    owner = items["participant_id"].astype(str).to_numpy()

    p_ids = participants["participant_id"].astype(str).to_numpy()
    budget = np.round(participants["budget_eur"].to_numpy(np.float64) * 100).astype(np.int64)
    if "family_hours_per_week" in participants.columns:
        fh = participants["family_hours_per_week"].astype("Float64").to_numpy(np.float64, np.nan)
    else:
        fh = np.full(p_ids.shape[0], np.nan)
    if "period_weeks" in participants.columns:
        weeks = participants["period_weeks"].astype("Float64").fillna(period_weeks).to_numpy(float)
    else:
        weeks = np.full(p_ids.shape[0], float(period_weeks))
    hcap = np.where(np.isnan(fh), np.inf, fh * weeks)

    order = np.argsort(owner, kind="stable")
    sorted_owner = owner[order]
    bounds = np.searchsorted(sorted_owner, p_ids, side="left")
    ends = np.searchsorted(sorted_owner, p_ids, side="right")
    out = []
    for k, pid in enumerate(p_ids.tolist()):
        rows = order[bounds[k] : ends[k]]
        f = np.flatnonzero(fund[rows])
        sel = rows[f]
        out.append(
            Problem(
                pid=pid,
                item_rows=f,
                n_rows=rows.shape[0],
                value=weight[sel] / rec[sel],
                cost=cost[sel],
                hours=hpu[sel],
                lower=lower[sel],
                upper=upper[sel],
                budget=int(budget[k]),
                hours_cap=float(hcap[k]),
                weight=weight[rows],
                recommended=rec[rows],
            )
        )
    return out


@dataclass
class PeerRun:
    """Units per problem (fundable items only; None where the solver gave no answer)."""

    name: str
    seconds: float
    cpu_seconds: float
    units: list[np.ndarray | None]
    statuses: dict[str, int]


def check_units(prob: Problem, u: np.ndarray) -> bool:
    """Feasibility of ``u`` (fundable items) for ``prob``, exactly in cents."""
    ok_bounds = bool(np.all((u == 0) | ((u >= prob.lower) & (u <= prob.upper))))
    ok_money = int(np.dot(prob.cost, u)) <= prob.budget
    ok_hours = float(np.dot(prob.hours, u)) <= prob.hours_cap + HOURS_TOL
    return ok_bounds and ok_money and ok_hours


def value_of(prob: Problem, u: np.ndarray) -> float:
    """Value ``sum w_i u_i / r_i`` of an allocation of the fundable items."""
    full = np.zeros(prob.n_rows, dtype=np.int64)
    full[prob.item_rows] = u
    return float(np.sum(prob.weight * full / prob.recommended))


def run_milp(problems: list[Problem]) -> PeerRun:
    """scipy.optimize.milp (HiGHS) per participant, exact settings (``mip_rel_gap=0``, scaled)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    units: list[np.ndarray | None] = []
    statuses: dict[str, int] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for prob in problems:
        k = prob.value.shape[0]
        if k == 0:
            units.append(np.zeros(0, dtype=np.int64))
            statuses["trivial"] = statuses.get("trivial", 0) + 1
            continue
        scale = MILP_SCALE_TARGET / float(prob.value.max())
        c = np.concatenate([-prob.value * scale, np.zeros(k)])
        eye = np.eye(k)
        blocks = [np.concatenate([prob.cost.astype(np.float64), np.zeros(k)])[None, :]]
        lo = [-np.inf]
        hi = [float(prob.budget)]
        if math.isfinite(prob.hours_cap):
            blocks.append(np.concatenate([prob.hours, np.zeros(k)])[None, :])
            lo.append(-np.inf)
            hi.append(prob.hours_cap + HOURS_TOL)
        blocks.append(np.hstack([eye, -np.diag(prob.upper.astype(np.float64))]))
        lo.extend([-np.inf] * k)
        hi.extend([0.0] * k)
        blocks.append(np.hstack([eye, -np.diag(prob.lower.astype(np.float64))]))
        lo.extend([0.0] * k)
        hi.extend([np.inf] * k)
        res = milp(
            c,
            constraints=LinearConstraint(np.vstack(blocks), np.array(lo), np.array(hi)),
            integrality=np.ones(2 * k),
            bounds=Bounds(np.zeros(2 * k), np.concatenate([prob.upper, np.ones(k)])),
            options={"mip_rel_gap": 0.0},
        )
        key = "optimal" if res.status == 0 else f"status_{res.status}"
        statuses[key] = statuses.get(key, 0) + 1
        units.append(None if res.x is None else np.round(res.x[:k]).astype(np.int64))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return PeerRun("scipy.optimize.milp", seconds, cpu, units, statuses)


def cpsat_scaled(prob: Problem) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Integer objective coefficients, integer hours per unit, integer hours cap, and whether
    the hours scaling is exact."""
    obj = np.round(prob.value * (2.0**CPSAT_SCALE_BITS / float(prob.value.max()))).astype(np.int64)
    h = prob.hours * HOURS_SCALE
    h_int = np.ceil(h - 1e-9).astype(np.int64)
    exact = bool(np.all(np.abs(h - np.round(h)) < 1e-9))
    cap = prob.hours_cap * HOURS_SCALE if math.isfinite(prob.hours_cap) else math.inf
    cap_int = math.floor(cap + HOURS_TOL * HOURS_SCALE) if math.isfinite(cap) else -1
    exact = exact and (not math.isfinite(cap) or abs(cap - round(cap)) < 1e-6)
    return obj, h_int, cap_int, exact


def run_cpsat(problems: list[Problem], workers: int = 1) -> PeerRun:
    """OR-Tools CP-SAT per participant (``num_workers=1``), objective scaled to integers."""
    from ortools.sat.python import cp_model

    units: list[np.ndarray | None] = []
    statuses: dict[str, int] = {}
    inexact_hours = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for prob in problems:
        k = prob.value.shape[0]
        if k == 0:
            units.append(np.zeros(0, dtype=np.int64))
            statuses["trivial"] = statuses.get("trivial", 0) + 1
            continue
        obj, h_int, cap_int, exact = cpsat_scaled(prob)
        inexact_hours += not exact
        model = cp_model.CpModel()
        u = [model.new_int_var(0, int(prob.upper[i]), f"u{i}") for i in range(k)]
        z = [model.new_bool_var(f"z{i}") for i in range(k)]
        for i in range(k):
            model.add(u[i] <= int(prob.upper[i]) * z[i])
            model.add(u[i] >= int(prob.lower[i]) * z[i])
        model.add(sum(int(prob.cost[i]) * u[i] for i in range(k)) <= prob.budget)
        if cap_int >= 0:
            model.add(sum(int(h_int[i]) * u[i] for i in range(k)) <= cap_int)
        model.maximize(sum(int(obj[i]) * u[i] for i in range(k)))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = workers
        status = solver.solve(model)
        name = solver.status_name(status).lower()
        statuses[name] = statuses.get(name, 0) + 1
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            units.append(np.array([solver.value(v) for v in u], dtype=np.int64))
        else:
            units.append(None)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if inexact_hours:
        statuses["inexact_hours_scaling"] = inexact_hours
    return PeerRun("OR-Tools CP-SAT", seconds, cpu, units, statuses)


def cpsat_tolerance(prob: Problem) -> float:
    """Largest value loss the integer rounding of the CP-SAT objective can cause.

    Each coefficient is off by at most 0.5 / scale per unit, so any allocation's scaled value
    is off by at most ``0.5 * sum_i U_i / scale``; the CP-SAT optimum can then lose at most twice
    that against the true optimum (plus the contract's 1e-9).
    """
    if prob.value.shape[0] == 0:
        return 1e-9
    scale = 2.0**CPSAT_SCALE_BITS / float(prob.value.max())
    return 2 * 0.5 * float(prob.upper.sum()) / scale + 1e-9
