"""Waiting lists (per participant) and what extra programme money buys (region-wide).

The hand-made case (period 26 weeks), checked by hand:

W (budget 500.00 EUR), joint list = team order:
  1. physiotherapy 27.00 x 12 -> funded, 324.00 EUR
  2. psychologist  35.00 x 10 -> priority: floor(176.00 / 35.00) = 5 (175.00 EUR), 1.00 left;
     missing 5 = 175.00 EUR, 174.00 EUR beyond what is left
  3. music_therapy 30.00 x 6, min 4 -> priority: 0; all 6 = 180.00 (179.00 extra), the minimum
     4 = 120.00 (119.00 extra); down to here 175.00 + 180.00 - 1.00 = 354.00 extra
  4. child_care    ages 0-17 only -> not eligible (age 40): shown, not fundable
X (budget 100.00 EUR, 2 family hours a week = 52 hours): psychologist max_units 2 < min 3 ->
  cap_below_min; physiotherapy (1 h per session) 3 sessions = 81.00, 19.00 left.
Y (budget 1000.00 EUR): everything funded, no waiting list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine import InputError
from ibm_engine.allocation import ExtraMoney
from ibm_engine.allocation._extra_money import what_extra_money_buys
from ibm_engine.allocation._waiting import waiting_list

SERVICES = pd.DataFrame(
    [
        {"service": "physiotherapy", "unit": "session", "unit_price_eur": 27.0,
         "hours_per_unit": 1.0},
        {"service": "psychologist", "unit": "session", "unit_price_eur": 35.0},
        {"service": "music_therapy", "unit": "session", "unit_price_eur": 30.0},
        {"service": "child_care", "unit": "hour", "unit_price_eur": 5.0, "max_age": 17},
    ]
)  # fmt: skip
PEOPLE = pd.DataFrame(
    [
        {"participant_id": "W", "target_group": "GRT", "age": 40, "municipality": "Dobele",
         "budget_eur": 500.0},
        {"participant_id": "X", "target_group": "GRT", "age": 40, "municipality": "Dobele",
         "budget_eur": 100.0, "family_hours_per_week": 2.0},
        {"participant_id": "Y", "target_group": "GRT", "age": 40, "municipality": "Dobele",
         "budget_eur": 1000.0},
    ]
)  # fmt: skip
PLAN = pd.DataFrame(
    [
        {"participant_id": "W", "service": "physiotherapy", "team_rank": 1,
         "recommended_units": 12},
        {"participant_id": "W", "service": "psychologist", "team_rank": 2, "recommended_units": 10},
        {"participant_id": "W", "service": "music_therapy", "team_rank": 3, "recommended_units": 6,
         "min_units": 4},
        {"participant_id": "W", "service": "child_care", "team_rank": 4, "recommended_units": 6},
        {"participant_id": "X", "service": "psychologist", "team_rank": 1, "recommended_units": 10,
         "max_units": 2, "min_units": 3},
        {"participant_id": "X", "service": "physiotherapy", "team_rank": 2,
         "recommended_units": 60},
        {"participant_id": "Y", "service": "physiotherapy", "team_rank": 1, "recommended_units": 2},
    ]
)  # fmt: skip


def _hand(policy: str = "priority") -> ibm.AllocationResult:
    return ibm.allocate(PEOPLE, PLAN, SERVICES, policy=policy)


@pytest.fixture(scope="module")
def region() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return ibm.synthetic_zemgale(seed=11, n_grt=12, n_ft=12, n_bsac=6)


# --------------------------------------------------------------------------- waiting_list


def test_hand_case_money_to_the_cent() -> None:
    w = waiting_list(_hand(), "W")
    assert w["service"].tolist() == ["psychologist", "music_therapy", "child_care"]
    assert w["position"].tolist() == [2, 3, 4]
    assert w["waiting_rank"].tolist() == [1, 2, pd.NA]
    assert w["fundable"].tolist() == [True, True, False]
    assert w["missing_units"].tolist() == [5, 6, pd.NA]
    got = w[["cost_to_upper_eur", "left_eur", "extra_to_upper_eur", "extra_cumulative_eur"]]
    assert got.iloc[:2].to_numpy().tolist() == [
        [175.0, 1.0, 174.0, 174.0],
        [180.0, 1.0, 179.0, 354.0],
    ]
    assert w["minimum_units"].tolist()[:2] == [pd.NA, 4]
    assert w["cost_to_minimum_eur"].tolist()[1] == 120.0
    assert w["extra_to_minimum_eur"].tolist()[1] == 119.0
    assert w.iloc[2][["cost_to_upper_eur", "extra_to_upper_eur"]].isna().all()
    assert w.iloc[2]["reason"] == "not_eligible"
    # the index points back at result.items
    assert w.index.tolist() == [1, 2, 3]


def test_cap_below_min_and_family_hours() -> None:
    w = waiting_list(_hand(), "X")
    assert w["reason"].tolist() == ["cap_below_min", "partly_funded"]
    assert w["fundable"].tolist() == [False, True]
    physio = w.iloc[1]
    # 52 hours: 3 sessions use 3 h (money binds: 3 x 27.00 = 81.00 of 100.00)
    assert (physio["units"], physio["missing_units"]) == (3, 57)
    assert physio["cost_to_upper_eur"] == 57 * 27.0
    assert physio["extra_to_upper_eur"] == 57 * 27.0 - 19.0
    assert physio["hours_short"] == 57 - 49  # 57 more hours, 49 left


def test_funded_participants_have_empty_lists() -> None:
    assert waiting_list(_hand(), "Y").empty


@pytest.mark.parametrize("policy", ["priority", "optimal"])
def test_all_participants_at_once_equals_one_by_one(policy: str) -> None:
    r = _hand(policy)
    whole = waiting_list(r)
    parts = pd.concat([waiting_list(r, pid) for pid in ["W", "X", "Y"]])
    pd.testing.assert_frame_equal(whole, parts)


@pytest.mark.parametrize("policy", ["priority", "optimal"])
def test_money_from_the_public_tables(region: tuple[pd.DataFrame, ...], policy: str) -> None:
    """Every money column recomputed in integer cents from result.items / participants."""
    r = ibm.allocate(*region, policy=policy)
    w = waiting_list(r)
    items = r.items.loc[w.index]
    assert set(items["reason"]) <= {"partly_funded", "not_funded", "not_eligible", "cap_below_min"}
    assert not (r.items.drop(w.index)["reason"] != "funded").any()  # nothing else left out
    fund = w[w["fundable"]]
    it = items.loc[fund.index]
    left = r.participants.set_index("participant_id").loc[fund["participant_id"], "left_eur"]
    left_c = np.round(left.to_numpy() * 100).astype(np.int64)
    price_c = np.round(it["unit_price_eur"].to_numpy() * 100).astype(np.int64)
    missing = (it["upper_units"] - it["units"]).to_numpy()
    cost_c = missing * price_c
    np.testing.assert_array_equal(np.round(fund["cost_to_upper_eur"] * 100), cost_c)
    np.testing.assert_array_equal(
        np.round(fund["extra_to_upper_eur"] * 100), np.maximum(cost_c - left_c, 0)
    )
    running = fund.assign(c=cost_c).groupby("participant_id", sort=False)["c"].cumsum()
    np.testing.assert_array_equal(
        np.round(fund["extra_cumulative_eur"] * 100), np.maximum(running.to_numpy() - left_c, 0)
    )
    # money columns are whole cents
    cents = fund["cost_to_upper_eur"].to_numpy() * 100
    assert np.allclose(cents, np.round(cents), rtol=0, atol=1e-6)


def _with_budgets(
    region: tuple[pd.DataFrame, ...], rows: pd.DataFrame, extra_col: str
) -> ibm.AllocationResult:
    """One copy of each row's participant (id 'pid#k') with its budget plus the extra."""
    people, plan, services = region
    copies, items = [], []
    for k, (pid, extra) in enumerate(zip(rows["participant_id"], rows[extra_col], strict=True)):
        me = people[people["participant_id"] == pid].copy()
        me["participant_id"] = f"{pid}#{k}"
        me["budget_eur"] = round(float(me["budget_eur"].iloc[0]) + extra, 2)
        copies.append(me)
        mine = plan[plan["participant_id"] == pid].copy()
        mine["participant_id"] = f"{pid}#{k}"
        items.append(mine)
    return ibm.allocate(pd.concat(copies), pd.concat(items), services, policy="priority")


