"""Properties of the priority merges and weight functions (Hypothesis).

- when the team and the family agree, every merge returns their order;
- an item every ranker puts first stays first (Borda, tiers, both lexicographic merges, Kemeny);
- determinism: the same participants and items in any order give each item the same result;
- Kemeny equals a brute-force search over all permutations (up to six items), with the same
  tie-break (the lexicographically smallest sequence of team ranks among the optima);
- the weights are positive and sum to 1 per participant.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import ibm_engine.priorities as pr
from strategies import examples

SETTINGS = settings(deadline=None, max_examples=examples(60))

Arr = np.ndarray


@dataclass(frozen=True)
class Batch:
    """Participants' items in CSR form with every input a merge may take."""

    offsets: Arr
    owner: Arr
    team: Arr  # unique within a participant, with gaps
    family: Arr  # unique within a participant, or all 0 (no family ranking)
    tier: Arr
    rankings: Arr  # (items, rankers); 0 = not ranked
    weight: Arr  # per ranker

    def shuffled(self, seed: int) -> tuple[Batch, Arr]:
        """The same batch with participants and items reordered; and ``where`` such that item
        ``i`` of this batch is item ``where[i]`` of the new one."""
        rng = np.random.default_rng(seed)
        n_part = self.offsets.shape[0] - 1
        relabel = rng.permutation(n_part)  # participant p becomes relabel[p]
        perm = rng.permutation(self.owner.shape[0])  # new item j is old item perm[j]
        owner = relabel[self.owner][perm]
        counts = np.bincount(owner, minlength=n_part)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        new = Batch(
            offsets,
            owner.astype(np.int64),
            self.team[perm],
            self.family[perm],
            self.tier[perm],
            self.rankings[perm],
            self.weight,
        )
        return new, np.argsort(perm)


def _ranks(draw: st.DrawFn, n: int, gaps: bool = True) -> list[int]:
    if n == 0:
        return []
    values = sorted(draw(st.sets(st.integers(1, 3 * n if gaps else n), min_size=n, max_size=n)))
    return list(draw(st.permutations(values)))


@st.composite
def batches(draw: st.DrawFn, max_n: int = 6, rankers: int = 4, agree: bool = False) -> Batch:
    """Up to four participants of up to ``max_n`` items; with ``agree``, the family and every
    ranker order the items as the team (and the tiers follow the team's order)."""
    sizes = draw(st.lists(st.integers(0, max_n), min_size=1, max_size=4))
    k = draw(st.integers(1, rankers))
    team, family, tier, rankings = [], [], [], []
    for n in sizes:
        t = _ranks(draw, n)
        order = np.argsort(t)
        if agree:
            pos = np.empty(n, dtype=np.int64)
            pos[order] = np.arange(n)
            f = (pos * draw(st.integers(1, 3)) + 1).tolist()
            cuts = sorted(draw(st.lists(st.integers(0, n), min_size=2, max_size=2)))
            tr = [int(np.searchsorted(cuts, p, side="right")) for p in pos]
            cols = [f] * k
        else:
            f = _ranks(draw, n) if draw(st.booleans()) else [0] * n
            tr = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
            cols = [
                [r if draw(st.integers(0, 5)) else 0 for r in _ranks(draw, n)] for _ in range(k)
            ]
        team += t
        family += f
        tier += tr
        rankings += list(zip(*cols, strict=True)) if n else []
    w = draw(st.lists(st.integers(0, 3), min_size=k, max_size=k))
    if agree and not any(w):
        w[0] = 1
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    return Batch(
        offsets,
        np.repeat(np.arange(len(sizes)), sizes).astype(np.int64),
        np.array(team, dtype=np.int64),
        np.array(family, dtype=np.int64),
        np.array(tier, dtype=np.int64),
        np.array(rankings, dtype=np.int64).reshape(-1, k),
        np.array(w, dtype=np.float64),
    )


def borda_rank(b: Batch, family: Arr | None) -> Arr:
    w = pr.borda_weights(b.offsets, b.owner, b.team, family, 0.5)
    order = pr.joint_order(b.owner, w, b.team)
    rank = np.empty(b.owner.shape[0], dtype=np.int64)
    rank[order] = np.arange(order.shape[0]) - b.offsets[b.owner[order]] + 1
    return rank


def merges(b: Batch) -> dict[str, Arr]:
    """Every merge's joint rank of the batch."""
    fam = b.family
    return {
        "borda": borda_rank(b, fam),
        "tiers": pr.tiered_rank(b.offsets, b.owner, b.tier, b.team, fam),
        "team_first": pr.team_first_rank(b.offsets, b.owner, b.team, fam),
        "family_first": pr.family_first_rank(b.offsets, b.owner, b.team, fam),
        "kemeny": pr.kemeny_rank(b.offsets, b.owner, b.rankings, b.weight, b.team),
    }


def team_order_rank(b: Batch) -> Arr:
    return pr.lexicographic_rank(b.offsets, b.owner, [b.team])


# --------------------------------------------------------------------------- properties


@SETTINGS
@given(batches(agree=True))
def test_when_team_and_family_agree_every_merge_returns_their_order(b: Batch) -> None:
    expected = team_order_rank(b)
    for name, rank in merges(b).items():
        assert rank.tolist() == expected.tolist(), name


