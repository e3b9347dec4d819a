"""Repartitioning by participant: a shuffle of both tables on a hash of the participant id,
when the inputs are not co-partitioned (see ``docs/scale.md``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ibm_engine.scale._partition import PART_COLUMN, ROW_COLUMN, read_part

__all__ = ["mark", "repartition"]


def mark(source: object, offset: int, n: int) -> pd.DataFrame:
    """A partition with its whole-table row numbers and its target partition (a hash of the
    participant id as text, so ``7`` and ``"7"`` go together; no id: partition 0)."""
    df = read_part(source)
    target = np.zeros(len(df), dtype=np.int64)
    if "participant_id" in df.columns and len(df):
        ids = df["participant_id"]
        has = ids.notna().to_numpy()
        text = ids[has].astype("str").to_numpy(dtype=object)
        hashed = pd.util.hash_array(text, categorize=True) % np.uint64(n)
        target[has] = hashed.astype(np.int64)
    return df.assign(
        **{ROW_COLUMN: offset + np.arange(len(df), dtype=np.int64), PART_COLUMN: target}
    )


def _in_input_order(df: pd.DataFrame) -> pd.DataFrame:
    """A shuffled partition back in input order (the shuffle does not keep it)."""
    order = np.argsort(df[ROW_COLUMN].to_numpy(), kind="stable")
    return df.iloc[order].reset_index(drop=True)


def repartition(
    tables: Sequence[tuple[Sequence[object], pd.DataFrame, Sequence[int]]], n: int
) -> list[list[Any]]:
    """Each table (its partitions, an empty frame of its columns, the row number of each
    partition's first row) shuffled into ``n`` partitions by participant: partition ``k`` of
    every table then holds the same participants. Returns the delayed partitions per table."""
    import dask
    import dask.dataframe as dd

    out = []
    for parts, meta, offsets in tables:
        marked = [
            dask.delayed(mark)(part, int(off), n) for part, off in zip(parts, offsets, strict=True)
        ]
        meta_marked = mark(meta, 0, n)
        frame = dd.from_delayed(marked, meta=meta_marked, verify_meta=False)
        shuffled = frame.shuffle(on=PART_COLUMN, npartitions=n, shuffle_method="tasks")
        ordered = shuffled.map_partitions(_in_input_order, meta=meta_marked)
        out.append(list(ordered.to_delayed()))
    return out
