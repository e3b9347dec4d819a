"""Shares of whole cents, computed exactly (no float rounding on the way).

A share is taken as the decimal it is written as (``0.95`` is 95/100, not the binary float
nearest to it): the figure a notice prints. ``share x cents`` is then computed in integers and
rounded to whole cents by one named rule, so a reader can redo it from the printed figures:
0.95 x 587.08 EUR = 557.726 EUR, 557.73 EUR halves up.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Literal

import numpy as np

from ibm_engine._typing import IntArray

__all__ = ["Rounding", "decimal_share", "share_of_cents"]

#: ``half_up``: nearest cent, halves up; ``up``: the next whole cent (a floor, a lower bound);
#: ``down``: the whole cent below (a cap, an upper bound, a pot's share)
Rounding = Literal["half_up", "up", "down"]

_INT64_SAFE = 2**62


def decimal_share(share: float) -> Fraction:
    """``share`` as the decimal it prints as (its shortest ``repr``), exactly.

    Examples
    --------
    >>> decimal_share(0.95), decimal_share(1.0), decimal_share(0.1) == Fraction(0.1)
    (Fraction(19, 20), Fraction(1, 1), False)
    """
    return Fraction(Decimal(repr(float(share))))


def share_of_cents(share: Fraction, cents: IntArray, rounding: Rounding) -> IntArray:
    """``share x cents`` in whole cents, exactly, rounded by ``rounding``.

    Integer arithmetic throughout (int64 when no product can overflow, Python integers
    otherwise), so no float noise decides a cent. A result beyond +-2^62 cents (far beyond
    what a budget may be: amounts beyond 2^53 cents are rejected) is held at +-2^62.

    Examples
    --------
    >>> c = np.array([58708, 58702, 0, -5])
    >>> share_of_cents(decimal_share(0.95), c, "half_up").tolist()
    [55773, 55767, 0, -5]
    >>> share_of_cents(decimal_share(0.95), c, "up").tolist()
    [55773, 55767, 0, -4]
    >>> share_of_cents(decimal_share(0.95), c, "down").tolist()
    [55772, 55766, 0, -5]
    >>> share_of_cents(decimal_share(1e300), c, "down").tolist() == [2**62, 2**62, 0, -(2**62)]
    True
    """
    n, d = share.numerator, share.denominator
    c = np.asarray(cents, dtype=np.int64)
    biggest = int(np.max(np.abs(c))) if c.size else 0
    work: np.ndarray = c if 2 * biggest * abs(n) + 2 * d < _INT64_SAFE else c.astype(object)
    num = work * n
    if rounding == "half_up":
        out = (2 * num + d) // (2 * d)
    elif rounding == "up":
        out = -((-num) // d)
    else:
        out = num // d
    if work.dtype == object:
        out = np.clip(out, -_INT64_SAFE, _INT64_SAFE)
    return np.asarray(out, dtype=np.int64)