def test_cumulative_extra_funds_the_list_down_to_the_item_under_priority(
    region: tuple[pd.DataFrame, ...],
) -> None:
    people, plan, services = region
    people = people.drop(columns=["family_hours_per_week"])  # money alone must decide
    r = ibm.allocate(people, plan, services, policy="priority")
    w = waiting_list(r)
    fund = w[w["fundable"]]
    more = _with_budgets((people, plan, services), fund, "extra_cumulative_eur")
    for k, (pid, service) in enumerate(zip(fund["participant_id"], fund["service"], strict=True)):
        rows = more.items[more.items["participant_id"] == f"{pid}#{k}"].set_index("service")
        above = fund[
            (fund["participant_id"] == pid) & (fund["position"] <= fund["position"].iloc[k])
        ]
        assert (rows.loc[above["service"], "reason"] == "funded").all(), (pid, service)


def test_extra_to_upper_makes_the_item_affordable_under_optimal(
    region: tuple[pd.DataFrame, ...],
) -> None:
    """With that much more, the optimum is worth at least the allocation plus the item at U."""
    r = ibm.allocate(*region, policy="optimal")
    w = waiting_list(r)
    fund = w[w["fundable"] & (w["hours_short"] == 0)].head(25)
    people, plan, services = region
    copies = []
    for k, (pid, extra) in enumerate(
        zip(fund["participant_id"], fund["extra_to_upper_eur"], strict=True)
    ):
        me = people[people["participant_id"] == pid].copy()
        me["participant_id"], me["budget_eur"] = (
            f"{pid}#{k}",
            round(me["budget_eur"].iloc[0] + extra, 2),
        )
        copies.append((me, plan[plan["participant_id"] == pid].assign(participant_id=f"{pid}#{k}")))
    more = ibm.allocate(
        pd.concat([c[0] for c in copies]), pd.concat([c[1] for c in copies]), services
    )
    value_now = r.participants.set_index("participant_id")["value"]
    items = r.items.loc[fund.index]
    gain = items["weight"] * (items["upper_units"] - items["units"]) / items["recommended_units"]
    after = more.participants["value"].to_numpy()
    assert (
        after >= value_now.loc[fund["participant_id"]].to_numpy() + gain.to_numpy() - 1e-9
    ).all()