@SETTINGS
@given(batches(), st.data())
def test_a_unanimous_top_item_stays_on_top(b: Batch, data: st.DataObject) -> None:
    counts = np.diff(b.offsets)
    for p in np.flatnonzero(counts > 0).tolist():
        items = np.arange(b.offsets[p], b.offsets[p + 1])
        top = data.draw(st.sampled_from(items.tolist()))
        team, family, tier, rankings = b.team.copy(), b.family.copy(), b.tier.copy(), b.rankings
        # everyone puts ``top`` first: it takes the best rank of each ranking, the old holder
        # of that rank takes its place; the team also puts it in the top tier
        for arr in (team, family):
            if arr[items].max() >= 1:
                best = items[np.argmin(np.where(arr[items] >= 1, arr[items], 10**9))]
                arr[best], arr[top] = arr[top], arr[best]
        tier[top] = tier[items].min()
        rankings = b.rankings.copy()
        for k in range(rankings.shape[1]):  # complete rankings, each with ``top`` first
            others = data.draw(st.permutations(range(2, items.shape[0] + 1)))
            rankings[items, k] = [1 if i == top else others.pop() for i in items.tolist()]
        c = replace(b, team=team, family=family, tier=tier, rankings=rankings)
        if not c.weight.any():
            c = replace(c, weight=np.ones_like(c.weight))
        for name, rank in merges(c).items():
            assert rank[top] == 1, name


@SETTINGS
@given(batches(max_n=7), st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_the_order_of_participants_or_items(b: Batch, seed: int) -> None:
    c, where = b.shuffled(seed)
    before, after = merges(b), merges(c)
    for name in before:
        assert after[name][where].tolist() == before[name].tolist(), name
    for weights in (pr.linear_weights, pr.geometric_weights):
        w1 = weights(b.offsets, b.owner, before["tiers"])
        w2 = weights(c.offsets, c.owner, after["tiers"])
        np.testing.assert_allclose(w2[where], w1, rtol=1e-13)


def brute_force_kemeny(rankings: Arr, weight: Arr, team: Arr) -> tuple[list[int], float]:
    """The least-payment order of least team-rank sequence, by trying every permutation."""
    n = rankings.shape[0]
    # prefer[a][b]: the weight of the rankers that ranked both and put a before b
    prefer = [
        [
            sum(
                float(w)
                for ra, rb, w in zip(rankings[a], rankings[b], weight, strict=True)
                if ra >= 1 and rb >= 1 and ra < rb
            )
            for b in range(n)
        ]
        for a in range(n)
    ]
    best: tuple[float, list[int]] | None = None
    best_perm: tuple[int, ...] = ()
    for perm in itertools.permutations(range(n)):
        cost = sum(prefer[perm[y]][perm[x]] for x in range(n) for y in range(x + 1, n))
        key = (cost, [int(team[i]) for i in perm])
        if best is None or key < best:
            best, best_perm = key, perm
    rank = [0] * n
    for pos, i in enumerate(best_perm):
        rank[i] = pos + 1
    return rank, best[0] if best is not None else 0.0


@SETTINGS
@given(batches(max_n=6))
def test_kemeny_equals_brute_force(b: Batch) -> None:
    # integer ranker weights: payments are exact, so the tie-break is tested exactly too
    rank = pr.kemeny_rank(b.offsets, b.owner, b.rankings, b.weight, b.team)
    dist = pr.kemeny_distance(b.offsets, b.owner, b.rankings, b.weight, rank)
    for p in range(b.offsets.shape[0] - 1):
        sl = slice(b.offsets[p], b.offsets[p + 1])
        expected, cost = brute_force_kemeny(b.rankings[sl], b.weight, b.team[sl])
        assert rank[sl].tolist() == expected
        assert dist[p] == cost


@SETTINGS
@given(batches(max_n=5), st.lists(st.floats(0.01, 5.0), min_size=4, max_size=4))
def test_kemeny_is_optimal_with_any_real_weights(b: Batch, floats: list[float]) -> None:
    w = np.array(floats[: b.rankings.shape[1]])
    rank = pr.kemeny_rank(b.offsets, b.owner, b.rankings, w, b.team)
    dist = pr.kemeny_distance(b.offsets, b.owner, b.rankings, w, rank)
    for p in range(b.offsets.shape[0] - 1):
        sl = slice(b.offsets[p], b.offsets[p + 1])
        _, cost = brute_force_kemeny(b.rankings[sl], w, b.team[sl])
        assert abs(dist[p] - cost) <= 1e-9 * max(1.0, cost)


@SETTINGS
@given(
    batches(max_n=8),
    st.floats(0.05, 1.0),
    st.lists(st.floats(0.01, 100.0), min_size=8, max_size=8),
)
def test_weights_are_positive_and_sum_to_one(b: Batch, ratio: float, vector: list[float]) -> None:
    for rank in (b.team, pr.tiered_rank(b.offsets, b.owner, b.tier, b.team, b.family)):
        for w in (
            pr.linear_weights(b.offsets, b.owner, rank),
            pr.geometric_weights(b.offsets, b.owner, rank, ratio=ratio),
            pr.explicit_weights(b.offsets, b.owner, rank, vector),
        ):
            assert np.all(w > 0)
            sums = np.bincount(b.owner, weights=w, minlength=b.offsets.shape[0] - 1)
            np.testing.assert_allclose(sums[np.diff(b.offsets) > 0], 1.0, rtol=1e-12)


@SETTINGS
@given(batches(max_n=8), st.floats(0.05, 1.0))
def test_weights_follow_the_joint_order(b: Batch, ratio: float) -> None:
    rank = pr.family_first_rank(b.offsets, b.owner, b.team, b.family)
    for w in (
        pr.linear_weights(b.offsets, b.owner, rank),
        pr.geometric_weights(b.offsets, b.owner, rank, ratio=ratio),
    ):
        same = b.owner[:, None] == b.owner[None, :]
        better = same & (rank[:, None] < rank[None, :])
        assert np.all(w[:, None] >= w[None, :], where=better)
