"""The cost of a plan line must fit the solver's int64 cents.

A plan line's cost is at most ``recommended_units`` x the service's unit price (``U_i`` never
exceeds the recommendation). The compiled search sums such costs in int64 cents, so each line
is bounded by :data:`MAX_LINE_CENTS`; a participant's lines then add up without overflow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ibm_engine.tables._catalogue import Catalogue
from ibm_engine.tables._convert import Codes, Column, TextColumn
from ibm_engine.tables._problems import ProblemLog

__all__ = ["MAX_LINE_CENTS", "check_line_costs"]

#: cents: the largest cost of one plan line (2**53, about 90 trillion EUR); 1,024 such lines
#: still sum within int64
MAX_LINE_CENTS = 2**53


def check_line_costs(
    cols: dict[str, Column], attributable: Codes, cat: Catalogue, log: ProblemLog
) -> None:
    """One problem per plan line whose recommended units at the service's dearest catalogue
    price cost more than :data:`MAX_LINE_CENTS`."""
    svc, rec = cols.get("service"), cols.get("recommended_units")
    if not isinstance(svc, TextColumn) or rec is None or cat.price_cents.shape[0] == 0:
        return
    dearest = pd.Series(cat.price_cents).groupby(pd.Series(cat.service, dtype=object)).max()
    price = dearest.reindex(svc.coded.texts).fillna(0).to_numpy(dtype=np.float64)
    codes = svc.coded.codes
    line = np.where(codes >= 0, price[np.maximum(codes, 0)] if price.shape[0] else 0.0, 0.0)
    units = np.where(rec.empty | rec.bad, 0.0, np.asarray(rec.values, dtype=np.float64))
    log.add_rows(
        "plan_items",
        "recommended_units",
        line * units > MAX_LINE_CENTS,
        "recommended_units x the service's unit price is more than 90 trillion EUR, beyond "
        "what the solver counts exactly in cents",
        attributable,
        detail=rec.values,
        with_row=True,
    )
