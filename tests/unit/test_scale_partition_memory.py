"""A partition's summary (what the client's future holds on the worker until the run ends) keeps
none of the partition's result tables alive (no dask needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import ibm_engine as ibm
from ibm_engine.scale._partition import Settings, allocate_partition, empty_like


def _bytes_held(s: pd.Series) -> int:
    """Bytes of the buffers behind a column (the whole buffers, not the visible rows)."""
    arr = s.array
    if hasattr(arr, "__arrow_array__"):
        return int(arr.__arrow_array__().get_total_buffer_size())
    values = s.cat.codes.to_numpy() if isinstance(s.dtype, pd.CategoricalDtype) else s.to_numpy()
    while isinstance(values.base, np.ndarray):
        values = values.base
    return int(values.nbytes)


def test_empty_like_has_the_columns_and_dtypes_and_holds_no_buffer() -> None:
    df = pd.DataFrame(
        {
            "n": np.arange(50_000),
            "x": np.linspace(0, 1, 50_000),
            "s": pd.array([f"p{k}" for k in range(50_000)], dtype="str"),
            "c": pd.Categorical(["a", "b"] * 25_000),
        }
    )
    assert all(_bytes_held(df.iloc[:0][c]) > 100_000 for c in ("n", "x", "s"))  # the trap
    empty = empty_like(df)
    pd.testing.assert_frame_equal(empty, df.iloc[:0])
    assert all(_bytes_held(empty[c]) < 1024 for c in empty.columns)


def test_a_partition_summary_holds_none_of_its_tables(tmp_path: Path) -> None:
    p, i, s = ibm.synthetic_zemgale(seed=5, n_grt=300, n_ft=300, n_bsac=100)
    settings = Settings("optimal", 26, 0.5, "raise", "borda", None)
    summary, tables = allocate_partition(0, p, i, s, settings, str(tmp_path))
    assert tables is None
    r = ibm.allocate(p, i, s)
    for name, full in (("items", r.items), ("participants", r.participants)):
        meta = summary.meta[name]
        pd.testing.assert_frame_equal(meta, full.iloc[:0])
        assert all(_bytes_held(meta[c]) < 1024 for c in meta.columns), name
