"""Budgets scaled to a programme pot, exact to the cent (largest remainders)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["POT_RULE", "scale_to_pot"]

POT_RULE = (
    "each budget becomes budget x pot / total, rounded down to the cent; the cents left up to "
    "the pot go one each to the budgets with the largest remainders, ties by participant_id "
    "(ascending, as text)"
)


def scale_to_pot(budget_cents: np.ndarray, pot_cents: int, ids: object) -> np.ndarray:
    """Budgets (int64 cents) in the same proportions, adding up to ``pot_cents`` exactly.

    Every budget must be >= 0 and their total > 0 (checked by the caller). See
    :data:`POT_RULE`.

    Examples
    --------
    >>> scale_to_pot(np.array([100, 100, 100]), 1000, ["c", "a", "b"]).tolist()
    [333, 334, 333]
    >>> scale_to_pot(np.array([0, 50, 150]), 100, ["a", "b", "c"]).tolist()
    [0, 25, 75]
    """
    b = np.asarray(budget_cents, dtype=np.int64)
    total = int(b.sum())
    pot = int(pot_cents)
    big = int(b.max(initial=0)) * max(pot, 1) >= 2**62
    num = b.astype(object) * pot if big else b * pot
    base = np.asarray(num // total, dtype=np.int64)
    rem = np.asarray(num % total, dtype=np.float64 if not big else object)
    left = pot - int(base.sum())
    if left > 0:
        order = pd.DataFrame({"rem": rem, "id": pd.Series(ids, dtype="string").to_numpy()})
        order = order.sort_values(["rem", "id"], ascending=[False, True], kind="stable")
        base[order.index.to_numpy()[:left]] += 1
    return base
