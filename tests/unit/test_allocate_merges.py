"""``allocate(..., merge=...)``: each merge's weights reach the solver; explicit weights win."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.allocation import RankMerge

SERVICES = pd.DataFrame(
    {
        "service": ["a", "b", "c", "d"],
        "unit": ["session"] * 4,
        "unit_price_eur": [10.0, 12.0, 8.0, 20.0],
    }
)
PARTICIPANTS = pd.DataFrame(
    {
        "participant_id": ["P1", "P2"],
        "target_group": ["GRT", "FT"],
        "age": [40, 8],
        "municipality": ["Dobele", "Dobele"],
        "budget_eur": [100.0, 60.0],
    }
)


def _items(**extra: list[object]) -> pd.DataFrame:
    base = {
        "participant_id": ["P1"] * 4 + ["P2"] * 3,
        "service": ["a", "b", "c", "d", "a", "b", "c"],
        "team_rank": [1, 2, 3, 4, 1, 2, 3],
        "family_rank": [2, 1, 4, 3, 3, 1, 2],
        "recommended_units": [5, 5, 5, 5, 4, 4, 4],
    }
    base.update(extra)
    return pd.DataFrame(base)


def _weights(result: ibm.AllocationResult, pid: str) -> dict[str, float]:
    rows = result.items[result.items["participant_id"] == pid]
    return dict(zip(rows["service"], rows["weight"], strict=True))


def test_default_is_the_contract_borda() -> None:
    r = ibm.allocate(PARTICIPANTS, _items(), SERVICES)
    w = _weights(r, "P1")  # team points 4,3,2,1; family 3,4,1,2; joint /20
    assert w == pytest.approx({"a": 3.5 / 10, "b": 3.5 / 10, "c": 1.5 / 10, "d": 1.5 / 10})


@pytest.mark.parametrize(
    ("merge", "order"),
    [("team_first", ["a", "b", "c", "d"]), ("family_first", ["b", "a", "d", "c"])],
)
def test_lexicographic_merges_give_linear_weights_in_their_order(
    merge: str, order: list[str]
) -> None:
    w = _weights(ibm.allocate(PARTICIPANTS, _items(), SERVICES, merge=merge), "P1")
    assert [w[s] for s in order] == pytest.approx([0.4, 0.3, 0.2, 0.1])


def test_tiers_put_essential_items_first_and_family_orders_within() -> None:
    tiers = [
        "recommended",
        "essential",
        "essential",
        "optional",
        "essential",
        "optional",
        "optional",
    ]
    r = ibm.allocate(PARTICIPANTS, _items(team_tier=tiers), SERVICES, merge="tiers")
    w = _weights(r, "P1")
    assert sorted(w, key=lambda s: -w[s]) == ["b", "c", "a", "d"]


def test_geometric_weights() -> None:
    m = RankMerge("team_first", weights="geometric", ratio=0.5)
    w = _weights(ibm.allocate(PARTICIPANTS, _items(), SERVICES, merge=m), "P2")
    assert [w[s] for s in "abc"] == pytest.approx([4 / 7, 2 / 7, 1 / 7])


def test_kemeny_of_three_rankers() -> None:
    young = [4, 3, 2, 1, 3, 2, 1]
    m = RankMerge(
        "kemeny", rankers=("team_rank", "family_rank", "rank_young"), ranker_weights=(1, 1, 1)
    )
    r = ibm.allocate(PARTICIPANTS, _items(rank_young=young), SERVICES, merge=m)
    w = _weights(r, "P2")  # P2: team a<b<c, family b<c<a, young c<b<a -> majority b, c, a
    assert sorted(w, key=lambda s: -w[s]) == ["b", "c", "a"]


def test_explicit_weights_win_over_any_merge() -> None:
    items = _items(weight=[1.0, 2.0, 3.0, 4.0, 1.0, 1.0, 1.0])
    for merge in ("borda", "tiers", "family_first"):
        r = ibm.allocate(PARTICIPANTS, items.assign(team_tier="essential"), SERVICES, merge=merge)
        assert _weights(r, "P1") == {"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}


def test_agreeing_rankings_give_the_same_order_in_every_merge() -> None:
    items = _items(family_rank=[1, 2, 3, 4, 1, 2, 3], team_tier="essential")
    orders = set()
    for merge in ("borda", "tiers", "team_first", "family_first", "kemeny"):
        w = _weights(ibm.allocate(PARTICIPANTS, items, SERVICES, merge=merge), "P1")
        orders.add(tuple(sorted(w, key=lambda s: -w[s])))
    assert orders == {("a", "b", "c", "d")}


def test_bad_merge_inputs_name_the_column() -> None:
    with pytest.raises(ibm.InputError, match="team_tier"):
        ibm.allocate(PARTICIPANTS, _items(), SERVICES, merge="tiers")
    with pytest.raises(ibm.InputError, match="team_tier"):
        ibm.allocate(PARTICIPANTS, _items(team_tier="urgent"), SERVICES, merge="tiers")
    with pytest.raises(ibm.InputError, match="rank_young"):
        ibm.allocate(
            PARTICIPANTS, _items(), SERVICES, merge=RankMerge("kemeny", rankers=("rank_young",))
        )
    with pytest.raises(ibm.InputError, match=r"merge\.kind"):
        ibm.allocate(PARTICIPANTS, _items(), SERVICES, merge="votes")


def test_merge_results_stay_optimal_and_within_budget() -> None:
    p, i, s = ibm.synthetic_zemgale(seed=4, n_grt=10, n_ft=10, n_bsac=5)
    i = i.assign(team_tier=np.where(i["team_rank"] <= 2, "essential", "recommended"))
    for merge in ("tiers", "family_first", "kemeny"):
        r = ibm.allocate(p, i, s, merge=merge)
        assert (r.participants["spent_eur"] <= r.participants["budget_eur"]).all()
        assert (r.participants["status"] == "optimal").all()
