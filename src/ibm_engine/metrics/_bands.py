"""Age bands of the KPI tables.

The bands follow the rules the pilots worked under (``shared/DOMAIN.md``): child social care is
capped at 50 hours a week up to age 4 and at 10 hours a week for ages 5-17, so the children's
bands are ``0-4`` and ``5-17``; adults (the GRT target group) are split into the conventional
bands ``18-29``, ``30-49``, ``50-64`` and ``65+``.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

__all__ = ["AGE_BANDS", "age_band"]

#: (label, first age, last age) of each band, inclusive
AGE_BANDS: Final[tuple[tuple[str, int, int], ...]] = (
    ("0-4", 0, 4),
    ("5-17", 5, 17),
    ("18-29", 18, 29),
    ("30-49", 30, 49),
    ("50-64", 50, 64),
    ("65+", 65, 120),
)


def age_band(age: object) -> pd.Categorical:
    """The age band of every age (an ordered categorical over :data:`AGE_BANDS`' labels).

    Parameters
    ----------
    age : array-like of int
        Ages in whole years, 0..120 (the contract's range); anything else gets a missing band.

    Examples
    --------
    >>> list(age_band([0, 4, 5, 17, 18, 64, 65, 120]))
    ['0-4', '0-4', '5-17', '5-17', '18-29', '50-64', '65+', '65+']
    """
    a = np.asarray(pd.to_numeric(pd.Series(age), errors="coerce"), dtype=np.float64)
    edges = np.array([lo for _, lo, _ in AGE_BANDS] + [AGE_BANDS[-1][2] + 1], dtype=np.float64)
    code = np.searchsorted(edges, a, side="right") - 1
    bad = ~np.isfinite(a) | (a < edges[0]) | (a >= edges[-1]) | (a != np.floor(a))
    code = np.where(bad, -1, code)
    labels = [label for label, _, _ in AGE_BANDS]
    return pd.Categorical.from_codes(code, categories=labels, ordered=True)  # type: ignore[call-overload,no-any-return]  # stubs reject ndarray codes
