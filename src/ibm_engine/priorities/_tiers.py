"""Team tiers, then the family's order within each tier.

The assessment team marks every item essential, recommended or optional (tier codes 0, 1, 2;
any non-negative code works, lower first); the family orders the items within a tier. Where the
family gives no rank (a rank below 1), its items come after the family's ranked ones of the
same tier, in the team's order; a participant without family ranks gets the team's order
inside each tier. ``team_rank`` also breaks any tie in the family's ranks.

The family's ranks may be over the whole list (as in the contract's ``family_rank`` column);
only their order within a tier matters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ibm_engine._typing import IntArray
from ibm_engine.errors import InputError
from ibm_engine.priorities._lexicographic import (
    check_items,
    lexicographic_rank,
    participant_label,
    plan_problem,
    ranked_key,
)

__all__ = ["ESSENTIAL", "OPTIONAL", "RECOMMENDED", "TIERS", "tiered_rank"]

ESSENTIAL = 0
RECOMMENDED = 1
OPTIONAL = 2
#: the tier names by code
TIERS = ("essential", "recommended", "optional")


def tiered_rank(
    offsets: IntArray,
    owner: IntArray,
    tier: IntArray,
    team_rank: IntArray,
    family_rank: IntArray | None = None,
    *,
    participant_ids: Sequence[str] | None = None,
) -> IntArray:
    """Joint rank: tier first (the team's), then the family's rank, then the team's rank.

    Parameters
    ----------
    offsets, owner
        The items grouped by participant (participant ``p`` has ``offsets[p+1] - offsets[p]``
        items, and ``owner[i]`` is item ``i``'s participant), in any item order.
    tier
        The team's tier code of each item: ``ESSENTIAL`` (0), ``RECOMMENDED`` (1), ``OPTIONAL``
        (2); codes are only compared, so any non-negative integers work.
    team_rank
        The team's rank (1 = most important).
    family_rank
        The family's rank; below 1 (or ``None`` for everyone) means no family rank.
    participant_ids
        Names of the participants for error messages (default: ``#p``, the position).

    Returns
    -------
    IntArray
        The joint rank ``1..n`` of each item within its participant (items whose tier, family
        rank and team rank all tie share the smallest of their positions).

    Raises
    ------
    InputError
        A tier code is negative (one problem per participant), or the arrays do not describe
        the same items.

    Examples
    --------
    Four items; the team calls the first two essential and the last two optional, the family
    would rather have the optional music therapy before everything else:

    >>> import numpy as np
    >>> off = np.array([0, 4]); own = np.zeros(4, dtype=np.int64)
    >>> tier = np.array([ESSENTIAL, ESSENTIAL, OPTIONAL, OPTIONAL])
    >>> team = np.array([1, 2, 3, 4]); family = np.array([3, 2, 1, 4])
    >>> tiered_rank(off, own, tier, team, family).tolist()
    [2, 1, 3, 4]
    >>> from ibm_engine.priorities import linear_weights
    >>> linear_weights(off, own, tiered_rank(off, own, tier, team, family)).tolist()
    [0.3, 0.4, 0.2, 0.1]
    """
    check_items(offsets, owner, tier=tier, team_rank=team_rank)
    m = owner.shape[0]
    if family_rank is not None:
        check_items(offsets, owner, family_rank=family_rank)
    if np.any(tier < 0):
        reason = "tier codes must be >= 0 (0 essential, 1 recommended, 2 optional)"
        raise InputError(
            [
                plan_problem(participant_label(p, participant_ids), "tier", reason)
                for p in np.unique(owner[tier < 0]).tolist()
            ]
        )
    return lexicographic_rank(offsets, owner, [tier, ranked_key(family_rank, m), team_rank])
