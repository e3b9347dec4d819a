"""Properties of scenarios and their KPIs (Hypothesis).

- isolation: running a scenario never changes the baseline's frames, and a scenario's results
  are the same run alone, after other scenarios, or in worker processes;
- KPIs reconcile with the result tables to the cent;
- the Gini coefficient is in [0, 1], 0 for equal coverage, and matches its pairwise definition;
- the traditional mechanism never spends more than its pot and serves strictly in order (a
  loop reference implementation agrees with it);
- a price rise (the budgets unchanged): no participant's spend rises by more than what they
  had left over, and under ``optimal`` no participant's value rises (every allocation the new
  prices allow was affordable before). Spend can fall, and under ``priority`` value can rise:
  ``tests/unit/test_scenarios.py`` shows both;
- more money never lowers a participant's optimal value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ibm_engine as ibm
from ibm_engine._tolerances import VALUE_TOL
from ibm_engine.metrics import gini, kpis
from ibm_engine.scenarios import Baseline, Scenario, run_scenario, run_scenarios, traditional
from ibm_engine.tables import prepare
from strategies import examples

SETTINGS = settings(
    max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _tables(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return ibm.synthetic_zemgale(seed, n_grt=3, n_ft=3, n_bsac=2)


def _hashes(b: Baseline) -> list[int]:
    return [
        int(pd.util.hash_pandas_object(f, index=True).sum())
        for f in (b.participants, b.plan_items, b.services)
    ]


scenarios = st.builds(
    Scenario,
    name=st.sampled_from(["a", "b", "c"]),
    price_factor=st.none() | st.floats(0.5, 1.5),
    pot_factor=st.none() | st.floats(0.5, 1.5),
    policy=st.none() | st.sampled_from(["optimal", "priority"]),
    team_share=st.none() | st.floats(0.0, 1.0),
)


def _same(a: Any, b: Any) -> None:
    pd.testing.assert_frame_equal(a.items, b.items)
    pd.testing.assert_frame_equal(a.participants, b.participants)


@SETTINGS
@given(seed=st.integers(0, 10_000), first=scenarios, other=scenarios)
def test_isolation(seed: int, first: Scenario, other: Scenario) -> None:
    base = Baseline(*_tables(seed))
    before = _hashes(base)
    alone = run_scenario(base, first)
    assert _hashes(base) == before
    run_scenario(base, other)
    again = run_scenario(base, first)
    assert _hashes(base) == before
    _same(alone, again)
    # editing a run's tables reaches neither the baseline nor another run
    again.items.loc[:, "units"] = 0
    again.inputs.participants.loc[:, "budget_eur"] = 0.0
    assert _hashes(base) == before
    _same(alone, run_scenario(base, first))


def test_parallel_runs_equal_serial_runs() -> None:
    base = Baseline(*_tables(3))
    todo = [
        Scenario("dear", price_factor=1.2),
        Scenario("poor", pot_factor=0.7, policy="priority"),
        Scenario("team", team_share=0.9),
    ]
    before = _hashes(base)
    serial = run_scenarios(base, todo)
    parallel = run_scenarios(base, todo, workers=2)
    assert _hashes(base) == before
    assert [r.name for r in parallel] == [s.name for s in todo]
    for a, b in zip(serial, parallel, strict=True):
        _same(a, b)


def _cents(x: pd.Series) -> np.ndarray:
    return np.round(np.nan_to_num(x.to_numpy(np.float64)) * 100).astype(np.int64)


@SETTINGS
@given(seed=st.integers(0, 10_000), policy=st.sampled_from(["optimal", "priority"]),
       factor=st.floats(0.3, 1.5))  # fmt: skip
def test_kpis_reconcile_to_the_cent(seed: int, policy: str, factor: float) -> None:
    base = Baseline(*_tables(seed), policy=policy)
    run = run_scenario(base, Scenario("x", pot_factor=factor))
    k = kpis(run)
    items, people = run.items, run.participants
    cost = _cents(items.cost_eur)
    assert (cost == items.units.to_numpy() * _cents(items.unit_price_eur)).all()
    for by in ("all", "service", "municipality", "target_group", "age_band"):
        spent = k[(k.kpi == "spent_eur") & (k.by == by)].value
        assert (
            int(np.round(spent * 100).sum())
            == int(cost.sum())
            == int(_cents(people.spent_eur).sum())
        )
        unmet = k[(k.kpi == "unmet_eur") & (k.by == by)].value
        ok = ~items.reason.isin(["not_eligible", "cap_below_min"]).to_numpy()
        gap = (items.upper_units - items.units).to_numpy() * _cents(items.unit_price_eur)
        assert int(np.round(unmet * 100).sum()) == int(gap[ok].sum())
    for by in ("all", "municipality", "target_group", "age_band"):
        n = k[(k.kpi == "participants") & (k.by == by)].value.sum()
        assert n == len(people)
        unspent = k[(k.kpi == "unspent_eur") & (k.by == by)].value
        assert int(np.round(unspent * 100).sum()) == int(
            (_cents(people.budget_eur) - _cents(people.spent_eur)).sum()
        )


finite = st.floats(0.0, 1e6, allow_nan=False)


@settings(max_examples=examples(200), deadline=None)
@given(x=st.lists(finite, min_size=1, max_size=30), scale=st.floats(0.01, 100.0))
def test_gini_properties(x: list[float], scale: float) -> None:
    g = gini(x)
    assert 0.0 <= g <= 1.0
    arr = np.array(x)
    if arr.sum() > 0:
        pairs = np.abs(arr[:, None] - arr[None, :]).sum()
        assert abs(g - pairs / (2 * len(x) ** 2 * arr.mean())) < 1e-9
        assert abs(gini(arr * scale) - g) < 1e-9
    assert gini(list(reversed(x))) == g or abs(gini(list(reversed(x))) - g) < 1e-12
    assert gini([x[0]] * len(x)) == 0.0


def _reference(people: pd.DataFrame, plan: pd.DataFrame, services: pd.DataFrame,
               pot: int) -> list[int]:  # fmt: skip
    """Units per plan row by a plain queue walk over the rows."""
    prep = prepare(people, plan, services)
    dates = pd.to_datetime(people["application_date"]).tolist()
    queue = sorted(range(len(people)), key=lambda i: (dates[i], i))
    units = [0] * len(plan)
    left = pot
    for i in queue:
        mine = [j for j in range(len(plan)) if prep.item_owner[j] == i]
        for j in sorted(mine, key=lambda j: prep.team_rank[j]):
            u = int(prep.upper[j])
            if u < max(int(prep.min_units[j]), 1):
                continue
            cost = u * int(prep.price_cents[j])
            if cost > left:
                return units
            units[j] = u
            left -= cost
    return units


@SETTINGS
@given(seed=st.integers(0, 10_000), share=st.floats(0.0, 1.5), data=st.data())
def test_traditional_within_the_pot_and_in_order(seed: int, share: float, data: Any) -> None:
    people, plan, services = _tables(seed)
    days = data.draw(st.lists(st.integers(0, 5), min_size=len(people), max_size=len(people)))
    people = people.assign(application_date=pd.Timestamp("2020-01-01") + pd.to_timedelta(days, "D"))
    pot = round(float(people.budget_eur.sum()) * share, 2)
    r = traditional(people, plan, services, pot_eur=pot)
    assert r.spent_eur <= pot
    assert int(_cents(r.items.cost_eur).sum()) == round(r.spent_eur * 100)
    assert r.items.units.tolist() == _reference(people, plan, services, round(pot * 100))
    # in order: after the first refused eligible request (queue, then team order) nothing
    # more is granted, to this participant or anyone later
    pos = r.participants.set_index("participant_id").queue_position
    key = r.items.participant_id.map(pos).to_numpy() * 10_000 + r.items.team_rank.to_numpy()
    refused = (r.items.reason == "not_funded").to_numpy()
    if refused.any():
        assert (r.items.units.to_numpy()[key > key[refused].min()] == 0).all()


@settings(max_examples=examples(200), deadline=None)
@given(
    budgets=st.lists(st.integers(0, 10**8), min_size=1, max_size=30).filter(lambda b: sum(b) > 0),
    pot=st.integers(0, 10**10),
)
def test_pot_scaling_is_exact_and_proportional(budgets: list[int], pot: int) -> None:
    from ibm_engine.scenarios._pot import scale_to_pot

    ids = [f"P{k:03d}" for k in range(len(budgets))]
    got = scale_to_pot(np.array(budgets, dtype=np.int64), pot, ids)
    total = sum(budgets)
    assert int(got.sum()) == pot
    for b, g in zip(budgets, got.tolist(), strict=True):
        floor = b * pot // total  # exact integer arithmetic
        assert g in (floor, floor + 1)
        if b * pot % total == 0:
            assert g == floor  # a whole-cent share gets no extra cent


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    policy=st.sampled_from(["optimal", "priority"]),
    factor=st.floats(1.0, 1.6) | st.sampled_from([1.01, 1.05, 1.1]),
    one_service=st.booleans(),
)
def test_a_price_rise_never_spends_more_than_was_left_nor_adds_optimal_value(
    seed: int, policy: str, factor: float, one_service: bool
) -> None:
    tables = _tables(seed)
    base = Baseline(*tables, policy=policy)
    change = {"physiotherapy": factor} if one_service else factor
    now = run_scenario(base, Scenario("now")).participants.set_index("participant_id")
    dearer = run_scenario(base, Scenario("dearer", price_factor=change)).participants
    dearer = dearer.set_index("participant_id").loc[now.index]
    rise = _cents(dearer.spent_eur) - _cents(now.spent_eur)
    left = _cents(now.budget_eur) - _cents(now.spent_eur)
    assert (rise <= left).all()
    assert (_cents(dearer.spent_eur) <= _cents(dearer.budget_eur)).all()
    if policy == "optimal":
        gain = dearer.value.to_numpy() - now.value.to_numpy()
        assert (gain <= VALUE_TOL).all(), now.index[gain > VALUE_TOL].tolist()


@SETTINGS
@given(seed=st.integers(0, 10_000), extra=st.lists(st.integers(0, 50_000), min_size=8, max_size=8))
def test_more_money_never_lowers_the_optimal_value(seed: int, extra: list[int]) -> None:
    """docs/counterfactuals.md: the optimal value ``V(B)`` never falls as the budget grows (the
    allocation at ``B`` is still affordable); what it funds may change."""
    people, plan, services = _tables(seed)
    richer = people.assign(
        budget_eur=(_cents(people.budget_eur) + np.array(extra[: len(people)])) / 100
    )
    now = ibm.allocate(people, plan, services).participants
    more = ibm.allocate(richer, plan, services).participants
    assert (more.value.to_numpy() >= now.value.to_numpy() - VALUE_TOL).all()
