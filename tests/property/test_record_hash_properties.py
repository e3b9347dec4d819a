"""Invariants of the table content hash (issue 10 §2): row and column order, partitions that
add up modulo 2**128, integral floats and nulls."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ibm_engine.tables._hash import hash_table

_cells = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=False, width=64),
    st.text(max_size=5),
)
_rows = st.lists(st.tuples(_cells, _cells, st.integers(0, 5)), min_size=0, max_size=30)


def _frame(rows: list[tuple[object, object, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": pd.Series([r[0] for r in rows], dtype=object),
            "b": pd.Series([r[1] for r in rows], dtype=object),
            "n": pd.Series([r[2] for r in rows], dtype=np.int64),
        }
    )


@settings(max_examples=60, deadline=None)
@given(_rows, st.randoms(use_true_random=False))
def test_order_does_not_matter(rows: list[tuple[object, object, int]], rnd: object) -> None:
    df = _frame(rows)
    perm = list(range(len(df)))
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    shuffled = df.iloc[perm][["n", "b", "a"]]
    assert hash_table(df) == hash_table(shuffled)


@settings(max_examples=60, deadline=None)
@given(_rows, st.integers(0, 30))
def test_partitions_add_up(rows: list[tuple[object, object, int]], cut: int) -> None:
    df = _frame(rows)
    cut = min(cut, len(df))
    whole = hash_table(df)
    head, tail = hash_table(df.iloc[:cut]), hash_table(df.iloc[cut:])
    assert (head.digest + tail.digest) % 2**128 == whole.digest
    assert head.rows + tail.rows == whole.rows


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(2**52), 2**52), max_size=20))
def test_integral_floats_equal_integers(values: list[int]) -> None:
    ints = pd.DataFrame({"x": pd.Series(values, dtype=np.int64)})
    floats = pd.DataFrame({"x": pd.Series([float(v) for v in values], dtype=np.float64)})
    assert hash_table(ints) == hash_table(floats)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([None, np.nan, pd.NA, "", "  "]), min_size=1, max_size=10))
def test_every_null_is_one_null(nulls: list[object]) -> None:
    df = pd.DataFrame({"x": pd.Series(nulls, dtype=object)})
    assert hash_table(df) == hash_table(pd.DataFrame({"x": [None] * len(nulls)}))
