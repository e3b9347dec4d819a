"""The default service catalogue shipped with ibm_engine (package data ``catalogue.csv``).

The catalogue holds the services of the two Latvian individual budget pilots and of the
Zemgale deinstitutionalisation project (see ``docs/data.md``): one row per service and, where
the law sets different caps, per age band. Prices are illustrative; legal caps carry their
source in ``rule_source``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ibm_engine._tolerances import CAP_UNITS_TOL

__all__ = [
    "CATALOGUE_COLUMNS",
    "CONTRACT_SERVICE_COLUMNS",
    "EXTRA_CATALOGUE_COLUMNS",
    "catalogue_metadata",
    "default_catalogue",
    "period_caps",
    "row_lookup",
]

_PACKAGE: Final = "ibm_engine.data"
MAX_AGE: Final = 120

CONTRACT_SERVICE_COLUMNS: Final[tuple[str, ...]] = (
    "service",
    "unit",
    "unit_price_eur",
    "municipality",
    "max_units_per_week",
    "max_units_per_year",
    "min_age",
    "max_age",
    "target_groups",
    "hours_per_unit",
)
"""The columns of the contract's ``services`` table, in the catalogue's order."""

EXTRA_CATALOGUE_COLUMNS: Final[tuple[str, ...]] = (
    "name_lv",
    "name_en",
    "effective_date",
    "price_source",
    "rule_source",
)
"""Pass-through columns: names, the date a row takes effect and where price and rule come from."""

CATALOGUE_COLUMNS: Final[tuple[str, ...]] = CONTRACT_SERVICE_COLUMNS + EXTRA_CATALOGUE_COLUMNS

_DTYPES: Final[dict[str, str]] = {
    "service": "str",
    "unit": "str",
    "unit_price_eur": "float64",
    "municipality": "str",
    "max_units_per_week": "float64",
    "max_units_per_year": "float64",
    "min_age": "Int64",
    "max_age": "Int64",
    "target_groups": "str",
    "hours_per_unit": "float64",
    "name_lv": "str",
    "name_en": "str",
    "effective_date": "str",
    "price_source": "str",
    "rule_source": "str",
}


@cache
def _read_catalogue() -> pd.DataFrame:
    source = resources.files(_PACKAGE).joinpath("catalogue.csv")
    with source.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype=_DTYPES, keep_default_na=False, na_values=[""])
    return frame.loc[:, list(CATALOGUE_COLUMNS)]


def default_catalogue() -> pd.DataFrame:
    """Return the default service catalogue as a contract ``services`` table.

    The rows are the default rows (``municipality`` empty) for the services of the two
    individual budget pilots and of the Zemgale deinstitutionalisation project. Each call
    returns a fresh copy, so callers may modify it freely.

    Returns
    -------
    pandas.DataFrame
        One row per service (two for ``respite_care`` and ``child_social_care``, which have
        different rules by age and target group) with the contract columns ``service``,
        ``unit``, ``unit_price_eur``, ``municipality``, ``max_units_per_week``,
        ``max_units_per_year``, ``min_age``, ``max_age``, ``target_groups``,
        ``hours_per_unit`` and the pass-through columns ``name_lv``, ``name_en``,
        ``effective_date`` (ISO date string), ``price_source`` and ``rule_source``.
        Strings are ``str``, ages nullable ``Int64``, prices, caps and hours ``float64``;
        empty cells are missing values (NaN / NA).

    Notes
    -----
    Prices are illustrative (the order of magnitude of Latvian municipal price lists
    2019-2023), not an official tariff. The legal caps are: respite care at most 30 days a
    year for a child's legal representatives, child social care at most 50 hours a week up
    to age 4 and 10 hours a week for ages 5-17. See ``catalogue_metadata()`` for the sources.

    Examples
    --------
    >>> cat = default_catalogue()
    >>> respite = cat[cat.service == "respite_care"].set_index("target_groups")
    >>> float(respite.loc["FT", "max_units_per_year"])
    30.0
    >>> care = cat[cat.service == "child_social_care"]
    >>> care[["min_age", "max_age", "max_units_per_week"]].to_numpy().tolist()
    [[0, 4, 50.0], [5, 17, 10.0]]
    """
    return _read_catalogue().copy(deep=True)


@cache
def _read_metadata() -> str:
    source = resources.files(_PACKAGE).joinpath("catalogue_sources.json")
    return source.read_text(encoding="utf-8")


def catalogue_metadata() -> dict[str, Any]:
    """Return the default catalogue's metadata: price status, legal rules and their sources.

    Returns
    -------
    dict
        A fresh dictionary with the keys ``name``, ``version``, ``currency``,
        ``price_status`` (``"illustrative"``), ``price_note``, ``effective_date_note``,
        ``hours_note``, ``legal_rules`` (one entry per legal cap or statutory condition, with
        the catalogue columns it sets and its source) and ``sources``.

    Examples
    --------
    >>> meta = catalogue_metadata()
    >>> meta["price_status"]
    'illustrative'
    >>> sorted({rule["service"] for rule in meta["legal_rules"]})
    ['child_social_care', 'respite_care', 'support_person']
    """
    data: dict[str, Any] = json.loads(_read_metadata())
    return data


def row_lookup(
    services: pd.DataFrame,
    codes: tuple[str, ...],
    municipalities: tuple[str, ...],
    groups: tuple[str, ...] = ("GRT", "FT", "BSAC"),
) -> npt.NDArray[np.int32]:
    """Which catalogue row applies, by the contract's matching rule, as a lookup table.

    ``table[m, s, g, age]`` is the position of the row of ``services`` that applies to a
    participant of group ``groups[g]`` and this age in ``municipalities[m]`` for the service
    ``codes[s]``, or -1 when none does (not eligible). Municipal rows replace the default rows
    of their service in their municipality. Raises ``ValueError`` on overlapping rows.
    """
    table = np.full((len(municipalities), len(codes), len(groups), MAX_AGE + 1), -1, np.int32)
    muni = services["municipality"].fillna("").tolist()
    service = services["service"].tolist()
    allowed = services["target_groups"].fillna(",".join(groups)).str.split(",").tolist()
    lo = services["min_age"].fillna(0).astype("int64").tolist()
    hi = services["max_age"].fillna(MAX_AGE).astype("int64").tolist()
    own = {(m, s) for m, s in zip(muni, service, strict=True) if m}
    for r, code in enumerate(service):
        s = codes.index(code)
        for m, name in enumerate(municipalities):
            if muni[r] != name and (muni[r] or (name, code) in own):
                continue
            for g in (groups.index(x) for x in allowed[r]):
                band = table[m, s, g, lo[r] : hi[r] + 1]
                if (band >= 0).any():
                    raise ValueError(f"overlapping catalogue rows for {code} in {name}")
                band[:] = r
    return table


def period_caps(services: pd.DataFrame, weeks: int) -> npt.NDArray[np.int64]:
    """Legal cap of each catalogue row in units per period of ``weeks`` (2**40 when none)."""
    week = services["max_units_per_week"].to_numpy(float) * weeks
    year = services["max_units_per_year"].to_numpy(float) * weeks / 52
    cap = np.fmin(np.floor(week + CAP_UNITS_TOL), np.floor(year + CAP_UNITS_TOL))
    return np.where(np.isnan(cap), 2**40, cap).astype(np.int64)
