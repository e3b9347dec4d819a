"""Explanations of one participant's allocation: frame, summary and text (en / lv).

The hand-made case below is small enough to check every number by hand (period 26 weeks):

A (budget 600.00 EUR, no family-hours limit), joint list = team order:
  1. respite_care   10.00/day, max 30 days/year -> U = floor(30 * 26 / 52) = 15; 150.00 EUR
  2. physiotherapy  27.00, 12 recommended -> 12; 324.00 EUR (126.00 left)
  3. psychologist   35.10, 10 recommended -> floor(126.00 / 35.10) = 3; 105.30 EUR (20.70 left)
  4. child_care     ages 0-17 only -> not eligible at 40
  5. group_sessions 15.00, minimum 4 -> 60.00 EUR does not fit into 20.70 (one unit would)
  With 100 EUR more: psychologist floor(226.00 / 35.10) = 6, i.e. 3 more; nothing else moves.
B (budget 1000.00 EUR, 0.5 family hours a week = 13 hours): physiotherapy 12 sessions of 1 h,
  then psychologist 1 session of 1 h: the family's time binds.
C (budget 2000.00 EUR): physiotherapy capped by the plan's max_units = 5; respite care with a
  minimum of 16 days above the legal 15.
D (Dobele): music_therapy is only offered in Jelgava.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ibm_engine import InputError
from ibm_engine.allocation import AllocationResult, allocate
from ibm_engine.allocation._explain import (
    LIMITS,
    explain_frame,
    explain_summary,
    explain_text,
)
from ibm_engine.allocation._explain_words import format_money
from ibm_engine.solve import multipliers

SERVICES = pd.DataFrame(
    [
        {"service": "respite_care", "unit": "day", "unit_price_eur": 10.0,
         "max_units_per_year": 30.0, "name_en": "Respite care", "name_lv": "Atelpas brīdis"},
        {"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0,
         "hours_per_unit": 1.0, "name_en": "Physiotherapy", "name_lv": "Fizioterapija"},
        {"service": "psychologist", "unit": "session", "unit_price_eur": 35.10,
         "hours_per_unit": 1.0, "name_en": "Psychologist", "name_lv": "Psihologs"},
        {"service": "child_care", "unit": "hour", "unit_price_eur": 5.0, "max_age": 17,
         "target_groups": "FT,BSAC"},
        {"service": "group_sessions", "unit": "session", "unit_price_eur": 15.0},
        {"service": "music_therapy", "unit": "session", "unit_price_eur": 30.0,
         "municipality": "Jelgava"},
        {"service": "transport", "unit": "trip", "unit_price_eur": 5.0},
        {"service": "transport", "unit": "trip", "unit_price_eur": 4.5, "municipality": "Dobele"},
    ]
)  # fmt: skip

PARTICIPANTS = pd.DataFrame(
    [
        {"participant_id": "A", "target_group": "GRT", "age": 40, "municipality": "Dobele",
         "budget_eur": 600.0},
        {"participant_id": "B", "target_group": "GRT", "age": 30, "municipality": "Dobele",
         "budget_eur": 1000.0, "family_hours_per_week": 0.5},
        {"participant_id": "C", "target_group": "FT", "age": 9, "municipality": "Jelgava",
         "budget_eur": 2000.0},
        {"participant_id": "D", "target_group": "GRT", "age": 50, "municipality": "Dobele",
         "budget_eur": 100.0},
    ]
)  # fmt: skip


def _item(pid: str, service: str, rank: int, rec: int, **extra: object) -> dict[str, object]:
    return {"participant_id": pid, "service": service, "team_rank": rank,
            "recommended_units": rec, **extra}  # fmt: skip


PLAN = pd.DataFrame(
    [
        _item("A", "respite_care", 1, 20),
        _item("A", "physiotherapy", 2, 12),
        _item("A", "psychologist", 3, 10),
        _item("A", "child_care", 4, 10),
        _item("A", "group_sessions", 5, 8, min_units=4),
        _item("B", "physiotherapy", 1, 12),
        _item("B", "psychologist", 2, 10),
        _item("C", "physiotherapy", 1, 8, max_units=5),
        _item("C", "respite_care", 2, 20, min_units=16),
        _item("D", "music_therapy", 1, 3),
        _item("D", "transport", 2, 4),
    ]
)


@pytest.fixture(scope="module", params=["priority", "optimal"])
def result(request: pytest.FixtureRequest) -> AllocationResult:
    return allocate(PARTICIPANTS, PLAN, SERVICES, policy=request.param)


@pytest.fixture(scope="module")
def priority() -> AllocationResult:
    return allocate(PARTICIPANTS, PLAN, SERVICES, policy="priority")


def test_hand_made_case_priority(priority: AllocationResult) -> None:
    f = explain_frame(priority, "A")
    assert f["service"].tolist() == [
        "respite_care", "physiotherapy", "psychologist", "child_care", "group_sessions"
    ]  # fmt: skip
    assert f["limited_by"].tolist() == [
        "legal_cap", "recommendation", "budget", "not_eligible", "minimum_does_not_fit"
    ]  # fmt: skip
    assert f["upper_units"].tolist() == [15, 12, 10, 0, 8]
    assert f["units"].tolist() == [15, 12, 3, 0, 0]
    assert f["shortfall_units"].tolist() == [5, 0, 7, 10, 8]
    assert f["next_100_eur_units"].tolist() == [0, 0, 3, 0, 0]
    np.testing.assert_array_equal(f["cost_eur"], [150.0, 324.0, 105.3, 0.0, 0.0])
    short = f["shortfall_eur"].to_numpy()
    np.testing.assert_array_equal(short[[0, 1, 2, 4]], [50.0, 0.0, 245.7, 120.0])
    assert np.isnan(short[3]) and np.isnan(f["unit_price_eur"].iloc[3])
    assert f["limit_detail"].iloc[0] == "max_units_per_year 30 -> 15 for 26 weeks"
    assert f["limit_detail"].iloc[2] == (
        "one more unit costs 35.10 EUR, 20.70 EUR not used by the items up to it"
    )
    assert (
        f["limit_detail"].iloc[3]
        == "no catalogue row applies: age 40 not in 0-17; group GRT not in FT, BSAC"
    )
    assert f["limit_detail"].iloc[4] == (
        "4 units (the minimum) cost 60.00 EUR, 20.70 EUR not used by the items up to it; "
        "1 unit would fit"
    )
    assert f.index.tolist() == [0, 1, 2, 3, 4]  # rows of result.items
    assert "family_rank" not in f.columns


def test_family_hours_and_caps(result: AllocationResult) -> None:
    b = explain_frame(result, "B")
    assert b["units"].tolist() == [12, 1]
    assert b["limited_by"].tolist() == ["recommendation", "family_hours"]
    assert b["limit_detail"].iloc[1] == (
        "one more unit needs 1 h, 0 h of family time not used by the items up to it"
    )
    assert b.attrs["hours_used"] == 13.0 and b.attrs["hours_available"] == 13.0
    c = explain_frame(result, "C")
    assert c["units"].tolist() == [5, 0]
    assert c["upper_units"].tolist() == [5, 15]
    assert c["limited_by"].tolist() == ["item_max_units", "minimum_does_not_fit"]
    assert c["limit_detail"].tolist() == ["max_units 5", "min_units 16 > upper_units 15"]
    assert c["reason"].tolist() == ["funded", "cap_below_min"]


def test_not_offered_in_municipality(result: AllocationResult) -> None:
    d = explain_frame(result, "D")
    assert d["limited_by"].tolist() == ["not_eligible", "recommendation"]
    assert d["limit_detail"].iloc[0] == "no catalogue row for municipality Dobele"
    assert d["unit_price_eur"].iloc[1] == 4.5  # the municipality's own row applies
    text = explain_text(result, "D")
    assert "Music therapy: not available to this person — not offered in Dobele." in text


def test_limits_agree_with_the_allocation(result: AllocationResult) -> None:
    """Every binding reason is true of the allocation, whatever the policy."""
    for pid in PARTICIPANTS["participant_id"]:
        f = explain_frame(result, pid)
        s = f.attrs
        assert set(f["limited_by"].cat.categories) == set(LIMITS)
        for row in f.itertuples():
            if row.limited_by == "recommendation":
                assert row.units == row.recommended_units
            elif row.limited_by in ("legal_cap", "item_max_units"):
                assert row.units == row.upper_units < row.recommended_units
            elif row.limited_by == "not_eligible":
                assert row.reason == "not_eligible" and row.units == 0
            elif row.limited_by == "budget":
                assert row.units < row.upper_units
                assert round(row.unit_price_eur * 100) > round(s["left_eur"] * 100)
            elif row.limited_by == "family_hours":
                assert s["hours_available"] - s["hours_used"] < 1.0
        assert (f["shortfall_units"] == f["recommended_units"] - f["units"]).all()


def test_next_100_eur_matches_a_real_reallocation(result: AllocationResult) -> None:
    richer = PARTICIPANTS.assign(budget_eur=PARTICIPANTS["budget_eur"] + 100.0)
    again = allocate(richer, PLAN, SERVICES, policy=result.policy)
    gained = again.items["units"] - result.items["units"]
    for pid in PARTICIPANTS["participant_id"]:
        f = explain_frame(result, pid)
        assert f["next_100_eur_units"].tolist() == gained.loc[f.index].tolist()
        row = again.participants.set_index("participant_id").loc[pid]
        assert f.attrs["value_gain_100_eur"] == pytest.approx(row["value"] - f.attrs["value"])


def test_summary(result: AllocationResult) -> None:
    s = explain_summary(result, "A")
    part = result.participants.set_index("participant_id").loc["A"]
    assert s["budget_eur"] == 600.0
    assert s["spent_eur"] == part["spent_eur"] and s["left_eur"] == part["left_eur"]
    assert s["value"] == part["value"] and s["bound"] == part["bound"]
    assert s["status"] == part["status"] and s["policy"] == result.policy
    one = result._solved.asm.batch.subset(np.array([0]))  # A: multipliers asked for by the summary
    assert s["value_per_euro"] == pytest.approx(multipliers(one).lam[0] * 100)
    assert s["value_per_euro"] > 0 and s["hours_available"] is None
    assert s["optimal_value"] >= s["value"] - 1e-9
    assert explain_frame(result, "A").attrs == s


def test_money_is_exact_cents() -> None:
    services = [{"service": "x", "unit": "hour", "unit_price_eur": 0.29},
                {"service": "y", "unit": "trip", "unit_price_eur": 1234.01}]  # fmt: skip
    people = [{"participant_id": "P", "target_group": "GRT", "age": 40, "municipality": "M",
               "budget_eur": 1234.90}]  # fmt: skip
    plan = [_item("P", "y", 1, 2), _item("P", "x", 2, 7)]
    r = allocate(people, plan, services, policy="priority")
    f = explain_frame(r, "P")
    assert f["units"].tolist() == [1, 3]  # 1234.01 + 3 x 0.29 = 1234.88; 0.02 left
    assert f["shortfall_eur"].tolist() == [1234.01, 1.16]
    assert f["cost_eur"].tolist() == [1234.01, 0.87]  # not 3 * 0.29 = 0.8699999999999999
    text = explain_text(r, "P")
    assert "Budget 1,234.90 EUR; spent 1,234.88 EUR; left 0.02 EUR." in text
    assert "3 of 7 hours recommended, 0.87 EUR" in text
    assert "Budžets 1 234,90 EUR; izlietots 1 234,88 EUR; atlikums 0,02 EUR." in explain_text(
        r, "P", language="lv"
    )
    assert format_money(-123456789) == "-1,234,567.89 EUR"
    assert format_money(7, "lv") == "0,07 EUR"


def test_text_english(priority: AllocationResult) -> None:
    text = explain_text(priority, "A")
    lines = text.splitlines()
    assert lines[0] == "Plan of participant A (26-week period; priority order)."
    assert lines[1] == "Budget 600.00 EUR; spent 579.30 EUR; left 20.70 EUR."
    assert lines[3:8] == [
        "1. Respite care: 15 of 20 days recommended, 150.00 EUR — limited by law to 30 days a "
        "year: 15 days for this 26-week period.",
        "2. Physiotherapy: 12 of 12 sessions recommended, 324.00 EUR — fully funded.",
        "3. Psychologist: 3 of 10 sessions recommended, 105.30 EUR — the budget ran out: one "
        "more session would cost 35.10 EUR, but only 20.70 EUR is left after the services above "
        "it on the list and what this one already has; 100 EUR more would add 3 sessions.",
        "4. Child care: not available to this person — age 40 is outside the ages it is for "
        "(0-17); target group GRT is not among those it is for (FT, BSAC).",
        "5. Group sessions: 0 of 8 sessions recommended, 0.00 EUR — the smallest effective "
        "amount (4 sessions, 60.00 EUR) did not fit into what was left of the budget after the "
        "services above it on the list (20.70 EUR), although one session would have.",
    ]
    assert "Services were funded one by one in the order of the joint list." in text
    assert re.search(r"proven optimal|reaches [\d.]+% of what it reaches", lines[-2])
    assert priority.record is not None
    assert lines[-1] == f"Record {priority.record.id}."  # the run it came from
    assert explain_text(priority, "A", language="lv").splitlines()[-1] == (
        f"Ieraksts {priority.record.id}."
    )


def test_text_family_hours_and_minimum_above_cap(result: AllocationResult) -> None:
    b = explain_text(result, "B")
    assert "Family time: 13 of 13 available hours used." in b
    assert (
        "2. Psychologist: 1 of 10 sessions recommended, 35.10 EUR — the family's available time "
        "ran out (0.5 h a week, 13 h for the period): one more session would need 1 h, but only "
        "0 h is left after the services above it on the list and what this one already has." in b
    )
    c = explain_text(result, "C")
    assert (
        "1. Physiotherapy: 5 of 8 sessions recommended, 135.00 EUR — the plan sets a maximum "
        "of 5 sessions." in c
    )
    assert (
        "2. Respite care: 0 of 20 days recommended, 0.00 EUR — the smallest effective amount "
        "(16 days) is more than the rules allow for this period (limited by law to 30 days a "
        "year: 15 days for this 26-week period)." in c
    )


def test_text_latvian(priority: AllocationResult) -> None:
    text = explain_text(priority, "A", language="lv")
    assert text.splitlines()[0] == "Dalībnieka A plāns (periods: 26 nedēļas; prioritāšu secība)."
    assert "Budžets 600,00 EUR; izlietots 579,30 EUR; atlikums 20,70 EUR." in text
    assert (
        "1. Atelpas brīdis: 15 no 20 ieteiktajām dienām, 150,00 EUR — likumā noteikts ne vairāk "
        "kā 30 dienas gadā: šim periodam (26 nedēļas) — 15 dienas." in text
    )
    assert (
        "2. Fizioterapija: 12 no 12 ieteiktajām nodarbībām, 324,00 EUR — pilns finansējums." in text
    )
    assert (
        "budžeta nepietika: vēl viena nodarbība maksātu 35,10 EUR, bet pēc augstāk sarakstā "
        "esošajiem pakalpojumiem un šim pakalpojumam jau piešķirtā palika tikai 20,70 EUR; ar "
        "100 EUR vairāk būtu vēl 3 nodarbības." in text
    )
    assert "4. child_care: pakalpojums šai personai nav pieejams — vecums 40 neatbilst" in text
    assert "mazākais efektīvais apjoms (4 nodarbības, 60,00 EUR) neietilpa" in text
    assert "Pakalpojumi finansēti pēc kārtas kopīgā saraksta secībā." in text
    b = explain_text(priority, "B", language="lv")
    assert "Ģimenes laiks: izmantotas 13 h no pieejamajām 13 h." in b
    assert "1 no 10 ieteiktajām nodarbībām" in b and "ģimenes laika nepietika (0,5 h nedēļā" in b


def test_optimal_closing_line() -> None:
    r = allocate(PARTICIPANTS, PLAN, SERVICES, policy="optimal")
    for pid in PARTICIPANTS["participant_id"]:
        text = explain_text(r, pid)
        assert "This allocation is proven optimal: no other allocation within the budget" in text
        assert "pierādīti optimāls" in explain_text(r, pid, language="lv")


def test_priority_below_the_optimum_is_said() -> None:
    """Priority spends on the first item what would buy more value further down."""
    services = [{"service": "a", "unit": "session", "unit_price_eur": 60.0},
                {"service": "b", "unit": "session", "unit_price_eur": 50.0},
                {"service": "c", "unit": "session", "unit_price_eur": 50.0}]  # fmt: skip
    people = [{"participant_id": "P", "target_group": "GRT", "age": 40, "municipality": "M",
               "budget_eur": 100.0}]  # fmt: skip
    plan = [_item("P", "a", 1, 1, weight=0.45), _item("P", "b", 2, 1, weight=0.3),
            _item("P", "c", 3, 1, weight=0.25)]  # fmt: skip
    pri = allocate(people, plan, services, policy="priority")
    text = explain_text(pri, "P")
    assert pri.items["units"].tolist() == [1, 0, 0]  # value 0.45; optimum b + c = 0.55
    assert text.splitlines()[-2] == (
        "An optimal allocation would fund more of the joint list: this one reaches 81.8% of what "
        "it reaches."
    )
    assert "reaches 81,8% of" not in text
    assert "šis sasniedz 81,8% no tā." in explain_text(pri, "P", language="lv")
    assert explain_summary(pri, "P")["optimal_value"] == pytest.approx(0.55)
    opt = explain_text(allocate(people, plan, services), "P")
    assert "This differs from funding the list one by one from the top" in opt


def test_family_ranks_shown() -> None:
    plan = PLAN.assign(family_rank=[5, 4, 3, 2, 1, 1, 2, 2, 1, 1, 2])
    f = explain_frame(allocate(PARTICIPANTS, plan, SERVICES), "A")
    assert f["family_rank"].dtype == "Int64"
    assert f["family_rank"].tolist() == [5, 4, 3, 2, 1]  # equal Borda weights: team order


def test_unknown_and_rejected_participants() -> None:
    people = pd.concat(
        [PARTICIPANTS, pd.DataFrame([{"participant_id": "E", "target_group": "GRT", "age": 200,
                                      "municipality": "Dobele", "budget_eur": 10.0}])]
    )  # fmt: skip
    r = allocate(people, PLAN, SERVICES, errors="quarantine")
    with pytest.raises(InputError, match="unknown participant_id 'Z'") as err:
        explain_frame(r, "Z")
    problem = err.value.problems.iloc[0]
    assert (problem["table"], problem["column"]) == ("participants", "participant_id")
    assert problem["participant_id"] == "Z"
    with pytest.raises(InputError, match=r"'E' was rejected: participants, column age"):
        explain_text(r, "E")
    with pytest.raises(ValueError, match="language"):
        explain_text(r, "A", language="de")


def test_integer_ids_and_result_methods() -> None:
    people = PARTICIPANTS.assign(participant_id=[1, 2, 3, 4])
    plan = PLAN.assign(participant_id=PLAN["participant_id"].map({"A": 1, "B": 2, "C": 3, "D": 4}))
    r = allocate(people, plan, SERVICES)
    assert r.explain(2)["units"].tolist() == [12, 1]  # type: ignore[arg-type]
    assert r.explain_text("2").startswith("Plan of participant 2 ")
    assert r.explain_text("2", language="lv").startswith("Dalībnieka 2 plāns")


def test_same_explanation_alone_or_in_a_crowd() -> None:
    alone = allocate(PARTICIPANTS.iloc[[1]], PLAN[PLAN["participant_id"] == "B"], SERVICES)
    crowd = allocate(PARTICIPANTS, PLAN, SERVICES)
    # the same text but for the last line, which names each run's own record
    assert explain_text(alone, "B").splitlines()[:-1] == explain_text(crowd, "B").splitlines()[:-1]
    cols = ["limited_by", "units", "next_100_eur_units"]
    pd.testing.assert_frame_equal(
        explain_frame(alone, "B")[cols].reset_index(drop=True),
        explain_frame(crowd, "B")[cols].reset_index(drop=True),
    )


def test_participant_without_plan_items() -> None:
    r = allocate(PARTICIPANTS, PLAN[PLAN["participant_id"] != "D"], SERVICES, policy="priority")
    f = explain_frame(r, "D")
    assert len(f) == 0 and f.attrs["spent_eur"] == 0.0
    assert "The plan lists no services." in explain_text(r, "D")
    assert "Plānā nav pakalpojumu." in explain_text(r, "D", language="lv")


def test_participant_without_plan_items_optimal() -> None:
    r = allocate(PARTICIPANTS, PLAN[PLAN["participant_id"] != "D"], SERVICES)
    assert "The plan lists no services." in explain_text(r, "D")
