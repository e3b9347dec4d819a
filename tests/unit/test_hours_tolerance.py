"""The family-hours rule ``sum h u <= H + 1e-9``: the tolerance is in hours, never in units.

The regression of issue 9: with 8 h per unit and 0.9230769228 h/week over 26 weeks,
``H = 23.9999999928`` h, so 3 units (24 h) are 6.2e-9 h over ``H + 1e-9``; the greedy fill took
``floor(H / 8 + 1e-9) = 3`` and both policies handed the answer out.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine._tolerances import HOURS_TOL
from ibm_engine.errors import SolverWarning
from ibm_engine.solve import Batch, solve_optimal, solve_priority
from ibm_engine.solve import _optimal as optimal_module
from ibm_engine.solve._batch import within_hours
from ibm_engine.solve._greedy import fill_in_order, most_units

FHPW = 0.9230769228  # h/week: 26 weeks give 23.9999999928 h
WEEKS = 26
H = FHPW * WEEKS


def _tables(n: int = 1, fhpw: float = FHPW) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ids = [f"P{k}" for k in range(n)]
    participants = pd.DataFrame(
        {
            "participant_id": ids,
            "target_group": "GRT",
            "age": 40,
            "municipality": "Dobele",
            "budget_eur": 10_000.0,
            "family_hours_per_week": fhpw,
        }
    )
    plan_items = pd.DataFrame(
        {"participant_id": ids, "service": "day_care", "team_rank": 1, "recommended_units": 5}
    )
    services = pd.DataFrame(
        [{"service": "day_care", "unit": "day", "unit_price_eur": 10.0, "hours_per_unit": 8.0}]
    )
    return participants, plan_items, services


def _batch(hours: list[float], upper: list[int], cap: float, budget: int = 10**9) -> Batch:
    m = len(hours)
    return Batch(
        offsets=np.array([0, m], dtype=np.int64),
        cost=np.full(m, 100, dtype=np.int64),
        value=np.linspace(1.0, 0.5, m) / np.array(upper, dtype=np.float64),
        lower=np.ones(m, dtype=np.int64),
        upper=np.array(upper, dtype=np.int64),
        hours=np.array(hours, dtype=np.float64),
        budget=np.array([budget], dtype=np.int64),
        hours_cap=np.array([cap], dtype=np.float64),
    )


def test_the_case_is_what_the_issue_says() -> None:
    three, two = 3 * 8.0, 2 * 8.0
    assert three > H + HOURS_TOL
    over = three - (H + HOURS_TOL)
    assert over == pytest.approx(6.2e-9, abs=1e-11)
    assert math.floor(H / 8.0 + HOURS_TOL) == 3  # the old rule, tolerance in units
    assert two <= H + HOURS_TOL


@pytest.mark.parametrize("policy", ["optimal", "priority"])
def test_no_unit_over_the_family_hours(policy: str) -> None:
    res = ibm.allocate(*_tables(), policy=policy, period_weeks=WEEKS)
    assert res.items["units"].tolist() == [2]
    assert res.items["reason"].tolist() == ["partly_funded"]
    row = res.participants.iloc[0]
    assert row["value"] == pytest.approx(0.4, abs=1e-12)
    assert row["bound"] >= row["value"]
    if policy == "optimal":
        assert row["status"] == "optimal"


def test_just_within_the_tolerance_still_fits() -> None:
    """24 h against H = 23.9999999992 h: 8e-10 h over H, within the 1e-9 h tolerance."""
    fhpw = 23.9999999992 / WEEKS
    three = 3 * 8.0
    assert three <= fhpw * WEEKS + HOURS_TOL
    for policy in ("optimal", "priority"):
        res = ibm.allocate(*_tables(fhpw=fhpw), policy=policy, period_weeks=WEEKS)
        assert res.items["units"].tolist() == [3], policy


def test_most_units_applies_the_tolerance_in_hours() -> None:
    upper = np.array([5, 5, 5, 5], dtype=np.int64)
    cost = np.array([0, 0, 0, 0], dtype=np.int64)
    hours = np.array([8.0, 8.0, 7.5, 1 / 3])
    used = np.array([0.0, 8.0, 0.0, 0.0])
    cap = np.array([H, H, 22.5 - 5e-10, 1.0 - 2e-9])
    got = most_units(upper, cost, hours, np.full(4, 10**9), used, cap)
    # 3 x 8 > H + tol; 8 + 2 x 8 > H + tol; 3 x 7.5 <= 22.5 - 5e-10 + tol; 3/3 > 1 - 1e-9
    assert got.tolist() == [2, 1, 3, 2]
    for k in range(4):
        assert used[k] + hours[k] * got[k] <= cap[k] + HOURS_TOL
        assert used[k] + hours[k] * (got[k] + 1) > cap[k] + HOURS_TOL


def test_most_units_without_a_limit_or_without_hours() -> None:
    got = most_units(
        np.array([4, 4, 4]),
        np.array([100, 0, 300]),
        np.array([1.0, 0.0, 2.0]),
        np.array([250, 0, 1000]),
        np.zeros(3),
        np.array([np.inf, 0.0, np.inf]),
    )
    assert got.tolist() == [2, 4, 3]


def test_greedy_fill_and_priority_policy_on_the_batch() -> None:
    batch = _batch([8.0, 8.0], [5, 5], H)
    units = fill_in_order(batch, np.arange(2, dtype=np.int64))
    assert units.tolist() == [2, 0]
    assert batch.feasible(units).all()
    assert not batch.feasible(np.array([3, 0])).any()
    assert solve_priority(batch).units.tolist() == [2, 0]
    assert solve_optimal(batch).units.tolist() == [2, 0]


def test_feasibility_recheck_sums_hours_exactly() -> None:
    """The float sum of 0.4 + 1.2 + 4.4 + 0.6 is 6.6, the exact sum 6.6000000000000005."""
    hours = [0.2, 0.3, 2.2, 0.3]
    units = np.array([2, 4, 2, 2], dtype=np.int64)
    cap = 6.599999999
    terms = np.array(hours) * units
    assert float(np.bincount(np.zeros(4, dtype=np.int64), weights=terms)[0]) <= cap + HOURS_TOL
    assert math.fsum(terms.tolist()) > cap + HOURS_TOL
    assert not within_hours(terms, cap)
    assert not _batch(hours, [4, 4, 4, 4], cap).feasible(units).any()
    assert _batch(hours, [4, 4, 4, 4], cap + 1e-15).feasible(units).all() == within_hours(
        terms, cap + 1e-15
    )


def _no_proof(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The exact search gives up and HiGHS answers nothing: the priority fill stays."""
    calls: list[int] = []

    def unproven(batch: Batch, *args: object) -> object:
        n = batch.n
        return np.zeros(batch.m, dtype=np.int64), np.ones(n, dtype=np.int64), np.zeros(n)

    def nothing(batch: Batch, p: int, *args: object) -> None:
        calls.append(p)

    monkeypatch.setattr(optimal_module, "run_search", unproven)
    monkeypatch.setattr(optimal_module, "solve_one_milp", nothing)
    return calls


def test_fallback_when_highs_gives_nothing_keeps_the_hours_and_warns_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _no_proof(monkeypatch)
    with pytest.warns(SolverWarning) as record:
        res = ibm.allocate(*_tables(n=3), policy="optimal", period_weeks=WEEKS)
    solver = [w for w in record if issubclass(w.category, SolverWarning)]
    assert len(solver) == 1  # one per call, not one per participant
    assert "for 3 participants" in str(solver[0].message)
    assert sorted(calls) == [0, 1, 2]
    assert res.items["units"].tolist() == [2, 2, 2]
    assert (res.participants["status"] == "feasible").all()
    assert (res.participants["bound"] >= res.participants["value"]).all()


def test_fallback_warning_names_one_participant(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_proof(monkeypatch)
    with pytest.warns(SolverWarning, match="for 1 participant: it keeps"):
        solve_optimal(_batch([8.0, 1.0], [5, 5], H))


def test_no_warning_when_highs_answers() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", SolverWarning)
        sol = solve_optimal(_batch([8.0, 8.0], [5, 5], H))
    assert sol.fallback == 0
