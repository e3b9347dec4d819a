"""Counterfactuals of one participant: the smallest budget that funds an item, the allocation
at other budgets, a corrected assessment and another family ranking.

The hand-made case that shows funding is not monotone in the budget (priority policy):

N, joint list: 1. physiotherapy 100.00 x 10; 2. psychologist 50.00 x 1.
  budget  49.99: nothing fits                          -> psychologist not funded
  budget  50.00: physiotherapy's first unit does not fit, the psychologist gets its session
  budget 100.00: physiotherapy takes one session (100.00), nothing left -> not funded again
  budget 150.00: one physiotherapy session and the psychologist      -> funded
So the smallest budget is 50.00 although 100.00 does not fund it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine import IbmEngineError, InputError
from ibm_engine.allocation._counterfactual import (
    at_budget_change,
    with_assessment,
    with_family_ranking,
)
from ibm_engine.allocation._smallest_budget import reachable_costs, smallest_budget_for
from ibm_engine.allocation._waiting import waiting_list

SERVICES = pd.DataFrame(
    [
        {"service": "physiotherapy", "unit": "session", "unit_price_eur": 100.0,
         "hours_per_unit": 1.0},
        {"service": "psychologist", "unit": "session", "unit_price_eur": 50.0},
        {"service": "music_therapy", "unit": "session", "unit_price_eur": 30.0},
        {"service": "speech_therapy", "unit": "session", "unit_price_eur": 27.0},
        {"service": "child_care", "unit": "hour", "unit_price_eur": 5.0, "max_age": 17},
    ]
)  # fmt: skip


def _person(pid: str, budget: float, **extra: object) -> dict[str, object]:
    return {"participant_id": pid, "target_group": "GRT", "age": 40, "municipality": "Dobele",
            "budget_eur": budget, **extra}  # fmt: skip


def _item(pid: str, service: str, rank: int, units: int, **extra: object) -> dict[str, object]:
    return {"participant_id": pid, "service": service, "team_rank": rank,
            "recommended_units": units, **extra}  # fmt: skip


PEOPLE = pd.DataFrame(
    [_person("N", 100.0), _person("M", 400.0), _person("H", 1000.0, family_hours_per_week=0.2)]
)
PLAN = pd.DataFrame(
    [
        _item("N", "physiotherapy", 1, 10),
        _item("N", "psychologist", 2, 1),
        _item("M", "physiotherapy", 1, 2, family_rank=3),
        _item("M", "psychologist", 2, 4, family_rank=1),
        _item("M", "music_therapy", 3, 5, family_rank=2, min_units=3),
        _item("M", "speech_therapy", 4, 6, family_rank=4),
        _item("M", "child_care", 5, 6, family_rank=5),
        _item("H", "physiotherapy", 1, 8),  # 0.2 h/week x 26 = 5.2 hours: at most 5 sessions
        _item("H", "psychologist", 2, 2, min_units=3),
    ]
)


def _hand(policy: str) -> ibm.AllocationResult:
    return ibm.allocate(PEOPLE, PLAN, SERVICES, policy=policy)


def _funds(policy: str, pid: str, service: str, budget: float) -> bool:
    """Allocate the participant alone, through the public API, at ``budget``."""
    people = PEOPLE[PEOPLE["participant_id"] == pid].assign(budget_eur=budget)
    r = ibm.allocate(people, PLAN[PLAN["participant_id"] == pid], SERVICES, policy=policy)
    return bool((r.items.set_index("service").loc[service, "reason"]) == "funded")


# --------------------------------------------------------------------------- smallest budget


def test_hand_case_not_monotone() -> None:
    r = _hand("priority")
    assert smallest_budget_for(r, "N", "psychologist") == 50.0
    assert _funds("priority", "N", "psychologist", 50.0)
    assert not _funds("priority", "N", "psychologist", 49.99)
    assert not _funds("priority", "N", "psychologist", 100.0)  # more money, not funded
    assert _funds("priority", "N", "psychologist", 150.0)


def test_hand_case_optimal() -> None:
    """Weights 2/3 and 1/3. The psychologist (1/3 for 50.00) is funded from 50.00 on. At
    1,000.00 nine physiotherapy sessions and the psychologist (0.6 + 1/3) beat ten sessions
    (2/3): physiotherapy is funded in full only from 1,050.00 on."""
    r = _hand("optimal")
    assert smallest_budget_for(r, "N", "psychologist") == 50.0
    assert smallest_budget_for(r, "N", "physiotherapy") == 1050.0
    assert not _funds("optimal", "N", "physiotherapy", 1000.0)
    assert not _funds("optimal", "N", "physiotherapy", 1049.99)


def test_not_fundable_items_give_none() -> None:
    r = _hand("optimal")
    assert smallest_budget_for(r, "M", "child_care") is None  # not eligible at 40
    assert smallest_budget_for(r, "H", "psychologist") is None  # cap below minimum
    assert smallest_budget_for(r, "H", "physiotherapy") is None  # 8 h > 5.2 family hours


def _tiny_case(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Three items with small, uneven prices and minimum doses: the whole plan costs under
    15.00 EUR, so every cent can be tried. Odd seeds add family hours that bind."""
    rng = np.random.default_rng(seed)
    services = pd.DataFrame(
        {"service": ["a", "b", "c"], "unit": "session",
         "unit_price_eur": rng.integers(40, 260, 3) / 100,
         "hours_per_unit": rng.integers(0, 3, 3) if seed % 2 else 0}
    )  # fmt: skip
    plan = pd.DataFrame(
        {"participant_id": "T", "service": ["a", "b", "c"], "team_rank": rng.permutation(3) + 1,
         "family_rank": rng.permutation(3) + 1, "recommended_units": rng.integers(2, 6, 3),
         "min_units": rng.integers(0, 3, 3)}
    )  # fmt: skip
    hours = {"family_hours_per_week": 6 / 26} if seed % 2 else {}
    return pd.DataFrame([_person("T", 5.0, **hours)]), plan, services


