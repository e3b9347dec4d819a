"""Price changes of a scenario: a price table, then factors (overall or per service).

Prices stay whole cents: a factor's product is rounded to the nearest cent, halves away from
zero (``floor(cents x factor + 0.5)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from ibm_engine.budget._shares import decimal_share, share_of_cents
from ibm_engine.scenarios._checks import Problems, frame_copy
from ibm_engine.tables import ColumnSpec, ProblemLog
from ibm_engine.tables._columns import check_columns
from ibm_engine.tables._convert import money

__all__ = ["PRICES", "apply_prices", "scale_cents"]


def scale_cents(cents: np.ndarray, factor: float) -> np.ndarray:
    """Cents times a factor, rounded to whole cents (halves up), exactly: the factor is taken
    as the decimal it prints as (``1.1`` is 11/10) and multiplied in integer arithmetic, so no
    float noise decides a cent, however large the price.

    Examples
    --------
    >>> scale_cents(np.array([2700, 1, 5, 4_503_599_627_370_495]), 1.1).tolist()
    [2970, 1, 6, 4953959590107545]
    """
    cents = np.asarray(cents, dtype=np.int64)
    out: np.ndarray = share_of_cents(decimal_share(factor), cents, "half_up")
    return out


#: the prices table's columns, defined once (validation and the docs read these specs)
PRICES: Final = (
    ColumnSpec("service", "text", True, description="a service of the catalogue"),
    ColumnSpec(
        "unit_price_eur", "money", True, ge=0, unit="EUR", description="the new price of one unit"
    ),
    ColumnSpec(
        "municipality",
        "text",
        False,
        empty="every row of the service",
        description="only the catalogue rows of this municipality",
    ),
)


def _price_cents(services: pd.DataFrame) -> np.ndarray:
    """The catalogue's prices in cents (the catalogue is a validated one)."""
    return np.asarray(money(services["unit_price_eur"]).values, dtype=np.int64)


def _text(s: pd.Series) -> np.ndarray:
    return s.astype("string").fillna("").str.strip().to_numpy(dtype=object)


def _apply_table(services: pd.DataFrame, prices: object, p: Problems) -> np.ndarray:
    """New prices (cents) from a price table; invalid or unknown rows are problems."""
    cents = _price_cents(services)
    table = frame_copy(prices, "prices").reset_index(drop=True)
    log = ProblemLog()
    cols = check_columns(table, "prices", PRICES, log, None, attributable=False)
    p.items.extend(log.records)
    if any(r["row"] is None for r in log.records):  # a required column is missing
        return cents
    checked = np.ones(len(table), dtype=bool)
    checked[[r["row"] - 1 for r in log.records]] = False
    svc = _text(services["service"])
    muni = _text(services["municipality"]) if "municipality" in services else np.full(len(svc), "")
    want_svc = _text(table["service"])
    want_muni = _text(table["municipality"]) if "municipality" in table else np.full(len(table), "")
    price = cols["unit_price_eur"].values
    for r in np.flatnonzero(checked).tolist():
        hit = svc == want_svc[r]
        if want_muni[r]:
            hit &= muni == want_muni[r]
        if not hit.any():
            where = f" for municipality {want_muni[r]}" if want_muni[r] else ""
            reason = f"no catalogue row of {want_svc[r]!r}{where} (add it to the catalogue)"
            p.add("service", reason, table="prices", row=r + 1)
            continue
        cents[hit] = price[r]
    return cents


def apply_prices(
    services: pd.DataFrame,
    prices: object,
    factor: float | Mapping[str, float] | tuple[tuple[str, float], ...] | None,
) -> pd.DataFrame:
    """A new catalogue with the price table applied, then the price factors.

    A price table row (``service``, ``unit_price_eur``, optional ``municipality``) sets the
    price of every catalogue row of that service (only the rows of that municipality when one
    is named). A factor multiplies every price; per-service factors only their services.
    """
    out = services.copy(deep=True)
    p = Problems()
    cents = _price_cents(out) if prices is None else _apply_table(out, prices, p)
    if factor is not None:
        if isinstance(factor, int | float | np.integer | np.floating):
            cents = scale_cents(cents, float(factor))
        else:
            svc = _text(out["service"])
            pairs = factor.items() if isinstance(factor, Mapping) else factor
            for name, f in pairs:
                hit = svc == name
                if not hit.any():
                    p.add("price_factor", f"no catalogue row of service {name!r}")
                cents[hit] = scale_cents(cents[hit], float(f))
    p.raise_if_any()
    if prices is not None or factor is not None:
        out["unit_price_eur"] = cents / 100.0
    return out
