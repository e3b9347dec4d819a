"""The co-partitioning check of one partition pair (``id_hashes``; no dask needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ibm_engine.scale._partition import id_hashes


def _hash(ids: list[str]) -> set[int]:
    return set(pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False).tolist())


def test_ids_named_by_plan_items_but_not_here_are_found_exactly() -> None:
    people = pd.DataFrame({"participant_id": ["a", "b", "c", "b", None]})
    items = pd.DataFrame({"participant_id": ["a", "x", "b", "x", 7, None, "c", "y"]})
    got = id_hashes(people, items)
    assert (got["n_p"], got["n_i"]) == (5, 8)
    assert set(got["hashes"].tolist()) == _hash(["a", "b", "c"])
    assert set(got["elsewhere"].tolist()) == _hash(["x", "7", "y"])
    assert len(got["elsewhere"]) == 3


def test_numbers_and_their_texts_are_one_id_and_arrow_texts_work() -> None:
    people = pd.DataFrame({"participant_id": pd.array(["7", "8"], dtype="str")})
    items = pd.DataFrame({"participant_id": [7, 8, 8, 9]})
    got = id_hashes(people, items)
    assert set(got["elsewhere"].tolist()) == _hash(["9"])


def test_empty_partitions() -> None:
    none = pd.DataFrame({"participant_id": pd.Series([], dtype=object)})
    items = pd.DataFrame({"participant_id": ["a", "a"]})
    got = id_hashes(none, items)
    assert len(got["hashes"]) == 0 and set(got["elsewhere"].tolist()) == _hash(["a"])
    got = id_hashes(items, none)
    assert len(got["elsewhere"]) == 0 and set(got["hashes"].tolist()) == _hash(["a"])