def _brute_force(case: tuple[pd.DataFrame, ...], policy: str) -> dict[str, float | None]:
    """Per service the first budget 0.00, 0.01, ... that funds it: one allocate call with one
    copy of the participant per budget."""
    me, plan, services = case
    price = services.set_index("service")["unit_price_eur"]
    top = round(float((plan.set_index("service")["recommended_units"] * price).sum()) * 100)
    budgets = np.arange(top + 1)
    ids = [f"T@{b}" for b in budgets]
    people = pd.concat([me] * budgets.shape[0]).assign(participant_id=ids, budget_eur=budgets / 100)
    items = pd.concat([plan.assign(participant_id=i) for i in ids])
    r = ibm.allocate(people, items, services, policy=policy)
    out: dict[str, float | None] = {}
    for service in plan["service"]:
        funded = r.items.loc[r.items["service"] == service, "reason"].to_numpy() == "funded"
        hit = np.flatnonzero(funded)
        out[service] = float(budgets[hit[0]]) / 100 if hit.shape[0] else None
    return out


@pytest.mark.parametrize("policy", ["priority", "optimal"])
@pytest.mark.parametrize("seed", range(6))
def test_equals_brute_force_over_every_cent(policy: str, seed: int) -> None:
    case = _tiny_case(seed)
    r = ibm.allocate(*case, policy=policy)
    want = _brute_force(case, policy)
    assert {s: smallest_budget_for(r, "T", s) for s in want} == want


@pytest.fixture(scope="module")
def region() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return ibm.synthetic_zemgale(seed=3, n_grt=6, n_ft=6, n_bsac=4)


