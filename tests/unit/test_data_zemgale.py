"""The synthetic Zemgale region: determinism, proportions and validity under contract v1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ibm_engine.data import ZEMGALE_MUNICIPALITIES, default_catalogue, synthetic_zemgale

GROUPS = ("GRT", "FT", "BSAC")
ID_PATTERN = r"ZG-(GRT|FT|BSAC)-\d{6,}"


def applying_rows(
    participants: pd.DataFrame, items: pd.DataFrame, services: pd.DataFrame
) -> pd.Series:
    """Catalogue row (index of ``services``) that applies to each item, NaN if none.

    Written independently of the package: a merge of items with every candidate row.
    """
    people = participants.set_index("participant_id")[["target_group", "age", "municipality"]]
    left = items[["participant_id", "service"]].join(people, on="participant_id")
    left["item"] = np.arange(len(left))
    cat = services.reset_index(names="row")
    own = set(zip(cat["municipality"], cat["service"], strict=True))
    pairs = left.merge(cat, on="service", suffixes=("", "_row"))
    has_own = [(m, s) in own for m, s in zip(pairs["municipality"], pairs["service"], strict=True)]
    candidate = np.where(
        has_own,
        pairs["municipality_row"] == pairs["municipality"],
        pairs["municipality_row"].isna(),
    )
    groups = pairs["target_groups"].fillna("GRT,FT,BSAC").str.split(",")
    in_group = [g in allowed for g, allowed in zip(pairs["target_group"], groups, strict=True)]
    in_age = (pairs["age"] >= pairs["min_age"].fillna(0)) & (
        pairs["age"] <= pairs["max_age"].fillna(120)
    )
    hit = pairs[candidate & np.array(in_group) & in_age.to_numpy()]
    assert not hit["item"].duplicated().any(), "two catalogue rows apply to one item"
    rows: pd.Series = hit.set_index("item")["row"].reindex(np.arange(len(items)))
    return rows


def check_contract(participants: pd.DataFrame, items: pd.DataFrame, services: pd.DataFrame) -> None:
    """Every contract-v1 rule that can be checked on the tables directly."""
    p, i = participants, items
    assert list(p.columns) == [
        "participant_id",
        "target_group",
        "age",
        "municipality",
        "budget_eur",
        "family_hours_per_week",
    ]
    assert p["participant_id"].is_unique
    assert p["participant_id"].str.fullmatch(ID_PATTERN).all()
    assert p["target_group"].isin(GROUPS).all()
    assert p["age"].dtype == np.int64 and p["age"].between(0, 120).all()
    assert p["municipality"].isin(ZEMGALE_MUNICIPALITIES).all()
    cents = p["budget_eur"].to_numpy() * 100
    assert (cents >= 0).all() and np.abs(cents - np.round(cents)).max(initial=0) < 1e-4
    assert (p["family_hours_per_week"].dropna() >= 0).all()

    assert i["participant_id"].isin(p["participant_id"]).all()
    assert p["participant_id"].isin(i["participant_id"]).all(), "a participant without a plan"
    assert i["service"].isin(services["service"]).all()
    assert not i.duplicated(["participant_id", "service"]).any()
    for column in ("team_rank", "recommended_units", "min_units"):
        assert i[column].dtype == np.int64, column
    assert i["max_units"].dtype == "Int64"
    assert (i["recommended_units"] >= 1).all()
    assert (i["min_units"] >= 0).all() and (i["min_units"] <= i["recommended_units"]).all()
    has_max = i["max_units"].notna()
    assert (i.loc[has_max, "max_units"] >= 0).all()
    k = i.groupby("participant_id", sort=False)["service"].transform("size")
    by = i.groupby("participant_id", sort=False)
    for column in ("team_rank", "family_rank"):
        if column not in i:
            continue
        ranks = i[column]
        given_ = ranks.notna().groupby(i["participant_id"]).transform("mean")
        assert given_.isin([0.0, 1.0]).all(), f"{column} given for some items only"
        ranked = ranks.notna()
        assert (ranks[ranked] >= 1).all() and (ranks[ranked] <= k[ranked]).all()
        assert not i[ranked].duplicated(["participant_id", column]).any()
    assert (by["team_rank"].transform("max") == k).all()


@pytest.fixture(scope="module")
def region() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return synthetic_zemgale()


@pytest.fixture(scope="module")
def large() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return synthetic_zemgale(11, n_grt=5000, n_ft=5000, n_bsac=2000)


def share_of_plans(region: tuple[pd.DataFrame, ...], group: str, services: list[str]) -> float:
    participants, items, _ = region
    ids = participants.loc[participants["target_group"] == group, "participant_id"]
    mine = items[items["participant_id"].isin(ids) & items["service"].isin(services)]
    return mine["participant_id"].nunique() / len(ids)


def test_default_counts_are_the_projects_needs_assessments(
    region: tuple[pd.DataFrame, ...],
) -> None:
    counts = region[0]["target_group"].value_counts()
    assert counts.to_dict() == {"GRT": 502, "FT": 510, "BSAC": 276}


def test_the_default_region_is_valid(region: tuple[pd.DataFrame, ...]) -> None:
    check_contract(*region)


def test_same_seed_same_frames_bit_for_bit() -> None:
    a, b = synthetic_zemgale(5), synthetic_zemgale(5)
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


def test_different_seeds_different_frames() -> None:
    a, b = synthetic_zemgale(5), synthetic_zemgale(6)
    assert not a[0].equals(b[0])
    assert not a[1].equals(b[1])
    pd.testing.assert_frame_equal(a[2], b[2])  # the catalogue does not depend on the seed


def test_counts_and_scale() -> None:
    p, _, _ = synthetic_zemgale(1, n_grt=7, n_ft=0, n_bsac=3)
    assert p["target_group"].value_counts().to_dict() == {"GRT": 7, "BSAC": 3}
    p, _, _ = synthetic_zemgale(1, scale=2)
    assert p["target_group"].value_counts().to_dict() == {"GRT": 1004, "FT": 1020, "BSAC": 552}
    p, _, _ = synthetic_zemgale(1, n_grt=10, n_ft=10, n_bsac=10, scale=0.5)
    assert len(p) == 15


def test_an_empty_region_has_the_columns_and_dtypes() -> None:
    p, i, s = synthetic_zemgale(1, n_grt=0, n_ft=0, n_bsac=0)
    full_p, full_i, _ = synthetic_zemgale(1, n_grt=2, n_ft=2, n_bsac=2)
    assert p.empty and i.empty and not s.empty
    pd.testing.assert_series_equal(p.dtypes, full_p.dtypes)
    pd.testing.assert_series_equal(i.dtypes, full_i.dtypes)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_grt": -1},
        {"scale": 0},
        {"scale": float("nan")},
        {"period_weeks": 0},
        {"period_weeks": 2.5},
        {"period_weeks": True},
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        synthetic_zemgale(1, **kwargs)  # type: ignore[arg-type]


def test_ages(large: tuple[pd.DataFrame, ...]) -> None:
    p = large[0]
    age = p.groupby("target_group")["age"]
    assert age.min().to_dict() == {"BSAC": 0, "FT": 0, "GRT": 18}
    assert age.max()["GRT"] <= 80 and age.max()["FT"] == 17 and age.max()["BSAC"] == 17
    under_5 = (p.loc[p["target_group"] == "FT", "age"] < 5).mean()
    assert 0.15 < under_5 < 0.30


def test_municipalities_follow_population(large: tuple[pd.DataFrame, ...]) -> None:
    share = large[0]["municipality"].value_counts(normalize=True)
    assert set(share.index) == set(ZEMGALE_MUNICIPALITIES)
    assert share.idxmax() == "Jelgava city"
    assert share.min() > 0.08


def test_adult_plans_match_the_pilots_reported_frequencies(large: tuple[pd.DataFrame, ...]) -> None:
    assert share_of_plans(large, "GRT", ["support_person"]) == pytest.approx(0.74, abs=0.03)
    assert share_of_plans(large, "GRT", ["physiotherapy"]) == pytest.approx(0.58, abs=0.03)
    care = ["home_care", "assistant", "companion"]
    assert share_of_plans(large, "GRT", care) == pytest.approx(0.50, abs=0.03)
    others = set(large[1]["service"]) - {"support_person", "physiotherapy"}
    assert all(share_of_plans(large, "GRT", [s]) < 0.52 for s in others)


def test_child_plans_lead_with_the_pilots_most_used_services(
    large: tuple[pd.DataFrame, ...],
) -> None:
    p, i, _ = large
    ft = i[i["participant_id"].isin(p.loc[p["target_group"] == "FT", "participant_id"])]
    top = ft["service"].value_counts().index[:3].tolist()
    assert top == ["physiotherapy", "assistant", "psychologist"]
    for service in ("aba_therapy", "music_therapy", "home_care", "respite_care"):
        assert share_of_plans(large, "FT", [service]) > 0.4


def test_plan_sizes(large: tuple[pd.DataFrame, ...]) -> None:
    k = large[1].groupby("participant_id").size()
    assert k.min() >= 1
    assert 7.0 < k.mean() < 9.0
    assert k.between(5, 10).mean() > 0.7


def test_almost_every_item_is_eligible(large: tuple[pd.DataFrame, ...]) -> None:
    rows = applying_rows(*large)
    not_eligible = rows.isna().mean()
    assert 0 < not_eligible < 0.01


def test_budgets_are_the_costed_plan_times_0_6_to_1_1(large: tuple[pd.DataFrame, ...]) -> None:
    p, i, s = large
    rows = applying_rows(p, i, s)
    row = s.loc[rows.dropna().astype(int)].set_index(rows.dropna().index)
    cap = np.fmin(
        np.floor(row["max_units_per_week"] * 26 + 1e-9),
        np.floor(row["max_units_per_year"] * 26 / 52 + 1e-9),
    )
    units = np.fmin(i["recommended_units"].iloc[row.index].to_numpy(), cap.to_numpy())
    cost = (
        pd.Series(units * row["unit_price_eur"].to_numpy())
        .groupby(i["participant_id"].iloc[row.index].to_numpy())
        .sum()
    )
    ratio = p.set_index("participant_id")["budget_eur"] / cost.reindex(p["participant_id"])
    assert ratio.between(0.6 - 1e-3, 1.1 + 1e-3).all()
    assert (ratio < 1).mean() > 0.6  # budgets are often binding


def test_legal_caps_are_exercised(large: tuple[pd.DataFrame, ...]) -> None:
    p, i, _ = large
    young = p.loc[(p["target_group"] == "FT") & (p["age"] <= 4), "participant_id"]
    care = i[(i["service"] == "child_social_care") & i["participant_id"].isin(young)]
    assert len(care) > 50
    assert (care["recommended_units"] > 50 * 26).any()
    respite = i[i["service"] == "respite_care"]["recommended_units"]
    assert respite.between(5, 15).all()


def test_minimum_doses_and_provider_shortages(large: tuple[pd.DataFrame, ...]) -> None:
    i = large[1]
    assert 0.15 < (i["min_units"] > 0).mean() < 0.3
    home = i[i["service"] == "group_home"]
    assert len(home) > 0 and (home["min_units"] == home["recommended_units"]).all()
    capped = i[i["max_units"].notna()]
    assert 0.04 < len(capped) / len(i) < 0.08
    assert (capped["max_units"] < capped["recommended_units"]).all()
    below_min = capped["max_units"] < capped["min_units"].clip(lower=1)
    assert 0 < below_min.sum() < 0.01 * len(i)  # reported as cap_below_min


def test_family_ranks_and_family_hours(large: tuple[pd.DataFrame, ...]) -> None:
    p, i, _ = large
    group = i["participant_id"].map(p.set_index("participant_id")["target_group"])
    ranked = i["family_rank"].notna().groupby(group).mean()
    assert ranked["FT"] == 1.0 and ranked["BSAC"] == 0.0
    assert 0.6 < ranked["GRT"] < 0.8
    both = i[i["family_rank"].notna()]
    assert 0.4 < np.corrcoef(both["team_rank"], both["family_rank"].astype(float))[0, 1] < 0.95
    hours = p["family_hours_per_week"].notna().groupby(p["target_group"]).mean()
    assert hours["BSAC"] == 0.0 and 0.7 < hours["FT"] < 0.9
    ft_hours = p.loc[p["target_group"] == "FT", "family_hours_per_week"].dropna()
    assert ft_hours.between(3, 15).all()


def test_without_family_ranks_only_the_column_goes() -> None:
    p, i, s = synthetic_zemgale(3, family_ranks=False)
    assert "family_rank" not in i
    check_contract(p, i, s)
    p_ranked, i_ranked, _ = synthetic_zemgale(3)
    pd.testing.assert_frame_equal(p, p_ranked)
    pd.testing.assert_frame_equal(i, i_ranked.drop(columns="family_rank"))


def test_period_weeks_scales_the_intensities_and_budgets() -> None:
    half = synthetic_zemgale(4, period_weeks=26)
    year = synthetic_zemgale(4, period_weeks=52)
    ratio = year[1]["recommended_units"].mean() / half[1]["recommended_units"].mean()
    assert 1.8 < ratio < 2.2
    assert 1.6 < year[0]["budget_eur"].mean() / half[0]["budget_eur"].mean() < 2.4
    check_contract(*year)


def test_services_add_municipal_price_rows_with_the_default_eligibility() -> None:
    _, _, services = synthetic_zemgale(1, n_grt=1, n_ft=1, n_bsac=1)
    default = default_catalogue()
    pd.testing.assert_frame_equal(services.iloc[: len(default)], default)
    own = services.iloc[len(default) :]
    # every municipality has a row of its own: none is reported as unknown (a likely typo)
    assert set(own["municipality"]) == set(ZEMGALE_MUNICIPALITIES)
    rules = [
        "service",
        "unit",
        "min_age",
        "max_age",
        "target_groups",
        "max_units_per_week",
        "max_units_per_year",
        "hours_per_unit",
    ]
    for _, rows in own.groupby("municipality"):
        same = default[default["service"].isin(rows["service"])]
        pd.testing.assert_frame_equal(
            rows[rules].reset_index(drop=True), same[rules].reset_index(drop=True)
        )
    cents = own["unit_price_eur"].to_numpy() * 100
    assert np.abs(cents - np.round(cents)).max() < 1e-4


def test_municipal_prices_are_used(large: tuple[pd.DataFrame, ...]) -> None:
    rows = applying_rows(*large).dropna().astype(int)
    assert large[2].loc[rows, "municipality"].notna().mean() > 0.02


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    counts=st.tuples(st.integers(0, 25), st.integers(0, 25), st.integers(0, 25)),
    period_weeks=st.integers(1, 104),
    family_ranks=st.booleans(),
)
def test_any_small_region_is_valid(
    seed: int, counts: tuple[int, int, int], period_weeks: int, family_ranks: bool
) -> None:
    n_grt, n_ft, n_bsac = counts
    p, i, s = synthetic_zemgale(
        seed,
        n_grt=n_grt,
        n_ft=n_ft,
        n_bsac=n_bsac,
        period_weeks=period_weeks,
        family_ranks=family_ranks,
    )
    assert len(p) == sum(counts)
    check_contract(p, i, s)
