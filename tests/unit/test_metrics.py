"""KPIs from result tables, checked against plain-Python reference computations."""

from __future__ import annotations

from decimal import Decimal
from itertools import product

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.errors import InputError
from ibm_engine.metrics import AGE_BANDS, BY, KPIS, age_band, gini, kpis, winners_losers


@pytest.fixture(scope="module")
def region() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return ibm.synthetic_zemgale(11, n_grt=14, n_ft=10, n_bsac=6)


@pytest.fixture(scope="module")
def result(region: tuple[pd.DataFrame, ...]) -> ibm.AllocationResult:
    people, plan, services = region
    return ibm.allocate(people, plan, services, policy="priority")


def _band(age: int) -> str:
    for label, lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return label
    raise AssertionError(age)


def _reference(r: ibm.AllocationResult) -> dict[tuple[str, str, str], float]:
    """Every KPI by plain loops over the rows (Decimal money), keyed by (kpi, by, group)."""
    people = {}
    for row in r.participants.itertuples():
        people[row.participant_id] = {
            "all": "all",
            "municipality": row.municipality,
            "target_group": row.target_group,
            "age_band": _band(int(row.age)),
            "budget": Decimal(str(row.budget_eur)),
            "spent": Decimal(str(row.spent_eur)),
            "value": row.value,
            "max_value": row.max_value,
        }
    out: dict[tuple[str, str, str], float] = {}
    for by in ("all", "municipality", "target_group", "age_band"):
        groups: dict[str, list[dict[str, object]]] = {}
        for p in people.values():
            groups.setdefault(str(p[by]), []).append(p)
        for g, members in groups.items():
            out["participants", by, g] = len(members)
            out["budget_eur", by, g] = float(sum(m["budget"] for m in members))  # type: ignore[misc]
            out["unspent_eur", by, g] = float(
                sum(m["budget"] - m["spent"] for m in members)  # type: ignore[operator,misc]
            )
            cov = [m["value"] / m["max_value"] for m in members if m["max_value"] > 0]  # type: ignore[operator]
            if cov:
                out["min_coverage", by, g] = min(cov)  # type: ignore[type-var]
                mean = sum(cov) / len(cov)  # type: ignore[arg-type]
                pairs = sum(abs(a - b) for a in cov for b in cov)  # type: ignore[operator,misc]
                out["gini_coverage", by, g] = pairs / (2 * len(cov) ** 2 * mean) if mean else 0.0
    for by in BY:
        groups2: dict[str, list[tuple[object, dict[str, object]]]] = {}
        for row in r.items.itertuples():
            p = people[row.participant_id]
            key = row.service if by == "service" else str(p[by])
            groups2.setdefault(key, []).append((row, p))
        for g, rows in groups2.items():
            out["spent_eur", by, g] = float(sum(Decimal(str(x.cost_eur)) for x, _ in rows))  # type: ignore[attr-defined]
            ok = [x for x, _ in rows if x.reason not in ("not_eligible", "cap_below_min")]  # type: ignore[attr-defined]
            out["items", by, g] = len(ok)
            if ok:
                out["share_funded", by, g] = sum(x.units == x.upper_units for x in ok) / len(ok)  # type: ignore[attr-defined]
                out["share_not_funded", by, g] = sum(x.units == 0 for x in ok) / len(ok)  # type: ignore[attr-defined]
            out["unmet_units", by, g] = sum(x.upper_units - x.units for x in ok)  # type: ignore[attr-defined]
            out["unmet_eur", by, g] = float(
                sum((x.upper_units - x.units) * Decimal(str(x.unit_price_eur)) for x in ok)  # type: ignore[attr-defined]
            )
    return out


def test_kpis_match_a_reference_computed_row_by_row(result: ibm.AllocationResult) -> None:
    k = kpis(result)
    assert k.columns.tolist() == ["kpi", "by", "group", "value"]
    ref = _reference(result)
    got = {(a, b, c): v for a, b, c, v in k.itertuples(index=False)}
    for key, expected in ref.items():
        assert key in got, key
        assert got[key] == pytest.approx(expected, abs=1e-9), key
    # every kpi and grouping announced is present, and nothing else
    assert set(k["kpi"]) == set(KPIS)
    for name, (dims, _) in KPIS.items():
        assert set(k.loc[k.kpi == name, "by"]) == set(dims), name