@pytest.mark.parametrize("policy", ["priority", "optimal"])
def test_region_items_funded_at_the_answer_and_not_one_cent_less(
    region: tuple[pd.DataFrame, ...], policy: str
) -> None:
    people, plan, services = region
    r = ibm.allocate(people, plan, services, policy=policy)
    w = waiting_list(r)
    rows = w[w["fundable"]].head(12)
    found = [
        smallest_budget_for(r, pid, s)
        for pid, s in zip(rows["participant_id"], rows["service"], strict=True)
    ]
    checks = []  # (participant, service, budget, must fund)
    for (pid, s), b in zip(
        zip(rows["participant_id"], rows["service"], strict=True), found, strict=True
    ):
        if b is None:
            continue
        checks.append((pid, s, b, True))
        if b > 0:
            checks.append((pid, s, round(b - 0.01, 2), False))
    ids = [f"{pid}@{k}" for k, (pid, *_) in enumerate(checks)]
    copies = pd.concat(
        [people[people["participant_id"] == pid].assign(participant_id=i, budget_eur=b)
         for i, (pid, _, b, _) in zip(ids, checks, strict=True)]
    )  # fmt: skip
    items = pd.concat(
        [plan[plan["participant_id"] == pid].assign(participant_id=i)
         for i, (pid, *_) in zip(ids, checks, strict=True)]
    )  # fmt: skip
    again = ibm.allocate(copies, items, services, policy=policy).items.set_index(
        ["participant_id", "service"]
    )
    for i, (_, s, _, must) in zip(ids, checks, strict=True):
        assert (again.loc[(i, s), "reason"] == "funded") == must, (i, s)
    assert len(checks) >= 10


def test_funded_items_answer_not_above_the_budget(region: tuple[pd.DataFrame, ...]) -> None:
    r = ibm.allocate(*region)
    funded = r.items[r.items["reason"] == "funded"].head(10)
    budget = r.participants.set_index("participant_id")["budget_eur"]
    for pid, service in zip(funded["participant_id"], funded["service"], strict=True):
        b = smallest_budget_for(r, pid, service)
        assert b is not None and b <= budget[pid]


def test_unknown_service_and_participant() -> None:
    r = _hand("optimal")
    with pytest.raises(InputError, match="'dance'") as err:
        smallest_budget_for(r, "N", "dance")
    assert err.value.problems["column"].tolist() == ["service"]
    with pytest.raises(InputError, match="'Q'"):
        smallest_budget_for(r, "Q", "psychologist")


def test_reachable_costs_small() -> None:
    a = np.array
    got = reachable_costs(a([300, 500]), a([2, 1]), a([3, 1]), 2_000)
    assert np.flatnonzero(got).tolist() == [0, 500, 600, 900, 1100, 1400]
    # brute force on random small items
    rng = np.random.default_rng(1)
    for _ in range(20):
        cost = rng.integers(1, 30, 3)
        lower = rng.integers(1, 3, 3)
        upper = lower + rng.integers(-1, 4, 3)
        sums = {0}
        for c, lo, up in zip(cost, lower, upper, strict=True):
            sums |= {s + int(c) * u for s in sums for u in range(int(lo), int(up) + 1)}
        want = sorted(s for s in sums if s <= 150)
        assert np.flatnonzero(reachable_costs(cost, lower, upper, 150)).tolist() == want


# --------------------------------------------------------------------------- budget change


@pytest.mark.parametrize("policy", ["priority", "optimal"])
def test_budget_change_equals_direct_allocation(policy: str) -> None:
    r = _hand(policy)
    f = at_budget_change(r, "M", [-50, -12.5, 0, 10, 33.333])
    assert f["pct"].unique().tolist() == [-50, -12.5, 0, 10, 33.333]
    assert f["budget_eur"].unique().tolist() == [200.0, 350.0, 400.0, 440.0, 533.33]
    for pct, rows in f.groupby("pct", sort=False):
        people = PEOPLE[PEOPLE["participant_id"] == "M"].assign(
            budget_eur=rows["budget_eur"].iloc[0]
        )
        direct = ibm.allocate(people, PLAN[PLAN["participant_id"] == "M"], SERVICES, policy=policy)
        d = direct.items.set_index("service").loc[rows["service"]]
        assert rows["units"].tolist() == d["units"].tolist(), pct
        assert rows["cost_eur"].tolist() == d["cost_eur"].tolist()
        assert rows["reason"].astype(str).tolist() == d["reason"].astype(str).tolist()
        assert rows["value"].iloc[0] == pytest.approx(
            direct.participants["value"].iloc[0], abs=1e-12
        )
        assert rows["spent_eur"].iloc[0] == direct.participants["spent_eur"].iloc[0]
    zero = f[f["pct"] == 0]
    assert (zero["units_change"] == 0).all()


