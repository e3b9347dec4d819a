"""The default catalogue: contract columns, legal caps, sources, no overlapping rows."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from ibm_engine.data import catalogue_metadata, default_catalogue
from ibm_engine.data._catalogue import (
    CATALOGUE_COLUMNS,
    CONTRACT_SERVICE_COLUMNS,
    period_caps,
    row_lookup,
)

GROUPS = ("GRT", "FT", "BSAC")
UNITS = {"session", "hour", "day", "trip", "month"}
PILOT_SERVICES = {
    "support_person",
    "physiotherapy",
    "occupational_therapy",
    "psychologist",
    "speech_therapy",
    "assistant",
    "home_care",
    "companion",
    "day_care_centre",
    "respite_care",
    "music_therapy",
    "dance_movement_therapy",
    "aba_therapy",
    "montessori",
    "pedagogue",
    "transport",
    "relatives_group",
    "person_group",
    "group_home",
    "specialised_workshop",
    "child_social_care",
    "social_rehabilitation",
}


def overlapping_rows(services: pd.DataFrame) -> list[tuple[int, int]]:
    """Pairs of rows (same service and municipality) that could both apply to one participant."""
    pairs = []
    muni = services["municipality"].fillna("")
    for (_, _), rows in services.groupby([services["service"], muni]):
        for a, b in itertools.combinations(rows.index, 2):
            ra, rb = services.loc[a], services.loc[b]
            lo = max(_age(ra["min_age"], 0), _age(rb["min_age"], 0))
            hi = min(_age(ra["max_age"], 120), _age(rb["max_age"], 120))
            if lo <= hi and _groups(ra["target_groups"]) & _groups(rb["target_groups"]):
                pairs.append((a, b))
    return pairs


def _age(value: object, default: int) -> int:
    return default if pd.isna(value) else int(value)  # type: ignore[call-overload]


def _groups(value: object) -> set[str]:
    return set(GROUPS) if pd.isna(value) else set(str(value).split(","))  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def cat() -> pd.DataFrame:
    return default_catalogue()


def test_columns_are_the_contract_columns_then_the_pass_through_ones(cat: pd.DataFrame) -> None:
    assert tuple(cat.columns) == CATALOGUE_COLUMNS
    assert CATALOGUE_COLUMNS[: len(CONTRACT_SERVICE_COLUMNS)] == CONTRACT_SERVICE_COLUMNS
    assert set(CATALOGUE_COLUMNS) - set(CONTRACT_SERVICE_COLUMNS) == {
        "name_lv",
        "name_en",
        "effective_date",
        "price_source",
        "rule_source",
    }


def test_dtypes(cat: pd.DataFrame) -> None:
    for column in ("service", "unit", "municipality", "target_groups", "name_lv", "name_en"):
        # text cells (pandas 3 stores them as text, pandas 2 as objects)
        assert all(isinstance(x, str) for x in cat[column].dropna()), column
        assert pd.api.types.is_string_dtype(cat[column]) or cat[column].dtype == object, column
    assert cat["min_age"].dtype == "Int64"
    assert cat["max_age"].dtype == "Int64"
    for column in ("unit_price_eur", "max_units_per_week", "max_units_per_year", "hours_per_unit"):
        assert cat[column].dtype == np.float64, column


def test_every_call_returns_a_fresh_copy(cat: pd.DataFrame) -> None:
    first = default_catalogue()
    first.loc[0, "unit_price_eur"] = 0.0
    first.loc[0, "name_en"] = "changed"
    pd.testing.assert_frame_equal(default_catalogue(), cat)


def test_required_cells_are_filled_and_defaults_have_no_municipality(cat: pd.DataFrame) -> None:
    assert cat[["service", "unit", "unit_price_eur"]].notna().all().all()
    assert cat["municipality"].isna().all()


def test_service_codes_are_snake_case_and_cover_both_pilots(cat: pd.DataFrame) -> None:
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", s) for s in cat["service"])
    assert set(cat["service"]) >= PILOT_SERVICES


def test_units_target_groups_ages_hours_and_caps_are_valid(cat: pd.DataFrame) -> None:
    assert set(cat["unit"]) <= UNITS
    groups = cat["target_groups"].dropna().str.split(",")
    assert all(g and set(g) <= set(GROUPS) and len(set(g)) == len(g) for g in groups)
    ages = cat[["min_age", "max_age"]].dropna()
    assert ((ages["min_age"] <= ages["max_age"]) & (ages["min_age"] >= 0)).all()
    assert cat["max_age"].dropna().le(120).all()
    assert (cat["hours_per_unit"].fillna(0) >= 0).all()
    for column in ("max_units_per_week", "max_units_per_year"):
        assert (cat[column].dropna() > 0).all()


def test_prices_are_non_negative_whole_cents(cat: pd.DataFrame) -> None:
    cents = cat["unit_price_eur"].to_numpy() * 100
    assert (cents >= 0).all()
    assert np.abs(cents - np.round(cents)).max() < 1e-4


def test_one_unit_per_service(cat: pd.DataFrame) -> None:
    assert cat.groupby("service")["unit"].nunique().eq(1).all()


def test_every_service_has_latvian_and_english_names(cat: pd.DataFrame) -> None:
    assert cat["name_lv"].notna().all() and cat["name_lv"].str.len().gt(2).all()
    assert cat["name_en"].notna().all() and cat["name_en"].str.len().gt(2).all()
    assert cat["name_lv"].str.contains("[āčēģīķļņšūž]").any()
    assert cat.groupby("service")["name_lv"].nunique().eq(1).all()


def test_dates_and_sources(cat: pd.DataFrame) -> None:
    dates = pd.to_datetime(cat["effective_date"], format="%Y-%m-%d")
    assert dates.notna().all()
    assert cat["price_source"].str.contains("illustrative").all()
    capped = cat["max_units_per_week"].notna() | cat["max_units_per_year"].notna()
    assert cat.loc[capped, "rule_source"].notna().all()
    support = cat[cat["service"] == "support_person"].iloc[0]
    assert support["effective_date"] == "2023-11-01"
    assert "2023-11-01" in support["rule_source"]


def test_respite_care_for_legal_representatives_at_most_30_days_a_year(cat: pd.DataFrame) -> None:
    ft = cat[(cat["service"] == "respite_care") & (cat["target_groups"] == "FT")]
    assert len(ft) == 1
    assert ft["max_units_per_year"].iloc[0] == 30
    assert ft["unit"].iloc[0] == "day"
    assert "30 days" in ft["rule_source"].iloc[0]


def test_child_social_care_50_hours_to_age_4_and_10_hours_from_5_to_17(cat: pd.DataFrame) -> None:
    care = cat[cat["service"] == "child_social_care"].set_index("max_age")
    assert set(care.index) == {4, 17}
    young, older = care.loc[4], care.loc[17]
    assert (young["min_age"], young["max_units_per_week"], young["unit"]) == (0, 50.0, "hour")
    assert (older["min_age"], older["max_units_per_week"]) == (5, 10.0)
    assert "FT" in young["target_groups"].split(",")
    assert "FT" in older["target_groups"].split(",")


def test_support_person_is_for_grt_adults(cat: pd.DataFrame) -> None:
    row = cat[cat["service"] == "support_person"]
    assert len(row) == 1
    assert row["target_groups"].iloc[0] == "GRT"
    assert row["min_age"].iloc[0] == 18


def test_no_two_rows_could_both_apply_to_one_participant(cat: pd.DataFrame) -> None:
    assert overlapping_rows(cat) == []
    codes = tuple(cat["service"].unique())
    row_lookup(cat, codes, ("Somewhere",))  # raises on overlap


def test_the_overlap_checks_catch_an_overlap(cat: pd.DataFrame) -> None:
    bad = pd.concat([cat, cat[cat["service"] == "child_social_care"].iloc[[1]]])
    bad.loc[bad.index[-1], "min_age"] = 3
    bad = bad.reset_index(drop=True)
    assert overlapping_rows(bad) != []
    with pytest.raises(ValueError, match="overlapping catalogue rows for child_social_care"):
        row_lookup(bad, tuple(bad["service"].unique()), ("Somewhere",))


def test_row_lookup_applies_the_contract_matching_rule(cat: pd.DataFrame) -> None:
    muni = cat[cat["service"] == "physiotherapy"].assign(municipality="Dobele", unit_price_eur=30.0)
    services = pd.concat([cat, muni], ignore_index=True)
    codes = tuple(cat["service"].unique())
    table = row_lookup(services, codes, ("Bauska", "Dobele"))
    physio, care = codes.index("physiotherapy"), codes.index("child_social_care")
    assert pd.isna(services.loc[table[0, physio, 0, 40], "municipality"])
    assert services.loc[table[1, physio, 0, 40], "municipality"] == "Dobele"
    rows = table[0, care, 1, :18]
    assert services.loc[rows, "max_units_per_week"].tolist() == [50.0] * 5 + [10.0] * 13
    assert table[0, care, 0, 40] == -1  # GRT adults: no row applies
    assert table[0, care, 2, 3] == -1  # BSAC under 5: no row applies


def test_period_caps_convert_week_and_year_caps(cat: pd.DataFrame) -> None:
    caps = pd.Series(period_caps(cat, 26), index=cat.index)
    respite = cat.index[(cat["service"] == "respite_care") & (cat["target_groups"] == "FT")]
    care = cat.index[cat["service"] == "child_social_care"]
    assert caps[respite].tolist() == [15]
    assert caps[care].tolist() == [1300, 260]
    assert caps[cat.index[cat["service"] == "physiotherapy"]].tolist() == [2**40]
    assert period_caps(cat, 52)[respite].tolist() == [30]


def test_metadata_matches_the_catalogue(cat: pd.DataFrame) -> None:
    meta = catalogue_metadata()
    assert meta["price_status"] == "illustrative"
    assert meta["currency"] == "EUR"
    for rule in meta["legal_rules"]:
        rows = cat[cat["service"] == rule["service"]]
        match = pd.Series(True, index=rows.index)
        for column, value in rule["columns"].items():
            match &= rows[column] == value
        assert match.sum() == 1, rule
        assert rule["source"]
    meta["price_status"] = "changed"
    assert catalogue_metadata()["price_status"] == "illustrative"