def test_money_kpis_are_whole_cents_and_reconcile(result: ibm.AllocationResult) -> None:
    k = kpis(result)
    money = k[k.kpi.str.endswith("_eur")]["value"].to_numpy()
    assert np.allclose(money * 100, np.round(money * 100), atol=1e-6)
    for by in BY:
        spent = k[(k.kpi == "spent_eur") & (k.by == by)]["value"]
        total = round(float(result.items["cost_eur"].sum()), 2)
        assert round(int(np.round(spent * 100).sum()) / 100, 2) == total
    assert k[(k.kpi == "spent_eur") & (k.by == "all")].value.item() == round(
        float(result.participants["spent_eur"].sum()), 2
    )
    shares = k[k.kpi.str.startswith("share_")].pivot_table(
        index=["by", "group"], columns="kpi", values="value"
    )
    assert np.allclose(shares.sum(axis=1), 1.0)


def test_gini_against_pairwise_definition() -> None:
    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 7, 30):
        x = rng.random(n)
        pairs = np.abs(x[:, None] - x[None, :]).sum()
        assert gini(x) == pytest.approx(pairs / (2 * n * n * x.mean()))
    assert gini([1.0, 1.0]) == 0.0
    assert gini([0.0, 0.0]) == 0.0
    assert gini([np.nan, 1.0, 1.0]) == 0.0
    with pytest.raises(InputError, match="values"):
        gini([-1.0, 2.0])


def test_age_bands_cover_every_age_once() -> None:
    ages = np.arange(0, 121)
    bands = age_band(ages)
    assert not pd.isna(bands).any()
    for a, b in zip(ages, bands, strict=True):
        assert b == _band(int(a))
    assert pd.isna(age_band([-1, 121, 2.5])).all()


def test_municipality_gap(result: ibm.AllocationResult) -> None:
    k = kpis(result)
    muni = k[(k.kpi == "value_share") & (k.by == "municipality")]["value"]
    gap = k[k.kpi == "municipality_gap"].value.item()
    assert gap == pytest.approx(muni.max() - muni.min())


def test_winners_losers_against_a_loop(region: tuple[pd.DataFrame, ...]) -> None:
    people, plan, services = region
    a = ibm.allocate(people, plan, services)
    b = ibm.allocate(people.assign(budget_eur=people.budget_eur * 0.8).round(2), plan, services)
    w = winners_losers(b, a)
    assert len(w) == len(people)
    pa = a.participants.set_index("participant_id")
    pb = b.participants.set_index("participant_id")
    for row in w.itertuples():
        ca = pa.value[row.participant_id] / pa.max_value[row.participant_id]
        cb = pb.value[row.participant_id] / pb.max_value[row.participant_id]
        expected = "winner" if cb - ca > 1e-9 else "loser" if cb - ca < -1e-9 else "unchanged"
        assert row.outcome == expected
        assert row.spent_delta_eur == round(
            pb.spent_eur[row.participant_id] - pa.spent_eur[row.participant_id], 2
        )
    assert (w.outcome != "winner").all()  # less money never covers more under the optimum


def test_bad_results_name_the_table_and_column(result: ibm.AllocationResult) -> None:
    class Broken:
        items = result.items.drop(columns=["cost_eur", "reason"])
        participants = result.participants

    with pytest.raises(InputError) as e:
        kpis(Broken())
    assert set(e.value.problems["column"]) == {"cost_eur", "reason"}
    assert set(e.value.problems["table"]) == {"result.items"}
    with pytest.raises(InputError, match="result"):
        kpis(object())


@pytest.mark.parametrize(("units", "upper"), list(product([0, 1, 3], [1, 3])))
def test_funded_shares_of_one_item(units: int, upper: int) -> None:
    if units > upper:
        return
    reason = "funded" if units == upper else "partly_funded" if units else "not_funded"

    class One:
        items = pd.DataFrame(
            {"participant_id": ["A"], "service": ["s"], "units": [units],
             "unit_price_eur": [2.5], "cost_eur": [2.5 * units], "upper_units": [upper],
             "reason": [reason]}
        )  # fmt: skip
        participants = pd.DataFrame(
            {"participant_id": ["A"], "municipality": ["M"], "target_group": ["GRT"],
             "age": [40], "budget_eur": [10.0], "spent_eur": [2.5 * units],
             "value": [units / upper], "max_value": [1.0]}
        )  # fmt: skip

    k = kpis(One()).set_index(["kpi", "by"])["value"]
    assert k["share_funded", "all"] == float(units == upper)
    assert k["share_partly_funded", "all"] == float(0 < units < upper)
    assert k["unmet_eur", "all"] == 2.5 * (upper - units)
    assert k["unspent_eur", "all"] == 10.0 - 2.5 * units
