"""Equity measures of coverage: the Gini coefficient, the minimum and the municipal gap."""

from __future__ import annotations

import numpy as np

from ibm_engine.errors import InputError

__all__ = ["gini"]


def gini(values: object) -> float:
    """The Gini coefficient of non-negative values (0 = all equal; at most ``1 - 1/n``).

    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean)``, computed from the sorted values as
    ``2 sum_k k x_(k) / (n sum x) - (n + 1) / n``. Empty input or all zeros give 0; NaN
    values are left out.

    Examples
    --------
    >>> gini([0.5, 0.5, 0.5])
    0.0
    >>> gini([0.0, 0.0, 0.0, 1.0])
    0.75
    >>> gini([])
    0.0
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    x = np.sort(x[~np.isnan(x)])
    n = x.shape[0]
    total = float(x.sum())
    if n == 0 or total <= 0.0 or float(x[0]) == float(x[-1]):
        return 0.0
    if float(x[0]) < 0.0:
        raise InputError.single("arguments", "values", "must be non-negative (Gini)")
    k = np.arange(1, n + 1, dtype=np.float64)
    # numpy's own (pairwise) sum, not np.dot: BLAS may split a dot product over threads, so
    # its rounding differed between processes with different thread settings (Dask workers)
    g = 2.0 * float(np.sum(k * x)) / (n * total) - (n + 1.0) / n
    return float(min(max(g, 0.0), 1.0))