def test_budget_change_single_number_and_bad_values() -> None:
    r = _hand("priority")
    f = at_budget_change(r, "N", 50)
    assert f["budget_eur"].tolist() == [150.0, 150.0] and f["units"].tolist() == [1, 1]
    assert at_budget_change(r, "N", -100)["units"].tolist() == [0, 0]
    for bad in (-101, float("nan"), "ten", [], True):
        with pytest.raises(InputError) as err:
            at_budget_change(r, "N", bad)  # type: ignore[arg-type]
        assert err.value.problems["column"].tolist() == ["pct"]


# --------------------------------------------------------------------------- assessment


@pytest.mark.parametrize("policy", ["priority", "optimal"])
def test_no_change_reproduces_the_region_rows(
    policy: str, region: tuple[pd.DataFrame, ...]
) -> None:
    r = ibm.allocate(*region, policy=policy)
    for pid in r.participants["participant_id"].iloc[::3]:
        d = with_assessment(r, pid)
        assert not d["changed"].any()
        assert (d["units_before"] == d["units_after"]).all()
        assert (d["weight_before"] == d["weight_after"]).all()
        assert (d["position_before"] == d["position_after"]).all()
        assert d.attrs["value_before"] == pytest.approx(d.attrs["value_after"], abs=1e-12)


def _region_with(region: tuple[pd.DataFrame, ...], pid: str, service: str, **cols: object) -> tuple:
    people, plan, services = region
    plan = plan.copy()
    mask = (plan["participant_id"] == pid) & (plan["service"] == service)
    for col, value in cols.items():
        plan.loc[mask, col] = value
    return people, plan, services


@pytest.mark.parametrize("policy", ["priority", "optimal"])
def test_changed_assessment_equals_a_full_region_run(
    policy: str, region: tuple[pd.DataFrame, ...]
) -> None:
    r = ibm.allocate(*region, policy=policy)
    w = waiting_list(r)
    row = w[w["fundable"]].iloc[0]
    pid, service = row["participant_id"], row["service"]
    new_rec = max(int(row["units"]), 1)
    d = with_assessment(r, pid, {service: {"recommended_units": new_rec, "min_units": 1}})
    full = ibm.allocate(
        *_region_with(region, pid, service, recommended_units=new_rec, min_units=1), policy=policy
    )
    mine = full.items[full.items["participant_id"] == pid].set_index("service").loc[d["service"]]
    assert d["units_after"].tolist() == mine["units"].tolist()
    assert d["cost_after_eur"].tolist() == mine["cost_eur"].tolist()
    assert d["reason_after"].astype(str).tolist() == mine["reason"].astype(str).tolist()
    value = full.participants.set_index("participant_id").loc[pid, "value"]
    assert d.attrs["value_after"] == pytest.approx(value, abs=1e-12)
    assert d.loc[d["service"] == service, "changed"].item()


def test_budget_and_hours_changes() -> None:
    r = _hand("optimal")
    d = with_assessment(r, "H", participant={"family_hours_per_week": 1.0})
    assert d.set_index("service").loc["physiotherapy", "units_after"] == 8
    assert d.attrs["budget_after_eur"] == 1000.0
    d = with_assessment(r, "N", participant={"budget_eur": 150.0})
    assert d["units_after"].tolist() == [1, 1]
    f = at_budget_change(r, "N", 50)
    assert d["units_after"].tolist() == f["units"].tolist()


