"""Worked cases of the priority merges and weight functions (``ibm_engine.priorities``),
their errors, and the examples of ``docs/merges.md`` (run, with their printed output checked)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

import ibm_engine.priorities as pr
from ibm_engine.errors import InputError


def csr(*sizes: int) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, owner) of participants with these list lengths, items contiguous."""
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return offsets, np.repeat(np.arange(len(sizes)), sizes).astype(np.int64)


def a(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


# --------------------------------------------------------------------------- tiers


def test_tiers_then_family_order() -> None:
    off, own = csr(5)
    tier = a(0, 0, 1, 1, 2)
    rank = pr.tiered_rank(off, own, tier, a(1, 2, 3, 4, 5), a(2, 4, 5, 1, 3))
    assert rank.tolist() == [1, 2, 4, 3, 5]


def test_tiers_without_family_give_the_team_order_per_tier() -> None:
    off, own = csr(4)
    rank = pr.tiered_rank(off, own, a(2, 0, 1, 0), a(1, 2, 3, 4))
    assert rank.tolist() == [4, 1, 3, 2]
    same = pr.tiered_rank(off, own, a(2, 0, 1, 0), a(1, 2, 3, 4), a(0, 0, 0, 0))
    assert same.tolist() == rank.tolist()


def test_tiers_unranked_items_follow_the_familys_ranked_ones_in_team_order() -> None:
    off, own = csr(4)
    rank = pr.tiered_rank(off, own, a(0, 0, 0, 0), a(1, 2, 3, 4), a(0, 0, 5, 0))
    assert rank.tolist() == [2, 3, 1, 4]


def test_tiers_codes_are_only_compared_and_team_breaks_family_ties() -> None:
    off, own = csr(3)
    rank = pr.tiered_rank(off, own, a(7, 3, 7), a(3, 2, 1), a(1, 9, 1))
    assert rank.tolist() == [3, 1, 2]
    assert (pr.ESSENTIAL, pr.RECOMMENDED, pr.OPTIONAL) == (0, 1, 2)
    assert pr.TIERS[pr.OPTIONAL] == "optional"


def test_negative_tier_names_each_participant() -> None:
    off, own = csr(2, 2, 1)
    with pytest.raises(InputError) as err:
        pr.tiered_rank(off, own, a(0, -1, 0, 0, -2), a(1, 2, 1, 2, 1), participant_ids=list("ABC"))
    assert err.value.problems["participant_id"].tolist() == ["A", "C"]
    assert set(err.value.problems["column"]) == {"tier"}


def test_mismatched_arrays_are_an_input_error() -> None:
    off, own = csr(3)
    with pytest.raises(InputError, match="tier has 2 entries for 3 items"):
        pr.tiered_rank(off, own, a(0, 1), a(1, 2, 3))
    with pytest.raises(InputError, match="owner's counts"):
        pr.team_first_rank(a(0, 2, 3), a(0, 0, 0), a(1, 2, 3), None)
    with pytest.raises(InputError, match="owner must hold"):
        pr.team_first_rank(off, a(0, 0, 1), a(1, 2, 3), None)
    with pytest.raises(InputError, match="offsets must rise"):
        pr.team_first_rank(a(0, 2), own, a(1, 2, 3), None)


# --------------------------------------------------------------------------- lexicographic


def test_team_first_is_the_team_order_when_its_ranks_are_unique() -> None:
    off, own = csr(4)
    rank = pr.team_first_rank(off, own, a(3, 1, 4, 2), a(1, 2, 3, 4))
    assert rank.tolist() == [3, 1, 4, 2]


def test_team_first_lets_the_family_break_ties() -> None:
    off, own = csr(5)
    rank = pr.team_first_rank(off, own, a(1, 2, 2, 3, 3), a(2, 4, 5, 1, 3))
    assert rank.tolist() == [1, 2, 3, 4, 5]
    rank = pr.team_first_rank(off, own, a(1, 2, 2, 3, 3), a(2, 5, 4, 3, 1))
    assert rank.tolist() == [1, 3, 2, 5, 4]


def test_family_first_and_its_fallbacks() -> None:
    off, own = csr(4, 3)
    team = a(1, 2, 3, 4, 1, 2, 3)
    family = a(4, 0, 1, 2, 0, 0, 0)
    rank = pr.family_first_rank(off, own, team, family)
    # participant 0: family ranked 3 of 4 (item 1 unranked, goes last); participant 1: none
    assert rank.tolist() == [3, 4, 1, 2, 1, 2, 3]
    assert pr.family_first_rank(off, own, team, None).tolist() == [1, 2, 3, 4, 1, 2, 3]


def test_complete_ties_share_the_smallest_position() -> None:
    off, own = csr(4)
    rank = pr.team_first_rank(off, own, a(1, 2, 2, 3), a(0, 0, 0, 0))
    assert rank.tolist() == [1, 2, 2, 4]
    w = pr.linear_weights(off, own, rank)
    assert w[1] == w[2] and w.sum() == pytest.approx(1.0)


def test_lexicographic_rank_with_items_in_any_order() -> None:
    off = a(0, 2, 5)
    own = a(1, 0, 1, 0, 1)
    rank = pr.lexicographic_rank(off, own, [a(3, 2, 1, 1, 2)])
    assert rank.tolist() == [3, 2, 1, 1, 2]


# --------------------------------------------------------------------------- Kemeny


FAMILY = np.array([[1, 2, 3, 4], [2, 4, 4, 5], [3, 5, 5, 3], [4, 1, 1, 2], [5, 3, 2, 1]])


def test_kemeny_worked_example() -> None:
    off, own = csr(5)
    rank = pr.kemeny_rank(off, own, FAMILY, [2, 1, 1, 1], a(1, 2, 3, 4, 5))
    assert rank.tolist() == [2, 4, 5, 1, 3]
    dist = pr.kemeny_distance(off, own, FAMILY, [2, 1, 1, 1], rank)
    assert dist.tolist() == [15.0]


def test_kemeny_absent_ranker_is_left_out() -> None:
    off, own = csr(5, 5)
    both = np.vstack([FAMILY, FAMILY])
    both[5:, 3] = 0  # the young person of the second participant ranked nothing
    rank = pr.kemeny_rank(off, own, both, [2, 1, 1, 1], np.tile(a(1, 2, 3, 4, 5), 2))
    alone = pr.kemeny_rank(csr(5)[0], csr(5)[1], FAMILY[:, :3], [2, 1, 1], a(1, 2, 3, 4, 5))
    assert rank[5:].tolist() == alone.tolist()
    assert rank[:5].tolist() == [2, 4, 5, 1, 3]


def test_kemeny_partial_ranker_speaks_only_of_the_pairs_it_ranked() -> None:
    off, own = csr(3)
    # team 1 2 3; the parent ranked only items 2 and 3, reversed, with more weight
    rank = pr.kemeny_rank(off, own, np.array([[1, 0], [2, 2], [3, 1]]), [1, 3], a(1, 2, 3))
    assert rank.tolist() == [1, 3, 2]


def test_kemeny_without_information_keeps_the_team_order() -> None:
    off, own = csr(20)
    team = np.arange(20, 0, -1)
    rank = pr.kemeny_rank(off, own, np.zeros((20, 2), dtype=np.int64), [1, 1], team)
    assert rank.tolist() == team.tolist()
    rank = pr.kemeny_rank(off, own, np.column_stack([team, team[::-1]]), [0, 0], team)
    assert rank.tolist() == team.tolist()


def test_kemeny_tie_goes_to_the_team_order() -> None:
    off, own = csr(2)
    rank = pr.kemeny_rank(off, own, np.array([[1, 2], [2, 1]]), [1, 1], a(2, 1))
    assert rank.tolist() == [2, 1]


def test_kemeny_long_list_with_a_strict_majority_is_exact_beyond_the_block_limit() -> None:
    off, own = csr(30)
    order = np.random.default_rng(3).permutation(30) + 1
    rankings = np.column_stack([order, order, np.arange(1, 31)])
    rank = pr.kemeny_rank(off, own, rankings, [1, 1, 1], np.arange(1, 31))
    assert rank.tolist() == order.tolist()


def test_kemeny_condorcet_cycle_of_three() -> None:
    off, own = csr(3)
    rankings = np.array([[1, 3, 2], [2, 1, 3], [3, 2, 1]])  # a beats b beats c beats a
    rank = pr.kemeny_rank(off, own, rankings, [1, 1, 1], a(1, 2, 3))
    assert rank.tolist() == [1, 2, 3]  # three orders tie at 4; the team's is smallest
    rank = pr.kemeny_rank(off, own, rankings, [1, 1, 1], a(3, 1, 2))
    assert rank.tolist() == [3, 1, 2]  # b c a: team ranks 1 2 3


def test_kemeny_big_cycle_and_repeated_team_ranks_name_the_participants() -> None:
    n = 16
    off, own = csr(3, n, 2)
    base = np.arange(n)
    cycle = np.column_stack([(base + s) % n + 1 for s in (0, 5, 10)])  # a majority cycle
    rankings = np.vstack([np.ones((3, 3)), cycle, np.ones((2, 3))]).astype(np.int64)
    team = np.concatenate([a(1, 2, 3), base + 1, a(1, 1)])
    with pytest.raises(InputError) as err:
        pr.kemeny_rank(off, own, rankings, [1, 1, 1], team, participant_ids=["P1", "P2", "P3"])
    problems = err.value.problems
    assert problems[["participant_id", "column"]].values.tolist() == [
        ["P3", "team_rank"],
        ["P2", "rankings"],
    ]
    assert "15" in problems["reason"].iloc[1]


@pytest.mark.parametrize(
    ("weights", "match"),
    [([1, 1], "2 ranker weights for 3 rankers"), ([1, -1, 1], ">= 0"), ([1, np.nan, 1], ">= 0")],
)
def test_kemeny_bad_ranker_weights(weights: list[float], match: str) -> None:
    off, own = csr(2)
    with pytest.raises(InputError, match=match):
        pr.kemeny_rank(off, own, np.ones((2, 3), dtype=np.int64), weights, a(1, 2))


def test_kemeny_rankings_must_be_a_matrix() -> None:
    off, own = csr(2)
    with pytest.raises(InputError, match="2-D"):
        pr.kemeny_rank(off, own, a(1, 2), [1], a(1, 2))


def test_kemeny_empty_and_single_item_participants() -> None:
    off, own = csr(0, 1, 0)
    rank = pr.kemeny_rank(off, own, np.array([[3, 0]]), [1, 1], a(4))
    assert rank.tolist() == [1]
    assert pr.kemeny_distance(off, own, np.array([[3, 0]]), [1, 1], rank).tolist() == [0, 0, 0]


# --------------------------------------------------------------------------- weights


def test_linear_weights_of_the_team_order_are_the_borda_weights() -> None:
    off, own = csr(4, 2)
    team = a(2, 7, 1, 4, 3, 1)
    assert np.allclose(
        pr.linear_weights(off, own, team), pr.borda_weights(off, own, team, None, 0.5)
    )


def test_geometric_weights() -> None:
    off, own = csr(3)
    w = pr.geometric_weights(off, own, a(3, 1, 2), ratio=0.25)
    assert np.allclose(w, np.array([1, 16, 4]) / 21)
    assert pr.geometric_weights(off, own, a(3, 1, 2), ratio=1).tolist() == [1 / 3] * 3
    half: pr.WeightFunction = partial(pr.geometric_weights, ratio=0.5)
    assert np.allclose(half(off, own, a(1, 2, 3)), np.array([4, 2, 1]) / 7)


@pytest.mark.parametrize("ratio", [0, -0.5, 1.5, float("nan"), float("inf")])
def test_geometric_ratio_must_be_in_zero_one(ratio: float) -> None:
    off, own = csr(2)
    with pytest.raises(InputError, match="ratio"):
        pr.geometric_weights(off, own, a(1, 2), ratio=ratio)


def test_explicit_weights_and_their_errors() -> None:
    off, own = csr(2, 4, 3)
    rank = a(2, 1, 1, 2, 3, 4, 1, 3, 2)
    with pytest.raises(InputError) as err:
        pr.explicit_weights(off, own, rank, [4, 2, 1], participant_ids=["A", "B", "C"])
    assert err.value.problems["participant_id"].tolist() == ["B"]
    with pytest.raises(InputError, match="finite and > 0"):
        pr.explicit_weights(off, own, rank, [4, 2, 0, 1])
    w = pr.explicit_weights(off, own, rank, [4, 2, 1, 1])
    assert np.allclose(w, [1 / 3, 2 / 3, 0.5, 0.25, 0.125, 0.125, 4 / 7, 1 / 7, 2 / 7])
    raw = pr.explicit_weights(off, own, rank, [4, 2, 1, 1], normalise=False)
    assert raw.tolist() == [2, 4, 4, 2, 1, 1, 4, 1, 2]


def test_weights_of_ties_are_the_mean_of_their_positions() -> None:
    off, own = csr(4)
    rank = a(1, 2, 2, 2)
    assert np.allclose(pr.linear_weights(off, own, rank), np.array([4, 2, 2, 2]) / 10)
    g = pr.geometric_weights(off, own, rank, ratio=0.5)
    assert np.allclose(g, np.array([8, 7 / 3, 7 / 3, 7 / 3]) / 15)


def test_weights_of_no_items() -> None:
    off, own = csr(0, 0)
    for fn in (pr.linear_weights, pr.geometric_weights):
        assert fn(off, own, a()).shape == (0,)


def test_public_names() -> None:
    for name in ("borda_weights", "joint_order", "rank_points", "WEIGHT_TIE"):
        assert name in pr.__all__  # the existing names stay
    assert pr.__all__ == sorted(pr.__all__)
    assert all(getattr(pr, name) is not None for name in pr.__all__)


# --------------------------------------------------------------------------- docs/merges.md
