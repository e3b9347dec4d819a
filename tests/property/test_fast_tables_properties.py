"""The fast paths of the table stages (issue 12) give what the general paths give.

- a text column stored as Arrow strings is factorised by Arrow: same codes, texts, empty,
  invalid and spaced masks as the same column of Python objects;
- integer columns (numpy and nullable) convert as through the float path;
- the joint order and Borda rank points (one combined-key sort) equal their ``lexsort``
  definitions, ties and signed zeros included;
- duplicate pairs counted with ``np.bincount`` equal the hash path;
- ``Catalogue.match`` on distinct (service, municipality, age, group) triples equals matching
  every item.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ibm_engine as ibm
from ibm_engine.priorities._borda import _sort_by, joint_order
from ibm_engine.tables import prepare
from ibm_engine.tables._catalogue import GROUP_BITS
from ibm_engine.tables._convert import Codes, integer, number, text
from ibm_engine.tables._plan_rules import _dup_pairs

pa = pytest.importorskip("pyarrow")

SETTINGS = settings(max_examples=60, deadline=None)
# ASCII whitespace only: Python's str.strip and Arrow's trim agree on it
TEXTS = st.lists(st.sampled_from(["a", "b", " a", "a ", "", "  ", "\t", "P1", "7", None]))


@SETTINGS
@given(TEXTS)
def test_arrow_text_equals_object_text(values: list[str | None]) -> None:
    obj = text(pd.Series(values, dtype=object), allow_int=True)
    for dtype in ("string", pd.ArrowDtype(pa.string()), pd.ArrowDtype(pa.large_string())):
        got = text(pd.Series(values, dtype=dtype), allow_int=True)
        assert got.coded.codes.tolist() == obj.coded.codes.tolist()
        used = sorted(set(obj.coded.codes.tolist()) - {-1})
        assert [got.coded.texts[c] for c in used] == [obj.coded.texts[c] for c in used]
        assert got.empty.tolist() == obj.empty.tolist()
        assert got.bad.tolist() == obj.bad.tolist()
        assert [got.spaced[c] for c in used] == [obj.spaced[c] for c in used]


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.integers(-(2**60), 2**60))))
def test_integer_columns_as_through_floats(values: list[int | None]) -> None:
    s = pd.Series(values, dtype="Int64")
    got = integer(s)
    num = number(s.astype(object).where(s.notna(), None))
    assert got.empty.tolist() == num.empty.tolist()
    with np.errstate(invalid="ignore"):
        huge = ~num.empty & (np.abs(num.values) > 2.0**53)
    assert got.bad.tolist() == huge.tolist()
    ok = ~got.empty & ~got.bad
    assert got.values[ok].tolist() == np.round(num.values[ok]).astype(np.int64).tolist()


@SETTINGS
@given(st.integers(0, 200), st.integers(0, 2**32 - 1))
def test_orders_equal_their_lexsort_definitions(m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    owner = rng.integers(0, 12, m)
    weight = rng.choice([0.1, 0.2, 1 / 3, 0.5, 0.0, -0.0, 0.30000000000000004, 0.3], m)
    team = rng.integers(-3, 6, m)
    assert _sort_by(owner, team).tolist() == np.lexsort((team, owner)).tolist()
    first = np.lexsort((team, -weight, owner))
    w, o = weight[first], owner[first]
    new_block = np.ones(m, dtype=bool)
    if m > 1:
        new_block[1:] = (o[1:] != o[:-1]) | (w[:-1] - w[1:] > 1e-12)
    block = np.empty(m, dtype=np.int64)
    block[first] = np.cumsum(new_block)
    expected = np.lexsort((team, block, owner))
    assert joint_order(owner, weight, team).tolist() == expected.tolist()


@SETTINGS
@given(st.integers(0, 300), st.integers(0, 2**32 - 1), st.integers(1, 10**7))
def test_duplicate_pairs_by_counting_equal_hashing(m: int, seed: int, span: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 40, m)
    b = rng.integers(0, 6, m) * span  # a wide span takes the hash path
    ok = rng.random(m) < 0.9
    key = pd.DataFrame({"a": a[ok], "b": b[ok]})
    expected = np.zeros(m, dtype=bool)
    expected[np.flatnonzero(ok)] = key.duplicated(keep=False).to_numpy()
    assert _dup_pairs(a, b, ok).tolist() == expected.tolist()
    assert _dup_pairs(a, b, np.ones(m, dtype=bool)).tolist() == (
        pd.DataFrame({"a": a, "b": b}).duplicated(keep=False).to_numpy().tolist()
    )


def test_catalogue_rows_by_distinct_cases_equal_rows_by_item() -> None:
    participants, plan_items, services = ibm.data.synthetic_zemgale(3, n_grt=60, n_ft=60, n_bsac=40)
    prep = prepare(participants, plan_items, services)
    cat = prep.catalogue
    owner = prep.item_owner
    svc = text(prep.items["service"])
    muni = text(prep.participants["municipality"])
    gbits = np.array([GROUP_BITS[g] for g in prep.group], dtype=np.int64)
    service = Codes(svc.coded.codes, svc.coded.texts)
    item_muni = Codes(muni.coded.codes[owner], muni.coded.texts)
    got = cat.match(service, item_muni, prep.age[owner], gbits[owner])
    assert got.tolist() == prep.row.tolist()
    # one item at a time: no triple shared, so nothing spread
    ages, groups = prep.age[owner], gbits[owner]
    for k in range(0, owner.shape[0], 7):
        one = cat.match(
            Codes(service.codes[k : k + 1], service.texts),
            Codes(item_muni.codes[k : k + 1], item_muni.texts),
            ages[k : k + 1],
            groups[k : k + 1],
        )
        assert int(one[0]) == int(prep.row[k])
