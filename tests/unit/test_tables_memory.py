"""What ``tables.prepare`` keeps without copying (issue 12, memory at 1M) stays safe.

Integer columns given whole (every row kept, none empty) are used as converted, without a
copy, when that is a read-only view of the input frame (pandas copy-on-write); a nullable
integer column, whose values are its own buffer, is copied. Optional plan-line columns the
table does not have are one shared read-only value. Neither may change when the caller
changes the input frames or the result tables afterwards, and the answer must be the one a
copy gives.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.data import synthetic_zemgale
from ibm_engine.tables import prepare
from ibm_engine.tables._convert import Codes, integer


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return synthetic_zemgale(7, n_grt=40, n_ft=40, n_bsac=20)


def _snapshot(res: ibm.AllocationResult) -> tuple[dict[str, list[object]], pd.DataFrame]:
    prep = res._solved.prep
    arrays = {
        name: np.asarray(getattr(prep, name)).tolist()
        for name in ("team_rank", "recommended", "min_units", "family_rank", "max_units")
    }
    return arrays, res.explain(str(res.participants["participant_id"].iloc[0]))


def test_arrays_kept_without_copy_are_read_only_or_own_their_data(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    people, plan, services = tables
    prep = prepare(people, plan.drop(columns=["max_units"]), services)
    for name in ("team_rank", "recommended", "min_units", "age"):  # int64 columns: views
        arr = getattr(prep, name)
        assert arr.dtype == np.int64
        assert not arr.flags.writeable, name
    # a nullable integer column's values are its own buffer: copied, never shared
    given = plan.assign(team_rank=plan["team_rank"].astype("Int64"))
    ranks = prepare(people, given, services).team_rank
    assert not np.shares_memory(ranks, given["team_rank"].array._data)
    # absent optional plan-line columns: one value, no memory per row, not writable
    for name, value in (("max_units", -1), ("weight", np.nan)):
        arr = getattr(prep, name)
        assert arr.shape == (len(plan),)
        assert arr.strides == (0,) and not arr.flags.writeable
        np.testing.assert_array_equal(arr, np.full(len(plan), value))


def test_changing_inputs_or_results_afterwards_changes_nothing_inside(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    people, plan, services = (t.copy() for t in tables)
    res = ibm.allocate(people, plan, services)
    before = _snapshot(res)
    plan.loc[:, "team_rank"] = plan["team_rank"] + 100
    plan.loc[0, "recommended_units"] = 999
    plan.loc[:, "min_units"] = 0
    res.items.loc[:, "team_rank"] = 0
    res.items.loc[0, "recommended_units"] = 1
    arrays, explained = _snapshot(res)
    assert arrays == before[0]
    pd.testing.assert_frame_equal(explained, before[1])


def test_absent_optional_columns_answer_as_empty_ones(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    people, plan, services = tables
    absent = plan.drop(columns=["max_units", "family_rank"])
    empty = absent.assign(
        max_units=pd.array([None] * len(plan), dtype="Int64"),
        family_rank=pd.array([None] * len(plan), dtype="Int64"),
        weight=np.nan,
    )
    a = ibm.allocate(people, absent, services)
    b = ibm.allocate(people, empty, services)
    cols = ["units", "cost_eur", "weight", "upper_units", "reason"]
    pd.testing.assert_frame_equal(a.items[cols], b.items[cols])
    pd.testing.assert_frame_equal(a.participants, b.participants)


@pytest.mark.parametrize(
    "values",
    [[1, None, 2**60, 2**53 + 1], [2**60, 5, -(2**53 + 1)], [None, 3], [2**53 + 1, 4]],
)
def test_integer_conversion_never_changes_the_input(values: list[int | None]) -> None:
    s = pd.Series(values, dtype="Int64")
    before = s.copy()
    col = integer(s)
    pd.testing.assert_series_equal(s, before)
    # through the float, as the general path: +-(2**53 + 1) -> +-2**53 once anything is
    # empty or beyond 2**53; 0 where empty or beyond
    through_float = bool(s.isna().any() or (s.abs() > 2**53 + 1).any())
    expect = [
        0 if v is None or abs(v) > 2**53 + 1 else (int(float(v)) if through_float else v)
        for v in values
    ]
    assert col.values.tolist() == expect


def test_catalogue_rows_matched_per_owner_equal_rows_per_item() -> None:
    """``Catalogue.match_owned`` (each distinct service and participant case once) equals
    ``Catalogue.match`` of every item, with unknown services, municipalities without rows of
    their own and missing municipalities among them."""
    people, plan, services = synthetic_zemgale(5, n_grt=60, n_ft=60, n_bsac=40)
    prep = prepare(people, plan, services)
    cat = prep.catalogue
    rng = np.random.default_rng(0)
    n, m = len(prep.participants), len(prep.items)
    s_texts = np.array([*sorted(cat.services), "unknown_service"], dtype=object)
    m_texts = np.array([*sorted(cat.municipalities), "Nowhere"], dtype=object)
    service = Codes(rng.integers(-1, s_texts.shape[0], m), s_texts)
    muni = Codes(rng.integers(-1, m_texts.shape[0], n), m_texts)
    age = rng.integers(0, 90, n)
    group = rng.choice([1, 2, 4], n)
    owner = prep.item_owner
    expect = cat.match(service, Codes(muni.codes[owner], m_texts), age[owner], group[owner])
    got = cat.match_owned(service, owner, muni, age, group)
    assert got.tolist() == expect.tolist()
    assert (expect >= 0).any() and (expect < 0).any()
