"""Scenarios: applying changes, runs against direct calls, comparisons, the traditional
mechanism (hand-checked and against a loop reference) and every bad argument."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.budget import FlatBudget, PotCalibrated, Source
from ibm_engine.errors import InputError
from ibm_engine.metrics import kpis
from ibm_engine.region import (
    allocate_region,
    covid_2020_disruptions,
    plan_delivery,
    simulate_delivery,
)
from ibm_engine.scenarios import (
    COMPARE_COLUMNS,
    MECHANISMS,
    Baseline,
    Scenario,
    TraditionalResult,
    compare,
    compare_mechanisms,
    run_mechanisms,
    run_scenario,
    run_scenarios,
    sweep,
    traditional,
)

SRC = Source("illustrative", date(2024, 1, 1))


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return ibm.synthetic_zemgale(17, n_grt=8, n_ft=6, n_bsac=4)


@pytest.fixture(scope="module")
def base(tables: tuple[pd.DataFrame, ...]) -> Baseline:
    return Baseline(*tables)


def _cents(x: pd.Series) -> np.ndarray:
    return np.round(x.to_numpy(np.float64) * 100).astype(np.int64)


# -- applying a scenario -------------------------------------------------------------------


def test_price_factor_rounds_every_row_to_the_cent(base: Baseline) -> None:
    new = Scenario("p", price_factor=1.137).apply(base)
    old = _cents(base.services.unit_price_eur)
    expected = [int(np.floor(c * 1.137 + 0.5 + 1e-9)) for c in old]
    assert _cents(new.services.unit_price_eur).tolist() == expected
    assert new.services.drop(columns="unit_price_eur").equals(
        base.services.drop(columns="unit_price_eur")
    )


def test_price_factor_per_service_and_price_table(base: Baseline) -> None:
    svc = base.services
    s = Scenario(
        "p",
        price_factor={"physiotherapy": 2.0},
        prices=[{"service": "psychologist", "unit_price_eur": 40.0},
                {"service": "physiotherapy", "municipality": "Jelgava city",
                 "unit_price_eur": 10.0}],
    )  # fmt: skip
    new = s.apply(base).services
    muni = svc["municipality"].astype("string").fillna("").to_numpy()
    for k in range(len(svc)):
        name, price = svc.service.iat[k], svc.unit_price_eur.iat[k]
        if name == "psychologist":
            assert new.unit_price_eur.iat[k] == 40.0
        elif name == "physiotherapy":
            assert new.unit_price_eur.iat[k] == (20.0 if muni[k] == "Jelgava city" else price * 2)
        else:
            assert new.unit_price_eur.iat[k] == price


def test_price_problems_are_collected(base: Baseline) -> None:
    s = Scenario(
        "p",
        price_factor={"no_such": 1.1},
        prices=[{"service": "nope", "unit_price_eur": 1.0},
                {"service": "physiotherapy", "unit_price_eur": 1.005},
                {"service": "physiotherapy", "municipality": "Dobele", "unit_price_eur": 1.0}],
    )  # fmt: skip
    with pytest.raises(InputError) as e:
        s.apply(base)
    probs = e.value.problems
    assert len(probs) == 4
    assert set(zip(probs.table, probs.column, strict=True)) == {
        ("prices", "service"),
        ("prices", "unit_price_eur"),
        ("arguments", "price_factor"),
    }
    assert sorted(probs.row.dropna().tolist()) == [1, 2, 3]


def test_pot_scaling_is_proportional_and_exact(base: Baseline) -> None:
    before = _cents(base.participants.budget_eur)
    for s, target in (
        (Scenario("pot", pot_eur=12345.67), 1234567),
        (Scenario("f", pot_factor=0.85), int(np.floor(before.sum() * 0.85 + 0.5))),
    ):
        after = _cents(s.apply(base).participants.budget_eur)
        assert after.sum() == target
        exact = before * target / before.sum()
        assert np.all(np.abs(after - exact) < 1.0)


def test_pot_recalibrates_a_pot_calibrated_formula(tables: tuple[pd.DataFrame, ...]) -> None:
    people, plan, services = tables
    formula = PotCalibrated(
        FlatBudget({"GRT": 2600.0, "FT": 3900.0, "BSAC": 3000.0}, SRC), pot_eur=50000.0,
        source=SRC,
    )  # fmt: skip
    base = Baseline(people.drop(columns="budget_eur"), plan, services, budget=formula)
    got = Scenario("more", pot_factor=1.1).apply(base).participants.budget_eur
    assert _cents(got).sum() == 5500000
    direct = formula.compute(people.drop(columns="budget_eur"), plan, services)
    plain = Scenario("same").apply(base).participants.budget_eur
    assert _cents(plain).tolist() == direct.budget_cents.tolist()


def test_budget_formula_replaces_the_budgets(base: Baseline) -> None:
    f = FlatBudget({"GRT": 2600.0, "FT": 3900.0, "BSAC": 3000.0}, SRC)
    got = Scenario("flat", budget=f).apply(base).participants
    want = f.compute(base.participants, period_weeks=26).budget_cents
    assert _cents(got.budget_eur).tolist() == want.tolist()


def test_apply_never_touches_the_baseline(base: Baseline) -> None:
    frames = (base.participants, base.plan_items, base.services)
    before = [pd.util.hash_pandas_object(f, index=True).sum() for f in frames]
    new = Scenario("all", price_factor=1.3, pot_factor=0.7, policy="priority").apply(base)
    new.participants.loc[0, "budget_eur"] = 0.0
    new.services.loc[0, "unit_price_eur"] = 0.0
    after = [pd.util.hash_pandas_object(f, index=True).sum() for f in frames]
    assert before == after
    assert new.policy == "priority" and base.policy == "optimal"


def test_baseline_copies_the_callers_frames(tables: tuple[pd.DataFrame, ...]) -> None:
    people = tables[0].copy()
    b = Baseline(people, tables[1], tables[2])
    people.loc[0, "budget_eur"] = 1.0
    assert b.participants.budget_eur.iat[0] == tables[0].budget_eur.iat[0]


# -- runs ---------------------------------------------------------------------------------


def test_run_equals_a_direct_allocate_call(
    tables: tuple[pd.DataFrame, ...], base: Baseline
) -> None:
    run = run_scenario(base, Scenario("x", policy="priority", team_share=0.8, price_factor=1.1))
    svc = tables[2].assign(
        unit_price_eur=np.floor(_cents(tables[2].unit_price_eur) * 1.1 + 0.5 + 1e-9) / 100
    )
    direct = ibm.allocate(tables[0], tables[1], svc, policy="priority", team_share=0.8)
    pd.testing.assert_frame_equal(run.items, direct.items)
    pd.testing.assert_frame_equal(run.participants, direct.participants)


def test_capacities_use_the_region_allocation(tables: tuple[pd.DataFrame, ...]) -> None:
    caps = pd.DataFrame({"municipality": ["Bauska", "Dobele"], "service": "physiotherapy",
                         "units": [5, 3]})  # fmt: skip
    run = run_scenario(Baseline(*tables), Scenario("caps", capacities=caps))
    direct = allocate_region(*tables, caps)
    assert type(run.result).__name__ == "RegionResult"
    pd.testing.assert_frame_equal(run.items, direct.items)
    with pytest.raises(InputError, match="policy"):
        Scenario("c", capacities=caps, policy="priority").apply(Baseline(*tables))


def test_disruptions_deliver_less_and_reconcile(base: Baseline) -> None:
    run = run_scenario(base, Scenario("covid", disruptions=covid_2020_disruptions()))
    plain = run_scenario(base)
    sim = simulate_delivery(plan_delivery(plain.result, date(2020, 1, 1), 6),
                            covid_2020_disruptions())  # fmt: skip
    assert run.items.units.sum() == sim.delivered.sum()
    assert (run.items.units <= run.items.units_allocated).all()
    assert run.items.units_allocated.tolist() == plain.items.units.tolist()
    lost = run.items.units < run.items.units_allocated
    assert lost.any() and (run.items.reason[lost] == "unavailable").all()
    price = _cents(run.items.unit_price_eur.fillna(0))
    spent = np.bincount(
        pd.Index(run.participants.participant_id).get_indexer(run.items.participant_id),
        weights=run.items.units.to_numpy() * price,
    )
    assert _cents(run.participants.spent_eur).tolist() == spent.astype(np.int64).tolist()


def test_run_scenarios_checks_its_arguments(base: Baseline) -> None:
    with pytest.raises(InputError) as e:
        run_scenarios(base, [Scenario("a"), Scenario("a"), "b"])  # type: ignore[list-item]
    assert e.value.problems.row.tolist() == [2, 3]
    with pytest.raises(InputError, match="workers"):
        run_scenarios(base, [Scenario("a")], workers=0)
    with pytest.raises(InputError, match="baseline"):
        run_scenario("base", Scenario("a"))  # type: ignore[arg-type]


def test_bad_settings_are_all_reported(tables: tuple[pd.DataFrame, ...]) -> None:
    with pytest.raises(InputError) as e:
        Baseline(*tables, policy="best", period_weeks=0, team_share=2.0, months=0)
    assert set(e.value.problems.column) == {"policy", "period_weeks", "team_share", "months"}
    with pytest.raises(InputError) as e:
        Scenario("x", price_factor=0.0, pot_eur=10.001, pot_factor=1.0, policy="x")
    assert set(e.value.problems.column) == {"price_factor", "pot_eur", "pot_factor", "policy"}


# -- compare and sweep -------------------------------------------------------------------


def test_compare_columns_deltas_and_reconciliation(base: Baseline) -> None:
    runs = run_scenarios(base, [Scenario("now"), Scenario("less", pot_factor=0.8)])
    k = compare(runs, baseline="now")
    assert tuple(k.columns) == COMPARE_COLUMNS
    own = k[k.scenario == "now"]
    assert (own.delta.fillna(0) == 0).all()
    less = k[k.scenario == "less"].set_index(["kpi", "by", "group"])
    direct = kpis(runs[1]).set_index(["kpi", "by", "group"])["value"]
    assert less.value.reindex(direct.index).equals(direct)
    money = less[less.index.get_level_values("kpi").str.endswith("_eur")]
    assert np.allclose(money.delta * 100, np.round(money.delta * 100), atol=1e-6)
    assert (
        money.delta == (np.round(money.value * 100) - np.round(money.baseline_value * 100)) / 100
    ).all()
    assert less.loc[("winners", "all", "all"), "value"] == 0  # less money never covers more
    with pytest.raises(InputError, match="baseline"):
        compare(runs, baseline="nope")


def test_sweep_over_pot_and_price(base: Baseline) -> None:
    total = _cents(base.participants.budget_eur).sum()
    s = sweep(base, "pot", [0.8, 1.0, 1.2])
    assert list(s.columns[:7]) == list(COMPARE_COLUMNS)
    budget = s[(s.kpi == "budget_eur") & (s.by == "all")].set_index("factor")["value"]
    for f, v in budget.items():
        assert round(v * 100) == int(np.floor(total * f + 0.5 + 1e-9))
    unit = s[(s.factor == 1.0)]
    assert (unit.delta.fillna(0) == 0).all()
    with pytest.raises(InputError, match="parameter"):
        sweep(base, "tax", [1.0])


# -- what a price rise does (docs/scenarios.md, "Sweeps") ---------------------------------


def _price_rise(
    budgets: dict[str, float], plan: list[dict[str, object]], prices: dict[str, float],
    factor: float, policy: str = "optimal",
) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    people = pd.DataFrame(
        [{"participant_id": p, "target_group": "GRT", "age": 40, "municipality": "Dobele",
          "budget_eur": b} for p, b in budgets.items()]
    )  # fmt: skip
    catalogue = pd.DataFrame(
        [{"service": s, "unit": "session", "unit_price_eur": x, "municipality": "Dobele"}
         for s, x in prices.items()]
    )  # fmt: skip
    base = Baseline(people, pd.DataFrame(plan), catalogue, policy=policy)
    now, dearer = (
        run_scenario(base, s) for s in (Scenario("now"), Scenario("dearer", price_factor=factor))
    )
    return now.participants.set_index("participant_id"), dearer.participants.set_index(
        "participant_id"
    )


def test_a_price_rise_can_lower_spend_as_well_as_raise_it() -> None:
    """A's group home (all or nothing: its minimum dose is the month recommended) no longer
    fits after a 5% rise, so A spends nothing; B buys the same 3 sessions dearer. Spend never
    exceeds the budget, so it rises by at most what was left over (B: +4.50 of 10.00)."""
    plan = [
        {"participant_id": "A", "service": "group_home", "team_rank": 1, "recommended_units": 1,
         "min_units": 1},
        {"participant_id": "B", "service": "psychologist", "team_rank": 1,
         "recommended_units": 3},
    ]  # fmt: skip
    now, dearer = _price_rise(
        {"A": 650.0, "B": 100.0}, plan, {"group_home": 620.0, "psychologist": 30.0}, 1.05
    )
    assert now["spent_eur"].to_dict() == {"A": 620.0, "B": 90.0}
    assert dearer["spent_eur"].to_dict() == {"A": 0.0, "B": 94.5}
    assert dearer["spent_eur"].sum() < now["spent_eur"].sum()  # spend fell overall
    rise = _cents(dearer["spent_eur"]) - _cents(now["spent_eur"])
    left = _cents(now["budget_eur"]) - _cents(now["spent_eur"])
    assert (rise <= left).all()
    assert (dearer["value"] <= now["value"]).all()  # optimal: the value never rises


def test_under_priority_a_price_rise_can_raise_the_value() -> None:
    """The social worker's order: one physiotherapy session (52.00) fits the 55.00 budget and
    leaves 3.00; at +50% (78.00) it does not, and the psychologist session (46.50) does, which
    completes that item: the value rises from 1/3 of the first item to all of the second."""
    plan = [
        {"participant_id": "A", "service": "physiotherapy", "team_rank": 1,
         "recommended_units": 3},
        {"participant_id": "A", "service": "psychologist", "team_rank": 2,
         "recommended_units": 1},
    ]  # fmt: skip
    prices = {"physiotherapy": 52.0, "psychologist": 31.0}
    now, dearer = _price_rise({"A": 55.0}, plan, prices, 1.5, policy="priority")
    assert dearer.loc["A", "value"] > now.loc["A", "value"]
    assert dearer.loc["A", "spent_eur"] < now.loc["A", "spent_eur"]
    best_now, best_dearer = _price_rise({"A": 55.0}, plan, prices, 1.5, policy="optimal")
    assert best_dearer.loc["A", "value"] <= best_now.loc["A", "value"]


# -- the traditional mechanism -----------------------------------------------------------

SERVICES = [
    {"service": "physio", "unit": "session", "unit_price_eur": 20.0},
    {"service": "psych", "unit": "session", "unit_price_eur": 10.0},
    {"service": "child_care", "unit": "hour", "unit_price_eur": 5.0, "max_age": 17},
]


def _people(dates: list[str] | None = None) -> list[dict[str, object]]:
    out: list[dict[str, object]] = [
        {"participant_id": p, "target_group": "GRT", "age": 40, "municipality": "Dobele",
         "budget_eur": 100.0} for p in ("A", "B", "C")
    ]  # fmt: skip
    if dates:
        for row, d in zip(out, dates, strict=True):
            row["application_date"] = d
    return out


PLAN = [
    {"participant_id": "A", "service": "child_care", "team_rank": 1, "recommended_units": 4},
    {"participant_id": "A", "service": "physio", "team_rank": 2, "recommended_units": 5},
    {"participant_id": "B", "service": "physio", "team_rank": 1, "recommended_units": 10},
    {"participant_id": "B", "service": "psych", "team_rank": 2, "recommended_units": 2},
    {"participant_id": "C", "service": "psych", "team_rank": 1, "recommended_units": 1},
]


def test_traditional_by_hand() -> None:
    # pot 300: A's child care is not allowed (adult), physio 5 x 20 = 100 granted; B's physio
    # 10 x 20 = 200 exceeds the 200 left? no: 200 fits exactly; B's psych 20 does not fit,
    # so it and C's cheap psych (10) get nothing: first come first served stops there.
    r = traditional(_people(), PLAN, SERVICES)
    assert isinstance(r, TraditionalResult)
    assert r.items.units.tolist() == [0, 5, 10, 0, 0]
    assert r.items.reason.astype(str).tolist() == [
        "not_eligible", "funded", "funded", "not_funded", "not_funded"
    ]  # fmt: skip
    assert (r.pot_eur, r.spent_eur) == (300.0, 300.0)
    assert r.participants.left_eur.tolist() == [0.0, -100.0, 100.0]
    # C applied first: C's psych, then A's physio, then B's physio no longer fits
    r = traditional(_people(["2020-02-01", "2020-03-01", "2020-01-15"]), PLAN, SERVICES)
    assert r.items.units.tolist() == [0, 5, 0, 0, 1]
    assert r.participants.queue_position.tolist() == [2, 3, 1]
    assert traditional(_people(), PLAN, SERVICES, pot_eur=99.99).spent_eur == 0.0


def test_traditional_bad_dates_and_pot() -> None:
    with pytest.raises(InputError) as e:
        traditional(_people(["2020-01-01", "soon", None]), PLAN, SERVICES)  # type: ignore[list-item]
    assert e.value.problems.row.tolist() == ["B", "C"]
    assert set(e.value.problems.column) == {"application_date"}
    with pytest.raises(InputError, match="pot_eur"):
        traditional(_people(), PLAN, SERVICES, pot_eur=-1.0)


def test_mechanisms_side_by_side(base: Baseline) -> None:
    runs = run_mechanisms(base)
    assert tuple(r.name for r in runs) == MECHANISMS
    k = compare_mechanisms(base)
    assert tuple(k.scenario.unique()) == MECHANISMS
    money = k[(k.kpi == "budget_eur") & (k.by == "all")].value
    assert money.nunique() == 1  # same money
    trad = runs[2]
    assert trad.result.spent_eur <= trad.result.pot_eur
    assert trad.result.pot_eur == round(float(base.participants.budget_eur.sum()), 2)
    opt = k[(k.scenario == "ibm_optimal") & (k.kpi == "value") & (k.by == "all")].value.item()
    pri = k[(k.scenario == "ibm_priority") & (k.kpi == "value") & (k.by == "all")].value.item()
    assert opt >= pri - 1e-9
    caps = pd.DataFrame({"municipality": ["Bauska"], "service": ["physiotherapy"], "units": [1]})
    with pytest.raises(InputError, match="capacities"):
        run_mechanisms(Baseline(base.participants, base.plan_items, base.services,
                                capacities=caps))  # fmt: skip


def test_compare_takes_plain_results_and_disrupted_mechanisms(
    tables: tuple[pd.DataFrame, ...],
) -> None:
    people, plan, services = tables
    opt = ibm.allocate(people, plan, services)
    trad = traditional(people, plan, services)
    k = compare({"optimal": opt, "traditional": trad}, baseline="optimal")
    assert set(k.scenario) == {"optimal", "traditional"}
    spent = k[(k.scenario == "traditional") & (k.kpi == "spent_eur") & (k.by == "all")]
    assert spent.value.item() == trad.spent_eur
    assert spent.delta.item() == round(trad.spent_eur - float(opt.participants.spent_eur.sum()), 2)
    runs = run_mechanisms(Baseline(people, plan, services, disruptions=covid_2020_disruptions()))
    for run in runs:
        assert (run.items.units <= run.items.units_allocated).all()
        assert (run.items.units < run.items.units_allocated).any()
    caps = [{"municipality": "Bauska", "service": "x", "units": 1}]
    text = repr(Scenario("c", capacities=caps, policy="priority"))
    assert text == "Scenario('c', capacities=<1 rows>, policy='priority')"
