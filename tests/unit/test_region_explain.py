"""A region result explains each participant's items: which provider was full, with its use and
shadow price (issue 10). Every stated cause is checked against the result's own tables."""

from __future__ import annotations

import pandas as pd
import pytest

import ibm_engine as ibm


@pytest.fixture(scope="module")
def region() -> ibm.RegionResult:
    p, i, s = ibm.synthetic_zemgale(seed=3, n_grt=20, n_ft=20, n_bsac=10)
    alone = ibm.allocate(p, i, s)
    use = alone.items.merge(p[["participant_id", "municipality"]])
    caps = use.groupby(["municipality", "service"])["units"].sum().reset_index()
    caps["units"] = (caps["units"] * 0.7).astype(int)
    return ibm.allocate_region(p, i, s, caps)


def test_every_cause_is_true(region: ibm.RegionResult) -> None:
    caps = region.shadow_prices.set_index(["municipality", "service"])
    seen = set()
    for pid in region.participants["participant_id"]:
        f = region.explain(pid)
        muni = f.attrs["municipality"]
        has_cut = bool((f["region_cause"] == "capacity").any())
        for row in f.itertuples():
            seen.add(row.region_cause)
            if row.region_cause == "as_alone":
                assert row.units == row.units_alone
                continue
            assert row.units != row.units_alone
            if row.region_cause == "capacity":
                cap = caps.loc[(muni, row.service)]
                assert cap["used_units"] >= cap["capacity_units"]  # the provider is full
                assert row.used_units == cap["used_units"]
                assert row.capacity_units == cap["capacity_units"]
                assert row.units < row.units_alone
            elif row.region_cause == "knock_on":
                assert has_cut
            else:
                assert row.region_cause == "region_choice" and not has_cut
    assert {"as_alone", "capacity"} <= seen


def test_text_states_the_numbers(region: ibm.RegionResult) -> None:
    pid = str(region.lost["participant_id"].iloc[0])
    f = region.explain(pid)
    text = region.explain_text(pid)
    lines = text.splitlines()
    assert lines[0].startswith(f"Participant {pid} in the region run")
    assert len(lines) == len(f) + 3  # the heading, the items, the gap, the record
    assert lines[-1] == f"Record {region.record.id}."
    assert region.explain_text(pid, "lv").splitlines()[-1] == f"Ieraksts {region.record.id}."
    names = region.service_names
    for k, row in enumerate(f.itertuples(), start=1):
        line = lines[k]
        name = names[row.service][0]
        assert line.startswith(f"{k}. {name}: {row.units} of {row.recommended_units} ")
        if row.region_cause == "capacity":
            assert f"({int(row.used_units)} of {int(row.capacity_units)} " in line
            assert f"{row.units_lost} fewer than without capacity limits" in line
    assert "proven" in lines[-2]
    lv = region.explain_text(pid, "lv")
    assert lv.splitlines()[0].startswith(f"Dalībnieks {pid} reģiona aprēķinā")


def test_unknown_and_rejected_participants() -> None:
    svc = [{"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0}]
    people = [
        {"participant_id": p, "target_group": "GRT", "age": a, "municipality": "Dobele",
         "budget_eur": 500.0}
        for p, a in (("P1", 40), ("P2", 200))
    ]  # fmt: skip
    plan = [
        {"participant_id": p, "service": "physiotherapy", "team_rank": 1, "recommended_units": 10}
        for p in ("P1", "P2")
    ]
    caps = pd.DataFrame([{"municipality": "Dobele", "service": "physiotherapy", "units": 5}])
    r = ibm.allocate_region(people, plan, svc, caps, errors="quarantine")
    assert r.explain("P1")["region_cause"].tolist() == ["capacity"]
    with pytest.raises(ibm.InputError, match="was rejected"):
        r.explain("P2")
    with pytest.raises(ibm.InputError, match="unknown participant_id"):
        r.explain("P9")
    with pytest.raises(ibm.InputError, match="lang"):
        r.explain_text("P1", "de")


def test_both_languages_word_every_cause() -> None:
    from ibm_engine.region._capacity_explain import _WORDS, REGION_CAUSES

    assert set(_WORDS["en"]) == set(_WORDS["lv"])
    assert {c for c in REGION_CAUSES if c != "as_alone"} <= set(_WORDS["en"])