def test_unknown_participant() -> None:
    with pytest.raises(InputError, match="nobody"):
        waiting_list(_hand(), "nobody")


# --------------------------------------------------------------------------- extra money

DUO_SERVICES = pd.DataFrame(
    [
        {"service": "physiotherapy", "unit": "session", "unit_price_eur": 25.0},
        {"service": "psychologist", "unit": "session", "unit_price_eur": 50.0},
        {"service": "group_home", "unit": "month", "unit_price_eur": 250.0},
    ]
)
DUO_PEOPLE = pd.DataFrame(
    [
        {"participant_id": pid, "target_group": "GRT", "age": 40, "municipality": "Dobele",
         "budget_eur": 100.0}
        for pid in ("A", "B")
    ]
)  # fmt: skip
DUO_PLAN = pd.DataFrame(
    [
        {"participant_id": "A", "service": "physiotherapy", "team_rank": 1, "recommended_units": 8},
        {"participant_id": "B", "service": "psychologist", "team_rank": 1, "recommended_units": 6},
    ]
)


@pytest.mark.parametrize("policy", ["priority", "optimal"])
def test_hand_case_grants(policy: str) -> None:
    """A: +100 buys 4 of 8 sessions (0.5); B: +100 buys 2 of 6 (1/3); then B +50: 1 more."""
    more = what_extra_money_buys(
        ibm.allocate(DUO_PEOPLE, DUO_PLAN, DUO_SERVICES, policy=policy), 250.0
    )
    g = more.grants
    assert g["participant_id"].tolist() == ["A", "B", "B"]
    assert g["grant_eur"].tolist() == [100.0, 100.0, 50.0]
    assert g["units_gained"].tolist() == [
        {"physiotherapy": 4},
        {"psychologist": 2},
        {"psychologist": 1},
    ]
    np.testing.assert_allclose(g["value_gained"], [0.5, 1 / 3, 1 / 6])
    assert g["budget_before_eur"].tolist() == [100.0, 100.0, 200.0]
    assert (more.granted_eur, more.unspent_eur) == (250.0, 0.0)
    p = more.participants
    assert p["participant_id"].tolist() == ["A", "B"]
    assert p["extra_eur"].tolist() == [100.0, 150.0]
    assert p["units_gained"].tolist() == [{"physiotherapy": 4}, {"psychologist": 3}]
    assert isinstance(more, ExtraMoney) and "granted_eur=250.00" in repr(more)