def test_family_ranking_hand_case() -> None:
    """M: team points 5, 4, 3, 2, 1 (physiotherapy .. child care). Family ranks 3, 1, 2, 4, 5
    give joint points 4, 4.5, 3.5, 2, 1: psychologist, physiotherapy, music, speech, child care.
    The new ranking (speech 1, physiotherapy 2, psychologist 3, music 4, child care 5) gives
    4.5, 3.5, 2.5, 3.5, 1: physiotherapy, psychologist (team rank 2 breaks the tie with
    speech therapy), speech therapy, music therapy, child care."""
    r = _hand("priority")
    new = {"speech_therapy": 1, "physiotherapy": 2, "psychologist": 3, "music_therapy": 4,
           "child_care": 5}  # fmt: skip
    d = with_family_ranking(r, "M", new)
    assert d["service"].tolist() == [
        "physiotherapy", "psychologist", "speech_therapy", "music_therapy", "child_care"
    ]  # fmt: skip
    assert d["position_before"].tolist() == [2, 1, 4, 3, 5]
    assert d["position_after"].tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(d["weight_after"], [4.5 / 15, 3.5 / 15, 3.5 / 15, 2.5 / 15, 1 / 15])
    plan = PLAN.copy()
    mine = plan["participant_id"] == "M"
    plan.loc[mine, "family_rank"] = plan.loc[mine, "service"].map(new)
    full = ibm.allocate(PEOPLE, plan, SERVICES, policy="priority")
    rows = full.items[full.items["participant_id"] == "M"].set_index("service").loc[d["service"]]
    assert d["units_after"].tolist() == rows["units"].tolist()
    assert d["weight_after"].tolist() == rows["weight"].tolist()
    assert d.attrs["value_after"] == pytest.approx(full.participants["value"].iloc[1], abs=1e-12)


def test_family_ranking_errors() -> None:
    r = _hand("priority")
    with pytest.raises(InputError, match="missing: music_therapy"):
        with_family_ranking(r, "M", {"physiotherapy": 1, "psychologist": 2, "speech_therapy": 3,
                                     "child_care": 4})  # fmt: skip
    with pytest.raises(InputError, match="'yoga'"):
        with_family_ranking(r, "N", {"physiotherapy": 1, "psychologist": 2, "yoga": 3})
    with pytest.raises(InputError, match="family_rank"):  # the contract: ranks unique
        with_family_ranking(r, "N", {"physiotherapy": 1, "psychologist": 1})


def test_assessment_errors() -> None:
    r = _hand("optimal")
    with pytest.raises(InputError) as err:
        with_assessment(r, "N", {"physiotherapy": {"unit_price_eur": 1.0}})
    assert err.value.problems["column"].tolist() == ["changes"]
    with pytest.raises(InputError) as err:
        with_assessment(r, "N", participant={"participant_id": "Z"})
    assert err.value.problems["column"].tolist() == ["participant"]
    with pytest.raises(InputError, match="recommended_units"):  # the contract: int >= 1
        with_assessment(r, "N", {"physiotherapy": {"recommended_units": 0}})
    with pytest.raises(InputError, match="'yoga'"):
        with_assessment(r, "N", {"yoga": {"recommended_units": 2}})


def test_explicit_weights_survive_a_rank_change() -> None:
    plan = PLAN[PLAN["participant_id"] == "N"].assign(weight=[0.2, 0.8])
    r = ibm.allocate(PEOPLE.iloc[:1], plan, SERVICES, policy="priority")
    d = with_assessment(r, "N", {"physiotherapy": {"team_rank": 3}})
    assert d["weight_after"].tolist() == [0.8, 0.2]
    assert d["service"].tolist() == ["psychologist", "physiotherapy"]


def test_rank_change_under_another_merge() -> None:
    """A result that does not record its merge cannot re-merge ranks silently."""
    r = ibm.allocate(PEOPLE, PLAN, SERVICES, merge="family_first")
    ranking = {"physiotherapy": 1, "psychologist": 2, "music_therapy": 3, "speech_therapy": 4,
               "child_care": 5}  # fmt: skip
    if getattr(r, "merge", None) is None:
        with pytest.raises(IbmEngineError, match="rank merge"):
            with_family_ranking(r, "M", ranking)
    else:  # pragma: no cover - once AllocationResult records its merge
        d = with_family_ranking(r, "M", ranking)
        full = ibm.allocate(
            PEOPLE, PLAN.assign(family_rank=PLAN["family_rank"]), SERVICES, merge="family_first"
        )
        assert len(d) == len(full.items[full.items["participant_id"] == "M"])
    # changes that keep the ranks pass the merged weights on, whatever the merge
    d = with_assessment(r, "M", {"music_therapy": {"min_units": 1}})
    assert (d["weight_before"] == d["weight_after"]).all()


# --------------------------------------------------------------------------- docs page
