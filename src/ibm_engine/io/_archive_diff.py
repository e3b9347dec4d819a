"""Who gained or lost what between two stored runs, per participant and service."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

__all__ = ["DIFF_COLUMNS", "diff_items"]

_KEY: Final = ["participant_id", "service"]
#: the columns of :meth:`RunArchive.diff`
DIFF_COLUMNS: Final = (
    "participant_id",
    "service",
    "units_before",
    "units_after",
    "units_change",
    "cost_eur_before",
    "cost_eur_after",
    "cost_eur_change",
    "reason_before",
    "reason_after",
)


def _side(items: pd.DataFrame) -> pd.DataFrame:
    out = items[[*_KEY, "units", "cost_eur", "reason"]].copy()
    out["participant_id"] = out["participant_id"].astype(str)
    out["reason"] = out["reason"].astype(object)
    out["cents"] = np.round(out["cost_eur"].to_numpy(dtype=np.float64) * 100).astype(np.int64)
    return out.groupby(_KEY, sort=False, as_index=False).agg(
        units=("units", "sum"), cents=("cents", "sum"), reason=("reason", "first")
    )


def diff_items(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The plan items whose units, cost or reason differ between two item tables.

    An item in one run only counts as 0 units and 0 EUR in the other (reason empty). Costs are
    compared in cents, so a change is exact. Rows are sorted by participant and service.

    Examples
    --------
    >>> a = pd.DataFrame({"participant_id": ["P1", "P1"], "service": ["physio", "psy"],
    ...                   "units": [12, 5], "cost_eur": [324.0, 175.0],
    ...                   "reason": ["funded", "partly_funded"]})
    >>> b = a.assign(units=[12, 7], cost_eur=[324.0, 245.0], reason=["funded", "funded"])
    >>> d = diff_items(a, b)
    >>> d[["participant_id", "service", "units_change", "cost_eur_change", "reason_after"]]
      participant_id service  units_change  cost_eur_change reason_after
    0             P1     psy             2             70.0       funded
    """
    m = _side(before).merge(_side(after), on=_KEY, how="outer", suffixes=("_b", "_a"))
    units_b = m["units_b"].fillna(0).astype(np.int64).to_numpy()
    units_a = m["units_a"].fillna(0).astype(np.int64).to_numpy()
    cents_b = m["cents_b"].fillna(0).astype(np.int64).to_numpy()
    cents_a = m["cents_a"].fillna(0).astype(np.int64).to_numpy()
    reason_b = m["reason_b"].astype(object).where(m["reason_b"].notna(), None)
    reason_a = m["reason_a"].astype(object).where(m["reason_a"].notna(), None)
    out = pd.DataFrame(
        {
            "participant_id": m["participant_id"].to_numpy(),
            "service": m["service"].astype(str).to_numpy(),
            "units_before": units_b,
            "units_after": units_a,
            "units_change": units_a - units_b,
            "cost_eur_before": cents_b / 100.0,
            "cost_eur_after": cents_a / 100.0,
            "cost_eur_change": (cents_a - cents_b) / 100.0,
            "reason_before": reason_b.to_numpy(),
            "reason_after": reason_a.to_numpy(),
        }
    )
    changed = (units_a != units_b) | (cents_a != cents_b) | (reason_a.ne(reason_b)).to_numpy()
    kept: pd.DataFrame = out[changed].sort_values(_KEY, kind="stable").reset_index(drop=True)
    return kept
