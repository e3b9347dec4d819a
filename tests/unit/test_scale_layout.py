"""The dataset layout and the hash property the distributed records rely on (no dask needed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import ibm_engine as ibm
from ibm_engine.allocation._record import hash_inputs, hash_outputs
from ibm_engine.scale import LAYOUT, MANIFEST


def test_partition_hashes_add_up_to_the_whole_whatever_the_texts_beside_them() -> None:
    """A text's cell digest does not depend on the other texts hashed with it (a short text
    next to a long one in one partition, alone in another)."""
    df = pd.DataFrame({"column": ["age", "participant_id", "participant_id", "x" * 40],
                       "n": [1, 2, 3, 4]})  # fmt: skip
    whole = hash_outputs(t=df)["t"]
    for cut in range(1, len(df)):
        parts = hash_outputs(t=df.iloc[:cut])["t"] + hash_outputs(t=df.iloc[cut:])["t"]
        assert parts == whole
    singles = [hash_outputs(t=df.iloc[[k]])["t"] for k in range(len(df))]
    total = singles[0]
    for h in singles[1:]:
        total = total + h
    assert total == whole


def test_participant_partitions_add_up(tmp_path: Path) -> None:
    p, i, s = ibm.synthetic_zemgale(seed=3, n_grt=20, n_ft=10, n_bsac=5)
    root = ibm.write_dataset(p, i, tmp_path / "r", services=s, partition_size=10)
    manifest = json.loads((root / MANIFEST).read_text())
    assert manifest["layout"] == LAYOUT and manifest["partitions"] == 4
    total = None
    for f in sorted((root / "participants").iterdir()):
        h = hash_inputs(participants=pd.read_parquet(f))["participants"]
        total = h if total is None else total + h
    assert total == hash_inputs(participants=p)["participants"]
    back = pd.read_parquet(root / "plan_items")
    assert back["participant_id"].tolist() == i["participant_id"].tolist()
    assert pd.read_parquet(root / "services.parquet").shape == s.shape


def test_synthetic_dataset_is_seeded_and_co_partitioned(tmp_path: Path) -> None:
    a = ibm.synthetic_dataset(tmp_path / "a", 250, seed=5, partition_size=100)
    b = ibm.synthetic_dataset(tmp_path / "b", 250, seed=5, partition_size=100)
    for table in ("participants", "plan_items"):
        files = sorted(f.name for f in (a / table).iterdir())
        assert files == [f"part-00000{k}.parquet" for k in range(3)]
        for name in files:
            assert pd.read_parquet(a / table / name).equals(pd.read_parquet(b / table / name))
    for k in range(3):
        people = pd.read_parquet(a / "participants" / f"part-00000{k}.parquet")
        items = pd.read_parquet(a / "plan_items" / f"part-00000{k}.parquet")
        assert set(items["participant_id"]) <= set(people["participant_id"])
    people = pd.read_parquet(a / "participants")
    assert people["participant_id"].is_unique and abs(len(people) - 250) <= 5


def test_allocate_names_the_dataset_function_for_paths(tmp_path: Path) -> None:
    p, i, s = ibm.synthetic_zemgale(seed=3, n_grt=2, n_ft=1, n_bsac=1)
    root = ibm.write_dataset(p, i, tmp_path / "r")
    with pytest.raises(ibm.InputError, match=r"go to ibm\.allocate_dataset"):
        ibm.allocate(root, None, s)


def test_pandas_frames_stay_in_process_without_dask(tmp_path: Path) -> None:
    """ibm.allocate on pandas frames, and the dataset writers, never import dask."""
    code = (
        "import sys, ibm_engine as ibm; p, i, s = ibm.synthetic_zemgale(1, n_grt=3, n_ft=2, "
        "n_bsac=1); ibm.allocate(p, i, s); "
        f"ibm.write_dataset(p, i, {str(tmp_path / 'd')!r}); "
        f"ibm.synthetic_dataset({str(tmp_path / 'z')!r}, 50); "
        "print([m for m in ('dask', 'distributed') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