def test_lookahead_sees_past_a_lumpy_price() -> None:
    """A group-home month costs 250.00: one or two steps of 100 buy nothing, three buy it."""
    plan = pd.DataFrame(
        [{"participant_id": "A", "service": "group_home", "team_rank": 1, "recommended_units": 2}]
    )
    people = DUO_PEOPLE.iloc[:1].assign(budget_eur=0.0)
    r = ibm.allocate(people, plan, DUO_SERVICES)
    plain = what_extra_money_buys(r, 600.0, lookahead=1)
    assert plain.grants.empty and plain.unspent_eur == 600.0 and plain.value_gained == 0.0
    seeing = what_extra_money_buys(r, 600.0, lookahead=3)
    assert seeing.grants["grant_eur"].tolist() == [300.0, 200.0]
    assert seeing.grants["units_gained"].tolist() == [{"group_home": 1}, {"group_home": 1}]
    assert seeing.unspent_eur == 100.0


def test_first_grant_is_the_best_next_step() -> None:
    """With lookahead 1 the first grant goes to the participant whose +100 buys most."""
    people, plan, services = ibm.synthetic_zemgale(seed=5, n_grt=8, n_ft=8, n_bsac=4)
    r = ibm.allocate(people, plan, services)
    more = what_extra_money_buys(r, 100.0, lookahead=1)
    plus = ibm.allocate(people.assign(budget_eur=people["budget_eur"] + 100.0), plan, services)
    gain = plus.participants["value"].to_numpy() - r.participants["value"].to_numpy()
    assert (
        more.grants["participant_id"].iloc[0] == people["participant_id"].iloc[int(np.argmax(gain))]
    )
    assert more.grants["value_gained"].iloc[0] == pytest.approx(gain.max(), abs=1e-12)


@pytest.mark.parametrize("policy", ["priority", "optimal"])
@pytest.mark.parametrize("extra", [0.0, 1234.56, 8000.0])
def test_pot_is_never_exceeded_and_gains_reproduce(
    region: tuple[pd.DataFrame, ...], policy: str, extra: float
) -> None:
    people, plan, services = region
    r = ibm.allocate(people, plan, services, policy=policy)
    more = what_extra_money_buys(r, extra)
    g, p = more.grants, more.participants
    assert more.granted_eur <= extra
    assert round(more.granted_eur + more.unspent_eur, 2) == extra
    assert round(g["grant_eur"].sum(), 2) == more.granted_eur == round(p["extra_eur"].sum(), 2)
    assert more.value_gained == pytest.approx(g["value_gained"].sum(), abs=1e-12)
    assert more.value_gained == pytest.approx(p["value_gained"].sum(), abs=1e-9)
    if extra == 0.0:
        assert g.empty and p.empty
        return
    assert (g["value_gained"] > 0).all()
    # re-allocating everyone with the new budgets reproduces the reported gains
    new = people.set_index("participant_id")["budget_eur"].copy()
    new.loc[p["participant_id"]] = p["new_budget_eur"].to_numpy()
    again = ibm.allocate(people.assign(budget_eur=new.to_numpy()), plan, services, policy=policy)
    gained = again.participants["value"].to_numpy() - r.participants["value"].to_numpy()
    got = pd.Series(gained, index=people["participant_id"].to_numpy())
    np.testing.assert_allclose(got.loc[p["participant_id"]], p["value_gained"], atol=1e-9)
    assert np.abs(got.drop(p["participant_id"])).max() < 1e-12


@pytest.mark.parametrize(
    ("kwargs", "column"),
    [
        ({"extra_eur": -1.0}, "extra_eur"),
        ({"extra_eur": 10.005}, "extra_eur"),
        ({"extra_eur": "100"}, "extra_eur"),
        ({"extra_eur": 100.0, "step_eur": 0.0}, "step_eur"),
        ({"extra_eur": 100.0, "lookahead": 0}, "lookahead"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], column: str) -> None:
    with pytest.raises(InputError) as err:
        what_extra_money_buys(_hand(), **kwargs)  # type: ignore[arg-type]
    assert err.value.problems["column"].tolist() == [column]
